//! lockstep's free path (its generated nginx site + its `certbot --nginx` command) against a
//! real nginx, certbot and ACME CA (pebble), and what lockstep says when it breaks.
//!
//! * On loopback, with the HTTPS lab (`lab/lab.sh`, reused through `LOCKSTEP_LAB_DIR`): this
//!   test's own nginx on 127.0.20.1 (the lab's ports 18080/18443, because pebble's httpPort is
//!   18080) serves `site_config`; certbot gets a real certificate through it (HTTP-01); the
//!   doctor passes; then port 80 closed, an nginx typo, a name not in DNS, a name caught by
//!   another server block, proxy_pass to a closed port and a failing health path, each with
//!   lockstep's diagnosis. certbot runs `certonly` here: its installer would write
//!   `listen 18443 ssl` on every address (taken by the lab's nginx) and adds the redirect only
//!   to port-80 server blocks (both seen in the lab), so the test writes the HTTPS server and
//!   the redirect the way certbot writes them on an instance ([`with_tls`]).
//! * In a network namespace (root only; skipped with the reason otherwise): nginx on the real
//!   ports 80/443, its own pebble, dnsmasq and backend, and lockstep's exact
//!   `certbot --nginx ... --redirect` command (only `--server` and directories added), which
//!   edits the site as on a student's instance; then `lockstep doctor` from inside.
//!
//! Every process a test starts is stopped by its PID when the test ends, also on failure.

use lockstep_doctor::doctor::{Report, Verdict};
use lockstep_doctor::lab::{repo_root, Lab};
use lockstep_doctor::Target;
use lockstep_domain::contact::Email;
use lockstep_domain::nginx::{certbot_command, site_config, Listen, SiteSpec};
use lockstep_domain::nginx_diagnose::explain_script_failure;
use lockstep_domain::{DomainName, UserError};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const EMAIL: &str = "lab@student.test";
/// This test's own address on loopback (the lab uses 127.0.2.1 .. 127.0.16.1).
const IP: &str = "127.0.20.1";
const FREE: &str = "free.student.test";
/// In DNS at 127.0.21.1, where nothing listens: port 80 closed.
const CLOSED: &str = "free-closed.student.test";
/// In DNS at free's address; its own server block listens on 127.0.22.1.
const STRAY: &str = "stray.student.test";
const STRAY_LISTEN: &str = "127.0.22.1:18080";
/// Not in DNS (NXDOMAIN).
const MISSING: &str = "missing.student.test";

