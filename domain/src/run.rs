//! Wizard runs and their steps, as the timeline shows them.
//!
//! A run is an ordered list of durable steps. These types are the read model the browser
//! receives (over the page's server functions and the live SSE stream); the job engine on the
//! server owns the write side.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Every kind of durable step lockstep knows. The string form is stored in the database, so
/// never rename one without a migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StepKind {
    /// Ask ACM for a DNS-validated certificate (idempotency token persisted first).
    CertRequest,
    /// Wait until ACM publishes the validation CNAME (it may be missing for seconds).
    CertAwaitRecords,
    /// UPSERT the validation CNAME into the project's hosted zone.
    CertUpsertValidation,
    /// Wait until Route 53 reports the change INSYNC on its name servers.
    CertAwaitDns,
    /// Wait until ACM says ISSUED.
    CertAwaitIssued,
    /// Create (or reuse) the hosted zone for a domain registered elsewhere.
    ZoneCreate,
    /// Compare the registrar's name servers with the zone's until they match.
    DelegationCheck,
    /// Register a domain through Route 53 Domains (bills the account).
    DomainRegister,
    /// Wait for the registration operation to succeed.
    DomainAwaitRegistration,
    /// Find the hosted zone Route 53 created for the new domain and save the name plan.
    DomainFindZone,
    /// Run the HTTPS doctor against the project's names and store its report.
    DoctorCheck,
    /// Free path: open 80 and 443 on the instance's security group; point out risky open ports.
    NginxOpenPorts,
    /// Free path: the API name's A record to the instance's public IP (own domain only).
    NginxDnsRecord,
    /// Free path: wait until public DNS answers the API name with the instance's IP.
    NginxAwaitResolve,
    /// Free path: nginx + certbot on the instance (SSM Run Command, or the team runs the script).
    NginxInstall,
    /// Free path: verify from outside (DNS, TLS and chain, redirect, the proxy reaching the app).
    NginxVerify,
    /// Read the frontend bucket (region, website hosting) and choose how CloudFront reaches
    /// it: the website endpoint over HTTP, or the REST endpoint with an Origin Access Control.
    CdnOrigin,
    /// Check the certificate and the aliases, then create (or reuse) the CloudFront
    /// distribution (CallerReference persisted first).
    CdnCreate,
    /// Wait until CloudFront says Deployed.
    CdnAwaitDeployed,
    /// UPSERT alias A/AAAA records for each alias to the distribution.
    CdnRecords,
    /// Invalidate every cached path (`/*`) and wait until it completes.
    CdnInvalidate,
    /// ALB: the instance's VPC and one subnet in each of two availability zones.
    AlbNetwork,
    /// ALB: its security group (80/443 from anywhere) and the instance's rule letting it in.
    AlbSecurity,
    /// ALB: the target group (protocol HTTP, the app port, the health path) with the instance.
    AlbTargetGroup,
    /// ALB: create (or reuse) the internet-facing load balancer and wait until it is active.
    AlbCreate,
    /// ALB: wait until the instance passes the health checks, explaining each failure reason.
    AlbAwaitHealthy,
    /// ALB: HTTPS:443 with the certificate forwarding to the group; HTTP:80 redirecting to HTTPS.
    AlbListeners,
    /// ALB: alias A/AAAA records for the API name to the load balancer (or the CNAME to add).
    AlbRecords,
    /// Teardown: CloudFront: disable, wait until the change is deployed, delete; then the bucket-policy statement.
    TeardownCdn,
    /// Teardown: The ALB's listeners, the ALB (waiting until it is gone), then its target group.
    TeardownAlb,
    /// Teardown: The security-group rules lockstep added, then the groups it created (AWS refuses while the deleted load balancer's network interfaces linger).
    TeardownNetwork,
    /// Teardown: The Route 53 records lockstep added (aliases, A records, validation CNAMEs).
    TeardownRecords,
    /// Teardown: The ACM certificates lockstep requested that nothing uses any more.
    TeardownCertificates,
    /// Teardown: The hosted zone lockstep created, only when the user confirmed it.
    TeardownZone,
    /// Teardown: Lists AWS for every resource of the ledger and fails when one still exists.
    TeardownVerify,
    /// Scheduled re-check: store the doctor's result per name and send the alerts it makes due.
    StatusRecord,
    /// A step that does nothing but count: used by the job-engine benchmark and tests.
    Noop,
}

