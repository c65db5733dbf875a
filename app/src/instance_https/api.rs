//! HTTPS on the instance itself (the free path): Nginx and Certbot set up over SSM or by hand.
//!
//! The area's server functions (each at `/api/<name>`, arguments form-encoded in a POST, the
//! answer in JSON) and [`ssr::InstanceHttpsApi`], the part of the server's interface they call.

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
    pub trait InstanceHttpsApi: Send + Sync {
        async fn free_path_facts(&self, who: &Caller, project_id: &str) -> Result<FreePathFacts, AppError>;
        async fn start_free_path(
            &self,
            who: &Caller,
            project_id: &str,
            form: lockstep_domain::freepath::FreePathForm,
        ) -> Result<FreePathOutcome, AppError>;
        async fn latest_free_path_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
    }
}

#[server(endpoint = "free_path_facts")]
pub async fn get_free_path_facts(project_id: String) -> Result<FreePathFacts, AppError> {
    let (api, who) = ctx()?;
    observed(&api, &who, "free_path_facts", Scope::project(&project_id), api.free_path_facts(&who, &project_id)).await
}

/// `staging` is a checkbox: present ("on") when ticked, absent otherwise.
#[server(endpoint = "start_free_path")]
pub async fn start_free_path(
    project_id: String,
    os: String,
    email: String,
    staging: Option<String>,
) -> Result<FreePathOutcome, AppError> {
    let form = lockstep_domain::freepath::FreePathForm { os, email, staging: staging.is_some_and(|s| !s.is_empty()) };
    let (api, who) = ctx()?;
    let summary = format!("os {}, staging {}", form.os, form.staging);
    let call = api.start_free_path(&who, &project_id, form);
    audited(&api, &who, "start_free_path", Scope::project(&project_id), summary, call).await
}

#[server(endpoint = "latest_free_path_run")]
pub async fn latest_free_path_run(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ctx()?;
    answer(api.latest_free_path_run(&who, &project_id).await)
}
