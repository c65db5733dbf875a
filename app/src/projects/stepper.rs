//! The project page as a wizard (issue 22): a rail of the steps with where the student is,
//! then one folded section per step of the chosen path, the current one open.
//!
//! The states come from the server (`lockstep_domain::wizard`, in [`ProjectView::wizard`] for
//! the first paint, then re-read whenever a step's run ends), so a reload shows the same place.

use super::api::{wizard, ChoosePath};
use crate::i18n::*;
use crate::model::{PathOutcome, ProjectView};
use crate::ErrorBox;
use leptos::prelude::*;
use lockstep_domain::pricing::{paid_path, usd};
use lockstep_domain::wizard::{BackendPath, Progress, StepState, Wizard, WizardStep};
use lockstep_domain::Message;

/// Bumped by a timeline when its run stops (succeeded or failed): the stepper re-reads its state.
#[derive(Clone, Copy)]
pub struct StepperTick(pub RwSignal<u64>);

/// A domain text in the page's language.
pub(crate) fn said(m: Message) -> impl IntoView + Clone + Sync + 'static {
    crate::tr_with(move |l| m.said(l == Locale::ko).to_string())
}

/// Keeps `state` in step with the server: re-read each time a timeline bumps the tick (a run
/// it shows stopped), and every 2 s while the server's last answer has a step running (a run
/// may end before its timeline first shows it, e.g. while the page reloads the project).
pub fn follow(project_id: String, state: RwSignal<Wizard>) -> StepperTick {
    let tick = StepperTick(RwSignal::new(0));
    provide_context(tick);
    let reread = move || {
        let id = project_id.clone();
        leptos::task::spawn_local(async move {
            if let Ok(w) = wizard(id).await {
                // The page may have moved on meanwhile (the signal is then gone): nothing to do.
                let _ = state.try_set(w);
            }
        });
    };
    let on_tick = reread.clone();
    Effect::new(move |prev: Option<u64>| {
        let n = tick.0.get();
        if prev.is_some_and(|p| p != n) {
            on_tick();
        }
        n
    });
    Effect::new(move |_| {
        let running = state.with(|w| w.steps.iter().any(|s| s.progress == Progress::Running));
        if running {
            let again = reread.clone();
            set_timeout(again, std::time::Duration::from_secs(2));
        }
    });
    tick
}

