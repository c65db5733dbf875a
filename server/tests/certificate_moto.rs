//! The certificate step end to end against moto (a real AWS API emulator), in process, with a
//! fresh store and a fresh moto account per test: one certificate with its validation
//! records; a project without a domain refused; and a run whose stored data has another shape
//! failing at once with words instead of being retried for ever. Kill -9 in the middle of the
//! step is `certificate_crash.rs`.

mod common;

use common::{drive, good_input, world, World};

use app::api::ssr::prelude::*;
use app::model::{AppError, CreateOutcome};
use lockstep_domain::{Region, RunStatus, StepKind, StepStatus};
use lockstep_server::jobs::invariant_error;
use lockstep_server::sandbox;
use lockstep_server::store::Completion;
use serde_json::json;

#[tokio::test]
async fn certificate_step_issues_one_certificate_with_its_validation_record() {
    let w = world().await;
    let CreateOutcome::Created(pid) = w.service.create_project(&w.me, &w.team, good_input()).await.unwrap() else {
        panic!("invalid")
    };
    let zones = w.service.list_zones(&w.me, &pid).await.unwrap();
    let zone = zones.iter().find(|z| z.name == sandbox::DEMO_ZONE).expect("seeded zone listed");
    let plan = w.service.choose_zone(&w.me, &pid, &zone.id).await.unwrap();
    let frontend: Vec<&str> = plan.frontend.iter().map(|n| n.as_str()).collect();
    assert_eq!(frontend, vec!["lockstep-demo.com", "www.lockstep-demo.com"]);
    assert_eq!(plan.api.as_str(), "api.lockstep-demo.com");

    let started = w.service.start_certificate(&w.me, &pid).await.unwrap();
    // A second click returns the same run instead of starting another.
    assert_eq!(w.service.start_certificate(&w.me, &pid).await.unwrap().id, started.id);

    let run = drive(&w, &started.id).await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:#?}");
    assert!(run.steps.iter().all(|s| s.status == StepStatus::Succeeded));
    assert!(run.steps.iter().all(|s| s.started_at.is_some() && s.finished_at.is_some()));

    // Exactly one certificate, for exactly the plan's names, ISSUED, in us-east-1.
    let certs = w.ca.list(&Region::us_east_1()).await.unwrap();
    assert_eq!(certs.len(), 1, "{certs:?}");
    let info = w.ca.describe(&Region::us_east_1(), &certs[0].arn).await.unwrap();
    let mut names = info.names.clone();
    names.sort();
    assert_eq!(names, vec!["api.lockstep-demo.com", "lockstep-demo.com", "www.lockstep-demo.com"]);
    assert_eq!(info.status, lockstep_server::ports::CertStatus::Issued);

    // The validation CNAME(s) ACM asked for are in the zone, once each.
    let records = w.records.list_records(&zone.id).await.unwrap();
    for v in &info.validation {
        let n = records.iter().filter(|r| r.rtype == "CNAME" && r.name == v.name.trim_end_matches('.')).count();
        assert_eq!(n, 1, "validation record {} present once: {records:?}", v.name);
        let r = records.iter().find(|r| r.name == v.name.trim_end_matches('.')).unwrap();
        assert_eq!(r.values, vec![v.value.clone()]);
    }
    assert!(!info.validation.is_empty());
}

#[tokio::test]
async fn certificate_needs_a_domain_and_unknown_projects_are_not_found() {
    let w = world().await;
    let CreateOutcome::Created(pid) = w.service.create_project(&w.me, &w.team, good_input()).await.unwrap() else {
        panic!()
    };
    match w.service.start_certificate(&w.me, &pid).await {
        Err(AppError::User(e)) => assert!(e.fix.contains("domain in step 1"), "{e:?}"),
        other => panic!("expected a user error, got {other:?}"),
    }
    assert!(matches!(w.service.get_project(&w.me, "nope").await, Err(AppError::NotFound(_))));
    assert!(matches!(w.service.delete_project(&w.me, "nope").await, Err(AppError::NotFound(_))));
    w.service.delete_project(&w.me, &pid).await.unwrap();
    assert!(w.service.list_projects(&w.me,).await.unwrap().is_empty());
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// A project named in the demo zone.
async fn project_in_demo_zone(w: &World) -> String {
    let pid = common::project(w).await;
    let zones = w.service.list_zones(&w.me, &pid).await.unwrap();
    let zone = zones.iter().find(|z| z.name == sandbox::DEMO_ZONE).expect("seeded zone listed");
    w.service.choose_zone(&w.me, &pid, &zone.id).await.unwrap();
    pid
}

/// The request step's recorded output is not what the step writes (a number where the ARN
/// belongs; a string that is not an ARN): what another version or a hand edit could leave. The
/// next step cannot read it, so it fails at once with the invariant error, on its first turn,
/// and the run ends failed; nothing is retried, nothing is asked of ACM.
#[tokio::test]
async fn a_stored_output_of_another_shape_fails_the_next_step_at_once() {
    let w = world().await;
    let pid = project_in_demo_zone(&w).await;
    let bad_outputs = [
        json!({ "arn": 42, "region": "us-east-1" }),
        json!({ "arn": "certificate/not-an-arn", "region": "us-east-1" }),
    ];
    for bad in bad_outputs {
        let run = w.service.start_certificate(&w.me, &pid).await.unwrap();
        // Claim the request step as a worker would (another due step, e.g. the zone's
        // delegation check, is held meanwhile) and end it with the bad output.
        let claimed = loop {
            let c = w.store.claim("holder", now_ms(), 60_000).await.unwrap().expect("a due step");
            if c.step.run_id == run.id {
                break c;
            }
        };
        assert_eq!(claimed.step.kind, StepKind::CertificateRequest);
        let done = Completion::Succeeded { output: bad.clone(), note: None };
        assert!(w.store.complete(&claimed.step.id, claimed.step.fence, &done, now_ms()).await.unwrap());
        w.store.release_leases("holder").await.unwrap();

        let over = drive(&w, &run.id).await;
        assert_eq!(over.status, RunStatus::Failed, "{bad}: {over:#?}");
        let failed: Vec<_> = over.steps.iter().filter(|s| s.status == StepStatus::Failed).collect();
        assert_eq!(failed.len(), 1, "{over:#?}");
        assert_eq!(failed[0].kind, StepKind::CertificateAwaitRecords);
        assert_eq!(failed[0].attempts, 1, "{bad}: failed on its first turn, not retried");
        assert_eq!(failed[0].error.as_ref(), Some(&invariant_error(StepKind::CertificateAwaitRecords)), "{bad}");
        assert!(over.steps.iter().skip(2).all(|s| s.status == StepStatus::Pending), "{over:#?}");
    }
    assert!(w.ca.list(&Region::us_east_1()).await.unwrap().is_empty(), "nothing was asked of ACM");
}
