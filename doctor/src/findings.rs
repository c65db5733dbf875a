//! Every finding the doctor can report, with its words: what was seen, why it matters, the fix.
//!
//! Kept in one place so the wording stays consistent and translations (issue 8) have one file
//! to follow. Each finding carries a stable `check` and `code`; tests and the UI key on those.

use crate::egress::{refusal_fix, refusal_what, refusal_why, NotPublic};
use crate::net::{NetError, TlsInfo};
use crate::tls::{name_covers, CertFacts, Trust};
use lockstep_domain::doctor::{Area, Finding, Verdict};
use std::net::SocketAddr;
use time::OffsetDateTime;

pub const EXPIRY_WARN_DAYS: i64 = 21;

pub fn dns_failed(host: &str, code: &str, detail: &str) -> Finding {
    let f = Finding::new("dns.address", code, Area::Dns, host, Verdict::Fail);
    match code {
        "nxdomain" => f
            .title(format!("{host} does not exist in DNS"))
            .evidence(format!("{host}: NXDOMAIN"))
            .why("Browsers, ACM and Let's Encrypt all start by looking the name up; nothing can work until it resolves.")
            .fix(format!(
                "Create the record for {host} in the domain's hosted zone (Route 53: an A record, or an alias A record to the ALB or CloudFront distribution). If the zone has the record already, the domain's registrar is not pointing at that zone: compare the NS records."
            ))
            .ko(
                format!("{host} 이름이 DNS에 존재하지 않습니다"),
                "브라우저, ACM, Let's Encrypt 모두 먼저 이 이름을 조회합니다. 이름이 조회되기 전에는 아무것도 동작하지 않습니다.",
                format!(
                    "도메인의 호스팅 영역에 {host} 레코드를 만드세요 (Route 53: A 레코드, 또는 ALB나 CloudFront 배포를 가리키는 별칭(alias) A 레코드). 호스팅 영역에 이미 레코드가 있다면, 도메인 등록 업체가 그 호스팅 영역을 가리키고 있지 않은 것입니다. NS 레코드를 비교해 보세요."
                ),
            ),
        "no_address" => f
            .title(format!("{host} exists but has no A or AAAA record"))
            .evidence(format!("{host}: no A/AAAA ({detail})"))
            .why("The name is there, but no address: a browser has nowhere to connect.")
            .fix(format!("Add an A record (or an alias A record) for {host}."))
            .ko(
                format!("{host} 이름은 있지만 A 또는 AAAA 레코드가 없습니다"),
                "이름은 있지만 주소가 없습니다. 브라우저가 연결할 곳이 없습니다.",
                format!("{host}에 대한 A 레코드(또는 별칭 A 레코드)를 추가하세요."),
            ),
        _ => f
            .title(format!("Could not look {host} up"))
            .evidence(detail.to_string())
            .why("The DNS server did not answer; the name may be fine, this check could not tell.")
            .fix("Try again; if it persists, check the DNS server given with --dns or the machine's resolver.")
            .ko(
                format!("{host} 이름을 조회할 수 없습니다"),
                "DNS 서버가 응답하지 않았습니다. 이름 자체는 문제없을 수도 있지만, 이 검사로는 알 수 없습니다.",
                "다시 시도해 보세요. 계속 실패하면 --dns로 지정한 DNS 서버나 이 컴퓨터의 리졸버(resolver)를 확인하세요.",
            ),
    }
}

pub fn dns_ok(host: &str, chain: &[String], ips: &[String]) -> Finding {
    let mut f = Finding::new("dns.address", "ok", Area::Dns, host, Verdict::Pass)
        .title(format!("{host} resolves to {}", ips.join(", ")))
        .ko(format!("{host} 이름이 다음 주소로 조회됩니다: {}", ips.join(", ")), "", "");
    for c in chain {
        f = f.evidence(c.clone());
    }
    f.evidence(format!("addresses: {}", ips.join(", ")))
}

