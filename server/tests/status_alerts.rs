//! Status pages and alerts, in process against moto: scheduled re-checks through the job engine
//! with the doctor's step, the checks stored per name, and the webhook alerts (a real HTTP
//! receiver on loopback, through lockstep's real webhook adapter) sent once per threshold and
//! per incident, also across a restart; the public page and badge for valid / expiring /
//! failing; and two servers racing on one due re-check and one alert key (SQLite and
//! PostgreSQL); and a worker whose step is taken over while it sends alerts sending no more.
//!
//! The doctor's answers are scripted here (the `HttpsProbe` port): the alert rules are
//! lockstep's own, and certificates that expire in exactly 20 or 5 days cannot be made on
//! demand. The doctor itself is tested against the real HTTPS lab in `instance_https_lab`.

mod common;

use app::api::ssr::prelude::*;
use app::model::{ActionOutcome, StartOutcome, StatusForm};
use async_trait::async_trait;
use axum::body::to_bytes;
use axum::extract::{Path, State};
use common::{drive, project, world_with, World};
use lockstep_domain::doctor::{Area, Finding, Report, Verdict};
use lockstep_domain::status::Check;
use lockstep_domain::{Message, RunStatus, StepKind};
use lockstep_server::ports::{HttpsProbe, Webhook};
use lockstep_server::store::Store;
use std::sync::{Arc, Mutex, OnceLock};

const DAY: i64 = 86_400_000;

