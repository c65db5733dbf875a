//! The AWS SDK adapters: the only place in lockstep that imports an AWS SDK crate.
//!
//! [`Aws`] builds the SDK configuration once (sandbox: the local emulator with dummy
//! credentials; real: the standard credential chain) and hands out clients per service and
//! region. Each adapter implements one port from [`crate::ports`].

pub mod acm;
pub mod audit;
pub mod cloudfront;
pub mod domains;
pub mod ec2;
pub mod elb;
pub mod inside;
pub mod route53;
pub mod s3;
pub mod ssm;
pub mod sts;

use crate::ports::PortError;
use aws_config::BehaviorVersion;
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use aws_smithy_types::error::display::DisplayErrorContext;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::SdkConfig;
use std::collections::HashMap;
use std::sync::Mutex;

/// Builds a service client from the shared SDK config: optionally in another region, and with
/// the moto account header in the sandbox. One macro because every SDK crate has its own types.
macro_rules! client {
    ($krate:ident, $sdk:expr, $account:expr) => {
        client!($krate, $sdk, $account, None::<String>)
    };
    ($krate:ident, $sdk:expr, $account:expr, $region:expr) => {{
        let mut b = $krate::config::Builder::from($sdk);
        if let Some(region) = $region {
            b = b.region(aws_types::region::Region::new(region));
        }
        if let Some(a) = $account {
            b = b.interceptor(MotoAccount(a.clone()));
        }
        // Every call goes to the deployment history of the action or step making it.
        b = b.interceptor(audit::AuditCalls);
        $krate::Client::from_conf(b.build())
    }};
}

/// Where the SDK clients point.
#[derive(Debug, Clone)]
pub enum AwsTarget {
    /// The local emulator (moto) at `endpoint`; `account` selects an isolated moto account
    /// through the `x-moto-account-id` header (tests give each test its own).
    Sandbox { endpoint: String, account: Option<String> },
    /// Real AWS with the standard credential chain (env, profile, SSO, instance role).
    Real,
}

pub struct Aws {
    sdk: SdkConfig,
    account_header: Option<String>,
    acm: Mutex<HashMap<String, aws_sdk_acm::Client>>,
    ec2: Mutex<HashMap<String, aws_sdk_ec2::Client>>,
    elbv2: Mutex<HashMap<String, aws_sdk_elasticloadbalancingv2::Client>>,
    s3: Mutex<HashMap<String, aws_sdk_s3::Client>>,
    ssm: Mutex<HashMap<String, aws_sdk_ssm::Client>>,
    route53: aws_sdk_route53::Client,
    cloudfront: aws_sdk_cloudfront::Client,
    domains: aws_sdk_route53domains::Client,
    sts: aws_sdk_sts::Client,
    pub sandbox: bool,
}

impl Aws {
    pub async fn connect(target: &AwsTarget) -> Aws {
        let (sdk, account_header, sandbox) = match target {
            AwsTarget::Sandbox { endpoint, account } => {
                let creds =
                    aws_credential_types::Credentials::new("sandbox", "sandbox", None, None, "lockstep-sandbox");
                let sdk = aws_config::defaults(BehaviorVersion::latest())
                    .endpoint_url(endpoint)
                    .region(aws_types::region::Region::new("us-east-1"))
                    .credentials_provider(creds)
                    .load()
                    .await;
                (sdk, account.clone(), true)
            }
            AwsTarget::Real => {
                let mut loader = aws_config::defaults(BehaviorVersion::latest());
                // Route 53 and STS are global; a region must still be set for signing.
                if std::env::var_os("AWS_REGION").is_none() && std::env::var_os("AWS_DEFAULT_REGION").is_none() {
                    loader = loader.region(aws_types::region::Region::new("us-east-1"));
                }
                (loader.load().await, None, false)
            }
        };
        let route53 = client!(aws_sdk_route53, &sdk, &account_header);
        let sts = client!(aws_sdk_sts, &sdk, &account_header);
        // Route 53 Domains exists only in us-east-1.
        let domains = client!(aws_sdk_route53domains, &sdk, &account_header, Some("us-east-1"));
        // CloudFront is global; its API is signed for us-east-1.
        let cloudfront = client!(aws_sdk_cloudfront, &sdk, &account_header, Some("us-east-1"));
        Aws {
            sdk,
            account_header,
            acm: Mutex::new(HashMap::new()),
            ec2: Mutex::new(HashMap::new()),
            elbv2: Mutex::new(HashMap::new()),
            s3: Mutex::new(HashMap::new()),
            ssm: Mutex::new(HashMap::new()),
            route53,
            cloudfront,
            domains,
            sts,
            sandbox,
        }
    }

    pub fn acm(&self, region: &str) -> aws_sdk_acm::Client {
        let mut map = self.acm.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(region.to_string())
            .or_insert_with(|| client!(aws_sdk_acm, &self.sdk, &self.account_header, Some(region.to_string())))
            .clone()
    }

