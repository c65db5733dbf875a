//! What the certificate step tells people, in English and Korean: the tasks `port_error` names,
//! the timeline's notes and the errors that stop the step. Control flow calls these; no text
//! lives in the sub-steps themselves.

use super::{join, short_arn};
use crate::ports::{CertStatus, CertificateInfo};
use lockstep_domain::{msg, Arn, DomainName, Message, Region, UserError};

// Tasks (for `port_error`: "while ..." / "(작업: ...)").

pub fn task_read_chosen() -> Message {
    msg("reading the certificate you chose to reuse", "재사용하려고 고른 인증서 읽기")
}

pub fn task_request() -> Message {
    msg("asking ACM for the certificate", "ACM에 인증서 요청")
}

pub fn task_list() -> Message {
    msg("listing ACM certificates", "ACM 인증서 목록 조회")
}

pub fn task_describe_one() -> Message {
    msg("describing a certificate", "인증서 정보 조회")
}

pub fn task_read() -> Message {
    msg("reading the certificate from ACM", "ACM에서 인증서 읽기")
}

pub fn task_upsert(zone: &DomainName) -> Message {
    msg(format!("adding the validation record to the zone {zone}"), format!("영역 {zone}에 검증 레코드 추가"))
}

pub fn task_change() -> Message {
    msg("checking the Route 53 change", "Route 53 변경 사항 확인")
}

// Notes.

pub fn reusing_chosen(arn: &Arn, region: &Region) -> Message {
    let short = short_arn(arn.as_str());
    msg(
        format!("Reusing {short} in {region}, as you chose."),
        format!("선택한 대로 {region}에 있는 {short}을(를) 재사용합니다."),
    )
}

pub fn reusing_issued(arn: &Arn, region: &Region, names: &[DomainName]) -> Message {
    let (short, names) = (short_arn(arn.as_str()), join(names));
    msg(
        format!("Reusing the issued certificate {short} in {region}: it already covers {names}."),
        format!("{region}에 이미 발급된 인증서 {short}을(를) 재사용합니다. 이 인증서가 {names}을(를) 이미 포함합니다."),
    )
}

pub fn asking(region: &Region, names: &[DomainName]) -> Message {
    let names = join(names);
    msg(
        format!("Asking ACM in {region} for a certificate for {names}"),
        format!("{region}의 ACM에 {names}용 인증서를 요청하는 중"),
    )
}

pub fn requested(arn: &Arn) -> Message {
    let short = short_arn(arn.as_str());
    msg(format!("Requested {short}"), format!("{short}을(를) 요청했습니다."))
}

pub fn records_not_published(missing: &[&DomainName]) -> Message {
    let names = missing.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(", ");
    msg(
        format!("ACM has not published the validation record for {names} yet."),
        format!("ACM이 아직 {names}의 검증 레코드를 게시하지 않았습니다."),
    )
}

pub fn records_to_add(n: usize) -> Message {
    msg(format!("{n} validation record(s) to add"), format!("추가할 검증 레코드 {n}개"))
}

pub fn adding_records(n: usize, zone: &DomainName) -> Message {
    msg(format!("Adding {n} CNAME record(s) to {zone}"), format!("{zone}에 CNAME 레코드 {n}개를 추가하는 중"))
}

/// `added`: the records as `NAME CNAME VALUE; ...` (the same in both languages).
pub fn records_added(added: &str) -> Message {
    msg(added, format!("검증 레코드를 추가했습니다: {added}"))
}

pub fn in_sync() -> Message {
    msg("Route 53 says INSYNC", "Route 53 상태는 INSYNC입니다.")
}

pub fn dns_pending() -> Message {
    msg(
        "Route 53 is still publishing the record to its name servers (PENDING).",
        "Route 53이 아직 네임서버에 레코드를 게시하는 중입니다(PENDING).",
    )
}

pub fn issued() -> Message {
    msg("ACM says ISSUED", "ACM 상태는 ISSUED입니다.")
}

pub fn pending_validation() -> Message {
    msg(
        "ACM says PENDING_VALIDATION: it is looking up the validation record.",
        "ACM 상태는 PENDING_VALIDATION입니다. 검증 레코드를 조회하고 있습니다.",
    )
}

