//! The domain step's durable sub-steps: create (or reuse) a hosted zone, check delegation,
//! register a domain through Route 53 Domains and follow its operation, find the zone Route 53
//! made. Each is safe to re-run after a crash at any point:
//! - a zone is looked up by name before one is created, and the CallerReference is stored
//!   before `CreateHostedZone`, so a retry never makes a second zone;
//! - `RegisterDomain` has no idempotency token: a marker is stored before the call, and a
//!   retry first looks for a registration of the same domain in `ListOperations` since then.

use super::port_error;
use crate::faults;
use crate::jobs::{StepCtx, StepError, StepHandler, StepOutcome};
use crate::ports::{same_nameservers, DnsZones, OperationStatus, PublicDns, RegisterRequest, Registrar};
use async_trait::async_trait;
use lockstep_domain::contact::Contact;
use lockstep_domain::plan::{DomainSource, NamePlan};
use lockstep_domain::RunKind;
use lockstep_domain::{msg, DomainName, StepDetail, StepKind, UserError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

pub const RUN_KIND: RunKind = RunKind::Domain;

/// What a domain run acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainInput {
    pub source: DomainSource,
    pub domain: DomainName,
    /// Known up front for an existing zone; found or created by the run otherwise.
    pub zone_id: Option<String>,
    /// Only for a purchase.
    pub contact: Option<Contact>,
    pub years: i32,
}

impl DomainInput {
    /// The steps a run for this source goes through.
    pub fn steps(&self) -> Vec<StepKind> {
        match self.source {
            DomainSource::ExistingZone => vec![StepKind::DelegationCheck],
            DomainSource::OtherRegistrar => vec![StepKind::ZoneCreate, StepKind::DelegationCheck],
            DomainSource::Route53Purchase => vec![
                StepKind::DomainRegister,
                StepKind::DomainAwaitRegistration,
                StepKind::DomainFindZone,
                StepKind::DelegationCheck,
            ],
            DomainSource::Magic(_) => Vec::new(),
        }
    }
}

pub struct DomainDeps {
    pub dns: Arc<dyn DnsZones>,
    pub registrar: Arc<dyn Registrar>,
    pub public_dns: Arc<dyn PublicDns>,
    /// Between delegation checks (60 s real; short in the sandbox).
    pub delegation_poll: Duration,
    /// Between registration checks (30 s real; short in the sandbox).
    pub registration_poll: Duration,
}

fn input(ctx: &StepCtx) -> Result<DomainInput, StepError> {
    serde_json::from_value(ctx.input().clone()).map_err(|e| StepError::Store(format!("domain run input: {e}")))
}

fn plan_value(source: DomainSource, domain: &DomainName, zone_id: &str) -> Result<serde_json::Value, StepError> {
    let plan = NamePlan::default_for(source, domain.clone(), Some(zone_id.to_string())).map_err(|e| {
        StepError::Fatal(UserError {
            ko: lockstep_domain::ko(
                format!("{domain} 아래의 이름들을 정할 수 없습니다."),
                e.ko(),
                "더 짧은 도메인을 사용하세요.",
            ),
            what: format!("Names under {domain} cannot be planned."),
            why: e.to_string(),
            fix: "Use a shorter domain.".into(),
        })
    })?;
    serde_json::to_value(plan).map_err(|e| StepError::Store(e.to_string()))
}

/// The zone id this run works on: from the input, or from an earlier step's output.
async fn zone_id(ctx: &StepCtx, inp: &DomainInput) -> Result<String, StepError> {
    if let Some(id) = &inp.zone_id {
        return Ok(id.clone());
    }
    for kind in [StepKind::ZoneCreate, StepKind::DomainFindZone] {
        if let Ok(out) = ctx.output_value(kind).await {
            if let Some(id) = out["zone_id"].as_str() {
                return Ok(id.to_string());
            }
        }
    }
    Err(StepError::Store("no hosted zone id for this run".into()))
}

pub struct ZoneCreate(pub Arc<DomainDeps>);
pub struct DelegationCheck(pub Arc<DomainDeps>);
pub struct Register(pub Arc<DomainDeps>);
pub struct AwaitRegistration(pub Arc<DomainDeps>);
pub struct FindZone(pub Arc<DomainDeps>);

