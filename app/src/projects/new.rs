//! The new-project form: the team, the name, the region, the instance, the framework and its
//! port, the health path and the frontend's bucket. The instance and the bucket are picked from
//! lists of the team's own (`pick.rs`), the name is suggested from the instance's Name tag and
//! the port from the framework's usual one; every value stays editable.

use super::api::*;
use super::pick::{bucket_option, instance_option, PickWords, Picker};
use crate::accounts::api::get_session_info;
use crate::i18n::*;
use crate::model::*;
use crate::{ErrorBox, FormField};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;
use lockstep_domain::project::REGIONS;
use lockstep_domain::{Field, FieldErrors, Framework};

#[component]
pub fn NewProjectPage() -> impl IntoView {
    let create = ServerAction::<CreateProject>::new();
    let navigate = use_navigate();
    let errors = RwSignal::new(FieldErrors::default());
    let failure = RwSignal::new(None::<AppError>);
    Effect::new(move |_| match create.value().get() {
        Some(Ok(CreateOutcome::Created(id))) => {
            errors.set(FieldErrors::default());
            navigate(&format!("/projects/{id}"), Default::default());
        }
        Some(Ok(CreateOutcome::Invalid(e))) => {
            failure.set(None);
            errors.set(e)
        }
        Some(Err(e)) => failure.set(Some(e)),
        None => {}
    });
    let i18n = use_i18n();
    // Each field's message in the page's language (follows a switch).
    let err = move |f: Field| {
        move || {
            let korean = i18n.get_locale() == Locale::ko;
            errors.with(|e| e.said(f, korean).map(str::to_string))
        }
    };
    let env = crate::environment();
    // The lists are read for the chosen team (its first one until another is chosen) and region.
    let team_pick = RwSignal::new(None::<String>);
    let region = RwSignal::new(String::from(DEFAULT_REGION));
    let lists = Resource::new(
        move || (team_pick.get(), region.get()),
        |(team, region)| async move {
            let team = match team {
                Some(t) => t,
                None => match first_team().await {
                    Some(t) => t,
                    None => return Ok(PickLists::default()),
                },
            };
            project_choices(team, region).await
        },
    );
    // Suggested values follow the picks until the person edits the field.
    let suggested_name = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let name_edited = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(n) = suggested_name.get() {
            if !name_edited.get_untracked() {
                name.set(n);
            }
        }
    });
    let port = RwSignal::new(Framework::ALL[0].default_port().to_string());
    let port_edited = RwSignal::new(false);
    let no_suggestion = RwSignal::new(None::<String>);
    let instance_words = PickWords {
        type_it: |l| td_string!(l, new_project.type_instead),
        empty: |l| td_string!(l, new_project.no_instances),
        placeholder: "i-0123456789abcdef0",
    };
    let bucket_words = PickWords {
        type_it: |l| td_string!(l, new_project.type_bucket_instead),
        empty: |l| td_string!(l, new_project.no_buckets),
        placeholder: "capstone-shop-frontend",
    };
    let loading = || view! { <p class="muted">{crate::tr(|l| td_string!(l, new_project.loading_lists))}</p> };

    view! {
        <h1>{crate::tr(|l| td_string!(l, projects.new_project))}</h1>
        <p class="muted">{crate::tr(|l| td_string!(l, new_project.intro))}</p>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                env.await.ok().and_then(|e| e.demo_instance).map(|id| view! {
                    <p class="notice">{t!(i18n, new_project.demo_instance, id, <code> = <code data-testid="demo-instance"/>)}</p>
                })
            })}
        </Transition>
        {move || failure.get().map(|e| view! { <ErrorBox error=e/> })}
        <ActionForm action=create attr:class="form" attr:novalidate=true>
            <TeamChoice picked=team_pick/>
            <FormField label=|l| td_string!(l, new_project.name) name="name" error=err(Field::Name)
                hint=|l| td_string!(l, new_project.name_hint)>
                <input name="name" id="name" placeholder="capstone-shop" autocomplete="off"
                    value=move || name.get()
                    on:input=move |ev| {
                        name_edited.set(true);
                        name.set(event_target_value(&ev));
                    }/>
            </FormField>
            <FormField label=|l| td_string!(l, new_project.region) name="region" error=err(Field::Region)
                hint=|l| td_string!(l, new_project.region_hint)>
                <select name="region" id="region" on:change=move |ev| region.set(event_target_value(&ev))>
                    {REGIONS.iter().map(|(code, label)| view! {
                        <option value=*code selected=*code == DEFAULT_REGION>
                            {move || format!("{} · {code}", crate::labels::region(i18n.get_locale(), code, label))}
                        </option>
                    }).collect_view()}
                </select>
            </FormField>
            <FormField label=|l| td_string!(l, new_project.instance) name="instance" error=err(Field::Instance)
                hint=|l| td_string!(l, new_project.instance_hint)>
                <Transition fallback=loading>
                    {move || Suspend::new(async move {
                        let (options, problem) = match lists.await {
                            Ok(l) => (l.instances.into_iter().map(instance_option).collect(), l.instances_error),
                            Err(e) => (Vec::new(), user_words(e)),
                        };
                        view! { <Picker field="instance" options problem words=instance_words suggest=suggested_name/> }
                    })}
                </Transition>
            </FormField>
            <FormField label=|l| td_string!(l, new_project.framework) name="framework" error=err(Field::Framework)
                hint=|l| td_string!(l, new_project.framework_hint)>
                <select name="framework" id="framework"
                    on:change=move |ev| {
                        if let Ok(f) = Framework::parse(&event_target_value(&ev)) {
                            if !port_edited.get_untracked() {
                                port.set(f.default_port().to_string());
                            }
                        }
                    }>
                    {Framework::ALL.into_iter().map(|f| view! {
                        <option value=f.key()>{move || crate::labels::framework(i18n.get_locale(), f)}</option>
                    }).collect_view()}
                </select>
            </FormField>
            <FormField label=|l| td_string!(l, new_project.app_port) name="app_port" error=err(Field::AppPort)
                hint=|l| td_string!(l, new_project.app_port_hint)>
                <input name="app_port" id="app_port" inputmode="numeric" value=move || port.get()
                    on:input=move |ev| {
                        port_edited.set(true);
                        port.set(event_target_value(&ev));
                    }/>
            </FormField>
            <FormField label=|l| td_string!(l, new_project.health_path) name="health_path" error=err(Field::HealthPath)
                hint=|l| td_string!(l, new_project.health_path_hint)>
                <input name="health_path" id="health_path" value="/health"/>
            </FormField>
            <FormField label=|l| td_string!(l, new_project.bucket) name="bucket" error=err(Field::Bucket)
                hint=|l| td_string!(l, new_project.bucket_hint)>
                <Transition fallback=loading>
                    {move || Suspend::new(async move {
                        let (options, problem) = match lists.await {
                            Ok(l) => (l.buckets.into_iter().map(bucket_option).collect(), l.buckets_error),
                            Err(e) => (Vec::new(), user_words(e)),
                        };
                        view! { <Picker field="bucket" options problem words=bucket_words suggest=no_suggestion/> }
                    })}
                </Transition>
            </FormField>
            <div class="actions">
                <button type="submit" class="button primary" data-testid="create-project" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { crate::tr(|l| td_string!(l, new_project.saving)).into_any() } else { crate::tr(|l| td_string!(l, new_project.create)).into_any() }}
                </button>
                <A href="/" attr:class="button">{crate::tr(|l| td_string!(l, common.cancel))}</A>
            </div>
        </ActionForm>
    }
}

