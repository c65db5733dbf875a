//! Paid-path benchmark on moto: `cargo bench -p lockstep-server --bench paid_path`
//! (moto_server on PATH or in LOCKSTEP_MOTO_SERVER; `./scripts/setup.sh` installs it).
//!
//! 1. Overhead: the whole paid path (the frontend's certificate in us-east-1, CloudFront and its
//!    records; the API's certificate in Seoul, the ALB with its security groups, target group,
//!    listeners and records) through lockstep's durable runs on SQLite, with zero waits, versus
//!    a minimal script making the same AWS calls one after another with the SDK (the floor:
//!    what the API latency alone costs). Both in the same process, against the same moto, each
//!    in its own account. Reported: both times and the ratio (target <= 1.5).
//! 2. Detection lag: a second moto turns certificates ISSUED `FLIP` seconds after the request
//!    (MOTO_ACM_VALIDATION_WAIT) and distributions Deployed `FLIP` seconds after the create
//!    (its state manager); lockstep polls as in real mode (10 s) and as in the sandbox (1 s).
//!    Reported: how long after the flip lockstep marked the step done, and how many describe
//!    calls it made for that resource (target in real mode: lag <= 15 s, at most one describe
//!    per resource per 10 s).

#[path = "../tests/common/mod.rs"]
mod common;
use common::ec2_sdk::Ec2Sdk;

use app::api::ssr::prelude::*;
use app::model::{CreateOutcome, StartOutcome};
use async_trait::async_trait;
use aws_sdk_route53::types::{Change, ChangeAction, ChangeBatch, ResourceRecord, ResourceRecordSet, RrType};
use common::{account, World};
use lockstep_domain::{DomainName, ProjectInput, Region, RunStatus};
use lockstep_server::aws::{Aws, AwsTarget};
use lockstep_server::ports::*;
use lockstep_server::sandbox::{self, MotoServer, DEMO_ZONE};
use lockstep_server::Adapters;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

const REGION: &str = "ap-northeast-2";

async fn aws(endpoint: &str, account: &str) -> Arc<Aws> {
    Arc::new(Aws::connect(&AwsTarget::Sandbox { endpoint: endpoint.into(), account: Some(account.into()) }).await)
}

/// The team's instance (default VPC routed to an internet gateway, its own group) and the
/// project's bucket: what exists before lockstep. Returns the instance id.
async fn team(aws: &Arc<Aws>) -> String {
    let world = lockstep_server::aws::s3::SandboxBuckets(aws.clone());
    world.prepare_bucket(&Region::parse(REGION).unwrap(), "bench-web").await.unwrap();
    world.demo_instance(&Region::parse(REGION).unwrap()).await.unwrap()
}

/// The world a bench runs in: the integration tests' (server/tests/common), on this bench's
/// own moto, polling every `poll`.
async fn lockstep(aws: Arc<Aws>, poll: Duration, wrap: impl FnOnce(Adapters) -> Adapters) -> World {
    common::world_on(aws, account(), poll, wrap).await
}

