//! The ALB step (paid path) end to end against moto, in process, with a fresh SQLite file and
//! moto account per test: an instance in the default VPC with its own security group gets one
//! load balancer, one HTTP target group, two listeners, the ALB's security group, the rule on
//! the instance's group, and alias records; a second run reuses all of it and creates nothing;
//! a VPC with subnets in one availability zone is refused before anything is created.
//!
//! What moto 5.2 does NOT do here like AWS (the product encodes the real rule; load_balancer_scripted.rs
//! tests the waits and refusals with scripted ELB replies):
//! - target health is `healthy` at once (AWS: `initial` with Elb.RegistrationInProgress /
//!   Elb.InitialHealthChecking for 30-90 s, then healthy or unhealthy with a reason; and
//!   `unused` / Target.NotInUse while no listener forwards to the group);
//! - a new load balancer is `active` at once (AWS: `provisioning` for about 3 minutes);
//! - CanonicalHostedZoneId is the placeholder `Z2P70J7EXAMPLE` (AWS: per region, e.g.
//!   ZWKZPGTI48KDX in ap-northeast-2), and Route 53 accepts an alias to it;
//! - CreateLoadBalancer with a name in use makes a second load balancer (AWS returns the
//!   existing one): lockstep looks the name up first, so the reuse test still proves it;
//! - a load balancer in one subnet / one AZ is accepted (AWS: ValidationError): lockstep refuses
//!   it itself before calling AWS, which the one-AZ test checks;
//! - the certificate is not checked against the listener (AWS: must be ISSUED, same region);
//! - nothing is served: no request goes through the load balancer to the instance.

mod common;
use common::ec2_sdk::Ec2Sdk;

use aws_sdk_ec2::types::InstanceType;
use common::{drive, internet_route, project, world, World};
use lockstep_domain::{Arn, DomainName, InstanceId, Region, RunStatus, RunView, StepKind, StepStatus, ZoneId};
use lockstep_server::aws::{Aws, AwsTarget};
use lockstep_server::jobs::decode_output;
use lockstep_server::sandbox::DEMO_ZONE;
use lockstep_server::steps::load_balancer::{self, AlbInput};
use lockstep_server::store::NewRun;
use serde_json::{json, Value};
use std::sync::Arc;

const REGION: &str = "ap-northeast-2";
const API: &str = "api.lockstep-demo.com";

