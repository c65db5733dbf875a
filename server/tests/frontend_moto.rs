//! The frontend (CloudFront) step end to end against moto, in process, with a fresh SQLite
//! file and moto account per test: a website bucket, a private (REST + OAC) bucket, alias
//! records, a crash between persisting the CallerReference and CreateDistribution (and between
//! the call and saving its answer), the invalidation run, and certificate pre-checks.
//!
//! What moto 5.2 does NOT do here (measured; the product encodes the real rule, and
//! frontend_scripted.rs tests it with scripted SDK replies where it matters):
//! - ListDistributions summaries carry only Id, ARN, Status and DomainName (no Aliases, Origins,
//!   Comment): the adapter reads each distribution then (on AWS the summary has them);
//! - the origin read back has neither S3OriginConfig nor OriginAccessControlId (the OAC is
//!   checked through ListOriginAccessControls and the bucket policy instead);
//! - the viewer certificate reads back `CloudFrontDefaultCertificate: true` beside the ACM ARN;
//! - certificates from any region, not ISSUED, or not covering the aliases are accepted, and so
//!   are aliases another distribution has (AWS: InvalidViewerCertificate, CNAMEAlreadyExists);
//! - a distribution is Deployed on the first GetDistribution, an invalidation COMPLETED at once;
//! - the same invalidation CallerReference makes a second invalidation (AWS returns the first);
//! - OAC names are not unique (AWS: OriginAccessControlAlreadyExists);
//! - ListConflictingAliases is not implemented (lockstep does not call it: it needs the id of
//!   a distribution that already exists, so the pre-check lists the account's distributions);
//! - the S3 website endpoint is not served, so nothing fetches through the distribution.

mod common;

use common::{drive, project, world, world_with, World};
use lockstep_domain::{Arn, DistributionId, DomainName, Region, RunStatus, RunView, StepKind, StepStatus, ZoneId};
use lockstep_server::aws::{Aws, AwsTarget};
use lockstep_server::ports::{DistributionInfo, DistributionSpec, Distributions, PortResult, CLOUDFRONT_ZONE_ID};
use lockstep_server::sandbox::DEMO_ZONE;
use lockstep_server::steps::frontend::{self as cdn, CdnInput, InvalidateInput};
use lockstep_server::store::NewRun;
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

fn seoul() -> Region {
    Region::parse("ap-northeast-2").unwrap()
}

fn names(v: &[&str]) -> Vec<DomainName> {
    v.iter().map(|s| DomainName::parse(s).unwrap()).collect()
}

async fn aws(w: &World) -> Arc<Aws> {
    Arc::new(
        Aws::connect(&AwsTarget::Sandbox {
            endpoint: common::moto().endpoint.clone(),
            account: Some(w.account.clone()),
        })
        .await,
    )
}

/// A bucket with a random name in Seoul, website hosting on or off.
async fn bucket(aws: &Aws, website: bool) -> String {
    let name = format!("shop-web-{}", uuid::Uuid::new_v4().simple());
    let s3 = aws.s3("ap-northeast-2");
    s3.create_bucket()
        .bucket(&name)
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from("ap-northeast-2"))
                .build(),
        )
        .send()
        .await
        .unwrap();
    if website {
        s3.put_bucket_website()
            .bucket(&name)
            .website_configuration(
                aws_sdk_s3::types::WebsiteConfiguration::builder()
                    .index_document(aws_sdk_s3::types::IndexDocument::builder().suffix("index.html").build().unwrap())
                    .build(),
            )
            .send()
            .await
            .unwrap();
    }
    name
}

/// An ISSUED us-east-1 certificate for `names` (moto issues at once in these tests).
async fn certificate(w: &World, region: &Region, names: &[DomainName]) -> Arn {
    let token = uuid::Uuid::new_v4().simple().to_string();
    let arn = w.ca.request(region, names, &token).await.unwrap();
    let _ = w.ca.describe(region, &arn).await.unwrap();
    Arn::parse(&arn).unwrap()
}

