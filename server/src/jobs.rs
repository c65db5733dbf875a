//! The durable job engine.
//!
//! A wizard run is an ordered list of steps stored in the database. Workers claim the next due
//! step with a lease and a fencing token, heartbeat while they run it, and end their turn with
//! one fenced write: done, poll again later, retry after a temporary error (exponential backoff
//! with jitter), or failed with an error the user can act on. A worker whose lease expired
//! (it hung, or the process died) cannot complete the step any more: its fence is stale.
//!
//! Every external side effect goes through [`StepCtx::effect_token`]: the idempotency token or
//! CallerReference is generated and committed *before* the call and reused on every retry, so
//! a crash at any point never creates a resource twice. Polling steps return
//! [`StepOutcome::Poll`] and are re-scheduled instead of sleeping in a request or a worker.

use crate::clock::Clock;
use crate::store::directory::NewAudit;
use crate::store::{Claimed, Completion, Store, StoreError};
use async_trait::async_trait;
use lockstep_domain::backoff::Backoff;
use lockstep_domain::{msg, Message, StepDetail, StepKind, UserError};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;
use tracing::{info, warn, Instrument};

/// What a step handler reports when its turn ends normally. Notes are in English and Korean
/// (the timeline shows the reader's language; the history keeps the English).
#[derive(Debug, Clone, PartialEq)]
pub enum StepOutcome {
    Done {
        output: Value,
        note: Option<Message>,
    },
    /// Not there yet (e.g. the certificate is still PENDING_VALIDATION): check again later.
    Poll {
        after: Duration,
        note: Message,
    },
}

/// Why a step handler could not finish its turn.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StepError {
    /// Temporary: throttling, 5xx, a timeout. Retried with backoff; `note` is shown meanwhile,
    /// `last` when the retries run out (boxed: it is the rare case, and keeps `Result`s small).
    #[error("retryable: {note}")]
    Retryable { note: Message, last: Box<UserError> },
    /// The user must change something; the run stops here with this explanation.
    #[error("fatal: {0}")]
    Fatal(UserError),
    /// The worker's lease was taken over; stop without writing anything.
    #[error("lease lost")]
    LeaseLost,
    #[error("store: {0}")]
    Store(String),
}

impl From<StoreError> for StepError {
    fn from(e: StoreError) -> Self {
        StepError::Store(e.to_string())
    }
}

#[async_trait]
pub trait StepHandler: Send + Sync + 'static {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError>;
}

/// Handlers by step kind.
#[derive(Default, Clone)]
pub struct Registry(HashMap<StepKind, Arc<dyn StepHandler>>);

impl Registry {
    pub fn with(mut self, kind: StepKind, handler: impl StepHandler) -> Self {
        self.0.insert(kind, Arc::new(handler));
        self
    }
    fn get(&self, kind: StepKind) -> Option<Arc<dyn StepHandler>> {
        self.0.get(&kind).cloned()
    }
}

/// What a handler may do with its step: read inputs, persist tokens before side effects,
/// record results, and update the note the timeline shows. Every write is fenced.
pub struct StepCtx {
    pub claimed: Claimed,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
}

impl StepCtx {
    pub fn step_id(&self) -> &str {
        &self.claimed.step.id
    }
    pub fn project_id(&self) -> &str {
        &self.claimed.project_id
    }

    /// The store, for steps whose job is lockstep's own records (the status page's checks).
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn run_id(&self) -> &str {
        &self.claimed.step.run_id
    }
    pub fn input(&self) -> &Value {
        &self.claimed.run_input
    }
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
    /// How many times this step has been claimed (1 on the first run).
    pub fn attempts(&self) -> i64 {
        self.claimed.step.attempts
    }
    /// When the step first started (for "waited N minutes" messages).
    pub fn started_at(&self) -> i64 {
        self.claimed.step.started_at.unwrap_or_else(|| self.clock.now_ms())
    }

    /// The token for the side effect `key`: created and committed on first use, the same one
    /// on every later attempt. Returns the token and when it was first stored.
    pub async fn effect_token(&self, key: &str) -> Result<(String, i64), StepError> {
        let fresh = uuid::Uuid::new_v4().simple().to_string();
        Ok(self.store.effect_token(self.step_id(), key, &fresh, self.now_ms()).await?)
    }

