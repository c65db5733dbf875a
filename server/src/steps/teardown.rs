//! Teardown: deletes every AWS resource lockstep created for a project, in dependency order,
//! then lists AWS to prove nothing it created is left.
//!
//! The run's input is the ledger as it was when the user pressed the button (items in
//! [`lockstep_domain::ledger::TEARDOWN_ORDER`]), plus whether the user confirmed deleting the
//! hosted zone. Every step is idempotent by nature: a resource already gone counts as deleted,
//! so a crash or a Retry at any point just runs the step again.
//!
//! 1. `teardown.cdn`: each distribution is disabled (UpdateDistribution, Enabled=false), the
//!    step polls until that change is Deployed, then deletes it with the current ETag (AWS
//!    refuses an enabled one: DistributionNotDisabled; a stale ETag: PreconditionFailed; both
//!    are waited out). Then lockstep's statement leaves the bucket policy.
//! 2. `teardown.alb`: listeners, then the load balancer (polled until it is gone), then the
//!    target group (AWS refuses while a load balancer still uses it: ResourceInUse).
//! 3. `teardown.network`: the security-group rules lockstep added, then the groups it created
//!    (AWS refuses while the deleted load balancer's network interfaces linger:
//!    DependencyViolation, for a minute or two).
//! 4. `teardown.records`: the records lockstep added, deleted as they are now in the zone.
//! 5. `teardown.certificates`: certificates nothing uses any more. One still attached to
//!    something lockstep did not make is kept, with the reason; ACM's "in use" that lags the
//!    deletes above is waited out.
//! 6. `teardown.zone`: the hosted zone, only if lockstep created it and the user confirmed.
//! 7. `teardown.verify`: every item of the ledger that was not kept is looked up again.
//!
//! Each step's output has `"deleted": [{kind, id, region}]` (the ledger drops those) and
//! `"kept": [{kind, id, region, why}]`.

use super::cloudfront::policy_sid;
use super::port_error;
use crate::faults;
use crate::jobs::{StepCtx, StepError, StepHandler, StepOutcome};
use crate::ports::{
    Buckets, Cdn, CertificateAuthority, DistributionStatus, DnsZones, LoadBalancers, Network, PortError, RecordSet,
};
use async_trait::async_trait;
use lockstep_domain::ledger::{LedgerItem, ResourceKind};
use lockstep_domain::RunKind;
use lockstep_domain::{msg, Message, Region, StepDetail, StepKind, TornItem, UserError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

pub const RUN_KIND: RunKind = RunKind::Teardown;

/// The steps of a teardown run, in order.
pub const STEPS: [StepKind; 7] = [
    StepKind::TeardownCdn,
    StepKind::TeardownAlb,
    StepKind::TeardownNetwork,
    StepKind::TeardownRecords,
    StepKind::TeardownCertificates,
    StepKind::TeardownZone,
    StepKind::TeardownVerify,
];

/// What a teardown acts on, fixed when it starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeardownInput {
    /// The ledger when the user confirmed, in teardown order.
    pub items: Vec<LedgerItem>,
    /// The user ticked "also delete the hosted zone".
    pub delete_zone: bool,
}

pub struct TeardownDeps {
    pub cdn: Arc<dyn Cdn>,
    pub buckets: Arc<dyn Buckets>,
    pub elb: Arc<dyn LoadBalancers>,
    pub network: Arc<dyn Network>,
    pub dns: Arc<dyn DnsZones>,
    pub ca: Arc<dyn CertificateAuthority>,
    /// Interval between checks while waiting on AWS.
    pub poll: Duration,
    /// How long a step waits out AWS's lag (a disable deploying, network interfaces lingering,
    /// ACM still listing a deleted load balancer) before it gives up with the reason.
    pub patience: Duration,
}

/// On real AWS: a CloudFront disable takes up to 15 minutes to deploy; give it twice that.
pub const PATIENCE: Duration = Duration::from_secs(30 * 60);

pub struct DeleteCdn(pub Arc<TeardownDeps>);
pub struct DeleteAlb(pub Arc<TeardownDeps>);
pub struct DeleteNetwork(pub Arc<TeardownDeps>);
pub struct DeleteRecords(pub Arc<TeardownDeps>);
pub struct DeleteCertificates(pub Arc<TeardownDeps>);
pub struct DeleteZone(pub Arc<TeardownDeps>);
pub struct Verify(pub Arc<TeardownDeps>);

