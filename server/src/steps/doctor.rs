//! The doctor step: the HTTPS doctor on the project's names, its report stored as the step's
//! detail (so the run history and, later, the status page can show it).
//!
//! Failing checks do not fail the step: the step's job is to look and report. Whether the
//! deployment is ready is the report's verdict, shown in the timeline.

use crate::jobs::{StepCtx, StepError, StepHandler, StepOutcome};
use crate::ports::HttpsProbe;
use async_trait::async_trait;
use lockstep_doctor::{parse_url, Target};
use lockstep_domain::StepDetail;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;

pub const RUN_KIND: &str = "doctor";

/// What a doctor run checks, fixed when the run starts (from the project and its name plan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DoctorInput {
    pub url: String,
    pub origin: Option<String>,
    pub health_path: Option<String>,
    pub expect: Vec<String>,
    /// CAs that CAA must allow: amazon.com for ACM, letsencrypt.org for certbot.
    pub issuers: Vec<String>,
    pub app_port: Option<u16>,
    pub credentials: bool,
    pub http_port: u16,
    pub https_port: u16,
}

impl DoctorInput {
    pub fn target(&self) -> Result<Target, String> {
        let mut t = Target::new(parse_url(&self.url)?);
        t.origin = self.origin.as_deref().map(parse_url).transpose()?;
        t.health_path = self.health_path.clone();
        t.expect = self.expect.clone();
        t.issuers = self.issuers.clone();
        t.app_port = self.app_port;
        t.credentials = self.credentials;
        t.http_port = self.http_port;
        t.https_port = self.https_port;
        Ok(t)
    }
}

pub struct Check(pub Arc<dyn HttpsProbe>);

#[async_trait]
impl StepHandler for Check {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let input: DoctorInput = serde_json::from_value(ctx.input().clone())
            .map_err(|e| StepError::Store(format!("doctor run input: {e}")))?;
        let target = input.target().map_err(|e| StepError::Store(format!("doctor target: {e}")))?;
        let report = self.0.check(&target).await;
        let summary = report.summary();
        let output = json!({ "worst": report.worst(), "exit_code": report.exit_code(), "summary": summary });
        ctx.detail(&StepDetail::Doctor { report }).await?;
        Ok(StepOutcome::Done { output, note: Some(summary) })
    }
}
