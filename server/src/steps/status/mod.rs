//! Scheduled re-checks for the status page: a run of the doctor's step, then [`Record`], which
//! stores one check per name and sends the alerts they make due (expiry at 21/14/7/1 days, scaled
//! down for certificates shorter than 63 days; failure, recovery) by webhook, each once: the alert's key is claimed in the database before
//! it is sent, so a retry, a restart or a second server never sends it again.
//!
//! Every write here is fenced ([`StepCtx::fence`] immediately before it): the checks, each
//! alert's claim, and each sending. A worker whose step was taken over (its lease expired)
//! stops before it writes or sends anything, so only the step's holder ever does. What the
//! user reads is in `messages.rs`.

pub(crate) mod messages;

use crate::jobs::{Step, StepCtx, StepError, StepOutcome};
use crate::ports::Webhook;
use crate::secrets::SecretBox;
use crate::steps::doctor::{self, DoctorInput};

use async_trait::async_trait;
use lockstep_domain::status::{
    alerts_due, checks_from_report, incidents, recheck_minutes, webhook_body, Alert, Check, HISTORY_DAYS,
};
use lockstep_domain::{RunKind, StepKind};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub const RUN_KIND: RunKind = RunKind::Status;
pub const STEPS: [StepKind; 2] = [StepKind::DoctorCheck, StepKind::StatusRecord];

/// The side effect's key: the checks of this run, written once.
const CHECKS: &str = "checks";

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

/// The checks' time (the checks themselves are in the status-check table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct ChecksRecorded {
    at: i64,
}

/// The alerts this turn sent (their keys), and those due that had nowhere to go.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordOutput {
    pub alerts: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unsent: Vec<String>,
}

#[async_trait]
impl Step for Record {
    const KIND: StepKind = StepKind::StatusRecord;
    type Input = StatusInput;
    type Output = RecordOutput;

    async fn run(&self, ctx: &StepCtx, input: StatusInput) -> Result<StepOutcome<RecordOutput>, StepError> {
        let report = ctx.output::<doctor::Check>().await?.report;
        let store = ctx.store();
        let project = ctx.project_id().to_string();
        // The checks' time is the doctor's, recorded once even if this step is retried.
        let at = match ctx.recorded::<ChecksRecorded>(CHECKS).await? {
            Some(done) => done.at,
            None => {
                // The effect row exists before the checks are written (and is what a retry finds).
                ctx.effect_token(CHECKS).await?;
                let at = ctx.now_ms();
                let checks = checks_from_report(&report, &input.names, at);
                ctx.fence().await?;
                store.record_status_checks(&project, &checks).await?;
                ctx.record(CHECKS, &ChecksRecorded { at }).await?;
                at
            }
        };
        // The public page shows these checks from its next load on.
        self.pages.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let now = ctx.now_ms();
        let history = store.status_checks(&project, at - HISTORY_DAYS * 86_400_000).await?;
        // A short-lived certificate is re-checked often enough to see each of its thresholds
        // (only ever sooner than the page's own schedule; a repeat is harmless).
        let latest: Vec<Check> = history.iter().filter(|c| c.at_ms == at).cloned().collect();
        let page = store.status_page(&project).await?;
        if let Some(page) = &page {
            let minutes = recheck_minutes(page.interval_minutes, &latest);
            if minutes < page.interval_minutes {
                ctx.fence().await?;
                store.check_again_by(&project, at + minutes * 60_000).await?;
            }
        }
        let open = incidents(&history);
        let mut due = Vec::new();
        let sent_before = store.sent_alerts(&project).await?;
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
            return Ok(StepOutcome::Done { output: RecordOutput::default(), note: Some(messages::none_due()) });
        }
        let Some(sealed) = page.and_then(|p| p.webhook_cipher) else {
            let note = messages::no_webhook(due.len());
            let unsent = due.into_iter().map(|a| a.key).collect();
            return Ok(StepOutcome::Done { output: RecordOutput { alerts: Vec::new(), unsent }, note: Some(note) });
        };
        let url = self.secrets.open(&sealed).map_err(|e| StepError::Fatal(messages::webhook_unreadable(&e)))?;
        let mut sent = Vec::new();
        for alert in due {
            if self.send_once(ctx, &project, &url, &input.project_name, &alert, now).await? {
                sent.push(alert.key);
            }
        }
        let note = messages::sent(sent.len());
        Ok(StepOutcome::Done { output: RecordOutput { alerts: sent, unsent: Vec::new() }, note: Some(note) })
    }
}

impl Record {
    /// Sends `alert` unless someone claimed it first: `Ok(true)` when this worker sent it.
    async fn send_once(
        &self,
        ctx: &StepCtx,
        project: &str,
        url: &str,
        project_name: &str,
        alert: &Alert,
        now: i64,
    ) -> Result<bool, StepError> {
        let store = ctx.store();
        // Claimed before it is sent: whoever claims it first sends it, nobody else ever; and
        // only while this worker still holds the step.
        ctx.fence().await?;
        if !store.claim_alert(project, &alert.key, now).await? {
            return Ok(false);
        }
        let body = serde_json::to_value(webhook_body(project_name, alert))
            .map_err(|e| StepError::invariant(format!("the webhook body: {e}")))?;
        if let Err(lost) = ctx.fence().await {
            // Taken over between the claim and the sending: give the key back for the holder
            // (or the next check) to send.
            store.release_alert(project, &alert.key).await?;
            return Err(lost);
        }
        if let Err(e) = self.webhook.post(url, &body).await {
            // Not sent: give the key back so the retry (or the next check) sends it.
            store.release_alert(project, &alert.key).await?;
            return Err(StepError::Retryable {
                note: messages::not_sent(&e),
                last: Box::new(messages::webhook_refused(e)),
            });
        }
        Ok(true)
    }
}
