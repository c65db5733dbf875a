//! The wizard's steps, written against the narrow ports in [`crate::ports`] only.

pub mod certificate;
pub mod doctor;
pub mod domain;
pub mod effects;
pub mod frontend;
pub mod instance_https;
pub mod load_balancer;
pub mod status;
pub mod teardown;

use crate::jobs::StepError;
use crate::ports::{NoAwsAccess, PortError};
use lockstep_domain::{msg, Message, UserError};

/// lockstep could not act as the team's own AWS role while `doing` (a task in English and
/// Korean, as for [`port_error`]): what to change in IAM.
pub fn team_role_refused(doing: &Message, role_arn: &str, code: &str, message: &str) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("lockstep이 팀의 AWS 역할로 작업하지 못했습니다 (작업: {}).", doing.ko),
            format!("AWS STS가 lockstep의 {role_arn} 역할 수임(assume)을 거부했습니다 ({code}): {message}"),
            "IAM에서 이 역할의 \"신뢰 관계\"를 여세요. lockstep이 실행되는 AWS 계정을 신뢰하고 팀의 외부 ID를 요구해야 합니다(둘 다 lockstep의 팀 페이지에 있습니다). 그다음 다시 시도를 누르세요. (대신 역할을 비우는 방법은 샌드박스에서, 또는 서버 운영자가 팀에 서버 자체의 자격 증명을 허용한 경우에만 통합니다.)",
        ),
        what: format!("lockstep could not act as your team's AWS role while {}.", doing.en),
        why: format!("AWS STS refused to let lockstep assume {role_arn} ({code}): {message}"),
        fix: "In IAM, open the role's \"Trust relationships\": it must trust the AWS account lockstep runs in and require your team's external id (both are on your team's page in lockstep). Then press Retry. (Clearing the role instead works only in the sandbox, or where the server's operator allowed your team the server's own credentials.)".into(),
    }
}

/// lockstep refused to call AWS at all while `doing` (a task in English and Korean, as for
/// [`port_error`]): on real AWS a team acts only through its own role (`aws/team_role.rs`).
pub fn no_aws_access(doing: &Message, why: &NoAwsAccess) -> UserError {
    match why {
        NoAwsAccess::NoRole { team_id } => UserError {
            ko: lockstep_domain::ko(
                format!("이 팀에는 아직 AWS 역할이 없어서 lockstep이 AWS에서 아무것도 하지 않았습니다 (작업: {}).", doing.ko),
                "이 서버에서 lockstep은 각 팀의 IAM 역할로만 AWS를 다룹니다. 그래서 어떤 팀도 서버의 자격 증명으로 다른 팀의 호스팅 영역, 인스턴스, 버킷에 손댈 수 없습니다.",
                format!("팀 소유자가 팀 페이지의 \"AWS 접근 권한\"에서 역할을 추가하세요. 또는 서버 운영자가 이 팀에 서버의 자격 증명을 허용할 수 있습니다(--server-credentials-for {team_id}). 그다음 다시 시도하세요."),
            ),
            what: format!("This team has no AWS role yet, so lockstep did nothing in AWS (while {}).", doing.en),
            why: "On this server lockstep works in AWS only through each team's own IAM role, so no team can touch another team's hosted zones, instances or buckets with the server's credentials.".into(),
            fix: format!("A team owner adds the role on the team page (\"AWS access\"). Or the server's operator allows the server's credentials for this team (--server-credentials-for {team_id}). Then try again."),
        },
        NoAwsAccess::Orphan => UserError {
            ko: lockstep_domain::ko(
                format!("이 단계의 프로젝트나 팀이 더 이상 없어서 lockstep이 멈췄습니다 (작업: {}).", doing.ko),
                "팀이 없으면 어느 AWS 역할을 써야 할지 알 수 없고, lockstep은 서버 자체의 자격 증명으로 대신하지 않습니다.",
                "다시 시도할 것은 없습니다. 프로젝트를 일부러 삭제했다면 이 실행은 무시하세요. 그렇지 않다면 서버 운영자에게 알리세요.",
            ),
            what: format!("lockstep stopped: this step's project or team no longer exists (while {}).", doing.en),
            why: "Without the team lockstep cannot know whose AWS role to use, and it never uses the server's own credentials instead.".into(),
            fix: "There is nothing to retry. If the project was deleted on purpose, ignore this run; if not, tell the server's operator.".into(),
        },
        NoAwsAccess::Unnamed => UserError {
            ko: lockstep_domain::ko(
                format!("어느 팀을 위한 호출인지 알 수 없어서 lockstep이 AWS를 호출하지 않았습니다 (작업: {}).", doing.ko),
                "이 서버에서는 모든 AWS 호출이 팀의 IAM 역할로 이루어지는데, 이 호출은 팀을 지정하지 않았습니다.",
                "lockstep의 버그입니다. 시각과 누른 버튼을 서버 운영자에게 알려 주세요.",
            ),
            what: format!("lockstep did not call AWS (while {}): the call was not made for any team.", doing.en),
            why: "On this server every AWS call goes through a team's own IAM role, and this one named no team.".into(),
            fix: "This is a lockstep bug: tell the server's operator the time and what you pressed.".into(),
        },
    }
}