/// Every kind, for lookups by key.
const ALL_KINDS: [StepKind; 37] = [
    StepKind::CertRequest,
    StepKind::CertAwaitRecords,
    StepKind::CertUpsertValidation,
    StepKind::CertAwaitDns,
    StepKind::CertAwaitIssued,
    StepKind::ZoneCreate,
    StepKind::DelegationCheck,
    StepKind::DomainRegister,
    StepKind::DomainAwaitRegistration,
    StepKind::DomainFindZone,
    StepKind::DoctorCheck,
    StepKind::NginxOpenPorts,
    StepKind::NginxDnsRecord,
    StepKind::NginxAwaitResolve,
    StepKind::NginxInstall,
    StepKind::NginxVerify,
    StepKind::CdnOrigin,
    StepKind::CdnCreate,
    StepKind::CdnAwaitDeployed,
    StepKind::CdnRecords,
    StepKind::CdnInvalidate,
    StepKind::AlbNetwork,
    StepKind::AlbSecurity,
    StepKind::AlbTargetGroup,
    StepKind::AlbCreate,
    StepKind::AlbAwaitHealthy,
    StepKind::AlbListeners,
    StepKind::AlbRecords,
    StepKind::TeardownCdn,
    StepKind::TeardownAlb,
    StepKind::TeardownNetwork,
    StepKind::TeardownRecords,
    StepKind::TeardownCertificates,
    StepKind::TeardownZone,
    StepKind::TeardownVerify,
    StepKind::StatusRecord,
    StepKind::Noop,
];

impl StepKind {
    /// Every kind (the app's translated titles are compared with [`StepKind::title`] over it).
    pub const ALL: [StepKind; 37] = ALL_KINDS;

