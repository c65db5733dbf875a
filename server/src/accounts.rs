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

/// How long an invite link works.
pub const INVITE_DAYS: i64 = 7;
/// How long a password reset link works.
pub const RESET_HOURS: i64 = 24;

/// The throttling key of sign-in attempts for an account (password changes count there too).
fn account_key(email: &str) -> String {
    format!("sign-in:account:{email}")
}

/// What [`Lockstep::guard`] found: the project, who asks, and their role in its team.
#[derive(Debug, Clone)]
pub struct Access {
    pub project: ProjectRow,
    pub user: UserRow,
    pub team: TeamRow,
    pub role: Role,
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
    let can = match role {
        Role::Viewer => "viewers can see everything but cannot start, retry or change steps",
        Role::Member => "members run the wizard but cannot tear down, delete projects or manage the team",
        Role::Owner => "owners can do everything",
    };
    AppError::Forbidden(format!(
        "Your role in team \u{201c}{team}\u{201d} is {}: {can}. Ask a team owner to make you {} if you need to do this.",
        role.key(),
        match Role::least_for(need) {
            Role::Owner => "an owner",
            Role::Member => "a member",
            Role::Viewer => "a viewer",
        }
    ))
}

/// Whose AWS access a team's actions use: its own role, if an owner saved one.
pub fn team_aws(team: &TeamRow) -> crate::work::AwsAccess {
    crate::work::AwsAccess::Team { team_id: team.id.clone(), role: team.aws_role() }
}

fn project_not_found() -> AppError {
    AppError::NotFound(
        "This project does not exist, or you are not in its team. Check the link, or ask the team's owner for an invite."
            .into(),
    )
}

impl Lockstep {
    /// The signed-in user, or [`AppError::SignInRequired`].
    pub async fn signed_in(&self, who: &Caller) -> Result<UserRow, AppError> {
        let Some(id) = &who.user_id else { return Err(AppError::SignInRequired) };
        self.store.get_user(id).await.map_err(internal)?.ok_or(AppError::SignInRequired)
    }

    /// The caller's role in `team_id`, refused as in [`Self::guard`].
    pub async fn team_access(
        &self,
        who: &Caller,
        team_id: &str,
        need: Need,
    ) -> Result<(UserRow, TeamRow, Role), AppError> {
        let user = self.signed_in(who).await?;
        let not_found = || AppError::NotFound("This team does not exist, or you are not in it.".into());
        let Some(role) = self.store.role_of(team_id, &user.id).await.map_err(internal)? else {
            return Err(not_found());
        };
        let team = self.store.get_team(team_id).await.map_err(internal)?.ok_or_else(not_found)?;
        let role = role_of(&role)?;
        if !role.allows(need) {
            return Err(forbidden(&team.name, role, need));
        }
        // This action's AWS calls, if any, are for this team (its own role; see team_role.rs).
        crate::work::use_aws(team_aws(&team));
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
        // This action's AWS calls, if any, are for this team (its own role; see team_role.rs).
        crate::work::use_aws(team_aws(&team));
        Ok(Access { project, user, team, role })
    }

    /// The run and its project, if the caller's role allows `need`.
    pub async fn guard_run(&self, who: &Caller, run_id: &str, need: Need) -> Result<(Access, RunRow), AppError> {
        let run = self.store.get_run(run_id).await.map_err(internal)?;
        let Some((run, _)) = run else {
            // Signed-out callers learn nothing either way.
            self.signed_in(who).await?;
            return Err(AppError::NotFound("This run does not exist, or you are not in its project's team.".into()));
        };
        let access = self.guard(who, &run.project_id, need).await.map_err(|e| match e {
            AppError::NotFound(_) => {
                AppError::NotFound("This run does not exist, or you are not in its project's team.".into())
            }
            other => other,
        })?;
        Ok((access, run))
    }

    pub(crate) async fn acc_session_info(&self, who: &Caller) -> Result<SessionInfo, AppError> {
        let setup_needed = !self.store.set_up().await.map_err(internal)?;
        let me = match &who.user_id {
            Some(id) => match self.store.get_user(id).await.map_err(internal)? {
                Some(u) => Some(self.me(u).await?),
                None => None,
            },
            None => None,
        };
        Ok(SessionInfo { setup_needed, me, signup_domains: self.signup.domains().to_vec() })
    }

    async fn me(&self, u: UserRow) -> Result<Me, AppError> {
        let teams = self
            .store
            .teams_of(&u.id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|(t, r)| Ok(TeamSummary { id: t.id, name: t.name, role: role_of(&r)? }))
            .collect::<Result<Vec<_>, AppError>>()?;
        Ok(Me { user_id: u.id, name: u.name, email: u.email, locale: u.locale, teams })
    }

