//! Every AWS call into the deployment history: an SDK interceptor on every client lockstep
//! makes notes the operation, the request in words ([`summarise`]: the operation and its key
//! parameters, never the SDK's `Debug` text), how long it took, and the result or AWS's error code, for whichever action or
//! step is running on the task ([`crate::work::log_aws_call`]).
//!
//! Team members (viewers too) read the history, so what the SDK does not mark sensitive but is
//! a secret of the team's AWS access is redacted here: the external id of `sts:AssumeRole` (with
//! it and the role ARN, anyone could act as the team through any account its trust policy
//! trusts), session tokens and MFA codes: [`summarise`] never names them, and [`redact`] blanks
//! them should a summary ever carry a field in `Debug` form.

use crate::work::{log_aws_call, AwsCall};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, FinalizerInterceptorContextRef, Input,
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

/// The request of an AWS call in words: the operation and the parameters a person reading the
/// history needs to know what it touched (`ChangeResourceRecordSets: UPSERT CNAME _x.example.com
/// in zone Z123`). Why not the SDK's `Debug` text: it is Rust (`TypeErasedBox`, `Some(..)`), not
/// something a teacher can read, and it carries every field, secrets and contact details too.
/// Only the request types lockstep sends are known here; any other is its operation name alone.
/// Secrets never appear: `AssumeRole` names the role and session, never the external id, and
/// `RegisterDomain` the domain and years, never the contact details.
pub fn summarise(operation: &str, input: &Input) -> String {
    with_operation(operation, details(input))
}

/// `Operation: details`, or the operation alone.
fn with_operation(operation: &str, details: Option<String>) -> String {
    match details {
        Some(d) if !d.is_empty() => format!("{operation}: {d}"),
        _ => operation.to_string(),
    }
}

/// `a, b, c` (at most five, then how many more).
pub(crate) fn list<S: AsRef<str>>(items: &[S]) -> String {
    let mut out: Vec<&str> = items.iter().take(5).map(AsRef::as_ref).collect();
    let more = items.len().saturating_sub(5);
    let more = format!("and {more} more");
    if items.len() > 5 {
        out.push(&more);
    }
    out.join(", ")
}

/// The parts that are there, joined: `instance i-1, filter vpc-id=vpc-1`.
fn join(parts: impl IntoIterator<Item = Option<String>>) -> String {
    parts.into_iter().flatten().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(", ")
}

pub(crate) fn labelled(label: &str, value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(|v| format!("{label} {v}"))
}

pub(crate) fn labelled_list<S: AsRef<str>>(one: &str, many: &str, items: &[S]) -> Option<String> {
    match items.len() {
        0 => None,
        1 => Some(format!("{one} {}", list(items))),
        _ => Some(format!("{many} {}", list(items))),
    }
}

/// Tries each known request type in turn; `None` for one this list does not know.
macro_rules! known {
    ($input:expr; $($ty:ty => |$i:ident| $body:expr;)*) => {{
        $(if let Some($i) = $input.downcast_ref::<$ty>() {
            return Some($body);
        })*
        None
    }};
}

