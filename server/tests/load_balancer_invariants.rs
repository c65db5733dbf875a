//! The load-balancer steps stop at once, with words, when something lockstep itself stored does
//! not read back as the step expects (issue 20: a decode error is a bug, never "retry later").
//! Each test stores a value of another shape the way another version or a hand edit could
//! (an earlier step's output, the certificate step's output, the run's input), drives the run,
//! and expects the step to fail on its first attempt with the engine's invariant explanation,
//! not to be re-claimed with backoff. Nothing reaches AWS before the step stops.

mod common;

use common::{drive, project, world, World};
use lockstep_domain::{RunStatus, RunView, StepKind, StepStatus, StepView};
use lockstep_server::jobs::invariant_error;
use lockstep_server::steps::load_balancer::{self, AlbInput};
use lockstep_server::store::{Completion, NewRun};
use serde_json::{json, Value};

const CERT: &str = "arn:aws:acm:ap-northeast-2:123456789012:certificate/9f2b1c4e-1111-2222-3333-444455556666";

/// The run input as the service stores it (JSON: what a stored run holds, whatever its version).
fn input(certificate_arn: Option<&str>) -> Value {
    let mut v = json!({
        "region": "ap-northeast-2",
        "instance_id": "i-0123456789abcdef0",
        "app_port": 8000,
        "health_path": "/health",
        "api": "api.lockstep-demo.com",
        "project_slug": "capstone-shop",
    });
    if let Some(arn) = certificate_arn {
        v["certificate_arn"] = json!(arn);
    }
    v
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// A run of `steps` with `input`, not started yet.
async fn start(w: &World, input: Value, steps: &[StepKind]) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let run = NewRun {
        started_by: None,
        id: id.clone(),
        project_id: project(w).await,
        kind: load_balancer::RUN_KIND,
        input,
        steps: steps.iter().map(|k| (uuid::Uuid::new_v4().simple().to_string(), *k)).collect(),
    };
    w.store.create_run(&run, 0).await.unwrap();
    id
}

/// Ends the run's first step as succeeded with `output`, as a worker would.
async fn first_step_succeeds_with(w: &World, first: StepKind, output: Value) {
    let claimed = w.store.claim("test-other-version", now_ms(), 30_000).await.unwrap().expect("the first step is due");
    assert_eq!(claimed.step.kind, first);
    let done = Completion::Succeeded { output, note: None };
    assert!(w.store.complete(&claimed.step.id, claimed.step.fence, &done, now_ms()).await.unwrap());
}

fn step(run: &RunView, kind: StepKind) -> &StepView {
    run.steps.iter().find(|s| s.kind == kind).unwrap()
}

/// `kind` failed on its first attempt with the invariant explanation; the steps after it never ran.
fn failed_at_once(run: &RunView, kind: StepKind) {
    assert_eq!(run.status, RunStatus::Failed, "{run:#?}");
    let s = step(run, kind);
    assert_eq!(s.status, StepStatus::Failed, "{run:#?}");
    assert_eq!(s.attempts, 1, "failed at once, not re-claimed: {s:#?}");
    assert_eq!(s.error, Some(invariant_error(kind)), "{s:#?}");
    let e = s.error.as_ref().unwrap();
    assert!(e.what.contains("could not read what it saved") && !e.fix.is_empty(), "{e:?}");
    assert!(!e.said(true).0.is_empty(), "in Korean too");
    let after = run.steps.iter().filter(|t| t.seq > s.seq);
    assert!(after.clone().all(|t| t.status == StepStatus::Pending), "{run:#?}");
}

#[tokio::test]
async fn an_earlier_steps_output_of_another_shape_fails_the_next_step_at_once() {
    let w = world().await;
    serde_json::from_value::<AlbInput>(input(Some(CERT))).expect("the input itself is good");
    let run = start(&w, input(Some(CERT)), &load_balancer::STEPS).await;
    // The network step's output as another version might have written it: no string VPC id.
    first_step_succeeds_with(&w, StepKind::LoadBalancerNetwork, json!({ "vpc_id": 7, "subnets": "subnet-1" })).await;
    let view = drive(&w, &run).await;
    failed_at_once(&view, StepKind::LoadBalancerSecurity);
}

#[tokio::test]
async fn a_certificate_output_without_an_arn_fails_the_network_step_at_once() {
    let w = world().await;
    // A backend run: the certificate step first, then the load balancer reads its ARN.
    let steps = [StepKind::CertificateRequest, StepKind::LoadBalancerNetwork];
    serde_json::from_value::<AlbInput>(input(None)).expect("the input itself is good");
    let run = start(&w, input(None), &steps).await;
    first_step_succeeds_with(&w, StepKind::CertificateRequest, json!({ "region": "ap-northeast-2", "reused": true }))
        .await;
    let view = drive(&w, &run).await;
    failed_at_once(&view, StepKind::LoadBalancerNetwork);
}

#[tokio::test]
async fn a_run_input_of_another_shape_fails_the_first_step_at_once() {
    let w = world().await;
    let mut bad = input(Some(CERT));
    // An instance known by its IP address: not an instance id, so not a load balancer target.
    bad["instance_id"] = json!("54.180.1.2");
    let run = start(&w, bad, &load_balancer::STEPS).await;
    let view = drive(&w, &run).await;
    failed_at_once(&view, StepKind::LoadBalancerNetwork);
}
