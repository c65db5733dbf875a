//! The new-project form: the team, the name, the region, the instance, the framework and its
//! port, the health path and the frontend's bucket.

use super::api::*;
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
    let port_hint = RwSignal::new(String::from("8000"));
    let env = crate::environment();

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
            <TeamChoice/>
            <FormField label=|l| td_string!(l, new_project.name) name="name" error=err(Field::Name)
                hint=|l| td_string!(l, new_project.name_hint)>
                <input name="name" id="name" placeholder="capstone-shop" autocomplete="off"/>
            </FormField>
            <FormField label=|l| td_string!(l, new_project.region) name="region" error=err(Field::Region)
                hint=|l| td_string!(l, new_project.region_hint)>
                <select name="region" id="region">
                    {REGIONS.iter().map(|(code, label)| view! {
                        <option value=*code selected=*code == "ap-northeast-2">
                            {move || format!("{} · {code}", crate::labels::region(i18n.get_locale(), code, label))}
                        </option>
                    }).collect_view()}
                </select>
            </FormField>
            <FormField label=|l| td_string!(l, new_project.instance) name="instance" error=err(Field::Instance)
                hint=|l| td_string!(l, new_project.instance_hint)>
                <input name="instance" id="instance" placeholder="i-0123456789abcdef0" autocomplete="off"/>
            </FormField>
            <FormField label=|l| td_string!(l, new_project.framework) name="framework" error=err(Field::Framework)
                hint=|l| td_string!(l, new_project.framework_hint)>
                <select name="framework" id="framework"
                    on:change=move |ev| {
                        if let Ok(f) = Framework::parse(&event_target_value(&ev)) {
                            port_hint.set(f.default_port().to_string());
                        }
                    }>
                    {Framework::ALL.into_iter().map(|f| view! {
                        <option value=f.key()>{move || crate::labels::framework(i18n.get_locale(), f)}</option>
                    }).collect_view()}
                </select>
            </FormField>
            <FormField label=|l| td_string!(l, new_project.app_port) name="app_port" error=err(Field::AppPort)
                hint=|l| td_string!(l, new_project.app_port_hint)>
                <input name="app_port" id="app_port" inputmode="numeric" placeholder=move || port_hint.get()/>
            </FormField>
            <FormField label=|l| td_string!(l, new_project.health_path) name="health_path" error=err(Field::HealthPath)
                hint=|l| td_string!(l, new_project.health_path_hint)>
                <input name="health_path" id="health_path" value="/health"/>
            </FormField>
            <FormField label=|l| td_string!(l, new_project.bucket) name="bucket" error=err(Field::Bucket)
                hint=|l| td_string!(l, new_project.bucket_hint)>
                <input name="bucket" id="bucket" placeholder="capstone-shop-frontend" autocomplete="off"/>
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

/// The team the new project belongs to: the teams where the person may run the wizard.
#[component]
fn TeamChoice() -> impl IntoView {
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
                        <select name="team_id" id="team_id" data-testid="project-team-choice">
                            {teams.into_iter().map(|t| view! { <option value=t.id>{t.name}</option> }).collect_view()}
                        </select>
                        <p class="hint">{crate::tr(|l| td_string!(l, new_project.team_hint))}</p>
                    </div>
                }
            })}
        </Suspense>
    }
}
