//! Every AWS call into the deployment history: an SDK interceptor on every client lockstep
//! makes notes the operation, the request as the SDK prints it (the SDK redacts fields it marks
//! sensitive), how long it took, and the result or AWS's error code, for whichever action or
//! step is running on the task ([`app::api::ssr::log_aws_call`]).

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
        let summary = shorten(format!("{:?}", context.input()));
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
    use super::error_code;

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
