//! What the domain step tells people, in English and Korean: the tasks `port_error` names, the
//! timeline's notes and the errors that stop the step.

use lockstep_domain::plan::{PlanError, MAGIC_WARNING};
use lockstep_domain::{msg, DomainName, Message, NameError, UserError, ZoneId};

/// Where the delegation check read the domain's name servers (shown beside them).
pub const SOURCE_REGISTRY: &str = "Route 53 Domains (the domain is registered in this account)";
pub const SOURCE_PUBLIC_DNS: &str = "public DNS";

// Tasks (for `port_error`: "while ..." / "(작업: ...)").

pub fn task_find_existing() -> Message {
    msg("looking for an existing hosted zone", "기존 호스팅 영역 찾기")
}

pub fn task_create_zone(domain: &DomainName) -> Message {
    msg(format!("creating the hosted zone {domain}"), format!("호스팅 영역 {domain} 생성"))
}

pub fn task_read_name_servers() -> Message {
    msg("reading the zone's name servers", "영역의 네임서버 읽기")
}

pub fn task_public_ns() -> Message {
    msg("looking up the domain's name servers in public DNS", "공개 DNS에서 도메인의 네임서버 조회")
}

pub fn task_find_new_zone() -> Message {
    msg("looking for the new hosted zone", "새 호스팅 영역 찾기")
}

pub fn task_find_registration() -> Message {
    msg("looking for an earlier registration", "이전에 제출한 등록 찾기")
}

pub fn task_register(domain: &DomainName) -> Message {
    msg(format!("registering {domain}"), format!("{domain} 등록"))
}

pub fn task_check_registration() -> Message {
    msg("checking the registration", "등록 상태 확인")
}

// Tasks of the service's own calls in step 1 (for `aws_error`).

pub fn task_list_zones() -> Message {
    msg("listing your Route 53 hosted zones", "Route 53 호스팅 영역 목록 조회")
}

pub fn task_read_zone() -> Message {
    msg("reading the hosted zone", "호스팅 영역 읽기")
}

pub fn task_check_availability() -> Message {
    msg("checking the name's availability", "이름 사용 가능 여부 확인")
}

pub fn task_read_prices() -> Message {
    msg("reading Route 53's price list", "Route 53 가격표 읽기")
}

// Notes.

pub fn creating_zone(domain: &DomainName) -> Message {
    msg(format!("Creating the hosted zone {domain}"), format!("호스팅 영역 {domain}을(를) 만드는 중"))
}

pub fn zone_ready(domain: &DomainName, zone: &ZoneId, reused: bool) -> Message {
    if reused {
        msg(
            format!("Reusing the existing hosted zone {domain} ({zone})"),
            format!("기존 호스팅 영역 {domain}({zone})을(를) 재사용합니다."),
        )
    } else {
        msg(
            format!("Created the hosted zone {domain} ({zone})"),
            format!("호스팅 영역 {domain}({zone})을(를) 만들었습니다."),
        )
    }
}

pub fn delegated(domain: &DomainName, servers: usize) -> Message {
    msg(
        format!("{domain} uses the zone's {servers} name servers."),
        format!("{domain}이(가) 영역의 네임서버 {servers}개를 사용합니다."),
    )
}

pub fn no_public_name_servers(domain: &DomainName, expected: usize) -> Message {
    msg(
        format!(
            "{domain} has no name servers in public DNS yet. At your registrar, set the domain's name servers to the {expected} below."
        ),
        format!(
            "공개 DNS에 아직 {domain}의 네임서버가 없습니다. 도메인 등록 업체에서 도메인의 네임서버를 아래 {expected}개로 설정하세요."
        ),
    )
}

