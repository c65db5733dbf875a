//! AWS faults and kill -9 together (issue 20): the real `lockstep` binary in sandbox mode talks
//! to moto through a fault-injecting proxy (`common/fault_proxy.rs`) that fails 20% of the AWS
//! calls, half before they reach AWS (503 or throttling) and half after (moto did the work, the
//! answer is lost: a 503 or a dropped connection), while the test kills the server with SIGKILL
//! at random moments and starts it again on the same data.
//!
//! Through all that, every start-up (STS, seeding the sandbox's demo zone, its demo instance)
//! must succeed, the paid path (certificate and load balancer, as `crash_paid.rs` drives it
//! through the HTTP API) and then its teardown must finish, and moto, listed directly with the
//! SDK (not through the proxy), must hold each resource the run created exactly once and the
//! ledger must name exactly those; after the teardown nothing lockstep created is left.
//!
//! The seed is printed (`LOCKSTEP_FAULT_SEED` repeats a run's choices), and the kill count,
//! fault counts and outcome at the end.

mod common;
use common::ec2_sdk::Ec2Sdk;

use app::model::{CreateOutcome, EnvInfo, LedgerView, PaidPlanView, StartOutcome, ZoneChoice};
use common::fault_proxy::FaultProxy;
use common::Server;
use lockstep_domain::ledger::ResourceKind;
use lockstep_domain::{RunStatus, RunView};
use lockstep_server::aws::{Aws, AwsTarget};
use lockstep_server::sandbox::DEMO_ZONE;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

const REGION: &str = "ap-northeast-2";
/// The share of AWS calls that fail (half not sent, half with the answer lost).
const FAULT_SHARE: f64 = 0.2;
/// A kill comes this long after the server is up, drawn uniformly.
const KILL_AFTER: (f64, f64) = (0.3, 2.0);
/// Kills per run at most: fewer than the engine's cap on interrupted turns in a row (8), so
/// the cap is never what the test measures.
const KILLS_PER_RUN: usize = 7;
/// A run must be over within this, kills and restarts included.
const RUN_LIMIT: Duration = Duration::from_secs(75);

/// The server under test, killed and started again by the test.
struct Supervisor {
    dir: tempfile::TempDir,
    account: String,
    endpoint: String,
    server: Option<Server>,
    rng: StdRng,
    kill_at: Option<Instant>,
    kills: usize,
    starts: usize,
    seed: u64,
    /// Every server's output, written to a file when the test ends (for a failing run).
    log: Vec<String>,
}

impl Supervisor {
    async fn new(account: &str, endpoint: &str, seed: u64, http: &reqwest::Client) -> Supervisor {
        let mut s = Supervisor {
            dir: tempfile::tempdir().unwrap(),
            account: account.to_string(),
            endpoint: endpoint.to_string(),
            server: None,
            rng: StdRng::seed_from_u64(seed ^ 0x6b69_6c6c),
            kill_at: None,
            kills: 0,
            starts: 0,
            seed,
            log: Vec::new(),
        };
        s.start(http).await;
        s
    }

    /// Starts lockstep through the proxy: STS, the demo zone and the demo instance, all under
    /// faults. Start-up must succeed every time (`Server` panics when it exits instead), with
    /// the account id from STS and the demo instance.
    async fn start(&mut self, http: &reqwest::Client) {
        self.log.push(format!("==== start {} ====", self.starts + 1));
        let mut server = Server::start_at(self.dir.path(), &self.account, None, &self.endpoint);
        self.log.append(&mut server.seen);
        self.server = Some(server);
        self.starts += 1;
        let env: EnvInfo = try_post(http, &self.base(), "environment", &[]).await.unwrap();
        assert_eq!(env.account_id.as_deref(), Some(self.account.as_str()), "STS answered through the faults");
        assert!(env.demo_instance.is_some(), "the demo instance is made (or found) through the faults");
    }

    fn base(&self) -> String {
        self.server.as_ref().map(|s| s.url("")).unwrap_or_default()
    }

    /// Kills come at random moments from now on, at most `KILLS_PER_RUN` more.
    fn arm(&mut self) -> usize {
        self.schedule();
        self.kills + KILLS_PER_RUN
    }

