//! What a team already has in AWS, listed for the new-project form to pick from (issue 22,
//! "pick, don't type"): its running instances, which of them SSM can reach, and its S3
//! buckets. Read-only calls; one narrow trait per service, as the other ports.

use super::PortResult;
use async_trait::async_trait;
use lockstep_domain::Region;
use std::net::Ipv4Addr;

/// A running EC2 instance, as the form shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceSummary {
    pub instance_id: String,
    /// The `Name` tag, when it has one.
    pub name: Option<String>,
    pub public_ip: Option<Ipv4Addr>,
    /// Its security group ids, in the order EC2 lists them.
    pub security_groups: Vec<String>,
}

/// An S3 bucket of the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketSummary {
    pub name: String,
    /// Where it lives, when ListBuckets said (`BucketRegion`).
    pub region: Option<Region>,
}

/// EC2: the running instances of a region (DescribeInstances, state `running`).
#[async_trait]
pub trait InstanceCatalog: Send + Sync {
    async fn running_instances(&self, region: &Region) -> PortResult<Vec<InstanceSummary>>;
}

/// SSM: which instances of a region have an agent online (DescribeInstanceInformation), so a
/// script can run there through Run Command.
#[async_trait]
pub trait SsmReach: Send + Sync {
    async fn online_instances(&self, region: &Region) -> PortResult<Vec<String>>;
}

/// S3: the account's buckets (ListBuckets; buckets are global, listed through `region`'s
/// endpoint).
#[async_trait]
pub trait BucketCatalog: Send + Sync {
    async fn buckets(&self, region: &Region) -> PortResult<Vec<BucketSummary>>;
}
