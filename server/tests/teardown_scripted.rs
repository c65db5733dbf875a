//! Teardown against what moto does not do like AWS: CloudFront refuses to delete a distribution
//! whose disable has not deployed yet (DistributionNotDisabled; scripted CloudFront replies, real
//! XML through the SDK), and ACM refuses to delete a certificate it still counts as in use
//! (ResourceInUseException: a lag after the load balancer is gone, or a real user lockstep did
//! not make; scripted ACM replies through the SDK, and a wrapping CA for the keep rules).
//! Each case asserts what the user reads.

mod common;

use async_trait::async_trait;
use aws_sdk_cloudfront::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use common::{drive, drive_until, project, with_cloudfront, world_with, World};
use lockstep_domain::ledger::LedgerItem;
use lockstep_domain::{DomainName, Region, RunStatus, RunView, StepDetail, StepKind, StepStatus};
use lockstep_server::aws::cloudfront::CloudFront;
use lockstep_server::ports::{
    CertificateAuthority, CertificateInfo, CertificateSummary, ChangeStatus, DnsRecords, PortError, PortResult,
    RecordSet,
};
use lockstep_server::sandbox::DEMO_ZONE;
use lockstep_server::steps::teardown::{self, TeardownInput};
use lockstep_server::store::NewRun;
use serde_json::json;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn xml(status: u16, body: String, etag: Option<&str>) -> HttpResponse {
    let mut r = HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body));
    if let Some(e) = etag {
        r.headers_mut().insert("ETag", e.to_string());
    }
    r
}

fn error(status: u16, code: &str, message: &str) -> HttpResponse {
    xml(
        status,
        format!(
            "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
        ),
        None,
    )
}

fn config(enabled: bool) -> String {
    format!(
        "<DistributionConfig><CallerReference>ref-1</CallerReference><Aliases><Quantity>0</Quantity></Aliases><Origins><Quantity>1</Quantity><Items><Origin><Id>lockstep-s3</Id><DomainName>shop.s3-website.ap-northeast-2.amazonaws.com</DomainName><CustomOriginConfig><HTTPPort>80</HTTPPort><HTTPSPort>443</HTTPSPort><OriginProtocolPolicy>http-only</OriginProtocolPolicy></CustomOriginConfig></Origin></Items></Origins><DefaultCacheBehavior><TargetOriginId>lockstep-s3</TargetOriginId><ViewerProtocolPolicy>redirect-to-https</ViewerProtocolPolicy></DefaultCacheBehavior><Comment>lockstep: shop frontend</Comment><Enabled>{enabled}</Enabled></DistributionConfig>"
    )
}

fn distribution(status: &str, enabled: bool, etag: &str) -> HttpResponse {
    xml(
        200,
        format!(
            "<?xml version=\"1.0\"?><Distribution><Id>E2MOCK</Id><ARN>arn:aws:cloudfront::123456789012:distribution/E2MOCK</ARN><Status>{status}</Status><DomainName>d2mock.cloudfront.net</DomainName>{}</Distribution>",
            config(enabled)
        ),
        Some(etag),
    )
}

async fn run_teardown(w: &World, items: Vec<LedgerItem>, until: impl Fn(&RunView) -> bool) -> (String, RunView) {
    let pid = project(w).await;
    let id = uuid::Uuid::new_v4().simple().to_string();
    let run = NewRun {
        started_by: None,
        id: id.clone(),
        project_id: pid,
        kind: teardown::RUN_KIND,
        input: json!(TeardownInput { items, delete_zone: false }),
        steps: teardown::STEPS.iter().map(|k| (uuid::Uuid::new_v4().simple().to_string(), *k)).collect(),
    };
    w.store.create_run(&run, 0).await.unwrap();
    let seen = drive_until(w, &id, until).await;
    (id, seen)
}

fn item(kind: &str, id: &str, region: &str) -> LedgerItem {
    LedgerItem {
        kind: lockstep_domain::ledger::ResourceKind::from_key(kind).unwrap(),
        id: id.into(),
        region: region.into(),
        run_kind: lockstep_domain::RunKind::Frontend,
        step: "x".into(),
        step_kind: None,
        created_at: None,
    }
}

fn step(run: &RunView, kind: StepKind) -> &lockstep_domain::StepView {
    run.steps.iter().find(|s| s.kind == kind).unwrap()
}

