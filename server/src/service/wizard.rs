//! The project page's stepper (issue 22): the facts of each step, gathered from the store,
//! judged by [`lockstep_domain::wizard::wizard`]; and the free / paid path choice.

use super::{internal, json, messages, Lockstep};
use crate::steps::teardown::{self as teardown_steps, TeardownInput};
use crate::store::{RunRow, StepRow};
use app::api::ssr::{Caller, TeardownApi, WizardApi};
use app::model::*;
use async_trait::async_trait;
use lockstep_domain::account::Need;
use lockstep_domain::doctor::{Report, Verdict};
use lockstep_domain::plan::NamePlan;
use lockstep_domain::wizard::{wizard, BackendPath, Progress, StepFact, Wizard, WizardFacts, WizardStep};
use lockstep_domain::{ProjectSpec, RunKind, RunStatus, StepDetail};

/// The run kinds whose resources belong to a path (what leaving it tears down).
fn run_kinds(path: BackendPath) -> &'static [RunKind] {
    match path {
        BackendPath::Free => &[RunKind::InstanceHttps],
        // The us-east-1 certificate is the frontend's, on either path: it stays.
        BackendPath::Paid => &[RunKind::Backend],
    }
}

fn progress(run: &Option<(RunRow, Vec<StepRow>)>) -> Progress {
    match run.as_ref().map(|(r, _)| r.status) {
        None => Progress::NotStarted,
        Some(RunStatus::Active) => Progress::Running,
        Some(RunStatus::Failed) => Progress::Failed,
        Some(RunStatus::Succeeded) => Progress::Succeeded,
    }
}

fn finished_ok(run: &Option<(RunRow, Vec<StepRow>)>) -> Option<i64> {
    run.as_ref().filter(|(r, _)| r.status == RunStatus::Succeeded).and_then(|(r, _)| r.finished_at)
}

/// The doctor's report in a run's steps, if it got that far.
fn report_of(run: &Option<(RunRow, Vec<StepRow>)>) -> Option<Report> {
    run.as_ref()?.1.iter().rev().find_map(|s| match &s.detail {
        Some(StepDetail::Doctor { report }) => Some(report.clone()),
        _ => None,
    })
}

impl Lockstep {
    async fn latest_row(&self, project_id: &str, kind: RunKind) -> Result<Option<(RunRow, Vec<StepRow>)>, AppError> {
        self.store.latest_run(project_id, kind).await.map_err(internal)
    }

    /// The chosen path (`None` before the choice, or a value this version does not know).
    pub(crate) async fn backend_path(&self, project_id: &str) -> Result<Option<BackendPath>, AppError> {
        let key = self.store.backend_path(project_id).await.map_err(internal)?;
        Ok(key.as_deref().and_then(BackendPath::from_key))
    }

    /// The stepper of a project (no access check: callers checked it).
    pub(crate) async fn wizard_of(
        &self,
        project_id: &str,
        spec: &ProjectSpec,
        plan: Option<&NamePlan>,
    ) -> Result<Wizard, AppError> {
        let path = self.backend_path(project_id).await?;
        let mut facts: Vec<(WizardStep, StepFact)> = Vec::new();

        let domain = self.latest_row(project_id, RunKind::Domain).await?;
        let domain_result = plan.map(|p| {
            let api = format!("https://{}", p.api);
            match p.frontend.first() {
                Some(f) => messages::api_and_frontend(&api, f.as_str()),
                None => messages::api_only(&api),
            }
        });
        // Names alone are not enough while the domain's run still waits (name servers not
        // delegated yet, a registration in progress) or stopped on an error: the certificate
        // could not be validated. That run stays the current step until it ends well.
        let domain_progress = progress(&domain);
        let domain_done = plan.is_some() && !matches!(domain_progress, Progress::Running | Progress::Failed);
        facts.push((
            WizardStep::Domain,
            StepFact { progress: domain_progress, done: domain_done, result: domain_result },
        ));
        let api = plan.map(|p| p.api.to_string()).unwrap_or_default();

        // What a later teardown deleted (a path change, or "tear down") is not made any more:
        // its step is to do again, as if it had never run.
        let torn: Option<(i64, Vec<RunKind>)> =
            self.latest_row(project_id, RunKind::Teardown).await?.and_then(|(r, _)| {
                let input: TeardownInput = serde_json::from_value(r.input).ok()?;
                Some((r.created_at, input.items.iter().map(|i| i.run_kind).collect()))
            });
        let standing = |run: Option<(RunRow, Vec<StepRow>)>| match (&run, &torn) {
            (Some((r, _)), Some((at, kinds))) if r.finished_at.is_some_and(|f| f <= *at) && kinds.contains(&r.kind) => {
                None
            }
            _ => run,
        };
        let certificate = standing(self.latest_row(project_id, RunKind::Certificate).await?);
        let backend = standing(self.latest_row(project_id, RunKind::Backend).await?);
        let nginx = standing(self.latest_row(project_id, RunKind::InstanceHttps).await?);
        let frontend = standing(self.latest_row(project_id, RunKind::Frontend).await?);
        let doctor = self.latest_row(project_id, RunKind::Doctor).await?;

        // The frontend's certificate (us-east-1, every name of the plan). A free name or the
        // bare IP has none to get: the frontend then uses CloudFront's own name.
        let has_zone = plan.is_some_and(|p| p.source.has_zone());
        facts.push((
            WizardStep::Certificate,
            if plan.is_some() && !has_zone {
                StepFact {
                    progress: Progress::NotStarted,
                    done: true,
                    result: Some(messages::certificate_not_needed()),
                }
            } else {
                let names = plan.map(|p| p.all_names().iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", "));
                StepFact::from_run(
                    progress(&certificate),
                    finished_ok(&certificate).and(names).map(|n| messages::issued_for(&n)),
                )
            },
        ));
        let port = spec.app_port;
        facts.push((
            WizardStep::LoadBalancer,
            StepFact::from_run(
                progress(&backend),
                finished_ok(&backend).map(|_| messages::load_balancer_serves(&api, port)),
            ),
        ));
        facts.push((
            WizardStep::InstanceHttps,
            StepFact::from_run(progress(&nginx), finished_ok(&nginx).map(|_| messages::nginx_serves(&api))),
        ));
        let front_name = plan.and_then(|p| p.frontend.first()).map(|f| f.to_string());
        facts.push((
            WizardStep::Frontend,
            StepFact::from_run(
                progress(&frontend),
                finished_ok(&frontend).map(|_| match &front_name {
                    Some(f) => messages::cloudfront_serves(f),
                    None => messages::cloudfront_own_name(),
                }),
            ),
        ));
        // What the check looks at: the chosen path's backend and the frontend.
        let checked: [&Option<(RunRow, Vec<StepRow>)>; 2] = match path {
            Some(BackendPath::Free) => [&nginx, &frontend],
            _ => [&backend, &frontend],
        };
        facts.push((WizardStep::Check, check_fact(&doctor, &checked)));
        Ok(wizard(&WizardFacts { path, facts }))
    }

    /// Leaving `from`: the resources its runs made (still in the ledger).
    async fn made_by(
        &self,
        who: &Caller,
        project_id: &str,
        from: BackendPath,
    ) -> Result<(Vec<lockstep_domain::ledger::LedgerItem>, Option<String>), AppError> {
        let ledger = self.ledger(who, project_id).await?;
        let items: Vec<_> = ledger.items.into_iter().filter(|i| run_kinds(from).contains(&i.run_kind)).collect();
        let daily = lockstep_domain::ledger::daily_cost_usd(&items);
        Ok((items, (daily > 0.0).then(|| lockstep_domain::pricing::usd(daily))))
    }
}