    fn new_team(&self, name: String) -> TeamRow {
        TeamRow {
            id: uuid::Uuid::now_v7().simple().to_string(),
            name,
            aws_role_arn: None,
            // The external id is lockstep's to choose (AWS: the third party generates it), one per
            // team, so one team's role cannot be assumed on another team's behalf.
            aws_external_id: format!("lockstep-{}", uuid::Uuid::new_v4().simple()),
            created_at: self.clock.now_ms(),
        }
    }

    async fn new_user(&self, name: String, email: &Email, password: String) -> Result<UserRow, AppError> {
        let password_hash = hash(&password).await?;
        Ok(UserRow {
            id: uuid::Uuid::now_v7().simple().to_string(),
            email: email.as_str().to_string(),
            name,
            password_hash,
            locale: None,
            created_at: self.clock.now_ms(),
        })
    }

    /// Signs `who` in as `user_id`, whose session epoch is `epoch`.
    async fn begin_session(&self, who: &Caller, user_id: &str, epoch: i64) -> Result<(), AppError> {
        who.session.begin(user_id, epoch).await.map_err(|e| {
            warn!(error = %e, "could not start a session");
            AppError::Internal("session".into())
        })
    }

    pub(crate) async fn acc_setup_owner(&self, who: &Caller, form: SignUpForm) -> Result<AuthOutcome, AppError> {
        if self.store.set_up().await.map_err(internal)? {
            return Ok(AuthOutcome::Refused(
                refused(
                    "lockstep already has its first owner.",
                    "The first-run page is only for the very first account on this server.",
                    "Sign in, or ask a team owner for an invite link.",
                )
                .korean(
                    "lockstep에는 이미 첫 소유자가 있습니다.",
                    "첫 설정 페이지는 이 서버의 맨 처음 계정만을 위한 것입니다.",
                    "로그인하거나, 팀 소유자에게 초대 링크를 요청하세요.",
                ),
            ));
        }
        let s = match form.parse(true) {
            Ok(s) => s,
            Err(errors) => return Ok(AuthOutcome::Invalid(errors)),
        };
        let user = self.new_user(s.name, &s.email, s.password).await?;
        let team = self.new_team(s.team.unwrap_or_default());
        if !self.store.create_first_owner(&user, &team, self.clock.now_ms()).await.map_err(internal)? {
            return Ok(AuthOutcome::Refused(
                refused(
                    "Someone else finished the first-run set-up a moment ago.",
                    "Only one first owner can exist.",
                    "Sign in with that account, or ask its owner for an invite link.",
                )
                .korean(
                    "방금 다른 사람이 첫 설정을 먼저 마쳤습니다.",
                    "첫 소유자는 한 명만 있을 수 있습니다.",
                    "그 계정으로 로그인하거나, 그 계정의 소유자에게 초대 링크를 요청하세요.",
                ),
            ));
        }
        info!(user_id = %user.id, team_id = %team.id, "first owner created");
        // A new account's epoch is 0.
        self.begin_session(who, &user.id, 0).await?;
        Ok(AuthOutcome::Done { next: "/".into() })
    }

    pub(crate) async fn acc_sign_up(
        &self,
        who: &Caller,
        form: SignUpForm,
        invite: Option<String>,
    ) -> Result<AuthOutcome, AppError> {
        let s = match form.parse(invite.is_none()) {
            Ok(s) => s,
            Err(errors) => return Ok(AuthOutcome::Invalid(errors)),
        };
        let now = self.clock.now_ms();
        // Who may: someone with an invite link, or an address at one of the operator's domains.
        let invite = match invite {
            Some(token) => match self.store.invite(&token_hash(&token), now).await.map_err(internal)? {
                Some(i) => Some(i),
                None => return Ok(AuthOutcome::Refused(invite_gone())),
            },
            None if self.signup.allows(&s.email) => None,
            None => return Ok(AuthOutcome::Refused(sign_up_closed(&self.signup))),
        };
        // Counted before the password is hashed: the hash is what costs the server.
        let key = format!("sign-up:address:{}", who.address.as_deref().unwrap_or("unknown"));
        let counted = self.store.count_attempt(&key, now, throttle::SIGN_UP_WINDOW_MS).await.map_err(internal)?;
        if let Some(minutes) = counted.wait_minutes(throttle::SIGN_UPS_PER_ADDRESS, throttle::SIGN_UP_WINDOW_MS, now) {
            return Ok(AuthOutcome::Refused(too_many_sign_ups(minutes)));
        }
        // Hashed whether or not the address is taken, so both take as long.
        let user = self.new_user(s.name, &s.email, s.password).await?;
        let (made, next) = match invite {
            Some(i) => match self.store.create_invited_user(&user, &i.token_hash, now).await.map_err(internal)? {
                Invited::Joined(i) => (true, format!("/teams/{}", i.team_id)),
                Invited::EmailTaken => (false, format!("/teams/{}", i.team_id)),
                Invited::InviteGone => return Ok(AuthOutcome::Refused(invite_gone())),
            },
            None => {
                let team = s.team.map(|name| self.new_team(name));
                (self.store.create_user(&user, team.as_ref(), now).await.map_err(internal)?, "/".to_string())
            }
        };
        if made {
            info!(user_id = %user.id, "account created");
        } else {
            // The same answer as for a new account: nothing tells which addresses have one.
            info!("sign-up with an address that already has an account: nothing changed");
        }
        Ok(AuthOutcome::SignIn { next })
    }