fn input(ctx: &StepCtx) -> Result<TeardownInput, StepError> {
    serde_json::from_value(ctx.input().clone()).map_err(|e| StepError::Store(format!("teardown run input: {e}")))
}

fn of(inp: &TeardownInput, kind: ResourceKind) -> impl Iterator<Item = &LedgerItem> + '_ {
    inp.items.iter().filter(move |i| i.kind == kind)
}

fn region(item: &LedgerItem) -> Result<Region, StepError> {
    Region::parse(&item.region).map_err(|e| StepError::Store(format!("ledger region {}: {e}", item.region)))
}

/// The item's region for a lookup (global items are never asked for one).
fn reg(item: &LedgerItem) -> Region {
    Region::parse(&item.region).unwrap_or_else(|_| Region::us_east_1())
}

fn entry(item: &LedgerItem) -> Value {
    json!({ "kind": item.kind, "id": item.id, "region": item.region })
}

/// A resource left in place, and why (in English and Korean).
fn kept(item: &LedgerItem, why: Message) -> Value {
    json!({ "kind": item.kind, "id": item.id, "region": item.region, "why": why.en, "why_ko": why.ko })
}

/// What one step did, and what it is still waiting for.
struct Tally {
    /// How long the step has been at it, taken once at the start of the turn.
    waited_ms: i64,
    deleted: Vec<Value>,
    kept: Vec<Value>,
    waiting: Vec<Message>,
}

impl Tally {
    fn new(ctx: &StepCtx) -> Tally {
        Tally { waited_ms: ctx.now_ms() - ctx.started_at(), deleted: Vec::new(), kept: Vec::new(), waiting: Vec::new() }
    }

    /// Done when nothing is waiting; else poll again, or give up after the patience with what
    /// is still in the way. `what` names the step's kind of resources (in English and Korean).
    async fn finish(self, ctx: &StepCtx, d: &TeardownDeps, what: Message) -> Result<StepOutcome, StepError> {
        ctx.detail(&StepDetail::Teardown { deleted: torn(&self.deleted), kept: torn(&self.kept) }).await?;
        if self.waiting.is_empty() {
            let n = self.deleted.len();
            let (what, what_ko) = (what.en, what.ko);
            let note = match (n, self.kept.len()) {
                (0, 0) => msg(format!("No {what} to delete."), format!("삭제할 {what_ko}이(가) 없습니다.")),
                (n, 0) => msg(format!("Deleted {n} ({what})."), format!("{n}개를 삭제했습니다({what_ko}).")),
                (n, k) => msg(
                    format!("Deleted {n}; kept {k} (see why below)."),
                    format!("{n}개를 삭제하고 {k}개를 남겨 두었습니다(이유는 아래를 보세요)."),
                ),
            };
            return Ok(StepOutcome::Done {
                output: json!({ "deleted": self.deleted, "kept": self.kept }),
                note: Some(note),
            });
        }
        let waited = self.waited_ms;
        let waiting = Message::join(&self.waiting, " ");
        if waited >= d.patience.as_millis() as i64 {
            return Err(StepError::Fatal(UserError {
                ko: lockstep_domain::ko(
                    format!("{}분이 지났지만 AWS에서 아직 일부 리소스를 삭제하지 못했습니다.", waited / 60_000),
                    waiting.ko,
                    "AWS 콘솔에서 해당 리소스를 확인한 뒤(lockstep이 만들지 않은 무언가가 사용 중일 수 있습니다) \"다시 시도\"를 누르세요. 이미 삭제된 것은 삭제된 상태로 유지됩니다.",
                ),
                what: format!("AWS still has not let lockstep delete everything after {} minutes.", waited / 60_000),
                why: waiting.en,
                fix: "Look at the named resource in the AWS console (it may be used by something lockstep did not make), then press Retry: everything already deleted stays deleted.".into(),
            }));
        }
        Ok(StepOutcome::Poll { after: d.poll.max(Duration::from_millis(20)), note: waiting })
    }
}

/// The detail's form of output entries.
fn torn(list: &[Value]) -> Vec<TornItem> {
    list.iter()
        .map(|v| TornItem {
            kind: serde_json::from_value(v["kind"].clone()).unwrap_or(ResourceKind::Route53Record),
            id: v["id"].as_str().unwrap_or_default().to_string(),
            region: v["region"].as_str().unwrap_or_default().to_string(),
            why: v["why"].as_str().map(str::to_string),
            why_ko: v["why_ko"].as_str().map(str::to_string),
        })
        .collect()
}

