//! The narrow interfaces lockstep's domain logic uses to reach the outside world.
//!
//! Each external system is one trait here; the AWS SDK adapters in [`crate::aws`] implement
//! them, and tests implement them with fakes or drive the adapters with scripted SDK replies.
//! Nothing outside `crate::aws` may import an SDK crate (a test enforces it).

use async_trait::async_trait;
use lockstep_domain::{DomainName, Region};
use serde::{Deserialize, Serialize};

/// What went wrong talking to an external system, classified for the job engine:
/// throttling and unavailability are retried with backoff, the rest stop the step.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    #[error("throttled ({0})")]
    Throttled(String),
    #[error("temporarily unavailable ({0})")]
    Unavailable(String),
    #[error("access denied ({code}): {message}")]
    Denied { code: String, message: String },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("{code}: {message}")]
    Rejected { code: String, message: String },
    #[error("not supported here: {0}")]
    Unsupported(String),
}

impl PortError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, PortError::Throttled(_) | PortError::Unavailable(_))
    }
}

pub type PortResult<T> = Result<T, PortError>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CertStatus {
    PendingValidation,
    Issued,
    Failed,
    ValidationTimedOut,
    Revoked,
    Expired,
    Inactive,
    Other(String),
}

/// A DNS record ACM asks for to prove control of one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationRecord {
    pub domain: String,
    pub name: String,
    pub rtype: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateInfo {
    pub arn: String,
    pub domain: String,
    pub names: Vec<String>,
    pub status: CertStatus,
    /// Present per name once ACM has published it (may lag the request by seconds).
    pub validation: Vec<ValidationRecord>,
    pub failure_reason: Option<String>,
    pub in_use_by: Vec<String>,
    pub created_at_ms: Option<i64>,
    pub not_after_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateSummary {
    pub arn: String,
    pub domain: String,
    pub status: CertStatus,
}

/// ACM, in any region.
#[async_trait]
pub trait CertificateAuthority: Send + Sync + 'static {
    /// Requests a DNS-validated certificate. The same `idempotency_token` within an hour
    /// returns the same certificate instead of a new one.
    async fn request(&self, region: &Region, names: &[DomainName], idempotency_token: &str) -> PortResult<String>;
    async fn describe(&self, region: &Region, arn: &str) -> PortResult<CertificateInfo>;
    async fn list(&self, region: &Region) -> PortResult<Vec<CertificateSummary>>;
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zone {
    /// The bare id, without `/hostedzone/`.
    pub id: String,
    /// Canonical name, no trailing dot.
    pub name: String,
    pub private: bool,
    pub record_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSet {
    /// Canonical name, no trailing dot.
    pub name: String,
    pub rtype: String,
    pub ttl: i64,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChangeStatus {
    Pending,
    InSync,
}

/// Route 53 hosted zones and their records.
#[async_trait]
pub trait DnsZones: Send + Sync + 'static {
    async fn list_zones(&self) -> PortResult<Vec<Zone>>;
    async fn get_zone(&self, id: &str) -> PortResult<Zone>;
    /// Creates the zone; `caller_reference` makes a retry return the same zone.
    async fn create_zone(&self, name: &DomainName, caller_reference: &str) -> PortResult<Zone>;
    /// UPSERTs the records in one change batch; returns the change id.
    async fn upsert(&self, zone_id: &str, records: &[RecordSet]) -> PortResult<String>;
    async fn change_status(&self, change_id: &str) -> PortResult<ChangeStatus>;
    async fn list_records(&self, zone_id: &str) -> PortResult<Vec<RecordSet>>;
    /// The four name servers Route 53 assigned to the zone (its delegation set).
    async fn delegation(&self, zone_id: &str) -> PortResult<Vec<String>>;
    /// The public zone with exactly this name, if the account has one.
    async fn find_zone(&self, name: &DomainName) -> PortResult<Option<Zone>> {
        Ok(self.list_zones().await?.into_iter().find(|z| !z.private && z.name == name.as_str()))
    }
}

/// Who we are in AWS (STS).
#[async_trait]
pub trait Identity: Send + Sync + 'static {
    async fn account_id(&self) -> PortResult<String>;
}

/// Whether a domain can be registered, as Route 53 Domains answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Availability {
    Available,
    /// Taken (or premium / restricted): not for sale at the normal price.
    Unavailable(String),
    /// The registry could not say right now.
    Unknown(String),
}

