//! People and teams: the first owner, sign-up, sign-in, invites, roles, passwords, and the
//! team's AWS role.
//!
//! The area's server functions (each at `/api/<name>`, arguments form-encoded in a POST, the
//! answer in JSON) and [`ssr::AccountsApi`], the part of the server's interface they call.

#[cfg(feature = "ssr")]
use crate::api::ssr::{answer, audited, ctx, Scope};
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::ssr::Caller;
    use crate::model::*;
    use lockstep_domain::account::SignUpForm;

    #[async_trait::async_trait]
    pub trait AccountsApi: Send + Sync {
        async fn session_info(&self, who: &Caller) -> Result<SessionInfo, AppError>;
        /// The first-run flow: makes the first owner (and their team) while there is nobody.
        async fn setup_owner(&self, who: &Caller, form: SignUpForm) -> Result<AuthOutcome, AppError>;
        /// A new account: with `invite`, joins that team; else (an address at one of the
        /// operator's sign-up domains) makes the person's own team. Answers
        /// [`AuthOutcome::SignIn`] whether or not the address already had an account.
        async fn sign_up(
            &self,
            who: &Caller,
            form: SignUpForm,
            invite: Option<String>,
        ) -> Result<AuthOutcome, AppError>;
        async fn sign_in(
            &self,
            who: &Caller,
            email: &str,
            password: &str,
            next: Option<String>,
        ) -> Result<AuthOutcome, AppError>;
        async fn sign_out(&self, who: &Caller) -> Result<(), AppError>;
        /// The signed-in person's new password (their current one confirms it is them); every
        /// other session of theirs is signed out.
        async fn change_password(&self, who: &Caller, current: &str, new: &str) -> Result<ActionOutcome, AppError>;
        /// An owner's one-time link for `user_id`, a member of their team, to set a new password.
        async fn create_reset_link(
            &self,
            who: &Caller,
            team_id: &str,
            user_id: &str,
        ) -> Result<ResetLinkOutcome, AppError>;
        /// Whose password a reset link sets (anyone holding the link may ask).
        async fn reset_info(&self, who: &Caller, token: &str) -> Result<ResetInfo, AppError>;
        /// Sets the password through a reset link (once); every session of that person ends.
        async fn reset_password(&self, who: &Caller, token: &str, password: &str) -> Result<AuthOutcome, AppError>;
        async fn set_locale(&self, who: &Caller, locale: &str) -> Result<(), AppError>;
        async fn create_team(&self, who: &Caller, name: &str) -> Result<TeamOutcome, AppError>;
        async fn team(&self, who: &Caller, team_id: &str) -> Result<TeamView, AppError>;
        async fn create_invite(&self, who: &Caller, team_id: &str, role: &str) -> Result<InviteOutcome, AppError>;
        async fn invite_info(&self, who: &Caller, token: &str) -> Result<InviteInfo, AppError>;
        async fn accept_invite(&self, who: &Caller, token: &str) -> Result<AuthOutcome, AppError>;
        async fn set_member_role(
            &self,
            who: &Caller,
            team_id: &str,
            user_id: &str,
            role: &str,
        ) -> Result<ActionOutcome, AppError>;
        async fn remove_member(&self, who: &Caller, team_id: &str, user_id: &str) -> Result<ActionOutcome, AppError>;
        /// Sets (or with `None` clears) the IAM role lockstep assumes for the team's AWS.
        async fn set_team_role(
            &self,
            who: &Caller,
            team_id: &str,
            role_arn: Option<String>,
        ) -> Result<ActionOutcome, AppError>;
    }
}

#[server(endpoint = "session_info")]
pub async fn get_session_info() -> Result<SessionInfo, AppError> {
    let (api, who) = ctx()?;
    answer(api.session_info(&who).await)
}

#[server(endpoint = "setup_owner")]
pub async fn setup_owner(name: String, email: String, password: String, team: String) -> Result<AuthOutcome, AppError> {
    let (api, who) = ctx()?;
    let form = lockstep_domain::account::SignUpForm { name, email, password, team };
    answer(api.setup_owner(&who, form).await)
}

/// `invite` is the one-time token from an invite link (absent: a new team is made).
#[server(endpoint = "sign_up")]
pub async fn sign_up(
    name: String,
    email: String,
    password: String,
    team: Option<String>,
    invite: Option<String>,
) -> Result<AuthOutcome, AppError> {
    let (api, who) = ctx()?;
    let form = lockstep_domain::account::SignUpForm { name, email, password, team: team.unwrap_or_default() };
    answer(api.sign_up(&who, form, invite.filter(|t| !t.is_empty())).await)
}

