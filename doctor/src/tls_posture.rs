//! The TLS group of one host: the handshake a browser makes, the certificate judged against the
//! trust store, and what the server offers beyond working (issue 23): which TLS versions it
//! accepts (1.0 and 1.1 refused?), HTTP/2 over ALPN, a stapled OCSP answer, and the key types and
//! signature algorithms of the chain it sends.
//!
//! Four connections go at once, so the group takes about one handshake: the browser's (TLS 1.3
//! or 1.2, offering h2), one limited to TLS 1.2, and one hand-written hello each for TLS 1.0 and
//! 1.1 ([`crate::tls_legacy`]).

use crate::findings::{handshake_failed, handshake_ok, handshake_plain};
use crate::net::{Net, NetError, TlsInfo};
use crate::tls_legacy::{self, Answer, Legacy};
use lockstep_domain::doctor::{Area, Finding, Verdict};
use rustls::pki_types::CertificateDer;
use rustls::RootCertStore;
use std::sync::Arc;
use x509_parser::prelude::*;

const TLS12_ONLY: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS12];

/// The `tls.*` findings of `host:port` (the port is open).
pub async fn check(net: &Net, roots: &Arc<RootCertStore>, host: &str, port: u16) -> Vec<Finding> {
    let (main, tls12, tls10, tls11) = futures::join!(
        net.tls_offer(host, port, rustls::DEFAULT_VERSIONS),
        net.tls_offer(host, port, TLS12_ONLY),
        tls_legacy::probe(net, host, port, Legacy::Tls10),
        tls_legacy::probe(net, host, port, Legacy::Tls11),
    );
    let offered =
        Offered { tls13: main.as_ref().is_ok_and(|i| i.version == "TLS 1.3"), tls12: tls12.is_ok(), tls11, tls10 };
    match main {
        Ok(info) => {
            let mut v = vec![handshake_ok(host, port, &info)];
            v.extend(crate::tls::judge(host, &info, roots, ::time::OffsetDateTime::now_utc()));
            v.push(protocols(host, &offered));
            v.push(alpn(host, &info));
            v.push(ocsp(host, &info));
            v.push(chain(host, &info.chain));
            v
        }
        Err(NetError::NotTls(_)) => {
            let probe = net.raw_http_probe(host, port).await.ok();
            vec![handshake_plain(host, port, probe.as_deref())]
        }
        Err(e) => {
            let mut v = vec![handshake_failed(host, port, &e)];
            // A server that speaks only TLS 1.0/1.1: say which.
            if offered.old().next().is_some() {
                v.push(protocols(host, &offered));
            }
            v
        }
    }
}

/// Which versions the server accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offered {
    pub tls13: bool,
    pub tls12: bool,
    pub tls11: Answer,
    pub tls10: Answer,
}

impl Offered {
    fn old(&self) -> impl Iterator<Item = &'static str> {
        [(self.tls10, Legacy::Tls10), (self.tls11, Legacy::Tls11)]
            .into_iter()
            .filter(|(a, _)| *a == Answer::Accepted)
            .map(|(_, l)| l.label())
    }
}

fn said(a: Answer) -> &'static str {
    match a {
        Answer::Accepted => "accepted",
        Answer::Refused => "refused",
        Answer::Unknown => "no answer",
    }
}

