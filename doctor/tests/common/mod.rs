//! Test support for the doctor's tests against real local servers: a temp dir, a test CA that
//! issues certificates with `openssl` the way a student or certbot would (any names, any validity
//! window), and this test's own nginx on loopback ports picked by the system.
#![allow(dead_code)]

use async_trait::async_trait;
use lockstep_doctor::dns::{Dns, DnsError, Rdata, Rtype};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use time::OffsetDateTime;

/// No DNS: every URL in these tests is an IP literal.
pub struct NoDns;

#[async_trait]
impl Dns for NoDns {
    async fn query(&self, _name: &str, _rtype: Rtype) -> Result<Vec<(String, Rdata)>, DnsError> {
        Err(DnsError::NoRecords)
    }
}

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("lockstep-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("the openssl command");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// `openssl ca`'s time format.
fn stamp(t: OffsetDateTime) -> String {
    format!("{:04}{:02}{:02}{:02}{:02}{:02}Z", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute(), t.second())
}

/// A test CA in `dir` (ca.pem / ca.key, ECDSA P-256) that issues with `openssl ca`, so each
/// certificate can have any validity window (a 6-day certificate with 6 hours left).
pub struct Ca {
    pub dir: PathBuf,
}

impl Ca {
    pub fn new(dir: &Path) -> Ca {
        openssl(
            dir,
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
                "3650",
                "-subj",
                "/CN=Lockstep Grade Test CA",
            ],
        );
        std::fs::create_dir_all(dir.join("newcerts")).unwrap();
        std::fs::write(dir.join("index.txt"), "").unwrap();
        std::fs::write(dir.join("serial"), "1000\n").unwrap();
        std::fs::write(
            dir.join("ca.cnf"),
            "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=newcerts\nserial=serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\ncopy_extensions=none\n[p]\ncommonName=supplied\n",
        )
        .unwrap();
        Ca { dir: dir.to_path_buf() }
    }

    pub fn pem(&self) -> Vec<u8> {
        std::fs::read(self.dir.join("ca.pem")).unwrap()
    }

    /// `name.pem` (leaf) and `name.key`, for the names in `san` (`IP:127.0.0.1`, `DNS:x`),
    /// valid from `start` to `end`, signed with `md` (`sha256`, `sha1`) by `issuer` (`ca`, or an
    /// intermediate made with [`Ca::intermediate`]). `key` is an `openssl req -newkey` argument.
    pub fn issue_by(
        &self,
        issuer: &str,
        name: &str,
        key: &str,
        san: &str,
        (start, end): (OffsetDateTime, OffsetDateTime),
        md: &str,
    ) {
        let d = &self.dir;
        openssl(
            d,
            &[
                "req",
                "-new",
                "-newkey",
                key,
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-subj",
                &format!("/CN={name}"),
                "-out",
                &format!("{name}.csr"),
            ],
        );
        std::fs::write(
            d.join(format!("{name}.ext")),
            format!("[ext]\nbasicConstraints=critical,CA:FALSE\nsubjectAltName={san}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\nauthorityInfoAccess=OCSP;URI:http://127.0.0.1:9/ocsp\n"),
        )
        .unwrap();
        openssl(
            d,
            &[
                "ca",
                "-batch",
                "-config",
                "ca.cnf",
                "-cert",
                &format!("{issuer}.pem"),
                "-keyfile",
                &format!("{issuer}.key"),
                "-in",
                &format!("{name}.csr"),
                "-out",
                &format!("{name}.pem"),
                "-startdate",
                &stamp(start),
                "-enddate",
                &stamp(end),
                "-md",
                md,
                "-extfile",
                &format!("{name}.ext"),
                "-extensions",
                "ext",
                "-notext",
            ],
        );
    }

    pub fn issue(&self, name: &str, san: &str, start: OffsetDateTime, end: OffsetDateTime) {
        self.issue_by("ca", name, "ec:ca.pem", san, (start, end), "sha256");
    }

    /// An intermediate CA `name.pem` / `name.key` (RSA 2048), signed with `md` by the root.
    pub fn intermediate(&self, name: &str, md: &str) {
        let d = &self.dir;
        openssl(
            d,
            &[
                "req",
                "-new",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{name}.key"),
                "-subj",
                &format!("/CN={name}"),
                "-out",
                &format!("{name}.csr"),
            ],
        );
        std::fs::write(
            d.join(format!("{name}.ext")),
            "[ext]\nbasicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n",
        )
        .unwrap();
        let now = OffsetDateTime::now_utc();
        openssl(
            d,
            &[
                "ca",
                "-batch",
                "-config",
                "ca.cnf",
                "-cert",
                "ca.pem",
                "-keyfile",
                "ca.key",
                "-in",
                &format!("{name}.csr"),
                "-out",
                &format!("{name}.pem"),
                "-startdate",
                &stamp(now - time::Duration::days(1)),
                "-enddate",
                &stamp(now + time::Duration::days(365)),
                "-md",
                md,
                "-extfile",
                &format!("{name}.ext"),
                "-extensions",
                "ext",
                "-notext",
            ],
        );
    }

    /// `name.chain.pem`: the leaf followed by `rest` (what nginx's ssl_certificate serves).
    pub fn chain(&self, name: &str, rest: &[&str]) -> PathBuf {
        let mut pem = std::fs::read(self.dir.join(format!("{name}.pem"))).unwrap();
        for r in rest {
            pem.extend(std::fs::read(self.dir.join(format!("{r}.pem"))).unwrap());
        }
        let p = self.dir.join(format!("{name}.chain.pem"));
        std::fs::write(&p, pem).unwrap();
        p
    }

    /// An OCSP answer "good" for `name`, signed by the CA, for nginx's ssl_stapling_file.
    pub fn ocsp_response(&self, name: &str) -> PathBuf {
        let d = &self.dir;
        let (req, resp) = (format!("{name}.ocsp-req.der"), format!("{name}.ocsp.der"));
        openssl(d, &["ocsp", "-issuer", "ca.pem", "-cert", &format!("{name}.pem"), "-no_nonce", "-reqout", &req]);
        openssl(
            d,
            &[
                "ocsp",
                "-index",
                "index.txt",
                "-rsigner",
                "ca.pem",
                "-rkey",
                "ca.key",
                "-CA",
                "ca.pem",
                "-reqin",
                &req,
                "-respout",
                &resp,
                "-ndays",
                "1",
            ],
        );
        d.join(resp)
    }
}