    pub(crate) async fn acc_sign_in(
        &self,
        who: &Caller,
        email: &str,
        password: &str,
        next: Option<String>,
    ) -> Result<AuthOutcome, AppError> {
        let email = match Email::parse(email) {
            Ok(e) => e,
            Err(m) => return Ok(AuthOutcome::Invalid(vec![FieldProblem::new("email", m)])),
        };
        if password.is_empty() {
            return Ok(AuthOutcome::Invalid(vec![FieldProblem::new(
                "password",
                msg("Enter your password.", "비밀번호를 입력하세요."),
            )]));
        }
        let now = self.clock.now_ms();
        let account_key = account_key(email.as_str());
        let address_key = who.address.as_ref().map(|a| format!("sign-in:address:{a}"));
        // Counted before the password is checked, in one statement each: of many guesses sent
        // at once only the first PER_ACCOUNT are checked.
        let account = self.store.count_attempt(&account_key, now, throttle::WINDOW_MS).await.map_err(internal)?;
        if let Some(minutes) = account.wait_minutes(throttle::PER_ACCOUNT, throttle::WINDOW_MS, now) {
            return Ok(AuthOutcome::Refused(account_paused(minutes)));
        }
        if let Some(key) = &address_key {
            let from_address = self.store.count_attempt(key, now, throttle::WINDOW_MS).await.map_err(internal)?;
            if let Some(minutes) = from_address.wait_minutes(throttle::PER_ADDRESS, throttle::WINDOW_MS, now) {
                // Not checked, so not held against the account.
                self.store.refund_attempt(&account_key).await.map_err(internal)?;
                return Ok(AuthOutcome::Refused(address_paused(minutes)));
            }
        }
        let user = self.store.user_by_email(email.as_str()).await.map_err(internal)?;
        let ok = auth::verify_password(password.to_string(), user.as_ref().map(|u| u.password_hash.clone())).await;
        match user {
            Some(u) if ok => {
                // Only failures count against an account and an address.
                self.store.clear_attempts(&account_key).await.map_err(internal)?;
                if let Some(key) = &address_key {
                    self.store.refund_attempt(key).await.map_err(internal)?;
                }
                let epoch = self.store.session_epoch(&u.id).await.map_err(internal)?.unwrap_or(0);
                self.begin_session(who, &u.id, epoch).await?;
                info!(user_id = %u.id, "signed in");
                Ok(AuthOutcome::Done { next: safe_next(next.as_deref()) })
            }
            _ => Ok(AuthOutcome::Refused(wrong_password())),
        }
    }

    pub(crate) async fn acc_sign_out(&self, who: &Caller) -> Result<(), AppError> {
        who.session.end().await.map_err(|e| {
            warn!(error = %e, "could not end a session");
            AppError::Internal("session".into())
        })
    }

    pub(crate) async fn acc_set_locale(&self, who: &Caller, locale: &str) -> Result<(), AppError> {
        // The language switch calls this on every page; nobody signed in: nothing to keep.
        let Ok(user) = self.signed_in(who).await else { return Ok(()) };
        let locale = match locale {
            "en" | "ko" => locale,
            other => {
                return Err(AppError::User(
                    refused(
                        &format!("lockstep does not speak \u{201c}{other}\u{201d}."),
                        "lockstep is in English and Korean.",
                        "Pick English or 한국어.",
                    )
                    .korean(
                        format!("lockstep은 \u{201c}{other}\u{201d} 언어를 지원하지 않습니다."),
                        "lockstep은 영어와 한국어를 지원합니다.",
                        "English 또는 한국어를 고르세요.",
                    ),
                ))
            }
        };
        self.store.set_locale(&user.id, Some(locale)).await.map_err(internal)?;
        Ok(())
    }

