//! The sandbox's free path on a real stand-in (issue 22 item 4): `lockstep serve` in sandbox
//! mode starts the HTTPS lab (`lab/lab.sh`: nginx with a certificate certbot obtained from an
//! ACME test CA, that CA, a DNS server for `student.test`, a small app) in its own directory
//! under the data dir, on its own ports, and stops it on shutdown. The sandbox's demo instance
//! is then "served" by the lab's nginx: the HTTPS check of a project in the lab's zone runs
//! the real doctor against it ([`LabProbe`]) and ends green, instead of every outside check
//! being skipped.
//!
//! When the lab's tools are missing, or its ports are taken, or it does not come up, serve
//! says so in one line and goes on without it: the free path then ends with the neutral
//! "not checked in the sandbox" notes of [`super::probe::SandboxProbe`], never red failures.

use super::probe::{skipped, SandboxProbe};
use crate::ports::HttpsProbe;
use async_trait::async_trait;
use lockstep_domain::doctor::{Area, Finding, Report, Verdict};
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::process::Command;
use tracing::{info, warn};

/// The lab's ports when `lockstep serve` starts it: not the test suite's lab ports (5353,
/// 18080...), so a developer's running lockstep and `scripts/test.sh` do not collide. Each is
/// overridden by the same `LAB_*` variable in serve's environment.
pub const SERVE_PORTS: [(&str, u16); 7] = [
    ("LAB_DNS_PORT", 25353),
    ("LAB_HTTP_PORT", 28080),
    ("LAB_HTTPS_PORT", 28443),
    ("LAB_BACKEND_PORT", 28000),
    ("LAB_CLOSED_PORT", 28999),
    ("LAB_PEBBLE_PORT", 24000),
    ("LAB_PEBBLE_MGMT_PORT", 25000),
];

/// The lab's zone (`lab/lab.sh`), seeded as a hosted zone before the lab is up.
pub const ZONE: &str = app::model::SANDBOX_LAB_ZONE;

/// The name the lab serves for the API besides its own `valid` fixture: the default name plan
/// of the lab's zone is `api.<zone>`.
pub const API_ALIAS: &str = "api";

/// Where the lab's nginx serves its `valid` fixture and aliases (`lab/lab.sh`'s fixtures table):
/// the demo instance's public address is mapped here before the lab is up.
pub const SERVED_AT: Ipv4Addr = Ipv4Addr::new(127, 0, 2, 1);

/// The tools the lab needs (Debian packages; `scripts/setup.sh` installs them).
const TOOLS: [&str; 4] = ["nginx", "pebble", "dnsmasq", "certbot"];

/// What `lab.sh up` reports in `lab.env`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabEnv {
    pub dns: SocketAddr,
    pub ca_bundle: PathBuf,
    pub http_port: u16,
    pub https_port: u16,
    pub zone: String,
    /// Where the lab's nginx serves the names below (a loopback address).
    pub served_at: Ipv4Addr,
    /// The names the lab's nginx serves with its real certificate.
    pub names: Vec<String>,
}

impl LabEnv {
    /// `lab.env`: `KEY=value` lines, values shell-quoted by `printf %q` (backslash escapes).
    pub fn parse(text: &str) -> Result<LabEnv, String> {
        let vars: HashMap<&str, String> =
            text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.trim(), unquote(v.trim()))).collect();
        let get = |k: &str| vars.get(k).cloned().ok_or_else(|| format!("lab.env has no {k}"));
        let port = |k: &str| get(k)?.parse::<u16>().map_err(|_| format!("lab.env: {k} is not a port"));
        Ok(LabEnv {
            dns: get("LAB_DNS")?.parse().map_err(|_| "lab.env: LAB_DNS is not an address".to_string())?,
            ca_bundle: PathBuf::from(get("LAB_CA_BUNDLE")?),
            http_port: port("LAB_HTTP_PORT")?,
            https_port: port("LAB_HTTPS_PORT")?,
            zone: get("LAB_ZONE")?,
            served_at: get("LAB_VALID_ADDR")?.parse().map_err(|_| "lab.env: LAB_VALID_ADDR".to_string())?,
            names: get("LAB_VALID_NAMES")?.split_whitespace().map(str::to_string).collect(),
        })
    }
}

