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
//!
//! Steps are typed ([`Step`]): each declares the run input it reads and the output it records,
//! and the engine (de)serialises at its edge only ([`Typed`]); a later step reads an earlier
//! one's output with [`StepCtx::output`], by the earlier step's type.
//!
//! Every failure path is bounded (issue 20):
//! - a stored input or output that does not decode, or a broken invariant, is
//!   [`StepError::Invariant`]: the step fails at once with words (the detail goes to the log);
//! - a temporary error, and our own database failing inside a step, retry with backoff until
//!   [`Backoff::exhausted`];
//! - a turn that never ends (the worker died or hung past its lease) is counted in the step's
//!   `interrupted` column, reset by every normal end of a turn: at [`MAX_INTERRUPTED`] turns in a
//!   row the step fails instead of being re-claimed for ever;
//! - a handler that panics fails its step; the worker lives on.

use crate::clock::Clock;
use crate::store::directory::NewAudit;
use crate::store::{Claimed, Completion, Store, StoreError};
use async_trait::async_trait;
use futures::FutureExt;
use lockstep_domain::backoff::Backoff;
use lockstep_domain::{msg, Message, StepDetail, StepKind, UserError};
use serde::de::DeserializeOwned;
use serde::Serialize;
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
pub enum StepOutcome<O = Value> {
    Done {
        output: O,
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
    /// lockstep's own database failed inside the step: retried with backoff like
    /// [`StepError::Retryable`] (the text is for the log only).
    #[error("store: {0}")]
    Store(String),
    /// Something lockstep itself wrote does not read back (a stored input or output of another
    /// shape, a missing earlier output): retrying cannot help, so the step fails at once with
    /// [`invariant_error`]. The text is for the log only, never shown.
    #[error("invariant: {0}")]
    Invariant(String),
}

impl From<StoreError> for StepError {
    fn from(e: StoreError) -> Self {
        StepError::Store(e.to_string())
    }
}

impl StepError {
    /// A broken invariant (see [`StepError::Invariant`]); `what` is logged, not shown.
    pub fn invariant(what: impl std::fmt::Display) -> StepError {
        StepError::Invariant(what.to_string())
    }
}

/// How many turns in a row a step may be claimed without ever ending before it fails.
pub const MAX_INTERRUPTED: i64 = 8;

/// What a user sees for [`StepError::Invariant`].
pub fn invariant_error(kind: StepKind) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("lockstep이 \"{kind}\" 단계에서 저장해 둔 내용을 읽지 못해 멈췄습니다."),
            "이 실행에 저장된 데이터가 이 lockstep 버전이 기대하는 모양이 아닙니다(다른 버전이 만들었거나 직접 수정되었습니다). 다시 시도해도 같은 결과이므로 반복하지 않았습니다.",
            "이 단계의 버튼으로 이 부분을 처음부터 다시 시작하세요. 이미 만든 것은 다시 사용합니다. 또 일어나면 서버 운영자에게 시각과 함께 알려 주세요.",
        ),
        what: format!("lockstep stopped: it could not read what it saved for the step \"{kind}\"."),
        why: "The data stored for this run does not have the shape this version of lockstep expects (another version made it, or it was changed by hand). Trying again would give the same answer, so lockstep did not loop.".into(),
        fix: "Start this part of the wizard again with its button; what was already created is reused. If it happens again, tell the server's operator the time.".into(),
    }
}

/// What a user sees when a step's handler panicked (a lockstep bug).
fn panic_error(kind: StepKind) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("lockstep 내부 오류로 \"{kind}\" 단계가 멈췄습니다."),
            "lockstep의 버그입니다. 이 단계만 멈췄고 서버와 다른 실행은 계속 동작합니다.",
            "다시 시도를 누르세요. 같은 곳에서 또 멈추면 시각과 단계 이름을 서버 운영자에게 알려 주세요.",
        ),
        what: format!("The step \"{kind}\" stopped on an internal error in lockstep."),
        why: "This is a lockstep bug. Only this step stopped; the server and other runs go on.".into(),
        fix:
            "Press Retry. If it stops at the same place again, tell the server's operator the time and the step's name."
                .into(),
    }
}

