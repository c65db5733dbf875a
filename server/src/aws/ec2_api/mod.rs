//! EC2 through its Query API, without the SDK's EC2 crate.
//!
//! Why: `aws-sdk-ec2` is the largest crate of the server's build (every one of EC2's ~700
//! operations, serialised and parsed; 5 minutes of one core at opt-level 0 on a cold build,
//! started last), and lockstep makes a dozen EC2 calls. Issue 21 measured it as the tail of the
//! first run. EC2's protocol is small: a SigV4-signed form POST (`Action=...&Version=...`) and an
//! XML answer. This module makes that POST with the same pieces the SDK uses underneath: the
//! SDK configuration's credentials provider (the standard chain, or a team's assumed role),
//! `aws-sigv4` for the signature, and the SDK's retry rule (3 tries, jittered exponential
//! backoff, for throttling, 5xx and connection errors). Every call goes into the deployment
//! history like the SDK's ([`super::audit`]).
//!
//! The tests and benches still use `aws-sdk-ec2` to set up the emulator (a dev-dependency); a
//! test compares the bodies this module sends with the SDK's for the same requests.

pub mod xml;

use super::audit::{self, labelled, labelled_list, list};
use super::{classify_code, team_role};
use crate::ports::PortError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_types::SdkConfig;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
pub use xml::Node;

/// EC2's Query API version (the one the SDK sends).
const VERSION: &str = "2016-11-15";
/// How long one try may take before it counts as a connection error.
const TRY_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Credentials without an expiry (keys from the environment or a profile) are read again
/// after this long, so a changed profile is picked up without a restart.
const STATIC_CREDENTIALS_FOR: Duration = Duration::from_secs(600);
/// Expiring credentials (a team's role, an instance role) are renewed this long before.
const RENEW_BEFORE: Duration = Duration::from_secs(300);

/// One EC2 request: its action, its parameters in EC2's form encoding, and the same request
/// in words for the deployment history (the operation and what it touches, never a secret).
#[derive(Debug, Clone)]
pub struct Call {
    action: &'static str,
    params: Vec<(String, String)>,
    about: Vec<String>,
    filters: Vec<String>,
    rules: Vec<String>,
    once: bool,
}

impl Call {
    pub fn new(action: &'static str) -> Call {
        Call { action, params: Vec::new(), about: Vec::new(), filters: Vec::new(), rules: Vec::new(), once: false }
    }

    /// A parameter the history does not name (counts, types, paging tokens).
    pub fn param(mut self, key: &str, value: impl Into<String>) -> Call {
        self.params.push((key.to_string(), value.into()));
        self
    }

    /// A parameter the history names as `label value`.
    pub fn named(mut self, key: &str, label: &str, value: &str) -> Call {
        self.about.extend(labelled(label, Some(value)));
        self.param(key, value)
    }

    /// A list parameter (`Key.1`, `Key.2`...), named in the history with `one` or `many`.
    pub fn list(mut self, key: &str, one: &str, many: &str, values: &[&str]) -> Call {
        self.about.extend(labelled_list(one, many, values));
        for (i, v) in values.iter().enumerate() {
            self.params.push((format!("{key}.{}", i + 1), v.to_string()));
        }
        self
    }

    /// A `Filter.N` with its values.
    pub fn filter(mut self, name: &str, values: &[&str]) -> Call {
        let n = self.filters.len() + 1;
        self.filters.push(format!("{name}={}", values.join("|")));
        self.params.push((format!("Filter.{n}.Name"), name.to_string()));
        for (i, v) in values.iter().enumerate() {
            self.params.push((format!("Filter.{n}.Value.{}", i + 1), v.to_string()));
        }
        self
    }

