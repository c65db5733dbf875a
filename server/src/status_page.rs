//! The public status page of a project (`/status/<slug>` and its SVG badge), its settings, and
//! the scheduler that starts the hourly re-checks.
//!
//! The page is plain server-rendered HTML (no wasm, no script): it is what strangers and
//! README badges load, so it must be small and fast; a rendered page is kept for a few seconds.
//! It shows names, verdicts, expiry days, times and incidents only: anything in a check's text
//! that looks like an ARN or an AWS account id is blanked out.

use crate::service::Lockstep;
use crate::steps::status::{self as status_steps, StatusInput};
use crate::store::directory::StatusPageRow;
use app::api::ssr::Caller;
use app::model::*;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use lockstep_domain::account::{msg, FieldProblem, Message, Need};
use lockstep_domain::status::{self as rules, Badge, Check, DayState, HISTORY_DAYS};
use lockstep_domain::UserError;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;
use tracing::{info, warn};

/// Default minutes between scheduled re-checks.
pub const DEFAULT_INTERVAL: i64 = 60;
/// How long a rendered page or badge is served from memory.
const CACHE_FOR: Duration = Duration::from_secs(5);
/// The most rendered pages kept at once (a slug in each language): far more than a school's
/// published pages, and a bound on what strangers asking for slugs can make this server hold.
pub const CACHE_ENTRIES: usize = 512;

/// Starts due re-checks until `stop`: every `tick`, claims due projects one by one.
pub async fn schedule(service: Arc<Lockstep>, tick: Duration, stop: CancellationToken) {
    loop {
        loop {
            let now = service.clock.now_ms();
            match service.store.claim_due_status_check(now).await {
                Ok(Some(page)) => {
                    if let Err(e) = service.start_status_run(&page.project_id, None).await {
                        warn!(project_id = %page.project_id, error = %e, "scheduled re-check not started");
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    warn!(error = %e, "looking for due re-checks");
                    break;
                }
            }
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(tick) => {}
        }
    }
}

fn internal(e: impl std::fmt::Display) -> AppError {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    tracing::error!(reference, error = %e, "status page");
    AppError::Internal(reference)
}

/// `https://hooks.slack.com/services/…/AbCd`: enough to recognise, useless to use.
fn hint(url: &str) -> String {
    let scheme_host = url.split_once("://").map(|(s, _)| s).unwrap_or("");
    let host = url.split("://").nth(1).and_then(|r| r.split('/').next()).unwrap_or_default();
    let tail: String = url.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("{scheme_host}://{host}/…{tail}")
}

/// A status page address: 3 to 40 lower-case letters, digits and dashes.
pub fn check_slug(slug: &str) -> Result<(), Message> {
    let ok = (3..=40).contains(&slug.len())
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(msg(
            "Use 3 to 40 lower-case letters, digits and dashes, e.g. team7-shop.",
            "영어 소문자, 숫자, 대시(-)로 3자에서 40자 사이로 쓰세요. 예: team7-shop.",
        ))
    }
}

impl Lockstep {
    /// Starts a status run (the doctor, then recording and alerts) unless one is running.
    pub async fn start_status_run(
        &self,
        project_id: &str,
        by: Option<&str>,
    ) -> Result<Option<lockstep_domain::RunView>, AppError> {
        let (row, spec) = self.project(project_id).await?;
        let Some(plan) = self.plan(project_id).await? else { return Ok(None) };
        if let Some(run) = self.active_view(project_id, status_steps::RUN_KIND).await? {
            return Ok(Some(run));
        }
        let mut names = vec![plan.api.as_str().to_string()];
        names.extend(plan.frontend.iter().take(1).map(|f| f.as_str().to_string()));
        let input = StatusInput { doctor: self.doctor_input(&spec, &plan), project_name: row.name, names };
        let input = serde_json::to_value(&input).map_err(internal)?;
        let run = self
            .start_run(by.unwrap_or_default(), project_id, status_steps::RUN_KIND, input, &status_steps::STEPS)
            .await?;
        info!(project_id, run_id = %run.id, "status re-check started");
        Ok(Some(run))
    }

