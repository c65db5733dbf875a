//! What applies to a run of any area: check a waiting step again, retry a failed one, cancel
//! an active one. Each needs what starting the run needs (a teardown's, an owner).

use super::{internal, messages, not_found, run_view, Lockstep};
use crate::steps::teardown as teardown_steps;
use crate::store::RunRow;
use app::api::ssr::{Caller, RunsApi};
use app::model::*;
use async_trait::async_trait;
use lockstep_domain::account::Need;
use lockstep_domain::run::cancelled_error;
use lockstep_domain::RunView;
use tracing::info;

impl Lockstep {
    /// The run, when `who` may start (and so retry or cancel) runs of its kind: a member for
    /// most, an owner for a teardown (it deletes resources).
    /// With it, the team's AWS access.
    async fn runnable(&self, who: &Caller, run_id: &str) -> Result<(RunRow, crate::work::AwsAccess), AppError> {
        let (a, run) = self.guard_run(who, run_id, Need::Act).await?;
        if run.kind == teardown_steps::RUN_KIND {
            self.guard_run(who, run_id, Need::Manage).await?;
        }
        Ok((run, a.aws))
    }
}

#[async_trait]
impl RunsApi for Lockstep {
    async fn recheck(&self, who: &Caller, run_id: &str) -> Result<(), AppError> {
        self.guard_run(who, run_id, Need::Act).await?;
        self.store.get_run(run_id).await.map_err(internal)?.ok_or_else(|| not_found(super::messages::run_gone()))?;
        self.store.poll_now(run_id, self.clock.now_ms()).await.map_err(internal)?;
        self.engine.wake();
        Ok(())
    }

    async fn retry_run(&self, who: &Caller, run_id: &str) -> Result<(), AppError> {
        let (run, aws) = self.runnable(who, run_id).await?;
        self.may_use_aws(&aws, run.kind, &run.input)?;
        self.store.get_run(run_id).await.map_err(internal)?.ok_or_else(|| not_found(super::messages::run_gone()))?;
        if !self.store.retry_failed(run_id, self.clock.now_ms()).await.map_err(internal)? {
            return Err(nothing_to_retry());
        }
        info!(run_id, "run retried");
        self.engine.wake();
        Ok(())
    }

    async fn cancel_run(&self, who: &Caller, run_id: &str) -> Result<RunView, AppError> {
        self.runnable(who, run_id).await?;
        // The store fails the current step with these words and moves its fence on, in one
        // transaction: a worker still running the step can write nothing more, and the run is
        // no longer active (so the project may be deleted, and Retry resumes that step).
        if !self.store.cancel_run(run_id, &cancelled_error(), self.clock.now_ms()).await.map_err(internal)? {
            return Err(nothing_to_cancel());
        }
        info!(run_id, "run cancelled");
        let (run, steps) = self
            .store
            .get_run(run_id)
            .await
            .map_err(internal)?
            .ok_or_else(|| not_found(super::messages::run_gone()))?;
        Ok(run_view(run, steps))
    }
}

fn nothing_to_retry() -> AppError {
    AppError::User(messages::nothing_to_retry())
}

fn nothing_to_cancel() -> AppError {
    AppError::User(messages::nothing_to_cancel())
}
