//! The certificate step: an ACM certificate, DNS-validated in the project's hosted zone.
//!
//! Five durable sub-steps, each safe to re-run after a crash at any point:
//! 1. request: the idempotency token is committed before `RequestCertificate`, so a retry gets
//!    the same certificate back from ACM (tokens are honoured for an hour; after that the
//!    certificate is found by its names in `ListCertificates` instead of requesting again);
//! 2. await records: ACM may publish the validation CNAME seconds after the request: poll;
//! 3. upsert: UPSERT the CNAMEs into the zone (idempotent by nature);
//! 4. await DNS: poll the Route 53 change until INSYNC;
//! 5. await issued: poll ACM until ISSUED, explaining FAILED and VALIDATION_TIMED_OUT.

use super::port_error;
use crate::faults;
use crate::jobs::{StepCtx, StepError, StepHandler, StepOutcome};
use crate::ports::{CertStatus, CertificateAuthority, ChangeStatus, DnsZones, RecordSet, ValidationRecord};
use async_trait::async_trait;
use lockstep_domain::RunKind;
use lockstep_domain::{msg, DomainName, Message, Region, StepKind, UserError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

pub const RUN_KIND: RunKind = RunKind::Certificate;

/// The steps of a certificate run, in order.
pub const STEPS: [StepKind; 5] = [
    StepKind::CertRequest,
    StepKind::CertAwaitRecords,
    StepKind::CertUpsertValidation,
    StepKind::CertAwaitDns,
    StepKind::CertAwaitIssued,
];

/// What a certificate run acts on, fixed when the run starts (from the project's name plan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertInput {
    pub region: Region,
    pub names: Vec<DomainName>,
    pub zone_id: String,
    pub zone_name: DomainName,
    /// Reuse an issued certificate, or request a new one (what the user chose on the plan).
    #[serde(default)]
    pub choice: CertChoice,
}

/// What the user chose when the plan offered an issued certificate that covers the names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CertChoice {
    /// No choice was offered (the certificate run of step 3, API callers): reuse an issued one
    /// that covers every name if there is one, else request.
    #[default]
    Auto,
    /// Request a new certificate even though one covers the names.
    New,
    /// Reuse this certificate (checked again at the start: still ISSUED, still covering).
    Reuse { arn: String },
}

/// ACM honours an idempotency token for one hour; stay safely inside it.
const TOKEN_TRUST_MS: i64 = 55 * 60 * 1000;

pub struct CertDeps {
    pub ca: Arc<dyn CertificateAuthority>,
    pub dns: Arc<dyn DnsZones>,
    /// Public DNS, to say why ACM is still waiting (the record, the delegation, CAA).
    pub public_dns: Arc<dyn crate::ports::PublicDns>,
    /// Interval between checks while waiting on AWS (10 s on real AWS: at most one describe
    /// per resource per 10 s; shorter in the sandbox).
    pub poll: Duration,
}

fn input(ctx: &StepCtx) -> Result<CertInput, StepError> {
    serde_json::from_value(ctx.input().clone()).map_err(|e| StepError::Store(format!("certificate run input: {e}")))
}

async fn arn(ctx: &StepCtx) -> Result<String, StepError> {
    let out = ctx.output_value(StepKind::CertRequest).await?;
    out["arn"].as_str().map(str::to_string).ok_or_else(|| StepError::Store("no certificate ARN".into()))
}

pub struct Request(pub Arc<CertDeps>);
pub struct AwaitRecords(pub Arc<CertDeps>);
pub struct UpsertValidation(pub Arc<CertDeps>);
pub struct AwaitDns(pub Arc<CertDeps>);
pub struct AwaitIssued(pub Arc<CertDeps>);

