//! Step 1 of the wizard: the domain, four ways, and the name plan.

use super::api::*;
use crate::i18n::*;
use crate::model::*;
use crate::runs::api::Recheck;
use crate::runs::Timeline;
use crate::ErrorBox;
use leptos::prelude::*;
use lockstep_domain::contact::{ContactErrors, ContactField};
use lockstep_domain::plan::{NamePlan, PlanErrors};
use lockstep_domain::{RunView, StepKind, StepStatus};

/// The whole domain card: the run in progress (if any), then the plan or the chooser.
#[component]
pub fn DomainStep(project: ProjectView, on_change: impl Fn() + Send + Sync + Copy + 'static) -> impl IntoView {
    let id = project.id.clone();
    let pid = id.clone();
    let latest = crate::once(|| Resource::new(move || pid.clone(), latest_domain_run));
    let env = crate::environment();
    let plan = project.plan.clone();
    // Made here, not inside the chooser, so the server and the browser make the page's
    // resources in the same order (see `crate::once`).
    let choices = plan.is_none().then(|| {
        let pid = id.clone();
        crate::once(|| Resource::new(move || pid.clone(), get_domain_choices))
    });
    view! {
        <Transition fallback=|| ()>
            {move || {
                let id = id.clone();
                let plan = plan.clone();
                Suspend::new(async move {
                    let run = latest.await.ok().flatten();
                    let sandbox = env.await.is_ok_and(|e| e.sandbox);
                    let busy = run.as_ref().is_some_and(|r| r.status == lockstep_domain::RunStatus::Active);
                    view! {
                        {run.map(|r| view! { <DomainRun project_id=id.clone() run=r has_plan=plan.is_some() sandbox=sandbox on_change=on_change/> })}
                        {match plan {
                            Some(p) => view! { <PlanEditor project_id=id.clone() plan=p on_change=on_change/> }.into_any(),
                            None if busy => view! { <p class="muted">{crate::tr(|l| td_string!(l, domain.plan_after_run))}</p> }.into_any(),
                            None => choices.map(|choices| view! { <DomainChooser project_id=id.clone() choices=choices on_change=on_change/> }).into_any(),
                        }}
                    }
                })
            }}
        </Transition>
    }
}

