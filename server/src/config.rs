//! `lockstep serve` settings: flags, or the same names as `LOCKSTEP_*` environment variables.

use clap::{Args, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AwsMode {
    /// A local AWS emulator (moto) started by lockstep: nothing real is created.
    Sandbox,
    /// Real AWS through the standard credential chain (env, profile, SSO, instance role).
    Real,
}

/// Whether sandbox mode starts the free path's local stand-in (the HTTPS lab).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SandboxLab {
    /// When nginx, pebble, dnsmasq and certbot are installed (`scripts/setup.sh` installs them).
    Auto,
    /// Never (the free path's HTTPS check then says what it cannot check in the sandbox).
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SecureCookies {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Args)]
pub struct ServeConfig {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "LOCKSTEP_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,

    /// Where lockstep keeps its data (the SQLite file by default).
    #[arg(long, env = "LOCKSTEP_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// Database URL; default `sqlite://<data-dir>/lockstep.db`.
    #[arg(long, env = "LOCKSTEP_DATABASE_URL")]
    pub database_url: Option<String>,

    /// `sandbox` (default) or `real`.
    #[arg(long, env = "LOCKSTEP_AWS", value_enum, default_value_t = AwsMode::Sandbox)]
    pub aws: AwsMode,

    /// Real AWS: the teams (by id, as in `/teams/<id>`) whose steps may use this server's own
    /// AWS credentials when they have no role of their own. Comma-separated; default none:
    /// every other team acts only through its own IAM role.
    #[arg(long, env = "LOCKSTEP_SERVER_CREDENTIALS_FOR", value_delimiter = ',')]
    pub server_credentials_for: Vec<String>,

    /// Use an already running emulator at this URL instead of starting one (tests).
    #[arg(long, env = "LOCKSTEP_SANDBOX_ENDPOINT")]
    pub sandbox_endpoint: Option<String>,

    /// moto account id (12 digits) to use in the sandbox; default moto's own.
    #[arg(long, env = "LOCKSTEP_SANDBOX_ACCOUNT")]
    pub sandbox_account: Option<String>,

    /// The moto_server program to start in sandbox mode.
    #[arg(long, env = "LOCKSTEP_MOTO_SERVER", default_value = "moto_server")]
    pub moto_server: String,

    /// Sandbox only: start the free path's local stand-in (`lab/lab.sh`: nginx with a
    /// certificate from a test CA, the CA, DNS for `student.test`) in DATA_DIR/sandbox-lab, so
    /// the free path ends on a real HTTPS check. Its ports: 25353, 28080, 28443, 28000, 28999,
    /// 24000, 25000, each moved by the lab's own `LAB_*_PORT` variable.
    #[arg(long, env = "LOCKSTEP_SANDBOX_LAB", value_enum, default_value = "auto")]
    pub sandbox_lab: SandboxLab,

    /// The lab script the sandbox's stand-in is started with.
    #[arg(long, env = "LOCKSTEP_LAB_SCRIPT", default_value = "lab/lab.sh")]
    pub lab_script: PathBuf,

    /// Seconds a sandbox certificate stays PENDING_VALIDATION before it is ISSUED.
    #[arg(long, env = "LOCKSTEP_SANDBOX_ACM_WAIT", default_value_t = 20)]
    pub sandbox_acm_wait: u32,

    /// Directory with the built site (pkg/ with the wasm, JS and CSS).
    #[arg(long, env = "LOCKSTEP_SITE_ROOT")]
    pub site_root: Option<PathBuf>,

    /// Job workers in this process. 0 = a web-only server (several servers on PostgreSQL:
    /// other servers run the steps).
    #[arg(long, env = "LOCKSTEP_WORKERS", default_value_t = 4)]
    pub workers: usize,

    /// Job lease length; a crashed server's steps are taken over after this long.
    #[arg(long, env = "LOCKSTEP_LEASE_SECS", default_value_t = 30)]
    pub lease_secs: u64,

    /// Ask this DNS server (IP:PORT) for public DNS answers instead of the system's resolvers.
    #[arg(long, env = "LOCKSTEP_DNS_SERVER")]
    pub dns_server: Option<SocketAddr>,

    /// The HTTPS doctor trusts only the CA certificates in this PEM file (a test lab's CA)
    /// instead of the system's trust store.
    #[arg(long, env = "LOCKSTEP_DOCTOR_CA_FILE")]
    pub doctor_ca_file: Option<PathBuf>,

    /// Port the HTTPS doctor uses for plain HTTP (80; a lab may serve elsewhere).
    #[arg(long, env = "LOCKSTEP_DOCTOR_HTTP_PORT", default_value_t = 80)]
    pub doctor_http_port: u16,