#[async_trait]
impl StepHandler for Request {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        if let Some(done) = ctx.effect_result("acm.request").await? {
            return Ok(StepOutcome::Done { output: done, note: None });
        }
        let (token, token_at) = ctx.effect_token("acm.request").await?;
        // An ISSUED certificate in the region that already covers every name (exact or
        // wildcard) is used as it is: no second certificate, no validation to wait for.
        if let CertChoice::Reuse { arn } = &inp.choice {
            let info = self.0.ca.describe(&inp.region, arn).await.map_err(|e| {
                port_error(&msg("reading the certificate you chose to reuse", "재사용하려고 고른 인증서 읽기"), e)
            })?;
            if info.status != CertStatus::Issued || !covers_all(&info.names, &inp.names) {
                return Err(StepError::Fatal(UserError {
                    ko: lockstep_domain::ko(
                        format!("재사용하려고 고른 인증서({})는 사용할 수 없습니다.", short_arn(arn)),
                        format!(
                            "이 인증서의 상태는 {:?}이고 {}을(를) 포함합니다. 로드 밸런서에는 {}을(를) 포함하는 발급 완료(ISSUED) 상태의 인증서가 필요합니다.",
                            info.status,
                            if info.names.is_empty() { "이름 없음".to_string() } else { info.names.join(", ") },
                            join(&inp.names)
                        ),
                        "백엔드를 다시 시작하고 \"새 인증서 요청\"을 선택하세요.",
                    ),
                    what: format!("The certificate you chose to reuse ({}) cannot be used.", short_arn(arn)),
                    why: format!(
                        "It is {:?} and covers {}; the load balancer needs an ISSUED certificate covering {}.",
                        info.status,
                        if info.names.is_empty() { "no names".to_string() } else { info.names.join(", ") },
                        join(&inp.names)
                    ),
                    fix: "Start the backend again and choose \"Request a new certificate\".".into(),
                }));
            }
            let output = json!({ "arn": arn, "region": inp.region, "reused": true });
            ctx.record_effect("acm.request", &output).await?;
            return Ok(StepOutcome::Done {
                output,
                note: Some(msg(
                    format!("Reusing {} in {}, as you chose.", short_arn(arn), inp.region),
                    format!("선택한 대로 {}에 있는 {}을(를) 재사용합니다.", inp.region, short_arn(arn)),
                )),
            });
        }
        if ctx.attempts() <= 1 && inp.choice == CertChoice::Auto {
            if let Some(arn) = issued_covering(&self.0, &inp).await? {
                let output = json!({ "arn": arn, "region": inp.region, "reused": true });
                ctx.record_effect("acm.request", &output).await?;
                return Ok(StepOutcome::Done {
                    output,
                    note: Some(msg(
                        format!(
                            "Reusing the issued certificate {} in {}: it already covers {}.",
                            short_arn(&arn),
                            inp.region,
                            join(&inp.names)
                        ),
                        format!(
                            "{}에 이미 발급된 인증서 {}을(를) 재사용합니다. 이 인증서가 {}을(를) 이미 포함합니다.",
                            inp.region,
                            short_arn(&arn),
                            join(&inp.names)
                        ),
                    )),
                });
            }
        }
        faults::point("cert.request.before_call").await;

        // A token older than ACM's memory could create a second certificate: find the one the
        // earlier attempt made instead (same names, requested after the token was stored).
        let arn =
            if ctx.now_ms() - token_at > TOKEN_TRUST_MS { find_existing(&self.0, &inp, token_at).await? } else { None };
        let arn = match arn {
            Some(arn) => arn,
            None => {
                ctx.note(&msg(
                    format!("Asking ACM in {} for a certificate for {}", inp.region, join(&inp.names)),
                    format!("{}의 ACM에 {}용 인증서를 요청하는 중", inp.region, join(&inp.names)),
                ))
                .await?;
                let token = &token[..32.min(token.len())];
                self.0
                    .ca
                    .request(&inp.region, &inp.names, token)
                    .await
                    .map_err(|e| port_error(&msg("asking ACM for the certificate", "ACM에 인증서 요청"), e))?
            }
        };
        faults::point("cert.request.after_call").await;
        let output = json!({
            "arn": arn,
            "region": inp.region,
            "created": [{ "kind": "acm_certificate", "id": arn, "region": inp.region }],
        });
        ctx.record_effect("acm.request", &output).await?;
        Ok(StepOutcome::Done {
            output,
            note: Some(msg(
                format!("Requested {}", short_arn(&arn)),
                format!("{}을(를) 요청했습니다.", short_arn(&arn)),
            )),
        })
    }
}

