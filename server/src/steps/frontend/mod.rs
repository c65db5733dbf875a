//! The frontend steps: a CloudFront distribution in front of the project's S3 bucket, with the
//! project's names, the us-east-1 certificate, HTTP redirected to HTTPS, an SPA fallback, and
//! alias records in the hosted zone. Also the separate one-step invalidation run.
//!
//! Four durable steps ([`STEPS`]), each typed ([`Step`](crate::jobs::Step)) and safe to re-run
//! after a crash at any point:
//! 1. `cdn.origin` ([`Origin`], `origin.rs`): read the bucket's region and website hosting;
//!    website hosting on means the website endpoint as a custom HTTP-only origin, off means the
//!    REST endpoint signed by an Origin Access Control (created or reused by name);
//! 2. `cdn.create` ([`Create`], `create.rs`): refuse early, with the reason and the fix, a
//!    certificate CloudFront cannot use (not in us-east-1, not ISSUED, not covering every alias)
//!    and an alias another distribution already has; reuse a distribution lockstep made earlier
//!    for the same bucket and names; else create one, the CallerReference committed before
//!    CreateDistribution so a retry never makes a second. With an OAC, the bucket policy gets
//!    the statement that lets this distribution (and only it) read (`policy.rs`);
//! 3. `cdn.await_deployed` ([`AwaitDeployed`], `deployed.rs`): poll until CloudFront says
//!    Deployed (5-15 minutes on AWS);
//! 4. `cdn.records` ([`Records`], `records.rs`): UPSERT alias A and AAAA records per name to
//!    the distribution, then wait for INSYNC; without names the frontend is
//!    `https://dxxxx.cloudfront.net`.
//!
//! Later steps read earlier ones' outputs by type (`ctx.output::<Create>()`); a stored output
//! or effect result of another shape is a broken invariant (the step fails at once, it is
//! never re-claimed). The pure rules are in `rules.rs`, every sentence a person reads in
//! `messages.rs`.
//!
//! ## Starting the runs (for the service layer)
//! The frontend run: `start_run(project_id, RUN_KIND, json(&CdnInput { .. }), &STEPS)` with
//! `bucket` / `bucket_region` from the project spec, `aliases` = the name plan's frontend names
//! (`plan.frontend`), `certificate_arn` = the ARN of the ISSUED us-east-1 certificate (the
//! certificate run's `cert.request` output) covering them (`None` when there are no aliases),
//! `zone_id` = `plan.zone_id` (`None` for a domain whose DNS is elsewhere), `project_slug` = the
//! project's name. After every redeploy of the frontend: `start_run(project_id,
//! INVALIDATE_RUN_KIND, json(&InvalidateInput { distribution_id }), &INVALIDATE_STEPS)` with the
//! id from the `cdn.create` output ([`Distribution::distribution_id`]).

mod create;
mod deployed;
mod invalidate;
pub mod messages;
mod origin;
mod policy;
mod records;
mod rules;
#[cfg(test)]
mod tests;

pub use create::{BucketPolicy, Create, Distribution};
pub use deployed::{AwaitDeployed, Deployed};
pub use invalidate::{Invalidate, Invalidated};
pub use messages::cname_taken;
pub use origin::{Origin, OriginChoice};
pub use policy::{merge_policy, policy_sid, PolicyProblem};
pub use records::{Records, RecordsOutput};
pub use rules::{
    alias_conflicts, certificate_region, check_certificate, check_certificate_region, comment, frontend_spec, oac_name,
    rest_endpoint, reusable, website_endpoint,
};

use crate::jobs::StepError;
use crate::ports::{
    Buckets, CertificateAuthority, Distributions, DnsRecords, HostedZones, Invalidations, OriginAccess,
};
use lockstep_domain::ids::BadId;
use lockstep_domain::{Arn, DistributionId, DomainName, Region, RunKind, StepKind, ZoneId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

pub const RUN_KIND: RunKind = RunKind::Frontend;

/// The steps of a frontend run, in order.
pub const STEPS: [StepKind; 4] =
    [StepKind::FrontendOrigin, StepKind::FrontendCreate, StepKind::FrontendAwaitDeployed, StepKind::FrontendRecords];

/// The one-step run that clears CloudFront's cache after a redeploy.
pub const INVALIDATE_RUN_KIND: RunKind = RunKind::FrontendInvalidate;
pub const INVALIDATE_STEPS: [StepKind; 1] = [StepKind::FrontendInvalidate];

/// AWS's managed cache policy "CachingOptimized".
pub const CACHING_OPTIMIZED: &str = "658327ea-f89d-4fab-a63d-7e88639e58f6";
/// The cheapest price class: edge locations in North America and Europe only (Asian visitors
/// are served from there too, a little slower). AWS bills per request and GB either way.
pub const PRICE_CLASS: &str = "PriceClass_100";

/// What a frontend run acts on, fixed when the run starts (from the project and its name plan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CdnInput {
    pub bucket: String,
    /// Where the project says the bucket is (the step reads the real one and uses that).
    pub bucket_region: Region,
    /// The frontend names (CloudFront aliases); empty = only `dxxxx.cloudfront.net`.
    pub aliases: Vec<DomainName>,
    /// An ISSUED ACM certificate in us-east-1 covering every alias.
    pub certificate_arn: Option<Arn>,
    /// The hosted zone for the alias records; `None` when the domain's DNS is elsewhere.
    pub zone_id: Option<ZoneId>,
    /// Names the distribution's comment.
    pub project_slug: String,
}

/// What an invalidation run acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidateInput {
    pub distribution_id: DistributionId,
}

pub struct CdnDeps {
    pub distributions: Arc<dyn Distributions>,
    pub invalidations: Arc<dyn Invalidations>,
    pub origin_access: Arc<dyn OriginAccess>,
    pub buckets: Arc<dyn Buckets>,
    pub ca: Arc<dyn CertificateAuthority>,
    pub zones: Arc<dyn HostedZones>,
    pub records: Arc<dyn DnsRecords>,
    /// Interval between checks while waiting on AWS.
    pub poll: Duration,
}

/// An id in an AWS answer, parsed where it enters: one that is not what AWS documents stops
/// the step with words (retrying would read the same answer).
fn from_aws<T>(parsed: Result<T, BadId>) -> Result<T, StepError> {
    parsed.map_err(|e| StepError::Fatal(messages::unreadable_answer(e.expected)))
}
