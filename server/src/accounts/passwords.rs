//! Passwords: changing one's own, and one-time reset links from a team owner.

use super::*;

impl Lockstep {
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
        let not_in_team = || AppError::NotFound(not_in_team());
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
            return Err(AppError::NotFound(reset_link_gone()));
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
