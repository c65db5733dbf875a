//! The frontend: a CloudFront distribution in front of the project's S3 bucket, and clearing
//! its cache after a redeploy.
//!
//! The area's server functions (each at `/api/<name>`, arguments form-encoded in a POST, the
//! answer in JSON) and [`ssr::FrontendApi`], the part of the server's interface they call.

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
    pub trait FrontendApi: Send + Sync {
        async fn start_frontend(&self, who: &Caller, project_id: &str) -> Result<StartOutcome, AppError>;
        async fn latest_frontend_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
        async fn frontend_facts(&self, who: &Caller, project_id: &str) -> Result<FrontendFacts, AppError>;
        /// Clears CloudFront's cache (`/*`) after a redeploy.
        async fn invalidate_frontend(&self, who: &Caller, project_id: &str) -> Result<StartOutcome, AppError>;
        async fn latest_invalidation(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
    }
}

#[server(endpoint = "start_frontend")]
pub async fn start_frontend(project_id: String) -> Result<StartOutcome, AppError> {
    let (api, who) = ctx()?;
    let summary = String::new();
    audited(&api, &who, "start_frontend", Scope::project(&project_id), summary, api.start_frontend(&who, &project_id))
        .await
}

#[server(endpoint = "latest_frontend_run")]
pub async fn latest_frontend_run(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ctx()?;
    answer(api.latest_frontend_run(&who, &project_id).await)
}

#[server(endpoint = "frontend_facts")]
pub async fn get_frontend_facts(project_id: String) -> Result<FrontendFacts, AppError> {
    let (api, who) = ctx()?;
    observed(&api, &who, "frontend_facts", Scope::project(&project_id), api.frontend_facts(&who, &project_id)).await
}

#[server(endpoint = "invalidate_frontend")]
pub async fn invalidate_frontend(project_id: String) -> Result<StartOutcome, AppError> {
    let (api, who) = ctx()?;
    let summary = String::new();
    audited(
        &api,
        &who,
        "invalidate_frontend",
        Scope::project(&project_id),
        summary,
        api.invalidate_frontend(&who, &project_id),
    )
    .await
}

#[server(endpoint = "latest_invalidation")]
pub async fn latest_invalidation(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ctx()?;
    answer(api.latest_invalidation(&who, &project_id).await)
}
