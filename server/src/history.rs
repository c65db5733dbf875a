//! The deployment history: who did what, when, to which project, and every AWS call that came
//! of it. Written by server functions ([`app::api::ssr::audited`]) and by the job engine (each
//! step's AWS calls and its end); read as a project's timeline and its JSON export. There is no
//! way to change or delete an entry (the database refuses it too).

use crate::service::Lockstep;
use crate::store::directory::{AuditFilter, AuditRow, NewAudit};
use app::api::ssr::{ActionRecord, Caller};
use app::model::*;
use lockstep_domain::account::Need;
use std::collections::BTreeMap;
use tracing::warn;

/// Most entries the timeline shows at once (newest first); the export has them all.
pub const SHOWN: usize = 500;
/// Most entries read for one project.
const READ_LIMIT: i64 = 100_000;

pub fn entry_view(r: AuditRow) -> HistoryEntry {
    let e = r.entry;
    // Rows written before AWS requests were put in words hold Rust `Debug` text: never shown.
    let summary = crate::aws::audit::readable_stored(&e.kind, &e.operation, &e.summary);
    HistoryEntry {
        seq: r.seq,
        at: e.at,
        person: e.user_name,
        person_id: e.user_id,
        kind: e.kind,
        operation: e.operation,
        step: e.step,
        run_id: e.run_id,
        summary,
        ok: e.ok,
        error_code: e.error_code,
        duration_ms: e.duration_ms,
    }
}

impl Lockstep {
    pub(crate) async fn hist_record_action(&self, who: &Caller, r: ActionRecord) {
        let Ok(user) = self.signed_in(who).await else { return };
        // The project: named, or the run's.
        let mut project_id = r.project_id.clone();
        if project_id.is_none() {
            if let Some(run) = &r.run_id {
                project_id = self.store.get_run(run).await.ok().flatten().map(|(run, _)| run.project_id);
            }
        }
        let mut team_id = r.team_id.clone();
        if let Some(p) = &project_id {
            // Deleted (by this very action) or never there: keep what the action named.
            if let Ok(Some(row)) = self.store.get_project(p).await {
                team_id = row.team_id.or(team_id);
            }
        }
        // Only the history of a team the caller is in: an outsider's refused attempt at
        // another team's project is not written into that team's history.
        let Some(team) = team_id.clone() else { return };
        match self.store.role_of(&team, &user.id).await {
            Ok(Some(_)) => {}
            _ => return,
        }
        let base = NewAudit {
            team_id,
            project_id,
            user_id: Some(user.id),
            user_name: Some(user.name),
            run_id: r.run_id,
            ..NewAudit::default()
        };
        let mut entries = vec![NewAudit {
            at: r.started_at,
            kind: "action".into(),
            operation: r.operation.into(),
            summary: r.summary,
            ok: r.ok,
            error_code: r.error_code,
            duration_ms: r.duration_ms,
            ..base.clone()
        }];
        entries.extend(r.calls.into_iter().map(|c| NewAudit {
            at: c.at,
            kind: "aws".into(),
            operation: c.operation,
            summary: c.summary,
            ok: c.ok,
            error_code: c.error_code,
            duration_ms: c.duration_ms,
            ..base.clone()
        }));
        if let Err(e) = self.store.append_audit(&entries).await {
            warn!(error = %e, "could not write an action to the history");
        }
    }

    /// Every entry of the project's history, oldest first (the caller may read it).
    pub async fn history_entries(&self, who: &Caller, project_id: &str) -> Result<Vec<HistoryEntry>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        let rows =
            self.store.audit(project_id, &AuditFilter { limit: READ_LIMIT, ..AuditFilter::default() }).await.map_err(
                |e| {
                    warn!(error = %e, "reading the history");
                    AppError::Internal("history".into())
                },
            )?;
        Ok(rows.into_iter().map(entry_view).collect())
    }

    pub(crate) async fn hist_history(
        &self,
        who: &Caller,
        project_id: &str,
        filter: HistoryFilter,
    ) -> Result<HistoryView, AppError> {
        let all = self.history_entries(who, project_id).await?;
        let mut people = BTreeMap::new();
        let mut steps = std::collections::BTreeSet::new();
        for e in &all {
            if let (Some(id), Some(name)) = (&e.person_id, &e.person) {
                people.insert(id.clone(), name.clone());
            }
            if let Some(s) = &e.step {
                steps.insert(s.clone());
            }
        }
        let mut entries: Vec<HistoryEntry> = all
            .into_iter()
            .rev()
            .filter(|e| filter.person.as_ref().is_none_or(|p| e.person_id.as_ref() == Some(p)))
            .filter(|e| filter.step.as_ref().is_none_or(|s| e.step.as_ref() == Some(s)))
            .filter(|e| !filter.failures_only || !e.ok)
            .collect();
        let truncated = entries.len() > SHOWN;
        entries.truncate(SHOWN);
        let mut people: Vec<(String, String)> = people.into_iter().collect();
        people.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(HistoryView { entries, people, steps: steps.into_iter().collect(), truncated })
    }
}