    /// An `IpPermissions.N` rule.
    pub fn permission(mut self, p: &Permission) -> Call {
        let n = self.rules.len() + 1;
        self.rules.push(p.in_words());
        let at = format!("IpPermissions.{n}");
        self.params.push((format!("{at}.IpProtocol"), p.protocol.clone()));
        if let Some(from) = p.from_port {
            self.params.push((format!("{at}.FromPort"), from.to_string()));
        }
        if let Some(to) = p.to_port {
            self.params.push((format!("{at}.ToPort"), to.to_string()));
        }
        for (i, r) in p.ipv4.iter().enumerate() {
            self.params.push((format!("{at}.IpRanges.{}.CidrIp", i + 1), r.source.clone()));
            if let Some(d) = &r.description {
                self.params.push((format!("{at}.IpRanges.{}.Description", i + 1), d.clone()));
            }
        }
        for (i, r) in p.ipv6.iter().enumerate() {
            self.params.push((format!("{at}.Ipv6Ranges.{}.CidrIpv6", i + 1), r.source.clone()));
            if let Some(d) = &r.description {
                self.params.push((format!("{at}.Ipv6Ranges.{}.Description", i + 1), d.clone()));
            }
        }
        for (i, g) in p.groups.iter().enumerate() {
            self.params.push((format!("{at}.Groups.{}.GroupId", i + 1), g.source.clone()));
            if let Some(d) = &g.description {
                self.params.push((format!("{at}.Groups.{}.Description", i + 1), d.clone()));
            }
        }
        self
    }

    /// A `Name` tag on the instance(s) this `RunInstances` makes.
    pub fn name_instance(self, name: &str) -> Call {
        self.param("TagSpecification.1.ResourceType", "instance")
            .param("TagSpecification.1.Tag.1.Key", "Name")
            .param("TagSpecification.1.Tag.1.Value", name)
    }

    /// Sent once, never again on a fault (a call that is not safe to repeat).
    pub fn once(mut self) -> Call {
        self.once = true;
        self
    }

    pub fn action(&self) -> &'static str {
        self.action
    }

    /// The request in words, after the operation's name: `instance i-0abc, filter vpc-id=vpc-1`.
    pub fn details(&self) -> Option<String> {
        let mut parts = self.about.clone();
        parts.extend(labelled_list("filter", "filters", &self.filters));
        parts.extend(labelled_list("rule", "rules", &self.rules));
        Some(parts.join(", ")).filter(|d| !d.is_empty())
    }

    /// The form-encoded body, as the SDK encodes it (`urlencoding`: all but `A-Za-z0-9-_.~`).
    pub fn body(&self) -> String {
        let mut out = format!("Action={}&Version={VERSION}", self.action);
        for (k, v) in &self.params {
            out.push('&');
            out.push_str(&urlencoding::encode(k));
            out.push('=');
            out.push_str(&urlencoding::encode(v));
        }
        out
    }
}

/// One source of a rule (a CIDR or a security group) with its description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub source: String,
    pub description: Option<String>,
}

impl Source {
    pub fn new(source: &str, description: &str) -> Source {
        Source { source: source.to_string(), description: Some(description.to_string()) }
    }
}

/// An inbound rule of a security group, as EC2 has it (`IpPermission`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Permission {
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub ipv4: Vec<Source>,
    pub ipv6: Vec<Source>,
    pub groups: Vec<Source>,
}

impl Permission {
    /// A TCP rule for one port.
    pub fn tcp(port: u16) -> Permission {
        Permission {
            protocol: "tcp".into(),
            from_port: Some(port.into()),
            to_port: Some(port.into()),
            ..Permission::default()
        }
    }

    /// An `<item>` of a group's `ipPermissions`.
    pub fn from_xml(p: &Node) -> Permission {
        let sources = |list: &str, key: &str| -> Vec<Source> {
            p.items(list)
                .filter_map(|r| {
                    Some(Source {
                        source: r.text_of(key)?.to_string(),
                        description: r.text_of("description").map(str::to_string),
                    })
                })
                .collect()
        };
        Permission {
            protocol: p.text_of("ipProtocol").unwrap_or("-1").to_string(),
            from_port: p.number("fromPort"),
            to_port: p.number("toPort"),
            ipv4: sources("ipRanges", "cidrIp"),
            ipv6: sources("ipv6Ranges", "cidrIpv6"),
            groups: sources("groups", "groupId"),
        }
    }

    /// `tcp port 443 from 0.0.0.0/0, ::/0`.
    fn in_words(&self) -> String {
        let ports = match (self.from_port, self.to_port) {
            (Some(a), Some(b)) if a == b => format!(" port {a}"),
            (Some(a), Some(b)) => format!(" ports {a}-{b}"),
            _ => String::new(),
        };
        let from: Vec<&str> =
            self.ipv4.iter().chain(&self.ipv6).chain(&self.groups).map(|s| s.source.as_str()).collect();
        let from = if from.is_empty() { String::new() } else { format!(" from {}", list(&from)) };
        let protocol = if self.protocol == "-1" { "any protocol" } else { &self.protocol };
        format!("{protocol}{ports}{from}")
    }
}

