//! The doctor's view from inside the account, against moto: the target group in front of the
//! instance and its protocol, target health, the security-group path from the ALB to the app
//! port, and the frontend's index.html in S3; then the whole doctor step through the engine.

mod common;
use common::ec2_sdk::Ec2Sdk;

use async_trait::async_trait;
use aws_sdk_ec2::types::{InstanceType, IpPermission, UserIdGroupPair};
use aws_sdk_elasticloadbalancingv2::types::{ProtocolEnum, TargetDescription};
use common::*;
use lockstep_doctor::dns::{Dns, DnsError, Rdata, Rtype};
use lockstep_doctor::doctor::Verdict;
use lockstep_domain::{ProjectInput, Region, StepDetail};
use lockstep_server::aws::inside::AwsInside;
use lockstep_server::aws::{Aws, AwsTarget};
use lockstep_server::ports::{InsideQuery, InsideView};
use std::sync::Arc;

const REGION: &str = "ap-northeast-2";

struct Deployed {
    instance: String,
    app_sg: String,
    alb_sg: String,
}

/// An instance behind an ALB whose target group speaks HTTPS to a plain-HTTP app (seed 001),
/// and whose security group does not let the ALB in on the app port.
async fn seed_001(aws: &Aws) -> Deployed {
    let ec2 = aws.ec2_sdk(REGION);
    let vpc = ec2.describe_vpcs().send().await.unwrap().vpcs()[0].vpc_id().unwrap().to_string();
    let subnets: Vec<String> = ec2
        .describe_subnets()
        .send()
        .await
        .unwrap()
        .subnets()
        .iter()
        .filter(|s| s.vpc_id() == Some(vpc.as_str()))
        .filter_map(|s| s.subnet_id().map(str::to_string))
        .take(2)
        .collect();
    let sg = |name: &'static str| {
        let ec2 = ec2.clone();
        let vpc = vpc.clone();
        async move {
            ec2.create_security_group()
                .group_name(name)
                .description(name)
                .vpc_id(vpc)
                .send()
                .await
                .unwrap()
                .group_id()
                .unwrap()
                .to_string()
        }
    };
    let (app_sg, alb_sg) = (sg("app").await, sg("alb").await);
    let run = ec2
        .run_instances()
        .image_id("ami-03cf127a")
        .instance_type(InstanceType::T2Micro)
        .min_count(1)
        .max_count(1)
        .security_group_ids(&app_sg)
        .subnet_id(&subnets[0])
        .send()
        .await
        .unwrap();
    let instance = run.instances()[0].instance_id().unwrap().to_string();
    let elb = aws.elbv2(REGION);
    let lb = elb
        .create_load_balancer()
        .name("shop-alb")
        .set_subnets(Some(subnets))
        .security_groups(&alb_sg)
        .send()
        .await
        .unwrap();
    let lb_arn = lb.load_balancers()[0].load_balancer_arn().unwrap().to_string();
    let tg = elb
        .create_target_group()
        .name("shop-tg")
        .protocol(ProtocolEnum::Https)
        .port(8000)
        .vpc_id(&vpc)
        .health_check_path("/health")
        .send()
        .await
        .unwrap();
    let tg_arn = tg.target_groups()[0].target_group_arn().unwrap().to_string();
    elb.register_targets()
        .target_group_arn(&tg_arn)
        .targets(TargetDescription::builder().id(&instance).port(8000).build())
        .send()
        .await
        .unwrap();
    elb.create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(ProtocolEnum::Http)
        .port(80)
        .default_actions(
            aws_sdk_elasticloadbalancingv2::types::Action::builder()
                .r#type(aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum::Forward)
                .target_group_arn(&tg_arn)
                .build(),
        )
        .send()
        .await
        .unwrap();
    Deployed { instance, app_sg, alb_sg }
}

fn sandbox() -> AwsTarget {
    AwsTarget::Sandbox { endpoint: moto().endpoint.clone(), account: Some(account()) }
}

