//! The frontend step in the browser: CloudFront in front of the S3 bucket (one button, the
//! run's timeline, the URL), and the cache invalidation to press after every redeploy.

use super::api::{latest_frontend_run, latest_invalidation, InvalidateFrontend, StartFrontend};
use crate::i18n::*;
use crate::model::{ProjectView, StartOutcome};
use crate::runs::api::RetryRun;
use crate::runs::Timeline;
use crate::ErrorBox;
use leptos::prelude::*;
use lockstep_domain::plan::NamePlan;
use lockstep_domain::{RunStatus, RunView};

/// The frontend run, shared on the project page (the free path's picture draws it).
#[derive(Clone, Copy)]
pub struct FrontendRun(pub RwSignal<Option<RunView>>);

#[component]
pub fn FrontendPanel(project: ProjectView, plan: NamePlan) -> impl IntoView {
    let (pid, pid2) = (project.id.clone(), project.id.clone());
    let latest = crate::once(|| Resource::new(move || pid.clone(), latest_frontend_run));
    let latest_inv = crate::once(|| Resource::new(move || pid2.clone(), latest_invalidation));
    let start = ServerAction::<StartFrontend>::new();
    let invalidate = ServerAction::<InvalidateFrontend>::new();
    let retry = ServerAction::<RetryRun>::new();
    // Shared with the free path's picture (provided by the project page).
    let run = use_context::<FrontendRun>().map(|f| f.0).unwrap_or_else(|| RwSignal::new(None));
    let inv = RwSignal::new(None::<RunView>);
    Effect::new(move |_| {
        if let Some(Ok(StartOutcome::Started(r))) = start.value().get() {
            run.set(Some(r));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(StartOutcome::Started(r))) = invalidate.value().get() {
            inv.set(Some(r));
        }
    });
    let names = if plan.source.has_zone() && !plan.frontend.is_empty() {
        plan.frontend.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ")
    } else {
        String::new()
    };
    let bucket = project.spec.bucket.to_string();
    let intro = if names.is_empty() {
        crate::tr_with(move |l| td_string!(l, front.intro_own_name, bucket = &bucket).to_string()).into_any()
    } else {
        crate::tr_with(move |l| td_string!(l, front.intro_names, bucket = &bucket, names = &names).to_string())
            .into_any()
    };
    let project_id = project.id.clone();
    let project_id2 = project.id.clone();
    view! {
        <p>{intro}</p>
        <p class="muted">{crate::tr(|l| td_string!(l, front.cost))}</p>
        <Transition fallback=move || view! { <p class="muted">{crate::tr(|l| td_string!(l, common.loading))}</p> }>
            {move || {
                let project_id = project_id.clone();
                Suspend::new(async move {
                    match latest.await {
                        Ok(initial) => {
                            if run.get_untracked().is_none() {
                                run.set(initial);
                            }
                            let idle = move || run.with(|r| r.as_ref().is_none_or(|r| r.status != RunStatus::Active));
                            view! {
                                <ActionForm action=start>
                                    <input type="hidden" name="project_id" value=project_id.clone()/>
                                    <button type="submit" class="button primary" data-testid="start-frontend"
                                        disabled=move || start.pending().get() || !idle()>
                                        {move || if run.with(|r| r.is_some()) { crate::tr(|l| td_string!(l, front.run_again)).into_any() } else { crate::tr(|l| td_string!(l, front.start)).into_any() }}
                                    </button>
                                </ActionForm>
                                {move || run.with(|r| r.as_ref().filter(|r| r.status == RunStatus::Failed).map(|r| r.id.clone())).map(|id| view! {
                                    <ActionForm action=retry attr:class="inline">
                                        <input type="hidden" name="run_id" value=id/>
                                        <button type="submit" class="button" data-testid="retry-frontend">{crate::tr(|l| td_string!(l, common.fixed_retry))}</button>
                                    </ActionForm>
                                })}
                                <Timeline run=run own_retry=true/>
                            }
                            .into_any()
                        }
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>
        {move || start.value().get().and_then(crate::model::start_problem).map(|e| view! { <ErrorBox error=e/> })}
        {move || retry.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
        <div class="invalidate" data-testid="invalidation">
            <h3>{crate::tr(|l| td_string!(l, front.after_redeploy))}</h3>
            <p class="muted">{crate::tr(|l| td_string!(l, front.after_redeploy_intro))}</p>
            <Transition fallback=|| ()>
                {move || {
                    let project_id = project_id2.clone();
                    Suspend::new(async move {
                        if let Ok(initial) = latest_inv.await {
                            if inv.get_untracked().is_none() {
                                inv.set(initial);
                            }
                        }
                        view! {
                            <ActionForm action=invalidate>
                                <input type="hidden" name="project_id" value=project_id/>
                                <button type="submit" class="button" data-testid="invalidate-frontend"
                                    disabled=move || invalidate.pending().get() || !run.with(|r| r.as_ref().is_some_and(|r| r.status == RunStatus::Succeeded))>
                                    {crate::tr(|l| td_string!(l, front.invalidate))}
                                </button>
                            </ActionForm>
                            <Timeline run=inv/>
                        }
                    })
                }}
            </Transition>
            {move || invalidate.value().get().and_then(crate::model::start_problem).map(|e| view! { <ErrorBox error=e/> })}
        </div>
    }
}
