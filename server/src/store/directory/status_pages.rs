//! Status pages: a project's public page settings, its scheduled checks and their results, and the
//! alerts sent about them.

use crate::store::StoreResult;
use async_trait::async_trait;

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

/// A project's status page: its settings, the scheduled checks and their results, the alerts sent.
#[async_trait]
pub trait StatusPages: Send + Sync {
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
}

/// Writes `impl StatusPages for $store` (a struct with a `pool` field) for row type `$row`.
macro_rules! status_pages_impl {
    ($store:ty, $row:ty) => {
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
        impl $crate::store::directory::StatusPages for $store {
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
        }
    };
}
pub(crate) use status_pages_impl;