/// Turns an error from an external system into the engine's retry/fail decision, with words
/// a student can act on. `task` is what lockstep was doing, in English and Korean: the English completes
/// "while ...", e.g. "asking ACM for the certificate"; the Korean is a noun phrase shown as
/// "(작업: ...)", e.g. "ACM에 인증서 요청".
pub fn port_error(task: &Message, e: PortError) -> StepError {
    let (doing, doing_ko) = (&task.en, &task.ko);
    match e {
        PortError::Throttled(code) => StepError::Retryable {
            note: msg(
                format!("AWS is throttling requests ({code}) while {doing}."),
                format!("AWS가 요청을 제한하고 있습니다 ({code}, 작업: {doing_ko})."),
            ),
            last: Box::new(UserError {
                ko: lockstep_domain::ko(
                    format!("AWS가 lockstep의 요청을 계속 제한했습니다 (작업: {doing_ko})."),
                    "계정이 AWS가 초당 허용하는 것보다 많은 요청을, lockstep이 기다리는 시간보다 오래 보냈습니다.",
                    "몇 분 기다린 뒤 다시 시도를 누르세요. 같은 계정을 많이 쓰는 다른 도구가 있다면 잠시 멈추세요.",
                ),
                what: format!("AWS kept throttling lockstep while {doing}."),
                why: "Your account sent more requests than AWS allows per second, for longer than lockstep waits.".into(),
                fix: "Wait a few minutes and press Retry. If other tools use the same account heavily, pause them.".into(),
            }),
        },
        PortError::Unavailable(detail) => StepError::Retryable {
            note: msg(
                format!("AWS did not answer properly ({detail}) while {doing}."),
                format!("AWS가 제대로 응답하지 않았습니다 ({detail}, 작업: {doing_ko})."),
            ),
            last: Box::new(UserError {
                ko: lockstep_domain::ko(
                    format!("AWS에서 계속 오류가 났습니다 (작업: {doing_ko})."),
                    format!("서비스가 오류로 응답했거나 시간 초과되었습니다 ({detail})."),
                    "해당 리전의 AWS Health Dashboard를 확인한 뒤 다시 시도를 누르세요.",
                ),
                what: format!("AWS kept failing while {doing}."),
                why: format!("The service answered with errors or timed out ({detail})."),
                fix: "Check the AWS Health Dashboard for your region, then press Retry.".into(),
            }),
        },
        PortError::Denied { code, message } => StepError::Fatal(UserError {
            ko: lockstep_domain::ko(
                format!("AWS가 접근을 거부했습니다 ({code}, 작업: {doing_ko})."),
                format!("lockstep이 사용하는 자격 증명에는 이 작업을 할 권한이 없습니다: {message}"),
                "메시지에 나온 권한을 lockstep의 IAM 사용자 또는 역할에 부여한 뒤(수업 프로젝트라면 관리자 프로필을 사용해도 됩니다) 다시 시도를 누르세요.",
            ),
            what: format!("AWS refused access while {doing} ({code})."),
            why: format!("The credentials lockstep uses are not allowed to do this: {message}"),
            fix: "Give lockstep's IAM user or role the permission named in the message (or use an administrator profile for the class project), then press Retry.".into(),
        }),
        PortError::TeamRole { role_arn, code, message } => {
            StepError::Fatal(team_role_refused(task, &role_arn, &code, &message))
        }
        PortError::NoAccess(why) => StepError::Fatal(no_aws_access(task, &why)),
        PortError::NotFound(what) => StepError::Fatal(UserError {
            ko: lockstep_domain::ko(
                format!("lockstep에 필요한 것을 찾지 못했습니다 (작업: {doing_ko}): {what}."),
                "AWS 콘솔에서 삭제되었거나, 다른 계정 또는 다른 리전에 있을 수 있습니다.",
                "AWS 콘솔(같은 계정, 같은 리전)에서 존재하는지 확인하거나, lockstep에서 다시 선택하세요.",
            ),
            what: format!("Something lockstep needs was not found while {doing}: {what}."),
            why: "It may have been deleted in the AWS console, or it lives in another account or region.".into(),
            fix: "Check it exists in the AWS console (same account and region), or choose it again in lockstep.".into(),
        }),
        PortError::Rejected { code, message } => StepError::Fatal(UserError {
            ko: lockstep_domain::ko(
                format!("AWS가 요청을 받아들이지 않았습니다 ({code}, 작업: {doing_ko})."),
                message.clone(),
                "메시지에 나온 문제를 고친 뒤 다시 시도를 누르세요. 내용이 불분명하면 메시지와 코드로 검색해 보세요.",
            ),
            what: format!("AWS rejected the request while {doing} ({code})."),
            why: message,
            fix: "Fix what the message names and press Retry; if it is unclear, the message with its code is what to search for.".into(),
        }),
        PortError::Unsupported(what) => StepError::Fatal(UserError {
            ko: lockstep_domain::ko(
                format!("여기서는 지원되지 않습니다: {what}."),
                "샌드박스 에뮬레이터는 이 호출을 구현하지 않습니다.",
                "이 단계는 실제 AWS 모드로 진행하세요.",
            ),
            what: format!("This is not supported here: {what}."),
            why: "The sandbox emulator does not implement this call.".into(),
            fix: "Use real AWS mode for this step.".into(),
        }),
    }
}