/// `printf %q`'s quoting of plain paths and words: backslash escapes, or `$'..'` / `'..'`.
fn unquote(v: &str) -> String {
    let v = v.strip_prefix("$'").and_then(|r| r.strip_suffix('\'')).unwrap_or(v);
    let v = v.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')).unwrap_or(v);
    let mut out = String::with_capacity(v.len());
    let mut chars = v.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Why the stand-in is not there; said once at start, in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoLab {
    MissingTools(Vec<String>),
    Failed(String),
}

impl NoLab {
    pub fn banner(&self) -> String {
        match self {
            NoLab::MissingTools(tools) => format!(
                "sandbox: the free path's HTTPS check runs against a local stand-in (nginx, pebble, dnsmasq, certbot), but {} is not installed: run scripts/setup.sh. Until then that check says what it cannot check here.\n샌드박스: 무료 경로의 HTTPS 점검은 로컬 대역(nginx, pebble, dnsmasq, certbot)으로 실행되는데 {}이(가) 설치되어 있지 않습니다. scripts/setup.sh를 실행하세요. 그 전까지 이 점검은 여기서 확인할 수 없는 것을 알려 줍니다.",
                tools.join(", "),
                tools.join(", ")
            ),
            NoLab::Failed(why) => format!(
                "sandbox: the local stand-in for the free path did not start ({why}). lockstep goes on without it: the free path's HTTPS check says what it cannot check here. Free the port (or set LAB_*_PORT) and start lockstep again to use it.\n샌드박스: 무료 경로용 로컬 대역이 시작되지 않았습니다({why}). lockstep은 대역 없이 계속합니다. 무료 경로의 HTTPS 점검은 여기서 확인할 수 없는 것을 알려 줍니다. 포트를 비우거나 LAB_*_PORT를 정한 뒤 lockstep을 다시 시작하면 대역을 씁니다."
            ),
        }
    }
}

/// The stand-in once it is up: what it reported and the doctor pointed at it.
pub type LabSlot = Arc<OnceLock<(LabEnv, Arc<dyn HttpsProbe>)>>;

/// Whether the lab can be started here at all (its tools and script), checked at start-up so
/// the one-line reason comes at once; the lab itself starts in the background.
pub fn preflight(script: &Path) -> Result<(), NoLab> {
    let missing: Vec<String> = TOOLS.iter().filter(|t| !on_path(t)).map(|t| t.to_string()).collect();
    if !missing.is_empty() {
        return Err(NoLab::MissingTools(missing));
    }
    if !script.is_file() {
        return Err(NoLab::Failed(format!("{} not found", script.display())));
    }
    Ok(())
}

/// A running lab that this server started (and stops).
pub struct SandboxLab {
    script: PathBuf,
    dir: PathBuf,
    pub env: LabEnv,
}

/// How long `lab.sh up` may take (measured 7-9 s; certbot alone may take up to 90).
const UP_TIMEOUT: Duration = Duration::from_secs(150);

impl SandboxLab {
    /// Starts the lab in `dir` (wiped first: it is this server's own) with `script`.
    pub async fn start(script: &Path, dir: &Path) -> Result<SandboxLab, NoLab> {
        preflight(script)?;
        if dir.exists() {
            // A lab left by a killed server: stop what its pid files name, then start afresh.
            let _ = run(script, "down", dir).await;
            let _ = std::fs::remove_dir_all(dir);
        }
        std::fs::create_dir_all(dir).map_err(|e| NoLab::Failed(format!("{}: {e}", dir.display())))?;
        let out = tokio::time::timeout(UP_TIMEOUT, run(script, "up", dir)).await;
        let ok = match out {
            Ok(Ok(o)) if o.status.success() => true,
            Ok(Ok(o)) => {
                let last = String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .rev()
                    .find(|l| l.contains("ERROR") || l.contains("error") || l.contains("taken") || l.contains("in use"))
                    .map(|l| l.trim().trim_start_matches("[lab]").trim().to_string())
                    .unwrap_or_else(|| "lab/lab.sh up failed".into());
                let _ = run(script, "down", dir).await;
                return Err(NoLab::Failed(last));
            }
            Ok(Err(e)) => return Err(NoLab::Failed(format!("could not run {}: {e}", script.display()))),
            Err(_) => false,
        };
        if !ok {
            let _ = run(script, "down", dir).await;
            return Err(NoLab::Failed(format!("not up within {} s", UP_TIMEOUT.as_secs())));
        }
        let text = std::fs::read_to_string(dir.join("lab.env")).map_err(|e| NoLab::Failed(format!("lab.env: {e}")))?;
        let env = LabEnv::parse(&text).map_err(NoLab::Failed)?;
        info!(zone = %env.zone, names = %env.names.join(" "), dns = %env.dns, https_port = env.https_port,
            "sandbox: the free path's stand-in is up (nginx + certbot certificate from a test CA, DNS for its zone)");
        Ok(SandboxLab { script: script.to_path_buf(), dir: dir.to_path_buf(), env })
    }

    /// Stops everything the lab started (its pid files) and removes its directory.
    pub async fn stop(self) {
        match run(&self.script, "down", &self.dir).await {
            Ok(o) if o.status.success() => {
                let _ = std::fs::remove_dir_all(&self.dir);
                info!("sandbox: the free path's stand-in is stopped");
            }
            _ => {
                warn!(dir = %self.dir.display(), "sandbox: stopping the free path's stand-in failed; lab/lab.sh down DIR stops it")
            }
        }
    }
}

fn on_path(tool: &str) -> bool {
    let dirs = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&dirs).chain(["/usr/sbin", "/sbin"].map(PathBuf::from)).any(|d| d.join(tool).is_file())
}

