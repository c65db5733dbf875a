//! Several servers, one job queue: three real `lockstep serve` processes share one PostgreSQL
//! database (a fresh one on the test binary's throwaway cluster) and one moto account.
//! Twenty certificate runs are started through the HTTP API, spread over the three servers.
//! Server 0 pauses its workers right after ACM accepted a request and before the ARN is saved
//! (the worst moment: the side effect happened, the database does not know yet), and is
//! killed with SIGKILL there. The other two take its steps over once the (2 s) leases expire.
//! Every run must finish, and moto must hold exactly one certificate and one copy of each
//! validation record per run: no side effect ran twice.

mod common;

use app::model::CreateOutcome;
use common::Server;
use lockstep_domain::{DomainName, Region, RunStatus, RunView, StepKind};
use lockstep_server::aws::{acm::Acm, route53::Route53, Aws, AwsTarget};
use lockstep_server::ports::{CertificateAuthority, DnsRecords, HostedZones};
use lockstep_server::store::postgres::PgStore;
use lockstep_server::store::Store;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

const RUNS: usize = 20;
const LEASE_SECS: u64 = 2;
const FAULT: &str = "cert.request.after_call";

async fn post<T: serde::de::DeserializeOwned>(http: &reqwest::Client, s: &Server, f: &str, form: &[(&str, &str)]) -> T {
    let resp = http.post(s.url(&format!("/api/{f}"))).form(form).send().await.unwrap();
    assert!(resp.status().is_success(), "{f} on {}: {}", s.addr, resp.status());
    resp.json().await.unwrap()
}

