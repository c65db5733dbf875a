//! The ALB step of the paid path: an internet-facing Application Load Balancer in front of the
//! project's instance, ending HTTPS with the ACM certificate and forwarding plain HTTP to the
//! app, with the API name pointing at it.
//!
//! Seven durable sub-steps ([`STEPS`], in this order), each safe to re-run after a crash:
//! 1. `alb.network`: the certificate must be in the ALB's region; the instance's VPC; one subnet
//!    in each of two availability zones (the instance's own AZ, so its target is in use, and
//!    one more; public ones). Fewer than two AZs is refused before anything is created. Two AZs,
//!    not all: each AZ costs a public IPv4 address ([`lockstep_domain::cost`]);
//! 2. `alb.security`: the ALB's security group `lockstep-alb-<slug>` (80/443 from anywhere), and
//!    a rule on the instance's security group letting that group in on the app port;
//! 3. `alb.target_group`: `lockstep-<slug>`, protocol **HTTP** on the app port (the ALB ends TLS;
//!    an HTTPS group in front of a plain-HTTP app is seed 001's 502), health check on the
//!    project's health path answering 200-399; the instance registered. An existing group of
//!    that name is reused when it is HTTP on the same port and VPC (its health path is updated);
//!    one with protocol HTTPS, another port or another VPC is refused with the reason: a target
//!    group's protocol and port cannot be changed, and lockstep never deletes what it did not make;
//! 4. `alb.create`: the load balancer `lockstep-<slug>` (reused when it exists), then polled
//!    until `active` (about 3 minutes on AWS);
//! 5. `alb.listeners`: HTTPS:443 with the certificate and ELBSecurityPolicy-TLS13-1-2-2021-06
//!    forwarding to the group, HTTP:80 answering 301 to HTTPS. Existing equivalent listeners are
//!    kept; different ones are explained, not changed. This comes *before* the health wait:
//!    AWS health-checks only target groups a listener forwards to (before that the target is
//!    `unused`, Target.NotInUse);
//! 6. `alb.await_healthy`: polls target health, showing each reason in plain words; gives up
//!    after 10 minutes of `unhealthy` naming the app port, the health path and the rule;
//! 7. `alb.records`: alias A and AAAA for the API name to the load balancer (its
//!    CanonicalHostedZoneId), waiting for INSYNC; without a hosted zone, the CNAME to add by hand.
//!
//! Every step's output has `"created": [{"kind", "id", "region"}]`: only what that step created
//! (not what it found and reused), in creation order, so a teardown deletes exactly what lockstep
//! made, in reverse order. Kinds: `security_group`, `sg_rule` (id `sg-x:tcp:PORT:from:SRC`, SRC a
//! group id or a CIDR), `target_group`, `load_balancer`, `listener`, `route53_record` (id
//! `ZONE:NAME:TYPE`). Whether a resource existed is decided and committed before lockstep first
//! tries to create it, so a crash after the create call still counts it as lockstep's.
//!
//! ## Starting the run (for the service layer)
//! `start_run(project_id, RUN_KIND, json(&AlbInput { .. }), &STEPS)` with `region`,
//! `instance_id`, `app_port` and `health_path` from the project spec (the instance must be an
//! instance id, not an IP), `api` = the name plan's API name, `certificate_arn` = the ISSUED ACM
//! certificate covering `api` **in the project's region** (the certificate run for the backend,
//! `cert.request` output), `zone_id` = `plan.zone_id` (`None` when the domain's DNS is
//! elsewhere), `project_slug` = the project's name. The load balancer's DNS name is in the
//! `alb.create` output (`dns_name`), the URL in the `alb.records` output (`url`). Show
//! [`lockstep_domain::pricing::paid_path`]`(2, ..)` before starting: the ALB bills hourly.

use super::cloudfront::certificate_region;
use super::port_error;
use crate::faults;
use crate::jobs::{StepCtx, StepError, StepHandler, StepOutcome};
use crate::ports::{
    AliasTarget, ChangeStatus, DnsZones, Firewall, InstanceNetwork, ListenerAction, ListenerInfo, LoadBalancerInfo,
    LoadBalancerSpec, LoadBalancers, Network, PortError, RecordSet, SubnetInfo, TargetGroupInfo, TargetGroupSpec,
};
use async_trait::async_trait;
use lockstep_doctor::inside::{explain_target_health, HealthText};
use lockstep_domain::RunKind;
use lockstep_domain::{msg, DomainName, Message, Region, StepKind, UserError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

pub const RUN_KIND: RunKind = RunKind::Backend;

/// The steps of a backend (ALB) run, in order. Listeners come before the health wait: AWS only
/// health-checks a target group that a listener forwards to.
pub const STEPS: [StepKind; 7] = [
    StepKind::AlbNetwork,
    StepKind::AlbSecurity,
    StepKind::AlbTargetGroup,
    StepKind::AlbCreate,
    StepKind::AlbListeners,
    StepKind::AlbAwaitHealthy,
    StepKind::AlbRecords,
];

/// How long a target may stay `unhealthy` before the health wait gives up.
pub const UNHEALTHY_LIMIT: Duration = Duration::from_secs(10 * 60);

/// What a backend run acts on, fixed when the run starts (from the project and its name plan).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlbInput {
    pub region: Region,
    pub instance_id: String,
    /// The port the app listens on (plain HTTP).
    pub app_port: u16,
    /// The path the load balancer's health check calls, e.g. `/health`.
    pub health_path: String,
    /// The API name (e.g. `api.example.com`).
    pub api: DomainName,
    /// An ISSUED ACM certificate covering `api`, in `region`. Empty when the same run requests
    /// it first (the paid path's backend run starts with the certificate steps): the ARN is then
    /// read from the run's `cert.request` output.
    #[serde(default)]
    pub certificate_arn: String,
    /// The hosted zone for the alias records; `None` when the domain's DNS is elsewhere.
    pub zone_id: Option<String>,
    /// Names the load balancer, its target group and its security group.
    pub project_slug: String,
}

pub struct AlbDeps {
    pub network: Arc<dyn Network>,
    pub firewall: Arc<dyn Firewall>,
    pub elb: Arc<dyn LoadBalancers>,
    pub dns: Arc<dyn DnsZones>,
    /// Interval between checks while waiting on AWS.
    pub poll: Duration,
    /// How long a target may stay unhealthy ([`UNHEALTHY_LIMIT`]; shorter in tests).
    pub unhealthy_limit: Duration,
}

/// One resource a step created (for a later teardown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Created {
    pub kind: String,
    pub id: String,
    pub region: String,
}

impl Created {
    fn new(kind: &str, id: impl Into<String>, region: &Region) -> Created {
        Created { kind: kind.to_string(), id: id.into(), region: region.as_str().to_string() }
    }
}

/// The `sg_rule` id: `sg-x:tcp:PORT:from:SRC`.
pub fn rule_id(group: &str, port: u16, source: &str) -> String {
    format!("{group}:tcp:{port}:from:{source}")
}

async fn input(ctx: &StepCtx) -> Result<AlbInput, StepError> {
    let mut inp: AlbInput =
        serde_json::from_value(ctx.input().clone()).map_err(|e| StepError::Store(format!("backend run input: {e}")))?;
    if inp.certificate_arn.is_empty() {
        let out = ctx.output_value(StepKind::CertRequest).await?;
        inp.certificate_arn = out["arn"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| StepError::Store("the certificate step recorded no ARN".into()))?;
    }
    Ok(inp)
}

async fn output(ctx: &StepCtx, kind: StepKind, field: &str) -> Result<String, StepError> {
    let out = ctx.output_value(kind).await?;
    out[field].as_str().map(str::to_string).ok_or_else(|| StepError::Store(format!("{kind} output has no {field}")))
}

/// Whether the resource behind `key` existed before lockstep first tried to create it: decided
/// on the first attempt (`found_now`) and committed, so later attempts give the same answer.
async fn existed_before(ctx: &StepCtx, key: &str, found_now: bool) -> Result<bool, StepError> {
    let key = format!("{key}.existed");
    if let Some(v) = ctx.effect_result(&key).await? {
        return Ok(v["existed"] == json!(true));
    }
    ctx.effect_token(&key).await?;
    ctx.record_effect(&key, &json!({ "existed": found_now })).await?;
    Ok(found_now)
}

/// The result of a call that is not idempotent in what it reports (a rule added or already
/// there): made once, its answer committed, the same answer on every later attempt.
async fn once<F, Fut>(ctx: &StepCtx, key: &str, call: F) -> Result<bool, StepError>
where
    F: FnOnce() -> Fut,
    Fut: std::future::Future<Output = Result<bool, StepError>>,
{
    if let Some(v) = ctx.effect_result(key).await? {
        return Ok(v["added"] == json!(true));
    }
    ctx.effect_token(key).await?;
    let added = call().await?;
    ctx.record_effect(key, &json!({ "added": added })).await?;
    Ok(added)
}

// ---- Pure rules (unit-tested below) ----

