//! The pages: project list, new project form, project wizard page.

use super::api::*;
use crate::accounts::api::get_session_info;
use crate::certificate::CertificateStep;
use crate::domain::DomainStep;
use crate::i18n::*;
use crate::model::*;
use crate::{ErrorBox, FormField};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use lockstep_domain::project::REGIONS;
use lockstep_domain::{Field, FieldErrors, Framework};

#[component]
pub fn ProjectsPage() -> impl IntoView {
    let projects = Resource::new(|| (), |_| list_projects());
    view! {
        <div class="page-head">
            <h1>{crate::tr(|l| td_string!(l, projects.title))}</h1>
            <A href="/projects/new" attr:class="button primary" attr:data-testid="new-project">{crate::tr(|l| td_string!(l, projects.new_project))}</A>
        </div>
        <Transition fallback=move || view! { <p class="muted">{crate::tr(|l| td_string!(l, projects.loading))}</p> }>
            {move || Suspend::new(async move {
                match projects.await {
                    Ok(list) if list.is_empty() => view! {
                        <div class="empty">
                            <p>{crate::tr(|l| td_string!(l, projects.empty))}</p>
                            <p class="muted">{crate::tr(|l| td_string!(l, projects.empty_hint))}</p>
                        </div>
                    }.into_any(),
                    Ok(list) => view! {
                        <ul class="cards">
                            {list.into_iter().map(|p| {
                                let (region, zone) = (p.region.clone(), p.zone_name.clone());
                                let meta = move |l: Locale| {
                                    let zone = zone.clone().unwrap_or_else(|| td_string!(l, projects.no_domain).to_string());
                                    td_string!(l, projects.card_meta, region = &region, zone).to_string()
                                };
                                view! {
                                    <li class="card">
                                        <A href=format!("/projects/{}", p.id)><strong>{p.name.clone()}</strong></A>
                                        <span class="muted">" " {crate::tr_with(meta)}</span>
                                        <span class="team-tag" data-testid="project-team">{p.team_name.clone()}" · "{crate::tr(crate::accounts::role_text(p.role))}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}

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

#[component]
pub fn ProjectPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // Blocking: the page waits for the project before its first byte, so an unknown project
    // (or another team's) answers 404 every time instead of racing the streamed shell.
    let project = Resource::new_blocking(id, get_project);
    provide_context(crate::domain::PlanRedo(RwSignal::new(Vec::new())));
    view! {
        <Transition fallback=move || view! { <p class="muted">{crate::tr(|l| td_string!(l, project.loading))}</p> }>
            {move || Suspend::new(async move {
                match project.await {
                    Ok(p) => view! { <ProjectBody project=p on_change=move || project.refetch()/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> <p><A href="/">{crate::tr(|l| td_string!(l, common.back_to_projects))}</A></p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ProjectBody(project: ProjectView, on_change: impl Fn() + Send + Sync + Copy + 'static) -> impl IntoView {
    let id = project.id.clone();
    let spec = project.spec.clone();
    let delete = ServerAction::<DeleteProject>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = delete.value().get() {
            navigate("/", Default::default());
        }
    });
    let plan = project.plan.clone();
    // A viewer's buttons are disabled (the server refuses their requests anyway).
    let viewer = project.role == lockstep_domain::account::Role::Viewer;
    let id_cert = id.clone();
    let id_doctor = id.clone();
    let ledger = crate::teardown::ledger(id.clone());
    let id_teardown = id.clone();
    let id_history = id.clone();
    let id_status = id.clone();
    let project_for_paid = project.clone();
    let plan_for_paid = plan.clone();
    let has_plan = plan.is_some();
    let project_for_domain = project.clone();
    let project_for_free = project.clone();
    let plan_for_free = plan.clone();
    let project_for_front = project.clone();
    provide_context(crate::frontend::FrontendRun(RwSignal::new(None)));
    let plan_for_front = plan.clone();
    // Only the delete confirmation (a browser dialog) reads it.
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let i18n = use_i18n();
    let framework = spec.framework;
    view! {
        <div class="page-head">
            <h1 data-testid="project-name">{spec.name.clone()}</h1>
            <ActionForm action=delete attr:class="inline"
                on:submit=move |ev| {
                    #[cfg(feature = "hydrate")]
                    {
                        let ok = web_sys::window()
                            .and_then(|w| w.confirm_with_message(t_string!(i18n, project.delete_confirm)).ok())
                            .unwrap_or(true);
                        if !ok { ev.prevent_default(); }
                    }
                    #[cfg(not(feature = "hydrate"))]
                    let _ = ev;
                }>
                <input type="hidden" name="id" value=id.clone()/>
                <button type="submit" class="button danger" data-testid="delete-project">{crate::tr(|l| td_string!(l, project.delete))}</button>
            </ActionForm>
        </div>
        {move || delete.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
        <p class="muted team-line">
            <A href=format!("/teams/{}", project.team_id)>{project.team_name.clone()}</A>
            " · " {
                let role = project.role;
                crate::tr_with(move |l| td_string!(l, project.you_are, role = crate::accounts::role_label(l, role)).to_string())
            }
        </p>
        {viewer.then(|| view! {
            <p class="notice" data-testid="viewer-notice">{crate::tr(|l| td_string!(l, project.viewer_notice))}</p>
        })}
        <fieldset class="steps" disabled=viewer>
        <dl class="facts">
            <dt>{crate::tr(|l| td_string!(l, common.region))}</dt><dd>{spec.region.to_string()}</dd>
            <dt>{crate::tr(|l| td_string!(l, project.instance))}</dt><dd>{spec.instance.to_string()}</dd>
            <dt>{crate::tr(|l| td_string!(l, project.backend))}</dt><dd>{
                let (port, health) = (spec.app_port, spec.health_path.to_string());
                crate::tr_with(move |l| {
                    let framework = crate::labels::framework(l, framework);
                    td_string!(l, project.backend_fact, framework, port, health = &health).to_string()
                })
            }</dd>
            <dt>{crate::tr(|l| td_string!(l, project.frontend_bucket))}</dt><dd>{spec.bucket.to_string()}</dd>
        </dl>
        <section class="step-card">
            <h2>{crate::tr(|l| td_string!(l, project.step_domain))}</h2>
            <DomainStep project=project_for_domain on_change=on_change/>
        </section>
        <section class="step-card">
            <h2>{crate::tr(|l| td_string!(l, project.step_certificate))}</h2>
            {match plan {
                Some(p) => view! { <CertificateStep project_id=id_cert plan=p/> }.into_any(),
                None => view! { <p class="muted">{crate::tr(|l| td_string!(l, project.need_domain_cert))}</p> }.into_any(),
            }}
        </section>
        <section class="step-card" data-testid="step-doctor">
            <h2>{crate::tr(|l| td_string!(l, project.step_doctor))}</h2>
            {if has_plan {
                view! { <crate::doctor::DoctorPanel project_id=id_doctor/> }.into_any()
            } else {
                view! { <p class="muted">{crate::tr(|l| td_string!(l, project.need_domain_doctor))}</p> }.into_any()
            }}
        </section>
        <section class="step-card" data-testid="step-free">
            <h2>{crate::tr(|l| td_string!(l, project.step_free))}</h2>
            {match plan_for_free {
                Some(p) => view! { <crate::instance_https::FreePathPanel project=project_for_free plan=p/> }.into_any(),
                None => view! { <p class="muted">{crate::tr(|l| td_string!(l, project.need_domain_free))}</p> }.into_any(),
            }}
        </section>
        <section class="step-card" data-testid="step-paid">
            <h2>{crate::tr(|l| td_string!(l, project.step_paid))}</h2>
            {match plan_for_paid {
                Some(p) => view! { <crate::load_balancer::PaidPathPanel project=project_for_paid plan=p/> }.into_any(),
                None => view! { <p class="muted">{crate::tr(|l| td_string!(l, project.need_domain_paid))}</p> }.into_any(),
            }}
        </section>
        <section class="step-card" data-testid="step-frontend">
            <h2>{crate::tr(|l| td_string!(l, project.step_frontend))}</h2>
            {match plan_for_front {
                Some(p) => view! { <crate::frontend::FrontendPanel project=project_for_front plan=p/> }.into_any(),
                None => view! { <p class="muted">{crate::tr(|l| td_string!(l, project.need_domain_frontend))}</p> }.into_any(),
            }}
        </section>
        <section class="step-card" data-testid="step-ledger">
            <h2>{crate::tr(|l| td_string!(l, project.step_ledger))}</h2>
            <crate::teardown::LedgerPanel ledger=ledger/>
        </section>
        <section class="step-card" data-testid="step-teardown">
            <h2>{crate::tr(|l| td_string!(l, project.step_teardown))}</h2>
            <crate::teardown::TeardownPanel project_id=id_teardown ledger=ledger/>
        </section>
        </fieldset>
        <section class="step-card" data-testid="step-status">
            <h2>{crate::tr(|l| td_string!(l, project.step_status))}</h2>
            <crate::status::StatusPanel project_id=id_status role=project.role/>
        </section>
        <section class="step-card" data-testid="step-history">
            <h2>{crate::tr(|l| td_string!(l, project.step_history))}</h2>
            <p class="muted">{crate::tr(|l| td_string!(l, project.history_intro))}</p>
            <crate::history::HistoryPanel project_id=id_history/>
        </section>
    }
}
