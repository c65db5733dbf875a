//! Step 1: CloudFront distributions (disable, wait for the disable to deploy, delete), then
//! lockstep's statement out of the bucket policy (only once no distribution still reads).

use super::ids::PolicyStatementId;
use super::{is_code, messages, region, Tally, TeardownDeps, TeardownInput, TeardownOutput};
use crate::faults;
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::{DistributionStatus, PortError};
use crate::steps::frontend::policy_sid;
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::ResourceKind;
use lockstep_domain::{DistributionId, StepKind};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::sync::Arc;

pub struct DeleteCdn(pub Arc<TeardownDeps>);

#[async_trait]
impl Step for DeleteCdn {
    const KIND: StepKind = StepKind::TeardownFrontend;
    type Input = TeardownInput;
    type Output = TeardownOutput;

    async fn run(&self, ctx: &StepCtx, inp: TeardownInput) -> Result<StepOutcome<TeardownOutput>, StepError> {
        let d = &self.0;
        let mut t = Tally::new(ctx);
        for item in inp.of(ResourceKind::CloudfrontDistribution) {
            let Some(id) = t.parsed(item, DistributionId::parse(&item.id).ok()) else { continue };
            let id = id.as_str();
            let dist = match d.distributions.distribution(id).await {
                Ok(dist) => dist,
                Err(PortError::NotFound(_)) => {
                    t.deleted(item);
                    continue;
                }
                Err(e) => return Err(port_error(&messages::reading_distribution(id), e)),
            };
            if dist.enabled {
                ctx.note(&messages::disabling_distribution_now(id)).await?;
                d.distributions
                    .disable_distribution(id)
                    .await
                    .map_err(|e| port_error(&messages::disabling_distribution(id), e))?;
                faults::point("teardown.cdn.after_disable").await;
                t.waiting.push(messages::disable_deploying(id));
                continue;
            }
            if dist.status != DistributionStatus::Deployed {
                t.waiting.push(messages::disable_still_deploying(id, &dist.status));
                continue;
            }
            let etag = dist.etag.clone().unwrap_or_default();
            match d.distributions.delete_distribution(id, &etag).await {
                Ok(()) | Err(PortError::NotFound(_)) => t.deleted(item),
                Err(e) if is_code(&e, "DistributionNotDisabled") => t.waiting.push(messages::not_disabled_yet(id)),
                Err(e) if is_code(&e, "PreconditionFailed") || is_code(&e, "InvalidIfMatchVersion") => {
                    t.waiting.push(messages::changed_while_deleting(id))
                }
                Err(e) => return Err(port_error(&messages::deleting_distribution(id), e)),
            }
        }
        if !t.waiting.is_empty() {
            // The bucket policy must keep letting the distribution read until it is gone.
            return t.finish(ctx, d, messages::distributions()).await;
        }
        for item in inp.of(ResourceKind::BucketPolicyStatement) {
            let Some(statement) = t.parsed(item, PolicyStatementId::parse(&item.id)) else { continue };
            let bucket = statement.bucket.as_str();
            let region = region(item)?;
            let sid = policy_sid(statement.distribution.as_str());
            let policy = d
                .buckets
                .policy(&region, bucket)
                .await
                .map_err(|e| port_error(&messages::reading_bucket_policy(bucket), e))?;
            match policy.as_deref().map(|p| without_statement(p, &sid)) {
                None | Some(Ok(None)) => {}
                Some(Ok(Some(rest))) if rest.is_empty() => d
                    .buckets
                    .delete_policy(&region, bucket)
                    .await
                    .map_err(|e| port_error(&messages::removing_bucket_policy(bucket), e))?,
                Some(Ok(Some(rest))) => d
                    .buckets
                    .put_policy(&region, bucket, &rest)
                    .await
                    .map_err(|e| port_error(&messages::updating_bucket_policy(bucket), e))?,
                Some(Err(why)) => {
                    t.keep(item, messages::policy_unreadable(bucket, &why, &sid));
                    continue;
                }
            }
            t.deleted(item);
        }
        t.finish(ctx, d, messages::cloudfront_distributions()).await
    }
}

/// A bucket policy as far as the teardown reads it: its statements by `Sid`; everything else is
/// kept as it was.
#[derive(Serialize, Deserialize)]
struct PolicyDocument {
    #[serde(rename = "Statement", default, skip_serializing_if = "Option::is_none")]
    statement: Option<Statements>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// IAM allows one statement or a list of them.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum Statements {
    Many(Vec<Statement>),
    One(Statement),
    /// Not a statement at all: lockstep's is not in it.
    Other(Value),
}

#[derive(Serialize, Deserialize)]
struct Statement {
    #[serde(rename = "Sid", default, skip_serializing_if = "Option::is_none")]
    sid: Option<String>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// The bucket policy without the statement `sid`: `Ok(None)` when it has no such statement,
/// `Ok(Some(""))` when nothing else is left (delete the policy), else the rest as JSON.
pub fn without_statement(policy: &str, sid: &str) -> Result<Option<String>, String> {
    let mut doc: PolicyDocument = serde_json::from_str(policy).map_err(|e| format!("not valid JSON: {e}"))?;
    let mut list = match doc.statement.take() {
        Some(Statements::Many(list)) => list,
        Some(Statements::One(one)) => vec![one],
        Some(Statements::Other(_)) | None => return Ok(None),
    };
    let before = list.len();
    list.retain(|s| s.sid.as_deref() != Some(sid));
    if list.len() == before {
        return Ok(None);
    }
    if list.is_empty() {
        return Ok(Some(String::new()));
    }
    doc.statement = Some(Statements::Many(list));
    serde_json::to_string(&doc).map(Some).map_err(|e| e.to_string())
}
