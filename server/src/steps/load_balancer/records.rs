//! `alb.records`: alias A and AAAA for the API name to the load balancer, waiting until Route 53
//! says INSYNC; without a hosted zone, the CNAME to add at the DNS provider.

use super::messages::{self, Task};
use super::{AlbDeps, AlbInput, Create};
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::{AliasTarget, ChangeStatus, RecordSet};
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::{Created, ResourceKind};
use lockstep_domain::{DomainName, StepKind, ZoneId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

pub struct Records(pub Arc<AlbDeps>);

/// The API's address, and either the alias records made or the record to add by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordsOutput {
    /// `https://<api>`.
    pub url: String,
    /// Without a hosted zone: the CNAME the user adds at their DNS provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manual: Option<ManualRecord>,
    /// The alias records, in words (`api.example.com A ALIAS <dns name>`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub change_id: Option<String>,
    /// The A/AAAA records of the API name the aliases replaced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaced: Vec<RecordSet>,
    /// The alias records that were not there before.
    pub created: Vec<Created>,
}

/// A DNS record for the user to add by hand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualRecord {
    pub name: String,
    #[serde(rename = "type")]
    pub rtype: String,
    pub value: String,
}

/// Where the API name's records before the change are committed (what the aliases replace).
const BEFORE: &str = "route53.alb_records.before";
/// Where the Route 53 change is committed.
const CHANGE: &str = "route53.alb_records";

/// Committed under [`BEFORE`].
#[derive(Serialize, Deserialize)]
struct Before {
    zone_name: String,
    before: Vec<RecordSet>,
}

/// Committed under [`CHANGE`].
#[derive(Serialize, Deserialize)]
struct Change {
    change_id: String,
}

impl Records {
    /// The API name's A and AAAA records before lockstep changes them, read and committed once.
    async fn before(&self, ctx: &StepCtx, api: &DomainName, zone_id: &ZoneId) -> Result<Vec<RecordSet>, StepError> {
        if let Some(b) = ctx.recorded::<Before>(BEFORE).await? {
            return Ok(b.before);
        }
        let d = &self.0;
        let zone =
            d.zones.get_zone(zone_id.as_str()).await.map_err(|e| port_error(&messages::task(Task::ReadZone), e))?;
        let zone_name = DomainName::parse(&zone.name)
            .map_err(|e| StepError::invariant(format!("Route 53 answered with a zone name that is not one: {e}")))?;
        if !api.is_within(&zone_name) {
            return Err(StepError::Fatal(messages::api_outside_zone(api, &zone.name)));
        }
        let records = d
            .records
            .list_records(zone_id.as_str())
            .await
            .map_err(|e| port_error(&messages::task(Task::ReadRecords), e))?;
        let before: Vec<RecordSet> =
            records.into_iter().filter(|r| r.name == api.as_str() && (r.rtype == "A" || r.rtype == "AAAA")).collect();
        ctx.effect_token(BEFORE).await?;
        ctx.record(BEFORE, &Before { zone_name: zone.name, before: before.clone() }).await?;
        Ok(before)
    }
}

#[async_trait]
impl Step for Records {
    const KIND: StepKind = StepKind::LoadBalancerRecords;
    type Input = AlbInput;
    type Output = RecordsOutput;

    async fn run(&self, ctx: &StepCtx, inp: AlbInput) -> Result<StepOutcome<RecordsOutput>, StepError> {
        let d = &self.0;
        let lb = ctx.output::<Create>().await?;
        let (api, dns_name) = (&inp.api, &lb.dns_name);
        let url = format!("https://{api}");
        let Some(zone_id) = &inp.zone_id else {
            return Ok(StepOutcome::Done {
                note: Some(messages::add_cname_by_hand(api, dns_name)),
                output: RecordsOutput {
                    url,
                    manual: Some(ManualRecord {
                        name: api.to_string(),
                        rtype: "CNAME".into(),
                        value: dns_name.clone(),
                    }),
                    records: Vec::new(),
                    change_id: None,
                    replaced: Vec::new(),
                    created: Vec::new(),
                },
            });
        };
        let before = self.before(ctx, api, zone_id).await?;
        let change = match ctx.recorded::<Change>(CHANGE).await? {
            Some(c) => c.change_id,
            None => {
                ctx.effect_token(CHANGE).await?;
                let target = AliasTarget {
                    dns_name: dns_name.clone(),
                    hosted_zone_id: lb.canonical_hosted_zone_id.to_string(),
                    evaluate_target_health: true,
                };
                let sets: Vec<RecordSet> =
                    ["A", "AAAA"].iter().map(|t| RecordSet::alias(api.as_str(), t, target.clone())).collect();
                ctx.note(&messages::pointing_api(api, dns_name)).await?;
                let change = d
                    .records
                    .upsert(zone_id.as_str(), &sets)
                    .await
                    .map_err(|e| port_error(&messages::task(Task::AddAliases), e))?;
                ctx.record(CHANGE, &Change { change_id: change.clone() }).await?;
                change
            }
        };
        let status =
            d.records.change_status(&change).await.map_err(|e| port_error(&messages::task(Task::CheckChange), e))?;
        match status {
            ChangeStatus::InSync => {
                let created: Vec<Created> = ["A", "AAAA"]
                    .iter()
                    .filter(|t| !before.iter().any(|r| r.rtype == **t))
                    .map(|t| Created::new(ResourceKind::Route53Record, format!("{zone_id}:{api}:{t}"), &inp.region))
                    .collect();
                let types: Vec<&str> = before.iter().map(|r| r.rtype.as_str()).collect();
                Ok(StepOutcome::Done {
                    note: Some(messages::api_points_at_alb(api, dns_name, &types)),
                    output: RecordsOutput {
                        url,
                        manual: None,
                        records: vec![format!("{api} A ALIAS {dns_name}"), format!("{api} AAAA ALIAS {dns_name}")],
                        change_id: Some(change),
                        replaced: before,
                        created,
                    },
                })
            }
            ChangeStatus::Pending => {
                Ok(StepOutcome::Poll { after: d.poll.min(Duration::from_secs(5)), note: messages::records_pending() })
            }
        }
    }
}