    pub async fn effect_result(&self, key: &str) -> Result<Option<Value>, StepError> {
        Ok(self.store.effect_result(self.step_id(), key).await?)
    }

    /// Records a side effect's result; fails with `LeaseLost` when this worker is stale.
    pub async fn record_effect(&self, key: &str, result: &Value) -> Result<(), StepError> {
        if self.store.record_effect(self.step_id(), self.claimed.step.fence, key, result).await? {
            Ok(())
        } else {
            warn!(key, "recording a side effect was refused: stale fence");
            Err(StepError::LeaseLost)
        }
    }

    /// Shows what the step is doing now in the live timeline.
    pub async fn note(&self, note: &Message) -> Result<(), StepError> {
        if self.store.set_note(self.step_id(), self.claimed.step.fence, note).await? {
            Ok(())
        } else {
            warn!("updating the note was refused: stale fence");
            Err(StepError::LeaseLost)
        }
    }

    /// Shows structured progress (e.g. per-name-server status) in the live timeline.
    pub async fn detail(&self, detail: &StepDetail) -> Result<(), StepError> {
        if self.store.set_detail(self.step_id(), self.claimed.step.fence, detail).await? {
            Ok(())
        } else {
            warn!("updating the detail was refused: stale fence");
            Err(StepError::LeaseLost)
        }
    }

    /// Saves the project's name plan (a domain step's result).
    pub async fn save_plan(&self, plan: &Value) -> Result<(), StepError> {
        self.store.set_plan(&self.claimed.project_id, plan, self.now_ms()).await?;
        Ok(())
    }

    /// The output of an earlier step of the same run.
    pub async fn output_of(&self, kind: StepKind) -> Result<Value, StepError> {
        self.store
            .run_outputs(self.run_id())
            .await?
            .into_iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, v)| v)
            .ok_or_else(|| StepError::Store(format!("step {kind} has no output")))
    }
}

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub workers: usize,
    pub lease: Duration,
    pub backoff: Backoff,
    /// How long an idle worker waits before looking again (it is also woken on new work).
    pub idle_poll: Duration,
    /// On shutdown, how long running steps get to finish before their leases are released.
    pub drain_grace: Duration,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            workers: 4,
            lease: Duration::from_secs(30),
            backoff: Backoff::default(),
            idle_poll: Duration::from_millis(500),
            drain_grace: Duration::from_secs(10),
        }
    }
}

/// The worker pool. `wake()` after enqueuing work makes idle workers look at once.
#[derive(Clone)]
pub struct Engine {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    registry: Registry,
    config: EngineConfig,
    wake: Arc<Notify>,
    /// Identifies this process' workers in leases (`<instance>/<n>`).
    pub instance: String,
}

