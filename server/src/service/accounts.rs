//! People and teams: the interface's part, implemented in [`crate::accounts`] (which also holds
//! the authorization rule every call goes through).

use super::Lockstep;
use app::api::ssr::{AccountsApi, Caller};
use app::model::*;
use async_trait::async_trait;
use lockstep_domain::account::SignUpForm;

#[async_trait]
impl AccountsApi for Lockstep {
    async fn session_info(&self, who: &Caller) -> Result<SessionInfo, AppError> {
        self.acc_session_info(who).await
    }

    async fn setup_owner(&self, who: &Caller, form: SignUpForm) -> Result<AuthOutcome, AppError> {
        self.acc_setup_owner(who, form).await
    }

    async fn sign_up(&self, who: &Caller, form: SignUpForm, invite: Option<String>) -> Result<AuthOutcome, AppError> {
        self.acc_sign_up(who, form, invite).await
    }

    async fn sign_in(
        &self,
        who: &Caller,
        email: &str,
        password: &str,
        next: Option<String>,
    ) -> Result<AuthOutcome, AppError> {
        self.acc_sign_in(who, email, password, next).await
    }

    async fn sign_out(&self, who: &Caller) -> Result<(), AppError> {
        self.acc_sign_out(who).await
    }

    async fn change_password(&self, who: &Caller, current: &str, new: &str) -> Result<ActionOutcome, AppError> {
        self.acc_change_password(who, current, new).await
    }

    async fn create_reset_link(
        &self,
        who: &Caller,
        team_id: &str,
        user_id: &str,
    ) -> Result<ResetLinkOutcome, AppError> {
        self.acc_create_reset_link(who, team_id, user_id).await
    }

    async fn reset_info(&self, _who: &Caller, token: &str) -> Result<ResetInfo, AppError> {
        self.acc_reset_info(token).await
    }

    async fn reset_password(&self, who: &Caller, token: &str, password: &str) -> Result<AuthOutcome, AppError> {
        self.acc_reset_password(who, token, password).await
    }

    async fn set_locale(&self, who: &Caller, locale: &str) -> Result<(), AppError> {
        self.acc_set_locale(who, locale).await
    }

    async fn create_team(&self, who: &Caller, name: &str) -> Result<TeamOutcome, AppError> {
        self.acc_create_team(who, name).await
    }

    async fn team(&self, who: &Caller, team_id: &str) -> Result<TeamView, AppError> {
        self.acc_team(who, team_id).await
    }

    async fn create_invite(&self, who: &Caller, team_id: &str, role: &str) -> Result<InviteOutcome, AppError> {
        self.acc_create_invite(who, team_id, role).await
    }

    async fn invite_info(&self, _who: &Caller, token: &str) -> Result<InviteInfo, AppError> {
        self.acc_invite_info(token).await
    }

    async fn accept_invite(&self, who: &Caller, token: &str) -> Result<AuthOutcome, AppError> {
        self.acc_accept_invite(who, token).await
    }

    async fn set_member_role(
        &self,
        who: &Caller,
        team_id: &str,
        user_id: &str,
        role: &str,
    ) -> Result<ActionOutcome, AppError> {
        self.acc_set_member_role(who, team_id, user_id, role).await
    }

    async fn remove_member(&self, who: &Caller, team_id: &str, user_id: &str) -> Result<ActionOutcome, AppError> {
        self.acc_remove_member(who, team_id, user_id).await
    }

    async fn set_team_role(
        &self,
        who: &Caller,
        team_id: &str,
        role_arn: Option<String>,
    ) -> Result<ActionOutcome, AppError> {
        self.acc_set_team_role(who, team_id, role_arn).await
    }
}
