//! Step 5: the HTTPS doctor from outside: the name resolves to the instance, TLS is valid for
//! the name with a complete chain, port 80 redirects to HTTPS, the proxy reaches the app.

use super::{messages, NginxDeps, RunInput};
use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use async_trait::async_trait;
use lockstep_domain::doctor::{Finding, Report, Verdict};
use lockstep_domain::{StepDetail, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub struct Verify(pub Arc<NginxDeps>);

/// What the outside check proved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyOutput {
    pub url: String,
    /// The doctor's summary (English).
    pub summary: String,
}

/// What the free path must prove from outside before it is done.
pub const REQUIRED: [&str; 5] = ["dns.address", "tls.handshake", "tls.certificate", "http.redirect", "http.health"];

/// The first finding among `checks` that did not pass (fail before warn).
pub(super) fn first_problem<'a>(report: &'a Report, checks: &[&str]) -> Option<&'a Finding> {
    let mut bad: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| checks.contains(&f.check.as_str()) && matches!(f.verdict, Verdict::Fail | Verdict::Warn))
        .collect();
    bad.sort_by_key(|f| std::cmp::Reverse(f.verdict));
    bad.into_iter().next()
}

#[async_trait]
impl Step for Verify {
    const KIND: StepKind = StepKind::InstanceHttpsVerify;
    type Input = RunInput;
    type Output = VerifyOutput;

    async fn run(&self, ctx: &StepCtx, input: RunInput) -> Result<StepOutcome<VerifyOutput>, StepError> {
        let inp = input.get()?;
        let expect = self.0.instance_addresses(inp.public_ip).iter().map(|a| a.to_string()).collect();
        let report = self.0.probe.check(&inp.target(expect)?).await;
        let missing: Vec<&str> = REQUIRED
            .into_iter()
            .filter(|c| {
                !report.findings.iter().any(|f| f.check == *c && matches!(f.verdict, Verdict::Pass | Verdict::Warn))
            })
            .collect();
        let problem = first_problem(&report, &REQUIRED).filter(|f| f.verdict == Verdict::Fail).cloned();
        let summary = report.summary();
        let said = report.summary_said();
        ctx.detail(&StepDetail::Doctor { report }).await?;
        if let Some(f) = problem {
            return Err(StepError::Fatal(messages::check_failed(&f)));
        }
        if !missing.is_empty() {
            return Err(StepError::Fatal(messages::checks_not_judged(&missing)));
        }
        Ok(StepOutcome::Done {
            output: VerifyOutput { url: format!("https://{}", inp.api), summary },
            note: Some(messages::https_works(&inp.api, &said)),
        })
    }
}
