//! Steps 2 and 3: the API name's A record in the project's hosted zone, then public DNS
//! answering it with the instance's address (Let's Encrypt looks it up).

use super::{messages, NginxDeps, RunInput};
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::RecordSet;
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::{Created, ResourceKind};
use lockstep_domain::{DomainName, StepKind, ZoneId};
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;
use std::sync::Arc;

pub struct DnsRecord(pub Arc<NginxDeps>);
pub struct AwaitResolve(pub Arc<NginxDeps>);

/// What [`DnsRecord`] wrote: nothing (all None) for a name that carries its IP.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DnsRecordOutput {
    pub record: Option<DomainName>,
    pub ip: Option<Ipv4Addr>,
    /// Route 53's change id.
    pub change: Option<String>,
    /// Whether the address is an Elastic IP (None: lockstep could not tell).
    pub elastic: Option<bool>,
    pub zone_id: Option<ZoneId>,
    /// The record, for a later teardown.
    #[serde(default)]
    pub created: Vec<Created>,
}

/// What public DNS answered for the name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwaitResolveOutput {
    pub addresses: Vec<Ipv4Addr>,
}

#[async_trait]
impl Step for DnsRecord {
    const KIND: StepKind = StepKind::InstanceHttpsDnsRecord;
    type Input = RunInput;
    type Output = DnsRecordOutput;

    async fn run(&self, _ctx: &StepCtx, input: RunInput) -> Result<StepOutcome<DnsRecordOutput>, StepError> {
        let inp = input.get()?;
        let Some(zone_id) = inp.zone_id else {
            return Ok(StepOutcome::Done {
                output: DnsRecordOutput {
                    record: None,
                    ip: None,
                    change: None,
                    elastic: None,
                    zone_id: None,
                    created: Vec::new(),
                },
                note: Some(messages::name_carries_ip(&inp.api, inp.public_ip)),
            });
        };
        // A lookup failure is not a reason to stop: the warning is advice, the record is the job.
        let elastic = match self.0.instances.is_elastic_ip(&inp.region, inp.public_ip).await {
            Ok(e) => Some(e),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the account's Elastic IPs");
                None
            }
        };
        let record = RecordSet::plain(inp.api.to_string(), "A", 60, vec![inp.public_ip.to_string()]);
        let change = self
            .0
            .records
            .upsert(zone_id.as_str(), &[record])
            .await
            .map_err(|e| port_error(&messages::writing_record(&inp.api), e))?;
        let created = vec![Created::new(ResourceKind::Route53Record, format!("{zone_id}:{}:A", inp.api), "global")];
        Ok(StepOutcome::Done {
            note: Some(messages::record_written(&inp.api, inp.public_ip, elastic)),
            output: DnsRecordOutput {
                record: Some(inp.api),
                ip: Some(inp.public_ip),
                change: Some(change),
                elastic,
                zone_id: Some(zone_id),
                created,
            },
        })
    }
}

/// After this long the wait stops with an explanation instead of polling forever.
const RESOLVE_PATIENCE_MS: i64 = 30 * 60 * 1000;

#[async_trait]
impl Step for AwaitResolve {
    const KIND: StepKind = StepKind::InstanceHttpsAwaitResolve;
    type Input = RunInput;
    type Output = AwaitResolveOutput;

    async fn run(&self, ctx: &StepCtx, input: RunInput) -> Result<StepOutcome<AwaitResolveOutput>, StepError> {
        let inp = input.get()?;
        if inp.zone_id.is_none() {
            return Ok(StepOutcome::Done {
                output: AwaitResolveOutput { addresses: vec![inp.public_ip] },
                note: Some(messages::resolves_by_construction(&inp.api, inp.public_ip)),
            });
        }
        let want = self.0.instance_addresses(inp.public_ip);
        let got = match self.0.public_dns.a(&inp.api).await {
            Ok(v) => v,
            Err(e) => {
                return Ok(StepOutcome::Poll { after: self.0.poll, note: messages::dns_did_not_answer(&inp.api, &e) })
            }
        };
        if got.iter().any(|a| want.contains(a)) {
            return Ok(StepOutcome::Done {
                note: Some(messages::public_dns_answers(&inp.api, &got)),
                output: AwaitResolveOutput { addresses: got },
            });
        }
        let waited = ctx.now_ms() - ctx.started_at();
        if waited > RESOLVE_PATIENCE_MS {
            return Err(StepError::Fatal(messages::never_resolved(waited / 60_000, &inp.api, inp.public_ip, &got)));
        }
        Ok(StepOutcome::Poll { after: self.0.poll, note: messages::waiting_for_dns(&inp.api, inp.public_ip, &got) })
    }
}
