//! The ledger (read from the steps' records of what they created and deleted) and the teardown
//! that deletes it, refused while another step is still creating.

use super::{internal, json, Lockstep};
use crate::steps::certificate;
use crate::steps::frontend as cdn_steps;
use crate::steps::instance_https as nginx_steps;
use crate::steps::load_balancer as alb_steps;
use crate::steps::teardown as teardown_steps;
use crate::steps::teardown::TeardownInput;
use crate::store::StoreError;
use app::api::ssr::{Caller, TeardownApi};
use app::model::*;
use async_trait::async_trait;
use lockstep_domain::account::Need;
use lockstep_domain::ledger::ResourceChanges;
use lockstep_domain::RunView;
use lockstep_domain::UserError;

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
            return Ok(StartOutcome::Refused(UserError {
                ko: lockstep_domain::ko(
                    "정리할 리소스가 없습니다.",
                    "lockstep은 이 프로젝트를 위해 AWS에 아무것도 만들지 않았습니다(또는 이전의 정리 작업이 모두 삭제했습니다).",
                    "할 일이 없습니다. 콘솔에서 직접 만든 리소스는 콘솔에서 직접 삭제하세요.",
                ),
                what: "There is nothing to tear down.".into(),
                why:
                    "lockstep has not created anything in AWS for this project (or a teardown already deleted it all)."
                        .into(),
                fix: "Nothing to do. Resources you made yourself in the console are yours to delete there.".into(),
            }));
        }
        for (kind, what, what_ko) in [
            (alb_steps::RUN_KIND, "the load balancer step", "로드 밸런서 단계"),
            (cdn_steps::RUN_KIND, "the CloudFront step", "CloudFront 단계"),
            (cdn_steps::INVALIDATE_RUN_KIND, "the cache clear", "캐시 지우기"),
            (nginx_steps::RUN_KIND, "the Nginx step", "Nginx 단계"),
            (certificate::RUN_KIND, "the certificate step", "인증서 단계"),
        ] {
            if self.active_view(project_id, kind).await?.is_some() {
                return Ok(StartOutcome::Refused(UserError {
                    ko: lockstep_domain::ko(
                        format!("아무것도 삭제하지 않았습니다. {what_ko}가 아직 진행 중입니다."),
                        "단계가 리소스를 만드는 도중에 삭제하면 리소스 일부가 남게 됩니다.",
                        format!("{what_ko}가 끝나거나 오류로 멈출 때까지 기다린 뒤 정리하세요."),
                    ),
                    what: format!("Nothing was deleted: {what} is still running."),
                    why: "Deleting resources while a step is creating them would leave half of them behind.".into(),
                    fix: format!("Wait until {what} finishes or stops on an error, then tear down."),
                }));
            }
        }
        if !confirm {
            return Ok(StartOutcome::Refused(UserError {
                ko: lockstep_domain::ko(
                    "아무것도 삭제하지 않았습니다. 정리가 확인되지 않았습니다.",
                    "정리하면 위에 나열된 리소스가 AWS에서 삭제되며, 되돌릴 수 없습니다.",
                    "확인 상자에 체크한 뒤 버튼을 다시 누르세요.",
                ),
                what: "Nothing was deleted: the teardown was not confirmed.".into(),
                why: "Teardown deletes the resources listed above in AWS; it cannot be undone.".into(),
                fix: "Tick the box that confirms it, then press the button again.".into(),
            }));
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