/// Credentials read from the provider, kept until shortly before they expire.
#[derive(Debug)]
struct Held {
    credentials: Credentials,
    until: Instant,
}

/// EC2 in one region with one set of credentials (the server's, or a team's role).
#[derive(Clone)]
pub struct Ec2Api {
    http: reqwest::Client,
    endpoint: String,
    region: String,
    /// The emulator's `x-moto-account-id` (sandbox, the server's own credentials).
    account: Option<String>,
    provider: Option<SharedCredentialsProvider>,
    held: Arc<tokio::sync::Mutex<Option<Held>>>,
}

/// EC2's endpoint for `region` (AWS's partitions: China's end in `.com.cn`).
pub fn endpoint_for(region: &str) -> String {
    if region.starts_with("cn-") {
        format!("https://ec2.{region}.amazonaws.com.cn")
    } else {
        format!("https://ec2.{region}.amazonaws.com")
    }
}

/// The HTTP client for EC2: no proxy from the environment (the SDK's client uses none either),
/// bounded connect and per-try times.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(TRY_TIMEOUT)
        .build()
        .unwrap_or_default()
}

/// How one try ended.
enum Tried {
    Answer(Node),
    /// AWS answered with an error: its status, and the code and message when the body said.
    Refused {
        status: u16,
        code: Option<String>,
        message: String,
    },
    Timeout,
    NoAnswer,
}

impl Ec2Api {
    /// EC2 in `region` for the SDK configuration `sdk` (its endpoint override, if any, and its
    /// credentials provider).
    pub fn new(http: reqwest::Client, sdk: &SdkConfig, account: Option<String>, region: &str) -> Ec2Api {
        Ec2Api {
            http,
            endpoint: sdk.endpoint_url().map(str::to_string).unwrap_or_else(|| endpoint_for(region)),
            region: region.to_string(),
            account,
            provider: sdk.credentials_provider(),
            held: Arc::default(),
        }
    }

    /// Sends `call` (up to [`super::SDK_MAX_ATTEMPTS`] tries on a transient fault, one for a
    /// [`Call::once`]) and returns EC2's answer, or its error sorted like the SDK's
    /// ([`classify_code`]). The call goes into the deployment history either way.
    pub async fn send(&self, call: Call) -> Result<Node, PortError> {
        let at = audit::now_millis();
        let clock = Instant::now();
        let (result, code) = self.send_unlogged(&call).await;
        audit::log_direct_call("ec2", call.action, call.details(), at, clock.elapsed(), code);
        result
    }

