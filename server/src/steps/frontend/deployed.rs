//! `cdn.await_deployed`: polls until CloudFront has copied the distribution to every edge
//! location (5-15 minutes on AWS), saying how long it has been.

use super::rules::status_text;
use super::{messages, CdnDeps, CdnInput, Create};
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::DistributionStatus;
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::{DistributionId, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

pub struct AwaitDeployed(pub Arc<CdnDeps>);

/// The `cdn.await_deployed` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployed {
    pub distribution_id: DistributionId,
    pub domain_name: String,
    /// `Deployed`, as CloudFront spells it.
    pub status: String,
}

#[async_trait]
impl Step for AwaitDeployed {
    const KIND: StepKind = StepKind::FrontendAwaitDeployed;
    type Input = CdnInput;
    type Output = Deployed;

    async fn run(&self, ctx: &StepCtx, _: CdnInput) -> Result<StepOutcome<Deployed>, StepError> {
        let made = ctx.output::<Create>().await?;
        let d = self
            .0
            .distributions
            .distribution(made.distribution_id.as_str())
            .await
            .map_err(|e| port_error(&messages::reading_the_distribution(), e))?;
        if d.status == DistributionStatus::Deployed {
            let note = messages::deployed(&d.domain_name);
            let output = Deployed {
                distribution_id: made.distribution_id,
                domain_name: d.domain_name,
                status: status_text(&d.status).to_string(),
            };
            return Ok(StepOutcome::Done { output, note: Some(note) });
        }
        let minutes = (ctx.now_ms() - ctx.started_at()) / 60_000;
        let note = messages::deploying(status_text(&d.status), minutes);
        Ok(StepOutcome::Poll { after: self.0.poll.max(Duration::from_millis(50)), note })
    }
}
