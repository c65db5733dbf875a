//! Everything the load-balancer steps say to a person, in English and Korean: the notes the
//! timeline shows, the tasks an AWS error names ("while ..."), and the explanations a step stops
//! with. The steps only choose which one; the words live here.

mod refusals;

pub use refusals::*;

use crate::ports::{ListenerAction, ListenerInfo};
use lockstep_domain::{msg, Arn, DomainName, InstanceId, Message, Region, UserError};

/// What a step was doing when AWS answered with an error (`port_error`'s task).
pub(super) enum Task<'a> {
    ReadInstance(&'a InstanceId),
    ListSubnets(&'a str),
    FindAlbGroup,
    CreateAlbGroup,
    OpenPort { port: u16, group: &'a str },
    ReadInstanceGroups(&'a InstanceId),
    AllowAlb { port: u16, group: &'a str },
    FindTargetGroup,
    SetHealthPath(&'a str),
    CreateTargetGroup,
    Register(&'a InstanceId),
    FindLoadBalancer,
    CreateLoadBalancer,
    ReadLoadBalancer,
    ListListeners,
    AddHttps,
    AddRedirect,
    ReadTargetHealth,
    ReadZone,
    ReadRecords,
    AddAliases,
    CheckChange,
}

pub(super) fn task(t: Task) -> Message {
    match t {
        Task::ReadInstance(id) => msg(format!("reading the instance {id}"), format!("인스턴스 {id} 읽기")),
        Task::ListSubnets(vpc) => msg(format!("listing the subnets of {vpc}"), format!("{vpc}의 서브넷 목록 조회")),
        Task::FindAlbGroup => msg("looking for the load balancer's security group", "로드 밸런서의 보안 그룹 찾기"),
        Task::CreateAlbGroup => msg("creating the load balancer's security group", "로드 밸런서의 보안 그룹 생성"),
        Task::OpenPort { port, group } => {
            msg(format!("opening port {port} on {group}"), format!("{group}에서 포트 {port} 열기"))
        }
        Task::ReadInstanceGroups(id) => {
            msg(format!("reading the security groups of {id}"), format!("{id}의 보안 그룹 읽기"))
        }
        Task::AllowAlb { port, group } => msg(
            format!("letting the load balancer reach port {port} on {group}"),
            format!("로드 밸런서가 {group}의 포트 {port}에 접근하도록 허용"),
        ),
        Task::FindTargetGroup => msg("looking for the target group", "대상 그룹 찾기"),
        Task::SetHealthPath(name) => {
            msg(format!("setting the health check path of {name}"), format!("{name}의 상태 검사 경로 설정"))
        }
        Task::CreateTargetGroup => msg("creating the target group", "대상 그룹 생성"),
        Task::Register(id) => msg(format!("registering {id} in the target group"), format!("대상 그룹에 {id} 등록")),
        Task::FindLoadBalancer => msg("looking for the load balancer", "로드 밸런서 찾기"),
        Task::CreateLoadBalancer => msg("creating the load balancer", "로드 밸런서 생성"),
        Task::ReadLoadBalancer => msg("reading the load balancer", "로드 밸런서 읽기"),
        Task::ListListeners => msg("listing the load balancer's listeners", "로드 밸런서의 리스너 목록 조회"),
        Task::AddHttps => msg("adding the HTTPS listener", "HTTPS 리스너 추가"),
        Task::AddRedirect => {
            msg("adding the HTTP-to-HTTPS redirect listener", "HTTP를 HTTPS로 리디렉션하는 리스너 추가")
        }
        Task::ReadTargetHealth => msg("reading the target health", "대상 상태 읽기"),
        Task::ReadZone => msg("reading the hosted zone", "호스팅 영역 읽기"),
        Task::ReadRecords => msg("reading the zone's records", "영역의 레코드 읽기"),
        Task::AddAliases => msg("adding the alias records for the API", "API용 별칭 레코드 추가"),
        Task::CheckChange => msg("checking the Route 53 change", "Route 53 변경 사항 확인"),
    }
}

// ---- alb.network ----

pub(super) fn certificate_in_other_region(cert_region: &str, region: &Region, api: &DomainName) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("인증서는 {cert_region}에 있지만, 로드 밸런서는 {region}에 만들어집니다."),
            "로드 밸런서는 자기 리전에 있는 ACM 인증서만 사용할 수 있습니다(us-east-1의 인증서는 CloudFront용입니다).",
            format!("{region}에서 {api}용 인증서를 요청한 뒤(API용 lockstep 인증서 단계가 이 일을 합니다), 로드 밸런서 단계를 다시 시작하세요."),
        ),
        what: format!("The certificate is in {cert_region}, but the load balancer will be in {region}."),
        why: "A load balancer can only use an ACM certificate from its own region (a us-east-1 certificate is for CloudFront).".into(),
        fix: format!("Request the certificate for {api} in {region} (lockstep's certificate step for the API does this), then start the load balancer step again."),
    }
}

pub(super) fn not_a_certificate(arn: &Arn) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("\"{arn}\"은(는) ACM 인증서 ARN이 아닙니다."),
            "HTTPS 리스너에는 ACM 인증서의 ARN(arn:aws:acm:REGION:ACCOUNT:certificate/ID)이 필요합니다.",
            "먼저 인증서 단계를 마치세요. lockstep이 그 ARN을 알아서 넘겨줍니다.",
        ),
        what: format!("\"{arn}\" is not an ACM certificate ARN."),
        why: "The HTTPS listener needs the ARN of an ACM certificate (arn:aws:acm:REGION:ACCOUNT:certificate/ID)."
            .into(),
        fix: "Finish the certificate step first; lockstep passes its ARN on by itself.".into(),
    }
}

