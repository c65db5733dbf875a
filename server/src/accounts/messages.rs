//! The refusals of the accounts area, in English and Korean.

use super::*;
use lockstep_domain::{msg, Message};

pub(super) fn invite_gone() -> UserError {
    refused(
        "This invite link no longer works.",
        "Invite links work once, for 7 days; this one was used or has expired.",
        "Ask the team's owner for a new link.",
    )
    .korean(
        "이 초대 링크는 더 이상 쓸 수 없습니다.",
        "초대 링크는 7일 동안 한 번만 쓸 수 있는데, 이 링크는 이미 사용되었거나 만료되었습니다.",
        "팀 소유자에게 새 링크를 요청하세요.",
    )
}

pub(super) fn last_owner() -> UserError {
    refused(
        "A team needs at least one owner.",
        "This is the team's only owner; without one nobody could manage the team or tear its deployment down.",
        "Make someone else an owner first.",
    )
    .korean(
        "팀에는 소유자가 적어도 한 명 있어야 합니다.",
        "이 사람은 팀의 유일한 소유자입니다. 소유자가 없으면 아무도 팀을 관리하거나 배포를 정리할 수 없습니다.",
        "먼저 다른 사람을 소유자로 만드세요.",
    )
}

pub(super) fn sign_up_closed(domains: &SignupDomains) -> UserError {
    let (why, why_ko) = if domains.is_empty() {
        (
            "Only people with an invite link from a team owner can make an account here.".to_string(),
            "팀 소유자가 보낸 초대 링크가 있어야 계정을 만들 수 있습니다.".to_string(),
        )
    } else {
        let list = domains.domains().join(", ");
        (
            format!(
                "Without an invite link from a team owner, only addresses at {list} (or their subdomains) can sign up."
            ),
            format!("팀 소유자의 초대 링크가 없으면 {list} (또는 그 하위 도메인) 주소만 가입할 수 있습니다."),
        )
    };
    refused(
        "Sign-up on this lockstep server is by invitation.",
        &why,
        "Ask the owner of the team you are joining (your team leader or instructor) to make an invite link on their team's page and send it to you, then open it. To open sign-up to your school's e-mail domain, ask whoever runs this lockstep server.",
    )
    .korean(
        "이 lockstep 서버는 초대를 받아야 가입할 수 있습니다.",
        why_ko,
        "참여하려는 팀의 소유자(팀장이나 담당 교수)에게 팀 페이지에서 초대 링크를 만들어 보내 달라고 한 뒤, 그 링크를 여세요. 학교 이메일 도메인으로 가입을 열려면 이 lockstep 서버를 운영하는 사람에게 문의하세요.",
    )
}

pub(super) fn too_many_sign_ups(minutes: i64) -> UserError {
    refused(
        "Too many sign-ups from your network.",
        &format!(
            "More than {} accounts were made from this address within an hour, so lockstep pauses sign-ups from it.",
            throttle::SIGN_UPS_PER_ADDRESS
        ),
        &format!("Wait {minutes} minute(s) and try again."),
    )
    .korean(
        "내 네트워크에서 가입이 너무 많았습니다.",
        format!(
            "한 시간 안에 이 주소에서 계정이 {}개 넘게 만들어져, lockstep이 이 주소의 가입을 잠시 멈춥니다.",
            throttle::SIGN_UPS_PER_ADDRESS
        ),
        format!("{minutes}분 기다린 뒤 다시 시도하세요."),
    )
}

pub(super) fn account_paused(minutes: i64) -> UserError {
    refused(
        "Too many wrong passwords for this account.",
        &format!(
            "After {} failed sign-ins in {} minutes lockstep pauses the account, so nobody can guess its password.",
            throttle::PER_ACCOUNT,
            throttle::WINDOW_MS / 60_000
        ),
        &format!(
            "Wait {minutes} minute(s) and try again. If you forgot the password, ask an owner of your team for a password reset link."
        ),
    )
    .korean(
        "이 계정에 잘못된 비밀번호 입력이 너무 많았습니다.",
        format!(
            "{}분 안에 로그인이 {}번 실패하면, 아무도 비밀번호를 추측할 수 없도록 lockstep이 이 계정의 로그인을 잠시 멈춥니다.",
            throttle::WINDOW_MS / 60_000,
            throttle::PER_ACCOUNT
        ),
        format!("{minutes}분 기다린 뒤 다시 시도하세요. 비밀번호를 잊었다면 팀 소유자에게 비밀번호 재설정 링크를 요청하세요."),
    )
}

pub(super) fn address_paused(minutes: i64) -> UserError {
    refused(
        "Too many failed sign-ins from your network.",
        "Many wrong passwords came from this address in a short time, so lockstep pauses sign-ins from it.",
        &format!("Wait {minutes} minute(s) and try again."),
    )
    .korean(
        "내 네트워크에서 로그인 실패가 너무 많았습니다.",
        "짧은 시간에 이 주소에서 잘못된 비밀번호가 많이 입력되어, lockstep이 이 주소의 로그인을 잠시 멈춥니다.",
        format!("{minutes}분 기다린 뒤 다시 시도하세요."),
    )
}

pub(super) fn wrong_password() -> UserError {
    refused(
        "Wrong e-mail address or password.",
        "No account matches this e-mail address and password.",
        "Check both (is Caps Lock on?) and try again. Forgot the password? Ask an owner of your team for a password reset link. No account yet? Ask your team's owner for an invite link.",
    )
    .korean(
        "이메일 주소 또는 비밀번호가 틀렸습니다.",
        "이 이메일 주소와 비밀번호에 맞는 계정이 없습니다.",
        "둘 다 확인한 뒤(Caps Lock이 켜져 있지 않나요?) 다시 시도하세요. 비밀번호를 잊었다면 팀 소유자에게 비밀번호 재설정 링크를 요청하세요. 아직 계정이 없다면 팀 소유자에게 초대 링크를 요청하세요.",
    )
}

