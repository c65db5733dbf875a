//! Step 7: every item of the ledger the steps before did not keep is looked up in AWS again;
//! one still there fails the run with its name (AWS may lag: Retry looks again).

use super::ids::{listener_load_balancer, PolicyStatementId, RecordId, RuleId};
use super::{lookup_region, messages, without_statement};
use super::{DeleteAlb, DeleteCdn, DeleteCertificates, DeleteNetwork, DeleteRecords, DeleteZone};
use super::{Kept, TeardownDeps, TeardownInput};
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::PortError;
use crate::steps::frontend::policy_sid;
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::{Created, LedgerItem, ResourceKind};
use lockstep_domain::{Arn, DistributionId, SecurityGroupId, StepDetail, StepKind, ZoneId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub struct Verify(pub Arc<TeardownDeps>);

/// What the check found: everything gone but what was kept on purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyOutput {
    /// How many items were looked up.
    pub checked: usize,
    /// Still there (always empty: the step fails instead; kept for the stored shape).
    #[serde(default)]
    pub left: Vec<Created>,
    /// What the steps before kept, with why.
    pub kept: Vec<Kept>,
}

/// Whether `item` still exists in AWS. An id that does not parse was kept by its step (never
/// looked up here), and a kind no step deletes is not looked for.
async fn still_there(d: &TeardownDeps, item: &LedgerItem) -> Result<bool, PortError> {
    let gone = |r: Result<bool, PortError>| match r {
        Err(PortError::NotFound(_)) => Ok(false),
        other => other,
    };
    let r = lookup_region(item);
    match item.kind {
        ResourceKind::CloudfrontDistribution => {
            let Ok(id) = DistributionId::parse(&item.id) else { return Ok(false) };
            gone(d.distributions.distribution(id.as_str()).await.map(|_| true))
        }
        ResourceKind::BucketPolicyStatement => {
            let Some(s) = PolicyStatementId::parse(&item.id) else { return Ok(false) };
            let policy = d.buckets.policy(&r, &s.bucket).await?;
            let sid = policy_sid(s.distribution.as_str());
            Ok(policy.is_some_and(|p| without_statement(&p, &sid).ok().flatten().is_some()))
        }
        ResourceKind::Listener => {
            let Some(lb) = listener_load_balancer(&item.id) else { return Ok(false) };
            match d.load_balancers.load_balancer(&r, &lb).await {
                Err(PortError::NotFound(_)) => Ok(false),
                Err(e) => Err(e),
                Ok(_) => Ok(d.listeners.listeners(&r, &lb).await?.iter().any(|l| l.arn == item.id)),
            }
        }
        ResourceKind::LoadBalancer => {
            let Ok(arn) = Arn::parse(&item.id) else { return Ok(false) };
            gone(d.load_balancers.load_balancer(&r, arn.as_str()).await.map(|_| true))
        }
        ResourceKind::TargetGroup => {
            let Ok(arn) = Arn::parse(&item.id) else { return Ok(false) };
            Ok(d.target_groups.target_group(&r, arn.as_str()).await?.is_some())
        }
        ResourceKind::SgRule => {
            let Some(rule) = RuleId::parse(&item.id) else { return Ok(false) };
            let rules = d.network.group_rules(&r, rule.group.as_str()).await?;
            Ok(rules.unwrap_or_default().iter().any(|g| {
                g.covers(rule.port)
                    && g.protocol == "tcp"
                    && match rule.source.as_str() {
                        "world" => g.world_open(),
                        s if s.starts_with("sg-") => g.source_groups.iter().any(|x| x == s),
                        s => g.cidrs.iter().any(|c| c == s),
                    }
            }))
        }
        ResourceKind::SecurityGroup => {
            let Ok(group) = SecurityGroupId::parse(&item.id) else { return Ok(false) };
            Ok(d.network.group_rules(&r, group.as_str()).await?.is_some())
        }
        ResourceKind::Route53Record => {
            let Some(record) = RecordId::parse(&item.id) else { return Ok(false) };
            match d.records.list_records(record.zone.as_str()).await {
                Err(PortError::NotFound(_)) => Ok(false),
                Err(e) => Err(e),
                Ok(records) => Ok(records.iter().any(|x| x.name == record.name && x.rtype == record.rtype)),
            }
        }
        ResourceKind::AcmCertificate => {
            let Ok(arn) = Arn::parse(&item.id) else { return Ok(false) };
            gone(d.ca.describe(&r, arn.as_str()).await.map(|_| true))
        }
        ResourceKind::HostedZone => {
            let Ok(zone) = ZoneId::parse(&item.id) else { return Ok(false) };
            gone(d.zones.get_zone(zone.as_str()).await.map(|_| true))
        }
        // No step creates one into the ledger, and none deletes one.
        ResourceKind::OriginAccessControl => Ok(false),
    }
}

#[async_trait]
impl Step for Verify {
    const KIND: StepKind = StepKind::TeardownVerify;
    type Input = TeardownInput;
    type Output = VerifyOutput;

    async fn run(&self, ctx: &StepCtx, inp: TeardownInput) -> Result<StepOutcome<VerifyOutput>, StepError> {
        let d = &self.0;
        let earlier = [
            ctx.output::<DeleteCdn>().await?,
            ctx.output::<DeleteAlb>().await?,
            ctx.output::<DeleteNetwork>().await?,
            ctx.output::<DeleteRecords>().await?,
            ctx.output::<DeleteCertificates>().await?,
            ctx.output::<DeleteZone>().await?,
        ];
        let kept: Vec<Kept> = earlier.into_iter().flat_map(|o| o.kept).collect();
        let mut left = Vec::new();
        let mut checked = 0;
        for item in inp.items.iter().filter(|i| !kept.iter().any(|k| k.is(i))) {
            checked += 1;
            if still_there(d, item).await.map_err(|e| port_error(&messages::looking_up(item), e))? {
                left.push(item.clone());
            }
        }
        if !left.is_empty() {
            return Err(StepError::Fatal(messages::still_there(&left)));
        }
        ctx.detail(&StepDetail::Teardown { deleted: Vec::new(), kept: kept.iter().map(Kept::torn).collect() }).await?;
        Ok(StepOutcome::Done {
            note: Some(messages::all_gone(checked, kept.len())),
            output: VerifyOutput { checked, left: Vec::new(), kept },
        })
    }
}
