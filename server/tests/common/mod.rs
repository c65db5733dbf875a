//! Test support shared by the integration tests: one moto_server per test binary (each test
//! gets its own moto account), a fresh store per test (an SQLite file, or a PostgreSQL
//! database with `LOCKSTEP_TEST_STORE=postgres`, see `pg.rs`), and helpers to run the real
//! `lockstep` binary.
#![allow(dead_code)]

pub mod crash;
pub mod ec2_sdk;
use ec2_sdk::Ec2Sdk;
pub mod fault_proxy;
pub mod http;
pub mod nginx_lab;
pub mod pg;
#[macro_use]
pub mod stores;

pub use http::*;

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

pub struct Moto {
    pub endpoint: String,
    _child: Child,
    // Held open for the life of the test process: when it closes (the process ends, even
    // by a panic or a kill), the wrapper shell sees EOF and stops moto.
    _stdin: Mutex<ChildStdin>,
}

/// The binary-wide moto_server, started on first use with certificates issued at once.
pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        let bin = std::env::var("LOCKSTEP_MOTO_SERVER").unwrap_or_else(|_| "moto_server".into());
        let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap().local_addr().unwrap().port();
        let mut child = Command::new("sh")
            .args([
                "-c",
                &format!("\"$0\" -H 127.0.0.1 -p {port} >/dev/null 2>&1 & m=$!; cat >/dev/null; kill $m"),
                &bin,
            ])
            .env("MOTO_ACM_VALIDATION_WAIT", "0")
            .stdin(Stdio::piped())
            .spawn()
            .expect("start moto_server (run ./scripts/setup.sh, or set LOCKSTEP_MOTO_SERVER)");
        let stdin = child.stdin.take().unwrap();
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        wait_for(Duration::from_secs(30), "moto_server to listen", || TcpStream::connect(addr).is_ok());
        Moto { endpoint: format!("http://{addr}"), _child: child, _stdin: Mutex::new(stdin) }
    })
}

/// A fresh moto account id, so tests never see each other's resources.
pub fn account() -> String {
    format!("{:012}", rand::random::<u64>() % 1_000_000_000_000)
}

/// Polls `ready` every 20 ms until it is true; panics after `limit`.
pub fn wait_for(limit: Duration, what: &str, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "timed out after {limit:?} waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The real `lockstep` binary, under `setpriv --pdeathsig KILL` where util-linux has it: the
/// server then dies with the test thread that started it, even when the test binary is killed
/// (setpriv execs, so the child's PID is lockstep's own and `kill9` still hits it).
/// `LOCKSTEP_TEST_BIN` names another build of it (a target directory shared by worktrees).
fn lockstep_command() -> Command {
    let bin = std::env::var("LOCKSTEP_TEST_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_lockstep").into());
    if std::path::Path::new("/usr/bin/setpriv").exists() {
        let mut cmd = Command::new("/usr/bin/setpriv");
        cmd.args(["--pdeathsig", "KILL", "--", &bin]);
        cmd
    } else {
        Command::new(bin)
    }
}

/// `lockstep serve` on a free port, sandbox AWS at `endpoint` in moto account `account`,
/// pausing at the fault point `fault` if one is given (see `faults.rs`).
fn serve_command(account: &str, fault: Option<&str>, endpoint: &str) -> Command {
    let mut cmd = lockstep_command();
    cmd.args(["serve", "--bind", "127.0.0.1:0"])
        .env("LOCKSTEP_SANDBOX_ENDPOINT", endpoint)
        .env("LOCKSTEP_SANDBOX_ACCOUNT", account)
        .env("LOCKSTEP_POLL_SECS", "0.2")
        // The free path's stand-in only where a test asks for it (`sandbox_lab.rs`).
        .env("LOCKSTEP_SANDBOX_LAB", "off")
        .env("RUST_LOG", "info")
        .env_remove("LOCKSTEP_FAULT_PAUSE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(f) = fault {
        cmd.env("LOCKSTEP_FAULT_PAUSE", f);
    }
    cmd
}

