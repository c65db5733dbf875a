//! The "Verified" screen at the end of the wizard (issue 22): the URLs, the check's result,
//! the settings to paste into the framework, the status badge for the README, and what to do
//! after every redeploy.

use super::stepper::said;
use crate::architecture::SettingsView;
use crate::i18n::*;
use crate::model::ProjectView;
use leptos::prelude::*;
use lockstep_domain::settings::Names;
use lockstep_domain::wizard::{BackendPath, Wizard, WizardStep};

#[component]
pub fn Verified(project: ProjectView, state: RwSignal<Wizard>) -> impl IntoView {
    let env = crate::environment();
    let Some(plan) = project.plan.clone() else { return ().into_any() };
    let api = format!("https://{}", plan.api);
    let front = plan.frontend.first().map(|f| format!("https://{f}"));
    let names = Names {
        api: plan.api.to_string(),
        frontend_origin: front.clone().unwrap_or_default(),
        cross_site: plan.frontend.is_empty(),
    };
    let framework = project.spec.framework;
    let check = move || state.with(|w| w.line(WizardStep::Check).and_then(|l| l.result.clone()));
    let path = move || state.with(|w| w.path);
    // The badge's address is absolute (a README lives elsewhere): this page's origin, known in
    // the browser once hydrated (the server renders it without, the same in both).
    let hydrated = crate::hydrated();
    let origin = RwSignal::new(String::new());
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(o) = web_sys::window().and_then(|w| w.location().origin().ok()) {
            origin.set(o);
        }
    });
    let badge = project.status_slug.clone().map(|(slug, public)| {
        let line = move || {
            let o = origin.get();
            format!("[![HTTPS status]({o}/status/{slug}/badge.svg)]({o}/status/{slug})")
        };
        (public, line)
    });
    view! {
        <section class="verified" data-testid="verified" aria-labelledby="verified-title">
            <h2 id="verified-title"><span aria-hidden="true">"✓ "</span>{crate::tr(|l| td_string!(l, wizard.verified_title))}</h2>
            <p>{crate::tr(|l| td_string!(l, wizard.verified_intro))}</p>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    env.await.ok().filter(|e| e.sandbox).map(|_| view! {
                        <p class="notice" data-testid="verified-sandbox">{crate::tr(|l| td_string!(l, wizard.verified_sandbox))}</p>
                    })
                })}
            </Suspense>
            <h3>{crate::tr(|l| td_string!(l, wizard.verified_urls))}</h3>
            <ul class="verified-urls">
                <li>"API: "<a href=api.clone() data-testid="verified-api">{api.clone()}</a></li>
                {front.clone().map(|f| view! { <li>{crate::tr(|l| td_string!(l, wizard.frontend_word))}": "<a href=f.clone() data-testid="verified-frontend">{f.clone()}</a></li> })}
            </ul>
            <h3>{crate::tr(|l| td_string!(l, wizard.verified_checks))}</h3>
            <p class="doctor-summary pass" data-testid="verified-check">"✓ "{move || check().map(said)}</p>
            <h3>{crate::tr(|l| td_string!(l, wizard.verified_settings))}</h3>
            {move || hydrated.get().then(|| view! { <SettingsView framework=framework names=names.clone()/> })}
            <h3>{crate::tr(|l| td_string!(l, wizard.verified_badge))}</h3>
            {match badge {
                Some((true, line)) => view! {
                    <pre class="code" data-testid="verified-badge">{line}</pre>
                    <p class="muted">{crate::tr(|l| td_string!(l, wizard.verified_badge_hint))}</p>
                }.into_any(),
                _ => view! { <p class="muted" data-testid="verified-badge-off">{crate::tr(|l| td_string!(l, wizard.verified_badge_off))}</p> }.into_any(),
            }}
            <h3>{crate::tr(|l| td_string!(l, wizard.verified_redeploy))}</h3>
            <ol class="redeploy" data-testid="verified-redeploy">
                <li>{crate::tr(|l| td_string!(l, wizard.redeploy_front))}</li>
                <li>{move || match path() {
                    Some(BackendPath::Paid) => crate::tr(|l| td_string!(l, wizard.redeploy_back_paid)),
                    _ => crate::tr(|l| td_string!(l, wizard.redeploy_back_free)),
                }}</li>
                <li>{crate::tr(|l| td_string!(l, wizard.redeploy_check))}</li>
            </ol>
        </section>
    }
    .into_any()
}
