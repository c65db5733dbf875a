//! The embedded store: one SQLite file, WAL mode, a busy timeout, migrations applied at start.
//!
//! Claims are one `UPDATE ... RETURNING` statement, so two workers can never hold the same
//! step: SQLite serialises writers, and the statement both picks and leases the step.

use super::*;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::str::FromStr;
use std::time::Duration;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

pub struct SqliteStore {
    pool: SqlitePool,
    changes: broadcast::Sender<RunChanged>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` (`sqlite://path` or `sqlite::memory:`)
    /// and applies the migrations.
    pub async fn open(url: &str) -> StoreResult<SqliteStore> {
        let memory = url.contains(":memory:");
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(if memory { SqliteJournalMode::Memory } else { SqliteJournalMode::Wal })
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        if !memory {
            // Switch the file to WAL on one connection first: the journal mode is stored in the
            // file, and two pool connections switching it at the same moment can get
            // SQLITE_BUSY at once (the busy timeout does not cover that lock upgrade).
            use sqlx::Connection;
            sqlx::SqliteConnection::connect_with(&options).await?.close().await?;
        }
        let pool = SqlitePoolOptions::new()
            // An in-memory database exists once per connection: keep exactly one.
            .max_connections(if memory { 1 } else { 8 })
            .min_connections(1)
            .idle_timeout(None)
            .max_lifetime(None)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        // The session table (tower-sessions-sqlx-store makes its own; safe when servers race).
        crate::auth::SessionBackend::from(&pool).migrate().await?;
        let (changes, _) = broadcast::channel(1024);
        Ok(SqliteStore { pool, changes })
    }

    fn notify(&self, run_id: &str) {
        // No receivers is fine: nobody is watching.
        let _ = self.changes.send(RunChanged { run_id: run_id.to_string() });
    }