    pub fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        let mut map = self.ec2.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(region.to_string())
            .or_insert_with(|| client!(aws_sdk_ec2, &self.sdk, &self.account_header, Some(region.to_string())))
            .clone()
    }

    pub fn elbv2(&self, region: &str) -> aws_sdk_elasticloadbalancingv2::Client {
        let mut map = self.elbv2.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(region.to_string())
            .or_insert_with(|| {
                client!(aws_sdk_elasticloadbalancingv2, &self.sdk, &self.account_header, Some(region.to_string()))
            })
            .clone()
    }

    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        let mut map = self.s3.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(region.to_string())
            .or_insert_with(|| {
                let mut b = aws_sdk_s3::config::Builder::from(&self.sdk)
                    .region(aws_types::region::Region::new(region.to_string()));
                // moto serves buckets on its one endpoint, not on <bucket>.<endpoint>.
                if self.sandbox {
                    b = b.force_path_style(true);
                }
                if let Some(a) = &self.account_header {
                    b = b.interceptor(MotoAccount(a.clone()));
                }
                b = b.interceptor(audit::AuditCalls);
                aws_sdk_s3::Client::from_conf(b.build())
            })
            .clone()
    }

    pub fn ssm(&self, region: &str) -> aws_sdk_ssm::Client {
        let mut map = self.ssm.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(region.to_string())
            .or_insert_with(|| client!(aws_sdk_ssm, &self.sdk, &self.account_header, Some(region.to_string())))
            .clone()
    }

    pub fn domains(&self) -> &aws_sdk_route53domains::Client {
        &self.domains
    }

    pub fn route53(&self) -> &aws_sdk_route53::Client {
        &self.route53
    }

    pub fn cloudfront(&self) -> &aws_sdk_cloudfront::Client {
        &self.cloudfront
    }

    pub fn sts(&self) -> &aws_sdk_sts::Client {
        &self.sts
    }
}

/// Adds `x-moto-account-id` to every request so each sandbox user or test has its own account.
#[derive(Debug, Clone)]
struct MotoAccount(String);

impl Intercept for MotoAccount {
    fn name(&self) -> &'static str {
        "MotoAccount"
    }

    fn modify_before_signing(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _rc: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        context.request_mut().headers_mut().insert("x-moto-account-id", self.0.clone());
        Ok(())
    }
}

/// Sorts an SDK error into retryable or not, keeping AWS's own code and message.
pub(crate) fn classify<E>(err: SdkError<E, HttpResponse>) -> PortError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &err {
        SdkError::ServiceError(se) => {
            let status = se.raw().status().as_u16();
            let code = se.err().code().unwrap_or("Unknown").to_string();
            let message = se.err().message().unwrap_or("").to_string();
            classify_code(&code, &message, status)
        }
        SdkError::ConstructionFailure(_) => {
            PortError::Rejected { code: "InvalidRequest".into(), message: DisplayErrorContext(&err).to_string() }
        }
        SdkError::ResponseError(e) => {
            let status = e.raw().status().as_u16();
            if status == 404 {
                PortError::Unsupported(DisplayErrorContext(&err).to_string())
            } else {
                PortError::Unavailable(format!("HTTP {status}"))
            }
        }
        _ => PortError::Unavailable(DisplayErrorContext(&err).to_string()),
    }
}

/// The rule behind [`classify`], separate so it is testable without building SDK errors.
pub fn classify_code(code: &str, message: &str, status: u16) -> PortError {
    match code {
        "Throttling"
        | "ThrottlingException"
        | "TooManyRequestsException"
        | "RequestLimitExceeded"
        | "PriorRequestNotComplete"
        | "SlowDown" => PortError::Throttled(code.to_string()),
        "AccessDenied"
        | "AccessDeniedException"
        | "UnauthorizedOperation"
        | "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "ExpiredToken"
        | "ExpiredTokenException"
        | "SignatureDoesNotMatch" => PortError::Denied { code: code.to_string(), message: message.to_string() },
        "NoSuchHostedZone" | "NoSuchChange" | "NoSuchDistribution" | "ResourceNotFoundException" | "NotFound" => {
            PortError::NotFound(format!("{code}: {message}"))
        }
        "ServiceUnavailable" | "InternalFailure" | "InternalError" | "ServiceUnavailableException" => {
            PortError::Unavailable(code.to_string())
        }
        _ if status >= 500 => PortError::Unavailable(format!("{code} (HTTP {status})")),
        _ => PortError::Rejected { code: code.to_string(), message: message.to_string() },
    }
}

fn millis(t: Option<&aws_smithy_types::DateTime>) -> Option<i64> {
    t.and_then(|t| t.to_millis().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classify_codes() {
        assert!(classify_code("Throttling", "Rate exceeded", 400).is_retryable());
        assert!(classify_code("Whatever", "", 503).is_retryable());
        assert!(!classify_code("InvalidDomainValidationOptionsException", "", 400).is_retryable());
        assert!(matches!(classify_code("AccessDeniedException", "no", 400), PortError::Denied { .. }));
        assert!(matches!(classify_code("NoSuchHostedZone", "x", 404), PortError::NotFound(_)));
    }
}
