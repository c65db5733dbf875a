//! The public status page of a project: its settings and a check run now.
//!
//! The area's server functions (each at `/api/<name>`, arguments form-encoded in a POST, the
//! answer in JSON) and [`ssr::StatusApi`], the part of the server's interface they call.

#[cfg(feature = "ssr")]
use crate::api::ssr::{answer, audited, ctx, Scope};
use crate::model::*;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::api::ssr::Caller;
    use crate::model::*;

    #[async_trait::async_trait]
    pub trait StatusApi: Send + Sync {
        async fn status_settings(&self, who: &Caller, project_id: &str) -> Result<StatusSettings, AppError>;
        async fn save_status_settings(
            &self,
            who: &Caller,
            project_id: &str,
            form: StatusForm,
        ) -> Result<ActionOutcome, AppError>;
        /// Runs the status check now (the doctor, then the page's record and any alerts).
        async fn check_status_now(&self, who: &Caller, project_id: &str) -> Result<StartOutcome, AppError>;
    }
}

#[server(endpoint = "status_settings")]
pub async fn get_status_settings(project_id: String) -> Result<StatusSettings, AppError> {
    let (api, who) = ctx()?;
    answer(api.status_settings(&who, &project_id).await)
}

/// `public` and `clear_webhook` are checkboxes (present when ticked); an empty `webhook`
/// keeps the saved one.
#[server(endpoint = "save_status_settings")]
pub async fn save_status_settings(
    project_id: String,
    public: Option<String>,
    slug: String,
    interval_minutes: String,
    webhook: Option<String>,
    clear_webhook: Option<String>,
) -> Result<ActionOutcome, AppError> {
    let (api, who) = ctx()?;
    let form = StatusForm {
        public: public.is_some(),
        slug,
        interval_minutes,
        webhook: webhook.filter(|w| !w.trim().is_empty()),
        clear_webhook: clear_webhook.is_some(),
    };
    // The webhook is a secret: the history says whether one was set, never which.
    let summary = format!(
        "public {}, slug {}, every {} min, webhook {}",
        form.public,
        form.slug,
        form.interval_minutes,
        if form.webhook.is_some() {
            "set"
        } else if form.clear_webhook {
            "removed"
        } else {
            "unchanged"
        }
    );
    let call = api.save_status_settings(&who, &project_id, form);
    audited(&api, &who, "save_status_settings", Scope::project(&project_id), summary, call).await
}

#[server(endpoint = "check_status_now")]
pub async fn check_status_now(project_id: String) -> Result<StartOutcome, AppError> {
    let (api, who) = ctx()?;
    let call = api.check_status_now(&who, &project_id);
    audited(&api, &who, "check_status_now", Scope::project(&project_id), String::new(), call).await
}
