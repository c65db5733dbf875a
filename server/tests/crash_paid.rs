//! Crash tests for the paid path and teardown: the real `lockstep` binary (sandbox: moto, the
//! sandbox's demo instance and zone) is killed with SIGKILL right after an AWS call that
//! creates (or deletes) something and before its result is saved (LOCKSTEP_FAULT_PAUSE stops it
//! exactly there), then started again on the same data. The run must finish, and moto, listed
//! with the SDK, must hold exactly one of each resource (or, after teardown, none).

mod common;
use common::ec2_sdk::Ec2Sdk;

use app::model::{CreateOutcome, EnvInfo, PaidPlanView, StartOutcome, ZoneChoice};
use common::Server;
use lockstep_domain::{RunStatus, RunView};
use lockstep_server::aws::{Aws, AwsTarget};
use lockstep_server::sandbox::DEMO_ZONE;
use std::time::{Duration, Instant};

const REGION: &str = "ap-northeast-2";

async fn post<T: serde::de::DeserializeOwned>(http: &reqwest::Client, s: &Server, f: &str, form: &[(&str, &str)]) -> T {
    let resp = http.post(s.url(&format!("/api/{f}"))).form(form).send().await.unwrap();
    assert!(resp.status().is_success(), "{f}: {}", resp.status());
    resp.json().await.unwrap()
}

