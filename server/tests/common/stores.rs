//! The stores and the engine as the store-contract and engine tests use them: a fresh store
//! holding project "p" on each adapter (`on_both_stores!` makes one test two), runs of scripted
//! steps, and an engine on a manual clock.

use async_trait::async_trait;
use lockstep_domain::backoff::Backoff;
use lockstep_domain::{RunKind, StepKind, UserError};
use lockstep_server::clock::{Clock, ManualClock};
use lockstep_server::jobs::{Engine, EngineConfig, Registry, StepCtx, StepError, StepHandler, StepOutcome};
use lockstep_server::store::postgres::PgStore;
use lockstep_server::store::sqlite::SqliteStore;
use lockstep_server::store::{NewRun, ProjectRow, Store};
use serde_json::json;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const T0: i64 = 1_800_000_000_000;
/// Runs each named `async fn name(store: Arc<dyn Store>)` once per adapter, as the tests
/// `name::sqlite` and `name::postgres`, each on a fresh database holding project "p".
#[allow(unused_macros)]
macro_rules! on_both_stores {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let (store, _dir) = $crate::common::stores::sqlite_store().await;
                super::$name(store).await;
            }
            #[tokio::test]
            async fn postgres() {
                let store = $crate::common::stores::pg_store().await;
                super::$name(store).await;
            }
        }
    )*};
}

pub async fn with_project(store: Arc<dyn Store>) -> Arc<dyn Store> {
    store
        .insert_project(&ProjectRow {
            id: "p".into(),
            name: "p".into(),
            spec: json!({}),
            plan: None,
            team_id: None,
            created_at: T0,
        })
        .await
        .unwrap();
    store
}

pub async fn sqlite_store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&url).await.unwrap());
    (with_project(store).await, dir)
}

pub async fn pg_store() -> Arc<dyn Store> {
    let url = super::pg::database().await;
    with_project(Arc::new(PgStore::open(&url).await.unwrap())).await
}

pub async fn run_with(store: &Arc<dyn Store>, id: &str, kinds: &[StepKind]) {
    let run = NewRun {
        started_by: None,
        id: id.into(),
        project_id: "p".into(),
        kind: RunKind::Test,
        input: json!({"n": 1}),
        steps: kinds.iter().enumerate().map(|(i, k)| (format!("{id}-s{i}"), *k)).collect(),
    };
    store.create_run(&run, T0).await.unwrap();
}

pub fn user_error(what: &str) -> UserError {
    UserError { ko: None, what: what.into(), why: "because".into(), fix: "do this".into() }
}

/// Replies with the scripted results in order, and counts how often it ran.
#[derive(Clone, Default)]
pub struct Scripted(Arc<Mutex<VecDeque<Result<StepOutcome, StepError>>>>, Arc<Mutex<u32>>);

impl Scripted {
    pub fn new(replies: Vec<Result<StepOutcome, StepError>>) -> Self {
        Scripted(Arc::new(Mutex::new(replies.into())), Arc::default())
    }
    pub fn runs(&self) -> u32 {
        *self.1.lock().unwrap()
    }
}

#[async_trait]
impl StepHandler for Scripted {
    async fn run(&self, _ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        *self.1.lock().unwrap() += 1;
        self.0.lock().unwrap().pop_front().unwrap_or(Ok(StepOutcome::Done { output: json!({}), note: None }))
    }
}

pub fn done() -> Result<StepOutcome, StepError> {
    Ok(StepOutcome::Done { output: json!({"ok": true}), note: None })
}

pub fn engine(store: &Arc<dyn Store>, clock: &ManualClock, handler: Scripted) -> Engine {
    let clock: Arc<dyn Clock> = Arc::new(clock.clone());
    let config = EngineConfig {
        workers: 1,
        lease: Duration::from_secs(30),
        backoff: Backoff { base: Duration::from_secs(1), max: Duration::from_secs(60), max_attempts: 3 },
        ..EngineConfig::default()
    };
    Engine::new(store.clone(), clock, Registry::default().with(StepKind::Noop, handler), config)
}
