//! The wizard's steps, written against the narrow ports in [`crate::ports`] only.

pub mod alb;
pub mod cert;
pub mod cloudfront;
pub mod doctor;
pub mod domain;
pub mod nginx;
pub mod status;
pub mod teardown;

use crate::jobs::StepError;
use crate::ports::PortError;
use lockstep_domain::UserError;

/// Turns an error from an external system into the engine's retry/fail decision, with words
/// a student can act on. `doing` completes "while ...", e.g. "asking ACM for the certificate".
/// lockstep could not act as the team's own AWS role: what to change in IAM.
pub fn team_role_refused(doing: &str, role_arn: &str, code: &str, message: &str) -> UserError {
    UserError {
        ko: None,
        what: format!("lockstep could not act as your team's AWS role while {doing}."),
        why: format!("AWS STS refused to let lockstep assume {role_arn} ({code}): {message}"),
        fix: "In IAM, open the role's \"Trust relationships\": it must trust the AWS account lockstep runs in and require your team's external id (both are on your team's page in lockstep). Or clear the role on the team's page to use the server's own access. Then press Retry.".into(),
    }
}

pub fn port_error(doing: &str, e: PortError) -> StepError {
    match e {
        PortError::Throttled(code) => StepError::Retryable {
            note: format!("AWS is throttling requests ({code}) while {doing}."),
            last: UserError {
                ko: None,
                what: format!("AWS kept throttling lockstep while {doing}."),
                why: "Your account sent more requests than AWS allows per second, for longer than lockstep waits.".into(),
                fix: "Wait a few minutes and press Retry. If other tools use the same account heavily, pause them.".into(),
            },
        },
        PortError::Unavailable(detail) => StepError::Retryable {
            note: format!("AWS did not answer properly ({detail}) while {doing}."),
            last: UserError {
                ko: None,
                what: format!("AWS kept failing while {doing}."),
                why: format!("The service answered with errors or timed out ({detail})."),
                fix: "Check the AWS Health Dashboard for your region, then press Retry.".into(),
            },
        },
        PortError::Denied { code, message } => StepError::Fatal(UserError {
            ko: None,
            what: format!("AWS refused access while {doing} ({code})."),
            why: format!("The credentials lockstep uses are not allowed to do this: {message}"),
            fix: "Give lockstep's IAM user or role the permission named in the message (or use an administrator profile for the class project), then press Retry.".into(),
        }),
        PortError::TeamRole { role_arn, code, message } => StepError::Fatal(team_role_refused(doing, &role_arn, &code, &message)),
        PortError::NotFound(what) => StepError::Fatal(UserError {
            ko: None,
            what: format!("Something lockstep needs was not found while {doing}: {what}."),
            why: "It may have been deleted in the AWS console, or it lives in another account or region.".into(),
            fix: "Check it exists in the AWS console (same account and region), or choose it again in lockstep.".into(),
        }),
        PortError::Rejected { code, message } => StepError::Fatal(UserError {
            ko: None,
            what: format!("AWS rejected the request while {doing} ({code})."),
            why: message,
            fix: "Fix what the message names and press Retry; if it is unclear, the message with its code is what to search for.".into(),
        }),
        PortError::Unsupported(what) => StepError::Fatal(UserError {
            ko: None,
            what: format!("This is not supported here: {what}."),
            why: "The sandbox emulator does not implement this call.".into(),
            fix: "Use real AWS mode for this step.".into(),
        }),
    }
}