    pub fn key(self) -> &'static str {
        match self {
            StepKind::CertRequest => "cert.request",
            StepKind::CertAwaitRecords => "cert.await_records",
            StepKind::CertUpsertValidation => "cert.upsert_validation",
            StepKind::CertAwaitDns => "cert.await_dns",
            StepKind::CertAwaitIssued => "cert.await_issued",
            StepKind::ZoneCreate => "zone.create",
            StepKind::DelegationCheck => "zone.delegation",
            StepKind::DomainRegister => "domain.register",
            StepKind::DomainAwaitRegistration => "domain.await_registration",
            StepKind::DomainFindZone => "domain.find_zone",
            StepKind::DoctorCheck => "doctor.check",
            StepKind::NginxOpenPorts => "nginx.open_ports",
            StepKind::NginxDnsRecord => "nginx.dns_record",
            StepKind::NginxAwaitResolve => "nginx.await_resolve",
            StepKind::NginxInstall => "nginx.install",
            StepKind::NginxVerify => "nginx.verify",
            StepKind::CdnOrigin => "cdn.origin",
            StepKind::CdnCreate => "cdn.create",
            StepKind::CdnAwaitDeployed => "cdn.await_deployed",
            StepKind::CdnRecords => "cdn.records",
            StepKind::CdnInvalidate => "cdn.invalidate",
            StepKind::AlbNetwork => "alb.network",
            StepKind::AlbSecurity => "alb.security",
            StepKind::AlbTargetGroup => "alb.target_group",
            StepKind::AlbCreate => "alb.create",
            StepKind::AlbAwaitHealthy => "alb.await_healthy",
            StepKind::AlbListeners => "alb.listeners",
            StepKind::AlbRecords => "alb.records",
            StepKind::TeardownCdn => "teardown.cdn",
            StepKind::TeardownAlb => "teardown.alb",
            StepKind::TeardownNetwork => "teardown.network",
            StepKind::TeardownRecords => "teardown.records",
            StepKind::TeardownCertificates => "teardown.certificates",
            StepKind::TeardownZone => "teardown.zone",
            StepKind::TeardownVerify => "teardown.verify",
            StepKind::StatusRecord => "status.record",
            StepKind::Noop => "noop",
        }
    }

    pub fn from_key(s: &str) -> Option<StepKind> {
        ALL_KINDS.into_iter().find(|k| k.key() == s)
    }

    /// The line in the timeline.
    pub fn title(self) -> &'static str {
        match self {
            StepKind::CertRequest => "Request the certificate from ACM",
            StepKind::CertAwaitRecords => "Wait for ACM's validation record",
            StepKind::CertUpsertValidation => "Add the validation record to your hosted zone",
            StepKind::CertAwaitDns => "Wait for Route 53 to publish the record",
            StepKind::CertAwaitIssued => "Wait for ACM to issue the certificate",
            StepKind::ZoneCreate => "Create the Route 53 hosted zone",
            StepKind::DelegationCheck => "Check the domain's name servers point at the zone",
            StepKind::DomainRegister => "Register the domain with Route 53 Domains",
            StepKind::DomainAwaitRegistration => "Wait for the registration to complete",
            StepKind::DomainFindZone => "Find the hosted zone Route 53 created",
            StepKind::DoctorCheck => "Check HTTPS from outside, as a browser would",
            StepKind::NginxOpenPorts => "Open ports 80 and 443 on the instance's security group",
            StepKind::NginxDnsRecord => "Point the API name at the instance",
            StepKind::NginxAwaitResolve => "Wait until the name resolves to the instance",
            StepKind::NginxInstall => "Install nginx and get the Let's Encrypt certificate",
            StepKind::NginxVerify => "Verify HTTPS from outside",
            StepKind::CdnOrigin => "Look at the frontend bucket and choose the CloudFront origin",
            StepKind::CdnCreate => "Create the CloudFront distribution",
            StepKind::CdnAwaitDeployed => "Wait for CloudFront to deploy to its edge locations",
            StepKind::CdnRecords => "Point your names at CloudFront (alias records)",
            StepKind::CdnInvalidate => "Clear CloudFront's cache (invalidate /*)",
            StepKind::AlbNetwork => "Find the instance's network and two availability zones",
            StepKind::AlbSecurity => "Set up the load balancer's security group and let it reach the app",
            StepKind::AlbTargetGroup => "Create the target group (HTTP to the app port) with the instance",
            StepKind::AlbCreate => "Create the load balancer",
            StepKind::AlbAwaitHealthy => "Wait until the app passes the load balancer's health checks",
            StepKind::AlbListeners => "Add HTTPS (443) with the certificate and redirect HTTP (80)",
            StepKind::AlbRecords => "Point the API name at the load balancer",
            StepKind::TeardownCdn => "Disable and delete the CloudFront distribution",
            StepKind::TeardownAlb => "Delete the listeners, the load balancer and the target group",
            StepKind::TeardownNetwork => "Remove the security-group rules and groups lockstep added",
            StepKind::TeardownRecords => "Delete the DNS records lockstep added",
            StepKind::TeardownCertificates => "Delete the certificates no longer in use",
            StepKind::TeardownZone => "Delete the hosted zone (only if you confirmed)",
            StepKind::TeardownVerify => "List AWS to prove nothing lockstep created is left",
            StepKind::StatusRecord => "Record the result on the status page and send due alerts",
            StepKind::Noop => "No-op",
        }
    }

    /// How long this step usually takes on real AWS, shown beside the elapsed time so a
    /// waiting student knows whether to worry.
    pub fn typical_wait_secs(self) -> u32 {
        match self {
            StepKind::CertRequest => 2,
            StepKind::CertAwaitRecords => 10,
            StepKind::CertUpsertValidation => 2,
            StepKind::CertAwaitDns => 60,
            // Seed 003: "DNS validation takes 3 to 10 minutes".
            StepKind::CertAwaitIssued => 300,
            StepKind::ZoneCreate => 3,
            // Registrars publish NS changes within minutes; resolvers may cache the old ones
            // for up to the TTL (often 1-2 days at the TLD).
            StepKind::DelegationCheck => 3600,
            StepKind::DomainRegister => 5,
            // AWS: usually 15 minutes for .com, up to 3 days for some TLDs.
            StepKind::DomainAwaitRegistration => 900,
            StepKind::DomainFindZone => 30,
            StepKind::DoctorCheck => 2,
            StepKind::NginxOpenPorts => 2,
            StepKind::NginxDnsRecord => 2,
            // Route 53 answers within a minute; a resolver that cached the old answer waits
            // out its TTL (60 s for lockstep's records).
            StepKind::NginxAwaitResolve => 60,
            // dnf/apt installs and certbot: 1-3 minutes on a t2.micro.
            StepKind::NginxInstall => 180,
            StepKind::NginxVerify => 3,
            StepKind::CdnOrigin => 2,
            StepKind::CdnCreate => 5,
            // A new distribution takes about 5-15 minutes to reach every edge location.
            StepKind::CdnAwaitDeployed => 600,
            StepKind::CdnRecords => 60,
            // Invalidations usually complete within a few minutes.
            StepKind::CdnInvalidate => 120,
            StepKind::AlbNetwork => 2,
            StepKind::AlbSecurity => 3,
            StepKind::AlbTargetGroup => 3,
            // A new application load balancer is "provisioning" for about 3 minutes.
            StepKind::AlbCreate => 180,
            // Registration plus the first passing checks (5 x 30 s by default, often sooner):
            // about 1-2 minutes once the app answers.
            StepKind::AlbAwaitHealthy => 90,
            StepKind::AlbListeners => 3,
            StepKind::AlbRecords => 60,
            // Disabling deploys like any change (5-15 minutes) before the delete is allowed.
            StepKind::TeardownCdn => 900,
            StepKind::TeardownAlb => 60,
            // The deleted load balancer's network interfaces linger for a minute or two.
            StepKind::TeardownNetwork => 120,
            StepKind::TeardownRecords => 5,
            // ACM notices a certificate is no longer attached within a few minutes.
            StepKind::TeardownCertificates => 60,
            StepKind::TeardownZone => 3,
            StepKind::TeardownVerify => 5,
            StepKind::StatusRecord => 1,
            StepKind::Noop => 0,
        }
    }
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Every kind of run: one per wizard action. The key is stored in the `runs` table (never
/// rename one without a migration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RunKind {
    /// Find or create the hosted zone, or register a domain, and save the name plan.
    #[serde(rename = "domain")]
    Domain,
    /// The ACM certificate (DNS-validated).
    #[serde(rename = "certificate")]
    Certificate,
    /// The paid backend: the certificate's steps, then the load balancer's.
    #[serde(rename = "backend")]
    Backend,
    /// The free backend: nginx and Let's Encrypt on the instance.
    #[serde(rename = "nginx")]
    InstanceHttps,
    /// CloudFront in front of the bucket.
    #[serde(rename = "frontend")]
    Frontend,
    /// Clear CloudFront's cache after a redeploy.
    #[serde(rename = "frontend.invalidate")]
    FrontendInvalidate,
    /// Delete what lockstep created.
    #[serde(rename = "teardown")]
    Teardown,
    /// The HTTPS doctor, run by hand.
    #[serde(rename = "doctor")]
    Doctor,
    /// The status page's scheduled re-check.
    #[serde(rename = "status")]
    Status,
    /// Engine tests and benchmarks.
    #[serde(rename = "test")]
    Test,
}

