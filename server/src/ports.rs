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
    /// AWS STS would not let lockstep act as the team's role (trust policy, external id).
    #[error("could not act as the team's AWS role {role_arn} ({code}): {message}")]
    TeamRole { role_arn: String, code: String, message: String },
    /// lockstep would not call AWS at all: on real AWS a team acts only through its own role
    /// (see [`crate::aws::team_role::Authority`]).
    #[error("{0}")]
    NoAccess(NoAwsAccess),
}

/// Why lockstep refused to make an AWS call before sending it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum NoAwsAccess {
    /// The team has no role and the operator did not allow it the server's credentials.
    #[error("the team has no AWS role of its own, and this server uses no other credentials for it")]
    NoRole { team_id: String },
    /// The step's project or team no longer exists, so there is no team whose role to use.
    #[error("the project or team this work was for no longer exists")]
    Orphan,
    /// The call was not made for any team (a lockstep bug: every action names its team).
    #[error("the call was not made for any team")]
    Unnamed,
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
    /// Deletes the certificate. AWS refuses one still attached to a load balancer or a
    /// distribution (`ResourceInUseException`); a missing one is `NotFound`.
    async fn delete(&self, region: &Region, arn: &str) -> PortResult<()>;
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
    /// Ignored for alias records (Route 53 uses the target's TTL).
    pub ttl: i64,
    /// Empty for alias records.
    pub values: Vec<String>,
    /// A Route 53 alias (A/AAAA to a CloudFront distribution or a load balancer) instead of values.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<AliasTarget>,
}

impl RecordSet {
    /// A plain record with values.
    pub fn plain(name: impl Into<String>, rtype: &str, ttl: i64, values: Vec<String>) -> RecordSet {
        RecordSet { name: name.into(), rtype: rtype.to_string(), ttl, values, alias: None }
    }
    /// An alias record (`A` or `AAAA`) to `target`.
    pub fn alias(name: impl Into<String>, rtype: &str, target: AliasTarget) -> RecordSet {
        RecordSet { name: name.into(), rtype: rtype.to_string(), ttl: 0, values: Vec::new(), alias: Some(target) }
    }
}

/// Where a Route 53 alias record points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasTarget {
    /// The target's DNS name, no trailing dot (e.g. `d111111abcdef8.cloudfront.net`).
    pub dns_name: String,
    /// The target's hosted zone id (CloudFront's is always [`CLOUDFRONT_ZONE_ID`]).
    pub hosted_zone_id: String,
    pub evaluate_target_health: bool,
}

/// The hosted zone id every CloudFront distribution has for Route 53 alias records.
pub const CLOUDFRONT_ZONE_ID: &str = "Z2FDTNDATAQYW2";

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
    /// DELETEs the records in one change batch; each must match the record set as it is now
    /// (values, TTL, alias), as Route 53 requires. Returns the change id.
    async fn delete_records(&self, zone_id: &str, records: &[RecordSet]) -> PortResult<String>;
    /// Deletes the hosted zone. AWS refuses while it holds records other than its own NS and
    /// SOA (`HostedZoneNotEmpty`).
    async fn delete_zone(&self, zone_id: &str) -> PortResult<()>;
    /// The public zone with exactly this name, if the account has one.
    async fn find_zone(&self, name: &DomainName) -> PortResult<Option<Zone>> {
        Ok(self.list_zones().await?.into_iter().find(|z| !z.private && z.name == name.as_str()))
    }
}

/// Who we are in AWS (STS).
#[async_trait]
pub trait Identity: Send + Sync + 'static {
    async fn account_id(&self) -> PortResult<String>;
    /// Who the calls of the acting team (or the server) are made as: a user, role or
    /// assumed-role ARN.
    async fn caller_arn(&self) -> PortResult<String>;
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
    /// The CNAME target of `name` (a host name, lower case, no trailing dot), if it has one.
    /// `name` may be a label like `_x1.api.team.com` that is not a valid host name.
    async fn cname(&self, name: &str) -> PortResult<Option<String>>;
    /// The CAA records at exactly `name`, as (tag, value); empty when there are none.
    async fn caa(&self, name: &str) -> PortResult<Vec<(String, String)>>;
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