/// An ISSUED certificate in the run's region whose names cover every name of the run.
async fn issued_covering(deps: &CertDeps, inp: &CertInput) -> Result<Option<String>, StepError> {
    let found = reusable(deps.ca.as_ref(), &inp.region, &inp.names)
        .await
        .map_err(|e| port_error(&msg("listing ACM certificates", "ACM 인증서 목록 조회"), e))?;
    Ok(found.into_iter().next().map(|c| c.arn))
}

/// Whether certificate names (exact or wildcard) cover every wanted name.
pub fn covers_all(have: &[String], want: &[DomainName]) -> bool {
    let have: Vec<DomainName> = have.iter().filter_map(|n| DomainName::parse(n).ok()).collect();
    want.iter().all(|w| have.iter().any(|h| h.covers(w)))
}

/// Every ISSUED certificate in `region` that covers all of `names`, soonest-expiring last.
pub async fn reusable(
    ca: &dyn CertificateAuthority,
    region: &Region,
    names: &[DomainName],
) -> Result<Vec<crate::ports::CertificateInfo>, crate::ports::PortError> {
    let mut out = Vec::new();
    for c in ca.list(region).await?.into_iter().filter(|c| matches!(c.status, CertStatus::Issued)) {
        let info = ca.describe(region, &c.arn).await?;
        if info.status == CertStatus::Issued && covers_all(&info.names, names) {
            out.push(info);
        }
    }
    out.sort_by_key(|i| std::cmp::Reverse(i.not_after_ms.unwrap_or(i64::MAX)));
    Ok(out)
}

/// How long ACM may take before lockstep looks at public DNS itself.
const PENDING_CHECK_AFTER_MS: i64 = 2 * 60 * 1000;

/// CAA values that let ACM issue.
const AMAZON_CAA: [&str; 4] = ["amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"];

impl AwaitIssued {
    /// The validation records, the delegation and CAA as public DNS shows them, as problems in
    /// plain words (lookups that fail are skipped: this is advice, not the check itself).
    async fn public_view(&self, inp: &CertInput, records: &[ValidationRecord]) -> Vec<Message> {
        let d = &self.0;
        let mut found = Vec::new();
        for r in records {
            let got = d.public_dns.cname(&r.name).await.ok().flatten();
            found.push((r.name.trim_end_matches('.').to_ascii_lowercase(), r.value.clone(), got));
        }
        let zone_ns = d.dns.delegation(&inp.zone_id).await.unwrap_or_default();
        let public_ns = d.public_dns.ns(&inp.zone_name).await.unwrap_or_default();
        let mut caa = None;
        if let Some(first) = inp.names.first() {
            let labels: Vec<&str> = first.as_str().trim_start_matches("*.").split('.').collect();
            for i in 0..labels.len() {
                let at = labels[i..].join(".");
                if let Ok(set) = d.public_dns.caa(&at).await {
                    if !set.is_empty() {
                        caa = Some((at, set));
                        break;
                    }
                }
            }
        }
        pending_diagnosis(&found, &zone_ns, &public_ns, inp.zone_name.as_str(), caa.as_ref())
    }
}

