//! Sandbox AWS: a moto_server on loopback that lockstep starts, seeds and stops itself.
//!
//! In sandbox mode every SDK client points at this emulator with dummy credentials, so a
//! newcomer can walk every step without an AWS account and without creating anything real.

pub mod lab;
pub mod probe;

use crate::aws::retry_transient;
use crate::ports::{DnsRecords, HostedZones, PortError, SandboxWorld};
use anyhow::{bail, Context};
use lockstep_domain::backoff::Backoff;
use lockstep_domain::{msg, DomainName, Message, Region};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use tracing::{info, warn};

/// The demo hosted zone a fresh sandbox gets, so the wizard has a domain to work with.
pub const DEMO_ZONE: &str = "lockstep-demo.com";
/// Where the sandbox's demo EC2 instance runs (the new-project form's default region).
pub const DEMO_REGION: &str = "ap-northeast-2";

pub struct MotoServer {
    child: Child,
    pub endpoint: String,
}

impl MotoServer {
    /// Starts `moto_server` on a free loopback port and waits until it answers.
    /// `acm_wait_secs` is how long a sandbox certificate stays PENDING_VALIDATION.
    pub async fn start(binary: &str, acm_wait_secs: u32) -> anyhow::Result<MotoServer> {
        let port = free_port()?;
        let child = Command::new(binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ACM_VALIDATION_WAIT", acm_wait_secs.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| {
                format!("could not start the sandbox AWS emulator \"{binary}\". Run ./scripts/setup.sh (it installs moto), or pass --moto-server PATH")
            })?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let mut server = MotoServer { child, endpoint: format!("http://{addr}") };
        server.wait_ready(addr, Duration::from_secs(30)).await?;
        info!(endpoint = %server.endpoint, "sandbox AWS (moto) is up");
        Ok(server)
    }

    async fn wait_ready(&mut self, addr: SocketAddr, limit: Duration) -> anyhow::Result<()> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("the sandbox AWS emulator exited at start ({status})");
            }
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                return Ok(());
            }
            if start.elapsed() > limit {
                bail!("the sandbox AWS emulator did not answer on {addr} within {limit:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port())
}

/// How start-up AWS work (seeding, the demo instance, the account id) retries transient
/// faults: up to 4 tries about 0.5 s, 1 s and 2 s apart, each try itself sent up to
/// [`crate::aws::SDK_MAX_ATTEMPTS`] times by the SDK. Bounded, so a broken endpoint still ends
/// start-up in seconds with a plain message instead of hanging (issue 20).
pub const STARTUP_RETRY: Backoff =
    Backoff { base: Duration::from_millis(500), max: Duration::from_secs(4), max_attempts: 4 };

/// Gives an empty sandbox account a public hosted zone to pick, riding out transient faults.
/// Without the zone the wizard has no domain to offer, so failing here stops start-up, with a
/// message saying what failed and what to do (English, then Korean).
pub async fn seed(zones: &dyn HostedZones) -> anyhow::Result<()> {
    seed_zone(zones, DEMO_ZONE).await
}

/// [`seed`] for any zone (the free path's stand-in seeds its own zone too).
pub async fn seed_zone(zones: &dyn HostedZones, zone: &str) -> anyhow::Result<()> {
    let name = DomainName::parse(zone)?;
    match retry_transient(STARTUP_RETRY, || seed_once(zones, &name)).await {
        Ok(()) => Ok(()),
        Err((e, tries)) => {
            let m = seed_failed(zone, &e, tries);
            Err(anyhow::anyhow!("{}\n{}", m.en, m.ko))
        }
    }
}

async fn seed_once(zones: &dyn HostedZones, name: &DomainName) -> Result<(), PortError> {
    let existing = zones.list_zones().await?;
    if existing.iter().any(|z| z.name == name.as_str()) {
        return Ok(());
    }
    zones.create_zone(name, "lockstep-sandbox-seed").await?;
    info!(zone = %name, "sandbox seeded with a demo hosted zone");
    Ok(())
}

/// The demo instance is a dozen calls (VPC, gateway, route, group, instance), each safe to
/// repeat: it gets more tries than one-call seeding. Under the fault test's 30% failures, 4 tries
/// of the whole sequence all failed for some seeds (`faults_paid::start_up_survives_aws_faults`).
pub const DEMO_INSTANCE_RETRY: Backoff =
    Backoff { base: Duration::from_millis(500), max: Duration::from_secs(4), max_attempts: 8 };

/// The sandbox's demo EC2 instance in [`DEMO_REGION`], riding out transient faults. `None`
/// (with a warning) when it cannot be made: the sandbox works without it, the new-project page
/// just has no instance id to suggest.
pub async fn demo_instance(world: &dyn SandboxWorld) -> Option<String> {
    let region = Region::parse(DEMO_REGION).ok()?;
    match retry_transient(DEMO_INSTANCE_RETRY, || world.demo_instance(&region)).await {
        Ok(id) => {
            info!(instance = %id, region = DEMO_REGION, "sandbox: demo EC2 instance ready");
            Some(id)
        }
        Err((e, tries)) => {
            let m = demo_instance_failed(&e, tries);
            warn!("{} / {}", m.en, m.ko);
            None
        }
    }
}

/// The sandbox's demo frontend bucket (website hosting on, an index.html), so the new-project
/// form has a bucket to pick, as a team that built its frontend has.
pub const DEMO_BUCKET: &str = "lockstep-demo-frontend";

/// Makes [`DEMO_BUCKET`] in [`DEMO_REGION`]; a warning when it cannot (the form then asks to
/// type a bucket name, which the sandbox makes on create).
pub async fn demo_bucket(world: &dyn SandboxWorld) {
    let Ok(region) = Region::parse(DEMO_REGION) else { return };
    if let Err((e, tries)) = retry_transient(STARTUP_RETRY, || world.prepare_bucket(&region, DEMO_BUCKET)).await {
        let f = failed(&e, tries);
        warn!(
            "sandbox: making the demo bucket {DEMO_BUCKET} {}; the new-project page will ask to type a bucket name. / 샌드박스: 데모 버킷 {DEMO_BUCKET} 만들기가 {}. 새 프로젝트 화면에서 버킷 이름을 입력해야 합니다.",
            f.en, f.ko
        );
    }
}

/// "failed (why)" or "failed N times in a row (why)".
fn failed(e: &PortError, tries: u32) -> Message {
    if tries > 1 {
        msg(format!("failed {tries} times in a row ({e})"), format!("{tries}번 연속 실패했습니다({e})"))
    } else {
        msg(format!("failed ({e})"), format!("실패했습니다({e})"))
    }
}

fn seed_failed(zone: &str, e: &PortError, tries: u32) -> Message {
    let f = failed(e, tries);
    msg(
        format!(
            "Could not prepare the sandbox: creating its demo hosted zone {zone} {}. The sandbox AWS emulator (moto) is not answering properly. Check that it is running (or that --sandbox-endpoint points at it) and start lockstep again.",
            f.en
        ),
        format!(
            "샌드박스를 준비하지 못했습니다: 데모 호스팅 영역 {zone} 만들기가 {}. 샌드박스 AWS 에뮬레이터(moto)가 제대로 응답하지 않습니다. 실행 중인지(또는 --sandbox-endpoint가 그것을 가리키는지) 확인하고 lockstep을 다시 시작하세요.",
            f.ko
        ),
    )
}

fn demo_instance_failed(e: &PortError, tries: u32) -> Message {
    let f = failed(e, tries);
    msg(
        format!(
            "sandbox: making the demo EC2 instance in {DEMO_REGION} {}. The sandbox works without it, but the new-project page will not suggest an instance; restart lockstep to try again.",
            f.en
        ),
        format!(
            "샌드박스: {DEMO_REGION}의 데모 EC2 인스턴스 만들기가 {}. 샌드박스는 그대로 쓸 수 있지만 새 프로젝트 화면에 추천 인스턴스가 나오지 않습니다. 다시 시도하려면 lockstep을 다시 시작하세요.",
            f.ko
        ),
    )
}

use crate::ports::{Availability, Operation, PortResult, PublicDns, RegisterRequest, Registrar, TldPrice, Usd};
use async_trait::async_trait;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};