#[server(endpoint = "sign_in")]
pub async fn sign_in(email: String, password: String, next: Option<String>) -> Result<AuthOutcome, AppError> {
    let (api, who) = ctx()?;
    answer(api.sign_in(&who, &email, &password, next).await)
}

#[server(endpoint = "sign_out")]
pub async fn sign_out() -> Result<(), AppError> {
    let (api, who) = ctx()?;
    answer(api.sign_out(&who).await)
}

/// Never recorded with its fields: they are passwords.
#[server(endpoint = "change_password")]
pub async fn change_password(current_password: String, new_password: String) -> Result<ActionOutcome, AppError> {
    let (api, who) = ctx()?;
    answer(api.change_password(&who, &current_password, &new_password).await)
}

#[server(endpoint = "create_reset_link")]
pub async fn create_reset_link(team_id: String, user_id: String) -> Result<ResetLinkOutcome, AppError> {
    let (api, who) = ctx()?;
    // The history says for whom; the link itself is a secret and is never written down.
    let summary = format!("user {user_id}");
    let call = api.create_reset_link(&who, &team_id, &user_id);
    audited(&api, &who, "create_reset_link", Scope::team(&team_id), summary, call).await
}

#[server(endpoint = "reset_info")]
pub async fn get_reset_info(token: String) -> Result<ResetInfo, AppError> {
    let (api, who) = ctx()?;
    answer(api.reset_info(&who, &token).await)
}

#[server(endpoint = "reset_password")]
pub async fn reset_password(token: String, password: String) -> Result<AuthOutcome, AppError> {
    let (api, who) = ctx()?;
    answer(api.reset_password(&who, &token, &password).await)
}

#[server(endpoint = "set_locale")]
pub async fn set_locale(locale: String) -> Result<(), AppError> {
    let (api, who) = ctx()?;
    answer(api.set_locale(&who, &locale).await)
}

#[server(endpoint = "create_team")]
pub async fn create_team(name: String) -> Result<TeamOutcome, AppError> {
    let (api, who) = ctx()?;
    answer(api.create_team(&who, &name).await)
}

#[server(endpoint = "team")]
pub async fn get_team(team_id: String) -> Result<TeamView, AppError> {
    let (api, who) = ctx()?;
    answer(api.team(&who, &team_id).await)
}

#[server(endpoint = "create_invite")]
pub async fn create_invite(team_id: String, role: String) -> Result<InviteOutcome, AppError> {
    let (api, who) = ctx()?;
    let summary = format!("role {role}");
    audited(&api, &who, "create_invite", Scope::team(&team_id), summary, api.create_invite(&who, &team_id, &role)).await
}

#[server(endpoint = "invite_info")]
pub async fn get_invite_info(token: String) -> Result<InviteInfo, AppError> {
    let (api, who) = ctx()?;
    answer(api.invite_info(&who, &token).await)
}

#[server(endpoint = "accept_invite")]
pub async fn accept_invite(token: String) -> Result<AuthOutcome, AppError> {
    let (api, who) = ctx()?;
    answer(api.accept_invite(&who, &token).await)
}

#[server(endpoint = "set_member_role")]
pub async fn set_member_role(team_id: String, user_id: String, role: String) -> Result<ActionOutcome, AppError> {
    let (api, who) = ctx()?;
    let summary = format!("user {user_id}, role {role}");
    let call = api.set_member_role(&who, &team_id, &user_id, &role);
    audited(&api, &who, "set_member_role", Scope::team(&team_id), summary, call).await
}

#[server(endpoint = "remove_member")]
pub async fn remove_member(team_id: String, user_id: String) -> Result<ActionOutcome, AppError> {
    let (api, who) = ctx()?;
    let summary = format!("user {user_id}");
    audited(&api, &who, "remove_member", Scope::team(&team_id), summary, api.remove_member(&who, &team_id, &user_id))
        .await
}

/// `role_arn` empty or absent: use the server's own credentials.
#[server(endpoint = "set_team_role")]
pub async fn set_team_role(team_id: String, role_arn: Option<String>) -> Result<ActionOutcome, AppError> {
    let (api, who) = ctx()?;
    let arn = role_arn.map(|a| a.trim().to_string()).filter(|a| !a.is_empty());
    let summary = format!("role {}", arn.as_deref().unwrap_or("(none)"));
    audited(&api, &who, "set_team_role", Scope::team(&team_id), summary, api.set_team_role(&who, &team_id, arn)).await
}
