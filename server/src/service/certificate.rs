//! Step 2, the certificate: one ACM certificate in us-east-1 for every name of the plan (a
//! double click gets the same run back).

use super::{internal, json, run_view, Lockstep};
use crate::steps::certificate;
use crate::steps::certificate::messages;
use crate::steps::certificate::CertChoice;
use crate::steps::certificate::CertInput;
use app::api::ssr::{Caller, CertificateApi};
use app::model::*;
use async_trait::async_trait;
use lockstep_domain::account::Need;
use lockstep_domain::Region;
use lockstep_domain::RunStatus;
use lockstep_domain::RunView;

#[async_trait]
impl CertificateApi for Lockstep {
    async fn start_certificate(&self, who: &Caller, project_id: &str) -> Result<RunView, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        let Some(plan) = self.plan(project_id).await? else {
            return Err(AppError::User(messages::no_domain_yet()));
        };
        if plan.source == lockstep_domain::plan::DomainSource::InstanceIp {
            return Err(AppError::User(lockstep_domain::ipcert::paid_path_refusal(&plan.apex.to_string())));
        }
        let Some(zone_id) = plan.zone_id.clone().filter(|_| plan.source.has_zone()) else {
            return Err(AppError::User(messages::magic_name_not_validatable(&plan.apex)));
        };
        let names = plan.all_names();
        // A double click, or a second team member, must not start a second run for the same
        // names; new names (an edited plan) do start a new one.
        if let Some((run, steps)) = self.store.latest_run(project_id, certificate::RUN_KIND).await.map_err(internal)? {
            let same_names = serde_json::from_value::<CertInput>(run.input.clone()).is_ok_and(|c| c.names == names);
            if run.status != RunStatus::Failed && same_names {
                return Ok(run_view(run, steps));
            }
            if run.status == RunStatus::Active {
                return Err(AppError::User(messages::previous_request_running()));
            }
        }
        let input = CertInput {
            region: Region::us_east_1(),
            names,
            zone_id: lockstep_domain::ZoneId::parse(&zone_id).map_err(super::corrupt_id("the plan's hosted zone"))?,
            zone_name: plan.apex.clone(),
            choice: CertChoice::Auto,
        };
        self.start_run(&a.aws, &a.user.id, project_id, certificate::RUN_KIND, json(&input)?, &certificate::STEPS).await
    }

    async fn latest_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, certificate::RUN_KIND).await
    }
}
