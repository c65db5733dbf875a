//! The frontend step with scripted CloudFront replies (aws-smithy-mocks) for what moto does not
//! do like AWS: CreateDistribution refused with CNAMEAlreadyExists (a name held in another
//! account), DistributionAlreadyExists for a CallerReference an earlier attempt used (moto
//! agrees there, but here the list does not show the distribution yet), a distribution that stays
//! InProgress for a while, and a certificate still PENDING_VALIDATION (moto issues at once).
//! S3, ACM and Route 53 are moto's; only CloudFront is scripted. Replies are real XML bodies, so
//! the SDK's parsing and lockstep's error mapping are both exercised.

mod common;

use async_trait::async_trait;
use aws_sdk_cloudfront::Client;
use aws_smithy_mocks::{mock, mock_client, RuleMode};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use common::{drive, drive_until, project, with_cloudfront, world_with, World};
use lockstep_domain::{Arn, DomainName, Region, RunStatus, RunView, StepKind, StepStatus, UserError, ZoneId};
use lockstep_server::aws::cloudfront::CloudFront;
use lockstep_server::aws::{Aws, AwsTarget};
use lockstep_server::jobs::invariant_error;
use lockstep_server::ports::{CertStatus, CertificateAuthority, CertificateInfo, CertificateSummary, PortResult};
use lockstep_server::sandbox::DEMO_ZONE;
use lockstep_server::steps::frontend::{self as cdn, CdnInput};
use lockstep_server::store::{Completion, NewRun};
use serde_json::json;
use std::sync::{Arc, Mutex};

fn xml(status: u16, body: String) -> HttpResponse {
    HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body))
}

fn error(status: u16, code: &str, message: &str) -> HttpResponse {
    xml(
        status,
        format!(
            "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
        ),
    )
}

fn empty_list() -> HttpResponse {
    xml(200, "<?xml version=\"1.0\"?><DistributionList><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>0</Quantity></DistributionList>".into())
}

fn origin_xml(domain: &str) -> String {
    format!("<Origins><Quantity>1</Quantity><Items><Origin><Id>lockstep-s3</Id><DomainName>{domain}</DomainName><CustomOriginConfig><HTTPPort>80</HTTPPort><HTTPSPort>443</HTTPSPort><OriginProtocolPolicy>http-only</OriginProtocolPolicy></CustomOriginConfig></Origin></Items></Origins>")
}

fn list_one(id: &str, origin: &str) -> HttpResponse {
    xml(
        200,
        format!(
            "<?xml version=\"1.0\"?><DistributionList><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>1</Quantity><Items><DistributionSummary><Id>{id}</Id><ARN>arn:aws:cloudfront::123456789012:distribution/{id}</ARN><Status>InProgress</Status><DomainName>d2mock.cloudfront.net</DomainName><Aliases><Quantity>0</Quantity></Aliases>{}<Comment>lockstep: capstone-shop frontend</Comment><Enabled>true</Enabled></DistributionSummary></Items></DistributionList>",
            origin_xml(origin)
        ),
    )
}

