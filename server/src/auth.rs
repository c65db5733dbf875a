//! Signing in, on the HTTP side: password hashes (argon2id), the session store and its cookie
//! (tower-sessions on the same database as everything else), cross-site request refusal
//! (CSRF), and the [`Caller`] every request carries to the server functions.
//!
//! CSRF: every state-changing request (POST, PUT, PATCH, DELETE; server functions included)
//! must come from lockstep's own pages. Browsers say where a request comes from in
//! `Sec-Fetch-Site` (all current browsers) and `Origin`; a request that another site made is
//! refused with 403 before it reaches any handler. This is the check Go's standard library
//! ships as `CrossOriginProtection`, stricter in one way: a request that carries lockstep's
//! session cookie but neither header is refused too (every browser that can hold the cookie
//! sends one of them; scripts must send `Origin`). Together with `SameSite=Lax` cookies this
//! needs no token in every form, so server functions and plain form posts are covered alike.

use app::api::ssr::{Caller, SessionPort};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use sqlx::{PgPool, SqlitePool};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};
use tower_sessions::{Expiry, Session, SessionManagerLayer};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "lockstep_session";
const USER_KEY: &str = "user_id";
/// The user's session epoch when this session signed in (absent in sessions from before
/// epochs existed: 0, the epoch every user starts at).
const EPOCH_KEY: &str = "epoch";
/// A session ends after this long without a request.
pub const IDLE_DAYS: i64 = 14;

/// The database the sessions live in (the store's own pool).
pub enum SessionBackend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

impl From<&SqlitePool> for SessionBackend {
    fn from(p: &SqlitePool) -> Self {
        SessionBackend::Sqlite(p.clone())
    }
}

impl From<&PgPool> for SessionBackend {
    fn from(p: &PgPool) -> Self {
        SessionBackend::Postgres(p.clone())
    }
}

impl SessionBackend {
    pub fn store(&self) -> AnySessionStore {
        match self {
            SessionBackend::Sqlite(p) => {
                AnySessionStore::Sqlite(tower_sessions_sqlx_store::SqliteStore::new(p.clone()))
            }
            SessionBackend::Postgres(p) => {
                AnySessionStore::Postgres(tower_sessions_sqlx_store::PostgresStore::new(p.clone()))
            }
        }
    }

    /// Creates the session table if it is missing.
    pub async fn migrate(&self) -> sqlx::Result<()> {
        match self.store() {
            AnySessionStore::Sqlite(s) => s.migrate().await,
            AnySessionStore::Postgres(s) => s.migrate().await,
        }
    }
}

/// tower-sessions-sqlx-store's SQLite or PostgreSQL store, whichever the database is.
#[derive(Debug, Clone)]
pub enum AnySessionStore {
    Sqlite(tower_sessions_sqlx_store::SqliteStore),
    Postgres(tower_sessions_sqlx_store::PostgresStore),
}

#[async_trait::async_trait]
impl SessionStore for AnySessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        match self {
            AnySessionStore::Sqlite(s) => s.create(record).await,
            AnySessionStore::Postgres(s) => s.create(record).await,
        }
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self {
            AnySessionStore::Sqlite(s) => s.save(record).await,
            AnySessionStore::Postgres(s) => s.save(record).await,
        }
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        match self {
            AnySessionStore::Sqlite(s) => s.load(id).await,
            AnySessionStore::Postgres(s) => s.load(id).await,
        }
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        match self {
            AnySessionStore::Sqlite(s) => s.delete(id).await,
            AnySessionStore::Postgres(s) => s.delete(id).await,
        }
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for AnySessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            AnySessionStore::Sqlite(s) => s.delete_expired().await,
            AnySessionStore::Postgres(s) => s.delete_expired().await,
        }
    }
}

/// The session cookie: HttpOnly, SameSite=Lax, `Secure` when lockstep is served over HTTPS.
pub fn session_layer(store: AnySessionStore, secure: bool) -> SessionManagerLayer<AnySessionStore> {
    SessionManagerLayer::new(store)
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(time::Duration::days(IDLE_DAYS)))
}

