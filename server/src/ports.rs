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
}

/// Who we are in AWS (STS).
#[async_trait]
pub trait Identity: Send + Sync + 'static {
    async fn account_id(&self) -> PortResult<String>;
}