/// What a user sees when a step was interrupted [`MAX_INTERRUPTED`] turns in a row.
fn interrupted_error(kind: StepKind, turns: i64) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("\"{kind}\" 단계가 {turns}번 연속으로 끝나지 못해 lockstep이 멈췄습니다."),
            "단계가 실행되는 동안 lockstep 서버가 다시 시작되었거나, 응답이 멈췄거나, 데이터베이스 연결을 잃었습니다. 계속 다시 시도하는 대신 여기서 멈춥니다.",
            "서버가 안정적으로 동작하는지 확인한 뒤(운영자는 로그를 보세요) 다시 시도를 누르세요. 진행한 내용은 그대로 남아 있습니다.",
        ),
        what: format!("lockstep stopped the step \"{kind}\": it was interrupted {turns} times in a row without finishing."),
        why: "While the step ran, the lockstep server restarted, hung, or lost its database each time. Rather than trying for ever, lockstep stopped here.".into(),
        fix: "Make sure the server stays up (its operator can read the log), then press Retry; nothing done so far is lost.".into(),
    }
}

/// What a user sees when lockstep's own database kept failing inside a step.
fn store_error(kind: StepKind) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("lockstep의 데이터베이스가 계속 실패해서 \"{kind}\" 단계가 멈췄습니다."),
            "lockstep이 진행 상황을 저장하는 데이터베이스가 여러 번 다시 시도하는 동안 응답하지 않았습니다.",
            "서버 운영자에게 데이터베이스(디스크 공간, 연결)를 확인해 달라고 한 뒤 다시 시도를 누르세요.",
        ),
        what: format!("The step \"{kind}\" stopped: lockstep's own database kept failing."),
        why: "The database where lockstep keeps its progress did not answer through several retries.".into(),
        fix: "Ask the server's operator to check the database (disk space, connection), then press Retry.".into(),
    }
}

/// The engine's side of a step: run one turn, JSON in and out (see [`Typed`]).
#[async_trait]
pub trait StepHandler: Send + Sync + 'static {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError>;
}

/// A step: its kind, the run input it reads and the output it records, as Rust types.
#[async_trait]
pub trait Step: Send + Sync + 'static {
    const KIND: StepKind;
    /// The run's input, or the part of it this step reads (decoded from the run's input JSON).
    type Input: DeserializeOwned + Send + Sync;
    /// What the step records when done; later steps read it with [`StepCtx::output`].
    type Output: Serialize + DeserializeOwned + Send + Sync;
    async fn run(&self, ctx: &StepCtx, input: Self::Input) -> Result<StepOutcome<Self::Output>, StepError>;
}

/// A [`Step`] as the engine runs it: the input decoded and the output encoded here, once.
pub struct Typed<S>(pub S);

#[async_trait]
impl<S: Step> StepHandler for Typed<S> {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let input: S::Input = serde_json::from_value(ctx.input().clone())
            .map_err(|e| StepError::invariant(format!("{} run input: {e}", S::KIND)))?;
        Ok(match self.0.run(ctx, input).await? {
            StepOutcome::Done { output, note } => StepOutcome::Done {
                output: serde_json::to_value(output)
                    .map_err(|e| StepError::invariant(format!("{} output: {e}", S::KIND)))?,
                note,
            },
            StepOutcome::Poll { after, note } => StepOutcome::Poll { after, note },
        })
    }
}

/// A step's recorded output, decoded as `S` wrote it (for outputs read outside a run, e.g. a
/// teardown reading what earlier runs created).
pub fn decode_output<S: Step>(output: &Value) -> Result<S::Output, StepError> {
    serde_json::from_value(output.clone()).map_err(|e| StepError::invariant(format!("{} output: {e}", S::KIND)))
}

/// Handlers by step kind.
#[derive(Default, Clone)]
pub struct Registry(HashMap<StepKind, Arc<dyn StepHandler>>);