fn is_code(e: &PortError, code: &str) -> bool {
    match e {
        PortError::Rejected { code: c, .. } => c == code || c.trim_end_matches("Exception") == code,
        PortError::NotFound(m) => m.starts_with(code),
        _ => false,
    }
}

#[async_trait]
impl StepHandler for DeleteCdn {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let d = &self.0;
        let mut t = Tally::new(ctx);
        for item in of(&inp, ResourceKind::CloudfrontDistribution) {
            let id = &item.id;
            let dist = match d.cdn.distribution(id).await {
                Ok(dist) => dist,
                Err(PortError::NotFound(_)) => {
                    t.deleted.push(entry(item));
                    continue;
                }
                Err(e) => {
                    let task =
                        msg(format!("reading the CloudFront distribution {id}"), format!("CloudFront 배포 {id} 읽기"));
                    return Err(port_error(&task, e));
                }
            };
            if dist.enabled {
                ctx.note(&msg(
                    format!("Disabling the CloudFront distribution {id}"),
                    format!("CloudFront 배포 {id}을(를) 비활성화하는 중"),
                ))
                .await?;
                let task = msg(
                    format!("disabling the CloudFront distribution {id}"),
                    format!("CloudFront 배포 {id} 비활성화"),
                );
                d.cdn.disable_distribution(id).await.map_err(|e| port_error(&task, e))?;
                faults::point("teardown.cdn.after_disable").await;
                t.waiting.push(msg(
                    format!(
                        "CloudFront is deploying the disable of {id} to its edge locations (5-15 minutes); it can be deleted after that."
                    ),
                    format!(
                        "CloudFront가 {id}의 비활성화를 엣지 로케이션에 배포하고 있습니다(5~15분). 그 뒤에 삭제할 수 있습니다."
                    ),
                ));
                continue;
            }
            if dist.status != DistributionStatus::Deployed {
                t.waiting.push(msg(
                    format!(
                        "The distribution {id} is disabled; CloudFront is still deploying that change (status {:?}).",
                        dist.status
                    ),
                    format!(
                        "배포 {id}은(는) 비활성화되었고, CloudFront가 아직 그 변경을 배포하고 있습니다(상태 {:?}).",
                        dist.status
                    ),
                ));
                continue;
            }
            let etag = dist.etag.clone().unwrap_or_default();
            match d.cdn.delete_distribution(id, &etag).await {
                Ok(()) | Err(PortError::NotFound(_)) => t.deleted.push(entry(item)),
                Err(e) if is_code(&e, "DistributionNotDisabled") => t.waiting.push(msg(
                    format!(
                        "CloudFront says {id} is not disabled yet (DistributionNotDisabled): the disable is still deploying."
                    ),
                    format!(
                        "CloudFront에 따르면 {id}이(가) 아직 비활성화되지 않았습니다(DistributionNotDisabled). 비활성화가 아직 배포 중입니다."
                    ),
                )),
                Err(e) if is_code(&e, "PreconditionFailed") || is_code(&e, "InvalidIfMatchVersion") => {
                    t.waiting.push(msg(
                        format!("The distribution {id} changed while lockstep deleted it; reading it again."),
                        format!("lockstep이 삭제하는 동안 배포 {id}이(가) 바뀌었습니다. 다시 읽습니다."),
                    ))
                }
                Err(e) => {
                    let task =
                        msg(format!("deleting the CloudFront distribution {id}"), format!("CloudFront 배포 {id} 삭제"));
                    return Err(port_error(&task, e));
                }
            }
        }
        if !t.waiting.is_empty() {
            // The bucket policy must keep letting the distribution read until it is gone.
            return t.finish(ctx, d, msg("distributions", "배포")).await;
        }
        for item in of(&inp, ResourceKind::BucketPolicyStatement) {
            let Some((bucket, dist_id)) = item.id.split_once(':') else { continue };
            let region = region(item)?;
            let sid = policy_sid(dist_id);
            let policy = d.buckets.policy(&region, bucket).await.map_err(|e| {
                port_error(
                    &msg(format!("reading the bucket policy of {bucket}"), format!("버킷 {bucket}의 정책 읽기")),
                    e,
                )
            })?;
            match policy.as_deref().map(|p| without_statement(p, &sid)) {
                None | Some(Ok(None)) => {}
                Some(Ok(Some(rest))) if rest.is_empty() => {
                    d.buckets.delete_policy(&region, bucket).await.map_err(|e| {
                        let task = msg(
                            format!("removing the bucket policy of {bucket}"),
                            format!("버킷 {bucket}의 정책 삭제"),
                        );
                        port_error(&task, e)
                    })?
                }
                Some(Ok(Some(rest))) => d.buckets.put_policy(&region, bucket, &rest).await.map_err(|e| {
                    let task =
                        msg(format!("updating the bucket policy of {bucket}"), format!("버킷 {bucket}의 정책 수정"));
                    port_error(&task, e)
                })?,
                Some(Err(why)) => {
                    t.kept.push(kept(
                        item,
                        msg(
                            format!("The bucket policy of {bucket} could not be read ({why}); remove the statement {sid} by hand."),
                            format!("{bucket}의 버킷 정책을 읽지 못했습니다({why}). {sid} 문을 직접 삭제하세요."),
                        ),
                    ));
                    continue;
                }
            }
            t.deleted.push(entry(item));
        }
        t.finish(ctx, d, msg("CloudFront distributions", "CloudFront 배포")).await
    }
}