    pub(crate) async fn st_settings(&self, who: &Caller, project_id: &str) -> Result<StatusSettings, AppError> {
        let a = self.guard(who, project_id, Need::Read).await?;
        let page = self.store.status_page(project_id).await.map_err(internal)?;
        let latest = self.store.latest_run(project_id, status_steps::RUN_KIND).await.map_err(internal)?;
        Ok(match page {
            Some(p) => StatusSettings {
                slug: p.slug,
                public: p.public,
                interval_minutes: p.interval_minutes,
                webhook_hint: p.webhook_hint,
                saved: true,
                next_check_at: Some(p.next_check_at),
                last_run: latest.map(|(r, s)| crate::service::run_view(r, s)),
            },
            None => StatusSettings {
                slug: suggested_slug(&a.project.name),
                public: false,
                interval_minutes: DEFAULT_INTERVAL,
                webhook_hint: None,
                saved: false,
                next_check_at: None,
                last_run: latest.map(|(r, s)| crate::service::run_view(r, s)),
            },
        })
    }

    pub(crate) async fn st_save(
        &self,
        who: &Caller,
        project_id: &str,
        form: StatusForm,
    ) -> Result<ActionOutcome, AppError> {
        self.guard(who, project_id, Need::Manage).await?;
        let mut problems = Vec::new();
        let slug = form.slug.trim().to_lowercase();
        if let Err(m) = check_slug(&slug) {
            problems.push(FieldProblem::new("slug", m));
        }
        let interval = match form.interval_minutes.trim().parse::<i64>() {
            Ok(m) if (5..=1440).contains(&m) => m,
            _ => {
                problems.push(FieldProblem::new(
                    "interval_minutes",
                    msg(
                        "Check every 5 to 1440 minutes (60 is hourly).",
                        "5분에서 1440분 사이로 정하세요 (60은 한 시간마다).",
                    ),
                ));
                DEFAULT_INTERVAL
            }
        };
        let webhook = form.webhook.as_deref().map(str::trim).filter(|w| !w.is_empty());
        if let Some(w) = webhook {
            // Public https only, judged by the adapter that will send to it (`net/webhook.rs`):
            // lockstep must not be a way into the network it runs in.
            if let Err(m) = self.adapters.webhook.vet(w).await {
                problems.push(FieldProblem::new("webhook", m));
            }
        }
        if !problems.is_empty() {
            return Ok(ActionOutcome::Invalid(problems));
        }
        let existing = self.store.status_page(project_id).await.map_err(internal)?;
        let now = self.clock.now_ms();
        let (webhook_cipher, webhook_hint) = match (webhook, form.clear_webhook) {
            (Some(w), _) => (Some(self.adapters.secrets.seal(w)), Some(hint(w))),
            (None, true) => (None, None),
            (None, false) => {
                existing.as_ref().map(|e| (e.webhook_cipher.clone(), e.webhook_hint.clone())).unwrap_or_default()
            }
        };
        let row = StatusPageRow {
            project_id: project_id.to_string(),
            slug: slug.clone(),
            public: form.public,
            interval_minutes: interval,
            webhook_cipher,
            webhook_hint,
            // A new or changed schedule checks soon; otherwise it keeps its turn.
            next_check_at: match &existing {
                Some(e) if e.interval_minutes == interval => e.next_check_at,
                _ => now,
            },
            created_at: existing.as_ref().map(|e| e.created_at).unwrap_or(now),
        };
        if !self.store.save_status_page(&row).await.map_err(internal)? {
            return Ok(ActionOutcome::Invalid(vec![FieldProblem::new(
                "slug",
                msg(
                    format!("/status/{slug} is taken by another project. Pick another name."),
                    format!("/status/{slug}는 다른 프로젝트가 쓰고 있습니다. 다른 이름을 고르세요."),
                ),
            )]));
        }
        self.adapters.status_pages.lock().unwrap_or_else(|p| p.into_inner()).clear();
        Ok(ActionOutcome::Done)
    }

