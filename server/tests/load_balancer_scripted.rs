//! The ALB step with scripted ELBv2 replies (aws-smithy-mocks) for what moto does not do like
//! AWS: target health going initial -> unhealthy (Target.FailedHealthChecks, then
//! Target.ResponseCodeMismatch) -> healthy, with the timeline's notes in plain words; a target
//! that stays unhealthy until lockstep gives up with an explanation naming the app port, the
//! health path and the security-group rule; and an existing target group with protocol HTTPS
//! (seed 001), refused before anything is created in ELB. EC2, ACM and Route 53 are moto's;
//! only ELBv2 is scripted, and each run goes through the engine like a real one.

mod common;
use common::ec2_sdk::Ec2Sdk;

use aws_sdk_ec2::types::InstanceType;
use aws_sdk_elasticloadbalancingv2::operation::create_listener::CreateListenerOutput;
use aws_sdk_elasticloadbalancingv2::operation::create_load_balancer::CreateLoadBalancerOutput;
use aws_sdk_elasticloadbalancingv2::operation::create_target_group::CreateTargetGroupOutput;
use aws_sdk_elasticloadbalancingv2::operation::describe_listeners::DescribeListenersOutput;
use aws_sdk_elasticloadbalancingv2::operation::describe_load_balancers::DescribeLoadBalancersOutput;
use aws_sdk_elasticloadbalancingv2::operation::describe_target_groups::DescribeTargetGroupsOutput;
use aws_sdk_elasticloadbalancingv2::operation::describe_target_health::DescribeTargetHealthOutput;
use aws_sdk_elasticloadbalancingv2::operation::register_targets::RegisterTargetsOutput;
use aws_sdk_elasticloadbalancingv2::types::{
    Action, ActionTypeEnum, Listener, LoadBalancer, LoadBalancerSchemeEnum, LoadBalancerState, LoadBalancerStateEnum,
    LoadBalancerTypeEnum, ProtocolEnum, TargetDescription, TargetGroup, TargetHealth, TargetHealthDescription,
    TargetHealthReasonEnum, TargetHealthStateEnum, TargetTypeEnum,
};
use aws_sdk_elasticloadbalancingv2::Client;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;
use common::{drive_until, project, with_elb, world_for, World};
use lockstep_domain::{Arn, DomainName, InstanceId, Region, RunStatus, RunView, StepKind, StepStatus, UserError};
use lockstep_server::aws::elb::Elb;
use lockstep_server::aws::{Aws, AwsTarget};
use lockstep_server::jobs::decode_output;
use lockstep_server::steps::load_balancer::{self, AlbInput};
use lockstep_server::store::NewRun;
use serde_json::json;
use std::sync::Mutex;
use std::time::Duration;

const REGION: &str = "ap-northeast-2";
const API: &str = "api.lockstep-demo.com";
const TG_ARN: &str =
    "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/lockstep-capstone-shop/73e2d6bc24d8a067";
const LB_ARN: &str =
    "arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:loadbalancer/app/lockstep-capstone-shop/50dc6c495c0c9188";

fn seoul() -> Region {
    Region::parse(REGION).unwrap()
}

fn elb_error(code: &str, message: &str) -> HttpResponse {
    HttpResponse::new(
        StatusCode::try_from(400).unwrap(),
        SdkBody::from(format!(
            "<ErrorResponse xmlns=\"http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
        )),
    )
}

struct App {
    account: String,
    instance: String,
    app_sg: String,
    vpc: String,
}

/// An instance with its own security group in the default VPC of a fresh moto account.
async fn app() -> App {
    let account = common::account();
    let aws =
        Aws::connect(&AwsTarget::Sandbox { endpoint: common::moto().endpoint.clone(), account: Some(account.clone()) })
            .await;
    let ec2 = aws.ec2_sdk(REGION);
    let vpcs = ec2.describe_vpcs().send().await.unwrap();
    let vpc = vpcs.vpcs().iter().find(|v| v.is_default() == Some(true)).unwrap().vpc_id().unwrap().to_string();
    let app_sg = ec2
        .create_security_group()
        .group_name("app")
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
        .send()
        .await
        .unwrap();
    App { account, instance: run.instances()[0].instance_id().unwrap().to_string(), app_sg, vpc }
}

