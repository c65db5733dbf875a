//! `alb.await_healthy`: polls the target's health, each reason in plain words, until it is
//! healthy; gives up after [`super::UNHEALTHY_LIMIT`] of `unhealthy` (twice that for a state that
//! never changes) naming the app port, the health path and the security-group rule.

use super::messages::{self, Task};
use super::{AlbDeps, AlbInput, Security, TargetGroup};
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::TargetHealth;
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::{InstanceId, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

pub struct AwaitHealthy(pub Arc<AlbDeps>);

/// The target passed the health checks. Creates nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthOutput {
    /// Always `healthy`.
    pub state: String,
    pub target: InstanceId,
}

#[async_trait]
impl Step for AwaitHealthy {
    const KIND: StepKind = StepKind::LoadBalancerAwaitHealthy;
    type Input = AlbInput;
    type Output = HealthOutput;

    async fn run(&self, ctx: &StepCtx, inp: AlbInput) -> Result<StepOutcome<HealthOutput>, StepError> {
        let d = &self.0;
        let tg = ctx.output::<TargetGroup>().await?.target_group_arn;
        let targets = d
            .target_groups
            .target_health(&inp.region, tg.as_str())
            .await
            .map_err(|e| port_error(&messages::task(Task::ReadTargetHealth), e))?;
        let target = targets.into_iter().find(|t| t.target_id == inp.instance_id.as_str()).unwrap_or(TargetHealth {
            target_id: inp.instance_id.to_string(),
            port: inp.app_port,
            state: "unused".into(),
            reason: Some("Target.NotRegistered".into()),
            description: None,
        });
        if target.state == "healthy" {
            return Ok(StepOutcome::Done {
                note: Some(messages::target_healthy(&inp.instance_id, &inp.health_path, inp.app_port)),
                output: HealthOutput { state: target.state, target: inp.instance_id },
            });
        }
        let note = messages::health_note(
            &target.state,
            target.reason.as_deref(),
            target.description.as_deref(),
            inp.app_port,
            &inp.health_path,
        );
        let limit_ms = d.unhealthy_limit.as_millis() as i64;
        let now = ctx.now_ms();
        // Unhealthy since the first time it was seen so (committed, survives restarts); any
        // other state that never ends (unused, initial for ever) counts from the step's start,
        // with twice the patience.
        let since =
            if target.state == "unhealthy" { Some(ctx.effect_token("health.unhealthy_since").await?.1) } else { None };
        let over = match since {
            Some(t) => now - t >= limit_ms,
            None => now - ctx.started_at() >= 2 * limit_ms,
        };
        if over {
            let groups = ctx.output::<Security>().await?;
            let waited = if since.is_some() { d.unhealthy_limit } else { d.unhealthy_limit * 2 };
            return Err(StepError::Fatal(messages::unhealthy_error(
                waited,
                &target,
                inp.app_port,
                &inp.health_path,
                groups.instance_security_group.as_str(),
                groups.alb_security_group.as_str(),
            )));
        }
        Ok(StepOutcome::Poll { after: (d.poll * 2).max(Duration::from_millis(50)), note })
    }
}
