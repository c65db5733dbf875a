//! Scheduled re-checks for the status page: a run of the doctor's step, then [`Record`], which
//! stores one check per name and sends the alerts they make due (expiry at 21/14/7/1 days,
//! failure, recovery) by webhook, each once: the alert's key is claimed in the database before
//! it is sent, so a retry, a restart or a second server never sends it again.

use crate::jobs::{StepCtx, StepError, StepHandler, StepOutcome};
use crate::ports::Webhook;
use crate::secrets::SecretBox;
use crate::steps::doctor::DoctorInput;
use async_trait::async_trait;
use lockstep_domain::doctor::Report;
use lockstep_domain::status::{alerts_due, checks_from_report, incidents, webhook_body, HISTORY_DAYS};
use lockstep_domain::RunKind;
use lockstep_domain::{msg, StepKind, UserError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;

pub const RUN_KIND: RunKind = RunKind::Status;
pub const STEPS: [StepKind; 2] = [StepKind::DoctorCheck, StepKind::StatusRecord];

/// A status run's input: what the doctor checks, and what the page reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusInput {
    #[serde(flatten)]
    pub doctor: DoctorInput,
    pub project_name: String,
    /// The names on the page: the API first, then the frontend's.
    pub names: Vec<String>,
}

pub struct Record {
    pub webhook: Arc<dyn Webhook>,
    pub secrets: Arc<SecretBox>,
    /// Rendered public pages: dropped once the checks are recorded.
    pub pages: Arc<crate::status_page::SharedCache>,
}

fn store_error(e: crate::store::StoreError) -> StepError {
    StepError::Store(e.to_string())
}

#[async_trait]
impl StepHandler for Record {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let input: StatusInput = serde_json::from_value(ctx.input().clone())
            .map_err(|e| StepError::Store(format!("status run input: {e}")))?;
        let doctor = ctx.output_value(StepKind::DoctorCheck).await?;
        let report: Report = serde_json::from_value(doctor["report"].clone())
            .map_err(|e| StepError::Store(format!("doctor report: {e}")))?;
        let store = ctx.store();
        let project = ctx.project_id().to_string();
        // The checks' time is the doctor's, recorded once even if this step is retried.
        let at = match ctx.effect_result("checks").await? {
            Some(v) => v["at"].as_i64().unwrap_or_else(|| ctx.now_ms()),
            None => {
                // The effect row exists before the checks are written (and is what a retry finds).
                ctx.effect_token("checks").await?;
                let at = ctx.now_ms();
                let checks = checks_from_report(&report, &input.names, at);
                store.record_status_checks(&project, &checks).await.map_err(store_error)?;
                ctx.record_effect("checks", &json!({ "at": at })).await?;
                at
            }
        };
        // The public page shows these checks from its next load on.
        self.pages.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let now = ctx.now_ms();
        let history = store.status_checks(&project, at - HISTORY_DAYS * 86_400_000).await.map_err(store_error)?;
        let open = incidents(&history);
        let mut due = Vec::new();
        let sent_before = store.sent_alerts(&project).await.map_err(store_error)?;
        for name in &input.names {
            let of_name: Vec<_> = history.iter().filter(|c| &c.name == name && c.at_ms <= at).collect();
            let Some(latest) = of_name.last() else { continue };
            let previous = of_name.len().checked_sub(2).map(|i| of_name[i]);
            // The incident this check belongs to: the open one, or the one it just closed.
            let incident = open
                .iter()
                .rev()
                .find(|i| &i.name == name && (i.end_ms.is_none() || i.end_ms == Some(latest.at_ms)))
                .map(|i| i.start_ms);
            due.extend(alerts_due(latest, previous, incident, &sent_before, now));
        }
        if due.is_empty() {
            return Ok(StepOutcome::Done {
                output: json!({ "alerts": [] }),
                note: Some(msg("No alerts due.", "보낼 알림이 없습니다.")),
            });
        }
        let page = store.status_page(&project).await.map_err(store_error)?;
        let Some(sealed) = page.and_then(|p| p.webhook_cipher) else {
            let keys: Vec<_> = due.iter().map(|a| a.key.clone()).collect();
            return Ok(StepOutcome::Done {
                output: json!({ "alerts": [], "unsent": keys }),
                note: Some(msg(
                    format!("{} alert(s) due, but no webhook is set for this project.", due.len()),
                    format!("보낼 알림이 {}개 있지만, 이 프로젝트에는 웹훅이 설정되어 있지 않습니다.", due.len()),
                )),
            });
        };
        let url = self.secrets.open(&sealed).map_err(|e| {
            StepError::Fatal(UserError {
                ko: lockstep_domain::ko(
                    "lockstep이 이 프로젝트의 알림 웹훅을 읽을 수 없습니다.",
                    format!("저장된 웹훅을 열 수 없습니다: {e}."),
                    "프로젝트의 상태 설정에서 웹훅을 다시 설정하세요(또는 모든 서버에 같은 LOCKSTEP_SECRET_KEY를 지정하세요).",
                ),
                what: "lockstep could not read this project's alert webhook.".into(),
                why: format!("The stored webhook could not be opened: {e}."),
                fix: "Set the webhook again on the project's status settings (or give every server the same LOCKSTEP_SECRET_KEY).".into(),
            })
        })?;
        let mut sent = Vec::new();
        for alert in due {
            // Claimed before it is sent: whoever claims it first sends it, nobody else ever.
            if !store.claim_alert(&project, &alert.key, now).await.map_err(store_error)? {
                continue;
            }
            let body = serde_json::to_value(webhook_body(&input.project_name, &alert)).unwrap_or_default();
            if let Err(e) = self.webhook.post(&url, &body).await {
                // Not sent: give the key back so the retry (or the next check) sends it.
                store.release_alert(&project, &alert.key).await.map_err(store_error)?;
                return Err(StepError::Retryable {
                    note: msg(format!("Could not send an alert: {}.", e.en), format!("알림을 보내지 못했습니다: {}.", e.ko)),
                    last: Box::new(UserError {
                        ko: lockstep_domain::ko(
                            "알림 웹훅이 알림을 받지 않았습니다.",
                            e.ko,
                            "프로젝트의 상태 설정에서 웹훅 URL을 확인하세요(Slack: Incoming Webhook, Discord: 서버 설정 > 연동 > 웹후크).",
                        ),
                        what: "The alert webhook did not take the alert.".into(),
                        why: e.en,
                        fix: "Check the webhook URL in the project's status settings (Slack: an Incoming Webhook; Discord: Server Settings > Integrations > Webhooks).".into(),
                    }),
                });
            }
            sent.push(alert.key);
        }
        let note = msg(format!("Sent {} alert(s).", sent.len()), format!("알림 {}개를 보냈습니다.", sent.len()));
        Ok(StepOutcome::Done { output: json!({ "alerts": sent }), note: Some(note) })
    }
}
