//! Why a load balancer cannot be built on what is there: too few or private subnets, a target
//! group or load balancer of the same name that lockstep cannot reuse, a target that never
//! became healthy. Each says what to change in the console.

use crate::ports::{LoadBalancerInfo, TargetGroupInfo, TargetHealth};
use lockstep_doctor::inside::{explain_target_health, HealthText};
use lockstep_domain::{msg, DomainName, Message, Region, UserError};
use std::net::Ipv4Addr;
use std::time::Duration;

// ---- Subnets (alb.network) ----

/// How to add a public subnet to the VPC, in `suggested_az` (a zone it has no subnet in) when
/// there is one, else in any zone other than the instance's `home_az`.
fn create_subnet(vpc: &str, home_az: &str, suggested_az: Option<&str>) -> (String, String) {
    let (suggested_az, suggested_az_ko) = match suggested_az {
        Some(az) => (az.to_string(), az.to_string()),
        None => (format!("a zone other than {home_az}"), format!("{home_az} 이외의 영역")),
    };
    (
        format!("In the VPC console, open Subnets > Create subnet: choose the VPC {vpc}, an availability zone it has no subnet in yet (e.g. {suggested_az}), and a free CIDR block inside the VPC (e.g. 172.31.200.0/24 in a default VPC). Then open the subnet's Route table tab and make sure it is the table with a route 0.0.0.0/0 to an internet gateway (igw-...). Press Retry when done."),
        format!("VPC 콘솔에서 서브넷 > 서브넷 생성을 여세요. VPC {vpc}을(를) 고르고, 아직 서브넷이 없는 가용 영역(예: {suggested_az_ko})과 VPC 안에서 비어 있는 CIDR 블록(예: 기본 VPC라면 172.31.200.0/24)을 지정하세요. 그다음 그 서브넷의 라우팅 테이블 탭을 열어, 인터넷 게이트웨이(igw-...)로 가는 0.0.0.0/0 경로가 있는 테이블인지 확인하세요. 끝나면 \"다시 시도\"를 누르세요."),
    )
}

/// The VPC has subnets in fewer than two availability zones (`azs`).
pub(in crate::steps::load_balancer) fn too_few_zones(
    vpc: &str,
    azs: &[&str],
    home_az: &str,
    suggested_az: Option<&str>,
) -> UserError {
    let (fix, fix_ko) = create_subnet(vpc, home_az, suggested_az);
    let (n, list) = (azs.len(), azs.join(", "));
    UserError {
        ko: lockstep_domain::ko(
            format!("인스턴스의 VPC {vpc}에는 가용 영역 {n}개({list})에만 서브넷이 있습니다."),
            "Application Load Balancer는 한 곳에 장애가 나도 계속 동작하도록 적어도 두 개의 가용 영역(데이터 센터)에 서브넷이 있어야 합니다. 그보다 적으면 AWS가 생성을 거부합니다(ValidationError). 아무것도 만들지 않았습니다.",
            fix_ko,
        ),
        what: format!(
            "The instance's VPC {vpc} has subnets in only {n} availability zone{} ({list}).",
            if n == 1 { "" } else { "s" }
        ),
        why: "An Application Load Balancer must have a subnet in at least two availability zones (data centers), so it keeps working when one fails; AWS refuses to create one with fewer (ValidationError). Nothing was created.".into(),
        fix,
    }
}

/// No public subnet in the instance's own zone `az`.
pub(in crate::steps::load_balancer) fn no_public_subnet_home(vpc: &str, az: &str) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("인스턴스의 가용 영역 {az}에 퍼블릭 서브넷이 없습니다(VPC {vpc})."),
            "인터넷 경계(internet-facing) 로드 밸런서는 인스턴스와 같은 가용 영역에 퍼블릭 서브넷(인터넷 게이트웨이로 라우팅되는 서브넷)이 있어야 합니다. 그렇지 않으면 인스턴스 대상이 전혀 사용되지 않습니다(Target.NotInUse). 아무것도 만들지 않았습니다.",
            format!("VPC 콘솔에서 {az}의 서브넷에 VPC 인터넷 게이트웨이로 가는 0.0.0.0/0 경로를 추가하거나(라우팅 테이블 > 그 서브넷의 테이블 > 라우팅 편집), 그 영역에 퍼블릭 서브넷을 새로 만드세요. 그다음 \"다시 시도\"를 누르세요."),
        ),
        what: format!("No public subnet in the instance's availability zone {az} (VPC {vpc})."),
        why: "An internet-facing load balancer needs a public subnet (routed to an internet gateway) in the instance's own zone; otherwise the instance's target is never used (Target.NotInUse). Nothing was created.".into(),
        fix: format!("In the VPC console, give a subnet in {az} a route 0.0.0.0/0 to the VPC's internet gateway (Route tables > the subnet's table > Edit routes), or create a public subnet there. Then press Retry."),
    }
}

