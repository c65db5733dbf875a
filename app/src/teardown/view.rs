//! Step 6: tear down. Deletes everything in the ledger in dependency order, then lists AWS to
//! prove it is gone. The hosted zone goes only when lockstep made it and the box is ticked.

use super::api::{latest_teardown_run, StartTeardown};
use crate::i18n::*;
use crate::model::StartOutcome;
use crate::runs::api::RetryRun;
use crate::runs::Timeline;
use crate::ErrorBox;
use leptos::prelude::*;
use lockstep_domain::ledger::teardown_order;
use lockstep_domain::{RunStatus, RunView, StepKind};

#[component]
pub fn TeardownPanel(project_id: String, ledger: crate::teardown::Ledger) -> impl IntoView {
    let pid2 = project_id.clone();
    let latest = crate::once(|| Resource::new(move || pid2.clone(), latest_teardown_run));
    let start = ServerAction::<StartTeardown>::new();
    let retry = ServerAction::<RetryRun>::new();
    let run = RwSignal::new(None::<RunView>);
    let hydrated = crate::hydrated();
    let i18n = use_i18n();
    Effect::new(move |_| {
        if let Some(Ok(StartOutcome::Started(r))) = start.value().get() {
            run.set(Some(r));
        }
    });
    // The ledger shrinks as the run deletes: read it again when the run ends.
    Effect::new(move |prev: Option<bool>| {
        let active = run.with(|r| r.as_ref().is_some_and(|r| r.status == RunStatus::Active));
        if prev == Some(true) && !active {
            ledger.refetch();
        }
        active
    });
    view! {
        <p>{crate::tr(|l| td_string!(l, teardown.intro))}</p>
        <Transition fallback=move || view! { <p class="muted">{crate::tr(|l| td_string!(l, teardown.reading))}</p> }>
            {move || {
                let project_id = project_id.clone();
                Suspend::new(async move {
                    match (ledger.await, latest.await) {
                        (Ok(l), Ok(initial)) => {
                            if run.get_untracked().is_none() {
                                run.set(initial);
                            }
                            if l.items.is_empty() {
                                return view! { <p class="muted" data-testid="teardown-nothing">{crate::tr(|l| td_string!(l, teardown.nothing))}</p> }.into_any();
                            }
                            let zones: Vec<String> = l.items.iter().filter(|i| i.kind == lockstep_domain::ledger::ResourceKind::HostedZone).map(|i| i.id.clone()).collect();
                            let order = teardown_order(&l.items);
                            view! {
                                <ol class="teardown-order" data-testid="teardown-order">
                                    {order.into_iter().map(|i| {
                                        let kind = i.kind;
                                        view! {
                                            <li><span>{move || format!("{} ", crate::labels::resource_kind(i18n.get_locale(), kind))}</span><code>{i.id}</code></li>
                                        }
                                    }).collect_view()}
                                </ol>
                                <ActionForm action=start attr:class="form">
                                    <input type="hidden" name="project_id" value=project_id/>
                                    {(!zones.is_empty()).then(|| view! {
                                        <label class="checkbox">
                                            <input type="checkbox" name="delete_zone" value="on" data-testid="teardown-zone"/>
                                            {let zones = zones.join(", "); crate::tr_with(move |l| td_string!(l, teardown.delete_zone, zones = &zones).to_string())}
                                        </label>
                                    })}
                                    <label class="checkbox">
                                        <input type="checkbox" name="confirm" value="on" data-testid="teardown-confirm"/>
                                        {crate::tr(|l| td_string!(l, teardown.confirm))}
                                    </label>
                                    <button type="submit" class="button danger" data-testid="start-teardown"
                                        disabled=move || start.pending().get() || run.with(|r| r.as_ref().is_some_and(|r| r.status == RunStatus::Active))>
                                        {crate::tr(|l| td_string!(l, teardown.start))}
                                    </button>
                                </ActionForm>
                            }.into_any()
                        }
                        (Err(e), _) | (_, Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>
        {move || start.value().get().and_then(crate::model::start_problem).map(|e| view! { <ErrorBox error=e/> })}
        {move || hydrated.get().then(|| view! {
        {move || run.with(|r| r.as_ref().filter(|r| r.status == RunStatus::Failed).map(|r| r.id.clone())).map(|id| view! {
            <ActionForm action=retry attr:class="inline">
                <input type="hidden" name="run_id" value=id/>
                <button type="submit" class="button" data-testid="retry-teardown">{crate::tr(|l| td_string!(l, common.retry))}</button>
            </ActionForm>
        })}
        <Timeline run=run own_retry=true/>
        {move || run.with(|r| {
            r.as_ref().filter(|r| r.status == RunStatus::Succeeded).and_then(|r| {
                r.steps.iter().find(|s| s.kind == StepKind::TeardownVerify).and_then(|s| s.note.clone())
            })
        }).map(|note| view! { <p class="notice ok" data-testid="teardown-done">{move || note.said(i18n.get_locale() == Locale::ko).to_string()}</p> })}
        })}
    }
}