/// How lockstep is reached, for the cookie and the cross-site check.
#[derive(Debug, Clone, Default)]
pub struct HttpSettings {
    /// `https://lockstep.example.ac.kr` when served behind a proxy under that name: requests
    /// whose `Origin` is this are lockstep's own even when the proxy rewrote `Host`.
    pub public_origin: Option<String>,
    /// Take the client's address from the last `X-Forwarded-For` entry (only behind a proxy
    /// that sets it; otherwise anyone could pick their own address and dodge throttling).
    pub trust_forwarded_for: bool,
}

/// Why a state-changing request is refused as cross-site, if it is.
pub fn cross_site(req: &Request, settings: &HttpSettings) -> Option<&'static str> {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE) {
        return None;
    }
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site") {
        return match site.as_bytes() {
            b"same-origin" | b"none" => None,
            _ => Some("the browser says it came from another site (Sec-Fetch-Site)"),
        };
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) {
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
        let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
        if (!host.is_empty() && origin_host.eq_ignore_ascii_case(host))
            || settings.public_origin.as_deref().is_some_and(|p| p.trim_end_matches('/').eq_ignore_ascii_case(origin))
        {
            return None;
        }
        return Some("its Origin is another site");
    }
    let has_session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|c| c.to_str().ok())
        .any(|c| c.split(';').any(|kv| kv.trim().starts_with(&format!("{SESSION_COOKIE}="))));
    has_session.then_some("it carries the sign-in cookie but does not say where it came from (no Origin)")
}

/// Refuses cross-site state-changing requests (see the module's documentation).
pub async fn refuse_cross_site(State(settings): State<Arc<HttpSettings>>, req: Request, next: Next) -> Response {
    match cross_site(&req, &settings) {
        None => next.run(req).await,
        Some(why) => {
            tracing::warn!(method = %req.method(), path = req.uri().path(), why, "cross-site request refused");
            (
                StatusCode::FORBIDDEN,
                format!(
                    "lockstep refused this request because {why}. Requests that change something must come from lockstep's own pages (protection against cross-site request forgery). Open lockstep directly and try again."
                ),
            )
                .into_response()
        }
    }
}

/// The client's address: the socket's, or behind a trusted proxy the last hop it recorded.
pub fn client_address(req: &Request, settings: &HttpSettings) -> Option<String> {
    if settings.trust_forwarded_for {
        if let Some(last) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            return Some(last.to_string());
        }
    }
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())
}

/// Puts the [`Caller`] in the request (after the session layer).
///
/// The session counts only while its user's session epoch is the one it signed in at: a
/// password change or reset raises the epoch, and with it every other session of that person
/// (a stolen cookie included) is signed out here, deleted, on its next request.
pub async fn attach_caller(
    State((settings, gate)): State<(Arc<HttpSettings>, Arc<SignInGate>)>,
    mut req: Request,
    next: Next,
) -> Response {
    let session = req.extensions().get::<Session>().cloned();
    let mut user_id = None;
    if let Some(s) = &session {
        if let Some(id) = s.get::<String>(USER_KEY).await.ok().flatten() {
            let epoch = s.get::<i64>(EPOCH_KEY).await.ok().flatten().unwrap_or(0);
            match gate.store.session_epoch(&id).await {
                Ok(Some(current)) if current == epoch => user_id = Some(id),
                Ok(_) => {
                    tracing::info!(user_id = %id, "a session ended by a password change or reset (or of a deleted user)");
                    let _ = s.flush().await;
                }
                // The database did not answer: nobody is signed in for this request.
                Err(e) => tracing::warn!(error = %e, "could not check the session's epoch"),
            }
        }
    }
    let address = client_address(&req, &settings);
    req.extensions_mut().insert(Caller { user_id, address, session: Arc::new(TowerSession(session)) });
    // Every request is one piece of work: once an endpoint knows the team it acts for, its AWS
    // calls use that team's access, even where no history wrapper opened a scope of its own.
    crate::work::collect_calls(next.run(req)).await.0
}

struct TowerSession(Option<Session>);

#[async_trait::async_trait]
impl SessionPort for TowerSession {
    async fn begin(&self, user_id: &str, epoch: i64) -> Result<(), String> {
        let s = self.0.as_ref().ok_or("no session layer")?;
        // A new id at sign-in: an id someone planted before (session fixation) signs nobody in.
        s.cycle_id().await.map_err(|e| e.to_string())?;
        s.insert(USER_KEY, user_id).await.map_err(|e| e.to_string())?;
        s.insert(EPOCH_KEY, epoch).await.map_err(|e| e.to_string())
    }
    async fn end(&self) -> Result<(), String> {
        let s = self.0.as_ref().ok_or("no session layer")?;
        s.flush().await.map_err(|e| e.to_string())
    }
}

