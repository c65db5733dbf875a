//! Accounts: the first run, sign-up and sign-in (throttled), sign-out, the session's facts.

use super::*;

impl Lockstep {
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

    pub(super) async fn me(&self, u: UserRow) -> Result<Me, AppError> {
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

    pub(super) fn new_team(&self, name: String) -> TeamRow {
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

    pub(super) async fn new_user(&self, name: String, email: &Email, password: String) -> Result<UserRow, AppError> {
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
    pub(super) async fn begin_session(&self, who: &Caller, user_id: &str, epoch: i64) -> Result<(), AppError> {
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
}
