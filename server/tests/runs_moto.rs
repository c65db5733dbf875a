//! Cancelling a run (issue 20), in process against moto like `wizard_moto`: the run stops at
//! its current step with words saying a person cancelled it, a worker still running that step
//! can write nothing more, Retry continues from there and finishes the run, and a project with
//! an active run is refused deletion (with words for the page) until the run is cancelled.

mod common;

use app::api::ssr::prelude::*;
use app::model::AppError;
use common::{drive, project, world, World};
use lockstep_domain::run::cancelled_error;
use lockstep_domain::{Region, RunStatus, RunView, StepStatus};
use lockstep_server::sandbox;
use lockstep_server::store::Completion;

/// A project with the demo zone chosen; the delegation check that starts is returned active.
async fn project_with_zone(w: &World) -> (String, RunView) {
    let pid = project(w).await;
    let zones = w.service.list_zones(&w.me, &pid).await.unwrap();
    let zone = zones.iter().find(|z| z.name == sandbox::DEMO_ZONE).expect("seeded zone listed");
    w.service.choose_zone(&w.me, &pid, &zone.id).await.unwrap();
    let domain = w.service.latest_domain_run(&w.me, &pid).await.unwrap().expect("a domain run");
    assert_eq!(domain.status, RunStatus::Active);
    (pid, domain)
}

#[tokio::test]
async fn a_cancelled_run_stops_its_worker_and_retry_continues_it_to_the_end() {
    let w = world().await;
    let (pid, domain) = project_with_zone(&w).await;
    drive(&w, &domain.id).await;
    let run = w.service.start_certificate(&w.me, &pid).await.unwrap();

    // A worker holds the first step, as if it were calling ACM right now.
    let now = w.service.clock.now_ms();
    let held = w.store.claim("stale-worker", now, 60_000).await.unwrap().expect("the first step is due");
    assert_eq!(held.step.run_id, run.id);

    let cancelled = w.service.cancel_run(&w.me, &run.id).await.unwrap();
    assert_eq!(cancelled.status, RunStatus::Failed, "{cancelled:#?}");
    assert!(cancelled.was_cancelled());
    let step = cancelled.steps.iter().find(|s| s.id == held.step.id).unwrap();
    assert_eq!(step.status, StepStatus::Failed);
    assert_eq!(step.error, Some(cancelled_error()), "the step says why it stopped");
    assert!(cancelled.steps.iter().filter(|s| s.seq > step.seq).all(|s| s.status == StepStatus::Pending));
    // The words: a person cancelled it, nothing more happens, what was made is kept, and
    // Retry continues from this step; in Korean too.
    let e = cancelled_error();
    let text = format!("{} {} {}", e.what, e.why, e.fix);
    for said in
        ["A person on the team cancelled", "nothing more will happen", "is kept", "Retry to continue from this step"]
    {
        assert!(text.contains(said), "{said:?} in {text}");
    }
    let (what, why, fix) = e.said(true);
    assert!(what.contains("취소") && why.contains("남아") && fix.contains("다시 시도"), "{what} {why} {fix}");

    // The worker that held the step can write nothing more: neither a heartbeat nor its end.
    assert!(!w.store.heartbeat(&held.step.id, held.step.fence, now + 60_000).await.unwrap());
    let stale = Completion::Succeeded {
        output: serde_json::json!({"arn": "arn:aws:acm:us-east-1:123456789012:certificate/stale"}),
        note: None,
    };
    assert!(!w.store.complete(&held.step.id, held.step.fence, &stale, now + 1).await.unwrap(), "stale completion");
    let (after, steps) = w.store.get_run(&run.id).await.unwrap().unwrap();
    assert_eq!(after.status, RunStatus::Failed);
    let step = steps.iter().find(|s| s.id == held.step.id).unwrap();
    assert_eq!((step.status, step.output.as_ref()), (StepStatus::Failed, None), "nothing of the stale worker's");

    // Only an active run can be cancelled.
    match w.service.cancel_run(&w.me, &run.id).await {
        Err(AppError::User(e)) => assert!(e.what.contains("nothing to cancel") && e.ko.is_some(), "{e:?}"),
        other => panic!("a second cancel: {other:?}"),
    }

    // Retry continues from the cancelled step, and the run finishes with one certificate.
    w.service.retry_run(&w.me, &run.id).await.unwrap();
    let done = drive(&w, &run.id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    assert!(done.steps.iter().all(|s| s.status == StepStatus::Succeeded && s.error.is_none()));
    assert_eq!(w.ca.list(&Region::us_east_1()).await.unwrap().len(), 1, "one certificate");
}

#[tokio::test]
async fn a_project_with_an_active_run_is_deleted_only_once_the_run_is_cancelled() {
    let w = world().await;
    let (pid, domain) = project_with_zone(&w).await;

    // Refused with words the project page shows (what happened, why, what to do), in Korean too.
    match w.service.delete_project(&w.me, &pid).await {
        Err(AppError::User(e)) => {
            assert!(e.what.contains("was not deleted") && e.what.contains("still going"), "{e:?}");
            assert!(e.fix.contains("Cancel"), "says how to stop the run: {e:?}");
            let (what, _, fix) = e.said(true);
            assert!(what.contains("삭제하지 않았습니다") && fix.contains("취소"), "{what} {fix}");
        }
        other => panic!("deleted with an active run: {other:?}"),
    }
    assert_eq!(w.service.get_project(&w.me, &pid).await.unwrap().id, pid, "still there");

    w.service.cancel_run(&w.me, &domain.id).await.unwrap();
    w.service.delete_project(&w.me, &pid).await.unwrap();
    assert!(matches!(w.service.get_project(&w.me, &pid).await, Err(AppError::NotFound(_))));
    assert!(matches!(w.service.cancel_run(&w.me, &domain.id).await, Err(AppError::NotFound(_))), "its runs went too");
}
