//! The project's public status page: publish it, choose its address and how often lockstep
//! re-checks, and where alerts go.

use super::api::*;
use crate::i18n::*;
use crate::model::*;
use crate::runs::Timeline;
use crate::ErrorBox;
use leptos::prelude::*;
use lockstep_domain::account::{FieldProblem, Role};

#[component]
pub fn StatusPanel(project_id: String, role: Role) -> impl IntoView {
    let pid = project_id.clone();
    let pid_check = project_id.clone();
    let settings = crate::once(|| Resource::new(move || pid.clone(), get_status_settings));
    let save = ServerAction::<SaveStatusSettings>::new();
    let check = ServerAction::<CheckStatusNow>::new();
    let problems = RwSignal::new(Vec::<FieldProblem>::new());
    let run = RwSignal::new(None);
    let hydrated = crate::hydrated();
    Effect::new(move |_| match save.value().get() {
        Some(Ok(ActionOutcome::Done)) => {
            problems.set(Vec::new());
            settings.refetch();
        }
        Some(Ok(ActionOutcome::Invalid(p))) => problems.set(p),
        _ => {}
    });
    Effect::new(move |_| {
        if let Some(Ok(StartOutcome::Started(r))) = check.value().get() {
            run.set(Some(r));
        }
    });
    let problem = move |field: &'static str| crate::accounts::problem_for(problems, field);
    let owner = role == Role::Owner;
    let i18n = use_i18n();
    view! {
        <Transition fallback=|| view! { <p class="muted">{crate::tr(|l| td_string!(l, common.loading))}</p> }>
            {move || {
                let project_id = project_id.clone();
                Suspend::new(async move {
                    match settings.await {
                        Ok(s) => {
                            if run.get_untracked().is_none() {
                                run.set(s.last_run.clone());
                            }
                            let link = format!("/status/{}", s.slug);
                            let badge = format!("{link}/badge.svg");
                            view! {
                                {(s.saved && s.public).then(|| view! {
                                    <p data-testid="status-published">{crate::tr(|l| td_string!(l, status.published_at))} " "
                                        <a href=link.clone() data-testid="status-link" rel="external">{link.clone()}</a>" "
                                        <img src=badge.clone() alt=move || t_string!(i18n, status.badge_alt) data-testid="status-badge"/>
                                    </p>
                                    <p class="muted">{crate::tr(|l| td_string!(l, status.readme_markdown))} " " <code>{format!("![HTTPS]({badge})")}</code></p>
                                })}
                                {(!s.public).then(|| view! { <p class="muted">{crate::tr(|l| td_string!(l, status.not_published))}</p> })}
                                <ActionForm action=save attr:class="form" attr:novalidate=true>
                                    <input type="hidden" name="project_id" value=project_id.clone()/>
                                    <div class="field">
                                        <label><input type="checkbox" name="public" data-testid="status-public" checked=s.public disabled=!owner/>
                                            " " {crate::tr(|l| td_string!(l, status.publish))}</label>
                                    </div>
                                    <div class="field" class:invalid=move || problem("slug")().is_some()>
                                        <label for="slug">{crate::tr(|l| td_string!(l, status.address))}</label>
                                        <input name="slug" id="slug" value=s.slug.clone() data-testid="status-slug" disabled=!owner/>
                                        {move || problem("slug")().map(|m| view! { <p class="field-error" data-testid="error-slug">{m}</p> })}
                                    </div>
                                    <div class="field" class:invalid=move || problem("interval_minutes")().is_some()>
                                        <label for="interval_minutes">{crate::tr(|l| td_string!(l, status.interval))}</label>
                                        <input name="interval_minutes" id="interval_minutes" inputmode="numeric" value=s.interval_minutes.to_string() disabled=!owner/>
                                        {move || problem("interval_minutes")().map(|m| view! { <p class="field-error" data-testid="error-interval_minutes">{m}</p> })}
                                    </div>
                                    <div class="field" class:invalid=move || problem("webhook")().is_some()>
                                        <label for="webhook">{crate::tr(|l| td_string!(l, status.webhook))}</label>
                                        <input name="webhook" id="webhook" type="password" autocomplete="off" data-testid="status-webhook"
                                            placeholder=s.webhook_hint.clone().unwrap_or_else(|| "https://hooks.slack.com/services/...".into()) disabled=!owner/>
                                        {move || match problem("webhook")() {
                                            Some(m) => view! { <p class="field-error" data-testid="error-webhook">{m}</p> }.into_any(),
                                            None => view! { <p class="hint">{crate::tr(|l| td_string!(l, status.webhook_hint))}</p> }.into_any(),
                                        }}
                                        {s.webhook_hint.clone().map(|h| view! {
                                            <label class="hint"><input type="checkbox" name="clear_webhook" disabled=!owner/>" "
                                                {crate::tr_with(move |l| td_string!(l, status.remove_webhook, hint = &h).to_string())}</label>
                                        })}
                                    </div>
                                    {owner.then(|| view! {
                                        <div class="actions"><button type="submit" class="button" data-testid="save-status">{crate::tr(|l| td_string!(l, status.save))}</button></div>
                                    })}
                                    {(!owner).then(|| view! { <p class="muted">{crate::tr(|l| td_string!(l, status.owner_only))}</p> })}
                                </ActionForm>
                            }.into_any()
                        }
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>
        <ActionForm action=check>
            <input type="hidden" name="project_id" value=pid_check/>
            <button type="submit" class="button" data-testid="check-status-now" disabled=move || check.pending().get() || role == Role::Viewer>{crate::tr(|l| td_string!(l, status.check_now))}</button>
        </ActionForm>
        {move || start_problem_of(check.value().get()).map(|e| view! { <ErrorBox error=e/> })}
        // `run` is set inside the Suspend above: render what reads it once hydrated, so the
        // server's streamed HTML and the hydrating client agree (see `crate::hydrated`).
        {move || hydrated.get().then(|| view! { <Timeline run=run/> })}
    }
}

fn start_problem_of(v: Option<Result<StartOutcome, AppError>>) -> Option<AppError> {
    v.and_then(crate::model::start_problem)
}
