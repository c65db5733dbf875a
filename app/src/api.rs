//! Server functions: thin wrappers that call the [`ssr::Api`] trait the server provides.
//!
//! The bodies run only on the server (`ssr` feature); in the browser they become HTTP calls.
//! Each has a fixed endpoint (`/api/<name>`), so scripts and tests can call them too:
//! arguments form-encoded in a POST, the answer in JSON.

// A form-posted server function takes one argument per form field (the contact form has nine).
#![allow(clippy::too_many_arguments)]

use crate::model::*;
use leptos::prelude::*;
use lockstep_domain::plan::NamePlan;
use lockstep_domain::RunView;

#[cfg(feature = "ssr")]
pub mod ssr {
    //! The application interface the server implements. Everything the UI can do goes through
    //! this one trait, so the pages neither know nor care which database or AWS mode runs.
    use crate::model::*;
    use lockstep_domain::contact::ContactInput;
    use lockstep_domain::plan::{NamePlan, PlanInput};
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
        async fn domain_choices(&self, project_id: &str) -> Result<DomainChoices, AppError>;
        async fn choose_zone(&self, project_id: &str, zone_id: &str) -> Result<NamePlan, AppError>;
        async fn use_other_registrar(&self, project_id: &str, domain: &str) -> Result<DomainOutcome, AppError>;
        async fn search_domain(&self, domain: &str) -> Result<SearchOutcome, AppError>;
        async fn buy_domain(
            &self,
            project_id: &str,
            domain: &str,
            confirm_cents: i64,
            contact: ContactInput,
        ) -> Result<BuyOutcome, AppError>;
        async fn use_magic(&self, project_id: &str, provider: &str) -> Result<NamePlan, AppError>;
        async fn save_plan(&self, project_id: &str, input: PlanInput) -> Result<PlanOutcome, AppError>;
        async fn latest_domain_run(&self, project_id: &str) -> Result<Option<RunView>, AppError>;
        async fn recheck(&self, run_id: &str) -> Result<(), AppError>;
        async fn sandbox_registrar_updated(&self, project_id: &str) -> Result<(), AppError>;
        async fn start_certificate(&self, project_id: &str) -> Result<RunView, AppError>;
        async fn latest_run(&self, project_id: &str) -> Result<Option<RunView>, AppError>;
        /// Start the HTTPS doctor on the project's names (a one-step run; its report is the detail).
        async fn start_doctor(&self, project_id: &str) -> Result<RunView, AppError>;
        async fn latest_doctor_run(&self, project_id: &str) -> Result<Option<RunView>, AppError>;
        async fn free_path_facts(&self, project_id: &str) -> Result<FreePathFacts, AppError>;
        async fn start_free_path(
            &self,
            project_id: &str,
            form: lockstep_domain::freepath::FreePathForm,
        ) -> Result<FreePathOutcome, AppError>;
        async fn latest_free_path_run(&self, project_id: &str) -> Result<Option<RunView>, AppError>;
        async fn start_frontend(&self, project_id: &str) -> Result<StartOutcome, AppError>;
        async fn latest_frontend_run(&self, project_id: &str) -> Result<Option<RunView>, AppError>;
        async fn frontend_facts(&self, project_id: &str) -> Result<FrontendFacts, AppError>;
        /// Clears CloudFront's cache (`/*`) after a redeploy.
        async fn invalidate_frontend(&self, project_id: &str) -> Result<StartOutcome, AppError>;
        async fn latest_invalidation(&self, project_id: &str) -> Result<Option<RunView>, AppError>;
        async fn ledger(&self, project_id: &str) -> Result<LedgerView, AppError>;
        async fn paid_plan(&self, project_id: &str) -> Result<PaidPlanView, AppError>;
        /// Starts the paid backend (the API's certificate in the instance's region, then the
        /// ALB) once `confirm_cents` repeats the monthly price the plan showed.
        /// `certificate`: absent = reuse an issued one that covers the name if any, `new` =
        /// request one, an ARN from the plan's `reusable` = reuse that one.
        async fn start_backend(
            &self,
            project_id: &str,
            confirm_cents: Option<i64>,
            certificate: Option<String>,
        ) -> Result<StartOutcome, AppError>;
        async fn latest_backend_run(&self, project_id: &str) -> Result<Option<RunView>, AppError>;
        /// Deletes everything in the project's ledger (the hosted zone only with `delete_zone`),
        /// then lists AWS to prove it is gone. `confirm` is the "I understand" box.
        async fn start_teardown(
            &self,
            project_id: &str,
            confirm: bool,
            delete_zone: bool,
        ) -> Result<StartOutcome, AppError>;
        async fn latest_teardown_run(&self, project_id: &str) -> Result<Option<RunView>, AppError>;
        /// Runs a failed run's failed step again (after the user fixed what it named).
        async fn retry_run(&self, run_id: &str) -> Result<(), AppError>;
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

#[server(endpoint = "domain_choices")]
pub async fn get_domain_choices(project_id: String) -> Result<DomainChoices, AppError> {
    ssr::api()?.domain_choices(&project_id).await
}

#[server(endpoint = "choose_zone")]
pub async fn choose_zone(project_id: String, zone_id: String) -> Result<NamePlan, AppError> {
    ssr::api()?.choose_zone(&project_id, &zone_id).await
}

#[server(endpoint = "use_other_registrar")]
pub async fn use_other_registrar(project_id: String, domain: String) -> Result<DomainOutcome, AppError> {
    ssr::api()?.use_other_registrar(&project_id, &domain).await
}

#[server(endpoint = "search_domain")]
pub async fn search_domain(domain: String) -> Result<SearchOutcome, AppError> {
    ssr::api()?.search_domain(&domain).await
}

#[server(endpoint = "buy_domain")]
pub async fn buy_domain(
    project_id: String,
    domain: String,
    // An unticked checkbox sends no field at all.
    confirm_cents: Option<String>,
    first_name: String,
    last_name: String,
    email: String,
    phone: String,
    address_line1: String,
    city: String,
    state: String,
    country_code: String,
    zip_code: String,
) -> Result<BuyOutcome, AppError> {
    let contact = lockstep_domain::contact::ContactInput {
        first_name,
        last_name,
        email,
        phone,
        address_line1,
        city,
        state,
        country_code,
        zip_code,
    };
    // An unticked confirmation box sends nothing: that is "not confirmed", not an error.
    let confirm = confirm_cents.and_then(|c| c.trim().parse().ok()).unwrap_or(-1);
    ssr::api()?.buy_domain(&project_id, &domain, confirm, contact).await
}

#[server(endpoint = "use_magic")]
pub async fn use_magic(project_id: String, provider: String) -> Result<NamePlan, AppError> {
    ssr::api()?.use_magic(&project_id, &provider).await
}

#[server(endpoint = "save_plan")]
pub async fn save_plan(project_id: String, frontend: String, api: String) -> Result<PlanOutcome, AppError> {
    ssr::api()?.save_plan(&project_id, lockstep_domain::plan::PlanInput { frontend, api }).await
}

#[server(endpoint = "latest_domain_run")]
pub async fn latest_domain_run(project_id: String) -> Result<Option<RunView>, AppError> {
    ssr::api()?.latest_domain_run(&project_id).await
}

#[server(endpoint = "recheck")]
pub async fn recheck(run_id: String) -> Result<(), AppError> {
    ssr::api()?.recheck(&run_id).await
}

#[server(endpoint = "sandbox_registrar_updated")]
pub async fn sandbox_registrar_updated(project_id: String) -> Result<(), AppError> {
    ssr::api()?.sandbox_registrar_updated(&project_id).await
}

#[server(endpoint = "start_certificate")]
pub async fn start_certificate(project_id: String) -> Result<RunView, AppError> {
    ssr::api()?.start_certificate(&project_id).await
}

#[server(endpoint = "latest_run")]
pub async fn latest_run(project_id: String) -> Result<Option<RunView>, AppError> {
    ssr::api()?.latest_run(&project_id).await
}

#[server(endpoint = "start_doctor")]
pub async fn start_doctor(project_id: String) -> Result<RunView, AppError> {
    ssr::api()?.start_doctor(&project_id).await
}

#[server(endpoint = "latest_doctor_run")]
pub async fn latest_doctor_run(project_id: String) -> Result<Option<RunView>, AppError> {
    ssr::api()?.latest_doctor_run(&project_id).await
}

#[server(endpoint = "free_path_facts")]
pub async fn get_free_path_facts(project_id: String) -> Result<FreePathFacts, AppError> {
    ssr::api()?.free_path_facts(&project_id).await
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
    ssr::api()?.start_free_path(&project_id, form).await
}

#[server(endpoint = "latest_free_path_run")]
pub async fn latest_free_path_run(project_id: String) -> Result<Option<RunView>, AppError> {
    ssr::api()?.latest_free_path_run(&project_id).await
}

#[server(endpoint = "retry_run")]
pub async fn retry_run(run_id: String) -> Result<(), AppError> {
    ssr::api()?.retry_run(&run_id).await
}

#[server(endpoint = "start_frontend")]
pub async fn start_frontend(project_id: String) -> Result<StartOutcome, AppError> {
    ssr::api()?.start_frontend(&project_id).await
}

#[server(endpoint = "latest_frontend_run")]
pub async fn latest_frontend_run(project_id: String) -> Result<Option<RunView>, AppError> {
    ssr::api()?.latest_frontend_run(&project_id).await
}

#[server(endpoint = "frontend_facts")]
pub async fn get_frontend_facts(project_id: String) -> Result<FrontendFacts, AppError> {
    ssr::api()?.frontend_facts(&project_id).await
}

#[server(endpoint = "invalidate_frontend")]
pub async fn invalidate_frontend(project_id: String) -> Result<StartOutcome, AppError> {
    ssr::api()?.invalidate_frontend(&project_id).await
}

#[server(endpoint = "latest_invalidation")]
pub async fn latest_invalidation(project_id: String) -> Result<Option<RunView>, AppError> {
    ssr::api()?.latest_invalidation(&project_id).await
}

#[server(endpoint = "ledger")]
pub async fn get_ledger(project_id: String) -> Result<LedgerView, AppError> {
    ssr::api()?.ledger(&project_id).await
}

#[server(endpoint = "paid_plan")]
pub async fn get_paid_plan(project_id: String) -> Result<PaidPlanView, AppError> {
    ssr::api()?.paid_plan(&project_id).await
}

/// `confirm_cents` is the confirmation checkbox: absent when not ticked.
/// `certificate` is the reuse choice: `new`, an ARN the plan offered, or absent.
#[server(endpoint = "start_backend")]
pub async fn start_backend(
    project_id: String,
    confirm_cents: Option<i64>,
    certificate: Option<String>,
) -> Result<StartOutcome, AppError> {
    ssr::api()?.start_backend(&project_id, confirm_cents, certificate).await
}

/// `confirm` and `delete_zone` are checkboxes: present (`on`) when ticked.
#[server(endpoint = "start_teardown")]
pub async fn start_teardown(
    project_id: String,
    confirm: Option<String>,
    delete_zone: Option<String>,
) -> Result<StartOutcome, AppError> {
    ssr::api()?.start_teardown(&project_id, confirm.is_some(), delete_zone.is_some()).await
}

#[server(endpoint = "latest_teardown_run")]
pub async fn latest_teardown_run(project_id: String) -> Result<Option<RunView>, AppError> {
    ssr::api()?.latest_teardown_run(&project_id).await
}

#[server(endpoint = "latest_backend_run")]
pub async fn latest_backend_run(project_id: String) -> Result<Option<RunView>, AppError> {
    ssr::api()?.latest_backend_run(&project_id).await
}
