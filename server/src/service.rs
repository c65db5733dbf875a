//! The application service: what the UI's server functions call ([`app::api::ssr::Api`]).
//!
//! It validates input, stores projects, derives the name plan, and starts wizard runs on the
//! job engine. It knows ports and the store, never an SDK or a SQL dialect.

use crate::clock::Clock;
use crate::jobs::Engine;
use crate::ports::{Availability, InsideQuery, PortError};
use crate::steps::alb::{self as alb_steps, AlbInput};
use crate::steps::cert::{self, CertChoice, CertInput};
use crate::steps::cloudfront::{self as cdn_steps, CdnInput, InvalidateInput};
use crate::steps::doctor::{self as doctor_steps, DoctorInput};
use crate::steps::domain::{self as domain_steps, DomainInput};
use crate::steps::nginx::{self as nginx_steps, NginxInput};
use crate::steps::teardown::{self as teardown_steps, TeardownInput};
use crate::store::ProjectDeleted;
use crate::store::{NewRun, ProjectRow, RunRow, StepRow, Store, StoreError};
use crate::Adapters;
use app::api::ssr::{Api, Caller};
use app::model::*;
use async_trait::async_trait;
use lockstep_domain::account::{Need, SignUpForm};
use lockstep_domain::contact::ContactInput;
use lockstep_domain::ledger::ResourceChanges;
use lockstep_domain::plan::{DomainSource, MagicProvider, NamePlan, PlanInput, MAGIC_WARNING};
use lockstep_domain::RunKind;
use lockstep_domain::{
    DomainName, InstanceRef, ProjectInput, ProjectSpec, Region, RunStatus, RunView, StepKind, StepView, UserError,
};
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

fn aws_error(doing: &str, doing_ko: &str, e: PortError) -> AppError {
    let (why, fix, why_ko, fix_ko) = match &e {
        PortError::Throttled(_) | PortError::Unavailable(_) => (
            format!("AWS did not answer properly ({e})."),
            "Wait a moment and try again.".to_string(),
            format!("AWS가 제대로 응답하지 않았습니다 ({e})."),
            "잠시 기다린 뒤 다시 시도하세요.".to_string(),
        ),
        PortError::TeamRole { role_arn, code, message } => {
            let task = lockstep_domain::msg(doing, doing_ko);
            return AppError::User(crate::steps::team_role_refused(&task, role_arn, code, message));
        }
        PortError::NoAccess(why) => {
            let task = lockstep_domain::msg(doing, doing_ko);
            return AppError::User(crate::steps::no_aws_access(&task, why));
        }
        // Through a team's role, AWS's "denied" and "not found" mostly mean "not in your team's
        // account" (another team's zone, instance or bucket): said so, without the SDK's text.
        PortError::Denied { code, .. } if through_team_role() => (
            format!("AWS answered {code}: your team's AWS role may not do this, or what was asked for belongs to another AWS account."),
            "Choose something in your team's own AWS account. If it is yours, an owner gives the team's role the permission in IAM (Roles, the role, Permissions), then try again.".to_string(),
            format!("AWS가 {code}로 응답했습니다. 팀의 AWS 역할에 이 작업 권한이 없거나, 요청한 대상이 다른 AWS 계정의 것입니다."),
            "팀 자신의 AWS 계정에 있는 것을 고르세요. 팀의 것이 맞다면 소유자가 IAM(역할, 해당 역할, 권한)에서 팀 역할에 권한을 준 뒤 다시 시도하세요.".to_string(),
        ),
        PortError::Denied { code, .. } => (
            format!("AWS answered {code}: the credentials lockstep uses are not allowed to do this."),
            "Give lockstep's IAM user or role the permission (Route 53, ACM, EC2, S3 as the step needs), then try again.".to_string(),
            format!("AWS가 {code}로 응답했습니다. lockstep이 사용하는 자격 증명에는 이 작업을 할 권한이 없습니다."),
            "lockstep의 IAM 사용자 또는 역할에 필요한 권한(단계에 따라 Route 53, ACM, EC2, S3)을 부여한 뒤 다시 시도하세요.".to_string(),
        ),
        PortError::NotFound(_) => {
            let (en, ko) = account_words();
            (
                format!("AWS found no such thing in {en}: lockstep sees only that account, so it may be another team's, in another region, or deleted."),
                "Choose one from your team's own account (the lists show only those), or create it there first, then try again.".to_string(),
                format!("{ko}에서 AWS가 그것을 찾지 못했습니다. lockstep은 그 계정만 보므로, 다른 팀의 것이거나 다른 리전에 있거나 삭제되었을 수 있습니다."),
                "팀 자신의 계정에 있는 것을 고르거나(목록에는 그것만 보입니다) 먼저 그곳에 만든 뒤 다시 시도하세요.".to_string(),
            )
        }
        _ => (
            e.to_string(),
            "Check the AWS console, then try again.".to_string(),
            e.to_string(),
            "AWS 콘솔을 확인한 뒤 다시 시도하세요.".to_string(),
        ),
    };
    AppError::User(UserError {
        ko: lockstep_domain::ko(format!("{doing_ko} 작업을 마치지 못했습니다."), why_ko, fix_ko),
        what: format!("Could not finish {doing}."),
        why,
        fix,
    })
}

/// Whether this action's AWS calls go through its team's own role.
fn through_team_role() -> bool {
    matches!(app::api::ssr::aws_access(), Some(app::api::ssr::AwsAccess::Team { role: Some(_), .. }))
}

