//! The deployment history: the interface's part, implemented in [`crate::history`].

use super::Lockstep;
use app::api::ssr::{Caller, HistoryApi};
use app::model::*;
use async_trait::async_trait;

#[async_trait]
impl HistoryApi for Lockstep {
    async fn record_action(&self, who: &Caller, record: app::api::ssr::ActionRecord) {
        self.hist_record_action(who, record).await
    }

    async fn history(&self, who: &Caller, project_id: &str, filter: HistoryFilter) -> Result<HistoryView, AppError> {
        self.hist_history(who, project_id, filter).await
    }
}