/// The region the form starts on (Seoul: most of lockstep's students are there).
const DEFAULT_REGION: &str = "ap-northeast-2";

/// The first team where the person may run the wizard (the team choice's first entry).
async fn first_team() -> Option<String> {
    let me = get_session_info().await.ok()?.me?;
    me.teams.into_iter().find(|t| t.role != lockstep_domain::account::Role::Viewer).map(|t| t.id)
}

/// A list that could not be read, as the words the picker shows (a refusal of the whole
/// request, such as a signed-out session, says so; the form then offers typing).
fn user_words(e: AppError) -> Option<lockstep_domain::UserError> {
    match e {
        AppError::User(u) => Some(u),
        _ => None,
    }
}

/// The team the new project belongs to: the teams where the person may run the wizard.
#[component]
fn TeamChoice(picked: RwSignal<Option<String>>) -> impl IntoView {
    let session = Resource::new(|| (), |_| get_session_info());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let teams: Vec<TeamSummary> = session
                    .await
                    .ok()
                    .and_then(|s| s.me)
                    .map(|m| m.teams.into_iter().filter(|t| t.role != lockstep_domain::account::Role::Viewer).collect())
                    .unwrap_or_default();
                view! {
                    <div class="field">
                        <label for="team_id">{crate::tr(|l| td_string!(l, new_project.team))}</label>
                        <select name="team_id" id="team_id" data-testid="project-team-choice"
                            on:change=move |ev| picked.set(Some(event_target_value(&ev)))>
                            {teams.into_iter().map(|t| view! { <option value=t.id>{t.name}</option> }).collect_view()}
                        </select>
                        <p class="hint">{crate::tr(|l| td_string!(l, new_project.team_hint))}</p>
                    </div>
                }
            })}
        </Suspense>
    }
}