fn get(id: &str, status: &str, caller_reference: &str, origin: &str) -> HttpResponse {
    let mut r = xml(
        200,
        format!(
            "<?xml version=\"1.0\"?><Distribution><Id>{id}</Id><ARN>arn:aws:cloudfront::123456789012:distribution/{id}</ARN><Status>{status}</Status><DomainName>d2mock.cloudfront.net</DomainName><DistributionConfig><CallerReference>{caller_reference}</CallerReference><Aliases><Quantity>0</Quantity></Aliases>{}<Comment>lockstep: capstone-shop frontend</Comment><Enabled>true</Enabled></DistributionConfig></Distribution>",
            origin_xml(origin)
        ),
    );
    r.headers_mut().insert("ETag", "E1");
    r
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

async fn website_bucket(aws: &Aws) -> String {
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
    name
}

fn aliases() -> Vec<DomainName> {
    ["lockstep-demo.com", "www.lockstep-demo.com"].iter().map(|s| DomainName::parse(s).unwrap()).collect()
}

async fn new_frontend_run(w: &World, input: &CdnInput) -> String {
    let pid = project(w).await;
    let id = uuid::Uuid::new_v4().simple().to_string();
    let run = NewRun {
        started_by: None,
        id: id.clone(),
        project_id: pid,
        kind: cdn::RUN_KIND,
        input: json!(input),
        steps: cdn::STEPS.iter().map(|k| (uuid::Uuid::new_v4().simple().to_string(), *k)).collect(),
    };
    w.store.create_run(&run, 0).await.unwrap();
    id
}

async fn run_frontend(w: &World, input: &CdnInput) -> RunView {
    let id = new_frontend_run(w, input).await;
    drive(w, &id).await
}

fn failed_at(run: &RunView, kind: StepKind) -> UserError {
    assert_eq!(run.status, RunStatus::Failed, "{run:#?}");
    let step = run.steps.iter().find(|s| s.kind == kind).unwrap();
    assert_eq!(step.status, StepStatus::Failed, "{run:#?}");
    step.error.clone().expect("an explanation")
}

/// The name is free in this account (the list is empty), but AWS refuses it: another account
/// has it. The student reads what happened, why, and what to do, not "409 CNAMEAlreadyExists".
/// The request CloudFront got is also checked against what AWS requires.
#[tokio::test]
async fn cname_already_exists_is_explained_in_plain_words() {
    let list = mock!(Client::list_distributions).then_http_response(empty_list);
    let create = mock!(Client::create_distribution)
        .match_requests(|r| {
            let c = r.distribution_config().unwrap();
            let o = &c.origins().unwrap().items()[0];
            let v = c.viewer_certificate().unwrap();
            let b = c.default_cache_behavior().unwrap();
            let errors: Vec<(i32, Option<&str>, Option<&str>)> = c
                .custom_error_responses()
                .unwrap()
                .items()
                .iter()
                .map(|e| (e.error_code(), e.response_page_path(), e.response_code()))
                .collect();
            o.custom_origin_config().unwrap().origin_protocol_policy().as_str() == "http-only"
                && o.domain_name().contains(".s3-website.ap-northeast-2.amazonaws.com")
                && c.aliases().unwrap().items() == ["lockstep-demo.com", "www.lockstep-demo.com"]
                && v.acm_certificate_arn().is_some_and(|a| a.contains(":us-east-1:"))
                && v.ssl_support_method().map(|m| m.as_str()) == Some("sni-only")
                && v.minimum_protocol_version().map(|m| m.as_str()) == Some("TLSv1.2_2021")
                && b.viewer_protocol_policy().as_str() == "redirect-to-https"
                && b.cache_policy_id() == Some(cdn::CACHING_OPTIMIZED)
                && c.default_root_object() == Some("index.html")
                && errors == vec![(403, Some("/index.html"), Some("200")), (404, Some("/index.html"), Some("200"))]
                && c.price_class().map(|p| p.as_str()) == Some("PriceClass_100")
                && c.http_version().map(|h| h.as_str()) == Some("http2")
                && c.is_ipv6_enabled() == Some(true)
                && c.enabled()
                && !c.caller_reference().is_empty()
        })
        .then_http_response(|| {
            error(
                409,
                "CNAMEAlreadyExists",
                "One or more of the CNAMEs you provided are already associated with a different resource.",
            )
        });
    let client = mock_client!(aws_sdk_cloudfront, RuleMode::Sequential, [&list, &create]);
    let w = world_with(move |mut a| {
        a = with_cloudfront(a, CloudFront::with_client(client));
        a
    })
    .await;
    let aws = aws(&w).await;
    let bucket = website_bucket(&aws).await;
    let cert = w.ca.request(&Region::us_east_1(), &aliases(), "tok-cname").await.unwrap();
    let zone = w.zones.find_zone(&DomainName::parse(DEMO_ZONE).unwrap()).await.unwrap().unwrap();
    let run = run_frontend(
        &w,
        &CdnInput {
            bucket,
            bucket_region: Region::parse("ap-northeast-2").unwrap(),
            aliases: aliases(),
            certificate_arn: Some(Arn::parse(&cert).unwrap()),
            zone_id: Some(ZoneId::parse(&zone.id).unwrap()),
            project_slug: "capstone-shop".into(),
        },
    )
    .await;
    let e = failed_at(&run, StepKind::FrontendCreate);
    assert_eq!(create.num_calls(), 1, "the request matched AWS's requirements");
    assert!(e.what.contains("CNAMEAlreadyExists") && e.what.contains("www.lockstep-demo.com"), "{e:?}");
    assert!(e.why.contains("another AWS account"), "{e:?}");
    assert!(e.fix.contains("Alternate domain names"), "{e:?}");
}

/// An earlier attempt created the distribution but its answer was lost; the list does not show
/// it yet, CloudFront refuses the repeated CallerReference: lockstep finds the distribution by
/// its CallerReference and goes on with it, then waits through InProgress until Deployed.
#[tokio::test]
async fn a_repeated_caller_reference_finds_the_first_distribution_and_waits_for_deployed() {
    let sent_reference = Arc::new(Mutex::new(String::new()));
    let origin = Arc::new(Mutex::new(String::new()));
    let list_empty = mock!(Client::list_distributions).then_http_response(empty_list);
    let create = mock!(Client::create_distribution)
        .match_requests({
            let sent = sent_reference.clone();
            move |r| {
                *sent.lock().unwrap() = r.distribution_config().unwrap().caller_reference().to_string();
                true
            }
        })
        .then_http_response(|| {
            error(409, "DistributionAlreadyExists", "The caller reference that you are using to create a distribution is associated with another distribution.")
        });
    let list_one = mock!(Client::list_distributions).then_http_response({
        let origin = origin.clone();
        move || list_one("E2MOCK", &origin.lock().unwrap())
    });
    let getter = |status: &'static str| {
        let sent = sent_reference.clone();
        let origin = origin.clone();
        mock!(Client::get_distribution)
            .match_requests(|r| r.id() == Some("E2MOCK"))
            .then_http_response(move || get("E2MOCK", status, &sent.lock().unwrap(), &origin.lock().unwrap()))
    };
    let (found, polled, deployed) = (getter("InProgress"), getter("InProgress"), getter("Deployed"));
    let client = mock_client!(
        aws_sdk_cloudfront,
        RuleMode::Sequential,
        [&list_empty, &create, &list_one, &found, &polled, &deployed]
    );
    let w = world_with(move |mut a| {
        a = with_cloudfront(a, CloudFront::with_client(client));
        a
    })
    .await;
    let aws = aws(&w).await;
    let bucket = website_bucket(&aws).await;
    *origin.lock().unwrap() = format!("{bucket}.s3-website.ap-northeast-2.amazonaws.com");
    let run = run_frontend(
        &w,
        &CdnInput {
            bucket,
            bucket_region: Region::parse("ap-northeast-2").unwrap(),
            aliases: vec![],
            certificate_arn: None,
            zone_id: None,
            project_slug: "capstone-shop".into(),
        },
    )
    .await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:#?}");
    assert_eq!(create.num_calls(), 1);
    assert_eq!(deployed.num_calls(), 1, "waited until Deployed");
    let await_step = run.steps.iter().find(|s| s.kind == StepKind::FrontendAwaitDeployed).unwrap();
    assert_eq!(await_step.attempts, 2, "one InProgress poll, then Deployed: {await_step:#?}");
    let outs = w.store.run_outputs(&run.id).await.unwrap();
    let created = &outs.iter().find(|(k, _)| *k == StepKind::FrontendCreate).unwrap().1;
    assert_eq!(created["distribution_id"], "E2MOCK");
    assert_eq!(created["reused"], false, "it is this step's own distribution");
    let records = &outs.iter().find(|(k, _)| *k == StepKind::FrontendRecords).unwrap().1;
    assert_eq!(records["url"], "https://d2mock.cloudfront.net");
}

