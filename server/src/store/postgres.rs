//! The shared store: PostgreSQL, for several lockstep servers on one job queue.
//!
//! Same contract as the SQLite adapter, built for concurrent servers:
//! - a claim is one statement: a CTE picks the next due step `FOR UPDATE SKIP LOCKED` (so
//!   concurrent claimers never wait on, or take, each other's row) and the `UPDATE ... RETURNING`
//!   leases it and bumps its fence;
//! - every later write of a worker is fenced (`WHERE fence = $n AND status = 'running'`), so a
//!   server that lost its lease (it hung, or died and its lease expired) cannot change the step;
//! - leases are never released at start (other servers are alive); a dead server's steps are
//!   taken over when their leases expire;
//! - live progress: triggers `pg_notify` the run id on every visible change; each server keeps
//!   one `LISTEN` connection and feeds what it hears into its in-process broadcast, so a viewer
//!   on server A sees the steps server C runs.
//!
//! Migrations (`migrations/postgres`) run at start under sqlx's advisory lock, so servers
//! starting together apply them once.

use super::*;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions, PgRow};
use sqlx::{PgPool, Row};
use std::str::FromStr;
use std::time::Duration;
use tokio_util::sync::{CancellationToken, DropGuard};
use tracing::warn;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

/// The channel the triggers in `migrations/postgres` notify on.
const CHANNEL: &str = "lockstep_runs";