/// An AWS resource name from `prefix` + `slug`: lower-case letters, digits and single hyphens,
/// no hyphen at either end, at most `max` characters. A name that does not fit is cut and ends
/// with 4 hex digits of a hash of the whole name, so two long project names stay apart.
pub fn aws_name(prefix: &str, slug: &str, max: usize) -> String {
    let raw = format!("{prefix}{slug}").to_ascii_lowercase();
    let mut name = String::new();
    for c in raw.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if c == '-' && (name.is_empty() || name.ends_with('-')) {
            continue;
        }
        name.push(c);
    }
    let name = name.trim_end_matches('-').to_string();
    if name.len() <= max {
        return name;
    }
    // FNV-1a: stable across versions and platforms (the name is looked up again later).
    let hash = raw.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3));
    let mut cut = name[..max - 5].trim_end_matches('-').to_string();
    cut.push_str(&format!("-{:04x}", hash & 0xffff));
    cut
}

/// The load balancer's and the target group's name (32 characters at most for both).
pub fn lb_name(slug: &str) -> String {
    aws_name("lockstep-", slug, 32)
}

/// The load balancer's security group name.
pub fn alb_group_name(slug: &str) -> String {
    aws_name("lockstep-alb-", slug, 255)
}

/// One subnet per AZ for the load balancer: a public one in the instance's own AZ (its target
/// is only used when that AZ is enabled on the load balancer), and a public one in one other AZ.
pub fn choose_subnets(instance: &InstanceNetwork, subnets: &[SubnetInfo]) -> Result<Vec<SubnetInfo>, UserError> {
    let vpc = &instance.vpc_id;
    let mut azs: Vec<&str> = subnets.iter().map(|s| s.availability_zone.as_str()).collect();
    azs.sort();
    azs.dedup();
    let create_subnet = format!(
        "In the VPC console, open Subnets > Create subnet: choose the VPC {vpc}, an availability zone it has no subnet in yet (e.g. {}), and a free CIDR block inside the VPC (e.g. 172.31.200.0/24 in a default VPC). Then open the subnet's Route table tab and make sure it is the table with a route 0.0.0.0/0 to an internet gateway (igw-...). Press Retry when done.",
        suggest_az(&instance.availability_zone, &azs)
    );
    let create_subnet_ko = format!(
        "VPC 콘솔에서 서브넷 > 서브넷 생성을 여세요. VPC {vpc}을(를) 고르고, 아직 서브넷이 없는 가용 영역(예: {})과 VPC 안에서 비어 있는 CIDR 블록(예: 기본 VPC라면 172.31.200.0/24)을 지정하세요. 그다음 그 서브넷의 라우팅 테이블 탭을 열어, 인터넷 게이트웨이(igw-...)로 가는 0.0.0.0/0 경로가 있는 테이블인지 확인하세요. 끝나면 \"다시 시도\"를 누르세요.",
        suggest_az(&instance.availability_zone, &azs)
    );
    if azs.len() < 2 {
        return Err(UserError {
            ko: lockstep_domain::ko(
                format!("인스턴스의 VPC {vpc}에는 가용 영역 {}개({})에만 서브넷이 있습니다.", azs.len(), azs.join(", ")),
                "Application Load Balancer는 한 곳에 장애가 나도 계속 동작하도록 적어도 두 개의 가용 영역(데이터 센터)에 서브넷이 있어야 합니다. 그보다 적으면 AWS가 생성을 거부합니다(ValidationError). 아무것도 만들지 않았습니다.",
                create_subnet_ko,
            ),
            what: format!(
                "The instance's VPC {vpc} has subnets in only {} availability zone{} ({}).",
                azs.len(),
                if azs.len() == 1 { "" } else { "s" },
                azs.join(", ")
            ),
            why: "An Application Load Balancer must have a subnet in at least two availability zones (data centers), so it keeps working when one fails; AWS refuses to create one with fewer (ValidationError). Nothing was created.".into(),
            fix: create_subnet,
        });
    }
    let mut public: Vec<&SubnetInfo> = subnets.iter().filter(|s| s.is_public()).collect();
    public.sort_by(|a, b| (&a.availability_zone, &a.subnet_id).cmp(&(&b.availability_zone, &b.subnet_id)));
    let home = public
        .iter()
        .find(|s| s.subnet_id == instance.subnet_id)
        .or_else(|| public.iter().find(|s| s.availability_zone == instance.availability_zone));
    let Some(home) = home else {
        return Err(UserError {
            ko: lockstep_domain::ko(
                format!("인스턴스의 가용 영역 {}에 퍼블릭 서브넷이 없습니다(VPC {vpc}).", instance.availability_zone),
                "인터넷 경계(internet-facing) 로드 밸런서는 인스턴스와 같은 가용 영역에 퍼블릭 서브넷(인터넷 게이트웨이로 라우팅되는 서브넷)이 있어야 합니다. 그렇지 않으면 인스턴스 대상이 전혀 사용되지 않습니다(Target.NotInUse). 아무것도 만들지 않았습니다.",
                format!("VPC 콘솔에서 {}의 서브넷에 VPC 인터넷 게이트웨이로 가는 0.0.0.0/0 경로를 추가하거나(라우팅 테이블 > 그 서브넷의 테이블 > 라우팅 편집), 그 영역에 퍼블릭 서브넷을 새로 만드세요. 그다음 \"다시 시도\"를 누르세요.", instance.availability_zone),
            ),
            what: format!(
                "No public subnet in the instance's availability zone {} (VPC {vpc}).",
                instance.availability_zone
            ),
            why: "An internet-facing load balancer needs a public subnet (routed to an internet gateway) in the instance's own zone; otherwise the instance's target is never used (Target.NotInUse). Nothing was created.".into(),
            fix: format!(
                "In the VPC console, give a subnet in {} a route 0.0.0.0/0 to the VPC's internet gateway (Route tables > the subnet's table > Edit routes), or create a public subnet there. Then press Retry.",
                instance.availability_zone
            ),
        });
    };
    let Some(other) = public.iter().find(|s| s.availability_zone != home.availability_zone) else {
        return Err(UserError {
            ko: lockstep_domain::ko(
                format!("VPC {vpc}에는 {}에만 퍼블릭 서브넷이 있고, 다른 영역({})의 서브넷은 프라이빗입니다.", home.availability_zone, azs.iter().filter(|a| **a != home.availability_zone).cloned().collect::<Vec<_>>().join(", ")),
                "인터넷 경계(internet-facing) 로드 밸런서는 적어도 두 개의 가용 영역에 퍼블릭 서브넷(인터넷 게이트웨이로 라우팅되는 서브넷)이 필요합니다. 아무것도 만들지 않았습니다.",
                create_subnet_ko,
            ),
            what: format!(
                "The VPC {vpc} has a public subnet only in {}; the subnets in the other zones ({}) are private.",
                home.availability_zone,
                azs.iter().filter(|a| **a != home.availability_zone).cloned().collect::<Vec<_>>().join(", ")
            ),
            why: "An internet-facing load balancer needs public subnets (routed to an internet gateway) in at least two availability zones. Nothing was created.".into(),
            fix: create_subnet,
        });
    };
    Ok(vec![(*home).clone(), (*other).clone()])
}

fn suggest_az(home: &str, taken: &[&str]) -> String {
    let base = home.trim_end_matches(|c: char| c.is_ascii_lowercase());
    ["a", "b", "c", "d"]
        .iter()
        .map(|s| format!("{base}{s}"))
        .find(|az| !taken.contains(&az.as_str()) && !base.is_empty())
        .unwrap_or_else(|| format!("a zone other than {home}"))
}