pub(super) fn instance_missing(region: &Region, instance: &InstanceId) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("lockstep이 {region}에서 인스턴스 {instance}을(를) 찾을 수 없습니다."),
            "이 AWS 계정과 리전에 해당 인스턴스가 없습니다. 종료(terminate)되었거나, 프로젝트에 입력된 리전 또는 ID가 잘못되었을 수 있습니다.",
            "EC2 콘솔(프로젝트 리전의 인스턴스 목록)에서 인스턴스 ID를 확인하고 프로젝트에서 고친 뒤, 로드 밸런서 단계를 다시 시작하세요.",
        ),
        what: format!("lockstep cannot find the instance {instance} in {region}."),
        why: "It does not exist in this AWS account and region: it may have been terminated, or the project has the wrong region or id.".into(),
        fix: "Check the instance id in the EC2 console (Instances, in the project's region), fix it in the project, then start the load balancer step again.".into(),
    }
}

pub(super) fn instance_not_in_vpc(instance: &InstanceId) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("인스턴스 {instance}이(가) VPC 서브넷 안에 있지 않습니다."),
            "로드 밸런서는 자기 VPC 안의 인스턴스에만 연결할 수 있는데, 이 인스턴스에는 VPC가 없습니다(EC2-Classic이거나 종료된 인스턴스).",
            "VPC 안에서 시작한 인스턴스를 사용한 뒤(새로 만드는 인스턴스는 모두 VPC 안에 있습니다), 로드 밸런서 단계를 다시 시작하세요.",
        ),
        what: format!("The instance {instance} is not in a VPC subnet."),
        why: "A load balancer reaches instances inside its VPC; this one has none (EC2-Classic, or it is terminated).".into(),
        fix: "Use an instance launched in a VPC (every new instance is), then start the load balancer step again.".into(),
    }
}

/// The two subnets chosen: `(availability zone, subnet id)` each.
pub(super) fn network_chosen(vpc: &str, home: (&str, &str), other: (&str, &str)) -> Message {
    msg(
        format!("VPC {vpc}: the load balancer goes in {} ({}) and {} ({}).", home.0, home.1, other.0, other.1),
        format!("VPC {vpc}: 로드 밸런서를 {}({}), {}({}) 두 곳에 둡니다.", home.0, home.1, other.0, other.1),
    )
}

pub(super) fn instance_not_running(state: &str) -> Message {
    msg(
        format!("Note: the instance is {state}; start it before the health checks."),
        format!("참고: 인스턴스가 {state} 상태입니다. 상태 검사 전에 인스턴스를 시작하세요."),
    )
}

