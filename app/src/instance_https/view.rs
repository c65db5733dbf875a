//! The free path in the browser: the instance's facts, the choices (OS, staging, e-mail), the
//! exact files and script for this project (updated as the choices change), the run's
//! timeline with "I ran it" and Retry, the architecture picture, and the summary.

use super::api::{get_free_path_facts, latest_free_path_run, StartFreePath};
use crate::architecture::{Architecture, Chain, Part, PartBox, SettingsView};
use crate::frontend::api::get_frontend_facts;
use crate::i18n::*;
use crate::model::{FreePathFacts, FreePathOutcome, FrontendFacts, ProjectView};
use crate::runs::api::{Recheck, RetryRun};
use crate::runs::{CopyButton, Timeline};
use crate::ErrorBox;
use leptos::prelude::*;
use lockstep_domain::contact::Email;
use lockstep_domain::freepath::site_for;
use lockstep_domain::ipcert::{ip_certbot_command, ip_choice_explained, ip_install_script, ip_site_config, IpSite};
use lockstep_domain::nginx::{certbot_command, install_script, site_config, Os};
use lockstep_domain::plan::NamePlan;
use lockstep_domain::settings::Names;
use lockstep_domain::{RunStatus, RunView, StepDetail, StepKind, StepStatus};

/// The state of a step of the run, for the picture.
pub(crate) fn part_of(run: &Option<RunView>, kinds: &[StepKind]) -> Part {
    let Some(run) = run else { return Part::Planned };
    let steps: Vec<_> = run.steps.iter().filter(|s| kinds.contains(&s.kind)).collect();
    if steps.iter().any(|s| s.status == StepStatus::Failed) {
        Part::Broken
    } else if !steps.is_empty() && steps.iter().all(|s| s.status == StepStatus::Succeeded) {
        Part::Ready
    } else if steps.iter().any(|s| matches!(s.status, StepStatus::Running | StepStatus::Waiting))
        || steps.iter().any(|s| s.status == StepStatus::Succeeded)
    {
        Part::Building
    } else {
        Part::Planned
    }
}

/// The free path's picture: the API chain through nginx on the instance, and the frontend,
/// labelled in `l`.
pub fn free_chains(
    l: Locale,
    project: &ProjectView,
    plan: &NamePlan,
    run: &Option<RunView>,
    front: &Option<FrontendFacts>,
    front_run: &Option<RunView>,
) -> Vec<Chain> {
    let spec = &project.spec;
    let instance = project.public_ip.clone().unwrap_or_else(|| spec.instance.to_string());
    let verified = part_of(run, &[StepKind::InstanceHttpsVerify]);
    let served = front.as_ref().and_then(|f| f.url.clone());
    let front_state = match part_of(
        front_run,
        &[
            StepKind::FrontendOrigin,
            StepKind::FrontendCreate,
            StepKind::FrontendAwaitDeployed,
            StepKind::FrontendRecords,
        ],
    ) {
        Part::Planned if served.is_some() => Part::Ready,
        other => other,
    };
    let frontend_name = served
        .as_deref()
        .map(|u| u.trim_start_matches("https://").to_string())
        .or_else(|| plan.frontend.first().filter(|_| plan.source.has_zone()).map(|f| f.to_string()))
        .unwrap_or_else(|| "d….cloudfront.net".into());
    let distribution = front.as_ref().and_then(|f| f.domain_name.clone()).unwrap_or_else(|| frontend_name.clone());
    // Names of AWS services, protocols and ports are the same in every language.
    let fixed = |what: &str, name: String, state: Part| PartBox {
        what: what.to_string(),
        label: what.to_string(),
        name,
        state,
    };
    vec![
        Chain {
            boxes: vec![
                PartBox::new(l, |l| td_string!(l, arch.browser), format!("https://{}", plan.api), verified),
                fixed(
                    "DNS",
                    format!("{} → {}", plan.api, instance),
                    part_of(run, &[StepKind::InstanceHttpsDnsRecord, StepKind::InstanceHttpsAwaitResolve]),
                ),
                PartBox::new(
                    l,
                    |l| td_string!(l, arch.nginx),
                    spec.instance.to_string(),
                    part_of(run, &[StepKind::InstanceHttpsOpenPorts, StepKind::InstanceHttpsInstall]),
                ),
                PartBox::app(l, spec.framework, format!("127.0.0.1:{}", spec.app_port), verified),
            ],
            edges: vec!["HTTPS".into(), ":443".into(), "HTTP".into()],
        },
        Chain {
            boxes: vec![
                PartBox::new(l, |l| td_string!(l, arch.browser), format!("https://{frontend_name}"), front_state),
                fixed("CloudFront", distribution, front_state),
                PartBox::new(l, |l| td_string!(l, arch.s3_bucket), spec.bucket.to_string(), front_state),
            ],
            edges: vec!["HTTPS".into(), td_string!(l, arch.origin).into()],
        },
    ]
}