/// The bucket policy without the statement `sid`: `Ok(None)` when it has no such statement,
/// `Ok(Some(""))` when nothing else is left (delete the policy), else the rest as JSON.
pub fn without_statement(policy: &str, sid: &str) -> Result<Option<String>, String> {
    let mut doc: Value = serde_json::from_str(policy).map_err(|e| format!("not valid JSON: {e}"))?;
    let statements = &mut doc["Statement"];
    if statements.is_object() {
        *statements = json!([statements.take()]);
    }
    let Some(list) = statements.as_array_mut() else { return Ok(None) };
    let before = list.len();
    list.retain(|s| s["Sid"] != json!(sid));
    if list.len() == before {
        return Ok(None);
    }
    if list.is_empty() {
        return Ok(Some(String::new()));
    }
    serde_json::to_string(&doc).map(Some).map_err(|e| e.to_string())
}

/// The load balancer a listener belongs to: `...:listener/app/NAME/LB/L` -> `...:loadbalancer/app/NAME/LB`.
pub fn listener_load_balancer(listener_arn: &str) -> Option<String> {
    let (head, path) = listener_arn.split_once(":listener/")?;
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop()?;
    Some(format!("{head}:loadbalancer/{}", parts.join("/")))
}

#[async_trait]
impl StepHandler for DeleteAlb {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let d = &self.0;
        let mut t = Tally::new(ctx);
        for item in of(&inp, ResourceKind::Listener) {
            d.elb
                .delete_listener(&region(item)?, &item.id)
                .await
                .map_err(|e| port_error(&msg("deleting a load-balancer listener", "로드 밸런서 리스너 삭제"), e))?;
            t.deleted.push(entry(item));
        }
        for item in of(&inp, ResourceKind::LoadBalancer) {
            let r = region(item)?;
            let started = d
                .elb
                .delete_load_balancer(&r, &item.id)
                .await
                .map_err(|e| port_error(&msg("deleting the load balancer", "로드 밸런서 삭제"), e))?;
            if started {
                faults::point("teardown.alb.after_delete_lb").await;
            }
            match d.elb.load_balancer(&r, &item.id).await {
                Err(PortError::NotFound(_)) => t.deleted.push(entry(item)),
                Ok(lb) => t.waiting.push(msg(
                    format!("The load balancer {} is being deleted (state {}).", lb.name, lb.state),
                    format!("로드 밸런서 {}을(를) 삭제하는 중입니다(상태 {}).", lb.name, lb.state),
                )),
                Err(e) => return Err(port_error(&msg("reading the load balancer", "로드 밸런서 읽기"), e)),
            }
        }
        if !t.waiting.is_empty() {
            return t.finish(ctx, d, msg("load balancers", "로드 밸런서")).await;
        }
        for item in of(&inp, ResourceKind::TargetGroup) {
            match d.elb.delete_target_group(&region(item)?, &item.id).await {
                Ok(_) => t.deleted.push(entry(item)),
                Err(e) if is_code(&e, "ResourceInUse") => t.waiting.push(msg(
                    "The target group is still attached to the load balancer being deleted (ResourceInUse).",
                    "대상 그룹이 아직 삭제 중인 로드 밸런서에 연결되어 있습니다(ResourceInUse).",
                )),
                Err(e) => return Err(port_error(&msg("deleting the target group", "대상 그룹 삭제"), e)),
            }
        }
        t.finish(ctx, d, msg("load-balancer parts", "로드 밸런서 구성 요소")).await
    }
}

