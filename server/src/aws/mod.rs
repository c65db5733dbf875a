//! The AWS SDK adapters: the only place in lockstep that imports an AWS SDK crate.
//!
//! [`Aws`] builds the SDK configuration once (sandbox: the local emulator with dummy
//! credentials; real: the standard credential chain) and hands out clients per service and
//! region. Each adapter implements one port from [`crate::ports`].

pub mod acm;
pub mod audit;
pub mod catalog;
pub mod cloudfront;
pub mod domains;
pub mod ec2;
pub mod ec2_api;
pub mod elb;
pub mod inside;
pub mod route53;
pub mod s3;
pub mod ssm;
pub mod sts;
pub mod team_role;

use crate::ports::{NoAwsAccess, PortError};
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
use aws_smithy_types::retry::RetryConfig;
use aws_types::SdkConfig;
use lockstep_domain::account::AwsRole;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

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

/// A client's key: its region, and whose credentials it uses ([`team_role::Authority::resolve`]:
/// the server's own, a team's role, or none at all).
type Key = (String, Result<Option<AwsRole>, NoAwsAccess>);
type Clients<C> = Mutex<HashMap<Key, C>>;

pub struct Aws {
    sdk: SdkConfig,
    account_header: Option<String>,
    /// The SDK configuration acting as each team role seen so far: the SDK caches and renews
    /// each role's temporary credentials (nothing long-lived is ever stored).
    roles: Mutex<HashMap<AwsRole, SdkConfig>>,
    acm: Clients<aws_sdk_acm::Client>,
    ec2: Clients<ec2_api::Ec2Api>,
    /// The HTTP client of the calls lockstep signs itself ([`ec2_api`]).
    http: reqwest::Client,
    elbv2: Clients<aws_sdk_elasticloadbalancingv2::Client>,
    s3: Clients<aws_sdk_s3::Client>,
    ssm: Clients<aws_sdk_ssm::Client>,
    route53: Clients<aws_sdk_route53::Client>,
    cloudfront: Clients<aws_sdk_cloudfront::Client>,
    domains: Clients<aws_sdk_route53domains::Client>,
    sts: Clients<aws_sdk_sts::Client>,
    pub sandbox: bool,
    /// Who may use the server's own credentials (real AWS: only teams the operator named).
    pub authority: Arc<team_role::Authority>,
}

/// One getter per service: the client for `region` with the credentials the [`team_role::Authority`]
/// gives the action or step running on this task (see `crate::work::acting_as`): the team's
/// role, the server's own, or none (every call refused before it is sent).
macro_rules! getter {
    ($name:ident, $krate:ident) => {
        pub fn $name(&self, region: &str) -> $krate::Client {
            self.client_in(&self.$name, region, |sdk, account| client!($krate, sdk, account, Some(region.to_string())))
        }
    };
}

/// How many times the SDK sends one call before giving its error back (the first try
/// included), in its standard retry mode: 5xx answers, throttling and connection errors are
/// retried with jittered exponential backoff. Set here rather than left to the SDK's default
/// (also 3) so an `AWS_MAX_ATTEMPTS` or profile `max_attempts = 1` in the environment cannot
/// make lockstep give up on the first transient fault. Steps retry again on top of this in the
/// engine, and start-up work through [`retry_transient`].
pub const SDK_MAX_ATTEMPTS: u32 = 3;

