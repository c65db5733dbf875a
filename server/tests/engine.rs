//! The store contract and the job engine, run against BOTH adapters: each test below is one
//! function taking a fresh store, and `on_both_stores!` makes it two tests,
//! `<name>::sqlite` (a real SQLite file) and `<name>::postgres` (a fresh database on the test
//! binary's throwaway PostgreSQL cluster, see `common/pg.rs`). A manual clock, no sleeps:
//! leases and re-claim, fencing, step order, polling, retryable vs fatal errors and backoff,
//! effect tokens, run status; and what only a shared store has: concurrent claimers on one
//! queue, and live changes seen by another server.

#[macro_use]
mod common;

use lockstep_domain::{msg, RunKind, RunStatus, StepDetail, StepKind, StepStatus};
use lockstep_server::clock::{Clock, ManualClock};
use lockstep_server::jobs::{StepError, StepOutcome};
use lockstep_server::store::postgres::PgStore;
use lockstep_server::store::{Completion, ProjectDeleted, ProjectRow, Store};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

use common::stores::{done, engine, run_with, user_error, with_project, Scripted, T0};

on_both_stores!(
    lease_expiry_lets_another_worker_reclaim,
    stale_worker_cannot_complete_heartbeat_or_record,
    steps_run_in_order_and_the_run_finishes,
    effect_token_is_stored_once_and_reused,
    polling_step_is_rescheduled_not_slept,
    retryable_errors_back_off_with_jitter_then_give_up,
    fatal_error_stops_the_run_with_the_explanation,
    graceful_release_frees_leases_at_once,
    projects_runs_and_latest_run,
    notes_and_details_are_fenced_and_announced,
    concurrent_claimers_never_share_a_step,
);

async fn lease_expiry_lets_another_worker_reclaim(store: Arc<dyn Store>) {
    run_with(&store, "r", &[StepKind::Noop]).await;
    let a = store.claim("A", T0, 1_000).await.unwrap().expect("A claims");
    assert_eq!(a.step.lease_owner.as_deref(), Some("A"));
    assert!(store.claim("B", T0 + 999, 1_000).await.unwrap().is_none(), "lease still held");
    let b = store.claim("B", T0 + 1_000, 1_000).await.unwrap().expect("B re-claims after expiry");
    assert_eq!(b.step.id, a.step.id);
    assert!(b.step.fence > a.step.fence, "re-claim bumps the fence");
    assert_eq!(b.step.attempts, 2);
}

async fn stale_worker_cannot_complete_heartbeat_or_record(store: Arc<dyn Store>) {
    run_with(&store, "r", &[StepKind::Noop]).await;
    let a = store.claim("A", T0, 1_000).await.unwrap().unwrap();
    let b = store.claim("B", T0 + 5_000, 1_000).await.unwrap().unwrap();
    let step = &a.step.id;
    store.effect_token(step, "k", "tok", T0).await.unwrap();

    assert!(!store.heartbeat(step, a.step.fence, T0 + 9_000).await.unwrap(), "stale heartbeat rejected");
    assert!(!store.record_effect(step, a.step.fence, "k", &json!("stale")).await.unwrap(), "stale effect rejected");
    let stale = Completion::Succeeded { output: json!("from A"), note: None };
    assert!(!store.complete(step, a.step.fence, &stale, T0 + 6_000).await.unwrap(), "stale completion rejected");
    let (_, steps) = store.get_run("r").await.unwrap().unwrap();
    assert_eq!(steps[0].status, StepStatus::Running, "A changed nothing");

    assert!(store.heartbeat(step, b.step.fence, T0 + 9_000).await.unwrap());
    assert!(store.record_effect(step, b.step.fence, "k", &json!("fresh")).await.unwrap());
    let fresh = Completion::Succeeded { output: json!("from B"), note: None };
    assert!(store.complete(step, b.step.fence, &fresh, T0 + 6_000).await.unwrap());
    let (run, steps) = store.get_run("r").await.unwrap().unwrap();
    assert_eq!(steps[0].output, Some(json!("from B")));
    assert_eq!(run.status, RunStatus::Succeeded);
    assert_eq!(store.effect_result(step, "k").await.unwrap(), Some(json!("fresh")));
}

async fn steps_run_in_order_and_the_run_finishes(store: Arc<dyn Store>) {
    run_with(&store, "r", &[StepKind::Noop, StepKind::Noop]).await;
    let first = store.claim("A", T0, 1_000).await.unwrap().unwrap();
    assert_eq!(first.step.seq, 0);
    assert!(store.claim("B", T0, 1_000).await.unwrap().is_none(), "step 2 waits for step 1");
    store
        .complete(&first.step.id, first.step.fence, &Completion::Succeeded { output: json!(1), note: None }, T0)
        .await
        .unwrap();
    let (run, _) = store.get_run("r").await.unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Active, "one step left");
    let second = store.claim("B", T0, 1_000).await.unwrap().unwrap();
    assert_eq!(second.step.seq, 1);
    assert_eq!(store.run_outputs("r").await.unwrap(), vec![(StepKind::Noop, json!(1))]);
}

