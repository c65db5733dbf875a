//! The pages: project list and project wizard page (the new-project form is in `new.rs`).

use super::api::*;
use super::stepper::{follow, PathChoice, StepRail, StepSection};
use super::verified::Verified;
use crate::certificate::CertificateStep;
use crate::domain::DomainStep;
use crate::i18n::*;
use crate::model::*;
use crate::ErrorBox;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use lockstep_domain::wizard::{steps_for, Wizard, WizardStep};

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
    // A viewer's buttons are disabled (the server refuses their requests anyway).
    let viewer = project.role == lockstep_domain::account::Role::Viewer;
    let ledger = crate::teardown::ledger(id.clone());
    provide_context(crate::frontend::FrontendRun(RwSignal::new(None)));
    // The stepper: the server's answer for the first paint, re-read when a step's run ends.
    let state = RwSignal::new(project.wizard.clone());
    follow(id.clone(), state);
    let path = Memo::new(move |_| state.with(|w| w.path));
    let verified = Memo::new(move |_| state.with(|w| w.verified()));
    // Only the delete confirmation (a browser dialog) reads it.
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let i18n = use_i18n();
    let framework = spec.framework;
    let (project_v, project_steps) = (project.clone(), project.clone());
    let (id_status, id_history, id_teardown) = (id.clone(), id.clone(), id.clone());
    // Each part type-erased (`into_any`): one view type of the whole page nested too deep for
    // rustc's query depth limit.
    let head = view! {
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
    }
    .into_any();
    let after = view! {
        <h2 class="after-title">{crate::tr(|l| td_string!(l, wizard.after_title))}</h2>
        <details class="after-step" data-testid="after-status">
            <summary>{crate::tr(|l| td_string!(l, project.step_status))}</summary>
            <div class="step-body" data-testid="step-status">
                <crate::status::StatusPanel project_id=id_status role=project.role/>
            </div>
        </details>
    }
    .into_any();
    let teardown = view! {
        <details class="after-step" data-testid="after-teardown">
            <summary>{crate::tr(|l| td_string!(l, project.step_teardown))}</summary>
            <fieldset class="after-controls" disabled=viewer>
                <div class="step-body" data-testid="step-ledger">
                    <h3>{crate::tr(|l| td_string!(l, project.step_ledger))}</h3>
                    <crate::teardown::LedgerPanel ledger=ledger/>
                </div>
                <div class="step-body" data-testid="step-teardown">
                    <crate::teardown::TeardownPanel project_id=id_teardown ledger=ledger/>
                </div>
            </fieldset>
        </details>
    }
    .into_any();
    let history = view! {
        <details class="after-step" data-testid="after-history">
            <summary>{crate::tr(|l| td_string!(l, project.step_history))}</summary>
            <div class="step-body" data-testid="step-history">
                <p class="muted">{crate::tr(|l| td_string!(l, project.history_intro))}</p>
                <crate::history::HistoryPanel project_id=id_history/>
            </div>
        </details>
    }
    .into_any();
    view! {
        {head}
        <StepRail state=state/>
        {move || verified.get().then(|| view! { <Verified project=project_v.clone() state=state/> })}
        <fieldset class="steps" disabled=viewer>
            {move || {
                let _ = path.get();
                view! { <Steps project=project_steps.clone() state=state on_change=on_change/> }.into_any()
            }}
        </fieldset>
        {after}
        {teardown}
        {history}
    }
}

/// The chosen path's steps, each folded in its [`StepSection`] (rebuilt only when the path changes).
#[component]
fn Steps(
    project: ProjectView,
    state: RwSignal<Wizard>,
    on_change: impl Fn() + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let plan = project.plan.clone();
    let id = project.id.clone();
    let path = state.with_untracked(|w| w.path);
    steps_for(path)
        .into_iter()
        .map(|step| {
            let (project, plan, id) = (project.clone(), plan.clone(), id.clone());
            let need_domain =
                move |text: fn(Locale) -> &'static str| view! { <p class="muted">{crate::tr(text)}</p> }.into_any();
            let (testid, body) = match step {
                WizardStep::Domain => {
                    ("step-domain", view! { <DomainStep project=project on_change=on_change/> }.into_any())
                }
                WizardStep::Path => (
                    "step-path",
                    match plan {
                        Some(_) => view! { <PathChoice project=project state=state/> }.into_any(),
                        None => need_domain(|l| td_string!(l, wizard.need_domain_path)),
                    },
                ),
                WizardStep::Backend => (
                    "step-backend",
                    view! { <p class="muted">{crate::tr(|l| td_string!(l, wizard.backend_wait))}</p> }.into_any(),
                ),
                WizardStep::Certificate => (
                    "step-certificate",
                    match plan {
                        Some(p) => view! { <CertificateStep project_id=id plan=p/> }.into_any(),
                        None => need_domain(|l| td_string!(l, project.need_domain_cert)),
                    },
                ),
                WizardStep::LoadBalancer => (
                    "step-paid",
                    match plan {
                        Some(p) => view! { <crate::load_balancer::PaidPathPanel project=project plan=p/> }.into_any(),
                        None => need_domain(|l| td_string!(l, project.need_domain_paid)),
                    },
                ),
                WizardStep::InstanceHttps => (
                    "step-free",
                    match plan {
                        Some(p) => view! { <crate::instance_https::FreePathPanel project=project plan=p/> }.into_any(),
                        None => need_domain(|l| td_string!(l, project.need_domain_free)),
                    },
                ),
                WizardStep::Frontend => (
                    "step-frontend",
                    match plan {
                        Some(p) => view! { <crate::frontend::FrontendPanel project=project plan=p/> }.into_any(),
                        None => need_domain(|l| td_string!(l, project.need_domain_frontend)),
                    },
                ),
                WizardStep::Check => (
                    "step-doctor",
                    match plan {
                        Some(_) => view! { <crate::doctor::DoctorPanel project_id=id/> }.into_any(),
                        None => need_domain(|l| td_string!(l, project.need_domain_doctor)),
                    },
                ),
            };
            view! { <StepSection state=state step=step testid=testid>{body}</StepSection> }
        })
        .collect_view()
}
