//! The application service: what the UI's server functions call ([`app::api::ssr::Api`]).
//!
//! It validates input, stores projects, derives the name plan, and starts wizard runs on the
//! job engine. It knows ports and the store, never an SDK or a SQL dialect.
//!
//! One file per wizard area, each implementing that area's trait of the interface (the same
//! names as the UI's `app/src/<area>/`): [`projects`], [`domain`], [`certificate`],
//! [`doctor`], [`instance_https`], [`load_balancer`], [`frontend`], [`teardown`], [`status`],
//! [`history`], [`accounts`], [`runs`]. Here: the service itself and what the areas share
//! (reading a project and its plan, starting a run, the words for an AWS error).

mod accounts;
mod certificate;
mod choices;
mod doctor;
mod domain;
mod frontend;
mod history;
mod instance_https;
mod load_balancer;
mod messages;
mod projects;
mod runs;
mod status;
mod teardown;
mod wizard;

use crate::clock::Clock;
use crate::jobs::Engine;
use crate::ports::PortError;
use crate::steps::doctor as doctor_steps;
use crate::steps::instance_https::{self as nginx_steps, NginxInput};
use crate::store::{NewRun, ProjectRow, RunRow, StepRow, Store, StoreError};
use crate::Adapters;
use app::model::*;
use lockstep_domain::plan::NamePlan;
use lockstep_domain::{DomainName, InstanceRef, ProjectSpec, RunKind, RunStatus, RunView, StepKind, StepView};
use std::net::Ipv4Addr;
use std::sync::Arc;
use tracing::{error, info};

pub struct Lockstep {
    pub store: Arc<dyn Store>,
    pub adapters: Adapters,
    pub clock: Arc<dyn Clock>,
    pub engine: Engine,
    pub env: EnvInfo,
    /// Who may sign up without an invite link (`--signup-domains`; empty: nobody).
    pub signup: lockstep_domain::account::SignupDomains,
}

fn internal(e: StoreError) -> AppError {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    error!(reference, error = %e, "store error");
    AppError::Internal(reference)
}

/// An id that was checked when it was stored (or that AWS gave) and no longer parses: a broken
/// invariant, answered as an internal error with a reference; `context` and the detail go to the
/// log only. The one place the service layer turns a bad id into an error.
pub(crate) fn corrupt_id(context: &str) -> impl Fn(lockstep_domain::ids::BadId) -> AppError + Copy + '_ {
    move |e| internal(StoreError::Corrupt(format!("{context}: {e}")))
}

/// An AWS error met while doing `task` (a request's own AWS call), in words a person acts on.
fn aws_error(task: &lockstep_domain::Message, e: PortError) -> AppError {
    AppError::User(match &e {
        PortError::Throttled(_) | PortError::Unavailable(_) => messages::aws_not_answering(task, &e),
        PortError::TeamRole { role_arn, code, message } => {
            crate::steps::team_role_refused(task, role_arn, code, message)
        }
        PortError::NoAccess(why) => crate::steps::no_aws_access(task, why),
        // Through a team's role, AWS's "denied" and "not found" mostly mean "not in your team's
        // account" (another team's zone, instance or bucket): said so, without the SDK's text.
        PortError::Denied { code, .. } if through_team_role() => messages::denied_through_team_role(task, code),
        PortError::Denied { code, .. } => messages::denied_to_lockstep(task, code),
        PortError::NotFound(_) => messages::not_in_account(task, &account_words()),
        _ => messages::aws_failed(task, &e),
    })
}

/// Whether this action's AWS calls go through its team's own role.
fn through_team_role() -> bool {
    matches!(crate::work::aws_access(), Some(crate::work::AwsAccess::Team { role: Some(_), .. }))
}

/// The account this action's AWS calls see, in English and Korean.
fn account_words() -> lockstep_domain::Message {
    messages::this_account(through_team_role())
}