/// Sandbox stand-in for the Route 53 Domains calls moto does not implement
/// (CheckDomainAvailability, GetDomainSuggestions, ListPrices). Everything moto does implement
/// (RegisterDomain, GetOperationDetail, ListOperations, GetDomainDetail) goes to moto through
/// the real adapter. The UI labels these answers "sandbox", never as AWS's.
pub struct SandboxRegistrar {
    pub inner: Arc<dyn Registrar>,
    pub zones: Arc<dyn HostedZones>,
}

/// Names the stand-in calls taken, so the "unavailable" path can be walked too.
const TAKEN: &[&str] = &["google.com", "naver.com", "kakao.com", "example.com", "taken.com"];

/// Stand-in prices (USD, registration / renewal per year), in the range Route 53 charges.
const PRICES: &[(&str, i64, i64)] = &[
    ("com", 1500, 1500),
    ("net", 1700, 1700),
    ("org", 1300, 1300),
    ("click", 300, 300),
    ("link", 500, 500),
    ("xyz", 1300, 1300),
    ("dev", 1400, 1400),
    ("io", 7100, 7100),
];

#[async_trait]
impl Registrar for SandboxRegistrar {
    async fn availability(&self, domain: &DomainName) -> PortResult<Availability> {
        if TAKEN.contains(&domain.as_str()) || domain.as_str().split('.').next().is_some_and(|l| l.contains("taken")) {
            return Ok(Availability::Unavailable("UNAVAILABLE".into()));
        }
        if self.inner.nameservers(domain).await?.is_some() {
            return Ok(Availability::Unavailable("already registered in this account".into()));
        }
        Ok(Availability::Available)
    }

