//! Projects: the list, a new project, a project's page and its deletion (refused while one of
//! its runs is active), and which AWS the server talks to (the banner on every page).
//!
//! The area's server functions (each at `/api/<name>`, arguments form-encoded in a POST, the
//! answer in JSON) and [`ssr::ProjectsApi`], the part of the server's interface they call.

// A form-posted server function takes one argument per form field (the new-project form has eight).
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use crate::api::ssr::{answer, audited, ctx, observed, Scope};
use crate::model::*;
use leptos::prelude::*;
use lockstep_domain::UserError;
use serde::{Deserialize, Serialize};

/// A running instance the new-project form offers (issue 22: pick, don't type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstanceChoice {
    pub id: String,
    /// Its `Name` tag (also the suggested project name).
    pub name: Option<String>,
    pub public_ip: Option<String>,
    /// Whether SSM can reach it (agent online); `None` when SSM could not be asked.
    pub ssm: Option<bool>,
    pub security_groups: Vec<String>,
}

/// A bucket the new-project form offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BucketChoice {
    pub name: String,
    /// Whether static website hosting is on; `None` when it could not be read.
    pub website: Option<bool>,
}

/// Everything the new-project form offers to pick, each list with why it is missing when AWS
/// would not give it (the form then asks to type instead).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PickLists {
    pub instances: Vec<InstanceChoice>,
    pub instances_error: Option<UserError>,
    pub buckets: Vec<BucketChoice>,
    pub buckets_error: Option<UserError>,
}

/// What a form may pick for `team_id` in `region` (reads only; in the history when it called AWS).
#[server(endpoint = "project_choices")]
pub async fn project_choices(team_id: String, region: String) -> Result<PickLists, AppError> {
    let (api, who) = ctx()?;
    let fut = api.project_choices(&who, &team_id, &region);
    observed(&api, &who, "project_choices", Scope::team(&team_id), fut).await
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::PickLists;
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
        /// What the new-project form offers to pick in `region` for `team_id`: running
        /// instances, buckets. A list AWS would not give comes back as its error, in words.
        async fn project_choices(&self, who: &Caller, team_id: &str, region: &str) -> Result<PickLists, AppError>;
    }

    /// The project page's stepper (issue 22): where the student is, and the path choice.
    #[async_trait::async_trait]
    pub trait WizardApi: Send + Sync {
        /// The stepper as it is now (re-read by the page when a step's run ends).
        async fn wizard(&self, who: &Caller, project_id: &str) -> Result<lockstep_domain::wizard::Wizard, AppError>;
        /// Takes `path` (`free` / `paid`). Leaving a path that made resources needs
        /// `teardown_other`: they are then torn down by a teardown run, and the path changes.
        async fn choose_path(
            &self,
            who: &Caller,
            project_id: &str,
            path: &str,
            teardown_other: bool,
        ) -> Result<PathOutcome, AppError>;
    }
}

/// The stepper of a project as it is now.
#[server(endpoint = "wizard")]
pub async fn wizard(project_id: String) -> Result<lockstep_domain::wizard::Wizard, AppError> {
    let (api, who) = ctx()?;
    answer(api.wizard(&who, &project_id).await)
}

/// Takes the free or the paid path (`teardown_other` = "on" confirms deleting what the other
/// path made).
#[server(endpoint = "choose_path")]
pub async fn choose_path(
    project_id: String,
    path: String,
    teardown_other: Option<String>,
) -> Result<PathOutcome, AppError> {
    let (api, who) = ctx()?;
    let confirm = teardown_other.is_some_and(|v| !v.is_empty());
    let summary = format!("path {path}{}", if confirm { ", tear down the other path" } else { "" });
    let fut = api.choose_path(&who, &project_id, &path, confirm);
    audited(&api, &who, "choose_path", Scope::project(&project_id), summary, fut).await
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
