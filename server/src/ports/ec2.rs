//! EC2: instances, their security groups, and where they sit in their VPC.

use super::*;

/// EC2 instances.
#[async_trait]
pub trait Instances: Send + Sync + 'static {
    /// The instance's public IPv4 address, `None` when it has none.
    async fn public_ip(&self, region: &Region, instance_id: &str) -> PortResult<Option<std::net::Ipv4Addr>>;
    /// `true` when `ip` is an Elastic IP of this account in `region` (it survives stop/start;
    /// an automatically assigned public IP does not).
    async fn is_elastic_ip(&self, region: &Region, ip: std::net::Ipv4Addr) -> PortResult<bool>;
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