/// How CloudFront reaches the S3 bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginKind {
    /// The bucket's static-website endpoint (`BUCKET.s3-website...`), a custom origin over
    /// plain HTTP (the website endpoint speaks no HTTPS). The bucket must be public-readable.
    Website,
    /// The bucket's REST endpoint (`BUCKET.s3.REGION.amazonaws.com`), signed by an Origin
    /// Access Control; the bucket stays private and its policy lets only this distribution read.
    RestOac,
}

/// The origin of a distribution lockstep creates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginSpec {
    pub kind: OriginKind,
    /// The endpoint host name, e.g. `shop.s3-website.ap-northeast-2.amazonaws.com`.
    pub domain_name: String,
    /// The Origin Access Control (only with [`OriginKind::RestOac`]).
    pub oac_id: Option<String>,
}

/// A distribution as lockstep creates it for a single-page-app frontend. Everything AWS needs
/// beyond these fields is fixed by the adapter: viewer HTTP redirected to HTTPS, TLS 1.2
/// (`TLSv1.2_2021`, SNI) with the certificate, HTTP/2, IPv6, enabled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributionSpec {
    /// Makes a retried create return (or refuse with) the distribution of the first attempt.
    pub caller_reference: String,
    /// Shown in the console's list; lockstep's start with [`LOCKSTEP_COMMENT_PREFIX`].
    pub comment: String,
    pub origin: OriginSpec,
    /// Alternate domain names (CNAMEs); empty = only `dxxxx.cloudfront.net`.
    pub aliases: Vec<DomainName>,
    /// ACM certificate in us-east-1 covering every alias; `None` = CloudFront's default
    /// certificate (only valid without aliases).
    pub certificate_arn: Option<String>,
    /// Served for `/` (`index.html`).
    pub default_root_object: String,
    /// Error codes answered with the root object and 200 (an SPA's deep links: 403, 404).
    pub spa_fallback_codes: Vec<u16>,
    /// A managed cache policy id (CachingOptimized).
    pub cache_policy_id: String,
    /// `PriceClass_100`: North America and Europe edges only, the cheapest.
    pub price_class: String,
}

/// The start of the comment on every distribution lockstep creates.
pub const LOCKSTEP_COMMENT_PREFIX: &str = "lockstep:";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum DistributionStatus {
    /// Being deployed to the edge locations (5-15 minutes after a create or change).
    InProgress,
    Deployed,
    Other(String),
}

/// One origin of a distribution, as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginSummary {
    pub id: String,
    pub domain_name: String,
    /// `http-only`, `https-only`, `match-viewer` for a custom origin; `None` for an S3 origin.
    pub protocol_policy: Option<String>,
    pub oac_id: Option<String>,
}

/// One custom error response, as read back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorResponse {
    pub error_code: i32,
    pub page: Option<String>,
    pub response_code: Option<String>,
}

/// A CloudFront distribution as lockstep reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributionInfo {
    pub id: String,
    pub arn: String,
    /// `dxxxx.cloudfront.net`.
    pub domain_name: String,
    pub status: DistributionStatus,
    pub enabled: bool,
    /// Lower case, no trailing dot.
    pub aliases: Vec<String>,
    /// Needed for updates and deletes (`None` in list answers).
    pub etag: Option<String>,
    pub comment: String,
    /// Only in a single-distribution answer (GetDistribution), not in lists.
    pub caller_reference: Option<String>,
    pub origins: Vec<OriginSummary>,
    pub viewer_protocol_policy: Option<String>,
    pub default_root_object: Option<String>,
    pub error_responses: Vec<ErrorResponse>,
    pub certificate_arn: Option<String>,
    pub price_class: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidationInfo {
    pub id: String,
    /// `InProgress` or `Completed` (as CloudFront spells them).
    pub status: String,
    pub caller_reference: Option<String>,
}

impl InvalidationInfo {
    pub fn completed(&self) -> bool {
        self.status.eq_ignore_ascii_case("completed")
    }
}