/// The parts of an `sg_rule` id: `sg-x:tcp:PORT:from:SOURCE` (SOURCE may hold colons: `::/0`).
pub fn parse_rule_id(id: &str) -> Option<(String, u16, String)> {
    let (group, rest) = id.split_once(":tcp:")?;
    let (port, source) = rest.split_once(":from:")?;
    Some((group.to_string(), port.parse().ok()?, source.to_string()))
}

#[async_trait]
impl StepHandler for DeleteNetwork {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let d = &self.0;
        let mut t = Tally::new(ctx);
        for item in of(&inp, ResourceKind::SgRule) {
            let Some((group, port, source)) = parse_rule_id(&item.id) else {
                t.kept.push(kept(
                    item,
                    msg(
                        "lockstep cannot read this rule's id; remove it by hand.",
                        "lockstep이 이 규칙의 ID를 읽지 못했습니다. 직접 삭제하세요.",
                    ),
                ));
                continue;
            };
            d.network.revoke_ingress(&region(item)?, &group, port, &source).await.map_err(|e| {
                let task = msg(
                    format!("removing the rule for port {port} on {group}"),
                    format!("{group}에서 포트 {port} 규칙 삭제"),
                );
                port_error(&task, e)
            })?;
            t.deleted.push(entry(item));
        }
        for item in of(&inp, ResourceKind::SecurityGroup) {
            match d.network.delete_security_group(&region(item)?, &item.id).await {
                Ok(_) => t.deleted.push(entry(item)),
                Err(e) if is_code(&e, "DependencyViolation") => t.waiting.push(msg(
                    format!(
                        "The security group {} is still used by the deleted load balancer's network interfaces (DependencyViolation); AWS releases them a minute or two after the load balancer is gone.",
                        item.id
                    ),
                    format!(
                        "삭제된 로드 밸런서의 네트워크 인터페이스가 아직 보안 그룹 {}을(를) 사용하고 있습니다(DependencyViolation). AWS는 로드 밸런서가 사라지고 1~2분 뒤에 이를 해제합니다.",
                        item.id
                    ),
                )),
                Err(e) => {
                    let task = msg(
                        format!("deleting the security group {}", item.id),
                        format!("보안 그룹 {} 삭제", item.id),
                    );
                    return Err(port_error(&task, e));
                }
            }
        }
        t.finish(ctx, d, msg("security-group rules and groups", "보안 그룹 규칙과 보안 그룹")).await
    }
}

/// The parts of a `route53_record` id: `ZONE:NAME:TYPE`.
pub fn parse_record_id(id: &str) -> Option<(String, String, String)> {
    let (zone, rest) = id.split_once(':')?;
    let (name, rtype) = rest.rsplit_once(':')?;
    Some((zone.to_string(), name.trim_end_matches('.').to_ascii_lowercase(), rtype.to_string()))
}

#[async_trait]
impl StepHandler for DeleteRecords {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let d = &self.0;
        let mut t = Tally::new(ctx);
        let items: Vec<&LedgerItem> = of(&inp, ResourceKind::Route53Record).collect();
        let mut zones: Vec<String> = items.iter().filter_map(|i| parse_record_id(&i.id).map(|p| p.0)).collect();
        zones.sort();
        zones.dedup();
        for zone in zones {
            let current = match d.dns.list_records(&zone).await {
                Ok(r) => r,
                // The zone itself is gone: so are its records.
                Err(PortError::NotFound(_)) => Vec::new(),
                Err(e) => {
                    let task =
                        msg(format!("reading the records of the zone {zone}"), format!("영역 {zone}의 레코드 읽기"));
                    return Err(port_error(&task, e));
                }
            };
            let mut doomed: Vec<RecordSet> = Vec::new();
            for item in &items {
                let Some((z, name, rtype)) = parse_record_id(&item.id) else { continue };
                if z != zone {
                    continue;
                }
                if let Some(r) = current.iter().find(|r| r.name == name && r.rtype == rtype) {
                    if !doomed.contains(r) {
                        doomed.push(r.clone());
                    }
                }
                t.deleted.push(entry(item));
            }
            if !doomed.is_empty() {
                ctx.note(&msg(
                    format!("Deleting {} records in the zone {zone}", doomed.len()),
                    format!("영역 {zone}에서 레코드 {}개를 삭제하는 중", doomed.len()),
                ))
                .await?;
                let task = msg(format!("deleting records in the zone {zone}"), format!("영역 {zone}의 레코드 삭제"));
                d.dns.delete_records(&zone, &doomed).await.map_err(|e| port_error(&task, e))?;
            }
        }
        t.finish(ctx, d, msg("DNS records", "DNS 레코드")).await
    }
}

