//! `cdn.origin`: where CloudFront fetches the frontend from. Website hosting on: the bucket's
//! website endpoint, a custom HTTP-only origin (the bucket stays public). Off: the REST
//! endpoint, signed by an Origin Access Control found or created by name (the bucket stays
//! private; `cdn.create` adds the policy statement).

use super::rules::{oac_name, rest_endpoint, website_endpoint};
use super::{messages, CdnDeps, CdnInput};
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::{OriginKind, PortError};
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::{Region, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub struct Origin(pub Arc<CdnDeps>);

/// The `cdn.origin` output. It creates nothing the ledger tracks: the Origin Access Control is
/// found again by its name on every run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OriginChoice {
    pub bucket: String,
    /// Where the bucket really is.
    pub region: Region,
    pub kind: OriginKind,
    pub origin_domain: String,
    /// The Origin Access Control (only with [`OriginKind::RestOac`]).
    pub oac_id: Option<String>,
}

#[async_trait]
impl Step for Origin {
    const KIND: StepKind = StepKind::FrontendOrigin;
    type Input = CdnInput;
    type Output = OriginChoice;

    async fn run(&self, ctx: &StepCtx, inp: CdnInput) -> Result<StepOutcome<OriginChoice>, StepError> {
        let region = match self.0.buckets.region(&inp.bucket_region, &inp.bucket).await {
            Ok(r) => r,
            Err(PortError::NotFound(_)) => {
                return Err(StepError::Fatal(messages::bucket_missing(&inp.bucket, &inp.bucket_region)))
            }
            Err(e) => return Err(port_error(&messages::locating_bucket(&inp.bucket), e)),
        };
        let website = self
            .0
            .buckets
            .website_enabled(&region, &inp.bucket)
            .await
            .map_err(|e| port_error(&messages::reading_website(&inp.bucket), e))?;
        let moved = (region != inp.bucket_region).then_some((&inp.bucket_region, &region));
        let (choice, note) = if website {
            let domain = website_endpoint(&inp.bucket, &region);
            let note = messages::origin_website(&domain, moved);
            let choice = OriginChoice {
                bucket: inp.bucket.clone(),
                region: region.clone(),
                kind: OriginKind::Website,
                origin_domain: domain,
                oac_id: None,
            };
            (choice, note)
        } else {
            let name = oac_name(&inp.bucket);
            ctx.note(&messages::finding_oac(&name)).await?;
            let oac = self
                .0
                .origin_access
                .ensure_origin_access_control(&name)
                .await
                .map_err(|e| port_error(&messages::creating_oac(), e))?;
            let domain = rest_endpoint(&inp.bucket, &region);
            let note = messages::origin_oac(&domain, &name, &oac, moved);
            let choice = OriginChoice {
                bucket: inp.bucket.clone(),
                region: region.clone(),
                kind: OriginKind::RestOac,
                origin_domain: domain,
                oac_id: Some(oac),
            };
            (choice, note)
        };
        Ok(StepOutcome::Done { output: choice, note: Some(note) })
    }
}
