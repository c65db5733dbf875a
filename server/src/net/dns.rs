//! Public DNS for the delegation check, through the doctor's hickory adapter: the system's
//! resolvers in production, or one given server (the test lab's dnsmasq) in tests. No cache: a
//! delegation check must see today's answer, not the one from an hour ago.

use crate::ports::{PortError, PortResult, PublicDns};
use async_trait::async_trait;
use lockstep_doctor::dns::{Dns, DnsError, Rdata, Rtype};
use lockstep_domain::DomainName;
use std::net::SocketAddr;
use std::time::Duration;

/// Per-query timeout of the delegation check (two attempts each).
const TIMEOUT: Duration = Duration::from_secs(3);

pub struct HickoryDns(lockstep_doctor::dns::HickoryDns);

impl HickoryDns {
    /// The machine's resolvers (`/etc/resolv.conf`).
    pub fn system() -> anyhow::Result<HickoryDns> {
        Ok(HickoryDns(lockstep_doctor::dns::HickoryDns::system_with(TIMEOUT).map_err(anyhow::Error::msg)?))
    }

    /// One DNS server at `addr` (UDP and TCP).
    pub fn at(addr: SocketAddr) -> anyhow::Result<HickoryDns> {
        Ok(HickoryDns(lockstep_doctor::dns::HickoryDns::at_with(addr, TIMEOUT).map_err(anyhow::Error::msg)?))
    }
}

#[async_trait]
impl PublicDns for HickoryDns {
    async fn ns(&self, name: &DomainName) -> PortResult<Vec<String>> {
        match self.0.query(name.as_str(), Rtype::Ns).await {
            Ok(records) => Ok(records
                .into_iter()
                .filter_map(|(_, d)| match d {
                    Rdata::Ns(ns) => Some(ns),
                    _ => None,
                })
                .collect()),
            Err(DnsError::NxDomain | DnsError::NoRecords) => Ok(Vec::new()),
            Err(DnsError::Failed(e)) => Err(PortError::Unavailable(format!("DNS lookup of {name} failed: {e}"))),
        }
    }

    async fn a(&self, name: &DomainName) -> PortResult<Vec<std::net::Ipv4Addr>> {
        match self.0.query(name.as_str(), Rtype::A).await {
            Ok(records) => Ok(records
                .into_iter()
                .filter_map(|(_, d)| match d {
                    Rdata::A(std::net::IpAddr::V4(ip)) => Some(ip),
                    _ => None,
                })
                .collect()),
            Err(DnsError::NxDomain | DnsError::NoRecords) => Ok(Vec::new()),
            Err(DnsError::Failed(e)) => Err(PortError::Unavailable(format!("DNS lookup of {name} failed: {e}"))),
        }
    }

    async fn cname(&self, name: &str) -> PortResult<Option<String>> {
        match self.0.query(name, Rtype::Cname).await {
            Ok(records) => Ok(records.into_iter().find_map(|(_, d)| match d {
                Rdata::Cname(c) => Some(c),
                _ => None,
            })),
            Err(DnsError::NxDomain | DnsError::NoRecords) => Ok(None),
            Err(DnsError::Failed(e)) => Err(PortError::Unavailable(format!("DNS lookup of {name} failed: {e}"))),
        }
    }

    async fn caa(&self, name: &str) -> PortResult<Vec<(String, String)>> {
        match self.0.query(name, Rtype::Caa).await {
            Ok(records) => Ok(records
                .into_iter()
                .filter_map(|(owner, d)| match d {
                    // Only records owned by this name (not ones reached through a CNAME).
                    Rdata::Caa { tag, value, .. } if owner.eq_ignore_ascii_case(name.trim_end_matches('.')) => {
                        Some((tag, value))
                    }
                    _ => None,
                })
                .collect()),
            Err(DnsError::NxDomain | DnsError::NoRecords) => Ok(Vec::new()),
            Err(DnsError::Failed(e)) => Err(PortError::Unavailable(format!("DNS lookup of {name} failed: {e}"))),
        }
    }
}
