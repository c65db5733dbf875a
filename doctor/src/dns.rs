//! DNS, behind one narrow trait: the checks ask questions, an adapter asks a server.
//!
//! The adapter is hickory-resolver, either with the machine's resolvers or pointed at one server
//! (the test lab's dnsmasq). No cache: the doctor must see what the world sees now.

use async_trait::async_trait;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::{RData, RecordType};
use hickory_resolver::TokioResolver;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rtype {
    A,
    Aaaa,
    Caa,
    Ns,
    Cname,
}

/// One answer record: the owner name, and the value in presentation form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rdata {
    A(IpAddr),
    Cname(String),
    Caa { flags: u8, tag: String, value: String },
    Ns(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsError {
    /// The name does not exist (NXDOMAIN).
    NxDomain,
    /// The name exists but has no record of that type.
    NoRecords,
    /// The server did not answer, or answered with an error.
    Failed(String),
}

#[async_trait]
pub trait Dns: Send + Sync {
    /// Records answering `name`/`rtype`, with any CNAMEs followed on the way (in order).
    async fn query(&self, name: &str, rtype: Rtype) -> Result<Vec<(String, Rdata)>, DnsError>;
}

pub struct HickoryDns {
    resolver: TokioResolver,
}

/// The doctor's per-query timeout (two attempts each).
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(2);

impl HickoryDns {
    /// The machine's resolvers (`/etc/resolv.conf`).
    pub fn system() -> Result<HickoryDns, String> {
        HickoryDns::system_with(QUERY_TIMEOUT)
    }

    /// One DNS server at `addr` (UDP, then TCP).
    pub fn at(addr: SocketAddr) -> Result<HickoryDns, String> {
        HickoryDns::at_with(addr, QUERY_TIMEOUT)
    }

    pub fn system_with(timeout: Duration) -> Result<HickoryDns, String> {
        let mut builder = TokioResolver::builder(TokioRuntimeProvider::default()).map_err(|e| e.to_string())?;
        tune(builder.options_mut(), timeout);
        Ok(HickoryDns { resolver: builder.build().map_err(|e| e.to_string())? })
    }

    pub fn at_with(addr: SocketAddr, timeout: Duration) -> Result<HickoryDns, String> {
        let mut udp = ConnectionConfig::udp();
        udp.port = addr.port();
        let mut tcp = ConnectionConfig::tcp();
        tcp.port = addr.port();
        let server = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
        let mut builder = TokioResolver::builder_with_config(
            ResolverConfig::from_name_servers(vec![server]),
            TokioRuntimeProvider::default(),
        );
        tune(builder.options_mut(), timeout);
        Ok(HickoryDns { resolver: builder.build().map_err(|e| e.to_string())? })
    }
}

fn tune(opts: &mut hickory_resolver::config::ResolverOpts, timeout: Duration) {
    opts.cache_size = 0;
    opts.timeout = timeout;
    opts.attempts = 2;
}

#[async_trait]
impl Dns for HickoryDns {
    async fn query(&self, name: &str, rtype: Rtype) -> Result<Vec<(String, Rdata)>, DnsError> {
        let fqdn = if name.ends_with('.') { name.to_string() } else { format!("{name}.") };
        let rt = match rtype {
            Rtype::A => RecordType::A,
            Rtype::Aaaa => RecordType::AAAA,
            Rtype::Caa => RecordType::CAA,
            Rtype::Ns => RecordType::NS,
            Rtype::Cname => RecordType::CNAME,
        };
        match self.resolver.lookup(fqdn.as_str(), rt).await {
            Ok(lookup) => {
                let out: Vec<(String, Rdata)> = lookup
                    .answers()
                    .iter()
                    .filter_map(|r| {
                        let owner = r.name.to_ascii().trim_end_matches('.').to_ascii_lowercase();
                        let data = match &r.data {
                            RData::A(a) => Rdata::A(IpAddr::V4(a.0)),
                            RData::AAAA(a) => Rdata::A(IpAddr::V6(a.0)),
                            RData::CNAME(c) => Rdata::Cname(c.0.to_ascii().trim_end_matches('.').to_ascii_lowercase()),
                            RData::NS(n) => Rdata::Ns(n.0.to_ascii().trim_end_matches('.').to_ascii_lowercase()),
                            RData::CAA(c) => parse_caa(&c.to_string())?,
                            _ => return None,
                        };
                        Some((owner, data))
                    })
                    .collect();
                if out.is_empty() {
                    Err(DnsError::NoRecords)
                } else {
                    Ok(out)
                }
            }
            Err(e) if e.is_nx_domain() => Err(DnsError::NxDomain),
            Err(e) if e.is_no_records_found() => Err(DnsError::NoRecords),
            Err(e) => Err(DnsError::Failed(e.to_string())),
        }
    }
}

/// `0 issue "letsencrypt.org"` (hickory's presentation form) into parts.
pub(crate) fn parse_caa(s: &str) -> Option<Rdata> {
    let (flags, rest) = s.split_once(' ')?;
    let (tag, value) = rest.split_once(' ')?;
    Some(Rdata::Caa {
        flags: flags.parse().ok()?,
        tag: tag.to_ascii_lowercase(),
        value: value.trim_matches('"').to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caa_presentation_form_is_parsed() {
        assert_eq!(
            parse_caa("0 issue \"letsencrypt.org; validationmethods=http-01\""),
            Some(Rdata::Caa {
                flags: 0,
                tag: "issue".into(),
                value: "letsencrypt.org; validationmethods=http-01".into()
            })
        );
        assert_eq!(parse_caa("garbage"), None);
    }
}
