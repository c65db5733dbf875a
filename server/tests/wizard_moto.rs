//! The wizard's first page against moto (a real AWS API emulator), in process, with a fresh
//! store and a fresh moto account per test: a project's input refused per field; and the HTTP
//! surface of a real `Application` (pages, server functions, SSE, health) on port 0. The
//! certificate step's own tests are in `certificate_moto.rs` and `certificate_crash.rs`.

mod common;

use common::{good_input, world};

use app::api::ssr::prelude::*;
use app::model::CreateOutcome;
use lockstep_domain::{Field, ProjectInput};
use lockstep_server::Application;
use tokio_util::sync::CancellationToken;

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