pub(super) fn reset_gone() -> UserError {
    refused(
        "This password reset link no longer works.",
        "Reset links work once, for 24 hours; this one was used, has expired, or was replaced by a newer one.",
        "Ask an owner of your team for a new link.",
    )
    .korean(
        "이 비밀번호 재설정 링크는 더 이상 쓸 수 없습니다.",
        "재설정 링크는 24시간 동안 한 번만 쓸 수 있는데, 이 링크는 이미 사용되었거나 만료되었거나 새 링크로 바뀌었습니다.",
        "팀 소유자에게 새 링크를 요청하세요.",
    )
}

pub(super) fn reset_not_yours(name: &str) -> UserError {
    refused(
        &format!("lockstep did not make a reset link for {name}."),
        &format!(
            "{name} is also in a team you are not an owner of. Whoever holds a reset link gets into all of {name}'s teams, so only someone who owns every one of them may make it."
        ),
        &format!(
            "Ask the owners of {name}'s other teams: one who owns all of {name}'s teams can make the link, or they can make you an owner of theirs first."
        ),
    )
    .korean(
        format!("lockstep이 {name}님의 재설정 링크를 만들지 않았습니다."),
        format!(
            "{name}님은 내가 소유자가 아닌 팀에도 속해 있습니다. 재설정 링크를 가진 사람은 {name}님의 모든 팀에 들어갈 수 있으므로, 그 팀들을 모두 소유한 사람만 링크를 만들 수 있습니다."
        ),
        format!(
            "{name}님의 다른 팀 소유자에게 문의하세요. {name}님의 팀을 모두 소유한 사람이 링크를 만들 수 있고, 아니면 먼저 나를 그 팀의 소유자로 만들어 줄 수 있습니다."
        ),
    )
}

/// An invite link opened after it was used or expired (the sign-up page says it).
pub(super) fn invite_link_gone() -> Message {
    msg(
        "This invite link was already used or has expired. Ask the team's owner for a new one.",
        "이 초대 링크는 이미 사용되었거나 만료되었습니다. 팀 소유자에게 새 링크를 요청하세요.",
    )
}

/// A password reset link opened after it was used or expired.
pub(super) fn reset_link_gone() -> Message {
    msg(
        "This password reset link was already used or has expired (links work once, for 24 hours). Ask an owner of your team for a new one.",
        "이 비밀번호 재설정 링크는 이미 사용되었거나 만료되었습니다(링크는 24시간 동안 한 번만 쓸 수 있습니다). 팀 소유자에게 새 링크를 요청하세요.",
    )
}

/// A member action on someone who is not (or no longer) in the team.
pub(super) fn not_in_team() -> Message {
    msg("This person is not in the team.", "이 사람은 팀에 없습니다.")
}

/// A team the caller is not in (or that does not exist: the same words, so nothing leaks).
pub(super) fn team_not_yours() -> Message {
    msg("This team does not exist, or you are not in it.", "이 팀이 없거나, 여러분이 이 팀에 속해 있지 않습니다.")
}

/// A project the caller's teams do not hold (or that does not exist).
pub(super) fn project_not_yours() -> Message {
    msg(
        "This project does not exist, or you are not in its team. Check the link, or ask the team's owner for an invite.",
        "이 프로젝트가 없거나, 여러분이 이 프로젝트의 팀에 속해 있지 않습니다. 링크를 확인하거나 팀 소유자에게 초대를 요청하세요.",
    )
}

/// A run whose project the caller's teams do not hold (or that does not exist).
pub(super) fn run_not_yours() -> Message {
    msg(
        "This run does not exist, or you are not in its project's team.",
        "이 실행이 없거나, 여러분이 이 실행의 프로젝트 팀에 속해 있지 않습니다.",
    )
}

/// The caller's role does not allow the action; `least` is the role that would.
pub(super) fn role_forbids(team: &str, role: Role, least: Role) -> Message {
    let (can, can_ko) = match role {
        Role::Viewer => (
            "viewers can see everything but cannot start, retry or change steps",
            "보기 권한으로는 모든 것을 볼 수 있지만 단계를 시작하거나 다시 시도하거나 바꿀 수 없습니다",
        ),
        Role::Member => (
            "members run the wizard but cannot tear down, delete projects or manage the team",
            "멤버는 마법사를 실행할 수 있지만 정리(teardown), 프로젝트 삭제, 팀 관리는 할 수 없습니다",
        ),
        Role::Owner => ("owners can do everything", "소유자는 모든 것을 할 수 있습니다"),
    };
    let (want, want_ko) = match least {
        Role::Owner => ("an owner", "소유자"),
        Role::Member => ("a member", "멤버"),
        Role::Viewer => ("a viewer", "보기 권한"),
    };
    msg(
        format!(
            "Your role in team \u{201c}{team}\u{201d} is {}: {can}. Ask a team owner to make you {want} if you need to do this.",
            role.key()
        ),
        format!(
            "팀 \u{201c}{team}\u{201d}에서 여러분의 역할은 {}입니다. {can_ko}. 이 일을 해야 한다면 팀 소유자에게 {want_ko}(으)로 바꿔 달라고 하세요.",
            role.key()
        ),
    )
}