pub fn dns_elsewhere(host: &str, ips: &[String], expected: &[String], expected_ips: &[String]) -> Finding {
    Finding::new("dns.address", "points_elsewhere", Area::Dns, host, Verdict::Fail)
        .title(format!("{host} points somewhere else than this project's {}", expected.join(" / ")))
        .evidence(format!("{host} -> {}", ips.join(", ")))
        .evidence(format!("expected: {} ({})", expected.join(", "), expected_ips.join(", ")))
        .why("Visitors reach whatever the record points at now: an old instance, another team's server, or nothing.")
        .fix(format!(
            "Change the record for {host} to point at {} (for an ALB or CloudFront use an alias A record, not an IP).",
            expected.join(" or ")
        ))
        .ko(
            format!("{host} 레코드가 이 프로젝트의 대상({})이 아닌 다른 곳을 가리킵니다", expected.join(" / ")),
            "방문자는 지금 레코드가 가리키는 곳으로 접속합니다: 예전 인스턴스, 다른 팀의 서버, 또는 아무것도 없는 곳입니다.",
            format!(
                "{host} 레코드가 다음을 가리키도록 바꾸세요: {} (ALB나 CloudFront라면 IP 대신 별칭 A 레코드를 쓰세요).",
                expected.join(" 또는 ")
            ),
        )
}

pub fn caa(host: &str, owner: Option<&str>, issuers: &[String], required: &[&str]) -> Finding {
    let allowed = |ca: &str| issuers.iter().any(|i| i.eq_ignore_ascii_case(ca));
    let amazon = ["amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"].iter().any(|c| allowed(c));
    let le = allowed("letsencrypt.org");
    match owner {
        None => Finding::new("dns.caa", "none", Area::Dns, host, Verdict::Pass)
            .title("No CAA records: any certificate authority may issue")
            .ko("CAA 레코드가 없습니다: 어떤 인증 기관이든 인증서를 발급할 수 있습니다", "", "")
            .evidence(format!("no CAA at {host} or any parent")),
        Some(owner) => {
            let ev = format!(
                "CAA at {owner}: issue {}",
                if issuers.is_empty() { "(none)".into() } else { issuers.join(", ") }
            );
            let missing: Vec<&str> = required
                .iter()
                .copied()
                .filter(|r| match *r {
                    "amazon.com" => !amazon,
                    "letsencrypt.org" => !le,
                    other => !allowed(other),
                })
                .collect();
            if !required.is_empty() && missing.is_empty() {
                Finding::new("dns.caa", "allowed", Area::Dns, host, Verdict::Pass)
                    .title(format!("CAA allows {}", required.join(", ")))
                    .ko(format!("CAA 레코드가 다음 기관의 발급을 허용합니다: {}", required.join(", ")), "", "")
                    .evidence(ev)
            } else if required.is_empty() && (amazon || le) {
                Finding::new("dns.caa", "allowed", Area::Dns, host, Verdict::Pass)
                    .title(format!(
                        "CAA allows {}",
                        [amazon.then_some("Amazon (ACM)"), le.then_some("Let's Encrypt")]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" and ")
                    ))
                    .ko(
                        format!(
                            "CAA 레코드가 다음 기관의 발급을 허용합니다: {}",
                            [amazon.then_some("Amazon (ACM)"), le.then_some("Let's Encrypt")]
                                .into_iter()
                                .flatten()
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                        "",
                        "",
                    )
                    .evidence(ev)
            } else {
                let wanted = if missing.is_empty() { vec!["amazon.com", "letsencrypt.org"] } else { missing };
                Finding::new("dns.caa", "forbids", Area::Dns, host, if required.is_empty() { Verdict::Warn } else { Verdict::Fail })
                    .title(format!("CAA records at {owner} do not allow {}", wanted.join(" or ")))
                    .evidence(ev)
                    .why("A CAA record lists the only certificate authorities allowed to issue for the domain; ACM and Let's Encrypt refuse (ACM: CAA_ERROR) when they are not on it.")
                    .fix(format!("Add CAA records at {owner}: {}", wanted.iter().map(|w| format!("0 issue \"{w}\"")).collect::<Vec<_>>().join(", ")))
                    .ko(
                        format!("{owner}의 CAA 레코드가 다음 기관을 허용하지 않습니다: {}", wanted.join(" 또는 ")),
                        "CAA 레코드는 이 도메인에 인증서를 발급할 수 있는 인증 기관만 나열합니다. ACM과 Let's Encrypt는 이 목록에 없으면 발급을 거부합니다 (ACM: CAA_ERROR).",
                        format!("{owner}에 CAA 레코드를 추가하세요: {}", wanted.iter().map(|w| format!("0 issue \"{w}\"")).collect::<Vec<_>>().join(", ")),
                    )
            }
        }
    }
}

