//! The certificate step: an ACM certificate, DNS-validated in the project's hosted zone.
//!
//! Five durable sub-steps, each safe to re-run after a crash at any point:
//! 1. request ([`Request`], `request.rs`): the idempotency token is committed before
//!    `RequestCertificate`, so a retry gets the same certificate back from ACM (tokens are
//!    honoured for an hour; after that the certificate is found by its names in
//!    `ListCertificates` instead of requesting again);
//! 2. await records ([`AwaitRecords`], `validation.rs`): ACM may publish the validation CNAME
//!    seconds after the request: poll;
//! 3. upsert ([`UpsertValidation`]): UPSERT the CNAMEs into the zone (idempotent by nature);
//! 4. await DNS ([`AwaitDns`]): poll the Route 53 change until INSYNC;
//! 5. await issued ([`AwaitIssued`], `issued.rs`): poll ACM until ISSUED, explaining FAILED and
//!    VALIDATION_TIMED_OUT, and after a while what public DNS shows.
//!
//! Each sub-step's input is the run's [`CertInput`] and its output a typed struct; a later
//! sub-step reads an earlier one's with `ctx.output::<Earlier>()`. What the user reads is in
//! `messages.rs`.

mod issued;
pub(crate) mod messages;
mod request;
mod validation;

pub use issued::{pending_diagnosis, AwaitIssued, IssuedOutput};
pub use request::{covers_all, reusable, Request, RequestOutput};
pub use validation::{AwaitDns, AwaitRecords, DnsOutput, RecordsOutput, UpsertOutput, UpsertValidation};

use crate::ports::CertificateAuthority;
use lockstep_domain::{Arn, DomainName, Region, RunKind, StepKind, ZoneId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

pub const RUN_KIND: RunKind = RunKind::Certificate;

/// The steps of a certificate run, in order.
pub const STEPS: [StepKind; 5] = [
    StepKind::CertificateRequest,
    StepKind::CertificateAwaitRecords,
    StepKind::CertificateUpsertValidation,
    StepKind::CertificateAwaitDns,
    StepKind::CertificateAwaitIssued,
];

/// What a certificate run acts on, fixed when the run starts (from the project's name plan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInput {
    pub region: Region,
    pub names: Vec<DomainName>,
    pub zone_id: ZoneId,
    pub zone_name: DomainName,
    /// Reuse an issued certificate, or request a new one (what the user chose on the plan).
    #[serde(default)]
    pub choice: CertChoice,
}

/// What the user chose when the plan offered an issued certificate that covers the names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertChoice {
    /// No choice was offered (the certificate run of step 3, API callers): reuse an issued one
    /// that covers every name if there is one, else request.
    #[default]
    Auto,
    /// Request a new certificate even though one covers the names.
    New,
    /// Reuse this certificate (checked again at the start: still ISSUED, still covering).
    Reuse { arn: Arn },
}

pub struct CertDeps {
    pub ca: Arc<dyn CertificateAuthority>,
    /// The validation records go in (and their change is watched) here.
    pub records: Arc<dyn crate::ports::DnsRecords>,
    /// The zone's delegation set, to say why ACM is still waiting.
    pub zones: Arc<dyn crate::ports::HostedZones>,
    /// Public DNS, to say why ACM is still waiting (the record, the delegation, CAA).
    pub public_dns: Arc<dyn crate::ports::PublicDns>,
    /// Interval between checks while waiting on AWS (10 s on real AWS: at most one describe
    /// per resource per 10 s; shorter in the sandbox).
    pub poll: Duration,
}

/// `arn:aws:acm:us-east-1:123:certificate/abcd...` → `certificate/abcd...`
pub fn short_arn(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

fn join(names: &[DomainName]) -> String {
    names.iter().map(DomainName::as_str).collect::<Vec<_>>().join(", ")
}