/// Runs due steps until the run is over (a worker loop without idle sleeps beyond 1 ms).
async fn drive(b: &World, run_id: &str) {
    let stop = CancellationToken::new();
    loop {
        let (run, _) = b.store.get_run(run_id).await.unwrap().unwrap();
        if run.status != RunStatus::Active {
            assert_eq!(run.status, RunStatus::Succeeded, "run {run_id} failed");
            return;
        }
        if !b.service.engine.run_once("bench", &stop).await.unwrap() {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
}

async fn project(b: &World, instance: &str) -> String {
    let input = ProjectInput {
        name: "bench".into(),
        region: REGION.into(),
        instance: instance.into(),
        app_port: "8000".into(),
        health_path: "/health".into(),
        bucket: "bench-web".into(),
        framework: "django".into(),
    };
    let CreateOutcome::Created(id) = b.service.create_project(&b.me, &b.team, input).await.unwrap() else { panic!() };
    let zone = b.service.adapters.zones.find_zone(&DomainName::parse(DEMO_ZONE).unwrap()).await.unwrap().unwrap();
    b.service.choose_zone(&b.me, &id, &zone.id).await.unwrap();
    id
}

fn started(o: StartOutcome) -> String {
    match o {
        StartOutcome::Started(r) => r.id,
        StartOutcome::Refused(e) => panic!("{e:?}"),
    }
}

/// The whole paid path through lockstep; returns the wall time of the three runs.
async fn through_lockstep(endpoint: &str) -> Duration {
    let aws = aws(endpoint, &account()).await;
    let instance = team(&aws).await;
    let b = lockstep(aws, Duration::ZERO, |a| a).await;
    let id = project(&b, &instance).await;
    let plan = b.service.paid_plan(&b.me, &id).await.unwrap();
    let t = Instant::now();
    let cert = b.service.start_certificate(&b.me, &id).await.unwrap().id;
    drive(&b, &cert).await;
    let front = started(b.service.start_frontend(&b.me, &id).await.unwrap());
    drive(&b, &front).await;
    let back =
        started(b.service.start_backend(&b.me, &id, Some(plan.monthly_cents), Some("new".into())).await.unwrap());
    drive(&b, &back).await;
    t.elapsed()
}

fn upsert(name: &str, rtype: RrType, value: &str) -> Change {
    Change::builder()
        .action(ChangeAction::Upsert)
        .resource_record_set(
            ResourceRecordSet::builder()
                .name(name)
                .r#type(rtype)
                .ttl(300)
                .resource_records(ResourceRecord::builder().value(value).build().unwrap())
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

fn alias(name: &str, rtype: RrType, zone: &str, dns: &str) -> Change {
    Change::builder()
        .action(ChangeAction::Upsert)
        .resource_record_set(
            ResourceRecordSet::builder()
                .name(name)
                .r#type(rtype)
                .alias_target(
                    aws_sdk_route53::types::AliasTarget::builder()
                        .hosted_zone_id(zone)
                        .dns_name(dns)
                        .evaluate_target_health(false)
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .build()
        .unwrap()
}

/// A certificate the shortest way: request, read its CNAME, UPSERT it, wait INSYNC, read ISSUED.
async fn script_certificate(aws: &Aws, region: &str, zone: &str, names: &[&str]) -> String {
    let acm = aws.acm(region);
    let arn = acm
        .request_certificate()
        .domain_name(names[0])
        .set_subject_alternative_names(Some(names.iter().map(|s| s.to_string()).collect()))
        .validation_method(aws_sdk_acm::types::ValidationMethod::Dns)
        .idempotency_token("bench")
        .send()
        .await
        .unwrap()
        .certificate_arn()
        .unwrap()
        .to_string();
    let d = acm.describe_certificate().certificate_arn(&arn).send().await.unwrap();
    let mut batch = ChangeBatch::builder();
    for o in d.certificate().unwrap().domain_validation_options() {
        let r = o.resource_record().unwrap();
        batch = batch.changes(upsert(r.name(), RrType::Cname, r.value()));
    }
    let change = aws
        .route53()
        .change_resource_record_sets()
        .hosted_zone_id(zone)
        .change_batch(batch.build().unwrap())
        .send()
        .await
        .unwrap();
    aws.route53().get_change().id(change.change_info().unwrap().id()).send().await.unwrap();
    let d = acm.describe_certificate().certificate_arn(&arn).send().await.unwrap();
    assert_eq!(d.certificate().unwrap().status(), Some(&aws_sdk_acm::types::CertificateStatus::Issued));
    arn
}

/// The same AWS calls as the paid path, sequentially, nothing else; returns the wall time.
async fn minimal_script(endpoint: &str) -> Duration {
    let aws = aws(endpoint, &account()).await;
    let instance = team(&aws).await;
    let dns = lockstep_server::aws::route53::Route53(aws.clone());
    sandbox::seed(&dns).await.unwrap();
    let zone = dns.find_zone(&DomainName::parse(DEMO_ZONE).unwrap()).await.unwrap().unwrap().id;
    let (www, api) = (format!("www.{DEMO_ZONE}"), format!("api.{DEMO_ZONE}"));
    let t = Instant::now();

    // The frontend: certificate, bucket facts, distribution, records.
    let cert = script_certificate(&aws, "us-east-1", &zone, &[DEMO_ZONE, &www]).await;
    let s3 = aws.s3(REGION);
    s3.get_bucket_location().bucket("bench-web").send().await.unwrap();
    s3.get_bucket_website().bucket("bench-web").send().await.unwrap();
    let spec = DistributionSpec {
        caller_reference: "bench".into(),
        comment: "lockstep: bench".into(),
        origin: OriginSpec {
            kind: OriginKind::Website,
            domain_name: format!("bench-web.s3-website.{REGION}.amazonaws.com"),
            oac_id: None,
        },
        aliases: vec![DomainName::parse(DEMO_ZONE).unwrap(), DomainName::parse(&www).unwrap()],
        certificate_arn: Some(cert),
        default_root_object: "index.html".into(),
        spa_fallback_codes: vec![403, 404],
        cache_policy_id: "658327ea-f89d-4fab-a63d-7e88639e58f6".into(),
        price_class: "PriceClass_100".into(),
    };
    let config = lockstep_server::aws::cloudfront::distribution_config(&spec).unwrap();
    let cf = aws.cloudfront();
    let created = cf.create_distribution().distribution_config(config).send().await.unwrap();
    let dist = created.distribution().unwrap();
    cf.get_distribution().id(dist.id()).send().await.unwrap();
    let mut batch = ChangeBatch::builder();
    for name in [DEMO_ZONE, www.as_str()] {
        for t in [RrType::A, RrType::Aaaa] {
            batch = batch.changes(alias(name, t, CLOUDFRONT_ZONE_ID, dist.domain_name()));
        }
    }
    aws.route53()
        .change_resource_record_sets()
        .hosted_zone_id(&zone)
        .change_batch(batch.build().unwrap())
        .send()
        .await
        .unwrap();

    // The backend: certificate, network, groups, target group, ALB, listeners, health, records.
    let cert = script_certificate(&aws, REGION, &zone, &[&api]).await;
    let ec2 = aws.ec2_sdk(REGION);
    let i = ec2.describe_instances().instance_ids(&instance).send().await.unwrap();
    let i = &i.reservations()[0].instances()[0];
    let vpc = i.vpc_id().unwrap().to_string();
    let app_group = i.security_groups()[0].group_id().unwrap().to_string();
    let subnets = ec2
        .describe_subnets()
        .filters(aws_sdk_ec2::types::Filter::builder().name("vpc-id").values(&vpc).build())
        .send()
        .await
        .unwrap();
    ec2.describe_route_tables()
        .filters(aws_sdk_ec2::types::Filter::builder().name("vpc-id").values(&vpc).build())
        .send()
        .await
        .unwrap();
    let mut by_az: Vec<(String, String)> = subnets
        .subnets()
        .iter()
        .map(|s| (s.availability_zone().unwrap().to_string(), s.subnet_id().unwrap().to_string()))
        .collect();
    by_az.sort();
    by_az.dedup_by(|a, b| a.0 == b.0);
    let sg = ec2.create_security_group().group_name("bench-alb").description("alb").vpc_id(&vpc).send().await.unwrap();
    let sg = sg.group_id().unwrap().to_string();
    for port in [80, 443] {
        ec2.authorize_security_group_ingress()
            .group_id(&sg)
            .ip_protocol("tcp")
            .from_port(port)
            .to_port(port)
            .cidr_ip("0.0.0.0/0")
            .send()
            .await
            .unwrap();
    }
    ec2.authorize_security_group_ingress()
        .group_id(&app_group)
        .ip_permissions(
            aws_sdk_ec2::types::IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(8000)
                .to_port(8000)
                .user_id_group_pairs(aws_sdk_ec2::types::UserIdGroupPair::builder().group_id(&sg).build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let elb = aws.elbv2(REGION);
    use aws_sdk_elasticloadbalancingv2::types::*;
    let tg = elb
        .create_target_group()
        .name("bench")
        .protocol(ProtocolEnum::Http)
        .port(8000)
        .vpc_id(&vpc)
        .health_check_path("/health")
        .send()
        .await
        .unwrap();
    let tg = tg.target_groups()[0].target_group_arn().unwrap().to_string();
    elb.register_targets()
        .target_group_arn(&tg)
        .targets(TargetDescription::builder().id(&instance).port(8000).build())
        .send()
        .await
        .unwrap();
    let lb = elb
        .create_load_balancer()
        .name("bench")
        .subnets(&by_az[0].1)
        .subnets(&by_az[1].1)
        .security_groups(&sg)
        .send()
        .await
        .unwrap();
    let lb = lb.load_balancers()[0].clone();
    let lb_arn = lb.load_balancer_arn().unwrap().to_string();
    elb.describe_load_balancers().load_balancer_arns(&lb_arn).send().await.unwrap();
    elb.create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(ProtocolEnum::Https)
        .port(443)
        .certificates(Certificate::builder().certificate_arn(&cert).build())
        .default_actions(Action::builder().r#type(ActionTypeEnum::Forward).target_group_arn(&tg).build())
        .send()
        .await
        .unwrap();
    elb.create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .default_actions(
            Action::builder()
                .r#type(ActionTypeEnum::Redirect)
                .redirect_config(
                    RedirectActionConfig::builder()
                        .protocol("HTTPS")
                        .port("443")
                        .status_code(RedirectActionStatusCodeEnum::Http301)
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    elb.describe_target_health().target_group_arn(&tg).send().await.unwrap();
    let mut batch = ChangeBatch::builder();
    for t in [RrType::A, RrType::Aaaa] {
        batch = batch.changes(alias(&api, t, lb.canonical_hosted_zone_id().unwrap(), lb.dns_name().unwrap()));
    }
    aws.route53()
        .change_resource_record_sets()
        .hosted_zone_id(&zone)
        .change_batch(batch.build().unwrap())
        .send()
        .await
        .unwrap();
    t.elapsed()
}

/// Counts describe calls and notes when the resource was created (the flip is that + FLIP).
struct CountingCa {
    inner: Arc<dyn CertificateAuthority>,
    requested: Mutex<Option<Instant>>,
    describes: AtomicUsize,
}

#[async_trait]
impl CertificateAuthority for CountingCa {
    async fn request(&self, r: &Region, n: &[DomainName], t: &str) -> PortResult<String> {
        let arn = self.inner.request(r, n, t).await?;
        self.requested.lock().unwrap().get_or_insert_with(Instant::now);
        Ok(arn)
    }
    async fn describe(&self, r: &Region, arn: &str) -> PortResult<CertificateInfo> {
        self.describes.fetch_add(1, Ordering::SeqCst);
        self.inner.describe(r, arn).await
    }
    async fn list(&self, r: &Region) -> PortResult<Vec<CertificateSummary>> {
        self.inner.list(r).await
    }
    async fn delete(&self, r: &Region, arn: &str) -> PortResult<()> {
        self.inner.delete(r, arn).await
    }
}

struct CountingDistributions {
    inner: Arc<dyn Distributions>,
    created: Mutex<Option<Instant>>,
    gets: AtomicUsize,
}

#[async_trait]
impl Distributions for CountingDistributions {
    async fn list_distributions(&self) -> PortResult<Vec<DistributionInfo>> {
        self.inner.list_distributions().await
    }
    async fn distribution(&self, id: &str) -> PortResult<DistributionInfo> {
        self.gets.fetch_add(1, Ordering::SeqCst);
        self.inner.distribution(id).await
    }
    async fn create_distribution(&self, spec: &DistributionSpec) -> PortResult<DistributionInfo> {
        let d = self.inner.create_distribution(spec).await?;
        self.created.lock().unwrap().get_or_insert_with(Instant::now);
        Ok(d)
    }
    async fn disable_distribution(&self, id: &str) -> PortResult<DistributionInfo> {
        self.inner.disable_distribution(id).await
    }
    async fn delete_distribution(&self, id: &str, etag: &str) -> PortResult<()> {
        self.inner.delete_distribution(id, etag).await
    }
}

/// (lag after the flip, describe calls, seconds from create to done) for the certificate and
/// the distribution, with lockstep polling every `poll`.
async fn lag(endpoint: &str, flip: Duration, poll: Duration) -> [(Duration, usize, Duration); 2] {
    let aws = aws(endpoint, &account()).await;
    let instance = team(&aws).await;
    let ca = Arc::new(CountingCa {
        inner: Arc::new(lockstep_server::aws::acm::Acm::new(aws.clone())),
        requested: Mutex::new(None),
        describes: AtomicUsize::new(0),
    });
    let cdn = Arc::new(CountingDistributions {
        inner: Arc::new(lockstep_server::aws::cloudfront::CloudFront::new(aws.clone())),
        created: Mutex::new(None),
        gets: AtomicUsize::new(0),
    });
    let (ca2, cdn2) = (ca.clone(), cdn.clone());
    // Counted beneath lockstep's pacing (paced.rs), as AWS would see the calls.
    let b = lockstep(aws, poll, move |mut a| {
        a.ca = Arc::new(lockstep_server::paced::PacedCa::new(ca2, poll));
        a.distributions = Arc::new(lockstep_server::paced::PacedDistributions::new(cdn2, poll));
        a
    })
    .await;
    let id = project(&b, &instance).await;
    let cert = b.service.start_certificate(&b.me, &id).await.unwrap().id;
    drive(&b, &cert).await;
    let cert_done = Instant::now();
    let front = started(b.service.start_frontend(&b.me, &id).await.unwrap());
    drive(&b, &front).await;
    let cdn_done = Instant::now();
    let requested = ca.requested.lock().unwrap().unwrap();
    let created = cdn.created.lock().unwrap().unwrap();
    [
        (
            cert_done.saturating_duration_since(requested + flip),
            ca.describes.load(Ordering::SeqCst),
            cert_done - requested,
        ),
        (cdn_done.saturating_duration_since(created + flip), cdn.gets.load(Ordering::SeqCst), cdn_done - created),
    ]
}

#[tokio::main]
async fn main() {
    let bin = std::env::var("LOCKSTEP_MOTO_SERVER").unwrap_or_else(|_| "moto_server".into());
    let flip_secs: u32 = std::env::var("LOCKSTEP_BENCH_FLIP_SECS").ok().and_then(|s| s.parse().ok()).unwrap_or(12);
    let rounds: usize = std::env::var("LOCKSTEP_BENCH_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3);

    println!("== 1. The paid path through lockstep vs a minimal script (moto, zero waits, {rounds} rounds each, interleaved)");
    let moto = MotoServer::start(&bin, 0).await.unwrap();
    // One warm-up of each (SDK clients, moto's lazy backends), not counted.
    let _ = minimal_script(&moto.endpoint).await;
    let _ = through_lockstep(&moto.endpoint).await;
    let (mut ours, mut floor) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        floor.push(minimal_script(&moto.endpoint).await);
        ours.push(through_lockstep(&moto.endpoint).await);
    }
    ours.sort();
    floor.sort();
    let (o, f) = (ours[rounds / 2], floor[rounds / 2]);
    println!("   minimal script (floor): {:>7.0} ms (median; all: {:?})", f.as_secs_f64() * 1e3, floor);
    println!("   lockstep (3 runs):      {:>7.0} ms (median; all: {:?})", o.as_secs_f64() * 1e3, ours);
    println!("   ratio lockstep / floor: {:.2} (target <= 1.5)", o.as_secs_f64() / f.as_secs_f64());
    drop(moto);

    println!(
        "\n== 2. Detection lag: certificate ISSUED and distribution Deployed {flip_secs} s after they are created"
    );
    let slow = MotoServer::start(&bin, flip_secs).await.unwrap();
    let transition = serde_json::json!({
        "model_name": "cloudfront::distribution",
        "transition": { "progression": "time", "seconds": flip_secs },
    });
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/moto-api/state-manager/set-transition", slow.endpoint))
        .json(&transition)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "set-transition: {}", r.status());
    let flip = Duration::from_secs(flip_secs as u64);
    for (mode, poll) in
        [("real mode (poll 10 s)", Duration::from_secs(10)), ("sandbox (poll 1 s)", Duration::from_secs(1))]
    {
        let [cert, cdn] = lag(&slow.endpoint, flip, poll).await;
        for (what, (late, calls, total)) in [("certificate ISSUED", cert), ("distribution Deployed", cdn)] {
            println!(
                "   {mode:<22} {what:<22} lag {:>5.1} s, {calls:>2} describe calls in {:>5.1} s ({:.2} per 10 s)",
                late.as_secs_f64(),
                total.as_secs_f64(),
                calls as f64 / (total.as_secs_f64() / 10.0)
            );
        }
    }
}
