//! Limits and the HTTP layer (issue 19): the request body limit, the security headers and the
//! page's Content Security Policy, the Host allow-list, the bounded live streams (per-person
//! cap, re-checked access, ending with the run and at shutdown), the bounded status-page
//! cache, and database URLs without their passwords in errors. Over real HTTP against a real
//! `Application` where the behaviour is HTTP's, in-process where it is the service's.

mod common;

use app::model::*;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::response::sse::Sse;
use axum::response::IntoResponse;
use common::{http_client, App};
use futures::StreamExt;
use lockstep_domain::StepKind;
use lockstep_server::edge;
use lockstep_server::live::{run_stream, LiveLimits, LiveStreams};
use lockstep_server::store::{Completion, NewRun, Store};
use reqwest::StatusCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;
use tokio_util::sync::CancellationToken;

/// A client that follows no redirects and keeps no cookies (to see each answer as it is).
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

fn header<'a>(r: &'a reqwest::Response, name: &str) -> &'a str {
    r.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

fn sets_cookie(r: &reqwest::Response) -> bool {
    r.headers().contains_key("set-cookie")
}

// ---- 1. The request body limit ----

#[tokio::test]
async fn a_body_over_the_limit_is_refused_before_it_is_read_and_without_a_session() {
    let app = App::start(|_| {}).await;
    let addr = app.base.trim_start_matches("http://").to_string();

    // Two MiB announced, not one byte of it sent: the answer comes anyway, at once.
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/sign_in HTTP/1.1\r\nHost: {addr}\r\nSec-Fetch-Site: same-origin\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n",
        2 * 1024 * 1024
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let read = timeout(Duration::from_secs(10), async {
        loop {
            let n = tcp.read(&mut buf).await.unwrap_or(0);
            answer.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&answer);
            if n == 0 || text.contains("\r\n\r\n") && text.contains("MiB") && text.contains("다시") {
                break;
            }
        }
    })
    .await;
    let text = String::from_utf8_lossy(&answer).to_string();
    assert!(read.is_ok(), "no answer while the body was still unsent: {text}");
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(!text.to_ascii_lowercase().contains("set-cookie"), "a session was made: {text}");
    assert!(text.contains("larger than 1 MiB") && text.contains("Nothing was saved"), "{text}");
    assert!(text.to_ascii_lowercase().contains("x-content-type-options: nosniff"), "{text}");

    // Sent for real, 2 MiB: refused the same way, no session.
    let r = bare_client()
        .post(app.url("/api/sign_in"))
        .header("sec-fetch-site", "same-origin")
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 2 * 1024 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(!sets_cookie(&r));

    // Without a length (chunked): refused once it passes the limit, nothing signs in. (The
    // server may close the connection while the rest is still being sent: that is a refusal too.)
    let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/sign_in HTTP/1.1\r\nHost: {addr}\r\nSec-Fetch-Site: same-origin\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    tcp.write_all(head.as_bytes()).await.unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "a".repeat(64 * 1024));
    for _ in 0..24 {
        if tcp.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = tcp.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = timeout(Duration::from_secs(10), tcp.read_to_end(&mut answer)).await;
    let text = String::from_utf8_lossy(&answer).to_string();
    if !text.is_empty() {
        assert!(!text.starts_with("HTTP/1.1 2"), "{text}");
        assert!(!text.to_ascii_lowercase().contains("set-cookie"), "{text}");
    }

    // A form of ordinary size still goes through.
    let r = http_client()
        .post(app.url("/api/session_info"))
        .body("x=".to_string() + &"a".repeat(64 * 1024))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    app.stop().await;
}

// ---- 2. Security headers ----

