//! Step 1, the domain: a hosted zone of the team's, a name bought from Route 53, one at another
//! registrar, or a free nip.io / sslip.io name; the names planned under it.
//!
//! The area's server functions (each at `/api/<name>`, arguments form-encoded in a POST, the
//! answer in JSON) and [`ssr::DomainApi`], the part of the server's interface they call.

// A form-posted server function takes one argument per form field (the contact form has nine).
#![allow(clippy::too_many_arguments)]

#[cfg(feature = "ssr")]
use crate::api::ssr::{answer, audited, ctx, observed, Scope};
use crate::model::*;
use leptos::prelude::*;
use lockstep_domain::plan::NamePlan;
use lockstep_domain::RunView;

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::ssr::Caller;
    use crate::model::*;
    use lockstep_domain::contact::ContactInput;
    use lockstep_domain::plan::{NamePlan, PlanInput};
    use lockstep_domain::RunView;

    #[async_trait::async_trait]
    pub trait DomainApi: Send + Sync {
        async fn list_zones(&self, who: &Caller, project_id: &str) -> Result<Vec<ZoneChoice>, AppError>;
        async fn domain_choices(&self, who: &Caller, project_id: &str) -> Result<DomainChoices, AppError>;
        async fn choose_zone(&self, who: &Caller, project_id: &str, zone_id: &str) -> Result<NamePlan, AppError>;
        async fn use_other_registrar(
            &self,
            who: &Caller,
            project_id: &str,
            domain: &str,
        ) -> Result<DomainOutcome, AppError>;
        async fn search_domain(&self, who: &Caller, project_id: &str, domain: &str) -> Result<SearchOutcome, AppError>;
        async fn buy_domain(
            &self,
            who: &Caller,
            project_id: &str,
            domain: &str,
            confirm_cents: i64,
            contact: ContactInput,
        ) -> Result<BuyOutcome, AppError>;
        async fn use_magic(&self, who: &Caller, project_id: &str, provider: &str) -> Result<NamePlan, AppError>;
        async fn save_plan(&self, who: &Caller, project_id: &str, input: PlanInput) -> Result<PlanOutcome, AppError>;
        async fn latest_domain_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError>;
        async fn sandbox_registrar_updated(&self, who: &Caller, project_id: &str) -> Result<(), AppError>;
    }
}

#[server(endpoint = "list_zones")]
pub async fn list_zones(project_id: String) -> Result<Vec<ZoneChoice>, AppError> {
    let (api, who) = ctx()?;
    observed(&api, &who, "list_zones", Scope::project(&project_id), api.list_zones(&who, &project_id)).await
}

#[server(endpoint = "domain_choices")]
pub async fn get_domain_choices(project_id: String) -> Result<DomainChoices, AppError> {
    let (api, who) = ctx()?;
    observed(&api, &who, "domain_choices", Scope::project(&project_id), api.domain_choices(&who, &project_id)).await
}

#[server(endpoint = "choose_zone")]
pub async fn choose_zone(project_id: String, zone_id: String) -> Result<NamePlan, AppError> {
    let (api, who) = ctx()?;
    let summary = format!("zone {zone_id}");
    audited(
        &api,
        &who,
        "choose_zone",
        Scope::project(&project_id),
        summary,
        api.choose_zone(&who, &project_id, &zone_id),
    )
    .await
}

#[server(endpoint = "use_other_registrar")]
pub async fn use_other_registrar(project_id: String, domain: String) -> Result<DomainOutcome, AppError> {
    let (api, who) = ctx()?;
    let summary = format!("domain {domain}");
    audited(
        &api,
        &who,
        "use_other_registrar",
        Scope::project(&project_id),
        summary,
        api.use_other_registrar(&who, &project_id, &domain),
    )
    .await
}

#[server(endpoint = "search_domain")]
pub async fn search_domain(project_id: String, domain: String) -> Result<SearchOutcome, AppError> {
    let (api, who) = ctx()?;
    observed(&api, &who, "search_domain", Scope::project(&project_id), api.search_domain(&who, &project_id, &domain))
        .await
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
    let (api, who) = ctx()?;
    // The registrant's contact details are personal: the history names the domain only.
    let summary = format!("domain {domain}, confirmed price {confirm} cents (contact details not recorded)");
    let call = api.buy_domain(&who, &project_id, &domain, confirm, contact);
    audited(&api, &who, "buy_domain", Scope::project(&project_id), summary, call).await
}

#[server(endpoint = "use_magic")]
pub async fn use_magic(project_id: String, provider: String) -> Result<NamePlan, AppError> {
    let (api, who) = ctx()?;
    let summary = format!("provider {provider}");
    audited(&api, &who, "use_magic", Scope::project(&project_id), summary, api.use_magic(&who, &project_id, &provider))
        .await
}

#[server(endpoint = "save_plan")]
pub async fn save_plan(project_id: String, frontend: String, api: String) -> Result<PlanOutcome, AppError> {
    let (server, who) = ctx()?;
    let summary = format!("frontend {frontend}, api {api}");
    let call = server.save_plan(&who, &project_id, lockstep_domain::plan::PlanInput { frontend, api });
    audited(&server, &who, "save_plan", Scope::project(&project_id), summary, call).await
}

#[server(endpoint = "latest_domain_run")]
pub async fn latest_domain_run(project_id: String) -> Result<Option<RunView>, AppError> {
    let (api, who) = ctx()?;
    answer(api.latest_domain_run(&who, &project_id).await)
}

#[server(endpoint = "sandbox_registrar_updated")]
pub async fn sandbox_registrar_updated(project_id: String) -> Result<(), AppError> {
    let (api, who) = ctx()?;
    let summary = String::new();
    audited(
        &api,
        &who,
        "sandbox_registrar_updated",
        Scope::project(&project_id),
        summary,
        api.sandbox_registrar_updated(&who, &project_id),
    )
    .await
}