/// Disable, wait for the disable to deploy, delete; CloudFront's DistributionNotDisabled (the
/// disable has not reached every edge yet) is waited out with a plain note, not a failure.
#[tokio::test]
async fn distribution_not_disabled_is_waited_out_then_deleted() {
    let get = mock!(Client::get_distribution)
        .sequence()
        .http_response(|| distribution("Deployed", true, "E1"))
        .http_response(|| distribution("InProgress", false, "E2"))
        .http_response(|| distribution("Deployed", false, "E2"))
        .times(2)
        // The last look (the verify step): gone.
        .http_response(|| error(404, "NoSuchDistribution", "The specified distribution does not exist."))
        .build();
    let get_config = mock!(Client::get_distribution_config)
        .then_http_response(|| xml(200, format!("<?xml version=\"1.0\"?>{}", config(true)), Some("E1")));
    let update = mock!(Client::update_distribution)
        .match_requests(|r| r.if_match() == Some("E1") && r.distribution_config().is_some_and(|c| !c.enabled()))
        .then_http_response(|| distribution("InProgress", false, "E2"));
    let delete = mock!(Client::delete_distribution)
        .match_requests(|r| r.if_match() == Some("E2"))
        .sequence()
        .http_response(|| {
            error(409, "DistributionNotDisabled", "The distribution you are trying to delete has not been disabled.")
        })
        .http_status(204, None)
        .build();
    let client = mock_client!(aws_sdk_cloudfront, RuleMode::MatchAny, [&get, &get_config, &update, &delete]);
    let w = world_with(move |a| with_cloudfront(a, CloudFront::with_client(client))).await;
    let items = vec![item("cloudfront_distribution", "E2MOCK", "global")];
    let (id, seen) = run_teardown(&w, items, |r| {
        step(r, StepKind::TeardownFrontend)
            .note
            .as_ref()
            .map(|n| n.en.as_str())
            .is_some_and(|n| n.contains("DistributionNotDisabled"))
    })
    .await;
    let note = step(&seen, StepKind::TeardownFrontend).note.clone().unwrap();
    assert!(note.en.contains("not disabled yet") && note.en.contains("still deploying"), "{note:?}");
    assert!(note.ko.contains("DistributionNotDisabled") && note.ko.contains("배포 중"), "{note:?}");
    assert_eq!(step(&seen, StepKind::TeardownFrontend).status, StepStatus::Waiting);

    let done = drive(&w, &id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    assert_eq!(update.num_calls(), 1, "disabled once");
    assert_eq!(delete.num_calls(), 2, "refused once, then deleted");
    assert_eq!(get.num_calls(), 5, "and looked up once more to prove it is gone");
    let Some(StepDetail::Teardown { deleted, kept }) = &step(&done, StepKind::TeardownFrontend).detail else {
        panic!()
    };
    assert_eq!(deleted.len(), 1);
    assert!(kept.is_empty());
}

/// ACM's answer for a certificate: moto's certificate, with `in_use_by` as scripted, and delete
/// refused with ResourceInUseException the first `refusals` times.
struct InUseCa {
    inner: Arc<dyn CertificateAuthority>,
    in_use_by: Vec<String>,
    refusals: usize,
    deletes: AtomicUsize,
}

#[async_trait]
impl CertificateAuthority for InUseCa {
    async fn request(&self, region: &Region, names: &[DomainName], token: &str) -> PortResult<String> {
        self.inner.request(region, names, token).await
    }
    async fn describe(&self, region: &Region, arn: &str) -> PortResult<CertificateInfo> {
        let mut info = self.inner.describe(region, arn).await?;
        info.in_use_by = self.in_use_by.clone();
        Ok(info)
    }
    async fn list(&self, region: &Region) -> PortResult<Vec<CertificateSummary>> {
        self.inner.list(region).await
    }
    async fn delete(&self, region: &Region, arn: &str) -> PortResult<()> {
        if self.deletes.fetch_add(1, Ordering::SeqCst) < self.refusals {
            return Err(PortError::Rejected {
                code: "ResourceInUseException".into(),
                message: format!("Certificate {arn} in account 123456789012 is in use."),
            });
        }
        self.inner.delete(region, arn).await
    }
}

async fn certificate(w: &World) -> String {
    w.ca.request(&Region::us_east_1(), &[DomainName::parse("www.lockstep-demo.com").unwrap()], "tok").await.unwrap()
}

/// ACM still counts the certificate as in use a little after its distribution is gone: the
/// step waits it out and then deletes it.
#[tokio::test]
async fn resource_in_use_right_after_the_distribution_is_waited_out() {
    let w0 = common::world().await;
    let arn = certificate(&w0).await;
    let account = w0.account.clone();
    let ca = Arc::new(InUseCa { inner: w0.ca.clone(), in_use_by: vec![], refusals: 2, deletes: AtomicUsize::new(0) });
    let ca2 = ca.clone();
    let w = common::world_for(account, move |mut a| {
        a.ca = ca2;
        a
    })
    .await;
    let items = vec![item("acm_certificate", &arn, "us-east-1")];
    let (id, seen) = run_teardown(&w, items, |r| {
        step(r, StepKind::TeardownCertificates)
            .note
            .as_ref()
            .map(|n| n.en.as_str())
            .is_some_and(|n| n.contains("ResourceInUseException"))
    })
    .await;
    let note = step(&seen, StepKind::TeardownCertificates).note.clone().unwrap();
    assert!(note.en.contains("still counts") && note.en.contains("a few minutes later"), "{note:?}");
    let done = drive(&w, &id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    assert_eq!(ca.deletes.load(Ordering::SeqCst), 3);
    assert!(matches!(w.ca.describe(&Region::us_east_1(), &arn).await, Err(PortError::NotFound(_))));
}

/// A certificate something else uses (a load balancer lockstep did not make) is kept, with
/// what uses it; one ACM keeps refusing past the patience is kept too, with why. Neither fails
/// the teardown, and neither was deleted.
#[tokio::test]
async fn a_certificate_still_in_use_is_kept_with_the_reason() {
    let w0 = common::world().await;
    let arn = certificate(&w0).await;
    let foreign = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/theirs/abc".to_string();
    let ca = Arc::new(InUseCa {
        inner: w0.ca.clone(),
        in_use_by: vec![foreign.clone()],
        refusals: usize::MAX,
        deletes: AtomicUsize::new(0),
    });
    let ca2 = ca.clone();
    let w = common::world_for(w0.account.clone(), move |mut a| {
        a.ca = ca2;
        a.teardown_patience = Duration::from_millis(300);
        a
    })
    .await;
    let (_, done) =
        run_teardown(&w, vec![item("acm_certificate", &arn, "us-east-1")], |r| r.status != RunStatus::Active).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    assert_eq!(ca.deletes.load(Ordering::SeqCst), 0, "never asked to delete");
    let Some(StepDetail::Teardown { kept, deleted }) = &step(&done, StepKind::TeardownCertificates).detail else {
        panic!()
    };
    assert!(deleted.is_empty());
    let why = kept[0].why.as_deref().unwrap();
    assert!(why.contains(&foreign) && why.contains("not made by lockstep"), "{why}");
    assert!(w.ca.describe(&Region::us_east_1(), &arn).await.is_ok(), "still there");

    // Nothing lists it as used, but ACM keeps refusing: kept after the patience, with why.
    let stubborn = Arc::new(InUseCa {
        inner: w0.ca.clone(),
        in_use_by: vec![],
        refusals: usize::MAX,
        deletes: AtomicUsize::new(0),
    });
    let s2 = stubborn.clone();
    let w = common::world_for(w0.account.clone(), move |mut a| {
        a.ca = s2;
        a.teardown_patience = Duration::from_millis(300);
        a
    })
    .await;
    let (_, done) =
        run_teardown(&w, vec![item("acm_certificate", &arn, "us-east-1")], |r| r.status != RunStatus::Active).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    assert!(stubborn.deletes.load(Ordering::SeqCst) >= 2, "asked again while waiting");
    let Some(StepDetail::Teardown { kept, .. }) = &step(&done, StepKind::TeardownCertificates).detail else { panic!() };
    assert!(kept[0].why.as_deref().unwrap().contains("after the wait"), "{kept:?}");
}

/// The same rule through the ACM SDK with scripted JSON replies: DeleteCertificate answers
/// ResourceInUseException twice (ACM has not noticed the load balancer is gone), then succeeds;
/// the verify step's describe then answers ResourceNotFoundException.
#[tokio::test]
async fn resource_in_use_from_the_acm_api_is_waited_out() {
    use aws_sdk_acm::operation::describe_certificate::DescribeCertificateOutput;
    use aws_sdk_acm::types::{CertificateDetail, CertificateStatus};
    let arn = "arn:aws:acm:us-east-1:123456789012:certificate/0d1e";
    let describe = mock!(aws_sdk_acm::Client::describe_certificate)
        .sequence()
        .output(move || {
            DescribeCertificateOutput::builder()
                .certificate(
                    CertificateDetail::builder()
                        .certificate_arn(arn)
                        .domain_name("www.lockstep-demo.com")
                        .status(CertificateStatus::Issued)
                        .build(),
                )
                .build()
        })
        .times(3)
        .http_status(
            400,
            Some(r#"{"__type":"ResourceNotFoundException","message":"Could not find certificate"}"#.into()),
        )
        .build();
    let delete = mock!(aws_sdk_acm::Client::delete_certificate)
        .sequence()
        .http_status(400, Some(format!(r#"{{"__type":"ResourceInUseException","message":"Certificate {arn} in account 123456789012 is in use."}}"#)))
        .times(2)
        .output(|| aws_sdk_acm::operation::delete_certificate::DeleteCertificateOutput::builder().build())
        .build();
    let client = mock_client!(aws_sdk_acm, RuleMode::MatchAny, [&describe, &delete]);
    let w = world_with(move |mut a| {
        a.ca = Arc::new(lockstep_server::aws::acm::Acm::with_client(client));
        a
    })
    .await;
    let (id, seen) = run_teardown(&w, vec![item("acm_certificate", arn, "us-east-1")], |r| {
        step(r, StepKind::TeardownCertificates)
            .note
            .as_ref()
            .map(|n| n.en.as_str())
            .is_some_and(|n| n.contains("ResourceInUseException"))
    })
    .await;
    assert_eq!(step(&seen, StepKind::TeardownCertificates).status, StepStatus::Waiting);
    let done = drive(&w, &id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    assert_eq!(delete.num_calls(), 3, "refused twice, then deleted");
    assert_eq!(describe.num_calls(), 4, "and looked up once more to prove it is gone");
}

/// Route 53 as AWS answers a DELETE sent twice: the first reaches AWS and deletes the records,
/// its answer is lost, and the SDK's resend is refused with InvalidChangeBatch ("... but it
/// was not found"), which moto does not do (it accepts the repeated DELETE).
struct LostDeleteAnswer {
    inner: Arc<dyn DnsRecords>,
    deletes: AtomicUsize,
}

#[async_trait]
impl DnsRecords for LostDeleteAnswer {
    async fn upsert(&self, zone_id: &str, records: &[RecordSet]) -> PortResult<String> {
        self.inner.upsert(zone_id, records).await
    }
    async fn change_status(&self, change_id: &str) -> PortResult<ChangeStatus> {
        self.inner.change_status(change_id).await
    }
    async fn list_records(&self, zone_id: &str) -> PortResult<Vec<RecordSet>> {
        self.inner.list_records(zone_id).await
    }
    async fn delete_records(&self, zone_id: &str, records: &[RecordSet]) -> PortResult<String> {
        let id = self.inner.delete_records(zone_id, records).await?;
        if self.deletes.fetch_add(1, Ordering::SeqCst) == 0 {
            let r = &records[0];
            return Err(PortError::Rejected {
                code: "InvalidChangeBatch".into(),
                message: format!(
                    "[Tried to delete resource record set [name='{}.', type='{}'] but it was not found]",
                    r.name, r.rtype
                ),
            });
        }
        Ok(id)
    }
}

/// The teardown's records step after a lost DELETE answer: it reads the zone again, finds the
/// records gone, and counts them deleted (it used to fail for good on the resend's refusal).
#[tokio::test]
async fn a_records_delete_whose_answer_was_lost_is_done_not_failed() {
    let lost: Arc<std::sync::Mutex<Option<Arc<LostDeleteAnswer>>>> = Arc::default();
    let keep = lost.clone();
    let w = world_with(move |mut a| {
        let wrapped = Arc::new(LostDeleteAnswer { inner: a.records.clone(), deletes: AtomicUsize::new(0) });
        *keep.lock().unwrap() = Some(wrapped.clone());
        a.records = wrapped;
        a
    })
    .await;
    let lost = lost.lock().unwrap().clone().unwrap();
    let zone = w.zones.find_zone(&DomainName::parse(DEMO_ZONE).unwrap()).await.unwrap().unwrap();
    let name = format!("lost.{DEMO_ZONE}");
    let record = RecordSet::plain(name.clone(), "A", 300, vec!["192.0.2.10".into()]);
    lost.inner.upsert(&zone.id, std::slice::from_ref(&record)).await.unwrap();

    let items = vec![item("route53_record", &format!("{}:{name}:A", zone.id), "global")];
    let (id, _) = run_teardown(&w, items, |_| true).await;
    let done = drive(&w, &id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    assert_eq!(lost.deletes.load(Ordering::SeqCst), 1, "deleted once; the refusal was read, not resent blindly");
    let Some(StepDetail::Teardown { deleted, kept }) = &step(&done, StepKind::TeardownRecords).detail else {
        panic!("{done:#?}")
    };
    assert_eq!(deleted.len(), 1, "{deleted:?}");
    assert!(kept.is_empty(), "{kept:?}");
    let left = lost.inner.list_records(&zone.id).await.unwrap();
    assert!(!left.iter().any(|r| r.name == name), "{left:?}");
}
