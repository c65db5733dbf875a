//! The pages: project list and project wizard page (the new-project form is in `new.rs`).

use super::api::*;
use crate::certificate::CertificateStep;
use crate::domain::DomainStep;
use crate::i18n::*;
use crate::model::*;
use crate::ErrorBox;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};

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
