//! Projects: the list, a new project, a project's page and its deletion (refused while one of
//! its runs is active), and which AWS the server talks to (the banner on every page).
//!
//! The area's server functions (each at `/api/<name>`, arguments form-encoded in a POST, the
//! answer in JSON) and [`ssr::ProjectsApi`], the part of the server's interface they call.

// A form-posted server function takes one argument per form field (the new-project form has eight).
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use crate::api::ssr::{answer, audited, ctx, Scope};
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::ssr::Caller;
    use crate::model::*;
    use lockstep_domain::ProjectInput;

    #[async_trait::async_trait]
    pub trait ProjectsApi: Send + Sync {
        fn environment(&self) -> EnvInfo;
        async fn list_projects(&self, who: &Caller) -> Result<Vec<ProjectSummary>, AppError>;
        async fn create_project(
            &self,
            who: &Caller,
            team_id: &str,
            input: ProjectInput,
        ) -> Result<CreateOutcome, AppError>;
        async fn get_project(&self, who: &Caller, id: &str) -> Result<ProjectView, AppError>;
        async fn delete_project(&self, who: &Caller, id: &str) -> Result<(), AppError>;
    }
}

#[server(endpoint = "environment")]
pub async fn environment() -> Result<EnvInfo, AppError> {
    Ok(crate::api::ssr::api()?.environment())
}

#[server(endpoint = "list_projects")]
pub async fn list_projects() -> Result<Vec<ProjectSummary>, AppError> {
    let (api, who) = ctx()?;
    answer(api.list_projects(&who).await)
}

#[server(endpoint = "create_project")]
pub async fn create_project(
    team_id: String,
    name: String,
    region: String,
    instance: String,
    app_port: String,
    health_path: String,
    bucket: String,
    framework: String,
) -> Result<CreateOutcome, AppError> {
    let input = lockstep_domain::ProjectInput { name, region, instance, app_port, health_path, bucket, framework };
    let (api, who) = ctx()?;
    let summary = format!("name {}, region {}, instance {}", input.name, input.region, input.instance);
    let answer = api.create_project(&who, &team_id, input).await;
    // The new project's history starts with its creation.
    let scope = match &answer {
        Ok(CreateOutcome::Created(id)) => Scope { project: Some(id), team: Some(&team_id), run: None },
        _ => Scope::team(&team_id),
    };
    let answer_for_log = answer.clone();
    audited(&api, &who, "create_project", scope, summary, async move { answer_for_log }).await
}

#[server(endpoint = "get_project")]
pub async fn get_project(id: String) -> Result<ProjectView, AppError> {
    let (api, who) = ctx()?;
    answer(api.get_project(&who, &id).await)
}

#[server(endpoint = "delete_project")]
pub async fn delete_project(id: String) -> Result<(), AppError> {
    let (api, who) = ctx()?;
    audited(&api, &who, "delete_project", Scope::project(&id), String::new(), api.delete_project(&who, &id)).await
}
