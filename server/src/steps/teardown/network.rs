//! Step 3: the security-group rules lockstep added, then the groups it created (AWS refuses
//! while the deleted load balancer's network interfaces linger: DependencyViolation).

use super::ids::RuleId;
use super::{is_code, messages, region, Tally, TeardownDeps, TeardownInput, TeardownOutput};
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::ResourceKind;
use lockstep_domain::{SecurityGroupId, StepKind};
use std::sync::Arc;

pub struct DeleteNetwork(pub Arc<TeardownDeps>);

#[async_trait]
impl Step for DeleteNetwork {
    const KIND: StepKind = StepKind::TeardownNetwork;
    type Input = TeardownInput;
    type Output = TeardownOutput;

    async fn run(&self, ctx: &StepCtx, inp: TeardownInput) -> Result<StepOutcome<TeardownOutput>, StepError> {
        let d = &self.0;
        let mut t = Tally::new(ctx);
        for item in inp.of(ResourceKind::SgRule) {
            let Some(rule) = t.parsed(item, RuleId::parse(&item.id)) else { continue };
            let group = rule.group.as_str();
            d.network
                .revoke_ingress(&region(item)?, group, rule.port, &rule.source)
                .await
                .map_err(|e| port_error(&messages::removing_rule(group, rule.port), e))?;
            t.deleted(item);
        }
        for item in inp.of(ResourceKind::SecurityGroup) {
            let Some(group) = t.parsed(item, SecurityGroupId::parse(&item.id).ok()) else { continue };
            let group = group.as_str();
            match d.network.delete_security_group(&region(item)?, group).await {
                Ok(_) => t.deleted(item),
                Err(e) if is_code(&e, "DependencyViolation") => t.waiting.push(messages::group_still_used(group)),
                Err(e) => return Err(port_error(&messages::deleting_group(group), e)),
            }
        }
        t.finish(ctx, d, messages::rules_and_groups()).await
    }
}
