//! Step 2, the certificate: one ACM certificate in us-east-1 for every name of the plan (a
//! double click gets the same run back).

use super::{internal, json, run_view, user, Lockstep};
use crate::steps::certificate;
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
        if plan.source == lockstep_domain::plan::DomainSource::InstanceIp {
            return Err(AppError::User(lockstep_domain::ipcert::paid_path_refusal(&plan.apex.to_string())));
        }
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
        if let Some((run, steps)) = self.store.latest_run(project_id, certificate::RUN_KIND).await.map_err(internal)? {
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