#[async_trait]
impl StepHandler for DeleteCertificates {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let d = &self.0;
        let mut t = Tally::new(ctx);
        for item in of(&inp, ResourceKind::AcmCertificate) {
            let r = region(item)?;
            let info = match d.ca.describe(&r, &item.id).await {
                Ok(info) => info,
                Err(PortError::NotFound(_)) => {
                    t.deleted.push(entry(item));
                    continue;
                }
                Err(e) => return Err(port_error(&msg("reading a certificate", "인증서 읽기"), e)),
            };
            // Attached to something lockstep did not make: keep it, and say what uses it.
            let others: Vec<&str> =
                info.in_use_by.iter().map(String::as_str).filter(|u| !made_by_lockstep(u, &inp.items)).collect();
            if !others.is_empty() {
                t.kept.push(kept(
                    item,
                    msg(
                        format!(
                            "Still used by {} (not made by lockstep); deleting it would break that.",
                            others.join(", ")
                        ),
                        format!(
                            "아직 {}에서 사용 중입니다(lockstep이 만든 것이 아닙니다). 삭제하면 그쪽이 망가집니다.",
                            others.join(", ")
                        ),
                    ),
                ));
                continue;
            }
            match d.ca.delete(&r, &item.id).await {
                Ok(()) | Err(PortError::NotFound(_)) => t.deleted.push(entry(item)),
                Err(e) if is_code(&e, "ResourceInUse") => {
                    if t.waited_ms < d.patience.as_millis() as i64 {
                        t.waiting.push(msg(
                            format!(
                                "ACM still counts {} as in use (ResourceInUseException): it notices a deleted load balancer or distribution a few minutes later.",
                                info.domain
                            ),
                            format!(
                                "ACM이 아직 {}을(를) 사용 중으로 봅니다(ResourceInUseException). ACM은 로드 밸런서나 배포가 삭제된 것을 몇 분 뒤에 알아챕니다.",
                                info.domain
                            ),
                        ));
                    } else {
                        t.kept.push(kept(
                            item,
                            msg(
                                format!("ACM still says {} is in use (ResourceInUseException) after the wait; delete it in the ACM console once it shows no \"In use\".", info.domain),
                                format!("기다린 뒤에도 ACM은 {}이(가) 사용 중이라고 합니다(ResourceInUseException). ACM 콘솔에서 \"사용 중\" 표시가 사라지면 직접 삭제하세요.", info.domain),
                            ),
                        ));
                    }
                }
                Err(e) => return Err(port_error(&msg("deleting a certificate", "인증서 삭제"), e)),
            }
        }
        t.finish(ctx, d, msg("certificates", "인증서")).await
    }
}

/// Whether `user` (an ARN from ACM's InUseBy) is something of the ledger: a load balancer
/// (the ledger has it, or one of its listeners) or a distribution (ACM lists its ARN, the
/// ledger its id).
fn made_by_lockstep(user: &str, items: &[LedgerItem]) -> bool {
    items.iter().any(|i| {
        i.id == user
            || (i.kind == ResourceKind::Listener && listener_load_balancer(&i.id).as_deref() == Some(user))
            || (i.kind == ResourceKind::CloudfrontDistribution && user.ends_with(&format!(":distribution/{}", i.id)))
    })
}