pub struct PgStore {
    pool: PgPool,
    changes: broadcast::Sender<RunChanged>,
    /// Stops the LISTEN task when the store is dropped.
    _listening: DropGuard,
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/db`), applies the migrations and starts
    /// listening for changes made by any server.
    pub async fn open(url: &str) -> StoreResult<PgStore> {
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .min_connections(1)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        // The session table (tower-sessions-sqlx-store makes its own; safe when servers race).
        crate::auth::SessionBackend::from(&pool).migrate().await?;
        let (changes, _) = broadcast::channel(1024);
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(CHANNEL).await?;
        let stop = CancellationToken::new();
        tokio::spawn(forward_notifications(listener, changes.clone(), stop.clone()));
        Ok(PgStore { pool, changes, _listening: stop.drop_guard() })
    }

    /// Sets one column of a running step, fenced. `column` is one of this module's own
    /// literals, never user input. (The trigger tells live viewers.)
    async fn update_running_step<T>(
        &self,
        column: &'static str,
        value: T,
        step_id: &str,
        fence: i64,
    ) -> StoreResult<bool>
    where
        T: for<'q> sqlx::Encode<'q, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send,
    {
        let sql = format!("UPDATE steps SET {column} = $1 WHERE id = $2 AND fence = $3 AND status = 'running'");
        let done = sqlx::query(&sql).bind(value).bind(step_id).bind(fence).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn steps_of(&self, run_id: &str) -> StoreResult<Vec<StepRow>> {
        let rows = sqlx::query("SELECT * FROM steps WHERE run_id = $1 ORDER BY seq")
            .bind(run_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(step_row).collect()
    }
}

/// Forwards `NOTIFY lockstep_runs` payloads (run ids) to live viewers in this process.
/// `PgListener` reconnects by itself after a dropped connection; a notification sent while it
/// was away is missed, which the SSE stream's periodic re-read covers.
async fn forward_notifications(
    mut listener: PgListener,
    changes: broadcast::Sender<RunChanged>,
    stop: CancellationToken,
) {
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            n = listener.recv() => match n {
                Ok(n) => {
                    let _ = changes.send(RunChanged { run_id: n.payload().to_string() });
                }
                Err(e) => {
                    warn!(error = %e, "listening for changes from other servers failed; retrying");
                    tokio::select! {
                        _ = stop.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            }
        }
    }
}

fn project_row(r: &PgRow) -> StoreResult<ProjectRow> {
    Ok(ProjectRow {
        id: r.try_get("id")?,
        name: r.try_get("name")?,
        spec: r.try_get("spec")?,
        plan: r.try_get("plan")?,
        team_id: r.try_get("team_id")?,
        created_at: r.try_get("created_at")?,
    })
}

fn run_row(r: &PgRow) -> StoreResult<RunRow> {
    let status: String = r.try_get("status")?;
    Ok(RunRow {
        id: r.try_get("id")?,
        project_id: r.try_get("project_id")?,
        kind: run_kind(r.try_get("kind")?)?,
        input: r.try_get("input")?,
        status: RunStatus::from_key(&status).ok_or_else(|| StoreError::Corrupt(format!("run status {status}")))?,
        created_at: r.try_get("created_at")?,
        finished_at: r.try_get("finished_at")?,
        started_by: r.try_get("started_by")?,
    })
}

fn step_row(r: &PgRow) -> StoreResult<StepRow> {
    let kind: String = r.try_get("kind")?;
    let status: String = r.try_get("status")?;
    let error: Option<Value> = r.try_get("error")?;
    let detail: Option<Value> = r.try_get("detail")?;
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
        output: r.try_get("output")?,
        error: error.map(|e| serde_json::from_value(e).map_err(|e| StoreError::Corrupt(e.to_string()))).transpose()?,
        detail: detail.and_then(|d| serde_json::from_value(d).ok()),
        started_at: r.try_get("started_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

fn to_json<T: serde::Serialize>(v: &T) -> StoreResult<Value> {
    serde_json::to_value(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[async_trait]
impl Store for PgStore {
    async fn insert_project(&self, row: &ProjectRow) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO projects (id, name, spec, plan, created_at, updated_at, team_id) VALUES ($1, $2, $3, $4, $5, $5, $6)",
        )
        .bind(&row.id)
        .bind(&row.name)
        .bind(&row.spec)
        .bind(&row.plan)
        .bind(row.created_at)
        .bind(&row.team_id)
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
            "SELECT p.* FROM projects p JOIN memberships m ON m.team_id = p.team_id WHERE m.user_id = $1 ORDER BY p.created_at DESC",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(project_row).collect()
    }

    async fn get_project(&self, id: &str) -> StoreResult<Option<ProjectRow>> {
        let row = sqlx::query("SELECT * FROM projects WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        row.as_ref().map(project_row).transpose()
    }

    async fn delete_project(&self, id: &str) -> StoreResult<ProjectDeleted> {
        let done = sqlx::query(
            "DELETE FROM projects WHERE id = $1
               AND NOT EXISTS (SELECT 1 FROM runs WHERE project_id = $1 AND status = 'active')",
        )
        .bind(id)
        .execute(&self.pool)
        .await?;
        if done.rows_affected() > 0 {
            return Ok(ProjectDeleted::Deleted);
        }
        let exists = sqlx::query("SELECT 1 FROM projects WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        Ok(if exists.is_some() { ProjectDeleted::RunActive } else { ProjectDeleted::NotFound })
    }

    async fn set_plan_fenced(&self, id: &str, plan: &Value, step_id: &str, fence: i64, now: i64) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE projects SET plan = $1, updated_at = $2 WHERE id = $3
               AND EXISTS (SELECT 1 FROM steps WHERE id = $4 AND fence = $5 AND status = 'running')",
        )
        .bind(plan)
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
            sqlx::query("SELECT backend_path FROM projects WHERE id = $1").bind(id).fetch_optional(&self.pool).await?;
        Ok(match row {
            Some(r) => r.try_get("backend_path")?,
            None => None,
        })
    }

    async fn set_backend_path(&self, id: &str, path: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE projects SET backend_path = $1, updated_at = $2 WHERE id = $3")
            .bind(path)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn set_plan(&self, id: &str, plan: &Value, now: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE projects SET plan = $1, updated_at = $2 WHERE id = $3")
            .bind(plan)
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn create_run(&self, run: &NewRun, now: i64) -> StoreResult<()> {
        let ids: Vec<&str> = run.steps.iter().map(|(id, _)| id.as_str()).collect();
        let kinds: Vec<&str> = run.steps.iter().map(|(_, k)| k.key()).collect();
        // One round trip: the run and all its steps (numbered in order) in one statement.
        sqlx::query(
            "WITH r AS (
                INSERT INTO runs (id, project_id, kind, input, status, created_at, started_by)
                VALUES ($1, $2, $3, $4, 'active', $5, $8) RETURNING id)
             INSERT INTO steps (id, run_id, seq, kind, status, run_at)
             SELECT s.id, r.id, s.n - 1, s.kind, 'pending', $5
             FROM r, unnest($6::text[], $7::text[]) WITH ORDINALITY AS s(id, kind, n)",
        )
        .bind(&run.id)
        .bind(&run.project_id)
        .bind(run.kind.key())
        .bind(&run.input)
        .bind(now)
        .bind(&ids)
        .bind(&kinds)
        .bind(&run.started_by)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn get_run(&self, id: &str) -> StoreResult<Option<(RunRow, Vec<StepRow>)>> {
        let Some(row) = sqlx::query("SELECT * FROM runs WHERE id = $1").bind(id).fetch_optional(&self.pool).await?
        else {
            return Ok(None);
        };
        let run = run_row(&row)?;
        let steps = self.steps_of(&run.id).await?;
        Ok(Some((run, steps)))
    }

    async fn latest_run(&self, project_id: &str, kind: RunKind) -> StoreResult<Option<(RunRow, Vec<StepRow>)>> {
        let Some(row) = sqlx::query(
            "SELECT * FROM runs WHERE project_id = $1 AND kind = $2 ORDER BY created_at DESC, ordinal DESC LIMIT 1",
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
             WHERE r.project_id = $1 AND s.status = 'succeeded' AND s.output IS NOT NULL
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
                    output: r.try_get("output")?,
                })
            })
            .collect()
    }

    async fn claim(&self, worker: &str, now: i64, lease_ms: i64) -> StoreResult<Option<Claimed>> {
        // SKIP LOCKED: a step another server is claiming right now is passed over, not waited
        // for. Under READ COMMITTED a row locked after another claim committed is re-checked
        // against the WHERE clause (its lease is now live), so it is skipped too.
        let row = sqlx::query(
            "WITH next AS (
                SELECT s.id FROM steps s JOIN runs r ON r.id = s.run_id
                WHERE r.status = 'active'
                  AND s.status IN ('pending', 'waiting', 'running')
                  AND s.run_at <= $2
                  AND (s.lease_until IS NULL OR s.lease_until <= $2)
                  AND NOT EXISTS (SELECT 1 FROM steps p
                                  WHERE p.run_id = s.run_id AND p.seq < s.seq AND p.status <> 'succeeded')
                ORDER BY s.run_at, s.seq
                LIMIT 1
                FOR UPDATE OF s SKIP LOCKED)
             UPDATE steps SET lease_owner = $1, lease_until = $2 + $3, fence = steps.fence + 1, status = 'running',
                    attempts = steps.attempts + 1, started_at = COALESCE(steps.started_at, $2),
                    interrupted = steps.interrupted + CASE WHEN steps.status = 'running' THEN 1 ELSE 0 END
             FROM next, runs
             WHERE steps.id = next.id AND runs.id = steps.run_id
             RETURNING steps.*, runs.project_id AS claimed_project_id, runs.input AS claimed_run_input,
                       runs.started_by AS claimed_started_by",
        )
        .bind(worker)
        .bind(now)
        .bind(lease_ms)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let step = step_row(&row)?;
        let project_id: String = row.try_get("claimed_project_id")?;
        let run_input: Value = row.try_get("claimed_run_input")?;
        let started_by: Option<String> = row.try_get("claimed_started_by")?;
        Ok(Some(Claimed { step, project_id, run_input, started_by }))
    }

    async fn heartbeat(&self, step_id: &str, fence: i64, lease_until: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE steps SET lease_until = $1 WHERE id = $2 AND fence = $3 AND status = 'running'")
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
        self.update_running_step("detail", to_json(detail)?, step_id, fence).await
    }

    async fn poll_now(&self, run_id: &str, now: i64) -> StoreResult<bool> {
        let done = sqlx::query("UPDATE steps SET run_at = $1 WHERE run_id = $2 AND status = 'waiting' AND run_at > $1")
            .bind(now)
            .bind(run_id)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn complete(&self, step_id: &str, fence: i64, completion: &Completion, now: i64) -> StoreResult<bool> {
        // One statement each: the fenced step update and, when it matched, the run's status.
        // (A data-modifying CTE's changes are invisible to the rest of the statement, hence
        // `id <> $step` when asking whether every other step of the run has succeeded.)
        let query = match completion {
            Completion::Succeeded { output, note } => sqlx::query(
                "WITH s AS (
                    UPDATE steps SET status = 'succeeded', output = $3, note = COALESCE($4, note), error = NULL,
                           failures = 0, interrupted = 0, finished_at = $5, lease_owner = NULL, lease_until = NULL
                    WHERE id = $1 AND fence = $2 AND status = 'running' RETURNING run_id),
                 r AS (
                    UPDATE runs SET status = 'succeeded', finished_at = $5
                    WHERE id IN (SELECT run_id FROM s)
                      AND NOT EXISTS (SELECT 1 FROM steps o
                                      WHERE o.run_id = runs.id AND o.id <> $1 AND o.status <> 'succeeded'))
                 SELECT run_id FROM s",
            )
            .bind(step_id)
            .bind(fence)
            .bind(output)
            .bind(note.as_ref().map(note_text))
            .bind(now),
            Completion::Poll { run_at, note } => sqlx::query(
                "UPDATE steps SET status = 'waiting', run_at = $3, note = $4, failures = 0, interrupted = 0, lease_owner = NULL,
                        lease_until = NULL
                 WHERE id = $1 AND fence = $2 AND status = 'running' RETURNING run_id",
            )
            .bind(step_id)
            .bind(fence)
            .bind(*run_at)
            .bind(note_text(note)),
            Completion::Retry { run_at, note } => sqlx::query(
                "UPDATE steps SET status = 'waiting', run_at = $3, note = $4, failures = failures + 1, interrupted = 0,
                        lease_owner = NULL, lease_until = NULL
                 WHERE id = $1 AND fence = $2 AND status = 'running' RETURNING run_id",
            )
            .bind(step_id)
            .bind(fence)
            .bind(*run_at)
            .bind(note_text(note)),
            Completion::Failed { error } => sqlx::query(
                "WITH s AS (
                    UPDATE steps SET status = 'failed', error = $3, finished_at = $4, lease_owner = NULL,
                           lease_until = NULL
                    WHERE id = $1 AND fence = $2 AND status = 'running' RETURNING run_id),
                 r AS (UPDATE runs SET status = 'failed', finished_at = $4 WHERE id IN (SELECT run_id FROM s))
                 SELECT run_id FROM s",
            )
            .bind(step_id)
            .bind(fence)
            .bind(to_json(error)?)
            .bind(now),
        };
        Ok(query.fetch_optional(&self.pool).await?.is_some())
    }

    async fn release_leases(&self, worker: &str) -> StoreResult<u64> {
        let done = sqlx::query(
            "UPDATE steps SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1 AND status = 'running'",
        )
        .bind(worker)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    async fn release_all_leases(&self) -> StoreResult<u64> {
        // Never called at start on PostgreSQL (other servers may hold live leases); kept for
        // the contract, e.g. an operator's tool after stopping every server.
        let done = sqlx::query("UPDATE steps SET lease_owner = NULL, lease_until = NULL WHERE status = 'running'")
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected())
    }

    async fn cancel_run(&self, run_id: &str, error: &UserError, now: i64) -> StoreResult<bool> {
        let error = to_json(error)?;
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("UPDATE runs SET status = 'failed', finished_at = $1 WHERE id = $2 AND status = 'active'")
                .bind(now)
                .bind(run_id)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "UPDATE steps SET status = 'failed', error = $1, finished_at = $2, fence = fence + 1,
                    lease_owner = NULL, lease_until = NULL
             WHERE id = (SELECT id FROM steps WHERE run_id = $3 AND status NOT IN ('succeeded', 'failed')
                         ORDER BY seq LIMIT 1)",
        )
        .bind(error)
        .bind(now)
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn retry_failed(&self, run_id: &str, now: i64) -> StoreResult<bool> {
        let row = sqlx::query(
            "WITH s AS (
                UPDATE steps SET status = 'pending', error = NULL, failures = 0, interrupted = 0, finished_at = NULL, run_at = $2
                WHERE run_id = $1 AND status = 'failed' RETURNING run_id),
             r AS (UPDATE runs SET status = 'active', finished_at = NULL WHERE id IN (SELECT run_id FROM s))
             SELECT COUNT(*) FROM s",
        )
        .bind(run_id)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>(0)? > 0)
    }

    async fn unfinished_steps(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM steps WHERE status NOT IN ('succeeded', 'failed')")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn effect_token(&self, step_id: &str, key: &str, fresh: &str, now: i64) -> StoreResult<(String, i64)> {
        // Two statements on purpose: under READ COMMITTED the SELECT takes a new snapshot, so
        // it sees a token another server inserted (and committed) while ours was refused.
        sqlx::query(
            "INSERT INTO effects (step_id, key, token, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (step_id, key) DO NOTHING",
        )
        .bind(step_id)
        .bind(key)
        .bind(fresh)
        .bind(now)
        .execute(&self.pool)
        .await?;
        let row = sqlx::query("SELECT token, created_at FROM effects WHERE step_id = $1 AND key = $2")
            .bind(step_id)
            .bind(key)
            .fetch_one(&self.pool)
            .await?;
        Ok((row.try_get("token")?, row.try_get("created_at")?))
    }

    async fn effect_result(&self, step_id: &str, key: &str) -> StoreResult<Option<Value>> {
        let row: Option<Option<Value>> =
            sqlx::query_scalar("SELECT result FROM effects WHERE step_id = $1 AND key = $2")
                .bind(step_id)
                .bind(key)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.flatten())
    }

    async fn record_effect(&self, step_id: &str, fence: i64, key: &str, result: &Value) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE effects SET result = $1 WHERE step_id = $2 AND key = $3
               AND EXISTS (SELECT 1 FROM steps WHERE id = $2 AND fence = $4 AND status = 'running')",
        )
        .bind(result)
        .bind(step_id)
        .bind(key)
        .bind(fence)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    fn subscribe(&self) -> broadcast::Receiver<RunChanged> {
        self.changes.subscribe()
    }

    fn sessions(&self) -> crate::auth::SessionBackend {
        crate::auth::SessionBackend::Postgres(self.pool.clone())
    }

    async fn ready(&self) -> bool {
        match MIGRATOR.iter().map(|m| m.version).max() {
            Some(latest) => {
                sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success")
                    .fetch_one(&self.pool)
                    .await
                    .is_ok_and(|v| v >= latest)
            }
            None => sqlx::query("SELECT 1").execute(&self.pool).await.is_ok(),
        }
    }
}

super::directory::directory_impl!(PgStore, PgRow);