/// A public subnet only in `home_az`; the subnets in the `others` zones are private.
pub(in crate::steps::load_balancer) fn no_public_subnet_elsewhere(
    vpc: &str,
    home_az: &str,
    others: &[&str],
    suggested_az: Option<&str>,
) -> UserError {
    let (fix, fix_ko) = create_subnet(vpc, home_az, suggested_az);
    let others = others.join(", ");
    UserError {
        ko: lockstep_domain::ko(
            format!("VPC {vpc}에는 {home_az}에만 퍼블릭 서브넷이 있고, 다른 영역({others})의 서브넷은 프라이빗입니다."),
            "인터넷 경계(internet-facing) 로드 밸런서는 적어도 두 개의 가용 영역에 퍼블릭 서브넷(인터넷 게이트웨이로 라우팅되는 서브넷)이 필요합니다. 아무것도 만들지 않았습니다.",
            fix_ko,
        ),
        what: format!("The VPC {vpc} has a public subnet only in {home_az}; the subnets in the other zones ({others}) are private."),
        why: "An internet-facing load balancer needs public subnets (routed to an internet gateway) in at least two availability zones. Nothing was created.".into(),
        fix,
    }
}

// ---- Names in use (alb.target_group, alb.create) ----

/// How to delete a target group lockstep cannot reuse.
fn delete_target_group(tg: &TargetGroupInfo, port: u16) -> (String, String) {
    let name = &tg.name;
    (
        format!("Delete the target group {name} in the EC2 console (Load Balancing > Target Groups; if a listener uses it, delete or change that listener first), then press Retry: lockstep creates it again with protocol HTTP on port {port}. lockstep does not delete it itself because it did not create it."),
        format!("EC2 콘솔의 로드 밸런싱 > 대상 그룹에서 대상 그룹 {name}을(를) 삭제하세요. 리스너가 이 그룹을 사용 중이면 그 리스너를 먼저 삭제하거나 변경해야 합니다. 그다음 \"다시 시도\"를 누르면 lockstep이 프로토콜 HTTP, 포트 {port}로 대상 그룹을 다시 만듭니다. lockstep이 만든 것이 아니므로 lockstep이 직접 삭제하지는 않습니다."),
    )
}

pub(in crate::steps::load_balancer) fn target_group_protocol(tg: &TargetGroupInfo, port: u16) -> UserError {
    let (fix, fix_ko) = delete_target_group(tg, port);
    let (name, protocol) = (&tg.name, &tg.protocol);
    UserError {
        ko: lockstep_domain::ko(
            format!("이름이 {name}인 대상 그룹이 이미 있으며, 프로토콜이 {protocol}입니다."),
            format!("로드 밸런서는 HTTPS를 직접 종료하고 앱과는 일반 HTTP로 통신해야 합니다. 프로토콜이 {protocol}이면 HTTP만 하는 앱과 TLS 핸드셰이크를 시도하므로, 상태 검사가 실패하고 방문자는 502 Bad Gateway를 받습니다(대상 상태 \"-\"). 대상 그룹의 프로토콜은 만든 뒤에 바꿀 수 없습니다."),
            fix_ko,
        ),
        what: format!("A target group named {name} already exists with protocol {protocol}."),
        why: format!(
            "The load balancer ends HTTPS itself and must talk plain HTTP to your app. With protocol {protocol} it tries a TLS handshake with an app that speaks HTTP: the health checks fail and visitors get 502 Bad Gateway (target status \"-\"). A target group's protocol cannot be changed after it is created."
        ),
        fix,
    }
}

pub(in crate::steps::load_balancer) fn target_group_port(tg: &TargetGroupInfo, port: u16) -> UserError {
    let (fix, fix_ko) = delete_target_group(tg, port);
    let (name, has) = (&tg.name, tg.port);
    UserError {
        ko: lockstep_domain::ko(
            format!("이름이 {name}인 대상 그룹이 이미 포트 {has}로 있지만, 앱은 포트 {port}에서 수신합니다."),
            "대상 그룹의 포트는 만든 뒤에 바꿀 수 없습니다.",
            fix_ko,
        ),
        what: format!("A target group named {name} already exists on port {has}, but the app listens on {port}."),
        why: "A target group's port cannot be changed after it is created.".into(),
        fix,
    }
}

pub(in crate::steps::load_balancer) fn target_group_vpc(tg: &TargetGroupInfo, port: u16, vpc_id: &str) -> UserError {
    let (fix, fix_ko) = delete_target_group(tg, port);
    let (name, has) = (&tg.name, &tg.vpc_id);
    UserError {
        ko: lockstep_domain::ko(
            format!("이름이 {name}인 대상 그룹이 이미 다른 VPC({has})에 있습니다."),
            format!("인스턴스는 {vpc_id}에 있습니다. 대상 그룹은 하나의 VPC에서만 쓰이며 다른 VPC로 옮길 수 없습니다."),
            fix_ko,
        ),
        what: format!("A target group named {name} already exists in another VPC ({has})."),
        why: format!("The instance is in {vpc_id}; a target group serves one VPC and cannot be moved."),
        fix,
    }
}