/// Why ACM may still be waiting, from public DNS: each validation CNAME (name, expected value,
/// what public DNS answers), the zone's name servers versus the public delegation, and the
/// closest CAA set (owner, (tag, value) pairs). Empty when all looks right. In English and
/// Korean (they go into the step's note).
pub fn pending_diagnosis(
    records: &[(String, String, Option<String>)],
    zone_ns: &[String],
    public_ns: &[String],
    zone_name: &str,
    caa: Option<&(String, Vec<(String, String)>)>,
) -> Vec<Message> {
    let norm = |s: &str| s.trim().trim_end_matches('.').to_ascii_lowercase();
    let mut out = Vec::new();
    if !zone_ns.is_empty() && !crate::ports::same_nameservers(zone_ns, public_ns) {
        out.push(if public_ns.is_empty() {
            msg(
                format!("{zone_name} has no name servers in public DNS: it is not registered yet, or the registrar has not published them. ACM cannot see the zone's records until it has."),
                format!("공개 DNS에 {zone_name}의 네임서버가 없습니다. 아직 등록되지 않았거나, 도메인 등록 업체가 네임서버를 게시하지 않았습니다. 게시되기 전까지 ACM은 영역의 레코드를 볼 수 없습니다."),
            )
        } else {
            msg(
                format!(
                    "{zone_name} is delegated to {} at the registrar, not to the hosted zone's {}: ACM asks those servers and never sees the record. Set the hosted zone's four name servers at the registrar.",
                    public_ns.join(", "),
                    zone_ns.join(", ")
                ),
                format!(
                    "{zone_name}은(는) 도메인 등록 업체에서 호스팅 영역의 네임서버({})가 아니라 {}(으)로 위임되어 있습니다. ACM은 그 서버들에 물어보므로 레코드를 보지 못합니다. 도메인 등록 업체에서 호스팅 영역의 네임서버 4개를 설정하세요.",
                    zone_ns.join(", "),
                    public_ns.join(", ")
                ),
            )
        });
    }
    for (name, want, got) in records {
        match got {
            None => out.push(msg(
                format!("{name} has no CNAME in public DNS yet."),
                format!("공개 DNS에 아직 {name}의 CNAME이 없습니다."),
            )),
            Some(g) if norm(g) != norm(want) => out.push(msg(
                format!(
                    "{name} answers {g}, but ACM expects {}: another record for the name wins (an old one, or one in another zone). Remove it.",
                    norm(want)
                ),
                format!(
                    "{name}이(가) {g}(으)로 응답하지만 ACM은 {}을(를) 기대합니다. 같은 이름의 다른 레코드(예전 레코드이거나 다른 영역의 레코드)가 우선하고 있습니다. 그 레코드를 삭제하세요.",
                    norm(want)
                ),
            )),
            Some(_) => {}
        }
    }
    if let Some((owner, set)) = caa {
        let issuers: Vec<&str> = set
            .iter()
            .filter(|(tag, _)| tag == "issue" || tag == "issuewild")
            .map(|(_, v)| v.split(';').next().unwrap_or("").trim())
            .collect();
        if !issuers.is_empty() && !issuers.iter().any(|i| AMAZON_CAA.contains(i)) {
            out.push(msg(
                format!(
                    "The CAA records on {owner} allow only {}: ACM (Amazon) may not issue for these names. Add a CAA record `0 issue \"amazon.com\"` on {owner}.",
                    issuers.join(", ")
                ),
                format!(
                    "{owner}의 CAA 레코드는 {}만 허용합니다. 그래서 ACM(Amazon)이 이 이름들에 인증서를 발급할 수 없습니다. {owner}에 CAA 레코드 `0 issue \"amazon.com\"`을 추가하세요.",
                    issuers.join(", ")
                ),
            ));
        }
    }
    out
}

async fn find_existing(deps: &CertDeps, inp: &CertInput, since_ms: i64) -> Result<Option<String>, StepError> {
    let list = deps
        .ca
        .list(&inp.region)
        .await
        .map_err(|e| port_error(&msg("listing ACM certificates", "ACM 인증서 목록 조회"), e))?;
    for c in list {
        if c.domain != inp.names[0].as_str() || !matches!(c.status, CertStatus::PendingValidation | CertStatus::Issued)
        {
            continue;
        }
        let info = deps
            .ca
            .describe(&inp.region, &c.arn)
            .await
            .map_err(|e| port_error(&msg("describing a certificate", "인증서 정보 조회"), e))?;
        let mut names = info.names.clone();
        names.sort();
        let mut want: Vec<String> = inp.names.iter().map(|n| n.to_string()).collect();
        want.sort();
        if names == want && info.created_at_ms.is_none_or(|t| t + 60_000 >= since_ms) {
            return Ok(Some(c.arn));
        }
    }
    Ok(None)
}

