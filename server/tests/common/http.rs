//! Test support for the HTTP surface: a browser-like client, signing in, `lockstep serve`
//! settings, a real `Application` on a free port, and posting to server functions.

use super::*;

/// An HTTP client that acts like a browser on lockstep's own pages: it keeps cookies (the
/// session) and says its requests are same-origin (the cross-site check lets them through).
pub fn http_client() -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("sec-fetch-site", reqwest::header::HeaderValue::from_static("same-origin"));
    reqwest::Client::builder().cookie_store(true).default_headers(headers).build().unwrap()
}

pub const PASSWORD: &str = "correct horse battery staple";

/// Signs `http` in at `base` (the first owner on a fresh server, else a new account with its
/// own team, which then signs in) unless it already is, and returns its first team's id.
pub async fn team_of(http: &reqwest::Client, base: &str) -> String {
    use app::model::{AuthOutcome, SessionInfo};
    let info = |http: reqwest::Client| async move {
        let r = http.post(format!("{base}/api/session_info")).send().await.unwrap();
        assert!(r.status().is_success(), "session_info: {}", r.status());
        r.json::<SessionInfo>().await.unwrap()
    };
    let mut s = info(http.clone()).await;
    if s.me.is_none() {
        let email = format!("{}@example.ac.kr", uuid::Uuid::new_v4().simple());
        let endpoint = if s.setup_needed { "setup_owner" } else { "sign_up" };
        let form = [("name", "Test Owner"), ("email", &email), ("password", PASSWORD), ("team", "Test team")];
        let r = http.post(format!("{base}/api/{endpoint}")).form(&form).send().await.unwrap();
        assert!(r.status().is_success(), "{endpoint}: {}", r.status());
        let out: AuthOutcome = r.json().await.unwrap();
        match out {
            AuthOutcome::Done { .. } => {}
            // Sign-up signs nobody in (it does not tell which addresses have accounts).
            AuthOutcome::SignIn { .. } => {
                let r = http
                    .post(format!("{base}/api/sign_in"))
                    .form(&[("email", email.as_str()), ("password", PASSWORD)])
                    .send()
                    .await
                    .unwrap();
                let out: AuthOutcome = r.json().await.unwrap();
                assert!(matches!(out, AuthOutcome::Done { .. }), "sign_in: {out:?}");
            }
            out => panic!("{endpoint}: {out:?}"),
        }
        s = info(http.clone()).await;
    }
    s.me.expect("signed in").teams.first().expect("a team").id.clone()
}

/// `lockstep serve` settings for a test: sandbox AWS on the shared moto, data in `dir`.
pub fn serve_config(dir: &std::path::Path) -> lockstep_server::config::ServeConfig {
    use lockstep_server::config::{AwsMode, SandboxLab, SecureCookies, ServeConfig};
    ServeConfig {
        bind: "127.0.0.1:0".parse().unwrap(),
        data_dir: Some(dir.to_path_buf()),
        database_url: None,
        aws: AwsMode::Sandbox,
        server_credentials_for: Vec::new(),
        sandbox_endpoint: Some(moto().endpoint.clone()),
        sandbox_account: Some(account()),
        moto_server: "unused".into(),
        sandbox_acm_wait: 0,
        // The free path's stand-in only where a test asks for it (it takes ports and ~8 s).
        sandbox_lab: SandboxLab::Off,
        lab_script: "lab/lab.sh".into(),
        site_root: Some(dir.join("site")),
        workers: 2,
        lease_secs: 30,
        poll_secs: Some(0.1),
        dns_server: None,
        doctor_ca_file: None,
        doctor_http_port: 80,
        doctor_https_port: 443,
        // Public targets only, as on a real server; a test that needs loopback opts in.
        allow_private_targets: false,
        public_address: Vec::new(),
        public_url: None,
        secure_cookies: SecureCookies::Auto,
        trust_forwarded_for: false,
        // The test servers' people sign up at example.ac.kr without an invite (as at a school
        // that allows its own domain); `accounts_security.rs` closes it to test invitations.
        signup_domains: vec!["example.ac.kr".into()],
        secret_key: None,
        status_tick_secs: 0.2,
    }
}

/// A real `Application` in this process (sandbox AWS on the shared moto, a fresh SQLite data
/// dir), serving on a free port until dropped.
pub struct App {
    pub base: String,
    stop: tokio_util::sync::CancellationToken,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl App {
    pub async fn start(adjust: impl FnOnce(&mut lockstep_server::config::ServeConfig)) -> App {
        let dir = tempfile::tempdir().unwrap();
        let mut config = serve_config(dir.path());
        adjust(&mut config);
        let app = lockstep_server::Application::build(config).await.unwrap();
        let base = format!("http://{}", app.local_addr());
        let stop = tokio_util::sync::CancellationToken::new();
        let server = tokio::spawn(app.run_until({
            let stop = stop.clone();
            async move { stop.cancelled().await }
        }));
        App { base, stop, server: Some(server), _dir: dir }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn stop(mut self) {
        self.stop.cancel();
        if let Some(s) = self.server.take() {
            s.await.unwrap().unwrap();
        }
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// POST a form to the server function `/api/<endpoint>` as a browser would; the status and body.
pub async fn post(
    http: &reqwest::Client,
    app: &App,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (reqwest::StatusCode, String) {
    let r = http.post(app.url(&format!("/api/{endpoint}"))).form(form).send().await.unwrap();
    (r.status(), r.text().await.unwrap())
}

/// [`post`], which must succeed, decoded from JSON.
pub async fn post_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    app: &App,
    endpoint: &str,
    form: &[(&str, &str)],
) -> T {
    let (status, body) = post(http, app, endpoint, form).await;
    assert!(status.is_success(), "{endpoint}: {status} {body}");
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{endpoint}: {e}: {body}"))
}