#[async_trait]
impl StepHandler for DeleteZone {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let d = &self.0;
        let mut t = Tally::new(ctx);
        for item in of(&inp, ResourceKind::HostedZone) {
            if !inp.delete_zone {
                t.kept.push(kept(
                    item,
                    msg(
                        "You chose to keep the hosted zone (it costs $0.50 a month). Tear down again and tick the box to delete it.",
                        "호스팅 영역을 남겨 두기로 하셨습니다(한 달에 $0.50). 삭제하려면 상자를 체크하고 다시 정리하세요.",
                    ),
                ));
                continue;
            }
            let zone = match d.dns.get_zone(&item.id).await {
                Ok(z) => z,
                Err(PortError::NotFound(_)) => {
                    t.deleted.push(entry(item));
                    continue;
                }
                Err(e) => return Err(port_error(&msg("reading the hosted zone", "호스팅 영역 읽기"), e)),
            };
            let records = d
                .dns
                .list_records(&item.id)
                .await
                .map_err(|e| port_error(&msg("reading the zone's records", "영역의 레코드 읽기"), e))?;
            let foreign: Vec<String> = records
                .iter()
                .filter(|r| !(r.name == zone.name && (r.rtype == "NS" || r.rtype == "SOA")))
                .map(|r| format!("{} {}", r.name, r.rtype))
                .collect();
            if !foreign.is_empty() {
                t.kept.push(kept(
                    item,
                    msg(
                        format!(
                            "The zone {} still has records lockstep did not make ({}); AWS deletes only an empty zone. Delete them in the Route 53 console if you do not need them, then tear down again.",
                            zone.name,
                            foreign.join(", ")
                        ),
                        format!(
                            "{} 영역에 lockstep이 만들지 않은 레코드가 남아 있습니다({}). AWS는 빈 영역만 삭제합니다. 필요 없다면 Route 53 콘솔에서 삭제한 뒤 다시 정리하세요.",
                            zone.name,
                            foreign.join(", ")
                        ),
                    ),
                ));
                continue;
            }
            match d.dns.delete_zone(&item.id).await {
                Ok(()) | Err(PortError::NotFound(_)) => t.deleted.push(entry(item)),
                Err(e) if is_code(&e, "HostedZoneNotEmpty") => t.kept.push(kept(
                    item,
                    msg(
                        "Route 53 says the zone is not empty (HostedZoneNotEmpty); delete its other records, then tear down again.",
                        "Route 53이 영역이 비어 있지 않다고 합니다(HostedZoneNotEmpty). 다른 레코드를 삭제한 뒤 다시 정리하세요.",
                    ),
                )),
                Err(e) => return Err(port_error(&msg("deleting the hosted zone", "호스팅 영역 삭제"), e)),
            }
        }
        t.finish(ctx, d, msg("hosted zones", "호스팅 영역")).await
    }
}

/// Whether `item` still exists in AWS.
async fn still_there(d: &TeardownDeps, item: &LedgerItem) -> Result<bool, PortError> {
    let gone = |r: Result<bool, PortError>| match r {
        Err(PortError::NotFound(_)) => Ok(false),
        other => other,
    };
    match item.kind.key() {
        "cloudfront_distribution" => gone(d.cdn.distribution(&item.id).await.map(|_| true)),
        "bucket_policy_statement" => {
            let Some((bucket, dist)) = item.id.split_once(':') else { return Ok(false) };
            let policy = d.buckets.policy(&reg(item), bucket).await?;
            Ok(policy.is_some_and(|p| without_statement(&p, &policy_sid(dist)).ok().flatten().is_some()))
        }
        "listener" => {
            let r = reg(item);
            let Some(lb) = listener_load_balancer(&item.id) else { return Ok(false) };
            match d.elb.load_balancer(&r, &lb).await {
                Err(PortError::NotFound(_)) => Ok(false),
                Err(e) => Err(e),
                Ok(_) => Ok(d.elb.listeners(&r, &lb).await?.iter().any(|l| l.arn == item.id)),
            }
        }
        "load_balancer" => gone(d.elb.load_balancer(&reg(item), &item.id).await.map(|_| true)),
        "target_group" => Ok(d.elb.target_group(&reg(item), &item.id).await?.is_some()),
        "sg_rule" => {
            let Some((group, port, source)) = parse_rule_id(&item.id) else { return Ok(false) };
            let rules = d.network.group_rules(&reg(item), &group).await?;
            Ok(rules.unwrap_or_default().iter().any(|r| {
                r.covers(port)
                    && r.protocol == "tcp"
                    && match source.as_str() {
                        "world" => r.world_open(),
                        s if s.starts_with("sg-") => r.source_groups.iter().any(|g| g == s),
                        s => r.cidrs.iter().any(|c| c == s),
                    }
            }))
        }
        "security_group" => Ok(d.network.group_rules(&reg(item), &item.id).await?.is_some()),
        "route53_record" => {
            let Some((zone, name, rtype)) = parse_record_id(&item.id) else { return Ok(false) };
            match d.dns.list_records(&zone).await {
                Err(PortError::NotFound(_)) => Ok(false),
                Err(e) => Err(e),
                Ok(records) => Ok(records.iter().any(|r| r.name == name && r.rtype == rtype)),
            }
        }
        "acm_certificate" => gone(d.ca.describe(&reg(item), &item.id).await.map(|_| true)),
        "hosted_zone" => gone(d.dns.get_zone(&item.id).await.map(|_| true)),
        _ => Ok(false),
    }
}