/// US dollars in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usd(pub i64);

impl std::fmt::Display for Usd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "${}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TldPrice {
    pub tld: String,
    pub registration: Usd,
    pub renewal: Usd,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRequest {
    pub domain: DomainName,
    pub years: i32,
    pub contact: lockstep_domain::contact::Contact,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OperationStatus {
    Submitted,
    InProgress,
    Successful,
    Failed,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    pub id: String,
    pub status: OperationStatus,
    pub kind: String,
    pub domain: Option<String>,
    pub message: Option<String>,
    pub submitted_ms: Option<i64>,
}

/// Route 53 Domains (us-east-1 only).
#[async_trait]
pub trait Registrar: Send + Sync + 'static {
    async fn availability(&self, domain: &DomainName) -> PortResult<Availability>;
    /// Up to `count` alternative names, each with whether it is available.
    async fn suggestions(&self, domain: &DomainName, count: i32) -> PortResult<Vec<(String, bool)>>;
    async fn price(&self, tld: &str) -> PortResult<Option<TldPrice>>;
    /// Registers (and bills); returns the operation id. Not idempotent: callers must look for
    /// an earlier operation first ([`Registrar::recent_operations`]).
    async fn register(&self, request: &RegisterRequest) -> PortResult<String>;
    async fn operation(&self, id: &str) -> PortResult<Operation>;
    async fn recent_operations(&self, since_ms: i64) -> PortResult<Vec<Operation>>;
    /// The name servers the registry has for a domain registered in this account; `None`
    /// when the domain is not registered here.
    async fn nameservers(&self, domain: &DomainName) -> PortResult<Option<Vec<String>>>;
    /// `true` when some answers come from lockstep's sandbox stand-in, not from AWS.
    fn stand_in(&self) -> bool {
        false
    }
}

/// Public DNS, as the rest of the internet sees it.
#[async_trait]
pub trait PublicDns: Send + Sync + 'static {
    /// The NS records of `name` (lower case, no trailing dot); empty when there are none.
    async fn ns(&self, name: &DomainName) -> PortResult<Vec<String>>;
    /// The IPv4 addresses `name` resolves to (CNAMEs followed); empty when it has none.
    async fn a(&self, name: &DomainName) -> PortResult<Vec<std::net::Ipv4Addr>>;
}

/// EC2 instances.
#[async_trait]
pub trait Instances: Send + Sync + 'static {
    /// The instance's public IPv4 address, `None` when it has none.
    async fn public_ip(&self, region: &Region, instance_id: &str) -> PortResult<Option<std::net::Ipv4Addr>>;
    /// `true` when `ip` is an Elastic IP of this account in `region` (it survives stop/start;
    /// an automatically assigned public IP does not).
    async fn is_elastic_ip(&self, region: &Region, ip: std::net::Ipv4Addr) -> PortResult<bool>;
}

/// Name servers compared without case or trailing dot.
pub fn same_nameservers(a: &[String], b: &[String]) -> bool {
    let norm = |v: &[String]| {
        let mut v: Vec<String> = v.iter().map(|s| s.trim().trim_end_matches('.').to_ascii_lowercase()).collect();
        v.sort();
        v.dedup();
        v
    };
    !a.is_empty() && norm(a) == norm(b)
}

/// Checks a deployed site from outside, as a browser would (the HTTPS doctor; adapter:
/// `lockstep_doctor::Doctor` over real DNS, TCP, TLS and HTTP).
#[async_trait]
pub trait HttpsProbe: Send + Sync {
    async fn check(&self, target: &lockstep_doctor::Target) -> lockstep_domain::doctor::Report;
}

