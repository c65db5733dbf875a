//! Public DNS through hickory-resolver: the system's resolvers in production, or one given
//! server (the test lab's dnsmasq) in tests. No cache: a delegation check must see today's
//! answer, not the one from an hour ago.

use crate::ports::{PortError, PortResult, PublicDns};
use async_trait::async_trait;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;
use hickory_resolver::TokioResolver;
use lockstep_domain::DomainName;
use std::net::SocketAddr;
use std::time::Duration;

pub struct HickoryDns {
    resolver: TokioResolver,
}

impl HickoryDns {
    /// The machine's resolvers (`/etc/resolv.conf`).
    pub fn system() -> anyhow::Result<HickoryDns> {
        let mut builder = TokioResolver::builder(TokioRuntimeProvider::default())?;
        tune(builder.options_mut());
        Ok(HickoryDns { resolver: builder.build()? })
    }

    /// One DNS server at `addr` (UDP and TCP).
    pub fn at(addr: SocketAddr) -> anyhow::Result<HickoryDns> {
        let mut udp = ConnectionConfig::udp();
        udp.port = addr.port();
        let mut tcp = ConnectionConfig::tcp();
        tcp.port = addr.port();
        let server = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
        let mut builder = TokioResolver::builder_with_config(
            ResolverConfig::from_name_servers(vec![server]),
            TokioRuntimeProvider::default(),
        );
        tune(builder.options_mut());
        Ok(HickoryDns { resolver: builder.build()? })
    }
}

fn tune(opts: &mut hickory_resolver::config::ResolverOpts) {
    opts.cache_size = 0;
    opts.timeout = Duration::from_secs(3);
    opts.attempts = 2;
}

#[async_trait]
impl PublicDns for HickoryDns {
    async fn ns(&self, name: &DomainName) -> PortResult<Vec<String>> {
        match self.resolver.ns_lookup(name.fqdn()).await {
            Ok(lookup) => Ok(lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::NS(ns) => Some(ns.0.to_ascii().trim_end_matches('.').to_ascii_lowercase()),
                    _ => None,
                })
                .collect()),
            Err(e) if e.is_no_records_found() || e.is_nx_domain() => Ok(Vec::new()),
            Err(e) => Err(PortError::Unavailable(format!("DNS lookup of {name} failed: {e}"))),
        }
    }
}
