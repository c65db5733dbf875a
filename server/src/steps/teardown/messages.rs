//! What the teardown says, in English and Korean: every note, task, reason for keeping a
//! resource and error of its steps. The step files decide; the words live here (tasks complete
//! "while ..." in English and are noun phrases in Korean, as [`crate::steps::port_error`] shows
//! them).

use crate::ports::DistributionStatus;
use lockstep_domain::ledger::{LedgerItem, ResourceKind};
use lockstep_domain::{ko, msg, Message, UserError};

// What each step deletes (for its closing note).

pub fn distributions() -> Message {
    msg("distributions", "배포")
}

pub fn cloudfront_distributions() -> Message {
    msg("CloudFront distributions", "CloudFront 배포")
}

pub fn load_balancers() -> Message {
    msg("load balancers", "로드 밸런서")
}

pub fn load_balancer_parts() -> Message {
    msg("load-balancer parts", "로드 밸런서 구성 요소")
}

pub fn rules_and_groups() -> Message {
    msg("security-group rules and groups", "보안 그룹 규칙과 보안 그룹")
}

pub fn dns_records() -> Message {
    msg("DNS records", "DNS 레코드")
}

pub fn certificates() -> Message {
    msg("certificates", "인증서")
}

pub fn hosted_zones() -> Message {
    msg("hosted zones", "호스팅 영역")
}

// Every step.

/// A step's closing note: `deleted` of `what`, `kept` left in place.
pub fn step_done(what: &Message, deleted: usize, kept: usize) -> Message {
    let (what, what_ko) = (&what.en, &what.ko);
    match (deleted, kept) {
        (0, 0) => msg(format!("No {what} to delete."), format!("삭제할 {what_ko}이(가) 없습니다.")),
        (n, 0) => msg(format!("Deleted {n} ({what})."), format!("{n}개를 삭제했습니다({what_ko}).")),
        (n, k) => msg(
            format!("Deleted {n}; kept {k} (see why below)."),
            format!("{n}개를 삭제하고 {k}개를 남겨 두었습니다(이유는 아래를 보세요)."),
        ),
    }
}

/// AWS's lag outlasted the patience; `waiting` says what is still in the way.
pub fn out_of_patience(waited_minutes: i64, waiting: Message) -> UserError {
    UserError {
        ko: ko(
            format!("{waited_minutes}분이 지났지만 AWS에서 아직 일부 리소스를 삭제하지 못했습니다."),
            waiting.ko,
            "AWS 콘솔에서 해당 리소스를 확인한 뒤(lockstep이 만들지 않은 무언가가 사용 중일 수 있습니다) \"다시 시도\"를 누르세요. 이미 삭제된 것은 삭제된 상태로 유지됩니다.",
        ),
        what: format!("AWS still has not let lockstep delete everything after {waited_minutes} minutes."),
        why: waiting.en,
        fix: "Look at the named resource in the AWS console (it may be used by something lockstep did not make), then press Retry: everything already deleted stays deleted.".into(),
    }
}

/// Why an item whose id lockstep cannot read is left alone (nothing is sent to AWS for it).
pub fn unreadable_id(item: &LedgerItem) -> Message {
    let id = &item.id;
    if item.kind == ResourceKind::SgRule {
        return msg(
            "lockstep cannot read this rule's id; remove it by hand.",
            "lockstep이 이 규칙의 ID를 읽지 못했습니다. 직접 삭제하세요.",
        );
    }
    msg(
        format!("lockstep cannot read the id of this {} ({id}); remove it by hand.", item.kind.label()),
        format!("lockstep이 이 {}의 ID({id})를 읽지 못했습니다. 직접 삭제하세요.", item.kind.label_ko()),
    )
}

// Step 1: CloudFront and the bucket policy.

pub fn reading_distribution(id: &str) -> Message {
    msg(format!("reading the CloudFront distribution {id}"), format!("CloudFront 배포 {id} 읽기"))
}

pub fn disabling_distribution_now(id: &str) -> Message {
    msg(format!("Disabling the CloudFront distribution {id}"), format!("CloudFront 배포 {id}을(를) 비활성화하는 중"))
}

pub fn disabling_distribution(id: &str) -> Message {
    msg(format!("disabling the CloudFront distribution {id}"), format!("CloudFront 배포 {id} 비활성화"))
}

pub fn deleting_distribution(id: &str) -> Message {
    msg(format!("deleting the CloudFront distribution {id}"), format!("CloudFront 배포 {id} 삭제"))
}

