//! The deployment history: the interface's part, implemented in [`crate::history`].

use super::Lockstep;
use app::api::ssr::{Caller, HistoryApi};
use app::model::*;
use async_trait::async_trait;

#[async_trait]
impl HistoryApi for Lockstep {
    fn collect_calls<'a>(
        &'a self,
        work: app::history::api::ssr::Work<'a>,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Vec<crate::work::AwsCall>> + Send + 'a>> {
        Box::pin(async move { crate::work::collect_calls(work).await.1 })
    }

    async fn record_action(&self, who: &Caller, record: app::api::ssr::ActionRecord) {
        self.hist_record_action(who, record).await
    }

    async fn history(&self, who: &Caller, project_id: &str, filter: HistoryFilter) -> Result<HistoryView, AppError> {
        self.hist_history(who, project_id, filter).await
    }
}
