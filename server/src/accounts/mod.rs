//! People and teams behind the [`Api`](app::api::ssr::Api): the first run, sign-up, sign-in
//! (throttled per account and per address), invites, roles, password changes and resets, and
//! the one authorization rule every project-scoped call goes through ([`Lockstep::guard`]).
//!
//! Who may sign up: once the first owner exists, only people with an invite link from a team
//! owner, or with an address at one of the operator's `--signup-domains`. Every new account
//! can make teams, and a team acts in AWS, so an open sign-up page would hand that to anyone
//! who can reach the server.
//!
//! Sign-up does not tell which addresses have accounts: for an address that has one it
//! answers exactly as for a new account ([`AuthOutcome::SignIn`]: "sign in to go on"), changes
//! nothing, and takes as long (the password is hashed either way). It signs nobody in, since
//! signing in only the new accounts would tell them apart. What stays possible, as with any
//! sign-up without e-mail verification: trying to sign in afterwards with the password one
//! chose (throttled like every sign-in).
//!
//! Throttling counts each attempt before its password is checked or hashed, in one statement
//! ([`lockstep_domain::account::throttle`]), so parallel attempts cannot all slip under a limit.
//!
//! Passwords: a signed-in person changes theirs with the current one; someone who forgot
//! theirs gets a one-time reset link from an owner of their team (no mail server needed). Both
//! raise the person's session epoch, which signs out every other session (see `auth`).
//! Authorization: a project (and its runs, history, plans) exists only for members of its
//! team. Anyone else gets "not found", exactly as for a project that does not exist, so ids
//! cannot be probed. A member whose role is too low gets "forbidden" with what to ask for.

use crate::auth::{self, safe_next, token_hash};
use crate::service::Lockstep;
use crate::store::directory::{InviteRow, Invited, ResetRow, TeamRow, UserRow};
use crate::store::{ProjectRow, RunRow, StoreError};
use app::api::ssr::Caller;
use app::model::*;
use lockstep_domain::account::{
    check_password, msg, throttle, Email, FieldProblem, Need, Role, SignUpForm, SignupDomains,
};
use lockstep_domain::UserError;
use tracing::{info, warn};

mod messages;
mod passwords;
mod sign_in;
mod teams;

use messages::*;

/// How long an invite link works.
pub const INVITE_DAYS: i64 = 7;
/// How long a password reset link works.
pub const RESET_HOURS: i64 = 24;

/// The throttling key of sign-in attempts for an account (password changes count there too).
fn account_key(email: &str) -> String {
    format!("sign-in:account:{email}")
}

/// What [`Lockstep::guard`] found: the project, who asks, their role in its team, and whose
/// AWS access the action uses for the team ([`Access::aws`], passed explicitly to whatever
/// calls AWS for it: `crate::work::acting_as`, `start_run`).
#[derive(Debug, Clone)]
pub struct Access {
    pub project: ProjectRow,
    pub user: UserRow,
    pub team: TeamRow,
    pub role: Role,
    /// The team's AWS access (its own role, if an owner saved one; see `aws/team_role.rs`).
    pub aws: crate::work::AwsAccess,
}

impl Access {
    /// Runs `fut` acting with the team's AWS access (see [`crate::work::acting_as`]).
    pub async fn acting<F: std::future::Future>(&self, fut: F) -> F::Output {
        crate::work::acting_as(self.aws.clone(), fut).await
    }
}

fn internal(e: StoreError) -> AppError {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    tracing::error!(reference, error = %e, "store error");
    AppError::Internal(reference)
}

/// A refusal's English; [`Refusal::korean`] completes it into the [`UserError`] shown, so no
/// refusal is made without its Korean.
struct Refusal<'a> {
    what: &'a str,
    why: &'a str,
    fix: &'a str,
}

impl Refusal<'_> {
    fn korean(self, what: impl Into<String>, why: impl Into<String>, fix: impl Into<String>) -> UserError {
        UserError {
            ko: lockstep_domain::ko(what, why, fix),
            what: self.what.into(),
            why: self.why.into(),
            fix: self.fix.into(),
        }
    }
}