/// Pages anyone may open: signing in, the first run, invite and password reset links, public
/// status pages.
fn public_page(path: &str) -> bool {
    const OPEN: [&str; 4] = ["/signin", "/signup", "/setup", "/favicon.ico"];
    OPEN.contains(&path)
        || ["/invite/", "/reset/", "/status/", "/pkg/", "/api/"].iter().any(|p| path.starts_with(p))
        || path == "/healthz"
        || path == "/readyz"
}

/// Sends people who are not signed in to the sign-in page (or, before anyone exists, to the
/// first-run page) before a page renders. Server functions check the caller themselves.
pub async fn require_sign_in(State(gate): State<Arc<SignInGate>>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    if ["/healthz", "/readyz"].contains(&path.as_str()) || path.starts_with("/pkg/") || path.starts_with("/api/") {
        return next.run(req).await;
    }
    if !gate.set_up().await {
        return if path == "/setup" { next.run(req).await } else { Redirect::to("/setup").into_response() };
    }
    if path == "/setup" {
        return Redirect::to("/signin").into_response();
    }
    let signed_in = req.extensions().get::<Caller>().is_some_and(|c| c.user_id.is_some());
    if !signed_in && !public_page(&path) {
        let mut next_path = path.clone();
        if let Some(q) = req.uri().query() {
            next_path = format!("{next_path}?{q}");
        }
        return Redirect::to(&format!("/signin?next={}", percent_encode(&next_path))).into_response();
    }
    next.run(req).await
}

/// Whether the first owner exists (remembered once true: it never becomes false again), and
/// the store sessions are checked against.
pub struct SignInGate {
    store: Arc<dyn crate::store::Store>,
    done: AtomicBool,
}

impl SignInGate {
    pub fn new(store: Arc<dyn crate::store::Store>) -> SignInGate {
        SignInGate { store, done: AtomicBool::new(false) }
    }
    async fn set_up(&self) -> bool {
        if self.done.load(Ordering::Relaxed) {
            return true;
        }
        let done = self.store.set_up().await.unwrap_or(false);
        if done {
            self.done.store(true, Ordering::Relaxed);
        }
        done
    }
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Where to go after signing in: only a path on lockstep itself (never `//evil.example` or
/// `https://...`, which would make the sign-in page an open redirect).
pub fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| local_path(n)).unwrap_or("/").to_string()
}

/// Whether `next` stays on lockstep however a browser reads it. Browsers drop tabs and line
/// breaks anywhere in a URL and read `\` as `/`, so `/%09/evil.example` (a tab once decoded)
/// and `/\evil.example` both become `//evil.example`: another site. So the text, and each
/// percent-decoding of it until nothing changes, must be a path with no control character, no
/// backslash and no `//` anywhere (a real lockstep path never has one).
fn local_path(next: &str) -> bool {
    let mut text = next.to_string();
    // Three decodings is more than any real link needs; still encoded after that: refused.
    for _ in 0..4 {
        let plain = text.starts_with('/') && !text.contains("//") && !text.chars().any(|c| c.is_control() || c == '\\');
        if !plain {
            return false;
        }
        let decoded = percent_decode(&text);
        if decoded == text {
            return true;
        }
        text = decoded;
    }
    false
}

