//! Server functions: thin wrappers that call the [`ssr::Api`] trait the server provides.
//!
//! The bodies run only on the server (`ssr` feature); in the browser they become HTTP calls.
//! Each has a fixed endpoint (`/api/<name>`), so scripts and tests can call them too:
//! arguments form-encoded in a POST, the answer in JSON.

use crate::model::*;
use leptos::prelude::*;
use lockstep_domain::RunView;

#[cfg(feature = "ssr")]
pub mod ssr {
    //! The application interface the server implements. Everything the UI can do goes through
    //! this one trait, so the pages neither know nor care which database or AWS mode runs.
    use crate::model::*;
    use lockstep_domain::{ProjectInput, RunView};
    use std::sync::Arc;

    #[async_trait::async_trait]
    pub trait Api: Send + Sync + 'static {
        fn environment(&self) -> EnvInfo;
        async fn list_projects(&self) -> Result<Vec<ProjectSummary>, AppError>;
        async fn create_project(&self, input: ProjectInput) -> Result<CreateOutcome, AppError>;
        async fn get_project(&self, id: &str) -> Result<ProjectView, AppError>;
        async fn delete_project(&self, id: &str) -> Result<(), AppError>;
        async fn list_zones(&self) -> Result<Vec<ZoneChoice>, AppError>;
        async fn choose_zone(&self, project_id: &str, zone_id: &str) -> Result<NamePlanView, AppError>;
        async fn start_certificate(&self, project_id: &str) -> Result<RunView, AppError>;
        async fn latest_run(&self, project_id: &str) -> Result<Option<RunView>, AppError>;
    }

    #[derive(Clone)]
    pub struct ApiHandle(pub Arc<dyn Api>);

    pub fn api() -> Result<Arc<dyn Api>, AppError> {
        leptos::prelude::use_context::<ApiHandle>()
            .map(|h| h.0)
            .ok_or_else(|| AppError::Internal("no Api in context".into()))
    }
}

#[server(endpoint = "environment")]
pub async fn environment() -> Result<EnvInfo, AppError> {
    Ok(ssr::api()?.environment())
}

#[server(endpoint = "list_projects")]
pub async fn list_projects() -> Result<Vec<ProjectSummary>, AppError> {
    ssr::api()?.list_projects().await
}

#[server(endpoint = "create_project")]
pub async fn create_project(
    name: String,
    region: String,
    instance: String,
    app_port: String,
    health_path: String,
    bucket: String,
    framework: String,
) -> Result<CreateOutcome, AppError> {
    let input = lockstep_domain::ProjectInput { name, region, instance, app_port, health_path, bucket, framework };
    ssr::api()?.create_project(input).await
}

#[server(endpoint = "get_project")]
pub async fn get_project(id: String) -> Result<ProjectView, AppError> {
    ssr::api()?.get_project(&id).await
}

#[server(endpoint = "delete_project")]
pub async fn delete_project(id: String) -> Result<(), AppError> {
    ssr::api()?.delete_project(&id).await
}

#[server(endpoint = "list_zones")]
pub async fn list_zones() -> Result<Vec<ZoneChoice>, AppError> {
    ssr::api()?.list_zones().await
}

#[server(endpoint = "choose_zone")]
pub async fn choose_zone(project_id: String, zone_id: String) -> Result<NamePlanView, AppError> {
    ssr::api()?.choose_zone(&project_id, &zone_id).await
}

#[server(endpoint = "start_certificate")]
pub async fn start_certificate(project_id: String) -> Result<RunView, AppError> {
    ssr::api()?.start_certificate(&project_id).await
}

#[server(endpoint = "latest_run")]
pub async fn latest_run(project_id: String) -> Result<Option<RunView>, AppError> {
    ssr::api()?.latest_run(&project_id).await
}