/// Refuses an existing target group lockstep cannot use as it is.
pub fn check_target_group(tg: &TargetGroupInfo, port: u16, vpc_id: &str) -> Result<(), UserError> {
    let delete = format!(
        "Delete the target group {} in the EC2 console (Load Balancing > Target Groups; if a listener uses it, delete or change that listener first), then press Retry: lockstep creates it again with protocol HTTP on port {port}. lockstep does not delete it itself because it did not create it.",
        tg.name
    );
    let delete_ko = format!(
        "EC2 콘솔의 로드 밸런싱 > 대상 그룹에서 대상 그룹 {}을(를) 삭제하세요. 리스너가 이 그룹을 사용 중이면 그 리스너를 먼저 삭제하거나 변경해야 합니다. 그다음 \"다시 시도\"를 누르면 lockstep이 프로토콜 HTTP, 포트 {port}로 대상 그룹을 다시 만듭니다. lockstep이 만든 것이 아니므로 lockstep이 직접 삭제하지는 않습니다.",
        tg.name
    );
    if !tg.protocol.eq_ignore_ascii_case("HTTP") {
        return Err(UserError {
            ko: lockstep_domain::ko(
                format!("이름이 {}인 대상 그룹이 이미 있으며, 프로토콜이 {}입니다.", tg.name, tg.protocol),
                format!("로드 밸런서는 HTTPS를 직접 종료하고 앱과는 일반 HTTP로 통신해야 합니다. 프로토콜이 {}이면 HTTP만 하는 앱과 TLS 핸드셰이크를 시도하므로, 상태 검사가 실패하고 방문자는 502 Bad Gateway를 받습니다(대상 상태 \"-\"). 대상 그룹의 프로토콜은 만든 뒤에 바꿀 수 없습니다.", tg.protocol),
                delete_ko,
            ),
            what: format!("A target group named {} already exists with protocol {}.", tg.name, tg.protocol),
            why: format!(
                "The load balancer ends HTTPS itself and must talk plain HTTP to your app. With protocol {} it tries a TLS handshake with an app that speaks HTTP: the health checks fail and visitors get 502 Bad Gateway (target status \"-\"). A target group's protocol cannot be changed after it is created.",
                tg.protocol
            ),
            fix: delete,
        });
    }
    if tg.port != port {
        return Err(UserError {
            ko: lockstep_domain::ko(
                format!(
                    "이름이 {}인 대상 그룹이 이미 포트 {}로 있지만, 앱은 포트 {port}에서 수신합니다.",
                    tg.name, tg.port
                ),
                "대상 그룹의 포트는 만든 뒤에 바꿀 수 없습니다.",
                delete_ko,
            ),
            what: format!(
                "A target group named {} already exists on port {}, but the app listens on {port}.",
                tg.name, tg.port
            ),
            why: "A target group's port cannot be changed after it is created.".into(),
            fix: delete,
        });
    }
    if tg.vpc_id != vpc_id {
        return Err(UserError {
            ko: lockstep_domain::ko(
                format!("이름이 {}인 대상 그룹이 이미 다른 VPC({})에 있습니다.", tg.name, tg.vpc_id),
                format!(
                    "인스턴스는 {vpc_id}에 있습니다. 대상 그룹은 하나의 VPC에서만 쓰이며 다른 VPC로 옮길 수 없습니다."
                ),
                delete_ko,
            ),
            what: format!("A target group named {} already exists in another VPC ({}).", tg.name, tg.vpc_id),
            why: format!("The instance is in {vpc_id}; a target group serves one VPC and cannot be moved."),
            fix: delete,
        });
    }
    if tg.target_type != "instance" {
        return Err(UserError {
            ko: lockstep_domain::ko(
                format!("이름이 {}인 대상 그룹이 이미 있으며, 대상 유형이 {}입니다.", tg.name, tg.target_type),
                "lockstep은 인스턴스를 직접 등록하므로 대상 유형이 \"instance\"여야 합니다. 대상 유형은 바꿀 수 없습니다.",
                delete_ko,
            ),
            what: format!("A target group named {} already exists with target type {}.", tg.name, tg.target_type),
            why: "lockstep registers the instance itself, which needs target type \"instance\"; the type cannot be changed.".into(),
            fix: delete,
        });
    }
    Ok(())
}

/// Refuses an existing load balancer lockstep cannot use as it is.
pub fn check_load_balancer(lb: &LoadBalancerInfo, vpc_id: &str, instance_az: &str) -> Result<(), UserError> {
    let delete = format!(
        "Delete the load balancer {} in the EC2 console (Load Balancing > Load Balancers > Actions > Delete), or give this project another name, then press Retry.",
        lb.name
    );
    let delete_ko = format!(
        "EC2 콘솔에서 로드 밸런서 {}을(를) 삭제하거나(로드 밸런싱 > 로드 밸런서 > 작업 > 삭제) 이 프로젝트에 다른 이름을 지정한 뒤, \"다시 시도\"를 누르세요.",
        lb.name
    );
    if lb.lb_type != "application" || lb.scheme != "internet-facing" {
        return Err(UserError {
            ko: lockstep_domain::ko(
                format!("이름이 {}인 로드 밸런서가 이미 있지만, {} {} 유형입니다.", lb.name, lb.scheme, lb.lb_type),
                "API에는 인터넷 경계(internet-facing) Application Load Balancer가 필요합니다. 로드 밸런서의 유형과 체계(scheme)는 바꿀 수 없습니다.",
                delete_ko,
            ),
            what: format!("A load balancer named {} already exists, but it is {} {}.", lb.name, lb.scheme, lb.lb_type),
            why: "The API needs an internet-facing application load balancer; type and scheme cannot be changed."
                .into(),
            fix: delete,
        });
    }
    if lb.vpc_id != vpc_id {
        return Err(UserError {
            ko: lockstep_domain::ko(
                format!("이름이 {}인 로드 밸런서가 이미 다른 VPC({})에 있습니다.", lb.name, lb.vpc_id),
                format!("인스턴스는 {vpc_id}에 있습니다. 로드 밸런서는 자기 VPC 안의 인스턴스에만 연결할 수 있습니다."),
                delete_ko,
            ),
            what: format!("A load balancer named {} already exists in another VPC ({}).", lb.name, lb.vpc_id),
            why: format!("The instance is in {vpc_id}; a load balancer reaches instances in its own VPC only."),
            fix: delete,
        });
    }
    if !lb.availability_zones.is_empty() && !lb.availability_zones.iter().any(|z| z == instance_az) {
        return Err(UserError {
            ko: lockstep_domain::ko(
                format!("로드 밸런서 {}이(가) 인스턴스의 가용 영역 {instance_az}에 있지 않습니다(현재 영역: {}).", lb.name, lb.availability_zones.join(", ")),
                "로드 밸런서는 자신이 활성화된 영역에 있는 대상에만 트래픽을 보냅니다. 이대로면 인스턴스가 계속 사용되지 않습니다(Target.NotInUse).",
                format!("EC2 콘솔에서 로드 밸런서 > {} > 네트워크 매핑 > 서브넷 편집을 열고, {instance_az}의 퍼블릭 서브넷을 선택해 저장한 뒤 \"다시 시도\"를 누르세요.", lb.name),
            ),
            what: format!(
                "The load balancer {} is not in the instance's availability zone {instance_az} (it is in {}).",
                lb.name,
                lb.availability_zones.join(", ")
            ),
            why: "A load balancer only sends traffic to targets in zones it is enabled in; the instance would stay unused (Target.NotInUse).".into(),
            fix: format!("In the EC2 console, Load Balancers > {} > Network mapping > Edit subnets: tick a public subnet in {instance_az}, save, then press Retry.", lb.name),
        });
    }
    Ok(())
}

fn describe_actions(l: &ListenerInfo) -> String {
    let actions: Vec<String> = l
        .default_actions
        .iter()
        .map(|a| match a {
            ListenerAction::Forward { target_group_arn } => format!("forwards to {}", short(target_group_arn)),
            ListenerAction::Redirect { protocol, port, status_code } => {
                format!("redirects to {protocol}:{port} ({status_code})")
            }
            ListenerAction::Other(o) => format!("does \"{o}\""),
        })
        .collect();
    let certs = if l.certificate_arns.is_empty() {
        String::new()
    } else {
        format!(" with certificate {}", l.certificate_arns.join(", "))
    };
    format!("{} {}{certs} {}", l.protocol, l.port, actions.join(" and "))
}

/// Is the existing 443 listener what lockstep would create?
pub fn https_listener_ok(l: &ListenerInfo, certificate_arn: &str, target_group_arn: &str) -> bool {
    l.protocol == "HTTPS"
        && l.certificate_arns.iter().any(|c| c == certificate_arn)
        && l.default_actions == [ListenerAction::Forward { target_group_arn: target_group_arn.to_string() }]
}

/// Is the existing 80 listener a redirect to HTTPS 443?
pub fn redirect_listener_ok(l: &ListenerInfo) -> bool {
    l.protocol == "HTTP"
        && matches!(l.default_actions.as_slice(), [ListenerAction::Redirect { protocol, port, status_code }]
            if protocol == "HTTPS" && port == "443" && status_code.starts_with("HTTP_30"))
}

/// "10 minutes", "1 minute", "45 seconds".
pub fn span(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        120.. => format!("{} minutes", s / 60),
        60..=119 => "1 minute".into(),
        1 => "1 second".into(),
        _ => format!("{s} seconds"),
    }
}

/// [`span`] in Korean: "10분", "1분", "45초".
pub fn span_ko(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}분", s / 60)
    } else {
        format!("{s}초")
    }
}

fn short(arn: &str) -> &str {
    arn.rsplit(':').next().unwrap_or(arn)
}

/// A target's health in plain words for the timeline: what, why, what to do.
pub fn health_note(state: &str, reason: Option<&str>, description: Option<&str>, port: u16, path: &str) -> Message {
    let HealthText { en: (title, why, fix), ko: (title_ko, why_ko, fix_ko) } =
        explain_target_health(state, reason, description, port, path);
    let why = if why.is_empty() { String::new() } else { format!(" {why}") };
    let why_ko = if why_ko.is_empty() { String::new() } else { format!(" {why_ko}") };
    msg(format!("{title}.{why} What to do: {fix}"), format!("{title_ko}.{why_ko} 해결 방법: {fix_ko}"))
}

