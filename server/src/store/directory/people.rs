//! People: the first owner, accounts, teams and their members, and invites.

use crate::store::StoreResult;
use async_trait::async_trait;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub name: String,
    /// argon2id PHC string; never leaves the server.
    pub password_hash: String,
    pub locale: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamRow {
    pub id: String,
    pub name: String,
    pub aws_role_arn: Option<String>,
    pub aws_external_id: String,
    pub created_at: i64,
}

impl TeamRow {
    /// The AWS role the team's projects act with (`None`: the server's own access).
    pub fn aws_role(&self) -> Option<lockstep_domain::account::AwsRole> {
        self.aws_role_arn
            .as_deref()
            .map(|arn| lockstep_domain::account::AwsRole::for_team(&self.id, arn, &self.aws_external_id))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub role: String,
    pub joined_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteRow {
    pub token_hash: String,
    pub team_id: String,
    pub role: String,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// What [`People::create_invited_user`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invited {
    /// The account exists and is in the invite's team.
    Joined(InviteRow),
    /// Another account has the e-mail address: nothing changed, the invite still works.
    EmailTaken,
    /// The invite was used up or expired: nothing changed.
    InviteGone,
}

/// People and teams: the first owner, accounts, teams and their members, invites.
#[async_trait]
pub trait People: Send + Sync {
    /// `true` once the first owner exists.
    async fn set_up(&self) -> StoreResult<bool>;
    /// Creates the first owner, their team and membership, and gives that team every project
    /// made before accounts existed; all in one transaction and only if nobody was first
    /// (`false` then, and nothing changed).
    async fn create_first_owner(&self, user: &UserRow, team: &TeamRow, now: i64) -> StoreResult<bool>;
    /// Creates a user and, with `team`, a team they own. `false` when the e-mail is taken.
    async fn create_user(&self, user: &UserRow, team: Option<&TeamRow>, now: i64) -> StoreResult<bool>;
    /// Creates a user through an invite, in one transaction: the invite is used, the account
    /// made and the membership added, or nothing happens. (Made in two steps, a link used by
    /// someone else in between would leave an account that no invite let in.)
    async fn create_invited_user(&self, user: &UserRow, token_hash: &str, now: i64) -> StoreResult<Invited>;
    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>>;
    async fn get_user(&self, id: &str) -> StoreResult<Option<UserRow>>;
    async fn set_locale(&self, user_id: &str, locale: Option<&str>) -> StoreResult<bool>;

    async fn create_team(&self, team: &TeamRow, owner_id: &str, now: i64) -> StoreResult<()>;
    async fn get_team(&self, id: &str) -> StoreResult<Option<TeamRow>>;
    async fn set_team_role_arn(&self, team_id: &str, role_arn: Option<&str>) -> StoreResult<bool>;
    /// The user's teams and their role in each, oldest membership first.
    async fn teams_of(&self, user_id: &str) -> StoreResult<Vec<(TeamRow, String)>>;
    async fn role_of(&self, team_id: &str, user_id: &str) -> StoreResult<Option<String>>;
    async fn members(&self, team_id: &str) -> StoreResult<Vec<MemberRow>>;
    async fn set_role(&self, team_id: &str, user_id: &str, role: &str) -> StoreResult<bool>;
    async fn remove_member(&self, team_id: &str, user_id: &str) -> StoreResult<bool>;

    async fn insert_invite(&self, invite: &InviteRow) -> StoreResult<()>;
    /// An unused, unexpired invite.
    async fn invite(&self, token_hash: &str, now: i64) -> StoreResult<Option<InviteRow>>;
    /// Marks the invite used by `user_id` and adds the membership, atomically: of two people
    /// using one link at once, exactly one gets in. `None` when it is used up or expired.
    async fn use_invite(&self, token_hash: &str, user_id: &str, now: i64) -> StoreResult<Option<InviteRow>>;
}

/// Writes `impl People for $store` (a struct with a `pool` field) for row type `$row`.
macro_rules! people_impl {
    ($store:ty, $row:ty) => {
        fn dir_user(r: &$row) -> StoreResult<$crate::store::directory::UserRow> {
            Ok($crate::store::directory::UserRow {
                id: r.try_get("id")?,
                email: r.try_get("email")?,
                name: r.try_get("name")?,
                password_hash: r.try_get("password_hash")?,
                locale: r.try_get("locale")?,
                created_at: r.try_get("created_at")?,
            })
        }

        fn dir_team(r: &$row) -> StoreResult<$crate::store::directory::TeamRow> {
            Ok($crate::store::directory::TeamRow {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                aws_role_arn: r.try_get("aws_role_arn")?,
                aws_external_id: r.try_get("aws_external_id")?,
                created_at: r.try_get("created_at")?,
            })
        }

        fn dir_invite(r: &$row) -> StoreResult<$crate::store::directory::InviteRow> {
            Ok($crate::store::directory::InviteRow {
                token_hash: r.try_get("token_hash")?,
                team_id: r.try_get("team_id")?,
                role: r.try_get("role")?,
                created_by: r.try_get("created_by")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
            })
        }

        const DIR_INSERT_USER: &str =
            "INSERT INTO users (id, email, name, password_hash, locale, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (email) DO NOTHING";
        const DIR_INSERT_TEAM: &str =
            "INSERT INTO teams (id, name, aws_role_arn, aws_external_id, created_at) VALUES ($1, $2, $3, $4, $5)";
        const DIR_INSERT_MEMBER: &str =
            "INSERT INTO memberships (team_id, user_id, role, joined_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (team_id, user_id) DO NOTHING";

        #[async_trait::async_trait]
        impl $crate::store::directory::People for $store {
            async fn set_up(&self) -> StoreResult<bool> {
                Ok(sqlx::query("SELECT 1 AS one FROM first_run").fetch_optional(&self.pool).await?.is_some())
            }

            async fn create_first_owner(
                &self,
                user: &$crate::store::directory::UserRow,
                team: &$crate::store::directory::TeamRow,
                now: i64,
            ) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                let first = sqlx::query("INSERT INTO first_run (one, owner_id, at) VALUES (1, $1, $2) ON CONFLICT (one) DO NOTHING")
                    .bind(&user.id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                if first.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                let made = sqlx::query(DIR_INSERT_USER)
                    .bind(&user.id)
                    .bind(&user.email)
                    .bind(&user.name)
                    .bind(&user.password_hash)
                    .bind(&user.locale)
                    .bind(user.created_at)
                    .execute(&mut *tx)
                    .await?;
                if made.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                sqlx::query(DIR_INSERT_TEAM)
                    .bind(&team.id)
                    .bind(&team.name)
                    .bind(&team.aws_role_arn)
                    .bind(&team.aws_external_id)
                    .bind(team.created_at)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(DIR_INSERT_MEMBER).bind(&team.id).bind(&user.id).bind("owner").bind(now).execute(&mut *tx).await?;
                sqlx::query("UPDATE projects SET team_id = $1 WHERE team_id IS NULL").bind(&team.id).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(true)
            }

            async fn create_user(
                &self,
                user: &$crate::store::directory::UserRow,
                team: Option<&$crate::store::directory::TeamRow>,
                now: i64,
            ) -> StoreResult<bool> {
                let mut tx = self.pool.begin().await?;
                let made = sqlx::query(DIR_INSERT_USER)
                    .bind(&user.id)
                    .bind(&user.email)
                    .bind(&user.name)
                    .bind(&user.password_hash)
                    .bind(&user.locale)
                    .bind(user.created_at)
                    .execute(&mut *tx)
                    .await?;
                if made.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Ok(false);
                }
                if let Some(team) = team {
                    sqlx::query(DIR_INSERT_TEAM)
                        .bind(&team.id)
                        .bind(&team.name)
                        .bind(&team.aws_role_arn)
                        .bind(&team.aws_external_id)
                        .bind(team.created_at)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(DIR_INSERT_MEMBER).bind(&team.id).bind(&user.id).bind("owner").bind(now).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                Ok(true)
            }

            async fn create_invited_user(
                &self,
                user: &$crate::store::directory::UserRow,
                token_hash: &str,
                now: i64,
            ) -> StoreResult<$crate::store::directory::Invited> {
                use $crate::store::directory::Invited;
                let mut tx = self.pool.begin().await?;
                // The invite first, so whether it still works is decided before (and whatever)
                // the e-mail address says.
                let row = sqlx::query(
                    "UPDATE invites SET used_by = $1, used_at = $2 \
                     WHERE token_hash = $3 AND used_at IS NULL AND expires_at > $2 RETURNING *",
                )
                .bind(&user.id)
                .bind(now)
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    tx.rollback().await?;
                    return Ok(Invited::InviteGone);
                };
                let invite = dir_invite(&row)?;
                let made = sqlx::query(DIR_INSERT_USER)
                    .bind(&user.id)
                    .bind(&user.email)
                    .bind(&user.name)
                    .bind(&user.password_hash)
                    .bind(&user.locale)
                    .bind(user.created_at)
                    .execute(&mut *tx)
                    .await?;
                if made.rows_affected() == 0 {
                    tx.rollback().await?;
                    return Ok(Invited::EmailTaken);
                }
                sqlx::query(DIR_INSERT_MEMBER).bind(&invite.team_id).bind(&user.id).bind(&invite.role).bind(now).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(Invited::Joined(invite))
            }

            async fn user_by_email(&self, email: &str) -> StoreResult<Option<$crate::store::directory::UserRow>> {
                let row = sqlx::query("SELECT * FROM users WHERE email = $1").bind(email).fetch_optional(&self.pool).await?;
                row.as_ref().map(dir_user).transpose()
            }

            async fn get_user(&self, id: &str) -> StoreResult<Option<$crate::store::directory::UserRow>> {
                let row = sqlx::query("SELECT * FROM users WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
                row.as_ref().map(dir_user).transpose()
            }

            async fn set_locale(&self, user_id: &str, locale: Option<&str>) -> StoreResult<bool> {
                let done = sqlx::query("UPDATE users SET locale = $1 WHERE id = $2")
                    .bind(locale)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn create_team(&self, team: &$crate::store::directory::TeamRow, owner_id: &str, now: i64) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                sqlx::query(DIR_INSERT_TEAM)
                    .bind(&team.id)
                    .bind(&team.name)
                    .bind(&team.aws_role_arn)
                    .bind(&team.aws_external_id)
                    .bind(team.created_at)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(DIR_INSERT_MEMBER).bind(&team.id).bind(owner_id).bind("owner").bind(now).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn get_team(&self, id: &str) -> StoreResult<Option<$crate::store::directory::TeamRow>> {
                let row = sqlx::query("SELECT * FROM teams WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
                row.as_ref().map(dir_team).transpose()
            }

            async fn set_team_role_arn(&self, team_id: &str, role_arn: Option<&str>) -> StoreResult<bool> {
                let done = sqlx::query("UPDATE teams SET aws_role_arn = $1 WHERE id = $2")
                    .bind(role_arn)
                    .bind(team_id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn teams_of(&self, user_id: &str) -> StoreResult<Vec<($crate::store::directory::TeamRow, String)>> {
                let rows = sqlx::query(
                    "SELECT t.*, m.role AS member_role FROM teams t JOIN memberships m ON m.team_id = t.id \
                     WHERE m.user_id = $1 ORDER BY m.joined_at, t.name",
                )
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|r| Ok((dir_team(r)?, r.try_get("member_role")?))).collect()
            }

            async fn role_of(&self, team_id: &str, user_id: &str) -> StoreResult<Option<String>> {
                let row = sqlx::query("SELECT role FROM memberships WHERE team_id = $1 AND user_id = $2")
                    .bind(team_id)
                    .bind(user_id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(match row {
                    Some(r) => Some(r.try_get("role")?),
                    None => None,
                })
            }

            async fn members(&self, team_id: &str) -> StoreResult<Vec<$crate::store::directory::MemberRow>> {
                let rows = sqlx::query(
                    "SELECT u.id, u.name, u.email, m.role, m.joined_at FROM memberships m JOIN users u ON u.id = m.user_id \
                     WHERE m.team_id = $1 ORDER BY m.joined_at, u.name",
                )
                .bind(team_id)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok($crate::store::directory::MemberRow {
                            user_id: r.try_get("id")?,
                            name: r.try_get("name")?,
                            email: r.try_get("email")?,
                            role: r.try_get("role")?,
                            joined_at: r.try_get("joined_at")?,
                        })
                    })
                    .collect()
            }

            async fn set_role(&self, team_id: &str, user_id: &str, role: &str) -> StoreResult<bool> {
                let done = sqlx::query("UPDATE memberships SET role = $1 WHERE team_id = $2 AND user_id = $3")
                    .bind(role)
                    .bind(team_id)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn remove_member(&self, team_id: &str, user_id: &str) -> StoreResult<bool> {
                let done = sqlx::query("DELETE FROM memberships WHERE team_id = $1 AND user_id = $2")
                    .bind(team_id)
                    .bind(user_id)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() > 0)
            }

            async fn insert_invite(&self, i: &$crate::store::directory::InviteRow) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO invites (token_hash, team_id, role, created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&i.token_hash)
                .bind(&i.team_id)
                .bind(&i.role)
                .bind(&i.created_by)
                .bind(i.created_at)
                .bind(i.expires_at)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn invite(&self, token_hash: &str, now: i64) -> StoreResult<Option<$crate::store::directory::InviteRow>> {
                let row = sqlx::query("SELECT * FROM invites WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
                    .bind(token_hash)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(dir_invite).transpose()
            }

            async fn use_invite(
                &self,
                token_hash: &str,
                user_id: &str,
                now: i64,
            ) -> StoreResult<Option<$crate::store::directory::InviteRow>> {
                let mut tx = self.pool.begin().await?;
                let row = sqlx::query(
                    "UPDATE invites SET used_by = $1, used_at = $2 \
                     WHERE token_hash = $3 AND used_at IS NULL AND expires_at > $2 RETURNING *",
                )
                .bind(user_id)
                .bind(now)
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let invite = dir_invite(&row)?;
                sqlx::query(DIR_INSERT_MEMBER).bind(&invite.team_id).bind(user_id).bind(&invite.role).bind(now).execute(&mut *tx).await?;
                tx.commit().await?;
                Ok(Some(invite))
            }
        }
    };
}
pub(crate) use people_impl;
