//! Wizard runs and their steps, as the timeline shows them.
//!
//! A run is an ordered list of durable steps. These types are the read model the browser
//! receives (over the page's server functions and the live SSE stream); the job engine on the
//! server owns the write side.

mod step_kind;

use serde::{Deserialize, Serialize};
use std::fmt;
pub use step_kind::StepKind;
#[cfg(test)]
use step_kind::ALL_KINDS;

/// Every kind of run: one per wizard action. The key is stored in the `runs` table (never
/// rename one without a migration).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RunKind {
    /// Find or create the hosted zone, or register a domain, and save the name plan.
    #[serde(rename = "domain")]
    Domain,
    /// The ACM certificate (DNS-validated).
    #[serde(rename = "certificate")]
    Certificate,
    /// The paid backend: the certificate's steps, then the load balancer's.
    #[serde(rename = "backend")]
    Backend,
    /// The free backend: nginx and Let's Encrypt on the instance.
    #[serde(rename = "nginx")]
    InstanceHttps,
    /// CloudFront in front of the bucket.
    #[serde(rename = "frontend")]
    Frontend,
    /// Clear CloudFront's cache after a redeploy.
    #[serde(rename = "frontend.invalidate")]
    FrontendInvalidate,
    /// Delete what lockstep created.
    #[serde(rename = "teardown")]
    Teardown,
    /// The HTTPS doctor, run by hand.
    #[serde(rename = "doctor")]
    Doctor,
    /// The status page's scheduled re-check.
    #[serde(rename = "status")]
    Status,
    /// Engine tests and benchmarks.
    #[serde(rename = "test")]
    Test,
}

impl RunKind {
    pub const ALL: [RunKind; 10] = [
        RunKind::Domain,
        RunKind::Certificate,
        RunKind::Backend,
        RunKind::InstanceHttps,
        RunKind::Frontend,
        RunKind::FrontendInvalidate,
        RunKind::Teardown,
        RunKind::Doctor,
        RunKind::Status,
        RunKind::Test,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RunKind::Domain => "domain",
            RunKind::Certificate => "certificate",
            RunKind::Backend => "backend",
            RunKind::InstanceHttps => "nginx",
            RunKind::Frontend => "frontend",
            RunKind::FrontendInvalidate => "frontend.invalidate",
            RunKind::Teardown => "teardown",
            RunKind::Doctor => "doctor",
            RunKind::Status => "status",
            RunKind::Test => "test",
        }
    }

    pub fn from_key(key: &str) -> Option<RunKind> {
        RunKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

impl fmt::Display for RunKind {
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

/// An error a person reads: what happened, why, and what to do next; in English, and in
/// Korean where `ko` has it (the page shows the reader's language, English otherwise).
///
/// Decision: the server writes both languages when it makes the error, rather than keys the
/// browser looks up: these texts carry AWS's own codes, names and numbers, the stored run
/// keeps them as they were said, and the history and logs keep the English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserError {
    pub what: String,
    pub why: String,
    pub fix: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ko: Option<Box<Said>>,
}

/// An explanation's three parts in one more language.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Said {
    pub what: String,
    pub why: String,
    pub fix: String,
}

/// The Korean of an explanation: `ko: ko(what, why, fix)` in a [`UserError`].
pub fn ko(what: impl Into<String>, why: impl Into<String>, fix: impl Into<String>) -> Option<Box<Said>> {
    Some(Box::new(Said { what: what.into(), why: why.into(), fix: fix.into() }))
}

impl UserError {
    /// The same error with its Korean (for errors made by a helper from English parts).
    pub fn korean(mut self, what: impl Into<String>, why: impl Into<String>, fix: impl Into<String>) -> Self {
        self.ko = ko(what, why, fix);
        self
    }
    /// What, why and fix in Korean when `korean` and written, else in English.
    pub fn said(&self, korean: bool) -> (&str, &str, &str) {
        match (&self.ko, korean) {
            (Some(k), true) => (&k.what, &k.why, &k.fix),
            _ => (&self.what, &self.why, &self.fix),
        }
    }
}

impl fmt::Display for UserError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.what, self.why, self.fix)
    }
}

/// Structured progress a step shows beside its note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StepDetail {
    /// Name servers the zone needs versus what the registrar / public DNS has now.
    Delegation { domain: String, expected: Vec<String>, found: Vec<String>, source: String },
    /// A Route 53 Domains registration in progress.
    Registration { domain: String, operation_id: String, status: String, email: String },
    /// What the HTTPS doctor found.
    Doctor { report: crate::doctor::Report },
    /// A script running on the instance (SSM Run Command): its state and the end of its output.
    Command { command_id: String, status: String, stdout: String, stderr: String, exit_code: Option<i32> },
    /// What a teardown step deleted and what it kept (with why).
    Teardown { deleted: Vec<TornItem>, kept: Vec<TornItem> },
}

/// One resource in a teardown step's detail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TornItem {
    pub kind: crate::ledger::ResourceKind,
    pub id: String,
    pub region: String,
    /// Why it was kept (none for a deleted one).
    pub why: Option<String>,
    /// The same in Korean (runs stored before it was added have none).
    #[serde(default)]
    pub why_ko: Option<String>,
}

