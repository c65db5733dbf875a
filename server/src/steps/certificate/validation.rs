//! Sub-steps 2 to 4: wait for ACM's validation records, put them in the zone, and wait until
//! Route 53 has published them.

use super::{messages, CertDeps, CertInput, Request};
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::{ChangeStatus, RecordSet, ValidationRecord};
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::{Created, ResourceKind};
use lockstep_domain::{DomainName, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

pub struct AwaitRecords(pub Arc<CertDeps>);
pub struct UpsertValidation(pub Arc<CertDeps>);
pub struct AwaitDns(pub Arc<CertDeps>);

/// The validation records ACM asked for, one per record name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordsOutput {
    pub records: Vec<ValidationRecord>,
}

/// The Route 53 change that put the validation records into the zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpsertOutput {
    pub change_id: String,
    pub records: Vec<RecordSet>,
    #[serde(default)]
    pub created: Vec<Created>,
}

/// Route 53's answer once the change is on every name server (`INSYNC`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsOutput {
    pub status: String,
}

#[async_trait]
impl Step for AwaitRecords {
    const KIND: StepKind = StepKind::CertificateAwaitRecords;
    type Input = CertInput;
    type Output = RecordsOutput;

    async fn run(&self, ctx: &StepCtx, inp: CertInput) -> Result<StepOutcome<RecordsOutput>, StepError> {
        let arn = ctx.output::<Request>().await?.arn;
        let info =
            self.0.ca.describe(&inp.region, arn.as_str()).await.map_err(|e| port_error(&messages::task_read(), e))?;
        if let Some(err) = messages::status_error(&info.status, info.failure_reason.as_deref(), &inp.zone_name) {
            return Err(StepError::Fatal(err));
        }
        let missing: Vec<&DomainName> =
            inp.names.iter().filter(|n| !info.validation.iter().any(|v| v.domain == n.as_str())).collect();
        if !missing.is_empty() {
            return Ok(StepOutcome::Poll {
                after: self.0.poll.min(Duration::from_secs(3)),
                note: messages::records_not_published(&missing),
            });
        }
        let mut records: Vec<ValidationRecord> = Vec::new();
        for v in info.validation {
            if !records.iter().any(|r| r.name == v.name) {
                records.push(v);
            }
        }
        Ok(StepOutcome::Done { note: Some(messages::records_to_add(records.len())), output: RecordsOutput { records } })
    }
}

#[async_trait]
impl Step for UpsertValidation {
    const KIND: StepKind = StepKind::CertificateUpsertValidation;
    type Input = CertInput;
    type Output = UpsertOutput;

    async fn run(&self, ctx: &StepCtx, inp: CertInput) -> Result<StepOutcome<UpsertOutput>, StepError> {
        let records = ctx.output::<AwaitRecords>().await?.records;
        let mut sets = Vec::new();
        for r in &records {
            // Validation record names start with an underscore label: DNS record names, not
            // hostnames, so they are checked as such rather than parsed as a DomainName.
            let name = r.name.trim().trim_end_matches('.').to_ascii_lowercase();
            if !record_within(&name, &inp.zone_name) {
                return Err(StepError::Fatal(messages::record_outside_zone(&name, &inp.zone_name, &r.domain)));
            }
            sets.push(RecordSet::plain(name, &r.rtype, 300, vec![r.value.clone()]));
        }
        ctx.note(&messages::adding_records(sets.len(), &inp.zone_name)).await?;
        let task = messages::task_upsert(&inp.zone_name);
        let change_id = self.0.records.upsert(inp.zone_id.as_str(), &sets).await.map_err(|e| port_error(&task, e))?;
        let added = sets
            .iter()
            .map(|s| format!("{} CNAME {}", s.name, s.values.first().map(String::as_str).unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("; ");
        let created = sets
            .iter()
            .map(|r| {
                Created::new(ResourceKind::Route53Record, format!("{}:{}:{}", inp.zone_id, r.name, r.rtype), "global")
            })
            .collect();
        Ok(StepOutcome::Done {
            note: Some(messages::records_added(&added)),
            output: UpsertOutput { change_id, records: sets, created },
        })
    }
}

#[async_trait]
impl Step for AwaitDns {
    const KIND: StepKind = StepKind::CertificateAwaitDns;
    type Input = CertInput;
    type Output = DnsOutput;

    async fn run(&self, ctx: &StepCtx, _inp: CertInput) -> Result<StepOutcome<DnsOutput>, StepError> {
        let change = ctx.output::<UpsertValidation>().await?.change_id;
        let status =
            self.0.records.change_status(&change).await.map_err(|e| port_error(&messages::task_change(), e))?;
        Ok(match status {
            ChangeStatus::InSync => {
                StepOutcome::Done { output: DnsOutput { status: "INSYNC".into() }, note: Some(messages::in_sync()) }
            }
            ChangeStatus::Pending => {
                StepOutcome::Poll { after: self.0.poll.min(Duration::from_secs(5)), note: messages::dns_pending() }
            }
        })
    }
}

/// `true` when the DNS record name `name` (lower case, no trailing dot) is `zone` or below it.
fn record_within(name: &str, zone: &DomainName) -> bool {
    name == zone.as_str() || name.strip_suffix(zone.as_str()).is_some_and(|head| head.ends_with('.') && head.len() > 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_records_must_be_inside_the_zone() {
        let zone = DomainName::parse("example.com").unwrap();
        assert!(record_within("_abc.example.com", &zone));
        assert!(record_within("_abc.www.example.com", &zone));
        assert!(!record_within("_abc.badexample.com", &zone));
        assert!(!record_within("_abc.example.org", &zone));
        assert!(!record_within(".example.com", &zone));
    }
}
