//! HTTPS on the instance (the free path): what lockstep knows of the instance, and the Nginx +
//! Certbot run.

use super::{json, no_names_yet, Lockstep};
use crate::steps::instance_https as nginx_steps;
use crate::steps::instance_https::NginxInput;
use app::api::ssr::{Caller, InstanceHttpsApi};
use app::model::*;
use async_trait::async_trait;
use lockstep_domain::account::Need;
use lockstep_domain::InstanceRef;
use lockstep_domain::RunView;

#[async_trait]
impl InstanceHttpsApi for Lockstep {
    async fn free_path_facts(&self, who: &Caller, project_id: &str) -> Result<FreePathFacts, AppError> {
        let a = self.guard(who, project_id, Need::Read).await?;
        let (_, spec) = self.project(project_id).await?;
        let plan = self.plan(project_id).await?.ok_or_else(no_names_yet)?;
        let instance_id = match &spec.instance {
            InstanceRef::Id(id) => Some(id.clone()),
            InstanceRef::PublicIp(_) => None,
        };
        let (public_ip, ip_problem) = match a.acting(self.public_ip(&spec)).await {
            Ok(ip) => (Some(ip), None),
            Err(why) => (None, Some(why)),
        };
        let managed = match &instance_id {
            Some(id) => a.acting(self.adapters.commands.is_managed(&spec.region, id)).await.ok(),
            None => None,
        };
        let elastic = match public_ip {
            Some(ip) => a.acting(self.adapters.instances.is_elastic_ip(&spec.region, ip)).await.ok(),
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
        let public_ip = a
            .acting(self.public_ip(&spec))
            .await
            .map_err(|why| AppError::User(nginx_steps::messages::public_address_unknown(why)))?;
        if let Some(run) = self.active_view(project_id, nginx_steps::RUN_KIND).await? {
            return Ok(FreePathOutcome::Started(run));
        }
        let (http_port, https_port) = self.adapters.probe_ports;
        // The project's instance id and zone id were checked when they were stored.
        let context = format!("project {project_id}");
        let corrupt = super::corrupt_id(&context);
        let input = NginxInput {
            region: spec.region.clone(),
            instance_id: match &spec.instance {
                InstanceRef::Id(id) => Some(lockstep_domain::InstanceId::parse(id).map_err(corrupt)?),
                InstanceRef::PublicIp(_) => None,
            },
            public_ip,
            app_port: spec.app_port,
            health_path: spec.health_path.clone(),
            api: plan.api.clone(),
            zone_id: plan
                .zone_id
                .as_deref()
                .filter(|_| plan.source.has_zone())
                .map(lockstep_domain::ZoneId::parse)
                .transpose()
                .map_err(corrupt)?,
            os: choice.os,
            staging: choice.staging,
            email: choice.email,
            http_port,
            https_port,
        };
        let run = self
            .start_run(&a.aws, &a.user.id, project_id, nginx_steps::RUN_KIND, json(&input)?, &nginx_steps::STEPS)
            .await?;
        Ok(FreePathOutcome::Started(run))
    }

    async fn latest_free_path_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, nginx_steps::RUN_KIND).await
    }
}