/// `tls.protocols`: TLS 1.0/1.1 accepted is a warning (and caps the grade at B).
pub fn protocols(host: &str, o: &Offered) -> Finding {
    let yes = |b: bool| if b { "accepted" } else { "refused" };
    let f = |code: &str, v: Verdict| {
        Finding::new("tls.protocols", code, Area::Tls, host, v).evidence(format!(
            "TLS 1.3: {}; TLS 1.2: {}; TLS 1.1: {}; TLS 1.0: {}",
            yes(o.tls13),
            yes(o.tls12),
            said(o.tls11),
            said(o.tls10)
        ))
    };
    let old: Vec<&str> = o.old().collect();
    if !old.is_empty() {
        let list = old.join(" and ");
        return f("old_versions", Verdict::Warn)
            .title(format!("The server still accepts {list}"))
            .why("Browsers stopped using TLS 1.0 and 1.1 in 2020; they stay only for an attacker to downgrade to, and every scanner flags them (SSL Labs caps the grade at B, PCI DSS forbids them).")
            .fix("nginx: `ssl_protocols TLSv1.2 TLSv1.3;` in the http block (and no other ssl_protocols line), then `sudo nginx -t && sudo systemctl reload nginx`. ALB: the HTTPS listener's security policy ELBSecurityPolicy-TLS13-1-2-2021-06. CloudFront: the viewer certificate's security policy TLSv1.2_2021.")
            .ko(
                format!("서버가 아직 {} 연결을 받아 줍니다", old.join("과 ")),
                "브라우저는 2020년에 TLS 1.0과 1.1 사용을 중단했습니다. 이제는 공격자가 낮은 버전으로 끌어내리는 데만 쓰이고, 모든 점검 도구가 지적합니다(SSL Labs는 등급을 B로 제한하고, PCI DSS는 금지합니다).",
                "nginx: http 블록에 `ssl_protocols TLSv1.2 TLSv1.3;`를 쓰고(다른 ssl_protocols 줄은 지우세요) `sudo nginx -t && sudo systemctl reload nginx`. ALB: HTTPS 리스너의 보안 정책을 ELBSecurityPolicy-TLS13-1-2-2021-06으로. CloudFront: 뷰어 인증서의 보안 정책을 TLSv1.2_2021로.",
            );
    }
    if !o.tls13 {
        return f("no_tls13", Verdict::Pass)
            .title("TLS 1.2 only: TLS 1.3 is not offered (advice)")
            .why("TLS 1.3 sets up the connection one round trip faster and drops every old cipher; all current browsers use it.")
            .fix("nginx: `ssl_protocols TLSv1.2 TLSv1.3;` (needs OpenSSL 1.1.1 or newer, which every current distribution has). ALB: security policy ELBSecurityPolicy-TLS13-1-2-2021-06. CloudFront offers TLS 1.3 by itself.")
            .ko(
                "TLS 1.2만 제공합니다: TLS 1.3이 없습니다 (권장 사항)",
                "TLS 1.3은 연결을 한 번의 왕복만큼 더 빨리 맺고, 오래된 암호 방식을 모두 뺐습니다. 현재의 모든 브라우저가 사용합니다.",
                "nginx: `ssl_protocols TLSv1.2 TLSv1.3;` (OpenSSL 1.1.1 이상이 필요하며, 현재의 모든 배포판에 있습니다). ALB: 보안 정책 ELBSecurityPolicy-TLS13-1-2-2021-06. CloudFront는 TLS 1.3을 스스로 제공합니다.",
            );
    }
    let (en, ko) = if o.tls12 {
        ("TLS 1.3 and 1.2 offered; 1.0 and 1.1 refused", "TLS 1.3과 1.2를 제공하고, 1.0과 1.1은 거부합니다")
    } else {
        (
            "TLS 1.3 only (clients from before 2018, such as Android 9 or an old Java 8, cannot connect); 1.0 and 1.1 refused",
            "TLS 1.3만 제공합니다(2018년 이전의 클라이언트, 예를 들어 Android 9나 오래된 Java 8은 연결하지 못합니다). 1.0과 1.1은 거부합니다",
        )
    };
    f("ok", Verdict::Pass).title(en).ko(ko, "", "")
}

/// `tls.alpn`: HTTP/2 offered or not (advice only).
pub fn alpn(host: &str, info: &TlsInfo) -> Finding {
    let seen = format!("ALPN offered h2, http/1.1; server chose {}", info.alpn.as_deref().unwrap_or("nothing"));
    if info.alpn.as_deref() == Some("h2") {
        return Finding::new("tls.alpn", "h2", Area::Tls, host, Verdict::Pass)
            .title("HTTP/2 is offered (ALPN h2)")
            .ko("HTTP/2를 제공합니다 (ALPN h2)", "", "")
            .evidence(seen);
    }
    Finding::new("tls.alpn", "no_h2", Area::Tls, host, Verdict::Pass)
        .title("HTTP/2 is not offered: browsers use HTTP/1.1 (advice)")
        .evidence(seen)
        .why("Over HTTP/2 a browser fetches all of a page's files on one connection at once; over HTTP/1.1 it opens up to six connections and queues the rest, so pages with many scripts and images load slower.")
        .fix("nginx 1.25.1 or newer: `http2 on;` in the `listen 443 ssl` server block; older nginx: `listen 443 ssl http2;`. ALB: HTTP/2 is on unless the load balancer attribute routing.http2.enabled was set to false. CloudFront: Supported HTTP versions, HTTP/2 (and HTTP/3).")
        .ko(
            "HTTP/2를 제공하지 않습니다: 브라우저가 HTTP/1.1을 씁니다 (권장 사항)",
            "HTTP/2에서는 브라우저가 한 연결로 페이지의 모든 파일을 한꺼번에 받습니다. HTTP/1.1에서는 연결을 최대 6개 열고 나머지는 줄을 세우므로, 스크립트와 이미지가 많은 페이지가 더 느리게 뜹니다.",
            "nginx 1.25.1 이상: `listen 443 ssl` server 블록에 `http2 on;`. 그보다 오래된 nginx: `listen 443 ssl http2;`. ALB: 로드 밸런서 속성 routing.http2.enabled를 false로 바꾸지 않았다면 HTTP/2가 켜져 있습니다. CloudFront: 지원 HTTP 버전에서 HTTP/2(와 HTTP/3).",
        )
}

