//! Job engine benchmark on SQLite and PostgreSQL, no AWS:
//! `cargo bench -p lockstep-server --bench jobs`.
//!
//! 1. Throughput: 1,000 no-op steps (250 runs of 4 sequential steps) completed by 1 and by 8
//!    workers, against a floor measured in the same run on the same kind of file: 1,000
//!    single-row UPDATE transactions, the least a durable step costs (one committed write).
//! 2. Recovery: a child process holds leases on 1,000 pending steps and is killed with
//!    SIGKILL; the time from "open the database again" to the first resumed step completing.
//!    Startup releases the dead process' leases at once (the data-dir lock proves it is gone).
//! 3. PostgreSQL (a throwaway cluster started like the tests', `tests/common/pg.rs`, or
//!    `LOCKSTEP_BENCH_PG_URL` pointing at a database to fill): the same 1,000 steps with one
//!    engine (8 workers), and with three engines of 8 workers each on one database (three
//!    servers, each with its own connection pool and LISTEN connection); printed beside the
//!    SQLite figures of the same run.
//! 4. PostgreSQL takeover: a child process (one "server") holds leases on 8 steps (one per
//!    worker, nothing else queued) and is killed with SIGKILL while another server is running;
//!    the time from the kill to the survivor completing the first and the last of them. Nothing is released at start on a shared store, so this is
//!    bounded by the lease (2 s here; 30 s by default, `--lease-secs`).

use async_trait::async_trait;
use lockstep_domain::StepKind;
use lockstep_server::clock::{Clock, SystemClock};
use lockstep_server::jobs::{Engine, EngineConfig, Registry, StepCtx, StepError, StepHandler, StepOutcome};
use lockstep_server::store::postgres::PgStore;
use lockstep_server::store::sqlite::SqliteStore;
use lockstep_server::store::{NewRun, ProjectRow, Store};
use serde_json::json;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[path = "../tests/common/pg.rs"]
mod pg;

const STEPS: usize = 1_000;
/// The lease in the PostgreSQL takeover measurement.
const TAKEOVER_LEASE: Duration = Duration::from_secs(2);

struct Noop;
#[async_trait]
impl StepHandler for Noop {
    async fn run(&self, _ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        Ok(StepOutcome::Done { output: json!({}), note: None })
    }
}

/// Holds its step forever (the child that gets killed).
struct Hang;
#[async_trait]
impl StepHandler for Hang {
    async fn run(&self, _ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        std::future::pending().await
    }
}

async fn open(path: &Path) -> Arc<dyn Store> {
    Arc::new(SqliteStore::open(&format!("sqlite://{}", path.display())).await.unwrap())
}

async fn fill(store: &Arc<dyn Store>, runs: usize, steps_per_run: usize) {
    store
        .insert_project(&ProjectRow {
            id: "p".into(),
            name: "p".into(),
            spec: json!({}),
            plan: None,
            team_id: None,
            created_at: 0,
        })
        .await
        .unwrap();
    for r in 0..runs {
        let run = NewRun {
            started_by: None,
            id: format!("r{r}"),
            project_id: "p".into(),
            kind: lockstep_domain::RunKind::Test,
            input: json!({}),
            steps: (0..steps_per_run).map(|s| (format!("r{r}s{s}"), StepKind::Noop)).collect(),
        };
        store.create_run(&run, 0).await.unwrap();
    }
}

fn engine(store: &Arc<dyn Store>, workers: usize, handler: impl StepHandler) -> Engine {
    engine_with_lease(store, workers, handler, EngineConfig::default().lease)
}

fn engine_with_lease(store: &Arc<dyn Store>, workers: usize, handler: impl StepHandler, lease: Duration) -> Engine {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let config = EngineConfig { workers, lease, idle_poll: Duration::from_millis(5), ..EngineConfig::default() };
    Engine::new(store.clone(), clock, Registry::default().with(StepKind::Noop, handler), config)
}

async fn throughput(workers: usize) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir.path().join("b.db")).await;
    fill(&store, STEPS / 4, 4).await;
    let e = engine(&store, workers, Noop);
    let stop = CancellationToken::new();
    let start = Instant::now();
    let handle = e.spawn(stop.clone());
    while store.unfinished_steps().await.unwrap() > 0 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let secs = start.elapsed().as_secs_f64();
    stop.cancel();
    handle.await.unwrap();
    STEPS as f64 / secs
}

async fn sqlite_floor() -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("floor.db").display());
    let opts: sqlx::sqlite::SqliteConnectOptions = url.parse().unwrap();
    let pool = sqlx::SqlitePool::connect_with(
        opts.create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal),
    )
    .await
    .unwrap();
    sqlx::query("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)").execute(&pool).await.unwrap();
    for i in 0..STEPS {
        sqlx::query("INSERT INTO t VALUES (?, 0)").bind(i as i64).execute(&pool).await.unwrap();
    }
    let start = Instant::now();
    for i in 0..STEPS {
        sqlx::query("UPDATE t SET n = n + 1 WHERE id = ?").bind(i as i64).execute(&pool).await.unwrap();
    }
    STEPS as f64 / start.elapsed().as_secs_f64()
}

/// In the child: fill 1,000 one-step runs, claim them with hanging workers, say READY.
async fn child(path: &Path) {
    let store = open(path).await;
    fill(&store, STEPS, 1).await;
    let e = engine(&store, 8, Hang);
    let _h = e.spawn(CancellationToken::new());
    while store.get_run("r0").await.unwrap().unwrap().1[0].lease_owner.is_none() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!("READY");
    std::io::stdout().flush().unwrap();
    std::future::pending::<()>().await;
}