fn seoul() -> Region {
    Region::parse(REGION).unwrap()
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

struct App {
    instance: String,
    app_sg: String,
    vpc: String,
}

/// An instance with its own security group in `subnet` (default: the default VPC's first).
async fn instance(aws: &Aws, vpc: Option<&str>, subnet: Option<&str>) -> App {
    let ec2 = aws.ec2_sdk(REGION);
    let vpc = match vpc {
        Some(v) => v.to_string(),
        None => {
            let vpcs = ec2.describe_vpcs().send().await.unwrap();
            vpcs.vpcs().iter().find(|v| v.is_default() == Some(true)).unwrap().vpc_id().unwrap().to_string()
        }
    };
    let subnet = match subnet {
        Some(s) => s.to_string(),
        None => {
            let subnets = ec2.describe_subnets().send().await.unwrap();
            let mut in_vpc: Vec<(String, String)> = subnets
                .subnets()
                .iter()
                .filter(|s| s.vpc_id() == Some(vpc.as_str()))
                .map(|s| (s.availability_zone().unwrap().to_string(), s.subnet_id().unwrap().to_string()))
                .collect();
            in_vpc.sort();
            in_vpc[0].1.clone()
        }
    };
    let app_sg = ec2
        .create_security_group()
        .group_name(format!("app-{}", uuid::Uuid::new_v4().simple()))
        .description("the app")
        .vpc_id(&vpc)
        .send()
        .await
        .unwrap()
        .group_id()
        .unwrap()
        .to_string();
    let run = ec2
        .run_instances()
        .image_id("ami-03cf127a")
        .instance_type(InstanceType::T2Micro)
        .min_count(1)
        .max_count(1)
        .security_group_ids(&app_sg)
        .subnet_id(&subnet)
        .send()
        .await
        .unwrap();
    App { instance: run.instances()[0].instance_id().unwrap().to_string(), app_sg, vpc }
}

async fn certificate(w: &World) -> String {
    let names = [DomainName::parse(API).unwrap()];
    let arn = w.ca.request(&seoul(), &names, &uuid::Uuid::new_v4().simple().to_string()).await.unwrap();
    let _ = w.ca.describe(&seoul(), &arn).await.unwrap();
    arn
}

async fn demo_zone(w: &World) -> String {
    w.zones.find_zone(&DomainName::parse(DEMO_ZONE).unwrap()).await.unwrap().expect("seeded zone").id
}

fn input(app: &App, cert: &str, zone: Option<String>) -> AlbInput {
    AlbInput {
        region: seoul(),
        instance_id: InstanceId::parse(&app.instance).unwrap(),
        app_port: 8000,
        health_path: "/health".into(),
        api: DomainName::parse(API).unwrap(),
        certificate_arn: Some(Arn::parse(cert).unwrap()),
        zone_id: zone.map(|z| ZoneId::parse(&z).unwrap()),
        project_slug: "capstone-shop".into(),
    }
}

async fn backend(w: &World, pid: &str, input: &AlbInput) -> RunView {
    let id = uuid::Uuid::new_v4().simple().to_string();
    let run = NewRun {
        started_by: None,
        id: id.clone(),
        project_id: pid.to_string(),
        kind: load_balancer::RUN_KIND,
        input: json!(input),
        steps: load_balancer::STEPS.iter().map(|k| (uuid::Uuid::new_v4().simple().to_string(), *k)).collect(),
    };
    w.store.create_run(&run, 0).await.unwrap();
    drive(w, &id).await
}

async fn outputs(w: &World, run: &RunView) -> Vec<(StepKind, Value)> {
    w.store.run_outputs(&run.id).await.unwrap()
}

fn out(outs: &[(StepKind, Value)], kind: StepKind) -> Value {
    outs.iter().find(|(k, _)| *k == kind).map(|(_, v)| v.clone()).unwrap_or_else(|| panic!("no output for {kind}"))
}

/// Every `created` entry of the run, as (kind, id).
fn created(outs: &[(StepKind, Value)]) -> Vec<(String, String)> {
    outs.iter()
        .flat_map(|(_, v)| v["created"].as_array().cloned().unwrap_or_default())
        .map(|c| {
            assert_eq!(c["region"], REGION, "{c}");
            (c["kind"].as_str().unwrap().to_string(), c["id"].as_str().unwrap().to_string())
        })
        .collect()
}

#[tokio::test]
async fn one_alb_with_an_http_target_group_two_listeners_and_alias_records_then_a_rerun_creates_nothing() {
    let w = world().await;
    let aws = aws(&w).await;
    let pid = project(&w).await;
    let app = instance(&aws, None, None).await;
    internet_route(&aws, REGION, &app.vpc).await;
    let cert = certificate(&w).await;
    let zone = demo_zone(&w).await;
    let inp = input(&app, &cert, Some(zone.clone()));

    let started = std::time::Instant::now();
    let run = backend(&w, &pid, &inp).await;
    eprintln!("first run: {:?}", started.elapsed());
    assert_eq!(run.status, RunStatus::Succeeded, "{run:#?}");
    assert!(run.steps.iter().all(|s| s.status == StepStatus::Succeeded && s.note.is_some()), "{run:#?}");
    let outs = outputs(&w, &run).await;

    let elb = aws.elbv2(REGION);
    let ec2 = aws.ec2_sdk(REGION);

    // Exactly one load balancer: internet-facing, two AZs, the ALB's security group.
    let lbs = elb.describe_load_balancers().send().await.unwrap();
    assert_eq!(lbs.load_balancers().len(), 1, "{lbs:#?}");
    let lb = &lbs.load_balancers()[0];
    assert_eq!(lb.load_balancer_name(), Some("lockstep-capstone-shop"));
    assert_eq!(lb.scheme().map(|s| s.as_str()), Some("internet-facing"));
    assert_eq!(lb.vpc_id(), Some(app.vpc.as_str()));
    let mut azs: Vec<&str> = lb.availability_zones().iter().filter_map(|z| z.zone_name()).collect();
    azs.sort();
    azs.dedup();
    assert_eq!(azs.len(), 2, "two AZs: {azs:?}");
    let security = decode_output::<load_balancer::Security>(&out(&outs, StepKind::LoadBalancerSecurity)).unwrap();
    let alb_sg = security.alb_security_group.to_string();
    assert_eq!(lb.security_groups(), std::slice::from_ref(&alb_sg));
    let lb_arn = lb.load_balancer_arn().unwrap().to_string();

    // Exactly one target group: HTTP (never HTTPS: seed 001), the app port, the health path.
    let tgs = elb.describe_target_groups().send().await.unwrap();
    assert_eq!(tgs.target_groups().len(), 1, "{tgs:#?}");
    let tg = &tgs.target_groups()[0];
    assert_eq!(tg.protocol().map(|p| p.as_str()), Some("HTTP"));
    assert_eq!(tg.port(), Some(8000));
    assert_eq!(tg.health_check_path(), Some("/health"));
    assert_eq!(tg.matcher().and_then(|m| m.http_code()), Some("200-399"));
    let tg_arn = tg.target_group_arn().unwrap().to_string();
    let health = elb.describe_target_health().target_group_arn(&tg_arn).send().await.unwrap();
    let targets: Vec<(&str, Option<i32>, &str)> = health
        .target_health_descriptions()
        .iter()
        .map(|d| {
            (
                d.target().unwrap().id().unwrap(),
                d.target().unwrap().port(),
                d.target_health().and_then(|h| h.state()).map(|s| s.as_str()).unwrap_or(""),
            )
        })
        .collect();
    // moto: healthy at once (see the module comment).
    assert_eq!(targets, vec![(app.instance.as_str(), Some(8000), "healthy")]);

    // Two listeners: 443 HTTPS with the certificate forwarding to the group; 80 redirecting.
    let listeners = elb.describe_listeners().load_balancer_arn(&lb_arn).send().await.unwrap();
    assert_eq!(listeners.listeners().len(), 2, "{listeners:#?}");
    let https = listeners.listeners().iter().find(|l| l.port() == Some(443)).expect("443");
    assert_eq!(https.protocol().map(|p| p.as_str()), Some("HTTPS"));
    assert_eq!(https.certificates().iter().filter_map(|c| c.certificate_arn()).collect::<Vec<_>>(), [cert.as_str()]);
    assert_eq!(https.ssl_policy(), Some("ELBSecurityPolicy-TLS13-1-2-2021-06"));
    assert_eq!(https.default_actions()[0].target_group_arn(), Some(tg_arn.as_str()));
    let http = listeners.listeners().iter().find(|l| l.port() == Some(80)).expect("80");
    let redirect = http.default_actions()[0].redirect_config().expect("a redirect");
    assert_eq!(
        (redirect.protocol(), redirect.port(), redirect.status_code().map(|s| s.as_str())),
        (Some("HTTPS"), Some("443"), Some("HTTP_301"))
    );

    // The ALB's group opens 80 and 443 to the world; the app's group lets the ALB in on 8000.
    let sgs = ec2.describe_security_groups().group_ids(&alb_sg).group_ids(&app.app_sg).send().await.unwrap();
    let alb_group = sgs.security_groups().iter().find(|g| g.group_id() == Some(alb_sg.as_str())).unwrap();
    assert_eq!(alb_group.group_name(), Some("lockstep-alb-capstone-shop"));
    for port in [80, 443] {
        assert!(
            alb_group
                .ip_permissions()
                .iter()
                .any(|p| p.from_port() == Some(port) && p.ip_ranges().iter().any(|r| r.cidr_ip() == Some("0.0.0.0/0"))),
            "{port} open: {alb_group:#?}"
        );
    }
    let app_group = sgs.security_groups().iter().find(|g| g.group_id() == Some(app.app_sg.as_str())).unwrap();
    assert!(
        app_group.ip_permissions().iter().any(|p| p.from_port() == Some(8000)
            && p.user_id_group_pairs().iter().any(|g| g.group_id() == Some(alb_sg.as_str()))),
        "{app_group:#?}"
    );

    // Alias A and AAAA for the API name to the load balancer, with its CanonicalHostedZoneId.
    let records = w.records.list_records(&zone).await.unwrap();
    for t in ["A", "AAAA"] {
        let r = records.iter().find(|r| r.name == API && r.rtype == t).unwrap_or_else(|| panic!("{t}: {records:#?}"));
        let alias = r.alias.as_ref().expect("an alias record");
        assert_eq!(alias.dns_name, lb.dns_name().unwrap().trim_end_matches('.').to_ascii_lowercase());
        assert_eq!(Some(alias.hosted_zone_id.as_str()), lb.canonical_hosted_zone_id());
    }
    let records_out = decode_output::<load_balancer::Records>(&out(&outs, StepKind::LoadBalancerRecords)).unwrap();
    assert_eq!(records_out.url, format!("https://{API}"));

    // What the run created, for a teardown: exactly these.
    let mut made = created(&outs);
    made.sort();
    let mut want = vec![
        ("security_group".to_string(), alb_sg.clone()),
        ("sg_rule".into(), format!("{alb_sg}:tcp:80:from:0.0.0.0/0")),
        ("sg_rule".into(), format!("{alb_sg}:tcp:80:from:::/0")),
        ("sg_rule".into(), format!("{alb_sg}:tcp:443:from:0.0.0.0/0")),
        ("sg_rule".into(), format!("{alb_sg}:tcp:443:from:::/0")),
        ("sg_rule".into(), format!("{}:tcp:8000:from:{alb_sg}", app.app_sg)),
        ("target_group".into(), tg_arn.clone()),
        ("load_balancer".into(), lb_arn.clone()),
        ("listener".into(), https.listener_arn().unwrap().to_string()),
        ("listener".into(), http.listener_arn().unwrap().to_string()),
        ("route53_record".into(), format!("{zone}:{API}:A")),
        ("route53_record".into(), format!("{zone}:{API}:AAAA")),
    ];
    want.sort();
    assert_eq!(made, want);

    // The same input again (a second run): everything is found and reused, nothing created.
    let again = backend(&w, &pid, &inp).await;
    assert_eq!(again.status, RunStatus::Succeeded, "{again:#?}");
    let outs2 = outputs(&w, &again).await;
    assert_eq!(created(&outs2), vec![], "{outs2:#?}");
    assert_eq!(elb.describe_load_balancers().send().await.unwrap().load_balancers().len(), 1);
    assert_eq!(elb.describe_target_groups().send().await.unwrap().target_groups().len(), 1);
    assert_eq!(elb.describe_listeners().load_balancer_arn(&lb_arn).send().await.unwrap().listeners().len(), 2);
    let named = ec2
        .describe_security_groups()
        .filters(aws_sdk_ec2::types::Filter::builder().name("group-name").values("lockstep-alb-capstone-shop").build())
        .send()
        .await
        .unwrap();
    assert_eq!(named.security_groups().len(), 1);
    let lb_out = decode_output::<load_balancer::Create>(&out(&outs2, StepKind::LoadBalancerCreate)).unwrap();
    assert_eq!(lb_out.load_balancer_arn.as_str(), lb_arn);
    let notes: Vec<&str> = again.steps.iter().filter_map(|s| s.note.as_ref().map(|n| n.en.as_str())).collect();
    assert!(notes.iter().any(|n| n.starts_with("Reusing target group")), "{notes:?}");
}

#[tokio::test]
async fn a_vpc_with_subnets_in_one_zone_is_refused_before_anything_is_created() {
    let w = world().await;
    let aws = aws(&w).await;
    let pid = project(&w).await;
    let ec2 = aws.ec2_sdk(REGION);
    let vpc =
        ec2.create_vpc().cidr_block("10.9.0.0/16").send().await.unwrap().vpc().unwrap().vpc_id().unwrap().to_string();
    let mut subnets = Vec::new();
    for cidr in ["10.9.1.0/24", "10.9.2.0/24"] {
        let s = ec2
            .create_subnet()
            .vpc_id(&vpc)
            .cidr_block(cidr)
            .availability_zone("ap-northeast-2a")
            .send()
            .await
            .unwrap();
        subnets.push(s.subnet().unwrap().subnet_id().unwrap().to_string());
    }
    let app = instance(&aws, Some(&vpc), Some(&subnets[0])).await;
    let cert = certificate(&w).await;
    let run = backend(&w, &pid, &input(&app, &cert, None)).await;
    assert_eq!(run.status, RunStatus::Failed, "{run:#?}");
    let step = run.steps.iter().find(|s| s.kind == StepKind::LoadBalancerNetwork).unwrap();
    let e = step.error.clone().expect("an explanation");
    assert!(e.what.contains(&vpc) && e.what.contains("only 1 availability zone"), "{e:?}");
    assert!(e.why.contains("at least two") && e.why.contains("Nothing was created"), "{e:?}");
    assert!(e.fix.contains("Create subnet") && e.fix.contains(&vpc), "{e:?}");

    let elb = aws.elbv2(REGION);
    assert!(elb.describe_load_balancers().send().await.unwrap().load_balancers().is_empty());
    assert!(elb.describe_target_groups().send().await.unwrap().target_groups().is_empty());
    let groups = ec2.describe_security_groups().send().await.unwrap();
    assert!(
        !groups.security_groups().iter().any(|g| g.group_name().is_some_and(|n| n.starts_with("lockstep-"))),
        "no security group made"
    );
}
