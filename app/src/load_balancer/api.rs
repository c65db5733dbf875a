//! The paid backend: an Application Load Balancer with an ACM certificate in the instance's
//! region, after the price is confirmed.
//!
//! The area's server functions (each at `/api/<name>`, arguments form-encoded in a POST, the
//! answer in JSON) and [`ssr::LoadBalancerApi`], the part of the server's interface they call.

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
    pub trait LoadBalancerApi: Send + Sync {
        async fn paid_plan(&self, who: &Caller, project_id: &str) -> Result<PaidPlanView, AppError>;
        /// Starts the paid backend (the API's certificate in the instance's region, then the
        /// ALB) once `confirm_cents` repeats the monthly price the plan showed.
        /// `certificate`: absent = reuse an issued one that covers the name if any, `new` =
        /// request one, an ARN from the plan's `reusable` = reuse that one.
        async fn start_backend(
            &self,
            who: &Caller,
            project_id: &str,
            confirm_cents: Option<i64>,
            certificate: Option<String>,
        ) -> Result<StartOutcome, AppError>;
        async fn latest_backend_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
    }
}

#[server(endpoint = "paid_plan")]
pub async fn get_paid_plan(project_id: String) -> Result<PaidPlanView, AppError> {
    let (api, who) = ctx()?;
    observed(&api, &who, "paid_plan", Scope::project(&project_id), api.paid_plan(&who, &project_id)).await
}

/// `confirm_cents` is the confirmation checkbox: absent when not ticked.
/// `certificate` is the reuse choice: `new`, an ARN the plan offered, or absent.
#[server(endpoint = "start_backend")]
pub async fn start_backend(
    project_id: String,
    confirm_cents: Option<i64>,
    certificate: Option<String>,
) -> Result<StartOutcome, AppError> {
    let (api, who) = ctx()?;
    let summary =
        format!("confirmed {confirm_cents:?} cents a month, certificate {}", certificate.as_deref().unwrap_or("auto"));
    let call = api.start_backend(&who, &project_id, confirm_cents, certificate);
    audited(&api, &who, "start_backend", Scope::project(&project_id), summary, call).await
}

#[server(endpoint = "latest_backend_run")]
pub async fn latest_backend_run(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ctx()?;
    answer(api.latest_backend_run(&who, &project_id).await)
}
