//! Steps 4 and 6: the records lockstep added (deleted as they are now in the zone), and the
//! hosted zone itself (only one lockstep created, only when the user confirmed, only empty).

use super::ids::RecordId;
use super::{is_code, messages, Tally, TeardownDeps, TeardownInput, TeardownOutput};
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::{PortError, RecordSet};
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::{LedgerItem, ResourceKind};
use lockstep_domain::{StepKind, ZoneId};
use std::sync::Arc;

pub struct DeleteRecords(pub Arc<TeardownDeps>);
pub struct DeleteZone(pub Arc<TeardownDeps>);

#[async_trait]
impl Step for DeleteRecords {
    const KIND: StepKind = StepKind::TeardownRecords;
    type Input = TeardownInput;
    type Output = TeardownOutput;

    async fn run(&self, ctx: &StepCtx, inp: TeardownInput) -> Result<StepOutcome<TeardownOutput>, StepError> {
        let d = &self.0;
        let mut t = Tally::new(ctx);
        let mut items: Vec<(&LedgerItem, RecordId)> = Vec::new();
        for item in inp.of(ResourceKind::Route53Record) {
            if let Some(id) = t.parsed(item, RecordId::parse(&item.id)) {
                items.push((item, id));
            }
        }
        let mut zones: Vec<ZoneId> = items.iter().map(|(_, id)| id.zone.clone()).collect();
        zones.sort();
        zones.dedup();
        for zone in zones {
            let z = zone.as_str();
            let current = match d.records.list_records(z).await {
                Ok(r) => r,
                // The zone itself is gone: so are its records.
                Err(PortError::NotFound(_)) => Vec::new(),
                Err(e) => return Err(port_error(&messages::reading_zone_records(z), e)),
            };
            let mut doomed: Vec<RecordSet> = Vec::new();
            for (item, id) in items.iter().filter(|(_, id)| id.zone == zone) {
                if let Some(r) = current.iter().find(|r| r.name == id.name && r.rtype == id.rtype) {
                    if !doomed.contains(r) {
                        doomed.push(r.clone());
                    }
                }
                t.deleted(item);
            }
            if !doomed.is_empty() {
                ctx.note(&messages::deleting_records_now(z, doomed.len())).await?;
                match d.records.delete_records(z, &doomed).await {
                    Ok(_) => {}
                    // Route 53 refuses the whole batch when one record is not as sent: the
                    // SDK's resend of a DELETE whose answer was lost finds the records gone
                    // already ("... but it was not found"), and a user may have changed one
                    // since it was read. Read the zone again: what is gone is done, what is
                    // still there is deleted as it is now, once.
                    Err(e) if is_code(&e, "InvalidChangeBatch") => {
                        let now = match d.records.list_records(z).await {
                            Ok(r) => r,
                            Err(PortError::NotFound(_)) => Vec::new(),
                            Err(e) => return Err(port_error(&messages::reading_zone_records(z), e)),
                        };
                        let left: Vec<RecordSet> = now
                            .into_iter()
                            .filter(|r| doomed.iter().any(|x| x.name == r.name && x.rtype == r.rtype))
                            .collect();
                        if !left.is_empty() {
                            d.records
                                .delete_records(z, &left)
                                .await
                                .map_err(|e| port_error(&messages::deleting_records(z), e))?;
                        }
                    }
                    Err(e) => return Err(port_error(&messages::deleting_records(z), e)),
                }
            }
        }
        t.finish(ctx, d, messages::dns_records()).await
    }
}

#[async_trait]
impl Step for DeleteZone {
    const KIND: StepKind = StepKind::TeardownZone;
    type Input = TeardownInput;
    type Output = TeardownOutput;

    async fn run(&self, ctx: &StepCtx, inp: TeardownInput) -> Result<StepOutcome<TeardownOutput>, StepError> {
        let d = &self.0;
        let mut t = Tally::new(ctx);
        for item in inp.of(ResourceKind::HostedZone) {
            if !inp.delete_zone {
                t.keep(item, messages::zone_kept_by_choice());
                continue;
            }
            let Some(id) = t.parsed(item, ZoneId::parse(&item.id).ok()) else { continue };
            let id = id.as_str();
            let zone = match d.zones.get_zone(id).await {
                Ok(z) => z,
                Err(PortError::NotFound(_)) => {
                    t.deleted(item);
                    continue;
                }
                Err(e) => return Err(port_error(&messages::reading_zone(), e)),
            };
            let records = d
                .records
                .list_records(id)
                .await
                .map_err(|e| port_error(&messages::reading_zone_records_for_delete(), e))?;
            let foreign: Vec<String> = records
                .iter()
                .filter(|r| !(r.name == zone.name && (r.rtype == "NS" || r.rtype == "SOA")))
                .map(|r| format!("{} {}", r.name, r.rtype))
                .collect();
            if !foreign.is_empty() {
                t.keep(item, messages::zone_has_foreign_records(&zone.name, &foreign));
                continue;
            }
            match d.zones.delete_zone(id).await {
                Ok(()) | Err(PortError::NotFound(_)) => t.deleted(item),
                Err(e) if is_code(&e, "HostedZoneNotEmpty") => t.keep(item, messages::zone_not_empty()),
                Err(e) => return Err(port_error(&messages::deleting_zone(), e)),
            }
        }
        t.finish(ctx, d, messages::hosted_zones()).await
    }
}