    async fn suggestions(&self, domain: &DomainName, count: i32) -> PortResult<Vec<(String, bool)>> {
        let label = domain.as_str().split('.').next().unwrap_or("team").to_string();
        let mut out = Vec::new();
        for candidate in [
            format!("{label}.click"),
            format!("{label}-team.com"),
            format!("{label}app.com"),
            format!("{label}.link"),
            format!("{label}.net"),
            format!("get{label}.com"),
        ] {
            if candidate == domain.as_str() {
                continue;
            }
            let available = match DomainName::parse(&candidate) {
                Ok(n) => matches!(self.availability(&n).await?, Availability::Available),
                Err(_) => continue,
            };
            out.push((candidate, available));
        }
        out.truncate(count.max(0) as usize);
        Ok(out)
    }

    async fn price(&self, tld: &str) -> PortResult<Option<TldPrice>> {
        Ok(PRICES.iter().find(|(t, ..)| *t == tld).map(|(t, r, n)| TldPrice {
            tld: t.to_string(),
            registration: Usd(*r),
            renewal: Usd(*n),
        }))
    }

    async fn register(&self, request: &RegisterRequest) -> PortResult<String> {
        self.inner.register(request).await
    }

    async fn operation(&self, id: &str) -> PortResult<Operation> {
        self.inner.operation(id).await
    }

    async fn recent_operations(&self, since_ms: i64) -> PortResult<Vec<Operation>> {
        self.inner.recent_operations(since_ms).await
    }

    async fn nameservers(&self, domain: &DomainName) -> PortResult<Option<Vec<String>>> {
        // moto's registered domains carry made-up name servers unrelated to the hosted zone it
        // creates; on AWS they are the zone's. Answer like AWS.
        match self.inner.nameservers(domain).await? {
            Some(ns) => match self.zones.find_zone(domain).await? {
                Some(zone) => Ok(Some(self.zones.delegation(&zone.id).await?)),
                None => Ok(Some(ns)),
            },
            None => Ok(None),
        }
    }

    fn stand_in(&self) -> bool {
        true
    }
}