#[async_trait]
impl StepHandler for AwaitRecords {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let arn = arn(ctx).await?;
        let info = self
            .0
            .ca
            .describe(&inp.region, &arn)
            .await
            .map_err(|e| port_error(&msg("reading the certificate from ACM", "ACM에서 인증서 읽기"), e))?;
        if let Some(err) = status_error(&info.status, info.failure_reason.as_deref(), &inp) {
            return Err(StepError::Fatal(err));
        }
        let missing: Vec<&DomainName> =
            inp.names.iter().filter(|n| !info.validation.iter().any(|v| v.domain == n.as_str())).collect();
        if !missing.is_empty() {
            return Ok(StepOutcome::Poll {
                after: self.0.poll.min(Duration::from_secs(3)),
                note: msg(
                    format!("ACM has not published the validation record for {} yet.", join_refs(&missing)),
                    format!("ACM이 아직 {}의 검증 레코드를 게시하지 않았습니다.", join_refs(&missing)),
                ),
            });
        }
        let mut records: Vec<ValidationRecord> = Vec::new();
        for v in info.validation {
            if !records.iter().any(|r| r.name == v.name) {
                records.push(v);
            }
        }
        Ok(StepOutcome::Done {
            note: Some(msg(
                format!("{} validation record(s) to add", records.len()),
                format!("추가할 검증 레코드 {}개", records.len()),
            )),
            output: json!({ "records": records }),
        })
    }
}

#[async_trait]
impl StepHandler for UpsertValidation {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let out = ctx.output_value(StepKind::CertAwaitRecords).await?;
        let records: Vec<ValidationRecord> = serde_json::from_value(out["records"].clone())
            .map_err(|e| StepError::Store(format!("validation records: {e}")))?;
        let mut sets = Vec::new();
        for r in &records {
            // Validation record names start with an underscore label: DNS record names, not
            // hostnames, so they are checked as such rather than parsed as a DomainName.
            let name = r.name.trim().trim_end_matches('.').to_ascii_lowercase();
            if !record_within(&name, &inp.zone_name) {
                return Err(StepError::Fatal(UserError {
                    ko: lockstep_domain::ko(
                        format!("검증 레코드 {name}은(는) 호스팅 영역 {}에 속하지 않습니다.", inp.zone_name),
                        "ACM은 그 이름에 대해 권한이 있는(authoritative) 영역에서 레코드를 확인합니다. 다른 영역에 있는 레코드는 절대 보이지 않습니다.",
                        format!("1단계에서 {}이(가) 들어 있는 호스팅 영역을 선택한 뒤 인증서 단계를 다시 시작하세요.", r.domain),
                    ),
                    what: format!("The validation record {name} does not belong in the hosted zone {}.", inp.zone_name),
                    why: "ACM checks the record in the zone that is authoritative for the name; a record in another zone is never seen.".into(),
                    fix: format!("Choose the hosted zone that contains {} in step 1, then start the certificate again.", r.domain),
                }));
            }
            sets.push(RecordSet::plain(name, &r.rtype, 300, vec![r.value.clone()]));
        }
        ctx.note(&msg(
            format!("Adding {} CNAME record(s) to {}", sets.len(), inp.zone_name),
            format!("{}에 CNAME 레코드 {}개를 추가하는 중", inp.zone_name, sets.len()),
        ))
        .await?;
        let task = msg(
            format!("adding the validation record to the zone {}", inp.zone_name),
            format!("영역 {}에 검증 레코드 추가", inp.zone_name),
        );
        let change = self.0.dns.upsert(&inp.zone_id, &sets).await.map_err(|e| port_error(&task, e))?;
        let added = sets.iter().map(|s| format!("{} CNAME {}", s.name, s.values[0])).collect::<Vec<_>>().join("; ");
        Ok(StepOutcome::Done {
            note: Some(msg(added.clone(), format!("검증 레코드를 추가했습니다: {added}"))),
            output: json!({
                "change_id": change,
                "records": sets,
                "created": sets.iter().map(|r| json!({
                    "kind": "route53_record",
                    "id": format!("{}:{}:{}", inp.zone_id, r.name, r.rtype),
                    "region": "global",
                })).collect::<Vec<_>>(),
            }),
        })
    }
}

