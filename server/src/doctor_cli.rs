//! `lockstep doctor URL`: the HTTPS doctor from a terminal, without a project or AWS credentials.
//!
//! Like the server's doctor it connects to public addresses only; `--allow-private-targets` is
//! for the HTTPS lab on loopback (and a test namespace on 10.x).

use clap::Args;
use lockstep_doctor::render::{human, Style};
use lockstep_doctor::{parse_url, Target};
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// The API (or site) URL, e.g. https://api.example.com (its path is used for the API request
    /// and the CORS preflight).
    pub url: String,
    /// The frontend's origin, e.g. https://www.example.com: enables the CORS, cookie-site and
    /// mixed-content checks.
    #[arg(long)]
    pub origin: Option<String>,
    /// The app's health path, checked over HTTPS (e.g. /health).
    #[arg(long)]
    pub health: Option<String>,
    /// What the name should point at (IP or host name of the ALB / CloudFront); repeatable.
    #[arg(long)]
    pub expect: Vec<String>,
    /// The frontend sends cookies (fetch credentials: 'include'): CORS must allow credentials.
    #[arg(long)]
    pub credentials: bool,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
    /// Show evidence for passing checks too.
    #[arg(long, short)]
    pub verbose: bool,
    /// Ask this DNS server (ip:port) instead of the system's resolvers.
    #[arg(long, value_name = "IP:PORT")]
    pub dns: Option<SocketAddr>,
    /// Trust only the CA certificates in this PEM file instead of the system's trust store.
    #[arg(long, value_name = "PEM")]
    pub ca_file: Option<PathBuf>,
    /// Port for plain HTTP (the redirect check).
    #[arg(long, default_value_t = 80)]
    pub http_port: u16,
    /// Port for HTTPS when the URL is http:// (an https:// URL's own port wins).
    #[arg(long, default_value_t = 443)]
    pub https_port: u16,
    /// Give up on each group of checks after this many seconds.
    #[arg(long, default_value_t = 15)]
    pub timeout: u64,
    /// LAB AND TESTS ONLY: also connect to loopback and private addresses (the HTTPS lab on
    /// 127.x). The instance metadata service stays refused.
    #[arg(long, env = "LOCKSTEP_ALLOW_PRIVATE_TARGETS", value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_private_targets: bool,
}

/// Runs the doctor and prints; returns the exit status.
pub async fn run(args: DoctorArgs) -> u8 {
    match run_inner(args).await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("lockstep doctor: {e}");
            3
        }
    }
}

async fn run_inner(args: DoctorArgs) -> Result<u8, String> {
    let url = parse_url(&args.url)?;
    let origin = args.origin.as_deref().map(parse_url).transpose()?;
    // The same resolver and trust-store set-up the server uses for its doctor step.
    let mut doctor = crate::https_doctor(args.dns, args.ca_file.as_deref()).map_err(|e| format!("{e:#}"))?;
    if args.allow_private_targets {
        doctor = doctor.allow_private_targets();
    }
    doctor.group_timeout = Duration::from_secs(args.timeout.max(1));
    let mut target = Target::new(url);
    target.origin = origin;
    target.http_port = args.http_port;
    target.https_port = args.https_port;
    // The same parser as the project form: `//other-host/...` would make the doctor ask another
    // host, so a health path is a path on the API's host or nothing (issue 19).
    target.health_path = args
        .health
        .as_deref()
        .map(|h| lockstep_domain::HealthPath::parse(h).map(|p| p.as_str().to_string()))
        .transpose()
        .map_err(|m| format!("--health: {}", m.en))?;
    target.expect = args.expect;
    target.credentials = args.credentials;
    let report = doctor.check(&target).await;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    } else {
        let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        print!("{}", human(&report, &Style { color, verbose: args.verbose }));
    }
    Ok(report.exit_code())
}
