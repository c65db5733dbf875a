//! `cdn.invalidate`, the one step of the cache-clearing run: invalidates `/*` once (the
//! CallerReference is committed before the call, and looked for after a crash), then polls
//! until CloudFront says Completed.

use super::rules::is_no_such_distribution;
use super::{messages, CdnDeps, InvalidateInput};
use crate::faults;
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::{DistributionId, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::Duration;

pub struct Invalidate(pub Arc<CdnDeps>);

/// The `cdn.invalidate` output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invalidated {
    pub distribution_id: DistributionId,
    pub invalidation_id: String,
    /// `Completed`, as CloudFront spells it.
    pub status: String,
}

/// The side effect "cloudfront.invalidate": the invalidation to wait for.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Started {
    id: String,
}

const INVALIDATE: &str = "cloudfront.invalidate";

#[async_trait]
impl Step for Invalidate {
    const KIND: StepKind = StepKind::FrontendInvalidate;
    type Input = InvalidateInput;
    type Output = Invalidated;

    async fn run(&self, ctx: &StepCtx, inp: InvalidateInput) -> Result<StepOutcome<Invalidated>, StepError> {
        let dist = inp.distribution_id.as_str();
        let id = match ctx.recorded::<Started>(INVALIDATE).await? {
            Some(started) => started.id,
            None => {
                let id = self.start(ctx, dist).await?;
                ctx.record(INVALIDATE, &Started { id: id.clone() }).await?;
                id
            }
        };
        let inv = self
            .0
            .invalidations
            .invalidation(dist, &id)
            .await
            .map_err(|e| port_error(&messages::reading_invalidation(), e))?;
        if inv.completed() {
            let output =
                Invalidated { distribution_id: inp.distribution_id, invalidation_id: inv.id, status: inv.status };
            Ok(StepOutcome::Done { output, note: Some(messages::invalidated()) })
        } else {
            let after = (self.0.poll * 2).max(Duration::from_millis(50));
            Ok(StepOutcome::Poll { after, note: messages::invalidating(&inv.status) })
        }
    }
}

impl Invalidate {
    /// Invalidates `/*` with the committed CallerReference; the invalidation's id.
    async fn start(&self, ctx: &StepCtx, dist: &str) -> Result<String, StepError> {
        let (token, _) = ctx.effect_token(INVALIDATE).await?;
        // After a crash between the call and saving its id, look for it first: AWS would
        // answer the same CallerReference with the same invalidation anyway.
        if ctx.attempts() > 1 {
            let found = self
                .0
                .invalidations
                .find_invalidation(dist, &token)
                .await
                .map_err(|e| port_error(&messages::listing_invalidations(), e))?;
            if let Some(inv) = found {
                return Ok(inv.id);
            }
        }
        faults::point("cdn.invalidate.before_call").await;
        match self.0.invalidations.invalidate_all(dist, &token).await {
            Ok(inv) => Ok(inv.id),
            Err(e) if is_no_such_distribution(&e) => Err(StepError::Fatal(messages::distribution_gone(dist))),
            Err(e) => Err(port_error(&messages::asking_invalidation(), e)),
        }
    }
}