/// The give-up explanation after the target stayed unhealthy for `waited`.
pub fn unhealthy_error(
    waited: Duration,
    target: &crate::ports::TargetHealth,
    port: u16,
    path: &str,
    instance_group: &str,
    alb_group: &str,
) -> UserError {
    let HealthText { en: (title, why, fix), ko: (title_ko, why_ko, fix_ko) } =
        explain_target_health(&target.state, target.reason.as_deref(), target.description.as_deref(), port, path);
    let (waited, waited_ko) = (span(waited), span_ko(waited));
    UserError {
        ko: lockstep_domain::ko(
            format!("앱이 {waited_ko} 동안 로드 밸런서의 상태 검사를 통과하지 못했습니다: {title_ko}."),
            format!("{why_ko} 로드 밸런서는 30초마다 http://<instance>:{port}{path}를 호출하고, 200-399로 응답하는 인스턴스에만 방문자를 보냅니다. 그전까지 방문자는 503을 받습니다."),
            format!("{fix_ko} 인스턴스에서 세 가지를 확인하세요: (1) 앱이 실행 중이고 0.0.0.0:{port}에서 수신하는지(`ss -ltnp | grep {port}`), (2) `curl -i http://localhost:{port}{path}`가 로그인 없이 200(또는 리디렉션)으로 응답하는지, (3) 보안 그룹 {instance_group}이(가) 로드 밸런서의 보안 그룹 {alb_group}에서 오는 TCP {port}를 여전히 허용하는지(lockstep이 추가한 규칙입니다). 그다음 \"다시 시도\"를 누르면 대기가 처음부터 다시 시작됩니다."),
        ),
        what: format!(
            "The app did not pass the load balancer's health checks for {waited}: {title}."
        ),
        why: format!(
            "{why} The load balancer calls http://<instance>:{port}{path} every 30 seconds and sends visitors only to an instance that answers 200-399; until then they get 503."
        ),
        fix: format!(
            "{fix} Check three things on the instance: (1) the app is running and listens on 0.0.0.0:{port} (`ss -ltnp | grep {port}`); (2) `curl -i http://localhost:{port}{path}` answers 200 (or a redirect) without a login; (3) the security group {instance_group} still allows TCP {port} from the load balancer's security group {alb_group} (lockstep added that rule). Then press Retry: the wait starts over."
        ),
    }
}

// ---- The steps ----

pub struct FindNetwork(pub Arc<AlbDeps>);
pub struct Security(pub Arc<AlbDeps>);
pub struct TargetGroup(pub Arc<AlbDeps>);
pub struct Create(pub Arc<AlbDeps>);
pub struct AwaitHealthy(pub Arc<AlbDeps>);
pub struct Listeners(pub Arc<AlbDeps>);
pub struct Records(pub Arc<AlbDeps>);

fn instance_missing(inp: &AlbInput) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("lockstep이 {}에서 인스턴스 {}을(를) 찾을 수 없습니다.", inp.region, inp.instance_id),
            "이 AWS 계정과 리전에 해당 인스턴스가 없습니다. 종료(terminate)되었거나, 프로젝트에 입력된 리전 또는 ID가 잘못되었을 수 있습니다.",
            "EC2 콘솔(프로젝트 리전의 인스턴스 목록)에서 인스턴스 ID를 확인하고 프로젝트에서 고친 뒤, 로드 밸런서 단계를 다시 시작하세요.",
        ),
        what: format!("lockstep cannot find the instance {} in {}.", inp.instance_id, inp.region),
        why: "It does not exist in this AWS account and region: it may have been terminated, or the project has the wrong region or id.".into(),
        fix: "Check the instance id in the EC2 console (Instances, in the project's region), fix it in the project, then start the load balancer step again.".into(),
    }
}

#[async_trait]
impl StepHandler for FindNetwork {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx).await?;
        match certificate_region(&inp.certificate_arn) {
            Some(r) if r == inp.region.as_str() => {}
            Some(r) => {
                return Err(StepError::Fatal(UserError {
                    ko: lockstep_domain::ko(
                        format!("인증서는 {r}에 있지만, 로드 밸런서는 {}에 만들어집니다.", inp.region),
                        "로드 밸런서는 자기 리전에 있는 ACM 인증서만 사용할 수 있습니다(us-east-1의 인증서는 CloudFront용입니다).",
                        format!("{}에서 {}용 인증서를 요청한 뒤(API용 lockstep 인증서 단계가 이 일을 합니다), 로드 밸런서 단계를 다시 시작하세요.", inp.region, inp.api),
                    ),
                    what: format!("The certificate is in {r}, but the load balancer will be in {}.", inp.region),
                    why: "A load balancer can only use an ACM certificate from its own region (a us-east-1 certificate is for CloudFront).".into(),
                    fix: format!("Request the certificate for {} in {} (lockstep's certificate step for the API does this), then start the load balancer step again.", inp.api, inp.region),
                }))
            }
            None => {
                return Err(StepError::Fatal(UserError {
                    ko: lockstep_domain::ko(
                        format!("\"{}\"은(는) ACM 인증서 ARN이 아닙니다.", inp.certificate_arn),
                        "HTTPS 리스너에는 ACM 인증서의 ARN(arn:aws:acm:REGION:ACCOUNT:certificate/ID)이 필요합니다.",
                        "먼저 인증서 단계를 마치세요. lockstep이 그 ARN을 알아서 넘겨줍니다.",
                    ),
                    what: format!("\"{}\" is not an ACM certificate ARN.", inp.certificate_arn),
                    why: "The HTTPS listener needs the ARN of an ACM certificate (arn:aws:acm:REGION:ACCOUNT:certificate/ID).".into(),
                    fix: "Finish the certificate step first; lockstep passes its ARN on by itself.".into(),
                }))
            }
        }
        let net = match self.0.network.instance_network(&inp.region, &inp.instance_id).await {
            Ok(n) => n,
            Err(PortError::NotFound(_)) => return Err(StepError::Fatal(instance_missing(&inp))),
            Err(e) => {
                let task = msg(
                    format!("reading the instance {}", inp.instance_id),
                    format!("인스턴스 {} 읽기", inp.instance_id),
                );
                return Err(port_error(&task, e));
            }
        };
        if net.vpc_id.is_empty() || net.subnet_id.is_empty() {
            return Err(StepError::Fatal(UserError {
                ko: lockstep_domain::ko(
                    format!("인스턴스 {}이(가) VPC 서브넷 안에 있지 않습니다.", inp.instance_id),
                    "로드 밸런서는 자기 VPC 안의 인스턴스에만 연결할 수 있는데, 이 인스턴스에는 VPC가 없습니다(EC2-Classic이거나 종료된 인스턴스).",
                    "VPC 안에서 시작한 인스턴스를 사용한 뒤(새로 만드는 인스턴스는 모두 VPC 안에 있습니다), 로드 밸런서 단계를 다시 시작하세요.",
                ),
                what: format!("The instance {} is not in a VPC subnet.", inp.instance_id),
                why: "A load balancer reaches instances inside its VPC; this one has none (EC2-Classic, or it is terminated).".into(),
                fix: "Use an instance launched in a VPC (every new instance is), then start the load balancer step again.".into(),
            }));
        }
        let subnets = self.0.network.subnets(&inp.region, &net.vpc_id).await.map_err(|e| {
            port_error(
                &msg(format!("listing the subnets of {}", net.vpc_id), format!("{}의 서브넷 목록 조회", net.vpc_id)),
                e,
            )
        })?;
        let chosen = choose_subnets(&net, &subnets).map_err(StepError::Fatal)?;
        let mut note = msg(
            format!(
                "VPC {}: the load balancer goes in {} ({}) and {} ({}).",
                net.vpc_id,
                chosen[0].availability_zone,
                chosen[0].subnet_id,
                chosen[1].availability_zone,
                chosen[1].subnet_id
            ),
            format!(
                "VPC {}: 로드 밸런서를 {}({}), {}({}) 두 곳에 둡니다.",
                net.vpc_id,
                chosen[0].availability_zone,
                chosen[0].subnet_id,
                chosen[1].availability_zone,
                chosen[1].subnet_id
            ),
        );
        if net.state != "running" && !net.state.is_empty() {
            note = note.then(&msg(
                format!("Note: the instance is {}; start it before the health checks.", net.state),
                format!("참고: 인스턴스가 {} 상태입니다. 상태 검사 전에 인스턴스를 시작하세요.", net.state),
            ));
        }
        let out = json!({
            "vpc_id": net.vpc_id,
            "instance_subnet": net.subnet_id,
            "instance_az": net.availability_zone,
            "instance_security_groups": net.security_groups,
            "subnets": chosen.iter().map(|s| s.subnet_id.clone()).collect::<Vec<_>>(),
            "availability_zones": chosen.iter().map(|s| s.availability_zone.clone()).collect::<Vec<_>>(),
            "created": [],
        });
        Ok(StepOutcome::Done { note: Some(note), output: out })
    }
}

