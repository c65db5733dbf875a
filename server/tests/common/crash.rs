//! The crash tests' side of the real `lockstep` binary: its server functions over HTTP, a
//! project made through them, and where a crashed server and its successor keep their data
//! (the same SQLite data dir, or one PostgreSQL database).

use super::Server;
use app::model::CreateOutcome;

/// Calls the server function `f` on `s` with `form`; it must succeed; its JSON answer.
pub async fn post<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    s: &Server,
    f: &str,
    form: &[(&str, &str)],
) -> T {
    let resp = http.post(s.url(&format!("/api/{f}"))).form(form).send().await.unwrap();
    assert!(resp.status().is_success(), "{f}: {}", resp.status());
    resp.json().await.unwrap()
}

/// A project (the test's team, an instance by IP) made through the server functions.
pub async fn create_project(http: &reqwest::Client, s: &Server) -> String {
    let team = super::team_of(http, &s.url("")).await;
    let created: CreateOutcome = post(
        http,
        s,
        "create_project",
        &[
            ("team_id", &team),
            ("name", "crash"),
            ("region", "ap-northeast-2"),
            ("instance", "54.180.1.2"),
            ("app_port", "8000"),
            ("health_path", "/health"),
            ("bucket", "crash-bucket"),
            ("framework", "django"),
        ],
    )
    .await;
    let CreateOutcome::Created(pid) = created else { panic!("project refused") };
    pid
}

/// Which store the crashed server and its successor share.
#[derive(Clone, Copy)]
pub enum On {
    Sqlite,
    Postgres,
}

/// Where a crashed server and its successor keep their data.
pub struct Data {
    pub on: On,
    pub dir: tempfile::TempDir,
    pub pg_url: Option<String>,
}

impl Data {
    pub async fn new(on: On) -> Data {
        let pg_url = match on {
            On::Sqlite => None,
            On::Postgres => Some(super::pg::database().await),
        };
        Data { on, dir: tempfile::tempdir().unwrap(), pg_url }
    }

    pub fn start(&self, account: &str, fault: Option<&str>) -> Server {
        match self.on {
            On::Sqlite => Server::start(self.dir.path(), account, fault),
            On::Postgres => Server::start_shared(self.pg_url.as_deref().unwrap(), account, fault, 2, 4),
        }
    }
}
