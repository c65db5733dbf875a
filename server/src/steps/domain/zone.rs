//! The hosted zone: create it (or reuse the one that exists), find the one Route 53 Domains
//! made for a purchase, and follow the delegation until the registrar points at it.

use super::{messages, save_plan, zone_id, DomainDeps, DomainInput};
use crate::faults;
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::same_nameservers;
use crate::steps::effects::aws_id;
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::{Created, ResourceKind};
use lockstep_domain::{StepDetail, StepKind, ZoneId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The side effect's key: its token is the CallerReference; its result is the output.
const EFFECT: &str = "route53.create_zone";

pub struct ZoneCreate(pub Arc<DomainDeps>);
pub struct DelegationCheck(pub Arc<DomainDeps>);
pub struct FindZone(pub Arc<DomainDeps>);

/// The zone the run uses: created by this step (then in `created`) or reused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneOutput {
    pub zone_id: ZoneId,
    #[serde(default)]
    pub name_servers: Vec<String>,
    #[serde(default)]
    pub reused: bool,
    #[serde(default)]
    pub created: Vec<Created>,
}

/// The zone Route 53 Domains made for a purchased domain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundZone {
    pub zone_id: ZoneId,
}

/// The name servers the domain is delegated to (the zone's own).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegationOutput {
    pub name_servers: Vec<String>,
}

#[async_trait]
impl Step for ZoneCreate {
    const KIND: StepKind = StepKind::ZoneCreate;
    type Input = DomainInput;
    type Output = ZoneOutput;

    async fn run(&self, ctx: &StepCtx, inp: DomainInput) -> Result<StepOutcome<ZoneOutput>, StepError> {
        let d = &self.0;
        if let Some(done) = ctx.recorded::<ZoneOutput>(EFFECT).await? {
            return Ok(StepOutcome::Done { output: done, note: None });
        }
        // The CallerReference is stored before anything else, so every path can record its result.
        let (reference, _) = ctx.effect_token(EFFECT).await?;
        // An existing public zone for the name is reused: never a second zone for one domain
        // (two zones with different name servers is a classic "why does nothing resolve").
        let find = messages::task_find_existing();
        let existing = d.zones.find_zone(&inp.domain).await.map_err(|e| port_error(&find, e))?;
        let (zone, reused, task) = match existing {
            // Made by this step's own create, whose answer was lost (a fault on the way back,
            // or the process killed right after the call): it is lockstep's, in the ledger.
            Some(z) if z.caller_reference.as_deref() == Some(reference.as_str()) => (z, false, find),
            Some(z) => (z, true, find),
            None => {
                faults::point("zone.create.before_call").await;
                ctx.note(&messages::creating_zone(&inp.domain)).await?;
                let task = messages::task_create_zone(&inp.domain);
                let z = d.zones.create_zone(&inp.domain, &reference).await.map_err(|e| port_error(&task, e))?;
                faults::point("zone.create.after_call").await;
                (z, false, task)
            }
        };
        let zone_id = aws_id(ZoneId::parse, &zone.id, &task)?;
        let name_servers = d
            .zones
            .delegation(zone_id.as_str())
            .await
            .map_err(|e| port_error(&messages::task_read_name_servers(), e))?;
        let created =
            if reused { Vec::new() } else { vec![Created::new(ResourceKind::HostedZone, zone_id.as_str(), "global")] };
        let output = ZoneOutput { zone_id, name_servers, reused, created };
        ctx.record(EFFECT, &output).await?;
        save_plan(ctx, &inp, &output.zone_id).await?;
        let note = messages::zone_ready(&inp.domain, &output.zone_id, reused);
        Ok(StepOutcome::Done { output, note: Some(note) })
    }
}

#[async_trait]
impl Step for DelegationCheck {
    const KIND: StepKind = StepKind::DelegationCheck;
    type Input = DomainInput;
    type Output = DelegationOutput;

    async fn run(&self, ctx: &StepCtx, inp: DomainInput) -> Result<StepOutcome<DelegationOutput>, StepError> {
        let d = &self.0;
        let zone = zone_id(ctx, &inp).await?;
        let expected =
            d.zones.delegation(zone.as_str()).await.map_err(|e| port_error(&messages::task_read_name_servers(), e))?;
        // The registry's own record when the domain is registered in this account (no caches
        // in between); public DNS otherwise. A registrar error falls back to public DNS.
        let (found, source) = match d.registrar.nameservers(&inp.domain).await {
            Ok(Some(ns)) => (ns, messages::SOURCE_REGISTRY),
            _ => (
                d.public_dns.ns(&inp.domain).await.map_err(|e| port_error(&messages::task_public_ns(), e))?,
                messages::SOURCE_PUBLIC_DNS,
            ),
        };
        let detail = StepDetail::Delegation {
            domain: inp.domain.to_string(),
            expected: expected.clone(),
            found: found.clone(),
            source: source.to_string(),
        };
        ctx.detail(&detail).await?;
        if same_nameservers(&expected, &found) {
            let note = messages::delegated(&inp.domain, expected.len());
            return Ok(StepOutcome::Done { output: DelegationOutput { name_servers: expected }, note: Some(note) });
        }
        let note = if found.is_empty() {
            messages::no_public_name_servers(&inp.domain, expected.len())
        } else {
            let set = detail.delegation_status().iter().filter(|(_, ok)| *ok).count();
            messages::some_name_servers_set(set, expected.len(), &detail.unexpected())
        };
        Ok(StepOutcome::Poll { after: d.delegation_poll, note })
    }
}

#[async_trait]
impl Step for FindZone {
    const KIND: StepKind = StepKind::DomainFindZone;
    type Input = DomainInput;
    type Output = FoundZone;

    async fn run(&self, ctx: &StepCtx, inp: DomainInput) -> Result<StepOutcome<FoundZone>, StepError> {
        let d = &self.0;
        let task = messages::task_find_new_zone();
        match d.zones.find_zone(&inp.domain).await.map_err(|e| port_error(&task, e))? {
            Some(zone) => {
                let zone_id = aws_id(ZoneId::parse, &zone.id, &task)?;
                save_plan(ctx, &inp, &zone_id).await?;
                let note = messages::using_zone(&zone.name, &zone_id);
                Ok(StepOutcome::Done { output: FoundZone { zone_id }, note: Some(note) })
            }
            None => {
                Ok(StepOutcome::Poll { after: d.registration_poll, note: messages::zone_not_made_yet(&inp.domain) })
            }
        }
    }
}
