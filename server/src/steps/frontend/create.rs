//! `cdn.create`: the distribution, made once. The certificate is checked first (nothing is
//! created when CloudFront would refuse it); a distribution lockstep made earlier for the same
//! origin and names is reused; names another distribution holds are refused with its id; the
//! CallerReference is committed before CreateDistribution, so a retry after a crash finds or
//! gets back the first distribution, never a second. With an Origin Access Control the bucket
//! policy then lets this distribution read.

use super::policy::merge_policy;
use super::rules::{
    alias_conflicts, check_certificate, check_certificate_region, conflict_error, frontend_spec, reusable,
    served_certificate,
};
use super::{from_aws, messages, CdnDeps, CdnInput, Origin, OriginChoice, PRICE_CLASS};
use crate::faults;
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::{DistributionInfo, OriginKind, PortError, LOCKSTEP_COMMENT_PREFIX};
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::{Created, ResourceKind};
use lockstep_domain::{Arn, DistributionId, DomainName, Region, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub struct Create(pub Arc<CdnDeps>);

/// What the bucket policy needed (stored as `"added"` / `"already allowed"`; absent without an
/// Origin Access Control).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum BucketPolicy {
    #[serde(rename = "added")]
    Added,
    #[serde(rename = "already allowed")]
    AlreadyAllowed,
}

/// The `cdn.create` output: the distribution and how it reaches the bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Distribution {
    pub distribution_id: DistributionId,
    pub arn: Arn,
    /// `dxxxx.cloudfront.net`.
    pub domain_name: String,
    pub origin_kind: OriginKind,
    pub origin_domain: String,
    pub oac_id: Option<String>,
    pub aliases: Vec<DomainName>,
    /// The certificate it serves (`None` without aliases: CloudFront's own).
    pub certificate_arn: Option<Arn>,
    pub price_class: String,
    /// Made by an earlier run (not by this step), so not this step's to tear down.
    pub reused: bool,
    pub bucket_policy: Option<BucketPolicy>,
    /// The distribution unless reused, and the bucket-policy statement when it was added.
    #[serde(default)]
    pub created: Vec<Created>,
}

/// The side effect "cloudfront.create", as recorded once the distribution is known.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Made {
    id: DistributionId,
    arn: Arn,
    domain_name: String,
    reused: bool,
}

const CREATE: &str = "cloudfront.create";

#[async_trait]
impl Step for Create {
    const KIND: StepKind = StepKind::FrontendCreate;
    type Input = CdnInput;
    type Output = Distribution;

    async fn run(&self, ctx: &StepCtx, inp: CdnInput) -> Result<StepOutcome<Distribution>, StepError> {
        let origin = ctx.output::<Origin>().await?;
        let made = match ctx.recorded::<Made>(CREATE).await? {
            Some(made) => made,
            None => {
                let (dist, reused) = self.create_or_reuse(ctx, &inp, &origin).await?;
                let made = Made {
                    id: from_aws(DistributionId::parse(&dist.id))?,
                    arn: from_aws(Arn::parse(&dist.arn))?,
                    domain_name: dist.domain_name,
                    reused,
                };
                ctx.record(CREATE, &made).await?;
                made
            }
        };
        // With an OAC the bucket stays private: its policy must let this distribution read.
        let bucket_policy = match origin.kind {
            OriginKind::RestOac => Some(self.allow_read(ctx, &origin, &made).await?),
            OriginKind::Website => None,
        };
        let mut created = Vec::new();
        if !made.reused {
            created.push(Created::new(ResourceKind::CloudfrontDistribution, made.id.as_str(), "global"));
        }
        if bucket_policy == Some(BucketPolicy::Added) {
            let id = format!("{}:{}", origin.bucket, made.id);
            created.push(Created::new(ResourceKind::BucketPolicyStatement, id, &origin.region));
        }
        let note = messages::distribution_ready(made.reused, made.id.as_str(), &made.domain_name);
        let output = Distribution {
            certificate_arn: served_certificate(&inp).cloned(),
            distribution_id: made.id,
            arn: made.arn,
            domain_name: made.domain_name,
            origin_kind: origin.kind,
            origin_domain: origin.origin_domain,
            oac_id: origin.oac_id,
            aliases: inp.aliases,
            price_class: PRICE_CLASS.into(),
            reused: made.reused,
            bucket_policy,
            created,
        };
        Ok(StepOutcome::Done { output, note: Some(note) })
    }
}

