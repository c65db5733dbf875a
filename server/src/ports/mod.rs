//! The narrow interfaces lockstep's domain logic uses to reach the outside world.
//!
//! Each external system is one file here (`ports/<system>.rs`) with its traits, one per capability
//! (Route 53: [`HostedZones`], [`DnsRecords`]; CloudFront: [`Distributions`], [`Invalidations`],
//! [`OriginAccess`]; ELB: [`LoadBalancers`], [`TargetGroups`], [`Listeners`]), so a step holds only
//! what it calls. The AWS SDK adapters in [`crate::aws`] implement them (one adapter per system,
//! every trait of it), and tests implement them with fakes or drive the adapters with scripted SDK
//! replies.
//! Nothing outside `crate::aws` may import an SDK crate (a test enforces it).

use async_trait::async_trait;
use lockstep_domain::{DomainName, Region};
use serde::{Deserialize, Serialize};

mod acm;
mod cloudfront;
mod doctor;
mod domains;
mod ec2;
mod elb;
mod public_dns;
mod route53;
mod s3;
mod sandbox;
mod ssm;
mod sts;
mod webhook;

pub use acm::*;
pub use cloudfront::*;
pub use doctor::*;
pub use domains::*;
pub use ec2::*;
pub use elb::*;
pub use public_dns::*;
pub use route53::*;
pub use s3::*;
pub use sandbox::*;
pub use ssm::*;
pub use sts::*;
pub use webhook::*;

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
    /// AWS STS would not let lockstep act as the team's role (trust policy, external id).
    #[error("could not act as the team's AWS role {role_arn} ({code}): {message}")]
    TeamRole { role_arn: String, code: String, message: String },
    /// lockstep would not call AWS at all: on real AWS a team acts only through its own role
    /// (see [`crate::aws::team_role::Authority`]).
    #[error("{0}")]
    NoAccess(NoAwsAccess),
}

/// Why lockstep refused to make an AWS call before sending it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum NoAwsAccess {
    /// The team has no role and the operator did not allow it the server's credentials.
    #[error("the team has no AWS role of its own, and this server uses no other credentials for it")]
    NoRole { team_id: String },
    /// The step's project or team no longer exists, so there is no team whose role to use.
    #[error("the project or team this work was for no longer exists")]
    Orphan,
    /// The call was not made for any team (a lockstep bug: every action names its team).
    #[error("the call was not made for any team")]
    Unnamed,
}

impl PortError {
    pub fn is_retryable(&self) -> bool {
        matches!(self, PortError::Throttled(_) | PortError::Unavailable(_))
    }
}

pub type PortResult<T> = Result<T, PortError>;

mod catalog;
pub use catalog::{BucketCatalog, BucketSummary, InstanceCatalog, InstanceSummary, SsmReach};