#[async_trait]
impl StepHandler for ZoneCreate {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let d = &self.0;
        if let Some(done) = ctx.effect_result("route53.create_zone").await? {
            return Ok(StepOutcome::Done { output: done, note: None });
        }
        // The CallerReference is stored before anything else, so every path can record its result.
        let (reference, _) = ctx.effect_token("route53.create_zone").await?;
        // An existing public zone for the name is reused: never a second zone for one domain
        // (two zones with different name servers is a classic "why does nothing resolve").
        let existing = d
            .dns
            .find_zone(&inp.domain)
            .await
            .map_err(|e| port_error(&msg("looking for an existing hosted zone", "기존 호스팅 영역 찾기"), e))?;
        let (zone, reused) = match existing {
            Some(z) => (z, true),
            None => {
                faults::point("zone.create.before_call").await;
                ctx.note(&msg(
                    format!("Creating the hosted zone {}", inp.domain),
                    format!("호스팅 영역 {}을(를) 만드는 중", inp.domain),
                ))
                .await?;
                let task =
                    msg(format!("creating the hosted zone {}", inp.domain), format!("호스팅 영역 {} 생성", inp.domain));
                let z = d.dns.create_zone(&inp.domain, &reference).await.map_err(|e| port_error(&task, e))?;
                faults::point("zone.create.after_call").await;
                (z, false)
            }
        };
        let ns = d
            .dns
            .delegation(&zone.id)
            .await
            .map_err(|e| port_error(&msg("reading the zone's name servers", "영역의 네임서버 읽기"), e))?;
        let created: Vec<serde_json::Value> = if reused {
            Vec::new()
        } else {
            vec![json!({ "kind": "hosted_zone", "id": zone.id, "region": "global", "name": inp.domain })]
        };
        let output = json!({ "zone_id": zone.id, "name_servers": ns, "reused": reused, "created": created });
        ctx.record_effect("route53.create_zone", &output).await?;
        ctx.save_plan(&plan_value(inp.source, &inp.domain, &zone.id)?).await?;
        let note = if reused {
            msg(
                format!("Reusing the existing hosted zone {} ({})", inp.domain, zone.id),
                format!("기존 호스팅 영역 {}({})을(를) 재사용합니다.", inp.domain, zone.id),
            )
        } else {
            msg(
                format!("Created the hosted zone {} ({})", inp.domain, zone.id),
                format!("호스팅 영역 {}({})을(를) 만들었습니다.", inp.domain, zone.id),
            )
        };
        Ok(StepOutcome::Done { output, note: Some(note) })
    }
}

#[async_trait]
impl StepHandler for DelegationCheck {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let d = &self.0;
        let zone = zone_id(ctx, &inp).await?;
        let expected = d
            .dns
            .delegation(&zone)
            .await
            .map_err(|e| port_error(&msg("reading the zone's name servers", "영역의 네임서버 읽기"), e))?;
        // The registry's own record when the domain is registered in this account (no caches
        // in between); public DNS otherwise. A registrar error falls back to public DNS.
        let (found, source) = match d.registrar.nameservers(&inp.domain).await {
            Ok(Some(ns)) => (ns, "Route 53 Domains (the domain is registered in this account)".to_string()),
            _ => (
                d.public_dns.ns(&inp.domain).await.map_err(|e| {
                    port_error(
                        &msg(
                            "looking up the domain's name servers in public DNS",
                            "공개 DNS에서 도메인의 네임서버 조회",
                        ),
                        e,
                    )
                })?,
                "public DNS".to_string(),
            ),
        };
        let detail = StepDetail::Delegation {
            domain: inp.domain.to_string(),
            expected: expected.clone(),
            found: found.clone(),
            source,
        };
        ctx.detail(&detail).await?;
        if same_nameservers(&expected, &found) {
            return Ok(StepOutcome::Done {
                output: json!({ "name_servers": expected }),
                note: Some(msg(
                    format!("{} uses the zone's {} name servers.", inp.domain, expected.len()),
                    format!("{}이(가) 영역의 네임서버 {}개를 사용합니다.", inp.domain, expected.len()),
                )),
            });
        }
        let ok = detail.delegation_status().iter().filter(|(_, ok)| *ok).count();
        let note = if found.is_empty() {
            msg(
                format!(
                    "{} has no name servers in public DNS yet. At your registrar, set the domain's name servers to the {} below.",
                    inp.domain,
                    expected.len()
                ),
                format!(
                    "공개 DNS에 아직 {}의 네임서버가 없습니다. 도메인 등록 업체에서 도메인의 네임서버를 아래 {}개로 설정하세요.",
                    inp.domain,
                    expected.len()
                ),
            )
        } else {
            let extra = detail.unexpected();
            msg(
                format!(
                    "{ok} of {} name servers are set. At your registrar, replace the domain's name servers with exactly the {} below{}.",
                    expected.len(),
                    expected.len(),
                    if extra.is_empty() { String::new() } else { format!(" and remove {}", extra.join(", ")) }
                ),
                format!(
                    "네임서버 {}개 중 {ok}개가 설정되어 있습니다. 도메인 등록 업체에서 도메인의 네임서버를 정확히 아래 {}개로 바꾸세요{}.",
                    expected.len(),
                    expected.len(),
                    if extra.is_empty() { String::new() } else { format!(". 그리고 {}을(를) 삭제하세요", extra.join(", ")) }
                ),
            )
        };
        Ok(StepOutcome::Poll { after: d.delegation_poll, note })
    }
}

