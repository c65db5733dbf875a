//! CloudFront: distributions, invalidations, origin access control.

use super::*;

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

/// CloudFront distributions (global; the adapter signs for us-east-1).
#[async_trait]
pub trait Distributions: Send + Sync + 'static {
    /// Every distribution of the account with its aliases, origins and status.
    async fn list_distributions(&self) -> PortResult<Vec<DistributionInfo>>;
    async fn distribution(&self, id: &str) -> PortResult<DistributionInfo>;
    /// Creates the distribution. A repeated `caller_reference` with the same config returns
    /// the first distribution; with a different config AWS refuses (`DistributionAlreadyExists`).
    async fn create_distribution(&self, spec: &DistributionSpec) -> PortResult<DistributionInfo>;
    /// Turns the distribution off (UpdateDistribution with Enabled=false and the current
    /// ETag); CloudFront then deploys that change like any other (InProgress, then Deployed).
    /// Returns the distribution as it is after the update (with the new ETag).
    async fn disable_distribution(&self, id: &str) -> PortResult<DistributionInfo>;
    /// Deletes a disabled, Deployed distribution. AWS refuses an enabled one
    /// (`DistributionNotDisabled`) and a stale `etag` (`PreconditionFailed`).
    async fn delete_distribution(&self, id: &str, etag: &str) -> PortResult<()>;
}

/// CloudFront invalidations of a distribution's cached paths (global; the adapter signs for us-east-1).
#[async_trait]
pub trait Invalidations: Send + Sync + 'static {
    /// Invalidates every path (`/*`) of the distribution.
    async fn invalidate_all(&self, distribution_id: &str, caller_reference: &str) -> PortResult<InvalidationInfo>;
    async fn invalidation(&self, distribution_id: &str, id: &str) -> PortResult<InvalidationInfo>;
    /// The distribution's invalidation made with `caller_reference`, if any.
    async fn find_invalidation(
        &self,
        distribution_id: &str,
        caller_reference: &str,
    ) -> PortResult<Option<InvalidationInfo>>;
}

/// CloudFront Origin Access Controls (global; the adapter signs for us-east-1).
#[async_trait]
pub trait OriginAccess: Send + Sync + 'static {
    /// The id of the S3 Origin Access Control named `name` (sigv4, always sign), created when
    /// the account has none by that name.
    async fn ensure_origin_access_control(&self, name: &str) -> PortResult<String>;
}
