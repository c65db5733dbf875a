//! [`StepCtx`]: what a step handler may do with its step.

use super::*;

/// What a handler may do with its step: read inputs, persist tokens before side effects,
/// record results, and update the note the timeline shows. Every write is fenced.
pub struct StepCtx {
    pub claimed: Claimed,
    pub(super) store: Arc<dyn Store>,
    pub(super) clock: Arc<dyn Clock>,
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

    /// The result recorded for the side effect `key` by an earlier attempt of this step, as the
    /// `T` it was recorded as ([`StepCtx::record`]); a stored result of another shape is a broken
    /// invariant (the step fails at once instead of being retried for ever).
    pub async fn recorded<T: serde::de::DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StepError> {
        match self.effect_result(key).await? {
            Some(v) => serde_json::from_value(v).map(Some).map_err(|e| {
                StepError::invariant(format!("the recorded result of {key} ({}): {e}", self.claimed.step.kind))
            }),
            None => Ok(None),
        }
    }

    /// Records the result of the side effect `key` (fenced: a stale worker gets `LeaseLost`).
    pub async fn record<T: serde::Serialize>(&self, key: &str, result: &T) -> Result<(), StepError> {
        let value =
            serde_json::to_value(result).map_err(|e| StepError::invariant(format!("the result of {key}: {e}")))?;
        self.record_effect(key, &value).await
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