    /// Sets one column of a running step, fenced, and tells live viewers. `column` is one of
    /// this module's own literals, never user input.
    async fn update_running_step(
        &self,
        column: &'static str,
        value: String,
        step_id: &str,
        fence: i64,
    ) -> StoreResult<bool> {
        let sql =
            format!("UPDATE steps SET {column} = ? WHERE id = ? AND fence = ? AND status = 'running' RETURNING run_id");
        let row = sqlx::query(&sql).bind(value).bind(step_id).bind(fence).fetch_optional(&self.pool).await?;
        match row {
            Some(r) => {
                self.notify(&r.try_get::<String, _>("run_id")?);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn steps_of(&self, run_id: &str) -> StoreResult<Vec<StepRow>> {
        let rows =
            sqlx::query("SELECT * FROM steps WHERE run_id = ? ORDER BY seq").bind(run_id).fetch_all(&self.pool).await?;
        rows.iter().map(step_row).collect()
    }
}

fn json(s: Option<String>) -> StoreResult<Option<Value>> {
    s.map(|s| serde_json::from_str(&s).map_err(|e| StoreError::Corrupt(e.to_string()))).transpose()
}

fn project_row(r: &SqliteRow) -> StoreResult<ProjectRow> {
    Ok(ProjectRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        spec: json(Some(r.try_get("spec")?))?.unwrap_or_default(),
        plan: json(r.try_get("plan")?)?,
        team_id: r.try_get("team_id")?,
        created_at: r.try_get("created_at")?,
    })
}

fn run_row(r: &SqliteRow) -> StoreResult<RunRow> {
    let status: String = r.try_get("status")?;
    Ok(RunRow {
        id: r.try_get("id")?,
        project_id: r.try_get("project_id")?,
        kind: run_kind(r.try_get("kind")?)?,
        input: json(Some(r.try_get("input")?))?.unwrap_or_default(),
        status: RunStatus::from_key(&status).ok_or_else(|| StoreError::Corrupt(format!("run status {status}")))?,
        created_at: r.try_get("created_at")?,
        finished_at: r.try_get("finished_at")?,
        started_by: r.try_get("started_by")?,
    })
}

fn step_row(r: &SqliteRow) -> StoreResult<StepRow> {
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    let error: Option<String> = r.try_get("error")?;
    let detail: Option<String> = r.try_get("detail")?;
    Ok(StepRow {
        id: r.try_get("id")?,
        run_id: r.try_get("run_id")?,
        seq: r.try_get("seq")?,
        kind: StepKind::from_key(&kind).ok_or_else(|| StoreError::Corrupt(format!("step kind {kind}")))?,
        status: StepStatus::from_key(&status).ok_or_else(|| StoreError::Corrupt(format!("step status {status}")))?,
        run_at: r.try_get("run_at")?,
        lease_owner: r.try_get("lease_owner")?,
        lease_until: r.try_get("lease_until")?,
        fence: r.try_get("fence")?,
        attempts: r.try_get("attempts")?,
        failures: r.try_get("failures")?,
        interrupted: r.try_get("interrupted")?,
        note: r.try_get::<Option<String>, _>("note")?.map(note_from_text),
        output: json(r.try_get("output")?)?,
        error: error.map(|e| serde_json::from_str(&e).map_err(|e| StoreError::Corrupt(e.to_string()))).transpose()?,
        detail: detail.and_then(|d| serde_json::from_str(&d).ok()),
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

#[async_trait]
impl Store for SqliteStore {
    async fn insert_project(&self, row: &ProjectRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO projects (id, name, spec, plan, team_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&row.id)
        .bind(&row.name)
        .bind(row.spec.to_string())
        .bind(row.plan.as_ref().map(Value::to_string))
        .bind(&row.team_id)
        .bind(row.created_at)
        .bind(row.created_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn list_projects(&self) -> StoreResult<Vec<ProjectRow>> {
        let rows = sqlx::query("SELECT * FROM projects ORDER BY created_at DESC").fetch_all(&self.pool).await?;
        rows.iter().map(project_row).collect()
    }

    async fn projects_of_user(&self, user_id: &str) -> StoreResult<Vec<ProjectRow>> {
        let rows = sqlx::query(
            "SELECT p.* FROM projects p JOIN memberships m ON m.team_id = p.team_id WHERE m.user_id = ? ORDER BY p.created_at DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(project_row).collect()
    }

    async fn get_project(&self, id: &str) -> StoreResult<Option<ProjectRow>> {
        let row = sqlx::query("SELECT * FROM projects WHERE id = ?").bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(project_row).transpose()
    }

    async fn delete_project(&self, id: &str) -> StoreResult<ProjectDeleted> {
        let done = sqlx::query(
            "DELETE FROM projects WHERE id = ?1
               AND NOT EXISTS (SELECT 1 FROM runs WHERE project_id = ?1 AND status = 'active')",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() > 0 {
            return Ok(ProjectDeleted::Deleted);
        }
        let exists = sqlx::query("SELECT 1 FROM projects WHERE id = ?").bind(id).fetch_optional(&self.pool).await?;
        Ok(if exists.is_some() { ProjectDeleted::RunActive } else { ProjectDeleted::NotFound })
    }

    async fn set_plan_fenced(&self, id: &str, plan: &Value, step_id: &str, fence: i64, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE projects SET plan = ?, updated_at = ? WHERE id = ?
               AND EXISTS (SELECT 1 FROM steps WHERE id = ? AND fence = ? AND status = 'running')",
        )
        .bind(plan.to_string())
        .bind(now)
        .bind(id)
        .bind(step_id)
        .bind(fence)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn backend_path(&self, id: &str) -> StoreResult<Option<String>> {
        let row =
            sqlx::query("SELECT backend_path FROM projects WHERE id = ?").bind(id).fetch_optional(&self.pool).await?;
        Ok(match row {
            Some(r) => r.try_get("backend_path")?,
            None => None,
        })
    }

    async fn set_backend_path(&self, id: &str, path: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE projects SET backend_path = ?, updated_at = ? WHERE id = ?")
            .bind(path)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_plan(&self, id: &str, plan: &Value, now: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE projects SET plan = ?, updated_at = ? WHERE id = ?")
            .bind(plan.to_string())
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn create_run(&self, run: &NewRun, now: i64) -> StoreResult<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO runs (id, project_id, kind, input, status, created_at, started_by) VALUES (?, ?, ?, ?, 'active', ?, ?)",
        )
        .bind(&run.id)
        .bind(&run.project_id)
        .bind(run.kind.key())
        .bind(run.input.to_string())
        .bind(now)
        .bind(&run.started_by)
        .execute(&mut *tx)
        .await?;
        for (seq, (id, kind)) in run.steps.iter().enumerate() {
            sqlx::query("INSERT INTO steps (id, run_id, seq, kind, status, run_at) VALUES (?, ?, ?, ?, 'pending', ?)")
                .bind(id)
                .bind(&run.id)
                .bind(seq as i64)
                .bind(kind.key())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.notify(&run.id);
        Ok(())
    }

    async fn get_run(&self, id: &str) -> StoreResult<Option<(RunRow, Vec<StepRow>)>> {
        let Some(row) = sqlx::query("SELECT * FROM runs WHERE id = ?").bind(id).fetch_optional(&self.pool).await?
        else {
            return Ok(None);
        };
        let run = run_row(&row)?;
        let steps = self.steps_of(&run.id).await?;
        Ok(Some((run, steps)))
    }

    async fn latest_run(&self, project_id: &str, kind: RunKind) -> StoreResult<Option<(RunRow, Vec<StepRow>)>> {
        let Some(row) = sqlx::query(
            "SELECT * FROM runs WHERE project_id = ? AND kind = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
        )
        .bind(project_id)
        .bind(kind.key())
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        let run = run_row(&row)?;
        let steps = self.steps_of(&run.id).await?;
        Ok(Some((run, steps)))
    }

    async fn run_outputs(&self, run_id: &str) -> StoreResult<Vec<(StepKind, Value)>> {
        let steps = self.steps_of(run_id).await?;
        Ok(steps.into_iter().filter_map(|s| s.output.map(|o| (s.kind, o))).collect())
    }

    async fn project_outputs(&self, project_id: &str) -> StoreResult<Vec<OutputRow>> {
        let rows = sqlx::query(
            "SELECT r.id AS run_id, r.kind AS run_kind, s.kind AS step_kind, s.finished_at, s.output
             FROM steps s JOIN runs r ON r.id = s.run_id
             WHERE r.project_id = ? AND s.status = 'succeeded' AND s.output IS NOT NULL
             ORDER BY s.finished_at, r.created_at, s.seq",
        )
        .bind(project_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let kind: String = r.try_get("step_kind")?;
                Ok(OutputRow {
                    run_id: r.try_get("run_id")?,
                    run_kind: run_kind(r.try_get("run_kind")?)?,
                    step: StepKind::from_key(&kind).ok_or_else(|| StoreError::Corrupt(format!("step kind {kind}")))?,
                    finished_at: r.try_get("finished_at")?,
                    output: json(r.try_get("output")?)?.unwrap_or_default(),
                })
            })
            .collect()
    }

    async fn claim(&self, worker: &str, now: i64, lease_ms: i64) -> StoreResult<Option<Claimed>> {
        let row = sqlx::query(
            "UPDATE steps SET lease_owner = ?1, lease_until = ?2 + ?3, fence = fence + 1, status = 'running',
                    attempts = attempts + 1, started_at = COALESCE(started_at, ?2),
                    interrupted = interrupted + CASE WHEN status = 'running' THEN 1 ELSE 0 END
             WHERE id = (
                SELECT s.id FROM steps s JOIN runs r ON r.id = s.run_id
                WHERE r.status = 'active'
                  AND s.status IN ('pending', 'waiting', 'running')
                  AND s.run_at <= ?2
                  AND (s.lease_until IS NULL OR s.lease_until <= ?2)
                  AND NOT EXISTS (SELECT 1 FROM steps p WHERE p.run_id = s.run_id AND p.seq < s.seq AND p.status != 'succeeded')
                ORDER BY s.run_at, s.seq
                LIMIT 1)
             RETURNING *",
        )
        .bind(worker)
        .bind(now)
        .bind(lease_ms)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let step = step_row(&row)?;
        let run = sqlx::query("SELECT project_id, input, started_by FROM runs WHERE id = ?")
            .bind(&step.run_id)
            .fetch_one(&self.pool)
            .await?;
        let project_id: String = run.try_get("project_id")?;
        let run_input = json(Some(run.try_get("input")?))?.unwrap_or_default();
        let started_by: Option<String> = run.try_get("started_by")?;
        self.notify(&step.run_id);
        Ok(Some(Claimed { step, project_id, run_input, started_by }))
    }

    async fn heartbeat(&self, step_id: &str, fence: i64, lease_until: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE steps SET lease_until = ? WHERE id = ? AND fence = ? AND status = 'running'")
            .bind(lease_until)
            .bind(step_id)
            .bind(fence)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn set_note(&self, step_id: &str, fence: i64, note: &Message) -> StoreResult<bool> {
        self.update_running_step("note", note_text(note), step_id, fence).await
    }

    async fn set_detail(&self, step_id: &str, fence: i64, detail: &StepDetail) -> StoreResult<bool> {
        let text = serde_json::to_string(detail).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.update_running_step("detail", text, step_id, fence).await
    }

    async fn poll_now(&self, run_id: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE steps SET run_at = ? WHERE run_id = ? AND status = 'waiting' AND run_at > ?")
            .bind(now)
            .bind(run_id)
            .bind(now)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn complete(&self, step_id: &str, fence: i64, completion: &Completion, now: i64) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let updated = match completion {
            Completion::Succeeded { output, note } => sqlx::query(
                "UPDATE steps SET status = 'succeeded', output = ?, note = COALESCE(?, note), error = NULL, failures = 0, interrupted = 0,
                        finished_at = ?, lease_owner = NULL, lease_until = NULL
                 WHERE id = ? AND fence = ? AND status = 'running' RETURNING run_id",
            )
            .bind(output.to_string())
            .bind(note.as_ref().map(note_text))
            .bind(now),
            Completion::Poll { run_at, note } => sqlx::query(
                "UPDATE steps SET status = 'waiting', run_at = ?, note = ?, failures = 0, interrupted = 0, lease_owner = NULL, lease_until = NULL
                 WHERE id = ? AND fence = ? AND status = 'running' RETURNING run_id",
            )
            .bind(*run_at)
            .bind(note_text(note)),
            Completion::Retry { run_at, note } => sqlx::query(
                "UPDATE steps SET status = 'waiting', run_at = ?, note = ?, failures = failures + 1, interrupted = 0, lease_owner = NULL, lease_until = NULL
                 WHERE id = ? AND fence = ? AND status = 'running' RETURNING run_id",
            )
            .bind(*run_at)
            .bind(note_text(note)),
            Completion::Failed { error } => sqlx::query(
                "UPDATE steps SET status = 'failed', error = ?, finished_at = ?, lease_owner = NULL, lease_until = NULL
                 WHERE id = ? AND fence = ? AND status = 'running' RETURNING run_id",
            )
            .bind(serde_json::to_string(error).map_err(|e| StoreError::Corrupt(e.to_string()))?)
            .bind(now),
        }
        .bind(step_id)
        .bind(fence)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = updated else {
            tx.rollback().await?;
            return Ok(false);
        };
        let run_id: String = row.try_get("run_id")?;
        match completion {
            Completion::Succeeded { .. } => {
                sqlx::query(
                    "UPDATE runs SET status = 'succeeded', finished_at = ?
                     WHERE id = ? AND NOT EXISTS (SELECT 1 FROM steps WHERE run_id = ? AND status != 'succeeded')",
                )
                .bind(now)
                .bind(&run_id)
                .bind(&run_id)
                .execute(&mut *tx)
                .await?;
            }
            Completion::Failed { .. } => {
                sqlx::query("UPDATE runs SET status = 'failed', finished_at = ? WHERE id = ?")
                    .bind(now)
                    .bind(&run_id)
                    .execute(&mut *tx)
                    .await?;
            }
            _ => {}
        }
        tx.commit().await?;
        self.notify(&run_id);
        Ok(true)
    }

    async fn release_leases(&self, worker: &str) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE steps SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ? AND status = 'running'",
        )
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn release_all_leases(&self) -> StoreResult<u64> {
        let done = sqlx::query("UPDATE steps SET lease_owner = NULL, lease_until = NULL WHERE status = 'running'")
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn cancel_run(&self, run_id: &str, error: &UserError, now: i64) -> StoreResult<bool> {
        let error = serde_json::to_string(error).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE runs SET status = 'failed', finished_at = ? WHERE id = ? AND status = 'active'")
            .bind(now)
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "UPDATE steps SET status = 'failed', error = ?, finished_at = ?, fence = fence + 1,
                    lease_owner = NULL, lease_until = NULL
             WHERE id = (SELECT id FROM steps WHERE run_id = ? AND status NOT IN ('succeeded', 'failed')
                         ORDER BY seq LIMIT 1)",
        )
        .bind(error)
        .bind(now)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.notify(run_id);
        Ok(true)
    }

    async fn retry_failed(&self, run_id: &str, now: i64) -> StoreResult<bool> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE steps SET status = 'pending', error = NULL, failures = 0, interrupted = 0, finished_at = NULL, run_at = ?
             WHERE run_id = ? AND status = 'failed'",
        )
        .bind(now)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("UPDATE runs SET status = 'active', finished_at = NULL WHERE id = ?")
            .bind(run_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.notify(run_id);
        Ok(true)
    }

    async fn unfinished_steps(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM steps WHERE status NOT IN ('succeeded', 'failed')")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn effect_token(&self, step_id: &str, key: &str, fresh: &str, now: i64) -> StoreResult<(String, i64)> {
        sqlx::query("INSERT OR IGNORE INTO effects (step_id, key, token, created_at) VALUES (?, ?, ?, ?)")
            .bind(step_id)
            .bind(key)
            .bind(fresh)
            .bind(now)
            .execute(&self.pool)
            .await?;
        let row = sqlx::query("SELECT token, created_at FROM effects WHERE step_id = ? AND key = ?")
            .bind(step_id)
            .bind(key)
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get("token")?, row.try_get("created_at")?))
    }

    async fn effect_result(&self, step_id: &str, key: &str) -> StoreResult<Option<Value>> {
        let row: Option<Option<String>> =
            sqlx::query_scalar("SELECT result FROM effects WHERE step_id = ? AND key = ?")
                .bind(step_id)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        json(row.flatten())
    }

    async fn record_effect(&self, step_id: &str, fence: i64, key: &str, result: &Value) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE effects SET result = ? WHERE step_id = ? AND key = ?
               AND EXISTS (SELECT 1 FROM steps WHERE id = ? AND fence = ? AND status = 'running')",
        )
        .bind(result.to_string())
        .bind(step_id)
        .bind(key)
        .bind(step_id)
        .bind(fence)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    fn subscribe(&self) -> broadcast::Receiver<RunChanged> {
        self.changes.subscribe()
    }

    fn sessions(&self) -> crate::auth::SessionBackend {
        crate::auth::SessionBackend::Sqlite(self.pool.clone())
    }

    async fn ready(&self) -> bool {
        match MIGRATOR.iter().map(|m| m.version).max() {
            Some(latest) => {
                sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success = 1")
                    .fetch_one(&self.pool)
                    .await
                    .is_ok_and(|v| v >= latest)
            }
            None => sqlx::query("SELECT 1").execute(&self.pool).await.is_ok(),
        }
    }
}

super::directory::directory_impl!(SqliteStore, SqliteRow);

#[cfg(test)]
mod tests;
