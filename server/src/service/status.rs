//! The public status page's settings and checks: the interface's part, implemented in
//! [`crate::status_page`] (with the page itself and its scheduler).

use super::Lockstep;
use app::api::ssr::{Caller, StatusApi};
use app::model::*;
use async_trait::async_trait;

#[async_trait]
impl StatusApi for Lockstep {
    async fn status_settings(&self, who: &Caller, project_id: &str) -> Result<StatusSettings, AppError> {
        self.st_settings(who, project_id).await
    }

    async fn save_status_settings(
        &self,
        who: &Caller,
        project_id: &str,
        form: StatusForm,
    ) -> Result<ActionOutcome, AppError> {
        self.st_save(who, project_id, form).await
    }

    async fn check_status_now(&self, who: &Caller, project_id: &str) -> Result<StartOutcome, AppError> {
        self.st_check_now(who, project_id).await
    }
}
