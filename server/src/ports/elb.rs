//! Elastic Load Balancing v2: load balancers, target groups, listeners.

use super::*;

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

/// Elastic Load Balancing v2: the application load balancers themselves, per region.
#[async_trait]
pub trait LoadBalancers: Send + Sync {
    async fn find_load_balancer(&self, region: &Region, name: &str) -> PortResult<Option<LoadBalancerInfo>>;
    async fn create_load_balancer(&self, region: &Region, spec: &LoadBalancerSpec) -> PortResult<LoadBalancerInfo>;
    async fn load_balancer(&self, region: &Region, arn: &str) -> PortResult<LoadBalancerInfo>;
    /// Starts deleting the load balancer (it disappears from describe answers a little later).
    /// `Ok(false)` when it was gone already.
    async fn delete_load_balancer(&self, region: &Region, arn: &str) -> PortResult<bool>;
}

/// Elastic Load Balancing v2: target groups, their health check and registered targets, per region.
#[async_trait]
pub trait TargetGroups: Send + Sync {
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
    /// The target group with this ARN, `None` when it does not exist.
    async fn target_group(&self, region: &Region, arn: &str) -> PortResult<Option<TargetGroupInfo>>;
    /// AWS refuses while a load balancer still uses the group (`ResourceInUse`). `Ok(false)`
    /// when it was gone already.
    async fn delete_target_group(&self, region: &Region, arn: &str) -> PortResult<bool>;
}

/// Elastic Load Balancing v2: the listeners of a load balancer, per region.
#[async_trait]
pub trait Listeners: Send + Sync {
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
    /// `Ok(false)` when the listener was gone already.
    async fn delete_listener(&self, region: &Region, arn: &str) -> PortResult<bool>;
}
