//! The doctor never connects into lockstep's own network: loopback and metadata addresses in
//! the URL, names whose DNS answer is private, IPv4-mapped IPv6 literals, and redirects that
//! lead there all give a `blocked` finding, and the address behind them never sees a packet.
//!
//! The "internal services" here are listeners on loopback that count their connections and
//! answer with a secret: a refused check must neither reach them nor echo them.

use async_trait::async_trait;
use lockstep_doctor::dns::{Dns, DnsError, Rdata, Rtype};
use lockstep_doctor::doctor::{Finding, Report, Verdict};
use lockstep_doctor::net::Timeouts;
use lockstep_doctor::{parse_url, Doctor, Target};
use rustls::RootCertStore;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Default)]
struct Scripted(HashMap<String, Vec<IpAddr>>);

#[async_trait]
impl Dns for Scripted {
    async fn query(&self, name: &str, rtype: Rtype) -> Result<Vec<(String, Rdata)>, DnsError> {
        let want_v4 = match rtype {
            Rtype::A => true,
            Rtype::Aaaa => false,
            _ => return Err(DnsError::NoRecords),
        };
        let ips: Vec<(String, Rdata)> = self
            .0
            .get(name)
            .into_iter()
            .flatten()
            .filter(|ip| ip.is_ipv4() == want_v4)
            .map(|ip| (name.to_string(), Rdata::A(*ip)))
            .collect();
        if ips.is_empty() {
            Err(DnsError::NoRecords)
        } else {
            Ok(ips)
        }
    }
}

fn dns(records: &[(&str, &str)]) -> Arc<Scripted> {
    let mut d = Scripted::default();
    for (name, ip) in records {
        d.0.entry(name.to_string()).or_default().push(ip.parse().unwrap());
    }
    Arc::new(d)
}

fn doctor(dns: Arc<Scripted>) -> Doctor {
    let mut d = Doctor::new(dns, RootCertStore::empty()).with_timeouts(Timeouts {
        connect: Duration::from_secs(1),
        tls: Duration::from_secs(1),
        http: Duration::from_secs(2),
    });
    d.group_timeout = Duration::from_secs(5);
    d
}

/// An internal service on loopback: answers every request with `answer` (and counts its
/// connections and keeps each request line).
struct Internal {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
    connections: Arc<Mutex<usize>>,
}

async fn internal(answer: &str) -> Internal {
    serve(TcpListener::bind("127.0.0.1:0").await.unwrap(), answer.to_string())
}

fn serve(listener: TcpListener, answer: String) -> Internal {
    let port = listener.local_addr().unwrap().port();
    let requests = Arc::new(Mutex::new(Vec::new()));
    let connections = Arc::new(Mutex::new(0));
    let (r, c, answer) = (requests.clone(), connections.clone(), Arc::<str>::from(answer));
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            *c.lock().unwrap() += 1;
            let (r, answer) = (r.clone(), answer.clone());
            tokio::spawn(async move {
                let mut buf = vec![0u8; 4096];
                let mut got = Vec::new();
                while !got.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => got.extend_from_slice(&buf[..n]),
                    }
                }
                r.lock().unwrap().push(String::from_utf8_lossy(&got).lines().next().unwrap_or_default().to_string());
                let _ = s.write_all(answer.as_bytes()).await;
                let _ = s.shutdown().await;
            });
        }
    });
    Internal { port, requests, connections }
}

const SECRET: &str = "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\nx-secret: AKIA-INTERNAL-SECRET\r\ncontent-length: 21\r\nconnection: close\r\n\r\nAKIA-INTERNAL-SECRET\n";

fn describe(r: &Report) -> String {
    r.findings
        .iter()
        .map(|f| format!("  {} {} {} ({}) {:?}\n", f.verdict, f.check, f.code, f.title, f.evidence))
        .collect()
}

fn blocked<'a>(r: &'a Report, check: &str) -> &'a Finding {
    let f =
        r.findings.iter().find(|f| f.check == check).unwrap_or_else(|| panic!("no {check} finding:\n{}", describe(r)));
    assert_eq!(f.code, "blocked", "{check} not blocked:\n{}", describe(r));
    assert!(f.title.contains("lockstep does not connect to private or internal addresses"), "{f:?}");
    let ko = f.ko.as_ref().expect("Korean words");
    assert!(ko.what.contains("사설 주소나 내부 주소에는 연결하지 않습니다") && !ko.fix.is_empty(), "{f:?}");
    assert!(f.fix.as_deref().unwrap_or_default().contains("public"), "{f:?}");
    f
}

fn echoes(r: &Report, what: &str) -> bool {
    serde_json::to_string(r).unwrap().contains(what)
}

async fn check(d: &Doctor, url: &str, http_port: u16, https_port: u16) -> Report {
    let mut t = Target::new(parse_url(url).unwrap());
    t.http_port = http_port;
    t.https_port = https_port;
    d.check(&t).await
}

