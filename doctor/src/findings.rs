//! Every finding the doctor can report, with its words: what was seen, why it matters, the fix.
//!
//! Kept in one place so the wording stays consistent and translations (issue 8) have one file
//! to follow. Each finding carries a stable `check` and `code`; tests and the UI key on those.

use crate::egress::{refusal_fix, refusal_what, refusal_why, NotPublic};
use crate::net::{NetError, Timeouts, TlsInfo};
use crate::tls::{name_covers, CertFacts, HandshakeFailure, Problem, Trust};
use lockstep_domain::doctor::{Area, Finding, Verdict};
use std::net::SocketAddr;

mod tls;

pub use tls::*;

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

/// A request the user asked to be checked (the health path, the CORS preflight, the frontend
/// page) that got no usable answer. Never a silent "not checked": a run where it happens must
/// not end "all passed" (issue 23), so it is `v` (a failure or a warning), with how long the
/// doctor waited and what usually causes it. Only a name without an address stays a skip: the
/// `dns.address` finding already fails for that.
pub fn not_answered(
    check: &str,
    area: Area,
    subject: String,
    what: [&str; 2],
    e: &NetError,
    t: Timeouts,
    v: Verdict,
) -> Finding {
    let [en, ko] = what;
    let secs = |d: std::time::Duration| {
        let s = d.as_secs_f32();
        if s.fract() == 0.0 {
            format!("{s:.0}")
        } else {
            format!("{s:.1}")
        }
    };
    let f = |code: &str| Finding::new(check, code, area, subject.clone(), v).evidence(format!("{en}: {e}"));
    match e {
        NetError::NoAddress(_) => Finding::new(check, "no_address", area, subject.clone(), Verdict::Skip)
            .title(format!("{en}: not checked, the name has no address"))
            .ko(format!("{ko}: 확인하지 않았습니다. 이 이름에 주소가 없습니다"), "", ""),
        NetError::Blocked(addr, why) => blocked(check, area, subject.clone(), v, *addr, *why),
        NetError::NoAnswer(d) => f("timeout")
            .title(format!("{en}: no answer within {} s", secs(*d)))
            .why(format!("The connection opened, but nothing came back for {} s. Usual causes: the app's workers are all busy or stuck (a slow database query, a request that never ends), a proxy waiting for an app that does not answer, or a security group or firewall that lets the connection open and then drops packets. Browsers and load balancers give up the same way.", secs(*d)))
            .fix("Time the request on the instance (`time curl -m 30 -sS -o /dev/null URL`), read the app's log for slow or hanging requests, and restart the app if its workers are stuck. Behind an ALB, compare with the target group's health check timeout.")
            .ko(
                format!("{ko}: {}초 안에 응답이 없습니다", secs(*d)),
                format!("연결은 열렸지만 {}초 동안 아무 응답도 오지 않았습니다. 흔한 원인: 앱의 워커가 모두 바쁘거나 멈춤(느린 데이터베이스 쿼리, 끝나지 않는 요청), 응답하지 않는 앱을 기다리는 프록시, 또는 연결은 열어 주고 이후 패킷을 버리는 보안 그룹이나 방화벽입니다. 브라우저와 로드 밸런서도 같은 식으로 포기합니다.", secs(*d)),
                "인스턴스에서 요청 시간을 재 보세요(`time curl -m 30 -sS -o /dev/null URL`). 앱 로그에서 느리거나 멈춘 요청을 찾고, 워커가 멈춰 있으면 앱을 재시작하세요. ALB 뒤라면 대상 그룹의 상태 검사 제한 시간과 비교해 보세요.",
            ),
        NetError::Timeout(_) => f("connect_timeout")
            .title(format!("{en}: could not connect within {} s", secs(t.connect)))
            .why("The connection attempt got no answer at all: packets are dropped on the way, usually by a security group without an inbound rule for the port, a network ACL, or a stopped instance.")
            .fix("In the security group of the instance (or the ALB), allow the port from 0.0.0.0/0 and ::/0, and check the instance is running.")
            .ko(
                format!("{ko}: {}초 안에 연결하지 못했습니다", secs(t.connect)),
                "연결 시도에 아무 응답이 없습니다: 패킷이 도중에 버려집니다. 대개 이 포트의 인바운드 규칙이 없는 보안 그룹, 네트워크 ACL, 또는 중지된 인스턴스 때문입니다.",
                "인스턴스(또는 ALB)의 보안 그룹에서 이 포트를 0.0.0.0/0과 ::/0에 허용하고, 인스턴스가 실행 중인지 확인하세요.",
            ),
        NetError::Refused(_) => f("refused")
            .title(format!("{en}: the connection was refused"))
            .why("The server is reachable but nothing listens on the port.")
            .fix("Start the web server (nginx) or add the listener on the load balancer, then run the doctor again.")
            .ko(
                format!("{ko}: 연결이 거부되었습니다"),
                "서버에는 닿지만 이 포트에서 대기하는 프로그램이 없습니다.",
                "웹 서버(nginx)를 시작하거나 로드 밸런서에 리스너를 추가한 다음 다시 검사하세요.",
            ),
        NetError::Connect(..) => f("unreachable")
            .title(format!("{en}: the server could not be reached"))
            .why("The network refused the connection before it reached the server (no route, or the address is not in use).")
            .fix("Check the instance is running and has a public address, and that its subnet routes to an internet gateway.")
            .ko(
                format!("{ko}: 서버에 닿을 수 없습니다"),
                "연결이 서버에 닿기 전에 네트워크에서 거부되었습니다 (경로가 없거나, 사용되지 않는 주소).",
                "인스턴스가 실행 중이고 공인 주소가 있는지, 서브넷이 인터넷 게이트웨이로 라우팅되는지 확인하세요.",
            ),
        NetError::Handshake(_) | NetError::NotTls(_) => f("tls_failed")
            .title(format!("{en}: the HTTPS connection could not be set up"))
            .why("The TLS handshake failed; the `tls.handshake` finding says why.")
            .fix("Fix the HTTPS problem reported under TLS, then run the doctor again.")
            .ko(
                format!("{ko}: HTTPS 연결을 맺지 못했습니다"),
                "TLS 핸드셰이크가 실패했습니다. 이유는 `tls.handshake` 항목에 있습니다.",
                "TLS 항목에 보고된 HTTPS 문제를 고친 다음 다시 검사하세요.",
            ),
        NetError::Http(_) => f("http_failed")
            .title(format!("{en}: the server closed the connection without a proper HTTP answer"))
            .why("The connection was set up, then closed or answered with something that is not HTTP: a crashing app, or a proxy that drops the request.")
            .fix("Read the proxy's and the app's error logs at the time of this check.")
            .ko(
                format!("{ko}: 서버가 올바른 HTTP 응답 없이 연결을 닫았습니다"),
                "연결은 맺어졌지만, 닫히거나 HTTP가 아닌 응답이 왔습니다: 앱이 죽었거나 프록시가 요청을 버립니다.",
                "이 검사 시각의 프록시와 앱의 오류 로그를 읽어 보세요.",
            ),
    }
}

pub fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}
