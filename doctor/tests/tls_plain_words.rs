//! Issue 23, part 1: no raw error reaches a user. Real certificates made by the `openssl` command
//! (the way students make them) are judged by the doctor's TLS judge directly, no network: each
//! mistake gets its own plain title, and no text a user reads looks like Rust Debug output
//! (the old doctor said "The certificate is not accepted: Other(OtherError(CaUsedAsEndEntity))").

use lockstep_doctor::doctor::{Finding, Verdict};
use lockstep_doctor::net::TlsInfo;
use lockstep_doctor::tls;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("lockstep-tls-words-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("the openssl command");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// The test CA every "signed by a CA" certificate comes from; it is the only trusted root.
fn make_ca(dir: &Path) {
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "3650",
            "-subj",
            "/CN=Lockstep Test CA",
        ],
    );
}

/// A key and a CSR for localhost.
fn csr(dir: &Path, name: &str, bits: u32) {
    let key = format!("{name}.key");
    openssl(dir, &["genrsa", "-out", &key, &bits.to_string()]);
    openssl(dir, &["req", "-new", "-key", &key, "-subj", "/CN=localhost", "-out", &format!("{name}.csr")]);
}

/// A certificate for localhost signed by the test CA, with `ext` as its extensions.
fn signed(dir: &Path, name: &str, bits: u32, digest: &str, ext: &str) {
    csr(dir, name, bits);
    write(dir, &format!("{name}.ext"), ext);
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "365",
            digest,
            "-extfile",
            &format!("{name}.ext"),
            "-out",
            &format!("{name}.pem"),
        ],
    );
}

const SERVER_EXT: &str = "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n";

/// Makes every certificate of the test in `dir`.
fn make_all(dir: &Path) {
    make_ca(dir);
    // A good one: proves the CA set-up works, so each failure below is about its own mistake.
    signed(dir, "good", 2048, "-sha256", SERVER_EXT);
    // `openssl req -x509` with the default config: basicConstraints CA:TRUE.
    openssl(
        dir,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "selfca.key",
            "-out",
            "selfca.pem",
            "-days",
            "365",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost",
        ],
    );
    // Self-signed, not a CA.
    write(
        dir,
        "self.cnf",
        "[req]\ndistinguished_name=dn\nx509_extensions=ext\nprompt=no\n[dn]\nCN=localhost\n[ext]\nbasicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:localhost\n",
    );
    openssl(
        dir,
        &[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out", "self.pem", "-days", "365",
            "-config", "self.cnf",
        ],
    );
    signed(
        dir,
        "clientonly",
        2048,
        "-sha256",
        "basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=clientAuth\n",
    );
    signed(dir, "sha1", 2048, "-sha1", SERVER_EXT);
    signed(dir, "rsa1024", 1024, "-sha256", SERVER_EXT);
    // Not valid until 2099: OpenSSL 3.0 has no -not_before, `openssl ca -startdate` does it.
    csr(dir, "future", 2048);
    std::fs::create_dir_all(dir.join("newcerts")).unwrap();
    write(dir, "index.txt", "");
    write(dir, "serial", "1000\n");
    write(
        dir,
        "ca.cnf",
        "[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=newcerts\nserial=serial\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n[ext]\nbasicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n",
    );
    openssl(
        dir,
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
            "future.csr",
            "-out",
            "future.pem",
            "-startdate",
            "20990101000000Z",
            "-enddate",
            "20991231000000Z",
            "-extensions",
            "ext",
            "-notext",
        ],
    );
}

fn judge(dir: &Path, name: &str, roots: &Arc<rustls::RootCertStore>) -> Vec<Finding> {
    let pem = std::fs::read(dir.join(format!("{name}.pem"))).unwrap();
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem).map(|c| c.unwrap()).collect();
    let info = TlsInfo { version: "TLS 1.3".into(), chain, ..Default::default() };
    tls::judge("localhost", &info, roots, time::OffsetDateTime::now_utc())
}

/// The finding a user reads first: the first failing one (the certificate's, or the expiry's).
fn verdict(findings: &[Finding]) -> &Finding {
    findings.iter().find(|f| f.verdict == Verdict::Fail).unwrap_or(&findings[0])
}

/// No Rust Debug or error text anywhere a user reads (a browser's own code such as
/// NET::ERR_CERT_AUTHORITY_INVALID is allowed: it is what the browser shows).
fn assert_plain(f: &Finding) {
    let mut texts = vec![f.title.clone()];
    texts.extend(f.why.clone());
    texts.extend(f.fix.clone());
    texts.extend(f.evidence.clone());
    if let Some(k) = &f.ko {
        texts.extend([k.what.clone(), k.why.clone(), k.fix.clone()]);
    }
    for t in texts {
        let t = t.replace("NET::ERR_", "NET-ERR_");
        for bad in ["Other(", "Error", "{", "::", "Context", "Some("] {
            assert!(!t.contains(bad), "{bad:?} in {t:?} ({} {})", f.check, f.code);
        }
    }
}

#[test]
fn each_openssl_mistake_gets_its_own_plain_title() {
    let dir = TempDir::new();
    make_all(&dir.0);
    let roots = Arc::new(tls::roots_from_pem(&std::fs::read(dir.path("ca.pem")).unwrap()).unwrap());

    let good = judge(&dir.0, "good", &roots);
    assert!(good.iter().all(|f| f.verdict == Verdict::Pass), "{good:#?}");

    let cases = [
        ("selfca", "tls.certificate", "ca_as_server_certificate"),
        ("self", "tls.certificate", "self_signed"),
        ("clientonly", "tls.certificate", "wrong_purpose"),
        ("sha1", "tls.certificate", "weak_signature"),
        ("rsa1024", "tls.certificate", "weak_key"),
        ("future", "tls.expiry", "not_yet_valid"),
    ];
    let mut titles = Vec::new();
    for (name, check, code) in cases {
        let findings = judge(&dir.0, name, &roots);
        for f in &findings {
            assert_plain(f);
        }
        let f = verdict(&findings);
        assert_eq!(
            (f.check.as_str(), f.code.as_str(), f.verdict),
            (check, code, Verdict::Fail),
            "{name}: {findings:#?}"
        );
        let ko = f.ko.as_ref().expect("Korean words");
        assert!(!ko.what.is_empty() && ko.what != f.title, "{name}: no Korean title");
        if check == "tls.certificate" {
            assert!(f.why.is_some() && f.fix.is_some() && !ko.why.is_empty() && !ko.fix.is_empty(), "{name}");
        }
        assert!(!titles.contains(&f.title), "{name}: the title {:?} is not its own", f.title);
        titles.push(f.title.clone());
    }
}
