//! Step 2 on the project page: request the certificate for the plan's names, and its timeline.

use super::api::{latest_run, StartCertificate};
use crate::i18n::*;
use crate::runs::Timeline;
use crate::ErrorBox;
use leptos::prelude::*;
use lockstep_domain::plan::NamePlan;
use lockstep_domain::RunStatus;

#[component]
pub fn CertificateStep(project_id: String, plan: NamePlan) -> impl IntoView {
    let i18n = use_i18n();
    let pid = project_id.clone();
    let latest = crate::once(|| Resource::new(move || pid.clone(), latest_run));
    let start = ServerAction::<StartCertificate>::new();
    let run = RwSignal::new(None);
    Effect::new(move |_| {
        if let Some(Ok(r)) = start.value().get() {
            run.set(Some(r));
        }
    });
    if !plan.source.has_zone() {
        return view! {
            <p class="muted" data-testid="cert-magic">{let name = plan.apex.to_string(); crate::tr_with(move |l| td_string!(l, cert.magic, name = &name).to_string())}</p>
        }
        .into_any();
    }
    let names = plan.all_names().iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ");
    view! {
        <p>{t!(i18n, cert.intro, names, <code> = <code/>)}</p>
        <Transition fallback=move || view! { <p class="muted">{crate::tr(|l| td_string!(l, common.loading))}</p> }>
            {move || {
                let project_id = project_id.clone();
                Suspend::new(async move {
                match latest.await {
                    Ok(initial) => {
                        if run.get_untracked().is_none() {
                            run.set(initial);
                        }
                        let can_start = move || run.with(|r| r.as_ref().is_none_or(|r| r.status == RunStatus::Failed));
                        let again = move || run.with(|r| r.is_some());
                        let button = move || {
                            let project_id = project_id.clone();
                            can_start().then(move || view! {
                                <ActionForm action=start>
                                    <input type="hidden" name="project_id" value=project_id/>
                                    <button type="submit" class="button primary" data-testid="start-certificate"
                                        disabled=move || start.pending().get()>
                                        {move || if again() { crate::tr(|l| td_string!(l, cert.request_again)).into_any() } else { crate::tr(|l| td_string!(l, cert.request)).into_any() }}
                                    </button>
                                </ActionForm>
                            })
                        };
                        view! {
                            {button}
                            <Timeline run=run/>
                        }.into_any()
                    }
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}}
        </Transition>
        {move || start.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
    }
    .into_any()
}
