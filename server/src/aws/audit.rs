//! Every AWS call into the deployment history: an SDK interceptor on every client lockstep
//! makes notes the operation, the request as the SDK prints it (the SDK redacts fields it marks
//! sensitive), how long it took, and the result or AWS's error code, for whichever action or
//! step is running on the task ([`app::api::ssr::log_aws_call`]).
//!
//! Team members (viewers too) read the history, so what the SDK does not mark sensitive but is
//! a secret of the team's AWS access is redacted here: the external id of `sts:AssumeRole` (with
//! it and the role ARN, anyone could act as the team through any account its trust policy
//! trusts), session tokens and MFA codes ([`redact`]).

use app::api::ssr::{log_aws_call, AwsCall};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use std::time::Instant;

/// Longest request summary kept.
const SUMMARY_CHARS: usize = 400;

/// Request fields (as the SDK's `Debug` names them) whose values never reach the history.
const SECRET_FIELDS: [&str; 5] = ["external_id", "session_token", "token_code", "serial_number", "saml_assertion"];

/// `summary` (a request's `Debug` text) with the values of [`SECRET_FIELDS`] replaced. Done
/// before shortening, so no cut can leave part of a value behind.
pub fn redact(summary: &str) -> String {
    let mut out = summary.to_string();
    for field in SECRET_FIELDS {
        let mut from = 0;
        while let Some(at) = out[from..].find(&format!("{field}: ")).map(|i| from + i) {
            let value_start = at + field.len() + 2;
            // Only a field name, not the tail of another (`x_external_id`).
            let boundary = at == 0 || !out[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_');
            let rest = &out[value_start..];
            let value_len = if !boundary || rest.starts_with("None") {
                0
            } else {
                // `Some("…")` or `"…"`: up to the closing quote (escaped quotes skipped).
                let Some(open) = rest.find('"') else { break };
                let mut end = None;
                let mut escaped = false;
                for (i, c) in rest[open + 1..].char_indices() {
                    match c {
                        _ if escaped => escaped = false,
                        '\\' => escaped = true,
                        '"' => {
                            end = Some(open + 1 + i + 1);
                            break;
                        }
                        _ => {}
                    }
                }
                // An unterminated value: everything after the name goes.
                let end = end.unwrap_or(rest.len());
                let close = if rest[end..].starts_with(')') { end + 1 } else { end };
                out.replace_range(value_start..value_start + close, "** redacted **");
                "** redacted **".len()
            };
            from = value_start + value_len;
        }
    }
    out
}

#[derive(Debug, Clone)]
struct CallStarted {
    at: i64,
    clock: Instant,
    summary: String,
}

impl Storable for CallStarted {
    type Storer = StoreReplace<Self>;
}

#[derive(Debug)]
pub struct AuditCalls;

fn shorten(s: String) -> String {
    if s.chars().count() <= SUMMARY_CHARS {
        s
    } else {
        s.chars().take(SUMMARY_CHARS).chain("…".chars()).collect()
    }
}

/// AWS's error code from a failed response: the `x-amzn-ErrorType` header (JSON services),
/// the `<Code>` of an XML error, or the JSON `__type`; else the HTTP status.
pub fn error_code(status: u16, header: Option<&str>, body: Option<&[u8]>) -> String {
    if let Some(h) = header {
        return h.split(':').next().unwrap_or(h).to_string();
    }
    let text = body.map(String::from_utf8_lossy).unwrap_or_default();
    if let Some(code) = text.split("<Code>").nth(1).and_then(|r| r.split("</Code>").next()) {
        return code.trim().to_string();
    }
    if let Some(t) = text.split("\"__type\"").nth(1).and_then(|r| r.split('"').nth(1)) {
        return t.rsplit('#').next().unwrap_or(t).to_string();
    }
    format!("HTTP {status}")
}

impl Intercept for AuditCalls {
    fn name(&self) -> &'static str {
        "AuditCalls"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let summary = shorten(redact(&format!("{:?}", context.input())));
        cfg.interceptor_state().store_put(CallStarted { at, clock: Instant::now(), summary });
        Ok(())
    }

    fn read_after_execution(
        &self,
        context: &FinalizerInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Some(started) = cfg.load::<CallStarted>().cloned() else { return Ok(()) };
        let operation = cfg
            .load::<Metadata>()
            .map(|m| format!("{}:{}", m.service().to_lowercase().replace(' ', ""), m.name()))
            .unwrap_or_else(|| "aws:unknown".into());
        let (ok, error_code) = match context.output_or_error() {
            Some(Ok(_)) => (true, None),
            Some(Err(e)) => {
                let code = match context.response() {
                    // Refused before it was sent: the team may not use AWS (team_role::Refuse).
                    None if super::team_role::no_access(e).is_some() => "refused: no AWS access for this team".into(),
                    Some(r) => error_code(r.status().as_u16(), r.headers().get("x-amzn-errortype"), r.body().bytes()),
                    None if e.is_timeout_error() => "timeout".into(),
                    None => "no answer (connection error)".into(),
                };
                (false, Some(code))
            }
            None => (false, Some("not sent".into())),
        };
        log_aws_call(AwsCall {
            at: started.at,
            operation,
            summary: started.summary,
            ok,
            error_code,
            duration_ms: started.clock.elapsed().as_millis() as i64,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{error_code, redact};

    #[test]
    fn secrets_of_the_teams_access_are_redacted() {
        let input = r#"AssumeRoleInput { role_arn: Some("arn:aws:iam::222233334444:role/lockstep"), role_session_name: Some("lockstep-t1"), external_id: Some("lockstep-ext-\"x"), serial_number: None, token_code: Some("123456") }"#;
        let out = redact(input);
        assert!(!out.contains("lockstep-ext") && !out.contains("123456"), "{out}");
        assert!(
            out.contains("external_id: ** redacted **, serial_number: None, token_code: ** redacted ** }"),
            "{out}"
        );
        assert!(out.contains("role/lockstep") && out.contains("lockstep-t1"), "the rest stays: {out}");
        // Cut off mid-value: nothing of it is kept.
        assert_eq!(redact(r#"X { external_id: Some("lockstep-ex"#), "X { external_id: ** redacted **");
        assert_eq!(redact("Y { my_external_id: Some(\"kept\") }"), "Y { my_external_id: Some(\"kept\") }");
    }

    #[test]
    fn error_codes_come_from_the_header_the_xml_or_the_json() {
        assert_eq!(error_code(400, Some("ResourceInUseException:http://x"), None), "ResourceInUseException");
        let xml = b"<ErrorResponse><Error><Code>DependencyViolation</Code></Error></ErrorResponse>";
        assert_eq!(error_code(400, None, Some(xml)), "DependencyViolation");
        let json = br#"{"__type":"com.amazonaws.acm#ResourceNotFoundException","message":"x"}"#;
        assert_eq!(error_code(400, None, Some(json)), "ResourceNotFoundException");
        assert_eq!(error_code(503, None, Some(b"")), "HTTP 503");
    }
}