    pub(crate) async fn acc_create_team(&self, who: &Caller, name: &str) -> Result<TeamOutcome, AppError> {
        let user = self.signed_in(who).await?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 80 {
            return Ok(TeamOutcome::Invalid(vec![FieldProblem::new(
                "name",
                msg("Give the team a name of 1 to 80 characters.", "팀 이름을 1자에서 80자 사이로 정하세요."),
            )]));
        }
        let team = self.new_team(name.to_string());
        self.store.create_team(&team, &user.id, self.clock.now_ms()).await.map_err(internal)?;
        Ok(TeamOutcome::Created(team.id))
    }

    pub(crate) async fn acc_team(&self, who: &Caller, team_id: &str) -> Result<TeamView, AppError> {
        let (_, team, role) = self.team_access(who, team_id, Need::Read).await?;
        let members = self
            .store
            .members(team_id)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|m| {
                Ok(MemberView {
                    role: role_of(&m.role)?,
                    user_id: m.user_id,
                    name: m.name,
                    email: m.email,
                    joined_at: m.joined_at,
                })
            })
            .collect::<Result<Vec<_>, AppError>>()?;
        // What the team's projects use in AWS while it has no role (see aws/team_role.rs).
        let without_role = crate::work::AwsAccess::Team { team_id: team.id.clone(), role: None };
        let server_credentials = self.adapters.authority.resolve(Some(&without_role)) == Ok(None);
        Ok(TeamView {
            id: team.id,
            name: team.name,
            my_role: role,
            members,
            server_credentials,
            aws_role_arn: team.aws_role_arn,
            trust_policy: match (&self.env.account_id, role) {
                (Some(account), Role::Owner) => {
                    Some(lockstep_domain::account::trust_policy(account, &team.aws_external_id))
                }
                _ => None,
            },
            aws_external_id: (role == Role::Owner).then_some(team.aws_external_id),
        })
    }

    pub(crate) async fn acc_create_invite(
        &self,
        who: &Caller,
        team_id: &str,
        role: &str,
    ) -> Result<InviteOutcome, AppError> {
        let (user, _, _) = self.team_access(who, team_id, Need::Manage).await?;
        let Some(role) = Role::from_key(role) else {
            return Ok(InviteOutcome::Refused(
                refused(
                    &format!("\u{201c}{role}\u{201d} is not a role."),
                    "A team has owners, members and viewers.",
                    "Pick one of them.",
                )
                .korean(
                    format!("\u{201c}{role}\u{201d}은(는) 역할이 아닙니다."),
                    "팀에는 소유자, 멤버, 뷰어가 있습니다.",
                    "그중 하나를 고르세요.",
                ),
            ));
        };
        let (token, hash) = auth::new_token();
        let now = self.clock.now_ms();
        let expires_at = now + INVITE_DAYS * 24 * 3600 * 1000;
        self.store
            .insert_invite(&InviteRow {
                token_hash: hash,
                team_id: team_id.to_string(),
                role: role.key().into(),
                created_by: user.id,
                created_at: now,
                expires_at,
            })
            .await
            .map_err(internal)?;
        Ok(InviteOutcome::Created { path: format!("/invite/{token}"), role, expires_at })
    }

    pub(crate) async fn acc_invite_info(&self, token: &str) -> Result<InviteInfo, AppError> {
        let now = self.clock.now_ms();
        let Some(i) = self.store.invite(&token_hash(token), now).await.map_err(internal)? else {
            return Err(AppError::NotFound(
                "This invite link was already used or has expired. Ask the team's owner for a new one.".into(),
            ));
        };
        let team = self.store.get_team(&i.team_id).await.map_err(internal)?;
        Ok(InviteInfo {
            team_name: team.map(|t| t.name).unwrap_or_default(),
            role: role_of(&i.role)?,
            expires_at: i.expires_at,
        })
    }

    pub(crate) async fn acc_accept_invite(&self, who: &Caller, token: &str) -> Result<AuthOutcome, AppError> {
        let user = self.signed_in(who).await?;
        let hash = token_hash(token);
        let now = self.clock.now_ms();
        if let Some(i) = self.store.invite(&hash, now).await.map_err(internal)? {
            if self.store.role_of(&i.team_id, &user.id).await.map_err(internal)?.is_some() {
                return Ok(AuthOutcome::Refused(
                    refused(
                        "You are already in this team.",
                        "This invite is for someone who is not in the team yet.",
                        "Pass the link on to the person it was meant for; it still works once.",
                    )
                    .korean(
                        "이미 이 팀에 속해 있습니다.",
                        "이 초대는 아직 팀에 없는 사람을 위한 것입니다.",
                        "원래 받을 사람에게 링크를 전달하세요. 링크는 아직 한 번 쓸 수 있습니다.",
                    ),
                ));
            }
        }
        match self.store.use_invite(&hash, &user.id, now).await.map_err(internal)? {
            Some(i) => {
                info!(user_id = %user.id, team_id = %i.team_id, role = %i.role, "joined a team");
                Ok(AuthOutcome::Done { next: format!("/teams/{}", i.team_id) })
            }
            None => Ok(AuthOutcome::Refused(invite_gone())),
        }
    }

    async fn owners(&self, team_id: &str) -> Result<usize, AppError> {
        Ok(self.store.members(team_id).await.map_err(internal)?.iter().filter(|m| m.role == "owner").count())
    }

    pub(crate) async fn acc_set_member_role(
        &self,
        who: &Caller,
        team_id: &str,
        user_id: &str,
        role: &str,
    ) -> Result<ActionOutcome, AppError> {
        self.team_access(who, team_id, Need::Manage).await?;
        let Some(role) = Role::from_key(role) else {
            return Ok(ActionOutcome::Invalid(vec![FieldProblem::new(
                "role",
                msg("Pick owner, member or viewer.", "소유자, 멤버, 뷰어 중 하나를 고르세요."),
            )]));
        };
        let Some(current) = self.store.role_of(team_id, user_id).await.map_err(internal)? else {
            return Err(AppError::NotFound("This person is not in the team.".into()));
        };
        if current == "owner" && role != Role::Owner && self.owners(team_id).await? <= 1 {
            return Ok(ActionOutcome::Refused(last_owner()));
        }
        self.store.set_role(team_id, user_id, role.key()).await.map_err(internal)?;
        Ok(ActionOutcome::Done)
    }

    pub(crate) async fn acc_remove_member(
        &self,
        who: &Caller,
        team_id: &str,
        user_id: &str,
    ) -> Result<ActionOutcome, AppError> {
        self.team_access(who, team_id, Need::Manage).await?;
        let Some(current) = self.store.role_of(team_id, user_id).await.map_err(internal)? else {
            return Err(AppError::NotFound("This person is not in the team.".into()));
        };
        if current == "owner" && self.owners(team_id).await? <= 1 {
            return Ok(ActionOutcome::Refused(last_owner()));
        }
        self.store.remove_member(team_id, user_id).await.map_err(internal)?;
        Ok(ActionOutcome::Done)
    }

    pub(crate) async fn acc_set_team_role(
        &self,
        who: &Caller,
        team_id: &str,
        role_arn: Option<String>,
    ) -> Result<ActionOutcome, AppError> {
        let (_, team, _) = self.team_access(who, team_id, Need::Manage).await?;
        if let Some(arn) = &role_arn {
            if let Err(m) = lockstep_domain::account::check_role_arn(arn) {
                return Ok(ActionOutcome::Invalid(vec![FieldProblem::new("role_arn", m)]));
            }
            // Tried before it is saved: a role lockstep cannot assume would fail every step.
            let role = lockstep_domain::account::AwsRole::for_team(team_id, arn, &team.aws_external_id);
            crate::work::use_aws((team_id, role).into());
            let tried = self.adapters.identity.caller_arn().await;
            crate::work::use_aws(team_aws(&team));
            match tried {
                Ok(acting_as) => info!(team_id, acting_as, "team AWS role verified"),
                Err(e) => {
                    let m = match e {
                        crate::ports::PortError::TeamRole { code, message, .. } => msg(
                            format!("AWS would not let lockstep assume this role ({code}: {message}). The role's trust policy must trust lockstep's AWS account and require the external id shown above."),
                            format!("AWS가 lockstep이 이 역할을 맡도록 허용하지 않았습니다 ({code}: {message}). 역할의 신뢰 정책이 lockstep의 AWS 계정을 신뢰하고 위에 보이는 외부 ID를 요구해야 합니다."),
                        ),
                        other => msg(
                            format!("lockstep could not check this role with AWS ({other}). Try again in a moment."),
                            format!("lockstep이 AWS에서 이 역할을 확인하지 못했습니다 ({other}). 잠시 뒤 다시 시도하세요."),
                        ),
                    };
                    return Ok(ActionOutcome::Invalid(vec![FieldProblem::new("role_arn", m)]));
                }
            }
        }
        self.store.set_team_role_arn(team_id, role_arn.as_deref()).await.map_err(internal)?;
        Ok(ActionOutcome::Done)
    }

    pub(crate) async fn acc_change_password(
        &self,
        who: &Caller,
        current: &str,
        new: &str,
    ) -> Result<ActionOutcome, AppError> {
        let user = self.signed_in(who).await?;
        let mut problems = Vec::new();
        if current.is_empty() {
            problems.push(FieldProblem::new(
                "current_password",
                msg("Enter your current password.", "지금 쓰는 비밀번호를 입력하세요."),
            ));
        }
        if let Err(m) = check_password(new) {
            problems.push(FieldProblem::new("new_password", m));
        } else if new == current {
            problems.push(FieldProblem::new(
                "new_password",
                msg(
                    "The new password is the same as the current one. Choose a different one.",
                    "새 비밀번호가 지금 비밀번호와 같습니다. 다른 비밀번호를 정하세요.",
                ),
            ));
        }
        if !problems.is_empty() {
            return Ok(ActionOutcome::Invalid(problems));
        }
        // Counted like a sign-in: a session left open on a lab computer must not become a way
        // to guess the password.
        let now = self.clock.now_ms();
        let key = account_key(&user.email);
        let counted = self.store.count_attempt(&key, now, throttle::WINDOW_MS).await.map_err(internal)?;
        if let Some(minutes) = counted.wait_minutes(throttle::PER_ACCOUNT, throttle::WINDOW_MS, now) {
            return Ok(ActionOutcome::Refused(account_paused(minutes)));
        }
        if !auth::verify_password(current.to_string(), Some(user.password_hash.clone())).await {
            return Ok(ActionOutcome::Invalid(vec![FieldProblem::new(
                "current_password",
                msg(
                    "This is not your current password. Type the password you signed in with (is Caps Lock on?).",
                    "지금 비밀번호가 아닙니다. 로그인할 때 쓴 비밀번호를 입력하세요 (Caps Lock이 켜져 있지 않나요?).",
                ),
            )]));
        }
        self.store.clear_attempts(&key).await.map_err(internal)?;
        let hash = hash(new).await?;
        let Some(epoch) = self.store.set_password(&user.id, &hash).await.map_err(internal)? else {
            return Err(AppError::SignInRequired);
        };
        // This session goes on at the new epoch (with a new id); every other one is signed out.
        self.begin_session(who, &user.id, epoch).await?;
        info!(user_id = %user.id, "password changed; other sessions signed out");
        Ok(ActionOutcome::Done)
    }

    pub(crate) async fn acc_create_reset_link(
        &self,
        who: &Caller,
        team_id: &str,
        user_id: &str,
    ) -> Result<ResetLinkOutcome, AppError> {
        let (owner, _, _) = self.team_access(who, team_id, Need::Manage).await?;
        let not_in_team = || AppError::NotFound("This person is not in the team.".into());
        if self.store.role_of(team_id, user_id).await.map_err(internal)?.is_none() {
            return Err(not_in_team());
        }
        let member = self.store.get_user(user_id).await.map_err(internal)?.ok_or_else(not_in_team)?;
        // Whoever holds the link gets into the account, in every team it is in: only someone
        // who owns all of them may make one (else an owner of one team could take over a
        // person's place in another).
        for (team, _) in self.store.teams_of(user_id).await.map_err(internal)? {
            if self.store.role_of(&team.id, &owner.id).await.map_err(internal)?.as_deref() != Some("owner") {
                return Ok(ResetLinkOutcome::Refused(reset_not_yours(&member.name)));
            }
        }
        let (token, hash) = auth::new_token();
        let now = self.clock.now_ms();
        let expires_at = now + RESET_HOURS * 3600 * 1000;
        self.store
            .insert_reset(&ResetRow {
                token_hash: hash,
                user_id: member.id.clone(),
                team_id: team_id.to_string(),
                created_by: owner.id.clone(),
                created_at: now,
                expires_at,
            })
            .await
            .map_err(internal)?;
        info!(team_id, user_id, by = %owner.id, "password reset link made");
        Ok(ResetLinkOutcome::Created { path: format!("/reset/{token}"), name: member.name, expires_at })
    }

    pub(crate) async fn acc_reset_info(&self, token: &str) -> Result<ResetInfo, AppError> {
        let now = self.clock.now_ms();
        let reset = self.store.reset(&token_hash(token), now).await.map_err(internal)?;
        let user = match reset {
            Some(r) => self.store.get_user(&r.user_id).await.map_err(internal)?.map(|u| (u, r.expires_at)),
            None => None,
        };
        let Some((user, expires_at)) = user else {
            return Err(AppError::NotFound(
                "This password reset link was already used or has expired (links work once, for 24 hours). Ask an owner of your team for a new one.".into(),
            ));
        };
        Ok(ResetInfo { name: user.name, email: user.email, expires_at })
    }

    pub(crate) async fn acc_reset_password(
        &self,
        _who: &Caller,
        token: &str,
        password: &str,
    ) -> Result<AuthOutcome, AppError> {
        let now = self.clock.now_ms();
        let link = token_hash(token);
        // The link first: a made-up one costs no password hash.
        if self.store.reset(&link, now).await.map_err(internal)?.is_none() {
            return Ok(AuthOutcome::Refused(reset_gone()));
        }
        if let Err(m) = check_password(password) {
            return Ok(AuthOutcome::Invalid(vec![FieldProblem::new("password", m)]));
        }
        let hash = hash(password).await?;
        // Used and set in one transaction: of two uses at once, one sets the password.
        let Some(reset) = self.store.use_reset(&link, &hash, now).await.map_err(internal)? else {
            return Ok(AuthOutcome::Refused(reset_gone()));
        };
        // A new password: whatever paused the account (guesses at the old one) is over.
        if let Some(u) = self.store.get_user(&reset.user_id).await.map_err(internal)? {
            self.store.clear_attempts(&account_key(&u.email)).await.map_err(internal)?;
        }
        info!(user_id = %reset.user_id, team_id = %reset.team_id, "password set through a reset link; every session signed out");
        Ok(AuthOutcome::SignIn { next: "/".into() })
    }
}

