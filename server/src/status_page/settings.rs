//! A project's status-page settings (address, publishing, interval, alert webhook) and the
//! start of a re-check, for the project page's server functions.

use super::internal;
use crate::service::Lockstep;
use crate::steps::status::{self as status_steps, StatusInput};
use crate::store::directory::StatusPageRow;
use app::api::ssr::Caller;
use app::model::*;
use lockstep_domain::account::{msg, FieldProblem, Message, Need};
use lockstep_domain::UserError;
use tracing::info;

/// Default minutes between scheduled re-checks.
pub const DEFAULT_INTERVAL: i64 = 60;

/// `https://hooks.slack.com/services/…/AbCd`: enough to recognise, useless to use.
fn hint(url: &str) -> String {
    let scheme_host = url.split_once("://").map(|(s, _)| s).unwrap_or("");
    let host = url.split("://").nth(1).and_then(|r| r.split('/').next()).unwrap_or_default();
    let tail: String = url.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("{scheme_host}://{host}/…{tail}")
}

/// A status page address: 3 to 40 lower-case letters, digits and dashes.
pub fn check_slug(slug: &str) -> Result<(), Message> {
    let ok = (3..=40).contains(&slug.len())
        && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(msg(
            "Use 3 to 40 lower-case letters, digits and dashes, e.g. team7-shop.",
            "영어 소문자, 숫자, 대시(-)로 3자에서 40자 사이로 쓰세요. 예: team7-shop.",
        ))
    }
}

impl Lockstep {
    /// Starts a status run (the doctor, then recording and alerts) unless one is running.
    pub async fn start_status_run(
        &self,
        project_id: &str,
        by: Option<&str>,
    ) -> Result<Option<lockstep_domain::RunView>, AppError> {
        let (row, spec) = self.project(project_id).await?;
        let Some(plan) = self.plan(project_id).await? else { return Ok(None) };
        if let Some(run) = self.active_view(project_id, status_steps::RUN_KIND).await? {
            return Ok(Some(run));
        }
        let mut names = vec![plan.api.as_str().to_string()];
        names.extend(plan.frontend.iter().take(1).map(|f| f.as_str().to_string()));
        let aws = self.project_aws(&row).await?;
        let input = StatusInput { doctor: self.doctor_input(&spec, &plan), project_name: row.name, names };
        let input = serde_json::to_value(&input).map_err(internal)?;
        let run = self
            .start_run(&aws, by.unwrap_or_default(), project_id, status_steps::RUN_KIND, input, &status_steps::STEPS)
            .await?;
        info!(project_id, run_id = %run.id, "status re-check started");
        Ok(Some(run))
    }

    pub(crate) async fn st_settings(&self, who: &Caller, project_id: &str) -> Result<StatusSettings, AppError> {
        let a = self.guard(who, project_id, Need::Read).await?;
        let page = self.store.status_page(project_id).await.map_err(internal)?;
        let latest = self.store.latest_run(project_id, status_steps::RUN_KIND).await.map_err(internal)?;
        Ok(match page {
            Some(p) => StatusSettings {
                slug: p.slug,
                public: p.public,
                interval_minutes: p.interval_minutes,
                webhook_hint: p.webhook_hint,
                saved: true,
                next_check_at: Some(p.next_check_at),
                last_run: latest.map(|(r, s)| crate::service::run_view(r, s)),
            },
            None => StatusSettings {
                slug: suggested_slug(&a.project.name),
                public: false,
                interval_minutes: DEFAULT_INTERVAL,
                webhook_hint: None,
                saved: false,
                next_check_at: None,
                last_run: latest.map(|(r, s)| crate::service::run_view(r, s)),
            },
        })
    }