async fn effect_token_is_stored_once_and_reused(store: Arc<dyn Store>) {
    run_with(&store, "r", &[StepKind::Noop]).await;
    let (t1, at1) = store.effect_token("r-s0", "acm.request", "first", T0).await.unwrap();
    let (t2, at2) = store.effect_token("r-s0", "acm.request", "second", T0 + 50).await.unwrap();
    assert_eq!((t1.as_str(), at1), ("first", T0));
    assert_eq!((t2.as_str(), at2), ("first", T0), "a retry gets the token stored before the first call");
}

async fn polling_step_is_rescheduled_not_slept(store: Arc<dyn Store>) {
    run_with(&store, "r", &[StepKind::Noop]).await;
    let clock = ManualClock::new(T0);
    let h = Scripted::new(vec![
        Ok(StepOutcome::Poll { after: Duration::from_secs(10), note: msg("still pending", "아직 대기 중") }),
        done(),
    ]);
    let e = engine(&store, &clock, h.clone());
    let stop = CancellationToken::new();
    assert!(e.run_once("w", &stop).await.unwrap());
    let (_, steps) = store.get_run("r").await.unwrap().unwrap();
    assert_eq!(steps[0].status, StepStatus::Waiting);
    assert_eq!(steps[0].run_at, T0 + 10_000);
    assert_eq!(steps[0].note, Some(msg("still pending", "아직 대기 중")));
    assert!(steps[0].lease_owner.is_none(), "lease released while waiting");
    assert!(!e.run_once("w", &stop).await.unwrap(), "not due yet");
    clock.advance(10_000);
    assert!(e.run_once("w", &stop).await.unwrap());
    let (run, _) = store.get_run("r").await.unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Succeeded);
    assert_eq!(h.runs(), 2);
}

async fn retryable_errors_back_off_with_jitter_then_give_up(store: Arc<dyn Store>) {
    run_with(&store, "r", &[StepKind::Noop]).await;
    let clock = ManualClock::new(T0);
    let throttled = || {
        Err(StepError::Retryable {
            note: msg("Throttled.", "제한됨."),
            last: Box::new(user_error("AWS kept throttling")),
        })
    };
    let h = Scripted::new(vec![throttled(), throttled(), throttled()]);
    let e = engine(&store, &clock, h.clone());
    let stop = CancellationToken::new();
    // Backoff base 1 s: retry n is due in [base*2^n / 2, base*2^n].
    for (n, ceiling) in [(0u32, 1_000i64), (1, 2_000)] {
        let now = clock.now_ms();
        assert!(e.run_once("w", &stop).await.unwrap());
        let (_, steps) = store.get_run("r").await.unwrap().unwrap();
        let s = &steps[0];
        assert_eq!(s.status, StepStatus::Waiting, "retry {n}");
        assert_eq!(s.failures, n as i64 + 1);
        let delay = s.run_at - now;
        assert!(
            delay >= ceiling / 2 && delay <= ceiling,
            "retry {n}: delay {delay} ms outside [{}, {ceiling}]",
            ceiling / 2
        );
        let note = s.note.as_ref().unwrap();
        assert!(note.en.starts_with("Throttled. Trying again in") && note.en.contains("(attempt"), "{note:?}");
        assert!(note.ko.starts_with("제한됨. ") && note.ko.contains("초 뒤에 다시 시도합니다"), "{note:?}");
        clock.advance(delay);
    }
    // Third failure reaches max_attempts (3): the run stops with the last explanation.
    assert!(e.run_once("w", &stop).await.unwrap());
    let (run, steps) = store.get_run("r").await.unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Failed);
    assert_eq!(steps[0].status, StepStatus::Failed);
    assert_eq!(steps[0].error.as_ref().unwrap().what, "AWS kept throttling");
}