const OCSP_METHOD: &str = "1.3.6.1.5.5.7.48.1";

/// The OCSP address in the certificate's Authority Information Access, if any.
pub fn ocsp_url(der: &CertificateDer<'_>) -> Option<String> {
    let (_, cert) = X509Certificate::from_der(der.as_ref()).ok()?;
    for ext in cert.extensions() {
        if let ParsedExtension::AuthorityInfoAccess(aia) = ext.parsed_extension() {
            for d in aia.iter() {
                if d.access_method.to_id_string() == OCSP_METHOD {
                    if let GeneralName::URI(u) = d.access_location {
                        return Some(u.to_string());
                    }
                }
            }
        }
    }
    None
}

/// `tls.ocsp`: information only; never lowers the grade (Let's Encrypt ended OCSP in 2025).
pub fn ocsp(host: &str, info: &TlsInfo) -> Finding {
    let url = info.chain.first().and_then(ocsp_url);
    let f = |code: &str| Finding::new("tls.ocsp", code, Area::Tls, host, Verdict::Pass);
    match (info.ocsp_stapled, url) {
        (true, _) => f("stapled")
            .title("The server staples an OCSP answer to its certificate")
            .ko("서버가 인증서에 OCSP 응답을 붙여(stapling) 보냅니다", "", "")
            .evidence("OCSP stapling: seen"),
        (false, None) => f("nothing_to_staple")
            .title("No OCSP stapling: the certificate names no OCSP service (information)")
            .evidence("OCSP stapling: not seen; the certificate has no OCSP address")
            .ko("OCSP 스테이플링 없음: 인증서에 OCSP 서비스 주소가 없습니다 (정보)", "", ""),
        (false, Some(u)) => f("not_stapled")
            .title("No OCSP answer stapled (information)")
            .evidence(format!("OCSP stapling: not seen; the certificate's OCSP service: {u}"))
            .why("With a stapled answer the browser need not ask the CA whether the certificate was revoked, which saves a lookup and keeps visits private. Browsers do not require it.")
            .fix("nginx: `ssl_stapling on; ssl_stapling_verify on;` with a `resolver` line, in the server block. ALB and CloudFront staple by themselves.")
            .ko(
                "OCSP 응답을 붙여 보내지 않습니다 (정보)",
                "응답이 붙어 있으면 브라우저가 인증서 폐기 여부를 CA에 따로 묻지 않아도 되어, 조회가 한 번 줄고 방문 기록도 새지 않습니다. 브라우저가 요구하는 것은 아닙니다.",
                "nginx: server 블록에 `ssl_stapling on; ssl_stapling_verify on;`과 `resolver` 줄. ALB와 CloudFront는 스스로 붙입니다.",
            ),
    }
}

/// One certificate of a chain, as the `tls.chain` finding shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub subject: String,
    /// `RSA 2048`, `ECDSA P-256`, `Ed25519`.
    pub key: String,
    pub rsa_bits: Option<usize>,
    /// `sha256WithRSAEncryption`, `ecdsa-with-SHA384`.
    pub signature: String,
    pub weak_signature: bool,
    pub self_issued: bool,
}

