//! A project's deployment history: every action and AWS call, who and when, filterable, with
//! a JSON download. Read-only: nothing here can change or delete an entry.

use super::api::get_history;
use crate::i18n::*;
use crate::ErrorBox;
use leptos::prelude::*;

/// `HH:MM:SS` (UTC) of a Unix-millisecond time, with the date when it is not today's.
fn when(ms: i64, now_ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let time = format!("{:02}:{:02}:{:02}", rem / 3600, rem % 3600 / 60, rem % 60);
    if days == now_ms.div_euclid(1000).div_euclid(86_400) {
        time
    } else {
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        format!("{y:04}-{m:02}-{d:02} {time}")
    }
}

/// An entry's kind (`action`, `step` or `aws`) in the page's language; an unknown kind as it is.
fn kind_label(kind: String) -> AnyView {
    match kind.as_str() {
        "action" => crate::tr(|l| td_string!(l, history.kind.action)).into_any(),
        "step" => crate::tr(|l| td_string!(l, history.kind.step)).into_any(),
        "aws" => crate::tr(|l| td_string!(l, history.kind.aws)).into_any(),
        _ => kind.into_any(),
    }
}

#[component]
pub fn HistoryPanel(project_id: String) -> impl IntoView {
    let pid = project_id.clone();
    // The filters with the resource that reads them: one set per server render (see `once`).
    let (person, step, failures, history) = crate::once(move || {
        let person = RwSignal::new(String::new());
        let step = RwSignal::new(String::new());
        let failures = RwSignal::new(false);
        let history = Resource::new(
            move || (pid.clone(), person.get(), step.get(), failures.get()),
            |(p, person, step, failures)| get_history(p, Some(person), Some(step), failures.then(|| "on".to_string())),
        );
        (person, step, failures, history)
    });
    let export = format!("/api/projects/{project_id}/history.json");
    view! {
        <div class="history" data-testid="history">
            <div class="history-filters">
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let (people, steps) = match history.await {
                            Ok(h) => (h.people, h.steps),
                            Err(_) => (Vec::new(), Vec::new()),
                        };
                        view! {
                            <label>{crate::tr(|l| td_string!(l, history.person))} " "
                                <select data-testid="history-person" on:change=move |ev| person.set(event_target_value(&ev))>
                                    <option value="" selected=move || person.get().is_empty()>{crate::tr(|l| td_string!(l, history.everyone))}</option>
                                    {people.into_iter().map(|(id, name)| {
                                        let selected_id = id.clone();
                                        view! { <option value=id selected=move || person.get() == selected_id>{name}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                            <label>{crate::tr(|l| td_string!(l, history.step))} " "
                                <select data-testid="history-step" on:change=move |ev| step.set(event_target_value(&ev))>
                                    <option value="" selected=move || step.get().is_empty()>{crate::tr(|l| td_string!(l, history.all_steps))}</option>
                                    {steps.into_iter().map(|s| {
                                        let (value, label, selected_step) = (s.clone(), s.clone(), s);
                                        view! { <option value=value selected=move || step.get() == selected_step>{label}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                        }
                    })}
                </Transition>
                <label>
                    <input type="checkbox" data-testid="history-failures" prop:checked=move || failures.get()
                        on:change=move |ev| failures.set(event_target_checked(&ev))/>
                    " " {crate::tr(|l| td_string!(l, history.failures_only))}
                </label>
                <a href=export class="button small" data-testid="history-export" rel="external" download="">{crate::tr(|l| td_string!(l, history.download))}</a>
            </div>
            <Transition fallback=|| view! { <p class="muted">{crate::tr(|l| td_string!(l, history.loading))}</p> }>
                {move || Suspend::new(async move {
                    match history.await {
                        Ok(h) if h.entries.is_empty() => view! { <p class="muted" data-testid="history-empty">{crate::tr(|l| td_string!(l, history.empty))}</p> }.into_any(),
                        Ok(h) => {
                            let now = h.entries.first().map(|e| e.at).unwrap_or_default();
                            view! {
                                <table class="history-table">
                                    <thead><tr>
                                        <th>{crate::tr(|l| td_string!(l, history.when))}</th><th>{crate::tr(|l| td_string!(l, history.who))}</th><th>{crate::tr(|l| td_string!(l, history.what))}</th>
                                        <th>{crate::tr(|l| td_string!(l, history.step))}</th><th>{crate::tr(|l| td_string!(l, history.result))}</th><th>{crate::tr(|l| td_string!(l, history.took))}</th>
                                    </tr></thead>
                                    <tbody>
                                        {h.entries.into_iter().map(|e| view! {
                                            <tr data-testid="history-entry" data-kind=e.kind.clone() data-ok=e.ok.to_string() class:failed=!e.ok>
                                                <td>{when(e.at, now)}</td>
                                                <td data-testid="history-who">{e.person.clone().unwrap_or_else(|| "lockstep".into())}</td>
                                                <td data-testid="history-what" title=e.summary.clone()>
                                                    <span class="kind">{kind_label(e.kind.clone())}</span>" "<code>{e.operation.clone()}</code>
                                                </td>
                                                <td>{e.step.clone().unwrap_or_default()}</td>
                                                <td>{match (e.ok, e.error_code.clone()) {
                                                    (true, _) => crate::tr(|l| td_string!(l, history.ok)).into_any(),
                                                    (false, Some(code)) => code.into_any(),
                                                    (false, None) => crate::tr(|l| td_string!(l, history.failed)).into_any(),
                                                }}</td>
                                                <td>{format!("{} ms", e.duration_ms)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                {h.truncated.then(|| view! { <p class="muted">{crate::tr(|l| td_string!(l, history.truncated))}</p> })}
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::when;

    #[test]
    fn times_show_the_date_when_not_today() {
        let day = 86_400_000;
        let t = 20_000 * day + (3 * 3600 + 4 * 60 + 5) * 1000;
        assert_eq!(when(t, t), "03:04:05");
        assert_eq!(when(t, t + day), "2024-10-04 03:04:05");
    }
}
