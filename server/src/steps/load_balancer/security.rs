//! `alb.security`: the load balancer's own security group (80 and 443 from anywhere), and a rule
//! on the instance's security group letting that group in on the app port.

use super::messages::{self, Task};
use super::{aws_id, created_if, existed_before, once, rules, Added, AlbDeps, AlbInput, FindNetwork};
use crate::faults;
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::{Created, ResourceKind};
use lockstep_domain::{SecurityGroupId, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub struct Security(pub Arc<AlbDeps>);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityOutput {
    pub alb_security_group: SecurityGroupId,
    pub alb_security_group_name: String,
    /// The instance's group that lets the load balancer in on the app port.
    pub instance_security_group: SecurityGroupId,
    pub app_port: u16,
    /// The load balancer's group (when lockstep made it) and the rules lockstep added.
    pub created: Vec<Created>,
}

/// Where the rule on the instance's group is committed ([`once`]).
const ALLOW_ALB: &str = "ec2.instance_sg.allow_alb";

#[async_trait]
impl Step for Security {
    const KIND: StepKind = StepKind::LoadBalancerSecurity;
    type Input = AlbInput;
    type Output = SecurityOutput;

    async fn run(&self, ctx: &StepCtx, inp: AlbInput) -> Result<StepOutcome<SecurityOutput>, StepError> {
        let d = &self.0;
        let region = &inp.region;
        let vpc = ctx.output::<FindNetwork>().await?.vpc_id;

        // The load balancer's own group: found by name in the VPC, or created.
        let name = rules::alb_group_name(&inp.project_slug);
        let found = d
            .network
            .find_security_group(region, &vpc, &name)
            .await
            .map_err(|e| port_error(&messages::task(Task::FindAlbGroup), e))?;
        let existed = existed_before(ctx, "ec2.alb_sg", found.is_some()).await?;
        let group = match found {
            Some(g) => g,
            None => {
                ctx.note(&messages::creating_alb_group(&name, &vpc)).await?;
                faults::point("alb.security.before_create").await;
                let description = messages::alb_group_description(&inp.project_slug);
                let g = d
                    .network
                    .create_security_group(region, &vpc, &name, &description)
                    .await
                    .map_err(|e| port_error(&messages::task(Task::CreateAlbGroup), e))?;
                faults::point("alb.security.after_create").await;
                g
            }
        };
        let alb_group = aws_id(SecurityGroupId::parse(&group.group_id), "the load balancer's security group")?;
        let mut created = created_if(existed, || Created::new(ResourceKind::SecurityGroup, alb_group.as_str(), region));
        let gid = alb_group.as_str();
        for port in [80u16, 443] {
            let added = once(ctx, &format!("ec2.alb_sg.open_{port}"), move || async move {
                d.firewall
                    .open_to_world(region, gid, port)
                    .await
                    .map_err(|e| port_error(&messages::task(Task::OpenPort { port, group: gid }), e))
            })
            .await?;
            // Every rule of a group lockstep created is lockstep's.
            if added || !existed {
                for src in ["0.0.0.0/0", "::/0"] {
                    created.push(Created::new(ResourceKind::SgRule, rules::rule_id(gid, port, src), region));
                }
            }
        }

        // The instance's group lets the load balancer in on the app port.
        let (groups, instance_rules) = d
            .firewall
            .instance_rules(region, inp.instance_id.as_str())
            .await
            .map_err(|e| port_error(&messages::task(Task::ReadInstanceGroups(&inp.instance_id)), e))?;
        let already =
            instance_rules.iter().find(|r| r.covers(inp.app_port) && r.source_groups.iter().any(|s| s == gid));
        let Some(first) = groups.first() else {
            return Err(StepError::Fatal(messages::instance_has_no_group(&inp.instance_id)));
        };
        let instance_group = already.map_or(first, |r| &r.group_id);
        let instance_group = aws_id(SecurityGroupId::parse(instance_group), "the instance's security group")?;
        // Decided before the first try and committed: a rule found later is lockstep's own when
        // it was not there before (the answer to its call was lost, or a crash came after it).
        // Found by faults_paid: such a rule was left out of the ledger and teardown left it.
        let rule_existed = existed_before(ctx, ALLOW_ALB, already.is_some()).await?;
        let added = if already.is_some() && ctx.recorded::<Added>(ALLOW_ALB).await?.is_none() {
            !rule_existed
        } else {
            let (ig, app_port) = (instance_group.as_str(), inp.app_port);
            once(ctx, ALLOW_ALB, move || async move {
                ctx.note(&messages::allowing_alb(app_port, ig, gid)).await?;
                let task = messages::task(Task::AllowAlb { port: app_port, group: ig });
                d.network.allow_from_group(region, ig, app_port, gid).await.map_err(|e| port_error(&task, e))
            })
            .await?
                || !rule_existed
        };
        if added {
            let rule = rules::rule_id(instance_group.as_str(), inp.app_port, gid);
            created.push(Created::new(ResourceKind::SgRule, rule, region));
        }
        Ok(StepOutcome::Done {
            note: Some(messages::security_done(&name, gid, instance_group.as_str(), inp.app_port, existed, added)),
            output: SecurityOutput {
                alb_security_group: alb_group,
                alb_security_group_name: name,
                instance_security_group: instance_group,
                app_port: inp.app_port,
                created,
            },
        })
    }
}