#[async_trait]
impl HttpsProbe for lockstep_doctor::Doctor {
    async fn check(&self, target: &lockstep_doctor::Target) -> lockstep_domain::doctor::Report {
        lockstep_doctor::Doctor::check(self, target).await
    }
}

/// What the doctor needs to see inside the account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InsideQuery {
    pub region: lockstep_domain::Region,
    /// The instance id (an IP-only project has none: no target health, no security groups).
    pub instance_id: Option<String>,
    pub app_port: u16,
    pub bucket: Option<String>,
}

/// Facts from inside the AWS account for the HTTPS doctor: target groups with the instance and
/// their health, the security-group path from the ALB to the app port, the frontend's index.html.
#[async_trait]
pub trait InsideView: Send + Sync {
    async fn gather(&self, q: &InsideQuery) -> PortResult<lockstep_doctor::InsideFacts>;
}

/// Where a command sent to an instance stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandStatus {
    /// Sent, not started yet (or SSM does not know the invocation yet: it appears a moment
    /// after SendCommand).
    Pending,
    Running,
    Success,
    /// The script exited non-zero.
    Failed,
    /// The script ran longer than the timeout.
    TimedOut,
    /// The agent never got it (instance stopped, agent not running, no route to SSM).
    Undeliverable,
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandState {
    pub status: CommandStatus,
    /// SSM's own words (StatusDetails), e.g. "Execution Timed Out".
    pub detail: String,
    pub exit_code: Option<i32>,
    /// The first 24,000 characters SSM keeps of each stream.
    pub stdout: String,
    pub stderr: String,
}

/// Running a shell script on an instance (SSM Run Command, AWS-RunShellScript).
#[async_trait]
pub trait RunCommand: Send + Sync {
    /// Is the instance managed by SSM (agent online, instance profile allows it)?
    async fn is_managed(&self, region: &Region, instance_id: &str) -> PortResult<bool>;
    /// Sends the script; returns the command id. `comment` (at most 100 characters) marks the
    /// command so [`RunCommand::find_sent`] finds it again after a crash.
    async fn send(
        &self,
        region: &Region,
        instance_id: &str,
        script: &str,
        timeout_secs: u32,
        comment: &str,
    ) -> PortResult<String>;
    /// The id of a command already sent to the instance with exactly this comment.
    async fn find_sent(&self, region: &Region, instance_id: &str, comment: &str) -> PortResult<Option<String>>;
    async fn state(&self, region: &Region, command_id: &str, instance_id: &str) -> PortResult<CommandState>;
}

/// One inbound rule of a security group, as far as lockstep cares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngressRule {
    pub group_id: String,
    /// `tcp`, `udp`, `-1` (all).
    pub protocol: String,
    pub from_port: i32,
    pub to_port: i32,
    /// IPv4 and IPv6 CIDRs.
    pub cidrs: Vec<String>,
    pub source_groups: Vec<String>,
}

impl IngressRule {
    pub fn covers(&self, port: u16) -> bool {
        self.protocol == "-1"
            || (self.protocol == "tcp" && self.from_port <= port as i32 && port as i32 <= self.to_port)
    }
    pub fn world_open(&self) -> bool {
        self.cidrs.iter().any(|c| c == "0.0.0.0/0" || c == "::/0")
    }
}

/// The instance's security groups: read them, open a port to the world (idempotently).
#[async_trait]
pub trait Firewall: Send + Sync {
    /// The instance's security group ids and their inbound rules.
    async fn instance_rules(&self, region: &Region, instance_id: &str) -> PortResult<(Vec<String>, Vec<IngressRule>)>;
    /// Allows TCP `port` from 0.0.0.0/0 and ::/0 on `group_id`. `Ok(false)` when it was open already.
    async fn open_to_world(&self, region: &Region, group_id: &str, port: u16) -> PortResult<bool>;
}