async fn fatal_error_stops_the_run_with_the_explanation(store: Arc<dyn Store>) {
    run_with(&store, "r", &[StepKind::Noop, StepKind::Noop]).await;
    let clock = ManualClock::new(T0);
    let h = Scripted::new(vec![Err(StepError::Fatal(user_error("Zone missing")))]);
    let e = engine(&store, &clock, h.clone());
    let stop = CancellationToken::new();
    assert!(e.run_once("w", &stop).await.unwrap());
    let (run, steps) = store.get_run("r").await.unwrap().unwrap();
    assert_eq!(run.status, RunStatus::Failed);
    assert_eq!(steps[0].error.as_ref().unwrap().fix, "do this");
    assert_eq!(steps[1].status, StepStatus::Pending);
    assert!(!e.run_once("w", &stop).await.unwrap(), "nothing runs after a fatal error");
    assert_eq!(h.runs(), 1);
    // The user fixes it and retries: the failed step runs again.
    assert!(store.retry_failed("r", clock.now_ms()).await.unwrap());
    assert!(e.run_once("w", &stop).await.unwrap());
    assert!(e.run_once("w", &stop).await.unwrap());
    assert_eq!(store.get_run("r").await.unwrap().unwrap().0.status, RunStatus::Succeeded);
}

async fn graceful_release_frees_leases_at_once(store: Arc<dyn Store>) {
    run_with(&store, "r", &[StepKind::Noop]).await;
    store.claim("A", T0, 60_000).await.unwrap().unwrap();
    assert_eq!(store.release_leases("A").await.unwrap(), 1);
    assert!(store.claim("B", T0 + 1, 60_000).await.unwrap().is_some(), "claimable without waiting for expiry");
}

async fn projects_runs_and_latest_run(store: Arc<dyn Store>) {
    let q = ProjectRow {
        id: "q".into(),
        name: "q".into(),
        spec: json!({"a": [1, 2]}),
        plan: None,
        team_id: None,
        created_at: T0 + 1,
    };
    store.insert_project(&q).await.unwrap();
    assert_eq!(store.get_project("q").await.unwrap(), Some(q.clone()));
    let ids: Vec<String> = store.list_projects().await.unwrap().into_iter().map(|p| p.id).collect();
    assert_eq!(ids, vec!["q", "p"], "newest first");
    assert!(store.set_plan("q", &json!({"api": "api.example.com"}), T0 + 2).await.unwrap());
    assert!(!store.set_plan("nope", &json!({}), T0 + 2).await.unwrap());
    assert_eq!(store.get_project("q").await.unwrap().unwrap().plan, Some(json!({"api": "api.example.com"})));

    // Two runs created in the same millisecond: the later one is the latest.
    run_with(&store, "r1", &[StepKind::Noop]).await;
    run_with(&store, "r2", &[StepKind::Noop, StepKind::Noop]).await;
    let (latest, steps) = store.latest_run("p", RunKind::Test).await.unwrap().unwrap();
    assert_eq!(latest.id, "r2");
    assert_eq!(latest.input, json!({"n": 1}));
    assert_eq!(latest.status, RunStatus::Active);
    assert_eq!(steps.iter().map(|s| s.seq).collect::<Vec<_>>(), vec![0, 1]);
    assert!(steps.iter().all(|s| s.status == StepStatus::Pending && s.fence == 0 && s.lease_owner.is_none()));
    assert!(store.latest_run("p", RunKind::Doctor).await.unwrap().is_none());
    assert_eq!(store.unfinished_steps().await.unwrap(), 3);

    // A project with an active run is not deleted (its in-flight calls would be orphaned);
    // once its runs are cancelled it is.
    assert_eq!(store.delete_project("p").await.unwrap(), ProjectDeleted::RunActive);
    assert!(store.get_project("p").await.unwrap().is_some());
    for run in ["r1", "r2"] {
        assert!(store.cancel_run(run, &user_error("cancelled"), T0 + 3).await.unwrap());
        assert!(!store.cancel_run(run, &user_error("cancelled"), T0 + 3).await.unwrap(), "only an active run");
    }
    let (r2, steps) = store.get_run("r2").await.unwrap().unwrap();
    assert_eq!(r2.status, RunStatus::Failed);
    assert_eq!(steps[0].status, StepStatus::Failed, "the first unfinished step carries the reason");
    assert_eq!(steps[0].error.as_ref().map(|e| e.what.as_str()), Some("cancelled"));
    assert_eq!(steps[1].status, StepStatus::Pending, "later steps wait for a Retry");
    assert_eq!(store.delete_project("p").await.unwrap(), ProjectDeleted::Deleted);
    assert_eq!(store.delete_project("p").await.unwrap(), ProjectDeleted::NotFound);
    assert!(store.get_run("r1").await.unwrap().is_none(), "runs go with their project");
    assert_eq!(store.unfinished_steps().await.unwrap(), 0);
    assert!(store.ready().await, "database reachable, migrations applied");
}