/// Whether a run of `kind` makes AWS calls of its own (refused up front for a team that may
/// not use AWS). The doctor reads the account only as a bonus and says when it could not; the
/// free path without an instance id or a zone is all done by hand on the instance.
fn needs_aws(kind: RunKind, input: &serde_json::Value) -> bool {
    if kind == doctor_steps::RUN_KIND || kind == crate::steps::status::RUN_KIND {
        return false;
    }
    if kind == nginx_steps::RUN_KIND {
        return serde_json::from_value::<NginxInput>(input.clone())
            .map_or(true, |i| i.instance_id.is_some() || i.zone_id.is_some());
    }
    true
}

/// Runs that create resources in AWS (refused while a teardown of the project is active).
fn creates(kind: RunKind) -> bool {
    matches!(
        kind,
        RunKind::Domain | RunKind::Certificate | RunKind::Backend | RunKind::InstanceHttps | RunKind::Frontend
    )
}

/// The recorded output of step `S` among a run's steps, typed; `None` while it has not
/// finished (or when what is stored is of another shape: a view never fails on it).
pub(crate) fn output_of<S: crate::jobs::Step>(steps: &[StepRow]) -> Option<S::Output> {
    let out = steps.iter().find(|s| s.kind == S::KIND)?.output.clone()?;
    serde_json::from_value(out).ok()
}

/// The name plan stored with a project, if any.
pub(crate) fn plan_in(row: &ProjectRow) -> Option<NamePlan> {
    row.plan.clone().and_then(|p| serde_json::from_value(p).ok())
}

/// `what` (from [`messages`]: `project_gone()`, `run_gone()`, ...) does not exist.
pub(crate) fn not_found(what: lockstep_domain::Message) -> AppError {
    AppError::NotFound(what)
}

pub fn step_view(s: StepRow) -> StepView {
    StepView {
        id: s.id,
        seq: s.seq,
        kind: s.kind,
        title: s.kind.title().to_string(),
        status: s.status,
        note: s.note,
        started_at: s.started_at,
        finished_at: s.finished_at,
        next_check_at: (s.status == lockstep_domain::StepStatus::Waiting).then_some(s.run_at),
        typical_wait_secs: s.kind.typical_wait_secs(),
        attempts: s.attempts,
        error: s.error,
        detail: s.detail,
    }
}

pub fn run_view(run: RunRow, steps: Vec<StepRow>) -> RunView {
    RunView {
        id: run.id,
        project_id: run.project_id,
        kind: run.kind.to_string(),
        status: run.status,
        created_at: run.created_at,
        finished_at: run.finished_at,
        steps: steps.into_iter().map(step_view).collect(),
    }
}

fn json<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, AppError> {
    serde_json::to_value(v).map_err(|e| internal(StoreError::Corrupt(e.to_string())))
}

fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

impl Lockstep {
    pub(crate) async fn project(&self, id: &str) -> Result<(ProjectRow, ProjectSpec), AppError> {
        let row =
            self.store.get_project(id).await.map_err(internal)?.ok_or_else(|| not_found(messages::project_gone()))?;
        let spec: ProjectSpec = serde_json::from_value(row.spec.clone())
            .map_err(|e| internal(StoreError::Corrupt(format!("project {id}: {e}"))))?;
        Ok((row, spec))
    }

    /// Whose AWS access work for `project` uses when no caller named it (the status schedule):
    /// its team's; a project without a team has none.
    pub(crate) async fn project_aws(&self, project: &ProjectRow) -> Result<crate::work::AwsAccess, AppError> {
        let Some(team_id) = &project.team_id else { return Ok(crate::work::AwsAccess::Orphan) };
        let team = self.store.get_team(team_id).await.map_err(internal)?;
        Ok(team.as_ref().map_or(crate::work::AwsAccess::Orphan, crate::accounts::team_aws))
    }

    pub(crate) async fn plan(&self, id: &str) -> Result<Option<NamePlan>, AppError> {
        let (row, _) = self.project(id).await?;
        Ok(plan_in(&row))
    }