    fn schedule(&mut self) {
        let secs = self.rng.random_range(KILL_AFTER.0..KILL_AFTER.1);
        self.kill_at = Some(Instant::now() + Duration::from_secs_f64(secs));
    }

    /// SIGKILL and a restart on the same data, when the moment has come and `upto` allows.
    async fn maybe_kill(&mut self, upto: usize, http: &reqwest::Client) {
        if self.kill_at.is_none_or(|t| Instant::now() < t) || self.kills >= upto {
            return;
        }
        self.drain();
        if let Some(s) = self.server.take() {
            s.kill9();
        }
        self.log.push(format!("==== kill -9 ({}) ====", self.kills + 1));
        self.kills += 1;
        self.start(http).await;
        self.schedule();
    }
}

impl Supervisor {
    /// Moves the server's output so far into the log.
    fn drain(&mut self) {
        if let Some(s) = &self.server {
            self.log.extend(s.lines.try_iter());
        }
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        self.drain();
        let path = std::env::temp_dir().join(format!("lockstep-faults-paid-{}.log", self.seed));
        if std::fs::write(&path, self.log.join("\n")).is_ok() {
            eprintln!("faults_paid: the servers' output is in {}", path.display());
        }
    }
}

/// A server function's answer; `Err` when the server is down, or answered with an error.
async fn try_post<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    base: &str,
    f: &str,
    form: &[(&str, &str)],
) -> Result<T, String> {
    let resp = http.post(format!("{base}/api/{f}")).form(form).send().await.map_err(|e| e.to_string())?;
    let status = resp.status();
    let body = resp.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{f}: {status} {body}"));
    }
    serde_json::from_str(&body).map_err(|e| format!("{f}: {e}: {body}"))
}

