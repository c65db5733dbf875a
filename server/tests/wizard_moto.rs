//! The certificate step end to end against moto (a real AWS API emulator), in process, with a
//! fresh SQLite file and a fresh moto account per test; and the HTTP surface of a real
//! `Application` (pages, server functions, SSE, health) on port 0.

mod common;

use common::{drive, good_input, world};

use app::api::ssr::prelude::*;
use app::model::{AppError, CreateOutcome};
use lockstep_domain::{Field, ProjectInput, Region, RunStatus, StepStatus};
use lockstep_server::{sandbox, Application};
use tokio_util::sync::CancellationToken;

#[tokio::test]
async fn certificate_step_issues_one_certificate_with_its_validation_record() {
    let w = world().await;
    let CreateOutcome::Created(pid) = w.service.create_project(&w.me, &w.team, good_input()).await.unwrap() else {
        panic!("invalid")
    };
    let zones = w.service.list_zones(&w.me, &pid).await.unwrap();
    let zone = zones.iter().find(|z| z.name == sandbox::DEMO_ZONE).expect("seeded zone listed");
    let plan = w.service.choose_zone(&w.me, &pid, &zone.id).await.unwrap();
    let frontend: Vec<&str> = plan.frontend.iter().map(|n| n.as_str()).collect();
    assert_eq!(frontend, vec!["lockstep-demo.com", "www.lockstep-demo.com"]);
    assert_eq!(plan.api.as_str(), "api.lockstep-demo.com");

    let started = w.service.start_certificate(&w.me, &pid).await.unwrap();
    // A second click returns the same run instead of starting another.
    assert_eq!(w.service.start_certificate(&w.me, &pid).await.unwrap().id, started.id);

    let run = drive(&w, &started.id).await;
    assert_eq!(run.status, RunStatus::Succeeded, "{run:#?}");
    assert!(run.steps.iter().all(|s| s.status == StepStatus::Succeeded));
    assert!(run.steps.iter().all(|s| s.started_at.is_some() && s.finished_at.is_some()));

    // Exactly one certificate, for exactly the plan's names, ISSUED, in us-east-1.
    let certs = w.ca.list(&Region::us_east_1()).await.unwrap();
    assert_eq!(certs.len(), 1, "{certs:?}");
    let info = w.ca.describe(&Region::us_east_1(), &certs[0].arn).await.unwrap();
    let mut names = info.names.clone();
    names.sort();
    assert_eq!(names, vec!["api.lockstep-demo.com", "lockstep-demo.com", "www.lockstep-demo.com"]);
    assert_eq!(info.status, lockstep_server::ports::CertStatus::Issued);

    // The validation CNAME(s) ACM asked for are in the zone, once each.
    let records = w.dns.list_records(&zone.id).await.unwrap();
    for v in &info.validation {
        let n = records.iter().filter(|r| r.rtype == "CNAME" && r.name == v.name.trim_end_matches('.')).count();
        assert_eq!(n, 1, "validation record {} present once: {records:?}", v.name);
        let r = records.iter().find(|r| r.name == v.name.trim_end_matches('.')).unwrap();
        assert_eq!(r.values, vec![v.value.clone()]);
    }
    assert!(!info.validation.is_empty());
}

#[tokio::test]
async fn bad_input_is_refused_per_field_and_nothing_is_saved() {
    let w = world().await;
    type Spoil = fn(&mut ProjectInput);
    let cases: Vec<(Field, Spoil)> = vec![
        (Field::Name, |i| i.name = "   ".into()),
        (Field::Region, |i| i.region = "seoul".into()),
        (Field::Instance, |i| i.instance = "172.31.5.5".into()),
        (Field::AppPort, |i| i.app_port = "eighty".into()),
        (Field::HealthPath, |i| i.health_path = "health".into()),
        (Field::Bucket, |i| i.bucket = "Bad_Bucket".into()),
        (Field::Framework, |i| i.framework = "rails".into()),
    ];
    for (field, spoil) in cases {
        let mut input = good_input();
        spoil(&mut input);
        match w.service.create_project(&w.me, &w.team, input).await.unwrap() {
            CreateOutcome::Invalid(errors) => {
                assert_eq!(errors.len(), 1, "{field:?}: {errors:?}");
                assert!(errors.get(field).is_some_and(|m| m.len() > 20), "{field:?} has a helpful message");
            }
            CreateOutcome::Created(_) => panic!("{field:?}: bad input was saved"),
        }
    }
    assert!(w.service.list_projects(&w.me,).await.unwrap().is_empty(), "nothing saved");
}