#[async_trait]
impl StepHandler for AwaitDns {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let out = ctx.output_value(StepKind::CertUpsertValidation).await?;
        let change = out["change_id"].as_str().unwrap_or_default().to_string();
        match self
            .0
            .dns
            .change_status(&change)
            .await
            .map_err(|e| port_error(&msg("checking the Route 53 change", "Route 53 변경 사항 확인"), e))?
        {
            ChangeStatus::InSync => Ok(StepOutcome::Done {
                output: json!({ "status": "INSYNC" }),
                note: Some(msg("Route 53 says INSYNC", "Route 53 상태는 INSYNC입니다.")),
            }),
            ChangeStatus::Pending => Ok(StepOutcome::Poll {
                after: self.0.poll.min(Duration::from_secs(5)),
                note: msg(
                    "Route 53 is still publishing the record to its name servers (PENDING).",
                    "Route 53이 아직 네임서버에 레코드를 게시하는 중입니다(PENDING).",
                ),
            }),
        }
    }
}

#[async_trait]
impl StepHandler for AwaitIssued {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let arn = arn(ctx).await?;
        faults::point("cert.await_issued.poll").await;
        let info = self
            .0
            .ca
            .describe(&inp.region, &arn)
            .await
            .map_err(|e| port_error(&msg("reading the certificate from ACM", "ACM에서 인증서 읽기"), e))?;
        if let Some(err) = status_error(&info.status, info.failure_reason.as_deref(), &inp) {
            return Err(StepError::Fatal(err));
        }
        match info.status {
            CertStatus::Issued => Ok(StepOutcome::Done {
                output: json!({ "arn": arn, "not_after_ms": info.not_after_ms }),
                note: Some(msg("ACM says ISSUED", "ACM 상태는 ISSUED입니다.")),
            }),
            _ => {
                let waited_ms = ctx.now_ms() - ctx.started_at();
                let waited = waited_ms / 60_000;
                let mut note = msg(
                    "ACM says PENDING_VALIDATION: it is looking up the validation record.",
                    "ACM 상태는 PENDING_VALIDATION입니다. 검증 레코드를 조회하고 있습니다.",
                );
                // After two minutes, look where ACM looks: public DNS.
                if waited_ms >= PENDING_CHECK_AFTER_MS {
                    let problems = Message::join(&self.public_view(&inp, &info.validation).await, " ");
                    note = note.then(&if problems.en.is_empty() {
                        msg(
                            "Public DNS already shows the validation record, the delegation and CAA are fine: ACM checks every few minutes.",
                            "공개 DNS에 검증 레코드가 이미 보이고, 위임과 CAA도 문제없습니다. ACM은 몇 분마다 다시 확인합니다.",
                        )
                    } else {
                        msg(
                            format!("What public DNS shows now: {}", problems.en),
                            format!("지금 공개 DNS에서 보이는 문제: {}", problems.ko),
                        )
                    });
                }
                if waited >= 30 {
                    note = note.then(&msg(
                        format!("It has been {waited} minutes; usually it takes 3-10."),
                        format!("{waited}분이 지났습니다. 보통은 3~10분 걸립니다."),
                    ));
                }
                Ok(StepOutcome::Poll { after: self.0.poll, note })
            }
        }
    }
}

