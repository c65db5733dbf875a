//! The domain step's durable sub-steps: create (or reuse) a hosted zone, check delegation,
//! register a domain through Route 53 Domains and follow its operation, find the zone Route 53
//! made. Each is safe to re-run after a crash at any point:
//! - a zone is looked up by name before one is created, and the CallerReference is stored
//!   before `CreateHostedZone`, so a retry never makes a second zone (`zone.rs`);
//! - `RegisterDomain` has no idempotency token: a marker is stored before the call, and a
//!   retry first looks for a registration of the same domain in `ListOperations` since then
//!   (`register.rs`).
//!
//! Each sub-step's input is the run's [`DomainInput`] and its output a typed struct; the name
//! plan a sub-step settles is saved with the fenced `save_plan`. What the user reads is in
//! `messages.rs`.

pub(crate) mod messages;
mod register;
mod zone;

pub use register::{AwaitRegistration, Register, RegisterOutput, RegisteredOutput};
pub use zone::{DelegationCheck, DelegationOutput, FindZone, FoundZone, ZoneCreate, ZoneOutput};

use crate::jobs::{StepCtx, StepError};
use crate::ports::{HostedZones, PublicDns, Registrar};
use lockstep_domain::contact::Contact;
use lockstep_domain::plan::{DomainSource, NamePlan};
use lockstep_domain::{DomainName, RunKind, StepKind, ZoneId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

pub const RUN_KIND: RunKind = RunKind::Domain;

/// What a domain run acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainInput {
    pub source: DomainSource,
    pub domain: DomainName,
    /// Known up front for an existing zone; found or created by the run otherwise.
    pub zone_id: Option<ZoneId>,
    /// Only for a purchase.
    pub contact: Option<Contact>,
    pub years: i32,
}

impl DomainInput {
    /// The steps a run for this source goes through.
    pub fn steps(&self) -> Vec<StepKind> {
        match self.source {
            DomainSource::ExistingZone => vec![StepKind::DelegationCheck],
            DomainSource::OtherRegistrar => vec![StepKind::ZoneCreate, StepKind::DelegationCheck],
            DomainSource::Route53Purchase => vec![
                StepKind::DomainRegister,
                StepKind::DomainAwaitRegistration,
                StepKind::DomainFindZone,
                StepKind::DelegationCheck,
            ],
            DomainSource::Magic(_) | DomainSource::InstanceIp => Vec::new(),
        }
    }
}

pub struct DomainDeps {
    pub zones: Arc<dyn HostedZones>,
    pub registrar: Arc<dyn Registrar>,
    pub public_dns: Arc<dyn PublicDns>,
    /// Between delegation checks (60 s real; short in the sandbox).
    pub delegation_poll: Duration,
    /// Between registration checks (30 s real; short in the sandbox).
    pub registration_poll: Duration,
}

/// The default name plan under `domain` in the zone `zone_id`, saved fenced.
async fn save_plan(ctx: &StepCtx, inp: &DomainInput, zone_id: &ZoneId) -> Result<(), StepError> {
    let plan = NamePlan::default_for(inp.source, inp.domain.clone(), Some(zone_id.to_string()))
        .map_err(|e| StepError::Fatal(messages::cannot_plan(&inp.domain, &e)))?;
    ctx.save_plan(&plan).await
}

/// The zone id this run works on: from the input (an existing zone), or from the sub-step of
/// this run that created or found it.
async fn zone_id(ctx: &StepCtx, inp: &DomainInput) -> Result<ZoneId, StepError> {
    if let Some(id) = &inp.zone_id {
        return Ok(id.clone());
    }
    match inp.source {
        DomainSource::OtherRegistrar => Ok(ctx.output::<ZoneCreate>().await?.zone_id),
        DomainSource::Route53Purchase => Ok(ctx.output::<FindZone>().await?.zone_id),
        DomainSource::ExistingZone | DomainSource::Magic(_) | DomainSource::InstanceIp => {
            Err(StepError::invariant(format!("a {} domain run without a zone id", inp.source.key())))
        }
    }
}