// ---- alb.security ----

pub(super) fn creating_alb_group(name: &str, vpc: &str) -> Message {
    msg(format!("Creating the security group {name} in {vpc}"), format!("{vpc}에 보안 그룹 {name}을(를) 만드는 중"))
}

/// The security group's description in AWS (not shown by lockstep; English only, as AWS keeps it).
pub(super) fn alb_group_description(slug: &str) -> String {
    format!("lockstep: load balancer of {slug}")
}

pub(super) fn instance_has_no_group(instance: &InstanceId) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("인스턴스 {instance}에 보안 그룹이 없습니다."),
            "lockstep은 인스턴스 보안 그룹에 규칙을 추가해 로드 밸런서가 들어올 수 있게 합니다.",
            "인스턴스에 보안 그룹을 연결한 뒤(EC2 콘솔 > 해당 인스턴스 > 작업 > 보안 > 보안 그룹 변경), \"다시 시도\"를 누르세요.",
        ),
        what: format!("The instance {instance} has no security group."),
        why: "lockstep lets the load balancer in through a rule on the instance's security group.".into(),
        fix: "Attach a security group to the instance (EC2 console > the instance > Actions > Security > Change security groups), then press Retry.".into(),
    }
}

pub(super) fn allowing_alb(port: u16, instance_group: &str, alb_group: &str) -> Message {
    msg(
        format!("Allowing TCP {port} on {instance_group} from the load balancer's group {alb_group}"),
        format!("{instance_group}에서 로드 밸런서의 보안 그룹 {alb_group}로부터 오는 TCP {port}를 허용하는 중"),
    )
}

/// The security step's result: `reused` the load balancer's group or made it; the rule `added`
/// now or found.
pub(super) fn security_done(
    name: &str,
    alb_group: &str,
    instance_group: &str,
    port: u16,
    reused: bool,
    added: bool,
) -> Message {
    let (verb, verb_ko) = if reused { ("Reusing", "재사용합니다") } else { ("Created", "만들었습니다") };
    let (rule, rule_ko) = if added {
        ("now allows", "이제 허용합니다")
    } else {
        ("already allowed", "이미 허용하고 있었습니다")
    };
    msg(
        format!("{verb} {name} ({alb_group}: 80 and 443 from anywhere); {instance_group} {rule} TCP {port} from it."),
        format!(
            "{name}({alb_group}: 어디서나 80, 443 허용)을(를) {verb_ko}. {instance_group}은(는) 이 그룹에서 오는 TCP {port}를 {rule_ko}."
        ),
    )
}

// ---- alb.target_group ----

pub(super) fn health_path_changed(from: &str, to: &str) -> Message {
    msg(format!("health check path changed from {from} to {to}"), format!("상태 검사 경로 변경: {from} → {to}"))
}

pub(super) fn creating_target_group(name: &str, port: u16, path: &str) -> Message {
    msg(
        format!("Creating the target group {name}: HTTP to port {port} with health check {path}"),
        format!("대상 그룹 {name}을(를) 만드는 중: 포트 {port}로 HTTP, 상태 검사 경로 {path}"),
    )
}

/// The target group step's result; `changes` are what was changed on a reused group.
pub(super) fn target_group_done(
    name: &str,
    port: u16,
    path: &str,
    instance: &InstanceId,
    reused: bool,
    changes: &[Message],
) -> Message {
    let (verb, verb_ko) = if reused { ("Reusing", "재사용합니다") } else { ("Created", "만들었습니다") };
    let (changed, changed_ko) = if changes.is_empty() {
        (String::new(), String::new())
    } else {
        let all = Message::join(changes, "; ");
        (format!(" ({})", all.en), format!(" ({})", all.ko))
    };
    msg(
        format!("{verb} target group {name}: HTTP to port {port}, health check {path}; {instance} registered{changed}"),
        format!(
            "대상 그룹 {name}을(를) {verb_ko}. 포트 {port}로 HTTP를 전달하고 상태 검사 경로는 {path}입니다. {instance}을(를) 등록했습니다{changed_ko}."
        ),
    )
}