/// The account this action's AWS calls see, in English and Korean.
fn account_words() -> (&'static str, &'static str) {
    if through_team_role() {
        ("your team's AWS account", "팀의 AWS 계정")
    } else {
        ("the AWS account lockstep uses", "lockstep이 사용하는 AWS 계정")
    }
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

fn user(
    what: impl Into<String>,
    why: impl Into<String>,
    fix: impl Into<String>,
    ko: Option<Box<lockstep_domain::Said>>,
) -> AppError {
    AppError::User(UserError { ko, what: what.into(), why: why.into(), fix: fix.into() })
}

fn json<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, AppError> {
    serde_json::to_value(v).map_err(|e| internal(StoreError::Corrupt(e.to_string())))
}

fn new_id() -> String {
    uuid::Uuid::now_v7().simple().to_string()
}

impl Lockstep {
    pub(crate) async fn project(&self, id: &str) -> Result<(ProjectRow, ProjectSpec), AppError> {
        let row = self.store.get_project(id).await.map_err(internal)?.ok_or_else(|| not_found("This project"))?;
        let spec: ProjectSpec = serde_json::from_value(row.spec.clone())
            .map_err(|e| internal(StoreError::Corrupt(format!("project {id}: {e}"))))?;
        Ok((row, spec))
    }

    pub(crate) async fn plan(&self, id: &str) -> Result<Option<NamePlan>, AppError> {
        let (row, _) = self.project(id).await?;
        Ok(row.plan.and_then(|p| serde_json::from_value(p).ok()))
    }

    async fn save_plan_value(&self, project_id: &str, plan: &NamePlan) -> Result<(), AppError> {
        self.store.set_plan(project_id, &json(plan)?, self.clock.now_ms()).await.map_err(internal)?;
        info!(project_id, apex = %plan.apex, source = plan.source.key(), "name plan saved");
        Ok(())
    }

    /// The instance's public IPv4 address: typed in, or read from EC2.
    async fn public_ip(&self, spec: &ProjectSpec) -> Result<Ipv4Addr, String> {
        match &spec.instance {
            InstanceRef::PublicIp(ip) => Ok(*ip),
            InstanceRef::Id(id) => match self.adapters.instances.public_ip(&spec.region, id).await {
                Ok(Some(ip)) => Ok(ip),
                Ok(None) => Err(format!("The instance {id} has no public IPv4 address, so nip.io / sslip.io cannot point at it. Give it a public IP (or an Elastic IP) in the EC2 console.")),
                Err(e) => Err(format!("lockstep could not read the instance {id} in {} ({e}). Enter its public IPv4 address in the project instead of the id.", spec.region)),
            },
        }
    }

    /// What the doctor checks for a project: its API (and frontend origin), the CAs CAA must
    /// allow, and where to look inside the account.
    pub(crate) fn doctor_input(&self, spec: &ProjectSpec, plan: &NamePlan) -> DoctorInput {
        let (http_port, https_port) = self.adapters.probe_ports;
        let port = if https_port == 443 { String::new() } else { format!(":{https_port}") };
        DoctorInput {
            url: format!("https://{}{port}/", plan.api.as_str()),
            origin: plan.frontend.first().map(|f| format!("https://{}{port}", f.as_str())),
            health_path: Some(spec.health_path.as_str().to_string()),
            expect: Vec::new(),
            // ACM validates through the hosted zone; a magic name gets Let's Encrypt via certbot.
            issuers: vec![if plan.source.has_zone() { "amazon.com" } else { "letsencrypt.org" }.to_string()],
            app_port: Some(spec.app_port),
            credentials: false,
            http_port,
            https_port,
            aws: Some(InsideQuery {
                region: spec.region.clone(),
                instance_id: match &spec.instance {
                    InstanceRef::Id(id) => Some(id.clone()),
                    _ => None,
                },
                app_port: spec.app_port,
                bucket: Some(spec.bucket.to_string()),
            }),
        }
    }

    pub(crate) async fn start_run(
        &self,
        by: &str,
        project_id: &str,
        kind: RunKind,
        input: serde_json::Value,
        steps: &[StepKind],
    ) -> Result<RunView, AppError> {
        self.may_use_aws(kind, &input)?;
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
        let (run, steps) = self.store.get_run(&run.id).await.map_err(internal)?.ok_or_else(|| not_found("The run"))?;
        Ok(run_view(run, steps))
    }

    /// Refuses a run of `kind` that would call AWS for a team that may not (real AWS, no role of
    /// its own, not allowed the server's credentials): said before anything starts, rather
    /// than as the first step's failure.
    fn may_use_aws(&self, kind: RunKind, input: &serde_json::Value) -> Result<(), AppError> {
        match self.adapters.authority.now() {
            Err(why) if needs_aws(kind, input) => Err(AppError::User(crate::steps::no_aws_access(
                &lockstep_domain::msg("starting this step", "이 단계 시작"),
                &why,
            ))),
            _ => Ok(()),
        }
    }

    /// Real AWS: the instance and bucket a new project names must be in the team's own account,
    /// looked up through the team's role (AWS answers "not found" or "denied" for another
    /// team's), so a project cannot point lockstep at what the team does not own.
    async fn resources_not_in_account(&self, spec: &ProjectSpec) -> Result<lockstep_domain::FieldErrors, AppError> {
        let mut errors = lockstep_domain::FieldErrors::default();
        let (account, account_ko) = account_words();
        if let InstanceRef::Id(id) = &spec.instance {
            match self.adapters.instances.public_ip(&spec.region, id).await {
                Ok(_) => {}
                Err(PortError::NotFound(_) | PortError::Denied { .. }) => {
                    let region = &spec.region;
                    errors.0.insert(
                        lockstep_domain::Field::Instance,
                        lockstep_domain::msg(
                            format!("There is no instance {id} in {region} in {account} (lockstep looks only there). Check the id and the region in that account's EC2 console, or enter the instance's public IPv4 address."),
                            format!("{account_ko}의 {region}에 인스턴스 {id}가 없습니다(lockstep은 그 계정만 봅니다). 그 계정의 EC2 콘솔에서 ID와 리전을 확인하거나, 인스턴스의 퍼블릭 IPv4 주소를 입력하세요."),
                        ),
                    );
                }
                Err(e) => return Err(aws_error("checking the instance", "인스턴스 확인", e)),
            }
        }
        let bucket = spec.bucket.as_str();
        match self.adapters.buckets.region(&spec.region, bucket).await {
            Ok(_) => {}
            Err(PortError::NotFound(_)) => {
                errors.0.insert(
                    lockstep_domain::Field::Bucket,
                    lockstep_domain::msg(
                        format!("There is no S3 bucket {bucket} in {account}. Create it there first (S3 console), then create the project."),
                        format!("{account_ko}에 S3 버킷 {bucket}이(가) 없습니다. 먼저 S3 콘솔에서 만든 뒤 프로젝트를 만드세요."),
                    ),
                );
            }
            Err(PortError::Denied { .. }) => {
                errors.0.insert(
                    lockstep_domain::Field::Bucket,
                    lockstep_domain::msg(
                        format!("The S3 bucket {bucket} is not in {account} (or the account's access may not read it). Bucket names are shared by all of AWS: use a bucket your team owns."),
                        format!("S3 버킷 {bucket}은(는) {account_ko}에 있지 않습니다(또는 그 계정의 권한으로 읽을 수 없습니다). 버킷 이름은 AWS 전체에서 공유되니, 팀이 소유한 버킷을 쓰세요."),
                    ),
                );
            }
            Err(e) => return Err(aws_error("checking the S3 bucket", "S3 버킷 확인", e)),
        }
        Ok(errors)
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

    /// Starts a domain run; an active one for the project is returned instead.
    async fn start_domain_run(&self, by: &str, project_id: &str, input: DomainInput) -> Result<RunView, AppError> {
        if let Some((run, steps)) = self.store.latest_run(project_id, domain_steps::RUN_KIND).await.map_err(internal)? {
            if run.status == RunStatus::Active {
                let same: Option<DomainInput> = serde_json::from_value(run.input.clone()).ok();
                if same.as_ref() == Some(&input) {
                    return Ok(run_view(run, steps));
                }
                return Err(user(
                    "Another domain change is still in progress for this project.",
                    "Two domain runs at once could leave the project with two different plans.",
                    "Wait for it to finish (or fail), then choose again.",
                    lockstep_domain::ko(
                        "이 프로젝트에서 다른 도메인 변경이 아직 진행 중입니다.",
                        "도메인 작업 두 개가 동시에 진행되면 프로젝트에 서로 다른 계획 두 개가 남을 수 있습니다.",
                        "그 작업이 끝나거나 실패할 때까지 기다린 뒤 다시 선택하세요.",
                    ),
                ));
            }
        }
        let steps = input.steps();
        self.start_run(by, project_id, domain_steps::RUN_KIND, json(&input)?, &steps).await
    }
}

#[async_trait]
impl Api for Lockstep {
    fn environment(&self) -> EnvInfo {
        self.env.clone()
    }

    async fn list_projects(&self, who: &Caller) -> Result<Vec<ProjectSummary>, AppError> {
        let user = self.signed_in(who).await?;
        let teams = self.store.teams_of(&user.id).await.map_err(internal)?;
        let rows = self.store.projects_of_user(&user.id).await.map_err(internal)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| {
                let (team, role) = teams.iter().find(|(t, _)| Some(&t.id) == r.team_id.as_ref())?;
                Some((r, team.name.clone(), lockstep_domain::account::Role::from_key(role)?))
            })
            .map(|(r, team_name, role)| ProjectSummary {
                team_name,
                role,
                region: r.spec["region"].as_str().unwrap_or_default().to_string(),
                zone_name: r.plan.as_ref().and_then(|p| p["zone_name"].as_str()).map(str::to_string),
                id: r.id,
                name: r.name,
                created_at: r.created_at,
            })
            .collect())
    }

    async fn create_project(
        &self,
        who: &Caller,
        team_id: &str,
        input: ProjectInput,
    ) -> Result<CreateOutcome, AppError> {
        self.team_access(who, team_id, Need::Act).await?;
        let spec = match input.parse() {
            Ok(spec) => spec,
            Err(errors) => return Ok(CreateOutcome::Invalid(errors)),
        };
        if self.adapters.authority.is_real() {
            let errors = self.resources_not_in_account(&spec).await?;
            if !errors.is_empty() {
                return Ok(CreateOutcome::Invalid(errors));
            }
        }
        let id = uuid::Uuid::now_v7().simple().to_string();
        let row = ProjectRow {
            id: id.clone(),
            name: spec.name.clone(),
            spec: serde_json::to_value(&spec).map_err(|e| internal(StoreError::Corrupt(e.to_string())))?,
            plan: None,
            team_id: Some(team_id.to_string()),
            created_at: self.clock.now_ms(),
        };
        self.store.insert_project(&row).await.map_err(internal)?;
        info!(project_id = %id, "project created");
        if let Some(world) = &self.adapters.sandbox_world {
            // The sandbox has none of the team's resources: make the bucket the project names.
            if let Err(e) = world.prepare_bucket(&spec.region, spec.bucket.as_str()).await {
                tracing::warn!(error = %e, "could not prepare the sandbox bucket");
            }
        }
        Ok(CreateOutcome::Created(id))
    }

    async fn get_project(&self, who: &Caller, id: &str) -> Result<ProjectView, AppError> {
        let a = self.guard(who, id, Need::Read).await?;
        let (row, spec) = self.project(id).await?;
        let plan = row.plan.and_then(|p| serde_json::from_value(p).ok());
        let public_ip = match &spec.instance {
            InstanceRef::PublicIp(ip) => Some(ip.to_string()),
            InstanceRef::Id(_) => None,
        };
        Ok(ProjectView {
            id: row.id,
            team_id: a.team.id,
            team_name: a.team.name,
            role: a.role,
            spec,
            plan,
            public_ip,
            created_at: row.created_at,
        })
    }

    async fn delete_project(&self, who: &Caller, id: &str) -> Result<(), AppError> {
        self.guard(who, id, Need::Manage).await?;
        match self.store.delete_project(id).await.map_err(internal)? {
            ProjectDeleted::Deleted => {
                info!(project_id = %id, "project deleted");
                Ok(())
            }
            ProjectDeleted::NotFound => Err(not_found("This project")),
            // Deleting now would orphan what the running step is creating in AWS, and its
            // later steps would have no project (issue 20).
            ProjectDeleted::RunActive => Err(AppError::User(UserError {
                ko: lockstep_domain::ko(
                    "프로젝트를 삭제하지 않았습니다: 이 프로젝트의 실행이 아직 진행 중입니다.",
                    "진행 중인 단계가 지금 AWS에 무언가를 만들고 있을 수 있습니다. 지금 삭제하면 그 리소스가 lockstep의 기록 없이 남아(비용이 계속 나갈 수 있습니다) 정리할 수 없게 됩니다.",
                    "실행이 끝날 때까지 기다리거나, 실행 옆의 \"취소\"를 누른 뒤 다시 삭제하세요. AWS에 만든 것도 지우려면 먼저 정리(teardown)를 실행하세요.",
                ),
                what: "The project was not deleted: one of its runs is still going.".into(),
                why: "The running step may be creating something in AWS right now. Deleting the project would leave that resource without lockstep's record of it (it may keep costing money) and nothing could tear it down.".into(),
                fix: "Wait until the run ends, or press \"Cancel\" beside it, then delete again. To remove what it made in AWS too, run the teardown first.".into(),
            })),
        }
    }

    async fn list_zones(&self, who: &Caller, project_id: &str) -> Result<Vec<ZoneChoice>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        let zones = self
            .adapters
            .dns
            .list_zones()
            .await
            .map_err(|e| aws_error("listing your Route 53 hosted zones", "Route 53 호스팅 영역 목록 조회", e))?;
        Ok(zones
            .into_iter()
            .map(|z| ZoneChoice { id: z.id, name: z.name, private: z.private, record_count: z.record_count })
            .collect())
    }

    async fn domain_choices(&self, who: &Caller, project_id: &str) -> Result<DomainChoices, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        let (_, spec) = self.project(project_id).await?;
        let (zones, zones_error) = match self.list_zones(who, project_id).await {
            Ok(z) => (z.into_iter().filter(|z| !z.private).collect(), None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        let (magic, magic_unavailable) = match self.public_ip(&spec).await {
            Ok(ip) => (
                MagicProvider::ALL
                    .into_iter()
                    .map(|p| MagicChoice { provider: p, name: p.name_for(ip).to_string() })
                    .collect(),
                None,
            ),
            Err(why) => (Vec::new(), Some(why)),
        };
        Ok(DomainChoices { zones, zones_error, magic, magic_unavailable, stand_in: self.adapters.registrar.stand_in() })
    }

    async fn choose_zone(&self, who: &Caller, project_id: &str, zone_id: &str) -> Result<NamePlan, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        self.project(project_id).await?;
        let zone = self
            .adapters
            .dns
            .get_zone(zone_id)
            .await
            .map_err(|e| aws_error("reading the hosted zone", "호스팅 영역 읽기", e))?;
        if zone.private {
            return Err(user(
                format!("{} is a private hosted zone.", zone.name),
                "Private zones answer only inside a VPC; browsers and ACM cannot see their records.",
                "Pick the public hosted zone for your domain.",
                lockstep_domain::ko(
                    format!("{}은(는) 프라이빗 호스팅 영역입니다.", zone.name),
                    "프라이빗 호스팅 영역은 VPC 안에서만 응답하므로, 브라우저와 ACM이 그 레코드를 볼 수 없습니다.",
                    "도메인의 퍼블릭 호스팅 영역을 고르세요.",
                ),
            ));
        }
        let name = DomainName::parse(&zone.name).map_err(|e| {
            user(
                format!("The zone name \"{}\" is not a usable domain name.", zone.name),
                e.to_string(),
                "Pick another hosted zone.",
                lockstep_domain::ko(
                    format!("호스팅 영역 이름 \"{}\"은(는) 사용할 수 있는 도메인 이름이 아닙니다.", zone.name),
                    e.ko(),
                    "다른 호스팅 영역을 고르세요.",
                ),
            )
        })?;
        let plan =
            NamePlan::default_for(DomainSource::ExistingZone, name.clone(), Some(zone.id.clone())).map_err(|e| {
                user(
                    format!("Names under {name} cannot be planned."),
                    e.to_string(),
                    "Use a shorter domain.",
                    lockstep_domain::ko(
                        format!("{name} 아래의 이름은 만들 수 없습니다."),
                        e.ko(),
                        "더 짧은 도메인을 사용하세요.",
                    ),
                )
            })?;
        self.save_plan_value(project_id, &plan).await?;
        // Check the delegation in the background; the result shows in the domain timeline.
        let input = DomainInput {
            source: DomainSource::ExistingZone,
            domain: name,
            zone_id: Some(
                lockstep_domain::ZoneId::parse(&zone.id).map_err(|e| internal(StoreError::Corrupt(e.to_string())))?,
            ),
            contact: None,
            years: 1,
        };
        self.start_domain_run(&a.user.id, project_id, input).await?;
        Ok(plan)
    }

    async fn use_other_registrar(
        &self,
        who: &Caller,
        project_id: &str,
        domain: &str,
    ) -> Result<DomainOutcome, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        self.project(project_id).await?;
        let name = match DomainName::parse(domain) {
            Ok(n) if n.is_wildcard() => {
                return Ok(DomainOutcome::Invalid(lockstep_domain::msg(
                    "Enter the domain itself, without *.",
                    "*. 없이 도메인 자체를 입력하세요.",
                )))
            }
            Ok(n) => n,
            Err(e) => return Ok(DomainOutcome::Invalid(e.message())),
        };
        let input =
            DomainInput { source: DomainSource::OtherRegistrar, domain: name, zone_id: None, contact: None, years: 1 };
        Ok(DomainOutcome::Started(self.start_domain_run(&a.user.id, project_id, input).await?))
    }

    async fn search_domain(&self, who: &Caller, project_id: &str, domain: &str) -> Result<SearchOutcome, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        let name = match DomainName::parse(domain) {
            Ok(n) if n.is_wildcard() || n.as_str().split('.').count() != 2 => {
                let like = n
                    .as_str()
                    .rsplitn(3, '.')
                    .take(2)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect::<Vec<_>>()
                    .join(".");
                let like = like.trim_start_matches("*.");
                return Ok(SearchOutcome::Invalid(lockstep_domain::msg(
                    format!("Enter the name to register without sub-domains, like {like}."),
                    format!("하위 도메인 없이 등록할 이름을 입력하세요. 예: {like}."),
                )));
            }
            Ok(n) => n,
            Err(e) => return Ok(SearchOutcome::Invalid(e.message())),
        };
        let r = &self.adapters.registrar;
        let tld = name.as_str().rsplit('.').next().unwrap_or_default().to_string();
        let availability = r
            .availability(&name)
            .await
            .map_err(|e| aws_error("checking the name's availability", "이름 사용 가능 여부 확인", e))?;
        let price =
            r.price(&tld).await.map_err(|e| aws_error("reading Route 53's price list", "Route 53 가격표 읽기", e))?;
        let suggestions = r.suggestions(&name, 6).await.unwrap_or_default();
        let (available, word) = match availability {
            Availability::Available => (true, "AVAILABLE".to_string()),
            Availability::Unavailable(w) => (false, w),
            Availability::Unknown(w) => (false, format!("unknown: {w}")),
        };
        Ok(SearchOutcome::Found(DomainSearch {
            domain: name.to_string(),
            available: available && price.is_some(),
            availability: if price.is_none() { format!("Route 53 does not sell .{tld} domains") } else { word },
            price: price.map(|p| PriceView {
                registration_cents: p.registration.0,
                renewal_cents: p.renewal.0,
                registration: p.registration.to_string(),
                renewal: p.renewal.to_string(),
            }),
            suggestions,
            stand_in: r.stand_in(),
        }))
    }

    async fn buy_domain(
        &self,
        who: &Caller,
        project_id: &str,
        domain: &str,
        confirm_cents: i64,
        contact: ContactInput,
    ) -> Result<BuyOutcome, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        self.project(project_id).await?;
        let contact = match contact.parse() {
            Ok(c) => c,
            Err(errors) => return Ok(BuyOutcome::Invalid(errors)),
        };
        let search = match self.search_domain(who, project_id, domain).await? {
            SearchOutcome::Found(s) => s,
            SearchOutcome::Invalid(why) => return Ok(BuyOutcome::Refused(why)),
        };
        let Some(price) = search.price.as_ref().filter(|_| search.available) else {
            let (domain, availability) = (&search.domain, &search.availability);
            return Ok(BuyOutcome::Refused(lockstep_domain::msg(
                format!("{domain} is not available ({availability}). Nothing was bought."),
                format!("{domain}은(는) 등록할 수 없습니다 ({availability}). 아무것도 구매하지 않았습니다."),
            )));
        };
        // The confirmation must name the price shown now: no purchase on a stale or missing tick.
        if confirm_cents != price.registration_cents {
            let (now, renewal) = (&price.registration, &price.renewal);
            return Ok(BuyOutcome::Refused(lockstep_domain::msg(
                format!(
                    "Tick the box that confirms the price ({now} now, {renewal} a year to renew) before buying. Nothing was bought."
                ),
                format!(
                    "구매하기 전에 가격(지금 {now}, 갱신 시 1년에 {renewal})을 확인하는 상자에 체크하세요. 아무것도 구매하지 않았습니다."
                ),
            )));
        }
        let name = DomainName::parse(&search.domain).map_err(|e| internal(StoreError::Corrupt(e.to_string())))?;
        let input = DomainInput {
            source: DomainSource::Route53Purchase,
            domain: name,
            zone_id: None,
            contact: Some(contact),
            years: 1,
        };
        Ok(BuyOutcome::Started(self.start_domain_run(&a.user.id, project_id, input).await?))
    }

    async fn use_magic(&self, who: &Caller, project_id: &str, provider: &str) -> Result<NamePlan, AppError> {
        self.guard(who, project_id, Need::Act).await?;
        let (_, spec) = self.project(project_id).await?;
        let provider = MagicProvider::ALL.into_iter().find(|p| p.suffix() == provider).ok_or_else(|| {
            user(
                "Unknown free-name service.",
                "Only nip.io and sslip.io are offered.",
                "Pick one of the two.",
                lockstep_domain::ko(
                    "알 수 없는 무료 이름 서비스입니다.",
                    "nip.io와 sslip.io만 제공됩니다.",
                    "둘 중 하나를 고르세요.",
                ),
            )
        })?;
        let ip = self
            .public_ip(&spec)
            .await
            .map_err(|why| {
                user(
                    "No free name can be made for this instance.",
                    why.clone(),
                    MAGIC_WARNING,
                    lockstep_domain::ko(
                        "이 인스턴스에는 무료 이름을 만들 수 없습니다.",
                        why,
                        "nip.io와 sslip.io는 Public Suffix List에 없기 때문에, Let's Encrypt는 이 서비스의 모든 사용자를 합쳐 일주일에 인증서 50개라는 하나의 한도로 셉니다. 여러분의 잘못이 없어도 \"too many certificates already issued\"로 발급이 실패할 수 있습니다. 먼저 Let's Encrypt staging 엔드포인트(lockstep의 staging 스위치)로 연습하고, 실제 인증서는 한 번만 발급하세요. 직접 가진 도메인을 쓰면 이 한도는 여러분만의 것입니다.",
                    ),
                )
            })?;
        let plan = NamePlan::magic(provider, ip);
        self.save_plan_value(project_id, &plan).await?;
        Ok(plan)
    }

    async fn save_plan(&self, who: &Caller, project_id: &str, input: PlanInput) -> Result<PlanOutcome, AppError> {
        self.guard(who, project_id, Need::Act).await?;
        let Some(old) = self.plan(project_id).await? else {
            return Err(user(
                "This project has no domain yet.",
                "Names are planned from a domain.",
                "Choose a domain first.",
                lockstep_domain::ko(
                    "이 프로젝트에는 아직 도메인이 없습니다.",
                    "이름은 도메인을 바탕으로 정해집니다.",
                    "먼저 도메인을 선택하세요.",
                ),
            ));
        };
        let new = match old.edit(&input) {
            Ok(p) => p,
            Err(errors) => return Ok(PlanOutcome::Invalid(errors)),
        };
        let diff = old.diff(&new);
        let mut redo = Vec::new();
        let mut reissue = false;
        if !diff.is_empty() {
            if let Some((run, _)) = self.store.latest_run(project_id, cert::RUN_KIND).await.map_err(internal)? {
                let covered: Option<CertInput> = serde_json::from_value(run.input).ok();
                let missing: Vec<String> = new
                    .all_names()
                    .iter()
                    .filter(|n| !covered.as_ref().is_some_and(|c| c.names.iter().any(|cn| cn.covers(n))))
                    .map(|n| n.to_string())
                    .collect();
                if !missing.is_empty() {
                    reissue = true;
                    redo.push(format!(
                        "The certificate does not cover {}: lockstep has started a new certificate request for the new names (step 2).",
                        missing.join(", ")
                    ));
                }
            }
            if !diff.removed.is_empty() {
                redo.push(format!(
                    "Records made for {} are no longer used; teardown removes them.",
                    diff.removed.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
                ));
            }
        }
        self.save_plan_value(project_id, &new).await?;
        // What the new names need is done, not just listed: a new certificate run.
        if reissue {
            if let Err(e) = self.start_certificate(who, project_id).await {
                redo.push(format!("The new certificate request could not start: {e}"));
            }
        }
        Ok(PlanOutcome::Saved { plan: new, redo })
    }

    async fn latest_domain_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, domain_steps::RUN_KIND).await
    }

    async fn recheck(&self, who: &Caller, run_id: &str) -> Result<(), AppError> {
        self.guard_run(who, run_id, Need::Act).await?;
        self.store.get_run(run_id).await.map_err(internal)?.ok_or_else(|| not_found("This run"))?;
        self.store.poll_now(run_id, self.clock.now_ms()).await.map_err(internal)?;
        self.engine.wake();
        Ok(())
    }

    async fn sandbox_registrar_updated(&self, who: &Caller, project_id: &str) -> Result<(), AppError> {
        self.guard(who, project_id, Need::Act).await?;
        let Some(sandbox) = &self.adapters.sandbox_dns else {
            return Err(user(
                "This only exists in the sandbox.",
                "With real AWS, lockstep checks the real registrar.",
                "Change the name servers at your registrar.",
                lockstep_domain::ko(
                    "이 기능은 샌드박스에만 있습니다.",
                    "실제 AWS에서는 lockstep이 실제 도메인 등록 대행자(registrar)를 확인합니다.",
                    "도메인 등록 대행자에서 네임서버를 바꾸세요.",
                ),
            ));
        };
        let plan = self.plan(project_id).await?.ok_or_else(|| not_found("This project's domain"))?;
        sandbox.registrar_updated(&plan.apex);
        if let Some((run, _)) = self.store.latest_run(project_id, domain_steps::RUN_KIND).await.map_err(internal)? {
            self.recheck(who, &run.id).await?;
        }
        Ok(())
    }

    async fn start_certificate(&self, who: &Caller, project_id: &str) -> Result<RunView, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        let Some(plan) = self.plan(project_id).await? else {
            return Err(user(
                "This project has no domain yet.",
                "The certificate is issued for the project's names, which come from its domain.",
                "Choose a domain in step 1 first.",
                lockstep_domain::ko(
                    "이 프로젝트에는 아직 도메인이 없습니다.",
                    "인증서는 프로젝트의 이름에 대해 발급되고, 그 이름은 도메인을 바탕으로 정해집니다.",
                    "먼저 1단계에서 도메인을 선택하세요.",
                ),
            ));
        };
        let Some(zone_id) = plan.zone_id.clone().filter(|_| plan.source.has_zone()) else {
            return Err(user(
                format!("{} is a free magic name: ACM cannot validate it.", plan.apex),
                "ACM proves control of a name with a DNS record in your own hosted zone; nobody can add records to nip.io or sslip.io.",
                "Use the Nginx + Certbot path (Let's Encrypt checks over HTTP), or choose your own domain in step 1.",
                lockstep_domain::ko(
                    format!("{}은(는) 무료 매직 이름이라 ACM이 검증할 수 없습니다.", plan.apex),
                    "ACM은 여러분의 호스팅 영역에 있는 DNS 레코드로 이름의 소유를 확인하는데, nip.io나 sslip.io에는 아무도 레코드를 추가할 수 없습니다.",
                    "Nginx + Certbot 경로를 사용하거나(Let's Encrypt는 HTTP로 확인합니다), 1단계에서 직접 가진 도메인을 선택하세요.",
                ),
            ));
        };
        let names = plan.all_names();
        // A double click, or a second team member, must not start a second run for the same
        // names; new names (an edited plan) do start a new one.
        if let Some((run, steps)) = self.store.latest_run(project_id, cert::RUN_KIND).await.map_err(internal)? {
            let same_names = serde_json::from_value::<CertInput>(run.input.clone()).is_ok_and(|c| c.names == names);
            if run.status != RunStatus::Failed && same_names {
                return Ok(run_view(run, steps));
            }
            if run.status == RunStatus::Active {
                return Err(user(
                    "A certificate request for the previous names is still running.",
                    "Two requests at once would leave two certificates to clean up.",
                    "Wait for it to finish, then request the certificate for the new names.",
                    lockstep_domain::ko(
                        "이전 이름에 대한 인증서 요청이 아직 진행 중입니다.",
                        "요청 두 개가 동시에 진행되면 정리해야 할 인증서가 두 개 남습니다.",
                        "그 요청이 끝날 때까지 기다린 뒤, 새 이름에 대한 인증서를 요청하세요.",
                    ),
                ));
            }
        }
        let input = CertInput {
            region: Region::us_east_1(),
            names,
            zone_id: lockstep_domain::ZoneId::parse(&zone_id)
                .map_err(|e| internal(StoreError::Corrupt(e.to_string())))?,
            zone_name: plan.apex.clone(),
            choice: CertChoice::Auto,
        };
        self.start_run(&a.user.id, project_id, cert::RUN_KIND, json(&input)?, &cert::STEPS).await
    }

    async fn latest_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, cert::RUN_KIND).await
    }

    async fn start_doctor(&self, who: &Caller, project_id: &str) -> Result<RunView, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        let (_, spec) = self.project(project_id).await?;
        let Some(plan) = self.plan(project_id).await? else {
            return Err(user(
                "This project has no names to check yet.",
                "The doctor checks the project's API and frontend names, which come from its domain.",
                "Choose a domain in step 1 first; or check any URL with `lockstep doctor https://...` in a terminal.",
                lockstep_domain::ko(
                    "이 프로젝트에는 아직 점검할 이름이 없습니다.",
                    "HTTPS 점검은 프로젝트의 API와 프론트엔드 이름을 확인하는데, 그 이름은 도메인을 바탕으로 정해집니다.",
                    "먼저 1단계에서 도메인을 선택하세요. 또는 터미널에서 `lockstep doctor https://...`로 아무 URL이나 점검할 수 있습니다.",
                ),
            ));
        };
        if let Some(run) = self.active_view(project_id, doctor_steps::RUN_KIND).await? {
            return Ok(run);
        }
        let input = self.doctor_input(&spec, &plan);
        self.start_run(&a.user.id, project_id, doctor_steps::RUN_KIND, json(&input)?, &[StepKind::DoctorCheck]).await
    }

    async fn latest_doctor_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, doctor_steps::RUN_KIND).await
    }

    async fn free_path_facts(&self, who: &Caller, project_id: &str) -> Result<FreePathFacts, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        let (_, spec) = self.project(project_id).await?;
        let plan = self.plan(project_id).await?.ok_or_else(no_names_yet)?;
        let instance_id = match &spec.instance {
            InstanceRef::Id(id) => Some(id.clone()),
            InstanceRef::PublicIp(_) => None,
        };
        let (public_ip, ip_problem) = match self.public_ip(&spec).await {
            Ok(ip) => (Some(ip), None),
            Err(why) => (None, Some(why)),
        };
        let managed = match &instance_id {
            Some(id) => self.adapters.commands.is_managed(&spec.region, id).await.ok(),
            None => None,
        };
        let elastic = match public_ip {
            Some(ip) => self.adapters.instances.is_elastic_ip(&spec.region, ip).await.ok(),
            None => None,
        };
        Ok(FreePathFacts {
            api: plan.api.to_string(),
            magic: !plan.source.has_zone(),
            instance_id,
            public_ip: public_ip.map(|ip| ip.to_string()),
            ip_problem,
            managed,
            elastic,
        })
    }

    async fn start_free_path(
        &self,
        who: &Caller,
        project_id: &str,
        form: lockstep_domain::freepath::FreePathForm,
    ) -> Result<FreePathOutcome, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        let (_, spec) = self.project(project_id).await?;
        let plan = self.plan(project_id).await?.ok_or_else(no_names_yet)?;
        let choice = match form.parse() {
            Ok(c) => c,
            Err(errors) => return Ok(FreePathOutcome::Invalid(errors)),
        };
        let public_ip = self.public_ip(&spec).await.map_err(|why| {
            user(
                "lockstep does not know the instance's public address.",
                why.clone(),
                "Fix it in EC2 (or in the project), then start again.",
                lockstep_domain::ko(
                    "lockstep이 인스턴스의 퍼블릭 주소를 알 수 없습니다.",
                    why,
                    "EC2에서(또는 프로젝트에서) 고친 뒤 다시 시작하세요.",
                ),
            )
        })?;
        if let Some(run) = self.active_view(project_id, nginx_steps::RUN_KIND).await? {
            return Ok(FreePathOutcome::Started(run));
        }
        let (http_port, https_port) = self.adapters.probe_ports;
        let input = NginxInput {
            region: spec.region.clone(),
            instance_id: match &spec.instance {
                InstanceRef::Id(id) => Some(id.clone()),
                InstanceRef::PublicIp(_) => None,
            },
            public_ip,
            app_port: spec.app_port,
            health_path: spec.health_path.clone(),
            api: plan.api.clone(),
            zone_id: plan.zone_id.clone().filter(|_| plan.source.has_zone()),
            os: choice.os,
            staging: choice.staging,
            email: choice.email,
            http_port,
            https_port,
        };
        let run =
            self.start_run(&a.user.id, project_id, nginx_steps::RUN_KIND, json(&input)?, &nginx_steps::STEPS).await?;
        Ok(FreePathOutcome::Started(run))
    }

    async fn latest_free_path_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, nginx_steps::RUN_KIND).await
    }

    async fn start_frontend(&self, who: &Caller, project_id: &str) -> Result<StartOutcome, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        let (_, spec) = self.project(project_id).await?;
        let plan = self.plan(project_id).await?.ok_or_else(no_names_yet)?;
        if let Some(run) = self.active_view(project_id, cdn_steps::RUN_KIND).await? {
            return Ok(StartOutcome::Started(run));
        }
        // A magic name cannot be a CloudFront alias (no certificate can be validated for it):
        // the frontend is then the distribution's own *.cloudfront.net name.
        let aliases = if plan.source.has_zone() { plan.frontend.clone() } else { Vec::new() };
        let certificate_arn = if aliases.is_empty() {
            None
        } else {
            let cert = self.store.latest_run(project_id, cert::RUN_KIND).await.map_err(internal)?;
            let arn = cert.as_ref().and_then(|(_, steps)| {
                steps
                    .iter()
                    .find(|s| s.kind == StepKind::CertRequest)
                    .and_then(|s| s.output.as_ref())
                    .and_then(|o| o["arn"].as_str().map(str::to_string))
            });
            match arn {
                Some(arn) => Some(arn),
                None => {
                    return Ok(StartOutcome::Refused(UserError {
                        ko: lockstep_domain::ko(
                            format!("CloudFront가 {}을(를) 제공하려면 먼저 인증서가 필요합니다.", join_names(&aliases)),
                            "CloudFront는 그 이름들을 포함하는 us-east-1의 ACM 인증서가 있어야만 여러분의 이름을 HTTPS로 제공합니다.",
                            "2단계에서 인증서를 요청하고 발급될 때까지 기다린 뒤, 프론트엔드를 다시 시작하세요.",
                        ),
                        what: format!("{} needs a certificate before CloudFront can serve it.", join_names(&aliases)),
                        why: "CloudFront serves your own names over HTTPS only with an ACM certificate in us-east-1 that covers them.".into(),
                        fix: "Request the certificate in step 2 and wait until it is issued, then start the frontend again.".into(),
                    }))
                }
            }
        };
        let input = CdnInput {
            bucket: spec.bucket.to_string(),
            bucket_region: spec.region.clone(),
            aliases,
            certificate_arn,
            zone_id: plan.zone_id.clone().filter(|_| plan.source.has_zone()),
            project_slug: spec.name.clone(),
        };
        Ok(StartOutcome::Started(
            self.start_run(&a.user.id, project_id, cdn_steps::RUN_KIND, json(&input)?, &cdn_steps::STEPS).await?,
        ))
    }

    async fn latest_frontend_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, cdn_steps::RUN_KIND).await
    }

    async fn frontend_facts(&self, who: &Caller, project_id: &str) -> Result<FrontendFacts, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.project(project_id).await?;
        let Some((_, steps)) = self.store.latest_run(project_id, cdn_steps::RUN_KIND).await.map_err(internal)? else {
            return Ok(FrontendFacts::default());
        };
        let out = |k: StepKind| steps.iter().find(|s| s.kind == k).and_then(|s| s.output.clone());
        let created = out(StepKind::CdnCreate);
        let records = out(StepKind::CdnRecords);
        Ok(FrontendFacts {
            distribution_id: created.as_ref().and_then(|o| o["distribution_id"].as_str().map(str::to_string)),
            domain_name: created.as_ref().and_then(|o| o["domain_name"].as_str().map(str::to_string)),
            url: records.as_ref().and_then(|o| o["url"].as_str().map(str::to_string)),
        })
    }

    async fn invalidate_frontend(&self, who: &Caller, project_id: &str) -> Result<StartOutcome, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        let facts = self.frontend_facts(who, project_id).await?;
        let Some(distribution_id) = facts.distribution_id else {
            return Ok(StartOutcome::Refused(UserError {
                ko: lockstep_domain::ko(
                    "아직 캐시를 지울 CloudFront 배포가 없습니다.",
                    "캐시는 프론트엔드 단계가 만드는 배포에 속합니다.",
                    "먼저 프론트엔드 단계를 실행하세요.",
                ),
                what: "There is no CloudFront distribution to clear yet.".into(),
                why: "The cache belongs to the distribution the frontend step creates.".into(),
                fix: "Run the frontend step first.".into(),
            }));
        };
        if let Some(run) = self.active_view(project_id, cdn_steps::INVALIDATE_RUN_KIND).await? {
            return Ok(StartOutcome::Started(run));
        }
        let input = InvalidateInput { distribution_id };
        Ok(StartOutcome::Started(
            self.start_run(
                &a.user.id,
                project_id,
                cdn_steps::INVALIDATE_RUN_KIND,
                json(&input)?,
                &cdn_steps::INVALIDATE_STEPS,
            )
            .await?,
        ))
    }

    async fn latest_invalidation(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, cdn_steps::INVALIDATE_RUN_KIND).await
    }

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

    async fn paid_plan(&self, who: &Caller, project_id: &str) -> Result<PaidPlanView, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        let (_, spec) = self.project(project_id).await?;
        let plan = self.plan(project_id).await?.ok_or_else(no_names_yet)?;
        let refused = paid_refusal(&spec, &plan);
        let region = spec.region.to_string();
        let slug = &spec.name;
        let r = |what: &str, name: String, region: &str| PlannedResource {
            what: what.into(),
            name,
            region: region.to_string(),
        };
        let mut resources = vec![
            r(
                "ACM certificate (validated in your zone; an issued one that covers the name is reused)",
                plan.api.to_string(),
                &region,
            ),
            r(
                "security group for the load balancer (80 and 443 from anywhere)",
                alb_steps::alb_group_name(slug),
                &region,
            ),
            r(
                "rule on the instance's security group",
                format!("port {} from the load balancer's group only", spec.app_port),
                &region,
            ),
            r(
                "target group (HTTP, never HTTPS: the ALB ends TLS)",
                format!(
                    "{} → {} port {}, health {}",
                    alb_steps::lb_name(slug),
                    spec.instance,
                    spec.app_port,
                    spec.health_path
                ),
                &region,
            ),
            r("Application Load Balancer (internet-facing, two Availability Zones)", alb_steps::lb_name(slug), &region),
            r("listener HTTPS:443 with the certificate", "forwards to the target group".into(), &region),
            r("listener HTTP:80", "301 redirect to HTTPS".into(), &region),
            r("Route 53 alias records A and AAAA", format!("{} → the load balancer", plan.api), "global"),
        ];
        if !plan.frontend.is_empty() && plan.source.has_zone() {
            resources.push(r(
                "CloudFront distribution with alias records (step 5; uses the us-east-1 certificate of step 2)",
                join_names(&plan.frontend),
                "global",
            ));
        }
        // Offered for reuse: ISSUED certificates in the region that already cover the API name.
        let reusable = if refused.is_some() {
            Vec::new()
        } else {
            cert::reusable(self.adapters.ca.as_ref(), &spec.region, std::slice::from_ref(&plan.api))
                .await
                .map_err(|e| aws_error("listing the certificates in ACM", "ACM 인증서 목록 조회", e))?
                .into_iter()
                .map(|c| ReusableCert {
                    arn: c.arn,
                    domain: c.domain,
                    names: c.names,
                    expires_in_days: c.not_after_ms.map(|t| (t - self.clock.now_ms()).div_euclid(86_400_000)),
                })
                .collect()
        };
        let cost = lockstep_domain::pricing::paid_path(2, true, None);
        let monthly = cost.monthly_usd();
        Ok(PaidPlanView {
            reusable,
            resources,
            monthly_cents: (monthly * 100.0).round() as i64,
            monthly: lockstep_domain::pricing::usd(monthly),
            daily: lockstep_domain::pricing::usd(cost.daily_usd()),
            cost,
            refused,
        })
    }

    async fn start_backend(
        &self,
        who: &Caller,
        project_id: &str,
        confirm_cents: Option<i64>,
        certificate: Option<String>,
    ) -> Result<StartOutcome, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        let (_, spec) = self.project(project_id).await?;
        let plan = self.plan(project_id).await?.ok_or_else(no_names_yet)?;
        if let Some(run) = self.active_view(project_id, alb_steps::RUN_KIND).await? {
            return Ok(StartOutcome::Started(run));
        }
        let shown = self.paid_plan(who, project_id).await?;
        if let Some(why) = shown.refused {
            return Ok(StartOutcome::Refused(why));
        }
        // The confirmation must repeat the price shown now: nothing billable on a stale tick.
        if confirm_cents != Some(shown.monthly_cents) {
            return Ok(StartOutcome::Refused(UserError {
                ko: lockstep_domain::ko(
                    "아무것도 만들지 않았습니다. 비용이 확인되지 않았습니다.",
                    format!(
                        "로드 밸런서는 만들어진 순간부터 시간 단위로 요금이 부과되며, 한 달에 약 {}(하루 {})입니다.",
                        shown.monthly, shown.daily
                    ),
                    "비용을 확인하는 상자에 체크한 뒤 버튼을 다시 누르세요.",
                ),
                what: "Nothing was created: the cost was not confirmed.".into(),
                why: format!(
                    "The load balancer bills by the hour, about {} a month ({} a day), from the moment it exists.",
                    shown.monthly, shown.daily
                ),
                fix: "Tick the box that confirms the cost, then press the button again.".into(),
            }));
        }
        let choice = match certificate.as_deref().map(str::trim) {
            None | Some("") => CertChoice::Auto,
            Some("new") => CertChoice::New,
            Some(arn) if shown.reusable.iter().any(|c| c.arn == arn) => CertChoice::Reuse {
                arn: lockstep_domain::Arn::parse(arn).map_err(|e| internal(StoreError::Corrupt(e.to_string())))?,
            },
            Some(_) => {
                return Ok(StartOutcome::Refused(UserError {
                    ko: lockstep_domain::ko(
                        "아무것도 만들지 않았습니다. 선택한 인증서는 lockstep이 재사용할 수 있는 인증서가 아닙니다.",
                        format!(
                            "{}에 있고 {}을(를) 포함하는, 발급됨(ISSUED) 상태의 인증서만 로드 밸런서에 붙일 수 있습니다. 선택한 인증서는 그렇지 않습니다(또는 더 이상 그렇지 않습니다).",
                            spec.region, plan.api
                        ),
                        "페이지를 새로 고친 뒤 다시 선택하거나, \"새 인증서 요청\"을 선택하세요.",
                    ),
                    what: "Nothing was created: the certificate you chose is not one lockstep can reuse.".into(),
                    why: format!(
                        "Only an ISSUED certificate in {} that covers {} can go on the load balancer; the one chosen is not (any more).",
                        spec.region, plan.api
                    ),
                    fix: "Reload the page and choose again, or choose \"Request a new certificate\".".into(),
                }))
            }
        };
        let InstanceRef::Id(instance_id) = &spec.instance else { unreachable!("refused above") };
        let zone_id = plan.zone_id.clone().filter(|_| plan.source.has_zone());
        let cert = CertInput {
            region: spec.region.clone(),
            names: vec![plan.api.clone()],
            zone_id: lockstep_domain::ZoneId::parse(zone_id.as_deref().unwrap_or_default())
                .map_err(|e| internal(StoreError::Corrupt(e.to_string())))?,
            zone_name: plan.apex.clone(),
            choice,
        };
        let alb = AlbInput {
            region: spec.region.clone(),
            instance_id: instance_id.clone(),
            app_port: spec.app_port,
            health_path: spec.health_path.as_str().to_string(),
            api: plan.api.clone(),
            certificate_arn: String::new(),
            zone_id,
            project_slug: spec.name.clone(),
        };
        // One run, one input: the certificate steps read the CertInput fields, the ALB steps the
        // AlbInput ones (region and zone are the same in both); the ALB reads the ARN the
        // certificate step recorded.
        let mut input = json(&cert)?;
        if let (Some(into), serde_json::Value::Object(more)) = (input.as_object_mut(), json(&alb)?) {
            into.extend(more);
        }
        let steps: Vec<StepKind> = cert::STEPS.iter().chain(alb_steps::STEPS.iter()).copied().collect();
        let run = self.start_run(&a.user.id, project_id, alb_steps::RUN_KIND, input, &steps).await?;
        Ok(StartOutcome::Started(run))
    }

    async fn latest_backend_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, alb_steps::RUN_KIND).await
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
            (cert::RUN_KIND, "the certificate step", "인증서 단계"),
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
        let run =
            self.start_run(&a.user.id, project_id, teardown_steps::RUN_KIND, input, &teardown_steps::STEPS).await?;
        Ok(StartOutcome::Started(run))
    }

    async fn latest_teardown_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, teardown_steps::RUN_KIND).await
    }

    async fn session_info(&self, who: &Caller) -> Result<SessionInfo, AppError> {
        self.acc_session_info(who).await
    }

    async fn setup_owner(&self, who: &Caller, form: SignUpForm) -> Result<AuthOutcome, AppError> {
        self.acc_setup_owner(who, form).await
    }

    async fn sign_up(&self, who: &Caller, form: SignUpForm, invite: Option<String>) -> Result<AuthOutcome, AppError> {
        self.acc_sign_up(who, form, invite).await
    }

    async fn sign_in(
        &self,
        who: &Caller,
        email: &str,
        password: &str,
        next: Option<String>,
    ) -> Result<AuthOutcome, AppError> {
        self.acc_sign_in(who, email, password, next).await
    }

    async fn sign_out(&self, who: &Caller) -> Result<(), AppError> {
        self.acc_sign_out(who).await
    }

    async fn change_password(&self, who: &Caller, current: &str, new: &str) -> Result<ActionOutcome, AppError> {
        self.acc_change_password(who, current, new).await
    }

    async fn create_reset_link(
        &self,
        who: &Caller,
        team_id: &str,
        user_id: &str,
    ) -> Result<ResetLinkOutcome, AppError> {
        self.acc_create_reset_link(who, team_id, user_id).await
    }

    async fn reset_info(&self, _who: &Caller, token: &str) -> Result<ResetInfo, AppError> {
        self.acc_reset_info(token).await
    }

    async fn reset_password(&self, who: &Caller, token: &str, password: &str) -> Result<AuthOutcome, AppError> {
        self.acc_reset_password(who, token, password).await
    }

    async fn set_locale(&self, who: &Caller, locale: &str) -> Result<(), AppError> {
        self.acc_set_locale(who, locale).await
    }

    async fn create_team(&self, who: &Caller, name: &str) -> Result<TeamOutcome, AppError> {
        self.acc_create_team(who, name).await
    }

    async fn team(&self, who: &Caller, team_id: &str) -> Result<TeamView, AppError> {
        self.acc_team(who, team_id).await
    }

    async fn create_invite(&self, who: &Caller, team_id: &str, role: &str) -> Result<InviteOutcome, AppError> {
        self.acc_create_invite(who, team_id, role).await
    }

    async fn invite_info(&self, _who: &Caller, token: &str) -> Result<InviteInfo, AppError> {
        self.acc_invite_info(token).await
    }

    async fn accept_invite(&self, who: &Caller, token: &str) -> Result<AuthOutcome, AppError> {
        self.acc_accept_invite(who, token).await
    }

    async fn set_member_role(
        &self,
        who: &Caller,
        team_id: &str,
        user_id: &str,
        role: &str,
    ) -> Result<ActionOutcome, AppError> {
        self.acc_set_member_role(who, team_id, user_id, role).await
    }

    async fn remove_member(&self, who: &Caller, team_id: &str, user_id: &str) -> Result<ActionOutcome, AppError> {
        self.acc_remove_member(who, team_id, user_id).await
    }

    async fn set_team_role(
        &self,
        who: &Caller,
        team_id: &str,
        role_arn: Option<String>,
    ) -> Result<ActionOutcome, AppError> {
        self.acc_set_team_role(who, team_id, role_arn).await
    }

    async fn record_action(&self, who: &Caller, record: app::api::ssr::ActionRecord) {
        self.hist_record_action(who, record).await
    }

    async fn history(&self, who: &Caller, project_id: &str, filter: HistoryFilter) -> Result<HistoryView, AppError> {
        self.hist_history(who, project_id, filter).await
    }

    async fn status_settings(&self, who: &Caller, project_id: &str) -> Result<StatusSettings, AppError> {
        self.st_settings(who, project_id).await
    }

    async fn save_status_settings(
        &self,
        who: &Caller,
        project_id: &str,
        form: StatusForm,
    ) -> Result<ActionOutcome, AppError> {
        self.st_save(who, project_id, form).await
    }

    async fn check_status_now(&self, who: &Caller, project_id: &str) -> Result<StartOutcome, AppError> {
        self.st_check_now(who, project_id).await
    }

    async fn retry_run(&self, who: &Caller, run_id: &str) -> Result<(), AppError> {
        let (_, run) = self.guard_run(who, run_id, Need::Act).await?;
        // Retrying a teardown deletes resources as starting one does: owners only.
        if run.kind == teardown_steps::RUN_KIND {
            self.guard_run(who, run_id, Need::Manage).await?;
        }
        self.may_use_aws(run.kind, &run.input)?;
        self.store.get_run(run_id).await.map_err(internal)?.ok_or_else(|| not_found("This run"))?;
        if !self.store.retry_failed(run_id, self.clock.now_ms()).await.map_err(internal)? {
            return Err(user(
                "There is nothing to retry in this run.",
                "Only a run that stopped on a failed step can be retried; this one is running or done.",
                "Reload the page to see its current state.",
                lockstep_domain::ko(
                    "이 실행에는 다시 시도할 것이 없습니다.",
                    "실패한 단계에서 멈춘 실행만 다시 시도할 수 있습니다. 이 실행은 진행 중이거나 이미 끝났습니다.",
                    "페이지를 새로 고쳐 현재 상태를 확인하세요.",
                ),
            ));
        }
        info!(run_id, "run retried");
        self.engine.wake();
        Ok(())
    }
}