/// A server function, asked again (as a person presses again) when AWS failed under it more
/// often than the SDK's own retries cover. Counts the tries it needed again in `again`.
async fn post<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    base: &str,
    f: &str,
    form: &[(&str, &str)],
    again: &mut usize,
) -> T {
    let mut last = String::new();
    for _ in 0..8 {
        match try_post(http, base, f, form).await {
            Ok(v) => return v,
            Err(e) => last = e,
        }
        *again += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{f} kept failing: {last}")
}

/// Polls `latest` until the run `id` is over, killing the server at random moments meanwhile.
async fn finish(
    http: &reqwest::Client,
    sup: &mut Supervisor,
    latest: &str,
    pid: &str,
    id: &str,
    upto: usize,
) -> RunView {
    let start = Instant::now();
    loop {
        sup.drain();
        sup.maybe_kill(upto, http).await;
        if let Ok(run) = try_post::<Option<RunView>>(http, &sup.base(), latest, &[("project_id", pid)]).await {
            let run = run.expect("the run survives");
            assert_eq!(run.id, id, "the same run resumes; no second run");
            if run.status != RunStatus::Active {
                return run;
            }
            assert!(start.elapsed() < RUN_LIMIT, "run did not finish within {RUN_LIMIT:?}: {run:#?}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// What lockstep makes for the backend, as moto holds it (listed directly, not via the proxy).
#[derive(Debug, Default)]
struct Held {
    load_balancers: BTreeSet<String>,
    target_groups: BTreeSet<String>,
    listeners: BTreeSet<String>,
    /// `lockstep-alb-*` groups.
    groups: BTreeSet<String>,
    /// Rules on those groups, and rules anywhere whose source is one of `sources`, as ledger
    /// ids (`sg-x:tcp:PORT:from:SRC`).
    rules: BTreeSet<String>,
    certificates: BTreeSet<String>,
    /// The demo zone's records other than its NS and SOA, as `NAME:TYPE`.
    records: BTreeSet<String>,
    /// How many hosted zones are named like the sandbox's demo zone.
    demo_zones: usize,
    /// How many running instances are tagged as the sandbox's demo instance.
    demo_instances: usize,
}

async fn held(account: &str, sources: &BTreeSet<String>) -> Held {
    let aws =
        Aws::connect(&AwsTarget::Sandbox { endpoint: common::moto().endpoint.clone(), account: Some(account.into()) })
            .await;
    let mut h = Held::default();
    let elb = aws.elbv2(REGION);
    for lb in elb.describe_load_balancers().send().await.unwrap().load_balancers() {
        let arn = lb.load_balancer_arn().unwrap();
        h.load_balancers.insert(arn.to_string());
        let l = elb.describe_listeners().load_balancer_arn(arn).send().await.unwrap();
        h.listeners.extend(l.listeners().iter().filter_map(|l| l.listener_arn().map(str::to_string)));
    }
    let tgs = elb.describe_target_groups().send().await.unwrap();
    h.target_groups.extend(tgs.target_groups().iter().filter_map(|t| t.target_group_arn().map(str::to_string)));
    let demo = aws_sdk_ec2::types::Filter::builder().name("tag:Name").values("lockstep-demo").build();
    let running = aws_sdk_ec2::types::Filter::builder().name("instance-state-name").values("running").build();
    let found = aws.ec2_sdk(REGION).describe_instances().filters(demo).filters(running).send().await.unwrap();
    h.demo_instances = found.reservations().iter().map(|r| r.instances().len()).sum();
    let groups = aws.ec2_sdk(REGION).describe_security_groups().send().await.unwrap();
    for g in groups.security_groups() {
        let id = g.group_id().unwrap().to_string();
        let ours = g.group_name().is_some_and(|n| n.starts_with("lockstep-alb-"));
        if ours {
            h.groups.insert(id.clone());
        }
        for p in g.ip_permissions() {
            let port = p.from_port().unwrap_or(0);
            let mut from: Vec<String> = p.ip_ranges().iter().filter_map(|r| r.cidr_ip().map(str::to_string)).collect();
            from.extend(p.ipv6_ranges().iter().filter_map(|r| r.cidr_ipv6().map(str::to_string)));
            from.extend(p.user_id_group_pairs().iter().filter_map(|u| u.group_id().map(str::to_string)));
            for src in from {
                if ours || sources.contains(&src) {
                    h.rules.insert(format!("{id}:tcp:{port}:from:{src}"));
                }
            }
        }
    }
    for r in [REGION, "us-east-1"] {
        let list = aws.acm(r).list_certificates().send().await.unwrap();
        h.certificates
            .extend(list.certificate_summary_list().iter().filter_map(|c| c.certificate_arn().map(str::to_string)));
    }
    let zones = aws.route53().list_hosted_zones().send().await.unwrap();
    for z in zones.hosted_zones().iter().filter(|z| z.name().trim_end_matches('.') == DEMO_ZONE) {
        h.demo_zones += 1;
        let sets = aws.route53().list_resource_record_sets().hosted_zone_id(z.id()).send().await.unwrap();
        for r in sets.resource_record_sets() {
            let t = r.r#type().as_str();
            if t != "NS" && t != "SOA" {
                h.records.insert(format!("{}:{t}", r.name().trim_end_matches('.').to_ascii_lowercase()));
            }
        }
    }
    h
}

/// The ledger's ids of `kind` (records as `NAME:TYPE`), asserting none is listed twice.
fn ledger_ids(ledger: &LedgerView, kind: ResourceKind) -> BTreeSet<String> {
    let ids: Vec<String> = ledger
        .items
        .iter()
        .filter(|i| i.kind == kind)
        .map(|i| match kind {
            // ZONE:NAME:TYPE
            ResourceKind::Route53Record => {
                let parts: Vec<&str> = i.id.rsplitn(3, ':').collect();
                format!("{}:{}", parts[1].trim_end_matches('.').to_ascii_lowercase(), parts[0])
            }
            _ => i.id.clone(),
        })
        .collect();
    let set: BTreeSet<String> = ids.iter().cloned().collect();
    assert_eq!(set.len(), ids.len(), "{kind:?} listed twice in the ledger: {ids:?}");
    set
}

#[tokio::test]
async fn the_paid_path_and_its_teardown_survive_aws_faults_and_kill_9() {
    let began = Instant::now();
    let seed = common::fault_proxy::seed();
    let proxy = FaultProxy::start(&common::moto().endpoint, FAULT_SHARE, seed);
    let account = common::account();
    let http = common::http_client();
    let mut again = 0;

    // Start-up under faults: a fresh account, so the demo zone and instance are made now.
    let mut sup = Supervisor::new(&account, &proxy.endpoint, seed, &http).await;
    let team = common::team_of(&http, &sup.base()).await;
    let env: EnvInfo = post(&http, &sup.base(), "environment", &[], &mut again).await;
    let instance = env.demo_instance.expect("the demo instance");
    let form = [
        ("team_id", team.as_str()),
        ("name", "faults-paid"),
        ("region", REGION),
        ("instance", &instance),
        ("app_port", "8000"),
        ("health_path", "/health"),
        ("bucket", "faults-paid-web"),
        ("framework", "django"),
    ];
    let CreateOutcome::Created(pid) = post(&http, &sup.base(), "create_project", &form, &mut again).await else {
        panic!("project refused")
    };
    let zones: Vec<ZoneChoice> = post(&http, &sup.base(), "list_zones", &[("project_id", &pid)], &mut again).await;
    let zone = zones.into_iter().find(|z| z.name == DEMO_ZONE).expect("the demo zone");
    let form = [("project_id", pid.as_str()), ("zone_id", zone.id.as_str())];
    let _: serde_json::Value = post(&http, &sup.base(), "choose_zone", &form, &mut again).await;

    // The paid path: certificate and load balancer in one backend run, killed at random.
    let plan: PaidPlanView = post(&http, &sup.base(), "paid_plan", &[("project_id", &pid)], &mut again).await;
    let cents = plan.monthly_cents.to_string();
    let form = [("project_id", pid.as_str()), ("confirm_cents", &cents), ("certificate", "new")];
    let StartOutcome::Started(run) = post(&http, &sup.base(), "start_backend", &form, &mut again).await else {
        panic!("start_backend refused")
    };
    let upto = sup.arm();
    let backend = finish(&http, &mut sup, "latest_backend_run", &pid, &run.id, upto).await;
    let backend_kills = sup.kills;
    assert_eq!(backend.status, RunStatus::Succeeded, "seed {seed}: {backend:#?}");

    // Each resource once in moto, and the ledger names exactly those.
    let ledger: LedgerView = post(&http, &sup.base(), "ledger", &[("project_id", &pid)], &mut again).await;
    let first = held(&account, &BTreeSet::new()).await;
    let built = held(&account, &first.groups).await;
    let report = format!("seed {seed}: {built:#?}\nledger {:#?}", ledger.items);
    assert_eq!(built.load_balancers.len(), 1, "{report}");
    assert_eq!(built.target_groups.len(), 1, "{report}");
    assert_eq!(built.listeners.len(), 2, "one listener per port: {report}");
    assert_eq!(built.groups.len(), 1, "{report}");
    assert_eq!(built.certificates.len(), 1, "{report}");
    assert_eq!(built.demo_zones, 1, "seeding under faults made one demo zone: {report}");
    assert_eq!(built.demo_instances, 1, "start-up under faults made one demo instance: {report}");
    assert_eq!(built.records.len(), 3, "A, AAAA and the validation CNAME: {report}");
    assert_eq!(built.rules.len(), 5, "80/443 from anywhere (IPv4, IPv6), the app port from the ALB: {report}");
    assert_eq!(ledger_ids(&ledger, ResourceKind::LoadBalancer), built.load_balancers, "{report}");
    assert_eq!(ledger_ids(&ledger, ResourceKind::TargetGroup), built.target_groups, "{report}");
    assert_eq!(ledger_ids(&ledger, ResourceKind::Listener), built.listeners, "{report}");
    assert_eq!(ledger_ids(&ledger, ResourceKind::SecurityGroup), built.groups, "{report}");
    assert_eq!(ledger_ids(&ledger, ResourceKind::SgRule), built.rules, "{report}");
    assert_eq!(ledger_ids(&ledger, ResourceKind::AcmCertificate), built.certificates, "{report}");
    assert_eq!(ledger_ids(&ledger, ResourceKind::Route53Record), built.records, "{report}");
    let after_build = proxy.counts.summary();

    // The teardown, killed at random too; then nothing lockstep made is left.
    let form = [("project_id", pid.as_str()), ("confirm", "on")];
    let StartOutcome::Started(run) = post(&http, &sup.base(), "start_teardown", &form, &mut again).await else {
        panic!("start_teardown refused")
    };
    let upto = sup.arm();
    let teardown = finish(&http, &mut sup, "latest_teardown_run", &pid, &run.id, upto).await;
    assert_eq!(teardown.status, RunStatus::Succeeded, "seed {seed}: {teardown:#?}");
    let ledger: LedgerView = post(&http, &sup.base(), "ledger", &[("project_id", &pid)], &mut again).await;
    let left = held(&account, &built.groups).await;
    let report = format!("seed {seed}: {left:#?}\nledger {:#?}", ledger.items);
    assert!(ledger.items.is_empty(), "{report}");
    assert!(left.load_balancers.is_empty() && left.target_groups.is_empty() && left.listeners.is_empty(), "{report}");
    assert!(left.groups.is_empty() && left.rules.is_empty(), "no group or rule of lockstep's: {report}");
    assert!(left.certificates.is_empty() && left.records.is_empty(), "{report}");
    assert_eq!(left.demo_zones, 1, "the zone is kept (not asked to delete it): {report}");
    drop(sup.server.take());

    eprintln!(
        "faults_paid: seed {seed}, {} kills ({backend_kills} in the backend run, {} in the teardown), {} starts, {again} server-function calls asked again; after the build: {after_build}; in all: {}; outcome: backend {:?}, teardown {:?}, one of each resource, nothing left; {:.0?}",
        sup.kills,
        sup.kills - backend_kills,
        sup.starts,
        proxy.counts.summary(),
        backend.status,
        teardown.status,
        began.elapsed(),
    );
}

/// Start-up alone, more often and under more faults: fresh sandbox accounts, each started twice
/// (the second start finds what the first made), through a proxy failing 30% of the calls.
/// Every start gets the account id from STS and the demo instance; each account ends with one
/// demo zone, one demo instance, one demo security group and one attached internet gateway.
#[tokio::test]
async fn start_up_survives_aws_faults() {
    let seed = common::fault_proxy::seed();
    let proxy = FaultProxy::start(&common::moto().endpoint, 0.3, seed);
    for _ in 0..5 {
        let account = common::account();
        let mut instances = BTreeSet::new();
        for _ in 0..2 {
            let dir = tempfile::tempdir().unwrap();
            let mut config = common::serve_config(dir.path());
            config.sandbox_endpoint = Some(proxy.endpoint.clone());
            config.sandbox_account = Some(account.clone());
            let app = lockstep_server::Application::build(config).await;
            let app = app.unwrap_or_else(|e| panic!("seed {seed}: start-up failed under faults: {e:#}"));
            assert_eq!(app.env.account_id.as_deref(), Some(account.as_str()), "seed {seed}: STS");
            instances.insert(app.env.demo_instance.clone().unwrap_or_else(|| panic!("seed {seed}: no demo instance")));
        }
        assert_eq!(instances.len(), 1, "seed {seed}: the second start finds the first one's instance");
        let h = held(&account, &BTreeSet::new()).await;
        assert_eq!((h.demo_zones, h.demo_instances), (1, 1), "seed {seed}: {h:?}");
        let aws =
            Aws::connect(&AwsTarget::Sandbox { endpoint: common::moto().endpoint.clone(), account: Some(account) })
                .await;
        let ec2 = aws.ec2_sdk(REGION);
        let groups = ec2.describe_security_groups().send().await.unwrap();
        let demo = groups.security_groups().iter().filter(|g| g.group_name() == Some("lockstep-demo-app")).count();
        let igws = ec2.describe_internet_gateways().send().await.unwrap();
        let attached = igws.internet_gateways().iter().filter(|g| !g.attachments().is_empty()).count();
        assert_eq!((demo, attached), (1, 1), "seed {seed}: one demo group, one attached gateway");
    }
    eprintln!("start-up under faults: seed {seed}, 10 starts in 5 fresh accounts; {}", proxy.counts.summary());
}