/// What public DNS shows while ACM waits: `problems` from [`super::pending_diagnosis`].
pub fn public_dns_says(problems: &[Message]) -> Message {
    let problems = Message::join(problems, " ");
    if problems.en.is_empty() {
        msg(
            "Public DNS already shows the validation record, the delegation and CAA are fine: ACM checks every few minutes.",
            "공개 DNS에 검증 레코드가 이미 보이고, 위임과 CAA도 문제없습니다. ACM은 몇 분마다 다시 확인합니다.",
        )
    } else {
        msg(
            format!("What public DNS shows now: {}", problems.en),
            format!("지금 공개 DNS에서 보이는 문제: {}", problems.ko),
        )
    }
}

pub fn waited_long(minutes: i64) -> Message {
    msg(
        format!("It has been {minutes} minutes; usually it takes 3-10."),
        format!("{minutes}분이 지났습니다. 보통은 3~10분 걸립니다."),
    )
}

// What public DNS shows (parts of the note above).

pub fn not_delegated(zone: &str) -> Message {
    msg(
        format!("{zone} has no name servers in public DNS: it is not registered yet, or the registrar has not published them. ACM cannot see the zone's records until it has."),
        format!("공개 DNS에 {zone}의 네임서버가 없습니다. 아직 등록되지 않았거나, 도메인 등록 업체가 네임서버를 게시하지 않았습니다. 게시되기 전까지 ACM은 영역의 레코드를 볼 수 없습니다."),
    )
}

pub fn delegated_elsewhere(zone: &str, public_ns: &[String], zone_ns: &[String]) -> Message {
    let (public_ns, zone_ns) = (public_ns.join(", "), zone_ns.join(", "));
    msg(
        format!(
            "{zone} is delegated to {public_ns} at the registrar, not to the hosted zone's {zone_ns}: ACM asks those servers and never sees the record. Set the hosted zone's four name servers at the registrar."
        ),
        format!(
            "{zone}은(는) 도메인 등록 업체에서 호스팅 영역의 네임서버({zone_ns})가 아니라 {public_ns}(으)로 위임되어 있습니다. ACM은 그 서버들에 물어보므로 레코드를 보지 못합니다. 도메인 등록 업체에서 호스팅 영역의 네임서버 4개를 설정하세요."
        ),
    )
}

pub fn no_cname(name: &str) -> Message {
    msg(format!("{name} has no CNAME in public DNS yet."), format!("공개 DNS에 아직 {name}의 CNAME이 없습니다."))
}

pub fn other_cname(name: &str, got: &str, want: &str) -> Message {
    msg(
        format!(
            "{name} answers {got}, but ACM expects {want}: another record for the name wins (an old one, or one in another zone). Remove it."
        ),
        format!(
            "{name}이(가) {got}(으)로 응답하지만 ACM은 {want}을(를) 기대합니다. 같은 이름의 다른 레코드(예전 레코드이거나 다른 영역의 레코드)가 우선하고 있습니다. 그 레코드를 삭제하세요."
        ),
    )
}

pub fn caa_blocks_amazon(owner: &str, issuers: &[&str]) -> Message {
    let issuers = issuers.join(", ");
    msg(
        format!(
            "The CAA records on {owner} allow only {issuers}: ACM (Amazon) may not issue for these names. Add a CAA record `0 issue \"amazon.com\"` on {owner}."
        ),
        format!(
            "{owner}의 CAA 레코드는 {issuers}만 허용합니다. 그래서 ACM(Amazon)이 이 이름들에 인증서를 발급할 수 없습니다. {owner}에 CAA 레코드 `0 issue \"amazon.com\"`을 추가하세요."
        ),
    )
}

// Errors that stop the step.

