//! ACM: certificates, in any region.

use super::*;

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

impl CertStatus {
    /// ACM's own word for the status, as the console shows it (never Rust's debug form).
    pub fn acm_word(&self) -> &str {
        match self {
            CertStatus::PendingValidation => "PENDING_VALIDATION",
            CertStatus::Issued => "ISSUED",
            CertStatus::Failed => "FAILED",
            CertStatus::ValidationTimedOut => "VALIDATION_TIMED_OUT",
            CertStatus::Revoked => "REVOKED",
            CertStatus::Expired => "EXPIRED",
            CertStatus::Inactive => "INACTIVE",
            CertStatus::Other(s) => s,
        }
    }
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
