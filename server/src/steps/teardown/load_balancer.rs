//! Step 2: the load balancer's listeners, the load balancer (polled until it is gone), then its
//! target group (AWS refuses while a load balancer still uses it).

use super::{is_code, messages, region, Tally, TeardownDeps, TeardownInput, TeardownOutput};
use crate::faults;
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::PortError;
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::ResourceKind;
use lockstep_domain::{Arn, StepKind};
use std::sync::Arc;

pub struct DeleteAlb(pub Arc<TeardownDeps>);

#[async_trait]
impl Step for DeleteAlb {
    const KIND: StepKind = StepKind::TeardownLoadBalancer;
    type Input = TeardownInput;
    type Output = TeardownOutput;

    async fn run(&self, ctx: &StepCtx, inp: TeardownInput) -> Result<StepOutcome<TeardownOutput>, StepError> {
        let d = &self.0;
        let mut t = Tally::new(ctx);
        for item in inp.of(ResourceKind::Listener) {
            let Some(arn) = t.parsed(item, Arn::parse(&item.id).ok()) else { continue };
            d.listeners
                .delete_listener(&region(item)?, arn.as_str())
                .await
                .map_err(|e| port_error(&messages::deleting_listener(), e))?;
            t.deleted(item);
        }
        for item in inp.of(ResourceKind::LoadBalancer) {
            let Some(arn) = t.parsed(item, Arn::parse(&item.id).ok()) else { continue };
            let r = region(item)?;
            let started = d
                .load_balancers
                .delete_load_balancer(&r, arn.as_str())
                .await
                .map_err(|e| port_error(&messages::deleting_load_balancer(), e))?;
            if started {
                faults::point("teardown.alb.after_delete_lb").await;
            }
            match d.load_balancers.load_balancer(&r, arn.as_str()).await {
                Err(PortError::NotFound(_)) => t.deleted(item),
                Ok(lb) => t.waiting.push(messages::load_balancer_deleting(&lb.name, &lb.state)),
                Err(e) => return Err(port_error(&messages::reading_load_balancer(), e)),
            }
        }
        if !t.waiting.is_empty() {
            return t.finish(ctx, d, messages::load_balancers()).await;
        }
        for item in inp.of(ResourceKind::TargetGroup) {
            let Some(arn) = t.parsed(item, Arn::parse(&item.id).ok()) else { continue };
            match d.target_groups.delete_target_group(&region(item)?, arn.as_str()).await {
                Ok(_) => t.deleted(item),
                Err(e) if is_code(&e, "ResourceInUse") => t.waiting.push(messages::target_group_in_use()),
                Err(e) => return Err(port_error(&messages::deleting_target_group(), e)),
            }
        }
        t.finish(ctx, d, messages::load_balancer_parts()).await
    }
}