#[tokio::test]
async fn three_servers_on_one_database_survive_a_kill_9_mid_run() {
    let db = common::pg::database().await;
    let account = common::account();
    let http = common::http_client();
    let aws = Arc::new(
        Aws::connect(&AwsTarget::Sandbox { endpoint: common::moto().endpoint.clone(), account: Some(account.clone()) })
            .await,
    );
    let dns = Route53(aws.clone());
    // One hosted zone per team, so each run's certificate has its own names.
    let mut zones = Vec::new();
    for i in 0..RUNS {
        let name = DomainName::parse(&format!("team{i}.lockstep-school.com")).unwrap();
        zones.push(dns.create_zone(&name, &format!("multi-server-{i}")).await.unwrap());
    }

    let mut doomed = Server::start_shared(&db, &account, Some(FAULT), LEASE_SECS, 4);
    let survivors = [
        Server::start_shared(&db, &account, None, LEASE_SECS, 4),
        Server::start_shared(&db, &account, None, LEASE_SECS, 4),
    ];
    for s in [&doomed, &survivors[0], &survivors[1]] {
        assert_eq!(http.get(s.url("/readyz")).send().await.unwrap().status(), 200, "{} ready", s.addr);
    }

    // Twenty runs, started round-robin on the three servers.
    let mut runs = Vec::new();
    for (i, zone) in zones.iter().enumerate() {
        let s = match i % 3 {
            0 => &doomed,
            n => &survivors[n - 1],
        };
        let name = format!("team{i}");
        let bucket = format!("team{i}-frontend");
        let team = common::team_of(&http, &s.url("")).await;
        let created: CreateOutcome = post(
            &http,
            s,
            "create_project",
            &[
                ("team_id", &team),
                ("name", &name),
                ("region", "ap-northeast-2"),
                ("instance", "54.180.1.2"),
                ("app_port", "8000"),
                ("health_path", "/health"),
                ("bucket", &bucket),
                ("framework", "django"),
            ],
        )
        .await;
        let CreateOutcome::Created(pid) = created else { panic!("project refused") };
        let _: serde_json::Value = post(&http, s, "choose_zone", &[("project_id", &pid), ("zone_id", &zone.id)]).await;
        let run: RunView = post(&http, s, "start_certificate", &[("project_id", &pid)]).await;
        runs.push((pid, run.id, zone.clone()));
    }

    // Server 0 is holding steps whose ACM call went out but whose ARN is not saved: kill it.
    doomed.wait_line(&format!("LOCKSTEP_FAULT_PAUSED {FAULT}"), Duration::from_secs(60));
    tokio::time::sleep(Duration::from_millis(300)).await;
    doomed.kill9();
    let killed = Instant::now();

    // Every run finishes, seen through either survivor.
    let mut finished: HashMap<String, RunView> = HashMap::new();
    while finished.len() < RUNS {
        for (i, (pid, run_id, _)) in runs.iter().enumerate() {
            if finished.contains_key(run_id) {
                continue;
            }
            let s = &survivors[i % 2];
            let latest: Option<RunView> = post(&http, s, "latest_run", &[("project_id", pid)]).await;
            let latest = latest.expect("run survives the kill");
            assert_eq!(&latest.id, run_id, "the same run goes on; no second run");
            if latest.status != RunStatus::Active {
                finished.insert(run_id.clone(), latest);
            }
        }
        assert!(
            killed.elapsed() < Duration::from_secs(120),
            "{} of {RUNS} runs finished within 120 s of the kill",
            finished.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for run in finished.values() {
        assert_eq!(run.status, RunStatus::Succeeded, "{run:#?}");
    }

    // The killed server's steps were taken over (claimed again), not redone from scratch.
    let store = PgStore::open(&db).await.unwrap();
    let mut taken_over = 0;
    for (_, run_id, _) in &runs {
        let (_, steps) = store.get_run(run_id).await.unwrap().unwrap();
        let request = steps.iter().find(|s| s.kind == StepKind::CertificateRequest).unwrap();
        if request.attempts > 1 {
            taken_over += 1;
        }
    }
    assert!(taken_over >= 1, "at least one request step was taken over from the killed server");

    // What is in AWS: per run, exactly one certificate, and each validation record once.
    let acm = Acm::new(aws.clone());
    let certs = acm.list(&Region::us_east_1()).await.unwrap();
    assert_eq!(certs.len(), RUNS, "one certificate per run: {certs:?}");
    for (_, _, zone) in &runs {
        let mine: Vec<_> = certs.iter().filter(|c| c.domain == zone.name).collect();
        assert_eq!(mine.len(), 1, "{}: {mine:?}", zone.name);
        let info = acm.describe(&Region::us_east_1(), &mine[0].arn).await.unwrap();
        let records = dns.list_records(&zone.id).await.unwrap();
        let cnames: Vec<_> = records.iter().filter(|r| r.rtype == "CNAME").collect();
        let mut wanted: Vec<String> =
            info.validation.iter().map(|v| v.name.trim_end_matches('.').to_string()).collect();
        wanted.sort();
        wanted.dedup();
        assert!(!wanted.is_empty());
        assert_eq!(cnames.len(), wanted.len(), "{}: one record per validation name: {cnames:?}", zone.name);
        for w in &wanted {
            assert_eq!(cnames.iter().filter(|r| &r.name == w).count(), 1, "{w}");
        }
    }
    println!(
        "{RUNS} runs on 3 servers, one killed: all finished {:.1} s after the kill; {taken_over} request step(s) taken over",
        killed.elapsed().as_secs_f64()
    );
}

/// Graceful drain on a shared store: SIGTERM to a server holding a step makes it stop
/// claiming, give the step its grace period, release the lease and exit; another server then
/// resumes the step at once, long before the (5 min) lease would have expired.
#[tokio::test]
async fn sigterm_releases_leases_so_another_server_resumes_at_once() {
    let db = common::pg::database().await;
    let account = common::account();
    let http = common::http_client();
    let lease = 300;

    let mut first = Server::start_shared(&db, &account, Some(FAULT), lease, 2);
    let team = common::team_of(&http, &first.url("")).await;
    let created: CreateOutcome = post(
        &http,
        &first,
        "create_project",
        &[
            ("team_id", &team),
            ("name", "drain"),
            ("region", "ap-northeast-2"),
            ("instance", "54.180.1.2"),
            ("app_port", "8000"),
            ("health_path", "/health"),
            ("bucket", "drain-frontend"),
            ("framework", "django"),
        ],
    )
    .await;
    let CreateOutcome::Created(pid) = created else { panic!("project refused") };
    let zones: Vec<app::model::ZoneChoice> = post(&http, &first, "list_zones", &[("project_id", &pid)]).await;
    let zone = zones.into_iter().find(|z| z.name == lockstep_server::sandbox::DEMO_ZONE).unwrap();
    let _: serde_json::Value = post(&http, &first, "choose_zone", &[("project_id", &pid), ("zone_id", &zone.id)]).await;
    let run: RunView = post(&http, &first, "start_certificate", &[("project_id", &pid)]).await;
    first.wait_line(&format!("LOCKSTEP_FAULT_PAUSED {FAULT}"), Duration::from_secs(60));

    let second = Server::start_shared(&db, &account, None, lease, 2);
    let term = std::process::Command::new("kill").args(["-TERM", &first.child.id().to_string()]).status().unwrap();
    assert!(term.success());
    let drained = Instant::now();
    first.wait_line("released leases on shutdown", Duration::from_secs(30));
    let status = first.child.wait().unwrap();
    assert!(status.success(), "clean exit after SIGTERM: {status}");

    loop {
        let latest: Option<RunView> = post(&http, &second, "latest_run", &[("project_id", &pid)]).await;
        let latest = latest.unwrap();
        assert_eq!(latest.id, run.id);
        if latest.status != RunStatus::Active {
            assert_eq!(latest.status, RunStatus::Succeeded, "{latest:#?}");
            break;
        }
        assert!(drained.elapsed() < Duration::from_secs(60), "not resumed: the lease was not released: {latest:#?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let aws = Arc::new(
        Aws::connect(&AwsTarget::Sandbox { endpoint: common::moto().endpoint.clone(), account: Some(account) }).await,
    );
    let certs = Acm::new(aws).list(&Region::us_east_1()).await.unwrap();
    assert_eq!(certs.len(), 1, "the resumed request reused the stored token: {certs:?}");
}

/// Live progress across servers: a browser's event stream on server A shows, as they happen,
/// the state changes of a run whose steps server B runs (A's only worker is stuck elsewhere).
/// The stream also re-reads every 2 s on its own; seeing more changes than that polling could
/// deliver shows they were pushed (PostgreSQL NOTIFY from B's writes, LISTEN on A).
#[tokio::test]
async fn a_viewer_on_one_server_sees_steps_another_server_runs_live() {
    let db = common::pg::database().await;
    let account = common::account();
    let http = common::http_client();
    let lease = 300;

    async fn certificate_run(http: &reqwest::Client, s: &Server, name: &str) -> RunView {
        let bucket = format!("{name}-frontend");
        let team = common::team_of(http, &s.url("")).await;
        let created: CreateOutcome = post(
            http,
            s,
            "create_project",
            &[
                ("team_id", &team),
                ("name", name),
                ("region", "ap-northeast-2"),
                ("instance", "54.180.1.2"),
                ("app_port", "8000"),
                ("health_path", "/health"),
                ("bucket", &bucket),
                ("framework", "django"),
            ],
        )
        .await;
        let CreateOutcome::Created(pid) = created else { panic!("project refused") };
        let zones: Vec<app::model::ZoneChoice> = post(http, s, "list_zones", &[("project_id", &pid)]).await;
        let zone = zones.into_iter().find(|z| z.name == lockstep_server::sandbox::DEMO_ZONE).unwrap();
        let _: serde_json::Value = post(http, s, "choose_zone", &[("project_id", &pid), ("zone_id", &zone.id)]).await;
        post(http, s, "start_certificate", &[("project_id", &pid)]).await
    }

    // Server A has one worker, and it is stuck (paused) on another run's step.
    let mut a = Server::start_shared(&db, &account, Some(FAULT), lease, 1);
    certificate_run(&http, &a, "stuck").await;
    a.wait_line(&format!("LOCKSTEP_FAULT_PAUSED {FAULT}"), Duration::from_secs(60));
    let _b = Server::start_shared(&db, &account, None, lease, 2);

    // The run is started on A, watched on A, and run by B.
    let watched = certificate_run(&http, &a, "watched").await;
    let mut events = http.get(a.url(&format!("/api/runs/{}/events", watched.id))).send().await.unwrap();
    assert_eq!(events.status(), 200);
    let start = Instant::now();
    let mut buffer = String::new();
    let mut views: Vec<RunView> = Vec::new();
    while views.last().is_none_or(|v| v.status == RunStatus::Active) {
        assert!(start.elapsed() < Duration::from_secs(60), "run not finished live: {:#?}", views.last());
        let chunk = tokio::time::timeout(Duration::from_secs(30), events.chunk()).await.unwrap().unwrap();
        buffer.push_str(&String::from_utf8_lossy(&chunk.expect("stream open")));
        while let Some(end) = buffer.find("\n\n") {
            let event: String = buffer.drain(..end + 2).collect();
            for data in event.lines().filter_map(|l| l.strip_prefix("data:")) {
                views.push(serde_json::from_str(data.trim()).unwrap());
            }
        }
    }
    let took = start.elapsed().as_secs_f64();
    assert_eq!(views.last().unwrap().status, RunStatus::Succeeded, "{:#?}", views.last());
    let polled_at_most = (took / 2.0).floor() as usize + 1;
    assert!(
        views.len() > polled_at_most + 1,
        "{} views in {took:.1} s: no more than the 2 s re-read would show, so changes were not pushed",
        views.len()
    );
    println!("viewer on A saw {} states of a run B ran, in {took:.1} s", views.len());
}
