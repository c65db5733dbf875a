//! The application service: what the UI's server functions call ([`app::api::ssr::Api`]).
//!
//! It validates input, stores projects, derives the name plan, and starts wizard runs on the
//! job engine. It knows ports and the store, never an SDK or a SQL dialect.

use crate::clock::Clock;
use crate::jobs::Engine;
use crate::ports::{DnsZones, PortError};
use crate::steps::cert::{self, CertInput};
use crate::store::{NewRun, ProjectRow, RunRow, StepRow, Store, StoreError};
use app::api::ssr::Api;
use app::model::*;
use async_trait::async_trait;
use lockstep_domain::{DomainName, ProjectInput, ProjectSpec, Region, RunStatus, RunView, StepView, UserError};
use std::sync::Arc;
use tracing::{error, info};

pub struct Lockstep {
    pub store: Arc<dyn Store>,
    pub dns: Arc<dyn DnsZones>,
    pub clock: Arc<dyn Clock>,
    pub engine: Engine,
    pub env: EnvInfo,
}

fn internal(e: StoreError) -> AppError {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..8].to_string();
    error!(reference, error = %e, "store error");
    AppError::Internal(reference)
}

fn aws_error(doing: &str, e: PortError) -> AppError {
    let (why, fix) = match &e {
        PortError::Throttled(_) | PortError::Unavailable(_) => {
            (format!("AWS did not answer properly ({e})."), "Wait a moment and try again.".to_string())
        }
        PortError::Denied { .. } => (
            format!("The credentials lockstep uses are not allowed to do this ({e})."),
            "Give lockstep's IAM user or role Route 53 and ACM permissions, then try again.".to_string(),
        ),
        _ => (e.to_string(), "Check the AWS console, then try again.".to_string()),
    };
    AppError::User(UserError { what: format!("Could not finish {doing}."), why, fix })
}

fn not_found(what: &str) -> AppError {
    AppError::NotFound(format!("{what} does not exist (it may have been deleted)"))
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
    }
}

pub fn run_view(run: RunRow, steps: Vec<StepRow>) -> RunView {
    RunView {
        id: run.id,
        project_id: run.project_id,
        kind: run.kind,
        status: run.status,
        created_at: run.created_at,
        finished_at: run.finished_at,
        steps: steps.into_iter().map(step_view).collect(),
    }
}

/// The default name plan for a zone: frontend on the apex and `www.`, backend on `api.`.
pub fn default_plan(zone_id: &str, zone: &DomainName) -> Result<NamePlanView, AppError> {
    let www = zone.child("www").map_err(|e| bad_zone(zone, e))?;
    let api = zone.child("api").map_err(|e| bad_zone(zone, e))?;
    Ok(NamePlanView {
        zone_id: zone_id.to_string(),
        zone_name: zone.to_string(),
        frontend: vec![zone.to_string(), www.to_string()],
        api: api.to_string(),
    })
}

fn bad_zone(zone: &DomainName, e: lockstep_domain::NameError) -> AppError {
    AppError::User(UserError {
        what: format!("Names under {zone} are too long."),
        why: e.to_string(),
        fix: "Use a shorter domain.".into(),
    })
}

impl Lockstep {
    async fn project(&self, id: &str) -> Result<(ProjectRow, ProjectSpec), AppError> {
        let row = self.store.get_project(id).await.map_err(internal)?.ok_or_else(|| not_found("This project"))?;
        let spec: ProjectSpec = serde_json::from_value(row.spec.clone())
            .map_err(|e| internal(StoreError::Corrupt(format!("project {id}: {e}"))))?;
        Ok((row, spec))
    }
}

#[async_trait]
impl Api for Lockstep {
    fn environment(&self) -> EnvInfo {
        self.env.clone()
    }