/// ACM answers as it does on AWS for a fresh certificate (moto issues at once).
struct PendingCa(Arc<dyn CertificateAuthority>);

#[async_trait]
impl CertificateAuthority for PendingCa {
    async fn request(&self, region: &Region, names: &[DomainName], token: &str) -> PortResult<String> {
        self.0.request(region, names, token).await
    }
    async fn describe(&self, region: &Region, arn: &str) -> PortResult<CertificateInfo> {
        let mut info = self.0.describe(region, arn).await?;
        info.status = CertStatus::PendingValidation;
        Ok(info)
    }
    async fn list(&self, region: &Region) -> PortResult<Vec<CertificateSummary>> {
        self.0.list(region).await
    }
    async fn delete(&self, region: &Region, arn: &str) -> PortResult<()> {
        self.0.delete(region, arn).await
    }
}

/// A certificate still PENDING_VALIDATION: refused before CloudFront is asked anything.
#[tokio::test]
async fn a_pending_certificate_is_refused_before_any_cloudfront_call() {
    let list = mock!(Client::list_distributions).then_http_response(empty_list);
    let create = mock!(Client::create_distribution).then_http_response(|| error(400, "InvalidViewerCertificate", "x"));
    let client = mock_client!(aws_sdk_cloudfront, RuleMode::MatchAny, [&list, &create]);
    let w = world_with(move |mut a| {
        a = with_cloudfront(a, CloudFront::with_client(client));
        a.ca = Arc::new(PendingCa(a.ca.clone()));
        a
    })
    .await;
    let aws = aws(&w).await;
    let bucket = website_bucket(&aws).await;
    let cert = w.ca.request(&Region::us_east_1(), &aliases(), "tok-pending").await.unwrap();
    let run = run_frontend(
        &w,
        &CdnInput {
            bucket,
            bucket_region: Region::parse("ap-northeast-2").unwrap(),
            aliases: aliases(),
            certificate_arn: Some(Arn::parse(&cert).unwrap()),
            zone_id: None,
            project_slug: "capstone-shop".into(),
        },
    )
    .await;
    let e = failed_at(&run, StepKind::FrontendCreate);
    assert!(e.what.contains("PENDING_VALIDATION"), "{e:?}");
    assert!(e.fix.contains("certificate step"), "{e:?}");
    assert_eq!((list.num_calls(), create.num_calls()), (0, 0), "CloudFront was not asked anything");
}