/// A running `lockstep serve` child process with its stderr captured line by line.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub lines: std::sync::mpsc::Receiver<String>,
    /// The lines [`Server::wait_line`] read (start-up's included).
    pub seen: Vec<String>,
}

impl Server {
    /// Starts the real binary against the shared moto (account `account`) with its data in
    /// `data_dir`; `fault` pauses it at a fault point (see `faults.rs`).
    pub fn start(data_dir: &std::path::Path, account: &str, fault: Option<&str>) -> Server {
        Server::start_at(data_dir, account, fault, &moto().endpoint)
    }

    /// Same, with AWS at `endpoint` (a fault-injecting proxy in front of moto).
    pub fn start_at(data_dir: &std::path::Path, account: &str, fault: Option<&str>, endpoint: &str) -> Server {
        let mut cmd = serve_command(account, fault, endpoint);
        cmd.env("LOCKSTEP_DATA_DIR", data_dir);
        Server::spawn(cmd)
    }

    /// One of several servers sharing the PostgreSQL database `database_url` (and the shared
    /// moto, account `account`), with `lease_secs` leases and `workers` job workers.
    pub fn start_shared(
        database_url: &str,
        account: &str,
        fault: Option<&str>,
        lease_secs: u64,
        workers: usize,
    ) -> Server {
        let mut cmd = serve_command(account, fault, &moto().endpoint);
        cmd.args(["--lease-secs", &lease_secs.to_string(), "--workers", &workers.to_string()])
            .env("LOCKSTEP_DATABASE_URL", database_url)
            .env_remove("LOCKSTEP_DATA_DIR");
        Server::spawn(cmd)
    }