pub fn disable_deploying(id: &str) -> Message {
    msg(
        format!(
            "CloudFront is deploying the disable of {id} to its edge locations (5-15 minutes); it can be deleted after that."
        ),
        format!("CloudFront가 {id}의 비활성화를 엣지 로케이션에 배포하고 있습니다(5~15분). 그 뒤에 삭제할 수 있습니다."),
    )
}

/// CloudFront's status in its own words.
fn status_name(s: &DistributionStatus) -> &str {
    match s {
        DistributionStatus::InProgress => "InProgress",
        DistributionStatus::Deployed => "Deployed",
        DistributionStatus::Other(s) => s,
    }
}

pub fn disable_still_deploying(id: &str, status: &DistributionStatus) -> Message {
    let status = status_name(status);
    msg(
        format!("The distribution {id} is disabled; CloudFront is still deploying that change (status {status})."),
        format!("배포 {id}은(는) 비활성화되었고, CloudFront가 아직 그 변경을 배포하고 있습니다(상태 {status})."),
    )
}

pub fn not_disabled_yet(id: &str) -> Message {
    msg(
        format!("CloudFront says {id} is not disabled yet (DistributionNotDisabled): the disable is still deploying."),
        format!(
            "CloudFront에 따르면 {id}이(가) 아직 비활성화되지 않았습니다(DistributionNotDisabled). 비활성화가 아직 배포 중입니다."
        ),
    )
}

pub fn changed_while_deleting(id: &str) -> Message {
    msg(
        format!("The distribution {id} changed while lockstep deleted it; reading it again."),
        format!("lockstep이 삭제하는 동안 배포 {id}이(가) 바뀌었습니다. 다시 읽습니다."),
    )
}

pub fn reading_bucket_policy(bucket: &str) -> Message {
    msg(format!("reading the bucket policy of {bucket}"), format!("버킷 {bucket}의 정책 읽기"))
}

pub fn removing_bucket_policy(bucket: &str) -> Message {
    msg(format!("removing the bucket policy of {bucket}"), format!("버킷 {bucket}의 정책 삭제"))
}

pub fn updating_bucket_policy(bucket: &str) -> Message {
    msg(format!("updating the bucket policy of {bucket}"), format!("버킷 {bucket}의 정책 수정"))
}

/// The bucket policy is not JSON lockstep can read (`why`): lockstep's statement stays.
pub fn policy_unreadable(bucket: &str, why: &str, sid: &str) -> Message {
    msg(
        format!("The bucket policy of {bucket} could not be read ({why}); remove the statement {sid} by hand."),
        format!("{bucket}의 버킷 정책을 읽지 못했습니다({why}). {sid} 문을 직접 삭제하세요."),
    )
}

// Step 2: the load balancer.

pub fn deleting_listener() -> Message {
    msg("deleting a load-balancer listener", "로드 밸런서 리스너 삭제")
}

pub fn deleting_load_balancer() -> Message {
    msg("deleting the load balancer", "로드 밸런서 삭제")
}

pub fn reading_load_balancer() -> Message {
    msg("reading the load balancer", "로드 밸런서 읽기")
}

pub fn deleting_target_group() -> Message {
    msg("deleting the target group", "대상 그룹 삭제")
}

pub fn load_balancer_deleting(name: &str, state: &str) -> Message {
    msg(
        format!("The load balancer {name} is being deleted (state {state})."),
        format!("로드 밸런서 {name}을(를) 삭제하는 중입니다(상태 {state})."),
    )
}

pub fn target_group_in_use() -> Message {
    msg(
        "The target group is still attached to the load balancer being deleted (ResourceInUse).",
        "대상 그룹이 아직 삭제 중인 로드 밸런서에 연결되어 있습니다(ResourceInUse).",
    )
}

// Step 3: security groups.

pub fn removing_rule(group: &str, port: u16) -> Message {
    msg(format!("removing the rule for port {port} on {group}"), format!("{group}에서 포트 {port} 규칙 삭제"))
}

pub fn deleting_group(group: &str) -> Message {
    msg(format!("deleting the security group {group}"), format!("보안 그룹 {group} 삭제"))
}

pub fn group_still_used(group: &str) -> Message {
    msg(
        format!(
            "The security group {group} is still used by the deleted load balancer's network interfaces (DependencyViolation); AWS releases them a minute or two after the load balancer is gone."
        ),
        format!(
            "삭제된 로드 밸런서의 네트워크 인터페이스가 아직 보안 그룹 {group}을(를) 사용하고 있습니다(DependencyViolation). AWS는 로드 밸런서가 사라지고 1~2분 뒤에 이를 해제합니다."
        ),
    )
}