#[component]
pub fn FreePathPanel(project: ProjectView, plan: NamePlan) -> impl IntoView {
    let pid = project.id.clone();
    let pid2 = project.id.clone();
    let pid3 = project.id.clone();
    let i18n = use_i18n();
    let front_res = crate::once(|| Resource::new(move || pid3.clone(), get_frontend_facts));
    let front = RwSignal::new(None::<FrontendFacts>);
    let front_run = use_context::<crate::frontend::FrontendRun>().map(|f| f.0).unwrap_or_else(|| RwSignal::new(None));
    // When the frontend run finishes, read its names again (the CORS origin may change).
    Effect::new(move |was_done: Option<bool>| {
        let done = front_run.with(|r| r.as_ref().is_some_and(|r| r.status == RunStatus::Succeeded));
        if done && was_done == Some(false) {
            front_res.refetch();
            front.set(None);
        }
        done
    });
    let facts = crate::once(|| Resource::new(move || pid.clone(), get_free_path_facts));
    let latest = crate::once(|| Resource::new(move || pid2.clone(), latest_free_path_run));
    let start = ServerAction::<StartFreePath>::new();
    let ran = ServerAction::<Recheck>::new();
    let retry = ServerAction::<RetryRun>::new();
    let run = RwSignal::new(None::<RunView>);
    let os = RwSignal::new(Os::Ubuntu.key().to_string());
    let email = RwSignal::new(String::new());
    let staging = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(FreePathOutcome::Started(r))) = start.value().get() {
            run.set(Some(r));
        }
    });
    let field_error = move |field: &'static str| {
        move || {
            let korean = i18n.get_locale() == Locale::ko;
            start.value().with(|v| match v {
                Some(Ok(FreePathOutcome::Invalid(errs))) => {
                    errs.iter().find(|e| e.field == field).map(|e| e.said(korean).to_string())
                }
                _ => None,
            })
        }
    };

    let api = plan.api.clone();
    let app_port = project.spec.app_port;
    let site = match site_for(&api, app_port) {
        Ok(site) => site,
        Err(m) => {
            return view! { <p class="notice error" role="alert">{move || m.said(i18n.get_locale() == Locale::ko).to_string()}</p> }
                .into_any()
        }
    };
    // The IP choice (issue 24) has its own site, certbot command and script.
    let ip_site = api.as_ipv4().map(|ip| IpSite::new(ip, app_port));
    let (site_text, site_file) = match &ip_site {
        Some(s) => (ip_site_config(s, true), s.site_path().to_string()),
        None => (site_config(&site), site.site_path()),
    };
    let site_copy = site_text.clone();
    let renew_line = if ip_site.is_some() {
        format!(
            "sudo {}/bin/certbot renew --dry-run --cert-name {}",
            lockstep_domain::ipcert::CERTBOT_DIR,
            lockstep_domain::ipcert::CERT_NAME
        )
    } else {
        "sudo certbot renew --dry-run".to_string()
    };
    let (site_a, site_b) = (site.clone(), site.clone());
    let (ip_a, ip_b) = (ip_site.clone(), ip_site);
    // The script shown is the one that would run: with the typed address once it is one (the
    // form says what is wrong with it otherwise), with a placeholder until then.
    let shown_email = move || Email::parse(&email.get()).unwrap_or_else(|_| Email::placeholder());
    let certbot = move || match &ip_a {
        Some(s) => ip_certbot_command(s, &shown_email(), staging.get()),
        None => certbot_command(&site_a, &shown_email(), staging.get()),
    };
    let script = Signal::derive(move || {
        let os = Os::parse(&os.get()).unwrap_or(Os::Ubuntu);
        match &ip_b {
            Some(s) => ip_install_script(os, s, &shown_email(), staging.get()),
            None => install_script(os, &site_b, &shown_email(), staging.get()),
        }
    });

    let cross_site = !plan.source.has_zone() || plan.frontend.is_empty();
    let own_front = plan.frontend.first().filter(|_| plan.source.has_zone()).map(|f| format!("https://{f}"));
    let api_name = plan.api.to_string();
    let names = move || Names {
        api: api_name.clone(),
        frontend_origin: own_front
            .clone()
            .or_else(|| front.get().and_then(|f| f.url))
            .unwrap_or_else(|| t_string!(i18n, common.distribution_placeholder).to_string()),
        cross_site,
    };
    let framework = project.spec.framework;
    let project_id = project.id.clone();
    let hydrated = crate::hydrated();

    view! {
        <p>{crate::tr(|l| td_string!(l, free.intro))}</p>
        <div data-testid="architecture-live">
            {move || hydrated.get().then(|| {
                let chains = free_chains(i18n.get_locale(), &project, &plan, &run.get(), &front.get(), &front_run.get());
                view! { <Architecture chains=chains/> }
            })}
        </div>
        <Transition fallback=move || view! { <p class="muted">{crate::tr(|l| td_string!(l, free.reading_instance))}</p> }>
            {move || Suspend::new(async move {
                match facts.await {
                    Ok(f) => view! { <FactsView f=f/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
        <details class="files" data-testid="free-files">
            <summary>{crate::tr(|l| td_string!(l, free.files))}</summary>
            <div class="setting">
                <div class="setting-head"><strong>{site_file}</strong><CopyButton text=site_copy/></div>
                <pre class="code" data-testid="site-config">{site_text}</pre>
            </div>
            <div class="setting">
                <div class="setting-head"><strong>"certbot"</strong></div>
                <pre class="code" data-testid="certbot-command">{certbot}</pre>
                <pre class="code">{renew_line}</pre>
            </div>
        </details>
        <ActionForm action=start attr:class="form free-form">
            <input type="hidden" name="project_id" value=project_id/>
            <fieldset>
                <legend>{crate::tr(|l| td_string!(l, free.os))}</legend>
                {Os::ALL.into_iter().map(|o| view! {
                    <label class="radio">
                        <input type="radio" name="os" value=o.key() data-testid=format!("os-{}", o.key())
                            prop:checked=move || os.get() == o.key()
                            on:change=move |_| os.set(o.key().to_string())/>
                        {o.label()}
                    </label>
                }).collect_view()}
                {move || field_error("os")().map(|m| view! { <p class="field-error" data-testid="error-os" role="alert">{m}</p> })}
            </fieldset>
            <label for="free-email">{crate::tr(|l| td_string!(l, free.email))}</label>
            <input id="free-email" name="email" type="text" inputmode="email" placeholder="kim@example.com" autocomplete="email"
                prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))/>
            <p class="hint">{crate::tr(|l| td_string!(l, free.email_hint))}</p>
            {move || field_error("email")().map(|m| view! { <p class="field-error" data-testid="error-email" role="alert">{m}</p> })}
            <label class="checkbox">
                <input type="checkbox" name="staging" value="on" data-testid="staging"
                    prop:checked=move || staging.get() on:change=move |ev| staging.set(event_target_checked(&ev))/>
                {crate::tr(|l| td_string!(l, free.staging))}
            </label>
            <button type="submit" class="button primary" data-testid="start-free-path"
                disabled=move || start.pending().get() || run.with(|r| r.as_ref().is_some_and(|r| r.status == RunStatus::Active))>
                {move || if run.with(|r| r.is_some()) { crate::tr(|l| td_string!(l, free.run_again)).into_any() } else { crate::tr(|l| td_string!(l, free.start)).into_any() }}
            </button>
        </ActionForm>
        {move || match start.value().get() {
            Some(Err(e)) => Some(view! { <ErrorBox error=e/> }),
            _ => None,
        }}
        <details class="files" data-testid="script-box" open=move || run.with(waits_for_script)>
            <summary>{crate::tr(|l| td_string!(l, free.script))}</summary>
            <div class="setting">
                <div class="setting-head"><strong>"install-https.sh"</strong>
                    <button type="button" class="button small" on:click=move |_| {
                        #[cfg(feature = "hydrate")]
                        if let Some(w) = web_sys::window() {
                            let _ = w.navigator().clipboard().write_text(&script.get());
                        }
                    }>{crate::tr(|l| td_string!(l, common.copy))}</button>
                </div>
                <pre class="code" data-testid="install-script">{move || script.get()}</pre>
            </div>
        </details>
        <Transition fallback=move || view! { <p class="muted">{crate::tr(|l| td_string!(l, common.loading))}</p> }>
            {move || Suspend::new(async move {
                match latest.await {
                    Ok(initial) => {
                        if run.get_untracked().is_none() {
                            run.set(initial);
                        }
                        view! {
                            {move || run.with(|r| r.as_ref().filter(|r| waits_for_script(&Some((*r).clone()))).map(|r| r.id.clone())).map(|id| view! {
                                <ActionForm action=ran attr:class="inline">
                                    <input type="hidden" name="run_id" value=id/>
                                    <button type="submit" class="button primary" data-testid="i-ran-it" disabled=move || ran.pending().get()>
                                        {crate::tr(|l| td_string!(l, free.i_ran_it))}
                                    </button>
                                </ActionForm>
                            })}
                            {move || run.with(|r| r.as_ref().filter(|r| r.status == RunStatus::Failed).map(|r| r.id.clone())).map(|id| view! {
                                <ActionForm action=retry attr:class="inline">
                                    <input type="hidden" name="run_id" value=id/>
                                    <button type="submit" class="button primary" data-testid="retry-run" disabled=move || retry.pending().get()>
                                        {crate::tr(|l| td_string!(l, free.retry_failed))}
                                    </button>
                                </ActionForm>
                            })}
                            <Timeline run=run own_retry=true/>
                        }
                        .into_any()
                    }
                    Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                }
            })}
        </Transition>
        {move || retry.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
        {move || ran.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
        <section class="summary" data-testid="free-summary" data-ready=move || run.with(|r| r.as_ref().is_some_and(|r| r.status == RunStatus::Succeeded)).to_string()>
            <h3>{crate::tr(|l| td_string!(l, common.summary))}</h3>
            {move || run.with(|r| r.as_ref().filter(|r| hydrated.get() && r.status == RunStatus::Succeeded).map(|_| ())).map(|_| view! {
                <p class="notice ok" data-testid="free-done">{let api = names_api(&api); crate::tr_with(move |l| td_string!(l, common.your_api_is_on, api = &api).to_string())}</p>
            })}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    if let Ok(f) = front_res.await {
                        if front.get_untracked().is_none() {
                            front.set(Some(f));
                        }
                    }
                })}
            </Transition>
            {move || hydrated.get().then(|| view! { <SettingsView framework=framework names=names()/> })}
        </section>
    }
    .into_any()
}

fn names_api(d: &lockstep_domain::DomainName) -> String {
    d.to_string()
}

/// The run waits on the team to run the script (no SSM): show the script and "I ran it".
fn waits_for_script(r: &Option<RunView>) -> bool {
    r.as_ref().is_some_and(|r| {
        r.status == RunStatus::Active
            && r.current().is_some_and(|s| {
                s.kind == StepKind::InstanceHttpsInstall
                    && s.status == StepStatus::Waiting
                    && !matches!(s.detail, Some(StepDetail::Command { .. }))
                    && s.note.as_ref().is_some_and(|n| n.en.starts_with("Waiting for you"))
            })
    })
}

#[component]
fn FactsView(f: FreePathFacts) -> impl IntoView {
    let i18n = use_i18n();
    let ssm = match (f.instance_id.clone(), f.managed) {
        (None, _) => crate::tr(|l| td_string!(l, free.ssm_by_ip)).into_any(),
        (Some(id), Some(true)) => {
            crate::tr_with(move |l| td_string!(l, free.ssm_managed, id = &id).to_string()).into_any()
        }
        (Some(id), _) => crate::tr_with(move |l| td_string!(l, free.ssm_unreachable, id = &id).to_string()).into_any(),
    };
    let ip_plan = f.api.parse::<std::net::Ipv4Addr>().is_ok();
    let public_ip = f.public_ip.clone();
    let public_ip = move || match &public_ip {
        Some(ip) => ip.clone(),
        None => t_string!(i18n, common.unknown).to_string(),
    };
    view! {
        <dl class="facts" data-testid="free-facts">
            <dt>{crate::tr(|l| td_string!(l, common.api_name))}</dt><dd><code>{f.api.clone()}</code>{f.magic.then(|| view! { " " {crate::tr(|l| td_string!(l, free.magic_name))} })}</dd>
            <dt>{crate::tr(|l| td_string!(l, free.public_ip))}</dt><dd>{public_ip}</dd>
            <dt>{crate::tr(|l| td_string!(l, free.how_script_runs))}</dt><dd data-testid="free-ssm">{ssm}</dd>
        </dl>
        // nip.io / sslip.io share Let's Encrypt's per-domain limit with the world: said before
        // anything runs, so a refusal is expected, not a surprise (issue 24).
        {(f.magic && !ip_plan).then(|| view! { <p class="notice warn" data-testid="magic-rate-limit">{crate::tr(|l| td_string!(l, free.magic_rate_limit))}</p> })}
        // The IP choice: its trade-off, said again where the script is (issue 24).
        {ip_plan.then(|| {
            let m = ip_choice_explained(&f.api);
            view! { <p class="notice warn" data-testid="ip-trade-off">{move || m.said(i18n.get_locale() == Locale::ko).to_string()}</p> }
        })}
        {f.ip_problem.map(|p| view! { <p class="notice warn">{move || p.said(i18n.get_locale() == Locale::ko).to_string()}</p> })}
        {(f.elastic == Some(false)).then(|| view! {
            <p class="notice warn" data-testid="not-elastic">{let ip = f.public_ip.clone().unwrap_or_default(); crate::tr_with(move |l| td_string!(l, free.not_elastic, ip = &ip).to_string())}</p>
        })}
    }
}