fn signature_name(oid: &str) -> (String, bool) {
    let (name, weak) = match oid {
        "1.2.840.113549.1.1.4" => ("md5WithRSAEncryption", true),
        "1.2.840.113549.1.1.5" | "1.3.14.3.2.29" => ("sha1WithRSAEncryption", true),
        "1.2.840.10045.4.1" => ("ecdsa-with-SHA1", true),
        "1.2.840.10040.4.3" => ("dsa-with-sha1", true),
        "1.2.840.113549.1.1.11" => ("sha256WithRSAEncryption", false),
        "1.2.840.113549.1.1.12" => ("sha384WithRSAEncryption", false),
        "1.2.840.113549.1.1.13" => ("sha512WithRSAEncryption", false),
        "1.2.840.113549.1.1.10" => ("RSASSA-PSS", false),
        "1.2.840.10045.4.3.2" => ("ecdsa-with-SHA256", false),
        "1.2.840.10045.4.3.3" => ("ecdsa-with-SHA384", false),
        "1.2.840.10045.4.3.4" => ("ecdsa-with-SHA512", false),
        "1.3.101.112" => ("Ed25519", false),
        other => return (other.to_string(), false),
    };
    (name.to_string(), weak)
}

pub fn link(der: &CertificateDer<'_>) -> Option<Link> {
    let (_, cert) = X509Certificate::from_der(der.as_ref()).ok()?;
    let spki = cert.public_key();
    let (key, rsa_bits) = match spki.parsed() {
        Ok(x509_parser::public_key::PublicKey::RSA(rsa)) => (format!("RSA {}", rsa.key_size()), Some(rsa.key_size())),
        Ok(x509_parser::public_key::PublicKey::EC(ec)) => (
            match ec.key_size() {
                256 => "ECDSA P-256".to_string(),
                384 => "ECDSA P-384".to_string(),
                521 => "ECDSA P-521".to_string(),
                n => format!("ECDSA {n}-bit"),
            },
            None,
        ),
        _ if spki.algorithm.algorithm.to_id_string() == "1.3.101.112" => ("Ed25519".to_string(), None),
        _ => (spki.algorithm.algorithm.to_id_string(), None),
    };
    let (signature, weak_signature) = signature_name(&cert.signature_algorithm.algorithm.to_id_string());
    Some(Link {
        subject: cert.subject().to_string(),
        key,
        rsa_bits,
        signature,
        weak_signature,
        self_issued: cert.subject().as_raw() == cert.issuer().as_raw(),
    })
}