fn target_group(protocol: ProtocolEnum, vpc: &str) -> TargetGroup {
    TargetGroup::builder()
        .target_group_arn(TG_ARN)
        .target_group_name("lockstep-capstone-shop")
        .protocol(protocol)
        .port(8000)
        .vpc_id(vpc)
        .health_check_path("/health")
        .target_type(TargetTypeEnum::Instance)
        .build()
}

fn load_balancer(state: LoadBalancerStateEnum, vpc: &str) -> LoadBalancer {
    LoadBalancer::builder()
        .load_balancer_arn(LB_ARN)
        .load_balancer_name("lockstep-capstone-shop")
        .dns_name("lockstep-capstone-shop-1234567890.ap-northeast-2.elb.amazonaws.com")
        .canonical_hosted_zone_id("ZWKZPGTI48KDX")
        .scheme(LoadBalancerSchemeEnum::InternetFacing)
        .r#type(LoadBalancerTypeEnum::Application)
        .vpc_id(vpc)
        .state(LoadBalancerState::builder().code(state).build())
        .build()
}

fn health(
    instance: &str,
    state: TargetHealthStateEnum,
    reason: Option<TargetHealthReasonEnum>,
    description: &str,
) -> DescribeTargetHealthOutput {
    let d = TargetHealthDescription::builder()
        .target(TargetDescription::builder().id(instance).port(8000).build())
        .target_health(TargetHealth::builder().state(state).set_reason(reason).description(description).build())
        .build();
    DescribeTargetHealthOutput::builder().target_health_descriptions(d).build()
}

/// Everything up to the health wait, scripted like AWS: no group or load balancer yet, both
/// created, the load balancer `provisioning` once and then `active`, no listeners yet.
fn setup_rules(vpc: &str) -> Vec<Rule> {
    let vpc = vpc.to_string();
    let (v1, v2, v3) = (vpc.clone(), vpc.clone(), vpc.clone());
    vec![
        mock!(Client::describe_target_groups)
            .then_http_response(|| elb_error("TargetGroupNotFound", "One or more target groups not found")),
        mock!(Client::create_target_group)
            .match_requests(|r| {
                r.protocol() == Some(&ProtocolEnum::Http)
                    && r.port() == Some(8000)
                    && r.health_check_path() == Some("/health")
                    && r.matcher().and_then(|m| m.http_code()) == Some("200-399")
            })
            .then_output(move || {
                CreateTargetGroupOutput::builder().target_groups(target_group(ProtocolEnum::Http, &v1)).build()
            }),
        mock!(Client::register_targets).then_output(|| RegisterTargetsOutput::builder().build()),
        mock!(Client::describe_load_balancers).match_requests(|r| !r.names().is_empty()).then_http_response(|| {
            elb_error("LoadBalancerNotFound", "Load balancers '[lockstep-capstone-shop]' not found")
        }),
        mock!(Client::create_load_balancer)
            .match_requests(|r| r.subnets().len() == 2 && r.security_groups().len() == 1)
            .then_output(move || {
                CreateLoadBalancerOutput::builder()
                    .load_balancers(load_balancer(LoadBalancerStateEnum::Provisioning, &v2))
                    .build()
            }),
        mock!(Client::describe_load_balancers)
            .match_requests(|r| r.names().is_empty())
            .sequence()
            .output(move || {
                DescribeLoadBalancersOutput::builder()
                    .load_balancers(load_balancer(LoadBalancerStateEnum::Provisioning, &v3))
                    .build()
            })
            .output(move || {
                DescribeLoadBalancersOutput::builder()
                    .load_balancers(load_balancer(LoadBalancerStateEnum::Active, &vpc))
                    .build()
            })
            .build(),
        mock!(Client::describe_listeners).then_output(|| DescribeListenersOutput::builder().build()),
        mock!(Client::create_listener)
            .sequence()
            .output(|| {
                CreateListenerOutput::builder()
                    .listeners(
                        Listener::builder()
                            .listener_arn(format!("{LB_ARN}/443"))
                            .protocol(ProtocolEnum::Https)
                            .port(443)
                            .default_actions(
                                Action::builder().r#type(ActionTypeEnum::Forward).target_group_arn(TG_ARN).build(),
                            )
                            .build(),
                    )
                    .build()
            })
            .output(|| {
                CreateListenerOutput::builder()
                    .listeners(
                        Listener::builder()
                            .listener_arn(format!("{LB_ARN}/80"))
                            .protocol(ProtocolEnum::Http)
                            .port(80)
                            .build(),
                    )
                    .build()
            })
            .build(),
    ]
}