/// The registrar default name servers a domain "at another registrar" starts with.
pub const SANDBOX_REGISTRAR_NS: [&str; 2] = ["ns1.sandbox-registrar.example", "ns2.sandbox-registrar.example"];

/// Sandbox stand-in for public DNS (there is no internet here): a domain whose hosted zone is in
/// moto answers with the registrar's default name servers until the user says they changed them
/// at the registrar ([`SandboxDns::registrar_updated`]); then with the zone's own. The seeded
/// demo zone starts correctly delegated.
pub struct SandboxDns {
    pub zones: Arc<dyn HostedZones>,
    pub records: Arc<dyn DnsRecords>,
    updated: Mutex<HashSet<String>>,
}

impl SandboxDns {
    pub fn new(zones: Arc<dyn HostedZones>, records: Arc<dyn DnsRecords>) -> Self {
        SandboxDns { zones, records, updated: Mutex::new(HashSet::from([DEMO_ZONE.to_string()])) }
    }

    /// "I changed the name servers at my registrar", in the sandbox.
    pub fn registrar_updated(&self, domain: &DomainName) {
        self.updated.lock().unwrap_or_else(|p| p.into_inner()).insert(domain.to_string());
    }
}

impl SandboxDns {
    /// The records of the closest hosted zone in moto above `name` (empty when none).
    async fn zone_records_for(&self, name: &str) -> PortResult<Vec<crate::ports::RecordSet>> {
        let labels: Vec<&str> = name.split('.').collect();
        for i in 0..labels.len().saturating_sub(1) {
            let Ok(parent) = DomainName::parse(&labels[i..].join(".")) else { continue };
            if let Some(zone) = self.zones.find_zone(&parent).await? {
                return self.records.list_records(&zone.id).await;
            }
        }
        Ok(Vec::new())
    }
}

#[async_trait]
impl PublicDns for SandboxDns {
    async fn ns(&self, name: &DomainName) -> PortResult<Vec<String>> {
        let Some(zone) = self.zones.find_zone(name).await? else { return Ok(Vec::new()) };
        if self.updated.lock().unwrap_or_else(|p| p.into_inner()).contains(name.as_str()) {
            self.zones.delegation(&zone.id).await
        } else {
            Ok(SANDBOX_REGISTRAR_NS.iter().map(|s| s.to_string()).collect())
        }
    }

    async fn cname(&self, name: &str) -> PortResult<Option<String>> {
        let want = name.trim_end_matches('.').to_ascii_lowercase();
        Ok(self
            .zone_records_for(&want)
            .await?
            .into_iter()
            .find(|r| r.rtype == "CNAME" && r.name.eq_ignore_ascii_case(&want))
            .and_then(|r| r.values.first().map(|v| v.trim_end_matches('.').to_ascii_lowercase())))
    }

    async fn caa(&self, name: &str) -> PortResult<Vec<(String, String)>> {
        let want = name.trim_end_matches('.').to_ascii_lowercase();
        Ok(self
            .zone_records_for(&want)
            .await?
            .into_iter()
            .filter(|r| r.rtype == "CAA" && r.name.eq_ignore_ascii_case(&want))
            .flat_map(|r| r.values)
            .filter_map(|v| {
                let mut parts = v.splitn(3, ' ');
                let (_flags, tag, value) = (parts.next()?, parts.next()?, parts.next()?);
                Some((tag.to_ascii_lowercase(), value.trim_matches('"').to_string()))
            })
            .collect())
    }

    /// The A records of the closest hosted zone in moto, as if Route 53 answered the world
    /// (the zone's delegation is the domain step's business, not this lookup's).
    async fn a(&self, name: &DomainName) -> PortResult<Vec<std::net::Ipv4Addr>> {
        Ok(self
            .zone_records_for(name.as_str())
            .await?
            .iter()
            .filter(|r| r.rtype == "A" && r.name.eq_ignore_ascii_case(name.as_str()))
            .flat_map(|r| r.values.iter().filter_map(|v| v.parse().ok()))
            .collect())
    }
}