pub(in crate::steps::load_balancer) fn target_group_type(tg: &TargetGroupInfo, port: u16) -> UserError {
    let (fix, fix_ko) = delete_target_group(tg, port);
    let (name, has) = (&tg.name, &tg.target_type);
    UserError {
        ko: lockstep_domain::ko(
            format!("이름이 {name}인 대상 그룹이 이미 있으며, 대상 유형이 {has}입니다."),
            "lockstep은 인스턴스를 직접 등록하므로 대상 유형이 \"instance\"여야 합니다. 대상 유형은 바꿀 수 없습니다.",
            fix_ko,
        ),
        what: format!("A target group named {name} already exists with target type {has}."),
        why:
            "lockstep registers the instance itself, which needs target type \"instance\"; the type cannot be changed."
                .into(),
        fix,
    }
}

/// How to get rid of a load balancer lockstep cannot reuse.
fn delete_load_balancer(lb: &LoadBalancerInfo) -> (String, String) {
    let name = &lb.name;
    (
        format!("Delete the load balancer {name} in the EC2 console (Load Balancing > Load Balancers > Actions > Delete), or give this project another name, then press Retry."),
        format!("EC2 콘솔에서 로드 밸런서 {name}을(를) 삭제하거나(로드 밸런싱 > 로드 밸런서 > 작업 > 삭제) 이 프로젝트에 다른 이름을 지정한 뒤, \"다시 시도\"를 누르세요."),
    )
}

pub(in crate::steps::load_balancer) fn load_balancer_kind(lb: &LoadBalancerInfo) -> UserError {
    let (fix, fix_ko) = delete_load_balancer(lb);
    let (name, scheme, kind) = (&lb.name, &lb.scheme, &lb.lb_type);
    UserError {
        ko: lockstep_domain::ko(
            format!("이름이 {name}인 로드 밸런서가 이미 있지만, {scheme} {kind} 유형입니다."),
            "API에는 인터넷 경계(internet-facing) Application Load Balancer가 필요합니다. 로드 밸런서의 유형과 체계(scheme)는 바꿀 수 없습니다.",
            fix_ko,
        ),
        what: format!("A load balancer named {name} already exists, but it is {scheme} {kind}."),
        why: "The API needs an internet-facing application load balancer; type and scheme cannot be changed.".into(),
        fix,
    }
}

pub(in crate::steps::load_balancer) fn load_balancer_vpc(lb: &LoadBalancerInfo, vpc_id: &str) -> UserError {
    let (fix, fix_ko) = delete_load_balancer(lb);
    let (name, has) = (&lb.name, &lb.vpc_id);
    UserError {
        ko: lockstep_domain::ko(
            format!("이름이 {name}인 로드 밸런서가 이미 다른 VPC({has})에 있습니다."),
            format!("인스턴스는 {vpc_id}에 있습니다. 로드 밸런서는 자기 VPC 안의 인스턴스에만 연결할 수 있습니다."),
            fix_ko,
        ),
        what: format!("A load balancer named {name} already exists in another VPC ({has})."),
        why: format!("The instance is in {vpc_id}; a load balancer reaches instances in its own VPC only."),
        fix,
    }
}

pub(in crate::steps::load_balancer) fn load_balancer_zone(lb: &LoadBalancerInfo, instance_az: &str) -> UserError {
    let (name, zones) = (&lb.name, lb.availability_zones.join(", "));
    UserError {
        ko: lockstep_domain::ko(
            format!("로드 밸런서 {name}이(가) 인스턴스의 가용 영역 {instance_az}에 있지 않습니다(현재 영역: {zones})."),
            "로드 밸런서는 자신이 활성화된 영역에 있는 대상에만 트래픽을 보냅니다. 이대로면 인스턴스가 계속 사용되지 않습니다(Target.NotInUse).",
            format!("EC2 콘솔에서 로드 밸런서 > {name} > 네트워크 매핑 > 서브넷 편집을 열고, {instance_az}의 퍼블릭 서브넷을 선택해 저장한 뒤 \"다시 시도\"를 누르세요."),
        ),
        what: format!("The load balancer {name} is not in the instance's availability zone {instance_az} (it is in {zones})."),
        why: "A load balancer only sends traffic to targets in zones it is enabled in; the instance would stay unused (Target.NotInUse).".into(),
        fix: format!("In the EC2 console, Load Balancers > {name} > Network mapping > Edit subnets: tick a public subnet in {instance_az}, save, then press Retry."),
    }
}

