//! Crash tests for the certificate step: the real `lockstep` binary is killed with SIGKILL at
//! chosen points of the step (it pauses there via LOCKSTEP_FAULT_PAUSE, so the kill lands
//! exactly there), then started again on the same data. The run must finish, and moto must
//! hold exactly one certificate and one copy of each validation record.
//!
//! Each crash runs on both stores: SQLite (the same data dir restarted; the data-dir lock lets
//! the new process release the dead one's leases at once) and PostgreSQL (a fresh database on
//! the binary's throwaway cluster; nothing is released at start, the new server takes the steps
//! over when the 2 s lease expires).

mod common;

use app::model::ZoneChoice;
use common::crash::{create_project, post, Data, On};
use lockstep_domain::{Region, RunStatus, RunView};
use lockstep_server::aws::{acm::Acm, route53::Route53, Aws, AwsTarget};
use lockstep_server::ports::{CertificateAuthority, DnsRecords};
use lockstep_server::sandbox::DEMO_ZONE;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