/// `set` of `expected` name servers are in place; `extra` are set but not the zone's.
pub fn some_name_servers_set(set: usize, expected: usize, extra: &[String]) -> Message {
    let (remove, remove_ko) = if extra.is_empty() {
        (String::new(), String::new())
    } else {
        (format!(" and remove {}", extra.join(", ")), format!(". 그리고 {}을(를) 삭제하세요", extra.join(", ")))
    };
    msg(
        format!(
            "{set} of {expected} name servers are set. At your registrar, replace the domain's name servers with exactly the {expected} below{remove}."
        ),
        format!(
            "네임서버 {expected}개 중 {set}개가 설정되어 있습니다. 도메인 등록 업체에서 도메인의 네임서버를 정확히 아래 {expected}개로 바꾸세요{remove_ko}."
        ),
    )
}

pub fn using_zone(name: &str, zone: &ZoneId) -> Message {
    msg(format!("Using the hosted zone {name} ({zone})"), format!("호스팅 영역 {name}({zone})을(를) 사용합니다."))
}

pub fn zone_not_made_yet(domain: &DomainName) -> Message {
    msg(
        format!("Route 53 has not created the hosted zone for {domain} yet."),
        format!("Route 53이 아직 {domain}의 호스팅 영역을 만들지 않았습니다."),
    )
}

pub fn found_registration(operation: &str) -> Message {
    msg(
        format!("Found the registration already submitted (operation {operation})"),
        format!("이미 제출된 등록을 찾았습니다(작업 {operation})"),
    )
}

pub fn registering(domain: &DomainName) -> Message {
    msg(
        format!("Registering {domain} (this bills your AWS account)"),
        format!("{domain}을(를) 등록하는 중(AWS 계정에 요금이 청구됩니다)"),
    )
}

pub fn submitted(operation: &str) -> Message {
    msg(format!("Submitted (operation {operation})"), format!("등록을 제출했습니다(작업 {operation})."))
}

pub fn registered(domain: &DomainName, email: &str) -> Message {
    msg(
        format!("{domain} is registered. Confirm the e-mail AWS sent to {email} within 15 days, or the domain is suspended."),
        format!("{domain}이(가) 등록되었습니다. AWS가 {email}(으)로 보낸 메일을 15일 안에 확인하세요. 확인하지 않으면 도메인이 정지됩니다."),
    )
}

pub fn registration_pending(status: &str, email: &str) -> Message {
    msg(
        format!(
            "Route 53 Domains says {status}. This usually takes 15 minutes and can take up to 3 days. Meanwhile: open the e-mail AWS sent to {email} and confirm it."
        ),
        format!(
            "Route 53 Domains 상태는 {status}입니다. 보통 15분 걸리며, 최대 3일까지 걸릴 수 있습니다. 그동안 AWS가 {email}(으)로 보낸 메일을 열어 확인하세요."
        ),
    )
}

// Errors that stop the step.

pub fn cannot_plan(domain: &DomainName, e: &PlanError) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("{domain} 아래의 이름들을 정할 수 없습니다."),
            e.ko(),
            "더 짧은 도메인을 사용하세요.",
        ),
        what: format!("Names under {domain} cannot be planned."),
        why: e.to_string(),
        fix: "Use a shorter domain.".into(),
    }
}

/// Route 53 Domains refused the registration (`code`, `message`: its answer).
pub fn registration_refused(domain: &DomainName, code: &str, message: String) -> UserError {
    let (why, why_ko) = match code {
        "DomainLimitExceeded" => (
            "The account has reached its limit of registered domains.".to_string(),
            "이 계정이 등록할 수 있는 도메인 수의 한도에 도달했습니다.".to_string(),
        ),
        "UnsupportedTLD" => (
            "Route 53 does not sell this top-level domain.".to_string(),
            "Route 53은 이 최상위 도메인(TLD)을 판매하지 않습니다.".to_string(),
        ),
        "DuplicateRequest" => (
            "The same registration was already submitted.".to_string(),
            "같은 등록 요청이 이미 제출되었습니다.".to_string(),
        ),
        "TLDRulesViolation" => (
            format!("The name breaks a rule of its top-level domain: {message}"),
            format!("이름이 해당 최상위 도메인의 규칙에 맞지 않습니다: {message}"),
        ),
        _ => (message.clone(), message),
    };
    UserError {
        ko: lockstep_domain::ko(
            format!("Route 53 Domains가 {domain} 등록을 거부했습니다({code})."),
            why_ko,
            "아무것도 구매되지 않았습니다. 다른 이름을 고르거나(또는 이유에 나온 문제를 고친 뒤) 구매를 다시 시작하세요.",
        ),
        what: format!("Route 53 Domains refused to register {domain} ({code})."),
        why,
        fix: "Nothing was bought. Pick another name (or fix what the reason names), then start the purchase again.".into(),
    }
}

