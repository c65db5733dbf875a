//! The free path (Nginx + Certbot on the instance), step by step:
//!
//! 1. open ports 80 (Let's Encrypt's HTTP-01 check and the redirect) and 443 on the instance's
//!    security group, idempotently, and point out ports open to the whole internet that should
//!    not be (SSH, databases, the app port itself) ([`OpenPorts`]);
//! 2. with the project's own domain, UPSERT the API name's A record to the instance's public
//!    IP (warning when it is not an Elastic IP); a nip.io / sslip.io name needs nothing
//!    ([`DnsRecord`]);
//! 3. wait until public DNS answers the name with that IP (Let's Encrypt looks it up)
//!    ([`AwaitResolve`]);
//! 4. install nginx + the site + certbot: through SSM Run Command when the instance is managed
//!    (output streamed into the timeline), otherwise the team runs the script and presses
//!    "I ran it" (a re-check now); either way the step ends only when HTTPS answers for the name
//!    ([`Install`]: the send is fenced and recorded, so it happens once);
//! 5. verify from outside with the HTTPS doctor: the name resolves to the instance, TLS is valid
//!    for the name with a complete chain, port 80 redirects to HTTPS, the proxy reaches the
//!    app's health path ([`Verify`]).
//!
//! Start a run with kind [`RUN_KIND`], the steps in [`STEPS`] and a [`NginxInput`]. Each step
//! is a typed [`crate::jobs::Step`]; what they say is in `messages.rs`.

mod dns;
mod install;
pub(crate) mod messages;
mod open_ports;
#[cfg(test)]
mod tests;
mod verify;

pub use dns::{AwaitResolve, AwaitResolveOutput, DnsRecord, DnsRecordOutput};
pub use install::{script_failure, Install, InstallMode, InstallOutput, SCRIPT_TIMEOUT_SECS};
pub use messages::not_elastic_warning;
pub use open_ports::{risks, OpenPorts, OpenPortsOutput};
pub use verify::{Verify, VerifyOutput, REQUIRED};

use crate::jobs::StepError;
use crate::ports::{DnsRecords, Firewall, HttpsProbe, Instances, PublicDns, RunCommand};
use lockstep_doctor::{parse_url, Target};
use lockstep_domain::contact::Email;
use lockstep_domain::freepath::site_for;
use lockstep_domain::ipcert::{ip_install_script, IpSite};
use lockstep_domain::nginx::{install_script, Os};
use lockstep_domain::{DomainName, HealthPath, InstanceId, Region, RunKind, StepKind, ZoneId};
use messages::StoredField;
use serde::{Deserialize, Deserializer, Serialize};
use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

pub const RUN_KIND: RunKind = RunKind::InstanceHttps;

pub const STEPS: [StepKind; 5] = [
    StepKind::InstanceHttpsOpenPorts,
    StepKind::InstanceHttpsDnsRecord,
    StepKind::InstanceHttpsAwaitResolve,
    StepKind::InstanceHttpsInstall,
    StepKind::InstanceHttpsVerify,
];

/// What a free-path run acts on, fixed when it starts (from the project, its name plan and the
/// team's choices). The e-mail and the health path are typed: the first goes into the script the
/// instance runs as root, the second into a request lockstep makes; both are stored as the
/// plain strings they always were (see [`decode_input`] for old values that no longer parse).
/// The ids are stored as plain strings too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NginxInput {
    pub region: Region,
    /// None when the project names the instance by its IP: lockstep cannot see its security
    /// groups nor reach it through SSM (the team opens the ports and runs the script).
    pub instance_id: Option<InstanceId>,
    pub public_ip: Ipv4Addr,
    pub app_port: u16,
    pub health_path: HealthPath,
    pub api: DomainName,
    /// The hosted zone of the project's own domain; None for a nip.io / sslip.io name.
    pub zone_id: Option<ZoneId>,
    pub os: Os,
    pub staging: bool,
    pub email: Email,
    /// Where the outside checks connect (80/443; a lab serves elsewhere).
    pub http_port: u16,
    pub https_port: u16,
}