/// The doctor's next answer: the API certificate's notAfter, and whether a check fails.
#[derive(Clone, Copy)]
struct Script {
    not_after: i64,
    failing: bool,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// A certificate that expires `days` (and a half) from now.
fn expiring_in(days: i64) -> i64 {
    now_ms() + days * DAY + DAY / 2
}

struct ScriptedDoctor(Arc<Mutex<Script>>);

#[async_trait]
impl HttpsProbe for ScriptedDoctor {
    async fn check(&self, target: &lockstep_doctor::Target) -> Report {
        let s = *self.0.lock().unwrap();
        let host = target.url.host_str().unwrap_or_default().to_string();
        let mut findings = vec![Finding::new("tls.expiry", "ok", Area::Tls, &host, Verdict::Pass)
            .title("The certificate is valid")
            .expires_at(s.not_after)];
        if s.failing {
            findings.push(
                Finding::new("http.health", "status", Area::Http, &host, Verdict::Fail)
                    .title("The health check answers 502 (target group arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/x)")
                    .ko("상태 확인이 502로 응답합니다 (대상 그룹 arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/x)", "", ""),
            );
        }
        Report { target: target.url.to_string(), origin: None, checked_at: String::new(), millis: 1, findings }
    }
}

/// A webhook receiver on loopback: every JSON body it got.
async fn receiver() -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let app = axum::Router::new().route(
        "/services/T000/B000/s3cr3tTOKENabcd",
        axum::routing::post({
            let got = got.clone();
            move |axum::Json(v): axum::Json<serde_json::Value>| {
                let got = got.clone();
                async move {
                    got.lock().unwrap().push(v);
                    "ok"
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/services/T000/B000/s3cr3tTOKENabcd", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, got)
}

async fn check(w: &World, pid: &str) {
    let StartOutcome::Started(run) = w.service.check_status_now(&w.me, pid).await.unwrap() else { panic!("refused") };
    let done = drive(w, &run.id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
}

fn texts(got: &Arc<Mutex<Vec<serde_json::Value>>>) -> Vec<String> {
    got.lock().unwrap().iter().map(|v| v["text"].as_str().unwrap_or_default().to_string()).collect()
}

async fn page(w: &World, slug: &str, badge: bool) -> (u16, String) {
    page_in(w, slug, badge, None).await
}

/// The page (or badge) for a browser that asks for `accept_language`.
async fn page_in(w: &World, slug: &str, badge: bool, accept_language: Option<&str>) -> (u16, String) {
    // Pages are served from memory for 5 s; read this one fresh.
    w.service.adapters.status_pages.lock().unwrap().clear();
    let state = State(w.service.clone());
    let mut headers = axum::http::HeaderMap::new();
    if let Some(l) = accept_language {
        headers.insert(axum::http::header::ACCEPT_LANGUAGE, l.parse().unwrap());
    }
    let r = if badge {
        lockstep_server::status_page::public_badge(state, Path(slug.to_string())).await
    } else {
        lockstep_server::status_page::public_page(state, Path(slug.to_string()), headers).await
    };
    let status = r.status().as_u16();
    let body = to_bytes(r.into_body(), 1 << 20).await.unwrap();
    (status, String::from_utf8_lossy(&body).to_string())
}

#[tokio::test]
async fn alerts_go_out_once_per_threshold_and_incident_even_across_a_restart() {
    let script = Arc::new(Mutex::new(Script { not_after: expiring_in(30), failing: false }));
    let w = world_with({
        let script = script.clone();
        move |mut a| {
            a.probe = Arc::new(ScriptedDoctor(script));
            // The receiver is plain http on loopback: the lab/test opt-in, in the sandbox.
            a.webhook = Arc::new(lockstep_server::net::webhook::HttpWebhook::allow_private_targets(true));
            a
        }
    })
    .await;
    let pid = project(&w).await;
    let zones = w.service.list_zones(&w.me, &pid).await.unwrap();
    let zone = zones.iter().find(|z| z.name == "lockstep-demo.com").unwrap();
    w.service.choose_zone(&w.me, &pid, &zone.id).await.unwrap();
    let (url, got) = receiver().await;

    // Field errors first, nothing saved.
    let bad = StatusForm {
        public: true,
        slug: "No Spaces".into(),
        interval_minutes: "1".into(),
        webhook: Some("http://hooks.example.com/x".into()),
        clear_webhook: false,
    };
    let ActionOutcome::Invalid(problems) = w.service.save_status_settings(&w.me, &pid, bad).await.unwrap() else {
        panic!("bad settings accepted")
    };
    let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
    assert_eq!(fields, ["slug", "interval_minutes", "webhook"]);
    let (code, _) = page(&w, "team-shop", false).await;
    assert_eq!(code, 404, "not published yet");

    let form = StatusForm {
        public: true,
        slug: "team-shop".into(),
        interval_minutes: "60".into(),
        webhook: Some(url.clone()),
        clear_webhook: false,
    };
    assert_eq!(w.service.save_status_settings(&w.me, &pid, form).await.unwrap(), ActionOutcome::Done);
    let settings = w.service.status_settings(&w.me, &pid).await.unwrap();
    // The page gets a hint, never the URL: its token part stays secret.
    let hint = settings.webhook_hint.unwrap();
    assert!(hint.ends_with("…abcd") && !hint.contains("s3cr3t"), "{hint}");

    // 30 days: nothing. 20: "21 days" once; the same certificate again: nothing new. A
    // certificate 5 days from expiry: the 7-day alert only (not 21 and 14 as well).
    check(&w, &pid).await;
    assert!(texts(&got).is_empty(), "{:?}", texts(&got));
    let (code, html) = page(&w, "team-shop", false).await;
    assert_eq!(code, 200);
    assert!(html.contains("HTTPS OK") && html.contains("30 days") && html.contains("api.lockstep-demo.com"), "{html}");
    assert!(page(&w, "team-shop", true).await.1.contains(">valid<"));

    script.lock().unwrap().not_after = expiring_in(20);
    check(&w, &pid).await;
    assert_eq!(texts(&got).len(), 1);
    assert!(texts(&got)[0].contains("expires in 20 days"), "{:?}", texts(&got));
    check(&w, &pid).await;
    assert_eq!(texts(&got).len(), 1, "no second alert inside one threshold");
    script.lock().unwrap().not_after = expiring_in(5);
    check(&w, &pid).await;
    assert_eq!(texts(&got).len(), 2);
    assert!(texts(&got)[1].contains("expires in 5 days"));
    // Slack reads `text`, Discord `content`: both carry the alert.
    let second = got.lock().unwrap()[1].clone();
    assert_eq!(second["content"], second["text"]);

    // A restart: a new service (and engine) on the same database sends nothing again.
    let again = common::same_store(&w).await;
    check(&again, &pid).await;
    assert_eq!(texts(&got).len(), 2, "a restart re-sent an alert: {:?}", texts(&got));

    // Failure once, not twice; recovery once.
    script.lock().unwrap().failing = true;
    check(&again, &pid).await;
    check(&again, &pid).await;
    let t = texts(&got);
    assert_eq!(t.len(), 3, "{t:?}");
    assert!(t[2].contains("HTTPS on api.lockstep-demo.com is failing"), "{t:?}");
    let (_, html) = page(&again, "team-shop", false).await;
    assert!(html.contains("Failing:") && html.contains("data-incident") && html.contains("ongoing"), "{html}");
    assert!(!html.contains("arn:aws") && !html.contains("123456789012"), "no ARN or account id on the public page");
    assert!(page(&again, "team-shop", true).await.1.contains("failing"));
    // In Korean, the failing check's own words too (recorded with the check), in the alert and on the page.
    assert!(
        t[2].contains("\napi.lockstep-demo.com의 HTTPS가 실패하고 있습니다: 상태 확인이 502로 응답합니다"),
        "{t:?}"
    );
    let (_, html_ko) = page_in(&again, "team-shop", false, Some("ko-KR,ko;q=0.9")).await;
    assert!(html_ko.contains("실패: 상태 확인이 502로 응답합니다") && html_ko.contains("진행 중"), "{html_ko}");
    assert!(!html_ko.contains("The health check answers") && !html_ko.contains("arn:aws"), "{html_ko}");
    script.lock().unwrap().failing = false;
    check(&again, &pid).await;
    check(&again, &pid).await;
    let t = texts(&got);
    assert_eq!(t.len(), 4, "{t:?}");
    assert!(t[3].contains("works again"));
    let (_, html) = page(&again, "team-shop", false).await;
    assert!(html.contains("HTTPS OK") && html.contains("5 days"), "{html}");
    assert!(page(&again, "team-shop", true).await.1.contains("expires in 5 days"));
}

async fn race_on(a: Arc<dyn Store>, b: Arc<dyn Store>, project_id: &str) {
    use lockstep_server::store::directory::StatusPageRow;
    let now = 1_000_000;
    let row = StatusPageRow {
        project_id: project_id.into(),
        slug: format!("race-{}", &project_id[..8]),
        public: true,
        interval_minutes: 60,
        webhook_cipher: None,
        webhook_hint: None,
        next_check_at: now - 1,
        created_at: 0,
    };
    assert!(a.save_status_page(&row).await.unwrap());
    for round in 0..20 {
        let at = now + round * 60 * 60_000;
        let (x, y) = tokio::join!(a.claim_due_status_check(at), b.claim_due_status_check(at));
        let claimed = [x.unwrap(), y.unwrap()].into_iter().flatten().count();
        assert_eq!(claimed, 1, "round {round}: one re-check per interval across servers");
        let key = format!("expiry:api.team.com:{round}:7");
        let (x, y) = tokio::join!(a.claim_alert(project_id, &key, at), b.claim_alert(project_id, &key, at));
        assert!(x.unwrap() ^ y.unwrap(), "round {round}: one alert");
    }
    // Checks recorded by either are read by both.
    let c = Check {
        name: "api.team.com".into(),
        at_ms: now,
        ok: true,
        failing: None,
        failing_ko: None,
        not_after_ms: Some(now + 5 * DAY),
        not_before_ms: Some(now - DAY),
        grade: Some("B".into()),
        grade_why: Some("no Content-Security-Policy -25".into()),
        grade_why_ko: Some("Content-Security-Policy 없음 -25".into()),
    };
    a.record_status_checks(project_id, std::slice::from_ref(&c)).await.unwrap();
    assert_eq!(b.status_checks(project_id, 0).await.unwrap(), vec![c]);
    // A short-lived certificate brings the next check forward, never back.
    let next = |p: Option<StatusPageRow>| p.map(|p| p.next_check_at).unwrap_or_default();
    let scheduled = next(b.status_page(project_id).await.unwrap());
    a.check_again_by(project_id, scheduled + 60_000).await.unwrap();
    assert_eq!(next(b.status_page(project_id).await.unwrap()), scheduled, "never later");
    b.check_again_by(project_id, scheduled - 60_000).await.unwrap();
    assert_eq!(next(a.status_page(project_id).await.unwrap()), scheduled - 60_000, "sooner");
}

async fn seeded_project(store: &Arc<dyn Store>) -> String {
    let (_, team) = common::owner(store).await;
    let id = uuid::Uuid::new_v4().simple().to_string();
    store
        .insert_project(&lockstep_server::store::ProjectRow {
            id: id.clone(),
            name: "race".into(),
            spec: serde_json::json!({}),
            plan: None,
            team_id: Some(team),
            created_at: 0,
        })
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn two_servers_racing_get_one_recheck_and_one_alert() {
    // SQLite: two pools on one file (two processes would be refused by the data-dir lock, but
    // the statements must be right anyway).
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("r.db").display());
    let a: Arc<dyn Store> = Arc::new(lockstep_server::store::sqlite::SqliteStore::open(&url).await.unwrap());
    let b: Arc<dyn Store> = Arc::new(lockstep_server::store::sqlite::SqliteStore::open(&url).await.unwrap());
    let pid = seeded_project(&a).await;
    race_on(a, b, &pid).await;
    // PostgreSQL: two servers' pools on one database.
    let db = common::pg::database().await;
    let a: Arc<dyn Store> = Arc::new(lockstep_server::store::postgres::PgStore::open(&db).await.unwrap());
    let b: Arc<dyn Store> = Arc::new(lockstep_server::store::postgres::PgStore::open(&db).await.unwrap());
    let pid = seeded_project(&a).await;
    race_on(a, b, &pid).await;
}

/// A webhook that keeps what it got; while the first alert is being sent, another worker
/// takes the status step over (as when this worker's lease ran out mid-turn).
struct TakeoverWebhook {
    got: Arc<Mutex<Vec<serde_json::Value>>>,
    store: Arc<OnceLock<Arc<dyn Store>>>,
}

#[async_trait]
impl Webhook for TakeoverWebhook {
    async fn vet(&self, _url: &str) -> Result<(), Message> {
        Ok(())
    }

    async fn post(&self, _url: &str, body: &serde_json::Value) -> Result<(), Message> {
        let first = {
            let mut got = self.got.lock().unwrap();
            got.push(body.clone());
            got.len() == 1
        };
        if first {
            let store = self.store.get().expect("the store is known");
            assert_eq!(store.release_leases(STALE).await.unwrap(), 1, "the sender held the step");
            loop {
                let c = store.claim("taker", now_ms(), 60_000).await.unwrap().expect("the status step is due again");
                if c.step.kind == StepKind::StatusRecord {
                    break;
                }
            }
            // The taker gives it back at once: its claim made the sender's fence stale.
            store.release_leases("taker").await.unwrap();
        }
        Ok(())
    }
}

/// The worker whose lease is taken over while it sends.
const STALE: &str = "worker-a";

/// Two alerts are due in one turn (the certificate expires in 5 days and HTTPS fails). While
/// the first is sent, the step is taken over: the stale worker sends nothing more (its fenced
/// claim of the second alert is refused), and the step's next holder sends the second. Each
/// alert goes out once, and only while its sender holds the step.
#[tokio::test]
async fn a_worker_whose_step_was_taken_over_sends_no_further_alert() {
    let script = Arc::new(Mutex::new(Script { not_after: expiring_in(5), failing: true }));
    let got = Arc::new(Mutex::new(Vec::new()));
    let store_slot = Arc::new(OnceLock::new());
    let w = world_with({
        let (script, got, store_slot) = (script.clone(), got.clone(), store_slot.clone());
        move |mut a| {
            a.probe = Arc::new(ScriptedDoctor(script));
            a.webhook = Arc::new(TakeoverWebhook { got, store: store_slot });
            a
        }
    })
    .await;
    assert!(store_slot.set(w.store.clone()).is_ok());
    let pid = project(&w).await;
    let zones = w.service.list_zones(&w.me, &pid).await.unwrap();
    let zone = zones.iter().find(|z| z.name == "lockstep-demo.com").unwrap();
    w.service.choose_zone(&w.me, &pid, &zone.id).await.unwrap();
    let form = StatusForm {
        public: true,
        slug: "stale-shop".into(),
        interval_minutes: "60".into(),
        webhook: Some("https://hooks.example.com/services/T0/B0/abcd".into()),
        clear_webhook: false,
    };
    assert_eq!(w.service.save_status_settings(&w.me, &pid, form).await.unwrap(), ActionOutcome::Done);

    let StartOutcome::Started(run) = w.service.check_status_now(&w.me, &pid).await.unwrap() else { panic!("refused") };
    let stop = tokio_util::sync::CancellationToken::new();
    let start = std::time::Instant::now();
    // Turns of the stale worker until its turn that sent the first alert has ended.
    while got.lock().unwrap().is_empty() {
        assert!(start.elapsed() < std::time::Duration::from_secs(30), "no alert was sent");
        if !w.service.engine.run_once(STALE, &stop).await.unwrap() {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    assert_eq!(got.lock().unwrap().len(), 1, "the stale worker sent another alert");
    assert_eq!(w.store.sent_alerts(&pid).await.unwrap().len(), 1, "the stale worker claimed another alert");

    // The step's holder finishes it: the second alert, once.
    let done = drive(&w, &run.id).await;
    assert_eq!(done.status, RunStatus::Succeeded, "{done:#?}");
    let texts = texts(&got);
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("expires in 5 days")), "{texts:?}");
    assert!(texts.iter().any(|t| t.contains("is failing")), "{texts:?}");
    assert_eq!(w.store.sent_alerts(&pid).await.unwrap().len(), 2);
    // The checks were written once, by the worker that held the step then.
    assert_eq!(w.store.status_checks(&pid, 0).await.unwrap().len(), 2, "one check per name");
}
