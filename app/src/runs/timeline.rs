//! The step timeline: each step's state, elapsed time against the typical wait, and the
//! reason when it failed. Kept live by the server's SSE stream for the run, so nobody has to
//! reload; a reload (or closing the browser and coming back) renders the same state from the
//! database.

use super::api::{CancelRun, RetryRun};
use crate::i18n::*;
use crate::ErrorBox;
use leptos::prelude::*;
use lockstep_domain::{RunStatus, RunView, StepDetail, StepStatus, StepView};

/// Current time in Unix milliseconds (browser clock in the browser, server clock in SSR).
pub fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or_default()
    }
}

/// "42 s", "3 min 5 s", "1 h 2 min" (in English; "42초", "3분 5초", "1시간 2분" in Korean).
pub fn human_duration(l: Locale, secs: i64) -> String {
    let secs = secs.max(0);
    if secs < 60 {
        td_string!(l, timeline.seconds, s = secs).to_string()
    } else if secs < 3600 {
        td_string!(l, timeline.minutes, m = secs / 60, s = secs % 60).to_string()
    } else {
        td_string!(l, timeline.hours, h = secs / 3600, m = (secs % 3600) / 60).to_string()
    }
}

/// The run's steps, kept live while it is active, with "Cancel" beside an active run. A run a
/// person cancelled gets a "Retry" here too, unless the panel shows its own for any failed run
/// (`own_retry`).
#[component]
pub fn Timeline(run: RwSignal<Option<RunView>>, #[prop(optional)] own_retry: bool) -> impl IntoView {
    let now = RwSignal::new(now_ms());
    let cancel = ServerAction::<CancelRun>::new();
    let retry = ServerAction::<RetryRun>::new();
    // The cancelled run as the server left it (its live stream ends with the run).
    Effect::new(move |_| {
        if let Some(Ok(view)) = cancel.value().get() {
            run.set(Some(view));
        }
    });
    // Retried: active again, so the live stream follows it from here.
    Effect::new(move |_| {
        if let Some(Ok(())) = retry.value().get() {
            run.update(|r| {
                if let Some(r) = r.as_mut().filter(|r| r.status == RunStatus::Failed) {
                    r.status = RunStatus::Active;
                }
            });
        }
    });
    // Ticks the elapsed times once a second, in the browser only (effects do not run in SSR).
    Effect::new(move |_| {
        let handle = set_interval_with_handle(move || now.set(now_ms()), std::time::Duration::from_secs(1)).ok();
        on_cleanup(move || {
            if let Some(h) = handle {
                h.clear();
            }
        });
    });
    live_updates(run);
    // A run that stops (succeeded, failed, cancelled) may move the project page's stepper on.
    let tick = use_context::<crate::projects::StepperTick>();
    Effect::new(move |prev: Option<Option<RunStatus>>| {
        let now = run.with(|r| r.as_ref().map(|r| r.status));
        if let (Some(t), Some(Some(RunStatus::Active))) = (tick, prev) {
            if now != Some(RunStatus::Active) {
                t.0.update(|n| *n += 1);
            }
        }
        now
    });
    let i18n = use_i18n();

    view! {
        {move || run.get().map(|r| {
            let status = r.status;
            let (cancel_id, retry_id) = (r.id.clone(), r.id.clone());
            let offer_retry = !own_retry && r.was_cancelled();
            view! {
                <div class="run" data-testid=format!("run-{}", r.kind) data-status=status.key()>
                    <p class="run-status">{match status {
                        RunStatus::Active => crate::tr(|l| td_string!(l, timeline.run_active)).into_any(),
                        RunStatus::Succeeded => crate::tr(|l| td_string!(l, timeline.run_succeeded)).into_any(),
                        RunStatus::Failed => crate::tr(|l| td_string!(l, timeline.run_failed)).into_any(),
                    }}</p>
                    {(status == RunStatus::Active).then(|| view! {
                        <ActionForm action=cancel attr:class="inline">
                            <input type="hidden" name="run_id" value=cancel_id/>
                            <button type="submit" class="button small" data-testid="cancel-run"
                                title=move || td_string!(i18n.get_locale(), timeline.cancel_hint)
                                disabled=move || cancel.pending().get()>
                                {move || if cancel.pending().get() { crate::tr(|l| td_string!(l, timeline.cancelling)).into_any() } else { crate::tr(|l| td_string!(l, timeline.cancel)).into_any() }}
                            </button>
                        </ActionForm>
                    })}
                    {offer_retry.then(|| view! {
                        <ActionForm action=retry attr:class="inline">
                            <input type="hidden" name="run_id" value=retry_id/>
                            <button type="submit" class="button" data-testid="retry-cancelled" disabled=move || retry.pending().get()>
                                {crate::tr(|l| td_string!(l, common.retry))}
                            </button>
                        </ActionForm>
                    })}
                    <ol class="timeline">
                        {r.steps.into_iter().map(|s| view! { <StepRow step=s now=now/> }).collect_view()}
                    </ol>
                </div>
            }
        })}
        {move || cancel.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
        {move || retry.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
    }
}

#[component]
fn StepRow(step: StepView, now: RwSignal<i64>) -> impl IntoView {
    let i18n = use_i18n();
    let status = step.status;
    let icon = match status {
        StepStatus::Pending => "○",
        StepStatus::Running => "◐",
        StepStatus::Waiting => "◔",
        StepStatus::Succeeded => "●",
        StepStatus::Failed => "✕",
    };
    // A delegation check waits on the team (the registrar's settings), not on AWS.
    let waits_for_you = step.kind == lockstep_domain::StepKind::DelegationCheck;
    let label = move || match status {
        StepStatus::Pending => t_string!(i18n, timeline.step_pending),
        StepStatus::Running => t_string!(i18n, timeline.step_running),
        StepStatus::Waiting if waits_for_you => t_string!(i18n, timeline.step_waiting_you),
        StepStatus::Waiting => t_string!(i18n, timeline.step_waiting_aws),
        StepStatus::Succeeded => t_string!(i18n, timeline.step_done),
        StepStatus::Failed => t_string!(i18n, timeline.step_failed),
    };
    let started = step.started_at;
    let finished = step.finished_at;
    let typical = step.typical_wait_secs;
    let timing = move || {
        let l = i18n.get_locale();
        match (started, finished) {
            (Some(s), Some(f)) => {
                Some(td_string!(l, timeline.took, duration = human_duration(l, (f - s) / 1000)).to_string())
            }
            (Some(s), None) => Some(
                td_string!(
                    l,
                    timeline.so_far,
                    elapsed = human_duration(l, (now.get() - s) / 1000),
                    typical = human_duration(l, typical as i64)
                )
                .to_string(),
            ),
            _ => None,
        }
    };
    let error = step.error.clone();
    let detail = step.detail.clone();
    // The title and the note in the page's language, following a switch (as ErrorBox does).
    let kind = step.kind;
    view! {
        <li class=format!("step {}", status.key()) data-testid=format!("step-{}", step.kind.key()) data-status=status.key()>
            <span class="icon" aria-hidden="true">{icon}</span>
            <div class="body">
                <div class="title"><span class="name">{move || crate::labels::step_title(i18n.get_locale(), kind)}</span><span class="state">{label}</span></div>
                {step.note.clone().map(|n| view! { <div class="note" data-testid="step-note">{move || n.said(i18n.get_locale() == Locale::ko).to_string()}</div> })}
                {move || timing().map(|t| view! { <div class="timing">{t}</div> })}
                {detail.map(|d| view! { <Detail detail=d done=status.is_done()/> })}
                {error.map(|e| view! { <crate::ErrorBox error=crate::model::AppError::User(e)/> })}
            </div>
        </li>
    }
}

/// Subscribes to `/api/runs/{id}/events` while the run is active and replaces the run view with
/// each snapshot the server sends. The browser's EventSource reconnects by itself after a
/// network blip or a server restart.
fn live_updates(run: RwSignal<Option<RunView>>) {
    #[cfg(feature = "hydrate")]
    {
        use send_wrapper::SendWrapper;
        use wasm_bindgen::closure::Closure;
        use wasm_bindgen::JsCast;

        let run_id = Memo::new(move |_| {
            run.with(|r| r.as_ref().filter(|r| r.status == RunStatus::Active).map(|r| r.id.clone()))
        });
        Effect::new(move |_| {
            let Some(id) = run_id.get() else { return };
            let Ok(source) = web_sys::EventSource::new(&format!("/api/runs/{id}/events")) else { return };
            let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                if let Some(text) = ev.data().as_string() {
                    if let Ok(view) = serde_json::from_str::<RunView>(&text) {
                        run.set(Some(view));
                    }
                }
            });
            source.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            let held = SendWrapper::new((source, on_message));
            on_cleanup(move || {
                let (source, _closure) = held.take();
                source.close();
            });
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = run;
}

#[component]
fn Detail(detail: StepDetail, done: bool) -> impl IntoView {
    let i18n = use_i18n();
    match detail.clone() {
        StepDetail::Delegation { domain, expected, found, source } => {
            let rows = detail.delegation_status();
            let extra = detail.unexpected();
            view! {
                <div class="detail" data-testid="delegation">
                    <p class="muted">{crate::tr_with(move |l| td_string!(l, timeline.ns_intro, domain = &domain, source = &source).to_string())}</p>
                    <table class="ns">
                        <tbody>
                            {rows.into_iter().map(|(ns, ok)| {
                                let copy = ns.clone();
                                view! {
                                    <tr data-testid="ns-row" data-ok=ok.to_string()>
                                        <td class=if ok { "ok" } else { "bad" }>{move || if ok { t_string!(i18n, timeline.ns_set) } else { t_string!(i18n, timeline.ns_missing) }}</td>
                                        <td><code>{ns.clone()}</code></td>
                                        <td><CopyButton text=copy/></td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    {(!extra.is_empty() && !done).then(|| view! {
                        <p class="bad">{let names = extra.join(", "); crate::tr_with(move |l| td_string!(l, timeline.ns_remove, names = &names).to_string())}</p>
                    })}
                    {(found.is_empty() && !done).then(|| view! {
                        <p class="muted">{crate::tr(|l| td_string!(l, timeline.ns_none))}</p>
                    })}
                    {(!done).then(|| view! { <CopyButton text=expected.join("\n") label=|l| td_string!(l, timeline.copy_all_four)/> })}
                </div>
            }
            .into_any()
        }
        StepDetail::Doctor { report } => view! { <crate::doctor::ReportView report=report/> }.into_any(),
        StepDetail::Command { command_id, status, stdout, stderr, exit_code } => view! {
            <div class="detail command" data-testid="command-output" data-status=status.clone()>
                <p class="muted">{
                    let status = status.clone();
                    crate::tr_with(move |l| {
                        let exit = exit_code.map(|code| td_string!(l, timeline.exit_code, code).to_string()).unwrap_or_default();
                        td_string!(l, timeline.ssm_command, id = &command_id, status = &status, exit).to_string()
                    })
                }</p>
                <pre class="terminal">{stdout}</pre>
                {(!stderr.trim().is_empty()).then(|| view! { <pre class="terminal stderr">{stderr}</pre> })}
            </div>
        }
        .into_any(),
        StepDetail::Teardown { deleted, kept } => view! {
            <div class="detail" data-testid="teardown-detail">
                {(!deleted.is_empty()).then(|| view! {
                    <ul class="torn">
                        {deleted.into_iter().map(|i| view! {
                            <li data-testid="torn-deleted" data-kind=i.kind.key()>
                                <span class="ok">{crate::tr(|l| td_string!(l, timeline.deleted))} " "</span>
                                <span>{let kind = i.kind; move || format!("{} ", crate::labels::resource_kind(i18n.get_locale(), kind))}</span><code>{i.id}</code>
                            </li>
                        }).collect_view()}
                    </ul>
                })}
                {(!kept.is_empty()).then(|| view! {
                    <ul class="torn">
                        {kept.into_iter().map(|i| view! {
                            <li data-testid="torn-kept" data-kind=i.kind.key()>
                                <span class="warn">{crate::tr(|l| td_string!(l, timeline.kept))} " "</span>
                                <span>{let kind = i.kind; move || format!("{} ", crate::labels::resource_kind(i18n.get_locale(), kind))}</span><code>{i.id.clone()}</code>
                                <p class="muted">{let item = i.clone(); move || item.why_in(i18n.get_locale() == Locale::ko).unwrap_or_default().to_string()}</p>
                            </li>
                        }).collect_view()}
                    </ul>
                })}
            </div>
        }
        .into_any(),
        StepDetail::Registration { domain, operation_id, status, email } => view! {
            <div class="detail" data-testid="registration">
                <p>{let domain = domain.clone(); crate::tr_with(move |l| td_string!(l, timeline.registration, domain = &domain, status = &status, operation = &operation_id).to_string())}</p>
                <p class="notice warn" data-testid="email-reminder">{crate::tr_with(move |l| td_string!(l, timeline.email_reminder, email = &email).to_string())}</p>
            </div>
        }
        .into_any(),
    }
}

/// Copies `text` to the clipboard. `label` gives the button's text in a locale ("Copy" when
/// not given).
#[component]
pub(crate) fn CopyButton(text: String, #[prop(optional)] label: Option<fn(Locale) -> &'static str>) -> impl IntoView {
    let copied = RwSignal::new(false);
    let i18n = use_i18n();
    view! {
        <button type="button" class="button small" on:click=move |_| {
            #[cfg(feature = "hydrate")]
            if let Some(w) = web_sys::window() {
                let _ = w.navigator().clipboard().write_text(&text);
            }
            #[cfg(not(feature = "hydrate"))]
            let _ = &text;
            copied.set(true);
        }>
            {move || {
                let l = i18n.get_locale();
                match (copied.get(), label) {
                    (true, _) => td_string!(l, common.copied),
                    (false, Some(label)) => label(l),
                    (false, None) => td_string!(l, common.copy),
                }
            }}
        </button>
    }
}
