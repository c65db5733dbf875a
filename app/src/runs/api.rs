//! What applies to a run of any area: check a waiting step again, retry a failed one, cancel
//! an active one.
//!
//! The area's server functions (each at `/api/<name>`, arguments form-encoded in a POST, the
//! answer in JSON) and [`ssr::RunsApi`], the part of the server's interface they call.

#[cfg(feature = "ssr")]
use crate::api::ssr::{audited, ctx, Scope};
use crate::model::*;
use leptos::prelude::*;
use lockstep_domain::RunView;

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::ssr::Caller;
    use crate::model::*;
    use lockstep_domain::RunView;

    #[async_trait::async_trait]
    pub trait RunsApi: Send + Sync {
        /// Makes the run's waiting steps due now ("check again").
        async fn recheck(&self, who: &Caller, run_id: &str) -> Result<(), AppError>;
        /// Runs a failed run's failed step again (after the user fixed what it named).
        async fn retry_run(&self, who: &Caller, run_id: &str) -> Result<(), AppError>;
        /// Stops an active run: its current step fails with words saying a person cancelled
        /// it, and a worker still running that step can write nothing more. Retry continues
        /// from that step. Needs what starting or retrying the run needs. Answers the run as
        /// it is now.
        async fn cancel_run(&self, who: &Caller, run_id: &str) -> Result<RunView, AppError>;
    }
}

#[server(endpoint = "recheck")]
pub async fn recheck(run_id: String) -> Result<(), AppError> {
    let (api, who) = ctx()?;
    audited(&api, &who, "recheck", Scope::run(&run_id), String::new(), api.recheck(&who, &run_id)).await
}

#[server(endpoint = "retry_run")]
pub async fn retry_run(run_id: String) -> Result<(), AppError> {
    let (api, who) = ctx()?;
    audited(&api, &who, "retry_run", Scope::run(&run_id), String::new(), api.retry_run(&who, &run_id)).await
}

#[server(endpoint = "cancel_run")]
pub async fn cancel_run(run_id: String) -> Result<RunView, AppError> {
    let (api, who) = ctx()?;
    audited(&api, &who, "cancel_run", Scope::run(&run_id), String::new(), api.cancel_run(&who, &run_id)).await
}