#[async_trait]
impl StepHandler for Security {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx).await?;
        let d = &self.0;
        let region = &inp.region;
        let vpc = output(ctx, StepKind::AlbNetwork, "vpc_id").await?;
        let mut created = Vec::new();

        // The load balancer's own group: found by name in the VPC, or created.
        let name = alb_group_name(&inp.project_slug);
        let found = d.network.find_security_group(region, &vpc, &name).await.map_err(|e| {
            port_error(&msg("looking for the load balancer's security group", "로드 밸런서의 보안 그룹 찾기"), e)
        })?;
        let existed = existed_before(ctx, "ec2.alb_sg", found.is_some()).await?;
        let group = match found {
            Some(g) => g,
            None => {
                ctx.note(&msg(
                    format!("Creating the security group {name} in {vpc}"),
                    format!("{vpc}에 보안 그룹 {name}을(를) 만드는 중"),
                ))
                .await?;
                faults::point("alb.security.before_create").await;
                let g = d
                    .network
                    .create_security_group(
                        region,
                        &vpc,
                        &name,
                        &format!("lockstep: load balancer of {}", inp.project_slug),
                    )
                    .await
                    .map_err(|e| {
                        port_error(
                            &msg("creating the load balancer's security group", "로드 밸런서의 보안 그룹 생성"),
                            e,
                        )
                    })?;
                faults::point("alb.security.after_create").await;
                g
            }
        };
        if !existed {
            created.push(Created::new("security_group", &group.group_id, region));
        }
        let gid = group.group_id.as_str();
        for port in [80u16, 443] {
            let added = once(ctx, &format!("ec2.alb_sg.open_{port}"), move || async move {
                d.firewall.open_to_world(region, gid, port).await.map_err(|e| {
                    port_error(&msg(format!("opening port {port} on {gid}"), format!("{gid}에서 포트 {port} 열기")), e)
                })
            })
            .await?;
            // Every rule of a group lockstep created is lockstep's.
            if added || !existed {
                for src in ["0.0.0.0/0", "::/0"] {
                    created.push(Created::new("sg_rule", rule_id(&group.group_id, port, src), region));
                }
            }
        }

        // The instance's group lets the load balancer in on the app port.
        let (groups, rules) = d.firewall.instance_rules(region, &inp.instance_id).await.map_err(|e| {
            let id = &inp.instance_id;
            port_error(&msg(format!("reading the security groups of {id}"), format!("{id}의 보안 그룹 읽기")), e)
        })?;
        let already = rules.iter().find(|r| r.covers(inp.app_port) && r.source_groups.contains(&group.group_id));
        let Some(first) = groups.first().cloned() else {
            return Err(StepError::Fatal(UserError {
                ko: lockstep_domain::ko(
                    format!("인스턴스 {}에 보안 그룹이 없습니다.", inp.instance_id),
                    "lockstep은 인스턴스 보안 그룹에 규칙을 추가해 로드 밸런서가 들어올 수 있게 합니다.",
                    "인스턴스에 보안 그룹을 연결한 뒤(EC2 콘솔 > 해당 인스턴스 > 작업 > 보안 > 보안 그룹 변경), \"다시 시도\"를 누르세요.",
                ),
                what: format!("The instance {} has no security group.", inp.instance_id),
                why: "lockstep lets the load balancer in through a rule on the instance's security group.".into(),
                fix: "Attach a security group to the instance (EC2 console > the instance > Actions > Security > Change security groups), then press Retry.".into(),
            }));
        };
        let instance_group = already.map(|r| r.group_id.clone()).unwrap_or(first);
        let key = "ec2.instance_sg.allow_alb";
        // Decided before the first try and committed: a rule found later is lockstep's own when
        // it was not there before (the answer to its call was lost, or a crash came after it).
        let rule_existed = existed_before(ctx, key, already.is_some()).await?;
        let added = if already.is_some() && ctx.effect_result(key).await?.is_none() {
            !rule_existed
        } else {
            let (ig, app_port) = (instance_group.as_str(), inp.app_port);
            once(ctx, key, move || async move {
                ctx.note(&msg(
                    format!("Allowing TCP {app_port} on {ig} from the load balancer's group {gid}"),
                    format!("{ig}에서 로드 밸런서의 보안 그룹 {gid}로부터 오는 TCP {app_port}를 허용하는 중"),
                ))
                .await?;
                let task = msg(
                    format!("letting the load balancer reach port {app_port} on {ig}"),
                    format!("로드 밸런서가 {ig}의 포트 {app_port}에 접근하도록 허용"),
                );
                d.network.allow_from_group(region, ig, app_port, gid).await.map_err(|e| port_error(&task, e))
            })
            .await?
                || !rule_existed
        };
        if added {
            created.push(Created::new("sg_rule", rule_id(&instance_group, inp.app_port, &group.group_id), region));
        }
        let verb = if existed { "Reusing" } else { "Created" };
        let verb_ko = if existed { "재사용합니다" } else { "만들었습니다" };
        Ok(StepOutcome::Done {
            note: Some(msg(
                format!(
                    "{verb} {name} ({}: 80 and 443 from anywhere); {instance_group} {} TCP {} from it.",
                    group.group_id,
                    if added { "now allows" } else { "already allowed" },
                    inp.app_port
                ),
                format!(
                    "{name}({}: 어디서나 80, 443 허용)을(를) {verb_ko}. {instance_group}은(는) 이 그룹에서 오는 TCP {}를 {}.",
                    group.group_id,
                    inp.app_port,
                    if added { "이제 허용합니다" } else { "이미 허용하고 있었습니다" }
                ),
            )),
            output: json!({
                "alb_security_group": group.group_id,
                "alb_security_group_name": name,
                "instance_security_group": instance_group,
                "app_port": inp.app_port,
                "created": created,
            }),
        })
    }
}

#[async_trait]
impl StepHandler for TargetGroup {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx).await?;
        let d = &self.0;
        let region = &inp.region;
        let vpc = output(ctx, StepKind::AlbNetwork, "vpc_id").await?;
        let name = lb_name(&inp.project_slug);
        let found = d
            .elb
            .find_target_group(region, &name)
            .await
            .map_err(|e| port_error(&msg("looking for the target group", "대상 그룹 찾기"), e))?;
        let existed = existed_before(ctx, "elb.target_group", found.is_some()).await?;
        let mut notes = Vec::new();
        let tg = match found {
            Some(tg) => {
                check_target_group(&tg, inp.app_port, &vpc).map_err(StepError::Fatal)?;
                if tg.health_path != inp.health_path {
                    d.elb.set_health_check(region, &tg.arn, &inp.health_path).await.map_err(|e| {
                        port_error(
                            &msg(
                                format!("setting the health check path of {name}"),
                                format!("{name}의 상태 검사 경로 설정"),
                            ),
                            e,
                        )
                    })?;
                    notes.push(msg(
                        format!("health check path changed from {} to {}", tg.health_path, inp.health_path),
                        format!("상태 검사 경로 변경: {} → {}", tg.health_path, inp.health_path),
                    ));
                }
                tg
            }
            None => {
                ctx.note(&msg(
                    format!(
                        "Creating the target group {name}: HTTP to port {} with health check {}",
                        inp.app_port, inp.health_path
                    ),
                    format!(
                        "대상 그룹 {name}을(를) 만드는 중: 포트 {}로 HTTP, 상태 검사 경로 {}",
                        inp.app_port, inp.health_path
                    ),
                ))
                .await?;
                faults::point("alb.target_group.before_create").await;
                let spec = TargetGroupSpec {
                    name: name.clone(),
                    port: inp.app_port,
                    vpc_id: vpc.clone(),
                    health_path: inp.health_path.clone(),
                };
                let tg = d
                    .elb
                    .create_target_group(region, &spec)
                    .await
                    .map_err(|e| port_error(&msg("creating the target group", "대상 그룹 생성"), e))?;
                faults::point("alb.target_group.after_create").await;
                // A group made by someone else at the same moment (same name, other settings).
                check_target_group(&tg, inp.app_port, &vpc).map_err(StepError::Fatal)?;
                tg
            }
        };
        d.elb.register_instance(region, &tg.arn, &inp.instance_id, inp.app_port).await.map_err(|e| {
            let id = &inp.instance_id;
            port_error(&msg(format!("registering {id} in the target group"), format!("대상 그룹에 {id} 등록")), e)
        })?;
        let created = if existed { vec![] } else { vec![Created::new("target_group", &tg.arn, region)] };
        let verb = if existed { "Reusing" } else { "Created" };
        let verb_ko = if existed { "재사용합니다" } else { "만들었습니다" };
        let changed = Message::join(&notes, "; ");
        let (changed, changed_ko) = if notes.is_empty() {
            (String::new(), String::new())
        } else {
            (format!(" ({})", changed.en), format!(" ({})", changed.ko))
        };
        Ok(StepOutcome::Done {
            note: Some(msg(
                format!(
                    "{verb} target group {name}: HTTP to port {}, health check {}; {} registered{changed}",
                    tg.port, inp.health_path, inp.instance_id,
                ),
                format!(
                    "대상 그룹 {name}을(를) {verb_ko}. 포트 {}로 HTTP를 전달하고 상태 검사 경로는 {}입니다. {}을(를) 등록했습니다{changed_ko}.",
                    tg.port, inp.health_path, inp.instance_id,
                ),
            )),
            output: json!({
                "target_group_arn": tg.arn,
                "name": name,
                "protocol": "HTTP",
                "port": inp.app_port,
                "health_path": inp.health_path,
                "created": created,
            }),
        })
    }
}