/// `tls.chain`: the key and signature of each certificate sent. An intermediate with an RSA key
/// under 2048 bits or a SHA-1/MD5 signature fails (the leaf's own are judged by
/// `tls.certificate`; a root's self-signature is never checked by anyone).
pub fn chain(host: &str, chain: &[CertificateDer<'static>]) -> Finding {
    let links: Vec<Option<Link>> = chain.iter().map(link).collect();
    let describe = |i: usize, l: &Link| {
        let role = match (i, l.self_issued) {
            (0, _) => "leaf",
            (_, true) => "root",
            _ => "intermediate",
        };
        format!("#{i} {role} {}: {} key, signed with {}", l.subject, l.key, l.signature)
    };
    let mut evidence = Vec::new();
    let mut short_key = None;
    let mut weak_sig = None;
    for (i, l) in links.iter().enumerate() {
        let Some(l) = l else {
            evidence.push(format!("#{i}: not readable as a certificate"));
            continue;
        };
        evidence.push(describe(i, l));
        if i > 0 && !l.self_issued {
            if l.rsa_bits.is_some_and(|b| b < crate::tls::MIN_RSA_BITS) {
                short_key.get_or_insert_with(|| l.subject.clone());
            }
            if l.weak_signature {
                weak_sig.get_or_insert_with(|| l.subject.clone());
            }
        }
    }
    let with = |f: Finding| evidence.iter().fold(f, |f, e| f.evidence(e.clone()));
    if let Some(s) = short_key {
        return with(Finding::new("tls.chain", "weak_key", Area::Tls, host, Verdict::Fail))
            .title(format!("An intermediate certificate has an RSA key under 2048 bits ({s})"))
            .why("Browsers and TLS libraries refuse RSA keys shorter than 2048 bits anywhere in the chain: they can be broken.")
            .fix("Serve the chain your CA issues today (certbot's fullchain.pem, ACM's certificate chain), not an old intermediate file kept from before.")
            .ko(
                format!("중간 인증서의 RSA 키가 2048비트보다 짧습니다 ({s})"),
                "브라우저와 TLS 라이브러리는 체인 어디에든 2048비트보다 짧은 RSA 키가 있으면 거부합니다: 깨질 수 있는 키입니다.",
                "예전에 받아 둔 중간 인증서 파일이 아니라, CA가 지금 발급하는 체인을 쓰세요(certbot의 fullchain.pem, ACM의 인증서 체인).",
            );
    }
    if let Some(s) = weak_sig {
        return with(Finding::new("tls.chain", "weak_signature", Area::Tls, host, Verdict::Fail))
            .title(format!("An intermediate certificate is signed with SHA-1 or MD5 ({s})"))
            .why("Browsers stopped accepting SHA-1 signatures in 2017: SHA-1 collisions can be made, so such a signature proves nothing.")
            .fix("Serve the chain your CA issues today (certbot's fullchain.pem, ACM's certificate chain); a private CA must re-issue its intermediate with SHA-256 (`openssl x509 ... -sha256`).")
            .ko(
                format!("중간 인증서가 SHA-1이나 MD5로 서명되어 있습니다 ({s})"),
                "브라우저는 2017년부터 SHA-1 서명을 받아들이지 않습니다: SHA-1 충돌을 만들 수 있어서 그런 서명은 아무것도 증명하지 못합니다.",
                "CA가 지금 발급하는 체인을 쓰세요(certbot의 fullchain.pem, ACM의 인증서 체인). 사설 CA라면 중간 인증서를 SHA-256으로 다시 발급해야 합니다(`openssl x509 ... -sha256`).",
            );
    }
    let leaf = links.first().and_then(|l| l.as_ref());
    let (en, ko) = match leaf {
        Some(l) => (
            format!("Chain of {} certificate(s); leaf key {}, signed with {}", chain.len(), l.key, l.signature),
            format!("인증서 {}개의 체인; 리프 키 {}, 서명 {}", chain.len(), l.key, l.signature),
        ),
        None => (format!("Chain of {} certificate(s)", chain.len()), format!("인증서 {}개의 체인", chain.len())),
    };
    with(Finding::new("tls.chain", "ok", Area::Tls, host, Verdict::Pass)).title(en).ko(ko, "", "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered(tls13: bool, tls12: bool, tls11: Answer, tls10: Answer) -> Offered {
        Offered { tls13, tls12, tls11, tls10 }
    }

    #[test]
    fn old_versions_are_a_warning_and_named() {
        let f = protocols("h", &offered(true, true, Answer::Accepted, Answer::Accepted));
        assert_eq!((f.code.as_str(), f.verdict), ("old_versions", Verdict::Warn));
        assert_eq!(f.title, "The server still accepts TLS 1.0 and TLS 1.1");
        assert!(f.fix.as_deref().unwrap_or("").contains("ssl_protocols TLSv1.2 TLSv1.3;"));
        assert!(f.ko.as_ref().is_some_and(|k| k.what.contains("TLS 1.0과 TLS 1.1")));
        let f = protocols("h", &offered(true, true, Answer::Refused, Answer::Accepted));
        assert_eq!(f.title, "The server still accepts TLS 1.0");
        let f = protocols("h", &offered(false, true, Answer::Refused, Answer::Refused));
        assert_eq!((f.code.as_str(), f.verdict), ("no_tls13", Verdict::Pass));
        let f = protocols("h", &offered(true, true, Answer::Refused, Answer::Unknown));
        assert_eq!((f.code.as_str(), f.verdict), ("ok", Verdict::Pass));
        assert_eq!(f.evidence[0], "TLS 1.3: accepted; TLS 1.2: accepted; TLS 1.1: refused; TLS 1.0: no answer");
        let f = protocols("h", &offered(true, false, Answer::Refused, Answer::Refused));
        assert!(f.title.starts_with("TLS 1.3 only"));
    }

    #[test]
    fn alpn_and_ocsp_are_advice() {
        let mut info = TlsInfo { alpn: Some("h2".into()), ..Default::default() };
        assert_eq!(alpn("h", &info).code, "h2");
        info.alpn = Some("http/1.1".into());
        let f = alpn("h", &info);
        assert_eq!((f.code.as_str(), f.verdict), ("no_h2", Verdict::Pass));
        assert!(f.fix.as_deref().unwrap_or("").contains("http2 on;"));
        info.ocsp_stapled = true;
        assert_eq!(ocsp("h", &info).code, "stapled");
        info.ocsp_stapled = false;
        assert_eq!(ocsp("h", &info).code, "nothing_to_staple");
    }

    #[test]
    fn signature_names() {
        assert_eq!(signature_name("1.2.840.113549.1.1.5"), ("sha1WithRSAEncryption".to_string(), true));
        assert_eq!(signature_name("1.2.840.10045.4.3.2"), ("ecdsa-with-SHA256".to_string(), false));
        assert_eq!(signature_name("1.2.3"), ("1.2.3".to_string(), false));
    }
}