pub fn ns(host: &str, zone: Option<&str>, found: &[String], expected: &[String]) -> Finding {
    let norm = |v: &[String]| {
        let mut v: Vec<String> = v.iter().map(|s| s.trim_end_matches('.').to_ascii_lowercase()).collect();
        v.sort();
        v
    };
    match zone {
        None if expected.is_empty() => Finding::new("dns.ns", "unknown", Area::Dns, host, Verdict::Skip)
            .title("Could not find the name servers of the zone")
            .ko("호스팅 영역의 네임서버를 찾을 수 없습니다", "", "")
            .evidence(format!("no NS records at {host} or its parents")),
        None => Finding::new("dns.ns", "not_delegated", Area::Dns, host, Verdict::Fail)
            .title("The domain has no name servers in public DNS")
            .evidence(format!("expected: {}", expected.join(", ")))
            .why("Nobody can look up any name of the domain until the registrar lists the hosted zone's name servers.")
            .fix("At the registrar, set the domain's name servers to the four listed above.")
            .ko(
                "공개 DNS에 이 도메인의 네임서버가 없습니다",
                "도메인 등록 업체에 호스팅 영역의 네임서버가 등록되기 전에는 아무도 이 도메인의 어떤 이름도 조회할 수 없습니다.",
                "도메인 등록 업체에서 이 도메인의 네임서버를 위에 나열된 네 개로 설정하세요.",
            ),
        Some(zone) if expected.is_empty() || norm(found) == norm(expected) => {
            Finding::new("dns.ns", "ok", Area::Dns, host, Verdict::Pass)
                .title(format!("{zone} is served by {}", found.join(", ")))
                .ko(format!("{zone} 영역은 다음 네임서버가 응답합니다: {}", found.join(", ")), "", "")
                .evidence(format!("NS {zone}: {}", found.join(", ")))
        }
        Some(zone) => Finding::new("dns.ns", "not_delegated", Area::Dns, host, Verdict::Fail)
            .title(format!("{zone} is delegated to other name servers than the hosted zone's"))
            .evidence(format!("public NS {zone}: {}", found.join(", ")))
            .evidence(format!("hosted zone NS: {}", expected.join(", ")))
            .why("Records you add in Route 53 are invisible to the world (and to ACM) while the registrar points elsewhere; this is the classic 'certificate stuck in Pending validation'.")
            .fix("At the registrar, replace the name servers with the hosted zone's four (copy them exactly, without the trailing dot if the form refuses it).")
            .ko(
                format!("{zone} 영역이 호스팅 영역의 네임서버가 아닌 다른 네임서버에 위임되어 있습니다"),
                "도메인 등록 업체가 다른 곳을 가리키는 동안에는 Route 53에 추가한 레코드가 외부(그리고 ACM)에서 보이지 않습니다. 흔히 겪는 '인증서가 검증 대기 중(Pending validation)에서 멈춤' 문제가 바로 이것입니다.",
                "도메인 등록 업체에서 네임서버를 호스팅 영역의 네임서버 네 개로 바꾸세요 (정확히 복사하고, 입력란이 끝의 점을 받지 않으면 점을 빼고 입력하세요).",
            ),
    }
}

