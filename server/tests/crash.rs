//! Crash tests for the domain step: the real `lockstep` binary is killed with SIGKILL right
//! after an AWS call that has no result saved yet (it pauses there via LOCKSTEP_FAULT_PAUSE),
//! then started again on the same data (SQLite and PostgreSQL, as in `certificate_crash.rs`).
//! AWS must hold exactly one hosted zone and one registration.

mod common;

use common::crash::{create_project, post, Data, On};
use lockstep_domain::{RunStatus, RunView};
use lockstep_server::aws::{route53::Route53, Aws, AwsTarget};
use lockstep_server::ports::HostedZones;
use std::sync::Arc;
use std::time::{Duration, Instant};

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

    let aws = Arc::new(
        Aws::connect(&AwsTarget::Sandbox { endpoint: common::moto().endpoint.clone(), account: Some(account) }).await,
    );
    let zones = Route53(aws.clone()).list_zones().await.unwrap();
    assert_eq!(zones.iter().filter(|z| z.name == domain).count(), 1, "crash at {point}: {zones:?}");
    if !buy {
        // The zone the lost create made is lockstep's (found by its CallerReference), so it is
        // in the ledger and a teardown deletes it; not "reused" as if the user had made it.
        let zone = zones.iter().find(|z| z.name == domain).unwrap();
        let ledger: serde_json::Value = post(&http, &second, "ledger", &[("project_id", &pid)]).await;
        let ours: Vec<&serde_json::Value> = ledger["items"]
            .as_array()
            .unwrap_or_else(|| panic!("ledger answer: {ledger}"))
            .iter()
            .filter(|i| i["kind"] == "hosted_zone")
            .collect();
        assert_eq!(ours.len(), 1, "crash at {point}: the zone is in the ledger once: {ledger}");
        assert_eq!(ours[0]["id"], zone.id.as_str(), "crash at {point}: {ledger}");
    }
    drop(second);
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