// ---- alb.create ----

pub(super) fn creating_load_balancer(name: &str, subnets: &[String]) -> Message {
    msg(
        format!("Creating the load balancer {name} in {}", subnets.join(" and ")),
        format!("{}에 로드 밸런서 {name}을(를) 만드는 중", subnets.join(", ")),
    )
}

pub(super) fn load_balancer_active(name: &str, dns_name: &str, reused: bool, impaired: bool) -> Message {
    let note = if reused {
        msg(
            format!("Reusing load balancer {name} is active: {dns_name}."),
            format!("기존 로드 밸런서 {name}을(를) 재사용합니다. 활성(active) 상태입니다: {dns_name}."),
        )
    } else {
        msg(
            format!("Load balancer {name} is active: {dns_name}."),
            format!("로드 밸런서 {name}이(가) 활성(active) 상태입니다: {dns_name}."),
        )
    };
    if !impaired {
        return note;
    }
    note.then(&msg(
        "AWS says active_impaired: it runs, but could not scale in one zone; this usually clears by itself.",
        "AWS 상태는 active_impaired입니다. 동작은 하지만 한 영역에서 확장하지 못했습니다. 보통은 저절로 해결됩니다.",
    ))
}

pub(super) fn load_balancer_failed(name: &str) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("AWS가 로드 밸런서 {name}을(를) 준비하지 못했습니다(상태 failed)."),
            "대개 서브넷에 남은 IP 주소가 부족하거나(로드 밸런서는 서브넷마다 최소 8개가 필요합니다), 계정의 로드 밸런서 할당량에 도달한 경우입니다.",
            format!("EC2 콘솔(로드 밸런서)에서 {name}을(를) 삭제하고, VPC 콘솔에서 서브넷의 남은 주소를 확인한 뒤 \"다시 시도\"를 누르세요."),
        ),
        what: format!("AWS could not set up the load balancer {name} (state failed)."),
        why: "Usually a subnet ran out of free IP addresses (a load balancer needs at least 8 per subnet) or the account hit its load balancer quota.".into(),
        fix: format!("Delete {name} in the EC2 console (Load Balancers), check the subnets' free addresses in the VPC console, then press Retry."),
    }
}

pub(super) fn load_balancer_provisioning(name: &str, state: &str) -> Message {
    msg(
        format!("The load balancer {name} is {state}: AWS is setting it up (usually about 3 minutes)."),
        format!("로드 밸런서 {name}의 상태는 {state}입니다. AWS가 준비하고 있습니다(보통 3분 정도 걸립니다)."),
    )
}

// ---- alb.listeners ----

/// What an existing listener does, e.g. "HTTP 80 forwards to lockstep-shop/73e2...".
pub(super) fn describe_actions(l: &ListenerInfo) -> Message {
    let short = |arn: &str| arn.rsplit(':').next().unwrap_or(arn).to_string();
    let actions: Vec<Message> = l
        .default_actions
        .iter()
        .map(|a| match a {
            ListenerAction::Forward { target_group_arn } => {
                let tg = short(target_group_arn);
                msg(format!("forwards to {tg}"), format!("{tg}(으)로 전달"))
            }
            ListenerAction::Redirect { protocol, port, status_code } => msg(
                format!("redirects to {protocol}:{port} ({status_code})"),
                format!("{protocol}:{port}(으)로 리디렉션({status_code})"),
            ),
            ListenerAction::Other(o) => msg(format!("does \"{o}\""), format!("\"{o}\" 동작")),
        })
        .collect();
    let (certs, certs_ko) = if l.certificate_arns.is_empty() {
        (String::new(), String::new())
    } else {
        let arns = l.certificate_arns.join(", ");
        (format!(" with certificate {arns}"), format!(" 인증서 {arns} 사용"))
    };
    let (en, ko) = (Message::join(&actions, " and "), Message::join(&actions, ", "));
    msg(
        format!("{} {}{certs} {}", l.protocol, l.port, en.en),
        format!("{} {} 리스너{certs_ko}: {}", l.protocol, l.port, ko.ko),
    )
}