/// `bash script verb dir`, with serve's lab ports unless the environment sets them, and the
/// API alias.
async fn run(script: &Path, verb: &str, dir: &Path) -> std::io::Result<std::process::Output> {
    let mut cmd = Command::new("bash");
    cmd.arg(script).arg(verb).arg(dir).kill_on_drop(true);
    for (key, port) in SERVE_PORTS {
        if std::env::var_os(key).is_none() {
            cmd.env(key, port.to_string());
        }
    }
    cmd.env("LAB_VALID_ALIASES", API_ALIAS);
    cmd.stdin(std::process::Stdio::null()).output().await
}

/// The sandbox's HTTPS check with the lab: a name the lab serves is checked for real (the
/// doctor, through the lab's DNS, trusting the lab's CA, on its ports); any other name gets the
/// [`SandboxProbe`]'s "not checked in the sandbox" notes. The name servers are the sandbox
/// registrar's business (the lab's DNS is not Route 53), so that one check is a note too.
pub struct LabProbe {
    /// Empty until the lab is up (it starts in the background): until then, and when it never
    /// comes up, every name gets the sandbox's notes.
    lab: LabSlot,
    /// Public address -> the lab's address (the demo instance).
    address_map: Vec<(Ipv4Addr, Ipv4Addr)>,
}

impl LabProbe {
    pub fn new(lab: LabSlot, address_map: Vec<(Ipv4Addr, Ipv4Addr)>) -> Self {
        LabProbe { lab, address_map }
    }
}

fn serves(env: &LabEnv, host: Option<&str>) -> bool {
    host.is_some_and(|h| env.names.iter().any(|n| n.eq_ignore_ascii_case(h)))
}