impl Aws {
    pub async fn connect(target: &AwsTarget) -> Aws {
        let retry = RetryConfig::standard().with_max_attempts(SDK_MAX_ATTEMPTS);
        let (sdk, account_header, sandbox) = match target {
            AwsTarget::Sandbox { endpoint, account } => {
                let creds =
                    aws_credential_types::Credentials::new("sandbox", "sandbox", None, None, "lockstep-sandbox");
                let sdk = aws_config::defaults(BehaviorVersion::latest())
                    .retry_config(retry)
                    .endpoint_url(endpoint)
                    .region(aws_types::region::Region::new("us-east-1"))
                    .credentials_provider(creds)
                    .load()
                    .await;
                (sdk, account.clone(), true)
            }
            AwsTarget::Real => {
                let mut loader = aws_config::defaults(BehaviorVersion::latest()).retry_config(retry);
                // Route 53 and STS are global; a region must still be set for signing.
                if std::env::var_os("AWS_REGION").is_none() && std::env::var_os("AWS_DEFAULT_REGION").is_none() {
                    loader = loader.region(aws_types::region::Region::new("us-east-1"));
                }
                (loader.load().await, None, false)
            }
        };
        Aws {
            sdk,
            account_header,
            roles: Mutex::default(),
            acm: Mutex::default(),
            ec2: Mutex::default(),
            http: ec2_api::http_client(),
            elbv2: Mutex::default(),
            s3: Mutex::default(),
            ssm: Mutex::default(),
            route53: Mutex::default(),
            cloudfront: Mutex::default(),
            domains: Mutex::default(),
            sts: Mutex::default(),
            sandbox,
            authority: Arc::new(if sandbox {
                team_role::Authority::sandbox()
            } else {
                team_role::Authority::real(std::iter::empty::<&str>())
            }),
        }
    }

    /// The same, under `authority` (the operator's `--server-credentials-for`; tests apply
    /// real-AWS rules to the emulator).
    pub fn with_authority(mut self, authority: team_role::Authority) -> Aws {
        self.authority = Arc::new(authority);
        self
    }

    /// The account whose credentials this task's calls use, when it is a team role's (S3 then
    /// sends it as `ExpectedBucketOwner`, so a bucket of another account is refused by AWS).
    pub fn acting_account(&self) -> Option<String> {
        self.authority.now().ok().flatten().and_then(|role| team_role::account_of(&role.role_arn))
    }