    /// Port the HTTPS doctor uses for HTTPS (443; a lab may serve elsewhere).
    #[arg(long, env = "LOCKSTEP_DOCTOR_HTTPS_PORT", default_value_t = 443)]
    pub doctor_https_port: u16,

    /// LAB AND TESTS ONLY, never on a real server: let the HTTPS doctor and alert webhooks
    /// connect to loopback and private addresses (the HTTPS lab on 127.x, a receiver on
    /// loopback; plain http:// webhooks to loopback in the sandbox). Without it lockstep connects
    /// only to public addresses, so a typed URL cannot reach into the network it runs in. The
    /// instance metadata service stays refused either way.
    #[arg(long, env = "LOCKSTEP_ALLOW_PRIVATE_TARGETS", value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_private_targets: bool,

    /// PUBLIC=LOCAL: the instance's public IPv4 PUBLIC is really served at LOCAL (a lab on
    /// loopback plays the instance, like curl's --connect-to). Comma-separated; tests only.
    #[arg(long = "public-address", env = "LOCKSTEP_PUBLIC_ADDRESS", value_delimiter = ',')]
    pub public_address: Vec<String>,

    /// The address people use to reach lockstep, e.g. `https://lockstep.example.ac.kr` behind
    /// a proxy (invite links, the cross-site check, and `Secure` cookies when it is https).
    #[arg(long, env = "LOCKSTEP_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Session cookies: `auto` (Secure when the public URL is https), `always` or `never`.
    #[arg(long, env = "LOCKSTEP_SECURE_COOKIES", value_enum, default_value_t = SecureCookies::Auto)]
    pub secure_cookies: SecureCookies,

    /// Behind a reverse proxy: take the client's address from the last X-Forwarded-For entry
    /// (sign-in throttling per address). Only when every request passes that proxy.
    #[arg(long, env = "LOCKSTEP_TRUST_FORWARDED_FOR", default_value_t = false)]
    pub trust_forwarded_for: bool,

    /// Who may sign up without an invite link: addresses at these e-mail domains or their
    /// subdomains, e.g. `ac.kr,example.edu`. Comma-separated; default none: once the first
    /// owner exists, people sign up only through a team owner's invite link.
    #[arg(long, env = "LOCKSTEP_SIGNUP_DOMAINS", value_delimiter = ',')]
    pub signup_domains: Vec<String>,

    /// The key that seals stored secrets (alert webhooks): 64 hex characters. Default: the
    /// data dir's `secret.key`, made on first start. Several servers must share one.
    #[arg(long, env = "LOCKSTEP_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,

    /// Seconds between looks for due status-page re-checks.
    #[arg(long, env = "LOCKSTEP_STATUS_TICK_SECS", default_value_t = 30.0)]
    pub status_tick_secs: f64,

    /// Seconds between checks while waiting on AWS (default: 10 on real AWS, 1 in the sandbox).
    #[arg(long, env = "LOCKSTEP_POLL_SECS")]
    pub poll_secs: Option<f64>,
}

impl ServeConfig {
    /// Whether the session cookie carries `Secure`: always when lockstep is served over HTTPS
    /// (practise what we preach), never on plain http (the browser would drop it).
    pub fn secure_cookies(&self) -> bool {
        match self.secure_cookies {
            SecureCookies::Always => true,
            SecureCookies::Never => false,
            SecureCookies::Auto => self.public_url.as_deref().is_some_and(|u| u.trim().starts_with("https://")),
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.data_dir.clone().unwrap_or_else(|| {
            let base = std::env::var_os("XDG_DATA_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
                .unwrap_or_else(|| PathBuf::from("."));
            base.join("lockstep")
        })
    }

    pub fn database_url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir().join("lockstep.db").display()))
    }

    /// `--public-address` pairs, checked.
    pub fn address_map(&self) -> anyhow::Result<Vec<(std::net::Ipv4Addr, std::net::Ipv4Addr)>> {
        self.public_address
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|s| {
                let (p, l) = s.split_once('=').ok_or_else(|| {
                    anyhow::anyhow!("--public-address {s}: write it as PUBLIC=LOCAL, e.g. 54.180.1.2=127.0.2.1")
                })?;
                Ok((
                    p.trim()
                        .parse()
                        .map_err(|e| anyhow::anyhow!("--public-address {s}: {p} is not an IPv4 address ({e})"))?,
                    l.trim()
                        .parse()
                        .map_err(|e| anyhow::anyhow!("--public-address {s}: {l} is not an IPv4 address ({e})"))?,
                ))
            })
            .collect()
    }

    /// The site root: the flag, else cargo-leptos' `LEPTOS_SITE_ROOT`, else `target/site`.
    pub fn site_root(&self) -> PathBuf {
        self.site_root
            .clone()
            .or_else(|| std::env::var_os("LEPTOS_SITE_ROOT").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("target/site"))
    }
}