#[async_trait]
impl HttpsProbe for LabProbe {
    async fn check(&self, target: &lockstep_doctor::Target) -> Report {
        let Some((env, doctor)) = self.lab.get().filter(|(env, _)| serves(env, target.url.host_str())) else {
            return SandboxProbe.check(target).await;
        };
        let mut t = target.clone();
        if t.url.scheme() == "https" {
            let _ = t.url.set_port(Some(env.https_port));
        }
        t.http_port = env.http_port;
        t.https_port = env.https_port;
        // The instance's public address is served at the lab's: both count as "the instance".
        let local: Vec<String> = t
            .expect
            .iter()
            .filter_map(|e| e.parse::<Ipv4Addr>().ok())
            .flat_map(|ip| self.address_map.iter().filter(move |(p, _)| *p == ip).map(|(_, l)| l.to_string()))
            .collect();
        t.expect.extend(local);
        let mut notes = Vec::new();
        if let Some(o) = t.origin.clone().filter(|o| !serves(env, o.host_str())) {
            // The frontend (CloudFront in the emulator) is not served by the stand-in.
            notes.extend(skipped(o.host_str().unwrap_or_default()));
            t.origin = None;
        }
        let mut report = doctor.check(&t).await;
        let host = target.url.host_str().unwrap_or_default().to_string();
        if report.findings.iter().any(|f| f.check == "dns.ns") {
            report.findings.retain(|f| f.check != "dns.ns");
            report.findings.push(name_servers_note(&host));
        }
        report.findings.extend(notes);
        report.target = target.url.to_string();
        report.origin = target.origin.as_ref().map(|o| o.to_string());
        report
    }
}

