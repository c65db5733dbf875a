//! `cdn.records`: the frontend's names point at the distribution. In Route 53: alias A and
//! AAAA records per name (UPSERT, idempotent), then wait for INSYNC. Without names the frontend
//! is `https://dxxxx.cloudfront.net`; with DNS elsewhere, the records to add by hand.

use super::{messages, CdnDeps, CdnInput, Create};
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::{AliasTarget, ChangeStatus, RecordSet, CLOUDFRONT_ZONE_ID};
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::{Created, ResourceKind};
use lockstep_domain::{DistributionId, DomainName, StepKind, ZoneId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

pub struct Records(pub Arc<CdnDeps>);

/// The `cdn.records` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordsOutput {
    /// Where the frontend answers: the first name, or the distribution's own.
    pub url: String,
    /// The records made, as `NAME TYPE ALIAS TARGET`.
    pub records: Vec<String>,
    /// With DNS outside Route 53: the records to add at the DNS provider.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_by_hand: Vec<String>,
    /// The Route 53 records made (`ZONE:NAME:TYPE`).
    #[serde(default)]
    pub created: Vec<Created>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution_id: Option<DistributionId>,
}

impl RecordsOutput {
    /// No records made in Route 53 (no names, or DNS elsewhere: `add_by_hand`).
    fn unmade(url: String, add_by_hand: Vec<String>) -> RecordsOutput {
        RecordsOutput { url, records: vec![], add_by_hand, created: vec![], change_id: None, distribution_id: None }
    }
}

/// The side effect "route53.cdn_records": the change to wait for.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Change {
    change_id: String,
}

const UPSERT: &str = "route53.cdn_records";
const TYPES: [&str; 2] = ["A", "AAAA"];

#[async_trait]
impl Step for Records {
    const KIND: StepKind = StepKind::FrontendRecords;
    type Input = CdnInput;
    type Output = RecordsOutput;

    async fn run(&self, ctx: &StepCtx, inp: CdnInput) -> Result<StepOutcome<RecordsOutput>, StepError> {
        let made = ctx.output::<Create>().await?;
        let domain_name = made.domain_name;
        let Some(first) = inp.aliases.first() else {
            let output = RecordsOutput::unmade(format!("https://{domain_name}"), vec![]);
            return Ok(StepOutcome::Done { output, note: Some(messages::no_names(&domain_name)) });
        };
        let url = format!("https://{first}");
        let Some(zone_id) = &inp.zone_id else {
            let lines: Vec<String> = inp.aliases.iter().map(|a| format!("{a} CNAME {domain_name}")).collect();
            let note = messages::add_by_hand(&lines);
            return Ok(StepOutcome::Done { output: RecordsOutput::unmade(url, lines), note: Some(note) });
        };
        let change = match ctx.recorded::<Change>(UPSERT).await? {
            Some(c) => c.change_id,
            None => {
                // UPSERT is idempotent; the ledger entry keeps the change id across polls.
                ctx.effect_token(UPSERT).await?;
                let change_id = self.upsert(ctx, zone_id, &inp.aliases, &domain_name).await?;
                ctx.record(UPSERT, &Change { change_id: change_id.clone() }).await?;
                change_id
            }
        };
        let status =
            self.0.records.change_status(&change).await.map_err(|e| port_error(&messages::checking_change(), e))?;
        match status {
            ChangeStatus::InSync => {
                let output = RecordsOutput {
                    url,
                    records: inp
                        .aliases
                        .iter()
                        .flat_map(|a| TYPES.map(|t| format!("{a} {t} ALIAS {domain_name}")))
                        .collect(),
                    add_by_hand: vec![],
                    created: created_records(zone_id, &inp.aliases),
                    change_id: Some(change),
                    distribution_id: Some(made.distribution_id),
                };
                Ok(StepOutcome::Done { output, note: Some(messages::records_done(&inp.aliases, &domain_name)) })
            }
            ChangeStatus::Pending => Ok(StepOutcome::Poll {
                after: self.0.poll.min(Duration::from_secs(5)),
                note: messages::records_pending(),
            }),
        }
    }
}

impl Records {
    /// Checks every name is inside the zone, then UPSERTs the alias records; the change id.
    async fn upsert(
        &self,
        ctx: &StepCtx,
        zone_id: &ZoneId,
        aliases: &[DomainName],
        domain_name: &str,
    ) -> Result<String, StepError> {
        let zone =
            self.0.zones.get_zone(zone_id.as_str()).await.map_err(|e| port_error(&messages::reading_zone(), e))?;
        let zone_name = DomainName::parse(&zone.name)
            .map_err(|_| StepError::Fatal(messages::unreadable_answer("a domain name")))?;
        let outside: Vec<&str> = aliases.iter().filter(|a| !a.is_within(&zone_name)).map(DomainName::as_str).collect();
        if !outside.is_empty() {
            return Err(StepError::Fatal(messages::names_outside_zone(&outside, &zone.name)));
        }
        let target = AliasTarget {
            dns_name: domain_name.to_string(),
            hosted_zone_id: CLOUDFRONT_ZONE_ID.into(),
            evaluate_target_health: false,
        };
        let sets: Vec<RecordSet> =
            aliases.iter().flat_map(|a| TYPES.map(|t| RecordSet::alias(a.as_str(), t, target.clone()))).collect();
        // The note is a fenced write: a stale worker stops before the change.
        ctx.note(&messages::pointing(aliases, domain_name)).await?;
        self.0
            .records
            .upsert(zone_id.as_str(), &sets)
            .await
            .map_err(|e| port_error(&messages::adding_alias_records(&zone.name), e))
    }
}

/// The Route 53 records the step made, for a later teardown (`ZONE:NAME:TYPE`, global).
fn created_records(zone_id: &ZoneId, aliases: &[DomainName]) -> Vec<Created> {
    aliases
        .iter()
        .flat_map(|a| TYPES.map(|t| Created::new(ResourceKind::Route53Record, format!("{zone_id}:{a}:{t}"), "global")))
        .collect()
}
