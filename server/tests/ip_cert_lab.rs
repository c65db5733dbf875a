//! The free path's third way (issue 24), proven on the HTTPS lab: a certificate for an IP
//! address from an ACME CA, with the text lockstep generates.
//!
//! * The CA is the lab's pebble (`LOCKSTEP_LAB_DIR`, or a lab of its own like instance_https_lab).
//!   pebble validates HTTP-01 on its configured `httpPort` (the lab's 18080) at the address in
//!   the identifier, so this test's own nginx listens on its own loopback address 127.0.30.1:
//!   port 18080 there (HTTP-01), 30443 for HTTPS; nothing on the lab's own addresses.
//! * certbot is the one from the Python package index that scripts/setup.sh installs in its own
//!   venv ($LOCKSTEP_CACHE/certbot-venv, pinned [`CERTBOT_VERSION`]): the same version the
//!   generated script installs on the instance. Debian's certbot (2.1) has no `--ip-address`.
//! * What runs is lockstep's text: [`ip_site_config`] (plain, then with TLS) with the listen
//!   values and paths of the lab, and [`ip_certbot_command`] as bash splits it (through a `sudo`
//!   that prints its words), with only `--server` and certbot's three directories added. The
//!   OS package install and systemd are the parts not run here.
//! * Then the doctor checks https://127.0.30.1:30443 (the IP SAN, the chain to pebble's root,
//!   expiry), and a renewal replaces the certificate (`certbot renew --force-renewal`, whose
//!   stored deploy hook reloads nginx; see below for pebble), and the doctor sees the new
//!   notAfter (`tls.expiry`'s `expires_at_ms`); the serial on disk changes too.
//!
//! What pebble 2.4 (Debian) does, seen on every run here:
//! * IP identifiers: accepted; HTTP-01 is fetched from http://127.0.30.1:18080 and the
//!   certificate carries `IP Address:127.0.30.1` as its SAN.
//! * Profiles: none (its directory has no `meta.profiles`): certbot's `--preferred-profile
//!   shortlived` falls back to the CA's default, as lockstep's command intends (`--required-profile`
//!   would fail here); the leaf lives pebble's default 5 years, not 6 days.
//! * ARI: none (no `renewalInfo` in its directory); certbot then renews by lifetime.
//! * It also writes the IP into the subject's Common Name. certbot 5.8 reads a CN as a DNS name
//!   (`san.from_x509` -> `enforce_domain_sanity`; certbot/certbot#10773, still so in 5.8.0): `certonly` saves the certificate and then stops
//!   with "Requested name 127.0.30.1 is an IP address..." (exit 1, deploy hook not run), and
//!   `certbot renew` skips the lineage as a parse failure. Let's Encrypt's shortlived certificates
//!   carry no CN, so on an instance neither happens; here the test accepts exactly that message
//!   (only with the certificate saved), and when `certbot renew` refuses the lineage for it, renews
//!   the equivalent way: lineage removed, lockstep's certbot command run again, nginx reloaded
//!   with the deploy hook's command. A CA without the CN takes the `certbot renew` branch.
//!
//! Every process the test starts is stopped by its PID when the test ends, also on failure.

mod common;

use lockstep_doctor::doctor::{Report, Verdict};
use lockstep_doctor::lab::Lab;
use lockstep_doctor::Target;
use lockstep_domain::contact::Email;
use lockstep_domain::ipcert::{ip_certbot_command, ip_site_config, IpSite, CERTBOT_VERSION, CERT_NAME};
use lockstep_domain::nginx::Listen;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const IP: Ipv4Addr = Ipv4Addr::new(127, 0, 30, 1);
const HTTPS_PORT: u16 = 30443;

fn nginx_bin() -> &'static str {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or_else(|| panic!("nginx is not installed: run scripts/setup.sh"))
}

