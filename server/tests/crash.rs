//! Crash tests: the real `lockstep` binary is killed with SIGKILL at chosen points of the
//! certificate step (it pauses there via LOCKSTEP_FAULT_PAUSE, so the kill lands exactly
//! there), then started again on the same data. The run must finish, and moto must hold
//! exactly one certificate and one copy of each validation record.
//!
//! Each crash runs on both stores: SQLite (the same data dir restarted; the data-dir lock lets
//! the new process release the dead one's leases at once) and PostgreSQL (a fresh database on
//! the binary's throwaway cluster; nothing is released at start, the new server takes the steps
//! over when the 2 s lease expires).

mod common;

use app::model::{CreateOutcome, ZoneChoice};
use common::Server;
use lockstep_domain::{Region, RunStatus, RunView};
use lockstep_server::aws::{acm::Acm, route53::Route53, Aws, AwsTarget};
use lockstep_server::ports::{CertificateAuthority, DnsZones};
use lockstep_server::sandbox::DEMO_ZONE;
use std::sync::Arc;
use std::time::{Duration, Instant};

async fn post<T: serde::de::DeserializeOwned>(http: &reqwest::Client, s: &Server, f: &str, form: &[(&str, &str)]) -> T {
    let resp = http.post(s.url(&format!("/api/{f}"))).form(form).send().await.unwrap();
    assert!(resp.status().is_success(), "{f}: {}", resp.status());
    resp.json().await.unwrap()
}

async fn create_project(http: &reqwest::Client, s: &Server) -> String {
    let team = common::team_of(http, &s.url("")).await;
    let created: CreateOutcome = post(
        http,
        s,
        "create_project",
        &[
            ("team_id", &team),
            ("name", "crash"),
            ("region", "ap-northeast-2"),
            ("instance", "54.180.1.2"),
            ("app_port", "8000"),
            ("health_path", "/health"),
            ("bucket", "crash-bucket"),
            ("framework", "django"),
        ],
    )
    .await;
    let CreateOutcome::Created(pid) = created else { panic!("project refused") };
    pid
}

#[derive(Clone, Copy)]
enum On {
    Sqlite,
    Postgres,
}

/// Where a crashed server and its successor keep their data.
struct Data {
    on: On,
    dir: tempfile::TempDir,
    pg_url: Option<String>,
}

impl Data {
    async fn new(on: On) -> Data {
        let pg_url = match on {
            On::Sqlite => None,
            On::Postgres => Some(common::pg::database().await),
        };
        Data { on, dir: tempfile::tempdir().unwrap(), pg_url }
    }

    fn start(&self, account: &str, fault: Option<&str>) -> Server {
        match self.on {
            On::Sqlite => Server::start(self.dir.path(), account, fault),
            On::Postgres => Server::start_shared(self.pg_url.as_deref().unwrap(), account, fault, 2, 4),
        }
    }
}