    pub(crate) async fn st_check_now(&self, who: &Caller, project_id: &str) -> Result<StartOutcome, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        match self.start_status_run(project_id, Some(&a.user.id)).await? {
            Some(run) => Ok(StartOutcome::Started(run)),
            None => Ok(StartOutcome::Refused(UserError {
                ko: lockstep_domain::ko(
                    "아직 확인할 것이 없습니다.",
                    "상태 페이지는 프로젝트의 이름을 확인하는데, 그 이름은 도메인을 바탕으로 정해집니다.",
                    "먼저 1단계에서 도메인을 선택하세요.",
                ),
                what: "There is nothing to check yet.".into(),
                why: "The status page checks the project's names, which come from its domain.".into(),
                fix: "Choose a domain in step 1 first.".into(),
            })),
        }
    }
}

fn suggested_slug(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let s: String = s.chars().take(40).collect();
    if s.len() >= 3 {
        s
    } else {
        format!("project-{s}").trim_end_matches('-').to_string()
    }
}

/// Rendered pages and badges of published pages, by slug and language, for a few seconds.
///
/// Bounded (issue 19): an address with no published page is not kept (it used to be, so every
/// made-up slug a stranger asked for stayed in memory), and beyond [`CACHE_ENTRIES`] the
/// stale entries, then the oldest, make room.
#[derive(Default)]
pub struct PageCache(HashMap<String, (Instant, (String, String))>);

impl PageCache {
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// How many rendered pages are kept now.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The page and badge under `key`, if rendered less than [`CACHE_FOR`] ago.
    fn fresh(&self, key: &str) -> Option<(String, String)> {
        self.0.get(key).filter(|(at, _)| at.elapsed() < CACHE_FOR).map(|(_, v)| v.clone())
    }