impl NginxInput {
    /// The script the instance runs (the same text the page shows); refused for a name nginx
    /// and certbot cannot serve.
    pub fn script(&self) -> Result<String, StepError> {
        // The IP choice (issue 24): a certificate for the address, certbot 5 in a venv, a timer.
        if let Some(ip) = self.api.as_ipv4() {
            return Ok(ip_install_script(self.os, &IpSite::new(ip, self.app_port), &self.email, self.staging));
        }
        let site = site_for(&self.api, self.app_port)
            .map_err(|why| StepError::Fatal(messages::site_refused(&self.api, why)))?;
        Ok(install_script(self.os, &site, &self.email, self.staging))
    }

    /// What the HTTPS doctor checks from outside; `expect` are the addresses that count as the
    /// instance.
    fn target(&self, expect: Vec<String>) -> Result<Target, StepError> {
        let port = if self.https_port == 443 { String::new() } else { format!(":{}", self.https_port) };
        let url = parse_url(&format!("https://{}{port}/", self.api))
            .map_err(|e| StepError::invariant(format!("free-path target for {}: {e}", self.api)))?;
        let mut t = Target::new(url);
        t.http_port = self.http_port;
        t.https_port = self.https_port;
        t.health_path = Some(self.health_path.to_string());
        t.app_port = Some(self.app_port);
        t.issuers = vec!["letsencrypt.org".into()];
        t.expect = expect;
        Ok(t)
    }
}

/// What the free-path steps talk to.
pub struct NginxDeps {
    pub firewall: Arc<dyn Firewall>,
    pub records: Arc<dyn DnsRecords>,
    pub public_dns: Arc<dyn PublicDns>,
    pub instances: Arc<dyn Instances>,
    pub commands: Arc<dyn RunCommand>,
    pub probe: Arc<dyn HttpsProbe>,
    /// Interval between checks while waiting on DNS or the instance.
    pub poll: Duration,
    /// Public address -> where it is really served (a lab on loopback plays the instance); empty
    /// on real AWS.
    pub address_map: Vec<(Ipv4Addr, Ipv4Addr)>,
}

impl NginxDeps {
    /// The addresses that count as "the instance" for a public IP.
    fn instance_addresses(&self, ip: Ipv4Addr) -> Vec<Ipv4Addr> {
        let mut v = vec![ip];
        v.extend(self.address_map.iter().filter(|(p, _)| *p == ip).map(|(_, l)| *l));
        v
    }
}

/// The run input as each step receives it: decoded by [`decode_input`], whose refusal (an old
/// run's e-mail or health path that no longer parses) is the step's error with the field's own
/// words, not the engine's generic one.
pub struct RunInput(Result<NginxInput, StepError>);

impl RunInput {
    pub fn get(self) -> Result<NginxInput, StepError> {
        self.0
    }
}

impl<'de> Deserialize<'de> for RunInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<RunInput, D::Error> {
        let stored = serde_json::Value::deserialize(d)?;
        Ok(RunInput(decode_input(&stored)))
    }
}

/// The two stored fields that were plain strings before they were typed.
#[derive(Deserialize)]
struct StoredStrings {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    health_path: Option<String>,
}

/// The run's input. A run started before the e-mail and the health path were typed may hold a
/// value that no longer parses (an e-mail with shell characters, a path such as
/// `//10.0.0.5:9200/_cat` that reaches another host): such a run stops here with the field's own
/// message, and nothing is sent to the instance. Any other decode error is a bug in lockstep.
pub fn decode_input(v: &serde_json::Value) -> Result<NginxInput, StepError> {
    let err = match serde_json::from_value::<NginxInput>(v.clone()) {
        Ok(i) => return Ok(i),
        Err(e) => e,
    };
    let stored = serde_json::from_value::<StoredStrings>(v.clone()).ok();
    let refused = stored.and_then(|s| {
        let email = s.email.and_then(|e| Email::parse(&e).err()).map(|m| (StoredField::Email, m));
        email.or_else(|| s.health_path.and_then(|p| HealthPath::parse(&p).err()).map(|m| (StoredField::HealthPath, m)))
    });
    match refused {
        Some((field, why)) => Err(StepError::Fatal(messages::stored_field_refused(field, why))),
        None => {
            tracing::error!(error = %err, "free-path run input does not decode");
            Err(StepError::Fatal(messages::unreadable_settings()))
        }
    }
}
