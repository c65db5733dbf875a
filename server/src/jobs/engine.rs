//! The [`Engine`]: workers that claim due steps, run them, heartbeat and end each turn with one
//! fenced write.

use super::*;

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