#[async_trait]
impl StepHandler for Create {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx).await?;
        let d = &self.0;
        let region = &inp.region;
        let lb = match ctx.effect_result("elb.load_balancer").await? {
            Some(v) => v,
            None => {
                let net = ctx.output_value(StepKind::AlbNetwork).await?;
                let vpc = net["vpc_id"].as_str().unwrap_or_default().to_string();
                let instance_az = net["instance_az"].as_str().unwrap_or_default().to_string();
                let subnets: Vec<String> = serde_json::from_value(net["subnets"].clone())
                    .map_err(|e| StepError::Store(format!("subnets: {e}")))?;
                let sg = output(ctx, StepKind::AlbSecurity, "alb_security_group").await?;
                let name = lb_name(&inp.project_slug);
                let found = d
                    .elb
                    .find_load_balancer(region, &name)
                    .await
                    .map_err(|e| port_error(&msg("looking for the load balancer", "로드 밸런서 찾기"), e))?;
                let existed = existed_before(ctx, "elb.load_balancer", found.is_some()).await?;
                let lb = match found {
                    Some(lb) => lb,
                    None => {
                        ctx.note(&msg(
                            format!("Creating the load balancer {name} in {}", subnets.join(" and ")),
                            format!("{}에 로드 밸런서 {name}을(를) 만드는 중", subnets.join(", ")),
                        ))
                        .await?;
                        faults::point("alb.create.before_call").await;
                        let spec = LoadBalancerSpec { name: name.clone(), subnets, security_group: sg };
                        let lb = d
                            .elb
                            .create_load_balancer(region, &spec)
                            .await
                            .map_err(|e| port_error(&msg("creating the load balancer", "로드 밸런서 생성"), e))?;
                        faults::point("alb.create.after_call").await;
                        lb
                    }
                };
                check_load_balancer(&lb, &vpc, &instance_az).map_err(StepError::Fatal)?;
                let v = json!({
                    "arn": lb.arn,
                    "name": lb.name,
                    "dns_name": lb.dns_name,
                    "canonical_hosted_zone_id": lb.canonical_hosted_zone_id,
                    "created": !existed,
                });
                ctx.effect_token("elb.load_balancer").await?;
                ctx.record_effect("elb.load_balancer", &v).await?;
                v
            }
        };
        let arn = lb["arn"].as_str().unwrap_or_default().to_string();
        let now = d
            .elb
            .load_balancer(region, &arn)
            .await
            .map_err(|e| port_error(&msg("reading the load balancer", "로드 밸런서 읽기"), e))?;
        match now.state.as_str() {
            "active" | "active_impaired" => {
                let created = if lb["created"] == json!(true) {
                    vec![Created::new("load_balancer", &arn, region)]
                } else {
                    vec![]
                };
                let mut note = msg(
                    format!(
                        "{} {} is active: {}.",
                        if created.is_empty() { "Reusing load balancer" } else { "Load balancer" },
                        now.name,
                        now.dns_name
                    ),
                    if created.is_empty() {
                        format!("기존 로드 밸런서 {}을(를) 재사용합니다. 활성(active) 상태입니다: {}.", now.name, now.dns_name)
                    } else {
                        format!("로드 밸런서 {}이(가) 활성(active) 상태입니다: {}.", now.name, now.dns_name)
                    },
                );
                if now.state == "active_impaired" {
                    note = note.then(&msg(
                        "AWS says active_impaired: it runs, but could not scale in one zone; this usually clears by itself.",
                        "AWS 상태는 active_impaired입니다. 동작은 하지만 한 영역에서 확장하지 못했습니다. 보통은 저절로 해결됩니다.",
                    ));
                }
                Ok(StepOutcome::Done {
                    note: Some(note),
                    output: json!({
                        "load_balancer_arn": arn,
                        "name": now.name,
                        "dns_name": now.dns_name,
                        "canonical_hosted_zone_id": now.canonical_hosted_zone_id,
                        "state": now.state,
                        "created": created,
                    }),
                })
            }
            "failed" => Err(StepError::Fatal(UserError {
                ko: lockstep_domain::ko(
                    format!("AWS가 로드 밸런서 {}을(를) 준비하지 못했습니다(상태 failed).", now.name),
                    "대개 서브넷에 남은 IP 주소가 부족하거나(로드 밸런서는 서브넷마다 최소 8개가 필요합니다), 계정의 로드 밸런서 할당량에 도달한 경우입니다.",
                    format!("EC2 콘솔(로드 밸런서)에서 {}을(를) 삭제하고, VPC 콘솔에서 서브넷의 남은 주소를 확인한 뒤 \"다시 시도\"를 누르세요.", now.name),
                ),
                what: format!("AWS could not set up the load balancer {} (state failed).", now.name),
                why: "Usually a subnet ran out of free IP addresses (a load balancer needs at least 8 per subnet) or the account hit its load balancer quota.".into(),
                fix: format!("Delete {} in the EC2 console (Load Balancers), check the subnets' free addresses in the VPC console, then press Retry.", now.name),
            })),
            state => Ok(StepOutcome::Poll {
                after: (d.poll * 3).max(Duration::from_millis(50)),
                note: msg(
                    format!(
                        "The load balancer {} is {state}: AWS is setting it up (usually about 3 minutes).",
                        now.name
                    ),
                    format!(
                        "로드 밸런서 {}의 상태는 {state}입니다. AWS가 준비하고 있습니다(보통 3분 정도 걸립니다).",
                        now.name
                    ),
                ),
            }),
        }
    }
}

#[async_trait]
impl StepHandler for Listeners {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx).await?;
        let d = &self.0;
        let region = &inp.region;
        let lb = output(ctx, StepKind::AlbCreate, "load_balancer_arn").await?;
        let lb_name = output(ctx, StepKind::AlbCreate, "name").await?;
        let tg = output(ctx, StepKind::AlbTargetGroup, "target_group_arn").await?;
        let tg_name = output(ctx, StepKind::AlbTargetGroup, "name").await?;
        let existing = d.elb.listeners(region, &lb).await.map_err(|e| {
            port_error(&msg("listing the load balancer's listeners", "로드 밸런서의 리스너 목록 조회"), e)
        })?;
        let mut created = Vec::new();
        let mut kept = Vec::new();

        let https = existing.iter().find(|l| l.port == 443);
        let existed = existed_before(ctx, "elb.listener_443", https.is_some()).await?;
        let https = match https {
            Some(l) if https_listener_ok(l, &inp.certificate_arn, &tg) => l.clone(),
            Some(l) => {
                return Err(StepError::Fatal(UserError {
                    ko: lockstep_domain::ko(
                        format!("로드 밸런서 {lb_name}에 이미 포트 443 리스너가 있지만, lockstep이 구성하는 방식과 다릅니다: {}.", describe_actions(l)),
                        format!("lockstep에는 포트 443이 인증서 {}를 사용하는 HTTPS 리스너로, 대상 그룹 {tg_name}(으)로 전달하도록 되어 있어야 합니다. lockstep은 자신이 만들지 않은 리스너를 변경하지 않습니다.", inp.certificate_arn),
                        format!("EC2 콘솔에서 로드 밸런서 > {lb_name} > 리스너로 가서 443 리스너를 편집하거나(프로토콜 HTTPS, 기본 작업은 {tg_name}(으)로 전달, 인증서는 ACM의 {}용 인증서) 삭제한 뒤, \"다시 시도\"를 누르세요.", inp.api),
                    ),
                    what: format!("The load balancer {lb_name} already has a listener on port 443 that is not lockstep's setup: {}.", describe_actions(l)),
                    why: format!("lockstep needs port 443 to be HTTPS with the certificate {} forwarding to the target group {tg_name}. It does not change a listener it did not create.", inp.certificate_arn),
                    fix: format!("In the EC2 console, Load Balancers > {lb_name} > Listeners: edit the 443 listener (protocol HTTPS, default action forward to {tg_name}, certificate from ACM for {}), or delete it; then press Retry.", inp.api),
                }))
            }
            None => {
                ctx.note(&msg(
                    "Adding the HTTPS listener on port 443 with the certificate",
                    "인증서를 사용하는 포트 443 HTTPS 리스너를 추가하는 중",
                ))
                .await?;
                faults::point("alb.listeners.before_https").await;
                let l = d.elb.create_https_listener(region, &lb, &inp.certificate_arn, &tg).await.map_err(|e| match e {
                    PortError::Rejected { code, message } if code.contains("Certificate") => StepError::Fatal(UserError {
                        ko: lockstep_domain::ko(
                            format!("로드 밸런서가 인증서를 거부했습니다({code})."),
                            format!("인증서는 발급됨(ISSUED) 상태이고, {}에 있으며, 이 계정의 것이어야 합니다. AWS 메시지: {message}", inp.region),
                            "이 리전의 ACM 콘솔에서 인증서를 확인하세요(상태: 발급됨). 필요하면 인증서 단계를 다시 실행한 뒤 \"다시 시도\"를 누르세요.",
                        ),
                        what: format!("The load balancer refused the certificate ({code})."),
                        why: format!("It must be ISSUED, in {}, and in this account. AWS said: {message}", inp.region),
                        fix: "Check the certificate in the ACM console of this region (status Issued); run the certificate step again if needed, then press Retry.".into(),
                    }),
                    other => port_error(&msg("adding the HTTPS listener", "HTTPS 리스너 추가"), other),
                })?;
                faults::point("alb.listeners.after_https").await;
                l
            }
        };
        if existed {
            kept.push("HTTPS 443");
        } else {
            created.push(Created::new("listener", &https.arn, region));
        }

        let http = existing.iter().find(|l| l.port == 80);
        let existed = existed_before(ctx, "elb.listener_80", http.is_some()).await?;
        let http = match http {
            Some(l) if redirect_listener_ok(l) => l.clone(),
            Some(l) => {
                return Err(StepError::Fatal(UserError {
                    ko: lockstep_domain::ko(
                        format!("로드 밸런서 {lb_name}에 이미 포트 80 리스너가 있습니다: {}.", describe_actions(l)),
                        "lockstep은 포트 80으로 오는 모든 요청을 HTTPS로 리디렉션(301)해서, 실수로 API를 일반 HTTP로 쓰는 일이 없게 합니다. lockstep은 자신이 만들지 않은 리스너를 변경하지 않습니다.",
                        format!("EC2 콘솔에서 로드 밸런서 > {lb_name} > 리스너로 가서 포트 80 리스너의 기본 작업을 \"URL로 리디렉션\", HTTPS, 포트 443, 301로 바꾸거나 삭제한 뒤, \"다시 시도\"를 누르세요."),
                    ),
                    what: format!("The load balancer {lb_name} already has a listener on port 80: {}.", describe_actions(l)),
                    why: "lockstep makes port 80 redirect every request to HTTPS (301), so nobody uses the API over plain HTTP by accident. It does not change a listener it did not create.".into(),
                    fix: format!("In the EC2 console, Load Balancers > {lb_name} > Listeners: change the port 80 listener's default action to \"Redirect to URL\", HTTPS, port 443, 301; or delete it; then press Retry."),
                }))
            }
            None => {
                ctx.note(&msg(
                    "Adding the HTTP listener on port 80 (redirects to HTTPS)",
                    "포트 80 HTTP 리스너(HTTPS로 리디렉션)를 추가하는 중",
                ))
                .await?;
                d.elb.create_redirect_listener(region, &lb).await.map_err(|e| {
                    port_error(
                        &msg("adding the HTTP-to-HTTPS redirect listener", "HTTP를 HTTPS로 리디렉션하는 리스너 추가"),
                        e,
                    )
                })?
            }
        };
        if existed {
            kept.push("HTTP 80");
        } else {
            created.push(Created::new("listener", &http.arn, region));
        }
        Ok(StepOutcome::Done {
            note: Some(msg(
                format!(
                    "HTTPS 443 forwards to {tg_name} with the certificate; HTTP 80 redirects to HTTPS{}",
                    if kept.is_empty() {
                        String::new()
                    } else {
                        format!(" (kept the existing {})", kept.join(" and "))
                    }
                ),
                format!(
                    "HTTPS 443은 인증서를 사용해 {tg_name}(으)로 전달하고, HTTP 80은 HTTPS로 리디렉션합니다{}.",
                    if kept.is_empty() {
                        String::new()
                    } else {
                        format!(" (기존 {} 리스너를 유지함)", kept.join(", "))
                    }
                ),
            )),
            output: json!({
                "https_listener_arn": https.arn,
                "http_listener_arn": http.arn,
                "ssl_policy": crate::ports::ALB_SSL_POLICY,
                "created": created,
            }),
        })
    }
}

