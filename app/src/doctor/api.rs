//! The HTTPS doctor on the project's names (a one-step run; its report is the step's detail).
//!
//! The area's server functions (each at `/api/<name>`, arguments form-encoded in a POST, the
//! answer in JSON) and [`ssr::DoctorApi`], the part of the server's interface they call.

#[cfg(feature = "ssr")]
use crate::api::ssr::{answer, audited, ctx, Scope};
use crate::model::*;
use leptos::prelude::*;
use lockstep_domain::RunView;

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::ssr::Caller;
    use crate::model::*;
    use lockstep_domain::RunView;

    #[async_trait::async_trait]
    pub trait DoctorApi: Send + Sync {
        /// Start the HTTPS doctor on the project's names (a one-step run; its report is the detail).
        async fn start_doctor(&self, who: &Caller, project_id: &str) -> Result<RunView, AppError>;
        async fn latest_doctor_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
    }
}

#[server(endpoint = "start_doctor")]
pub async fn start_doctor(project_id: String) -> Result<RunView, AppError> {
    let (api, who) = ctx()?;
    let summary = String::new();
    audited(&api, &who, "start_doctor", Scope::project(&project_id), summary, api.start_doctor(&who, &project_id)).await
}

#[server(endpoint = "latest_doctor_run")]
pub async fn latest_doctor_run(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ctx()?;
    answer(api.latest_doctor_run(&who, &project_id).await)
}
