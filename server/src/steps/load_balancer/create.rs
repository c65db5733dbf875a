//! `alb.create`: the load balancer `lockstep-<slug>` in the two chosen subnets with its security
//! group (an existing one of that name is reused when lockstep can use it as it is), then polled
//! until AWS says `active`.

use super::messages::{self, Task};
use super::{aws_id, created_if, existed_before, rules, AlbDeps, AlbInput, FindNetwork, Security};
use crate::faults;
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::LoadBalancerSpec;
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::{Created, ResourceKind};
use lockstep_domain::{Arn, StepKind, ZoneId};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

pub struct Create(pub Arc<AlbDeps>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadBalancerOutput {
    pub load_balancer_arn: Arn,
    pub name: String,
    /// `NAME-123456.REGION.elb.amazonaws.com`: where the API name points.
    pub dns_name: String,
    /// The zone id Route 53 alias records to this load balancer use.
    pub canonical_hosted_zone_id: ZoneId,
    /// `active` or `active_impaired`.
    pub state: String,
    /// The load balancer, when lockstep made it.
    pub created: Vec<Created>,
}

/// Where the load balancer found or made is committed, before the wait for `active`.
const MADE: &str = "elb.load_balancer";

/// The load balancer found or made, as committed under [`MADE`].
#[derive(Debug, Serialize, Deserialize)]
struct Made {
    arn: Arn,
    name: String,
    dns_name: String,
    canonical_hosted_zone_id: ZoneId,
    /// lockstep made it (it did not exist before).
    created: bool,
}

impl Create {
    /// Finds or makes the load balancer and commits it (once per run step).
    async fn find_or_make(&self, ctx: &StepCtx, inp: &AlbInput) -> Result<Made, StepError> {
        let (d, region) = (&self.0, &inp.region);
        let net = ctx.output::<FindNetwork>().await?;
        let sg = ctx.output::<Security>().await?.alb_security_group;
        let name = rules::lb_name(&inp.project_slug);
        let found = d
            .load_balancers
            .find_load_balancer(region, &name)
            .await
            .map_err(|e| port_error(&messages::task(Task::FindLoadBalancer), e))?;
        let existed = existed_before(ctx, MADE, found.is_some()).await?;
        let lb = match found {
            Some(lb) => lb,
            None => {
                ctx.note(&messages::creating_load_balancer(&name, &net.subnets)).await?;
                faults::point("alb.create.before_call").await;
                let spec = LoadBalancerSpec { name: name.clone(), subnets: net.subnets, security_group: sg.into() };
                let lb = d
                    .load_balancers
                    .create_load_balancer(region, &spec)
                    .await
                    .map_err(|e| port_error(&messages::task(Task::CreateLoadBalancer), e))?;
                faults::point("alb.create.after_call").await;
                lb
            }
        };
        rules::check_load_balancer(&lb, &net.vpc_id, &net.instance_az).map_err(StepError::Fatal)?;
        let made = Made {
            arn: aws_id(Arn::parse(&lb.arn), "the load balancer's ARN")?,
            canonical_hosted_zone_id: aws_id(
                ZoneId::parse(&lb.canonical_hosted_zone_id),
                "the load balancer's hosted zone id",
            )?,
            name: lb.name,
            dns_name: lb.dns_name,
            created: !existed,
        };
        ctx.effect_token(MADE).await?;
        ctx.record(MADE, &made).await?;
        Ok(made)
    }
}

#[async_trait]
impl Step for Create {
    const KIND: StepKind = StepKind::LoadBalancerCreate;
    type Input = AlbInput;
    type Output = LoadBalancerOutput;

    async fn run(&self, ctx: &StepCtx, inp: AlbInput) -> Result<StepOutcome<LoadBalancerOutput>, StepError> {
        let d = &self.0;
        let region = &inp.region;
        let lb = match ctx.recorded::<Made>(MADE).await? {
            Some(made) => made,
            None => self.find_or_make(ctx, &inp).await?,
        };
        let now = d
            .load_balancers
            .load_balancer(region, lb.arn.as_str())
            .await
            .map_err(|e| port_error(&messages::task(Task::ReadLoadBalancer), e))?;
        match now.state.as_str() {
            "active" | "active_impaired" => {
                let created =
                    created_if(!lb.created, || Created::new(ResourceKind::LoadBalancer, lb.arn.as_str(), region));
                let impaired = now.state == "active_impaired";
                let note = messages::load_balancer_active(&now.name, &now.dns_name, created.is_empty(), impaired);
                let zone = aws_id(ZoneId::parse(&now.canonical_hosted_zone_id), "the load balancer's hosted zone id")?;
                Ok(StepOutcome::Done {
                    note: Some(note),
                    output: LoadBalancerOutput {
                        load_balancer_arn: lb.arn,
                        name: now.name,
                        dns_name: now.dns_name,
                        canonical_hosted_zone_id: zone,
                        state: now.state,
                        created,
                    },
                })
            }
            "failed" => Err(StepError::Fatal(messages::load_balancer_failed(&now.name))),
            state => Ok(StepOutcome::Poll {
                after: (d.poll * 3).max(Duration::from_millis(50)),
                note: messages::load_balancer_provisioning(&now.name, state),
            }),
        }
    }
}
