//! Step 2, the certificate: one ACM certificate in us-east-1 for every name of the plan.
//!
//! The area's server functions (each at `/api/<name>`, arguments form-encoded in a POST, the
//! answer in JSON) and [`ssr::CertificateApi`], the part of the server's interface they call.

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
    pub trait CertificateApi: Send + Sync {
        async fn start_certificate(&self, who: &Caller, project_id: &str) -> Result<RunView, AppError>;
        async fn latest_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
    }
}

#[server(endpoint = "start_certificate")]
pub async fn start_certificate(project_id: String) -> Result<RunView, AppError> {
    let (api, who) = ctx()?;
    let summary = String::new();
    audited(
        &api,
        &who,
        "start_certificate",
        Scope::project(&project_id),
        summary,
        api.start_certificate(&who, &project_id),
    )
    .await
}

#[server(endpoint = "latest_run")]
pub async fn latest_run(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ctx()?;
    answer(api.latest_run(&who, &project_id).await)
}
