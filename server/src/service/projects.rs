//! Projects: list, create (on real AWS, only with an instance and a bucket in the team's own
//! account), show, and delete (refused while one of the project's runs is active).

use super::{account_words, aws_error, internal, messages, not_found, Lockstep};
use crate::ports::PortError;
use crate::store::ProjectDeleted;
use crate::store::ProjectRow;
use crate::store::StoreError;
use app::api::ssr::{Caller, ProjectsApi};
use app::model::*;
use app::projects::api::PickLists;
use async_trait::async_trait;
use lockstep_domain::account::Need;
use lockstep_domain::InstanceRef;
use lockstep_domain::ProjectInput;
use lockstep_domain::ProjectSpec;
use tracing::info;

impl Lockstep {
    /// Real AWS: the instance and bucket a new project names must be in the team's own account,
    /// looked up through the team's role (AWS answers "not found" or "denied" for another
    /// team's), so a project cannot point lockstep at what the team does not own.
    async fn resources_not_in_account(&self, spec: &ProjectSpec) -> Result<lockstep_domain::FieldErrors, AppError> {
        let mut errors = lockstep_domain::FieldErrors::default();
        let account = account_words();
        if let InstanceRef::Id(id) = &spec.instance {
            match self.adapters.instances.public_ip(&spec.region, id).await {
                Ok(_) => {}
                Err(PortError::NotFound(_) | PortError::Denied { .. }) => {
                    let region = &spec.region;
                    errors.0.insert(lockstep_domain::Field::Instance, messages::no_such_instance(id, region, &account));
                }
                Err(e) => return Err(aws_error(&messages::task_check_instance(), e)),
            }
        }
        let bucket = spec.bucket.as_str();
        match self.adapters.buckets.region(&spec.region, bucket).await {
            Ok(_) => {}
            Err(PortError::NotFound(_)) => {
                errors.0.insert(lockstep_domain::Field::Bucket, messages::no_such_bucket(bucket, &account));
            }
            Err(PortError::Denied { .. }) => {
                errors.0.insert(lockstep_domain::Field::Bucket, messages::bucket_not_in_account(bucket, &account));
            }
            Err(e) => return Err(aws_error(&messages::task_check_bucket(), e)),
        }
        Ok(errors)
    }
}

#[async_trait]
impl ProjectsApi for Lockstep {
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
                // Typed (the plan has no `zone_name` key: reading it by string showed no
                // domain in the list for every project).
                region: serde_json::from_value::<lockstep_domain::ProjectSpec>(r.spec.clone())
                    .map(|s| s.region.to_string())
                    .unwrap_or_default(),
                zone_name: super::plan_in(&r).map(|p| p.apex.to_string()),
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
        let (_, team, _) = self.team_access(who, team_id, Need::Act).await?;
        let aws = crate::accounts::team_aws(&team);
        let spec = match input.parse() {
            Ok(spec) => spec,
            Err(errors) => return Ok(CreateOutcome::Invalid(errors)),
        };
        if self.adapters.authority.is_real() {
            let errors = crate::work::acting_as(aws.clone(), self.resources_not_in_account(&spec)).await?;
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
            if let Err(e) = crate::work::acting_as(aws, world.prepare_bucket(&spec.region, spec.bucket.as_str())).await
            {
                tracing::warn!(error = %e, "could not prepare the sandbox bucket");
            }
        }
        Ok(CreateOutcome::Created(id))
    }

    async fn get_project(&self, who: &Caller, id: &str) -> Result<ProjectView, AppError> {
        let a = self.guard(who, id, Need::Read).await?;
        let (row, spec) = self.project(id).await?;
        let plan = super::plan_in(&row);
        let wizard = self.wizard_of(id, &spec, plan.as_ref()).await?;
        let status_slug = self.store.status_page(id).await.map_err(internal)?.map(|p| (p.slug, p.public));
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
            wizard,
            status_slug,
        })
    }

    async fn project_choices(&self, who: &Caller, team_id: &str, region: &str) -> Result<PickLists, AppError> {
        let (_, team, _) = self.team_access(who, team_id, Need::Act).await?;
        let aws = crate::accounts::team_aws(&team);
        let region = lockstep_domain::Region::parse(region).map_err(|m| AppError::User(messages::no_lists_read(&m)))?;
        // Read with the team's own AWS access, as every call on its behalf is.
        Ok(crate::work::acting_as(aws, self.choices(&region)).await)
    }

    async fn delete_project(&self, who: &Caller, id: &str) -> Result<(), AppError> {
        self.guard(who, id, Need::Manage).await?;
        match self.store.delete_project(id).await.map_err(internal)? {
            ProjectDeleted::Deleted => {
                info!(project_id = %id, "project deleted");
                Ok(())
            }
            ProjectDeleted::NotFound => Err(not_found(super::messages::project_gone())),
            // Deleting now would orphan what the running step is creating in AWS, and its
            // later steps would have no project (issue 20).
            ProjectDeleted::RunActive => Err(AppError::User(messages::project_run_active())),
        }
    }
}