/// CloudFront (global; the adapter signs for us-east-1).
#[async_trait]
pub trait Cdn: Send + Sync + 'static {
    /// Every distribution of the account with its aliases, origins and status.
    async fn list_distributions(&self) -> PortResult<Vec<DistributionInfo>>;
    async fn distribution(&self, id: &str) -> PortResult<DistributionInfo>;
    /// Creates the distribution. A repeated `caller_reference` with the same config returns
    /// the first distribution; with a different config AWS refuses (`DistributionAlreadyExists`).
    async fn create_distribution(&self, spec: &DistributionSpec) -> PortResult<DistributionInfo>;
    /// Invalidates every path (`/*`) of the distribution.
    async fn invalidate_all(&self, distribution_id: &str, caller_reference: &str) -> PortResult<InvalidationInfo>;
    async fn invalidation(&self, distribution_id: &str, id: &str) -> PortResult<InvalidationInfo>;
    /// The distribution's invalidation made with `caller_reference`, if any.
    async fn find_invalidation(
        &self,
        distribution_id: &str,
        caller_reference: &str,
    ) -> PortResult<Option<InvalidationInfo>>;
    /// The id of the S3 Origin Access Control named `name` (sigv4, always sign), created when
    /// the account has none by that name.
    async fn ensure_origin_access_control(&self, name: &str) -> PortResult<String>;
    /// Turns the distribution off (UpdateDistribution with Enabled=false and the current
    /// ETag); CloudFront then deploys that change like any other (InProgress, then Deployed).
    /// Returns the distribution as it is after the update (with the new ETag).
    async fn disable_distribution(&self, id: &str) -> PortResult<DistributionInfo>;
    /// Deletes a disabled, Deployed distribution. AWS refuses an enabled one
    /// (`DistributionNotDisabled`) and a stale `etag` (`PreconditionFailed`).
    async fn delete_distribution(&self, id: &str, etag: &str) -> PortResult<()>;
}

/// S3 buckets, as far as the frontend step needs them.
#[async_trait]
pub trait Buckets: Send + Sync + 'static {
    /// The region the bucket lives in (GetBucketLocation), asked through the endpoint of
    /// `hint`, the region the project says it is in.
    async fn region(&self, hint: &Region, bucket: &str) -> PortResult<Region>;
    /// Whether static website hosting is on (GetBucketWebsite has a configuration).
    async fn website_enabled(&self, region: &Region, bucket: &str) -> PortResult<bool>;
    /// The bucket policy JSON; `None` when the bucket has none.
    async fn policy(&self, region: &Region, bucket: &str) -> PortResult<Option<String>>;
    async fn put_policy(&self, region: &Region, bucket: &str, policy: &str) -> PortResult<()>;
    /// Removes the bucket policy (when the last statement in it was lockstep's).
    async fn delete_policy(&self, region: &Region, bucket: &str) -> PortResult<()>;
}

/// The sandbox's stand-ins for what a team already has in AWS before lockstep (its frontend
/// bucket). Present only in sandbox mode.
#[async_trait]
pub trait SandboxWorld: Send + Sync {
    /// Makes the project's bucket exist (website hosting on, an index.html); fine when it does.
    async fn prepare_bucket(&self, region: &Region, bucket: &str) -> PortResult<()>;
    /// The team's EC2 instance: one `lockstep-demo` instance in the default VPC of `region`
    /// (found again when it exists), with its own security group and public subnets. Its id.
    async fn demo_instance(&self, region: &Region) -> PortResult<String>;
}

/// Where an EC2 instance sits in its VPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceNetwork {
    pub instance_id: String,
    pub vpc_id: String,
    pub subnet_id: String,
    pub availability_zone: String,
    /// The instance's security group ids, in the order EC2 lists them.
    pub security_groups: Vec<String>,
    /// `running`, `stopped`, ...
    pub state: String,
}

/// One subnet of a VPC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubnetInfo {
    pub subnet_id: String,
    pub availability_zone: String,
    pub cidr: String,
    /// Instances launched here get a public IPv4 address (MapPublicIpOnLaunch).
    pub map_public_ip: bool,
    /// The subnet's route table (its own, or the VPC's main one) sends 0.0.0.0/0 to an internet
    /// gateway. `None` when the route tables could not be read.
    pub routes_to_internet: Option<bool>,
}

impl SubnetInfo {
    /// Reachable from the internet: routed to an internet gateway (when known), else judged by
    /// whether it hands out public addresses.
    pub fn is_public(&self) -> bool {
        self.routes_to_internet.unwrap_or(self.map_public_ip)
    }
}

