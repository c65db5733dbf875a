//! The paid backend: what it will create and cost, and the run (the API's certificate in the
//! instance's region, then the Application Load Balancer) once the price is confirmed.

use super::{aws_error, join_names, json, no_names_yet, Lockstep};
use crate::steps::certificate;
use crate::steps::certificate::CertChoice;
use crate::steps::certificate::CertInput;
use crate::steps::load_balancer as alb_steps;
use crate::steps::load_balancer::AlbInput;
use app::api::ssr::{Caller, LoadBalancerApi};
use app::model::*;
use async_trait::async_trait;
use lockstep_domain::account::Need;
use lockstep_domain::plan::NamePlan;
use lockstep_domain::InstanceRef;
use lockstep_domain::ProjectSpec;
use lockstep_domain::RunView;
use lockstep_domain::StepKind;
use lockstep_domain::UserError;

#[async_trait]
impl LoadBalancerApi for Lockstep {
    async fn paid_plan(&self, who: &Caller, project_id: &str) -> Result<PaidPlanView, AppError> {
        let a = self.guard(who, project_id, Need::Read).await?;
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
            a.acting(async {
                certificate::reusable(self.adapters.ca.as_ref(), &spec.region, std::slice::from_ref(&plan.api))
                    .await
                    .map_err(|e| aws_error("listing the certificates in ACM", "ACM 인증서 목록 조회", e))
            })
            .await?
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
                arn: lockstep_domain::Arn::parse(arn).map_err(super::corrupt_id("reusable certificate"))?,
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
        // The paid path is refused without a hosted zone (paid_refusal), and the project's ids
        // were checked when they were stored.
        let corrupt = super::corrupt_id("backend input");
        let zone_id = plan
            .zone_id
            .as_deref()
            .filter(|_| plan.source.has_zone())
            .map(lockstep_domain::ZoneId::parse)
            .transpose()
            .map_err(corrupt)?;
        let Some(cert_zone) = zone_id.clone() else {
            return Err(crate::service::internal(crate::store::StoreError::Corrupt(
                "a paid run without a hosted zone got past paid_refusal".into(),
            )));
        };
        let cert = CertInput {
            region: spec.region.clone(),
            names: vec![plan.api.clone()],
            zone_id: cert_zone,
            zone_name: plan.apex.clone(),
            choice,
        };
        let alb = AlbInput {
            region: spec.region.clone(),
            instance_id: lockstep_domain::InstanceId::parse(instance_id).map_err(corrupt)?,
            app_port: spec.app_port,
            health_path: spec.health_path.as_str().to_string(),
            api: plan.api.clone(),
            certificate_arn: None,
            zone_id,
            project_slug: spec.name.clone(),
        };
        // One run, one typed input: the certificate steps read its certificate part, the ALB
        // steps its load-balancer part (BackendInput refuses parts that disagree).
        let input = json(&alb_steps::BackendInput { certificate: cert, load_balancer: alb })?;
        let steps: Vec<StepKind> = certificate::STEPS.iter().chain(alb_steps::STEPS.iter()).copied().collect();
        let run = self.start_run(&a.aws, &a.user.id, project_id, alb_steps::RUN_KIND, input, &steps).await?;
        Ok(StartOutcome::Started(run))
    }

    async fn latest_backend_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, alb_steps::RUN_KIND).await
    }
}

/// Why the paid path cannot run for this project, if it cannot.
fn paid_refusal(spec: &ProjectSpec, plan: &NamePlan) -> Option<UserError> {
    if plan.source == lockstep_domain::plan::DomainSource::InstanceIp {
        return Some(lockstep_domain::ipcert::paid_path_refusal(&plan.apex.to_string()));
    }
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
