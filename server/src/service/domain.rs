//! Step 1, the domain: hosted zones, Route 53 registration, another registrar, free magic names,
//! and the name plan (an edited plan starts a new certificate when its names need one).

use super::{aws_error, internal, json, not_found, run_view, Lockstep};
use crate::ports::Availability;
use crate::steps::certificate;
use crate::steps::certificate::CertInput;
use crate::steps::domain as domain_steps;
use crate::steps::domain::messages;
use crate::steps::domain::DomainInput;
use crate::store::StoreError;
use app::api::ssr::{Caller, CertificateApi, DomainApi, RunsApi};
use app::model::*;
use async_trait::async_trait;
use lockstep_domain::account::Need;
use lockstep_domain::contact::ContactInput;
use lockstep_domain::ipcert::{ip_choice_refusal, INSTANCE_IP};
use lockstep_domain::plan::DomainSource;
use lockstep_domain::plan::MagicProvider;
use lockstep_domain::plan::NamePlan;
use lockstep_domain::plan::PlanInput;
use lockstep_domain::DomainName;
use lockstep_domain::RunStatus;
use lockstep_domain::RunView;

impl Lockstep {
    /// Starts a domain run; an active one for the project is returned instead.
    async fn start_domain_run(
        &self,
        aws: &crate::work::AwsAccess,
        by: &str,
        project_id: &str,
        input: DomainInput,
    ) -> Result<RunView, AppError> {
        if let Some((run, steps)) = self.store.latest_run(project_id, domain_steps::RUN_KIND).await.map_err(internal)? {
            if run.status == RunStatus::Active {
                let same: Option<DomainInput> = serde_json::from_value(run.input.clone()).ok();
                if same.as_ref() == Some(&input) {
                    return Ok(run_view(run, steps));
                }
                return Err(AppError::User(messages::domain_change_in_progress()));
            }
        }
        let steps = input.steps();
        self.start_run(aws, by, project_id, domain_steps::RUN_KIND, json(&input)?, &steps).await
    }

    /// The third free choice (issue 24): the API at `https://<ip>` with a certificate for the
    /// instance's address; refused, with the reason, unless it is a public Elastic IP.
    async fn use_instance_ip(
        &self,
        project_id: &str,
        spec: &lockstep_domain::ProjectSpec,
    ) -> Result<NamePlan, AppError> {
        let ip = self.public_ip(spec).await.map_err(|why| AppError::User(messages::instance_ip_unknown(why)))?;
        let elastic = match self.adapters.instances.is_elastic_ip(&spec.region, ip).await {
            Ok(e) => Some(e),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the account's Elastic IPs");
                None
            }
        };
        if let Some(refused) = ip_choice_refusal(ip, elastic) {
            return Err(AppError::User(refused));
        }
        let plan = NamePlan::instance_ip(ip);
        self.save_plan_value(project_id, &plan).await?;
        Ok(plan)
    }
}

#[async_trait]
impl DomainApi for Lockstep {
    async fn list_zones(&self, who: &Caller, project_id: &str) -> Result<Vec<ZoneChoice>, AppError> {
        let a = self.guard(who, project_id, Need::Read).await?;
        let zones = a
            .acting(async {
                self.adapters.zones.list_zones().await.map_err(|e| aws_error(&messages::task_list_zones(), e))
            })
            .await?;
        Ok(zones
            .into_iter()
            .map(|z| ZoneChoice { id: z.id, name: z.name, private: z.private, record_count: z.record_count })
            .collect())
    }

    async fn domain_choices(&self, who: &Caller, project_id: &str) -> Result<DomainChoices, AppError> {
        let a = self.guard(who, project_id, Need::Read).await?;
        let (_, spec) = self.project(project_id).await?;
        let (zones, zones_error) = match self.list_zones(who, project_id).await {
            Ok(z) => (z.into_iter().filter(|z| !z.private).collect(), None),
            Err(e) => (Vec::new(), Some(e.to_string())),
        };
        let (magic, magic_unavailable, ip) = match a.acting(self.public_ip(&spec)).await {
            Ok(ip) => (
                MagicProvider::ALL
                    .into_iter()
                    .map(|p| MagicChoice { provider: p, name: p.name_for(ip).to_string() })
                    .collect(),
                None,
                Some(ip.to_string()),
            ),
            Err(why) => (Vec::new(), Some(why), None),
        };
        let stand_in = self.adapters.registrar.stand_in();
        Ok(DomainChoices { zones, zones_error, magic, magic_unavailable, ip, stand_in })
    }