// Step 4: records.

pub fn reading_zone_records(zone: &str) -> Message {
    msg(format!("reading the records of the zone {zone}"), format!("영역 {zone}의 레코드 읽기"))
}

pub fn deleting_records_now(zone: &str, n: usize) -> Message {
    msg(format!("Deleting {n} records in the zone {zone}"), format!("영역 {zone}에서 레코드 {n}개를 삭제하는 중"))
}

pub fn deleting_records(zone: &str) -> Message {
    msg(format!("deleting records in the zone {zone}"), format!("영역 {zone}의 레코드 삭제"))
}

// Step 5: certificates.

pub fn reading_certificate() -> Message {
    msg("reading a certificate", "인증서 읽기")
}

pub fn deleting_certificate() -> Message {
    msg("deleting a certificate", "인증서 삭제")
}

/// The certificate is attached to `users` that lockstep did not make.
pub fn certificate_used_by_others(users: &[&str]) -> Message {
    let users = users.join(", ");
    msg(
        format!("Still used by {users} (not made by lockstep); deleting it would break that."),
        format!("아직 {users}에서 사용 중입니다(lockstep이 만든 것이 아닙니다). 삭제하면 그쪽이 망가집니다."),
    )
}

pub fn acm_still_in_use(domain: &str) -> Message {
    msg(
        format!(
            "ACM still counts {domain} as in use (ResourceInUseException): it notices a deleted load balancer or distribution a few minutes later."
        ),
        format!(
            "ACM이 아직 {domain}을(를) 사용 중으로 봅니다(ResourceInUseException). ACM은 로드 밸런서나 배포가 삭제된 것을 몇 분 뒤에 알아챕니다."
        ),
    )
}

pub fn acm_in_use_after_wait(domain: &str) -> Message {
    msg(
        format!("ACM still says {domain} is in use (ResourceInUseException) after the wait; delete it in the ACM console once it shows no \"In use\"."),
        format!("기다린 뒤에도 ACM은 {domain}이(가) 사용 중이라고 합니다(ResourceInUseException). ACM 콘솔에서 \"사용 중\" 표시가 사라지면 직접 삭제하세요."),
    )
}

// Step 6: the hosted zone.

pub fn zone_kept_by_choice() -> Message {
    msg(
        "You chose to keep the hosted zone (it costs $0.50 a month). Tear down again and tick the box to delete it.",
        "호스팅 영역을 남겨 두기로 하셨습니다(한 달에 $0.50). 삭제하려면 상자를 체크하고 다시 정리하세요.",
    )
}

pub fn reading_zone() -> Message {
    msg("reading the hosted zone", "호스팅 영역 읽기")
}

pub fn reading_zone_records_for_delete() -> Message {
    msg("reading the zone's records", "영역의 레코드 읽기")
}

pub fn deleting_zone() -> Message {
    msg("deleting the hosted zone", "호스팅 영역 삭제")
}

/// The zone still holds records lockstep did not make (`foreign`, "NAME TYPE" each).
pub fn zone_has_foreign_records(zone: &str, foreign: &[String]) -> Message {
    let foreign = foreign.join(", ");
    msg(
        format!(
            "The zone {zone} still has records lockstep did not make ({foreign}); AWS deletes only an empty zone. Delete them in the Route 53 console if you do not need them, then tear down again."
        ),
        format!(
            "{zone} 영역에 lockstep이 만들지 않은 레코드가 남아 있습니다({foreign}). AWS는 빈 영역만 삭제합니다. 필요 없다면 Route 53 콘솔에서 삭제한 뒤 다시 정리하세요."
        ),
    )
}

pub fn zone_not_empty() -> Message {
    msg(
        "Route 53 says the zone is not empty (HostedZoneNotEmpty); delete its other records, then tear down again.",
        "Route 53이 영역이 비어 있지 않다고 합니다(HostedZoneNotEmpty). 다른 레코드를 삭제한 뒤 다시 정리하세요.",
    )
}

// Step 7: the check.

pub fn looking_up(item: &LedgerItem) -> Message {
    msg(
        format!("looking up the {} {}", item.kind.label(), item.id),
        format!("{} {} 조회", item.kind.label_ko(), item.id),
    )
}

