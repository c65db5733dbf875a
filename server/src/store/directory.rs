//! People, teams, invites, password resets, sign-in and sign-up throttling and the audit log: the part of [`super::Store`]
//! whose SQL is the same on SQLite and PostgreSQL (`$N` placeholders work on both, the columns
//! are plain text and integers). [`directory_impl!`] writes the one implementation into each
//! adapter, so the two cannot drift apart.

use super::StoreResult;
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

/// What [`Directory::create_invited_user`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invited {
    /// The account exists and is in the invite's team.
    Joined(InviteRow),
    /// Another account has the e-mail address: nothing changed, the invite still works.
    EmailTaken,
    /// The invite was used up or expired: nothing changed.
    InviteGone,
}

/// A one-time password reset link an owner made for a member of their team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetRow {
    pub token_hash: String,
    pub user_id: String,
    /// The team through which the owner made it.
    pub team_id: String,
    pub created_by: String,
    pub created_at: i64,
    pub expires_at: i64,
}

/// One entry of the deployment history, as written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewAudit {
    pub at: i64,
    pub team_id: Option<String>,
    pub project_id: Option<String>,
    pub user_id: Option<String>,
    pub user_name: Option<String>,
    pub run_id: Option<String>,
    pub step: Option<String>,
    /// `action` (something a person did in lockstep) or `aws` (a call lockstep made).
    pub kind: String,
    pub operation: String,
    /// The request, secrets redacted.
    pub summary: String,
    pub ok: bool,
    pub error_code: Option<String>,
    pub duration_ms: i64,
}

/// One entry as read back, with its place in the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub seq: i64,
    pub entry: NewAudit,
}

/// Which entries of a project's history to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    pub user_id: Option<String>,
    pub step: Option<String>,
    pub failures_only: bool,
    /// Entries after this `seq` only (paging; 0 = from the start).
    pub after: i64,
    pub limit: i64,
}

/// A project's status page settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusPageRow {
    pub project_id: String,
    pub slug: String,
    pub public: bool,
    pub interval_minutes: i64,
    pub webhook_cipher: Option<String>,
    pub webhook_hint: Option<String>,
    pub next_check_at: i64,
    pub created_at: i64,
}

#[async_trait]
pub trait Directory: Send + Sync {
    // Status pages.
    async fn status_page(&self, project_id: &str) -> StoreResult<Option<StatusPageRow>>;
    async fn status_page_by_slug(&self, slug: &str) -> StoreResult<Option<StatusPageRow>>;
    /// Creates or replaces the project's settings; `false` when another project has the slug.
    async fn save_status_page(&self, row: &StatusPageRow) -> StoreResult<bool>;
    /// Claims the most overdue scheduled check, moving its next time one interval on, in one
    /// statement: of several servers asking at once, exactly one gets each due check.
    async fn claim_due_status_check(&self, now: i64) -> StoreResult<Option<StatusPageRow>>;
    /// Moves the project's next scheduled check to `at` when it is later than that (a
    /// short-lived certificate is re-checked more often than the page's interval; never later).
    async fn check_again_by(&self, project_id: &str, at: i64) -> StoreResult<()>;
    async fn record_status_checks(
        &self,
        project_id: &str,
        checks: &[lockstep_domain::status::Check],
    ) -> StoreResult<()>;
    /// The project's checks since `since`, oldest first.
    async fn status_checks(&self, project_id: &str, since: i64) -> StoreResult<Vec<lockstep_domain::status::Check>>;
    /// `true` for the one caller that claims `key` first (it sends the alert).
    async fn claim_alert(&self, project_id: &str, key: &str, now: i64) -> StoreResult<bool>;
    /// Gives a claimed alert back (its sending failed; the next check tries again).
    async fn release_alert(&self, project_id: &str, key: &str) -> StoreResult<()>;
    async fn sent_alerts(&self, project_id: &str) -> StoreResult<Vec<String>>;

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

    /// Counts one attempt for `key` and returns it numbered, in one statement: the count
    /// starts again at 1 once `window_ms` have passed since the window's first attempt. Of many
    /// parallel attempts each gets its own number (see `lockstep_domain::account::throttle`).
    async fn count_attempt(
        &self,
        key: &str,
        now: i64,
        window_ms: i64,
    ) -> StoreResult<lockstep_domain::account::throttle::Counted>;
    /// Takes one counted attempt back (it turned out not to count: a right password).
    async fn refund_attempt(&self, key: &str) -> StoreResult<()>;
    /// Forgets every attempt counted for `key`.
    async fn clear_attempts(&self, key: &str) -> StoreResult<()>;

