//! The HTTPS doctor in the browser: a button on the project page, and the report, grouped by
//! area with failures first, each finding with what was seen, why it matters and the fix.

use super::api::{latest_doctor_run, StartDoctor};
use crate::i18n::*;
use crate::runs::Timeline;
use crate::ErrorBox;
use leptos::prelude::*;
use lockstep_domain::doctor::{Area, Finding, Report, Verdict};
use lockstep_domain::RunStatus;

#[component]
pub fn DoctorPanel(project_id: String) -> impl IntoView {
    let pid = project_id.clone();
    let latest = crate::once(|| Resource::new(move || pid.clone(), latest_doctor_run));
    let start = ServerAction::<StartDoctor>::new();
    let run = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(Ok(r)) = start.value().get() {
            run.set(Some(r));
        }
    });
    view! {
        <p>{crate::tr(|l| td_string!(l, doctor.intro))}</p>
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
                            let label = move || {
                                if run.with(|r| r.is_some()) {
                                    crate::tr(|l| td_string!(l, doctor.check_again)).into_any()
                                } else {
                                    crate::tr(|l| td_string!(l, doctor.check_now)).into_any()
                                }
                            };
                            view! {
                                <ActionForm action=start>
                                    <input type="hidden" name="project_id" value=project_id.clone()/>
                                    <button type="submit" class="button primary" data-testid="start-doctor"
                                        disabled=move || start.pending().get() || !idle()>
                                        {label}
                                    </button>
                                </ActionForm>
                                <Timeline run=run/>
                            }
                            .into_any()
                        }
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>
        {move || start.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
    }
}

fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Pass => "✓",
        Verdict::Warn => "!",
        Verdict::Fail => "✕",
        Verdict::Skip => "–",
    }
}

#[component]
pub fn ReportView(report: Report) -> impl IntoView {
    let i18n = use_i18n();
    let worst = report.worst();
    let (said, millis, at) = (report.summary_said(), report.millis, report.checked_at.clone());
    let summary = move || format!("{} ({millis} ms, {at})", said.said(i18n.get_locale() == Locale::ko));
    let mut areas: Vec<Area> = report.findings.iter().map(|f| f.area).collect();
    areas.sort();
    areas.dedup();
    let groups: Vec<(Area, Vec<Finding>)> = areas
        .into_iter()
        .map(|a| {
            let mut fs: Vec<Finding> = report.findings.iter().filter(|f| f.area == a).cloned().collect();
            fs.sort_by(|x, y| y.verdict.cmp(&x.verdict).then(x.check.cmp(&y.check)));
            (a, fs)
        })
        .collect();
    // One line per name: its grade (A+ to F) and what lowered it (README "HTTPS grade").
    let grades = report.grades();
    view! {
        <div class="detail doctor" data-testid="doctor-report" data-worst=worst.key()>
            <p class=format!("doctor-summary {}", worst.key()) data-testid="doctor-summary">{summary}</p>
            <ul class="doctor-grades" data-testid="doctor-grades">
                {grades.into_iter().map(|g| {
                    let letter = g.letter.as_str();
                    let line = move || g.line(i18n.get_locale() == Locale::ko);
                    view! { <li data-grade=letter>{line}</li> }
                }).collect_view()}
            </ul>
            {groups.into_iter().map(|(area, fs)| view! {
                <section class="doctor-area">
                    <h4>{move || crate::labels::area(i18n.get_locale(), area)}</h4>
                    <ul class="findings">
                        {fs.into_iter().map(|f| view! { <FindingRow f=f/> }).collect_view()}
                    </ul>
                </section>
            }).collect_view()}
        </div>
    }
}

#[component]
fn FindingRow(f: Finding) -> impl IntoView {
    let i18n = use_i18n();
    move || finding_row(f.clone(), i18n.get_locale() == Locale::ko)
}

/// One finding in a language: Korean where the doctor wrote it, else English.
fn finding_row(f: Finding, korean: bool) -> impl IntoView {
    let open = matches!(f.verdict, Verdict::Fail | Verdict::Warn);
    let (title, why, fix) = f.said(korean);
    let (why, fix) = (why.map(str::to_string), fix.map(str::to_string));
    let head = format!("{} {}", mark(f.verdict), title);
    let has_detail = !f.evidence.is_empty() || why.is_some() || fix.is_some();
    view! {
        <li class=format!("finding {}", f.verdict.key()) data-testid="finding" data-check=f.check.clone()
            data-code=f.code.clone() data-verdict=f.verdict.key()>
            {if has_detail {
                view! {
                    <details open=open>
                        <summary>{head}</summary>
                        {(!f.evidence.is_empty()).then(|| view! {
                            <ul class="evidence">
                                {f.evidence.iter().map(|e| view! { <li><code>{e.clone()}</code></li> }).collect_view()}
                            </ul>
                        })}
                        {why.map(|why| view! { <p class="why">{crate::tr_with(move |l| td_string!(l, doctor.why, why = &why).to_string())}</p> })}
                        {fix.map(|fix| view! { <p class="fix" data-testid="fix">{crate::tr_with(move |l| td_string!(l, doctor.fix, fix = &fix).to_string())}</p> })}
                    </details>
                }
                .into_any()
            } else {
                view! { <span>{head}</span> }.into_any()
            }}
        </li>
    }
}
