//! The frontend: the CloudFront distribution in front of the project's bucket, and clearing
//! its cache.

use super::{internal, json, no_names_yet, output_of, Lockstep};
use crate::steps::certificate;
use crate::steps::frontend as cdn_steps;
use crate::steps::frontend::CdnInput;
use crate::steps::frontend::InvalidateInput;
use app::api::ssr::{Caller, FrontendApi};
use app::model::*;
use async_trait::async_trait;
use lockstep_domain::account::Need;
use lockstep_domain::RunView;

#[async_trait]
impl FrontendApi for Lockstep {
    async fn start_frontend(&self, who: &Caller, project_id: &str) -> Result<StartOutcome, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        let (_, spec) = self.project(project_id).await?;
        let plan = self.plan(project_id).await?.ok_or_else(no_names_yet)?;
        if let Some(run) = self.active_view(project_id, cdn_steps::RUN_KIND).await? {
            return Ok(StartOutcome::Started(run));
        }
        // A magic name cannot be a CloudFront alias (no certificate can be validated for it):
        // the frontend is then the distribution's own *.cloudfront.net name.
        let aliases = if plan.source.has_zone() { plan.frontend.clone() } else { Vec::new() };
        let certificate_arn = if aliases.is_empty() {
            None
        } else {
            let cert = self.store.latest_run(project_id, certificate::RUN_KIND).await.map_err(internal)?;
            let arn = cert.as_ref().and_then(|(_, steps)| output_of::<certificate::Request>(steps)).map(|o| o.arn);
            match arn {
                Some(arn) => Some(arn),
                None => return Ok(StartOutcome::Refused(cdn_steps::messages::needs_certificate_first(&aliases))),
            }
        };
        let input = CdnInput {
            bucket: spec.bucket.to_string(),
            bucket_region: spec.region.clone(),
            aliases,
            certificate_arn,
            zone_id: plan
                .zone_id
                .as_deref()
                .and_then(|z| lockstep_domain::ZoneId::parse(z).ok())
                .filter(|_| plan.source.has_zone()),
            project_slug: spec.name.clone(),
        };
        Ok(StartOutcome::Started(
            self.start_run(&a.aws, &a.user.id, project_id, cdn_steps::RUN_KIND, json(&input)?, &cdn_steps::STEPS)
                .await?,
        ))
    }

    async fn latest_frontend_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, cdn_steps::RUN_KIND).await
    }

    async fn frontend_facts(&self, who: &Caller, project_id: &str) -> Result<FrontendFacts, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.project(project_id).await?;
        let Some((_, steps)) = self.store.latest_run(project_id, cdn_steps::RUN_KIND).await.map_err(internal)? else {
            return Ok(FrontendFacts::default());
        };
        let created = output_of::<cdn_steps::Create>(&steps);
        let records = output_of::<cdn_steps::Records>(&steps);
        Ok(FrontendFacts {
            distribution_id: created.as_ref().map(|d| d.distribution_id.to_string()),
            domain_name: created.map(|d| d.domain_name),
            url: records.map(|r| r.url),
        })
    }

    async fn invalidate_frontend(&self, who: &Caller, project_id: &str) -> Result<StartOutcome, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        let facts = self.frontend_facts(who, project_id).await?;
        let Some(distribution_id) = facts.distribution_id.and_then(|d| lockstep_domain::DistributionId::parse(&d).ok())
        else {
            return Ok(StartOutcome::Refused(cdn_steps::messages::no_distribution_to_clear()));
        };
        if let Some(run) = self.active_view(project_id, cdn_steps::INVALIDATE_RUN_KIND).await? {
            return Ok(StartOutcome::Started(run));
        }
        let input = InvalidateInput { distribution_id };
        Ok(StartOutcome::Started(
            self.start_run(
                &a.aws,
                &a.user.id,
                project_id,
                cdn_steps::INVALIDATE_RUN_KIND,
                json(&input)?,
                &cdn_steps::INVALIDATE_STEPS,
            )
            .await?,
        ))
    }

    async fn latest_invalidation(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, cdn_steps::INVALIDATE_RUN_KIND).await
    }
}