#[async_trait]
impl StepHandler for AwaitHealthy {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx).await?;
        let d = &self.0;
        let tg = output(ctx, StepKind::AlbTargetGroup, "target_group_arn").await?;
        let targets = d
            .elb
            .target_health(&inp.region, &tg)
            .await
            .map_err(|e| port_error(&msg("reading the target health", "대상 상태 읽기"), e))?;
        let target =
            targets.into_iter().find(|t| t.target_id == inp.instance_id).unwrap_or(crate::ports::TargetHealth {
                target_id: inp.instance_id.clone(),
                port: inp.app_port,
                state: "unused".into(),
                reason: Some("Target.NotRegistered".into()),
                description: None,
            });
        if target.state == "healthy" {
            return Ok(StepOutcome::Done {
                note: Some(msg(
                    format!("{} is healthy: {} answers on port {}.", inp.instance_id, inp.health_path, inp.app_port),
                    format!(
                        "{}이(가) 정상(healthy)입니다. 포트 {}에서 {}이(가) 응답합니다.",
                        inp.instance_id, inp.app_port, inp.health_path
                    ),
                )),
                output: json!({ "state": "healthy", "target": inp.instance_id, "created": [] }),
            });
        }
        let note = health_note(
            &target.state,
            target.reason.as_deref(),
            target.description.as_deref(),
            inp.app_port,
            &inp.health_path,
        );
        let limit_ms = d.unhealthy_limit.as_millis() as i64;
        let now = ctx.now_ms();
        // Unhealthy since the first time it was seen so (committed, survives restarts); any
        // other state that never ends (unused, initial for ever) counts from the step's start,
        // with twice the patience.
        let since =
            if target.state == "unhealthy" { Some(ctx.effect_token("health.unhealthy_since").await?.1) } else { None };
        let over = match since {
            Some(t) => now - t >= limit_ms,
            None => now - ctx.started_at() >= 2 * limit_ms,
        };
        if over {
            let sec = output(ctx, StepKind::AlbSecurity, "instance_security_group").await?;
            let alb_sg = output(ctx, StepKind::AlbSecurity, "alb_security_group").await?;
            let waited = if since.is_some() { d.unhealthy_limit } else { d.unhealthy_limit * 2 };
            return Err(StepError::Fatal(unhealthy_error(
                waited,
                &target,
                inp.app_port,
                &inp.health_path,
                &sec,
                &alb_sg,
            )));
        }
        Ok(StepOutcome::Poll { after: (d.poll * 2).max(Duration::from_millis(50)), note })
    }
}

