//! The ledger (what lockstep created for the project, and what it costs a day) and the
//! teardown that deletes it.
//!
//! The area's server functions (each at `/api/<name>`, arguments form-encoded in a POST, the
//! answer in JSON) and [`ssr::TeardownApi`], the part of the server's interface they call.

#[cfg(feature = "ssr")]
use crate::api::ssr::{answer, audited, ctx, observed, Scope};
use crate::model::*;
use leptos::prelude::*;
use lockstep_domain::RunView;

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::ssr::Caller;
    use crate::model::*;
    use lockstep_domain::RunView;

    #[async_trait::async_trait]
    pub trait TeardownApi: Send + Sync {
        async fn ledger(&self, who: &Caller, project_id: &str) -> Result<LedgerView, AppError>;
        /// Deletes everything in the project's ledger (the hosted zone only with `delete_zone`),
        /// then lists AWS to prove it is gone. `confirm` is the "I understand" box.
        async fn start_teardown(
            &self,
            who: &Caller,
            project_id: &str,
            confirm: bool,
            delete_zone: bool,
        ) -> Result<StartOutcome, AppError>;
        async fn latest_teardown_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
    }
}

#[server(endpoint = "ledger")]
pub async fn get_ledger(project_id: String) -> Result<LedgerView, AppError> {
    let (api, who) = ctx()?;
    observed(&api, &who, "ledger", Scope::project(&project_id), api.ledger(&who, &project_id)).await
}

/// `confirm` and `delete_zone` are checkboxes: present (`on`) when ticked.
#[server(endpoint = "start_teardown")]
pub async fn start_teardown(
    project_id: String,
    confirm: Option<String>,
    delete_zone: Option<String>,
) -> Result<StartOutcome, AppError> {
    let (api, who) = ctx()?;
    let summary = format!("confirmed {}, delete zone {}", confirm.is_some(), delete_zone.is_some());
    let call = api.start_teardown(&who, &project_id, confirm.is_some(), delete_zone.is_some());
    audited(&api, &who, "start_teardown", Scope::project(&project_id), summary, call).await
}

#[server(endpoint = "latest_teardown_run")]
pub async fn latest_teardown_run(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ctx()?;
    answer(api.latest_teardown_run(&who, &project_id).await)
}