// ---- Target health (alb.await_healthy) ----

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
    target: &TargetHealth,
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
        what: format!("The app did not pass the load balancer's health checks for {waited}: {title}."),
        why: format!(
            "{why} The load balancer calls http://<instance>:{port}{path} every 30 seconds and sends visitors only to an instance that answers 200-399; until then they get 503."
        ),
        fix: format!(
            "{fix} Check three things on the instance: (1) the app is running and listens on 0.0.0.0:{port} (`ss -ltnp | grep {port}`); (2) `curl -i http://localhost:{port}{path}` answers 200 (or a redirect) without a login; (3) the security group {instance_group} still allows TCP {port} from the load balancer's security group {alb_group} (lockstep added that rule). Then press Retry: the wait starts over."
        ),
    }
}

// ---- Refusals of the service (the paid path does not start) ----

/// The service's task (for `aws_error`) when the paid plan lists the certificates to reuse.
pub fn task_list_certificates() -> Message {
    msg("listing the certificates in ACM", "ACM 인증서 목록 조회")
}

/// The paid path was started without ticking the cost (`monthly`, `daily`: the price shown).
pub fn cost_not_confirmed(monthly: &str, daily: &str) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "아무것도 만들지 않았습니다. 비용이 확인되지 않았습니다.",
            format!(
                "로드 밸런서는 만들어진 순간부터 시간 단위로 요금이 부과되며, 한 달에 약 {}(하루 {})입니다.",
                monthly, daily
            ),
            "비용을 확인하는 상자에 체크한 뒤 버튼을 다시 누르세요.",
        ),
        what: "Nothing was created: the cost was not confirmed.".into(),
        why: format!(
            "The load balancer bills by the hour, about {} a month ({} a day), from the moment it exists.",
            monthly, daily
        ),
        fix: "Tick the box that confirms the cost, then press the button again.".into(),
    }
}

/// The certificate chosen is not an ISSUED one in `region` covering `api` (any more).
pub fn certificate_not_reusable(region: &Region, api: &DomainName) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "아무것도 만들지 않았습니다. 선택한 인증서는 lockstep이 재사용할 수 있는 인증서가 아닙니다.",
            format!(
                "{}에 있고 {}을(를) 포함하는, 발급됨(ISSUED) 상태의 인증서만 로드 밸런서에 붙일 수 있습니다. 선택한 인증서는 그렇지 않습니다(또는 더 이상 그렇지 않습니다).",
                region, api
            ),
            "페이지를 새로 고친 뒤 다시 선택하거나, \"새 인증서 요청\"을 선택하세요.",
        ),
        what: "Nothing was created: the certificate you chose is not one lockstep can reuse.".into(),
        why: format!(
            "Only an ISSUED certificate in {} that covers {} can go on the load balancer; the one chosen is not (any more).",
            region, api
        ),
        fix: "Reload the page and choose again, or choose \"Request a new certificate\".".into(),
    }
}

/// The paid path was offered for a free magic name (`apex`).
pub fn free_name_needs_own_domain(apex: &DomainName) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("{}은(는) 무료 이름이라, 로드 밸런서 경로에는 직접 가진 도메인이 필요합니다.", apex),
            "ACM은 여러분의 호스팅 영역에 있는 DNS 레코드로 이름의 소유를 확인하는데, nip.io나 sslip.io에는 아무도 레코드를 추가할 수 없습니다.",
            "위의 무료 경로(Nginx + Certbot)를 사용하거나, 1단계에서 직접 가진 도메인을 선택하세요.",
        ),
        what: format!("{} is a free name: the load balancer path needs your own domain.", apex),
        why: "ACM proves you control a name with a DNS record in your hosted zone; nobody can add records to nip.io or sslip.io.".into(),
        fix: "Use the free path (Nginx + Certbot) above, or choose your own domain in step 1.".into(),
    }
}

/// The paid path was offered for a project that names its instance by IP (`ip`), not by id.
pub fn instance_named_by_ip(ip: &Ipv4Addr) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("프로젝트가 인스턴스를 IP({ip})로 지정하고 있는데, 로드 밸런서에는 인스턴스 ID가 필요합니다."),
            "대상 그룹은 인스턴스를 ID로 등록하며, lockstep은 인스턴스에서 VPC, 서브넷, 보안 그룹을 읽어 옵니다.",
            "인스턴스 ID(EC2 콘솔의 i-0abc...)로 프로젝트를 다시 만들거나, 무료 경로를 사용하세요.",
        ),
        what: format!("The project names the instance by its IP ({ip}); the load balancer needs its instance id."),
        why:
            "A target group registers an instance by id, and lockstep reads its VPC, subnet and security group from it."
                .into(),
        fix: "Create the project again with the instance id (i-0abc..., in the EC2 console), or use the free path."
            .into(),
    }
}
