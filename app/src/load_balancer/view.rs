//! The paid path in the browser: the plan and its cost before anything is created, an explicit
//! confirmation naming the monthly price, then the backend run (the API's certificate in the
//! instance's region, the ALB in front of the instance, the alias record) in the timeline.

use super::api::{get_paid_plan, latest_backend_run, StartBackend};
use crate::architecture::{Architecture, Chain, PartBox, SettingsView};
use crate::i18n::*;
use crate::instance_https::part_of;
use crate::model::{PaidPlanView, ProjectView, StartOutcome};
use crate::runs::api::RetryRun;
use crate::runs::Timeline;
use crate::ErrorBox;
use leptos::prelude::*;
use lockstep_domain::plan::NamePlan;
use lockstep_domain::pricing::usd;
use lockstep_domain::settings::Names;
use lockstep_domain::StepKind;
use lockstep_domain::{RunStatus, RunView};

/// The paid path's picture: browser -> ALB -> the instance's app, and the frontend row,
/// labelled in `l`.
pub fn paid_chains(
    l: Locale,
    project: &ProjectView,
    plan: &NamePlan,
    run: &Option<RunView>,
    front: &Option<RunView>,
) -> Vec<Chain> {
    let spec = &project.spec;
    let front_state = part_of(
        front,
        &[
            StepKind::FrontendOrigin,
            StepKind::FrontendCreate,
            StepKind::FrontendAwaitDeployed,
            StepKind::FrontendRecords,
        ],
    );
    let frontend = plan.frontend.first().map(|f| f.to_string()).unwrap_or_else(|| "d….cloudfront.net".into());
    vec![
        Chain {
            boxes: vec![
                PartBox::new(
                    l,
                    |l| td_string!(l, arch.browser),
                    format!("https://{}", plan.api),
                    part_of(run, &[StepKind::LoadBalancerRecords]),
                ),
                PartBox::new(
                    l,
                    |l| td_string!(l, arch.acm_certificate),
                    format!("{} ({})", plan.api, spec.region),
                    part_of(run, &[StepKind::CertificateRequest, StepKind::CertificateAwaitIssued]),
                ),
                PartBox::new(
                    l,
                    |l| td_string!(l, arch.load_balancer),
                    format!("ALB :443 → :{}", spec.app_port),
                    part_of(run, &[StepKind::LoadBalancerCreate, StepKind::LoadBalancerListeners]),
                ),
                PartBox::app(
                    l,
                    spec.framework,
                    spec.instance.to_string(),
                    part_of(run, &[StepKind::LoadBalancerAwaitHealthy]),
                ),
            ],
            edges: vec!["HTTPS".into(), td_string!(l, arch.tls_ends).into(), "HTTP".into()],
        },
        Chain {
            boxes: vec![
                PartBox::new(l, |l| td_string!(l, arch.browser), format!("https://{frontend}"), front_state),
                // The service's own name, the same in every language.
                PartBox { what: "CloudFront".into(), label: "CloudFront".into(), name: frontend, state: front_state },
                PartBox::new(l, |l| td_string!(l, arch.s3_bucket), spec.bucket.to_string(), front_state),
            ],
            edges: vec!["HTTPS".into(), td_string!(l, arch.origin).into()],
        },
    ]
}