/// The HTTPS check's fact: done when its latest run finished after everything it checks,
/// with nothing failing (skipped checks, e.g. in the sandbox, do not fail it).
fn check_fact(doctor: &Option<(RunRow, Vec<StepRow>)>, checked: &[&Option<(RunRow, Vec<StepRow>)>]) -> StepFact {
    let progress = progress(doctor);
    let Some(report) = report_of(doctor).filter(|_| progress == Progress::Succeeded) else {
        return StepFact { progress, done: false, result: None };
    };
    let checked_at = doctor.as_ref().and_then(|(r, _)| r.finished_at).unwrap_or(0);
    let last_change = checked.iter().filter_map(|r| finished_ok(r)).max().unwrap_or(0);
    if last_change > checked_at {
        return StepFact { progress, done: false, result: Some(messages::checked_before_last_change()) };
    }
    StepFact { progress, done: report.worst() != Verdict::Fail, result: Some(report.summary_said()) }
}

#[async_trait]
impl WizardApi for Lockstep {
    async fn wizard(&self, who: &Caller, project_id: &str) -> Result<Wizard, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        let (row, spec) = self.project(project_id).await?;
        self.wizard_of(project_id, &spec, super::plan_in(&row).as_ref()).await
    }

    async fn choose_path(
        &self,
        who: &Caller,
        project_id: &str,
        path: &str,
        teardown_other: bool,
    ) -> Result<PathOutcome, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        let (row, spec) = self.project(project_id).await?;
        let Some(path) = BackendPath::from_key(path) else {
            return Ok(PathOutcome::Refused(messages::no_such_path()));
        };
        let current = self.backend_path(project_id).await?;
        if current != Some(path) {
            // A run of either path still at work would go on creating what the change leaves.
            for kind in [RunKind::Backend, RunKind::InstanceHttps, RunKind::Teardown] {
                if self.active_view(project_id, kind).await?.is_some() {
                    return Ok(PathOutcome::Refused(messages::path_step_running()));
                }
            }
            if let Some(from) = current {
                let (items, daily) = self.made_by(who, project_id, from).await?;
                if !items.is_empty() {
                    if !teardown_other {
                        return Ok(PathOutcome::NeedsTeardown { items: items.len(), daily });
                    }
                    // Deleting needs what a teardown needs.
                    let m = self.guard(who, project_id, Need::Manage).await?;
                    let input = json(&TeardownInput {
                        items: lockstep_domain::ledger::teardown_order(&items),
                        delete_zone: false,
                    })?;
                    self.start_run(
                        &m.aws,
                        &m.user.id,
                        project_id,
                        teardown_steps::RUN_KIND,
                        input,
                        &teardown_steps::STEPS,
                    )
                    .await?;
                }
            }
            let now = self.clock.now_ms();
            if !self.store.set_backend_path(project_id, path.key(), now).await.map_err(internal)? {
                return Err(super::not_found(super::messages::project_gone()));
            }
            tracing::info!(project_id, path = path.key(), by = %a.user.id, "backend path chosen");
        }
        Ok(PathOutcome::Chosen(self.wizard_of(project_id, &spec, super::plan_in(&row).as_ref()).await?))
    }
}