async fn recovery() -> Duration {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("LOCKSTEP_BENCH_CHILD", &db)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "READY");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let start = Instant::now();
    let store = open(&db).await;
    store.release_all_leases().await.unwrap();
    let e = engine(&store, 8, Noop);
    let stop = CancellationToken::new();
    let handle = e.spawn(stop.clone());
    loop {
        let done = STEPS as i64 - store.unfinished_steps().await.unwrap();
        if done > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let took = start.elapsed();
    stop.cancel();
    handle.await.unwrap();
    took
}

/// A fresh PostgreSQL database: in `LOCKSTEP_BENCH_PG_URL`'s server, or on a throwaway cluster.
async fn pg_database() -> String {
    match std::env::var("LOCKSTEP_BENCH_PG_URL") {
        Ok(url) => {
            use sqlx::Connection;
            let name = format!("bench_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
            let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&url);
            format!("{base}/{name}")
        }
        Err(_) => pg::database().await,
    }
}

async fn open_pg(url: &str) -> Arc<dyn Store> {
    Arc::new(PgStore::open(url).await.unwrap())
}

/// `servers` engines of 8 workers, each with its own store (pool), on one fresh database.
async fn pg_throughput(servers: usize) -> f64 {
    let url = pg_database().await;
    let first = open_pg(&url).await;
    fill(&first, STEPS / 4, 4).await;
    let mut stores = vec![first];
    for _ in 1..servers {
        stores.push(open_pg(&url).await);
    }
    let stop = CancellationToken::new();
    let start = Instant::now();
    let handles: Vec<_> = stores.iter().map(|s| engine(s, 8, Noop).spawn(stop.clone())).collect();
    while stores[0].unfinished_steps().await.unwrap() > 0 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let secs = start.elapsed().as_secs_f64();
    stop.cancel();
    for h in handles {
        h.await.unwrap();
    }
    STEPS as f64 / secs
}

/// Steps the killed server holds in the takeover measurement: one per worker.
const HELD: usize = 8;

/// In the child: one "server" on PostgreSQL whose 8 workers each claim one step and hang.
async fn pg_child(url: &str) {
    let store = open_pg(url).await;
    fill(&store, HELD, 1).await;
    let e = engine_with_lease(&store, HELD, Hang, TAKEOVER_LEASE);
    let _h = e.spawn(CancellationToken::new());
    loop {
        let mut leased = 0;
        for r in 0..HELD {
            leased += store.get_run(&format!("r{r}")).await.unwrap().unwrap().1[0].lease_owner.is_some() as usize;
        }
        if leased == HELD {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    println!("READY");
    std::io::stdout().flush().unwrap();
    std::future::pending::<()>().await;
}

/// kill -9 one server holding leases while another runs: the time from the kill to the
/// survivor completing the first, and the last, of the dead server's steps.
async fn pg_takeover() -> (Duration, Duration) {
    let url = pg_database().await;
    let mut child = Command::new(std::env::current_exe().unwrap())
        .env("LOCKSTEP_BENCH_PG_CHILD", &url)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line.trim(), "READY");
    let survivor = open_pg(&url).await;
    let stop = CancellationToken::new();
    let handle = engine_with_lease(&survivor, 8, Noop, TAKEOVER_LEASE).spawn(stop.clone());
    child.kill().unwrap(); // SIGKILL
    let start = Instant::now();
    child.wait().unwrap();
    let mut first = None;
    loop {
        let left = survivor.unfinished_steps().await.unwrap();
        if left < HELD as i64 && first.is_none() {
            first = Some(start.elapsed());
        }
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let all = start.elapsed();
    stop.cancel();
    handle.await.unwrap();
    (first.unwrap_or(all), all)
}

#[tokio::main]
async fn main() {
    if let Some(path) = std::env::var_os("LOCKSTEP_BENCH_CHILD") {
        child(Path::new(&path)).await;
        return;
    }
    if let Ok(url) = std::env::var("LOCKSTEP_BENCH_PG_CHILD") {
        pg_child(&url).await;
        return;
    }
    let floor = sqlite_floor().await;
    let one = throughput(1).await;
    let eight = throughput(8).await;
    let recover = recovery().await;
    let pg_one = pg_throughput(1).await;
    let pg_three = pg_throughput(3).await;
    let (takeover_first, takeover_all) = pg_takeover().await;
    let build = if cfg!(debug_assertions) { "debug build" } else { "release build" };
    println!("job engine on SQLite ({STEPS} no-op steps, {build}, this machine)");
    println!("  baseline: raw SQLite, one UPDATE transaction per step  {floor:>9.0} writes/s");
    println!(
        "  engine, 1 worker                                       {one:>9.0} steps/s  ({:.2}x baseline)",
        one / floor
    );
    println!("  engine, 8 workers                                      {eight:>9.0} steps/s  ({:.2}x baseline, {:.2}x 1 worker)", eight / floor, eight / one);
    println!(
        "  kill -9 with {STEPS} leased steps -> first resumed step done: {:.1} ms",
        recover.as_secs_f64() * 1000.0
    );
    println!("job engine on PostgreSQL (same {STEPS} steps, same run; ratios against SQLite, 8 workers)");
    println!(
        "  1 server, 8 workers                                    {pg_one:>9.0} steps/s  ({:.2}x SQLite)",
        pg_one / eight
    );
    println!(
        "  3 servers on one database, 8 workers each              {pg_three:>9.0} steps/s  ({:.2}x SQLite, {:.2}x 1 server)",
        pg_three / eight,
        pg_three / pg_one
    );
    println!(
        "  kill -9 one server holding {HELD} leased steps ({} s lease) -> survivor done with the first: {:.0} ms, all: {:.0} ms",
        TAKEOVER_LEASE.as_secs(),
        takeover_first.as_secs_f64() * 1000.0,
        takeover_all.as_secs_f64() * 1000.0
    );
}
