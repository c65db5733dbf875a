//! People and teams: the first-run page, sign-in, sign-up, invite links, a team's page, the
//! person's own account page (password change), password reset links, and the signed-in
//! person's menu in the top bar.
//!
//! A sign-up or a password reset signs nobody in: the page then shows the sign-in form in
//! place, with the address already filled in (see [`AuthOutcome::SignIn`] for why).

use crate::api::*;
use crate::i18n::*;
use crate::model::*;
use crate::pages::FormField;
use crate::ErrorBox;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use lockstep_domain::account::{FieldProblem, Role, MIN_PASSWORD};

/// After signing in or out the session cookie changed: load the next page from the server,
/// so every part of it (the top bar too) is rendered for the new session.
fn go(to: &str) {
    #[cfg(feature = "hydrate")]
    {
        if let Some(w) = web_sys::window() {
            let _ = w.location().assign(to);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = to;
}

/// The message for `field` among the problems, if any.
/// The server's message for `field`, in the page's language (following a switch).
pub(crate) fn problem_for(
    problems: RwSignal<Vec<FieldProblem>>,
    field: &'static str,
) -> impl Fn() -> Option<String> + Copy {
    let i18n = use_i18n();
    move || {
        let korean = i18n.get_locale() == Locale::ko;
        problems.with(|p| p.iter().find(|e| e.field == field).map(|e| e.said(korean).to_string()))
    }
}

/// Follows an [`AuthOutcome`]: go on when done, else show the field problems or the refusal;
/// [`AuthOutcome::SignIn`] puts where to go after signing in into `then_sign_in`.
fn follow(
    outcome: Option<Result<AuthOutcome, AppError>>,
    problems: RwSignal<Vec<FieldProblem>>,
    refusal: RwSignal<Option<AppError>>,
    then_sign_in: RwSignal<Option<String>>,
) {
    match outcome {
        Some(Ok(AuthOutcome::Done { next })) => go(&next),
        Some(Ok(AuthOutcome::SignIn { next })) => {
            problems.set(Vec::new());
            refusal.set(None);
            then_sign_in.set(Some(next));
        }
        Some(Ok(AuthOutcome::Invalid(p))) => {
            refusal.set(None);
            problems.set(p);
        }
        Some(Ok(AuthOutcome::Refused(e))) => {
            problems.set(Vec::new());
            refusal.set(Some(AppError::User(e)));
        }
        Some(Err(e)) => refusal.set(Some(e)),
        None => {}
    }
}

/// A full link to `path` on this lockstep (the browser knows the address people use).
fn full_link(path: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default() + path
    }
    #[cfg(not(feature = "hydrate"))]
    {
        path.to_string()
    }
}

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
fn SignUpBody(domains: Vec<String>) -> impl IntoView {
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

/// A role's name in a locale; the English names are the roles' keys (`Role::key`, which the
/// forms send and data attributes use).
pub(crate) fn role_label(l: Locale, role: Role) -> &'static str {
    role_text(role)(l)
}

/// A role's name as a text of the locale files, for `crate::tr(role_text(role))`.
pub(crate) fn role_text(role: Role) -> fn(Locale) -> &'static str {
    match role {
        Role::Owner => |l| td_string!(l, team.role.owner),
        Role::Member => |l| td_string!(l, team.role.member),
        Role::Viewer => |l| td_string!(l, team.role.viewer),
    }
}

/// What a role may do, as a text of the locale files.
fn role_help(role: Role) -> fn(Locale) -> &'static str {
    match role {
        Role::Owner => |l| td_string!(l, team.role_help.owner),
        Role::Member => |l| td_string!(l, team.role_help.member),
        Role::Viewer => |l| td_string!(l, team.role_help.viewer),
    }
}

/// The signed-in person in the top bar: their teams and "Sign out".
#[component]
pub fn UserMenu() -> impl IntoView {
    let session = Resource::new(|| (), |_| get_session_info());
    let sign_out = ServerAction::<SignOut>::new();
    // The signed-in person's own language choice wins over the browser's, on every device.
    let current = crate::locale_key();
    Effect::new(move |_| {
        if let Some(Ok(SessionInfo { me: Some(Me { locale: Some(l), .. }), .. })) = session.get() {
            if current != Some(l.as_str()) {
                crate::set_locale_by_key(&l);
            }
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            go("/signin");
        }
    });
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                session.await.ok().and_then(|s| s.me).map(|me| view! {
                    <nav class="user-menu" data-testid="user-menu">
                        {me.teams.into_iter().map(|t| view! {
                            <A href=format!("/teams/{}", t.id) attr:class="team-link">{t.name}</A>
                        }).collect_view()}
                        <A href="/account" attr:class="who" attr:data-testid="signed-in-as">{me.name}</A>
                        <ActionForm action=sign_out attr:class="inline">
                            <button type="submit" class="button small" data-testid="sign-out">{crate::tr(|l| td_string!(l, account.sign_out))}</button>
                        </ActionForm>
                    </nav>
                })
            })}
        </Suspense>
    }
}

