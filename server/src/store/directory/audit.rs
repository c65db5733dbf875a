//! The audit log: the deployment history of each project, append-only.

use crate::store::StoreResult;
use async_trait::async_trait;

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

/// The deployment history (append-only).
#[async_trait]
pub trait AuditLog: Send + Sync {
    /// Appends to the history (there is no way to change or delete an entry: the database
    /// refuses it too).
    async fn append_audit(&self, entries: &[NewAudit]) -> StoreResult<()>;
    /// A project's history, oldest first.
    async fn audit(&self, project_id: &str, filter: &AuditFilter) -> StoreResult<Vec<AuditRow>>;
}

/// Writes `impl AuditLog for $store` (a struct with a `pool` field) for row type `$row`.
macro_rules! audit_impl {
    ($store:ty, $row:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::directory::AuditLog for $store {
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
pub(crate) use audit_impl;