/// The explanation for a certificate that can no longer become ISSUED.
fn status_error(status: &CertStatus, reason: Option<&str>, inp: &CertInput) -> Option<UserError> {
    let zone = &inp.zone_name;
    match status {
        CertStatus::Failed => Some(UserError {
            ko: lockstep_domain::ko(
                format!("ACM이 인증서를 발급하지 못했습니다({}).", reason.unwrap_or("이유가 제공되지 않음")),
                match reason {
                    Some("CAA_ERROR") => format!("{zone}(또는 그 상위 도메인)에 있는 CAA 레코드가 Amazon의 인증서 발급을 허용하지 않습니다."),
                    Some("DOMAIN_NOT_ALLOWED") | Some("ADDITIONAL_VERIFICATION_REQUIRED") => {
                        "AWS가 이 도메인을 수동으로 확인해야 하거나, 이 도메인에는 인증서를 발급하지 않습니다.".to_string()
                    }
                    Some("INVALID_PUBLIC_DOMAIN") => "이름 중 하나가 공개 도메인 이름이 아닙니다.".to_string(),
                    Some("DOMAIN_VALIDATION_DENIED") => "도메인 소유자나 도메인 등록 업체가 검증을 거부했습니다.".to_string(),
                    _ => "ACM이 이 요청을 포기했습니다.".to_string(),
                },
                match reason {
                    Some("CAA_ERROR") => format!("{zone}에 CAA 레코드 0 issue \"amazon.com\"을 추가하거나(또는 발급을 막는 CAA 레코드를 삭제하고) 인증서를 다시 요청하세요."),
                    _ => "이유에 나온 문제를 고친 뒤 인증서를 다시 요청하세요(실패한 ACM 인증서는 다시 시도할 수 없습니다).".to_string(),
                },
            ),
            what: format!("ACM could not issue the certificate ({}).", reason.unwrap_or("no reason given")),
            why: match reason {
                Some("CAA_ERROR") => format!("A CAA record on {zone} (or above it) does not allow Amazon to issue certificates."),
                Some("DOMAIN_NOT_ALLOWED") | Some("ADDITIONAL_VERIFICATION_REQUIRED") => {
                    "AWS needs to verify this domain by hand, or does not issue for it.".into()
                }
                Some("INVALID_PUBLIC_DOMAIN") => "One of the names is not a public domain name.".into(),
                Some("DOMAIN_VALIDATION_DENIED") => "The domain's owner or registrar denied validation.".into(),
                _ => "ACM gave up on this request.".into(),
            },
            fix: match reason {
                Some("CAA_ERROR") => format!("Add a CAA record on {zone}: 0 issue \"amazon.com\" (or remove the CAA records that block it), then request the certificate again."),
                _ => "Fix what the reason names, then request the certificate again (a failed ACM certificate cannot be retried).".into(),
            },
        }),
        CertStatus::ValidationTimedOut => Some(UserError {
            ko: lockstep_domain::ko(
                "ACM이 기다리기를 멈췄습니다. 인증서가 72시간 안에 검증되지 않았습니다.",
                format!("ACM이 공개 DNS에서 검증용 CNAME을 끝내 찾지 못했습니다. 보통은 도메인 등록 업체에 설정된 도메인의 네임서버가 호스팅 영역 {zone}의 네임서버가 아니기 때문입니다."),
                format!("도메인 등록 업체의 네임서버를 Route 53에 있는 {zone}의 NS 레코드 4개로 설정하고, 공개 DNS에 반영될 때까지 기다린 뒤 인증서를 다시 요청하세요."),
            ),
            what: "ACM stopped waiting: the certificate was not validated within 72 hours.".into(),
            why: format!("ACM never saw the validation CNAME in public DNS. Usually the domain's name servers at the registrar are not the ones of the hosted zone {zone}."),
            fix: format!("Set the registrar's name servers to the four NS records of {zone} in Route 53, wait until they show up publicly, then request the certificate again."),
        }),
        CertStatus::Revoked | CertStatus::Expired | CertStatus::Inactive => Some(UserError {
            ko: lockstep_domain::ko(
                format!("인증서가 {status:?} 상태라서 사용할 수 없습니다."),
                "lockstep 밖에서 인증서가 취소(revoke)되었거나, 만료되었거나, 비활성화되었습니다.",
                "새 인증서를 요청하세요.",
            ),
            what: format!("The certificate is {status:?} and cannot be used."),
            why: "It was revoked, expired, or deactivated outside lockstep.".into(),
            fix: "Request a new certificate.".into(),
        }),
        _ => None,
    }
}