#[tokio::test]
async fn inside_facts_name_the_https_target_group_and_the_missing_security_group_rule() {
    let aws = Arc::new(Aws::connect(&sandbox()).await);
    let d = seed_001(&aws).await;
    let s3 = aws.s3(REGION);
    s3.create_bucket()
        .bucket("shop-frontend")
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(REGION))
                .build(),
        )
        .send()
        .await
        .unwrap();
    s3.put_object()
        .bucket("shop-frontend")
        .key("index.html")
        .body(b"<html>v2</html>".to_vec().into())
        .send()
        .await
        .unwrap();

    let inside = AwsInside(aws.clone());
    let q = InsideQuery {
        region: Region::parse(REGION).unwrap(),
        instance_id: Some(d.instance.clone()),
        app_port: 8000,
        bucket: Some("shop-frontend".into()),
    };
    let facts = inside.gather(&q).await.unwrap();
    assert_eq!(facts.target_groups.len(), 1, "{facts:?}");
    let tg = &facts.target_groups[0];
    assert_eq!((tg.name.as_str(), tg.protocol.as_str(), tg.port), ("shop-tg", "HTTPS", 8000));
    assert_eq!(tg.targets.len(), 1);
    assert_eq!(tg.targets[0].id, d.instance);
    let path = facts.security_path.as_ref().expect("a security path");
    assert_eq!(path.alb_groups, vec![d.alb_sg.clone()]);
    assert_eq!(path.instance_groups, vec![d.app_sg.clone()]);
    assert_eq!(path.allowed_by, None);
    assert!(facts.frontend_index.as_ref().is_some_and(|o| !o.etag.is_empty()), "{facts:?}");

    let findings = lockstep_doctor::inside::check(&facts, false);
    let code = |check: &str| findings.iter().find(|f| f.check == check).map(|f| (f.code.clone(), f.verdict));
    assert_eq!(code("aws.target_group"), Some(("https_to_plain_app".into(), Verdict::Fail)));
    assert_eq!(code("aws.security_path"), Some(("blocked".into(), Verdict::Fail)));

    // The fix the doctor names: the app port from the ALB's security group.
    aws.ec2_sdk(REGION)
        .authorize_security_group_ingress()
        .group_id(&d.app_sg)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(8000)
                .to_port(8000)
                .user_id_group_pairs(UserIdGroupPair::builder().group_id(&d.alb_sg).build())
                .build(),
        )
        .send()
        .await
        .unwrap();
    let facts = inside.gather(&q).await.unwrap();
    let rule = facts.security_path.unwrap().allowed_by.expect("now allowed");
    assert!(rule.contains(&d.alb_sg) && rule.contains("8000"), "{rule}");
}

/// Public DNS that knows nothing (the sandbox has no internet): the outside checks fail fast.
struct NoDns;

#[async_trait]
impl Dns for NoDns {
    async fn query(&self, _: &str, _: Rtype) -> Result<Vec<(String, Rdata)>, DnsError> {
        Err(DnsError::NxDomain)
    }
}

#[tokio::test]
async fn the_doctor_step_stores_a_report_with_outside_and_inside_findings() {
    let w = world_with(|mut a| {
        a.probe = Arc::new(lockstep_doctor::Doctor::new(Arc::new(NoDns), rustls::RootCertStore::empty()));
        a
    })
    .await;
    let aws = Arc::new(
        Aws::connect(&AwsTarget::Sandbox { endpoint: moto().endpoint.clone(), account: Some(w.account.clone()) }).await,
    );
    let d = seed_001(&aws).await;
    let input = ProjectInput { instance: d.instance.clone(), ..good_input() };
    let pid = match w.service.create_project(&w.me, &w.team, input).await.unwrap() {
        app::model::CreateOutcome::Created(id) => id,
        other => panic!("{other:?}"),
    };
    use app::api::ssr::prelude::*;
    assert!(w.service.start_doctor(&w.me, &pid).await.is_err(), "no names yet: refused with a reason");
    let zone = w
        .service
        .list_zones(&w.me, &pid)
        .await
        .unwrap()
        .into_iter()
        .find(|z| z.name.contains("lockstep-demo.com"))
        .unwrap();
    w.service.choose_zone(&w.me, &pid, &zone.id).await.unwrap();
    let run = w.service.start_doctor(&w.me, &pid).await.unwrap();
    let again = w.service.start_doctor(&w.me, &pid).await.unwrap();
    assert_eq!(run.id, again.id, "a double click joins the running check");
    let done = drive(&w, &run.id).await;
    let step = &done.steps[0];
    let Some(StepDetail::Doctor { report }) = &step.detail else { panic!("no report: {step:?}") };
    assert!(report.target.starts_with("https://api.lockstep-demo.com"), "{}", report.target);
    let has = |check: &str, code: &str| report.of(check).any(|f| f.code == code && f.verdict == Verdict::Fail);
    assert!(has("dns.address", "nxdomain"), "{report:#?}");
    assert!(has("aws.target_group", "https_to_plain_app"), "{report:#?}");
    assert!(has("aws.security_path", "blocked"), "{report:#?}");
    assert_eq!(step.note, Some(report.summary_said()));
    assert_eq!(w.service.latest_doctor_run(&w.me, &pid).await.unwrap().unwrap().id, run.id);
}
