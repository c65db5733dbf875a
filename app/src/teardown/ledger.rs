//! What lockstep created in the team's AWS account for this project (read from the steps'
//! records), and the running cost while billable resources exist.

use super::api::get_ledger;
use crate::i18n::*;
use crate::ErrorBox;
use leptos::prelude::*;

/// The project's ledger, for the ledger and the teardown panels (one read for both).
pub type Ledger = Resource<Result<crate::model::LedgerView, crate::model::AppError>>;

/// The ledger of the project, read once per page load.
#[track_caller]
pub fn ledger(project_id: String) -> Ledger {
    crate::once(|| Resource::new(move || project_id.clone(), get_ledger))
}

/// The ledger, re-read every few seconds while the page is open (runs add to it).
#[component]
pub fn LedgerPanel(ledger: Ledger) -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| {
        let handle = set_interval_with_handle(move || ledger.refetch(), std::time::Duration::from_secs(5)).ok();
        on_cleanup(move || {
            if let Some(h) = handle {
                h.clear();
            }
        });
    });
    view! {
        <Transition fallback=move || view! { <p class="muted">{crate::tr(|l| td_string!(l, ledger.reading))}</p> }>
            {move || Suspend::new(async move {
                match ledger.await {
                    Ok(l) => {
                        let count = l.items.len();
                        view! {
                            {l.daily.clone().map(|daily| {
                                let monthly = format!("${:.0}", l.daily_usd * 365.0 / 12.0);
                                view! { <p class="notice warn" data-testid="cost-badge">{crate::tr_with(move |l| td_string!(l, ledger.running_cost, daily = &daily, monthly = &monthly).to_string())}</p> }
                            })}
                            {if count == 0 {
                                view! { <p class="muted" data-testid="ledger-empty">{crate::tr(|l| td_string!(l, ledger.empty))}</p> }.into_any()
                            } else {
                                view! {
                                    <table class="ledger" data-testid="ledger">
                                        <thead><tr>
                                            <th>{crate::tr(|l| td_string!(l, common.what))}</th><th>{crate::tr(|l| td_string!(l, ledger.id))}</th>
                                            <th>{crate::tr(|l| td_string!(l, common.region))}</th><th>{crate::tr(|l| td_string!(l, ledger.made_by))}</th>
                                        </tr></thead>
                                        <tbody>
                                            {l.items.into_iter().map(|i| view! {
                                                <tr data-testid="ledger-item" data-kind=i.kind.key()>
                                                    <td>{let kind = i.kind; move || crate::labels::resource_kind(i18n.get_locale(), kind)}</td>
                                                    <td><code>{i.id.clone()}</code></td>
                                                    <td>{i.region.clone()}</td>
                                                    <td class="muted">{let (step, kind) = (i.step.clone(), i.step_kind); move || match kind {
                                                        Some(k) => crate::labels::step_title(i18n.get_locale(), k).to_string(),
                                                        None => step.clone(),
                                                    }}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
    }
}