impl Create {
    /// Adds the statement letting the distribution read the bucket, unless it is there.
    async fn allow_read(&self, ctx: &StepCtx, origin: &OriginChoice, made: &Made) -> Result<BucketPolicy, StepError> {
        let bucket = &origin.bucket;
        let existing = self
            .0
            .buckets
            .policy(&origin.region, bucket)
            .await
            .map_err(|e| port_error(&messages::reading_policy(bucket), e))?;
        match merge_policy(existing.as_deref(), bucket, made.id.as_str(), made.arn.as_str()) {
            Ok(None) => Ok(BucketPolicy::AlreadyAllowed),
            Ok(Some(text)) => {
                // The note is a fenced write: a stale worker stops here.
                ctx.note(&messages::letting_read(made.id.as_str(), bucket)).await?;
                self.0
                    .buckets
                    .put_policy(&origin.region, bucket, &text)
                    .await
                    .map_err(|e| port_error(&messages::adding_policy(bucket), e))?;
                Ok(BucketPolicy::Added)
            }
            Err(problem) => Err(StepError::Fatal(messages::policy_unreadable(bucket, problem, made.arn.as_str()))),
        }
    }

    /// Refuses a certificate CloudFront would refuse, before anything is created.
    async fn check_certificate(&self, inp: &CdnInput) -> Result<(), StepError> {
        if inp.aliases.is_empty() {
            return Ok(());
        }
        let Some(arn) = &inp.certificate_arn else {
            return Err(StepError::Fatal(messages::no_certificate()));
        };
        check_certificate_region(arn).map_err(StepError::Fatal)?;
        let info = match self.0.ca.describe(&Region::us_east_1(), arn.as_str()).await {
            Ok(i) => i,
            Err(PortError::NotFound(_)) => return Err(StepError::Fatal(messages::certificate_not_found())),
            Err(e) => return Err(port_error(&messages::reading_certificate(), e)),
        };
        check_certificate(&info, &inp.aliases).map_err(StepError::Fatal)
    }

    async fn create_or_reuse(
        &self,
        ctx: &StepCtx,
        inp: &CdnInput,
        origin: &OriginChoice,
    ) -> Result<(DistributionInfo, bool), StepError> {
        self.check_certificate(inp).await?;

        // Committed before any call: every retry sends the same CallerReference.
        let (token, _) = ctx.effect_token(CREATE).await?;
        ctx.note(&messages::looking_for_existing()).await?;
        let all = self
            .0
            .distributions
            .list_distributions()
            .await
            .map_err(|e| port_error(&messages::listing_distributions(), e))?;
        if let Some(d) = reusable(&all, &origin.origin_domain, &inp.aliases) {
            // Made earlier by lockstep: by an earlier attempt of this very step (a crash after
            // the call), or by an earlier run.
            let full = self
                .0
                .distributions
                .distribution(&d.id)
                .await
                .map_err(|e| port_error(&messages::reading_a_distribution(), e))?;
            let ours = full.caller_reference.as_deref() == Some(token.as_str());
            return Ok((full, !ours));
        }
        let conflicts = alias_conflicts(&inp.aliases, &all);
        if !conflicts.is_empty() {
            return Err(StepError::Fatal(conflict_error(&conflicts)));
        }

        faults::point("cdn.create.before_call").await;
        let spec = frontend_spec(inp, origin, &token);
        ctx.note(&messages::creating_distribution(&inp.bucket)).await?;
        let created = match self.0.distributions.create_distribution(&spec).await {
            Ok(d) => d,
            Err(PortError::Rejected { code, message }) if code == "CNAMEAlreadyExists" => {
                return Err(StepError::Fatal(messages::cname_taken(&inp.aliases, &message)))
            }
            Err(PortError::Rejected { code, message }) if code == "DistributionAlreadyExists" => {
                // An earlier attempt created it with this CallerReference: find and reuse it.
                match self.by_caller_reference(&token).await? {
                    Some(d) => d,
                    None => {
                        let e = PortError::Rejected { code, message };
                        return Err(port_error(&messages::creating_the_distribution(), e));
                    }
                }
            }
            Err(e) => return Err(port_error(&messages::creating_the_distribution(), e)),
        };
        faults::point("cdn.create.after_call").await;
        Ok((created, false))
    }

    /// The lockstep distribution created with `reference` (listed afresh: the earlier list
    /// may predate it).
    async fn by_caller_reference(&self, reference: &str) -> Result<Option<DistributionInfo>, StepError> {
        let all = self
            .0
            .distributions
            .list_distributions()
            .await
            .map_err(|e| port_error(&messages::listing_distributions(), e))?;
        for d in all.iter().filter(|d| d.comment.starts_with(LOCKSTEP_COMMENT_PREFIX)) {
            let full = self
                .0
                .distributions
                .distribution(&d.id)
                .await
                .map_err(|e| port_error(&messages::reading_a_distribution(), e))?;
            if full.caller_reference.as_deref() == Some(reference) {
                return Ok(Some(full));
            }
        }
        Ok(None)
    }
}