    async fn list_projects(&self) -> Result<Vec<ProjectSummary>, AppError> {
        let rows = self.store.list_projects().await.map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|r| ProjectSummary {
                region: r.spec["region"].as_str().unwrap_or_default().to_string(),
                zone_name: r.plan.as_ref().and_then(|p| p["zone_name"].as_str()).map(str::to_string),
                id: r.id,
                name: r.name,
                created_at: r.created_at,
            })
            .collect())
    }

    async fn create_project(&self, input: ProjectInput) -> Result<CreateOutcome, AppError> {
        let spec = match input.parse() {
            Ok(spec) => spec,
            Err(errors) => return Ok(CreateOutcome::Invalid(errors)),
        };
        let id = uuid::Uuid::now_v7().simple().to_string();
        let row = ProjectRow {
            id: id.clone(),
            name: spec.name.clone(),
            spec: serde_json::to_value(&spec).map_err(|e| internal(StoreError::Corrupt(e.to_string())))?,
            plan: None,
            created_at: self.clock.now_ms(),
        };
        self.store.insert_project(&row).await.map_err(internal)?;
        info!(project_id = %id, "project created");
        Ok(CreateOutcome::Created(id))
    }

    async fn get_project(&self, id: &str) -> Result<ProjectView, AppError> {
        let (row, spec) = self.project(id).await?;
        let plan = row.plan.and_then(|p| serde_json::from_value(p).ok());
        Ok(ProjectView { id: row.id, spec, plan, created_at: row.created_at })
    }

    async fn delete_project(&self, id: &str) -> Result<(), AppError> {
        if self.store.delete_project(id).await.map_err(internal)? {
            info!(project_id = %id, "project deleted");
            Ok(())
        } else {
            Err(not_found("This project"))
        }
    }

    async fn list_zones(&self) -> Result<Vec<ZoneChoice>, AppError> {
        let zones = self.dns.list_zones().await.map_err(|e| aws_error("listing your Route 53 hosted zones", e))?;
        Ok(zones
            .into_iter()
            .map(|z| ZoneChoice { id: z.id, name: z.name, private: z.private, record_count: z.record_count })
            .collect())
    }

    async fn choose_zone(&self, project_id: &str, zone_id: &str) -> Result<NamePlanView, AppError> {
        self.project(project_id).await?;
        let zone = self.dns.get_zone(zone_id).await.map_err(|e| aws_error("reading the hosted zone", e))?;
        if zone.private {
            return Err(AppError::User(UserError {
                what: format!("{} is a private hosted zone.", zone.name),
                why: "Private zones answer only inside a VPC; browsers and ACM cannot see their records.".into(),
                fix: "Pick the public hosted zone for your domain.".into(),
            }));
        }
        let name = DomainName::parse(&zone.name).map_err(|e| {
            AppError::User(UserError {
                what: format!("The zone name \"{}\" is not a usable domain name.", zone.name),
                why: e.to_string(),
                fix: "Pick another hosted zone.".into(),
            })
        })?;
        let plan = default_plan(&zone.id, &name)?;
        let value = serde_json::to_value(&plan).map_err(|e| internal(StoreError::Corrupt(e.to_string())))?;
        self.store.set_plan(project_id, &value, self.clock.now_ms()).await.map_err(internal)?;
        info!(project_id, zone = %name, "name plan saved");
        Ok(plan)
    }

    async fn start_certificate(&self, project_id: &str) -> Result<RunView, AppError> {
        let view = self.get_project(project_id).await?;
        let Some(plan) = view.plan else {
            return Err(AppError::User(UserError {
                what: "This project has no domain yet.".into(),
                why: "The certificate is issued for the project's names, which come from its domain.".into(),
                fix: "Choose a hosted zone in step 1 first.".into(),
            }));
        };
        // A double click, or a second team member, must not start a second run.
        if let Some((run, steps)) = self.store.latest_run(project_id, cert::RUN_KIND).await.map_err(internal)? {
            if run.status != RunStatus::Failed {
                return Ok(run_view(run, steps));
            }
        }
        let names = plan
            .all_names()
            .iter()
            .map(|n| DomainName::parse(n))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| internal(StoreError::Corrupt(e.to_string())))?;
        let input = CertInput {
            region: Region::us_east_1(),
            names,
            zone_id: plan.zone_id.clone(),
            zone_name: DomainName::parse(&plan.zone_name).map_err(|e| internal(StoreError::Corrupt(e.to_string())))?,
        };
        let run = NewRun {
            id: uuid::Uuid::now_v7().simple().to_string(),
            project_id: project_id.to_string(),
            kind: cert::RUN_KIND.to_string(),
            input: serde_json::to_value(&input).map_err(|e| internal(StoreError::Corrupt(e.to_string())))?,
            steps: cert::STEPS.iter().map(|k| (uuid::Uuid::now_v7().simple().to_string(), *k)).collect(),
        };
        self.store.create_run(&run, self.clock.now_ms()).await.map_err(internal)?;
        info!(project_id, run_id = %run.id, "certificate run started");
        self.engine.wake();
        let (run, steps) = self.store.get_run(&run.id).await.map_err(internal)?.ok_or_else(|| not_found("The run"))?;
        Ok(run_view(run, steps))
    }

    async fn latest_run(&self, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.project(project_id).await?;
        Ok(self.store.latest_run(project_id, cert::RUN_KIND).await.map_err(internal)?.map(|(r, s)| run_view(r, s)))
    }
}