fn invite_gone() -> UserError {
    refused(
        "This invite link no longer works.",
        "Invite links work once, for 7 days; this one was used or has expired.",
        "Ask the team's owner for a new link.",
    )
    .korean(
        "이 초대 링크는 더 이상 쓸 수 없습니다.",
        "초대 링크는 7일 동안 한 번만 쓸 수 있는데, 이 링크는 이미 사용되었거나 만료되었습니다.",
        "팀 소유자에게 새 링크를 요청하세요.",
    )
}

fn last_owner() -> UserError {
    refused(
        "A team needs at least one owner.",
        "This is the team's only owner; without one nobody could manage the team or tear its deployment down.",
        "Make someone else an owner first.",
    )
    .korean(
        "팀에는 소유자가 적어도 한 명 있어야 합니다.",
        "이 사람은 팀의 유일한 소유자입니다. 소유자가 없으면 아무도 팀을 관리하거나 배포를 정리할 수 없습니다.",
        "먼저 다른 사람을 소유자로 만드세요.",
    )
}

/// `password`'s argon2id hash.
async fn hash(password: &str) -> Result<String, AppError> {
    auth::hash_password(password.to_string()).await.map_err(|e| {
        warn!(error = %e, "password hashing failed");
        AppError::Internal("password hashing".into())
    })
}

