//! The HTTPS doctor on the project's names: what it checks, and its one-step run.

use super::{json, messages, Lockstep};
use crate::ports::InsideQuery;
use crate::steps::doctor as doctor_steps;
use crate::steps::doctor::DoctorInput;
use app::api::ssr::{Caller, DoctorApi};
use app::model::*;
use async_trait::async_trait;
use lockstep_domain::account::Need;
use lockstep_domain::plan::NamePlan;
use lockstep_domain::InstanceRef;
use lockstep_domain::ProjectSpec;
use lockstep_domain::RunView;
use lockstep_domain::StepKind;

impl Lockstep {
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
}

#[async_trait]
impl DoctorApi for Lockstep {
    async fn start_doctor(&self, who: &Caller, project_id: &str) -> Result<RunView, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        let (_, spec) = self.project(project_id).await?;
        let Some(plan) = self.plan(project_id).await? else {
            return Err(AppError::User(messages::no_names_to_check()));
        };
        if let Some(run) = self.active_view(project_id, doctor_steps::RUN_KIND).await? {
            return Ok(run);
        }
        let input = self.doctor_input(&spec, &plan);
        self.start_run(&a.aws, &a.user.id, project_id, doctor_steps::RUN_KIND, json(&input)?, &[StepKind::DoctorCheck])
            .await
    }

    async fn latest_doctor_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, doctor_steps::RUN_KIND).await
    }
}