impl TornItem {
    /// Why it was kept, in Korean when `korean` and written.
    pub fn why_in(&self, korean: bool) -> Option<&str> {
        crate::text::korean_or_english(korean, self.why.as_deref(), self.why_ko.as_deref())
    }
}

impl StepDetail {
    /// Per expected name server: is it in place?
    pub fn delegation_status(&self) -> Vec<(String, bool)> {
        match self {
            StepDetail::Delegation { expected, found, .. } => {
                let found: Vec<String> = found.iter().map(|f| f.trim_end_matches('.').to_ascii_lowercase()).collect();
                expected
                    .iter()
                    .map(|e| (e.clone(), found.contains(&e.trim_end_matches('.').to_ascii_lowercase())))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// Name servers present that should not be.
    pub fn unexpected(&self) -> Vec<String> {
        match self {
            StepDetail::Delegation { expected, found, .. } => {
                let expected: Vec<String> =
                    expected.iter().map(|e| e.trim_end_matches('.').to_ascii_lowercase()).collect();
                found
                    .iter()
                    .filter(|f| !expected.contains(&f.trim_end_matches('.').to_ascii_lowercase()))
                    .cloned()
                    .collect()
            }
            _ => Vec::new(),
        }
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
    /// What the step is doing right now, e.g. "ACM says PENDING_VALIDATION", in English and
    /// Korean (the timeline shows the reader's language).
    pub note: Option<crate::text::Message>,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    pub next_check_at: Option<i64>,
    pub typical_wait_secs: u32,
    pub attempts: i64,
    pub error: Option<UserError>,
    pub detail: Option<StepDetail>,
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

    /// Whether the run stopped because a person cancelled it (its step carries
    /// [`cancelled_error`]).
    pub fn was_cancelled(&self) -> bool {
        let cancelled = cancelled_error();
        self.status == RunStatus::Failed && self.steps.iter().any(|s| s.error.as_ref() == Some(&cancelled))
    }
}

/// What the step a person cancelled says (it is stored with the step): who stopped it, that
/// nothing more happens, that what was made is kept, and that Retry continues from there.
/// The timeline recognises it ([`RunView::was_cancelled`]) to offer Retry where the page has
/// no Retry of its own.
pub fn cancelled_error() -> UserError {
    UserError {
        ko: ko(
            "팀의 한 사람이 이 실행을 취소했습니다. 실행은 이 단계에서 멈췄고, 더 이상 아무 일도 일어나지 않습니다.",
            "단계가 진행 중일 때 \"취소\"가 눌렸습니다. 이 실행이 AWS에 이미 만든 것은 그대로 남아 \"lockstep이 내 계정에 만든 것\" 목록에 계속 표시됩니다(리소스 정리로 지울 수 있습니다). 다시 시도하면 이 단계가 시작해 둔 것을 다시 찾아 쓰며, 두 번 만들지 않습니다.",
            "실행을 이어 가려면 \"다시 시도\"를 누르세요. 이 단계부터 계속합니다.",
        ),
        what: "A person on the team cancelled this run: it stopped at this step, and nothing more will happen in it.".into(),
        why: "Cancel was pressed while the step was in progress. Whatever the run had already created in AWS is kept and stays listed under \"What lockstep created in your account\" (the teardown removes it); a Retry finds again what this step had begun rather than making it twice.".into(),
        fix: "Press Retry to continue from this step when you want the run to go on.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_reads_in_korean_where_written_and_old_stored_errors_still_load() {
        // A run stored before errors had Korean loads, and reads in English.
        let old: UserError = serde_json::from_str(r#"{"what":"w","why":"y","fix":"f"}"#).unwrap();
        assert_eq!(old.ko, None);
        assert_eq!(old.said(true), ("w", "y", "f"), "no Korean: English");
        let e = old.korean("무엇", "왜", "어떻게");
        assert_eq!(e.said(true), ("무엇", "왜", "어떻게"));
        assert_eq!(e.said(false), ("w", "y", "f"));
        let again: UserError = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
        assert_eq!(again, e);
    }

    #[test]
    fn every_kind_round_trips_through_its_stored_key() {
        let mut keys = std::collections::HashSet::new();
        for k in ALL_KINDS {
            assert_eq!(StepKind::from_key(k.key()), Some(k), "{k:?}");
            assert!(keys.insert(k.key()), "duplicate key {}", k.key());
            assert!(!k.title().is_empty());
        }
        assert_eq!(StepKind::from_key("cdn.await_deployed"), Some(StepKind::FrontendAwaitDeployed));
        assert!(StepKind::FrontendAwaitDeployed.typical_wait_secs() >= 300, "CloudFront deploys take minutes");
        assert_eq!(StepKind::from_key("alb.target_group"), Some(StepKind::LoadBalancerTargetGroup));
        assert!(StepKind::LoadBalancerCreate.typical_wait_secs() >= 120, "ALBs provision for minutes");
    }
}