/// The name-server check, as a note: in the sandbox the registrar is a stand-in.
fn name_servers_note(host: &str) -> Finding {
    Finding::new("sandbox.ns", "sandbox", Area::Dns, host, Verdict::Skip)
        .title(format!("Not checked in the sandbox: the name servers of {host}'s domain"))
        .why("In the sandbox the registrar is a stand-in: the local DNS server answers for the zone directly, with no delegation from a parent to compare.")
        .fix(format!("Nothing to fix here. With your real AWS account this check compares the name servers the world sees for {host}'s domain with the hosted zone's."))
        .ko(
            format!("샌드박스에서는 확인하지 않음: {host} 도메인의 네임서버"),
            "샌드박스의 등록 기관은 대역입니다. 로컬 DNS 서버가 존을 직접 응답하므로 비교할 상위 위임이 없습니다.",
            format!("고칠 것은 없습니다. 실제 AWS 계정으로 실행하면 이 점검은 세상이 보는 {host} 도메인의 네임서버를 호스팅 영역의 것과 비교합니다."),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lab_env_is_read_with_its_shell_quoting() {
        let text = "LAB_DNS=127.0.0.1:25353\nLAB_CA_BUNDLE=/tmp/my\\ data/lab/ca-bundle.pem\nLAB_HTTP_PORT=28080\nLAB_HTTPS_PORT=28443\nLAB_ZONE=student.test\nLAB_VALID_ADDR=127.0.2.1\nLAB_VALID_NAMES=valid.student.test\\ api.student.test\n";
        let env = LabEnv::parse(text).unwrap();
        assert_eq!(env.dns, "127.0.0.1:25353".parse().unwrap());
        assert_eq!(env.ca_bundle, PathBuf::from("/tmp/my data/lab/ca-bundle.pem"));
        assert_eq!(env.names, ["valid.student.test", "api.student.test"]);
        assert_eq!((env.http_port, env.https_port), (28080, 28443));
        assert!(LabEnv::parse("LAB_DNS=127.0.0.1:1\n").unwrap_err().contains("LAB_CA_BUNDLE"));
        assert_eq!(unquote("$'a\\'b'"), "a'b");
    }

    #[test]
    fn the_banner_says_what_is_missing_and_what_to_run_in_both_languages() {
        let b = NoLab::MissingTools(vec!["pebble".into(), "dnsmasq".into()]).banner();
        assert!(b.contains("pebble, dnsmasq is not installed") && b.contains("scripts/setup.sh"), "{b}");
        assert!(b.contains("설치되어 있지 않습니다"), "{b}");
        let b = NoLab::Failed("port 28443 is taken".into()).banner();
        assert!(b.contains("port 28443 is taken") && b.contains("goes on without it"), "{b}");
    }

    #[tokio::test]
    async fn without_its_script_or_tools_the_stand_in_is_refused_in_words() {
        let dir = std::env::temp_dir().join(format!("lockstep-nolab-{}", std::process::id()));
        let Err(why) = SandboxLab::start(Path::new("/nonexistent/lab.sh"), &dir).await else {
            panic!("a lab started from a script that does not exist")
        };
        let banner = why.banner();
        assert!(banner.contains("/nonexistent/lab.sh not found") || banner.contains("is not installed"), "{banner}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A probe that records the target it was given and passes everything.
    struct Seen(std::sync::Mutex<Option<lockstep_doctor::Target>>);

    #[async_trait]
    impl HttpsProbe for Seen {
        async fn check(&self, t: &lockstep_doctor::Target) -> Report {
            *self.0.lock().unwrap() = Some(t.clone());
            let host = t.url.host_str().unwrap_or_default();
            Report {
                target: t.url.to_string(),
                origin: None,
                checked_at: String::new(),
                millis: 1,
                findings: vec![
                    Finding::new("dns.ns", "not_delegated", Area::Dns, host, Verdict::Fail),
                    Finding::new("tls.certificate", "ok", Area::Tls, host, Verdict::Pass),
                ],
            }
        }
    }

    #[tokio::test]
    async fn a_name_the_lab_serves_is_checked_for_real_on_its_ports_and_others_are_notes() {
        let env = LabEnv {
            dns: "127.0.0.1:25353".parse().unwrap(),
            ca_bundle: "/x".into(),
            http_port: 28080,
            https_port: 28443,
            zone: "student.test".into(),
            served_at: Ipv4Addr::new(127, 0, 2, 1),
            names: vec!["valid.student.test".into(), "api.student.test".into()],
        };
        let seen = Arc::new(Seen(Default::default()));
        let map = vec![(Ipv4Addr::new(54, 180, 1, 3), SERVED_AT)];
        let slot = LabSlot::default();
        let probe = LabProbe::new(slot.clone(), map);
        let mut t = lockstep_doctor::Target::new(lockstep_doctor::parse_url("https://api.student.test/").unwrap());
        t.origin = Some(lockstep_doctor::parse_url("https://www.student.test").unwrap());
        t.expect = vec!["54.180.1.3".into()];
        // Before the lab is up: the sandbox's notes, the doctor not called.
        let report = probe.check(&t).await;
        assert!(seen.0.lock().unwrap().is_none());
        assert_eq!((report.count(Verdict::Fail), report.count(Verdict::Pass)), (0, 0));
        let _ = slot.set((env, seen.clone()));
        let report = probe.check(&t).await;
        let sent = seen.0.lock().unwrap().clone().unwrap();
        assert_eq!(sent.url.port(), Some(28443));
        assert_eq!((sent.http_port, sent.https_port), (28080, 28443));
        assert_eq!(sent.expect, ["54.180.1.3", "127.0.2.1"]);
        assert!(sent.origin.is_none(), "the frontend is not the stand-in's");
        assert_eq!(report.count(Verdict::Fail), 0, "the name-server check is a note: {:?}", report.findings);
        assert_eq!(report.count(Verdict::Pass), 1);
        assert!(report.findings.iter().any(|f| f.check == "sandbox.ns"));
        assert!(report.findings.iter().any(|f| f.subject == "www.student.test" && f.verdict == Verdict::Skip));
        assert_eq!(report.target, "https://api.student.test/", "the report names the URL as the student knows it");

        // A name the lab does not serve: the sandbox's notes, the doctor never called.
        *seen.0.lock().unwrap() = None;
        let other = lockstep_doctor::Target::new(lockstep_doctor::parse_url("https://api.lockstep-demo.com/").unwrap());
        let report = probe.check(&other).await;
        assert!(seen.0.lock().unwrap().is_none());
        assert_eq!(report.count(Verdict::Fail), 0);
        assert!(report.count(Verdict::Skip) > 0);
    }
}
