//! The piece of work running on a task (an action of a server function, a step, the server's
//! own start-up) and what it shares with the AWS adapters below it: the AWS calls it made (for
//! the deployment history) and whose AWS access it acts with, kept on the task
//! (`tokio::task_local!`).
//!
//! The adapters under `crate::aws` log their calls here and read the access from here; the UI
//! crate reaches it only through the server's `HistoryApi::collect_calls`, so nothing under
//! `aws/` depends on `app`.

use std::sync::Arc;

pub use lockstep_domain::AwsCall;

/// The AWS calls made while an action or a step runs.
#[derive(Clone, Default)]
struct CallLog(Arc<std::sync::Mutex<Vec<AwsCall>>>);

impl CallLog {
    fn push(&self, call: AwsCall) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(call);
    }
    fn take(&self) -> Vec<AwsCall> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Whose AWS access the AWS calls of an action or a step are for. The server decides what
/// each means ([`crate::aws::team_role::Authority`]): in the sandbox anyone may use the
/// emulator's credentials; on real AWS a team acts only through its own role, unless the
/// operator allowed the server's credentials for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum AwsAccess {
    /// No team named yet: an action before its authorization check (and, outside any
    /// action or step, work nobody asked for).
    #[default]
    Unnamed,
    /// For a team: its own role, if an owner saved one.
    Team { team_id: String, role: Option<lockstep_domain::account::AwsRole> },
    /// A step whose project or team no longer exists.
    Orphan,
    /// The server's own credentials, chosen by the server for its own work (start-up).
    Server,
}

/// A team's role, acting for that team (tests and the role check before saving it).
impl From<(&str, lockstep_domain::account::AwsRole)> for AwsAccess {
    fn from((team_id, role): (&str, lockstep_domain::account::AwsRole)) -> Self {
        AwsAccess::Team { team_id: team_id.to_string(), role: Some(role) }
    }
}

/// What an action or a step running on a task shares with the AWS adapters below it.
#[derive(Clone, Default)]
struct Work {
    calls: CallLog,
    access: Arc<std::sync::Mutex<AwsAccess>>,
}

tokio::task_local! {
    static WORK: Work;
}

/// Records an AWS call for the action or step running on this task (none: not recorded).
pub fn log_aws_call(call: AwsCall) {
    let _ = WORK.try_with(|w| w.calls.push(call));
}

/// Runs `fut`, collecting the AWS calls it makes on its task; they are for nobody
/// ([`AwsAccess::Unnamed`]): an action passes its team's access to [`acting_as`] around the
/// calls it makes for that team.
pub async fn collect_calls<F: std::future::Future>(fut: F) -> (F::Output, Vec<AwsCall>) {
    collect_calls_as(AwsAccess::Unnamed, fut).await
}

/// [`collect_calls`], acting with `access` from the start (a step of a team's project).
pub async fn collect_calls_as<F: std::future::Future>(
    access: impl Into<AwsAccess>,
    fut: F,
) -> (F::Output, Vec<AwsCall>) {
    let work = Work { calls: CallLog::default(), access: Arc::new(std::sync::Mutex::new(access.into())) };
    let out = WORK.scope(work.clone(), fut).await;
    (out, work.calls.take())
}

/// Whose AWS access this task's calls are for; `None` outside any action or step.
pub fn aws_access() -> Option<AwsAccess> {
    WORK.try_with(|w| w.access.lock().unwrap_or_else(|p| p.into_inner()).clone()).ok()
}

/// Runs `fut` acting with `access` (a team's, named by the authorization check that let the
/// action through): its AWS calls use that access and go to this task's call log, if any (else
/// to a log of their own). The access is passed, never left behind: once `fut` ends, the
/// task's work is for whomever it was for before.
pub async fn acting_as<F: std::future::Future>(access: AwsAccess, fut: F) -> F::Output {
    let calls = WORK.try_with(|w| w.calls.clone()).unwrap_or_default();
    let work = Work { calls, access: Arc::new(std::sync::Mutex::new(access)) };
    WORK.scope(work, fut).await
}