    async fn save_plan_value(&self, project_id: &str, plan: &NamePlan) -> Result<(), AppError> {
        self.store.set_plan(project_id, &json(plan)?, self.clock.now_ms()).await.map_err(internal)?;
        info!(project_id, apex = %plan.apex, source = plan.source.key(), "name plan saved");
        Ok(())
    }

    /// The instance's public IPv4 address: typed in, or read from EC2.
    async fn public_ip(&self, spec: &ProjectSpec) -> Result<Ipv4Addr, lockstep_domain::Message> {
        match &spec.instance {
            InstanceRef::PublicIp(ip) => Ok(*ip),
            InstanceRef::Id(id) => match self.adapters.instances.public_ip(&spec.region, id).await {
                Ok(Some(ip)) => Ok(ip),
                Ok(None) => Err(messages::no_public_ipv4(id)),
                Err(e) => Err(messages::instance_unreadable(id, &spec.region, &e)),
            },
        }
    }

    /// `aws`: the team's AWS access (from [`crate::accounts::Access::aws`]), checked before the
    /// run starts; the run's steps act for the project's team (`jobs.rs`).
    pub(crate) async fn start_run(
        &self,
        aws: &crate::work::AwsAccess,
        by: &str,
        project_id: &str,
        kind: RunKind,
        input: serde_json::Value,
        steps: &[StepKind],
    ) -> Result<RunView, AppError> {
        self.may_use_aws(aws, kind, &input)?;
        // Nothing that creates starts while a teardown deletes: the teardown works from the
        // ledger it was given, and would delete a record a new run had just written (the free
        // path's A record and the load balancer's alias share a name and a type).
        if creates(kind) && self.active_view(project_id, RunKind::Teardown).await?.is_some() {
            return Err(AppError::User(messages::teardown_still_deleting()));
        }
        let run = NewRun {
            id: new_id(),
            project_id: project_id.to_string(),
            kind,
            input,
            steps: steps.iter().map(|k| (new_id(), *k)).collect(),
            started_by: Some(by.to_string()).filter(|b| !b.is_empty()),
        };
        self.store.create_run(&run, self.clock.now_ms()).await.map_err(internal)?;
        info!(project_id, run_id = %run.id, kind = %kind, "run started");
        self.engine.wake();
        let (run, steps) =
            self.store.get_run(&run.id).await.map_err(internal)?.ok_or_else(|| not_found(messages::run_gone()))?;
        Ok(run_view(run, steps))
    }

    /// Refuses a run of `kind` that would call AWS for a team that may not (real AWS, no role of
    /// its own, not allowed the server's credentials): said before anything starts, rather
    /// than as the first step's failure.
    fn may_use_aws(
        &self,
        aws: &crate::work::AwsAccess,
        kind: RunKind,
        input: &serde_json::Value,
    ) -> Result<(), AppError> {
        match self.adapters.authority.resolve(Some(aws)) {
            Err(why) if needs_aws(kind, input) => {
                Err(AppError::User(crate::steps::no_aws_access(&messages::starting_this_step(), &why)))
            }
            _ => Ok(()),
        }
    }

    /// The project's latest run of `kind`, as the timeline shows it.
    async fn latest_view(&self, project_id: &str, kind: RunKind) -> Result<Option<RunView>, AppError> {
        self.project(project_id).await?;
        Ok(self.store.latest_run(project_id, kind).await.map_err(internal)?.map(|(r, s)| run_view(r, s)))
    }

    /// The project's run of `kind` when one is still active (a double click, or a second team
    /// member, gets it back instead of starting another).
    pub(crate) async fn active_view(&self, project_id: &str, kind: RunKind) -> Result<Option<RunView>, AppError> {
        Ok(self
            .store
            .latest_run(project_id, kind)
            .await
            .map_err(internal)?
            .filter(|(run, _)| run.status == RunStatus::Active)
            .map(|(r, s)| run_view(r, s)))
    }
}

fn join_names(v: &[DomainName]) -> String {
    v.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
}

fn no_names_yet() -> AppError {
    AppError::User(messages::no_names_yet())
}