async fn crash_at(point: &str, on: On) {
    let data = Data::new(on).await;
    let account = common::account();
    let http = common::http_client();

    let mut first = data.start(&account, Some(point));
    let pid = create_project(&http, &first).await;
    let zones: Vec<ZoneChoice> = post(&http, &first, "list_zones", &[("project_id", &pid)]).await;
    let zone = zones.into_iter().find(|z| z.name == DEMO_ZONE).unwrap();
    let _: serde_json::Value = post(&http, &first, "choose_zone", &[("project_id", &pid), ("zone_id", &zone.id)]).await;
    let run: RunView = post(&http, &first, "start_certificate", &[("project_id", &pid)]).await;

    first.wait_line(&format!("LOCKSTEP_FAULT_PAUSED {point}"), Duration::from_secs(60));
    first.kill9();

    let second = data.start(&account, None);
    let start = Instant::now();
    let done = loop {
        let latest: Option<RunView> = post(&http, &second, "latest_run", &[("project_id", &pid)]).await;
        let latest = latest.expect("run survives the crash");
        assert_eq!(latest.id, run.id, "the same run resumes; no second run");
        if latest.status != RunStatus::Active {
            break latest;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "run did not finish after restart: {latest:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    drop(second);

    // What is in AWS: exactly one certificate, each validation record once.
    let aws = Arc::new(
        Aws::connect(&AwsTarget::Sandbox { endpoint: common::moto().endpoint.clone(), account: Some(account) }).await,
    );
    let acm = Acm::new(aws.clone());
    let certs = acm.list(&Region::us_east_1()).await.unwrap();
    assert_eq!(certs.len(), 1, "crash at {point}: {certs:?}");
    let info = acm.describe(&Region::us_east_1(), &certs[0].arn).await.unwrap();
    let records = Route53(aws).list_records(&zone.id).await.unwrap();
    let cnames: Vec<_> = records.iter().filter(|r| r.rtype == "CNAME").collect();
    let mut wanted: Vec<String> = info.validation.iter().map(|v| v.name.trim_end_matches('.').to_string()).collect();
    wanted.sort();
    wanted.dedup();
    assert_eq!(cnames.len(), wanted.len(), "crash at {point}: one record per validation name: {cnames:?}");
    for w in &wanted {
        assert_eq!(cnames.iter().filter(|r| &r.name == w).count(), 1);
    }
}

#[tokio::test]
async fn crash_before_the_acm_call() {
    crash_at("cert.request.before_call", On::Sqlite).await;
}

#[tokio::test]
async fn crash_before_the_acm_call_on_postgres() {
    crash_at("cert.request.before_call", On::Postgres).await;
}

#[tokio::test]
async fn crash_after_the_acm_call_before_the_arn_is_saved() {
    crash_at("cert.request.after_call", On::Sqlite).await;
}

#[tokio::test]
async fn crash_after_the_acm_call_before_the_arn_is_saved_on_postgres() {
    crash_at("cert.request.after_call", On::Postgres).await;
}

#[tokio::test]
async fn crash_while_polling_for_issued() {
    crash_at("cert.await_issued.poll", On::Sqlite).await;
}

#[tokio::test]
async fn crash_while_polling_for_issued_on_postgres() {
    crash_at("cert.await_issued.poll", On::Postgres).await;
}

/// Kill -9 right after CreateHostedZone (before its id is saved) or right after
/// RegisterDomain (before the operation id is saved); restart; the run goes on and AWS holds
/// exactly one zone and one registration.
async fn domain_crash_at(point: &str, buy: bool, on: On) {
    let data = Data::new(on).await;
    let account = common::account();
    let http = common::http_client();
    let domain = if buy { "crash-buy.click" } else { "crash-other.com" };

    let mut first = data.start(&account, Some(point));
    let pid = create_project(&http, &first).await;
    if buy {
        let out: serde_json::Value = post(
            &http,
            &first,
            "buy_domain",
            &[
                ("project_id", &pid),
                ("domain", domain),
                ("confirm_cents", "300"),
                ("first_name", "Minji"),
                ("last_name", "Kim"),
                ("email", "minji@example.com"),
                ("phone", "+82.1012345678"),
                ("address_line1", "1 Gwanak-ro"),
                ("city", "Seoul"),
                ("state", ""),
                ("country_code", "KR"),
                ("zip_code", "08826"),
            ],
        )
        .await;
        assert!(out.get("Started").is_some(), "{out}");
    } else {
        let out: serde_json::Value =
            post(&http, &first, "use_other_registrar", &[("project_id", &pid), ("domain", domain)]).await;
        assert!(out.get("Started").is_some(), "{out}");
    }
    first.wait_line(&format!("LOCKSTEP_FAULT_PAUSED {point}"), Duration::from_secs(60));
    first.kill9();

    let second = data.start(&account, None);
    let start = Instant::now();
    loop {
        let run: Option<RunView> = post(&http, &second, "latest_domain_run", &[("project_id", &pid)]).await;
        let run = run.expect("run survives the crash");
        let past_creation = run.steps.iter().any(|s| {
            matches!(s.kind, lockstep_domain::StepKind::ZoneCreate | lockstep_domain::StepKind::DomainFindZone)
                && s.status == lockstep_domain::StepStatus::Succeeded
        });
        if past_creation {
            break;
        }
        assert!(run.status == RunStatus::Active, "run stopped: {run:#?}");
        assert!(start.elapsed() < Duration::from_secs(60), "no progress after restart: {run:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(second);

    let aws = Arc::new(
        Aws::connect(&AwsTarget::Sandbox { endpoint: common::moto().endpoint.clone(), account: Some(account) }).await,
    );
    let zones = Route53(aws.clone()).list_zones().await.unwrap();
    assert_eq!(zones.iter().filter(|z| z.name == domain).count(), 1, "crash at {point}: {zones:?}");
    if buy {
        let ops = lockstep_server::ports::Registrar::recent_operations(
            &lockstep_server::aws::domains::Route53Domains::new(aws),
            0,
        )
        .await
        .unwrap();
        assert_eq!(ops.iter().filter(|o| o.kind == "REGISTER_DOMAIN").count(), 1, "crash at {point}: {ops:?}");
    }
}

#[tokio::test]
async fn crash_after_creating_the_zone_before_its_id_is_saved() {
    domain_crash_at("zone.create.after_call", false, On::Sqlite).await;
}

#[tokio::test]
async fn crash_after_creating_the_zone_before_its_id_is_saved_on_postgres() {
    domain_crash_at("zone.create.after_call", false, On::Postgres).await;
}

#[tokio::test]
async fn crash_after_registering_the_domain_before_the_operation_is_saved() {
    domain_crash_at("domain.register.after_call", true, On::Sqlite).await;
}

#[tokio::test]
async fn crash_after_registering_the_domain_before_the_operation_is_saved_on_postgres() {
    domain_crash_at("domain.register.after_call", true, On::Postgres).await;
}
