//! `alb.target_group`: `lockstep-<slug>`, HTTP to the app port with the project's health check,
//! the instance registered. An existing group of that name is reused only when lockstep can use
//! it as it is ([`rules::check_target_group`]).

use super::messages::{self, Task};
use super::{aws_id, created_if, existed_before, rules, AlbDeps, AlbInput, FindNetwork};
use crate::faults;
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::TargetGroupSpec;
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::{Created, ResourceKind};
use lockstep_domain::{Arn, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub struct TargetGroup(pub Arc<AlbDeps>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetGroupOutput {
    pub target_group_arn: Arn,
    pub name: String,
    /// Always `HTTP`: the load balancer ends TLS.
    pub protocol: String,
    pub port: u16,
    pub health_path: String,
    /// The target group, when lockstep made it.
    pub created: Vec<Created>,
}

#[async_trait]
impl Step for TargetGroup {
    const KIND: StepKind = StepKind::LoadBalancerTargetGroup;
    type Input = AlbInput;
    type Output = TargetGroupOutput;

    async fn run(&self, ctx: &StepCtx, inp: AlbInput) -> Result<StepOutcome<TargetGroupOutput>, StepError> {
        let d = &self.0;
        let region = &inp.region;
        let vpc = ctx.output::<FindNetwork>().await?.vpc_id;
        let name = rules::lb_name(&inp.project_slug);
        let found = d
            .target_groups
            .find_target_group(region, &name)
            .await
            .map_err(|e| port_error(&messages::task(Task::FindTargetGroup), e))?;
        let existed = existed_before(ctx, "elb.target_group", found.is_some()).await?;
        let mut changes = Vec::new();
        let tg = match found {
            Some(tg) => {
                rules::check_target_group(&tg, inp.app_port, &vpc).map_err(StepError::Fatal)?;
                if tg.health_path != inp.health_path {
                    d.target_groups
                        .set_health_check(region, &tg.arn, &inp.health_path)
                        .await
                        .map_err(|e| port_error(&messages::task(Task::SetHealthPath(&name)), e))?;
                    changes.push(messages::health_path_changed(&tg.health_path, &inp.health_path));
                }
                tg
            }
            None => {
                ctx.note(&messages::creating_target_group(&name, inp.app_port, &inp.health_path)).await?;
                faults::point("alb.target_group.before_create").await;
                let spec = TargetGroupSpec {
                    name: name.clone(),
                    port: inp.app_port,
                    vpc_id: vpc.clone(),
                    health_path: inp.health_path.clone(),
                };
                let tg = d
                    .target_groups
                    .create_target_group(region, &spec)
                    .await
                    .map_err(|e| port_error(&messages::task(Task::CreateTargetGroup), e))?;
                faults::point("alb.target_group.after_create").await;
                // A group made by someone else at the same moment (same name, other settings).
                rules::check_target_group(&tg, inp.app_port, &vpc).map_err(StepError::Fatal)?;
                tg
            }
        };
        let arn = aws_id(Arn::parse(&tg.arn), "the target group's ARN")?;
        d.target_groups
            .register_instance(region, arn.as_str(), inp.instance_id.as_str(), inp.app_port)
            .await
            .map_err(|e| port_error(&messages::task(Task::Register(&inp.instance_id)), e))?;
        let created = created_if(existed, || Created::new(ResourceKind::TargetGroup, arn.as_str(), region));
        Ok(StepOutcome::Done {
            note: Some(messages::target_group_done(
                &name,
                tg.port,
                &inp.health_path,
                &inp.instance_id,
                existed,
                &changes,
            )),
            output: TargetGroupOutput {
                target_group_arn: arn,
                name,
                protocol: "HTTP".into(),
                port: inp.app_port,
                health_path: inp.health_path,
                created,
            },
        })
    }
}
