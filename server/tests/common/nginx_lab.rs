//! The free path's lab support (server/tests/instance_https_lab.rs on loopback and
//! instance_https_netns.rs in a network namespace): nginx, certbot and doctor helpers, and this
//! test's own nginx on loopback. Every process started here is stopped by its PID when its
//! owner is dropped, also on failure.

use lockstep_doctor::doctor::{Report, Verdict};
use lockstep_doctor::lab::Lab;
use lockstep_doctor::Target;
use lockstep_domain::contact::Email;
use lockstep_domain::nginx::{certbot_command, Listen, SiteSpec};
use lockstep_domain::nginx_diagnose::explain_script_failure;
use lockstep_domain::{DomainName, UserError};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const EMAIL: &str = "lab@student.test";
/// This test's own address on loopback (the lab uses 127.0.2.1 .. 127.0.16.1).
pub const IP: &str = "127.0.20.1";
pub const FREE: &str = "free.student.test";
/// In DNS at 127.0.21.1, where nothing listens: port 80 closed.
pub const CLOSED: &str = "free-closed.student.test";
/// In DNS at free's address; its own server block listens on 127.0.22.1.
pub const STRAY: &str = "stray.student.test";
pub const STRAY_LISTEN: &str = "127.0.22.1:18080";
/// Not in DNS (NXDOMAIN).
pub const MISSING: &str = "missing.student.test";

pub fn bin(candidates: &[&'static str], what: &str) -> &'static str {
    candidates.iter().copied().find(|p| Path::new(p).exists()).unwrap_or_else(|| {
        panic!("{what} is not installed (looked for {candidates:?}): run scripts/setup.sh (apt-get install -y nginx certbot python3-certbot-nginx pebble dnsmasq bind9-dnsutils)")
    })
}
pub fn nginx_bin() -> &'static str {
    bin(&["/usr/sbin/nginx", "/usr/bin/nginx"], "nginx")
}
pub fn certbot_bin() -> &'static str {
    bin(&["/usr/bin/certbot", "/usr/local/bin/certbot"], "certbot (with python3-certbot-nginx)")
}

pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .is_ok_and(|s| s.lines().any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0")))
}

pub fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

pub fn name(s: &str) -> DomainName {
    DomainName::parse(s).expect("a valid name")
}

pub fn wait_for(what: &str, secs: u64, mut ok: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !ok() {
        assert!(Instant::now() < deadline, "{what}: not ready after {secs} s");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Stop a process this test started: TERM, then KILL after 8 s; reaped by `wait`.
pub fn stop(child: &mut Child) {
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

pub fn log_file(dir: &Path, name: &str) -> Stdio {
    std::fs::create_dir_all(dir.join("logs")).unwrap();
    Stdio::from(std::fs::File::create(dir.join("logs").join(format!("{name}.log"))).unwrap())
}

/// The certbot command lockstep gives the student, as program + arguments (without `sudo`):
/// the words bash makes of it (its values are quoted), read through a `sudo` that prints them.
pub fn lockstep_certbot_args(spec: &SiteSpec) -> Vec<String> {
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
pub fn main_conf(dir: &Path, extra: &str) -> String {
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
pub fn with_tls(site: &str, spec: &SiteSpec, https_listen: &str, live: &Path) -> String {
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
pub fn http_get(addr: &str, host: &str, path: &str) -> Option<String> {
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
pub struct OwnNginx {
    pub dir: tempfile::TempDir,
    pub child: Child,
    pub generation: u32,
}

impl OwnNginx {
    /// A probe server on 127.0.20.1:18081 answers the config's generation, so a reload is
    /// known to be live (and not still served by the old workers).
    pub fn conf(dir: &Path, generation: u32) -> String {
        main_conf(
            dir,
            &format!(
                "    server {{\n        listen {IP}:18081;\n        location = /generation {{ return 200 \"{generation}\"; }}\n    }}\n"
            ),
        )
    }

    pub fn start(sites: &[(&str, String)]) -> OwnNginx {
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

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn wait_generation(&mut self) {
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
    pub fn set_sites(&mut self, sites: &[(&str, String)]) {
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
pub fn children_of(parent: u32) -> Vec<u32> {
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

pub fn write_sites(dir: &Path, sites: &[(&str, String)]) {
    for e in std::fs::read_dir(dir.join("conf.d")).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    for (stem, text) in sites {
        std::fs::write(dir.join("conf.d").join(format!("{stem}.conf")), text).unwrap();
    }
}

pub fn nginx_t(dir: &Path) -> (bool, String) {
    let o = Command::new(nginx_bin()).arg("-c").arg(dir.join("nginx.conf")).arg("-t").output().unwrap();
    (o.status.success(), String::from_utf8_lossy(&o.stderr).into_owned())
}

pub fn loopback_spec(names: &[&str], app_port: u16, listen: &str) -> SiteSpec {
    SiteSpec::new(names.iter().map(|n| name(n)).collect(), app_port, "free")
        .expect("a site for these names")
        .with_listen(Listen::parse(listen).expect("a listen value"))
}

/// lockstep's certbot command as `certonly` (see the module docs) plus the lab-only flags.
pub fn certbot_loopback(lab: &Lab, nginx: &OwnNginx, spec: &SiteSpec) -> Output {
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

pub fn explain(o: &Output, spec: &SiteSpec) -> UserError {
    let (stdout, stderr) = text(o);
    let e =
        explain_script_failure(&stdout, &stderr, o.status.code().unwrap_or(-1), spec.app_port(), &spec.server_names());
    eprintln!("lockstep explains:\n  what: {}\n  why:  {}\n  fix:  {}", e.what, e.why, e.fix);
    e
}

pub fn dig(lab: &Lab, host: &str) -> String {
    let dns = lab.dns();
    let o = Command::new("dig")
        .args(["+short", "+time=1", "+tries=2", "-p", &dns.port().to_string(), &format!("@{}", dns.ip()), host, "A"])
        .output()
        .expect("dig (bind9-dnsutils)");
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

pub fn doctor_check(lab: &Lab, host: &str, health: &str, app_port: u16) -> Report {
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

pub fn finding<'a>(r: &'a Report, check: &str) -> &'a lockstep_doctor::doctor::Finding {
    r.findings
        .iter()
        .find(|f| f.check == check)
        .unwrap_or_else(|| panic!("no {check} finding in {}", serde_json::to_string_pretty(r).unwrap()))
}

pub fn assert_finding(r: &Report, check: &str, code: &str, verdict: Verdict) -> String {
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