async fn world(app: &App, rules: Vec<Rule>, unhealthy_limit: Duration) -> World {
    let client = mock_client!(aws_sdk_elasticloadbalancingv2, RuleMode::MatchAny, &rules);
    world_for(app.account.clone(), move |a| {
        let mut a = with_elb(a, Elb::with_client(client));
        a.alb_unhealthy_limit = unhealthy_limit;
        a
    })
    .await
}

async fn start(w: &World, app: &App) -> String {
    let names = [DomainName::parse(API).unwrap()];
    let cert = w.ca.request(&seoul(), &names, &uuid::Uuid::new_v4().simple().to_string()).await.unwrap();
    let input = AlbInput {
        region: seoul(),
        instance_id: InstanceId::parse(&app.instance).unwrap(),
        app_port: 8000,
        health_path: "/health".into(),
        api: DomainName::parse(API).unwrap(),
        certificate_arn: Some(Arn::parse(&cert).unwrap()),
        zone_id: None,
        project_slug: "capstone-shop".into(),
    };
    let id = uuid::Uuid::new_v4().simple().to_string();
    let run = NewRun {
        started_by: None,
        id: id.clone(),
        project_id: project(w).await,
        kind: load_balancer::RUN_KIND,
        input: json!(input),
        steps: load_balancer::STEPS.iter().map(|k| (uuid::Uuid::new_v4().simple().to_string(), *k)).collect(),
    };
    w.store.create_run(&run, 0).await.unwrap();
    id
}

fn step(run: &RunView, kind: StepKind) -> &lockstep_domain::StepView {
    run.steps.iter().find(|s| s.kind == kind).unwrap()
}

fn failed_at(run: &RunView, kind: StepKind) -> UserError {
    assert_eq!(run.status, RunStatus::Failed, "{run:#?}");
    let s = step(run, kind);
    assert_eq!(s.status, StepStatus::Failed, "{run:#?}");
    s.error.clone().expect("an explanation")
}

/// Drives the run until the health wait is over, keeping every note the wait showed.
async fn until_health_decided(w: &World, run: &str) -> (RunView, Vec<String>) {
    let notes = Mutex::new(Vec::<String>::new());
    let view = drive_until(w, run, |r| {
        let s = step(r, StepKind::LoadBalancerAwaitHealthy);
        if let Some(n) = s.note.as_ref().map(|n| &n.en) {
            let mut seen = notes.lock().unwrap();
            if seen.last() != Some(n) {
                seen.push(n.clone());
            }
        }
        s.status.is_done() || r.status != RunStatus::Active
    })
    .await;
    (view, notes.into_inner().unwrap())
}

#[tokio::test]
async fn the_health_wait_explains_each_reason_until_the_target_is_healthy() {
    let app = app().await;
    let mut rules = setup_rules(&app.vpc);
    let id = app.instance.clone();
    let h = move |state: TargetHealthStateEnum, reason: Option<TargetHealthReasonEnum>, description: &'static str| {
        let id = id.clone();
        move || health(&id, state.clone(), reason.clone(), description)
    };
    rules.push(
        mock!(Client::describe_target_health)
            .match_requests(|r| r.target_group_arn() == Some(TG_ARN))
            .sequence()
            .output(h(
                TargetHealthStateEnum::Initial,
                Some(TargetHealthReasonEnum::RegistrationInProgress),
                "Target registration is in progress",
            ))
            .output(h(
                TargetHealthStateEnum::Initial,
                Some(TargetHealthReasonEnum::InitialHealthChecking),
                "Initial health checks in progress",
            ))
            .output(h(
                TargetHealthStateEnum::Unhealthy,
                Some(TargetHealthReasonEnum::FailedHealthChecks),
                "Health checks failed",
            ))
            .output(h(
                TargetHealthStateEnum::Unhealthy,
                Some(TargetHealthReasonEnum::ResponseCodeMismatch),
                "Health checks failed with these codes: [302]",
            ))
            .output(h(TargetHealthStateEnum::Healthy, None, ""))
            .build(),
    );
    let w = world(&app, rules, load_balancer::UNHEALTHY_LIMIT).await;
    let run = start(&w, &app).await;
    let (view, notes) = until_health_decided(&w, &run).await;
    let wait = step(&view, StepKind::LoadBalancerAwaitHealthy);
    assert_eq!(wait.status, StepStatus::Succeeded, "{view:#?}");
    // The load balancer was provisioning once before it was active.
    assert!(step(&view, StepKind::LoadBalancerCreate).attempts >= 2, "{view:#?}");
    assert!(wait.note.as_ref().map(|n| n.en.as_str()).unwrap().contains("is healthy"), "{wait:#?}");

    assert_eq!(notes.len(), 5, "one note per state: {notes:#?}");
    assert!(notes[0].contains("being registered") && notes[0].contains("Wait a minute"), "{}", notes[0]);
    assert!(notes[1].contains("first health checks"), "{}", notes[1]);
    assert!(
        notes[2].contains("health checks fail")
            && notes[2].contains("8000")
            && notes[2].contains("protocol must be HTTP"),
        "{}",
        notes[2]
    );
    assert!(
        notes[3].contains("wrong status from /health") && notes[3].contains("[302]") && notes[3].contains("What to do"),
        "{}",
        notes[3]
    );
}