impl RunKind {
    pub const ALL: [RunKind; 10] = [
        RunKind::Domain,
        RunKind::Certificate,
        RunKind::Backend,
        RunKind::InstanceHttps,
        RunKind::Frontend,
        RunKind::FrontendInvalidate,
        RunKind::Teardown,
        RunKind::Doctor,
        RunKind::Status,
        RunKind::Test,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RunKind::Domain => "domain",
            RunKind::Certificate => "certificate",
            RunKind::Backend => "backend",
            RunKind::InstanceHttps => "nginx",
            RunKind::Frontend => "frontend",
            RunKind::FrontendInvalidate => "frontend.invalidate",
            RunKind::Teardown => "teardown",
            RunKind::Doctor => "doctor",
            RunKind::Status => "status",
            RunKind::Test => "test",
        }
    }

    pub fn from_key(key: &str) -> Option<RunKind> {
        RunKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

impl fmt::Display for RunKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Not started: an earlier step is not done yet.
    Pending,
    /// A worker is running it now.
    Running,
    /// Waiting on AWS (polling again at `next_check_at`) or retrying after a temporary error.
    Waiting,
    /// Done.
    Succeeded,
    /// Stopped with an error the user must act on.
    Failed,
}

impl StepStatus {
    pub fn key(self) -> &'static str {
        match self {
            StepStatus::Pending => "pending",
            StepStatus::Running => "running",
            StepStatus::Waiting => "waiting",
            StepStatus::Succeeded => "succeeded",
            StepStatus::Failed => "failed",
        }
    }
    pub fn from_key(s: &str) -> Option<StepStatus> {
        [StepStatus::Pending, StepStatus::Running, StepStatus::Waiting, StepStatus::Succeeded, StepStatus::Failed]
            .into_iter()
            .find(|k| k.key() == s)
    }
    pub fn is_done(self) -> bool {
        matches!(self, StepStatus::Succeeded | StepStatus::Failed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Active,
    Succeeded,
    Failed,
}

impl RunStatus {
    pub fn key(self) -> &'static str {
        match self {
            RunStatus::Active => "active",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
        }
    }
    pub fn from_key(s: &str) -> Option<RunStatus> {
        [RunStatus::Active, RunStatus::Succeeded, RunStatus::Failed].into_iter().find(|k| k.key() == s)
    }
}

