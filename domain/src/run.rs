//! Wizard runs and their steps, as the timeline shows them.
//!
//! A run is an ordered list of durable steps. These types are the read model the browser
//! receives (over the page's server functions and the live SSE stream); the job engine on the
//! server owns the write side.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Every kind of durable step lockstep knows. The string form is stored in the database, so
/// never rename one without a migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StepKind {
    /// Ask ACM for a DNS-validated certificate (idempotency token persisted first).
    CertRequest,
    /// Wait until ACM publishes the validation CNAME (it may be missing for seconds).
    CertAwaitRecords,
    /// UPSERT the validation CNAME into the project's hosted zone.
    CertUpsertValidation,
    /// Wait until Route 53 reports the change INSYNC on its name servers.
    CertAwaitDns,
    /// Wait until ACM says ISSUED.
    CertAwaitIssued,
    /// A step that does nothing but count: used by the job-engine benchmark and tests.
    Noop,
}

impl StepKind {
    pub fn key(self) -> &'static str {
        match self {
            StepKind::CertRequest => "cert.request",
            StepKind::CertAwaitRecords => "cert.await_records",
            StepKind::CertUpsertValidation => "cert.upsert_validation",
            StepKind::CertAwaitDns => "cert.await_dns",
            StepKind::CertAwaitIssued => "cert.await_issued",
            StepKind::Noop => "noop",
        }
    }

    pub fn from_key(s: &str) -> Option<StepKind> {
        [
            StepKind::CertRequest,
            StepKind::CertAwaitRecords,
            StepKind::CertUpsertValidation,
            StepKind::CertAwaitDns,
            StepKind::CertAwaitIssued,
            StepKind::Noop,
        ]
        .into_iter()
        .find(|k| k.key() == s)
    }

    /// The line in the timeline.
    pub fn title(self) -> &'static str {
        match self {
            StepKind::CertRequest => "Request the certificate from ACM",
            StepKind::CertAwaitRecords => "Wait for ACM's validation record",
            StepKind::CertUpsertValidation => "Add the validation record to your hosted zone",
            StepKind::CertAwaitDns => "Wait for Route 53 to publish the record",
            StepKind::CertAwaitIssued => "Wait for ACM to issue the certificate",
            StepKind::Noop => "No-op",
        }
    }

    /// How long this step usually takes on real AWS, shown beside the elapsed time so a
    /// waiting student knows whether to worry.
    pub fn typical_wait_secs(self) -> u32 {
        match self {
            StepKind::CertRequest => 2,
            StepKind::CertAwaitRecords => 10,
            StepKind::CertUpsertValidation => 2,
            StepKind::CertAwaitDns => 60,
            // Seed 003: "DNS validation takes 3 to 10 minutes".
            StepKind::CertAwaitIssued => 300,
            StepKind::Noop => 0,
        }
    }
}

impl fmt::Display for StepKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// Not started: an earlier step is not done yet.
    Pending,
    /// A worker is running it now.
    Running,
    /// Waiting on AWS (polling again at `next_check_at`) or retrying after a temporary error.
    Waiting,
    /// Done.
    Succeeded,
    /// Stopped with an error the user must act on.
    Failed,
}

impl StepStatus {
    pub fn key(self) -> &'static str {
        match self {
            StepStatus::Pending => "pending",
            StepStatus::Running => "running",
            StepStatus::Waiting => "waiting",
            StepStatus::Succeeded => "succeeded",
            StepStatus::Failed => "failed",
        }
    }
    pub fn from_key(s: &str) -> Option<StepStatus> {
        [StepStatus::Pending, StepStatus::Running, StepStatus::Waiting, StepStatus::Succeeded, StepStatus::Failed]
            .into_iter()
            .find(|k| k.key() == s)
    }
    pub fn is_done(self) -> bool {
        matches!(self, StepStatus::Succeeded | StepStatus::Failed)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    Active,
    Succeeded,
    Failed,
}

impl RunStatus {
    pub fn key(self) -> &'static str {
        match self {
            RunStatus::Active => "active",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Failed => "failed",
        }
    }
    pub fn from_key(s: &str) -> Option<RunStatus> {
        [RunStatus::Active, RunStatus::Succeeded, RunStatus::Failed].into_iter().find(|k| k.key() == s)
    }
}

/// An error a person reads: what happened, why, and what to do next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserError {
    pub what: String,
    pub why: String,
    pub fix: String,
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.what, self.why, self.fix)
    }
}

/// One line of the timeline. Times are Unix milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepView {
    pub id: String,
    pub seq: i64,
    pub kind: StepKind,
    pub title: String,
    pub status: StepStatus,
    /// What the step is doing right now, e.g. "ACM says PENDING_VALIDATION".
    pub note: Option<String>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub next_check_at: Option<i64>,
    pub typical_wait_secs: u32,
    pub attempts: i64,
    pub error: Option<UserError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunView {
    pub id: String,
    pub project_id: String,
    pub kind: String,
    pub status: RunStatus,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub steps: Vec<StepView>,
}

impl RunView {
    /// The step the run is on: the first one not yet succeeded.
    pub fn current(&self) -> Option<&StepView> {
        self.steps.iter().find(|s| s.status != StepStatus::Succeeded)
    }
}
