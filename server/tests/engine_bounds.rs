//! Every failure path of the job engine is bounded and visible (issue 20), on BOTH stores:
//! a value that does not decode fails the step at once with words (not re-claimed for ever), a
//! typed step never sees a run input of the wrong shape, a panicking handler fails its step and
//! the worker goes on, a step interrupted turn after turn stops at the cap, our own database
//! failing inside a step is retried with backoff and then stops, a cancelled run fences out the
//! worker still running it, and a stale worker cannot save a name plan.

#[macro_use]
mod common;

use async_trait::async_trait;
use common::stores::{engine, run_with, user_error, Scripted, T0};
use lockstep_domain::backoff::Backoff;
use lockstep_domain::{RunStatus, StepKind, StepStatus};
use lockstep_server::clock::{Clock, ManualClock};
use lockstep_server::jobs::{
    Engine, EngineConfig, Registry, Step, StepCtx, StepError, StepHandler, StepOutcome, MAX_INTERRUPTED,
};
use lockstep_server::store::{Completion, Store};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

on_both_stores!(
    a_value_that_does_not_decode_fails_the_step_at_once,
    a_typed_step_never_runs_on_an_input_of_another_shape,
    a_later_step_reads_an_earlier_output_by_its_type,
    a_panicking_handler_fails_its_step_and_the_worker_goes_on,
    a_step_interrupted_turn_after_turn_stops_at_the_cap,
    our_database_failing_inside_a_step_is_retried_then_stops,
    a_cancelled_run_fences_out_its_running_worker,
    a_stale_worker_cannot_save_the_name_plan,
);

fn one_worker(store: &Arc<dyn Store>, clock: &ManualClock, registry: Registry) -> Engine {
    let clock: Arc<dyn Clock> = Arc::new(clock.clone());
    let config = EngineConfig {
        workers: 1,
        lease: Duration::from_secs(30),
        backoff: Backoff { base: Duration::from_secs(1), max: Duration::from_secs(60), max_attempts: 3 },
        ..EngineConfig::default()
    };
    Engine::new(store.clone(), clock, registry, config)
}

async fn run_status(store: &Arc<dyn Store>, run: &str) -> (RunStatus, Vec<lockstep_server::store::StepRow>) {
    let (r, steps) = store.get_run(run).await.unwrap().unwrap();
    (r.status, steps)
}

async fn a_value_that_does_not_decode_fails_the_step_at_once(store: Arc<dyn Store>) {
    run_with(&store, "r", &[StepKind::Noop]).await;
    let clock = ManualClock::new(T0);
    let h = Scripted::new(vec![Err(StepError::invariant("certificate output: missing field `arn`"))]);
    let e = engine(&store, &clock, h.clone());
    let stop = CancellationToken::new();
    assert!(e.run_once("w", &stop).await.unwrap());
    let (status, steps) = run_status(&store, "r").await;
    assert_eq!(status, RunStatus::Failed, "failed at once, not left for a re-claim");
    let error = steps[0].error.as_ref().unwrap();
    assert!(error.what.starts_with("lockstep stopped: it could not read what it saved"), "{error:?}");
    assert!(error.ko.is_some(), "worded in Korean too");
    let shown = format!("{} {} {}", error.what, error.why, error.fix);
    assert!(!shown.contains("missing field"), "the decode detail is logged, not shown: {shown}");
    clock.advance(3_600_000);
    assert!(!e.run_once("w", &stop).await.unwrap(), "nothing is re-claimed later");
    assert_eq!(h.runs(), 1);
}

#[derive(Debug, Deserialize)]
struct NamedInput {
    name: String,
}

#[derive(Debug, Serialize, Deserialize, PartialEq)]
struct Greeting {
    text: String,
}

#[derive(Clone, Default)]
struct Greet(Arc<AtomicU32>);

#[async_trait]
impl Step for Greet {
    const KIND: StepKind = StepKind::Noop;
    type Input = NamedInput;
    type Output = Greeting;
    async fn run(&self, _ctx: &StepCtx, input: NamedInput) -> Result<StepOutcome<Greeting>, StepError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(StepOutcome::Done { output: Greeting { text: format!("hello {}", input.name) }, note: None })
    }
}

/// Reads [`Greet`]'s output by its type.
#[derive(Clone, Default)]
struct Echo(Arc<std::sync::Mutex<Option<Greeting>>>);

#[async_trait]
impl Step for Echo {
    const KIND: StepKind = StepKind::DoctorCheck;
    type Input = serde_json::Value;
    type Output = Greeting;
    async fn run(&self, ctx: &StepCtx, _input: serde_json::Value) -> Result<StepOutcome<Greeting>, StepError> {
        let earlier = ctx.output::<Greet>().await?;
        *self.0.lock().unwrap() = Some(Greeting { text: earlier.text.clone() });
        Ok(StepOutcome::Done { output: earlier, note: None })
    }
}