    pub(crate) async fn st_save(
        &self,
        who: &Caller,
        project_id: &str,
        form: StatusForm,
    ) -> Result<ActionOutcome, AppError> {
        self.guard(who, project_id, Need::Manage).await?;
        let mut problems = Vec::new();
        let slug = form.slug.trim().to_lowercase();
        if let Err(m) = check_slug(&slug) {
            problems.push(FieldProblem::new("slug", m));
        }
        let interval = match form.interval_minutes.trim().parse::<i64>() {
            Ok(m) if (5..=1440).contains(&m) => m,
            _ => {
                problems.push(FieldProblem::new(
                    "interval_minutes",
                    msg(
                        "Check every 5 to 1440 minutes (60 is hourly).",
                        "5분에서 1440분 사이로 정하세요 (60은 한 시간마다).",
                    ),
                ));
                DEFAULT_INTERVAL
            }
        };
        let webhook = form.webhook.as_deref().map(str::trim).filter(|w| !w.is_empty());
        if let Some(w) = webhook {
            // Public https only, judged by the adapter that will send to it (`net/webhook.rs`):
            // lockstep must not be a way into the network it runs in.
            if let Err(m) = self.adapters.webhook.vet(w).await {
                problems.push(FieldProblem::new("webhook", m));
            }
        }
        if !problems.is_empty() {
            return Ok(ActionOutcome::Invalid(problems));
        }
        let existing = self.store.status_page(project_id).await.map_err(internal)?;
        let now = self.clock.now_ms();
        let (webhook_cipher, webhook_hint) = match (webhook, form.clear_webhook) {
            (Some(w), _) => (Some(self.adapters.secrets.seal(w)), Some(hint(w))),
            (None, true) => (None, None),
            (None, false) => {
                existing.as_ref().map(|e| (e.webhook_cipher.clone(), e.webhook_hint.clone())).unwrap_or_default()
            }
        };
        let row = StatusPageRow {
            project_id: project_id.to_string(),
            slug: slug.clone(),
            public: form.public,
            interval_minutes: interval,
            webhook_cipher,
            webhook_hint,
            // A new or changed schedule checks soon; otherwise it keeps its turn.
            next_check_at: match &existing {
                Some(e) if e.interval_minutes == interval => e.next_check_at,
                _ => now,
            },
            created_at: existing.as_ref().map(|e| e.created_at).unwrap_or(now),
        };
        if !self.store.save_status_page(&row).await.map_err(internal)? {
            return Ok(ActionOutcome::Invalid(vec![FieldProblem::new(
                "slug",
                msg(
                    format!("/status/{slug} is taken by another project. Pick another name."),
                    format!("/status/{slug}는 다른 프로젝트가 쓰고 있습니다. 다른 이름을 고르세요."),
                ),
            )]));
        }
        self.adapters.status_pages.lock().unwrap_or_else(|p| p.into_inner()).clear();
        Ok(ActionOutcome::Done)
    }

    pub(crate) async fn st_check_now(&self, who: &Caller, project_id: &str) -> Result<StartOutcome, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        match self.start_status_run(project_id, Some(&a.user.id)).await? {
            Some(run) => Ok(StartOutcome::Started(run)),
            None => Ok(StartOutcome::Refused(UserError {
                ko: lockstep_domain::ko(
                    "아직 확인할 것이 없습니다.",
                    "상태 페이지는 프로젝트의 이름을 확인하는데, 그 이름은 도메인을 바탕으로 정해집니다.",
                    "먼저 1단계에서 도메인을 선택하세요.",
                ),
                what: "There is nothing to check yet.".into(),
                why: "The status page checks the project's names, which come from its domain.".into(),
                fix: "Choose a domain in step 1 first.".into(),
            })),
        }
    }
}

fn suggested_slug(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let s: String = s.chars().take(40).collect();
    if s.len() >= 3 {
        s
    } else {
        format!("project-{s}").trim_end_matches('-').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_hints() {
        assert!(check_slug("team7-shop").is_ok());
        assert!(check_slug("Team 7").is_err() && check_slug("ab").is_err() && check_slug("-x-y").is_err());
        assert_eq!(suggested_slug("Capstone Shop!"), "capstone-shop");
        assert_eq!(hint("https://hooks.slack.com/services/T0/B0/abcdWXYZ"), "https://hooks.slack.com/…WXYZ");
    }
}
