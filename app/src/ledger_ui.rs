//! What lockstep created in the team's AWS account for this project (read from the steps'
//! records), and the running cost while billable resources exist.

use crate::api::get_ledger;
use crate::ErrorBox;
use leptos::prelude::*;
use lockstep_domain::ledger::kind_label;

/// The ledger, re-read every few seconds while the page is open (runs add to it).
#[component]
pub fn LedgerPanel(project_id: String) -> impl IntoView {
    let ledger = Resource::new(move || project_id.clone(), get_ledger);
    Effect::new(move |_| {
        let handle = set_interval_with_handle(move || ledger.refetch(), std::time::Duration::from_secs(5)).ok();
        on_cleanup(move || {
            if let Some(h) = handle {
                h.clear();
            }
        });
    });
    view! {
        <Transition fallback=|| view! { <p class="muted">"Reading what lockstep created..."</p> }>
            {move || Suspend::new(async move {
                match ledger.await {
                    Ok(l) => {
                        let count = l.items.len();
                        view! {
                            {l.daily.clone().map(|d| view! {
                                <p class="notice warn" data-testid="cost-badge">{format!(
                                    "Running now: about {d} a day (about ${:.0} a month) until you tear it down.",
                                    l.daily_usd * 365.0 / 12.0
                                )}</p>
                            })}
                            {if count == 0 {
                                view! { <p class="muted" data-testid="ledger-empty">"Nothing yet: lockstep has not created anything in your account for this project."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="ledger" data-testid="ledger">
                                        <thead><tr><th>"What"</th><th>"Id"</th><th>"Region"</th><th>"Made by"</th></tr></thead>
                                        <tbody>
                                            {l.items.into_iter().map(|i| view! {
                                                <tr data-testid="ledger-item" data-kind=i.kind.clone()>
                                                    <td>{kind_label(&i.kind).to_string()}</td>
                                                    <td><code>{i.id.clone()}</code></td>
                                                    <td>{i.region.clone()}</td>
                                                    <td class="muted">{i.step.clone()}</td>
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