#[tokio::test]
async fn every_response_carries_the_security_headers_and_pages_a_nonce_policy() {
    let app = App::start(|_| {}).await;
    let http = bare_client();
    let common_headers = |r: &reqwest::Response, what: &str| {
        assert_eq!(header(r, "x-content-type-options"), "nosniff", "{what}");
        assert_eq!(header(r, "x-frame-options"), "DENY", "{what}");
        assert_eq!(header(r, "referrer-policy"), "same-origin", "{what}");
        assert!(header(r, "content-security-policy").contains("frame-ancestors 'none'"), "{what}");
    };

    // A page: its own policy, naming the nonce its inline scripts carry.
    let r = http.get(app.url("/setup")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    common_headers(&r, "page");
    let policy = header(&r, "content-security-policy").to_string();
    let html = r.text().await.unwrap();
    let nonce = html
        .split("<script type=\"module\" nonce=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no hydration script with a nonce: {html}"));
    assert!(nonce.len() >= 16, "{nonce}");
    assert!(policy.contains(&format!("script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'")), "{policy}");
    assert!(policy.contains("connect-src 'self'") && !policy.contains("unsafe-inline"), "{policy}");
    // Every inline script on the page carries it (leptos' streamed resources too). The one
    // empty `<script></script>` (leptos_i18n's placeholder) never runs, so no policy applies.
    let scripts: Vec<&str> = html.split("<script").skip(1).filter(|s| !s.starts_with("></script>")).collect();
    assert!(scripts.len() >= 3, "{html}");
    for s in &scripts {
        let tag = s.split('>').next().unwrap_or_default();
        assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "a script without the nonce: <script{tag}>");
    }
    // A new page, a new nonce.
    let again = http.get(app.url("/setup")).send().await.unwrap();
    assert!(!header(&again, "content-security-policy").contains(nonce), "the nonce was reused");

    // A redirect, a server function, a health check, a missing file: the default policy.
    for r in [
        http.get(app.url("/")).send().await.unwrap(),
        http.post(app.url("/api/session_info")).send().await.unwrap(),
        http.get(app.url("/healthz")).send().await.unwrap(),
        http.get(app.url("/pkg/no-such-file.js")).send().await.unwrap(),
    ] {
        let what = format!("{} {}", r.status(), r.url());
        common_headers(&r, &what);
        assert_eq!(header(&r, "content-security-policy"), edge::DEFAULT_POLICY, "{what}");
    }

    // The public status page has no script at all. (Once set up: before that every page
    // leads to the first-run page.)
    common::team_of(&http_client(), &app.base).await;
    let r = http.get(app.url("/status/no-such-page")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    common_headers(&r, "status page");
    assert_eq!(header(&r, "content-security-policy"), edge::STATUS_PAGE_POLICY);
    app.stop().await;
}

// ---- 3. The Host allow-list ----