pub fn registration_failed(domain: &DomainName, status: &str, reason: Option<String>) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("{domain} 등록에 실패했습니다({status})."),
            reason.clone().unwrap_or_else(|| "Route 53 Domains가 이유를 알려 주지 않았습니다.".to_string()),
            "Route 53은 실패한 등록의 비용을 환불합니다. 연락처 정보를 확인한 뒤(잘못된 이메일이나 전화번호가 흔한 원인입니다) 다시 시도하거나 다른 이름을 고르세요.",
        ),
        what: format!("The registration of {domain} failed ({status})."),
        why: reason.unwrap_or_else(|| "Route 53 Domains gave no reason.".into()),
        fix: "Route 53 refunds a failed registration. Check the contact details (a wrong e-mail or phone number is the usual cause), then try again or pick another name.".into(),
    }
}

// Refusals of a choice in step 1 (the service answers the person with these).

/// Another domain run of the project is still active.
pub fn domain_change_in_progress() -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "이 프로젝트에서 다른 도메인 변경이 아직 진행 중입니다.",
            "도메인 작업 두 개가 동시에 진행되면 프로젝트에 서로 다른 계획 두 개가 남을 수 있습니다.",
            "그 작업이 끝나거나 실패할 때까지 기다린 뒤 다시 선택하세요.",
        ),
        what: "Another domain change is still in progress for this project.".into(),
        why: "Two domain runs at once could leave the project with two different plans.".into(),
        fix: "Wait for it to finish (or fail), then choose again.".into(),
    }
}

/// The instance's IP was chosen as the API's address, but its public address is unknown (`why`).
pub fn instance_ip_unknown(why: lockstep_domain::Message) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "lockstep이 인스턴스의 퍼블릭 주소를 알 수 없어서 API 주소로 쓸 수 없습니다.",
            why.ko,
            "EC2에서(또는 프로젝트에서) 고친 뒤 다시 선택하세요.",
        ),
        what: "lockstep does not know the instance's public address, so it cannot be the API's address.".into(),
        why: why.en,
        fix: "Fix it in EC2 (or in the project), then choose again.".into(),
    }
}

/// The hosted zone chosen is private.
pub fn private_zone(name: &str) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("{name}은(는) 프라이빗 호스팅 영역입니다."),
            "프라이빗 호스팅 영역은 VPC 안에서만 응답하므로, 브라우저와 ACM이 그 레코드를 볼 수 없습니다.",
            "도메인의 퍼블릭 호스팅 영역을 고르세요.",
        ),
        what: format!("{name} is a private hosted zone."),
        why: "Private zones answer only inside a VPC; browsers and ACM cannot see their records.".into(),
        fix: "Pick the public hosted zone for your domain.".into(),
    }
}

/// The chosen hosted zone's name is not a domain name lockstep can use.
pub fn zone_name_unusable(name: &str, e: &NameError) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("호스팅 영역 이름 \"{name}\"은(는) 사용할 수 있는 도메인 이름이 아닙니다."),
            e.ko(),
            "다른 호스팅 영역을 고르세요.",
        ),
        what: format!("The zone name \"{name}\" is not a usable domain name."),
        why: e.to_string(),
        fix: "Pick another hosted zone.".into(),
    }
}