    /// The SDK configuration for `role`: one whose credentials come from assuming the team's
    /// role (with its external id) using the server's own.
    fn sdk_as(&self, role: &AwsRole) -> SdkConfig {
        let mut roles = self.roles.lock().unwrap_or_else(|p| p.into_inner());
        roles
            .entry(role.clone())
            .or_insert_with(|| {
                let sts = client!(aws_sdk_sts, &self.sdk, &self.account_header);
                let provider = team_role::AssumeTeamRole { sts, role: role.clone() };
                self.sdk
                    .to_builder()
                    .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(provider))
                    .build()
            })
            .clone()
    }

    /// The client from `clients` for `region` and the acting role, made by `make` (given the
    /// SDK configuration and the moto account header) the first time.
    fn client_in<C: Clone>(
        &self,
        clients: &Clients<C>,
        region: &str,
        make: impl FnOnce(&SdkConfig, &Option<String>) -> C,
    ) -> C {
        let key = (region.to_string(), self.authority.now());
        if let Some(c) = clients.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return c.clone();
        }
        // In the sandbox, a team's role lands its calls in the role's own moto account, as in
        // AWS: moto maps the assumed role's keys to that account, which the header would hide.
        let (sdk, account) = match &key.1 {
            Ok(None) => (self.sdk.clone(), self.account_header.clone()),
            Ok(Some(role)) => (self.sdk_as(role), None),
            // No credentials at all: the call fails before it is signed, never as the server.
            Err(why) => (
                self.sdk
                    .to_builder()
                    .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
                        team_role::Refuse(why.clone()),
                    ))
                    .build(),
                None,
            ),
        };
        let client = make(&sdk, &account);
        clients.lock().unwrap_or_else(|p| p.into_inner()).entry(key).or_insert(client).clone()
    }

    getter!(acm, aws_sdk_acm);

    /// The SDK configuration the clients are made from and the emulator's account header:
    /// tests and benches make an SDK EC2 client of their own from them to set up the emulator.
    pub fn sdk_parts(&self) -> (&SdkConfig, Option<&str>) {
        (&self.sdk, self.account_header.as_deref())
    }

    /// EC2 through its Query API ([`ec2_api`]: no SDK crate for it).
    pub fn ec2(&self, region: &str) -> ec2_api::Ec2Api {
        self.client_in(&self.ec2, region, |sdk, account| {
            ec2_api::Ec2Api::new(self.http.clone(), sdk, account.clone(), region)
        })
    }
    getter!(elbv2, aws_sdk_elasticloadbalancingv2);
    getter!(ssm, aws_sdk_ssm);

    pub fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        self.client_in(&self.s3, region, |sdk, account| {
            let mut b =
                aws_sdk_s3::config::Builder::from(sdk).region(aws_types::region::Region::new(region.to_string()));
            // moto serves buckets on its one endpoint, not on <bucket>.<endpoint>.
            if self.sandbox {
                b = b.force_path_style(true);
            }
            if let Some(a) = account {
                b = b.interceptor(MotoAccount(a.clone()));
            }
            b = b.interceptor(audit::AuditCalls);
            aws_sdk_s3::Client::from_conf(b.build())
        })
    }

    /// Route 53 Domains exists only in us-east-1.
    pub fn domains(&self) -> aws_sdk_route53domains::Client {
        self.client_in(&self.domains, "us-east-1", |sdk, account| {
            client!(aws_sdk_route53domains, sdk, account, Some("us-east-1"))
        })
    }

    /// Route 53 is global (signed in the configuration's region).
    pub fn route53(&self) -> aws_sdk_route53::Client {
        self.client_in(&self.route53, "", |sdk, account| client!(aws_sdk_route53, sdk, account))
    }

    /// CloudFront is global; its API is signed for us-east-1.
    pub fn cloudfront(&self) -> aws_sdk_cloudfront::Client {
        self.client_in(&self.cloudfront, "us-east-1", |sdk, account| {
            client!(aws_sdk_cloudfront, sdk, account, Some("us-east-1"))
        })
    }

    pub fn sts(&self) -> aws_sdk_sts::Client {
        self.client_in(&self.sts, "", |sdk, account| client!(aws_sdk_sts, sdk, account))
    }
}

/// Adds `x-moto-account-id` to every request so each sandbox user or test has its own account.
#[derive(Debug, Clone)]
pub struct MotoAccount(pub String);

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

/// Runs `call` until it succeeds, fails for a reason other than a transient one
/// ([`PortError::is_retryable`]), or has failed `backoff.max_attempts` times, waiting the
/// backoff's jittered delay between tries. Returns the last error with how many tries it took.
///
/// For AWS work outside the job engine (start-up: seeding the sandbox, the demo instance, the
/// account id). The engine retries a step's transient faults for minutes; without this a
/// single bad moment at start-up (the SDK's own few quick tries all meeting a 503 or a
/// throttle) made `lockstep serve` exit or give up the demo instance (issue 20).
pub async fn retry_transient<T, F, Fut>(
    backoff: lockstep_domain::backoff::Backoff,
    mut call: F,
) -> Result<T, (PortError, u32)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, PortError>>,
{
    let mut attempt = 0;
    loop {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) => {
                attempt += 1;
                if !e.is_retryable() || backoff.exhausted(attempt) {
                    return Err((e, attempt));
                }
                let delay = backoff.delay(attempt - 1, rand::random::<f64>());
                tracing::info!(error = %e, attempt, ?delay, "AWS is failing transiently; trying again");
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// Sorts an SDK error into retryable or not, keeping AWS's own code and message.
pub(crate) fn classify<E>(err: SdkError<E, HttpResponse>) -> PortError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    if let Some(r) = team_role::refusal(&err) {
        return PortError::TeamRole { role_arn: r.role_arn.clone(), code: r.code.clone(), message: r.message.clone() };
    }
    if let Some(why) = team_role::no_access(&err) {
        return PortError::NoAccess(why.clone());
    }
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
