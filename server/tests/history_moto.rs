//! The deployment history, in process against moto: a step's AWS calls are written under the
//! person who started the run, each step's end too; the filters; and the log is append-only in
//! the database itself.

mod common;

use app::api::ssr::prelude::*;
use app::model::{HistoryFilter, HistoryView};
use common::{drive, project, world};
use lockstep_domain::RunStatus;

#[tokio::test]
async fn a_runs_aws_calls_and_step_ends_are_in_the_history_under_who_started_it() {
    let w = world().await;
    let pid = project(&w).await;
    let zones = w.service.list_zones(&w.me, &pid).await.unwrap();
    let zone = zones.iter().find(|z| z.name == "lockstep-demo.com").unwrap();
    w.service.choose_zone(&w.me, &pid, &zone.id).await.unwrap();
    let run = w.service.start_certificate(&w.me, &pid).await.unwrap();
    assert_eq!(drive(&w, &run.id).await.status, RunStatus::Succeeded);

    let h: HistoryView = w.service.history(&w.me, &pid, HistoryFilter::default()).await.unwrap();
    let request = h
        .entries
        .iter()
        .find(|e| e.kind == "aws" && e.operation == "acm:RequestCertificate")
        .expect("the RequestCertificate call is in the history");
    assert_eq!(request.person.as_deref(), Some("Test Owner"));
    assert_eq!(request.step.as_deref(), Some("cert.request"));
    assert_eq!(request.run_id.as_deref(), Some(run.id.as_str()));
    assert!(request.ok && request.summary.contains("lockstep-demo.com"), "{request:?}");
    let ops: Vec<&str> = h.entries.iter().filter(|e| e.kind == "aws").map(|e| e.operation.as_str()).collect();
    assert!(ops.contains(&"route53:ChangeResourceRecordSets"), "{ops:?}");
    // Requests are in words (issue 22), never the SDK's Debug text.
    for e in h.entries.iter().filter(|e| e.kind == "aws") {
        for debug in ["TypeErasedBox", "Input(", "Some(", "{"] {
            assert!(!e.summary.contains(debug), "{} request is Debug text: {}", e.operation, e.summary);
        }
    }
    assert!(request.summary.starts_with("RequestCertificate: certificate for "), "{request:?}");
    let upsert = h.entries.iter().find(|e| e.operation == "route53:ChangeResourceRecordSets").map(|e| &e.summary);
    assert!(upsert.is_some_and(|s| s.contains("UPSERT CNAME _") && s.contains("in zone ")), "{upsert:?}");
    for step in ["cert.request", "cert.await_records", "cert.upsert_validation", "cert.await_dns", "cert.await_issued"]
    {
        assert!(
            h.entries.iter().any(|e| e.kind == "step" && e.operation == step && e.ok),
            "{step} ended: {:#?}",
            h.entries.iter().filter(|e| e.kind == "step").collect::<Vec<_>>()
        );
    }
    assert!(h.people.iter().any(|(_, name)| name == "Test Owner"));
    assert!(h.steps.contains(&"cert.request".to_string()));
    // Newest first.
    assert!(h.entries.windows(2).all(|p| p[0].seq > p[1].seq));

    // Filters: one step; failures only (none here).
    let one = w
        .service
        .history(&w.me, &pid, HistoryFilter { step: Some("cert.request".into()), ..HistoryFilter::default() })
        .await
        .unwrap();
    assert!(!one.entries.is_empty() && one.entries.iter().all(|e| e.step.as_deref() == Some("cert.request")));
    let failed = w
        .service
        .history(&w.me, &pid, HistoryFilter { failures_only: true, ..HistoryFilter::default() })
        .await
        .unwrap();
    assert!(failed.entries.iter().all(|e| !e.ok), "{:?}", failed.entries);
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_history() {
    use lockstep_server::store::directory::NewAudit;
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("h.db").display());
    let store = lockstep_server::store::sqlite::SqliteStore::open(&url).await.unwrap();
    use lockstep_server::store::AuditLog;
    let entry =
        NewAudit { at: 1, kind: "action".into(), operation: "start_doctor".into(), ok: true, ..NewAudit::default() };
    store.append_audit(&[entry]).await.unwrap();
    let mut db = sqlx::SqliteConnection::connect(&url).await.unwrap();
    for sql in ["UPDATE audit SET ok = 0", "DELETE FROM audit"] {
        let err = sqlx::query(sql).execute(&mut db).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let pg = common::pg::database().await;
    let store = lockstep_server::store::postgres::PgStore::open(&pg).await.unwrap();
    store
        .append_audit(&[NewAudit { at: 1, kind: "action".into(), operation: "x".into(), ..NewAudit::default() }])
        .await
        .unwrap();
    let mut db = sqlx::PgConnection::connect(&pg).await.unwrap();
    for sql in ["UPDATE audit SET ok = 0", "DELETE FROM audit"] {
        let err = sqlx::query(sql).execute(&mut db).await.expect_err(sql);
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
}