/// Resources lockstep deleted are still listed by AWS.
pub fn still_there(left: &[LedgerItem]) -> UserError {
    let list = |korean: bool| {
        left.iter()
            .map(|i| format!("{} {} ({})", if korean { i.kind.label_ko() } else { i.kind.label() }, i.id, i.region))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let n = left.len();
    UserError {
        ko: ko(
            format!("lockstep이 삭제한 리소스 중 {n}개가 아직 AWS에 남아 있습니다."),
            list(true),
            "AWS가 아직 삭제를 마무리하는 중일 수 있습니다. 1분 뒤에 \"다시 시도\"를 눌러 다시 확인하세요. 계속 남아 있으면 AWS 콘솔에서 직접 삭제하세요.",
        ),
        what: format!("{n} of the resources lockstep deleted still exist in AWS."),
        why: list(false),
        fix: "AWS may still be finishing the delete: press Retry in a minute to look again. If one stays, delete it in the AWS console.".into(),
    }
}

/// The closing note: `checked` resources looked up, `kept` left on purpose.
pub fn all_gone(checked: usize, kept: usize) -> Message {
    if kept == 0 {
        return msg(
            format!("Checked {checked} resources in AWS: nothing lockstep created is left."),
            format!("AWS에서 리소스 {checked}개를 확인했습니다. lockstep이 만든 것은 하나도 남아 있지 않습니다."),
        );
    }
    msg(
        format!("Checked {checked} resources in AWS: all deleted. Kept on purpose: {kept}."),
        format!("AWS에서 리소스 {checked}개를 확인했습니다. 모두 삭제되었습니다. 일부러 남겨 둔 것: {kept}개."),
    )
}

// Refusals of "tear down" (the service answers the person with these).

/// lockstep made nothing in AWS for the project (or a teardown already deleted it).
pub fn nothing_to_tear_down() -> UserError {
    UserError {
        ko: ko(
            "정리할 리소스가 없습니다.",
            "lockstep은 이 프로젝트를 위해 AWS에 아무것도 만들지 않았습니다(또는 이전의 정리 작업이 모두 삭제했습니다).",
            "할 일이 없습니다. 콘솔에서 직접 만든 리소스는 콘솔에서 직접 삭제하세요.",
        ),
        what: "There is nothing to tear down.".into(),
        why: "lockstep has not created anything in AWS for this project (or a teardown already deleted it all)."
            .into(),
        fix: "Nothing to do. Resources you made yourself in the console are yours to delete there.".into(),
    }
}

// The steps a teardown waits for (named in [`step_still_running`]).

pub fn load_balancer_step() -> Message {
    msg("the load balancer step", "로드 밸런서 단계")
}

pub fn cloudfront_step() -> Message {
    msg("the CloudFront step", "CloudFront 단계")
}

pub fn cache_clear() -> Message {
    msg("the cache clear", "캐시 지우기")
}

pub fn nginx_step() -> Message {
    msg("the Nginx step", "Nginx 단계")
}

pub fn certificate_step() -> Message {
    msg("the certificate step", "인증서 단계")
}

/// A step that creates resources (`what`) is still running.
pub fn step_still_running(what: &Message) -> UserError {
    let (what, what_ko) = (&what.en, &what.ko);
    UserError {
        ko: ko(
            format!("아무것도 삭제하지 않았습니다. {what_ko}가 아직 진행 중입니다."),
            "단계가 리소스를 만드는 도중에 삭제하면 리소스 일부가 남게 됩니다.",
            format!("{what_ko}가 끝나거나 오류로 멈출 때까지 기다린 뒤 정리하세요."),
        ),
        what: format!("Nothing was deleted: {what} is still running."),
        why: "Deleting resources while a step is creating them would leave half of them behind.".into(),
        fix: format!("Wait until {what} finishes or stops on an error, then tear down."),
    }
}

/// The teardown was started without ticking the confirmation.
pub fn teardown_not_confirmed() -> UserError {
    UserError {
        ko: ko(
            "아무것도 삭제하지 않았습니다. 정리가 확인되지 않았습니다.",
            "정리하면 위에 나열된 리소스가 AWS에서 삭제되며, 되돌릴 수 없습니다.",
            "확인 상자에 체크한 뒤 버튼을 다시 누르세요.",
        ),
        what: "Nothing was deleted: the teardown was not confirmed.".into(),
        why: "Teardown deletes the resources listed above in AWS; it cannot be undone.".into(),
        fix: "Tick the box that confirms it, then press the button again.".into(),
    }
}
