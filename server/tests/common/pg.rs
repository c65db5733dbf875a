//! A throwaway PostgreSQL cluster per test binary, and a fresh database per test.
//!
//! The cluster is Debian's `postgresql` package (`scripts/setup.sh` installs it), run from
//! `/usr/lib/postgresql/<version>/bin` (or `LOCKSTEP_PG_BIN`): `initdb` in a temp dir, the
//! server on a free loopback port with its socket in that dir, trust auth, fsync off. As root
//! (PostgreSQL refuses to run as root) both run as the `postgres` system user. A system
//! cluster is never used or touched.
//!
//! Like moto in `mod.rs`, the server runs under a wrapper shell that reads our stdin: when the
//! test process ends (normally, by a panic or a kill) the pipe closes and the wrapper stops
//! the server by the PID in its `postmaster.pid`, then deletes the temp dir.
//!
//! Self-contained (no `super::`), so the benchmark includes it too (`benches/jobs.rs`).
#![allow(dead_code)]

use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub struct Pg {
    pub port: u16,
    pub dir: PathBuf,
    _child: Child,
    _stdin: Mutex<ChildStdin>,
}

/// The newest `initdb`/`postgres` under /usr/lib/postgresql, or `LOCKSTEP_PG_BIN`.
fn bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LOCKSTEP_PG_BIN") {
        return dir.into();
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b).expect(
        "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run ./scripts/setup.sh, or set LOCKSTEP_PG_BIN",
    )
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// `program args...`, as the `postgres` user when we are root.
fn as_pg_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(program);
        c
    } else {
        Command::new(program)
    }
}

/// The binary-wide cluster, started on first use.
pub fn pg() -> &'static Pg {
    static PG: OnceLock<Pg> = OnceLock::new();
    PG.get_or_init(|| {
        let bin = bin_dir();
        let dir = tempfile::Builder::new().prefix("lockstep-pg.").tempdir().unwrap().keep();
        let data = dir.join("data");
        if is_root() {
            let ok = Command::new("chown").arg("postgres:").arg(&dir).status().unwrap().success();
            assert!(ok, "chown {} to the postgres user", dir.display());
        }
        let out = as_pg_user(&bin.join("initdb"))
            .args(["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync", "-D"])
            .arg(&data)
            .output()
            .expect("run initdb");
        assert!(out.status.success(), "initdb failed: {}", String::from_utf8_lossy(&out.stderr));

        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap().port();
        let postgres = bin.join("postgres");
        let server = format!(
            "{runas}'{postgres}' -D '{data}' -p {port} -k '{dir}' -c listen_addresses=127.0.0.1 \
             -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 \
             -c shared_buffers=64MB",
            runas = if is_root() { "runuser -u postgres -- " } else { "" },
            postgres = postgres.display(),
            data = data.display(),
            dir = dir.display(),
        );
        // Stop by PID: the postmaster's own, from its pid file (SIGINT = fast shutdown).
        let script = format!(
            "{server} >'{log}' 2>&1 & w=$!; cat >/dev/null; \
             kill -INT \"$(head -n1 '{data}/postmaster.pid' 2>/dev/null)\" 2>/dev/null; wait $w; rm -rf '{dir}'",
            log = dir.join("postgres.log").display(),
            data = data.display(),
            dir = dir.display(),
        );
        let mut child = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start postgres");
        let stdin = child.stdin.take().unwrap();
        let isready = bin.join("pg_isready");
        let start = Instant::now();
        while !Command::new(&isready)
            .args(["-q", "-h", "127.0.0.1", "-p", &port.to_string()])
            .status()
            .is_ok_and(|s| s.success())
        {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "the test PostgreSQL did not accept connections within 60 s. Its log:\n{}",
                std::fs::read_to_string(dir.join("postgres.log")).unwrap_or_default()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Pg { port, dir, _child: child, _stdin: Mutex::new(stdin) }
    })
}

impl Pg {
    pub fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

/// A fresh, empty database on the binary's cluster; returns its URL.
pub async fn database() -> String {
    use sqlx::Connection;
    let pg = pg();
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let mut admin = sqlx::PgConnection::connect(&pg.url("postgres")).await.expect("connect to the test cluster");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    admin.close().await.unwrap();
    pg.url(&name)
}