#[component]
pub fn PaidPathPanel(project: ProjectView, plan: NamePlan) -> impl IntoView {
    let project_id = project.id.clone();
    let front_run = use_context::<crate::frontend::FrontendRun>().map(|f| f.0).unwrap_or_else(|| RwSignal::new(None));
    let i18n = use_i18n();
    let (api_name, own_front, cross_site) =
        (plan.api.to_string(), plan.frontend.first().map(|f| format!("https://{f}")), plan.frontend.is_empty());
    let names = move || Names {
        api: api_name.clone(),
        frontend_origin: own_front
            .clone()
            .unwrap_or_else(|| t_string!(i18n, common.distribution_placeholder).to_string()),
        cross_site,
    };
    let framework = project.spec.framework;
    let api = plan.api.to_string();
    let (project_pic, plan_pic) = (project.clone(), plan.clone());
    let (pid, pid2) = (project_id.clone(), project_id.clone());
    let plan = crate::once(|| Resource::new(move || pid.clone(), get_paid_plan));
    let latest = crate::once(|| Resource::new(move || pid2.clone(), latest_backend_run));
    let start = ServerAction::<StartBackend>::new();
    let retry = ServerAction::<RetryRun>::new();
    let run = RwSignal::new(None::<RunView>);
    let hydrated = crate::hydrated();
    Effect::new(move |_| {
        if let Some(Ok(StartOutcome::Started(r))) = start.value().get() {
            run.set(Some(r));
        }
    });
    view! {
        <p>{crate::tr(|l| td_string!(l, paid.intro))}</p>
        <Transition fallback=move || view! { <p class="muted">{crate::tr(|l| td_string!(l, paid.working_out))}</p> }>
            {move || {
                let project_id = project_id.clone();
                Suspend::new(async move {
                    match (plan.await, latest.await) {
                        (Ok(p), Ok(initial)) => {
                            if run.get_untracked().is_none() {
                                run.set(initial);
                            }
                            view! { <PlanView plan=p project_id=project_id start=start run=run/> }.into_any()
                        }
                        (Err(e), _) | (_, Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>
        {move || start.value().get().and_then(crate::model::start_problem).map(|e| view! { <ErrorBox error=e/> })}
        {move || hydrated.get().then(|| {
            let (project_pic, plan_pic) = (project_pic.clone(), plan_pic.clone());
            view! {
        {move || run.with(|r| r.as_ref().filter(|r| r.status == RunStatus::Failed).map(|r| r.id.clone())).map(|id| view! {
            <ActionForm action=retry attr:class="inline">
                <input type="hidden" name="run_id" value=id/>
                <button type="submit" class="button" data-testid="retry-backend">{crate::tr(|l| td_string!(l, common.fixed_retry))}</button>
            </ActionForm>
        })}
        <Timeline run=run own_retry=true/>
        <div data-testid="paid-architecture">
            {move || {
                let chains = paid_chains(i18n.get_locale(), &project_pic, &plan_pic, &run.get(), &front_run.get());
                view! { <Architecture chains=chains/> }
            }}
        </div>
            }
        })}
        {move || (hydrated.get() && run.with(|r| r.as_ref().is_some_and(|r| r.status == RunStatus::Succeeded))).then(|| {
            view! {
                <section class="summary" data-testid="paid-summary">
                    <h3>{crate::tr(|l| td_string!(l, common.summary))}</h3>
                    <p class="notice ok" data-testid="paid-done">{let api = api.clone(); crate::tr_with(move |l| td_string!(l, paid.done, api = &api).to_string())}</p>
                    <SettingsView framework=framework names=names()/>
                </section>
            }
        })}
    }
}

#[component]
fn PlanView(
    plan: PaidPlanView,
    project_id: String,
    start: ServerAction<StartBackend>,
    run: RwSignal<Option<RunView>>,
) -> impl IntoView {
    if let Some(why) = plan.refused.clone() {
        return view! { <div data-testid="paid-refused"><ErrorBox error=crate::model::AppError::User(why)/></div> }
            .into_any();
    }
    let monthly = plan.monthly.clone();
    let daily = plan.daily.clone();
    let cents = plan.monthly_cents;
    view! {
        <table class="cost" data-testid="cost-plan">
            <thead><tr><th>{crate::tr(|l| td_string!(l, common.what))}</th><th>{crate::tr(|l| td_string!(l, paid.billed))}</th><th class="num">{crate::tr(|l| td_string!(l, paid.per_month))}</th></tr></thead>
            <tbody>
                {plan.cost.lines.iter().map(|l| view! {
                    <tr data-testid="cost-line">
                        <td>{l.item.clone()}</td>
                        <td class="muted">{l.basis.clone()}</td>
                        <td class="num">{usd(l.monthly_usd)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
            <tfoot><tr><th colspan="2">{crate::tr(|l| td_string!(l, paid.total))}</th><th class="num" data-testid="cost-total">{monthly.clone()}</th></tr></tfoot>
        </table>
        <details class="files" data-testid="paid-resources">
            <summary>{let count = plan.resources.len(); crate::tr_with(move |l| td_string!(l, paid.resources, count).to_string())}</summary>
            <ul>
                {plan.resources.iter().map(|r| view! {
                    <li><strong>{r.what.clone()}</strong>" "<code>{r.name.clone()}</code><span class="muted">{format!(" ({})", r.region)}</span></li>
                }).collect_view()}
            </ul>
        </details>
        <ActionForm action=start attr:class="form">
            <input type="hidden" name="project_id" value=project_id/>
            {(!plan.reusable.is_empty()).then(|| view! {
                <fieldset class="choice" data-testid="cert-choice">
                    <legend>{crate::tr(|l| td_string!(l, paid.cert_choice))}</legend>
                    <p class="muted">{crate::tr(|l| td_string!(l, paid.cert_choice_intro))}</p>
                    {plan.reusable.iter().enumerate().map(|(i, c)| {
                        let (domain, names, days) = (c.domain.clone(), c.names.join(", "), c.expires_in_days);
                        let reuse = move |l: Locale| {
                            let expires = days.map(|days| td_string!(l, paid.expires_in, days).to_string()).unwrap_or_default();
                            td_string!(l, paid.reuse, domain = &domain, names = &names, expires).to_string()
                        };
                        view! {
                            <label class="radio">
                                <input type="radio" name="certificate" value=c.arn.clone() checked=i == 0 data-testid="cert-reuse"/>
                                {crate::tr_with(reuse)}
                            </label>
                        }
                    }).collect_view()}
                    <label class="radio">
                        <input type="radio" name="certificate" value="new" data-testid="cert-new"/>
                        {crate::tr(|l| td_string!(l, paid.new_cert))}
                    </label>
                </fieldset>
            })}
            <label class="checkbox">
                <input type="checkbox" name="confirm_cents" value=cents.to_string() data-testid="confirm-cost"/>
                {let daily = daily.clone(); crate::tr_with(move |l| td_string!(l, paid.confirm, monthly = &monthly, daily = &daily).to_string())}
            </label>
            <button type="submit" class="button primary" data-testid="start-backend"
                disabled=move || start.pending().get() || run.with(|r| r.as_ref().is_some_and(|r| r.status == RunStatus::Active))>
                {crate::tr_with(move |l| td_string!(l, paid.start, daily = &daily).to_string())}
            </button>
        </ActionForm>
    }
    .into_any()
}