/// certbot from the Python package index, in the venv scripts/setup.sh makes.
fn certbot_bin() -> PathBuf {
    let cache = std::env::var_os("LOCKSTEP_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/lockstep"));
    let bin = cache.join("certbot-venv/bin/certbot");
    let v = Command::new(&bin).arg("--version").output();
    let said = v.as_ref().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default();
    assert_eq!(
        said,
        format!("certbot {CERTBOT_VERSION}"),
        "{} is not certbot {CERTBOT_VERSION} (IP certificates need certbot 5.3 or later): run scripts/setup.sh",
        bin.display()
    );
    bin
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn wait_for(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ok() {
        assert!(Instant::now() < deadline, "{what}: not ready after {secs} s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn http_get(addr: &str, path: &str) -> Option<String> {
    let addr: SocketAddr = addr.parse().ok()?;
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {IP}\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

/// This test's nginx under a temp dir; stopped (TERM, then KILL) when dropped.
struct OwnNginx {
    dir: tempfile::TempDir,
    child: Option<Child>,
}

impl OwnNginx {
    fn conf(&self) -> PathBuf {
        self.dir.path().join("nginx.conf")
    }
    fn new() -> OwnNginx {
        let dir = tempfile::tempdir().unwrap();
        for d in ["conf.d", "tmp", "logs", "webroot"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        let d = dir.path().display();
        let root = std::fs::read_to_string("/proc/self/status")
            .is_ok_and(|s| s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0")));
        let conf = format!(
            "# written by ip_cert_lab.rs; started with -g 'daemon off;'\n{user}worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/logs/nginx-error.log notice;\nevents {{ worker_connections 256; }}\nhttp {{\n    access_log {d}/logs/nginx-access.log;\n    client_body_temp_path {d}/tmp/body;\n    proxy_temp_path {d}/tmp/proxy;\n    fastcgi_temp_path {d}/tmp/fastcgi;\n    uwsgi_temp_path {d}/tmp/uwsgi;\n    scgi_temp_path {d}/tmp/scgi;\n    include {d}/conf.d/*.conf;\n}}\n",
            user = if root { "user root;\n" } else { "" },
        );
        std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
        OwnNginx { dir, child: None }
    }
    fn write_site(&self, site: &str) {
        std::fs::write(self.dir.path().join("conf.d/lockstep-ip.conf"), site).unwrap();
        let t = Command::new(nginx_bin()).arg("-c").arg(self.conf()).arg("-t").output().unwrap();
        assert!(t.status.success(), "nginx -t:\n{}\n{site}", text(&t));
    }
    fn start(&mut self) {
        let log = std::fs::File::create(self.dir.path().join("logs/nginx.log")).unwrap();
        let child = Command::new(nginx_bin())
            .arg("-c")
            .arg(self.conf())
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start nginx");
        self.child = Some(child);
    }
    fn reload_command(&self) -> String {
        format!("{} -c {} -s reload", nginx_bin(), self.conf().display())
    }
}

impl Drop for OwnNginx {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            common::nginx_lab::stop(child);
        }
    }
}

/// lockstep's certbot command as bash splits it (its values are quoted), without `sudo`.
fn command_words(cmd: &str) -> Vec<String> {
    let out =
        Command::new("bash").arg("-c").arg(format!("sudo() {{ printf '%s\\0' \"$@\"; }}\n{cmd}")).output().unwrap();
    assert!(out.status.success(), "{cmd}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).split_terminator('\0').map(str::to_string).collect()
}

/// Run certbot with `args` and the lab-only additions: the CA, and this test's directories.
fn certbot(lab: &Lab, nginx: &OwnNginx, args: &[String]) -> Output {
    let cb = nginx.dir.path().join("certbot");
    let t0 = Instant::now();
    let out = Command::new("timeout")
        .arg("180")
        .args(args)
        .args(["--server", lab.var("LAB_PEBBLE_DIR_URL")])
        .arg("--config-dir")
        .arg(cb.join("config"))
        .arg("--work-dir")
        .arg(cb.join("work"))
        .arg("--logs-dir")
        .arg(cb.join("logs"))
        .env("REQUESTS_CA_BUNDLE", lab.var("LAB_PEBBLE_LISTENER_CA"))
        .env_remove("SSL_CERT_FILE")
        .env_remove("CURL_CA_BUNDLE")
        .stdin(Stdio::null())
        .output()
        .expect("run certbot");
    eprintln!("certbot {}: exit {:?} in {:.1} s", args[1..].join(" "), out.status.code(), t0.elapsed().as_secs_f64());
    out
}

fn doctor_check(lab: &Lab) -> Report {
    let doctor = lockstep_server::https_doctor(Some(lab.dns()), Some(&lab.ca_bundle()))
        .expect("the doctor")
        .allow_private_targets();
    let mut t = Target::new(format!("https://{IP}:{HTTPS_PORT}/").parse().unwrap());
    t.http_port = lab.http_port();
    t.https_port = HTTPS_PORT;
    t.health_path = Some("/health".into());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(doctor.check(&t))
}

fn finding<'a>(r: &'a Report, check: &str) -> &'a lockstep_doctor::doctor::Finding {
    r.findings
        .iter()
        .find(|f| f.check == check)
        .unwrap_or_else(|| panic!("no {check} finding in {}", serde_json::to_string_pretty(r).unwrap()))
}

fn assert_pass(r: &Report, check: &str) {
    let f = finding(r, check);
    assert_eq!(
        f.verdict,
        Verdict::Pass,
        "{check}: {} {:?}\n{}",
        f.title,
        f.evidence,
        serde_json::to_string_pretty(r).unwrap()
    );
}

/// The leaf's notAfter as the doctor reports it (Unix ms).
fn not_after(r: &Report) -> i64 {
    finding(r, "tls.expiry").expires_at_ms.expect("tls.expiry carries the notAfter")
}

fn openssl(args: &[&str], file: &Path) -> String {
    let o = Command::new("openssl").args(args).arg("-in").arg(file).output().expect("openssl");
    text(&o)
}

#[test]
fn an_ip_certificate_from_the_lab_ca_with_lockstep_s_script_text_then_doctor_then_renewal() {
    let lab = Lab::start().expect("the HTTPS lab (lab/lab.sh; packages from scripts/setup.sh)");
    let certbot_path = certbot_bin();
    let backend: u16 = lab.var("LAB_BACKEND").rsplit(':').next().unwrap().parse().unwrap();
    let http = format!("{IP}:{}", lab.http_port());
    let mut nginx = OwnNginx::new();
    let live = nginx.dir.path().join("certbot/config/live").join(CERT_NAME);
    let webroot = nginx.dir.path().join("webroot");
    let site = IpSite::new(IP, backend)
        .with_listen(Listen::parse(&http).unwrap(), Listen::parse(&format!("{IP}:{HTTPS_PORT}")).unwrap())
        .with_paths(
            &certbot_path.display().to_string(),
            &live.display().to_string(),
            &webroot.display().to_string(),
            &nginx.reload_command(),
        )
        .expect("the lab's paths");

    // 1. lockstep's site before the certificate: the challenge directory and the app.
    nginx.write_site(&ip_site_config(&site, false));
    nginx.start();
    wait_for("this test's nginx", 10, || http_get(&http, "/health").is_some_and(|r| r.starts_with("HTTP/1.1 200")));

    // 2. lockstep's certbot command (webroot, --ip-address, the short-lived profile, the hook).
    let words = command_words(&ip_certbot_command(&site, &Email::parse("lab@student.test").unwrap(), false));
    assert_eq!(words[0], certbot_path.display().to_string());
    for w in ["--ip-address", "--preferred-profile", "shortlived", "--deploy-hook", "--webroot"] {
        assert!(words.contains(&w.to_string()), "{w}: {words:?}");
    }
    let issued = certbot(&lab, &nginx, &words);
    let cert = live.join("cert.pem");
    // pebble 2.4 writes the IP into the subject's CN; certbot 5.8 reads a CN as a DNS name and
    // stops with this message after saving the certificate (before the deploy hook).
    // Let's Encrypt's shortlived certificates carry no CN, so this is the lab CA's, not the
    // instance's (seen on every run here; module docs).
    let pebble_cn =
        |o: &Output| text(o).contains("is an IP address. The Let's Encrypt certificate authority will not issue");
    assert!(issued.status.success() || (pebble_cn(&issued) && cert.exists()), "certbot failed:\n{}", text(&issued));
    if !issued.status.success() {
        eprintln!("certbot stopped after saving the certificate (pebble's CN = the IP): {}", text(&issued).trim());
    }
    let log = std::fs::read_to_string(nginx.dir.path().join("certbot/logs/letsencrypt.log")).unwrap_or_default();
    // pebble 2.4 offers no profiles (its directory has no meta.profiles): --preferred-profile
    // falls back to the CA's default (--required-profile would fail here).
    let profile_lines: Vec<&str> = log.lines().filter(|l| l.to_ascii_lowercase().contains("profile")).collect();
    eprintln!("certbot's log on the profile: {profile_lines:#?}");
    let san = openssl(&["x509", "-noout", "-ext", "subjectAltName"], &cert);
    assert!(san.contains(&format!("IP Address:{IP}")), "the certificate names the IP: {san}");
    eprintln!("issued: {}", san.split_whitespace().collect::<Vec<_>>().join(" "));

    // 3. lockstep's site with TLS; the doctor passes on https://<ip>.
    nginx.write_site(&ip_site_config(&site, true));
    let reload = Command::new("sh").arg("-c").arg(nginx.reload_command()).output().unwrap();
    assert!(reload.status.success(), "{}", text(&reload));
    let first_serial = openssl(&["x509", "-noout", "-serial"], &cert);
    let mut first = None;
    wait_for("nginx serving the IP certificate, passing the doctor", 20, || {
        let r = doctor_check(&lab);
        // http.redirect too: until the reload's old workers have gone, port 80 may still answer
        // with the site before TLS (seen: 200 instead of 301).
        let ok = ["tls.handshake", "tls.certificate", "tls.expiry", "http.redirect"]
            .iter()
            .all(|c| r.findings.iter().any(|f| f.check == *c && f.verdict == Verdict::Pass));
        if ok {
            first = Some(r);
        }
        ok
    });
    let first = first.expect("a passing report");
    for check in ["tls.handshake", "tls.certificate", "tls.expiry", "http.redirect", "proxy.health"] {
        if first.findings.iter().any(|f| f.check == check) {
            assert_pass(&first, check);
        }
    }
    eprintln!("doctor https://{IP}:{HTTPS_PORT}: {}", first.summary());
    let before = not_after(&first);

    // 4. Renewal, the way the timer runs it (plus --force-renewal: the certificate is not due):
    // the stored deploy hook reloads nginx; the doctor sees the new certificate.
    std::thread::sleep(Duration::from_millis(1100)); // notAfter has whole seconds
    let renew_args: Vec<String> = vec![
        certbot_path.display().to_string(),
        "renew".into(),
        "--force-renewal".into(),
        "--cert-name".into(),
        CERT_NAME.into(),
    ];
    let renew = certbot(&lab, &nginx, &renew_args);
    if renew.status.success() {
        let log = std::fs::read_to_string(nginx.dir.path().join("certbot/logs/letsencrypt.log")).unwrap_or_default();
        assert!(log.contains("deploy-hook"), "the stored deploy hook ran on renewal:\n{}", text(&renew));
    } else {
        // The same pebble CN: certbot refuses to load the lineage ("references a certificate
        // that contains an invalid domain name ... parse failure"). The equivalent here: the
        // lineage removed and lockstep's certbot command run again (a new certificate at the
        // same path), then nginx reloaded with the command the deploy hook holds.
        assert!(
            text(&renew).contains("invalid domain name") && text(&renew).contains("is an IP address"),
            "certbot renew failed for another reason:\n{}",
            text(&renew)
        );
        eprintln!(
            "certbot renew refused pebble's certificate (CN = the IP): re-issuing with lockstep's command instead"
        );
        let config = nginx.dir.path().join("certbot/config");
        for d in ["live", "archive"] {
            std::fs::remove_dir_all(config.join(d).join(CERT_NAME)).unwrap();
        }
        std::fs::remove_file(config.join("renewal").join(format!("{CERT_NAME}.conf"))).unwrap();
        let again = certbot(&lab, &nginx, &words);
        assert!(again.status.success() || (pebble_cn(&again) && cert.exists()), "{}", text(&again));
        let reload = Command::new("sh").arg("-c").arg(nginx.reload_command()).output().unwrap();
        assert!(reload.status.success(), "{}", text(&reload));
    }
    let second_serial = openssl(&["x509", "-noout", "-serial"], &cert);
    assert_ne!(first_serial, second_serial, "a new certificate on disk");
    let mut after = before;
    wait_for("the doctor to see the renewed certificate", 20, || {
        after = not_after(&doctor_check(&lab));
        after != before
    });
    assert!(after > before, "the renewed certificate ends later: {before} -> {after}");
    eprintln!("renewal: notAfter {before} -> {after} (ms), serial {} -> {}", first_serial.trim(), second_serial.trim());
}