fn sign_up_closed(domains: &SignupDomains) -> UserError {
    let (why, why_ko) = if domains.is_empty() {
        (
            "Only people with an invite link from a team owner can make an account here.".to_string(),
            "팀 소유자가 보낸 초대 링크가 있어야 계정을 만들 수 있습니다.".to_string(),
        )
    } else {
        let list = domains.domains().join(", ");
        (
            format!(
                "Without an invite link from a team owner, only addresses at {list} (or their subdomains) can sign up."
            ),
            format!("팀 소유자의 초대 링크가 없으면 {list} (또는 그 하위 도메인) 주소만 가입할 수 있습니다."),
        )
    };
    refused(
        "Sign-up on this lockstep server is by invitation.",
        &why,
        "Ask the owner of the team you are joining (your team leader or instructor) to make an invite link on their team's page and send it to you, then open it. To open sign-up to your school's e-mail domain, ask whoever runs this lockstep server.",
    )
    .korean(
        "이 lockstep 서버는 초대를 받아야 가입할 수 있습니다.",
        why_ko,
        "참여하려는 팀의 소유자(팀장이나 담당 교수)에게 팀 페이지에서 초대 링크를 만들어 보내 달라고 한 뒤, 그 링크를 여세요. 학교 이메일 도메인으로 가입을 열려면 이 lockstep 서버를 운영하는 사람에게 문의하세요.",
    )
}