impl Registry {
    /// An untyped handler (the engine's own tests and benchmarks).
    pub fn with(mut self, kind: StepKind, handler: impl StepHandler) -> Self {
        self.0.insert(kind, Arc::new(handler));
        self
    }
    /// A typed step, under its kind.
    pub fn step<S: Step>(mut self, step: S) -> Self {
        self.0.insert(S::KIND, Arc::new(Typed(step)));
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

    /// Saves the project's name plan (a domain step's result), fenced: a stale worker writes
    /// nothing and gets `LeaseLost`.
    pub async fn save_plan(&self, plan: &impl Serialize) -> Result<(), StepError> {
        let plan = serde_json::to_value(plan).map_err(|e| StepError::invariant(format!("name plan: {e}")))?;
        let (project, step, fence) = (&self.claimed.project_id, self.step_id(), self.claimed.step.fence);
        if self.store.set_plan_fenced(project, &plan, step, fence, self.now_ms()).await? {
            Ok(())
        } else {
            warn!("saving the name plan was refused: stale fence or project gone");
            Err(StepError::LeaseLost)
        }
    }

    /// A fenced write that changes nothing but proves this worker still holds the step: call it
    /// immediately before a side effect that has no idempotency token of its own (an SSM
    /// command, an e-mail), so a stale worker never repeats it.
    pub async fn fence(&self) -> Result<(), StepError> {
        let until = self.now_ms() + FENCE_LEASE_MS;
        let held = self.claimed.step.lease_until.map_or(until, |l| l.max(until));
        if self.store.heartbeat(self.step_id(), self.claimed.step.fence, held).await? {
            Ok(())
        } else {
            warn!("the step is held by another worker now: not doing the side effect");
            Err(StepError::LeaseLost)
        }
    }

    /// The output of an earlier step `S` of the same run, as `S` recorded it. Missing or of
    /// another shape is [`StepError::Invariant`] (the engine only runs a step after the steps
    /// before it succeeded).
    pub async fn output<S: Step>(&self) -> Result<S::Output, StepError> {
        let value = self.output_value(S::KIND).await?;
        decode_output::<S>(&value)
    }

    /// The raw output of an earlier step (for code that handles several kinds alike).
    pub async fn output_value(&self, kind: StepKind) -> Result<Value, StepError> {
        self.store
            .run_outputs(self.run_id())
            .await?
            .into_iter()
            .find(|(k, _)| *k == kind)
            .map(|(_, v)| v)
            .ok_or_else(|| StepError::invariant(format!("step {kind} has no output")))
    }
}

/// How long [`StepCtx::fence`] extends the lease at least (the heartbeat keeps it anyway).
const FENCE_LEASE_MS: i64 = 10_000;

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
    async fn record_calls(&self, c: &Claimed, calls: Vec<crate::work::AwsCall>) {
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
    /// exists is [`AwsAccess::Orphan`](crate::work::AwsAccess::Orphan): on real AWS its
    /// calls are refused, never made with the server's own credentials.
    async fn aws_access(&self, project_id: &str) -> Result<crate::work::AwsAccess, StoreError> {
        let Some(team_id) = self.store.get_project(project_id).await?.and_then(|p| p.team_id) else {
            return Ok(crate::work::AwsAccess::Orphan);
        };
        Ok(match self.store.get_team(&team_id).await? {
            Some(team) => crate::accounts::team_aws(&team),
            None => crate::work::AwsAccess::Orphan,
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
        if claimed.step.interrupted >= MAX_INTERRUPTED {
            let turns = claimed.step.interrupted;
            warn!(turns, "step interrupted too many times in a row: failing it");
            let completion = Completion::Failed { error: interrupted_error(kind, turns) };
            let now = self.clock.now_ms();
            if self.store.complete(&step_id, fence, &completion, now).await? {
                self.record_step_end(&claimed, &completion, now, now).await;
                self.wake();
            }
            return Ok(());
        }
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
        // A panic in a handler fails this step only (the worker and its loop live on).
        let turn = std::panic::AssertUnwindSafe(handler.run(&ctx)).catch_unwind();
        let result = tokio::select! {
            (r, calls) = crate::work::collect_calls_as(access, turn) => {
                self.record_calls(&ctx.claimed, calls).await;
                r.unwrap_or_else(|_| {
                    warn!("the step's handler panicked: failing the step");
                    Err(StepError::Fatal(panic_error(kind)))
                })
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
            Err(StepError::Invariant(detail)) => {
                warn!(detail, "a stored input or output did not read back: failing the step");
                Completion::Failed { error: invariant_error(kind) }
            }
            Err(StepError::LeaseLost) => {
                warn!("lease lost: another worker owns this step now; dropping the result");
                return Ok(());
            }
            Err(StepError::Store(e)) => {
                // Our own database hiccupped inside the step: retried like any temporary error,
                // with backoff, and bounded (if the database is down, this write fails too and
                // the step's `interrupted` count bounds it instead).
                warn!(error = %e, "store error inside a step");
                if self.config.backoff.exhausted(failures + 1) {
                    Completion::Failed { error: store_error(kind) }
                } else {
                    let delay = self.config.backoff.delay(failures, rand::random::<f64>());
                    let secs = delay.as_secs().max(1);
                    Completion::Retry {
                        run_at: now + delay.as_millis() as i64,
                        note: msg(
                            format!("lockstep's database did not answer. Trying again in {secs} s."),
                            format!("lockstep의 데이터베이스가 응답하지 않았습니다. {secs}초 뒤에 다시 시도합니다."),
                        ),
                    }
                }
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