fn refused<'a>(what: &'a str, why: &'a str, fix: &'a str) -> Refusal<'a> {
    Refusal { what, why, fix }
}

fn role_of(key: &str) -> Result<Role, AppError> {
    Role::from_key(key).ok_or_else(|| internal(StoreError::Corrupt(format!("role {key}"))))
}

fn forbidden(team: &str, role: Role, need: Need) -> AppError {
    AppError::Forbidden(role_forbids(team, role, Role::least_for(need)))
}

/// Whose AWS access a team's actions use: its own role, if an owner saved one.
pub fn team_aws(team: &TeamRow) -> crate::work::AwsAccess {
    crate::work::AwsAccess::Team { team_id: team.id.clone(), role: team.aws_role() }
}

fn project_not_found() -> AppError {
    AppError::NotFound(project_not_yours())
}

impl Lockstep {
    /// The signed-in user, or [`AppError::SignInRequired`].
    pub async fn signed_in(&self, who: &Caller) -> Result<UserRow, AppError> {
        let Some(id) = &who.user_id else { return Err(AppError::SignInRequired) };
        self.store.get_user(id).await.map_err(internal)?.ok_or(AppError::SignInRequired)
    }

    /// The caller's role in `team_id`, refused as in [`Self::guard`]. The team's AWS access is
    /// [`team_aws`] of the team returned (nothing is set aside for later calls).
    pub async fn team_access(
        &self,
        who: &Caller,
        team_id: &str,
        need: Need,
    ) -> Result<(UserRow, TeamRow, Role), AppError> {
        let user = self.signed_in(who).await?;
        let not_found = || AppError::NotFound(team_not_yours());
        let Some(role) = self.store.role_of(team_id, &user.id).await.map_err(internal)? else {
            return Err(not_found());
        };
        let team = self.store.get_team(team_id).await.map_err(internal)?.ok_or_else(not_found)?;
        let role = role_of(&role)?;
        if !role.allows(need) {
            return Err(forbidden(&team.name, role, need));
        }
        Ok((user, team, role))
    }

    /// The project, if the caller's role in its team allows `need`.
    pub async fn guard(&self, who: &Caller, project_id: &str, need: Need) -> Result<Access, AppError> {
        let user = self.signed_in(who).await?;
        let Some(project) = self.store.get_project(project_id).await.map_err(internal)? else {
            return Err(project_not_found());
        };
        let Some(team_id) = project.team_id.clone() else { return Err(project_not_found()) };
        let Some(role) = self.store.role_of(&team_id, &user.id).await.map_err(internal)? else {
            return Err(project_not_found());
        };
        let team = self.store.get_team(&team_id).await.map_err(internal)?.ok_or_else(project_not_found)?;
        let role = role_of(&role)?;
        if !role.allows(need) {
            return Err(forbidden(&team.name, role, need));
        }
        Ok(Access { project, user, aws: team_aws(&team), team, role })
    }

    /// The run and its project, if the caller's role allows `need`.
    pub async fn guard_run(&self, who: &Caller, run_id: &str, need: Need) -> Result<(Access, RunRow), AppError> {
        let run = self.store.get_run(run_id).await.map_err(internal)?;
        let Some((run, _)) = run else {
            // Signed-out callers learn nothing either way.
            self.signed_in(who).await?;
            return Err(AppError::NotFound(run_not_yours()));
        };
        let access = self.guard(who, &run.project_id, need).await.map_err(|e| match e {
            AppError::NotFound(_) => AppError::NotFound(run_not_yours()),
            other => other,
        })?;
        Ok((access, run))
    }
}

/// `password`'s argon2id hash.
async fn hash(password: &str) -> Result<String, AppError> {
    auth::hash_password(password.to_string()).await.map_err(|e| {
        warn!(error = %e, "password hashing failed");
        AppError::Internal("password hashing".into())
    })
}