/// An existing 443 listener that is not lockstep's setup (`actions`: what it does now).
pub(super) fn https_listener_differs(lb: &str, actions: &Message, cert: &Arn, tg: &str, api: &DomainName) -> UserError {
    let (actions, actions_ko) = (&actions.en, &actions.ko);
    UserError {
        ko: lockstep_domain::ko(
            format!("로드 밸런서 {lb}에 이미 포트 443 리스너가 있지만, lockstep이 구성하는 방식과 다릅니다: {actions_ko}."),
            format!("lockstep에는 포트 443이 인증서 {cert}를 사용하는 HTTPS 리스너로, 대상 그룹 {tg}(으)로 전달하도록 되어 있어야 합니다. lockstep은 자신이 만들지 않은 리스너를 변경하지 않습니다."),
            format!("EC2 콘솔에서 로드 밸런서 > {lb} > 리스너로 가서 443 리스너를 편집하거나(프로토콜 HTTPS, 기본 작업은 {tg}(으)로 전달, 인증서는 ACM의 {api}용 인증서) 삭제한 뒤, \"다시 시도\"를 누르세요."),
        ),
        what: format!("The load balancer {lb} already has a listener on port 443 that is not lockstep's setup: {actions}."),
        why: format!("lockstep needs port 443 to be HTTPS with the certificate {cert} forwarding to the target group {tg}. It does not change a listener it did not create."),
        fix: format!("In the EC2 console, Load Balancers > {lb} > Listeners: edit the 443 listener (protocol HTTPS, default action forward to {tg}, certificate from ACM for {api}), or delete it; then press Retry."),
    }
}

pub(super) fn adding_https() -> Message {
    msg(
        "Adding the HTTPS listener on port 443 with the certificate",
        "인증서를 사용하는 포트 443 HTTPS 리스너를 추가하는 중",
    )
}

/// ELB refused the certificate on the HTTPS listener (`code`, `message`: AWS's words).
pub(super) fn certificate_refused(code: &str, message: &str, region: &Region) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("로드 밸런서가 인증서를 거부했습니다({code})."),
            format!("인증서는 발급됨(ISSUED) 상태이고, {region}에 있으며, 이 계정의 것이어야 합니다. AWS 메시지: {message}"),
            "이 리전의 ACM 콘솔에서 인증서를 확인하세요(상태: 발급됨). 필요하면 인증서 단계를 다시 실행한 뒤 \"다시 시도\"를 누르세요.",
        ),
        what: format!("The load balancer refused the certificate ({code})."),
        why: format!("It must be ISSUED, in {region}, and in this account. AWS said: {message}"),
        fix: "Check the certificate in the ACM console of this region (status Issued); run the certificate step again if needed, then press Retry.".into(),
    }
}

/// An existing port-80 listener that does not redirect to HTTPS.
pub(super) fn http_listener_differs(lb: &str, actions: &Message) -> UserError {
    let (actions, actions_ko) = (&actions.en, &actions.ko);
    UserError {
        ko: lockstep_domain::ko(
            format!("로드 밸런서 {lb}에 이미 포트 80 리스너가 있습니다: {actions_ko}."),
            "lockstep은 포트 80으로 오는 모든 요청을 HTTPS로 리디렉션(301)해서, 실수로 API를 일반 HTTP로 쓰는 일이 없게 합니다. lockstep은 자신이 만들지 않은 리스너를 변경하지 않습니다.",
            format!("EC2 콘솔에서 로드 밸런서 > {lb} > 리스너로 가서 포트 80 리스너의 기본 작업을 \"URL로 리디렉션\", HTTPS, 포트 443, 301로 바꾸거나 삭제한 뒤, \"다시 시도\"를 누르세요."),
        ),
        what: format!("The load balancer {lb} already has a listener on port 80: {actions}."),
        why: "lockstep makes port 80 redirect every request to HTTPS (301), so nobody uses the API over plain HTTP by accident. It does not change a listener it did not create.".into(),
        fix: format!("In the EC2 console, Load Balancers > {lb} > Listeners: change the port 80 listener's default action to \"Redirect to URL\", HTTPS, port 443, 301; or delete it; then press Retry."),
    }
}