#[tokio::test]
async fn a_target_that_stays_unhealthy_ends_with_the_port_the_path_and_the_rule() {
    let app = app().await;
    let mut rules = setup_rules(&app.vpc);
    let id = app.instance.clone();
    rules.push(
        mock!(Client::describe_target_health)
            .sequence()
            .output(move || {
                health(
                    &id,
                    TargetHealthStateEnum::Unhealthy,
                    Some(TargetHealthReasonEnum::Timeout),
                    "Request timed out",
                )
            })
            .repeatedly()
            .build(),
    );
    let w = world(&app, rules, Duration::from_millis(400)).await;
    let run = start(&w, &app).await;
    let (view, notes) = until_health_decided(&w, &run).await;
    let e = failed_at(&view, StepKind::LoadBalancerAwaitHealthy);
    assert!(notes.iter().any(|n| n.contains("timed out")), "{notes:#?}");
    let alb_sg = {
        let outs = w.store.run_outputs(&view.id).await.unwrap();
        let sec = outs.iter().find(|(k, _)| *k == StepKind::LoadBalancerSecurity).unwrap().1.clone();
        decode_output::<load_balancer::Security>(&sec).unwrap().alb_security_group.to_string()
    };
    assert!(e.what.contains("did not pass the load balancer's health checks") && e.what.contains("timed out"), "{e:?}");
    assert!(e.why.contains(":8000/health"), "{e:?}");
    assert!(
        e.fix.contains("0.0.0.0:8000")
            && e.fix.contains("/health")
            && e.fix.contains(&app.app_sg)
            && e.fix.contains(&alb_sg),
        "{e:?}"
    );
    // The same explanation in Korean, with the same facts in it (the page shows the reader's).
    let (what, why, fix) = e.said(true);
    assert!(what.contains("상태 검사") && !what.contains("did not pass"), "{what}");
    assert!(why.contains(":8000/health") && fix.contains(&app.app_sg) && fix.contains(&alb_sg), "{why} {fix}");
}

#[tokio::test]
async fn an_existing_https_target_group_is_refused_with_seed_001s_reason() {
    let app = app().await;
    let vpc = app.vpc.clone();
    let describe = mock!(Client::describe_target_groups).then_output(move || {
        DescribeTargetGroupsOutput::builder().target_groups(target_group(ProtocolEnum::Https, &vpc)).build()
    });
    let create = mock!(Client::create_target_group).then_http_response(|| elb_error("ShouldNotBeCalled", "no"));
    let register = mock!(Client::register_targets).then_output(|| RegisterTargetsOutput::builder().build());
    let rules = vec![describe.clone(), create.clone(), register.clone()];
    let w = world(&app, rules, load_balancer::UNHEALTHY_LIMIT).await;
    let run = start(&w, &app).await;
    let view = common::drive(&w, &run).await;
    let e = failed_at(&view, StepKind::LoadBalancerTargetGroup);
    assert_eq!(describe.num_calls(), 1);
    assert_eq!((create.num_calls(), register.num_calls()), (0, 0), "nothing created, nothing registered");
    assert!(e.what.contains("lockstep-capstone-shop") && e.what.contains("protocol HTTPS"), "{e:?}");
    assert!(e.why.contains("plain HTTP") && e.why.contains("502") && e.why.contains("cannot be changed"), "{e:?}");
    assert!(
        e.fix.contains("Delete the target group lockstep-capstone-shop") && e.fix.contains("HTTP on port 8000"),
        "{e:?}"
    );
    // Later steps never ran.
    assert_eq!(step(&view, StepKind::LoadBalancerCreate).status, StepStatus::Pending, "{view:#?}");
}