#[tokio::test]
async fn a_request_for_another_host_name_is_refused_but_health_checks_answer() {
    let app = App::start(|c| c.public_url = Some("https://lockstep.example.ac.kr".into())).await;
    let port = app.base.rsplit(':').next().unwrap().to_string();
    let http = bare_client();
    let get = |path: &str, host: &str| http.get(app.url(path)).header("host", host.to_string()).send();

    // DNS rebinding: a page on evil.example whose name now points at this server. It is
    // "same-origin" to the browser, so only the Host tells.
    let r = get("/setup", &format!("evil.example:{port}")).await.unwrap();
    assert_eq!(r.status(), StatusCode::MISDIRECTED_REQUEST);
    assert!(!sets_cookie(&r));
    let text = r.text().await.unwrap();
    assert!(text.contains("does not answer to the name \"evil.example:"), "{text}");
    assert!(text.contains("DNS rebinding") && text.contains("--public-url https://evil.example"), "{text}");
    assert!(text.contains("now lockstep.example.ac.kr") && text.contains("DNS 리바인딩"), "{text}");
    let r = http
        .post(app.url("/api/setup_owner"))
        .header("host", "evil.example")
        .header("sec-fetch-site", "same-origin")
        .form(&[("name", "Mallory"), ("email", "m@evil.example"), ("password", common::PASSWORD), ("team", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::MISDIRECTED_REQUEST);
    let info: SessionInfo =
        http_client().post(app.url("/api/session_info")).send().await.unwrap().json().await.unwrap();
    assert!(info.setup_needed, "the forged first-run went through");

    // Health checks answer whatever name a load balancer uses.
    for path in ["/healthz", "/readyz"] {
        assert_eq!(get(path, "10.0.3.7").await.unwrap().status(), StatusCode::OK, "{path}");
        assert_eq!(get(path, "evil.example").await.unwrap().status(), StatusCode::OK, "{path}");
    }

    // lockstep's own names: its addresses, localhost (any port: tunnels change it), the public URL's.
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "localhost:8080".to_string(),
        "lockstep.example.ac.kr".to_string(),
        "LOCKSTEP.example.ac.kr:443".to_string(),
    ] {
        let r = get("/setup", &host).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{host}");
    }
    app.stop().await;
}

// ---- 5. Live streams ----

/// A project of `http`'s team (made over HTTP) and a run in it that nothing advances (no
/// steps), written straight into the server's database: it stays active for the test.
async fn quiet_run(http: &reqwest::Client, base: &str, store: &Arc<dyn Store>) -> String {
    let team = common::team_of(http, base).await;
    let input = common::good_input();
    let form = [
        ("team_id", team.as_str()),
        ("name", input.name.as_str()),
        ("region", input.region.as_str()),
        ("instance", input.instance.as_str()),
        ("app_port", input.app_port.as_str()),
        ("health_path", input.health_path.as_str()),
        ("bucket", input.bucket.as_str()),
        ("framework", input.framework.as_str()),
    ];
    let r = http.post(format!("{base}/api/create_project")).form(&form).send().await.unwrap();
    let CreateOutcome::Created(project) = r.json().await.unwrap() else { panic!("project refused") };
    new_run(store, &project, &[]).await
}

async fn new_run(store: &Arc<dyn Store>, project: &str, steps: &[StepKind]) -> String {
    let id = uuid::Uuid::now_v7().simple().to_string();
    let run = NewRun {
        id: id.clone(),
        project_id: project.to_string(),
        kind: lockstep_domain::RunKind::Doctor,
        input: serde_json::json!({}),
        steps: steps.iter().map(|k| (uuid::Uuid::now_v7().simple().to_string(), *k)).collect(),
        started_by: None,
    };
    store.create_run(&run, 0).await.unwrap();
    id
}

/// A real `Application` with a second handle on its database, stopped by `stop`.
struct Served {
    base: String,
    stop: CancellationToken,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
    store: Arc<dyn Store>,
    _dir: tempfile::TempDir,
}

async fn serve() -> Served {
    let dir = tempfile::tempdir().unwrap();
    let config = common::serve_config(dir.path());
    let url = config.database_url();
    let app = lockstep_server::Application::build(config).await.unwrap();
    let base = format!("http://{}", app.local_addr());
    let stop = CancellationToken::new();
    let server = tokio::spawn(app.run_until({
        let stop = stop.clone();
        async move { stop.cancelled().await }
    }));
    let store = lockstep_server::open_store(&url).await.unwrap();
    Served { base, stop, server, store, _dir: dir }
}

#[tokio::test]
async fn a_person_may_follow_eight_runs_live_and_the_ninth_is_refused_with_words() {
    let s = serve().await;
    let http = http_client();
    let run = quiet_run(&http, &s.base, &s.store).await;
    let url = format!("{}/api/runs/{run}/events", s.base);
    let mut held = Vec::new();
    for i in 0..LiveLimits::default().per_user {
        let mut r = http.get(&url).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "stream {i}");
        // The first view arrives: the stream is really open.
        let first = timeout(Duration::from_secs(10), r.chunk()).await.unwrap().unwrap().unwrap();
        assert!(String::from_utf8_lossy(&first).contains(&run));
        held.push(r);
    }
    let ninth = http.get(&url).send().await.unwrap();
    assert_eq!(ninth.status(), StatusCode::TOO_MANY_REQUESTS);
    let text = ninth.text().await.unwrap();
    assert!(text.contains("You already follow 8 runs live") && text.contains("Close a page"), "{text}");
    assert!(text.contains("실시간"), "{text}");

    // A closed tab gives its place back (once the server notices the connection is gone).
    drop(held.pop());
    let start = std::time::Instant::now();
    loop {
        let r = http.get(&url).send().await.unwrap();
        if r.status() == StatusCode::OK {
            held.push(r);
            break;
        }
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(start.elapsed() < Duration::from_secs(30), "the closed stream's place never came back");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(held);
    s.stop.cancel();
    s.server.await.unwrap().unwrap();
}

#[tokio::test]
async fn shutting_down_ends_open_live_streams() {
    let s = serve().await;
    let http = http_client();
    let run = quiet_run(&http, &s.base, &s.store).await;
    let mut r = http.get(format!("{}/api/runs/{run}/events", s.base)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    timeout(Duration::from_secs(10), r.chunk()).await.unwrap().unwrap().unwrap();

    // The server stops while the tab still holds its stream: it does not wait for the tab.
    s.stop.cancel();
    let stopped = timeout(Duration::from_secs(15), s.server).await;
    assert!(stopped.is_ok(), "the server kept waiting on an open live stream");
    stopped.unwrap().unwrap().unwrap();
    // And the stream ended for the browser (which reconnects by itself).
    let rest = timeout(Duration::from_secs(5), async { while let Ok(Some(_)) = r.chunk().await {} }).await;
    assert!(rest.is_ok(), "the stream did not end");
}

/// The run's live stream as the bytes a browser gets.
fn sse_body(
    w: &common::World,
    who: &app::api::ssr::Caller,
    run: &str,
    live: &Arc<LiveStreams>,
) -> impl futures::Stream<Item = Result<axum::body::Bytes, axum::Error>> {
    let ticket = live.admit(who.user_id.as_deref().unwrap()).unwrap();
    let sse = Sse::new(run_stream(w.service.clone(), who.clone(), run.to_string(), ticket));
    Body::into_data_stream(sse.into_response().into_body())
}

#[tokio::test]
async fn a_removed_members_stream_ends_at_the_next_check() {
    let w = common::world().await;
    let project = common::project(&w).await;
    let run = new_run(&w.store, &project, &[]).await;
    let limits = LiveLimits { per_user: 8, recheck: Duration::from_millis(200) };
    let live = LiveStreams::new(limits, CancellationToken::new());
    let mut body = Box::pin(sse_body(&w, &w.me, &run, &live));
    let first = timeout(Duration::from_secs(10), body.next()).await.unwrap().unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains(&run));

    // Several checks pass while they are in the team: the stream stays open.
    assert!(timeout(Duration::from_millis(1200), body.next()).await.is_err(), "ended while allowed");
    let me = w.me.user_id.clone().unwrap();
    assert_eq!(live.open_for(&me), 1);

    // Removed from the team: the next check ends it, and its place is given back.
    assert!(w.store.remove_member(&w.team, &me).await.unwrap());
    let end = timeout(Duration::from_secs(5), body.next()).await;
    assert!(matches!(end, Ok(None)), "the stream went on after the member was removed");
    drop(body);
    assert_eq!(live.open_for(&me), 0);
}

#[tokio::test]
async fn a_stream_ends_after_the_runs_last_view() {
    let w = common::world().await;
    let project = common::project(&w).await;
    let run = new_run(&w.store, &project, &[StepKind::DoctorCheck]).await;
    let live = LiveStreams::new(LiveLimits::default(), CancellationToken::new());
    let mut body = Box::pin(sse_body(&w, &w.me, &run, &live));
    let first = timeout(Duration::from_secs(10), body.next()).await.unwrap().unwrap().unwrap();
    assert!(String::from_utf8_lossy(&first).contains("\"status\":\"active\""), "{first:?}");

    // The run's only step finishes (as a worker would finish it).
    let now = w.service.clock.now_ms();
    let claimed = w.store.claim("test-worker", now, 60_000).await.unwrap().expect("the step is due");
    let done = Completion::Succeeded { output: serde_json::json!({}), note: None };
    assert!(w.store.complete(&claimed.step.id, claimed.step.fence, &done, now).await.unwrap());

    // Its last view is sent, then the stream ends.
    let last = timeout(Duration::from_secs(10), body.next()).await.unwrap().unwrap().unwrap();
    assert!(!String::from_utf8_lossy(&last).contains("\"status\":\"active\""), "{last:?}");
    assert!(matches!(timeout(Duration::from_secs(5), body.next()).await, Ok(None)), "the stream outlived the run");
}

#[tokio::test]
async fn a_stream_ends_when_the_server_shuts_down() {
    let w = common::world().await;
    let project = common::project(&w).await;
    let run = new_run(&w.store, &project, &[]).await;
    let shutdown = CancellationToken::new();
    let live = LiveStreams::new(LiveLimits::default(), shutdown.clone());
    let mut body = Box::pin(sse_body(&w, &w.me, &run, &live));
    timeout(Duration::from_secs(10), body.next()).await.unwrap().unwrap().unwrap();
    shutdown.cancel();
    assert!(matches!(timeout(Duration::from_secs(2), body.next()).await, Ok(None)));
}

// ---- 6. The status-page cache ----

#[tokio::test]
async fn asking_for_unknown_status_pages_does_not_grow_the_cache() {
    use lockstep_server::status_page::public_page;
    let w = common::world().await;
    let cache = || w.service.adapters.status_pages.lock().unwrap().len();
    for i in 0..10_000 {
        let r = public_page(State(w.service.clone()), Path(format!("no-such-page-{i}")), Default::default()).await;
        assert_eq!(r.status(), axum::http::StatusCode::NOT_FOUND);
    }
    assert_eq!(cache(), 0, "misses were kept");

    // A published page is still kept (and only it).
    let project = common::project(&w).await;
    let row = lockstep_server::store::directory::StatusPageRow {
        project_id: project,
        slug: "team7-shop".into(),
        public: true,
        interval_minutes: 60,
        webhook_cipher: None,
        webhook_hint: None,
        next_check_at: i64::MAX,
        created_at: 0,
    };
    assert!(w.store.save_status_page(&row).await.unwrap());
    let r = public_page(State(w.service.clone()), Path("team7-shop".into()), Default::default()).await;
    assert_eq!(r.status(), axum::http::StatusCode::OK);
    assert_eq!(cache(), 1);
    assert!(cache() <= lockstep_server::status_page::CACHE_ENTRIES);
}

// ---- 7. Database URLs in errors ----

#[tokio::test]
async fn an_unsupported_database_url_is_named_without_its_password() {
    let Err(e) = lockstep_server::open_store("mysql://root:hunter2@db.internal:3306/lockstep").await else {
        panic!("mysql accepted")
    };
    let text = format!("{e:#}");
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("unsupported database URL \"mysql://root:***@db.internal:3306/lockstep\""), "{text}");
}
