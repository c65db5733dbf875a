//! The HTTPS doctor's views: from outside (the probe) and from inside the account.

use super::*;

/// Checks a deployed site from outside, as a browser would (the HTTPS doctor; adapter:
/// `lockstep_doctor::Doctor` over real DNS, TCP, TLS and HTTP).
#[async_trait]
pub trait HttpsProbe: Send + Sync {
    async fn check(&self, target: &lockstep_doctor::Target) -> lockstep_domain::doctor::Report;
}

#[async_trait]
impl HttpsProbe for lockstep_doctor::Doctor {
    async fn check(&self, target: &lockstep_doctor::Target) -> lockstep_domain::doctor::Report {
        lockstep_doctor::Doctor::check(self, target).await
    }
}

/// What the doctor needs to see inside the account.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InsideQuery {
    pub region: lockstep_domain::Region,
    /// The instance id (an IP-only project has none: no target health, no security groups).
    pub instance_id: Option<String>,
    pub app_port: u16,
    pub bucket: Option<String>,
}

/// Facts from inside the AWS account for the HTTPS doctor: target groups with the instance and
/// their health, the security-group path from the ALB to the app port, the frontend's index.html.
#[async_trait]
pub trait InsideView: Send + Sync {
    async fn gather(&self, q: &InsideQuery) -> PortResult<lockstep_doctor::InsideFacts>;
}