/// A connection lockstep refused to open: the address is private or internal (see
/// `egress.rs`). Says what kind of address it is and what to use instead; nothing from the
/// address is shown, because nothing was sent to it.
pub fn blocked(
    check: &str,
    area: Area,
    subject: impl Into<String>,
    verdict: Verdict,
    addr: SocketAddr,
    why: NotPublic,
) -> Finding {
    let (what, reason, fix, kind) = (refusal_what(), refusal_why(), refusal_fix(), why.kind());
    Finding::new(check, "blocked", area, subject, verdict)
        .title(format!("{}: {} is {}", what.en, addr.ip(), kind.en))
        .evidence(format!("not connected to {addr} ({})", why.code()))
        .why(reason.en)
        .fix(fix.en)
        .ko(format!("{}: {}은(는) {}입니다", what.ko, addr.ip(), kind.ko), reason.ko, fix.ko)
}

pub fn tcp(host: &str, port: u16, role: Port, result: &Result<(), NetError>) -> Finding {
    let subject = format!("{host}:{port}");
    match result {
        Err(NetError::Blocked(addr, why)) => blocked(role.check(), Area::Tcp, subject, Verdict::Fail, *addr, *why),
        Ok(()) => Finding::new(role.check(), "open", Area::Tcp, subject, Verdict::Pass)
            .title(format!("Port {port} is open"))
            .ko(format!("{port}번 포트가 열려 있습니다"), "", ""),
        Err(NetError::Refused(addr)) => {
            let f = Finding::new(role.check(), "refused", Area::Tcp, subject, role.verdict())
                .title(format!("Port {port} refuses connections: nothing listens there"))
                .evidence(format!("connect {addr}: connection refused"));
            match role {
                Port::Https => f
                    .why("The machine answered, but no program accepts connections on the HTTPS port.")
                    .fix("nginx: add a server block with `listen 443 ssl;` (certbot --nginx does it) and reload. ALB: add an HTTPS:443 listener.")
                    .ko(
                        format!("{port}번 포트가 연결을 거부합니다: 이 포트에서 대기 중인 프로그램이 없습니다"),
                        "서버는 응답했지만, HTTPS 포트에서 연결을 받는 프로그램이 없습니다.",
                        "nginx: `listen 443 ssl;`이 들어간 server 블록을 추가하고(certbot --nginx가 해 줍니다) reload 하세요. ALB: HTTPS:443 리스너를 추가하세요.",
                    ),
                Port::Http => f
                    .why("Typed addresses and old links start with http://; with port 80 closed they fail instead of being redirected. Let's Encrypt's HTTP-01 renewal also needs port 80.")
                    .fix("Listen on 80 and redirect to HTTPS (nginx `return 301 https://$host$request_uri;`, ALB HTTP:80 listener with a redirect action).")
                    .ko(
                        format!("{port}번 포트가 연결을 거부합니다: 이 포트에서 대기 중인 프로그램이 없습니다"),
                        "직접 입력한 주소와 예전 링크는 http://로 시작합니다. 80번 포트가 닫혀 있으면 리디렉션되지 않고 그냥 실패합니다. Let's Encrypt의 HTTP-01 갱신에도 80번 포트가 필요합니다.",
                        "80번 포트에서 요청을 받아 HTTPS로 리디렉션하세요 (nginx `return 301 https://$host$request_uri;`, ALB는 리디렉션 동작이 있는 HTTP:80 리스너).",
                    ),
            }
        }
        Err(NetError::Timeout(addr)) => {
            let f = Finding::new(role.check(), "timeout", Area::Tcp, subject, role.verdict())
                .title(format!("Port {port} does not answer (connection timed out)"))
                .evidence(format!("connect {addr}: no answer"))
                .why("Packets are dropped before they reach a program: a firewall, or a security group without an inbound rule for this port.");
            f.fix(format!(
                "In the security group of the instance (or the ALB), add an inbound rule: TCP {port} from 0.0.0.0/0 and ::/0."
            ))
            .ko(
                format!("{port}번 포트가 응답하지 않습니다 (연결 시간 초과)"),
                "패킷이 프로그램에 닿기 전에 버려집니다: 방화벽, 또는 이 포트에 대한 인바운드 규칙이 없는 보안 그룹 때문입니다.",
                format!("인스턴스(또는 ALB)의 보안 그룹에 인바운드 규칙을 추가하세요: TCP {port}, 소스 0.0.0.0/0 및 ::/0."),
            )
        }
        Err(NetError::NoAddress(_)) => Finding::new(role.check(), "no_address", Area::Tcp, subject, Verdict::Skip)
            .title(format!("Port {port} not checked: the name has no address"))
            .ko(format!("{port}번 포트는 확인하지 않았습니다: 이 이름에 주소가 없습니다"), "", ""),
        Err(e) => Finding::new(role.check(), "error", Area::Tcp, subject, role.verdict())
            .title(format!("Port {port}: {e}"))
            .evidence(e.to_string())
            .fix("Check the instance is running and the network path (route table, NACL) allows the port.")
            .ko(
                format!("{port}번 포트: {e}"),
                "",
                "인스턴스가 실행 중인지, 그리고 네트워크 경로(라우팅 테이블, NACL)가 이 포트를 허용하는지 확인하세요.",
            ),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Port {
    Http,
    Https,
}

impl Port {
    fn check(self) -> &'static str {
        match self {
            Port::Http => "tcp.http",
            Port::Https => "tcp.https",
        }
    }
    fn verdict(self) -> Verdict {
        match self {
            Port::Http => Verdict::Warn,
            Port::Https => Verdict::Fail,
        }
    }
}

pub fn handshake_ok(host: &str, port: u16, info: &TlsInfo) -> Finding {
    Finding::new("tls.handshake", "ok", Area::Tls, format!("{host}:{port}"), Verdict::Pass)
        .title(format!("TLS handshake with SNI {host}: {}", info.version))
        .ko(format!("TLS 핸드셰이크 성공 (SNI {host}): {}", info.version), "", "")
        .evidence(format!("protocol {}, {} certificate(s) sent", info.version, info.chain.len()))
}

pub fn handshake_plain(host: &str, port: u16, probe: Option<&str>) -> Finding {
    let mut f = Finding::new("tls.handshake", "plain_listener", Area::Tls, format!("{host}:{port}"), Verdict::Fail)
        .title(format!("Port {port} speaks plain HTTP, not TLS"))
        .evidence("TLS handshake: the server answered with something that is not TLS (browsers: ERR_SSL_PROTOCOL_ERROR, curl: wrong version number)");
    if let Some(p) = probe {
        f = f.evidence(format!("plain HTTP on {port}: {}", first_line(p)));
    }
    f.why("The listener on the HTTPS port is a plain HTTP listener: the certificate is never used.")
        .fix(format!("nginx: write `listen {port} ssl;` (the `ssl` is missing) with ssl_certificate and ssl_certificate_key. ALB: the 443 listener must use protocol HTTPS, not HTTP."))
        .ko(
            format!("{port}번 포트가 TLS가 아니라 평문 HTTP로 응답합니다"),
            "HTTPS 포트의 리스너가 평문 HTTP 리스너입니다. 그래서 인증서가 전혀 쓰이지 않습니다.",
            format!("nginx: ssl_certificate, ssl_certificate_key와 함께 `listen {port} ssl;`로 쓰세요 (`ssl`이 빠져 있습니다). ALB: 443 리스너의 프로토콜은 HTTP가 아니라 HTTPS여야 합니다."),
        )
}

pub fn handshake_failed(host: &str, port: u16, e: &NetError) -> Finding {
    let text = e.to_string();
    let old = text.contains("ProtocolVersion") || text.contains("protocol version");
    Finding::new("tls.handshake", if old { "old_protocol" } else { "failed" }, Area::Tls, format!("{host}:{port}"), Verdict::Fail)
        .title(if old { "The server only offers old TLS versions (1.0/1.1)".to_string() } else { format!("TLS handshake failed: {text}") })
        .ko(
            if old { "서버가 오래된 TLS 버전(1.0/1.1)만 제공합니다".to_string() } else { format!("TLS 핸드셰이크 실패: {text}") },
            if old {
                "브라우저는 2020년에 TLS 1.0과 1.1 지원을 중단했습니다."
            } else {
                "브라우저가 암호화된 연결을 맺지 못해 오류 페이지를 보여 줍니다."
            },
            if old {
                "nginx: `ssl_protocols TLSv1.2 TLSv1.3;`. ALB: 최신 보안 정책(ELBSecurityPolicy-TLS13-1-2-2021-06)을 선택하세요."
            } else {
                "서버의 TLS 설정(인증서와 키 파일을 읽을 수 있는지, ssl_protocols)과 서버의 오류 로그를 확인하세요."
            },
        )
        .evidence(text)
        .why(if old { "Browsers dropped TLS 1.0 and 1.1 in 2020." } else { "Browsers cannot set up an encrypted connection, so they show an error page." })
        .fix(if old {
            "nginx: `ssl_protocols TLSv1.2 TLSv1.3;`. ALB: choose a current security policy (ELBSecurityPolicy-TLS13-1-2-2021-06)."
        } else {
            "Check the server's TLS settings (certificate and key files readable, ssl_protocols) and its error log."
        })
}

pub fn cert_finding(host: &str, trust: &Trust, leaf: Option<&CertFacts>, info: &TlsInfo) -> Finding {
    let names = leaf.map(|l| l.names.join(", ")).unwrap_or_default();
    let issuer = leaf.map(|l| l.issuer.clone()).unwrap_or_default();
    let base = |code: &str, v: Verdict| {
        let mut f = Finding::new("tls.certificate", code, Area::Tls, host, v);
        if let Some(l) = leaf {
            f = f
                .evidence(format!("names: {}", l.names.join(", ")))
                .evidence(format!("issuer: {}", l.issuer))
                .evidence(format!("chain sent: {} certificate(s)", info.chain.len()));
        }
        f
    };
    match trust {
        Trust::Ok => base("ok", Verdict::Pass)
            .title(format!("Certificate is valid for {host} and trusted (issuer {issuer})"))
            .ko(format!("인증서가 {host}에 대해 유효하고 신뢰할 수 있습니다 (발급자 {issuer})"), "", ""),
        Trust::NameMismatch => {
            let near: Vec<&String> = leaf.map(|l| l.names.iter().filter(|n| n.starts_with("*.")).collect()).unwrap_or_default();
            let wildcard_hint = if near.iter().any(|n| host.ends_with(n.trim_start_matches('*'))) && !near.iter().any(|n| name_covers(n, host)) {
                " A wildcard covers exactly one label: *.example.com covers api.example.com but not example.com or a.b.example.com."
            } else {
                ""
            };
            let wildcard_hint_ko = if wildcard_hint.is_empty() {
                ""
            } else {
                " 와일드카드는 정확히 한 단계만 포함합니다: *.example.com은 api.example.com을 포함하지만 example.com이나 a.b.example.com은 포함하지 않습니다."
            };
            base("name_mismatch", Verdict::Fail)
                .title(format!("The certificate is not for {host} (it is for {names})"))
                .why(format!("Browsers check that the name in the address bar is one of the certificate's names; otherwise NET::ERR_CERT_COMMON_NAME_INVALID.{wildcard_hint}"))
                .fix(format!("Request a certificate that includes {host} (ACM: add it to the names; certbot: `-d {host}`), and attach it to the listener or server block that serves {host}."))
                .ko(
                    format!("인증서가 {host}용이 아닙니다 (인증서의 이름: {names})"),
                    format!("브라우저는 주소창의 이름이 인증서의 이름 중 하나인지 확인합니다. 아니면 NET::ERR_CERT_COMMON_NAME_INVALID 오류가 납니다.{wildcard_hint_ko}"),
                    format!("{host} 이름이 포함된 인증서를 요청하세요 (ACM: 이름 목록에 추가, certbot: `-d {host}`). 그리고 {host} 요청을 처리하는 리스너나 server 블록에 그 인증서를 연결하세요."),
                )
        }
        Trust::Expired => base("expired", Verdict::Fail)
            .title("The certificate has expired")
            .ko("인증서가 만료되었습니다", "", ""),
        Trust::NotYetValid => base("not_yet_valid", Verdict::Fail)
            .title("The certificate is not valid yet")
            .why("Its start date is in the future, or the server's clock is wrong.")
            .fix("Check the server's clock (timedatectl / chrony); re-issue the certificate.")
            .ko(
                "인증서가 아직 유효하지 않습니다",
                "인증서의 시작 날짜가 미래이거나, 서버의 시계가 틀렸습니다.",
                "서버의 시계를 확인하고(timedatectl / chrony) 인증서를 다시 발급하세요.",
            ),
        Trust::SelfSigned => base("self_signed", Verdict::Fail)
            .title("The certificate is self-signed")
            .why("Nobody vouches for a self-signed certificate; browsers show NET::ERR_CERT_AUTHORITY_INVALID and API calls fail.")
            .fix(format!("Get a free certificate: `sudo certbot --nginx -d {host}` on the instance, or ACM for an ALB or CloudFront."))
            .ko(
                "자체 서명 인증서입니다",
                "자체 서명 인증서는 아무도 보증해 주지 않습니다. 브라우저는 NET::ERR_CERT_AUTHORITY_INVALID 오류를 보여 주고 API 호출은 실패합니다.",
                format!("무료 인증서를 받으세요: 인스턴스에서 `sudo certbot --nginx -d {host}`를 실행하거나, ALB나 CloudFront라면 ACM을 쓰세요."),
            ),
        Trust::IncompleteChain => base("incomplete_chain", Verdict::Fail)
            .title("The server sends its certificate without the intermediate")
            .why("Browsers need the chain up to a trusted root. Some desktop browsers patch it up from a cache; phones, curl, Java, Node and Python fail with 'unable to get local issuer certificate'.")
            .fix("nginx: point ssl_certificate at fullchain.pem, not cert.pem (certbot writes both). Elsewhere, append the intermediate after the leaf.")
            .ko(
                "서버가 중간 인증서 없이 인증서만 보냅니다",
                "브라우저에는 신뢰할 수 있는 루트까지 이어지는 인증서 체인이 필요합니다. 일부 데스크톱 브라우저는 캐시로 빈 곳을 채우지만, 휴대폰, curl, Java, Node, Python은 'unable to get local issuer certificate' 오류로 실패합니다.",
                "nginx: ssl_certificate가 cert.pem이 아니라 fullchain.pem을 가리키게 하세요 (certbot이 둘 다 만듭니다). 다른 서버라면 리프(leaf) 인증서 뒤에 중간 인증서를 이어 붙이세요.",
            ),
        Trust::UntrustedIssuer => base("untrusted_issuer", Verdict::Fail)
            .title(format!("The certificate's issuer is not trusted ({issuer})"))
            .why("The chain does not end at a certificate authority that browsers trust: a private CA, a test CA (Let's Encrypt staging), or a wrong chain file.")
            .fix("Issue a certificate from a public CA (ACM, or certbot without --staging / --test-cert) and serve its full chain.")
            .ko(
                format!("인증서 발급자를 신뢰할 수 없습니다 ({issuer})"),
                "인증서 체인이 브라우저가 신뢰하는 인증 기관에서 끝나지 않습니다: 사설 CA, 테스트용 CA(Let's Encrypt staging), 또는 잘못된 체인 파일입니다.",
                "공인 CA에서 인증서를 발급받고(ACM, 또는 --staging / --test-cert 없이 certbot) 전체 인증서 체인을 제공하세요.",
            ),
        Trust::Other(e) => base("invalid", Verdict::Fail)
            .title(format!("The certificate is not accepted: {e}"))
            .why("Browsers refuse the connection.")
            .fix("Re-issue the certificate and serve the full chain.")
            .ko(
                format!("인증서가 받아들여지지 않습니다: {e}"),
                "브라우저가 연결을 거부합니다.",
                "인증서를 다시 발급하고 전체 인증서 체인을 제공하세요.",
            ),
    }
}

pub fn expiry_finding(host: &str, leaf: &CertFacts, now: OffsetDateTime) -> Finding {
    let days = (leaf.not_after - now).whole_days();
    let date = leaf.not_after.date();
    let f = |code: &str, v: Verdict| {
        Finding::new("tls.expiry", code, Area::Tls, host, v)
            .evidence(format!("valid {} .. {}", leaf.not_before.date(), date))
            .expires_at((leaf.not_after.unix_timestamp_nanos() / 1_000_000) as i64)
    };
    if now > leaf.not_after {
        f("expired", Verdict::Fail)
            .title(format!("The certificate expired on {date} ({} days ago)", -days))
            .why("Browsers refuse expired certificates (NET::ERR_CERT_DATE_INVALID). Automatic renewal did not happen.")
            .fix("certbot: `sudo certbot renew` and check the timer (`systemctl list-timers | grep certbot`) and that port 80 is open for renewals. ACM renews by itself only while the validation CNAME stays in the zone and the certificate is in use.")
            .ko(
                format!("인증서가 {date}에 만료되었습니다 ({}일 전)", -days),
                "브라우저는 만료된 인증서를 거부합니다 (NET::ERR_CERT_DATE_INVALID). 자동 갱신이 이루어지지 않았습니다.",
                "certbot: `sudo certbot renew`를 실행하고, 타이머(`systemctl list-timers | grep certbot`)와 갱신에 필요한 80번 포트가 열려 있는지 확인하세요. ACM은 검증용 CNAME이 호스팅 영역에 남아 있고 인증서가 사용 중일 때만 스스로 갱신합니다.",
            )
    } else if now < leaf.not_before {
        f("not_yet_valid", Verdict::Fail)
            .title(format!("The certificate is valid only from {}", leaf.not_before.date()))
            .ko(format!("인증서는 {}부터 유효합니다", leaf.not_before.date()), "", "")
    } else if days <= EXPIRY_WARN_DAYS {
        f("expires_soon", Verdict::Warn)
            .title(format!("The certificate expires in {days} days ({date})"))
            .why("Renewal normally happens 30 days before expiry; a certificate this close to the end means renewal is failing.")
            .fix("certbot: run `sudo certbot renew --dry-run` to see why. ACM: check the certificate's renewal status and that the validation CNAME is still in the zone.")
            .ko(
                format!("인증서가 {days}일 뒤({date})에 만료됩니다"),
                "갱신은 보통 만료 30일 전에 이루어집니다. 만료가 이렇게 가까운데도 갱신되지 않았다면 갱신이 실패하고 있는 것입니다.",
                "certbot: `sudo certbot renew --dry-run`을 실행해 원인을 확인하세요. ACM: 인증서의 갱신 상태와, 검증용 CNAME이 아직 호스팅 영역에 있는지 확인하세요.",
            )
    } else {
        f("ok", Verdict::Pass).title(format!("The certificate is valid for {days} more days (until {date})")).ko(
            format!("인증서가 앞으로 {days}일 더 유효합니다 ({date}까지)"),
            "",
            "",
        )
    }
}

pub fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}