async fn a_typed_step_never_runs_on_an_input_of_another_shape(store: Arc<dyn Store>) {
    // run_with stores the input {"n": 1}: no "name".
    run_with(&store, "r", &[StepKind::Noop]).await;
    let clock = ManualClock::new(T0);
    let greet = Greet::default();
    let e = one_worker(&store, &clock, Registry::default().step(greet.clone()));
    assert!(e.run_once("w", &CancellationToken::new()).await.unwrap());
    let (status, steps) = run_status(&store, "r").await;
    assert_eq!(status, RunStatus::Failed);
    assert!(steps[0].error.as_ref().unwrap().what.contains("could not read what it saved"));
    assert_eq!(greet.0.load(Ordering::SeqCst), 0, "the handler never saw the bad input");
}

async fn a_later_step_reads_an_earlier_output_by_its_type(store: Arc<dyn Store>) {
    let run = lockstep_server::store::NewRun {
        started_by: None,
        id: "r".into(),
        project_id: "p".into(),
        kind: lockstep_domain::RunKind::Test,
        input: json!({"name": "team"}),
        steps: vec![("r-0".into(), StepKind::Noop), ("r-1".into(), StepKind::DoctorCheck)],
    };
    store.create_run(&run, T0).await.unwrap();
    let clock = ManualClock::new(T0);
    let echo = Echo::default();
    let e = one_worker(&store, &clock, Registry::default().step(Greet::default()).step(echo.clone()));
    let stop = CancellationToken::new();
    assert!(e.run_once("w", &stop).await.unwrap());
    assert!(e.run_once("w", &stop).await.unwrap());
    let (status, steps) = run_status(&store, "r").await;
    assert_eq!(status, RunStatus::Succeeded);
    assert_eq!(steps[0].output, Some(json!({"text": "hello team"})), "stored as plain JSON");
    assert_eq!(echo.0.lock().unwrap().as_ref().map(|g| g.text.as_str()), Some("hello team"));

    // The same read of an output of another shape fails the step with words instead of looping.
    let run = lockstep_server::store::NewRun {
        id: "bad".into(),
        steps: vec![("bad-0".into(), StepKind::Noop), ("bad-1".into(), StepKind::DoctorCheck)],
        ..run
    };
    store.create_run(&run, T0).await.unwrap();
    let first = store.claim("x", T0, 1_000).await.unwrap().unwrap();
    let odd = Completion::Succeeded { output: json!({"txt": 1}), note: None };
    assert!(store.complete(&first.step.id, first.step.fence, &odd, T0).await.unwrap());
    assert!(e.run_once("w", &stop).await.unwrap());
    let (status, steps) = run_status(&store, "bad").await;
    assert_eq!(status, RunStatus::Failed);
    assert!(steps[1].error.as_ref().unwrap().what.contains("could not read what it saved"));
}

struct Panics;

#[async_trait]
impl StepHandler for Panics {
    async fn run(&self, _ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        panic!("a bug in a step");
    }
}

async fn a_panicking_handler_fails_its_step_and_the_worker_goes_on(store: Arc<dyn Store>) {
    let run = |id: &str, kind| lockstep_server::store::NewRun {
        started_by: None,
        id: id.into(),
        project_id: "p".into(),
        kind: lockstep_domain::RunKind::Test,
        input: json!({"name": "x"}),
        steps: vec![(format!("{id}-0"), kind)],
    };
    store.create_run(&run("boom", StepKind::DoctorCheck), T0).await.unwrap();
    store.create_run(&run("fine", StepKind::Noop), T0 + 1).await.unwrap();
    let clock = ManualClock::new(T0 + 1);
    let greet = Greet::default();
    let e = one_worker(&store, &clock, Registry::default().with(StepKind::DoctorCheck, Panics).step(greet.clone()));
    let stop = CancellationToken::new();
    assert!(e.run_once("w", &stop).await.unwrap(), "the worker survives the panic");
    let (status, steps) = run_status(&store, "boom").await;
    assert_eq!(status, RunStatus::Failed);
    let error = steps[0].error.as_ref().unwrap();
    assert!(error.what.contains("stopped on an internal error"), "{error:?}");
    assert!(!error.why.contains("a bug in a step"), "the panic text is not shown");
    assert!(e.run_once("w", &stop).await.unwrap(), "the same worker runs the next step");
    assert_eq!(run_status(&store, "fine").await.0, RunStatus::Succeeded);
    assert_eq!(greet.0.load(Ordering::SeqCst), 1);
}

