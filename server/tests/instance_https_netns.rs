//! lockstep's free path in a network namespace (root only; skipped with the reason otherwise):
//! nginx on the real ports 80/443, its own pebble, dnsmasq and backend, and lockstep's exact
//! `certbot --nginx ... --redirect` command (only `--server` and directories added), which
//! edits the site as on a student's instance; then `lockstep doctor` from inside. The loopback
//! half, with the shared HTTPS lab: instance_https_lab.rs.
//!
//! Every process a test starts is stopped by its PID when the test ends, also on failure.

mod common;

use common::nginx_lab::*;
use lockstep_doctor::doctor::{Report, Verdict};
use lockstep_doctor::lab::repo_root;
use lockstep_domain::nginx::{site_config, SiteSpec};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
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