    async fn choose_zone(&self, who: &Caller, project_id: &str, zone_id: &str) -> Result<NamePlan, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        self.project(project_id).await?;
        let zone = a
            .acting(async {
                self.adapters.zones.get_zone(zone_id).await.map_err(|e| aws_error(&messages::task_read_zone(), e))
            })
            .await?;
        if zone.private {
            return Err(AppError::User(messages::private_zone(&zone.name)));
        }
        let name =
            DomainName::parse(&zone.name).map_err(|e| AppError::User(messages::zone_name_unusable(&zone.name, &e)))?;
        let plan = NamePlan::default_for(DomainSource::ExistingZone, name.clone(), Some(zone.id.clone()))
            .map_err(|e| AppError::User(messages::zone_names_unplannable(&name, &e)))?;
        self.save_plan_value(project_id, &plan).await?;
        // Check the delegation in the background; the result shows in the domain timeline.
        let input = DomainInput {
            source: DomainSource::ExistingZone,
            domain: name,
            zone_id: Some(
                lockstep_domain::ZoneId::parse(&zone.id).map_err(super::corrupt_id("hosted zone from Route 53"))?,
            ),
            contact: None,
            years: 1,
        };
        self.start_domain_run(&a.aws, &a.user.id, project_id, input).await?;
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
            Ok(n) if n.is_wildcard() => return Ok(DomainOutcome::Invalid(messages::domain_without_wildcard())),
            Ok(n) => n,
            Err(e) => return Ok(DomainOutcome::Invalid(e.message())),
        };
        let input =
            DomainInput { source: DomainSource::OtherRegistrar, domain: name, zone_id: None, contact: None, years: 1 };
        Ok(DomainOutcome::Started(self.start_domain_run(&a.aws, &a.user.id, project_id, input).await?))
    }

    async fn search_domain(&self, who: &Caller, project_id: &str, domain: &str) -> Result<SearchOutcome, AppError> {
        let a = self.guard(who, project_id, Need::Read).await?;
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
                return Ok(SearchOutcome::Invalid(messages::register_without_subdomains(like)));
            }
            Ok(n) => n,
            Err(e) => return Ok(SearchOutcome::Invalid(e.message())),
        };
        let r = &self.adapters.registrar;
        let tld = name.as_str().rsplit('.').next().unwrap_or_default().to_string();
        let (availability, price, suggestions) = a
            .acting(async {
                let availability =
                    r.availability(&name).await.map_err(|e| aws_error(&messages::task_check_availability(), e))?;
                let price = r.price(&tld).await.map_err(|e| aws_error(&messages::task_read_prices(), e))?;
                Ok::<_, AppError>((availability, price, r.suggestions(&name, 6).await.unwrap_or_default()))
            })
            .await?;
        let (available, word) = match availability {
            Availability::Available => (true, lockstep_domain::msg("AVAILABLE", "AVAILABLE")),
            Availability::Unavailable(w) => (false, lockstep_domain::msg(w.clone(), w)),
            Availability::Unknown(w) => (false, super::messages::availability_unknown(&w)),
        };
        Ok(SearchOutcome::Found(DomainSearch {
            domain: name.to_string(),
            available: available && price.is_some(),
            availability: if price.is_none() { super::messages::tld_not_sold(&tld) } else { word },
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
            return Ok(BuyOutcome::Refused(messages::not_available(domain, availability)));
        };
        // The confirmation must name the price shown now: no purchase on a stale or missing tick.
        if confirm_cents != price.registration_cents {
            let (now, renewal) = (&price.registration, &price.renewal);
            return Ok(BuyOutcome::Refused(messages::price_not_confirmed(now, renewal)));
        }
        let name = DomainName::parse(&search.domain).map_err(|e| internal(StoreError::Corrupt(e.to_string())))?;
        let input = DomainInput {
            source: DomainSource::Route53Purchase,
            domain: name,
            zone_id: None,
            contact: Some(contact),
            years: 1,
        };
        Ok(BuyOutcome::Started(self.start_domain_run(&a.aws, &a.user.id, project_id, input).await?))
    }

    async fn use_magic(&self, who: &Caller, project_id: &str, provider: &str) -> Result<NamePlan, AppError> {
        let a = self.guard(who, project_id, Need::Act).await?;
        let (_, spec) = self.project(project_id).await?;
        if provider == INSTANCE_IP {
            return a.acting(self.use_instance_ip(project_id, &spec)).await;
        }
        let provider = MagicProvider::ALL
            .into_iter()
            .find(|p| p.suffix() == provider)
            .ok_or_else(|| AppError::User(messages::unknown_free_name_service()))?;
        let ip = a.acting(self.public_ip(&spec)).await.map_err(|why| AppError::User(messages::no_free_name(why)))?;
        let plan = NamePlan::magic(provider, ip);
        self.save_plan_value(project_id, &plan).await?;
        Ok(plan)
    }

    async fn save_plan(&self, who: &Caller, project_id: &str, input: PlanInput) -> Result<PlanOutcome, AppError> {
        self.guard(who, project_id, Need::Act).await?;
        let Some(old) = self.plan(project_id).await? else {
            return Err(AppError::User(messages::no_domain_to_plan_from()));
        };
        let new = match old.edit(&input) {
            Ok(p) => p,
            Err(errors) => return Ok(PlanOutcome::Invalid(errors)),
        };
        let diff = old.diff(&new);
        let mut redo = Vec::new();
        let mut reissue = false;
        if !diff.is_empty() {
            if let Some((run, _)) = self.store.latest_run(project_id, certificate::RUN_KIND).await.map_err(internal)? {
                let covered: Option<CertInput> = serde_json::from_value(run.input).ok();
                let missing: Vec<String> = new
                    .all_names()
                    .iter()
                    .filter(|n| !covered.as_ref().is_some_and(|c| c.names.iter().any(|cn| cn.covers(n))))
                    .map(|n| n.to_string())
                    .collect();
                if !missing.is_empty() {
                    reissue = true;
                    redo.push(super::messages::plan_needs_new_certificate(&missing.join(", ")));
                }
            }
            if !diff.removed.is_empty() {
                let names = diff.removed.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ");
                redo.push(super::messages::plan_records_unused(&names));
            }
        }
        self.save_plan_value(project_id, &new).await?;
        // What the new names need is done, not just listed: a new certificate run.
        if reissue {
            if let Err(e) = self.start_certificate(who, project_id).await {
                redo.push(super::messages::plan_certificate_not_started(&e.to_string()));
            }
        }
        Ok(PlanOutcome::Saved { plan: new, redo })
    }

    async fn latest_domain_run(&self, who: &Caller, project_id: &str) -> Result<Option<RunView>, AppError> {
        self.guard(who, project_id, Need::Read).await?;
        self.latest_view(project_id, domain_steps::RUN_KIND).await
    }

    async fn sandbox_registrar_updated(&self, who: &Caller, project_id: &str) -> Result<(), AppError> {
        self.guard(who, project_id, Need::Act).await?;
        let Some(sandbox) = &self.adapters.sandbox_dns else {
            return Err(AppError::User(messages::sandbox_only()));
        };
        let plan = self.plan(project_id).await?.ok_or_else(|| not_found(super::messages::domain_plan_gone()))?;
        sandbox.registrar_updated(&plan.apex);
        if let Some((run, _)) = self.store.latest_run(project_id, domain_steps::RUN_KIND).await.map_err(internal)? {
            self.recheck(who, &run.id).await?;
        }
        Ok(())
    }
}