impl Engine {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, registry: Registry, config: EngineConfig) -> Engine {
        Engine {
            store,
            clock,
            registry,
            config,
            wake: Arc::new(Notify::new()),
            instance: format!("lockstep-{}", uuid::Uuid::new_v4().simple()),
        }
    }

    pub fn wake(&self) {
        self.wake.notify_waiters();
    }

    /// Starts the workers; they stop claiming when `stop` is cancelled, give running steps
    /// `drain_grace` to finish, release what they still hold, and the returned task ends.
    pub fn spawn(&self, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
        let mut handles = Vec::new();
        for n in 0..self.config.workers {
            let engine = self.clone();
            let stop = stop.clone();
            let worker = format!("{}/{n}", self.instance);
            handles.push(tokio::spawn(async move { engine.worker_loop(worker, stop).await }));
        }
        tokio::spawn(async move {
            for h in handles {
                let _ = h.await;
            }
        })
    }

    async fn worker_loop(&self, worker: String, stop: CancellationToken) {
        while !stop.is_cancelled() {
            match self.run_once(&worker, &stop).await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => warn!(worker, error = %e, "job engine: store error; retrying shortly"),
            }
            let jitter = Duration::from_millis(rand::random::<u64>() % 100);
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(self.config.idle_poll + jitter) => {}
            }
        }
        match self.store.release_leases(&worker).await {
            Ok(n) if n > 0 => info!(worker, released = n, "released leases on shutdown"),
            Ok(_) => {}
            Err(e) => warn!(worker, error = %e, "could not release leases on shutdown"),
        }
    }

    /// The history entry every AWS call and step end shares: project, run, step, who started it.
    async fn history_entry(&self, c: &Claimed) -> NewAudit {
        let user_name = match &c.started_by {
            Some(id) => self.store.get_user(id).await.ok().flatten().map(|u| u.name),
            None => None,
        };
        NewAudit {
            project_id: Some(c.project_id.clone()),
            user_id: c.started_by.clone(),
            user_name,
            run_id: Some(c.step.run_id.clone()),
            step: Some(c.step.kind.key().to_string()),
            ..NewAudit::default()
        }
    }

    /// The AWS calls of a step's turn, into the history (a failed write is logged, not fatal).
    async fn record_calls(&self, c: &Claimed, calls: Vec<app::api::ssr::AwsCall>) {
        if calls.is_empty() {
            return;
        }
        let base = self.history_entry(c).await;
        let entries: Vec<NewAudit> = calls
            .into_iter()
            .map(|call| NewAudit {
                at: call.at,
                kind: "aws".into(),
                operation: call.operation,
                summary: call.summary,
                ok: call.ok,
                error_code: call.error_code,
                duration_ms: call.duration_ms,
                ..base.clone()
            })
            .collect();
        if let Err(e) = self.store.append_audit(&entries).await {
            warn!(error = %e, "could not write AWS calls to the history");
        }
    }

    /// A step that ended (succeeded or failed), into the history. Polls are not: they are
    /// the step still waiting, and their AWS calls are recorded anyway.
    async fn record_step_end(&self, c: &Claimed, completion: &Completion, started: i64, now: i64) {
        let (ok, summary, error_code) = match completion {
            // The history keeps the English (like errors' `what`).
            Completion::Succeeded { note, .. } => (true, note.as_ref().map(|n| n.en.clone()).unwrap_or_default(), None),
            Completion::Failed { error } => (false, error.what.clone(), Some("failed".to_string())),
            _ => return,
        };
        let entry = NewAudit {
            at: now,
            kind: "step".into(),
            operation: c.step.kind.key().to_string(),
            summary,
            ok,
            error_code,
            duration_ms: now - c.step.started_at.unwrap_or(started),
            ..self.history_entry(c).await
        };
        if let Err(e) = self.store.append_audit(&[entry]).await {
            warn!(error = %e, "could not write the step's end to the history");
        }
    }

    /// Claims and runs at most one step. `Ok(true)` when a step was run.
    pub async fn run_once(&self, worker: &str, stop: &CancellationToken) -> Result<bool, StoreError> {
        let lease_ms = self.config.lease.as_millis() as i64;
        let Some(claimed) = self.store.claim(worker, self.clock.now_ms(), lease_ms).await? else {
            return Ok(false);
        };
        let span = tracing::info_span!(
            "step",
            project_id = %claimed.project_id,
            run_id = %claimed.step.run_id,
            step_id = %claimed.step.id,
            kind = %claimed.step.kind,
            attempt = claimed.step.attempts,
        );
        self.execute(claimed, stop).instrument(span).await?;
        Ok(true)
    }

    /// Whose AWS access the steps of `project_id` use: its team's, read afresh at every turn
    /// (a role removed mid-run is gone for the next step). A project or team that no longer
    /// exists is [`AwsAccess::Orphan`](app::api::ssr::AwsAccess::Orphan): on real AWS its
    /// calls are refused, never made with the server's own credentials.
    async fn aws_access(&self, project_id: &str) -> Result<app::api::ssr::AwsAccess, StoreError> {
        let Some(team_id) = self.store.get_project(project_id).await?.and_then(|p| p.team_id) else {
            return Ok(app::api::ssr::AwsAccess::Orphan);
        };
        Ok(match self.store.get_team(&team_id).await? {
            Some(team) => crate::accounts::team_aws(&team),
            None => app::api::ssr::AwsAccess::Orphan,
        })
    }

    async fn execute(&self, claimed: Claimed, stop: &CancellationToken) -> Result<(), StoreError> {
        let step_id = claimed.step.id.clone();
        let fence = claimed.step.fence;
        let failures = claimed.step.failures as u32;
        let kind = claimed.step.kind;
        let Some(handler) = self.registry.get(kind) else {
            let error = UserError {
                ko: lockstep_domain::ko(
                    format!("이 lockstep 서버는 \"{kind}\" 단계를 알지 못합니다."),
                    "이 실행은 다른 버전의 lockstep이 만들었습니다.",
                    "이 실행을 만든 lockstep 버전으로 이 서버를 업그레이드한 뒤, 단계를 다시 시도하세요.",
                ),
                what: format!("This lockstep server does not know the step \"{kind}\"."),
                why: "The run was created by a different lockstep version.".into(),
                fix: "Upgrade this server to the version that created the run, then retry the step.".into(),
            };
            self.store.complete(&step_id, fence, &Completion::Failed { error }, self.clock.now_ms()).await?;
            return Ok(());
        };
        let ctx = StepCtx { claimed, store: self.store.clone(), clock: self.clock.clone() };

        // Heartbeat at a third of the lease; a failed heartbeat means we lost the lease.
        let lease_lost = CancellationToken::new();
        let beat = {
            let store = self.store.clone();
            let clock = self.clock.clone();
            let lease = self.config.lease;
            let lease_lost = lease_lost.clone();
            let step_id = step_id.clone();
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(lease / 3).await;
                    let until = clock.now_ms() + lease.as_millis() as i64;
                    match store.heartbeat(&step_id, fence, until).await {
                        Ok(true) => {}
                        Ok(false) => {
                            lease_lost.cancel();
                            break;
                        }
                        Err(e) => warn!(error = %e, "heartbeat failed"),
                    }
                }
            })
        };
        let drain = async {
            stop.cancelled().await;
            tokio::time::sleep(self.config.drain_grace).await;
        };
        let turn_started = self.clock.now_ms();
        // The step's AWS calls are for its project's team (its own role; the server's only
        // where the rules allow, see aws/team_role.rs). A store error here leaves the step to
        // the next claim rather than guessing whose access to use.
        let access = match self.aws_access(ctx.project_id()).await {
            Ok(access) => access,
            Err(e) => {
                beat.abort();
                return Err(e);
            }
        };
        let result = tokio::select! {
            (r, calls) = app::api::ssr::collect_calls_as(access, handler.run(&ctx)) => {
                self.record_calls(&ctx.claimed, calls).await;
                r
            }
            _ = lease_lost.cancelled() => Err(StepError::LeaseLost),
            _ = drain => {
                beat.abort();
                info!("shutting down: leaving the step for the next start");
                return Ok(());
            }
        };
        beat.abort();

        let now = self.clock.now_ms();
        let completion = match result {
            Ok(StepOutcome::Done { output, note }) => Completion::Succeeded { output, note },
            Ok(StepOutcome::Poll { after, note }) => Completion::Poll { run_at: now + after.as_millis() as i64, note },
            Err(StepError::Retryable { note, last }) => {
                if self.config.backoff.exhausted(failures + 1) {
                    Completion::Failed { error: *last }
                } else {
                    let delay = self.config.backoff.delay(failures, rand::random::<f64>());
                    let (secs, attempt) = (delay.as_secs().max(1), failures + 2);
                    Completion::Retry {
                        run_at: now + delay.as_millis() as i64,
                        note: msg(
                            format!("{} Trying again in {secs} s (attempt {attempt}).", note.en),
                            format!("{} {secs}초 뒤에 다시 시도합니다({attempt}번째 시도).", note.ko),
                        ),
                    }
                }
            }
            Err(StepError::Fatal(error)) => Completion::Failed { error },
            Err(StepError::LeaseLost) => {
                warn!("lease lost: another worker owns this step now; dropping the result");
                return Ok(());
            }
            Err(StepError::Store(e)) => {
                // Our own database hiccupped: leave the step to be re-claimed after the lease.
                warn!(error = %e, "store error inside a step");
                return Ok(());
            }
        };
        if !self.store.complete(&step_id, fence, &completion, now).await? {
            warn!("stale completion rejected: the step was re-claimed by another worker");
        } else {
            self.record_step_end(&ctx.claimed, &completion, turn_started, now).await;
            // The next step of the run may be due now.
            self.wake();
        }
        Ok(())
    }
}