fn too_many_sign_ups(minutes: i64) -> UserError {
    refused(
        "Too many sign-ups from your network.",
        &format!(
            "More than {} accounts were made from this address within an hour, so lockstep pauses sign-ups from it.",
            throttle::SIGN_UPS_PER_ADDRESS
        ),
        &format!("Wait {minutes} minute(s) and try again."),
    )
    .korean(
        "내 네트워크에서 가입이 너무 많았습니다.",
        format!(
            "한 시간 안에 이 주소에서 계정이 {}개 넘게 만들어져, lockstep이 이 주소의 가입을 잠시 멈춥니다.",
            throttle::SIGN_UPS_PER_ADDRESS
        ),
        format!("{minutes}분 기다린 뒤 다시 시도하세요."),
    )
}

fn account_paused(minutes: i64) -> UserError {
    refused(
        "Too many wrong passwords for this account.",
        &format!(
            "After {} failed sign-ins in {} minutes lockstep pauses the account, so nobody can guess its password.",
            throttle::PER_ACCOUNT,
            throttle::WINDOW_MS / 60_000
        ),
        &format!(
            "Wait {minutes} minute(s) and try again. If you forgot the password, ask an owner of your team for a password reset link."
        ),
    )
    .korean(
        "이 계정에 잘못된 비밀번호 입력이 너무 많았습니다.",
        format!(
            "{}분 안에 로그인이 {}번 실패하면, 아무도 비밀번호를 추측할 수 없도록 lockstep이 이 계정의 로그인을 잠시 멈춥니다.",
            throttle::WINDOW_MS / 60_000,
            throttle::PER_ACCOUNT
        ),
        format!("{minutes}분 기다린 뒤 다시 시도하세요. 비밀번호를 잊었다면 팀 소유자에게 비밀번호 재설정 링크를 요청하세요."),
    )
}