fn bin(candidates: &[&'static str], what: &str) -> &'static str {
    candidates.iter().copied().find(|p| Path::new(p).exists()).unwrap_or_else(|| {
        panic!("{what} is not installed (looked for {candidates:?}): run scripts/setup.sh (apt-get install -y nginx certbot python3-certbot-nginx pebble dnsmasq bind9-dnsutils)")
    })
}
fn nginx_bin() -> &'static str {
    bin(&["/usr/sbin/nginx", "/usr/bin/nginx"], "nginx")
}
fn certbot_bin() -> &'static str {
    bin(&["/usr/bin/certbot", "/usr/local/bin/certbot"], "certbot (with python3-certbot-nginx)")
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .is_ok_and(|s| s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0")))
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn name(s: &str) -> DomainName {
    DomainName::parse(s).expect("a valid name")
}

fn wait_for(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ok() {
        assert!(Instant::now() < deadline, "{what}: not ready after {secs} s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Stop a process this test started: TERM, then KILL after 8 s; reaped by `wait`.
fn stop(child: &mut Child) {
    if child.try_wait().ok().flatten().is_some() {
        return;
    }
    let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
    let deadline = Instant::now() + Duration::from_secs(8);
    while Instant::now() < deadline {
        if child.try_wait().ok().flatten().is_some() {
            return;
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn log_file(dir: &Path, name: &str) -> Stdio {
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    Stdio::from(std::fs::File::create(dir.join("logs").join(format!("{name}.log"))).unwrap())
}

/// The certbot command lockstep gives the student, as program + arguments (without `sudo`):
/// the words bash makes of it (its values are quoted), read through a `sudo` that prints them.
fn lockstep_certbot_args(spec: &SiteSpec) -> Vec<String> {
    let cmd = certbot_command(spec, &Email::parse(EMAIL).expect("a valid e-mail"), false);
    let out = Command::new("bash")
        .arg("-c")
        .arg(format!("sudo() {{ printf '%s\\0' \"$@\"; }}\n{cmd}"))
        .output()
        .expect("run bash");
    assert!(out.status.success(), "{cmd}: {}", String::from_utf8_lossy(&out.stderr));
    let mut words: Vec<String> =
        String::from_utf8_lossy(&out.stdout).split_terminator('\0').map(str::to_string).collect();
    assert_eq!(words.first().map(String::as_str), Some("certbot"), "{cmd}");
    words.remove(0);
    words
}

/// The main nginx.conf of an "instance" under `dir`; sites in `dir/conf.d/*.conf`.
/// `extra` goes into `http {}` before the sites.
fn main_conf(dir: &Path, extra: &str) -> String {
    let d = dir.display();
    format!(
        "# written by instance_https_lab.rs; started with -g 'daemon off;'\n{user}worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/logs/nginx-error.log notice;\nevents {{ worker_connections 256; }}\nhttp {{\n    access_log {d}/logs/nginx-access.log;\n    client_body_temp_path {d}/tmp/body;\n    proxy_temp_path {d}/tmp/proxy;\n    fastcgi_temp_path {d}/tmp/fastcgi;\n    uwsgi_temp_path {d}/tmp/uwsgi;\n    scgi_temp_path {d}/tmp/scgi;\n    server_names_hash_bucket_size 64;\n{extra}    include {d}/conf.d/*.conf;\n}}\n",
        // the files live in a 0700 temp dir
        user = if is_root() { "user root;\n" } else { "" },
    )
}

/// What `certbot --nginx --redirect` makes of lockstep's site on an instance (the namespace
/// test shows it for real): the server block gets `listen ... ssl` and the certificate, and a
/// new block on the HTTP listen answers 301 to https. Written here for loopback, where
/// certbot's installer cannot (module docs). The HTTPS port is not 443, so it is in the URL.
fn with_tls(site: &str, spec: &SiteSpec, https_listen: &str, live: &Path) -> String {
    let http_listen = format!("listen {};", spec.listen());
    assert!(site.contains(&http_listen), "{site}");
    let https_port = https_listen.rsplit(':').next().unwrap();
    let tls = format!(
        "listen {https_listen} ssl;\n    ssl_certificate {live}/fullchain.pem;\n    ssl_certificate_key {live}/privkey.pem;",
        live = live.display()
    );
    format!(
        "{}\nserver {{\n    {http_listen}\n    server_name {};\n    return 301 https://$host:{https_port}$request_uri;\n}}\n",
        site.replacen(&http_listen, &tls, 1),
        spec.server_names()
    )
}

/// Minimal HTTP/1.0 GET to an address, for readiness probes.
fn http_get(addr: &str, host: &str, path: &str) -> Option<String> {
    let addr: SocketAddr = addr.parse().ok()?;
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_millis(500)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

// --- loopback, with the lab -------------------------------------------------------------------

/// This test's nginx: its own config, pid, logs and temp paths under a temp dir, on 127.0.20.1.
struct OwnNginx {
    dir: tempfile::TempDir,
    child: Child,
    generation: u32,
}

impl OwnNginx {
    /// A probe server on 127.0.20.1:18081 answers the config's generation, so a reload is
    /// known to be live (and not still served by the old workers).
    fn conf(dir: &Path, generation: u32) -> String {
        main_conf(
            dir,
            &format!(
                "    server {{\n        listen {IP}:18081;\n        location = /generation {{ return 200 \"{generation}\"; }}\n    }}\n"
            ),
        )
    }

    fn start(sites: &[(&str, String)]) -> OwnNginx {
        let dir = tempfile::tempdir().unwrap();
        for d in ["conf.d", "tmp", "logs"] {
            std::fs::create_dir_all(dir.path().join(d)).unwrap();
        }
        write_sites(dir.path(), sites);
        std::fs::write(dir.path().join("nginx.conf"), Self::conf(dir.path(), 1)).unwrap();
        let (ok, out) = nginx_t(dir.path());
        assert!(ok, "nginx -t: {out}");
        let child = Command::new(nginx_bin())
            .arg("-c")
            .arg(dir.path().join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .stdin(Stdio::null())
            .stdout(log_file(dir.path(), "nginx"))
            .stderr(log_file(dir.path(), "nginx"))
            .spawn()
            .expect("start nginx");
        let mut n = OwnNginx { dir, child, generation: 1 };
        n.wait_generation();
        n
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn wait_generation(&mut self) {
        let want = self.generation.to_string();
        let log = self.path().join("logs/nginx-error.log");
        let child = &mut self.child;
        wait_for("this test's nginx", 10, || {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("nginx exited ({status}): {}", std::fs::read_to_string(&log).unwrap_or_default());
            }
            http_get(&format!("{IP}:18081"), "probe", "/generation").is_some_and(|r| r.ends_with(&want))
        });
    }

    /// Replace the sites, check with `nginx -t`, reload, and wait until the new config answers.
    fn set_sites(&mut self, sites: &[(&str, String)]) {
        write_sites(self.path(), sites);
        self.generation += 1;
        std::fs::write(self.path().join("nginx.conf"), Self::conf(self.path(), self.generation)).unwrap();
        let (ok, out) = nginx_t(self.path());
        assert!(ok, "nginx -t: {out}");
        let master = self.child.id();
        let old_workers = children_of(master);
        let o = Command::new(nginx_bin())
            .arg("-c")
            .arg(self.path().join("nginx.conf"))
            .args(["-s", "reload"])
            .output()
            .unwrap();
        assert!(o.status.success(), "nginx -s reload: {:?}", text(&o));
        self.wait_generation();
        // The old workers keep accepting on the shared sockets until they have shut down.
        wait_for("nginx's old workers to exit after the reload", 10, || {
            let now = children_of(master);
            old_workers.iter().all(|w| !now.contains(w))
        });
    }
}

impl Drop for OwnNginx {
    fn drop(&mut self) {
        stop(&mut self.child);
    }
}

/// Live (not zombie) child processes of `parent`, from /proc.
fn children_of(parent: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else { continue };
        // "pid (comm) state ppid ...": comm may contain spaces, so split after the last ')'.
        let mut f = stat.rsplit_once(") ").map(|(_, r)| r).unwrap_or("").split_whitespace();
        let (state, ppid) = (f.next(), f.next().and_then(|p| p.parse::<u32>().ok()));
        if ppid == Some(parent) && state != Some("Z") {
            out.push(pid);
        }
    }
    out
}

fn write_sites(dir: &Path, sites: &[(&str, String)]) {
    for e in std::fs::read_dir(dir.join("conf.d")).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    for (stem, text) in sites {
        std::fs::write(dir.join("conf.d").join(format!("{stem}.conf")), text).unwrap();
    }
}

fn nginx_t(dir: &Path) -> (bool, String) {
    let o = Command::new(nginx_bin()).arg("-c").arg(dir.join("nginx.conf")).arg("-t").output().unwrap();
    (o.status.success(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn loopback_spec(names: &[&str], app_port: u16, listen: &str) -> SiteSpec {
    SiteSpec::new(names.iter().map(|n| name(n)).collect(), app_port, "free")
        .expect("a site for these names")
        .with_listen(Listen::parse(listen).expect("a listen value"))
}

/// lockstep's certbot command as `certonly` (see the module docs) plus the lab-only flags.
fn certbot_loopback(lab: &Lab, nginx: &OwnNginx, spec: &SiteSpec) -> Output {
    let mut args = lockstep_certbot_args(spec);
    args.retain(|a| a != "--redirect");
    args.insert(0, "certonly".into());
    let cb = nginx.path().join("certbot");
    let t0 = Instant::now();
    let out = Command::new("timeout")
        .arg("120")
        .arg(certbot_bin())
        .args(&args)
        .args(["--server", lab.var("LAB_PEBBLE_DIR_URL"), "--nginx-ctl", nginx_bin(), "--nginx-server-root"])
        .arg(nginx.path())
        .args(["--http-01-port", "18080", "--https-port", "18443", "--no-eff-email"])
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
    eprintln!(
        "certbot {} for {}: exit {:?} in {:.1} s",
        args.join(" "),
        spec.server_names(),
        out.status.code(),
        t0.elapsed().as_secs_f64()
    );
    out
}

fn explain(o: &Output, spec: &SiteSpec) -> UserError {
    let (stdout, stderr) = text(o);
    let e =
        explain_script_failure(&stdout, &stderr, o.status.code().unwrap_or(-1), spec.app_port(), &spec.server_names());
    eprintln!("lockstep explains:\n  what: {}\n  why:  {}\n  fix:  {}", e.what, e.why, e.fix);
    e
}

fn dig(lab: &Lab, host: &str) -> String {
    let dns = lab.dns();
    let o = Command::new("dig")
        .args(["+short", "+time=1", "+tries=2", "-p", &dns.port().to_string(), &format!("@{}", dns.ip()), host, "A"])
        .output()
        .expect("dig (bind9-dnsutils)");
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

fn doctor_check(lab: &Lab, host: &str, health: &str, app_port: u16) -> Report {
    // The lab is on loopback: the lab/test opt-in to private targets.
    let doctor = lockstep_server::https_doctor(Some(lab.dns()), Some(&lab.ca_bundle()))
        .expect("the doctor")
        .allow_private_targets();
    let mut t = Target::new(format!("https://{host}:{}/", lab.https_port()).parse().unwrap());
    t.http_port = lab.http_port();
    t.health_path = Some(health.into());
    t.app_port = Some(app_port);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let t0 = Instant::now();
    let r = rt.block_on(doctor.check(&t));
    eprintln!("doctor {host} (health {health}): {} in {} ms", r.summary(), t0.elapsed().as_millis());
    r
}

fn finding<'a>(r: &'a Report, check: &str) -> &'a lockstep_doctor::doctor::Finding {
    r.findings
        .iter()
        .find(|f| f.check == check)
        .unwrap_or_else(|| panic!("no {check} finding in {}", serde_json::to_string_pretty(r).unwrap()))
}

fn assert_finding(r: &Report, check: &str, code: &str, verdict: Verdict) -> String {
    let f = finding(r, check);
    assert!(
        f.code == code && f.verdict == verdict,
        "{check}: expected {code}/{verdict:?}, got {}/{:?}: {}\n{}",
        f.code,
        f.verdict,
        f.title,
        serde_json::to_string_pretty(r).unwrap()
    );
    f.title.clone()
}

#[test]
fn free_path_on_loopback_certbot_pebble_doctor_and_what_breaks() {
    let t_all = Instant::now();
    let lab = Lab::start().expect("the HTTPS lab (lab/lab.sh; packages from scripts/setup.sh)");
    let zone_ok = dig(&lab, FREE) == IP && dig(&lab, CLOSED) == "127.0.21.1" && dig(&lab, STRAY) == IP;
    assert!(
        zone_ok,
        "the lab's DNS ({}) has no {FREE}/{CLOSED}/{STRAY}: the lab in {} was started by an older lab/lab.sh; restart it",
        lab.var("LAB_DNS"),
        lab.dir.display()
    );
    let backend: u16 = lab.var("LAB_BACKEND").rsplit(':').next().unwrap().parse().unwrap();
    let closed_port: u16 = lab.var("LAB_CLOSED_PORT").parse().unwrap();
    let http_listen = format!("{IP}:{}", lab.http_port());
    let https_listen = format!("{IP}:{}", lab.https_port());

    // lockstep's site, as it is before certbot: plain HTTP in front of the app.
    let spec = loopback_spec(&[FREE], backend, &http_listen);
    let site = site_config(&spec);
    let mut nginx = OwnNginx::start(&[(spec.file_stem(), site.clone())]);
    let r = http_get(&http_listen, FREE, "/health").unwrap_or_default();
    assert!(r.starts_with("HTTP/1.1 200") && r.trim_end().ends_with("ok"), "lockstep's site proxies to the app: {r}");

    // The real certificate: lockstep's certbot command, HTTP-01 through this nginx.
    let t0 = Instant::now();
    let ok = certbot_loopback(&lab, &nginx, &spec);
    assert!(ok.status.success(), "certbot failed:\n{:?}", text(&ok));
    let issue_secs = t0.elapsed().as_secs_f64();
    let live = nginx.path().join("certbot/config/live").join(FREE);
    assert!(live.join("fullchain.pem").exists());

    // HTTPS + redirect as certbot --nginx --redirect writes them; the doctor passes.
    let tls_site =
        |spec: &SiteSpec| (spec.file_stem().to_string(), with_tls(&site_config(spec), spec, &https_listen, &live));
    let (stem, conf) = tls_site(&spec);
    nginx.set_sites(&[(&stem, conf)]);
    let report = doctor_check(&lab, FREE, "/health", backend);
    assert_finding(&report, "dns.address", "ok", Verdict::Pass);
    assert_finding(&report, "tls.handshake", "ok", Verdict::Pass);
    assert_eq!(
        finding(&report, "tls.certificate").verdict,
        Verdict::Pass,
        "{}",
        finding(&report, "tls.certificate").title
    );
    assert_eq!(finding(&report, "tls.expiry").verdict, Verdict::Pass);
    let redirect = assert_finding(&report, "http.redirect", "ok", Verdict::Pass);
    assert!(redirect.contains(&format!("https://{FREE}:18443/")), "{redirect}");
    assert_finding(&report, "http.health", "ok", Verdict::Pass);
    assert_eq!(report.exit_code(), 0, "{}", serde_json::to_string_pretty(&report).unwrap());

    // (a) Port 80 closed during certbot: the name's address has nothing on the HTTP port.
    let closed = loopback_spec(&[CLOSED], backend, &http_listen);
    nginx.set_sites(&[("lockstep-closed", site_config(&closed))]);
    let out = certbot_loopback(&lab, &nginx, &closed);
    assert!(!out.status.success());
    let e = explain(&out, &closed);
    assert_eq!(e.what, format!("Let's Encrypt could not connect to port 80 of {CLOSED}."));
    assert!(e.why.contains("connection refused") && e.fix.contains("port 80 on the security group"), "{e:?}");
    assert!(e.fix.contains("nginx is running"), "{e:?}");
    // The doctor sees the same from outside.
    let r = doctor_check(&lab, CLOSED, "/health", backend);
    assert_finding(&r, "tcp.http", "refused", Verdict::Warn);
    assert_finding(&r, "tcp.https", "refused", Verdict::Fail);

    // A name that is not in DNS.
    let missing = loopback_spec(&[MISSING], backend, &http_listen);
    nginx.set_sites(&[("lockstep-missing", site_config(&missing))]);
    let out = certbot_loopback(&lab, &nginx, &missing);
    assert!(!out.status.success());
    let e = explain(&out, &missing);
    assert_eq!(e.what, format!("Let's Encrypt could not find {MISSING} in DNS."));
    assert!(e.fix.contains(&format!("A record {MISSING} -> the instance's public IP")), "{e:?}");

    // Another server block answers for the name (lockstep's site for free is the default one
    // on the address the name points to): 404 on the challenge.
    let stray = loopback_spec(&[STRAY], backend, STRAY_LISTEN);
    nginx.set_sites(&[(spec.file_stem(), site.clone()), ("lockstep-stray", site_config(&stray))]);
    let out = certbot_loopback(&lab, &nginx, &stray);
    assert!(!out.status.success());
    let e = explain(&out, &stray);
    assert!(e.what.contains("got 404 Not Found for the challenge file"), "{e:?}");
    assert!(e.why.contains("another server block answered"), "{e:?}");

    // (b) A typo in the site: `nginx -t` fails, and certbot refuses to start.
    let typo = site.replace("proxy_http_version 1.1;", "proxy_http_versoin 1.1;");
    assert_ne!(typo, site);
    write_sites(nginx.path(), &[(spec.file_stem(), typo)]);
    let site_file = nginx.path().join("conf.d").join(format!("{}.conf", spec.file_stem()));
    let typo_line = site.lines().position(|l| l.contains("proxy_http_version")).unwrap() + 1;
    let o = Command::new(nginx_bin()).arg("-c").arg(nginx.path().join("nginx.conf")).arg("-t").output().unwrap();
    assert!(!o.status.success());
    let e = explain(&o, &spec);
    let at_line = format!("{} line {typo_line}", site_file.display());
    assert!(e.what.starts_with("nginx refuses its configuration") && e.what.contains(&at_line), "{e:?}");
    assert!(e.why.contains("[emerg] unknown directive \"proxy_http_versoin\""), "{e:?}");
    assert!(e.why.contains(&format!("{}:{typo_line}", site_file.display())), "{e:?}");
    let out = certbot_loopback(&lab, &nginx, &spec);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("Error while running"), "{:?}", text(&out));
    let e = explain(&out, &spec);
    assert!(e.what.contains("certbot stopped before asking for a certificate") && e.what.contains(&at_line), "{e:?}");
    assert!(e.why.contains("unknown directive \"proxy_http_versoin\""), "{e:?}");

    // (c) proxy_pass to a port where nothing listens: 502, the app port named.
    let dead = loopback_spec(&[FREE], closed_port, &http_listen);
    let (stem, conf) = tls_site(&dead);
    nginx.set_sites(&[(&stem, conf)]);
    let r = doctor_check(&lab, FREE, "/health", closed_port);
    let title = assert_finding(&r, "http.health", "bad_gateway", Verdict::Fail);
    assert!(title.contains(&format!("cannot reach your app on port {closed_port}")), "{title}");
    assert_finding(&r, "tls.handshake", "ok", Verdict::Pass);

    // (d) The app's health path answers 500.
    let (stem, conf) = tls_site(&spec);
    nginx.set_sites(&[(&stem, conf)]);
    let r = doctor_check(&lab, FREE, "/health500", backend);
    let title = assert_finding(&r, "http.health", "server_error", Verdict::Fail);
    assert!(title.contains("answers 500 on /health500"), "{title}");
    assert!(finding(&r, "http.health").fix.as_deref().unwrap_or("").contains("app's own log"));
    assert_finding(&r, "http.redirect", "ok", Verdict::Pass);

    drop(nginx);
    eprintln!(
        "free path on loopback: certificate in {issue_secs:.1} s, whole test {:.1} s",
        t_all.elapsed().as_secs_f64()
    );
}

// --- a network namespace: real ports 80/443, certbot's own install ---------------------------

/// A network namespace with its own processes; everything stopped and the namespace deleted
/// when dropped (also when the test fails).
struct Netns {
    name: String,
    dir: tempfile::TempDir,
    children: Vec<(String, Child)>,
}

impl Netns {
    fn create(name: String) -> Netns {
        let dir = tempfile::tempdir().unwrap();
        let ns = Netns { name, dir, children: Vec::new() };
        ns.ip(&["netns", "add", &ns.name]);
        ns.ip(&["-n", &ns.name, "link", "set", "lo", "up"]);
        ns.ip(&["-n", &ns.name, "addr", "add", &format!("{NS_IP}/32"), "dev", "lo"]);
        ns
    }

    fn ip(&self, args: &[&str]) {
        let o = Command::new("ip").args(args).output().expect("ip (iproute2)");
        assert!(o.status.success(), "ip {}: {:?}", args.join(" "), text(&o));
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A command run inside the namespace (`ip netns exec` execs it: same PID).
    fn cmd(&self, program: &str) -> Command {
        let mut c = Command::new("ip");
        c.args(["netns", "exec", &self.name, program]);
        c
    }

    fn spawn(&mut self, what: &str, mut c: Command) {
        let child = c
            .stdin(Stdio::null())
            .stdout(log_file(self.path(), what))
            .stderr(log_file(self.path(), what))
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        self.children.push((what.to_string(), child));
    }

    /// Wait until `probe` (a bash snippet run inside the namespace) succeeds; fail early when a
    /// process of ours exited.
    fn wait(&mut self, what: &str, secs: u64, probe: &str) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            for (name, c) in &mut self.children {
                if let Some(s) = c.try_wait().unwrap() {
                    let log = std::fs::read_to_string(self.dir.path().join(format!("logs/{name}.log")));
                    panic!("{name} exited ({s}) while waiting for {what}: {}", log.unwrap_or_default());
                }
            }
            if self.cmd("bash").args(["-c", probe]).output().is_ok_and(|o| o.status.success()) {
                return;
            }
            assert!(Instant::now() < deadline, "{what}: not ready after {secs} s");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        for (_, c) in self.children.iter_mut().rev() {
            stop(c);
        }
        let _ = Command::new("ip").args(["netns", "del", &self.name]).output();
    }
}

const NS_IP: &str = "10.77.0.1";

/// Why the namespace test cannot run here, if it cannot.
fn netns_unavailable() -> Option<String> {
    if !is_root() {
        return Some("not root (network namespaces and ports 80/443 need root)".into());
    }
    match Command::new("ip").args(["netns", "list"]).output() {
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(format!("`ip netns` does not work here: {}", String::from_utf8_lossy(&o.stderr).trim())),
        Err(e) => Some(format!("no `ip` command (iproute2): {e}")),
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let o = Command::new("openssl").current_dir(dir).args(args).output().expect("openssl");
    assert!(o.status.success(), "openssl {}: {:?}", args.join(" "), text(&o));
}

#[test]
fn free_path_in_a_network_namespace_with_certbots_own_install() {
    if let Some(why) = netns_unavailable() {
        eprintln!("SKIPPED free_path_in_a_network_namespace_with_certbots_own_install: {why}");
        return;
    }
    let (nginx, certbot) = (nginx_bin(), certbot_bin());
    let pebble = bin(&["/usr/bin/pebble", "/usr/local/bin/pebble"], "pebble");
    let dnsmasq = bin(&["/usr/sbin/dnsmasq", "/usr/bin/dnsmasq"], "dnsmasq");
    let t_all = Instant::now();
    let mut ns = Netns::create(format!("lockstep-free-{}", std::process::id()));
    let d = ns.path().to_path_buf();
    for sub in ["conf.d", "tmp", "logs", "pebble"] {
        std::fs::create_dir_all(d.join(sub)).unwrap();
    }

    // pebble's own HTTPS listener: a throwaway CA and a leaf for 127.0.0.1.
    let p = d.join("pebble");
    openssl(
        &p,
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=lockstep netns pebble listener CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    );
    openssl(
        &p,
        &[
            "req",
            "-new",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "key.pem",
            "-out",
            "cert.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    std::fs::write(p.join("ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        .unwrap();
    openssl(
        &p,
        &[
            "x509",
            "-req",
            "-in",
            "cert.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
            "-out",
            "cert.pem",
        ],
    );
    std::fs::write(
        p.join("pebble-config.json"),
        format!(
            r#"{{"pebble": {{"listenAddress": "127.0.0.1:14000", "managementListenAddress": "127.0.0.1:15000", "certificate": "{p}/cert.pem", "privateKey": "{p}/key.pem", "httpPort": 80, "tlsPort": 443, "ocspResponderURL": "", "externalAccountBindingRequired": false}}}}"#,
            p = p.display()
        ),
    )
    .unwrap();
    std::fs::write(
        d.join("dnsmasq.conf"),
        format!("port=53\nlisten-address=127.0.0.1\nbind-interfaces\nno-resolv\nno-hosts\nno-poll\nlocal=/student.test/\nuser=root\npid-file={}/dnsmasq.pid\nhost-record={FREE},{NS_IP}\n", d.display()),
    )
    .unwrap();

    // lockstep's site as the install script writes it: `listen 80` (and [::]:80), app on 18000.
    let spec = SiteSpec::new(vec![name(FREE)], 18000, "free").expect("a site for the name");
    let site_file = d.join("conf.d").join(format!("{}.conf", spec.file_stem()));
    std::fs::write(&site_file, site_config(&spec)).unwrap();
    std::fs::write(d.join("nginx.conf"), main_conf(&d, "")).unwrap();

    let mut c = ns.cmd(dnsmasq);
    c.arg("--keep-in-foreground").arg(format!("--conf-file={}", d.join("dnsmasq.conf").display()));
    ns.spawn("dnsmasq", c);
    let mut c = ns.cmd("env");
    c.args(["PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=0", pebble, "-config"])
        .arg(p.join("pebble-config.json"))
        .args(["-dnsserver", "127.0.0.1:53"]);
    ns.spawn("pebble", c);
    let mut c = ns.cmd("python3");
    c.arg("-u").arg(repo_root().join("lab/backend.py")).args(["--host", "127.0.0.1", "--port", "18000"]);
    ns.spawn("backend", c);
    let mut c = ns.cmd(nginx);
    c.arg("-c").arg(d.join("nginx.conf")).args(["-g", "daemon off;"]);
    ns.spawn("nginx", c);

    let curl = "env -u CURL_CA_BUNDLE -u SSL_CERT_FILE curl -q -s -f --max-time 3 --noproxy '*'";
    ns.wait("dnsmasq", 10, &format!("dig +short +time=1 +tries=1 @127.0.0.1 {FREE} | grep -qx {NS_IP}"));
    ns.wait(
        "pebble",
        15,
        &format!("{curl} -o /dev/null --cacert {p}/ca.pem https://127.0.0.1:14000/dir", p = p.display()),
    );
    ns.wait("nginx + backend", 10, &format!("{curl} --resolve {FREE}:80:{NS_IP} http://{FREE}/health | grep -qx ok"));
    let o = ns
        .cmd("bash")
        .arg("-c")
        .arg(format!(
            "{curl} --cacert {p}/ca.pem https://127.0.0.1:15000/roots/0 > {d}/trust.pem",
            p = p.display(),
            d = d.display()
        ))
        .output()
        .unwrap();
    assert!(o.status.success(), "pebble's root: {:?}", text(&o));
    let ready = t_all.elapsed().as_secs_f64();

    // lockstep's own certbot command; only the CA and certbot's/nginx's directories added.
    let args = lockstep_certbot_args(&spec);
    let t0 = Instant::now();
    let out = ns
        .cmd("timeout")
        .arg("120")
        .arg(certbot)
        .args(&args)
        .args(["--server", "https://127.0.0.1:14000/dir", "--nginx-server-root"])
        .arg(&d)
        .arg("--config-dir")
        .arg(d.join("certbot/config"))
        .arg("--work-dir")
        .arg(d.join("certbot/work"))
        .arg("--logs-dir")
        .arg(d.join("certbot/logs"))
        .env("REQUESTS_CA_BUNDLE", p.join("ca.pem"))
        .env_remove("SSL_CERT_FILE")
        .env_remove("CURL_CA_BUNDLE")
        .stdin(Stdio::null())
        .output()
        .expect("run certbot");
    let certbot_secs = t0.elapsed().as_secs_f64();
    eprintln!("certbot {} in the namespace: exit {:?} in {certbot_secs:.1} s", args.join(" "), out.status.code());
    if !out.status.success() {
        let e = explain(&out, &spec);
        panic!("certbot failed: {e}\n{:?}", text(&out));
    }

    // certbot edited lockstep's site as on an instance: 443 with the certificate, and the redirect.
    let edited = std::fs::read_to_string(&site_file).unwrap();
    eprintln!("the site after certbot --nginx --redirect:\n{edited}");
    for needle in [
        "listen 443 ssl; # managed by Certbot",
        "ssl_certificate ",
        "return 301 https://$host$request_uri;",
        "listen 80;",
    ] {
        assert!(edited.contains(needle), "missing {needle:?} in\n{edited}");
    }
    ns.wait(
        "https after certbot's reload",
        10,
        &format!(
            "{curl} --cacert {d}/trust.pem --resolve {FREE}:443:{NS_IP} https://{FREE}/health | grep -qx ok",
            d = d.display()
        ),
    );

    // lockstep doctor, from inside the namespace, trusting only pebble's root.
    let o = ns
        .cmd(env!("CARGO_BIN_EXE_lockstep"))
        .args(["doctor", &format!("https://{FREE}/"), "--dns", "127.0.0.1:53", "--ca-file"])
        .arg(d.join("trust.pem"))
        .args(["--health", "/health", "--json"])
        // The namespace's site is on 10.77.0.1: the lab/test opt-in to private targets.
        .arg("--allow-private-targets")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&o);
    let report: Report = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("--json: {e}\n{stdout}\n{stderr}"));
    eprintln!("doctor in the namespace: {} (exit {:?})", report.summary(), o.status.code());
    assert!(matches!(o.status.code(), Some(0 | 1)), "failures:\n{stdout}");
    assert_finding(&report, "tls.handshake", "ok", Verdict::Pass);
    assert_eq!(finding(&report, "tls.certificate").verdict, Verdict::Pass);
    let redirect = assert_finding(&report, "http.redirect", "ok", Verdict::Pass);
    assert!(redirect.contains(&format!("https://{FREE}/")), "{redirect}");
    assert_finding(&report, "http.health", "ok", Verdict::Pass);
    assert_finding(&report, "tcp.http", "open", Verdict::Pass);
    assert_finding(&report, "tcp.https", "open", Verdict::Pass);

    drop(ns);
    eprintln!(
        "free path in a namespace: services up in {ready:.1} s, certbot {certbot_secs:.1} s, whole test {:.1} s",
        t_all.elapsed().as_secs_f64()
    );
}
