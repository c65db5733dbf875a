//! The doctor step: the HTTPS doctor on the project's names, its report stored as the step's
//! detail (so the run history and, later, the status page can show it).
//!
//! Failing checks do not fail the step: the step's job is to look and report. Whether the
//! deployment is ready is the report's verdict, shown in the timeline.

use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::{HttpsProbe, InsideQuery, InsideView};
use async_trait::async_trait;
use lockstep_doctor::{parse_url, Target};
use lockstep_domain::doctor::{Area, Finding, Report, Verdict};
use lockstep_domain::{RunKind, StepDetail, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub const RUN_KIND: RunKind = RunKind::Doctor;

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
    /// Where to look inside the account (target health, security groups, S3); none = outside only.
    #[serde(default)]
    pub aws: Option<InsideQuery>,
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

pub struct Check {
    pub probe: Arc<dyn HttpsProbe>,
    pub inside: Arc<dyn InsideView>,
}

/// The doctor's report and its verdict (a status run's next step reads the report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoctorOutput {
    pub worst: Verdict,
    pub exit_code: u8,
    pub summary: String,
    pub report: Report,
}

#[async_trait]
impl Step for Check {
    const KIND: StepKind = StepKind::DoctorCheck;
    type Input = DoctorInput;
    type Output = DoctorOutput;

    async fn run(&self, ctx: &StepCtx, input: DoctorInput) -> Result<StepOutcome<DoctorOutput>, StepError> {
        // The run's input was checked when the run started: a target that does not parse now
        // is a stored value of another shape.
        let mut target = input.target().map_err(|e| StepError::invariant(format!("doctor target: {e}")))?;
        // Inside facts are a bonus: without access the outside checks still run, and say so.
        let mut access_note = None;
        if let Some(q) = &input.aws {
            match self.inside.gather(q).await {
                Ok(facts) => target.inside = Some(facts),
                Err(e) => access_note = Some(e.to_string()),
            }
        }
        let mut report = self.probe.check(&target).await;
        if let Some(e) = access_note {
            report.findings.push(aws_unreadable(e));
        }
        let note = report.summary_said();
        let output =
            DoctorOutput { worst: report.worst(), exit_code: report.exit_code(), summary: report.summary(), report };
        ctx.detail(&StepDetail::Doctor { report: output.report.clone() }).await?;
        Ok(StepOutcome::Done { output, note: Some(note) })
    }
}

/// The finding that says the inside checks were skipped: lockstep could not read the account.
fn aws_unreadable(evidence: String) -> Finding {
    Finding::new("aws.access", "unreadable", Area::Aws, "AWS account", Verdict::Skip)
        .title("Target health, security groups and S3 were not checked: lockstep could not read them")
        .evidence(evidence)
        .fix("Give lockstep read access (elasticloadbalancing:Describe*, ec2:DescribeInstances, ec2:DescribeSecurityGroups, s3:GetObject on the bucket) and check again.")
        .ko(
            "대상 상태, 보안 그룹, S3는 확인하지 않았습니다. lockstep이 읽을 수 없었습니다",
            "",
            "lockstep에 읽기 권한(elasticloadbalancing:Describe*, ec2:DescribeInstances, ec2:DescribeSecurityGroups, 버킷에 대한 s3:GetObject)을 준 뒤 다시 확인하세요.",
        )
}