/// The rail: every step with its number, title and state, the current one marked.
#[component]
pub fn StepRail(state: RwSignal<Wizard>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="step-rail" aria-label=move || td_string!(i18n.get_locale(), wizard.rail_label)>
            <ol>
                {move || state.with(|w| w.steps.clone()).into_iter().map(|s| {
                    let current = s.state == StepState::Now;
                    view! {
                        <li class=format!("rail-step {}", s.state.key()) data-testid=format!("rail-{}", s.step.key())
                            data-state=s.state.key() aria-current=current.then_some("step")>
                            <span class="rail-num" aria-hidden="true">{if s.state == StepState::Done { "✓".to_string() } else { s.number.to_string() }}</span>
                            <span class="rail-title">{said(s.step.title())}</span>
                            <span class="rail-state">{said(s.state.said())}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </nav>
    }
}

/// One step's folded section: its number, title, state and one-line result in the summary,
/// open while it is the current step.
#[component]
pub fn StepSection(
    state: RwSignal<Wizard>,
    step: WizardStep,
    testid: &'static str,
    children: Children,
) -> impl IntoView {
    let line = move || state.with(|w| w.line(step).cloned());
    let key = move || line().map(|l| l.state.key()).unwrap_or("blocked");
    // A memo, so that `open` is written only when the step becomes (or stops being) the
    // current one: a step the student opened by hand stays open while other steps move on.
    let is_now = Memo::new(move |_| state.with(|w| w.state_of(step) == Some(StepState::Now)));
    view! {
        <details class=move || format!("wizard-step {}", key()) data-testid=format!("wizard-{}", step.key())
            data-state=key open=move || is_now.get()>
            <summary>
                <span class="step-num">{move || line().map(|l| l.number).unwrap_or(0)}</span>
                <span class="step-title">{said(step.title())}</span>
                <span class=move || format!("step-state {}", key())>{move || line().map(|l| said(l.state.said()))}</span>
                <span class="step-result" data-testid=format!("result-{}", step.key())>
                    {move || line().and_then(|l| l.result).map(said)}
                </span>
            </summary>
            <div class="step-body" data-testid=testid>{children()}</div>
        </details>
    }
}

/// The path choice: free and paid side by side, what each costs, needs, takes and who renews.
#[component]
pub fn PathChoice(project: ProjectView, state: RwSignal<Wizard>) -> impl IntoView {
    let choose = ServerAction::<ChoosePath>::new();
    let confirm = RwSignal::new(None::<(BackendPath, usize, Option<String>)>);
    Effect::new(move |_| match choose.value().get() {
        Some(Ok(PathOutcome::Chosen(w))) => {
            confirm.set(None);
            state.set(w);
        }
        Some(Ok(PathOutcome::NeedsTeardown { items, daily })) => {
            // Only a change away from a chosen path asks this.
            if let Some(from) = state.with_untracked(|w| w.path) {
                confirm.set(Some((from.other(), items, daily)));
            }
        }
        _ => {}
    });
    // ACM needs a name in a Route 53 zone: a free name or the bare IP can take the free path only.
    let paid_blocked = project.plan.as_ref().is_some_and(|p| !p.source.has_zone());
    let cost = paid_path(2, false, None);
    let (monthly, daily) = (usd(cost.monthly_usd()), usd(cost.daily_usd()));
    let id = project.id.clone();
    let card = move |path: BackendPath| {
        let chosen = move || state.with(|w| w.path == Some(path));
        let blocked = path == BackendPath::Paid && paid_blocked;
        let (monthly, daily) = (monthly.clone(), daily.clone());
        let id = id.clone();
        view! {
            <article class=move || format!("path-card {}", if chosen() { "chosen" } else { "" })
                data-testid=format!("path-{}", path.key())>
                <h3>{said(path.said())}</h3>
                <dl class="path-facts">
                    <dt>{crate::tr(|l| td_string!(l, wizard.cost))}</dt>
                    <dd data-testid=format!("path-{}-cost", path.key())>{match path {
                        BackendPath::Free => crate::tr(|l| td_string!(l, wizard.free_cost)).into_any(),
                        BackendPath::Paid => crate::tr_with(move |l| td_string!(l, wizard.paid_cost, monthly = &monthly, daily = &daily).to_string()).into_any(),
                    }}</dd>
                    <dt>{crate::tr(|l| td_string!(l, wizard.needs))}</dt>
                    <dd>{match path {
                        BackendPath::Free => crate::tr(|l| td_string!(l, wizard.free_needs)),
                        BackendPath::Paid => crate::tr(|l| td_string!(l, wizard.paid_needs)),
                    }}</dd>
                    <dt>{crate::tr(|l| td_string!(l, wizard.takes))}</dt>
                    <dd>{match path {
                        BackendPath::Free => crate::tr(|l| td_string!(l, wizard.free_takes)),
                        BackendPath::Paid => crate::tr(|l| td_string!(l, wizard.paid_takes)),
                    }}</dd>
                    <dt>{crate::tr(|l| td_string!(l, wizard.renews))}</dt>
                    <dd>{match path {
                        BackendPath::Free => crate::tr(|l| td_string!(l, wizard.free_renews)),
                        BackendPath::Paid => crate::tr(|l| td_string!(l, wizard.paid_renews)),
                    }}</dd>
                </dl>
                {blocked.then(|| view! { <p class="notice" data-testid="paid-unavailable">{crate::tr(|l| td_string!(l, wizard.paid_unavailable))}</p> })}
                <ActionForm action=choose>
                    <input type="hidden" name="project_id" value=id/>
                    <input type="hidden" name="path" value=path.key()/>
                    {move || if chosen() {
                        view! { <p class="chosen-mark" data-testid=format!("chosen-{}", path.key())>"✓ " {crate::tr(|l| td_string!(l, wizard.chosen))}</p> }.into_any()
                    } else {
                        view! {
                            <button type="submit" class=move || if state.with(|w| w.path.is_none()) { "button primary" } else { "button" }
                                data-testid=format!("choose-{}", path.key()) disabled=move || blocked || choose.pending().get()>
                                {match (path, state.with(|w| w.path.is_some())) {
                                    (BackendPath::Free, false) => crate::tr(|l| td_string!(l, wizard.choose_free)),
                                    (BackendPath::Paid, false) => crate::tr(|l| td_string!(l, wizard.choose_paid)),
                                    (BackendPath::Free, true) => crate::tr(|l| td_string!(l, wizard.change_to_free)),
                                    (BackendPath::Paid, true) => crate::tr(|l| td_string!(l, wizard.change_to_paid)),
                                }}
                            </button>
                        }.into_any()
                    }}
                </ActionForm>
            </article>
        }
    };
    let id = project.id.clone();
    view! {
        <p>{crate::tr(|l| td_string!(l, wizard.path_intro))}</p>
        <div class="path-cards">{card(BackendPath::Free)}{card(BackendPath::Paid)}</div>
        {move || confirm.get().map(|(to, items, daily)| {
            let id = id.clone();
            view! {
                <ActionForm action=choose attr:class="path-switch" attr:data-testid="path-switch">
                    <input type="hidden" name="project_id" value=id/>
                    <input type="hidden" name="path" value=to.key()/>
                    <p class="notice warn">
                        {crate::tr_with(move |l| td_string!(l, wizard.switch_teardown, items = items).to_string())}
                        {daily.clone().map(|daily| view! { " " {crate::tr_with(move |l| td_string!(l, wizard.switch_daily, daily = &daily).to_string())} })}
                    </p>
                    <label><input type="checkbox" name="teardown_other" value="on" required data-testid="confirm-switch"/>
                        " " {crate::tr(|l| td_string!(l, wizard.switch_confirm))}</label>
                    <button type="submit" class="button danger" data-testid="switch-path">{crate::tr(|l| td_string!(l, wizard.switch_button))}</button>
                </ActionForm>
            }
        })}
        {move || choose.value().get().and_then(|r| match r {
            Ok(PathOutcome::Refused(e)) => Some(view! { <ErrorBox error=crate::model::AppError::User(e)/> }.into_any()),
            Err(e) => Some(view! { <ErrorBox error=e/> }.into_any()),
            _ => None,
        })}
    }
}
