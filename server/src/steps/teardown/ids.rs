//! The ids lockstep writes into the ledger for resources that have no single AWS id of their
//! own (a rule, a record, a bucket-policy statement), parsed back; and the load balancer a
//! listener belongs to.

use lockstep_domain::{DistributionId, SecurityGroupId, ZoneId};

/// An `sg_rule` id: `sg-x:tcp:PORT:from:SOURCE`; SOURCE is `world`, a CIDR (may hold colons:
/// `::/0`) or a security group id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleId {
    pub group: SecurityGroupId,
    pub port: u16,
    pub source: String,
}

impl RuleId {
    pub fn parse(id: &str) -> Option<RuleId> {
        let (group, rest) = id.split_once(":tcp:")?;
        let (port, source) = rest.split_once(":from:")?;
        if source.is_empty() {
            return None;
        }
        Some(RuleId {
            group: SecurityGroupId::parse(group).ok()?,
            port: port.parse().ok()?,
            source: source.to_string(),
        })
    }
}

/// A `route53_record` id: `ZONE:NAME:TYPE` (the name lower case, without its final dot).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordId {
    pub zone: ZoneId,
    pub name: String,
    pub rtype: String,
}

impl RecordId {
    pub fn parse(id: &str) -> Option<RecordId> {
        let (zone, rest) = id.split_once(':')?;
        let (name, rtype) = rest.rsplit_once(':')?;
        Some(RecordId {
            zone: ZoneId::parse(zone).ok()?,
            name: name.trim_end_matches('.').to_ascii_lowercase(),
            rtype: rtype.to_string(),
        })
    }
}

/// A `bucket_policy_statement` id: `BUCKET:DISTRIBUTION` (the statement lets that distribution
/// read the bucket).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyStatementId {
    pub bucket: String,
    pub distribution: DistributionId,
}

impl PolicyStatementId {
    pub fn parse(id: &str) -> Option<PolicyStatementId> {
        let (bucket, distribution) = id.split_once(':')?;
        let distribution = DistributionId::parse(distribution).ok()?;
        (!bucket.is_empty()).then(|| PolicyStatementId { bucket: bucket.to_string(), distribution })
    }
}

/// The load balancer a listener belongs to: `...:listener/app/NAME/LB/L` -> `...:loadbalancer/app/NAME/LB`.
pub fn listener_load_balancer(listener_arn: &str) -> Option<String> {
    let (head, path) = listener_arn.split_once(":listener/")?;
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop()?;
    Some(format!("{head}:loadbalancer/{}", parts.join("/")))
}
