//! Teams: creating one, its page, invites, member roles, and the team's AWS role.

use super::*;

impl Lockstep {
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
            return Err(AppError::NotFound(invite_link_gone()));
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

    pub(super) async fn owners(&self, team_id: &str) -> Result<usize, AppError> {
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
            return Err(AppError::NotFound(not_in_team()));
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
            return Err(AppError::NotFound(not_in_team()));
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
            let tried = crate::work::acting_as((team_id, role).into(), self.adapters.identity.caller_arn()).await;
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
}