async fn notes_and_details_are_fenced_and_announced(store: Arc<dyn Store>) {
    let mut live = store.subscribe();
    run_with(&store, "r", &[StepKind::Noop]).await;
    let a = store.claim("A", T0, 1_000).await.unwrap().unwrap();
    let detail = StepDetail::Registration {
        domain: "example.com".into(),
        operation_id: "op-1".into(),
        status: "IN_PROGRESS".into(),
        email: "minji@example.com".into(),
    };
    assert!(store.set_note(&a.step.id, a.step.fence, &msg("asking ACM", "ACM에 묻는 중")).await.unwrap());
    assert!(store.set_detail(&a.step.id, a.step.fence, &detail).await.unwrap());
    assert!(
        !store.set_note(&a.step.id, a.step.fence - 1, &msg("stale", "오래됨")).await.unwrap(),
        "stale note refused"
    );
    assert!(!store.set_detail(&a.step.id, a.step.fence + 1, &detail).await.unwrap(), "wrong fence refused");
    let (_, steps) = store.get_run("r").await.unwrap().unwrap();
    assert_eq!(steps[0].note, Some(msg("asking ACM", "ACM에 묻는 중")), "both languages, on both stores");
    assert_eq!(steps[0].detail.as_ref(), Some(&detail));

    // Live viewers hear about the run (creation, claim, notes...), promptly.
    let heard = tokio::time::timeout(Duration::from_secs(5), live.recv()).await.expect("a change is announced");
    assert_eq!(heard.unwrap().run_id, "r");
}

/// Sixteen workers hammer one queue of 40 single-step runs at the same instant: every step is
/// claimed exactly once (one winner per step, no step lost).
async fn concurrent_claimers_never_share_a_step(store: Arc<dyn Store>) {
    for r in 0..40 {
        run_with(&store, &format!("r{r}"), &[StepKind::Noop]).await;
    }
    let mut tasks = Vec::new();
    for w in 0..16 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(c) = store.claim(&format!("w{w}"), T0, 60_000).await.unwrap() {
                mine.push(c.step.id);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort();
    let claimed = all.len();
    all.dedup();
    assert_eq!(all.len(), claimed, "a step was claimed twice");
    assert_eq!(claimed, 40, "every step claimed once");
}

/// Two servers on one PostgreSQL database: a viewer subscribed on server A hears about the
/// steps server B creates, claims and completes (LISTEN/NOTIFY), and B takes over A's step
/// once A's lease expires, with A's completion then refused.
#[tokio::test]
async fn postgres_two_servers_share_the_queue_and_live_changes() {
    let url = common::pg::database().await;
    let a: Arc<dyn Store> = with_project(Arc::new(PgStore::open(&url).await.unwrap())).await;
    let b: Arc<dyn Store> = Arc::new(PgStore::open(&url).await.unwrap());
    let mut live_on_a = a.subscribe();
    let hear = |rx: &mut tokio::sync::broadcast::Receiver<_>| {
        let mut rx = rx.resubscribe();
        async move {
            loop {
                let c: lockstep_server::store::RunChanged =
                    tokio::time::timeout(Duration::from_secs(5), rx.recv()).await.expect("heard in time").unwrap();
                if c.run_id == "shared" {
                    return;
                }
            }
        }
    };
    let heard = tokio::spawn(hear(&mut live_on_a));
    run_with(&b, "shared", &[StepKind::Noop]).await;
    heard.await.unwrap();

    let on_a = a.claim("A", T0, 1_000).await.unwrap().expect("A claims B's step");
    assert!(b.claim("B", T0 + 500, 1_000).await.unwrap().is_none(), "A's lease holds on B too");
    let heard = tokio::spawn(hear(&mut live_on_a));
    let on_b = b.claim("B", T0 + 1_000, 1_000).await.unwrap().expect("B takes over after expiry");
    heard.await.unwrap();
    assert!(on_b.step.fence > on_a.step.fence);
    let late = Completion::Succeeded { output: json!("A"), note: None };
    assert!(!a.complete(&on_a.step.id, on_a.step.fence, &late, T0 + 1_100).await.unwrap(), "A is fenced out");
    let heard = tokio::spawn(hear(&mut live_on_a));
    let done = Completion::Succeeded { output: json!("B"), note: None };
    assert!(b.complete(&on_b.step.id, on_b.step.fence, &done, T0 + 1_200).await.unwrap());
    heard.await.unwrap();
    assert_eq!(a.get_run("shared").await.unwrap().unwrap().0.status, RunStatus::Succeeded);
}

/// Servers starting together on a fresh database: the migrations run once (under sqlx's
/// advisory lock) and every server opens, ready.
#[tokio::test]
async fn postgres_servers_starting_together_migrate_once() {
    let url = common::pg::database().await;
    let (a, b, c) = tokio::join!(PgStore::open(&url), PgStore::open(&url), PgStore::open(&url));
    for store in [a.unwrap(), b.unwrap(), c.unwrap()] {
        assert!(store.ready().await);
    }
}