#[async_trait]
impl StepHandler for Verify {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx)?;
        let d = &self.0;
        let mut kept_ids: Vec<(String, String)> = Vec::new();
        let mut kept_list: Vec<Value> = Vec::new();
        for kind in &STEPS[..STEPS.len() - 1] {
            let out = ctx.output_value(*kind).await?;
            for k in out["kept"].as_array().into_iter().flatten() {
                kept_ids.push((k["kind"].as_str().unwrap_or("").into(), k["id"].as_str().unwrap_or("").into()));
                kept_list.push(k.clone());
            }
        }
        let mut left = Vec::new();
        let mut checked = 0;
        for item in &inp.items {
            if kept_ids.iter().any(|(k, id)| *k == item.kind.key() && *id == item.id) {
                continue;
            }
            checked += 1;
            let there = still_there(d, item).await.map_err(|e| {
                let task = msg(
                    format!("looking up the {} {}", item.kind.label(), item.id),
                    format!("{} {} 조회", item.kind.label_ko(), item.id),
                );
                port_error(&task, e)
            })?;
            if there {
                left.push(item.clone());
            }
        }
        if !left.is_empty() {
            return Err(StepError::Fatal(UserError {
                ko: lockstep_domain::ko(
                    format!("lockstep이 삭제한 리소스 중 {}개가 아직 AWS에 남아 있습니다.", left.len()),
                    left.iter().map(|i| format!("{} {} ({})", i.kind.label_ko(), i.id, i.region)).collect::<Vec<_>>().join("; "),
                    "AWS가 아직 삭제를 마무리하는 중일 수 있습니다. 1분 뒤에 \"다시 시도\"를 눌러 다시 확인하세요. 계속 남아 있으면 AWS 콘솔에서 직접 삭제하세요.",
                ),
                what: format!("{} of the resources lockstep deleted still exist in AWS.", left.len()),
                why: left.iter().map(|i| format!("{} {} ({})", i.kind.label(), i.id, i.region)).collect::<Vec<_>>().join("; "),
                fix: "AWS may still be finishing the delete: press Retry in a minute to look again. If one stays, delete it in the AWS console.".into(),
            }));
        }
        ctx.detail(&StepDetail::Teardown { deleted: Vec::new(), kept: torn(&kept_list) }).await?;
        let note = if kept_list.is_empty() {
            msg(
                format!("Checked {checked} resources in AWS: nothing lockstep created is left."),
                format!("AWS에서 리소스 {checked}개를 확인했습니다. lockstep이 만든 것은 하나도 남아 있지 않습니다."),
            )
        } else {
            msg(
                format!("Checked {checked} resources in AWS: all deleted. Kept on purpose: {}.", kept_list.len()),
                format!(
                    "AWS에서 리소스 {checked}개를 확인했습니다. 모두 삭제되었습니다. 일부러 남겨 둔 것: {}개.",
                    kept_list.len()
                ),
            )
        };
        Ok(StepOutcome::Done { output: json!({ "checked": checked, "left": [], "kept": kept_list }), note: Some(note) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_back() {
        assert_eq!(parse_rule_id("sg-1:tcp:443:from:::/0"), Some(("sg-1".into(), 443, "::/0".into())));
        assert_eq!(parse_rule_id("sg-1:tcp:8000:from:sg-2"), Some(("sg-1".into(), 8000, "sg-2".into())));
        assert_eq!(parse_rule_id("nonsense"), None);
        assert_eq!(
            parse_record_id("Z1:_x1.api.team.com:CNAME"),
            Some(("Z1".into(), "_x1.api.team.com".into(), "CNAME".into()))
        );
        assert_eq!(
            listener_load_balancer("arn:aws:elasticloadbalancing:ap-northeast-2:1:listener/app/lockstep-x/abc/def"),
            Some("arn:aws:elasticloadbalancing:ap-northeast-2:1:loadbalancer/app/lockstep-x/abc".into())
        );
    }

    #[test]
    fn only_lockstep_statement_leaves_the_policy() {
        let sid = policy_sid("E1");
        let two = json!({"Version":"2012-10-17","Statement":[{"Sid":"Public"},{"Sid": sid}]}).to_string();
        let rest = without_statement(&two, &sid).unwrap().unwrap();
        assert!(rest.contains("Public") && !rest.contains(&sid), "{rest}");
        let one = json!({"Version":"2012-10-17","Statement":{"Sid": sid}}).to_string();
        assert_eq!(without_statement(&one, &sid).unwrap(), Some(String::new()));
        assert_eq!(without_statement(&rest, &sid).unwrap(), None);
        assert!(without_statement("{", &sid).is_err());
    }
}