#[async_trait]
impl StepHandler for Register {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let d = &self.0;
        if let Some(done) = ctx.effect_result("route53domains.register").await? {
            return Ok(StepOutcome::Done { output: done, note: None });
        }
        let contact = inp.contact.clone().ok_or_else(|| StepError::Store("purchase without a contact".into()))?;
        // The marker is stored before the call; its time bounds the search on a retry.
        let (_, marked_at) = ctx.effect_token("route53domains.register").await?;
        let earlier = d
            .registrar
            .recent_operations(marked_at - 5 * 60_000)
            .await
            .map_err(|e| port_error(&msg("looking for an earlier registration", "이전에 제출한 등록 찾기"), e))?
            .into_iter()
            .find(|o| o.kind == "REGISTER_DOMAIN" && o.domain.as_deref() == Some(inp.domain.as_str()));
        let operation_id = match earlier {
            Some(op) => {
                ctx.note(&msg(
                    format!("Found the registration already submitted (operation {})", op.id),
                    format!("이미 제출된 등록을 찾았습니다(작업 {})", op.id),
                ))
                .await?;
                op.id
            }
            None => {
                faults::point("domain.register.before_call").await;
                ctx.note(&msg(
                    format!("Registering {} (this bills your AWS account)", inp.domain),
                    format!("{}을(를) 등록하는 중(AWS 계정에 요금이 청구됩니다)", inp.domain),
                ))
                .await?;
                let request = RegisterRequest { domain: inp.domain.clone(), years: inp.years, contact };
                let id = d.registrar.register(&request).await.map_err(|e| register_error(&inp.domain, e))?;
                faults::point("domain.register.after_call").await;
                id
            }
        };
        let output = json!({ "operation_id": operation_id });
        ctx.record_effect("route53domains.register", &output).await?;
        Ok(StepOutcome::Done {
            output,
            note: Some(msg(
                format!("Submitted (operation {operation_id})"),
                format!("등록을 제출했습니다(작업 {operation_id})."),
            )),
        })
    }
}

fn register_error(domain: &DomainName, e: crate::ports::PortError) -> StepError {
    use crate::ports::PortError;
    match e {
        PortError::Rejected { code, message } => StepError::Fatal(UserError {
            ko: lockstep_domain::ko(
                format!("Route 53 Domains가 {domain} 등록을 거부했습니다({code})."),
                match code.as_str() {
                    "DomainLimitExceeded" => "이 계정이 등록할 수 있는 도메인 수의 한도에 도달했습니다.".to_string(),
                    "UnsupportedTLD" => "Route 53은 이 최상위 도메인(TLD)을 판매하지 않습니다.".to_string(),
                    "DuplicateRequest" => "같은 등록 요청이 이미 제출되었습니다.".to_string(),
                    "TLDRulesViolation" => format!("이름이 해당 최상위 도메인의 규칙에 맞지 않습니다: {message}"),
                    _ => message.clone(),
                },
                "아무것도 구매되지 않았습니다. 다른 이름을 고르거나(또는 이유에 나온 문제를 고친 뒤) 구매를 다시 시작하세요.",
            ),
            what: format!("Route 53 Domains refused to register {domain} ({code})."),
            why: match code.as_str() {
                "DomainLimitExceeded" => "The account has reached its limit of registered domains.".into(),
                "UnsupportedTLD" => "Route 53 does not sell this top-level domain.".into(),
                "DuplicateRequest" => "The same registration was already submitted.".into(),
                "TLDRulesViolation" => format!("The name breaks a rule of its top-level domain: {message}"),
                _ => message,
            },
            fix: "Nothing was bought. Pick another name (or fix what the reason names), then start the purchase again."
                .into(),
        }),
        other => port_error(&msg(format!("registering {domain}"), format!("{domain} 등록")), other),
    }
}