    fn spawn(mut cmd: Command) -> Server {
        let mut child = cmd.spawn().expect("start lockstep");
        let (tx, lines) = std::sync::mpsc::channel();
        let out = child.stdout.take().unwrap();
        let err = child.stderr.take().unwrap();
        let tx2 = tx.clone();
        std::thread::spawn(move || {
            for l in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx2.send(l);
            }
        });
        std::thread::spawn(move || {
            for l in BufReader::new(err).lines().map_while(Result::ok) {
                let _ = tx.send(l);
            }
        });
        let mut server = Server { child, addr: String::new(), lines, seen: Vec::new() };
        let line = server.wait_line("lockstep is running on http://", Duration::from_secs(60));
        let addr = line.split("http://").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
        server.addr = addr;
        server
    }

    /// Waits for an output line containing `needle` and returns it.
    pub fn wait_line(&mut self, needle: &str, limit: Duration) -> String {
        let start = Instant::now();
        loop {
            let left = limit
                .checked_sub(start.elapsed())
                .unwrap_or_else(|| panic!("no line with {needle:?} within {limit:?}"));
            match self.lines.recv_timeout(left) {
                Ok(l) if l.contains(needle) => return l,
                Ok(l) => self.seen.push(l),
                Err(e) => panic!("no line with {needle:?}: {e}; the last lines: {:#?}", self.seen.rchunks(8).next()),
            }
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// SIGKILL: no shutdown code runs, as in a crash or an OOM kill.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---- An in-process lockstep over moto: the service, its adapters and a fresh SQLite file ----

use app::api::ssr::prelude::*;
use lockstep_domain::{ProjectInput, RunStatus};
use lockstep_server::aws::{Aws, AwsTarget};
use lockstep_server::clock::{Clock, SystemClock};
use lockstep_server::jobs::{Engine, EngineConfig};
use lockstep_server::ports::{CertificateAuthority, DnsRecords, HostedZones};
use lockstep_server::service::Lockstep;
use lockstep_server::store::postgres::PgStore;
use lockstep_server::store::sqlite::SqliteStore;
use lockstep_server::store::Store;
use lockstep_server::{registry, sandbox, Adapters};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;

pub struct World {
    pub service: Arc<Lockstep>,
    /// The team's owner (signed in) and the team the test's projects belong to.
    pub me: app::api::ssr::Caller,
    pub team: String,
    pub zones: Arc<dyn HostedZones>,
    pub records: Arc<dyn DnsRecords>,
    pub ca: Arc<dyn CertificateAuthority>,
    pub store: Arc<dyn Store>,
    pub account: String,
    _dir: tempfile::TempDir,
}

/// A fresh world with its own moto account, sandbox stand-ins included.
pub async fn world() -> World {
    world_with(|a| a).await
}

/// Same, with the adapters adjusted (e.g. a scripted registrar or public DNS).
pub async fn world_with(adjust: impl FnOnce(Adapters) -> Adapters) -> World {
    world_for(account(), adjust).await
}

/// Same, in a given moto account (a test that seeds resources before the world exists).
pub async fn world_for(account: String, adjust: impl FnOnce(Adapters) -> Adapters) -> World {
    world_under(account, lockstep_server::aws::team_role::Authority::sandbox(), adjust).await
}

/// `a` with every CloudFront port (distributions, invalidations, origin access) served by `cf`
/// (e.g. scripted replies), unpaced.
pub fn with_cloudfront(mut a: Adapters, cf: lockstep_server::aws::cloudfront::CloudFront) -> Adapters {
    let cf = Arc::new(cf);
    a.distributions = cf.clone();
    a.invalidations = cf.clone();
    a.origin_access = cf;
    a
}

/// `a` with every Elastic Load Balancing port (load balancers, target groups, listeners) served
/// by `elb` (e.g. scripted replies).
pub fn with_elb(mut a: Adapters, elb: lockstep_server::aws::elb::Elb) -> Adapters {
    let elb = Arc::new(elb);
    a.load_balancers = elb.clone();
    a.target_groups = elb.clone();
    a.listeners = elb;
    a
}

/// Same, under `authority`: `Authority::real(..)` applies real-AWS rules (a team acts only
/// through its own role) to moto, whose accounts are separated like AWS's.
pub async fn world_under(
    account: String,
    authority: lockstep_server::aws::team_role::Authority,
    adjust: impl FnOnce(Adapters) -> Adapters,
) -> World {
    let _ = tracing_subscriber::fmt().with_env_filter("warn,lockstep_server=info").with_test_writer().try_init();
    let moto = moto();
    let aws = Arc::new(
        Aws::connect(&AwsTarget::Sandbox { endpoint: moto.endpoint.clone(), account: Some(account.clone()) })
            .await
            .with_authority(authority),
    );
    world_on(aws, account, Duration::from_millis(50), adjust).await
}

/// A world on any AWS endpoint (the benches' own moto servers), polling every `poll`: a fresh
/// store, the sandbox's demo zone, a team and its owner. No log output (benches print figures).
pub async fn world_on(
    aws: Arc<Aws>,
    account: String,
    poll: Duration,
    adjust: impl FnOnce(Adapters) -> Adapters,
) -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = test_store(dir.path()).await;
    let adapters = adjust(Adapters::for_aws(aws, poll, None).unwrap());
    let (zones, records, ca) = (adapters.zones.clone(), adapters.records.clone(), adapters.ca.clone());
    // The server's own demo zone (seeded as the server, whatever the rules for teams).
    lockstep_server::work::collect_calls_as(lockstep_server::work::AwsAccess::Server, sandbox::seed(zones.as_ref()))
        .await
        .0
        .unwrap();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let engine = Engine::new(store.clone(), clock.clone(), registry(&adapters), EngineConfig::default());
    let service = Arc::new(Lockstep {
        store: store.clone(),
        adapters,
        clock,
        engine,
        env: app::model::EnvInfo { sandbox: true, account_id: None, demo_instance: None },
        signup: Default::default(),
    });
    let (me, team) = owner(&store).await;
    World { service, me, team, zones, records, ca, store, account, _dir: dir }
}

/// A person with a team of their own, made straight in the store (no password: in-process
/// tests act as them through a `Caller`).
pub async fn owner(store: &Arc<dyn Store>) -> (app::api::ssr::Caller, String) {
    use lockstep_server::store::directory::{TeamRow, UserRow};
    let user = UserRow {
        id: uuid::Uuid::now_v7().simple().to_string(),
        email: format!("{}@example.ac.kr", uuid::Uuid::new_v4().simple()),
        name: "Test Owner".into(),
        password_hash: "not-a-hash".into(),
        locale: None,
        created_at: 0,
    };
    let team = TeamRow {
        id: uuid::Uuid::now_v7().simple().to_string(),
        name: "Test team".into(),
        aws_role_arn: None,
        aws_external_id: "lockstep-test".into(),
        created_at: 0,
    };
    assert!(store.create_user(&user, Some(&team), 0).await.unwrap());
    (app::api::ssr::Caller::user(&user.id), team.id)
}

/// The store the in-process suites run on: a fresh SQLite file in `dir`, or with
/// `LOCKSTEP_TEST_STORE=postgres` a fresh database on the binary's throwaway PostgreSQL
/// cluster (`scripts/test.sh` runs these suites both ways).
pub async fn test_store(dir: &std::path::Path) -> Arc<dyn Store> {
    match std::env::var("LOCKSTEP_TEST_STORE").as_deref() {
        Ok("postgres") => Arc::new(PgStore::open(&pg::database().await).await.unwrap()),
        Ok("sqlite") | Err(_) => {
            Arc::new(SqliteStore::open(&format!("sqlite://{}", dir.join("l.db").display())).await.unwrap())
        }
        Ok(other) => panic!("LOCKSTEP_TEST_STORE={other}: use sqlite or postgres"),
    }
}

pub fn good_input() -> ProjectInput {
    ProjectInput {
        name: "capstone-shop".into(),
        region: "ap-northeast-2".into(),
        instance: "54.180.1.2".into(),
        app_port: "8000".into(),
        health_path: "/health".into(),
        bucket: "capstone-shop-frontend".into(),
        framework: "django".into(),
    }
}

/// Creates a project and returns its id.
pub async fn project(w: &World) -> String {
    match w.service.create_project(&w.me, &w.team, good_input()).await.unwrap() {
        app::model::CreateOutcome::Created(id) => id,
        other => panic!("project refused: {other:?}"),
    }
}

/// Runs due steps until `done(run)` holds (polling steps are re-scheduled 50 ms out).
pub async fn drive_until(
    w: &World,
    run_id: &str,
    done: impl Fn(&lockstep_domain::RunView) -> bool,
) -> lockstep_domain::RunView {
    let stop = CancellationToken::new();
    let start = Instant::now();
    loop {
        let (run, steps) = w.store.get_run(run_id).await.unwrap().unwrap();
        let view = lockstep_server::service::run_view(run, steps);
        if done(&view) {
            return view;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "run did not get there: {view:#?}");
        if !w.service.engine.run_once("test-worker", &stop).await.unwrap() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Runs due steps until the run is over.
pub async fn drive(w: &World, run_id: &str) -> lockstep_domain::RunView {
    drive_until(w, run_id, |r| r.status != RunStatus::Active).await
}

/// A valid Korean registrant contact.
pub fn contact() -> lockstep_domain::contact::ContactInput {
    lockstep_domain::contact::ContactInput {
        first_name: "Minji".into(),
        last_name: "Kim".into(),
        email: "minji@example.com".into(),
        phone: "010-1234-5678".into(),
        address_line1: "1 Gwanak-ro".into(),
        city: "Seoul".into(),
        state: "".into(),
        country_code: "KR".into(),
        zip_code: "08826".into(),
    }
}

/// moto's default VPC has no route to an internet gateway (AWS's has one): add it, so the
/// subnets are public by their route table as on AWS.
pub async fn internet_route(aws: &lockstep_server::aws::Aws, region: &str, vpc: &str) {
    let ec2 = aws.ec2_sdk(region);
    let igw = ec2.create_internet_gateway().send().await.unwrap();
    let igw = igw.internet_gateway().unwrap().internet_gateway_id().unwrap().to_string();
    ec2.attach_internet_gateway().internet_gateway_id(&igw).vpc_id(vpc).send().await.unwrap();
    let tables = ec2
        .describe_route_tables()
        .filters(aws_sdk_ec2::types::Filter::builder().name("vpc-id").values(vpc).build())
        .send()
        .await
        .unwrap();
    let main = tables
        .route_tables()
        .iter()
        .find(|t| t.associations().iter().any(|a| a.main() == Some(true)))
        .unwrap()
        .route_table_id()
        .unwrap()
        .to_string();
    ec2.create_route().route_table_id(main).destination_cidr_block("0.0.0.0/0").gateway_id(igw).send().await.unwrap();
}

/// The team's instance for the ALB tests: its own security group in the default VPC of
/// `region`, whose subnets get a route to an internet gateway (moto's default VPC has none;
/// AWS's has), in the first subnet by AZ. Returns the instance id and its group id.
pub async fn app_instance(account: &str, region: &str) -> (String, String) {
    let aws =
        Aws::connect(&AwsTarget::Sandbox { endpoint: moto().endpoint.clone(), account: Some(account.into()) }).await;
    let ec2 = aws.ec2_sdk(region);
    let vpcs = ec2.describe_vpcs().send().await.unwrap();
    let vpc = vpcs.vpcs().iter().find(|v| v.is_default() == Some(true)).unwrap().vpc_id().unwrap().to_string();
    internet_route(&aws, region, &vpc).await;
    let sg = ec2.create_security_group().group_name("app").description("app").vpc_id(&vpc).send().await.unwrap();
    let sg = sg.group_id().unwrap().to_string();
    let subnets = ec2.describe_subnets().send().await.unwrap();
    let mut in_vpc: Vec<(String, String)> = subnets
        .subnets()
        .iter()
        .filter(|s| s.vpc_id() == Some(vpc.as_str()))
        .map(|s| (s.availability_zone().unwrap().to_string(), s.subnet_id().unwrap().to_string()))
        .collect();
    in_vpc.sort();
    let run = ec2
        .run_instances()
        .image_id("ami-03cf127a")
        .instance_type(aws_sdk_ec2::types::InstanceType::T2Micro)
        .min_count(1)
        .max_count(1)
        .security_group_ids(&sg)
        .subnet_id(&in_vpc[0].1)
        .send()
        .await
        .unwrap();
    (run.instances()[0].instance_id().unwrap().to_string(), sg)
}

/// The same world after a restart: a new service and job engine on the same database (and the
/// same secret key, as the key file would give).
pub async fn same_store(w: &World) -> World {
    let adapters = w.service.adapters.clone();
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let engine = Engine::new(w.store.clone(), clock.clone(), registry(&adapters), EngineConfig::default());
    let service = Arc::new(Lockstep {
        store: w.store.clone(),
        adapters,
        clock,
        engine,
        env: w.service.env.clone(),
        signup: w.service.signup.clone(),
    });
    World {
        service,
        me: w.me.clone(),
        team: w.team.clone(),
        zones: w.zones.clone(),
        records: w.records.clone(),
        ca: w.ca.clone(),
        store: w.store.clone(),
        account: w.account.clone(),
        _dir: tempfile::tempdir().unwrap(),
    }
}

/// Every certificate for `domain` in `account`, in the regions the wizard uses.
pub async fn certificates_in(account: &str, domain: &str) -> usize {
    let aws =
        Aws::connect(&AwsTarget::Sandbox { endpoint: moto().endpoint.clone(), account: Some(account.into()) }).await;
    let mut n = 0;
    for region in ["us-east-1", "ap-northeast-2"] {
        let list = aws.acm(region).list_certificates().send().await.unwrap();
        n += list
            .certificate_summary_list()
            .iter()
            .filter(|c| c.domain_name().is_some_and(|d| d.ends_with(domain)))
            .count();
    }
    n
}