/// A free loopback port, held until [`Ports::release`] (so two servers do not get one port).
pub struct Ports(Vec<TcpListener>);

impl Ports {
    pub fn take(n: usize, addr: &str) -> Ports {
        Ports((0..n).map(|_| TcpListener::bind(format!("{addr}:0")).unwrap()).collect())
    }
    pub fn port(&self, i: usize) -> u16 {
        self.0[i].local_addr().unwrap().port()
    }
    pub fn release(self) {}
}

/// This test's nginx: its own config, pid, logs and temp paths in `dir`, stopped when dropped.
pub struct Nginx {
    child: Child,
    pub dir: PathBuf,
}

pub fn nginx_bin() -> String {
    std::env::var("LAB_NGINX_BIN").unwrap_or_else(|_| "/usr/sbin/nginx".into())
}

impl Nginx {
    /// Starts nginx with `servers` (server blocks) and waits until each of `ports` on `addrs`
    /// accepts a connection. Panics with nginx's error log if it does not come up.
    pub fn start(dir: &Path, servers: &str, ports: Ports, listens: &[String]) -> Nginx {
        Nginx::start_env(dir, servers, ports, listens, &[])
    }

    /// [`Nginx::start`] with environment variables (e.g. `OPENSSL_CONF`).
    pub fn start_env(dir: &Path, servers: &str, ports: Ports, listens: &[String], env: &[(&str, &str)]) -> Nginx {
        for d in ["logs", "tmp"] {
            std::fs::create_dir_all(dir.join(d)).unwrap();
        }
        let d = dir.display();
        let user = if is_root() { "user root;\n" } else { "" };
        let conf = format!(
            "{user}worker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/logs/error.log notice;\nevents {{ worker_connections 256; }}\nhttp {{\n    access_log off;\n    client_body_temp_path {d}/tmp/body;\n    proxy_temp_path {d}/tmp/proxy;\n    fastcgi_temp_path {d}/tmp/fastcgi;\n    uwsgi_temp_path {d}/tmp/uwsgi;\n    scgi_temp_path {d}/tmp/scgi;\n    default_type application/json;\n{servers}\n}}\n"
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let t = Command::new(nginx_bin())
            .arg("-t")
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .envs(env.iter().copied())
            .output()
            .expect("nginx -t");
        assert!(t.status.success(), "nginx -t: {}", String::from_utf8_lossy(&t.stderr));
        ports.release();
        let child = Command::new(nginx_bin())
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .args(["-g", "daemon off;"])
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let mut n = Nginx { child, dir: dir.to_path_buf() };
        let deadline = Instant::now() + Duration::from_secs(10);
        for l in listens {
            while std::net::TcpStream::connect(l.as_str()).is_err() {
                if let Some(status) = n.child.try_wait().unwrap() {
                    panic!(
                        "nginx exited ({status}): {}",
                        std::fs::read_to_string(dir.join("logs/error.log")).unwrap_or_default()
                    );
                }
                assert!(Instant::now() < deadline, "nginx did not listen on {l} within 10 s");
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        n
    }
}

/// An OpenSSL configuration at security level 0: what a server with an old OpenSSL allows (TLS
/// 1.0 and SHA-1 chains), for nginx's `OPENSSL_CONF`.
pub fn old_openssl_conf(dir: &Path) -> PathBuf {
    let p = dir.join("openssl-old.cnf");
    std::fs::write(
        &p,
        "openssl_conf = init\n[init]\nssl_conf = ssl_sect\n[ssl_sect]\nsystem_default = sys\n[sys]\nCipherString = DEFAULT:@SECLEVEL=0\n",
    )
    .unwrap();
    p
}

/// Running as root (CI and the sandbox): nginx must not switch to `nobody`, who cannot read the
/// test's private temp dir.
fn is_root() -> bool {
    Command::new("id").arg("-u").output().map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0").unwrap_or(false)
}

impl Drop for Nginx {
    /// SIGTERM to this nginx's master (it stops its workers), then wait for it.
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let _ = self.child.wait();
    }
}
