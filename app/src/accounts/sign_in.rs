//! Signing in and the ways into an account: the first-run page, sign-in, sign-up, invite
//! links and password reset links.

use super::api::*;
use super::{follow, problem_for, role_label};
use crate::i18n::*;
use crate::model::*;
use crate::ErrorBox;
use crate::FormField;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use lockstep_domain::account::MIN_PASSWORD;

/// The first run: nobody exists yet, so this makes the first owner and their team.
#[component]
pub fn SetupPage() -> impl IntoView {
    let setup = ServerAction::<SetupOwner>::new();
    let problems = RwSignal::new(Vec::new());
    let refusal = RwSignal::new(None);
    let then_sign_in = RwSignal::new(None);
    Effect::new(move |_| follow(setup.value().get(), problems, refusal, then_sign_in));
    view! {
        <h1>{crate::tr(|l| td_string!(l, account.welcome))}</h1>
        <p class="muted">{crate::tr(|l| td_string!(l, account.setup_intro))}</p>
        {move || refusal.get().map(|e| view! { <ErrorBox error=e/> })}
        <ActionForm action=setup attr:class="form" attr:novalidate=true attr:data-testid="setup-form">
            <FormField label=|l| td_string!(l, account.your_name) name="name" hint=|l| td_string!(l, account.your_name_hint) error=problem_for(problems, "name")>
                <input name="name" id="name" autocomplete="name"/>
            </FormField>
            <FormField label=|l| td_string!(l, account.email) name="email" hint=|l| td_string!(l, account.email_hint) error=problem_for(problems, "email")>
                <input name="email" id="email" type="email" autocomplete="email"/>
            </FormField>
            <FormField label=|l| td_string!(l, account.password) name="password" hint=|l| td_string!(l, account.password_hint) error=problem_for(problems, "password")>
                <input name="password" id="password" type="password" autocomplete="new-password" minlength=MIN_PASSWORD.to_string()/>
            </FormField>
            <FormField label=|l| td_string!(l, account.team_name) name="team" hint=|l| td_string!(l, account.setup_team_hint) error=problem_for(problems, "team")>
                <input name="team" id="team" autocomplete="off"/>
            </FormField>
            <div class="actions">
                <button type="submit" class="button primary" data-testid="setup-submit" disabled=move || setup.pending().get()>
                    {move || if setup.pending().get() { crate::tr(|l| td_string!(l, account.creating)).into_any() } else { crate::tr(|l| td_string!(l, account.create_owner)).into_any() }}
                </button>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let next = Signal::derive(move || query.read().get("next").unwrap_or_else(|| "/".into()));
    view! {
        <h1>{crate::tr(|l| td_string!(l, account.sign_in))}</h1>
        <SignInForm next email=String::new()>
            <A href="/signup" attr:class="button">{crate::tr(|l| td_string!(l, account.create_account))}</A>
        </SignInForm>
        <p class="muted">{crate::tr(|l| td_string!(l, account.signin_invite_hint))}</p>
        <p class="muted" data-testid="forgot-hint">{crate::tr(|l| td_string!(l, account.forgot_hint))}</p>
    }
}

/// The sign-in form: on the sign-in page, and in place after a sign-up or a password reset
/// with `email` filled in. Goes on to `next` once signed in.
#[component]
fn SignInForm(
    #[prop(into)] next: Signal<String>,
    email: String,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let problems = RwSignal::new(Vec::new());
    let refusal = RwSignal::new(None);
    let unused = RwSignal::new(None);
    Effect::new(move |_| follow(sign_in.value().get(), problems, refusal, unused));
    view! {
        {move || refusal.get().map(|e| view! { <div data-testid="signin-refused"><ErrorBox error=e/></div> })}
        <ActionForm action=sign_in attr:class="form" attr:novalidate=true attr:data-testid="signin-form">
            <input type="hidden" name="next" value=next/>
            <FormField label=|l| td_string!(l, account.email) name="email" hint=|_| "" error=problem_for(problems, "email")>
                <input name="email" id="email" type="email" autocomplete="username" value=email/>
            </FormField>
            <FormField label=|l| td_string!(l, account.password) name="password" hint=|_| "" error=problem_for(problems, "password")>
                <input name="password" id="password" type="password" autocomplete="current-password"/>
            </FormField>
            <div class="actions">
                <button type="submit" class="button primary" data-testid="signin-submit" disabled=move || sign_in.pending().get()>
                    {move || if sign_in.pending().get() { crate::tr(|l| td_string!(l, account.signing_in)).into_any() } else { crate::tr(|l| td_string!(l, account.sign_in)).into_any() }}
                </button>
                {children.map(|c| c())}
            </div>
        </ActionForm>
    }
}

/// After a sign-up or a password reset: what happened (a sign-up's words fit whether or not
/// the address already had an account), then the sign-in form with the address filled in.
#[component]
fn ThenSignIn(next: String, email: String, notice: fn(Locale) -> &'static str) -> impl IntoView {
    view! {
        <div class="notice ok" data-testid="then-sign-in"><p>{crate::tr(notice)}</p></div>
        <SignInForm next=next email/>
    }
}

/// A new account: with an invite token it joins that team, else it makes the person's team.
/// Nothing typed is lost on an error; once accepted, the sign-in form takes its place.
#[component]
fn SignUpForm(invite: Option<String>) -> impl IntoView {
    let sign_up = ServerAction::<SignUp>::new();
    let problems = RwSignal::new(Vec::new());
    let refusal = RwSignal::new(None);
    let then_sign_in = RwSignal::new(None::<String>);
    Effect::new(move |_| follow(sign_up.value().get(), problems, refusal, then_sign_in));
    // The address as sent (the action forgets its input once answered), for the sign-in form.
    let typed_email = RwSignal::new(String::new());
    Effect::new(move |_| {
        if let Some(sent) = sign_up.input().get() {
            typed_email.set(sent.email);
        }
    });
    let with_team = invite.is_none();
    let invite = invite.unwrap_or_default();
    move || match then_sign_in.get() {
        Some(next) => view! {
            <ThenSignIn next email=typed_email.get_untracked() notice=|l| td_string!(l, account.signed_up)/>
        }
        .into_any(),
        None => {
            let invite = invite.clone();
            view! {
                {move || refusal.get().map(|e| view! { <div data-testid="signup-refused"><ErrorBox error=e/></div> })}
                <ActionForm action=sign_up attr:class="form" attr:novalidate=true attr:data-testid="signup-form">
                    <input type="hidden" name="invite" value=invite/>
                    <FormField label=|l| td_string!(l, account.your_name) name="name" hint=|l| td_string!(l, account.your_name_hint) error=problem_for(problems, "name")>
                        <input name="name" id="name" autocomplete="name"/>
                    </FormField>
                    <FormField label=|l| td_string!(l, account.email) name="email" hint=|l| td_string!(l, account.email_hint) error=problem_for(problems, "email")>
                        <input name="email" id="email" type="email" autocomplete="email"/>
                    </FormField>
                    <FormField label=|l| td_string!(l, account.password) name="password" hint=|l| td_string!(l, account.password_hint) error=problem_for(problems, "password")>
                        <input name="password" id="password" type="password" autocomplete="new-password"/>
                    </FormField>
                    {with_team.then(|| view! {
                        <FormField label=|l| td_string!(l, account.team_name) name="team" hint=|l| td_string!(l, account.signup_team_hint) error=problem_for(problems, "team")>
                            <input name="team" id="team" autocomplete="off"/>
                        </FormField>
                    })}
                    <div class="actions">
                        <button type="submit" class="button primary" data-testid="signup-submit" disabled=move || sign_up.pending().get()>
                            {move || if sign_up.pending().get() { crate::tr(|l| td_string!(l, account.creating)).into_any() } else { crate::tr(|l| td_string!(l, account.create_my_account)).into_any() }}
                        </button>
                    </div>
                </ActionForm>
            }
            .into_any()
        }
    }
}

/// `/signup`: says before anything is typed whether this server lets people sign up without
/// an invite link.
#[component]
pub fn SignUpPage() -> impl IntoView {
    let session = Resource::new(|| (), |_| get_session_info());
    view! {
        <h1>{crate::tr(|l| td_string!(l, account.create_account))}</h1>
        <Transition fallback=|| view! { <p class="muted">{crate::tr(|l| td_string!(l, common.loading))}</p> }>
            {move || Suspend::new(async move {
                // Not known: shown as closed (the server refuses anyway).
                let domains = session.await.map(|s| s.signup_domains).unwrap_or_default();
                view! { <SignUpBody domains/> }
            })}
        </Transition>
        <p><A href="/signin">{crate::tr(|l| td_string!(l, account.have_account))}</A></p>
    }
}

/// The sign-up page for a server open to `domains` (empty: by invitation only, no form).
#[component]
pub(super) fn SignUpBody(domains: Vec<String>) -> impl IntoView {
    if domains.is_empty() {
        return view! {
            <div class="notice warn" data-testid="signup-closed">
                <p>{crate::tr(|l| td_string!(l, account.signup_closed))}</p>
                <p>{crate::tr(|l| td_string!(l, account.signup_closed_fix))}</p>
            </div>
        }
        .into_any();
    }
    let list = domains.join(", ");
    view! {
        <p class="muted">{crate::tr(|l| td_string!(l, account.signup_intro))}</p>
        <p class="notice" data-testid="signup-domains">{crate::tr_with(move |l| td_string!(l, account.signup_domains, domains = &list).to_string())}</p>
        <SignUpForm invite=None/>
    }
    .into_any()
}

/// `/invite/:token`: what the link offers, then join (signed in) or sign up to join.
#[component]
pub fn InvitePage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let info = Resource::new(token, get_invite_info);
    let session = Resource::new(|| (), |_| get_session_info());
    let accept = ServerAction::<AcceptInvite>::new();
    let problems = RwSignal::new(Vec::new());
    let refusal = RwSignal::new(None);
    let then_sign_in = RwSignal::new(None);
    Effect::new(move |_| follow(accept.value().get(), problems, refusal, then_sign_in));
    view! {
        <h1>{crate::tr(|l| td_string!(l, account.join_team_title))}</h1>
        <Transition fallback=|| view! { <p class="muted">{crate::tr(|l| td_string!(l, common.loading))}</p> }>
            {move || Suspend::new(async move {
                let t = token();
                match (info.await, session.await) {
                    (Ok(i), Ok(s)) => {
                        let (team, role) = (i.team_name, i.role);
                        let offer = crate::tr_with(move |l| td_string!(l, account.invite_offer, team = &team, role = role_label(l, role)).to_string());
                        match s.me {
                            Some(me) => view! {
                                <p data-testid="invite-offer">{offer}</p>
                                <p class="muted">{crate::tr_with(move |l| td_string!(l, account.signed_in_as, name = &me.name, email = &me.email).to_string())}</p>
                                {move || refusal.get().map(|e| view! { <ErrorBox error=e/> })}
                                <ActionForm action=accept>
                                    <input type="hidden" name="token" value=t.clone()/>
                                    <button type="submit" class="button primary" data-testid="accept-invite">{crate::tr(|l| td_string!(l, account.join_team))}</button>
                                </ActionForm>
                            }.into_any(),
                            None => view! {
                                <p data-testid="invite-offer">{offer}</p>
                                <p>{crate::tr(|l| td_string!(l, account.new_to_lockstep))} " "
                                    <A href=format!("/signin?next=/invite/{t}")>{crate::tr(|l| td_string!(l, account.have_account))}</A></p>
                                <SignUpForm invite=Some(t.clone())/>
                            }.into_any(),
                        }
                    }
                    (Err(e), _) | (_, Err(e)) => view! { <div data-testid="invite-gone"><ErrorBox error=e/></div> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// `/reset/:token`: a one-time link an owner made; sets a new password, then offers sign-in.
#[component]
pub fn ResetPage() -> impl IntoView {
    let params = use_params_map();
    let token = move || params.read().get("token").unwrap_or_default();
    let info = Resource::new(token, get_reset_info);
    view! {
        <h1>{crate::tr(|l| td_string!(l, account.reset_title))}</h1>
        <Transition fallback=|| view! { <p class="muted">{crate::tr(|l| td_string!(l, common.loading))}</p> }>
            {move || Suspend::new(async move {
                match info.await {
                    Ok(i) => view! { <ResetForm token=token() info=i/> }.into_any(),
                    Err(e) => view! { <div data-testid="reset-gone"><ErrorBox error=e/></div> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ResetForm(token: String, info: ResetInfo) -> impl IntoView {
    let reset = ServerAction::<ResetPassword>::new();
    let problems = RwSignal::new(Vec::new());
    let refusal = RwSignal::new(None);
    let then_sign_in = RwSignal::new(None::<String>);
    Effect::new(move |_| follow(reset.value().get(), problems, refusal, then_sign_in));
    let ResetInfo { name, email, .. } = info;
    move || match then_sign_in.get() {
        Some(next) => {
            view! { <ThenSignIn next email=email.clone() notice=|l| td_string!(l, account.password_set)/> }.into_any()
        }
        None => {
            let (name, email, token) = (name.clone(), email.clone(), token.clone());
            view! {
                <p data-testid="reset-for">{crate::tr_with(move |l| td_string!(l, account.reset_for, name = &name, email = &email).to_string())}</p>
                {move || refusal.get().map(|e| view! { <div data-testid="reset-refused"><ErrorBox error=e/></div> })}
                <ActionForm action=reset attr:class="form" attr:novalidate=true attr:data-testid="reset-form">
                    <input type="hidden" name="token" value=token/>
                    <FormField label=|l| td_string!(l, account.new_password) name="password" hint=|l| td_string!(l, account.password_hint) error=problem_for(problems, "password")>
                        <input name="password" id="password" type="password" autocomplete="new-password"/>
                    </FormField>
                    <div class="actions">
                        <button type="submit" class="button primary" data-testid="reset-submit" disabled=move || reset.pending().get()>
                            {move || if reset.pending().get() { crate::tr(|l| td_string!(l, account.setting)).into_any() } else { crate::tr(|l| td_string!(l, account.set_password)).into_any() }}
                        </button>
                    </div>
                </ActionForm>
            }
            .into_any()
        }
    }
}
