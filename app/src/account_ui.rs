//! People and teams: the first-run page, sign-in, sign-up, invite links, a team's page, and
//! the signed-in person's menu in the top bar.

use crate::api::*;
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
fn problem_for(problems: RwSignal<Vec<FieldProblem>>, field: &'static str) -> impl Fn() -> Option<String> + Copy {
    move || problems.with(|p| p.iter().find(|e| e.field == field).map(|e| e.message.clone()))
}

/// Follows an [`AuthOutcome`]: go on when done, else show the field problems or the refusal.
fn follow(
    outcome: Option<Result<AuthOutcome, AppError>>,
    problems: RwSignal<Vec<FieldProblem>>,
    refusal: RwSignal<Option<AppError>>,
) {
    match outcome {
        Some(Ok(AuthOutcome::Done { next })) => go(&next),
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

const PASSWORD_HINT: &str = "At least 10 characters. A few words in a row is easy to remember and hard to guess.";

/// The first run: nobody exists yet, so this makes the first owner and their team.
#[component]
pub fn SetupPage() -> impl IntoView {
    let setup = ServerAction::<SetupOwner>::new();
    let problems = RwSignal::new(Vec::new());
    let refusal = RwSignal::new(None);
    Effect::new(move |_| follow(setup.value().get(), problems, refusal));
    view! {
        <h1>"Welcome to lockstep"</h1>
        <p class="muted">"Nobody uses this lockstep server yet. Make the first account: you become the owner of your team, and invite the others from the team's page."</p>
        {move || refusal.get().map(|e| view! { <ErrorBox error=e/> })}
        <ActionForm action=setup attr:class="form" attr:novalidate=true attr:data-testid="setup-form">
            <FormField label="Your name" name="name" hint="How your team sees you." error=problem_for(problems, "name")>
                <input name="name" id="name" autocomplete="name"/>
            </FormField>
            <FormField label="E-mail" name="email" hint="You sign in with it." error=problem_for(problems, "email")>
                <input name="email" id="email" type="email" autocomplete="email"/>
            </FormField>
            <FormField label="Password" name="password" hint=PASSWORD_HINT error=problem_for(problems, "password")>
                <input name="password" id="password" type="password" autocomplete="new-password" minlength=MIN_PASSWORD.to_string()/>
            </FormField>
            <FormField label="Team name" name="team" hint="Your capstone team, e.g. \"Team 7 · shop\"." error=problem_for(problems, "team")>
                <input name="team" id="team" autocomplete="off"/>
            </FormField>
            <div class="actions">
                <button type="submit" class="button primary" data-testid="setup-submit" disabled=move || setup.pending().get()>
                    {move || if setup.pending().get() { "Creating..." } else { "Create the owner account" }}
                </button>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn SignInPage() -> impl IntoView {
    let sign_in = ServerAction::<SignIn>::new();
    let problems = RwSignal::new(Vec::new());
    let refusal = RwSignal::new(None);
    Effect::new(move |_| follow(sign_in.value().get(), problems, refusal));
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_else(|| "/".into());
    view! {
        <h1>"Sign in"</h1>
        {move || refusal.get().map(|e| view! { <div data-testid="signin-refused"><ErrorBox error=e/></div> })}
        <ActionForm action=sign_in attr:class="form" attr:novalidate=true>
            <input type="hidden" name="next" value=next/>
            <FormField label="E-mail" name="email" hint="" error=problem_for(problems, "email")>
                <input name="email" id="email" type="email" autocomplete="username"/>
            </FormField>
            <FormField label="Password" name="password" hint="" error=problem_for(problems, "password")>
                <input name="password" id="password" type="password" autocomplete="current-password"/>
            </FormField>
            <div class="actions">
                <button type="submit" class="button primary" data-testid="signin-submit" disabled=move || sign_in.pending().get()>
                    {move || if sign_in.pending().get() { "Signing in..." } else { "Sign in" }}
                </button>
                <A href="/signup" attr:class="button">"Create an account"</A>
            </div>
        </ActionForm>
        <p class="muted">"Joining a team? Open the invite link your team's owner sent you."</p>
    }
}

/// A new account: with an invite token it joins that team, else it makes the person's team.
#[component]
fn SignUpForm(invite: Option<String>) -> impl IntoView {
    let sign_up = ServerAction::<SignUp>::new();
    let problems = RwSignal::new(Vec::new());
    let refusal = RwSignal::new(None);
    Effect::new(move |_| follow(sign_up.value().get(), problems, refusal));
    let with_team = invite.is_none();
    view! {
        {move || refusal.get().map(|e| view! { <ErrorBox error=e/> })}
        <ActionForm action=sign_up attr:class="form" attr:novalidate=true attr:data-testid="signup-form">
            <input type="hidden" name="invite" value=invite.clone().unwrap_or_default()/>
            <FormField label="Your name" name="name" hint="How your team sees you." error=problem_for(problems, "name")>
                <input name="name" id="name" autocomplete="name"/>
            </FormField>
            <FormField label="E-mail" name="email" hint="You sign in with it." error=problem_for(problems, "email")>
                <input name="email" id="email" type="email" autocomplete="email"/>
            </FormField>
            <FormField label="Password" name="password" hint=PASSWORD_HINT error=problem_for(problems, "password")>
                <input name="password" id="password" type="password" autocomplete="new-password"/>
            </FormField>
            {with_team.then(|| view! {
                <FormField label="Team name" name="team" hint="A new team, with you as its owner." error=problem_for(problems, "team")>
                    <input name="team" id="team" autocomplete="off"/>
                </FormField>
            })}
            <div class="actions">
                <button type="submit" class="button primary" data-testid="signup-submit" disabled=move || sign_up.pending().get()>
                    {move || if sign_up.pending().get() { "Creating..." } else { "Create my account" }}
                </button>
            </div>
        </ActionForm>
    }
}

#[component]
pub fn SignUpPage() -> impl IntoView {
    view! {
        <h1>"Create an account"</h1>
        <p class="muted">"This makes a new team with you as its owner. To join an existing team, open its invite link instead."</p>
        <SignUpForm invite=None/>
        <p><A href="/signin">"I already have an account"</A></p>
    }
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
    Effect::new(move |_| follow(accept.value().get(), problems, refusal));
    view! {
        <h1>"Join a team"</h1>
        <Transition fallback=|| view! { <p class="muted">"Loading..."</p> }>
            {move || Suspend::new(async move {
                let t = token();
                match (info.await, session.await) {
                    (Ok(i), Ok(s)) => {
                        let offer = format!("You are invited to team \u{201c}{}\u{201d} as {}.", i.team_name, role_label(i.role));
                        match s.me {
                            Some(me) => view! {
                                <p data-testid="invite-offer">{offer}</p>
                                <p class="muted">{format!("Signed in as {} ({}).", me.name, me.email)}</p>
                                {move || refusal.get().map(|e| view! { <ErrorBox error=e/> })}
                                <ActionForm action=accept>
                                    <input type="hidden" name="token" value=t.clone()/>
                                    <button type="submit" class="button primary" data-testid="accept-invite">"Join the team"</button>
                                </ActionForm>
                            }.into_any(),
                            None => view! {
                                <p data-testid="invite-offer">{offer}</p>
                                <p>"New to lockstep? Create your account to join. "
                                    <A href=format!("/signin?next=/invite/{t}")>"I already have an account"</A></p>
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

pub fn role_label(role: Role) -> &'static str {
    match role {
        Role::Owner => "owner",
        Role::Member => "member",
        Role::Viewer => "viewer",
    }
}

fn role_help(role: Role) -> &'static str {
    match role {
        Role::Owner => "everything, including tearing down, deleting projects and managing the team",
        Role::Member => "runs the wizard: starts, retries and re-checks steps",
        Role::Viewer => "sees projects, history and timelines; changes nothing",
    }
}

/// The signed-in person in the top bar: their teams and "Sign out".
#[component]
pub fn UserMenu() -> impl IntoView {
    let session = Resource::new(|| (), |_| get_session_info());
    let sign_out = ServerAction::<SignOut>::new();
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
                        <span class="who" data-testid="signed-in-as">{me.name}</span>
                        <ActionForm action=sign_out attr:class="inline">
                            <button type="submit" class="button small" data-testid="sign-out">"Sign out"</button>
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
    let team = Resource::new(id, get_team);
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading team..."</p> }>
            {move || Suspend::new(async move {
                match team.await {
                    Ok(t) => view! { <TeamBody team=t on_change=move || team.refetch()/> }.into_any(),
                    Err(e) => view! { <ErrorBox error=e/> <p><A href="/">"Back to your projects"</A></p> }.into_any(),
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
    let refusal = RwSignal::new(None::<AppError>);
    let outcome = move |v: Option<Result<ActionOutcome, AppError>>| match v {
        Some(Ok(ActionOutcome::Done)) => {
            refusal.set(None);
            on_change();
        }
        Some(Ok(ActionOutcome::Refused(e))) => refusal.set(Some(AppError::User(e))),
        Some(Ok(ActionOutcome::Invalid(p))) => refusal.set(p.first().map(|p| {
            AppError::User(lockstep_domain::UserError {
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
    view! {
        <div class="page-head">
            <h1 data-testid="team-name">{team.name.clone()}</h1>
            <span class="badge" data-testid="my-role">{format!("you: {}", role_label(team.my_role))}</span>
        </div>
        {move || refusal.get().map(|e| view! { <ErrorBox error=e/> })}
        <section class="step-card">
            <h2>"People"</h2>
            <table class="members" data-testid="members">
                <thead><tr><th>"Name"</th><th>"E-mail"</th><th>"Role"</th>{owner.then(|| view! { <th></th> })}</tr></thead>
                <tbody>
                    {team.members.into_iter().map(|m| {
                        let tid = team_id.clone();
                        let tid2 = team_id.clone();
                        let uid = m.user_id.clone();
                        let uid2 = m.user_id.clone();
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
                                                {Role::ALL.into_iter().map(|r| view! { <option value=r.key() selected=r == m.role>{role_label(r)}</option> }).collect_view()}
                                            </select>
                                            <button type="submit" class="button small">"Change"</button>
                                        </ActionForm>
                                    }.into_any()
                                } else {
                                    view! { <span>{role_label(m.role)}</span> }.into_any()
                                }}</td>
                                {owner.then(|| view! {
                                    <td>
                                        <ActionForm action=remove attr:class="inline">
                                            <input type="hidden" name="team_id" value=tid2/>
                                            <input type="hidden" name="user_id" value=uid2/>
                                            <button type="submit" class="button small danger">"Remove"</button>
                                        </ActionForm>
                                    </td>
                                })}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <ul class="muted role-help">
                {Role::ALL.into_iter().map(|r| view! { <li><strong>{role_label(r)}</strong>": "{role_help(r)}</li> }).collect_view()}
            </ul>
        </section>
        {owner.then(|| view! { <InvitePanel team_id=team.id.clone()/> })}
        <section class="step-card">
            <h2>"AWS access"</h2>
            {match team.aws_role_arn.clone() {
                Some(arn) => view! { <p>"lockstep assumes the role " <code data-testid="team-role-arn">{arn}</code> " for this team's projects."</p> }.into_any(),
                None => view! { <p data-testid="team-role-arn">"lockstep uses the server's own AWS credentials for this team's projects."</p> }.into_any(),
            }}
            {team.aws_external_id.clone().map(|ext| view! {
                <p class="muted">"To use your own AWS account, create an IAM role that trusts lockstep's account and requires the external id "
                    <code data-testid="team-external-id">{ext}</code>
                    ", then paste its ARN here. lockstep never asks for, stores or shows access keys."</p>
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
            <FormField label="Role ARN" name="role_arn" hint="Empty: use the server's own credentials." error=problem_for(problems, "role_arn")>
                <input name="role_arn" id="role_arn" placeholder="arn:aws:iam::123456789012:role/lockstep" autocomplete="off"/>
            </FormField>
            <div class="actions"><button type="submit" class="button">"Save AWS access"</button></div>
        </ActionForm>
    }
}

#[component]
fn InvitePanel(team_id: String) -> impl IntoView {
    let invite = ServerAction::<CreateInvite>::new();
    view! {
        <section class="step-card" data-testid="invite-panel">
            <h2>"Invite someone"</h2>
            <ActionForm action=invite attr:class="inline">
                <input type="hidden" name="team_id" value=team_id/>
                <label for="invite-role">"as "</label>
                <select name="role" id="invite-role" data-testid="invite-role">
                    <option value="member" selected=true>"member"</option>
                    <option value="viewer">"viewer"</option>
                    <option value="owner">"owner"</option>
                </select>
                " "
                <button type="submit" class="button primary" data-testid="create-invite">"Make an invite link"</button>
            </ActionForm>
            {move || invite.value().get().map(|v| match v {
                Ok(InviteOutcome::Created { path, role, .. }) => {
                    let link = move || {
                        #[cfg(feature = "hydrate")]
                        { web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default() + &path }
                        #[cfg(not(feature = "hydrate"))]
                        { path.clone() }
                    };
                    view! {
                        <p>{format!("A one-time link for a new {}, valid for 7 days. Send it to one person; it stops working once used:", role_label(role))}</p>
                        <p><code data-testid="invite-link">{link}</code></p>
                    }.into_any()
                }
                Ok(InviteOutcome::Refused(e)) => view! { <ErrorBox error=AppError::User(e)/> }.into_any(),
                Err(e) => view! { <ErrorBox error=e/> }.into_any(),
            })}
        </section>
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
        <h1>"New team"</h1>
        <ActionForm action=create attr:class="form" attr:novalidate=true>
            <FormField label="Team name" name="name" hint="You become its owner." error=problem_for(problems, "name")>
                <input name="name" id="name" autocomplete="off"/>
            </FormField>
            <div class="actions"><button type="submit" class="button primary" data-testid="create-team">"Create the team"</button></div>
        </ActionForm>
    }
}