fn address_paused(minutes: i64) -> UserError {
    refused(
        "Too many failed sign-ins from your network.",
        "Many wrong passwords came from this address in a short time, so lockstep pauses sign-ins from it.",
        &format!("Wait {minutes} minute(s) and try again."),
    )
    .korean(
        "내 네트워크에서 로그인 실패가 너무 많았습니다.",
        "짧은 시간에 이 주소에서 잘못된 비밀번호가 많이 입력되어, lockstep이 이 주소의 로그인을 잠시 멈춥니다.",
        format!("{minutes}분 기다린 뒤 다시 시도하세요."),
    )
}

fn wrong_password() -> UserError {
    refused(
        "Wrong e-mail address or password.",
        "No account matches this e-mail address and password.",
        "Check both (is Caps Lock on?) and try again. Forgot the password? Ask an owner of your team for a password reset link. No account yet? Ask your team's owner for an invite link.",
    )
    .korean(
        "이메일 주소 또는 비밀번호가 틀렸습니다.",
        "이 이메일 주소와 비밀번호에 맞는 계정이 없습니다.",
        "둘 다 확인한 뒤(Caps Lock이 켜져 있지 않나요?) 다시 시도하세요. 비밀번호를 잊었다면 팀 소유자에게 비밀번호 재설정 링크를 요청하세요. 아직 계정이 없다면 팀 소유자에게 초대 링크를 요청하세요.",
    )
}

fn reset_gone() -> UserError {
    refused(
        "This password reset link no longer works.",
        "Reset links work once, for 24 hours; this one was used, has expired, or was replaced by a newer one.",
        "Ask an owner of your team for a new link.",
    )
    .korean(
        "이 비밀번호 재설정 링크는 더 이상 쓸 수 없습니다.",
        "재설정 링크는 24시간 동안 한 번만 쓸 수 있는데, 이 링크는 이미 사용되었거나 만료되었거나 새 링크로 바뀌었습니다.",
        "팀 소유자에게 새 링크를 요청하세요.",
    )
}

fn reset_not_yours(name: &str) -> UserError {
    refused(
        &format!("lockstep did not make a reset link for {name}."),
        &format!(
            "{name} is also in a team you are not an owner of. Whoever holds a reset link gets into all of {name}'s teams, so only someone who owns every one of them may make it."
        ),
        &format!(
            "Ask the owners of {name}'s other teams: one who owns all of {name}'s teams can make the link, or they can make you an owner of theirs first."
        ),
    )
    .korean(
        format!("lockstep이 {name}님의 재설정 링크를 만들지 않았습니다."),
        format!(
            "{name}님은 내가 소유자가 아닌 팀에도 속해 있습니다. 재설정 링크를 가진 사람은 {name}님의 모든 팀에 들어갈 수 있으므로, 그 팀들을 모두 소유한 사람만 링크를 만들 수 있습니다."
        ),
        format!(
            "{name}님의 다른 팀 소유자에게 문의하세요. {name}님의 팀을 모두 소유한 사람이 링크를 만들 수 있고, 아니면 먼저 나를 그 팀의 소유자로 만들어 줄 수 있습니다."
        ),
    )
}