/// A security group, as far as lockstep cares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityGroupInfo {
    pub group_id: String,
    pub name: String,
    pub vpc_id: String,
}

/// The EC2 network around an instance (VPC, subnets, security groups), for the ALB step.
#[async_trait]
pub trait Network: Send + Sync {
    async fn instance_network(&self, region: &Region, instance_id: &str) -> PortResult<InstanceNetwork>;
    /// Every subnet of the VPC.
    async fn subnets(&self, region: &Region, vpc_id: &str) -> PortResult<Vec<SubnetInfo>>;
    /// The security group with exactly this name in the VPC.
    async fn find_security_group(
        &self,
        region: &Region,
        vpc_id: &str,
        name: &str,
    ) -> PortResult<Option<SecurityGroupInfo>>;
    /// Creates the group; when the name is already taken in the VPC (a retry), returns that one.
    async fn create_security_group(
        &self,
        region: &Region,
        vpc_id: &str,
        name: &str,
        description: &str,
    ) -> PortResult<SecurityGroupInfo>;
    /// Allows TCP `port` on `group_id` from members of `source_group_id`. `Ok(false)` when that
    /// rule was there already.
    async fn allow_from_group(
        &self,
        region: &Region,
        group_id: &str,
        port: u16,
        source_group_id: &str,
    ) -> PortResult<bool>;
    /// Removes the TCP `port` rule on `group_id` from `source`: `world` (0.0.0.0/0 and ::/0),
    /// one CIDR, or a security group id. `Ok(false)` when there was no such rule (or no group).
    async fn revoke_ingress(&self, region: &Region, group_id: &str, port: u16, source: &str) -> PortResult<bool>;
    /// The group's inbound rules; `None` when the group does not exist.
    async fn group_rules(&self, region: &Region, group_id: &str) -> PortResult<Option<Vec<IngressRule>>>;
    /// Deletes the group. `Ok(false)` when it was gone already. AWS refuses while network
    /// interfaces still use it (`DependencyViolation`, for a minute or two after its load
    /// balancer is deleted).
    async fn delete_security_group(&self, region: &Region, group_id: &str) -> PortResult<bool>;
}

/// A load balancer as lockstep reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancerInfo {
    pub arn: String,
    pub name: String,
    /// `NAME-123456.REGION.elb.amazonaws.com`, no trailing dot.
    pub dns_name: String,
    /// The zone id for Route 53 alias records to this load balancer (per region).
    pub canonical_hosted_zone_id: String,
    /// `provisioning`, `active`, `active_impaired`, `failed`.
    pub state: String,
    pub vpc_id: String,
    /// `internet-facing` or `internal`.
    pub scheme: String,
    /// `application`, `network`, `gateway`.
    pub lb_type: String,
    pub availability_zones: Vec<String>,
    pub security_groups: Vec<String>,
}

/// What lockstep creates: an internet-facing application load balancer, IPv4.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancerSpec {
    pub name: String,
    /// One per availability zone, at least two.
    pub subnets: Vec<String>,
    pub security_group: String,
}

/// A target group as lockstep reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetGroupInfo {
    pub arn: String,
    pub name: String,
    /// `HTTP` or `HTTPS` (how the load balancer talks to the app).
    pub protocol: String,
    pub port: u16,
    pub vpc_id: String,
    pub health_path: String,
    /// Success codes of the health check, e.g. `200-399`.
    pub matcher: String,
    /// `instance`, `ip`, `lambda`, `alb`.
    pub target_type: String,
    pub load_balancers: Vec<String>,
}

/// What lockstep creates: protocol HTTP (the load balancer ends TLS; seed 001), instance targets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetGroupSpec {
    pub name: String,
    pub port: u16,
    pub vpc_id: String,
    pub health_path: String,
}

/// The health check matcher lockstep sets: any answer but an error counts (a redirect too).
pub const HEALTH_MATCHER: &str = "200-399";
/// The TLS policy of lockstep's HTTPS listeners: TLS 1.3 and 1.2 only.
pub const ALB_SSL_POLICY: &str = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/// One registered target's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetHealth {
    pub target_id: String,
    pub port: u16,
    /// `initial`, `healthy`, `unhealthy`, `unused`, `draining`, `unavailable`.
    pub state: String,
    /// e.g. `Target.FailedHealthChecks`.
    pub reason: Option<String>,
    /// e.g. `Health checks failed with these codes: [404]`.
    pub description: Option<String>,
}

