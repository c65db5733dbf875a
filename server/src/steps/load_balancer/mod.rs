//! The load balancer of the paid path: an internet-facing Application Load Balancer in front of
//! the project's instance, ending HTTPS with the ACM certificate and forwarding plain HTTP to
//! the app, with the API name pointing at it.
//!
//! Seven durable steps ([`STEPS`], in this order), each safe to re-run after a crash, each a
//! typed [`Step`](crate::jobs::Step) with the run's [`AlbInput`] as input and its own output type:
//! 1. `alb.network` ([`FindNetwork`], `network.rs`): the certificate must be in the ALB's region;
//!    the instance's VPC; one subnet in each of two availability zones (the instance's own AZ,
//!    so its target is in use, and one more; public ones). Fewer than two AZs is refused before
//!    anything is created. Two AZs, not all: each AZ costs a public IPv4 address
//!    ([`lockstep_domain::pricing`]);
//! 2. `alb.security` ([`Security`], `security.rs`): the ALB's security group
//!    `lockstep-alb-<slug>` (80/443 from anywhere), and a rule on the instance's security group
//!    letting that group in on the app port;
//! 3. `alb.target_group` ([`TargetGroup`], `target_group.rs`): `lockstep-<slug>`, protocol
//!    **HTTP** on the app port (the ALB ends TLS; an HTTPS group in front of a plain-HTTP app is
//!    seed 001's 502), health check on the project's health path answering 200-399; the
//!    instance registered. An existing group of that name is reused when it is HTTP on the same
//!    port and VPC (its health path is updated); one with protocol HTTPS, another port or
//!    another VPC is refused with the reason: a target group's protocol and port cannot be
//!    changed, and lockstep never deletes what it did not make;
//! 4. `alb.create` ([`Create`], `create.rs`): the load balancer `lockstep-<slug>` (reused
//!    when it exists), then polled until `active` (about 3 minutes on AWS);
//! 5. `alb.listeners` ([`Listeners`], `listeners.rs`): HTTPS:443 with the certificate and
//!    ELBSecurityPolicy-TLS13-1-2-2021-06 forwarding to the group, HTTP:80 answering 301 to
//!    HTTPS. Existing equivalent listeners are kept; different ones are explained, not changed.
//!    This comes *before* the health wait: AWS health-checks only target groups a listener
//!    forwards to (before that the target is `unused`, Target.NotInUse);
//! 6. `alb.await_healthy` ([`AwaitHealthy`], `health.rs`): polls target health, showing each
//!    reason in plain words; gives up after 10 minutes of `unhealthy` naming the app port, the
//!    health path and the rule;
//! 7. `alb.records` ([`Records`], `records.rs`): alias A and AAAA for the API name to the load
//!    balancer (its CanonicalHostedZoneId), waiting for INSYNC; without a hosted zone, the CNAME
//!    to add by hand.
//!
//! A later step reads an earlier one's output by type (`ctx.output::<FindNetwork>()`). Every
//! output that may create something has `created` ([`Created`]): only what that step created
//! (not what it found and reused), in creation order, so a teardown deletes exactly what
//! lockstep made, in reverse order. Kinds: security group, security-group rule (id
//! `sg-x:tcp:PORT:from:SRC`, SRC a group id or a CIDR, [`rule_id`]), target group, load
//! balancer, listener, Route 53 record (id `ZONE:NAME:TYPE`). Whether a resource existed is
//! decided and committed before lockstep first tries to create it, so a crash after the create
//! call still counts it as lockstep's. The words the steps show live in `messages/`; the pure
//! rules (names, subnets, what can be reused) in `rules.rs`.
//!
//! ## Starting the run (for the service layer)
//! `start_run(project_id, RUN_KIND, json(&BackendInput { certificate, load_balancer }), steps)`
//! with the certificate steps first, then [`STEPS`] ([`BackendInput`] says how the two inputs
//! share one object). The [`AlbInput`] has `region`, `instance_id`, `app_port` and
//! `health_path` from the project spec (the instance must be an instance id, not an IP), `api` =
//! the name plan's API name, `certificate_arn` = `None` (the ARN the run's `cert.request`
//! recorded is used; a run of the ALB steps alone names an ISSUED ACM certificate covering
//! `api` **in the project's region**), `zone_id` = `plan.zone_id` (`None` when the domain's DNS
//! is elsewhere), `project_slug` = the project's name. The load balancer's DNS name is in the
//! `alb.create` output ([`LoadBalancerOutput::dns_name`]), the URL in the `alb.records` output
//! ([`RecordsOutput::url`]). Show [`lockstep_domain::pricing::paid_path`]`(2, ..)` before
//! starting: the ALB bills hourly.