async fn demo_zone(w: &World) -> ZoneId {
    let zone = w.zones.find_zone(&DomainName::parse(DEMO_ZONE).unwrap()).await.unwrap().expect("seeded zone");
    ZoneId::parse(&zone.id).unwrap()
}

async fn start(
    w: &World,
    pid: &str,
    kind: lockstep_domain::RunKind,
    input: serde_json::Value,
    steps: &[StepKind],
) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let run = NewRun {
        started_by: None,
        id: id.clone(),
        project_id: pid.to_string(),
        kind,
        input,
        steps: steps.iter().map(|k| (uuid::Uuid::new_v4().simple().to_string(), *k)).collect(),
    };
    w.store.create_run(&run, now_ms()).await.unwrap();
    id
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

async fn frontend(w: &World, pid: &str, input: &CdnInput) -> RunView {
    let run = start(w, pid, cdn::RUN_KIND, json!(input), &cdn::STEPS).await;
    drive(w, &run).await
}

async fn step_output(w: &World, run: &RunView, kind: StepKind) -> serde_json::Value {
    let outs = w.store.run_outputs(&run.id).await.unwrap();
    outs.into_iter().find(|(k, _)| *k == kind).map(|(_, v)| v).unwrap_or_else(|| panic!("no output for {kind}"))
}

fn demo_aliases() -> Vec<DomainName> {
    names(&["lockstep-demo.com", "www.lockstep-demo.com"])
}

