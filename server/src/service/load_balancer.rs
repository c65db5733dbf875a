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
                    .map_err(|e| aws_error(&alb_steps::messages::task_list_certificates(), e))
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
            return Ok(StartOutcome::Refused(alb_steps::messages::cost_not_confirmed(&shown.monthly, &shown.daily)));
        }
        let choice = match certificate.as_deref().map(str::trim) {
            None | Some("") => CertChoice::Auto,
            Some("new") => CertChoice::New,
            Some(arn) if shown.reusable.iter().any(|c| c.arn == arn) => CertChoice::Reuse {
                arn: lockstep_domain::Arn::parse(arn).map_err(super::corrupt_id("reusable certificate"))?,
            },
            Some(_) => {
                return Ok(StartOutcome::Refused(alb_steps::messages::certificate_not_reusable(
                    &spec.region,
                    &plan.api,
                )))
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
        return Some(alb_steps::messages::free_name_needs_own_domain(&plan.apex));
    }
    if let InstanceRef::PublicIp(ip) = &spec.instance {
        return Some(alb_steps::messages::instance_named_by_ip(ip));
    }
    None
}