/// A project on the sandbox's demo instance, named in the demo zone.
async fn project(http: &reqwest::Client, s: &Server) -> String {
    let start = Instant::now();
    let instance = loop {
        let env: EnvInfo = post(http, s, "environment", &[]).await;
        if let Some(i) = env.demo_instance {
            break i;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "no demo instance");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let team = common::team_of(http, &s.url("")).await;
    let created: CreateOutcome = post(
        http,
        s,
        "create_project",
        &[
            ("team_id", &team),
            ("name", "crash-paid"),
            ("region", REGION),
            ("instance", &instance),
            ("app_port", "8000"),
            ("health_path", "/health"),
            ("bucket", "crash-paid-web"),
            ("framework", "django"),
        ],
    )
    .await;
    let CreateOutcome::Created(pid) = created else { panic!("project refused") };
    let zones: Vec<ZoneChoice> = post(http, s, "list_zones", &[("project_id", &pid)]).await;
    let zone = zones.into_iter().find(|z| z.name == DEMO_ZONE).unwrap();
    let _: serde_json::Value = post(http, s, "choose_zone", &[("project_id", &pid), ("zone_id", &zone.id)]).await;
    pid
}

fn started(o: StartOutcome) -> RunView {
    match o {
        StartOutcome::Started(r) => r,
        StartOutcome::Refused(e) => panic!("refused: {e:?}"),
    }
}

async fn start_backend(http: &reqwest::Client, s: &Server, pid: &str) -> RunView {
    let plan: PaidPlanView = post(http, s, "paid_plan", &[("project_id", pid)]).await;
    let cents = plan.monthly_cents.to_string();
    started(
        post(http, s, "start_backend", &[("project_id", pid), ("confirm_cents", &cents), ("certificate", "new")]).await,
    )
}

/// Polls `latest` until the run with `id` is over; it must be the same run (no second one).
async fn finish(http: &reqwest::Client, s: &Server, latest: &str, pid: &str, id: &str) -> RunView {
    let start = Instant::now();
    loop {
        let run: Option<RunView> = post(http, s, latest, &[("project_id", pid)]).await;
        let run = run.expect("the run survives the crash");
        assert_eq!(run.id, id, "the same run resumes; no second run");
        if run.status != RunStatus::Active {
            return run;
        }
        assert!(start.elapsed() < Duration::from_secs(90), "run did not finish: {run:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Counts of what lockstep makes for the backend and the frontend, as the SDK lists them.
#[derive(Debug, PartialEq, Eq)]
struct Held {
    load_balancers: usize,
    target_groups: usize,
    listeners: usize,
    lockstep_groups: usize,
    rules_from_alb: usize,
    certificates: usize,
    distributions: usize,
}

async fn held(account: &str, instance_group: Option<&str>) -> Held {
    let aws =
        Aws::connect(&AwsTarget::Sandbox { endpoint: common::moto().endpoint.clone(), account: Some(account.into()) })
            .await;
    let elb = aws.elbv2(REGION);
    let lbs = elb.describe_load_balancers().send().await.unwrap();
    let mut listeners = 0;
    for lb in lbs.load_balancers() {
        let l = elb.describe_listeners().load_balancer_arn(lb.load_balancer_arn().unwrap()).send().await.unwrap();
        listeners += l.listeners().len();
    }
    let tgs = elb.describe_target_groups().send().await.unwrap();
    let groups = aws.ec2_sdk(REGION).describe_security_groups().send().await.unwrap();
    let lockstep: Vec<&str> = groups
        .security_groups()
        .iter()
        .filter(|g| g.group_name().is_some_and(|n| n.starts_with("lockstep-alb-")))
        .filter_map(|g| g.group_id())
        .collect();
    let rules_from_alb = groups
        .security_groups()
        .iter()
        .filter(|g| instance_group.is_none_or(|i| g.group_id() == Some(i)))
        .flat_map(|g| g.ip_permissions())
        .flat_map(|p| p.user_id_group_pairs())
        .filter(|p| p.group_id().is_some_and(|id| lockstep.contains(&id)))
        .count();
    let mut certificates = 0;
    for r in [REGION, "us-east-1"] {
        certificates += aws.acm(r).list_certificates().send().await.unwrap().certificate_summary_list().len();
    }
    let dists = aws.cloudfront().list_distributions().send().await.unwrap();
    Held {
        load_balancers: lbs.load_balancers().len(),
        target_groups: tgs.target_groups().len(),
        listeners,
        lockstep_groups: lockstep.len(),
        rules_from_alb,
        certificates,
        distributions: dists.distribution_list().map(|l| l.items().len()).unwrap_or(0),
    }
}

/// Kill -9 inside the backend run at `point`; restart; one of each resource.
async fn backend_crash_at(point: &str) {
    let dir = tempfile::tempdir().unwrap();
    let account = common::account();
    let http = common::http_client();
    let mut first = Server::start(dir.path(), &account, Some(point));
    let pid = project(&http, &first).await;
    let run = start_backend(&http, &first, &pid).await;
    first.wait_line(&format!("LOCKSTEP_FAULT_PAUSED {point}"), Duration::from_secs(60));
    first.kill9();

    let second = Server::start(dir.path(), &account, None);
    let done = finish(&http, &second, "latest_backend_run", &pid, &run.id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "crash at {point}: {done:#?}");
    drop(second);
    let want = Held {
        load_balancers: 1,
        target_groups: 1,
        listeners: 2,
        lockstep_groups: 1,
        rules_from_alb: 1,
        certificates: 1,
        distributions: 0,
    };
    assert_eq!(held(&account, None).await, want, "crash at {point}");
}

#[tokio::test]
async fn crash_after_creating_the_alb_security_group() {
    backend_crash_at("alb.security.after_create").await;
}

#[tokio::test]
async fn crash_after_creating_the_target_group() {
    backend_crash_at("alb.target_group.after_create").await;
}

#[tokio::test]
async fn crash_after_creating_the_load_balancer() {
    backend_crash_at("alb.create.after_call").await;
}

#[tokio::test]
async fn crash_after_adding_the_https_listener() {
    backend_crash_at("alb.listeners.after_https").await;
}

/// The frontend's certificate (step 2) to the end, then the frontend run, crashing at `point`
/// when one is given.
async fn frontend(http: &reqwest::Client, s: &Server, pid: &str) -> RunView {
    let cert: RunView = post(http, s, "start_certificate", &[("project_id", pid)]).await;
    let cert = finish(http, s, "latest_run", pid, &cert.id).await;
    assert_eq!(cert.status, RunStatus::Succeeded, "{cert:#?}");
    started(post(http, s, "start_frontend", &[("project_id", pid)]).await)
}

#[tokio::test]
async fn crash_after_creating_the_distribution() {
    let point = "cdn.create.after_call";
    let dir = tempfile::tempdir().unwrap();
    let account = common::account();
    let http = common::http_client();
    let mut first = Server::start(dir.path(), &account, Some(point));
    let pid = project(&http, &first).await;
    let run = frontend(&http, &first, &pid).await;
    first.wait_line(&format!("LOCKSTEP_FAULT_PAUSED {point}"), Duration::from_secs(60));
    first.kill9();

    let second = Server::start(dir.path(), &account, None);
    let done = finish(&http, &second, "latest_frontend_run", &pid, &run.id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    drop(second);
    let h = held(&account, None).await;
    assert_eq!((h.distributions, h.certificates), (1, 1), "{h:?}");
}

/// Everything built (no fault), then a teardown killed at `point`; after the restart the
/// teardown finishes and nothing lockstep made is left.
async fn teardown_crash_at(point: &str) {
    let dir = tempfile::tempdir().unwrap();
    let account = common::account();
    let http = common::http_client();
    let builder = Server::start(dir.path(), &account, None);
    let pid = project(&http, &builder).await;
    let front = frontend(&http, &builder, &pid).await;
    assert_eq!(finish(&http, &builder, "latest_frontend_run", &pid, &front.id).await.status, RunStatus::Succeeded);
    let back = start_backend(&http, &builder, &pid).await;
    assert_eq!(finish(&http, &builder, "latest_backend_run", &pid, &back.id).await.status, RunStatus::Succeeded);
    let built = held(&account, None).await;
    assert_eq!((built.load_balancers, built.distributions, built.certificates), (1, 1, 2), "{built:?}");
    drop(builder);

    let mut first = Server::start(dir.path(), &account, Some(point));
    let run = started(post(&http, &first, "start_teardown", &[("project_id", &pid), ("confirm", "on")]).await);
    first.wait_line(&format!("LOCKSTEP_FAULT_PAUSED {point}"), Duration::from_secs(60));
    first.kill9();

    let second = Server::start(dir.path(), &account, None);
    let done = finish(&http, &second, "latest_teardown_run", &pid, &run.id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "crash at {point}: {done:#?}");
    drop(second);
    let none = Held {
        load_balancers: 0,
        target_groups: 0,
        listeners: 0,
        lockstep_groups: 0,
        rules_from_alb: 0,
        certificates: 0,
        distributions: 0,
    };
    assert_eq!(held(&account, None).await, none, "crash at {point}");
}

#[tokio::test]
async fn crash_in_teardown_after_disabling_the_distribution() {
    teardown_crash_at("teardown.cdn.after_disable").await;
}

#[tokio::test]
async fn crash_in_teardown_after_deleting_the_load_balancer() {
    teardown_crash_at("teardown.alb.after_delete_lb").await;
}