#[tokio::test]
async fn a_website_bucket_gets_one_distribution_with_an_http_origin_aliases_and_records() {
    let w = world().await;
    let aws = aws(&w).await;
    let pid = project(&w).await;
    let bucket = bucket(&aws, true).await;
    let aliases = demo_aliases();
    let cert = certificate(&w, &Region::us_east_1(), &aliases).await;
    let zone = demo_zone(&w).await;
    let input = CdnInput {
        bucket: bucket.clone(),
        bucket_region: seoul(),
        aliases: aliases.clone(),
        certificate_arn: Some(cert.clone()),
        zone_id: Some(zone.clone()),
        project_slug: "capstone-shop".into(),
    };
    let run = frontend(&w, &pid, &input).await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:#?}");
    assert!(run.steps.iter().all(|s| s.status == StepStatus::Succeeded && s.note.is_some()), "{run:#?}");

    let cdn_port = &w.service.adapters.distributions;
    let all = cdn_port.list_distributions().await.unwrap();
    assert_eq!(all.len(), 1, "exactly one distribution: {all:#?}");
    let d = cdn_port.distribution(&all[0].id).await.unwrap();
    assert_eq!(d.origins.len(), 1);
    assert_eq!(d.origins[0].domain_name, format!("{bucket}.s3-website.ap-northeast-2.amazonaws.com"));
    assert_eq!(d.origins[0].protocol_policy.as_deref(), Some("http-only"));
    let mut got = d.aliases.clone();
    got.sort();
    assert_eq!(got, vec!["lockstep-demo.com", "www.lockstep-demo.com"]);
    assert_eq!(d.viewer_protocol_policy.as_deref(), Some("redirect-to-https"));
    assert_eq!(d.default_root_object.as_deref(), Some("index.html"));
    let mut errors: Vec<(i32, Option<&str>, Option<&str>)> =
        d.error_responses.iter().map(|e| (e.error_code, e.page.as_deref(), e.response_code.as_deref())).collect();
    errors.sort();
    assert_eq!(errors, vec![(403, Some("/index.html"), Some("200")), (404, Some("/index.html"), Some("200"))]);
    assert_eq!(d.certificate_arn.as_deref(), Some(cert.as_str()));
    assert_eq!(d.price_class.as_deref(), Some("PriceClass_100"));
    assert!(d.enabled && d.comment.starts_with("lockstep:"), "{d:#?}");

    let created = step_output(&w, &run, StepKind::FrontendCreate).await;
    assert_eq!(created["distribution_id"], d.id.as_str());
    assert_eq!(created["domain_name"], d.domain_name.as_str());
    assert_eq!(created["origin_kind"], "website");
    assert_eq!(created["reused"], false);

    // Alias A and AAAA per name, to the distribution, with CloudFront's zone id.
    let records = w.records.list_records(zone.as_str()).await.unwrap();
    for name in ["lockstep-demo.com", "www.lockstep-demo.com"] {
        for t in ["A", "AAAA"] {
            let r = records
                .iter()
                .find(|r| r.name == name && r.rtype == t)
                .unwrap_or_else(|| panic!("{name} {t} missing: {records:#?}"));
            let alias = r.alias.as_ref().expect("an alias record");
            assert_eq!(alias.dns_name, d.domain_name);
            assert_eq!(alias.hosted_zone_id, CLOUDFRONT_ZONE_ID);
        }
    }

    // Starting the frontend again (a new run) reuses the distribution instead of making another.
    let again = frontend(&w, &pid, &input).await;
    assert_eq!(again.status, RunStatus::Succeeded, "{again:#?}");
    assert_eq!(step_output(&w, &again, StepKind::FrontendCreate).await["reused"], true);
    assert_eq!(cdn_port.list_distributions().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_private_bucket_gets_an_origin_access_control_and_a_policy_naming_the_distribution() {
    let w = world().await;
    let aws = aws(&w).await;
    let pid = project(&w).await;
    let bucket = bucket(&aws, false).await;
    // A statement someone else put there must survive.
    let theirs = json!({"Version": "2012-10-17", "Statement": [{"Sid": "TheirLogs", "Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:PutObject",
        "Resource": format!("arn:aws:s3:::{bucket}/logs/*")}]});
    aws.s3("ap-northeast-2").put_bucket_policy().bucket(&bucket).policy(theirs.to_string()).send().await.unwrap();
    let input = CdnInput {
        bucket: bucket.clone(),
        bucket_region: seoul(),
        aliases: vec![],
        certificate_arn: None,
        zone_id: None,
        project_slug: "capstone-shop".into(),
    };
    let run = frontend(&w, &pid, &input).await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:#?}");

    let origin = step_output(&w, &run, StepKind::FrontendOrigin).await;
    assert_eq!(origin["kind"], "rest_oac");
    assert_eq!(origin["origin_domain"], format!("{bucket}.s3.ap-northeast-2.amazonaws.com"));
    let oacs = aws.cloudfront().list_origin_access_controls().send().await.unwrap();
    let oacs: Vec<_> = oacs.origin_access_control_list().unwrap().items().to_vec();
    assert_eq!(oacs.len(), 1, "{oacs:?}");
    assert_eq!(oacs[0].name(), format!("lockstep-{bucket}"));
    assert_eq!(oacs[0].signing_protocol().as_str(), "sigv4");
    assert_eq!(oacs[0].signing_behavior().as_str(), "always");
    assert_eq!(origin["oac_id"], oacs[0].id());

    let all = w.service.adapters.distributions.list_distributions().await.unwrap();
    assert_eq!(all.len(), 1);
    let d = &all[0];
    assert_eq!(d.origins[0].domain_name, format!("{bucket}.s3.ap-northeast-2.amazonaws.com"));
    assert_eq!(d.origins[0].protocol_policy, None, "an S3 origin, not a custom one");
    assert!(d.aliases.is_empty());

    let policy = aws.s3("ap-northeast-2").get_bucket_policy().bucket(&bucket).send().await.unwrap();
    let policy: serde_json::Value = serde_json::from_str(policy.policy().unwrap()).unwrap();
    let statements = policy["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 2, "{policy:#}");
    assert!(statements.iter().any(|s| s["Sid"] == "TheirLogs"));
    let ours = statements.iter().find(|s| s["Sid"] != "TheirLogs").unwrap();
    assert_eq!(ours["Principal"]["Service"], "cloudfront.amazonaws.com");
    assert_eq!(ours["Action"], "s3:GetObject");
    assert_eq!(ours["Resource"], format!("arn:aws:s3:::{bucket}/*"));
    assert_eq!(ours["Condition"]["StringEquals"]["AWS:SourceArn"], d.arn.as_str());

    let records = step_output(&w, &run, StepKind::FrontendRecords).await;
    assert_eq!(records["url"], format!("https://{}", d.domain_name));

    // Again: same OAC, same distribution, the policy unchanged.
    let again = frontend(&w, &pid, &input).await;
    assert_eq!(again.status, RunStatus::Succeeded, "{again:#?}");
    assert_eq!(step_output(&w, &again, StepKind::FrontendCreate).await["bucket_policy"], "already allowed");
    let oacs = aws.cloudfront().list_origin_access_controls().send().await.unwrap();
    assert_eq!(oacs.origin_access_control_list().unwrap().items().len(), 1);
    assert_eq!(w.service.adapters.distributions.list_distributions().await.unwrap().len(), 1);
}

/// Wraps the real CloudFront distributions adapter; when armed, "crashes" (hangs forever, as a
/// killed process would never answer) right before or right after CreateDistribution.
struct Crashing {
    inner: Arc<dyn Distributions>,
    after_call: bool,
    armed: AtomicBool,
    creates: AtomicUsize,
    hit: Notify,
}

#[async_trait::async_trait]
impl Distributions for Crashing {
    async fn list_distributions(&self) -> PortResult<Vec<DistributionInfo>> {
        self.inner.list_distributions().await
    }
    async fn distribution(&self, id: &str) -> PortResult<DistributionInfo> {
        self.inner.distribution(id).await
    }
    async fn create_distribution(&self, spec: &DistributionSpec) -> PortResult<DistributionInfo> {
        let armed = self.armed.swap(false, Ordering::SeqCst);
        if armed && !self.after_call {
            self.hit.notify_one();
            std::future::pending::<()>().await;
        }
        self.creates.fetch_add(1, Ordering::SeqCst);
        let out = self.inner.create_distribution(spec).await;
        if armed {
            self.hit.notify_one();
            std::future::pending::<()>().await;
        }
        out
    }
    async fn disable_distribution(&self, id: &str) -> PortResult<DistributionInfo> {
        self.inner.disable_distribution(id).await
    }
    async fn delete_distribution(&self, id: &str, etag: &str) -> PortResult<()> {
        self.inner.delete_distribution(id, etag).await
    }
}

/// The process "dies" inside CreateDistribution (before or after the call reaches AWS); a new
/// start releases the dead worker's lease (as `lockstep serve` does on a locked SQLite data dir)
/// and runs the same step again with the same CallerReference: one distribution in the end.
async fn crash_in_create(after_call: bool) {
    let slot: Arc<Mutex<Option<Arc<Crashing>>>> = Arc::default();
    let w = world_with({
        let slot = slot.clone();
        move |mut a| {
            let c = Arc::new(Crashing {
                inner: a.distributions.clone(),
                after_call,
                armed: AtomicBool::new(true),
                creates: AtomicUsize::new(0),
                hit: Notify::new(),
            });
            *slot.lock().unwrap() = Some(c.clone());
            a.distributions = c;
            a
        }
    })
    .await;
    let crashing = slot.lock().unwrap().clone().unwrap();
    let aws = aws(&w).await;
    let pid = project(&w).await;
    let bucket = bucket(&aws, true).await;
    let aliases = demo_aliases();
    let cert = certificate(&w, &Region::us_east_1(), &aliases).await;
    let input = CdnInput {
        bucket,
        bucket_region: seoul(),
        aliases,
        certificate_arn: Some(cert),
        zone_id: Some(demo_zone(&w).await),
        project_slug: "capstone-shop".into(),
    };
    let run = start(&w, &pid, cdn::RUN_KIND, json!(input), &cdn::STEPS).await;

    // The first "process": runs steps until it hangs inside CreateDistribution, then dies.
    let worker = {
        let engine = w.service.engine.clone();
        tokio::spawn(async move {
            let stop = CancellationToken::new();
            loop {
                if !engine.run_once("doomed-worker", &stop).await.unwrap() {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        })
    };
    tokio::time::timeout(Duration::from_secs(30), crashing.hit.notified()).await.expect("reached the crash point");
    worker.abort();
    let _ = worker.await;
    let (_, steps) = w.store.get_run(&run).await.unwrap().unwrap();
    let create = steps.iter().find(|s| s.kind == StepKind::FrontendCreate).unwrap();
    assert_eq!(create.status, StepStatus::Running, "the crash left the step claimed");
    let before = w.service.adapters.distributions.list_distributions().await.unwrap().len();
    assert_eq!(before, usize::from(after_call), "the call did (not) reach CloudFront before the crash");

    // The next start.
    assert!(w.store.release_all_leases().await.unwrap() >= 1);
    let done = drive(&w, &run).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    let all = w.service.adapters.distributions.list_distributions().await.unwrap();
    assert_eq!(
        all.len(),
        1,
        "crash {} the call: one distribution, not two: {all:#?}",
        if after_call { "after" } else { "before" }
    );
    let created = step_output(&w, &done, StepKind::FrontendCreate).await;
    assert_eq!(created["distribution_id"], all[0].id.as_str());
    assert_eq!(created["reused"], false, "made by this step (its CallerReference), not an earlier run");
    // Before: the retry makes the one call. After: the retry finds the first one and reuses it.
    assert_eq!(crashing.creates.load(Ordering::SeqCst), 1, "CreateDistribution reached AWS once");
}

#[tokio::test]
async fn crash_after_create_distribution_before_its_id_is_saved() {
    crash_in_create(true).await;
}

#[tokio::test]
async fn crash_after_the_caller_reference_is_saved_before_create_distribution() {
    crash_in_create(false).await;
}

#[tokio::test]
async fn the_invalidation_run_clears_everything_once_and_completes() {
    let w = world().await;
    let aws = aws(&w).await;
    let pid = project(&w).await;
    let bucket = bucket(&aws, true).await;
    let input = CdnInput {
        bucket,
        bucket_region: seoul(),
        aliases: vec![],
        certificate_arn: None,
        zone_id: None,
        project_slug: "capstone-shop".into(),
    };
    let run = frontend(&w, &pid, &input).await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:#?}");
    let id = step_output(&w, &run, StepKind::FrontendCreate).await["distribution_id"].as_str().unwrap().to_string();

    let inv_run = start(
        &w,
        &pid,
        cdn::INVALIDATE_RUN_KIND,
        json!(InvalidateInput { distribution_id: DistributionId::parse(&id).unwrap() }),
        &cdn::INVALIDATE_STEPS,
    )
    .await;
    let done = drive(&w, &inv_run).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    let out = step_output(&w, &done, StepKind::FrontendInvalidate).await;
    assert_eq!(out["status"].as_str().map(str::to_ascii_lowercase).as_deref(), Some("completed"));
    let list = aws.cloudfront().list_invalidations().distribution_id(&id).send().await.unwrap();
    let items = list.invalidation_list().unwrap().items().to_vec();
    assert_eq!(items.len(), 1, "{items:?}");
    let inv = aws.cloudfront().get_invalidation().distribution_id(&id).id(items[0].id()).send().await.unwrap();
    let batch = inv.invalidation().unwrap().invalidation_batch().unwrap();
    assert_eq!(batch.paths().unwrap().items(), ["/*"]);
    assert_eq!(out["invalidation_id"], items[0].id());
}

/// The pre-checks refuse before anything is created in CloudFront (moto itself would accept
/// all of these).
#[tokio::test]
async fn unusable_certificates_are_refused_before_any_distribution_is_created() {
    let w = world().await;
    let aws = aws(&w).await;
    let pid = project(&w).await;
    let bucket = bucket(&aws, true).await;
    let aliases = demo_aliases();
    let base = CdnInput {
        bucket,
        bucket_region: seoul(),
        aliases: aliases.clone(),
        certificate_arn: None,
        zone_id: Some(demo_zone(&w).await),
        project_slug: "capstone-shop".into(),
    };

    // In the app's region (right for an ALB, wrong for CloudFront).
    let seoul_cert = certificate(&w, &seoul(), &aliases).await;
    let run = frontend(&w, &pid, &CdnInput { certificate_arn: Some(seoul_cert), ..base.clone() }).await;
    let e = failed_at(&run, StepKind::FrontendCreate);
    assert!(e.what.contains("ap-northeast-2") && e.what.contains("us-east-1"), "{e:?}");

    // Not covering www (apex only).
    let apex_only = certificate(&w, &Region::us_east_1(), &names(&["lockstep-demo.com"])).await;
    let run = frontend(&w, &pid, &CdnInput { certificate_arn: Some(apex_only), ..base.clone() }).await;
    let e = failed_at(&run, StepKind::FrontendCreate);
    assert!(e.what.contains("www.lockstep-demo.com"), "{e:?}");
    assert!(e.fix.contains("certificate step"), "{e:?}");

    // Aliases without any certificate.
    let run = frontend(&w, &pid, &base).await;
    failed_at(&run, StepKind::FrontendCreate);

    assert!(w.service.adapters.distributions.list_distributions().await.unwrap().is_empty(), "nothing was created");
}

/// A distribution made by hand already has www: refused with its id, before creating anything.
#[tokio::test]
async fn an_alias_held_by_another_distribution_in_the_account_is_refused() {
    let w = world().await;
    let aws = aws(&w).await;
    let pid = project(&w).await;
    let bucket = bucket(&aws, true).await;
    let aliases = demo_aliases();
    let cert = certificate(&w, &Region::us_east_1(), &aliases).await;
    let theirs = w
        .service
        .adapters
        .distributions
        .create_distribution(&DistributionSpec {
            caller_reference: "by-hand".into(),
            comment: "made in the console".into(),
            origin: lockstep_server::ports::OriginSpec {
                kind: lockstep_server::ports::OriginKind::Website,
                domain_name: "old-bucket.s3-website.ap-northeast-2.amazonaws.com".into(),
                oac_id: None,
            },
            aliases: names(&["www.lockstep-demo.com"]),
            certificate_arn: Some(cert.to_string()),
            default_root_object: "index.html".into(),
            spa_fallback_codes: vec![],
            cache_policy_id: cdn::CACHING_OPTIMIZED.into(),
            price_class: cdn::PRICE_CLASS.into(),
        })
        .await
        .unwrap();
    let input = CdnInput {
        bucket,
        bucket_region: seoul(),
        aliases,
        certificate_arn: Some(cert),
        zone_id: Some(demo_zone(&w).await),
        project_slug: "capstone-shop".into(),
    };
    let run = frontend(&w, &pid, &input).await;
    let e = failed_at(&run, StepKind::FrontendCreate);
    assert!(e.what.contains("www.lockstep-demo.com") && e.what.contains(&theirs.id), "{e:?}");
    assert!(e.fix.contains("Alternate domain names"), "{e:?}");
    assert_eq!(w.service.adapters.distributions.list_distributions().await.unwrap().len(), 1, "only theirs");
}

fn failed_at(run: &RunView, kind: StepKind) -> lockstep_domain::UserError {
    assert_eq!(run.status, RunStatus::Failed, "{run:#?}");
    let step = run.steps.iter().find(|s| s.kind == kind).unwrap();
    assert_eq!(step.status, StepStatus::Failed, "{run:#?}");
    let e = step.error.clone().expect("an explanation");
    assert!(!e.what.is_empty() && !e.why.is_empty() && !e.fix.is_empty());
    e
}