/// What a listener does with a request, as far as lockstep cares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ListenerAction {
    Forward { target_group_arn: String },
    Redirect { protocol: String, port: String, status_code: String },
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListenerInfo {
    pub arn: String,
    pub protocol: String,
    pub port: u16,
    pub certificate_arns: Vec<String>,
    pub ssl_policy: Option<String>,
    pub default_actions: Vec<ListenerAction>,
}

/// Elastic Load Balancing v2 (application load balancers), per region.
#[async_trait]
pub trait LoadBalancers: Send + Sync {
    async fn find_load_balancer(&self, region: &Region, name: &str) -> PortResult<Option<LoadBalancerInfo>>;
    async fn create_load_balancer(&self, region: &Region, spec: &LoadBalancerSpec) -> PortResult<LoadBalancerInfo>;
    async fn load_balancer(&self, region: &Region, arn: &str) -> PortResult<LoadBalancerInfo>;
    async fn find_target_group(&self, region: &Region, name: &str) -> PortResult<Option<TargetGroupInfo>>;
    /// Protocol HTTP, instance targets, health check `spec.health_path` answering [`HEALTH_MATCHER`].
    async fn create_target_group(&self, region: &Region, spec: &TargetGroupSpec) -> PortResult<TargetGroupInfo>;
    /// Sets the health check path (and [`HEALTH_MATCHER`]) of an existing group.
    async fn set_health_check(&self, region: &Region, target_group_arn: &str, path: &str) -> PortResult<()>;
    /// Registers the instance on `port` (registering it again is harmless).
    async fn register_instance(
        &self,
        region: &Region,
        target_group_arn: &str,
        instance_id: &str,
        port: u16,
    ) -> PortResult<()>;
    async fn target_health(&self, region: &Region, target_group_arn: &str) -> PortResult<Vec<TargetHealth>>;
    async fn listeners(&self, region: &Region, load_balancer_arn: &str) -> PortResult<Vec<ListenerInfo>>;
    /// HTTPS:443 with the certificate and [`ALB_SSL_POLICY`], forwarding to the group.
    async fn create_https_listener(
        &self,
        region: &Region,
        load_balancer_arn: &str,
        certificate_arn: &str,
        target_group_arn: &str,
    ) -> PortResult<ListenerInfo>;
    /// HTTP:80 answering every request with a 301 to the same URL on HTTPS:443.
    async fn create_redirect_listener(&self, region: &Region, load_balancer_arn: &str) -> PortResult<ListenerInfo>;
    /// The target group with this ARN, `None` when it does not exist.
    async fn target_group(&self, region: &Region, arn: &str) -> PortResult<Option<TargetGroupInfo>>;
    /// `Ok(false)` when the listener was gone already.
    async fn delete_listener(&self, region: &Region, arn: &str) -> PortResult<bool>;
    /// Starts deleting the load balancer (it disappears from describe answers a little later).
    /// `Ok(false)` when it was gone already.
    async fn delete_load_balancer(&self, region: &Region, arn: &str) -> PortResult<bool>;
    /// AWS refuses while a load balancer still uses the group (`ResourceInUse`). `Ok(false)`
    /// when it was gone already.
    async fn delete_target_group(&self, region: &Region, arn: &str) -> PortResult<bool>;
}

/// Where alerts go: a Slack- or Discord-compatible incoming webhook.
#[async_trait]
pub trait Webhook: Send + Sync {
    /// Whether `url` may be saved as a webhook (public https only; see `net/webhook.rs`);
    /// `Err` is the form field's message.
    async fn vet(&self, url: &str) -> Result<(), lockstep_domain::Message>;
    /// POSTs `body` as JSON to `url`; `Err` says why it did not arrive.
    async fn post(&self, url: &str, body: &serde_json::Value) -> Result<(), lockstep_domain::Message>;
}

mod catalog;
pub use catalog::{BucketCatalog, BucketSummary, InstanceCatalog, InstanceSummary, SsmReach};