/// The latest domain run, live, with the delegation table and the re-check buttons.
#[component]
fn DomainRun(
    project_id: String,
    run: RunView,
    has_plan: bool,
    sandbox: bool,
    on_change: impl Fn() + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let run_id = run.id.clone();
    let signal = RwSignal::new(Some(run));
    // Once the run has saved the plan (zone created or found) and this page does not show one
    // yet, reload the project so the plan editor appears. Fires at most once per page state.
    let fired = StoredValue::new(false);
    Effect::new(move |_| {
        let ready = signal.with(|r| r.as_ref().is_some_and(plan_ready));
        if ready && !has_plan && !fired.get_value() {
            fired.set_value(true);
            on_change();
        }
    });
    let recheck = ServerAction::<Recheck>::new();
    let pretend = ServerAction::<SandboxRegistrarUpdated>::new();
    let i18n = use_i18n();
    let waiting = move || {
        signal.with(|r| {
            r.as_ref().is_some_and(|r| {
                r.steps.iter().any(|s| s.kind == StepKind::DelegationCheck && s.status == StepStatus::Waiting)
            })
        })
    };
    view! {
        <div class="domain-run" data-testid="domain-run">
            <Timeline run=signal/>
            {move || {
                let (run_id, project_id) = (run_id.clone(), project_id.clone());
                waiting().then(move || view! {
                    <div class="actions">
                        <ActionForm action=recheck>
                            <input type="hidden" name="run_id" value=run_id/>
                            <button type="submit" class="button" data-testid="recheck">{crate::tr(|l| td_string!(l, domain.check_again))}</button>
                        </ActionForm>
                        {sandbox.then(|| view! {
                            <ActionForm action=pretend>
                                <input type="hidden" name="project_id" value=project_id/>
                                <button type="submit" class="button" data-testid="sandbox-registrar"
                                    title=move || t_string!(i18n, domain.sandbox_registrar_title)>
                                    {crate::tr(|l| td_string!(l, domain.sandbox_registrar))}
                                </button>
                            </ActionForm>
                        })}
                    </div>
                })
            }}
            {move || pretend.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
        </div>
    }
}

fn plan_ready(run: &RunView) -> bool {
    run.steps
        .iter()
        .any(|s| matches!(s.kind, StepKind::ZoneCreate | StepKind::DomainFindZone) && s.status == StepStatus::Succeeded)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    Zone,
    Other,
    Buy,
    Magic,
}

#[component]
fn DomainChooser(
    project_id: String,
    choices: Resource<Result<DomainChoices, AppError>>,
    on_change: impl Fn() + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let source = RwSignal::new(Source::Zone);
    let i18n = use_i18n();
    let tab = move |s: Source, label: fn(Locale) -> &'static str, testid: &'static str| {
        view! {
            <button type="button" class="tab" role="tab" class:active=move || source.get() == s data-testid=testid
                aria-selected=move || if source.get() == s { "true" } else { "false" }
                on:click=move |_| source.set(s)>{move || label(i18n.get_locale())}</button>
        }
    };
    view! {
        <p>{crate::tr(|l| td_string!(l, domain.chooser_intro))}</p>
        <div class="tabs" role="tablist">
            {tab(Source::Zone, |l| td_string!(l, domain.tab_zone), "source-zone")}
            {tab(Source::Other, |l| td_string!(l, domain.tab_other), "source-other")}
            {tab(Source::Buy, |l| td_string!(l, domain.tab_buy), "source-buy")}
            {tab(Source::Magic, |l| td_string!(l, domain.tab_magic), "source-magic")}
        </div>
        <Transition fallback=move || view! { <p class="muted">{crate::tr(|l| td_string!(l, common.loading))}</p> }>
            {move || {
                let project_id = project_id.clone();
                Suspend::new(async move {
                    match choices.await {
                        Ok(c) => view! {
                            <div class="tab-body" role="tabpanel">
                                {move || match source.get() {
                                    Source::Zone => view! { <ZonePicker project_id=project_id.clone() choices=c.clone() on_change=on_change/> }.into_any(),
                                    Source::Other => view! { <OtherRegistrar project_id=project_id.clone() on_change=on_change/> }.into_any(),
                                    Source::Buy => view! { <BuyDomain project_id=project_id.clone() stand_in=c.stand_in on_change=on_change/> }.into_any(),
                                    Source::Magic => view! { <MagicName project_id=project_id.clone() choices=c.clone() on_change=on_change/> }.into_any(),
                                }}
                            </div>
                        }.into_any(),
                        Err(e) => view! { <ErrorBox error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
fn ZonePicker(
    project_id: String,
    choices: DomainChoices,
    on_change: impl Fn() + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let choose = ServerAction::<ChooseZone>::new();
    let i18n = use_i18n();
    Effect::new(move |_| {
        if let Some(Ok(_)) = choose.value().get() {
            on_change();
        }
    });
    let body = if let Some(err) = choices.zones_error.clone() {
        view! { <div class="error-box" role="alert"><p class="what">{err}</p></div> }.into_any()
    } else if choices.zones.is_empty() {
        view! {
            <div class="notice">
                <p>{crate::tr(|l| td_string!(l, domain.no_zone))}</p>
                <p class="muted">{crate::tr(|l| td_string!(l, domain.no_zone_hint))}</p>
            </div>
        }
        .into_any()
    } else {
        let lab_zone = choices.zones.iter().any(|z| z.name == crate::model::SANDBOX_LAB_ZONE);
        view! {
            <ActionForm action=choose attr:class="inline-form">
                <input type="hidden" name="project_id" value=project_id/>
                <select name="zone_id" data-testid="zone-select"
                    aria-label=move || t_string!(i18n, domain.zone_select_label).to_string()>
                    {choices.zones.into_iter().map(|z| {
                        let (name, count) = (z.name.clone(), z.record_count);
                        view! {
                            <option value=z.id.clone()>
                                {move || t_string!(i18n, domain.zone_option, name = &name, count).to_string()}
                            </option>
                        }
                    }).collect_view()}
                </select>
                <button type="submit" class="button primary" data-testid="choose-zone">{crate::tr(|l| td_string!(l, domain.use_zone))}</button>
            </ActionForm>
            <p class="hint">{crate::tr(|l| td_string!(l, domain.zone_hint))}</p>
            {lab_zone.then(|| view! {
                <p class="hint" data-testid="lab-zone-hint">
                    {move || t_string!(i18n, domain.lab_zone_hint, zone = crate::model::SANDBOX_LAB_ZONE).to_string()}
                </p>
            })}
        }
        .into_any()
    };
    view! {
        {body}
        {move || choose.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
    }
}

#[component]
fn OtherRegistrar(project_id: String, on_change: impl Fn() + Send + Sync + Copy + 'static) -> impl IntoView {
    let start = ServerAction::<UseOtherRegistrar>::new();
    let i18n = use_i18n();
    Effect::new(move |_| {
        if let Some(Ok(DomainOutcome::Started(_))) = start.value().get() {
            on_change();
        }
    });
    let error = move || match start.value().get() {
        Some(Ok(DomainOutcome::Invalid(why))) => Some(why.said(i18n.get_locale() == Locale::ko).to_string()),
        _ => None,
    };
    view! {
        <p>{crate::tr(|l| td_string!(l, domain.other_intro))}</p>
        <ActionForm action=start attr:class="form" attr:novalidate=true>
            <input type="hidden" name="project_id" value=project_id/>
            <div class="field" class:invalid=move || error().is_some()>
                <label for="other-domain">{crate::tr(|l| td_string!(l, domain.your_domain))}</label>
                <input id="other-domain" name="domain" placeholder="team-capstone.com" autocomplete="off"/>
                {move || match error() {
                    Some(msg) => view! { <p class="field-error" data-testid="error-domain" role="alert">{msg}</p> }.into_any(),
                    None => view! { <p class="hint">{crate::tr(|l| td_string!(l, domain.your_domain_hint))}</p> }.into_any(),
                }}
            </div>
            <div class="actions">
                <button type="submit" class="button primary" data-testid="create-zone" disabled=move || start.pending().get()>
                    {crate::tr(|l| td_string!(l, domain.create_zone))}
                </button>
            </div>
        </ActionForm>
        {move || start.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
    }
}

#[component]
fn BuyDomain(project_id: String, stand_in: bool, on_change: impl Fn() + Send + Sync + Copy + 'static) -> impl IntoView {
    let search = ServerAction::<SearchDomain>::new();
    let buy = ServerAction::<BuyDomain>::new();
    let query = RwSignal::new(String::new());
    let i18n = use_i18n();
    Effect::new(move |_| {
        if let Some(Ok(BuyOutcome::Started(_))) = buy.value().get() {
            on_change();
        }
    });
    let contact_errors = move || match buy.value().get() {
        Some(Ok(BuyOutcome::Invalid(e))) => e,
        _ => ContactErrors::default(),
    };
    let refused = move || match buy.value().get() {
        Some(Ok(BuyOutcome::Refused(why))) => Some(why.said(i18n.get_locale() == Locale::ko).to_string()),
        _ => None,
    };
    let pid = StoredValue::new(project_id.clone());
    let run_search = move |name: String| {
        query.set(name.clone());
        search.dispatch(SearchDomain { project_id: pid.get_value(), domain: name });
    };
    view! {
        <p>{crate::tr(|l| td_string!(l, buy.intro))}</p>
        {stand_in.then(|| view! { <p class="notice" data-testid="stand-in">{crate::tr(|l| td_string!(l, buy.stand_in))}</p> })}
        <form class="inline-form" on:submit=move |ev| {
            ev.prevent_default();
            run_search(query.get_untracked());
        }>
            <input name="domain" data-testid="buy-query" placeholder="team-capstone.com" autocomplete="off"
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
            <button type="submit" class="button" data-testid="buy-search" disabled=move || search.pending().get()>{crate::tr(|l| td_string!(l, buy.check))}</button>
        </form>
        {move || match search.value().get() {
            None => ().into_any(),
            Some(Err(e)) => view! { <ErrorBox error=e/> }.into_any(),
            Some(Ok(SearchOutcome::Invalid(why))) => view! {
                <p class="field-error" data-testid="error-buy-query" role="alert">{move || why.said(i18n.get_locale() == Locale::ko).to_string()}</p>
            }.into_any(),
            Some(Ok(SearchOutcome::Found(found))) => {
                let suggestions = found.suggestions.clone();
                let available = found.available;
                let domain = found.domain.clone();
                view! {
                    <div class="search-result" data-testid="search-result" data-available=available.to_string()>
                        <p>
                            {if available {
                                t!(i18n, buy.is_available, domain, <strong> = <strong/>).into_any()
                            } else {
                                t!(i18n, buy.is_not_available, domain, <strong> = <strong/>).into_any()
                            }}
                            <span class="muted">{let a = found.availability.clone(); move || format!(" ({})", a.said(i18n.get_locale() == Locale::ko))}</span>
                        </p>
                        {found.price.clone().map(|p| view! {
                            <p class="price" data-testid="price">{crate::tr_with(move |l| td_string!(l, buy.price, first = &p.registration, renewal = &p.renewal).to_string())}</p>
                        })}
                        {(!suggestions.is_empty()).then(|| view! {
                            <p class="muted">{crate::tr(|l| td_string!(l, buy.other_names))}</p>
                            <ul class="suggestions">
                                {suggestions.into_iter().map(|(name, ok)| {
                                    let n = name.clone();
                                    view! {
                                        <li>
                                            <button type="button" class="link" on:click=move |_| run_search(n.clone())>{name.clone()}</button>
                                            <span class="muted">" " {if ok { crate::tr(|l| td_string!(l, buy.available)).into_any() } else { crate::tr(|l| td_string!(l, buy.taken)).into_any() }}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        })}
                        {(available).then(|| found.price.clone()).flatten().map(|price| view! {
                            <ContactForm project_id=project_id.clone() domain=found.domain.clone() price=price buy=buy errors=Signal::derive(contact_errors)/>
                        })}
                    </div>
                }.into_any()
            }
        }}
        {move || refused().map(|why| view! { <div class="error-box" role="alert" data-testid="buy-refused"><p class="what">{why}</p></div> })}
        {move || buy.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
    }
}

#[component]
fn ContactForm(
    project_id: String,
    domain: String,
    price: PriceView,
    buy: ServerAction<BuyDomain>,
    errors: Signal<ContactErrors>,
) -> impl IntoView {
    let i18n = use_i18n();
    // `label` and `hint` give the text in a locale; the placeholders are sample values (the
    // registry wants the contact in Latin letters), the same in every language.
    type Text = fn(Locale) -> &'static str;
    let field = move |f: ContactField, label: Text, placeholder: &'static str, hint: Option<Text>| {
        let key = f.key();
        let err = move || {
            let korean = i18n.get_locale() == Locale::ko;
            errors.with(|e| e.said(f, korean).map(str::to_string))
        };
        view! {
            <div class="field" class:invalid=move || err().is_some()>
                <label for=key>{move || label(i18n.get_locale())}</label>
                <input id=key name=key placeholder=placeholder autocomplete="off"/>
                {move || match err() {
                    Some(msg) => view! { <p class="field-error" data-testid=format!("error-{key}") role="alert">{msg}</p> }.into_any(),
                    None => view! { <p class="hint">{move || hint.map(|h| h(i18n.get_locale()))}</p> }.into_any(),
                }}
            </div>
        }
    };
    let (first, renewal) = (price.registration.clone(), price.renewal.clone());
    view! {
        <h3>{crate::tr(|l| td_string!(l, buy.contact_title))}</h3>
        <p class="muted">{crate::tr(|l| td_string!(l, buy.contact_intro))}</p>
        <ActionForm action=buy attr:class="form" attr:novalidate=true>
            <input type="hidden" name="project_id" value=project_id/>
            <input type="hidden" name="domain" value=domain.clone()/>
            {field(ContactField::FirstName, |l| td_string!(l, buy.first_name), "Minji", None)}
            {field(ContactField::LastName, |l| td_string!(l, buy.last_name), "Kim", None)}
            {field(ContactField::Email, |l| td_string!(l, buy.email), "minji@example.com", Some(|l| td_string!(l, buy.email_hint)))}
            {field(ContactField::Phone, |l| td_string!(l, buy.phone), "+82.1012345678", Some(|l| td_string!(l, buy.phone_hint)))}
            {field(ContactField::AddressLine1, |l| td_string!(l, buy.address), "1 Gwanak-ro", None)}
            {field(ContactField::City, |l| td_string!(l, buy.city), "Seoul", None)}
            {field(ContactField::State, |l| td_string!(l, buy.state), "", Some(|l| td_string!(l, buy.state_hint)))}
            {field(ContactField::CountryCode, |l| td_string!(l, buy.country), "KR", Some(|l| td_string!(l, buy.country_hint)))}
            {field(ContactField::ZipCode, |l| td_string!(l, buy.zip), "08826", None)}
            <label class="confirm">
                <input type="checkbox" name="confirm_cents" value=price.registration_cents.to_string() data-testid="confirm-price"/>
                " " {let (domain, first) = (domain.clone(), first.clone());
                    crate::tr_with(move |l| td_string!(l, buy.confirm, domain = &domain, first = &first, renewal = &renewal).to_string())}
            </label>
            <div class="actions">
                <button type="submit" class="button primary" data-testid="buy" disabled=move || buy.pending().get()>
                    {crate::tr_with(move |l| td_string!(l, buy.buy, domain = &domain, price = &first).to_string())}
                </button>
            </div>
        </ActionForm>
    }
}

#[component]
fn MagicName(
    project_id: String,
    choices: DomainChoices,
    on_change: impl Fn() + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let use_it = ServerAction::<UseMagic>::new();
    let i18n = use_i18n();
    Effect::new(move |_| {
        if let Some(Ok(_)) = use_it.value().get() {
            on_change();
        }
    });
    let body = match choices.magic_unavailable.clone() {
        Some(why) => view! { <div class="error-box" role="alert"><p class="what">{move || why.said(i18n.get_locale() == Locale::ko).to_string()}</p></div> }.into_any(),
        None => view! {
            <ActionForm action=use_it attr:class="form">
                <input type="hidden" name="project_id" value=project_id/>
                {choices.magic.into_iter().enumerate().map(|(i, m)| view! {
                    <label class="choice">
                        <input type="radio" name="provider" value=m.provider.suffix() checked=i == 0 data-testid=format!("magic-{}", m.provider.suffix())/>
                        " " <code>{m.name.clone()}</code>
                    </label>
                }).collect_view()}
                // The third free choice (issue 24): no name, a certificate for the IP itself.
                {choices.ip.clone().map(|ip| {
                    let m = lockstep_domain::ipcert::ip_choice_explained(&ip);
                    view! {
                        <label class="choice">
                            <input type="radio" name="provider" value=lockstep_domain::ipcert::INSTANCE_IP data-testid="magic-ip"/>
                            " " <code>{format!("https://{ip}")}</code> " " {crate::tr(|l| td_string!(l, labels.source.instance_ip))}
                        </label>
                        <p class="hint" data-testid="ip-trade-off">{move || m.said(i18n.get_locale() == crate::i18n::Locale::ko).to_string()}</p>
                    }
                })}
                <div class="actions">
                    <button type="submit" class="button primary" data-testid="use-magic">{crate::tr(|l| td_string!(l, domain.use_magic))}</button>
                </div>
            </ActionForm>
        }
        .into_any(),
    };
    view! {
        <p>{crate::tr(|l| td_string!(l, domain.magic_intro))}</p>
        <div class="notice warn" data-testid="magic-warning">{move || crate::labels::magic_warning(i18n.get_locale())}</div>
        {body}
        {move || use_it.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
    }
}

/// What changed names need (a new certificate...), kept across the project page's reload.
#[derive(Clone, Copy)]
pub struct PlanRedo(pub RwSignal<Vec<lockstep_domain::Message>>);

/// The saved plan, editable name by name.
#[component]
fn PlanEditor(
    project_id: String,
    plan: NamePlan,
    on_change: impl Fn() + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let save = ServerAction::<SavePlan>::new();
    let current = RwSignal::new(plan);
    let i18n = use_i18n();
    let errors = move || match save.value().get() {
        Some(Ok(PlanOutcome::Invalid(e))) => e,
        _ => PlanErrors::default(),
    };
    Effect::new(move |_| {
        if let Some(Ok(PlanOutcome::Saved { plan, .. })) = save.value().get() {
            current.set(plan);
        }
    });
    let editing = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(Ok(PlanOutcome::Saved { redo, .. })) = save.value().get() {
            editing.set(false);
            // The other steps show the names (the free path's files, the frontend's aliases):
            // reload the project so they follow; what the new names need stays shown (it lives
            // above the reloaded part of the page).
            if let Some(PlanRedo(keep)) = use_context::<PlanRedo>() {
                keep.set(redo);
            }
            on_change();
        }
    });
    let input = current.get_untracked().to_input();
    let magic = !current.get_untracked().source.has_zone();
    view! {
        {move || {
            let p = current.get();
            view! {
                <p>
                    {t!(i18n, plan.uses_names,
                        source = move || crate::labels::source(i18n.get_locale(), p.source),
                        apex = view! { <code data-testid="zone-name">{p.apex.to_unicode()}</code> })}
                </p>
                <table class="plan" data-testid="name-plan">
                    <tbody>
                        <tr><th>{crate::tr(|l| td_string!(l, plan.frontend))}</th><td>{
                            if p.frontend.is_empty() {
                                view! { <span class="muted">{crate::tr(|l| td_string!(l, plan.own_name))}</span> }.into_any()
                            } else {
                                p.frontend.iter().map(|n| view! { <code>{n.to_unicode()}</code>" " }).collect_view().into_any()
                            }
                        }</td></tr>
                        <tr><th>{crate::tr(|l| td_string!(l, plan.backend_api))}</th><td><code data-testid="plan-api">{p.api.to_unicode()}</code></td></tr>
                        <tr><th>{crate::tr(|l| td_string!(l, plan.cors_origins))}</th><td>{p.cors_origins().join(", ")}</td></tr>
                    </tbody>
                </table>
            }
        }}
        {move || match use_context::<PlanRedo>().map(|r| r.0.get()).unwrap_or_default() {
            redo if !redo.is_empty() => view! {
                <div class="notice" data-testid="plan-redo">
                    <p><strong>{crate::tr(|l| td_string!(l, plan.saved_redo))}</strong></p>
                    <ul>{redo.into_iter().map(|r| view! { <li>{move || r.said(i18n.get_locale() == Locale::ko).to_string()}</li> }).collect_view()}</ul>
                </div>
            }.into_any(),
            _ => ().into_any(),
        }}
        <Show when=move || !editing.get()>
            <button type="button" class="button" data-testid="edit-plan" on:click=move |_| editing.set(true)>{crate::tr(|l| td_string!(l, plan.edit))}</button>
        </Show>
        {move || {
            let (project_id, input) = (project_id.clone(), input.clone());
            editing.get().then(move || view! {
            <ActionForm action=save attr:class="form" attr:novalidate=true>
                <input type="hidden" name="project_id" value=project_id/>
                {if magic {
                    view! { <input type="hidden" name="frontend" value=""/> }.into_any()
                } else {
                    view! {
                        <div class="field" class:invalid=move || errors().frontend.is_some()>
                            <label for="plan-frontend">{crate::tr(|l| td_string!(l, plan.frontend_names))}</label>
                            <input id="plan-frontend" name="frontend" value=input.frontend/>
                            {move || match errors().frontend_said(i18n.get_locale() == Locale::ko).map(str::to_string) {
                                Some(m) => view! { <p class="field-error" data-testid="error-frontend" role="alert">{m}</p> }.into_any(),
                                None => view! { <p class="hint">{crate::tr(|l| td_string!(l, plan.frontend_names_hint))}</p> }.into_any(),
                            }}
                        </div>
                    }.into_any()
                }}
                <div class="field" class:invalid=move || errors().api.is_some()>
                    <label for="plan-api">{crate::tr(|l| td_string!(l, common.api_name))}</label>
                    <input id="plan-api" name="api" value=input.api/>
                    {move || match errors().api_said(i18n.get_locale() == Locale::ko).map(str::to_string) {
                        Some(m) => view! { <p class="field-error" data-testid="error-api" role="alert">{m}</p> }.into_any(),
                        None => view! { <p class="hint">{crate::tr(|l| td_string!(l, plan.api_hint))}</p> }.into_any(),
                    }}
                </div>
                <div class="actions">
                    <button type="submit" class="button primary" data-testid="save-plan">{crate::tr(|l| td_string!(l, plan.save))}</button>
                    <button type="button" class="button" on:click=move |_| editing.set(false)>{crate::tr(|l| td_string!(l, common.cancel))}</button>
                </div>
            </ActionForm>
            })
        }}
        {move || save.value().get().and_then(Result::err).map(|e| view! { <ErrorBox error=e/> })}
    }
}