/// What an earlier step recorded does not read back as that step's output (another version
/// wrote it, or it was changed by hand): the next step fails at once, on its first turn, with
/// the words for a broken invariant, and asks CloudFront nothing. It is not left to be claimed
/// again and again (before typed outputs this was a "store error", retried with backoff).
#[tokio::test]
async fn an_earlier_output_of_another_shape_fails_the_next_step_at_once() {
    let list = mock!(Client::list_distributions).then_http_response(empty_list);
    let create = mock!(Client::create_distribution).then_http_response(|| error(400, "InvalidArgument", "x"));
    let client = mock_client!(aws_sdk_cloudfront, RuleMode::MatchAny, [&list, &create]);
    let w = world_with(move |mut a| {
        a = with_cloudfront(a, CloudFront::with_client(client));
        a
    })
    .await;
    let input = CdnInput {
        bucket: "shop-web".into(),
        bucket_region: Region::parse("ap-northeast-2").unwrap(),
        aliases: vec![],
        certificate_arn: None,
        zone_id: None,
        project_slug: "capstone-shop".into(),
    };
    let run = new_frontend_run(&w, &input).await;

    // `cdn.origin` ends with an output of another shape (the bucket a number, no origin).
    let claimed = w.store.claim("by-hand", 1, 60_000).await.unwrap().expect("the first step is due");
    assert_eq!((claimed.step.run_id.as_str(), claimed.step.kind), (run.as_str(), StepKind::FrontendOrigin));
    let done = Completion::Succeeded { output: json!({ "bucket": 7, "kind": "ftp" }), note: None };
    assert!(w.store.complete(&claimed.step.id, claimed.step.fence, &done, 2).await.unwrap());

    let create_turns =
        |r: &RunView| r.steps.iter().find(|s| s.kind == StepKind::FrontendCreate).map_or(0, |s| s.attempts);
    let view = drive_until(&w, &run, |r| r.status != RunStatus::Active || create_turns(r) > 1).await;
    let e = failed_at(&view, StepKind::FrontendCreate);
    assert_eq!(create_turns(&view), 1, "failed on its first turn, not retried: {view:#?}");
    assert_eq!(e, invariant_error(StepKind::FrontendCreate), "the invariant's words");
    assert!(e.ko.is_some() && !e.fix.is_empty(), "in both languages, with what to do: {e:?}");
    assert_eq!((list.num_calls(), create.num_calls()), (0, 0), "CloudFront was not asked anything");
    let mut later =
        view.steps.iter().filter(|s| matches!(s.kind, StepKind::FrontendAwaitDeployed | StepKind::FrontendRecords));
    assert!(later.all(|s| s.status != StepStatus::Succeeded), "the run stopped there: {view:#?}");
}