    /// Keeps `rendered` under `key` as rendered `at`, making room first when full.
    fn put(&mut self, key: String, rendered: (String, String), at: Instant) {
        if !self.0.contains_key(&key) && self.0.len() >= CACHE_ENTRIES {
            self.0.retain(|_, (t, _)| t.elapsed() < CACHE_FOR);
            while self.0.len() >= CACHE_ENTRIES {
                let Some(oldest) = self.0.iter().min_by_key(|(_, (t, _))| *t).map(|(k, _)| k.clone()) else { break };
                self.0.remove(&oldest);
            }
        }
        self.0.insert(key, (at, rendered));
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Blanks out what a public page must not show: ARNs and 12-digit account ids.
pub fn public_text(s: &str) -> String {
    s.split_inclusive(char::is_whitespace)
        .map(|w| {
            let word = w.trim_end();
            let tail = &w[word.len()..];
            let core = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            if word.contains("arn:aws") {
                format!("(an AWS resource){tail}")
            } else if core.len() == 12 && core.bytes().all(|b| b.is_ascii_digit()) {
                format!("{}{tail}", word.replace(core, "(account)"))
            } else {
                w.to_string()
            }
        })
        .collect()
}

fn utc(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .map(|t| {
            format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
        })
        .unwrap_or_default()
}

/// The public page's language: Korean for a visitor whose browser prefers it, else English.
/// (The badge stays English: README badges are, and its width is measured for Latin letters.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageLang {
    En,
    Ko,
}

impl PageLang {
    /// From `Accept-Language`: the preferred of Korean and English (q-values respected).
    pub fn from_accept_language(header: Option<&str>) -> PageLang {
        let mut best: Option<(f32, PageLang)> = None;
        for part in header.unwrap_or_default().split(',') {
            let mut bits = part.trim().split(';');
            let tag = bits.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = bits.find_map(|b| b.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            let lang = match tag.split('-').next() {
                Some("ko") => PageLang::Ko,
                Some("en") => PageLang::En,
                _ => continue,
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or(PageLang::En)
    }
}

/// The page (in `lang`) and the badge for a project's checks.
pub fn render(project: &str, slug: &str, checks: &[Check], now: i64, lang: PageLang) -> (String, String) {
    let ko = lang == PageLang::Ko;
    let t = |en: &'static str, kr: &'static str| if ko { kr } else { en };
    // The latest check of each name, in the order names first appeared.
    let mut names: Vec<&str> = Vec::new();
    for c in checks {
        if !names.contains(&c.name.as_str()) {
            names.push(&c.name);
        }
    }
    let latest: Vec<Check> = names.iter().filter_map(|n| checks.iter().rev().find(|c| c.name == *n).cloned()).collect();
    let badge = rules::badge(&latest, now);
    let svg = rules::badge_svg(&badge);
    let headline = match (&badge, ko) {
        (Badge::Valid, false) => "All names serve valid HTTPS.".to_string(),
        (Badge::Valid, true) => "모든 이름이 유효한 HTTPS로 응답합니다.".to_string(),
        (Badge::ExpiresIn(d), false) => format!("HTTPS works; a certificate expires in {d} day(s)."),
        (Badge::ExpiresIn(d), true) => format!("HTTPS는 동작하지만, 인증서가 {d}일 뒤 만료됩니다."),
        (Badge::Failing, false) => "HTTPS is failing on at least one name.".to_string(),
        (Badge::Failing, true) => "적어도 한 이름에서 HTTPS가 실패하고 있습니다.".to_string(),
        (Badge::Unknown, _) => t("Not checked yet.", "아직 점검하지 않았습니다.").to_string(),
    };
    let mut rows = String::new();
    for c in &latest {
        let state = if c.ok {
            format!("<span class=ok data-state=ok>{}</span>", t("HTTPS OK", "HTTPS 정상"))
        } else {
            // The failing check's own words are the doctor's title, as recorded in both languages.
            format!(
                "<span class=fail data-state=failing>{} {}</span>",
                t("Failing:", "실패:"),
                esc(&public_text(c.failing_in(ko).unwrap_or(t("the check failed", "점검에 실패했습니다"))))
            )
        };
        let expiry = match (c.expiry_days(now), ko) {
            (Some(d), _) if d < 0 => t("expired", "만료됨").to_string(),
            (Some(d), false) => format!("{d} days"),
            (Some(d), true) => format!("{d}일"),
            (None, _) => t("unknown", "알 수 없음").to_string(),
        };
        let bar: String = rules::history(checks, &c.name, now)
            .iter()
            .map(|d| {
                let (class, what) = match d {
                    DayState::NoData => ("none", t("no data", "기록 없음")),
                    DayState::Ok => ("ok", t("ok", "정상")),
                    DayState::Partial => ("partial", t("some checks failed", "일부 점검 실패")),
                    DayState::Failing => ("fail", t("failing", "실패")),
                };
                format!("<i class={class} title=\"{what}\"></i>")
            })
            .collect();
        let last_days = if ko { format!("최근 {HISTORY_DAYS}일") } else { format!("last {HISTORY_DAYS} days") };
        rows.push_str(&format!(
            "<section class=name data-name=\"{n}\"><h2>{n}</h2><p>{state}</p>\
             <dl><dt>{expires_in}</dt><dd data-expiry>{expiry}</dd><dt>{last_check}</dt><dd>{last}</dd></dl>\
             <div class=bar aria-label=\"{last_days}\">{bar}</div></section>",
            n = esc(&c.name),
            last = utc(c.at_ms),
            expires_in = t("Certificate expires in", "인증서 만료까지"),
            last_check = t("Last check", "마지막 점검"),
        ));
    }
    let incidents = rules::incidents(checks);
    let mut inc = String::new();
    for i in incidents.iter().rev().take(20) {
        inc.push_str(&format!(
            "<li data-incident><strong>{}</strong>: {} <span class=muted>({} {} {})</span></li>",
            esc(&i.name),
            esc(&public_text(i.what_in(ko))),
            utc(i.start_ms),
            t("to", "~"),
            i.end_ms.map(utc).unwrap_or_else(|| t("ongoing", "진행 중").into())
        ));
    }
    if inc.is_empty() {
        inc = format!(
            "<li class=muted>{}</li>",
            t("No incidents in the last 90 days.", "최근 90일 동안 장애가 없었습니다.")
        );
    }
    let page = format!(
        "<!DOCTYPE html><html lang={lang}><head><meta charset=utf-8><meta name=viewport content=\"width=device-width, initial-scale=1\">\
<title>{p} · {title}</title><style>\
body{{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1f2328}}\
.ok{{color:#17803d;font-weight:600}}.fail{{color:#c0262d;font-weight:600}}.muted{{color:#6b7280}}\
.name{{border:1px solid #d0d7de;border-radius:8px;padding:.8rem 1rem;margin:1rem 0}}h2{{margin:.2rem 0;font-size:1.1rem}}\
dl{{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem;margin:.5rem 0}}dd{{margin:0}}\
.bar{{display:flex;gap:1px;height:1.6rem}}.bar i{{flex:1;border-radius:1px}}.bar .ok{{background:#2da44e}}\
.bar .partial{{background:#d4a72c}}.bar .fail{{background:#cf222e}}.bar .none{{background:#d0d7de}}\
</style></head><body><h1>{p}</h1><p><img src=\"/status/{s}/badge.svg\" alt=\"{h}\"></p><p data-headline>{h}</p>{rows}\
<h2>{incidents_title}</h2><ul>{inc}</ul><p class=muted>{footer}</p></body></html>",
        lang = if ko { "ko" } else { "en" },
        title = t("HTTPS status", "HTTPS 상태"),
        incidents_title = t("Incidents", "장애 기록"),
        footer = t("Checked by lockstep from outside, as a browser would.", "lockstep이 브라우저처럼 바깥에서 점검했습니다."),
        p = esc(project),
        s = esc(slug),
        h = esc(&headline),
    );
    (page, svg)
}

async fn cached(service: &Lockstep, slug: &str, lang: PageLang) -> Option<(String, String)> {
    let key = format!("{slug}|{lang:?}");
    if let Some(v) = service.adapters.status_pages.lock().unwrap_or_else(|p| p.into_inner()).fresh(&key) {
        return Some(v);
    }
    let page = service.store.status_page_by_slug(slug).await.ok().flatten().filter(|p| p.public);
    let rendered = match page {
        Some(p) => {
            let now = service.clock.now_ms();
            let name =
                service.store.get_project(&p.project_id).await.ok().flatten().map(|r| r.name).unwrap_or_default();
            let checks = match service.store.status_checks(&p.project_id, now - HISTORY_DAYS * 86_400_000).await {
                Ok(c) => c,
                Err(e) => {
                    // Shown as "not checked yet" rather than an error page to strangers; logged.
                    warn!(project_id = %p.project_id, error = %e, "status page: reading the checks");
                    Vec::new()
                }
            };
            Some(render(&name, slug, &checks, now, lang))
        }
        None => None,
    };
    // Only published pages are kept: a miss is one indexed query, and is not remembered.
    if let Some(r) = &rendered {
        service.adapters.status_pages.lock().unwrap_or_else(|p| p.into_inner()).put(key, r.clone(), Instant::now());
    }
    rendered
}

fn not_published() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html("<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>No status page</title></head><body><h1>No status page here</h1><p>This address has no published status page. If it is yours, publish it from the project's page in lockstep.</p></body></html>"),
    )
        .into_response()
}

pub async fn public_page(
    State(service): State<Arc<Lockstep>>,
    Path(slug): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let lang = PageLang::from_accept_language(headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()));
    match cached(&service, &slug, lang).await {
        Some((page, _)) => {
            ([(header::CACHE_CONTROL, "public, max-age=30"), (header::VARY, "Accept-Language")], Html(page))
                .into_response()
        }
        None => not_published(),
    }
}

pub async fn public_badge(State(service): State<Arc<Lockstep>>, Path(slug): Path<String>) -> Response {
    match cached(&service, &slug, PageLang::En).await {
        Some((_, svg)) => {
            ([(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=300")], svg)
                .into_response()
        }
        None => not_published(),
    }
}

/// The cache the service keeps (one per server).
pub type SharedCache = Mutex<PageCache>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_at_most_its_bound_and_drops_the_oldest() {
        let mut cache = PageCache::default();
        let start = Instant::now();
        let page = || ("<html>".to_string(), "<svg>".to_string());
        for i in 0..CACHE_ENTRIES + 100 {
            cache.put(format!("slug-{i}|En"), page(), start + Duration::from_millis(i as u64));
            assert!(cache.len() <= CACHE_ENTRIES);
        }
        assert_eq!(cache.len(), CACHE_ENTRIES);
        assert!(cache.fresh("slug-0|En").is_none(), "the oldest made room");
        assert!(cache.fresh(&format!("slug-{}|En", CACHE_ENTRIES + 99)).is_some(), "the newest is kept");
        // Replacing a kept page does not evict anything.
        cache.put(format!("slug-{}|En", CACHE_ENTRIES + 99), page(), Instant::now());
        assert_eq!(cache.len(), CACHE_ENTRIES);
    }

    #[test]
    fn public_text_hides_arns_and_account_ids() {
        let t = public_text("Target group arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/x is empty in 123456789012.");
        assert!(!t.contains("arn:aws") && !t.contains("123456789012"), "{t}");
        assert!(t.contains("(an AWS resource)") && t.contains("(account)"), "{t}");
    }

    #[test]
    fn slugs_and_hints() {
        assert!(check_slug("team7-shop").is_ok());
        assert!(check_slug("Team 7").is_err() && check_slug("ab").is_err() && check_slug("-x-y").is_err());
        assert_eq!(suggested_slug("Capstone Shop!"), "capstone-shop");
        assert_eq!(hint("https://hooks.slack.com/services/T0/B0/abcdWXYZ"), "https://hooks.slack.com/…WXYZ");
    }

    #[test]
    fn the_page_shows_each_state() {
        let day = 86_400_000;
        let now = 20_000 * day;
        let c = |name: &str, at: i64, ok: bool, days: Option<i64>| Check {
            name: name.into(),
            at_ms: at,
            ok,
            failing: (!ok)
                .then(|| "TLS: the certificate expired (arn:aws:acm:us-east-1:123456789012:certificate/x)".into()),
            failing_ko: (!ok)
                .then(|| "TLS: 인증서가 만료되었습니다 (arn:aws:acm:us-east-1:123456789012:certificate/x)".into()),
            not_after_ms: days.map(|d| now + d * day + 1000),
        };
        let (valid, svg) = render("shop", "shop", &[c("api.team.com", now - 1000, true, Some(60))], now, PageLang::En);
        assert!(valid.contains("HTTPS OK") && valid.contains("60 days") && svg.contains("valid"), "{valid}");
        let (soon, svg) = render("shop", "shop", &[c("api.team.com", now - 1000, true, Some(5))], now, PageLang::En);
        assert!(soon.contains("expires in 5 day") && svg.contains("expires in 5 days"), "{soon}");
        let checks = [c("api.team.com", now - 2 * day, true, Some(5)), c("api.team.com", now - 1000, false, None)];
        let (failing, svg) = render("shop", "shop", &checks, now, PageLang::En);
        assert!(failing.contains("Failing: TLS: the certificate expired") && svg.contains("failing"), "{failing}");
        assert!(failing.contains("data-incident") && failing.contains("ongoing"));
        assert!(!failing.contains("arn:aws") && !failing.contains("123456789012"));
        let (none, svg) = render("shop", "shop", &[], now, PageLang::En);
        assert!(none.contains("Not checked yet") && svg.contains("not checked yet"));
        // Korean for a visitor who prefers it, the failing check's own words too (in the row
        // and in the incident), still without the ARN.
        let (ko, _) = render("shop", "shop", &checks, now, PageLang::Ko);
        assert!(ko.contains("<html lang=ko>") && ko.contains("실패:") && ko.contains("장애 기록"), "{ko}");
        assert_eq!(ko.matches("TLS: 인증서가 만료되었습니다").count(), 2, "{ko}");
        assert!(!ko.contains("the certificate expired") && !ko.contains("arn:aws"), "{ko}");
        // A check recorded before Korean existed shows its English.
        let mut old = checks[1].clone();
        old.failing_ko = None;
        let (ko_old, _) = render("shop", "shop", &[old], now, PageLang::Ko);
        assert!(ko_old.contains("실패: TLS: the certificate expired"), "{ko_old}");
        let (ok_ko, _) = render("shop", "shop", &[c("api.team.com", now - 1000, true, Some(60))], now, PageLang::Ko);
        assert!(ok_ko.contains("HTTPS 정상") && ok_ko.contains("60일"), "{ok_ko}");
    }

    #[test]
    fn the_page_language_follows_accept_language() {
        use PageLang::*;
        assert_eq!(PageLang::from_accept_language(Some("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7")), Ko);
        assert_eq!(PageLang::from_accept_language(Some("en-US,en;q=0.9,ko;q=0.8")), En);
        assert_eq!(PageLang::from_accept_language(Some("en;q=0.5, ko;q=0.8")), Ko);
        assert_eq!(PageLang::from_accept_language(Some("fr-FR,fr")), En);
        assert_eq!(PageLang::from_accept_language(None), En);
    }
}
