//! A team's page (its people, their roles, invite links and the team's AWS access) and a new
//! team.

use super::api::*;
use super::{full_link, go, problem_for, role_help, role_label, role_text};
use crate::i18n::*;
use crate::model::*;
use crate::ErrorBox;
use crate::FormField;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use lockstep_domain::account::Role;

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
pub(super) fn TeamBody(team: TeamView, on_change: impl Fn() + Send + Sync + Copy + 'static) -> impl IntoView {
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
                    <crate::runs::CopyButton text=policy/>
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