    /// [`Ec2Api::send`] without the history: the answer and, for a failure, the error code
    /// the history shows.
    async fn send_unlogged(&self, call: &Call) -> (Result<Node, PortError>, Option<String>) {
        let credentials = match self.credentials().await {
            Ok(c) => c,
            Err((e, code)) => return (Err(e), Some(code)),
        };
        let tries = if call.once { 1 } else { super::SDK_MAX_ATTEMPTS };
        let body = call.body();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (error, code) = match self.try_once(&credentials, &body).await {
                Tried::Answer(node) => return (Ok(node), None),
                Tried::Refused { status, code, message } => {
                    let shown = code.clone().unwrap_or_else(|| format!("HTTP {status}"));
                    let error = match code {
                        Some(code) => classify_code(&code, &message, status),
                        None if status == 404 => PortError::Unsupported(format!("EC2 answered HTTP {status}")),
                        None => PortError::Unavailable(format!("HTTP {status}")),
                    };
                    (error, shown)
                }
                Tried::Timeout => (PortError::Unavailable("EC2 did not answer in time".into()), "timeout".into()),
                Tried::NoAnswer => {
                    (PortError::Unavailable("no answer from EC2".into()), "no answer (connection error)".into())
                }
            };
            if !error.is_retryable() || attempt >= tries {
                return (Err(error), Some(code));
            }
            // The SDK's standard backoff: up to 1 s, 2 s, 4 s... (at most 20 s), jittered.
            let ceiling = (2f64.powi(attempt as i32 - 1)).min(20.0);
            tokio::time::sleep(Duration::from_secs_f64(rand::random::<f64>() * ceiling)).await;
        }
    }

    async fn try_once(&self, credentials: &Credentials, body: &str) -> Tried {
        let url = format!("{}/", self.endpoint.trim_end_matches('/'));
        let content_type = ("content-type", "application/x-www-form-urlencoded");
        let signed = match self.signature(credentials, &url, content_type, body) {
            Ok(h) => h,
            // Signing fails only on a malformed endpoint: nothing to send it to.
            Err(_) => return Tried::NoAnswer,
        };
        let mut request = self.http.post(&url).header(content_type.0, content_type.1).body(body.to_string());
        for (name, value) in signed {
            request = request.header(name, value);
        }
        if let Some(a) = &self.account {
            request = request.header("x-moto-account-id", a);
        }
        let response = match request.send().await {
            Ok(r) => r,
            Err(e) if e.is_timeout() => return Tried::Timeout,
            Err(_) => return Tried::NoAnswer,
        };
        let status = response.status().as_u16();
        let text = match response.text().await {
            Ok(t) => t,
            Err(e) if e.is_timeout() => return Tried::Timeout,
            Err(_) => return Tried::NoAnswer,
        };
        let parsed = xml::parse(&text);
        if (200..300).contains(&status) {
            return match parsed {
                Ok(node) => Tried::Answer(node),
                // A cut or garbled answer: as if none came.
                Err(_) => Tried::NoAnswer,
            };
        }
        // `<Response><Errors><Error><Code>..</Code><Message>..</Message></Error></Errors>`.
        let error = parsed.ok().and_then(|n| n.child("Errors").and_then(|e| e.child("Error")).cloned());
        Tried::Refused {
            status,
            code: error.as_ref().and_then(|e| e.text_of("Code")).map(str::to_string),
            message: error.as_ref().and_then(|e| e.text_of("Message")).unwrap_or_default().to_string(),
        }
    }

    /// The SigV4 headers for a POST of `body` to `url`.
    fn signature(
        &self,
        credentials: &Credentials,
        url: &str,
        content_type: (&str, &str),
        body: &str,
    ) -> Result<Vec<(String, String)>, String> {
        let identity = credentials.clone().into();
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name("ec2")
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .map_err(|e| e.to_string())?
            .into();
        let signable =
            SignableRequest::new("POST", url, std::iter::once(content_type), SignableBody::Bytes(body.as_bytes()))
                .map_err(|e| e.to_string())?;
        let (instructions, _) = sign(signable, &params).map_err(|e| e.to_string())?.into_parts();
        Ok(instructions.headers().map(|(k, v)| (k.to_string(), v.to_string())).collect())
    }

    /// The credentials to sign with: the ones held while they are good, else the provider's.
    /// A failure is the error and the code the history shows.
    async fn credentials(&self) -> Result<Credentials, (PortError, String)> {
        let mut held = self.held.lock().await;
        if let Some(h) = held.as_ref().filter(|h| h.until > Instant::now()) {
            return Ok(h.credentials.clone());
        }
        let Some(provider) = &self.provider else {
            return Err((
                PortError::Denied {
                    code: "NoCredentials".into(),
                    message: "no AWS credentials are configured for this server".into(),
                },
                "no credentials".into(),
            ));
        };
        match provider.provide_credentials().await {
            Ok(credentials) => {
                let left = credentials
                    .expiry()
                    .and_then(|e| e.duration_since(SystemTime::now()).ok())
                    .map(|d| d.saturating_sub(RENEW_BEFORE))
                    .unwrap_or(STATIC_CREDENTIALS_FOR);
                *held = Some(Held { credentials: credentials.clone(), until: Instant::now() + left });
                Ok(credentials)
            }
            Err(e) => {
                if let Some(r) = team_role::refusal(&e) {
                    let error = PortError::TeamRole {
                        role_arn: r.role_arn.clone(),
                        code: r.code.clone(),
                        message: r.message.clone(),
                    };
                    return Err((error, "refused: the team's role could not be used".into()));
                }
                if let Some(why) = team_role::no_access(&e) {
                    return Err((PortError::NoAccess(why.clone()), "refused: no AWS access for this team".into()));
                }
                let message = aws_smithy_types::error::display::DisplayErrorContext(&e).to_string();
                Err((PortError::Denied { code: "NoCredentials".into(), message }, "no credentials".into()))
            }
        }
    }
}

#[cfg(test)]
mod tests;