    /// The user's session epoch (`None`: no such user). A session signed in at another epoch
    /// is no longer valid.
    async fn session_epoch(&self, user_id: &str) -> StoreResult<Option<i64>>;
    /// Sets a new password hash and raises the session epoch (every session is signed out);
    /// returns the new epoch, `None` when there is no such user.
    async fn set_password(&self, user_id: &str, password_hash: &str) -> StoreResult<Option<i64>>;
    /// Stores a reset link; the user's earlier unused links stop working.
    async fn insert_reset(&self, reset: &ResetRow) -> StoreResult<()>;
    /// An unused, unexpired reset link.
    async fn reset(&self, token_hash: &str, now: i64) -> StoreResult<Option<ResetRow>>;
    /// Uses the link and sets its user's password (raising the session epoch), atomically: the
    /// link works once. `None` when it is used up or expired, and then nothing changed.
    async fn use_reset(&self, token_hash: &str, password_hash: &str, now: i64) -> StoreResult<Option<ResetRow>>;

    /// Appends to the history (there is no way to change or delete an entry: the database
    /// refuses it too).
    async fn append_audit(&self, entries: &[NewAudit]) -> StoreResult<()>;
    /// A project's history, oldest first.
    async fn audit(&self, project_id: &str, filter: &AuditFilter) -> StoreResult<Vec<AuditRow>>;
}

