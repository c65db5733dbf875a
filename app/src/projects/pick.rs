//! "Pick, don't type" (issue 22): the new-project form's instance and bucket from lists of
//! what the team already has in AWS, with "type it instead" kept for what the lists do not
//! show (an instance known only by its IP, a bucket the team's access may not list).
//!
//! The picked value travels in the form field of the same name (`instance`, `bucket`), so the
//! form posts exactly what it did when everything was typed.

use super::api::{BucketChoice, InstanceChoice};
use crate::i18n::*;
use crate::model::AppError;
use crate::ErrorBox;
use leptos::prelude::*;
use lockstep_domain::UserError;
use std::sync::Arc;

/// The option that switches a list to a text field.
pub const TYPE_IT: &str = "__type__";

type Label = Arc<dyn Fn(Locale) -> String + Send + Sync>;

/// One entry of a list: the value posted, its words, and the project name it suggests.
#[derive(Clone)]
pub struct PickOption {
    pub value: String,
    pub label: Label,
    pub suggests: Option<String>,
}

/// A running instance: "shop-api · i-0abc · 3.35.1.2 · SSM reachable · sg-0123".
pub fn instance_option(i: InstanceChoice) -> PickOption {
    let (id, ip, ssm, groups) = (i.id.clone(), i.public_ip.clone(), i.ssm, i.security_groups.join(", "));
    let name = i.name.clone();
    let label: Label = Arc::new(move |l| {
        let ip = ip.clone().unwrap_or_else(|| td_string!(l, new_project.no_ip).to_string());
        let ssm = match ssm {
            Some(true) => td_string!(l, new_project.ssm_yes),
            Some(false) => td_string!(l, new_project.ssm_no),
            None => td_string!(l, new_project.ssm_unknown),
        };
        let mut parts: Vec<String> = name.iter().cloned().collect();
        parts.extend([id.clone(), ip, ssm.to_string()]);
        if !groups.is_empty() {
            parts.push(groups.clone());
        }
        parts.join(" · ")
    });
    PickOption { value: i.id, label, suggests: i.name }
}

/// A bucket: "shop-frontend · website hosting on".
pub fn bucket_option(b: BucketChoice) -> PickOption {
    let (name, website) = (b.name.clone(), b.website);
    let label: Label = Arc::new(move |l| {
        let site = match website {
            Some(true) => td_string!(l, new_project.website_on),
            Some(false) => td_string!(l, new_project.website_off),
            None => td_string!(l, new_project.website_unknown),
        };
        format!("{name} · {site}")
    });
    PickOption { value: b.name, label, suggests: None }
}

/// The words a picker needs besides its options.
#[derive(Clone, Copy)]
pub struct PickWords {
    pub type_it: fn(Locale) -> &'static str,
    pub empty: fn(Locale) -> &'static str,
    pub placeholder: &'static str,
}

/// A list with a "type it instead" entry, or a text field (no list, or chosen). `field` is the
/// form field's name and id. `suggest` receives the picked entry's suggestion (the first one's
/// at once).
#[component]
pub fn Picker(
    field: &'static str,
    options: Vec<PickOption>,
    problem: Option<UserError>,
    words: PickWords,
    suggest: RwSignal<Option<String>>,
) -> impl IntoView {
    let has_options = !options.is_empty();
    let typing = RwSignal::new(!has_options);
    if let Some(first) = options.first() {
        suggest.set(first.suggests.clone());
    }
    let i18n = use_i18n();
    let empty = (!has_options && problem.is_none()).then(|| {
        view! { <p class="muted" data-testid=format!("{field}-none")>{crate::tr(words.empty)}</p> }
    });
    let options = StoredValue::new(options);
    view! {
        {problem.map(|u| view! { <ErrorBox error=AppError::User(u)/> })}
        {empty}
        {move || if typing.get() {
            view! {
                <input name=field id=field placeholder=words.placeholder autocomplete="off"
                    data-testid=format!("{field}-typed")/>
                {has_options.then(|| view! {
                    <button type="button" class="button link" data-testid=format!("{field}-pick-again")
                        on:click=move |_| {
                            typing.set(false);
                            options.with_value(|o| suggest.set(o.first().and_then(|f| f.suggests.clone())));
                        }>
                        {crate::tr(|l| td_string!(l, new_project.pick_from_list))}
                    </button>
                })}
            }.into_any()
        } else {
            view! {
                <select name=field id=field data-testid=format!("{field}-pick")
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        if v == TYPE_IT {
                            typing.set(true);
                        } else {
                            options.with_value(|o| {
                                suggest.set(o.iter().find(|p| p.value == v).and_then(|p| p.suggests.clone()))
                            });
                        }
                    }>
                    {options.with_value(|o| o.iter().map(|p| {
                        let label = p.label.clone();
                        view! { <option value=p.value.clone()>{move || label(i18n.get_locale())}</option> }
                    }).collect_view())}
                    <option value=TYPE_IT>{crate::tr(words.type_it)}</option>
                </select>
            }.into_any()
        }}
    }
}
