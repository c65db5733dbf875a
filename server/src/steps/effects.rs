//! Typed side-effect results and ids parsed at the edge, for the steps.
//!
//! What a step records after a side effect ([`StepCtx::record_effect`]) is one of its own
//! structs, serialised here and read back as that struct on the next attempt: a stored result
//! of another shape is a broken invariant ([`StepError::invariant`]: the step fails at once
//! instead of being retried for ever). An id AWS hands back as a string (an ARN, a zone id) is
//! parsed once where it enters, so the step's output carries the newtype.

use crate::jobs::StepError;
use lockstep_domain::ids::BadId;
use lockstep_domain::{Message, UserError};

/// An id from an AWS answer, parsed with `parse`; an answer that is not one stops the step with
/// words (`task` as for [`super::port_error`]).
pub fn aws_id<T>(parse: impl FnOnce(&str) -> Result<T, BadId>, value: &str, task: &Message) -> Result<T, StepError> {
    parse(value).map_err(|e| {
        tracing::warn!(expected = e.expected, "an AWS answer carried no valid id");
        StepError::Fatal(unexpected_answer(task, e.expected))
    })
}

/// AWS answered with something lockstep cannot use where an id belongs.
fn unexpected_answer(task: &Message, expected: &str) -> UserError {
    UserError {
        ko: lockstep_domain::ko(
            format!("AWS가 lockstep이 예상하지 못한 답을 보냈습니다 (작업: {}).", task.ko),
            format!("AWS의 답에 있어야 할 식별자가 {expected} 형식이 아니었습니다."),
            "다시 시도를 누르세요. 또 일어나면 시각과 함께 서버 운영자에게 알려 주세요.",
        ),
        what: format!("AWS answered lockstep with something it did not expect while {}.", task.en),
        why: format!("Where the answer should carry {expected}, it carried something else."),
        fix: "Press Retry. If it happens again, tell the server's operator the time.".into(),
    }
}
