//! Issue 23, part 2: a check that could not finish is not a pass. A health path that never
//! answers was reported "Not checked: no HTTP answer within 8s" and the run ended "all 8 checks
//! passed" (exit 0). Here a local HTTPS server answers `/` at once and holds `/health` forever;
//! a plain TCP listener accepts and never says a word. The doctor (timeouts shortened, the lab
//! opt-in for loopback) must report a failure or a warning with the wait, and the report's
//! summary and exit status must count it.

use async_trait::async_trait;
use lockstep_doctor::dns::{Dns, DnsError, Rdata, Rtype};
use lockstep_doctor::doctor::{Finding, Report, Verdict};
use lockstep_doctor::net::Timeouts;
use lockstep_doctor::{tls, Doctor, Target};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use url::Url;

/// No DNS: every URL here is an IP literal.
struct NoDns;

#[async_trait]
impl Dns for NoDns {
    async fn query(&self, _name: &str, _rtype: Rtype) -> Result<Vec<(String, Rdata)>, DnsError> {
        Err(DnsError::NoRecords)
    }
}

/// A self-signed (CA:FALSE) certificate for 127.0.0.1 made by openssl; also the doctor's only
/// trusted root, so the certificate checks pass and only the silence is left to report.
fn certificate() -> (Vec<CertificateDer<'static>>, PrivateKeyDer<'static>, Vec<u8>) {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir: PathBuf = std::env::temp_dir().join(format!("lockstep-no-answer-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("c.cnf"),
        "[req]\ndistinguished_name=dn\nx509_extensions=ext\nprompt=no\n[dn]\nCN=127.0.0.1\n[ext]\nbasicConstraints=critical,CA:FALSE\nsubjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    let out = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "c.pem", "-days", "365",
            "-config", "c.cnf",
        ])
        .current_dir(&dir)
        .output()
        .expect("the openssl command");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let pem = std::fs::read(dir.join("c.pem")).unwrap();
    let key = PrivateKeyDer::from_pem_file(dir.join("k.pem")).unwrap();
    let certs = CertificateDer::pem_slice_iter(&pem).map(|c| c.unwrap()).collect();
    let _ = std::fs::remove_dir_all(&dir);
    (certs, key, pem)
}

/// Reads one request head; answers 200 unless the path is `/health`, which is held forever
/// (an app worker stuck on a slow query).
async fn serve<S: AsyncRead + AsyncWrite + Unpin>(mut s: S, https_port: u16) {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head).to_string();
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    if path == "/health" {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        return;
    }
    let answer = if https_port == 0 {
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nstrict-transport-security: max-age=300\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok".to_string()
    } else {
        format!("HTTP/1.1 301 Moved Permanently\r\nlocation: https://127.0.0.1:{https_port}/\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
    };
    let _ = s.write_all(answer.as_bytes()).await;
    let _ = s.shutdown().await;
}

/// An HTTPS server (and its plain-HTTP redirect) whose `/health` never answers.
async fn stuck_health_server() -> (u16, u16, Vec<u8>) {
    let (certs, key, pem) = certificate();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let https = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let https_port = https.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = https.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                if let Ok(s) = acceptor.accept(tcp).await {
                    serve(s, 0).await;
                }
            });
        }
    });
    let http = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let http_port = http.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = http.accept().await {
            tokio::spawn(serve(tcp, https_port));
        }
    });
    (https_port, http_port, pem)
}

/// Accepts connections and never sends a byte (keeps them open).
async fn silent_listener() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = l.accept().await {
            held.push(s);
        }
    });
    port
}

fn doctor(roots: rustls::RootCertStore) -> Doctor {
    Doctor::new(Arc::new(NoDns), roots)
        .with_timeouts(Timeouts {
            connect: Duration::from_secs(1),
            tls: Duration::from_secs(1),
            http: Duration::from_secs(2),
        })
        .allow_private_targets()
}

fn one<'a>(r: &'a Report, check: &'a str) -> &'a Finding {
    r.of(check).next().unwrap_or_else(|| panic!("no {check} finding: {}", describe(r)))
}

fn describe(r: &Report) -> String {
    r.findings
        .iter()
        .map(|f| format!("{} {} {:?}: {}", f.check, f.code, f.verdict, f.title))
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test]
async fn a_health_path_that_never_answers_fails_the_run() {
    let (https_port, http_port, pem) = stuck_health_server().await;
    let roots = tls::roots_from_pem(&pem).unwrap();
    let mut t = Target::new(Url::parse(&format!("https://127.0.0.1:{https_port}/")).unwrap());
    t.http_port = http_port;
    t.health_path = Some("/health".into());
    let r = doctor(roots).check(&t).await;

    let h = one(&r, "http.health");
    assert_eq!((h.code.as_str(), h.verdict), ("timeout", Verdict::Fail), "{}", describe(&r));
    assert_eq!(h.title, "GET /health: no answer within 2 s");
    let why = h.why.as_deref().unwrap_or("");
    assert!(why.contains("2 s") && why.contains("workers") && why.contains("security group"), "{why}");
    let ko = h.ko.as_ref().expect("Korean words");
    assert!(ko.what.contains("2초") && ko.why.contains("보안 그룹") && !ko.fix.is_empty());
    // Everything else about this server is fine: the one failure is the stuck health path.
    for f in r.findings.iter().filter(|f| f.check != "http.health") {
        assert_eq!(f.verdict, Verdict::Pass, "{}", describe(&r));
    }
    assert_eq!(r.worst(), Verdict::Fail);
    assert_eq!(r.exit_code(), 2, "the CLI exits with the report's exit code");
    assert!(r.summary().starts_with("1 failing"), "{}", r.summary());
    assert!(!r.summary().contains("all"), "{}", r.summary());
}

#[tokio::test]
async fn a_listener_that_accepts_and_never_answers_is_not_a_pass() {
    let api = silent_listener().await;
    let page = silent_listener().await;
    let http = silent_listener().await;
    let mut t = Target::new(Url::parse(&format!("https://127.0.0.1:{api}/api")).unwrap());
    t.http_port = http;
    t.health_path = Some("/health".into());
    t.origin = Some(Url::parse(&format!("https://127.0.0.1:{page}/")).unwrap());
    let r = doctor(rustls::RootCertStore::empty()).check(&t).await;

    let hs = r.of("tls.handshake").find(|f| f.subject.ends_with(&format!(":{api}"))).expect("handshake");
    assert_eq!((hs.code.as_str(), hs.verdict), ("no_answer", Verdict::Fail), "{}", describe(&r));
    let h = one(&r, "http.health");
    assert_eq!(h.verdict, Verdict::Fail, "{}", describe(&r));
    assert!(h.why.is_some() && h.fix.is_some() && h.ko.is_some());
    let cors = one(&r, "cors.preflight");
    assert_eq!(cors.verdict, Verdict::Warn, "{}", describe(&r));
    let page = one(&r, "mixed.content");
    assert_eq!(page.verdict, Verdict::Warn, "{}", describe(&r));
    let redirect = one(&r, "http.redirect");
    assert_ne!(redirect.verdict, Verdict::Pass, "{}", describe(&r));
    for f in &r.findings {
        assert!(!f.title.starts_with("Not checked"), "{}", describe(&r));
        assert!(!f.title.contains("Error") && !f.title.contains("::"), "{}", f.title);
    }
    assert_eq!(r.exit_code(), 2);
    assert!(!r.summary().contains("all"), "{}", r.summary());
}