/// An error a person reads: what happened, why, and what to do next; in English, and in
/// Korean where `ko` has it (the page shows the reader's language, English otherwise).
///
/// Decision: the server writes both languages when it makes the error, rather than keys the
/// browser looks up: these texts carry AWS's own codes, names and numbers, the stored run
/// keeps them as they were said, and the history and logs keep the English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserError {
    pub what: String,
    pub why: String,
    pub fix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ko: Option<Box<Said>>,
}

/// An explanation's three parts in one more language.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Said {
    pub what: String,
    pub why: String,
    pub fix: String,
}

/// The Korean of an explanation: `ko: ko(what, why, fix)` in a [`UserError`].
pub fn ko(what: impl Into<String>, why: impl Into<String>, fix: impl Into<String>) -> Option<Box<Said>> {
    Some(Box::new(Said { what: what.into(), why: why.into(), fix: fix.into() }))
}

impl UserError {
    /// The same error with its Korean (for errors made by a helper from English parts).
    pub fn korean(mut self, what: impl Into<String>, why: impl Into<String>, fix: impl Into<String>) -> Self {
        self.ko = ko(what, why, fix);
        self
    }
    /// What, why and fix in Korean when `korean` and written, else in English.
    pub fn said(&self, korean: bool) -> (&str, &str, &str) {
        match (&self.ko, korean) {
            (Some(k), true) => (&k.what, &k.why, &k.fix),
            _ => (&self.what, &self.why, &self.fix),
        }
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.what, self.why, self.fix)
    }
}

/// Structured progress a step shows beside its note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StepDetail {
    /// Name servers the zone needs versus what the registrar / public DNS has now.
    Delegation { domain: String, expected: Vec<String>, found: Vec<String>, source: String },
    /// A Route 53 Domains registration in progress.
    Registration { domain: String, operation_id: String, status: String, email: String },
    /// What the HTTPS doctor found.
    Doctor { report: crate::doctor::Report },
    /// A script running on the instance (SSM Run Command): its state and the end of its output.
    Command { command_id: String, status: String, stdout: String, stderr: String, exit_code: Option<i32> },
    /// What a teardown step deleted and what it kept (with why).
    Teardown { deleted: Vec<TornItem>, kept: Vec<TornItem> },
}

/// One resource in a teardown step's detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TornItem {
    pub kind: crate::ledger::ResourceKind,
    pub id: String,
    pub region: String,
    /// Why it was kept (none for a deleted one).
    pub why: Option<String>,
    /// The same in Korean (runs stored before it was added have none).
    #[serde(default)]
    pub why_ko: Option<String>,
}

impl TornItem {
    /// Why it was kept, in Korean when `korean` and written.
    pub fn why_in(&self, korean: bool) -> Option<&str> {
        crate::text::korean_or_english(korean, self.why.as_deref(), self.why_ko.as_deref())
    }
}

