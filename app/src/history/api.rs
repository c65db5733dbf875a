//! The deployment history: who did what, when, and every AWS call that came of it.
//!
//! The area's server functions (each at `/api/<name>`, arguments form-encoded in a POST, the
//! answer in JSON) and [`ssr::HistoryApi`], the part of the server's interface they call.

#[cfg(feature = "ssr")]
use crate::api::ssr::{answer, ctx};
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::ssr::ActionRecord;
    use crate::api::ssr::Caller;
    use crate::model::*;
    use lockstep_domain::AwsCall;
    use std::future::Future;
    use std::pin::Pin;

    /// A piece of work handed to the server to run (see [`HistoryApi::collect_calls`]).
    pub type Work<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

    #[async_trait::async_trait]
    pub trait HistoryApi: Send + Sync {
        /// Runs `work` as one action of its own and answers with the AWS calls it made: the
        /// server keeps the call log and whose AWS access the calls are for (the action starts
        /// for nobody until it names its team).
        fn collect_calls<'a>(&'a self, work: Work<'a>) -> Pin<Box<dyn Future<Output = Vec<AwsCall>> + Send + 'a>>;
        /// Writes an action (and the AWS calls it made) to the history of its project or team,
        /// when the caller belongs there. Never fails the action: a write error is logged.
        async fn record_action(&self, who: &Caller, record: ActionRecord);
        /// A project's history, filtered.
        async fn history(&self, who: &Caller, project_id: &str, filter: HistoryFilter)
            -> Result<HistoryView, AppError>;
    }
}

/// `person`: a user id; `step`: a step key (e.g. `cert.request`); `failures`: a checkbox.
#[server(endpoint = "history")]
pub async fn get_history(
    project_id: String,
    person: Option<String>,
    step: Option<String>,
    failures: Option<String>,
) -> Result<HistoryView, AppError> {
    let (api, who) = ctx()?;
    let filter = HistoryFilter {
        person: person.filter(|p| !p.is_empty()),
        step: step.filter(|s| !s.is_empty()),
        failures_only: failures.is_some_and(|f| !f.is_empty()),
    };
    answer(api.history(&who, &project_id, filter).await)
}