#[tokio::test]
async fn certificate_needs_a_domain_and_unknown_projects_are_not_found() {
    let w = world().await;
    let CreateOutcome::Created(pid) = w.service.create_project(&w.me, &w.team, good_input()).await.unwrap() else {
        panic!()
    };
    match w.service.start_certificate(&w.me, &pid).await {
        Err(AppError::User(e)) => assert!(e.fix.contains("domain in step 1"), "{e:?}"),
        other => panic!("expected a user error, got {other:?}"),
    }
    assert!(matches!(w.service.get_project(&w.me, "nope").await, Err(AppError::NotFound(_))));
    assert!(matches!(w.service.delete_project(&w.me, "nope").await, Err(AppError::NotFound(_))));
    w.service.delete_project(&w.me, &pid).await.unwrap();
    assert!(w.service.list_projects(&w.me,).await.unwrap().is_empty());
}

#[tokio::test]
async fn http_surface_serves_pages_server_functions_sse_and_health() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::serve_config(dir.path());
    config.status_tick_secs = 30.0;
    let app = Application::build(config.clone()).await.unwrap();
    let base = format!("http://{}", app.local_addr());
    let stop = CancellationToken::new();
    let server = tokio::spawn(app.run_until({
        let stop = stop.clone();
        async move { stop.cancelled().await }
    }));
    // A second server on the same data dir is refused (SQLite is single-server).
    let err = Application::build(config).await.err().expect("second server refused");
    assert!(format!("{err:#}").contains("another lockstep server"), "{err:#}");

    let http = common::http_client();
    assert_eq!(http.get(format!("{base}/healthz")).send().await.unwrap().status(), 200);
    // Before anyone exists, every page leads to the first-run page.
    let first = http.get(format!("{base}/projects/new")).send().await.unwrap();
    assert!(first.url().path().ends_with("/setup"), "{}", first.url());
    assert!(first.text().await.unwrap().contains("Welcome to lockstep"));
    let team = common::team_of(&http, &base).await;
    let gz = http.get(format!("{base}/")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(gz.headers().get("content-encoding").map(|v| v.to_str().unwrap()), Some("gzip"), "pages are compressed");
    assert_eq!(http.get(format!("{base}/readyz")).send().await.unwrap().status(), 200);
    let home = http.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(html.contains("Sandbox AWS."), "banner rendered server-side");
    assert!(html.contains("No projects yet."));

    // Server functions by their fixed endpoints.
    let bad: CreateOutcome = http
        .post(format!("{base}/api/create_project"))
        .form(&[
            ("team_id", team.as_str()),
            ("name", "x"),
            ("region", "mars-1"),
            ("instance", "i-0123456789abcdef0"),
            ("app_port", "8000"),
            ("health_path", "/health"),
            ("bucket", "my-bucket"),
            ("framework", "django"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let CreateOutcome::Invalid(errors) = bad else { panic!("bad region accepted") };
    assert!(errors.get(Field::Region).unwrap().contains("ap-northeast-2"));
    let created: CreateOutcome = http
        .post(format!("{base}/api/create_project"))
        .form(&[
            ("team_id", team.as_str()),
            ("name", "team"),
            ("region", "ap-northeast-2"),
            ("instance", "54.180.1.2"),
            ("app_port", "3000"),
            ("health_path", "/health"),
            ("bucket", "my-bucket"),
            ("framework", "express"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let CreateOutcome::Created(pid) = created else { panic!("good input refused") };
    let page = http.get(format!("{base}/projects/{pid}")).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("team") && page.contains("54.180.1.2"));
    assert_eq!(http.get(format!("{base}/api/runs/nope/events")).send().await.unwrap().status(), 404);

    stop.cancel();
    server.await.unwrap().unwrap();
}