impl StepDetail {
    /// Per expected name server: is it in place?
    pub fn delegation_status(&self) -> Vec<(String, bool)> {
        match self {
            StepDetail::Delegation { expected, found, .. } => {
                let found: Vec<String> = found.iter().map(|f| f.trim_end_matches('.').to_ascii_lowercase()).collect();
                expected
                    .iter()
                    .map(|e| (e.clone(), found.contains(&e.trim_end_matches('.').to_ascii_lowercase())))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// Name servers present that should not be.
    pub fn unexpected(&self) -> Vec<String> {
        match self {
            StepDetail::Delegation { expected, found, .. } => {
                let expected: Vec<String> =
                    expected.iter().map(|e| e.trim_end_matches('.').to_ascii_lowercase()).collect();
                found
                    .iter()
                    .filter(|f| !expected.contains(&f.trim_end_matches('.').to_ascii_lowercase()))
                    .cloned()
                    .collect()
            }
            _ => Vec::new(),
        }
    }
}

/// One line of the timeline. Times are Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub id: String,
    pub seq: i64,
    pub kind: StepKind,
    pub title: String,
    pub status: StepStatus,
    /// What the step is doing right now, e.g. "ACM says PENDING_VALIDATION", in English and
    /// Korean (the timeline shows the reader's language).
    pub note: Option<crate::text::Message>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub next_check_at: Option<i64>,
    pub typical_wait_secs: u32,
    pub attempts: i64,
    pub error: Option<UserError>,
    pub detail: Option<StepDetail>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunView {
    pub id: String,
    pub project_id: String,
    pub kind: String,
    pub status: RunStatus,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub steps: Vec<StepView>,
}

impl RunView {
    /// The step the run is on: the first one not yet succeeded.
    pub fn current(&self) -> Option<&StepView> {
        self.steps.iter().find(|s| s.status != StepStatus::Succeeded)
    }

    /// Whether the run stopped because a person cancelled it (its step carries
    /// [`cancelled_error`]).
    pub fn was_cancelled(&self) -> bool {
        let cancelled = cancelled_error();
        self.status == RunStatus::Failed && self.steps.iter().any(|s| s.error.as_ref() == Some(&cancelled))
    }
}

/// What the step a person cancelled says (it is stored with the step): who stopped it, that
/// nothing more happens, that what was made is kept, and that Retry continues from there.
/// The timeline recognises it ([`RunView::was_cancelled`]) to offer Retry where the page has
/// no Retry of its own.
pub fn cancelled_error() -> UserError {
    UserError {
        ko: ko(
            "팀의 한 사람이 이 실행을 취소했습니다. 실행은 이 단계에서 멈췄고, 더 이상 아무 일도 일어나지 않습니다.",
            "단계가 진행 중일 때 \"취소\"가 눌렸습니다. 이 실행이 AWS에 이미 만든 것은 그대로 남아 \"lockstep이 내 계정에 만든 것\" 목록에 계속 표시됩니다(리소스 정리로 지울 수 있습니다). 다시 시도하면 이 단계가 시작해 둔 것을 다시 찾아 쓰며, 두 번 만들지 않습니다.",
            "실행을 이어 가려면 \"다시 시도\"를 누르세요. 이 단계부터 계속합니다.",
        ),
        what: "A person on the team cancelled this run: it stopped at this step, and nothing more will happen in it.".into(),
        why: "Cancel was pressed while the step was in progress. Whatever the run had already created in AWS is kept and stays listed under \"What lockstep created in your account\" (the teardown removes it); a Retry finds again what this step had begun rather than making it twice.".into(),
        fix: "Press Retry to continue from this step when you want the run to go on.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_reads_in_korean_where_written_and_old_stored_errors_still_load() {
        // A run stored before errors had Korean loads, and reads in English.
        let old: UserError = serde_json::from_str(r#"{"what":"w","why":"y","fix":"f"}"#).unwrap();
        assert_eq!(old.ko, None);
        assert_eq!(old.said(true), ("w", "y", "f"), "no Korean: English");
        let e = old.korean("무엇", "왜", "어떻게");
        assert_eq!(e.said(true), ("무엇", "왜", "어떻게"));
        assert_eq!(e.said(false), ("w", "y", "f"));
        let again: UserError = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(again, e);
    }

    #[test]
    fn every_kind_round_trips_through_its_stored_key() {
        let mut keys = std::collections::HashSet::new();
        for k in ALL_KINDS {
            assert_eq!(StepKind::from_key(k.key()), Some(k), "{k:?}");
            assert!(keys.insert(k.key()), "duplicate key {}", k.key());
            assert!(!k.title().is_empty());
        }
        assert_eq!(StepKind::from_key("cdn.await_deployed"), Some(StepKind::CdnAwaitDeployed));
        assert!(StepKind::CdnAwaitDeployed.typical_wait_secs() >= 300, "CloudFront deploys take minutes");
        assert_eq!(StepKind::from_key("alb.target_group"), Some(StepKind::AlbTargetGroup));
        assert!(StepKind::AlbCreate.typical_wait_secs() >= 120, "ALBs provision for minutes");
    }
}
