//! Sandbox AWS: a moto_server on loopback that lockstep starts, seeds and stops itself.
//!
//! In sandbox mode every SDK client points at this emulator with dummy credentials, so a
//! newcomer can walk every step without an AWS account and without creating anything real.

use crate::ports::DnsZones;
use anyhow::{bail, Context};
use lockstep_domain::DomainName;
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use tracing::info;

/// The demo hosted zone a fresh sandbox gets, so the wizard has a domain to work with.
pub const DEMO_ZONE: &str = "lockstep-demo.com";

pub struct MotoServer {
    child: Child,
    pub endpoint: String,
}

impl MotoServer {
    /// Starts `moto_server` on a free loopback port and waits until it answers.
    /// `acm_wait_secs` is how long a sandbox certificate stays PENDING_VALIDATION.
    pub async fn start(binary: &str, acm_wait_secs: u32) -> anyhow::Result<MotoServer> {
        let port = free_port()?;
        let child = Command::new(binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env("MOTO_ACM_VALIDATION_WAIT", acm_wait_secs.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .with_context(|| {
                format!("could not start the sandbox AWS emulator \"{binary}\". Run ./scripts/setup.sh (it installs moto), or pass --moto-server PATH")
            })?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let mut server = MotoServer { child, endpoint: format!("http://{addr}") };
        server.wait_ready(addr, Duration::from_secs(30)).await?;
        info!(endpoint = %server.endpoint, "sandbox AWS (moto) is up");
        Ok(server)
    }

    async fn wait_ready(&mut self, addr: SocketAddr, limit: Duration) -> anyhow::Result<()> {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("the sandbox AWS emulator exited at start ({status})");
            }
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                return Ok(());
            }
            if start.elapsed() > limit {
                bail!("the sandbox AWS emulator did not answer on {addr} within {limit:?}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?.local_addr()?.port())
}

/// Gives an empty sandbox account a public hosted zone to pick.
pub async fn seed(dns: &dyn DnsZones) -> anyhow::Result<()> {
    let zones = dns.list_zones().await?;
    if zones.iter().any(|z| z.name == DEMO_ZONE) {
        return Ok(());
    }
    let name = DomainName::parse(DEMO_ZONE)?;
    dns.create_zone(&name, "lockstep-sandbox-seed").await?;
    info!(zone = DEMO_ZONE, "sandbox seeded with a demo hosted zone");
    Ok(())
}