#[async_trait]
impl StepHandler for AwaitRegistration {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let d = &self.0;
        let out = ctx.output_value(StepKind::DomainRegister).await?;
        let id = out["operation_id"].as_str().unwrap_or_default().to_string();
        let op = d
            .registrar
            .operation(&id)
            .await
            .map_err(|e| port_error(&msg("checking the registration", "등록 상태 확인"), e))?;
        let email = inp.contact.as_ref().map(|c| c.email.clone()).unwrap_or_default();
        let status = format!("{:?}", op.status).to_uppercase();
        ctx.detail(&StepDetail::Registration {
            domain: inp.domain.to_string(),
            operation_id: id.clone(),
            status: status.clone(),
            email: email.clone(),
        })
        .await?;
        match op.status {
            OperationStatus::Successful => Ok(StepOutcome::Done {
                output: json!({ "operation_id": id, "status": "SUCCESSFUL" }),
                note: Some(msg(
                    format!("{} is registered. Confirm the e-mail AWS sent to {email} within 15 days, or the domain is suspended.", inp.domain),
                    format!("{}이(가) 등록되었습니다. AWS가 {email}(으)로 보낸 메일을 15일 안에 확인하세요. 확인하지 않으면 도메인이 정지됩니다.", inp.domain),
                )),
            }),
            OperationStatus::Submitted | OperationStatus::InProgress => Ok(StepOutcome::Poll {
                after: d.registration_poll,
                note: msg(
                    format!(
                        "Route 53 Domains says {status}. This usually takes 15 minutes and can take up to 3 days. Meanwhile: open the e-mail AWS sent to {email} and confirm it."
                    ),
                    format!(
                        "Route 53 Domains 상태는 {status}입니다. 보통 15분 걸리며, 최대 3일까지 걸릴 수 있습니다. 그동안 AWS가 {email}(으)로 보낸 메일을 열어 확인하세요."
                    ),
                ),
            }),
            OperationStatus::Failed | OperationStatus::Error => Err(StepError::Fatal(UserError {
                ko: lockstep_domain::ko(
                    format!("{} 등록에 실패했습니다({status}).", inp.domain),
                    op.message.clone().unwrap_or_else(|| "Route 53 Domains가 이유를 알려 주지 않았습니다.".to_string()),
                    "Route 53은 실패한 등록의 비용을 환불합니다. 연락처 정보를 확인한 뒤(잘못된 이메일이나 전화번호가 흔한 원인입니다) 다시 시도하거나 다른 이름을 고르세요.",
                ),
                what: format!("The registration of {} failed ({status}).", inp.domain),
                why: op.message.unwrap_or_else(|| "Route 53 Domains gave no reason.".into()),
                fix: "Route 53 refunds a failed registration. Check the contact details (a wrong e-mail or phone number is the usual cause), then try again or pick another name.".into(),
            })),
        }
    }
}

#[async_trait]
impl StepHandler for FindZone {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let d = &self.0;
        let task = msg("looking for the new hosted zone", "새 호스팅 영역 찾기");
        match d.dns.find_zone(&inp.domain).await.map_err(|e| port_error(&task, e))? {
            Some(zone) => {
                ctx.save_plan(&plan_value(inp.source, &inp.domain, &zone.id)?).await?;
                Ok(StepOutcome::Done {
                    output: json!({ "zone_id": zone.id }),
                    note: Some(msg(
                        format!("Using the hosted zone {} ({})", zone.name, zone.id),
                        format!("호스팅 영역 {}({})을(를) 사용합니다.", zone.name, zone.id),
                    )),
                })
            }
            None => Ok(StepOutcome::Poll {
                after: d.registration_poll,
                note: msg(
                    format!("Route 53 has not created the hosted zone for {} yet.", inp.domain),
                    format!("Route 53이 아직 {}의 호스팅 영역을 만들지 않았습니다.", inp.domain),
                ),
            }),
        }
    }
}