pub(super) fn adding_redirect() -> Message {
    msg(
        "Adding the HTTP listener on port 80 (redirects to HTTPS)",
        "포트 80 HTTP 리스너(HTTPS로 리디렉션)를 추가하는 중",
    )
}

/// The listeners step's result; `kept_https` / `kept_http`: an existing one was kept.
pub(super) fn listeners_done(tg: &str, kept_https: bool, kept_http: bool) -> Message {
    let kept: Vec<&str> = [(kept_https, "HTTPS 443"), (kept_http, "HTTP 80")]
        .into_iter()
        .filter_map(|(kept, what)| kept.then_some(what))
        .collect();
    let (was, was_ko) = if kept.is_empty() {
        (String::new(), String::new())
    } else {
        (format!(" (kept the existing {})", kept.join(" and ")), format!(" (기존 {} 리스너를 유지함)", kept.join(", ")))
    };
    msg(
        format!("HTTPS 443 forwards to {tg} with the certificate; HTTP 80 redirects to HTTPS{was}"),
        format!("HTTPS 443은 인증서를 사용해 {tg}(으)로 전달하고, HTTP 80은 HTTPS로 리디렉션합니다{was_ko}."),
    )
}

// ---- alb.await_healthy ----

pub(super) fn target_healthy(instance: &InstanceId, path: &str, port: u16) -> Message {
    msg(
        format!("{instance} is healthy: {path} answers on port {port}."),
        format!("{instance}이(가) 정상(healthy)입니다. 포트 {port}에서 {path}이(가) 응답합니다."),
    )
}

// ---- alb.records ----

pub(super) fn add_cname_by_hand(api: &DomainName, dns_name: &str) -> Message {
    msg(
        format!(
            "Your domain's DNS is not in Route 53: at your DNS provider, add a CNAME record {api} -> {dns_name} (TTL 300). Then https://{api} reaches the load balancer."
        ),
        format!(
            "도메인의 DNS가 Route 53에 있지 않습니다. DNS 제공 업체에서 CNAME 레코드 {api} -> {dns_name}(TTL 300)을 추가하세요. 그러면 https://{api}로 로드 밸런서에 접속할 수 있습니다."
        ),
    )
}

pub(super) fn api_outside_zone(api: &DomainName, zone: &str) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("{api}은(는) 호스팅 영역 {zone} 안에 있지 않습니다."),
            "Route 53은 영역 안에 있는 이름에 대해서만 레코드를 추가할 수 있습니다.",
            "1단계에서 API 이름을 포함하는 호스팅 영역을 선택한 뒤, 로드 밸런서 단계를 다시 시작하세요.",
        ),
        what: format!("{api} is not inside the hosted zone {zone}."),
        why: "Route 53 can only add records for names inside the zone.".into(),
        fix: "Choose the hosted zone that contains the API name in step 1, then start the load balancer step again."
            .into(),
    }
}

pub(super) fn pointing_api(api: &DomainName, dns_name: &str) -> Message {
    msg(
        format!("Pointing {api} at {dns_name} (alias A and AAAA)"),
        format!("{api}이(가) {dns_name}을(를) 가리키도록 설정하는 중(별칭 A, AAAA)"),
    )
}

/// The records step's result; `replaced`: the types of the records that were there before.
pub(super) fn api_points_at_alb(api: &DomainName, dns_name: &str, replaced: &[&str]) -> Message {
    let (was, was_ko) = if replaced.is_empty() {
        (String::new(), String::new())
    } else {
        (
            format!(" (replaced the earlier {} record)", replaced.join(" and ")),
            format!(" (기존 {} 레코드를 대체함)", replaced.join(", ")),
        )
    };
    msg(
        format!("{api} now points at the load balancer ({dns_name}){was}"),
        format!("{api}이(가) 이제 로드 밸런서({dns_name})를 가리킵니다{was_ko}."),
    )
}

pub(super) fn records_pending() -> Message {
    msg(
        "Route 53 is still publishing the alias records to its name servers (PENDING).",
        "Route 53이 아직 네임서버에 별칭 레코드를 게시하는 중입니다(PENDING).",
    )
}