/// No name plan can be made under the chosen hosted zone's domain.
pub fn zone_names_unplannable(name: &DomainName, e: &PlanError) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("{name} 아래의 이름은 만들 수 없습니다."),
            e.ko(),
            "더 짧은 도메인을 사용하세요.",
        ),
        what: format!("Names under {name} cannot be planned."),
        why: e.to_string(),
        fix: "Use a shorter domain.".into(),
    }
}

/// A wildcard was typed as the domain at another registrar.
pub fn domain_without_wildcard() -> Message {
    msg("Enter the domain itself, without *.", "*. 없이 도메인 자체를 입력하세요.")
}

/// A name to register was typed with sub-domains (`like`: the registrable part).
pub fn register_without_subdomains(like: &str) -> Message {
    msg(
        format!("Enter the name to register without sub-domains, like {like}."),
        format!("하위 도메인 없이 등록할 이름을 입력하세요. 예: {like}."),
    )
}

/// The name to buy cannot be registered (`availability`: what Route 53 said).
pub fn not_available(domain: &str, availability: &Message) -> Message {
    msg(
        format!("{domain} is not available ({}). Nothing was bought.", availability.en),
        format!("{domain}은(는) 등록할 수 없습니다 ({}). 아무것도 구매하지 않았습니다.", availability.ko),
    )
}

/// The purchase's confirmation did not name the price shown now.
pub fn price_not_confirmed(now: &str, renewal: &str) -> Message {
    msg(
        format!(
            "Tick the box that confirms the price ({now} now, {renewal} a year to renew) before buying. Nothing was bought."
        ),
        format!(
            "구매하기 전에 가격(지금 {now}, 갱신 시 1년에 {renewal})을 확인하는 상자에 체크하세요. 아무것도 구매하지 않았습니다."
        ),
    )
}

/// A free-name service other than the ones offered was asked for.
pub fn unknown_free_name_service() -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "알 수 없는 무료 이름 서비스입니다.",
            "nip.io, sslip.io와 인스턴스의 IP 주소만 제공됩니다.",
            "셋 중 하나를 고르세요.",
        ),
        what: "Unknown free-name service.".into(),
        why: "Only nip.io, sslip.io and the instance's IP address are offered.".into(),
        fix: "Pick one of the three.".into(),
    }
}

/// A free name was chosen, but the instance's public address is unknown (`why`).
pub fn no_free_name(why: lockstep_domain::Message) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "이 인스턴스에는 무료 이름을 만들 수 없습니다.",
            why.ko,
            "nip.io와 sslip.io는 Public Suffix List에 없기 때문에, Let's Encrypt는 이 서비스의 모든 사용자를 합쳐 일주일에 인증서 50개라는 하나의 한도로 셉니다. 여러분의 잘못이 없어도 \"too many certificates already issued\"로 발급이 실패할 수 있습니다. 먼저 Let's Encrypt staging 엔드포인트(lockstep의 staging 스위치)로 연습하고, 실제 인증서는 한 번만 발급하세요. 직접 가진 도메인을 쓰면 이 한도는 여러분만의 것입니다.",
        ),
        what: "No free name can be made for this instance.".into(),
        why: why.en,
        fix: MAGIC_WARNING.into(),
    }
}

/// The names were edited before a domain was chosen.
pub fn no_domain_to_plan_from() -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "이 프로젝트에는 아직 도메인이 없습니다.",
            "이름은 도메인을 바탕으로 정해집니다.",
            "먼저 도메인을 선택하세요.",
        ),
        what: "This project has no domain yet.".into(),
        why: "Names are planned from a domain.".into(),
        fix: "Choose a domain first.".into(),
    }
}

/// "I changed the name servers" was pressed outside the sandbox.
pub fn sandbox_only() -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "이 기능은 샌드박스에만 있습니다.",
            "실제 AWS에서는 lockstep이 실제 도메인 등록 대행자(registrar)를 확인합니다.",
            "도메인 등록 대행자에서 네임서버를 바꾸세요.",
        ),
        what: "This only exists in the sandbox.".into(),
        why: "With real AWS, lockstep checks the real registrar.".into(),
        fix: "Change the name servers at your registrar.".into(),
    }
}