/// `%XX` sequences decoded (invalid UTF-8 becomes U+FFFD); anything else kept as it is.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).and_then(|b| hex(*b)), bytes.get(i + 2).and_then(|b| hex(*b))) {
            (b'%', Some(hi), Some(lo)) => {
                out.push((hi * 16 + lo) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Hashes a password with argon2id (OWASP's parameters, the crate's defaults: 19 MiB, 2
/// passes), a fresh salt each time. Slow on purpose: run it off the async threads.
pub async fn hash_password(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{rand_core::OsRng, PasswordHasher, SaltString};
        let salt = SaltString::generate(&mut OsRng);
        argon2::Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// Checks a password against a stored hash. With no hash (no such account) a dummy hash is
/// checked instead, so "no such account" takes as long as "wrong password" and the timing
/// does not tell which e-mail addresses have accounts.
pub async fn verify_password(password: String, hash: Option<String>) -> bool {
    static DUMMY: OnceLock<String> = OnceLock::new();
    let hash = match hash {
        Some(h) => h,
        None => match DUMMY.get() {
            Some(d) => d.clone(),
            None => {
                let d = hash_password(uuid::Uuid::new_v4().to_string()).await.unwrap_or_default();
                DUMMY.get_or_init(|| d).clone()
            }
        },
    };
    tokio::task::spawn_blocking(move || {
        use argon2::password_hash::{PasswordHash, PasswordVerifier};
        PasswordHash::new(&hash)
            .map(|parsed| argon2::Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false)
}

/// A random one-time token (256 bits, hex) and the SHA-256 that is stored instead of it.
pub fn new_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let hash = token_hash(&token);
    (token, hash)
}

pub fn token_hash(token: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(token.trim().as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn req(method: Method, headers: &[(&str, &str)]) -> Request {
        let mut b = axum::http::Request::builder().method(method).uri("/api/start_backend");
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(Body::empty()).unwrap()
    }

    #[test]
    fn cross_site_requests_are_named() {
        let s = HttpSettings::default();
        assert_eq!(cross_site(&req(Method::GET, &[("sec-fetch-site", "cross-site")]), &s), None);
        assert_eq!(cross_site(&req(Method::POST, &[("sec-fetch-site", "same-origin")]), &s), None);
        assert!(cross_site(&req(Method::POST, &[("sec-fetch-site", "cross-site")]), &s).is_some());
        assert!(cross_site(&req(Method::POST, &[("sec-fetch-site", "same-site")]), &s).is_some());
        let host = ("host", "127.0.0.1:3000");
        assert_eq!(cross_site(&req(Method::POST, &[host, ("origin", "http://127.0.0.1:3000")]), &s), None);
        assert!(cross_site(&req(Method::POST, &[host, ("origin", "http://evil.example")]), &s).is_some());
        assert!(cross_site(&req(Method::POST, &[host, ("origin", "null")]), &s).is_some());
        // Behind a proxy that rewrites Host: the configured public origin is lockstep's own.
        let proxied = HttpSettings { public_origin: Some("https://lockstep.example.ac.kr".into()), ..s.clone() };
        let o = ("origin", "https://lockstep.example.ac.kr");
        assert_eq!(cross_site(&req(Method::POST, &[("host", "10.0.0.5:3000"), o]), &proxied), None);
        // No header at all: fine without credentials, refused with the session cookie.
        assert_eq!(cross_site(&req(Method::POST, &[host]), &s), None);
        assert!(cross_site(&req(Method::POST, &[host, ("cookie", "a=b; lockstep_session=x")]), &s).is_some());
    }

    #[test]
    fn next_stays_on_lockstep() {
        // Paths on lockstep stay as given (encoded characters included).
        for ok in ["/", "/projects/abc", "/projects/abc?tab=history&x=a%20b", "/invite/0123abcd", "/status/team-7"] {
            assert_eq!(safe_next(Some(ok)), ok);
        }
        // Anything a browser could read as another site goes home instead.
        let refused = [
            "//evil.example/x",
            "https://evil.example",
            "/\\evil.example",
            // The finding: a tab (or line break) the browser drops, leaving `//evil.example`.
            "/%09/evil.example",
            "/%0a/evil.example",
            "/%0D/evil.example",
            "/\t/evil.example",
            "/%5cevil.example",
            "/%5Cevil.example",
            "/%2f/evil.example",
            "/%2F%2Fevil.example",
            "/%252f%252fevil.example",
            "/%25252f%25252f%25252fevil.example",
            "/\\/evil.example",
            "\\\\evil.example",
            "evil.example",
            "javascript:alert(1)",
            " /x",
            "",
        ];
        for bad in refused {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }

    #[tokio::test]
    async fn passwords_hash_with_argon2id_and_verify() {
        let h = hash_password("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery".into(), Some(h.clone())).await);
        assert!(!verify_password("correct horse batterY".into(), Some(h.clone())).await);
        assert!(!verify_password("anything".into(), None).await);
        // A fresh salt each time.
        assert_ne!(h, hash_password("correct horse battery".into()).await.unwrap());
    }

    #[test]
    fn tokens_are_stored_as_hashes() {
        let (t, h) = new_token();
        assert_eq!(t.len(), 64);
        assert_eq!(token_hash(&t), h);
        assert_ne!(t, h);
    }
}