mod create;
mod health;
mod input;
mod listeners;
pub(crate) mod messages;
mod network;
mod records;
mod rules;
mod security;
mod target_group;
#[cfg(test)]
mod tests;

pub use create::{Create, LoadBalancerOutput};
pub use health::{AwaitHealthy, HealthOutput};
pub use input::{AlbInput, BackendInput};
pub use listeners::{Listeners, ListenersOutput};
pub use messages::{health_note, span, span_ko, unhealthy_error};
pub use network::{FindNetwork, NetworkOutput};
pub use records::{ManualRecord, Records, RecordsOutput};
pub use rules::{
    alb_group_name, aws_name, check_load_balancer, check_target_group, choose_subnets, https_listener_ok, lb_name,
    redirect_listener_ok, rule_id,
};
pub use security::{Security, SecurityOutput};
pub use target_group::{TargetGroup, TargetGroupOutput};

use crate::jobs::{StepCtx, StepError};
use crate::ports::{DnsRecords, Firewall, HostedZones, LoadBalancers, Network, TargetGroups};
use lockstep_domain::ledger::Created;
use lockstep_domain::{Arn, RunKind, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

pub const RUN_KIND: RunKind = RunKind::Backend;

/// The steps of a backend (ALB) run, in order. Listeners come before the health wait: AWS only
/// health-checks a target group that a listener forwards to.
pub const STEPS: [StepKind; 7] = [
    StepKind::LoadBalancerNetwork,
    StepKind::LoadBalancerSecurity,
    StepKind::LoadBalancerTargetGroup,
    StepKind::LoadBalancerCreate,
    StepKind::LoadBalancerListeners,
    StepKind::LoadBalancerAwaitHealthy,
    StepKind::LoadBalancerRecords,
];

/// How long a target may stay `unhealthy` before the health wait gives up.
pub const UNHEALTHY_LIMIT: Duration = Duration::from_secs(10 * 60);

pub struct AlbDeps {
    pub network: Arc<dyn Network>,
    pub firewall: Arc<dyn Firewall>,
    pub load_balancers: Arc<dyn LoadBalancers>,
    pub target_groups: Arc<dyn TargetGroups>,
    pub listeners: Arc<dyn crate::ports::Listeners>,
    pub zones: Arc<dyn HostedZones>,
    pub records: Arc<dyn DnsRecords>,
    /// Interval between checks while waiting on AWS.
    pub poll: Duration,
    /// How long a target may stay unhealthy ([`UNHEALTHY_LIMIT`]; shorter in tests).
    pub unhealthy_limit: Duration,
}

/// The certificate the HTTPS listener uses: the run input's, else the one the run's certificate
/// step recorded.
async fn certificate_arn(ctx: &StepCtx, inp: &AlbInput) -> Result<Arn, StepError> {
    if let Some(arn) = &inp.certificate_arn {
        return Ok(arn.clone());
    }
    Ok(ctx.output::<crate::steps::certificate::Request>().await?.arn)
}

/// An id in an AWS answer that is not of its kind: AWS broke its contract (fails the step).
fn aws_id<T>(parsed: Result<T, lockstep_domain::ids::BadId>, what: &str) -> Result<T, StepError> {
    parsed.map_err(|e| StepError::invariant(format!("AWS answered with {what} that is {e}")))
}

/// The committed answer of [`existed_before`].
#[derive(Serialize, Deserialize)]
struct Existed {
    existed: bool,
}

/// Whether the resource behind `key` existed before lockstep first tried to create it: decided
/// on the first attempt (`found_now`) and committed, so later attempts give the same answer.
async fn existed_before(ctx: &StepCtx, key: &str, found_now: bool) -> Result<bool, StepError> {
    let key = format!("{key}.existed");
    if let Some(Existed { existed }) = ctx.recorded(&key).await? {
        return Ok(existed);
    }
    ctx.effect_token(&key).await?;
    ctx.record(&key, &Existed { existed: found_now }).await?;
    Ok(found_now)
}

/// The committed answer of [`once`].
#[derive(Serialize, Deserialize)]
struct Added {
    added: bool,
}

/// The result of a call that is not idempotent in what it reports (a rule added or already
/// there): made once, its answer committed, the same answer on every later attempt.
async fn once<F, Fut>(ctx: &StepCtx, key: &str, call: F) -> Result<bool, StepError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<bool, StepError>>,
{
    if let Some(Added { added }) = ctx.recorded(key).await? {
        return Ok(added);
    }
    ctx.effect_token(key).await?;
    let added = call().await?;
    ctx.record(key, &Added { added }).await?;
    Ok(added)
}

/// `created` when the resource is lockstep's (it did not exist before), else nothing.
fn created_if(existed: bool, made: impl FnOnce() -> Created) -> Vec<Created> {
    if existed {
        Vec::new()
    } else {
        vec![made()]
    }
}