async fn a_step_interrupted_turn_after_turn_stops_at_the_cap(store: Arc<dyn Store>) {
    run_with(&store, "r", &[StepKind::Noop]).await;
    let clock = ManualClock::new(T0);
    // A normal end of a turn (a poll) sets the count back: only turns in a row count.
    let first = store.claim("dies", clock.now_ms(), 1_000).await.unwrap().unwrap();
    clock.advance(1_000);
    let again = store.claim("dies", clock.now_ms(), 1_000).await.unwrap().unwrap();
    assert_eq!((first.step.interrupted, again.step.interrupted), (0, 1));
    let poll = Completion::Poll { run_at: clock.now_ms(), note: lockstep_domain::msg("wait", "대기") };
    assert!(store.complete(&again.step.id, again.step.fence, &poll, clock.now_ms()).await.unwrap());
    let after_poll = store.claim("dies", clock.now_ms(), 1_000).await.unwrap().unwrap();
    assert_eq!(after_poll.step.interrupted, 0, "a poll ended the turn normally");
    // Now every turn dies (the lease simply expires, as after kill -9).
    for n in 1..MAX_INTERRUPTED {
        clock.advance(1_000);
        let c = store.claim("dies", clock.now_ms(), 1_000).await.unwrap().unwrap();
        assert_eq!(c.step.interrupted, n);
    }
    clock.advance(1_000);
    let h = Scripted::default();
    let e = engine(&store, &clock, h.clone());
    assert!(e.run_once("w", &CancellationToken::new()).await.unwrap());
    let (status, steps) = run_status(&store, "r").await;
    assert_eq!(status, RunStatus::Failed, "stopped instead of re-claimed for ever");
    assert!(steps[0].error.as_ref().unwrap().what.contains("interrupted 8 times in a row"));
    assert_eq!(h.runs(), 0, "the handler was not tried a ninth time");
    // Retry starts the count afresh.
    assert!(store.retry_failed("r", clock.now_ms()).await.unwrap());
    assert!(e.run_once("w", &CancellationToken::new()).await.unwrap());
    assert_eq!(run_status(&store, "r").await.0, RunStatus::Succeeded);
}

async fn our_database_failing_inside_a_step_is_retried_then_stops(store: Arc<dyn Store>) {
    run_with(&store, "r", &[StepKind::Noop]).await;
    let clock = ManualClock::new(T0);
    let db = || Err(StepError::Store("database is locked".into()));
    let h = Scripted::new(vec![db(), db(), db()]);
    let e = engine(&store, &clock, h.clone());
    let stop = CancellationToken::new();
    for n in 1..=2 {
        assert!(e.run_once("w", &stop).await.unwrap());
        let (_, steps) = run_status(&store, "r").await;
        assert_eq!((steps[0].status, steps[0].failures), (StepStatus::Waiting, n), "retry {n} with backoff");
        assert!(steps[0].note.as_ref().unwrap().en.starts_with("lockstep's database did not answer"));
        clock.advance(steps[0].run_at - clock.now_ms());
    }
    assert!(e.run_once("w", &stop).await.unwrap());
    let (status, steps) = run_status(&store, "r").await;
    assert_eq!(status, RunStatus::Failed, "bounded by the backoff's attempts");
    let error = steps[0].error.as_ref().unwrap();
    assert!(error.what.contains("database kept failing") && !error.why.contains("locked"), "{error:?}");
}

async fn a_cancelled_run_fences_out_its_running_worker(store: Arc<dyn Store>) {
    run_with(&store, "r", &[StepKind::Noop, StepKind::Noop]).await;
    let held = store.claim("w", T0, 30_000).await.unwrap().unwrap();
    assert!(store.cancel_run("r", &user_error("You cancelled this run."), T0 + 1).await.unwrap());
    let (status, steps) = run_status(&store, "r").await;
    assert_eq!(status, RunStatus::Failed);
    assert_eq!(steps[0].error.as_ref().unwrap().what, "You cancelled this run.");
    let late = Completion::Succeeded { output: json!({}), note: None };
    assert!(!store.complete(&held.step.id, held.step.fence, &late, T0 + 2).await.unwrap(), "the worker is fenced out");
    assert!(!store.heartbeat(&held.step.id, held.step.fence, T0 + 9_000).await.unwrap());
    assert!(!store.record_effect(&held.step.id, held.step.fence, "k", &json!(1)).await.unwrap());
    assert!(store.claim("w2", T0 + 2, 30_000).await.unwrap().is_none(), "nothing of a cancelled run is claimed");
    // Retry continues from the cancelled step.
    assert!(store.retry_failed("r", T0 + 3).await.unwrap());
    let resumed = store.claim("w2", T0 + 3, 30_000).await.unwrap().unwrap();
    assert_eq!(resumed.step.id, held.step.id);
}

async fn a_stale_worker_cannot_save_the_name_plan(store: Arc<dyn Store>) {
    run_with(&store, "r", &[StepKind::Noop]).await;
    let a = store.claim("A", T0, 1_000).await.unwrap().unwrap();
    let b = store.claim("B", T0 + 1_000, 1_000).await.unwrap().unwrap();
    let plan = json!({"api": "api.example.com"});
    assert!(!store.set_plan_fenced("p", &plan, &a.step.id, a.step.fence, T0 + 1_001).await.unwrap());
    assert_eq!(store.get_project("p").await.unwrap().unwrap().plan, None, "A wrote nothing");
    assert!(store.set_plan_fenced("p", &plan, &b.step.id, b.step.fence, T0 + 1_002).await.unwrap());
    assert_eq!(store.get_project("p").await.unwrap().unwrap().plan, Some(plan));
}