/// Writes `impl Directory for $store` (a struct with a `pool` field) for row type `$row`.
macro_rules! directory_impl {
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

        fn dir_reset(r: &$row) -> StoreResult<$crate::store::directory::ResetRow> {
            Ok($crate::store::directory::ResetRow {
                token_hash: r.try_get("token_hash")?,
                user_id: r.try_get("user_id")?,
                team_id: r.try_get("team_id")?,
                created_by: r.try_get("created_by")?,
                created_at: r.try_get("created_at")?,
                expires_at: r.try_get("expires_at")?,
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

        fn dir_status(r: &$row) -> StoreResult<$crate::store::directory::StatusPageRow> {
            let public: i64 = r.try_get("public")?;
            Ok($crate::store::directory::StatusPageRow {
                project_id: r.try_get("project_id")?,
                slug: r.try_get("slug")?,
                public: public != 0,
                interval_minutes: r.try_get("interval_minutes")?,
                webhook_cipher: r.try_get("webhook_cipher")?,
                webhook_hint: r.try_get("webhook_hint")?,
                next_check_at: r.try_get("next_check_at")?,
                created_at: r.try_get("created_at")?,
            })
        }

        #[async_trait::async_trait]
        impl $crate::store::directory::Directory for $store {
            async fn status_page(&self, project_id: &str) -> StoreResult<Option<$crate::store::directory::StatusPageRow>> {
                let row = sqlx::query("SELECT * FROM status_pages WHERE project_id = $1").bind(project_id).fetch_optional(&self.pool).await?;
                row.as_ref().map(dir_status).transpose()
            }

            async fn status_page_by_slug(&self, slug: &str) -> StoreResult<Option<$crate::store::directory::StatusPageRow>> {
                let row = sqlx::query("SELECT * FROM status_pages WHERE slug = $1").bind(slug).fetch_optional(&self.pool).await?;
                row.as_ref().map(dir_status).transpose()
            }

            async fn save_status_page(&self, p: &$crate::store::directory::StatusPageRow) -> StoreResult<bool> {
                if let Some(other) = self.status_page_by_slug(&p.slug).await? {
                    if other.project_id != p.project_id {
                        return Ok(false);
                    }
                }
                let done = sqlx::query(
                    "INSERT INTO status_pages (project_id, slug, public, interval_minutes, webhook_cipher, webhook_hint, next_check_at, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (project_id) DO UPDATE SET slug = $2, public = $3, interval_minutes = $4, \
                     webhook_cipher = $5, webhook_hint = $6, next_check_at = $7",
                )
                .bind(&p.project_id)
                .bind(&p.slug)
                .bind(i64::from(p.public))
                .bind(p.interval_minutes)
                .bind(&p.webhook_cipher)
                .bind(&p.webhook_hint)
                .bind(p.next_check_at)
                .bind(p.created_at)
                .execute(&self.pool)
                .await;
                match done {
                    Ok(_) => Ok(true),
                    // The slug was taken between the look and the write.
                    Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(false),
                    Err(e) => Err(e.into()),
                }
            }

            async fn claim_due_status_check(&self, now: i64) -> StoreResult<Option<$crate::store::directory::StatusPageRow>> {
                // The re-check of `next_check_at <= now` in the UPDATE is what makes a racing
                // server's claim of the same row change nothing (PostgreSQL re-evaluates it after
                // the first claim commits; SQLite runs one writer at a time).
                let row = sqlx::query(
                    "UPDATE status_pages SET next_check_at = $1 + interval_minutes * 60000 \
                     WHERE project_id = (SELECT project_id FROM status_pages WHERE next_check_at <= $1 ORDER BY next_check_at LIMIT 1) \
                     AND next_check_at <= $1 RETURNING *",
                )
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(dir_status).transpose()
            }

            async fn record_status_checks(&self, project_id: &str, checks: &[lockstep_domain::status::Check]) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                for c in checks {
                    sqlx::query("INSERT INTO status_checks (project_id, name, at, ok, failing, failing_ko, not_after, not_before, grade, grade_why, grade_why_ko) \
                                  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                        .bind(project_id)
                        .bind(&c.name)
                        .bind(c.at_ms)
                        .bind(i64::from(c.ok))
                        .bind(&c.failing)
                        .bind(&c.failing_ko)
                        .bind(c.not_after_ms)
                        .bind(c.not_before_ms)
                        .bind(&c.grade)
                        .bind(&c.grade_why)
                        .bind(&c.grade_why_ko)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn status_checks(&self, project_id: &str, since: i64) -> StoreResult<Vec<lockstep_domain::status::Check>> {
                let rows = sqlx::query("SELECT * FROM status_checks WHERE project_id = $1 AND at >= $2 ORDER BY at, seq")
                    .bind(project_id)
                    .bind(since)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| {
                        let ok: i64 = r.try_get("ok")?;
                        Ok(lockstep_domain::status::Check {
                            name: r.try_get("name")?,
                            at_ms: r.try_get("at")?,
                            ok: ok != 0,
                            failing: r.try_get("failing")?,
                            failing_ko: r.try_get("failing_ko")?,
                            not_after_ms: r.try_get("not_after")?,
                            not_before_ms: r.try_get("not_before")?,
                            grade: r.try_get("grade")?,
                            grade_why: r.try_get("grade_why")?,
                            grade_why_ko: r.try_get("grade_why_ko")?,
                        })
                    })
                    .collect()
            }

            async fn claim_alert(&self, project_id: &str, key: &str, now: i64) -> StoreResult<bool> {
                let done = sqlx::query("INSERT INTO alerts_sent (project_id, key, at) VALUES ($1, $2, $3) ON CONFLICT (project_id, key) DO NOTHING")
                    .bind(project_id)
                    .bind(key)
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn check_again_by(&self, project_id: &str, at: i64) -> StoreResult<()> {
                sqlx::query("UPDATE status_pages SET next_check_at = $2 WHERE project_id = $1 AND next_check_at > $2")
                    .bind(project_id)
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn release_alert(&self, project_id: &str, key: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM alerts_sent WHERE project_id = $1 AND key = $2").bind(project_id).bind(key).execute(&self.pool).await?;
                Ok(())
            }

            async fn sent_alerts(&self, project_id: &str) -> StoreResult<Vec<String>> {
                let rows = sqlx::query("SELECT key FROM alerts_sent WHERE project_id = $1 ORDER BY at").bind(project_id).fetch_all(&self.pool).await?;
                rows.iter().map(|r| Ok(r.try_get("key")?)).collect()
            }

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

            async fn count_attempt(
                &self,
                key: &str,
                now: i64,
                window_ms: i64,
            ) -> StoreResult<lockstep_domain::account::throttle::Counted> {
                // One upsert: SQLite runs one writer at a time, and PostgreSQL's ON CONFLICT
                // DO UPDATE locks the row, so no two attempts get the same number. (Both read
                // the old row's values on the right of every SET.)
                let row = sqlx::query(
                    "INSERT INTO attempt_counters (key, window_start, attempts) VALUES ($1, $2, 1) \
                     ON CONFLICT (key) DO UPDATE SET \
                     attempts = CASE WHEN attempt_counters.window_start <= $2 - $3 THEN 1 ELSE attempt_counters.attempts + 1 END, \
                     window_start = CASE WHEN attempt_counters.window_start <= $2 - $3 THEN $2 ELSE attempt_counters.window_start END \
                     RETURNING attempts, window_start",
                )
                .bind(key)
                .bind(now)
                .bind(window_ms)
                .fetch_one(&self.pool)
                .await?;
                let counted = lockstep_domain::account::throttle::Counted {
                    count: row.try_get("attempts")?,
                    window_start: row.try_get("window_start")?,
                };
                // Forget what no window will ever count again.
                sqlx::query("DELETE FROM attempt_counters WHERE window_start < $1")
                    .bind(now - 2 * lockstep_domain::account::throttle::LONGEST_WINDOW_MS)
                    .execute(&self.pool)
                    .await?;
                Ok(counted)
            }

            async fn refund_attempt(&self, key: &str) -> StoreResult<()> {
                sqlx::query("UPDATE attempt_counters SET attempts = attempts - 1 WHERE key = $1 AND attempts > 0")
                    .bind(key)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn clear_attempts(&self, key: &str) -> StoreResult<()> {
                sqlx::query("DELETE FROM attempt_counters WHERE key = $1").bind(key).execute(&self.pool).await?;
                Ok(())
            }

            async fn session_epoch(&self, user_id: &str) -> StoreResult<Option<i64>> {
                let row = sqlx::query("SELECT session_epoch FROM users WHERE id = $1").bind(user_id).fetch_optional(&self.pool).await?;
                Ok(match row {
                    Some(r) => Some(r.try_get("session_epoch")?),
                    None => None,
                })
            }

            async fn set_password(&self, user_id: &str, password_hash: &str) -> StoreResult<Option<i64>> {
                let row = sqlx::query(
                    "UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1 WHERE id = $2 RETURNING session_epoch",
                )
                .bind(password_hash)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
                Ok(match row {
                    Some(r) => Some(r.try_get("session_epoch")?),
                    None => None,
                })
            }

            async fn insert_reset(&self, r: &$crate::store::directory::ResetRow) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                // One live link per person: a new one replaces any the owner made before.
                sqlx::query("DELETE FROM password_resets WHERE user_id = $1 AND used_at IS NULL")
                    .bind(&r.user_id)
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO password_resets (token_hash, user_id, team_id, created_by, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&r.token_hash)
                .bind(&r.user_id)
                .bind(&r.team_id)
                .bind(&r.created_by)
                .bind(r.created_at)
                .bind(r.expires_at)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn reset(&self, token_hash: &str, now: i64) -> StoreResult<Option<$crate::store::directory::ResetRow>> {
                let row = sqlx::query("SELECT * FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
                    .bind(token_hash)
                    .bind(now)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(dir_reset).transpose()
            }

            async fn use_reset(
                &self,
                token_hash: &str,
                password_hash: &str,
                now: i64,
            ) -> StoreResult<Option<$crate::store::directory::ResetRow>> {
                let mut tx = self.pool.begin().await?;
                let row = sqlx::query(
                    "UPDATE password_resets SET used_at = $1 \
                     WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING *",
                )
                .bind(now)
                .bind(token_hash)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    tx.rollback().await?;
                    return Ok(None);
                };
                let reset = dir_reset(&row)?;
                sqlx::query("UPDATE users SET password_hash = $1, session_epoch = session_epoch + 1 WHERE id = $2")
                    .bind(password_hash)
                    .bind(&reset.user_id)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(Some(reset))
            }

            async fn append_audit(&self, entries: &[$crate::store::directory::NewAudit]) -> StoreResult<()> {
                if entries.is_empty() {
                    return Ok(());
                }
                let mut tx = self.pool.begin().await?;
                for e in entries {
                    sqlx::query(
                        "INSERT INTO audit (at, team_id, project_id, user_id, user_name, run_id, step, kind, operation, summary, ok, error_code, duration_ms) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
                    )
                    .bind(e.at)
                    .bind(&e.team_id)
                    .bind(&e.project_id)
                    .bind(&e.user_id)
                    .bind(&e.user_name)
                    .bind(&e.run_id)
                    .bind(&e.step)
                    .bind(&e.kind)
                    .bind(&e.operation)
                    .bind(&e.summary)
                    .bind(i64::from(e.ok))
                    .bind(&e.error_code)
                    .bind(e.duration_ms)
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn audit(
                &self,
                project_id: &str,
                f: &$crate::store::directory::AuditFilter,
            ) -> StoreResult<Vec<$crate::store::directory::AuditRow>> {
                let rows = sqlx::query(
                    "SELECT * FROM audit WHERE project_id = $1 AND seq > $2 \
                     AND ($3 IS NULL OR user_id = $3) AND ($4 IS NULL OR step = $4) AND ($5 = 0 OR ok = 0) \
                     ORDER BY seq LIMIT $6",
                )
                .bind(project_id)
                .bind(f.after)
                .bind(&f.user_id)
                .bind(&f.step)
                .bind(i64::from(f.failures_only))
                .bind(if f.limit > 0 { f.limit } else { 10_000 })
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let ok: i64 = r.try_get("ok")?;
                        Ok($crate::store::directory::AuditRow {
                            seq: r.try_get("seq")?,
                            entry: $crate::store::directory::NewAudit {
                                at: r.try_get("at")?,
                                team_id: r.try_get("team_id")?,
                                project_id: r.try_get("project_id")?,
                                user_id: r.try_get("user_id")?,
                                user_name: r.try_get("user_name")?,
                                run_id: r.try_get("run_id")?,
                                step: r.try_get("step")?,
                                kind: r.try_get("kind")?,
                                operation: r.try_get("operation")?,
                                summary: r.try_get("summary")?,
                                ok: ok != 0,
                                error_code: r.try_get("error_code")?,
                                duration_ms: r.try_get("duration_ms")?,
                            },
                        })
                    })
                    .collect()
            }
        }
    };
}
pub(crate) use directory_impl;
