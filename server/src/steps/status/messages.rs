//! What the status step tells people, in English and Korean: its notes and the errors about
//! the alert webhook.

use lockstep_domain::{msg, Message, UserError};

pub fn none_due() -> Message {
    msg("No alerts due.", "보낼 알림이 없습니다.")
}

pub fn no_webhook(due: usize) -> Message {
    msg(
        format!("{due} alert(s) due, but no webhook is set for this project."),
        format!("보낼 알림이 {due}개 있지만, 이 프로젝트에는 웹훅이 설정되어 있지 않습니다."),
    )
}

pub fn sent(n: usize) -> Message {
    msg(format!("Sent {n} alert(s)."), format!("알림 {n}개를 보냈습니다."))
}

/// The note while the sending is retried (`e`: the webhook adapter's words).
pub fn not_sent(e: &Message) -> Message {
    msg(format!("Could not send an alert: {}.", e.en), format!("알림을 보내지 못했습니다: {}.", e.ko))
}

/// The stored webhook could not be opened (`e`: why, from the secret box).
pub fn webhook_unreadable(e: &impl std::fmt::Display) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "lockstep이 이 프로젝트의 알림 웹훅을 읽을 수 없습니다.",
            format!("저장된 웹훅을 열 수 없습니다: {e}."),
            "프로젝트의 상태 설정에서 웹훅을 다시 설정하세요(또는 모든 서버에 같은 LOCKSTEP_SECRET_KEY를 지정하세요).",
        ),
        what: "lockstep could not read this project's alert webhook.".into(),
        why: format!("The stored webhook could not be opened: {e}."),
        fix: "Set the webhook again on the project's status settings (or give every server the same LOCKSTEP_SECRET_KEY).".into(),
    }
}

/// The webhook kept refusing the alert (`e`: the webhook adapter's words).
pub fn webhook_refused(e: Message) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            "알림 웹훅이 알림을 받지 않았습니다.",
            e.ko,
            "프로젝트의 상태 설정에서 웹훅 URL을 확인하세요(Slack: Incoming Webhook, Discord: 서버 설정 > 연동 > 웹후크).",
        ),
        what: "The alert webhook did not take the alert.".into(),
        why: e.en,
        fix: "Check the webhook URL in the project's status settings (Slack: an Incoming Webhook; Discord: Server Settings > Integrations > Webhooks).".into(),
    }
}
