//! Route 53: hosted zones and their records.

use super::*;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zone {
    /// The bare id, without `/hostedzone/`.
    pub id: String,
    /// Canonical name, no trailing dot.
    pub name: String,
    pub private: bool,
    pub record_count: i64,
    /// The unique string the zone was created with (Route 53 returns it with every zone): how a
    /// step knows that the zone it finds is the one its own create made when that create's
    /// answer was lost.
    #[serde(default)]
    pub caller_reference: Option<String>,
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

/// Route 53 hosted zones: finding, creating and deleting them, and their delegation set.
#[async_trait]
pub trait HostedZones: Send + Sync + 'static {
    async fn list_zones(&self) -> PortResult<Vec<Zone>>;
    async fn get_zone(&self, id: &str) -> PortResult<Zone>;
    /// Creates the zone; `caller_reference` makes a retry return the same zone.
    async fn create_zone(&self, name: &DomainName, caller_reference: &str) -> PortResult<Zone>;
    /// The four name servers Route 53 assigned to the zone (its delegation set).
    async fn delegation(&self, zone_id: &str) -> PortResult<Vec<String>>;
    /// Deletes the hosted zone. AWS refuses while it holds records other than its own NS and
    /// SOA (`HostedZoneNotEmpty`).
    async fn delete_zone(&self, zone_id: &str) -> PortResult<()>;
    /// The public zone with exactly this name, if the account has one.
    async fn find_zone(&self, name: &DomainName) -> PortResult<Option<Zone>> {
        Ok(self.list_zones().await?.into_iter().find(|z| !z.private && z.name == name.as_str()))
    }
}

/// Route 53 records of a hosted zone, and the status of their changes.
#[async_trait]
pub trait DnsRecords: Send + Sync + 'static {
    /// UPSERTs the records in one change batch; returns the change id.
    async fn upsert(&self, zone_id: &str, records: &[RecordSet]) -> PortResult<String>;
    async fn change_status(&self, change_id: &str) -> PortResult<ChangeStatus>;
    async fn list_records(&self, zone_id: &str) -> PortResult<Vec<RecordSet>>;
    /// DELETEs the records in one change batch; each must match the record set as it is now
    /// (values, TTL, alias), as Route 53 requires. Returns the change id.
    async fn delete_records(&self, zone_id: &str, records: &[RecordSet]) -> PortResult<String>;
}
