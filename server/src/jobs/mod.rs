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

mod ctx;
mod engine;

pub use ctx::*;
pub use engine::*;

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

/// How long [`StepCtx::fence`] extends the lease at least (the heartbeat keeps it anyway).
const FENCE_LEASE_MS: i64 = 10_000;
