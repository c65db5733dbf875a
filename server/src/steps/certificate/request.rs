//! Sub-step 1: request the certificate (or reuse an issued one), exactly once.

use super::{messages, CertChoice, CertDeps, CertInput};
use crate::faults;
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::{CertStatus, CertificateAuthority, CertificateInfo, PortError};
use crate::steps::effects::aws_id;
use crate::steps::port_error;
use async_trait::async_trait;
use lockstep_domain::ledger::{Created, ResourceKind};
use lockstep_domain::{Arn, DomainName, Region, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The side effect's key: its token is ACM's idempotency token; its result is the output.
const EFFECT: &str = "acm.request";

/// ACM honours an idempotency token for one hour; stay safely inside it.
const TOKEN_TRUST_MS: i64 = 55 * 60 * 1000;

pub struct Request(pub Arc<CertDeps>);

/// The certificate the run uses: requested by this step (then in `created`) or reused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestOutput {
    pub arn: Arn,
    pub region: Region,
    /// An issued certificate that already covered the names (nothing was created).
    #[serde(default)]
    pub reused: bool,
    #[serde(default)]
    pub created: Vec<Created>,
}

#[async_trait]
impl Step for Request {
    const KIND: StepKind = StepKind::CertificateRequest;
    type Input = CertInput;
    type Output = RequestOutput;

    async fn run(&self, ctx: &StepCtx, inp: CertInput) -> Result<StepOutcome<RequestOutput>, StepError> {
        if let Some(done) = ctx.recorded::<RequestOutput>(EFFECT).await? {
            return Ok(StepOutcome::Done { output: done, note: None });
        }
        let (token, token_at) = ctx.effect_token(EFFECT).await?;
        // An ISSUED certificate in the region that already covers every name (exact or
        // wildcard) is used as it is: no second certificate, no validation to wait for.
        if let CertChoice::Reuse { arn } = &inp.choice {
            let info = self
                .0
                .ca
                .describe(&inp.region, arn.as_str())
                .await
                .map_err(|e| port_error(&messages::task_read_chosen(), e))?;
            if info.status != CertStatus::Issued || !covers_all(&info.names, &inp.names) {
                return Err(StepError::Fatal(messages::chosen_unusable(arn, &info, &inp.names)));
            }
            let output = reused(arn.clone(), &inp);
            ctx.record(EFFECT, &output).await?;
            return Ok(StepOutcome::Done { output, note: Some(messages::reusing_chosen(arn, &inp.region)) });
        }
        if ctx.attempts() <= 1 && inp.choice == CertChoice::Auto {
            if let Some(arn) = issued_covering(&self.0, &inp).await? {
                let output = reused(arn.clone(), &inp);
                ctx.record(EFFECT, &output).await?;
                let note = messages::reusing_issued(&arn, &inp.region, &inp.names);
                return Ok(StepOutcome::Done { output, note: Some(note) });
            }
        }
        faults::point("cert.request.before_call").await;

        // A token older than ACM's memory could create a second certificate: find the one the
        // earlier attempt made instead (same names, requested after the token was stored).
        let arn =
            if ctx.now_ms() - token_at > TOKEN_TRUST_MS { find_existing(&self.0, &inp, token_at).await? } else { None };
        let arn = match arn {
            Some(arn) => arn,
            None => {
                ctx.note(&messages::asking(&inp.region, &inp.names)).await?;
                let token = &token[..32.min(token.len())];
                let task = messages::task_request();
                let arn = self.0.ca.request(&inp.region, &inp.names, token).await.map_err(|e| port_error(&task, e))?;
                aws_id(Arn::parse, &arn, &task)?
            }
        };
        faults::point("cert.request.after_call").await;
        let output = RequestOutput {
            created: vec![Created::new(ResourceKind::AcmCertificate, arn.as_str(), &inp.region)],
            arn,
            region: inp.region.clone(),
            reused: false,
        };
        ctx.record(EFFECT, &output).await?;
        let note = messages::requested(&output.arn);
        Ok(StepOutcome::Done { output, note: Some(note) })
    }
}

fn reused(arn: Arn, inp: &CertInput) -> RequestOutput {
    RequestOutput { arn, region: inp.region.clone(), reused: true, created: Vec::new() }
}

/// An ISSUED certificate in the run's region whose names cover every name of the run.
async fn issued_covering(deps: &CertDeps, inp: &CertInput) -> Result<Option<Arn>, StepError> {
    let task = messages::task_list();
    let found = reusable(deps.ca.as_ref(), &inp.region, &inp.names).await.map_err(|e| port_error(&task, e))?;
    found.into_iter().next().map(|c| aws_id(Arn::parse, &c.arn, &task)).transpose()
}

/// Whether certificate names (exact or wildcard) cover every wanted name.
pub fn covers_all(have: &[String], want: &[DomainName]) -> bool {
    let have: Vec<DomainName> = have.iter().filter_map(|n| DomainName::parse(n).ok()).collect();
    want.iter().all(|w| have.iter().any(|h| h.covers(w)))
}

/// Every ISSUED certificate in `region` that covers all of `names`, soonest-expiring last.
pub async fn reusable(
    ca: &dyn CertificateAuthority,
    region: &Region,
    names: &[DomainName],
) -> Result<Vec<CertificateInfo>, PortError> {
    let mut out = Vec::new();
    for c in ca.list(region).await?.into_iter().filter(|c| matches!(c.status, CertStatus::Issued)) {
        let info = ca.describe(region, &c.arn).await?;
        if info.status == CertStatus::Issued && covers_all(&info.names, names) {
            out.push(info);
        }
    }
    out.sort_by_key(|i| std::cmp::Reverse(i.not_after_ms.unwrap_or(i64::MAX)));
    Ok(out)
}

/// The certificate an earlier attempt requested: the same names, requested since `since_ms`.
async fn find_existing(deps: &CertDeps, inp: &CertInput, since_ms: i64) -> Result<Option<Arn>, StepError> {
    let task = messages::task_list();
    let list = deps.ca.list(&inp.region).await.map_err(|e| port_error(&task, e))?;
    let Some(first) = inp.names.first() else { return Ok(None) };
    for c in list {
        if c.domain != first.as_str() || !matches!(c.status, CertStatus::PendingValidation | CertStatus::Issued) {
            continue;
        }
        let describe = messages::task_describe_one();
        let info = deps.ca.describe(&inp.region, &c.arn).await.map_err(|e| port_error(&describe, e))?;
        let mut names = info.names.clone();
        names.sort();
        let mut want: Vec<String> = inp.names.iter().map(|n| n.to_string()).collect();
        want.sort();
        if names == want && info.created_at_ms.is_none_or(|t| t + 60_000 >= since_ms) {
            return Ok(Some(aws_id(Arn::parse, &c.arn, &describe)?));
        }
    }
    Ok(None)
}