/// The certificate the user chose to reuse is no longer ISSUED or no longer covers the names.
pub fn chosen_unusable(arn: &Arn, info: &CertificateInfo, want: &[DomainName]) -> UserError {
    let short = short_arn(arn.as_str());
    let status = info.status.acm_word();
    let want = join(want);
    let (has_en, has_ko) = if info.names.is_empty() {
        ("no names".to_string(), "이름 없음".to_string())
    } else {
        (info.names.join(", "), info.names.join(", "))
    };
    UserError {
        ko: lockstep_domain::ko(
            format!("재사용하려고 고른 인증서({short})는 사용할 수 없습니다."),
            format!(
                "이 인증서의 상태는 {status}이고 {has_ko}을(를) 포함합니다. 로드 밸런서에는 {want}을(를) 포함하는 발급 완료(ISSUED) 상태의 인증서가 필요합니다."
            ),
            "백엔드를 다시 시작하고 \"새 인증서 요청\"을 선택하세요.",
        ),
        what: format!("The certificate you chose to reuse ({short}) cannot be used."),
        why: format!("It is {status} and covers {has_en}; the load balancer needs an ISSUED certificate covering {want}."),
        fix: "Start the backend again and choose \"Request a new certificate\".".into(),
    }
}

/// A validation record ACM asked for is not inside the run's hosted zone.
pub fn record_outside_zone(name: &str, zone: &DomainName, domain: &str) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("검증 레코드 {name}은(는) 호스팅 영역 {zone}에 속하지 않습니다."),
            "ACM은 그 이름에 대해 권한이 있는(authoritative) 영역에서 레코드를 확인합니다. 다른 영역에 있는 레코드는 절대 보이지 않습니다.",
            format!("1단계에서 {domain}이(가) 들어 있는 호스팅 영역을 선택한 뒤 인증서 단계를 다시 시작하세요."),
        ),
        what: format!("The validation record {name} does not belong in the hosted zone {zone}."),
        why: "ACM checks the record in the zone that is authoritative for the name; a record in another zone is never seen.".into(),
        fix: format!("Choose the hosted zone that contains {domain} in step 1, then start the certificate again."),
    }
}

/// The explanation for a certificate that can no longer become ISSUED (`None`: it still can).
pub fn status_error(status: &CertStatus, reason: Option<&str>, zone: &DomainName) -> Option<UserError> {
    match status {
        CertStatus::Failed => Some(failed(reason, zone)),
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
        CertStatus::Revoked | CertStatus::Expired | CertStatus::Inactive => {
            let status = status.acm_word();
            Some(UserError {
                ko: lockstep_domain::ko(
                    format!("인증서가 {status} 상태라서 사용할 수 없습니다."),
                    "lockstep 밖에서 인증서가 취소(revoke)되었거나, 만료되었거나, 비활성화되었습니다.",
                    "새 인증서를 요청하세요.",
                ),
                what: format!("The certificate is {status} and cannot be used."),
                why: "It was revoked, expired, or deactivated outside lockstep.".into(),
                fix: "Request a new certificate.".into(),
            })
        }
        _ => None,
    }
}

/// ACM gave up on the certificate (FAILED), with the reason it gave.
fn failed(reason: Option<&str>, zone: &DomainName) -> UserError {
    let (why, why_ko) = match reason {
        Some("CAA_ERROR") => (
            format!("A CAA record on {zone} (or above it) does not allow Amazon to issue certificates."),
            format!("{zone}(또는 그 상위 도메인)에 있는 CAA 레코드가 Amazon의 인증서 발급을 허용하지 않습니다."),
        ),
        Some("DOMAIN_NOT_ALLOWED") | Some("ADDITIONAL_VERIFICATION_REQUIRED") => (
            "AWS needs to verify this domain by hand, or does not issue for it.".to_string(),
            "AWS가 이 도메인을 수동으로 확인해야 하거나, 이 도메인에는 인증서를 발급하지 않습니다.".to_string(),
        ),
        Some("INVALID_PUBLIC_DOMAIN") => (
            "One of the names is not a public domain name.".to_string(),
            "이름 중 하나가 공개 도메인 이름이 아닙니다.".to_string(),
        ),
        Some("DOMAIN_VALIDATION_DENIED") => (
            "The domain's owner or registrar denied validation.".to_string(),
            "도메인 소유자나 도메인 등록 업체가 검증을 거부했습니다.".to_string(),
        ),
        _ => ("ACM gave up on this request.".to_string(), "ACM이 이 요청을 포기했습니다.".to_string()),
    };
    let (fix, fix_ko) = match reason {
        Some("CAA_ERROR") => (
            format!("Add a CAA record on {zone}: 0 issue \"amazon.com\" (or remove the CAA records that block it), then request the certificate again."),
            format!("{zone}에 CAA 레코드 0 issue \"amazon.com\"을 추가하거나(또는 발급을 막는 CAA 레코드를 삭제하고) 인증서를 다시 요청하세요."),
        ),
        _ => (
            "Fix what the reason names, then request the certificate again (a failed ACM certificate cannot be retried).".to_string(),
            "이유에 나온 문제를 고친 뒤 인증서를 다시 요청하세요(실패한 ACM 인증서는 다시 시도할 수 없습니다).".to_string(),
        ),
    };
    UserError {
        ko: lockstep_domain::ko(
            format!("ACM이 인증서를 발급하지 못했습니다({}).", reason.unwrap_or("이유가 제공되지 않음")),
            why_ko,
            fix_ko,
        ),
        what: format!("ACM could not issue the certificate ({}).", reason.unwrap_or("no reason given")),
        why,
        fix,
    }
}