/// `true` when the DNS record name `name` (lower case, no trailing dot) is `zone` or below it.
fn record_within(name: &str, zone: &DomainName) -> bool {
    name == zone.as_str() || name.strip_suffix(zone.as_str()).is_some_and(|head| head.ends_with('.') && head.len() > 1)
}

fn join(names: &[DomainName]) -> String {
    names.iter().map(DomainName::as_str).collect::<Vec<_>>().join(", ")
}

fn join_refs(names: &[&DomainName]) -> String {
    names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ")
}

/// `arn:aws:acm:us-east-1:123:certificate/abcd...` → `certificate/abcd...`
pub fn short_arn(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

#[cfg(test)]
mod tests {

    fn ns(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn pending_diagnosis_names_the_delegation_the_record_and_caa() {
        let zone = ns(&["ns-1.awsdns-01.org", "ns-2.awsdns-02.com"]);
        let want = ("_x1.api.team.com".to_string(), "_y1.acm-validations.aws.".to_string());
        // All fine: nothing to say.
        let ok = vec![(want.0.clone(), want.1.clone(), Some("_y1.acm-validations.aws".to_string()))];
        assert!(pending_diagnosis(&ok, &zone, &zone, "team.com", None).is_empty());
        // The registrar still points elsewhere; the record is missing; CAA allows only Let's Encrypt.
        let missing = vec![(want.0.clone(), want.1.clone(), None)];
        let caa = ("team.com".to_string(), vec![("issue".to_string(), "letsencrypt.org".to_string())]);
        let out = pending_diagnosis(&missing, &zone, &ns(&["ns1.registrar.example"]), "team.com", Some(&caa));
        assert_eq!(out.len(), 3, "{out:?}");
        assert!(out[0].en.contains("delegated to ns1.registrar.example"), "{out:?}");
        assert!(out[0].ko.contains("ns1.registrar.example(으)로 위임"), "{out:?}");
        assert!(out[1].en.contains("no CNAME"), "{out:?}");
        assert!(out[2].en.contains("0 issue \"amazon.com\""), "{out:?}");
        assert!(out[2].ko.contains("0 issue \"amazon.com\""), "{out:?}");
        // A wrong record wins; CAA that allows Amazon is fine.
        let wrong = vec![(want.0.clone(), want.1.clone(), Some("_old.acm-validations.aws".to_string()))];
        let amazon = ("team.com".to_string(), vec![("issue".to_string(), "amazon.com".to_string())]);
        let out = pending_diagnosis(&wrong, &zone, &zone, "team.com", Some(&amazon));
        assert_eq!(out.len(), 1, "{out:?}");
        assert!(out[0].en.contains("another record for the name wins"));
        assert!(out[0].ko.contains("다른 레코드"), "{out:?}");
    }

    use super::*;

    #[test]
    fn validation_records_must_be_inside_the_zone() {
        let zone = DomainName::parse("example.com").unwrap();
        assert!(record_within("_abc.example.com", &zone));
        assert!(record_within("_abc.www.example.com", &zone));
        assert!(!record_within("_abc.badexample.com", &zone));
        assert!(!record_within("_abc.example.org", &zone));
        assert!(!record_within(".example.com", &zone));
    }
}
