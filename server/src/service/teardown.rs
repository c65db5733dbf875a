//! The ledger (read from the steps' records of what they created and deleted) and the teardown
//! that deletes it, refused while another step is still creating.

use super::{internal, json, Lockstep};
use crate::steps::certificate;
use crate::steps::frontend as cdn_steps;
use crate::steps::instance_https as nginx_steps;
use crate::steps::load_balancer as alb_steps;
use crate::steps::teardown as teardown_steps;
use crate::steps::teardown::messages;
use crate::steps::teardown::TeardownInput;
use crate::store::StoreError;
use app::api::ssr::{Caller, TeardownApi};
use app::model::*;
use async_trait::async_trait;
use lockstep_domain::account::Need;
use lockstep_domain::ledger::ResourceChanges;
use lockstep_domain::RunView;

#[async_trait]
impl TeardownApi for Lockstep {
    async fn ledger(&self, who: &Caller, project_id: &str) -> Result<LedgerView, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.project(project_id).await?;
        let rows = self.store.project_outputs(project_id).await.map_err(internal)?;
        let mut items: Vec<lockstep_domain::ledger::LedgerItem> = Vec::new();
        for row in rows {
            let changes: ResourceChanges = serde_json::from_value(row.output).map_err(|e| {
                internal(StoreError::Corrupt(format!("the output of {} in run {}: {e}", row.step, row.run_id)))
            })?;
            // A teardown step lists what it deleted: those leave the ledger.
            for c in &changes.deleted {
                items.retain(|i| !(i.kind == c.kind && i.id == c.id));
            }
            for c in changes.created {
                // A resource re-created by a later run (same id) is listed once.
                if items.iter().any(|i| i.kind == c.kind && i.id == c.id) {
                    continue;
                }
                items.push(lockstep_domain::ledger::LedgerItem {
                    kind: c.kind,
                    id: c.id,
                    region: c.region,
                    run_kind: row.run_kind,
                    step: row.step.title().to_string(),
                    step_kind: Some(row.step),
                    created_at: row.finished_at,
                });
            }
        }
        let daily_usd = lockstep_domain::ledger::daily_cost_usd(&items);
        Ok(LedgerView { daily: (daily_usd > 0.0).then(|| lockstep_domain::pricing::usd(daily_usd)), items, daily_usd })
    }

    async fn start_teardown(
        &self,
        who: &Caller,
        project_id: &str,
        confirm: bool,
        delete_zone: bool,
    ) -> Result<StartOutcome, AppError> {
        let a = self.guard(who, project_id, Need::Manage).await?;
        if let Some(run) = self.active_view(project_id, teardown_steps::RUN_KIND).await? {
            return Ok(StartOutcome::Started(run));
        }
        let ledger = self.ledger(who, project_id).await?;
        if ledger.items.is_empty() {
            return Ok(StartOutcome::Refused(messages::nothing_to_tear_down()));
        }
        for (kind, what) in [
            (alb_steps::RUN_KIND, messages::load_balancer_step()),
            (cdn_steps::RUN_KIND, messages::cloudfront_step()),
            (cdn_steps::INVALIDATE_RUN_KIND, messages::cache_clear()),
            (nginx_steps::RUN_KIND, messages::nginx_step()),
            (certificate::RUN_KIND, messages::certificate_step()),
        ] {
            if self.active_view(project_id, kind).await?.is_some() {
                return Ok(StartOutcome::Refused(messages::step_still_running(&what)));
            }
        }
        if !confirm {
            return Ok(StartOutcome::Refused(messages::teardown_not_confirmed()));
        }
        let items = lockstep_domain::ledger::teardown_order(&ledger.items);
        let input = json(&TeardownInput { items, delete_zone })?;
        let run = self
            .start_run(&a.aws, &a.user.id, project_id, teardown_steps::RUN_KIND, input, &teardown_steps::STEPS)
            .await?;
        Ok(StartOutcome::Started(run))
    }

    async fn latest_teardown_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, teardown_steps::RUN_KIND).await
    }
}