/// Why the paid path cannot run for this project, if it cannot.
fn paid_refusal(spec: &ProjectSpec, plan: &NamePlan) -> Option<UserError> {
    if !plan.source.has_zone() {
        return Some(UserError {
            ko: lockstep_domain::ko(
                format!("{}은(는) 무료 이름이라, 로드 밸런서 경로에는 직접 가진 도메인이 필요합니다.", plan.apex),
                "ACM은 여러분의 호스팅 영역에 있는 DNS 레코드로 이름의 소유를 확인하는데, nip.io나 sslip.io에는 아무도 레코드를 추가할 수 없습니다.",
                "위의 무료 경로(Nginx + Certbot)를 사용하거나, 1단계에서 직접 가진 도메인을 선택하세요.",
            ),
            what: format!("{} is a free name: the load balancer path needs your own domain.", plan.apex),
            why: "ACM proves you control a name with a DNS record in your hosted zone; nobody can add records to nip.io or sslip.io.".into(),
            fix: "Use the free path (Nginx + Certbot) above, or choose your own domain in step 1.".into(),
        });
    }
    if let InstanceRef::PublicIp(ip) = &spec.instance {
        return Some(UserError {
            ko: lockstep_domain::ko(
                format!("프로젝트가 인스턴스를 IP({ip})로 지정하고 있는데, 로드 밸런서에는 인스턴스 ID가 필요합니다."),
                "대상 그룹은 인스턴스를 ID로 등록하며, lockstep은 인스턴스에서 VPC, 서브넷, 보안 그룹을 읽어 옵니다.",
                "인스턴스 ID(EC2 콘솔의 i-0abc...)로 프로젝트를 다시 만들거나, 무료 경로를 사용하세요.",
            ),
            what: format!("The project names the instance by its IP ({ip}); the load balancer needs its instance id."),
            why: "A target group registers an instance by id, and lockstep reads its VPC, subnet and security group from it.".into(),
            fix: "Create the project again with the instance id (i-0abc..., in the EC2 console), or use the free path.".into(),
        });
    }
    None
}

fn join_names(v: &[DomainName]) -> String {
    v.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
}

fn no_names_yet() -> AppError {
    user(
        "This project has no names yet.",
        "The free path serves the project's API name, which comes from its domain.",
        "Choose a domain (or a free nip.io name) in step 1 first.",
        lockstep_domain::ko(
            "이 프로젝트에는 아직 이름이 없습니다.",
            "무료 경로는 프로젝트의 API 이름을 제공하는데, 그 이름은 도메인을 바탕으로 정해집니다.",
            "먼저 1단계에서 도메인(또는 무료 nip.io 이름)을 선택하세요.",
        ),
    )
}