// Refusals of "request the certificate" (the service answers the person with these).

/// A certificate was asked for before a domain was chosen.
pub fn no_domain_yet() -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "이 프로젝트에는 아직 도메인이 없습니다.",
            "인증서는 프로젝트의 이름에 대해 발급되고, 그 이름은 도메인을 바탕으로 정해집니다.",
            "먼저 1단계에서 도메인을 선택하세요.",
        ),
        what: "This project has no domain yet.".into(),
        why: "The certificate is issued for the project's names, which come from its domain.".into(),
        fix: "Choose a domain in step 1 first.".into(),
    }
}

/// A certificate was asked for a free magic name (`apex`), which ACM cannot validate.
pub fn magic_name_not_validatable(apex: &DomainName) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("{apex}은(는) 무료 매직 이름이라 ACM이 검증할 수 없습니다."),
            "ACM은 여러분의 호스팅 영역에 있는 DNS 레코드로 이름의 소유를 확인하는데, nip.io나 sslip.io에는 아무도 레코드를 추가할 수 없습니다.",
            "Nginx + Certbot 경로를 사용하거나(Let's Encrypt는 HTTP로 확인합니다), 1단계에서 직접 가진 도메인을 선택하세요.",
        ),
        what: format!("{apex} is a free magic name: ACM cannot validate it."),
        why: "ACM proves control of a name with a DNS record in your own hosted zone; nobody can add records to nip.io or sslip.io.".into(),
        fix: "Use the Nginx + Certbot path (Let's Encrypt checks over HTTP), or choose your own domain in step 1.".into(),
    }
}

/// New names were asked for while the request for the previous ones still runs.
pub fn previous_request_running() -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "이전 이름에 대한 인증서 요청이 아직 진행 중입니다.",
            "요청 두 개가 동시에 진행되면 정리해야 할 인증서가 두 개 남습니다.",
            "그 요청이 끝날 때까지 기다린 뒤, 새 이름에 대한 인증서를 요청하세요.",
        ),
        what: "A certificate request for the previous names is still running.".into(),
        why: "Two requests at once would leave two certificates to clean up.".into(),
        fix: "Wait for it to finish, then request the certificate for the new names.".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_named_as_acm_names_them() {
        let zone = DomainName::parse("team.com").unwrap();
        let e = status_error(&CertStatus::Revoked, None, &zone).unwrap();
        assert!(e.what.contains("REVOKED") && e.ko.as_ref().is_some_and(|k| k.what.contains("REVOKED")), "{e:?}");
        assert!(status_error(&CertStatus::PendingValidation, None, &zone).is_none());
        let caa = status_error(&CertStatus::Failed, Some("CAA_ERROR"), &zone).unwrap();
        assert!(caa.fix.contains("0 issue \"amazon.com\"") && caa.why.contains("team.com"), "{caa:?}");
    }
}