fn details(input: &Input) -> Option<String> {
    use aws_sdk_acm::operation as acm;
    use aws_sdk_cloudfront::operation as cf;
    use aws_sdk_elasticloadbalancingv2::operation as elb;
    use aws_sdk_route53::operation as r53;
    use aws_sdk_route53domains::operation as domains;
    use aws_sdk_s3::operation as s3;
    use aws_sdk_ssm::operation as ssm;
    use aws_sdk_sts::operation as sts;
    known! { input;
        // STS: the role and session; the external id, MFA serial and code are secrets.
        sts::assume_role::AssumeRoleInput => |i| join([
            labelled("role", i.role_arn()),
            labelled("session", i.role_session_name()),
        ]);
        sts::get_caller_identity::GetCallerIdentityInput => |_i| String::new();
        // ACM
        acm::request_certificate::RequestCertificateInput => |i| join([
            labelled("certificate for", i.domain_name()),
            labelled_list("also", "also", i.subject_alternative_names()),
            i.validation_method().map(|m| format!("validated by {}", m.as_str())),
        ]);
        acm::describe_certificate::DescribeCertificateInput => |i| join([labelled("certificate", i.certificate_arn())]);
        acm::delete_certificate::DeleteCertificateInput => |i| join([labelled("certificate", i.certificate_arn())]);
        acm::list_certificates::ListCertificatesInput => |_i| String::new();
        // Route 53
        r53::change_resource_record_sets::ChangeResourceRecordSetsInput => |i| {
            let changes: Vec<String> = i
                .change_batch()
                .map(|b| b.changes())
                .unwrap_or_default()
                .iter()
                .map(|c| match c.resource_record_set() {
                    Some(r) => format!("{} {} {}", c.action().as_str(), r.r#type().as_str(), r.name()),
                    None => c.action().as_str().to_string(),
                })
                .collect();
            join([Some(list(&changes)), labelled("in zone", i.hosted_zone_id())])
        };
        r53::create_hosted_zone::CreateHostedZoneInput => |i| join([labelled("zone", i.name())]);
        r53::delete_hosted_zone::DeleteHostedZoneInput => |i| join([labelled("zone", i.id())]);
        r53::get_hosted_zone::GetHostedZoneInput => |i| join([labelled("zone", i.id())]);
        r53::get_change::GetChangeInput => |i| join([labelled("change", i.id())]);
        r53::list_hosted_zones::ListHostedZonesInput => |_i| String::new();
        r53::list_resource_record_sets::ListResourceRecordSetsInput => |i| join([
            labelled("zone", i.hosted_zone_id()),
            labelled("from", i.start_record_name()),
        ]);
        // Route 53 Domains: the domain, never the contact details.
        domains::check_domain_availability::CheckDomainAvailabilityInput => |i| join([labelled("domain", i.domain_name())]);
        domains::get_domain_detail::GetDomainDetailInput => |i| join([labelled("domain", i.domain_name())]);
        domains::get_domain_suggestions::GetDomainSuggestionsInput => |i| join([labelled("like", i.domain_name())]);
        domains::get_operation_detail::GetOperationDetailInput => |i| join([labelled("operation", i.operation_id())]);
        domains::list_operations::ListOperationsInput => |_i| String::new();
        domains::list_prices::ListPricesInput => |i| join([labelled("for", i.tld())]);
        domains::register_domain::RegisterDomainInput => |i| join([
            labelled("domain", i.domain_name()),
            i.duration_in_years().map(|y| format!("{y} year(s)")),
        ]);
        // Elastic Load Balancing
        elb::create_load_balancer::CreateLoadBalancerInput => |i| join([
            labelled("load balancer", i.name()),
            labelled_list("subnet", "subnets", i.subnets()),
        ]);
        elb::create_target_group::CreateTargetGroupInput => |i| join([
            labelled("target group", i.name()),
            i.protocol().map(|p| p.as_str().to_string()),
            i.port().map(|p| format!("port {p}")),
            labelled("in", i.vpc_id()),
        ]);
        elb::create_listener::CreateListenerInput => |i| join([
            i.protocol().map(|p| p.as_str().to_string()),
            i.port().map(|p| format!("port {p}")),
            labelled("on", i.load_balancer_arn()),
        ]);
        elb::delete_listener::DeleteListenerInput => |i| join([labelled("listener", i.listener_arn())]);
        elb::delete_load_balancer::DeleteLoadBalancerInput => |i| join([labelled("load balancer", i.load_balancer_arn())]);
        elb::delete_target_group::DeleteTargetGroupInput => |i| join([labelled("target group", i.target_group_arn())]);
        elb::describe_listeners::DescribeListenersInput => |i| join([
            labelled("load balancer", i.load_balancer_arn()),
            labelled_list("listener", "listeners", i.listener_arns()),
        ]);
        elb::describe_load_balancers::DescribeLoadBalancersInput => |i| join([
            labelled_list("load balancer", "load balancers", i.load_balancer_arns()),
            labelled_list("name", "names", i.names()),
        ]);
        elb::describe_target_groups::DescribeTargetGroupsInput => |i| join([
            labelled("load balancer", i.load_balancer_arn()),
            labelled_list("target group", "target groups", i.target_group_arns()),
            labelled_list("name", "names", i.names()),
        ]);
        elb::describe_target_health::DescribeTargetHealthInput => |i| join([labelled("target group", i.target_group_arn())]);
        elb::modify_target_group::ModifyTargetGroupInput => |i| join([
            labelled("target group", i.target_group_arn()),
            labelled("health check", i.health_check_path()),
        ]);
        elb::register_targets::RegisterTargetsInput => |i| {
            let targets: Vec<String> = i
                .targets()
                .iter()
                .map(|t| match t.port() {
                    Some(p) => format!("{}:{p}", t.id().unwrap_or("?")),
                    None => t.id().unwrap_or("?").to_string(),
                })
                .collect();
            join([labelled_list("target", "targets", &targets), labelled("in", i.target_group_arn())])
        };
        // CloudFront
        cf::create_distribution::CreateDistributionInput => |i| {
            let c = i.distribution_config();
            let aliases = c.and_then(|c| c.aliases()).map(|a| a.items()).unwrap_or_default();
            let origins: Vec<&str> =
                c.and_then(|c| c.origins()).map(|o| o.items()).unwrap_or_default().iter().map(|o| o.domain_name()).collect();
            join([labelled_list("for", "for", aliases), labelled_list("origin", "origins", &origins)])
        };
        cf::update_distribution::UpdateDistributionInput => |i| {
            let aliases = i.distribution_config().and_then(|c| c.aliases()).map(|a| a.items()).unwrap_or_default();
            join([labelled("distribution", i.id()), labelled_list("for", "for", aliases)])
        };
        cf::get_distribution::GetDistributionInput => |i| join([labelled("distribution", i.id())]);
        cf::get_distribution_config::GetDistributionConfigInput => |i| join([labelled("distribution", i.id())]);
        cf::delete_distribution::DeleteDistributionInput => |i| join([labelled("distribution", i.id())]);
        cf::list_distributions::ListDistributionsInput => |_i| String::new();
        cf::create_invalidation::CreateInvalidationInput => |i| {
            let paths = i.invalidation_batch().and_then(|b| b.paths()).map(|p| p.items()).unwrap_or_default();
            join([labelled_list("path", "paths", paths), labelled("of distribution", i.distribution_id())])
        };
        cf::get_invalidation::GetInvalidationInput => |i| join([
            labelled("invalidation", i.id()),
            labelled("of distribution", i.distribution_id()),
        ]);
        cf::list_invalidations::ListInvalidationsInput => |i| join([labelled("distribution", i.distribution_id())]);
        cf::create_origin_access_control::CreateOriginAccessControlInput => |i| join([labelled(
            "origin access control",
            i.origin_access_control_config().map(|c| c.name()),
        )]);
        cf::list_origin_access_controls::ListOriginAccessControlsInput => |_i| String::new();
        // S3
        s3::create_bucket::CreateBucketInput => |i| join([labelled("bucket", i.bucket())]);
        s3::delete_bucket_policy::DeleteBucketPolicyInput => |i| join([labelled("bucket", i.bucket())]);
        s3::get_bucket_location::GetBucketLocationInput => |i| join([labelled("bucket", i.bucket())]);
        s3::get_bucket_policy::GetBucketPolicyInput => |i| join([labelled("bucket", i.bucket())]);
        s3::get_bucket_website::GetBucketWebsiteInput => |i| join([labelled("bucket", i.bucket())]);
        s3::put_bucket_policy::PutBucketPolicyInput => |i| join([labelled("bucket", i.bucket())]);
        s3::put_bucket_website::PutBucketWebsiteInput => |i| join([labelled("bucket", i.bucket())]);
        s3::head_object::HeadObjectInput => |i| join([labelled("object", i.key()), labelled("in bucket", i.bucket())]);
        s3::put_object::PutObjectInput => |i| join([labelled("object", i.key()), labelled("in bucket", i.bucket())]);
        // SSM: which document on which instance; the script itself is in the step's own log.
        ssm::send_command::SendCommandInput => |i| join([
            labelled("run", i.document_name()),
            labelled_list("on instance", "on instances", i.instance_ids()),
        ]);
        ssm::get_command_invocation::GetCommandInvocationInput => |i| join([
            labelled("command", i.command_id()),
            labelled("on instance", i.instance_id()),
        ]);
        ssm::list_commands::ListCommandsInput => |i| join([
            labelled("command", i.command_id()),
            labelled("on instance", i.instance_id()),
        ]);
        ssm::describe_instance_information::DescribeInstanceInformationInput => |_i| String::new();
    }
}

/// A stored request that is the SDK's `Debug` text (rows written before [`summarise`]): shown
/// as the operation's name alone, the part after `service:`. Anything else stays as it is.
pub fn readable_stored(kind: &str, operation: &str, summary: &str) -> String {
    let debug = ["TypeErasedBox", "Input(", "Input {", "Some(", ": None"].iter().any(|m| summary.contains(m));
    if kind == "aws" && debug {
        operation.rsplit(':').next().unwrap_or(operation).to_string()
    } else {
        summary.to_string()
    }
}

#[derive(Debug, Clone)]
struct CallStarted {
    at: i64,
    clock: Instant,
    /// The request's parameters in words; the operation's name is added once it is known
    /// (a client's interceptor runs before the operation's [`Metadata`] is in the bag).
    details: Option<String>,
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

/// Now, in milliseconds since 1970 (when a call started).
pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// A call lockstep made without the SDK ([`super::ec2_api`]) into the history, the same way
/// as [`AuditCalls`] notes the SDK's: `service:Action`, the request in words (redacted,
/// shortened), how long it took (all tries), and the error code when it failed.
pub(crate) fn log_direct_call(
    service: &str,
    action: &str,
    details: Option<String>,
    at: i64,
    took: std::time::Duration,
    error_code: Option<String>,
) {
    log_aws_call(AwsCall {
        at,
        operation: format!("{service}:{action}"),
        summary: shorten(redact(&with_operation(action, details))),
        ok: error_code.is_none(),
        error_code,
        duration_ms: took.as_millis() as i64,
    });
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
        let at = now_millis();
        let details = details(context.input());
        cfg.interceptor_state().store_put(CallStarted { at, clock: Instant::now(), details });
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
            summary: shorten(redact(&with_operation(
                cfg.load::<Metadata>().map(|m| m.name()).unwrap_or("AWS call"),
                started.details,
            ))),
            ok,
            error_code,
            duration_ms: started.clock.elapsed().as_millis() as i64,
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests;
