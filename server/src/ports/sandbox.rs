//! The sandbox's stand-ins for what a team already has in AWS.

use super::*;

/// The sandbox's stand-ins for what a team already has in AWS before lockstep (its frontend
/// bucket). Present only in sandbox mode.
#[async_trait]
pub trait SandboxWorld: Send + Sync {
    /// Makes the project's bucket exist (website hosting on, an index.html); fine when it does.
    async fn prepare_bucket(&self, region: &Region, bucket: &str) -> PortResult<()>;
    /// The team's EC2 instance: one `lockstep-demo` instance in the default VPC of `region`
    /// (found again when it exists), with its own security group and public subnets. Its id.
    async fn demo_instance(&self, region: &Region) -> PortResult<String>;
}