#[async_trait]
impl StepHandler for Records {
    async fn run(&self, ctx: &StepCtx) -> Result<StepOutcome, StepError> {
        let inp = input(ctx).await?;
        let d = &self.0;
        let dns_name = output(ctx, StepKind::AlbCreate, "dns_name").await?;
        let zone_hosted = output(ctx, StepKind::AlbCreate, "canonical_hosted_zone_id").await?;
        let api = inp.api.as_str().to_string();
        let Some(zone_id) = inp.zone_id.clone() else {
            return Ok(StepOutcome::Done {
                note: Some(msg(
                    format!(
                        "Your domain's DNS is not in Route 53: at your DNS provider, add a CNAME record {api} -> {dns_name} (TTL 300). Then https://{api} reaches the load balancer."
                    ),
                    format!(
                        "도메인의 DNS가 Route 53에 있지 않습니다. DNS 제공 업체에서 CNAME 레코드 {api} -> {dns_name}(TTL 300)을 추가하세요. 그러면 https://{api}로 로드 밸런서에 접속할 수 있습니다."
                    ),
                )),
                output: json!({
                    "url": format!("https://{api}"),
                    "manual": { "name": api, "type": "CNAME", "value": dns_name },
                    "created": [],
                }),
            });
        };
        let plan = match ctx.effect_result("route53.alb_records.before").await? {
            Some(v) => v,
            None => {
                let zone = d
                    .dns
                    .get_zone(&zone_id)
                    .await
                    .map_err(|e| port_error(&msg("reading the hosted zone", "호스팅 영역 읽기"), e))?;
                let zone_name =
                    DomainName::parse(&zone.name).map_err(|e| StepError::Store(format!("zone name: {e}")))?;
                if !inp.api.is_within(&zone_name) {
                    return Err(StepError::Fatal(UserError {
                        ko: lockstep_domain::ko(
                            format!("{api}은(는) 호스팅 영역 {} 안에 있지 않습니다.", zone.name),
                            "Route 53은 영역 안에 있는 이름에 대해서만 레코드를 추가할 수 있습니다.",
                            "1단계에서 API 이름을 포함하는 호스팅 영역을 선택한 뒤, 로드 밸런서 단계를 다시 시작하세요.",
                        ),
                        what: format!("{api} is not inside the hosted zone {}.", zone.name),
                        why: "Route 53 can only add records for names inside the zone.".into(),
                        fix: "Choose the hosted zone that contains the API name in step 1, then start the load balancer step again.".into(),
                    }));
                }
                let records = d
                    .dns
                    .list_records(&zone_id)
                    .await
                    .map_err(|e| port_error(&msg("reading the zone's records", "영역의 레코드 읽기"), e))?;
                let before: Vec<&RecordSet> =
                    records.iter().filter(|r| r.name == api && (r.rtype == "A" || r.rtype == "AAAA")).collect();
                let v = json!({ "zone_name": zone.name, "before": before });
                ctx.effect_token("route53.alb_records.before").await?;
                ctx.record_effect("route53.alb_records.before", &v).await?;
                v
            }
        };
        let before: Vec<RecordSet> = serde_json::from_value(plan["before"].clone()).unwrap_or_default();
        let change = match ctx.effect_result("route53.alb_records").await? {
            Some(v) => v["change_id"].as_str().unwrap_or_default().to_string(),
            None => {
                ctx.effect_token("route53.alb_records").await?;
                let target = AliasTarget {
                    dns_name: dns_name.clone(),
                    hosted_zone_id: zone_hosted.clone(),
                    evaluate_target_health: true,
                };
                let sets: Vec<RecordSet> =
                    ["A", "AAAA"].iter().map(|t| RecordSet::alias(api.as_str(), t, target.clone())).collect();
                ctx.note(&msg(
                    format!("Pointing {api} at {dns_name} (alias A and AAAA)"),
                    format!("{api}이(가) {dns_name}을(를) 가리키도록 설정하는 중(별칭 A, AAAA)"),
                ))
                .await?;
                let change = d.dns.upsert(&zone_id, &sets).await.map_err(|e| {
                    port_error(&msg("adding the alias records for the API", "API용 별칭 레코드 추가"), e)
                })?;
                ctx.record_effect("route53.alb_records", &json!({ "change_id": change })).await?;
                change
            }
        };
        match d
            .dns
            .change_status(&change)
            .await
            .map_err(|e| port_error(&msg("checking the Route 53 change", "Route 53 변경 사항 확인"), e))?
        {
            ChangeStatus::InSync => {
                let created: Vec<Created> = ["A", "AAAA"]
                    .iter()
                    .filter(|t| !before.iter().any(|r| r.rtype == **t))
                    .map(|t| Created::new("route53_record", format!("{zone_id}:{api}:{t}"), &inp.region))
                    .collect();
                let replaced: Vec<&RecordSet> = before.iter().collect();
                let types: Vec<&str> = replaced.iter().map(|r| r.rtype.as_str()).collect();
                let (was, was_ko) = if replaced.is_empty() {
                    (String::new(), String::new())
                } else {
                    (
                        format!(" (replaced the earlier {} record)", types.join(" and ")),
                        format!(" (기존 {} 레코드를 대체함)", types.join(", ")),
                    )
                };
                Ok(StepOutcome::Done {
                    note: Some(msg(
                        format!("{api} now points at the load balancer ({dns_name}){was}"),
                        format!("{api}이(가) 이제 로드 밸런서({dns_name})를 가리킵니다{was_ko}."),
                    )),
                    output: json!({
                        "url": format!("https://{api}"),
                        "records": [format!("{api} A ALIAS {dns_name}"), format!("{api} AAAA ALIAS {dns_name}")],
                        "change_id": change,
                        "replaced": replaced,
                        "created": created,
                    }),
                })
            }
            ChangeStatus::Pending => Ok(StepOutcome::Poll {
                after: d.poll.min(Duration::from_secs(5)),
                note: msg(
                    "Route 53 is still publishing the alias records to its name servers (PENDING).",
                    "Route 53이 아직 네임서버에 별칭 레코드를 게시하는 중입니다(PENDING).",
                ),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn subnet(id: &str, az: &str, public: bool) -> SubnetInfo {
        SubnetInfo {
            subnet_id: id.into(),
            availability_zone: az.into(),
            cidr: "10.0.0.0/24".into(),
            map_public_ip: public,
            routes_to_internet: None,
        }
    }

    fn instance(subnet: &str, az: &str) -> InstanceNetwork {
        InstanceNetwork {
            instance_id: "i-1".into(),
            vpc_id: "vpc-1".into(),
            subnet_id: subnet.into(),
            availability_zone: az.into(),
            security_groups: vec!["sg-app".into()],
            state: "running".into(),
        }
    }

    #[test]
    fn names_fit_aws_rules() {
        assert_eq!(lb_name("capstone-shop"), "lockstep-capstone-shop");
        assert_eq!(lb_name("Team_7 Shop!"), "lockstep-team-7-shop");
        let long = lb_name("a-very-long-project-name-for-the-class");
        assert_eq!(long.len(), 32, "{long}");
        assert!(long.starts_with("lockstep-a-very-long-projec-") && !long.contains("--"), "{long}");
        assert_ne!(long, lb_name("a-very-long-project-name-for-the-clasz"), "a hash keeps long names apart");
        assert_eq!(long, lb_name("a-very-long-project-name-for-the-class"), "stable");
        assert!(!lb_name("shop-").ends_with('-'));
        assert_eq!(alb_group_name("shop"), "lockstep-alb-shop");
        assert_eq!(rule_id("sg-1", 8000, "sg-2"), "sg-1:tcp:8000:from:sg-2");
    }

    #[test]
    fn subnets_are_the_instances_zone_and_one_more_public_one() {
        let subnets = vec![
            subnet("s-a", "ap-northeast-2a", true),
            subnet("s-b-private", "ap-northeast-2b", false),
            subnet("s-c", "ap-northeast-2c", true),
            subnet("s-b2", "ap-northeast-2b", true),
        ];
        let got = choose_subnets(&instance("s-c", "ap-northeast-2c"), &subnets).unwrap();
        let ids: Vec<&str> = got.iter().map(|s| s.subnet_id.as_str()).collect();
        assert_eq!(ids, vec!["s-c", "s-a"]);

        let one_az = vec![subnet("s-a", "ap-northeast-2a", true), subnet("s-a2", "ap-northeast-2a", true)];
        let e = choose_subnets(&instance("s-a", "ap-northeast-2a"), &one_az).unwrap_err();
        assert!(e.what.contains("only 1 availability zone") && e.why.contains("two"), "{e:?}");
        assert!(e.fix.contains("Create subnet") && e.fix.contains("ap-northeast-2b"), "{e:?}");

        let private_other = vec![subnet("s-a", "ap-northeast-2a", true), subnet("s-b", "ap-northeast-2b", false)];
        let e = choose_subnets(&instance("s-a", "ap-northeast-2a"), &private_other).unwrap_err();
        assert!(e.what.contains("private"), "{e:?}");

        // A route to an internet gateway decides over the public-IP flag.
        let mut routed = subnet("s-b", "ap-northeast-2b", false);
        routed.routes_to_internet = Some(true);
        let ok = choose_subnets(&instance("s-a", "ap-northeast-2a"), &[subnet("s-a", "ap-northeast-2a", true), routed]);
        assert_eq!(ok.unwrap()[1].subnet_id, "s-b");
    }

    fn tg(protocol: &str, port: u16) -> TargetGroupInfo {
        TargetGroupInfo {
            arn: "arn:tg".into(),
            name: "lockstep-shop".into(),
            protocol: protocol.into(),
            port,
            vpc_id: "vpc-1".into(),
            health_path: "/health".into(),
            matcher: "200".into(),
            target_type: "instance".into(),
            load_balancers: vec![],
        }
    }

    #[test]
    fn an_https_target_group_is_refused_with_seed_001s_reason() {
        assert!(check_target_group(&tg("HTTP", 8000), 8000, "vpc-1").is_ok());
        let e = check_target_group(&tg("HTTPS", 8000), 8000, "vpc-1").unwrap_err();
        assert!(
            e.what.contains("HTTPS") && e.why.contains("502") && e.fix.contains("Delete the target group"),
            "{e:?}"
        );
        assert!(check_target_group(&tg("HTTP", 80), 8000, "vpc-1").unwrap_err().what.contains("port 80"));
        assert!(check_target_group(&tg("HTTP", 8000), 8000, "vpc-2").unwrap_err().what.contains("another VPC"));
    }

    #[test]
    fn listeners_are_compared_with_what_lockstep_makes() {
        let https = ListenerInfo {
            arn: "l1".into(),
            protocol: "HTTPS".into(),
            port: 443,
            certificate_arns: vec!["cert".into()],
            ssl_policy: None,
            default_actions: vec![ListenerAction::Forward { target_group_arn: "tg".into() }],
        };
        assert!(https_listener_ok(&https, "cert", "tg"));
        assert!(!https_listener_ok(&https, "other-cert", "tg"));
        assert!(!https_listener_ok(&https, "cert", "other-tg"));
        let redirect = ListenerInfo {
            arn: "l2".into(),
            protocol: "HTTP".into(),
            port: 80,
            certificate_arns: vec![],
            ssl_policy: None,
            default_actions: vec![ListenerAction::Redirect {
                protocol: "HTTPS".into(),
                port: "443".into(),
                status_code: "HTTP_301".into(),
            }],
        };
        assert!(redirect_listener_ok(&redirect));
        let forward80 = ListenerInfo { default_actions: https.default_actions.clone(), ..redirect.clone() };
        assert!(!redirect_listener_ok(&forward80));
        assert!(describe_actions(&forward80).contains("forwards to"));
    }

    #[test]
    fn health_notes_and_the_give_up_are_plain_words() {
        let n = health_note(
            "unhealthy",
            Some("Target.ResponseCodeMismatch"),
            Some("Health checks failed with these codes: [404]"),
            8000,
            "/health",
        );
        assert!(n.en.contains("/health") && n.en.contains("[404]") && n.en.contains("What to do"), "{n:?}");
        assert!(n.ko.contains("/health") && n.ko.contains("[404]") && n.ko.contains("해결 방법"), "{n:?}");
        let t = crate::ports::TargetHealth {
            target_id: "i-1".into(),
            port: 8000,
            state: "unhealthy".into(),
            reason: Some("Target.Timeout".into()),
            description: None,
        };
        let e = unhealthy_error(UNHEALTHY_LIMIT, &t, 8000, "/health", "sg-app", "sg-alb");
        assert!(e.what.contains("10 minutes"), "{e:?}");
        assert!(e.said(true).0.contains("10분 동안"), "{e:?}");
        assert!(
            e.fix.contains("8000") && e.fix.contains("/health") && e.fix.contains("sg-app") && e.fix.contains("sg-alb")
        );
    }
}