/// `/teams/:id`: the people, their roles, invite links, and the team's AWS access.
#[component]
pub fn TeamPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    // Blocking, like the project page's: an unknown or foreign team answers 404 every time.
    let team = Resource::new_blocking(id, get_team);
    view! {
        <Transition fallback=|| view! { <p class="muted">{crate::tr(|l| td_string!(l, team.loading))}</p> }>
            {move || Suspend::new(async move {
                match team.await {
                    Ok(t) => view! { <TeamBody team=t on_change=move || team.refetch()/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> <p><A href="/">{crate::tr(|l| td_string!(l, common.back_to_projects))}</A></p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn TeamBody(team: TeamView, on_change: impl Fn() + Send + Sync + Copy + 'static) -> impl IntoView {
    let owner = team.my_role == Role::Owner;
    let set_role = ServerAction::<SetMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let reset = ServerAction::<CreateResetLink>::new();
    let refusal = RwSignal::new(None::<AppError>);
    let outcome = move |v: Option<Result<ActionOutcome, AppError>>| match v {
        Some(Ok(ActionOutcome::Done)) => {
            refusal.set(None);
            on_change();
        }
        Some(Ok(ActionOutcome::Refused(e))) => refusal.set(Some(AppError::User(e))),
        Some(Ok(ActionOutcome::Invalid(p))) => refusal.set(p.first().map(|p| {
            AppError::User(lockstep_domain::UserError {
                // The field problem's own Korean, shown in the error box.
                ko: lockstep_domain::ko(p.said(true), String::new(), String::new()),
                what: p.message.clone(),
                why: String::new(),
                fix: String::new(),
            })
        })),
        Some(Err(e)) => refusal.set(Some(e)),
        None => {}
    };
    Effect::new(move |_| outcome(set_role.value().get()));
    Effect::new(move |_| outcome(remove.value().get()));
    let team_id = team.id.clone();
    let my_role = team.my_role;
    let i18n = use_i18n();
    view! {
        <div class="page-head">
            <h1 data-testid="team-name">{team.name.clone()}</h1>
            <span class="badge" data-testid="my-role">{crate::tr_with(move |l| td_string!(l, team.you_role, role = role_label(l, my_role)).to_string())}</span>
        </div>
        {move || refusal.get().map(|e| view! { <ErrorBox error=e/> })}
        <section class="step-card">
            <h2>{crate::tr(|l| td_string!(l, team.people))}</h2>
            <table class="members" data-testid="members">
                <thead><tr><th>{crate::tr(|l| td_string!(l, team.name))}</th><th>{crate::tr(|l| td_string!(l, account.email))}</th><th>{crate::tr(|l| td_string!(l, team.role_heading))}</th>{owner.then(|| view! { <th></th> })}</tr></thead>
                <tbody>
                    {team.members.into_iter().map(|m| {
                        let tid = team_id.clone();
                        let tid2 = team_id.clone();
                        let tid3 = team_id.clone();
                        let uid = m.user_id.clone();
                        let uid2 = m.user_id.clone();
                        let uid3 = m.user_id.clone();
                        view! {
                            <tr data-testid="member">
                                <td>{m.name.clone()}</td>
                                <td>{m.email.clone()}</td>
                                <td>{if owner {
                                    view! {
                                        <ActionForm action=set_role attr:class="inline">
                                            <input type="hidden" name="team_id" value=tid/>
                                            <input type="hidden" name="user_id" value=uid/>
                                            <select name="role" data-testid="member-role">
                                                {Role::ALL.into_iter().map(|r| view! { <option value=r.key() selected=r == m.role>{crate::tr(role_text(r))}</option> }).collect_view()}
                                            </select>
                                            <button type="submit" class="button small">{crate::tr(|l| td_string!(l, team.change))}</button>
                                        </ActionForm>
                                    }.into_any()
                                } else {
                                    view! { <span>{crate::tr(role_text(m.role))}</span> }.into_any()
                                }}</td>
                                {owner.then(|| view! {
                                    <td>
                                        <ActionForm action=remove attr:class="inline">
                                            <input type="hidden" name="team_id" value=tid2/>
                                            <input type="hidden" name="user_id" value=uid2/>
                                            <button type="submit" class="button small danger">{crate::tr(|l| td_string!(l, team.remove))}</button>
                                        </ActionForm>
                                        " "
                                        <ActionForm action=reset attr:class="inline">
                                            <input type="hidden" name="team_id" value=tid3/>
                                            <input type="hidden" name="user_id" value=uid3/>
                                            <button type="submit" class="button small" data-testid="make-reset-link">{crate::tr(|l| td_string!(l, team.reset_link))}</button>
                                        </ActionForm>
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <ul class="muted role-help">
                {Role::ALL.into_iter().map(|r| view! { <li><strong>{crate::tr(role_text(r))}</strong>": "{crate::tr(role_help(r))}</li> }).collect_view()}
            </ul>
            {move || reset.value().get().map(|v| match v {
                Ok(ResetLinkOutcome::Created { path, name, .. }) => view! {
                    <div class="notice" data-testid="reset-panel">
                        <p>{crate::tr_with(move |l| td_string!(l, team.reset_made, name = &name).to_string())}</p>
                        <p><code data-testid="reset-link">{full_link(&path)}</code></p>
                    </div>
                }.into_any(),
                Ok(ResetLinkOutcome::Refused(e)) => view! { <ErrorBox error=AppError::User(e)/> }.into_any(),
                Err(e) => view! { <ErrorBox error=e/> }.into_any(),
            })}
        </section>
        {owner.then(|| view! { <InvitePanel team_id=team.id.clone()/> })}
        <section class="step-card">
            <h2>{crate::tr(|l| td_string!(l, team.aws_access))}</h2>
            {match team.aws_role_arn.clone() {
                Some(arn) => view! { <p>{t!(i18n, team.assumes_role, arn, <code> = <code data-testid="team-role-arn"/>)}</p> }.into_any(),
                None if team.server_credentials => view! { <p data-testid="team-role-arn">{crate::tr(|l| td_string!(l, team.server_credentials))}</p> }.into_any(),
                None => view! { <p data-testid="team-role-arn">{crate::tr(|l| td_string!(l, team.no_aws_role))}</p> }.into_any(),
            }}
            {team.aws_external_id.clone().map(|ext| view! {
                <p class="muted">{t!(i18n, team.own_account, ext, <code> = <code data-testid="team-external-id"/>)}</p>
                {team.trust_policy.clone().map(|policy| view! {
                    <p class="muted">{crate::tr(|l| td_string!(l, team.trust_policy_intro))}</p>
                    <pre class="policy" data-testid="trust-policy"><code>{policy.clone()}</code></pre>
                    <crate::timeline::CopyButton text=policy/>
                })}
                <RoleForm team_id=team.id.clone() on_change=on_change/>
            })}
        </section>
    }
}

#[component]
fn RoleForm(team_id: String, on_change: impl Fn() + Send + Sync + Copy + 'static) -> impl IntoView {
    let set = ServerAction::<SetTeamRole>::new();
    let problems = RwSignal::new(Vec::new());
    Effect::new(move |_| match set.value().get() {
        Some(Ok(ActionOutcome::Done)) => {
            problems.set(Vec::new());
            on_change();
        }
        Some(Ok(ActionOutcome::Invalid(p))) => problems.set(p),
        _ => {}
    });
    view! {
        <ActionForm action=set attr:class="form" attr:novalidate=true>
            <input type="hidden" name="team_id" value=team_id/>
            <FormField label=|l| td_string!(l, team.role_arn) name="role_arn" hint=|l| td_string!(l, team.role_arn_hint) error=problem_for(problems, "role_arn")>
                <input name="role_arn" id="role_arn" placeholder="arn:aws:iam::123456789012:role/lockstep" autocomplete="off"/>
            </FormField>
            <div class="actions"><button type="submit" class="button">{crate::tr(|l| td_string!(l, team.save_aws_access))}</button></div>
        </ActionForm>
    }
}

#[component]
fn InvitePanel(team_id: String) -> impl IntoView {
    let invite = ServerAction::<CreateInvite>::new();
    view! {
        <section class="step-card" data-testid="invite-panel">
            <h2>{crate::tr(|l| td_string!(l, team.invite_title))}</h2>
            <ActionForm action=invite attr:class="inline">
                <input type="hidden" name="team_id" value=team_id/>
                <label for="invite-role">{crate::tr(|l| td_string!(l, team.invite_as))} " "</label>
                <select name="role" id="invite-role" data-testid="invite-role">
                    <option value="member" selected=true>{crate::tr(role_text(Role::Member))}</option>
                    <option value="viewer">{crate::tr(role_text(Role::Viewer))}</option>
                    <option value="owner">{crate::tr(role_text(Role::Owner))}</option>
                </select>
                " "
                <button type="submit" class="button primary" data-testid="create-invite">{crate::tr(|l| td_string!(l, team.make_invite))}</button>
            </ActionForm>
            {move || invite.value().get().map(|v| match v {
                Ok(InviteOutcome::Created { path, role, .. }) => view! {
                    <p>{crate::tr_with(move |l| td_string!(l, team.invite_made, role = role_label(l, role)).to_string())}</p>
                    <p><code data-testid="invite-link">{full_link(&path)}</code></p>
                }.into_any(),
                Ok(InviteOutcome::Refused(e)) => view! { <ErrorBox error=AppError::User(e)/> }.into_any(),
                Err(e) => view! { <ErrorBox error=e/> }.into_any(),
            })}
        </section>
    }
}

/// `/account`: who is signed in, and changing the password (which signs out every other
/// session of the account).
#[component]
pub fn AccountPage() -> impl IntoView {
    let session = Resource::new(|| (), |_| get_session_info());
    let change = ServerAction::<ChangePassword>::new();
    let problems = RwSignal::new(Vec::new());
    let refusal = RwSignal::new(None::<AppError>);
    let changed = RwSignal::new(false);
    Effect::new(move |_| match change.value().get() {
        Some(Ok(ActionOutcome::Done)) => {
            problems.set(Vec::new());
            refusal.set(None);
            changed.set(true);
        }
        Some(Ok(ActionOutcome::Invalid(p))) => {
            refusal.set(None);
            changed.set(false);
            problems.set(p);
        }
        Some(Ok(ActionOutcome::Refused(e))) => {
            problems.set(Vec::new());
            changed.set(false);
            refusal.set(Some(AppError::User(e)));
        }
        Some(Err(e)) => refusal.set(Some(e)),
        None => {}
    });
    view! {
        <h1>{crate::tr(|l| td_string!(l, account.account_title))}</h1>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                session.await.ok().and_then(|s| s.me).map(|me| view! {
                    <p class="muted" data-testid="account-who">{crate::tr_with(move |l| td_string!(l, account.signed_in_as, name = &me.name, email = &me.email).to_string())}</p>
                })
            })}
        </Suspense>
        <section class="step-card">
            <h2>{crate::tr(|l| td_string!(l, account.change_password))}</h2>
            <p class="muted">{crate::tr(|l| td_string!(l, account.change_password_intro))}</p>
            {move || changed.get().then(|| view! { <div class="notice ok" data-testid="password-changed"><p>{crate::tr(|l| td_string!(l, account.password_changed))}</p></div> })}
            {move || refusal.get().map(|e| view! { <ErrorBox error=e/> })}
            <ActionForm action=change attr:class="form" attr:novalidate=true attr:data-testid="change-password-form">
                <FormField label=|l| td_string!(l, account.current_password) name="current_password" hint=|_| "" error=problem_for(problems, "current_password")>
                    <input name="current_password" id="current_password" type="password" autocomplete="current-password"/>
                </FormField>
                <FormField label=|l| td_string!(l, account.new_password) name="new_password" hint=|l| td_string!(l, account.password_hint) error=problem_for(problems, "new_password")>
                    <input name="new_password" id="new_password" type="password" autocomplete="new-password"/>
                </FormField>
                <div class="actions">
                    <button type="submit" class="button primary" data-testid="change-password-submit" disabled=move || change.pending().get()>
                        {move || if change.pending().get() { crate::tr(|l| td_string!(l, account.changing)).into_any() } else { crate::tr(|l| td_string!(l, account.change_password)).into_any() }}
                    </button>
                </div>
            </ActionForm>
        </section>
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

/// `/teams/new`.
#[component]
pub fn NewTeamPage() -> impl IntoView {
    let create = ServerAction::<CreateTeam>::new();
    let problems = RwSignal::new(Vec::new());
    Effect::new(move |_| match create.value().get() {
        Some(Ok(TeamOutcome::Created(id))) => go(&format!("/teams/{id}")),
        Some(Ok(TeamOutcome::Invalid(p))) => problems.set(p),
        _ => {}
    });
    view! {
        <h1>{crate::tr(|l| td_string!(l, team.new_team))}</h1>
        <ActionForm action=create attr:class="form" attr:novalidate=true>
            <FormField label=|l| td_string!(l, account.team_name) name="name" hint=|l| td_string!(l, team.new_team_hint) error=problem_for(problems, "name")>
                <input name="name" id="name" autocomplete="off"/>
            </FormField>
            <div class="actions"><button type="submit" class="button primary" data-testid="create-team">{crate::tr(|l| td_string!(l, team.create_team))}</button></div>
        </ActionForm>
    }
}

/// The team page and the sign-up page as the server renders them, in both languages.
#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    /// The page's text without tags or hydration markers.
    fn render(accept_language: &str, page: fn() -> AnyView) -> String {
        let (parts, ()) = http::Request::builder()
            .header("accept-language", accept_language)
            .body(())
            .expect("a request")
            .into_parts();
        let _ = any_spawner::Executor::init_futures_executor();
        let html = Owner::new().with(|| {
            provide_context(parts);
            provide_context(leptos_router::location::RequestUrl::new("/teams/t1"));
            view! {
                <crate::i18n::I18nContextProvider cookie_options=crate::language_cookie()>
                    <leptos_router::components::Router>{page()}</leptos_router::components::Router>
                </crate::i18n::I18nContextProvider>
            }
            .to_html()
        });
        let (mut text, mut in_tag) = (String::new(), false);
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        text
    }

    fn team() -> AnyView {
        let team = TeamView {
            id: "t1".into(),
            name: "Team 7".into(),
            my_role: Role::Owner,
            members: vec![MemberView {
                user_id: "u1".into(),
                name: "Minji".into(),
                email: "minji@example.ac.kr".into(),
                role: Role::Viewer,
                joined_at: 0,
            }],
            aws_role_arn: Some("arn:aws:iam::123456789012:role/lockstep".into()),
            server_credentials: false,
            aws_external_id: Some("ext-123".into()),
            trust_policy: Some(lockstep_domain::account::trust_policy("123456789012", "ext-123")),
        };
        view! { <TeamBody team on_change=|| ()/> }.into_any()
    }

    fn sign_up() -> AnyView {
        view! { <SignUpBody domains=vec!["example.ac.kr".into()]/> }.into_any()
    }

    fn sign_up_closed() -> AnyView {
        view! { <SignUpBody domains=Vec::new()/> }.into_any()
    }

    #[test]
    fn team_page_in_english_is_unchanged() {
        let text = render("en", team);
        for expected in [
            "you: owner",
            "lockstep assumes the role arn:aws:iam::123456789012:role/lockstep for this team's projects.",
            "requires the external id ext-123, then paste its ARN here.",
            "viewer: sees projects, history and timelines; changes nothing",
            "as member",
            "Make an invite link",
            "with lockstep's AWS account and your team's external id filled in:",
            "\"AWS\": \"arn:aws:iam::123456789012:root\"",
            "\"sts:ExternalId\": \"ext-123\"",
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
    }

    #[test]
    fn team_page_in_korean() {
        let text = render("ko-KR,ko;q=0.9", team);
        for expected in [
            "내 역할: 소유자",
            "arn:aws:iam::123456789012:role/lockstep 역할을 수임",
            "뷰어: ",
            "초대 링크 만들기",
            "역할의 신뢰 정책이에요",
        ] {
            assert!(text.contains(expected), "{expected:?} in {text}");
        }
        assert!(!text.contains("Make an invite link"), "{text}");
    }

    #[test]
    fn sign_up_page_in_both_languages() {
        let en = render("en", sign_up);
        assert!(en.contains("Create my account") && en.contains("At least 10 characters."), "{en}");
        assert!(en.contains("Addresses at example.ac.kr can sign up here"), "{en}");
        let ko = render("ko", sign_up);
        assert!(ko.contains("가입하기") && ko.contains("10자 이상"), "{ko}");
        assert!(ko.contains("example.ac.kr 주소"), "{ko}");
    }

    #[test]
    fn a_closed_sign_up_page_says_so_before_anything_is_typed() {
        let en = render("en", sign_up_closed);
        assert!(en.contains("Sign-up on this lockstep server is by invitation"), "{en}");
        assert!(en.contains("Ask the owner of the team you are joining"), "{en}");
        assert!(!en.contains("Create my account"), "no form to fill in for nothing: {en}");
        let ko = render("ko", sign_up_closed);
        assert!(ko.contains("초대") && ko.contains("팀 소유자"), "{ko}");
    }
}