#[tokio::test]
async fn a_loopback_address_in_the_url_is_never_connected_to() {
    let svc = internal(SECRET).await;
    let url = format!("https://127.0.0.1:{}/", svc.port);
    let r = check(&doctor(dns(&[])), &url, svc.port, svc.port).await;
    let f = blocked(&r, "tcp.https");
    assert_eq!(f.verdict, Verdict::Fail);
    assert!(f.title.contains("loopback"), "{f:?}");
    assert_eq!(blocked(&r, "tcp.http").verdict, Verdict::Fail);
    assert_eq!(*svc.connections.lock().unwrap(), 0, "the doctor connected:\n{}", describe(&r));
    assert!(!echoes(&r, "AKIA-INTERNAL-SECRET"));
}

#[tokio::test]
async fn an_ipv4_mapped_ipv6_literal_is_judged_by_the_ipv4_inside() {
    let svc = internal(SECRET).await;
    let url = format!("https://[::ffff:127.0.0.1]:{}/", svc.port);
    let r = check(&doctor(dns(&[])), &url, svc.port, svc.port).await;
    assert!(blocked(&r, "tcp.https").title.contains("loopback"));
    assert_eq!(*svc.connections.lock().unwrap(), 0, "the doctor connected:\n{}", describe(&r));
    // An IP literal has no DNS records to look up.
    assert!(r.of("dns.caa").next().is_none() && r.of("dns.ns").next().is_none(), "{}", describe(&r));
}

#[tokio::test]
async fn the_metadata_service_is_refused_by_address_and_through_a_name() {
    let d = doctor(dns(&[("169.254.169.254.nip.io", "169.254.169.254")]));
    for url in ["http://169.254.169.254/latest/meta-data/", "https://169.254.169.254.nip.io/latest/meta-data/"] {
        let r = check(&d, url, 80, 443).await;
        let f = blocked(&r, "tcp.http");
        assert!(f.title.contains("metadata") && f.evidence.iter().any(|e| e.contains("(metadata)")), "{f:?}");
        assert!(r.findings.iter().all(|f| f.code != "timeout" && f.code != "open"), "{url}:\n{}", describe(&r));
    }
}

#[tokio::test]
async fn a_name_that_resolves_to_a_private_address_is_refused() {
    let d = doctor(dns(&[("intranet.school.example", "10.0.0.8")]));
    let r = check(&d, "https://intranet.school.example/", 80, 443).await;
    let f = blocked(&r, "tcp.https");
    assert!(f.title.contains("10.0.0.8") && f.title.contains("private"), "{f:?}");
    let ko = f.ko.as_ref().unwrap();
    assert!(ko.what.contains("사설 네트워크 주소"), "{ko:?}");
    // The API checks that depend on the connection say why they did not run.
    assert_eq!(blocked(&r, "http.health").verdict, Verdict::Skip);
}

#[tokio::test]
async fn a_redirect_into_the_servers_own_network_is_not_followed() {
    // A public-looking name (the lab opt-in lets the doctor reach this test's loopback server)
    // whose http:// answer redirects to the metadata service, or to 0.0.0.0 (which on Linux
    // is this machine): the next hop is refused even with the lab opt-in.
    for (location, class) in [
        ("http://169.254.169.254/latest/meta-data/iam/security-credentials/", "metadata"),
        ("http://0.0.0.0:{port}/admin", "unspecified"),
        ("https://[::ffff:169.254.169.254]/latest/meta-data/", "metadata"),
    ] {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let location = location.replace("{port}", &port.to_string());
        let svc = serve(
            listener,
            format!("HTTP/1.1 301 Moved Permanently\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"),
        );
        let d = doctor(dns(&[("shop.example.com", "127.0.0.1")])).allow_private_targets();
        let r = check(&d, &format!("http://shop.example.com:{port}/"), port, 1).await;
        let f = blocked(&r, "http.redirect");
        assert_eq!(f.verdict, Verdict::Fail);
        assert!(f.evidence.iter().any(|e| e.contains(&format!("({class})"))), "{f:?}");
        let seen = svc.requests.lock().unwrap().clone();
        assert!(seen.iter().all(|l| !l.contains("/admin")), "the redirect was followed: {seen:?}");
    }
}

#[tokio::test]
async fn the_lab_opt_in_reaches_loopback() {
    // The other side of the switch: with `allow_private_targets` the same loopback server is
    // checked as before (what the lab tests rely on).
    let svc = internal(SECRET).await;
    let d = doctor(dns(&[])).allow_private_targets();
    let r = check(&d, &format!("http://127.0.0.1:{}/", svc.port), svc.port, 1).await;
    let f = r.of("tcp.http").next().unwrap();
    assert_eq!(f.code, "open", "{}", describe(&r));
    assert!(*svc.connections.lock().unwrap() > 0);
}
