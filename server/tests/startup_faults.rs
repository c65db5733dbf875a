//! Start-up against an AWS that fails transiently (issue 20): the fault proxy in front of moto
//! answers `503 Service Unavailable` to the first N calls of one kind, then passes them on.
//! The start-up AWS work (seeding the sandbox's demo hosted zone, the demo instance, the
//! account id) must ride out a few such faults like a step's calls do, and after too many
//! say in plain words what failed and what to do, never SDK Debug text.

mod common;

use common::fault_proxy::{Fault, FaultProxy};
use lockstep_domain::Region;
use lockstep_server::aws::s3::{SandboxBuckets, S3};
use lockstep_server::aws::{Aws, AwsTarget};
use lockstep_server::ports::{Buckets, SandboxWorld};
use lockstep_server::Application;
use std::sync::Arc;

/// Route 53's hosted-zone API: what seeding the sandbox calls.
const ZONES: &str = "/2013-04-01/hostedzone";
/// The first EC2 call making the demo instance.
const DEMO: &str = "Action=DescribeInstances";

/// Starts the server through a proxy (common/fault_proxy.rs) answering 503 without passing
/// it on to the first `faults` calls whose request line or body contains `needle`.
async fn start(needle: &'static str, faults: usize) -> (anyhow::Result<Application>, usize, tempfile::TempDir) {
    let proxy = FaultProxy::start(&common::moto().endpoint, 0.0, 0);
    proxy.fail_next(needle, faults, Fault::Unavailable);
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::serve_config(dir.path());
    config.sandbox_endpoint = Some(proxy.endpoint.clone());
    let app = Application::build(config).await;
    (app, proxy.counts.not_sent(), dir)
}

#[tokio::test]
async fn start_up_survives_two_transient_503s_while_seeding() {
    let (app, sent, _dir) = start(ZONES, 2).await;
    let app = app.map_err(|e| format!("{e:#}")).expect("start-up rides out two 503s");
    assert_eq!(sent, 2, "both faults were met");
    assert!(app.env.demo_instance.is_some(), "the demo instance is made after the faults");
}

/// More faults in a row than the SDK's own tries for one call (3): start-up tries again.
#[tokio::test]
async fn start_up_survives_more_503s_than_the_sdk_retries_alone() {
    let (app, sent, _dir) = start(ZONES, 5).await;
    app.map_err(|e| format!("{e:#}")).expect("start-up rides out five 503s");
    assert_eq!(sent, 5);
}

#[tokio::test]
async fn the_demo_instance_survives_transient_503s() {
    let (app, sent, _dir) = start(DEMO, 4).await;
    let app = app.map_err(|e| format!("{e:#}")).expect("start-up succeeds");
    assert_eq!(sent, 4);
    assert!(app.env.demo_instance.is_some(), "the demo instance is made after four 503s");
}

/// The demo instance is a convenience: when EC2 keeps failing the sandbox starts without it.
#[tokio::test]
async fn the_sandbox_starts_without_the_demo_instance_when_ec2_keeps_failing() {
    let (app, sent, _dir) = start(DEMO, usize::MAX).await;
    let app = app.map_err(|e| format!("{e:#}")).expect("start-up succeeds without the demo instance");
    // Bounded: at most 8 tries of the sequence (`DEMO_INSTANCE_RETRY`), each call at most 3 sends.
    assert!((4..=24).contains(&sent), "bounded retries: {sent}");
    assert!(app.env.demo_instance.is_none());
}

#[tokio::test]
async fn start_up_gives_a_plain_message_when_aws_keeps_failing() {
    let (app, tries, _dir) = start(ZONES, usize::MAX).await;
    let text = format!("{:#}", app.err().expect("start-up gives up"));
    assert!((4..=20).contains(&tries), "retried a bounded number of times, not once and not forever: {tries}");
    // What failed, why, what to do; in English and Korean; no SDK Debug text.
    assert!(text.contains("sandbox"), "{text}");
    assert!(text.contains("temporarily unavailable"), "{text}");
    assert!(text.contains("start lockstep again"), "{text}");
    assert!(text.contains("샌드박스"), "{text}");
    for debug in ["ServiceError", "SdkError", "raw:", "source:", "{ "] {
        assert!(!text.contains(debug), "no Debug text ({debug}): {text}");
    }
}

/// Seeding the sandbox's bucket when CreateBucket's answer is lost: moto made the bucket, the
/// SDK sends the call again and S3 answers BucketAlreadyOwnedByYou. The bucket must still get
/// its website hosting and page (it used to be left without them: the frontend step then found
/// a bucket that serves nothing).
#[tokio::test]
async fn a_lost_create_bucket_answer_still_sets_up_the_website() {
    let proxy = FaultProxy::start(&common::moto().endpoint, 0.0, 0);
    let account = common::account();
    let bucket = format!("lost-answer-{}", &account[..8]);
    // Outside us-east-1, CreateBucket is the only call whose body names a location constraint.
    proxy.fail_next("<LocationConstraint>", 1, Fault::LostAs503);
    let via_proxy = Arc::new(
        Aws::connect(&AwsTarget::Sandbox { endpoint: proxy.endpoint.clone(), account: Some(account.clone()) }).await,
    );
    let region = Region::parse("ap-northeast-2").unwrap();
    SandboxBuckets(via_proxy).prepare_bucket(&region, &bucket).await.expect("seeding rides out the lost answer");
    assert_eq!(proxy.counts.lost(), 1, "the create's answer was lost once: {}", proxy.counts.summary());

    let direct = Arc::new(
        Aws::connect(&AwsTarget::Sandbox { endpoint: common::moto().endpoint.clone(), account: Some(account) }).await,
    );
    assert!(S3(direct).website_enabled(&region, &bucket).await.unwrap(), "website hosting is on after the lost answer");
}
