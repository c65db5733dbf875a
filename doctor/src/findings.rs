//! Every finding the doctor can report, with its words: what was seen, why it matters, the fix.
//!
//! Kept in one place so the wording stays consistent and translations (issue 8) have one file
//! to follow. Each finding carries a stable `check` and `code`; tests and the UI key on those.

use crate::net::{NetError, TlsInfo};
use crate::tls::{name_covers, CertFacts, Trust};
use lockstep_domain::doctor::{Area, Finding, Verdict};
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
            )),
        "no_address" => f
            .title(format!("{host} exists but has no A or AAAA record"))
            .evidence(format!("{host}: no A/AAAA ({detail})"))
            .why("The name is there, but no address: a browser has nowhere to connect.")
            .fix(format!("Add an A record (or an alias A record) for {host}.")),
        _ => f
            .title(format!("Could not look {host} up"))
            .evidence(detail.to_string())
            .why("The DNS server did not answer; the name may be fine, this check could not tell.")
            .fix("Try again; if it persists, check the DNS server given with --dns or the machine's resolver."),
    }
}

pub fn dns_ok(host: &str, chain: &[String], ips: &[String]) -> Finding {
    let mut f = Finding::new("dns.address", "ok", Area::Dns, host, Verdict::Pass)
        .title(format!("{host} resolves to {}", ips.join(", ")));
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
}

pub fn caa(host: &str, owner: Option<&str>, issuers: &[String], required: &[&str]) -> Finding {
    let allowed = |ca: &str| issuers.iter().any(|i| i.eq_ignore_ascii_case(ca));
    let amazon = ["amazon.com", "amazontrust.com", "awstrust.com", "amazonaws.com"].iter().any(|c| allowed(c));
    let le = allowed("letsencrypt.org");
    match owner {
        None => Finding::new("dns.caa", "none", Area::Dns, host, Verdict::Pass)
            .title("No CAA records: any certificate authority may issue")
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
                    .evidence(ev)
            } else {
                let wanted = if missing.is_empty() { vec!["amazon.com", "letsencrypt.org"] } else { missing };
                Finding::new("dns.caa", "forbids", Area::Dns, host, if required.is_empty() { Verdict::Warn } else { Verdict::Fail })
                    .title(format!("CAA records at {owner} do not allow {}", wanted.join(" or ")))
                    .evidence(ev)
                    .why("A CAA record lists the only certificate authorities allowed to issue for the domain; ACM and Let's Encrypt refuse (ACM: CAA_ERROR) when they are not on it.")
                    .fix(format!("Add CAA records at {owner}: {}", wanted.iter().map(|w| format!("0 issue \"{w}\"")).collect::<Vec<_>>().join(", ")))
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
            .evidence(format!("no NS records at {host} or its parents")),
        None => Finding::new("dns.ns", "not_delegated", Area::Dns, host, Verdict::Fail)
            .title("The domain has no name servers in public DNS")
            .evidence(format!("expected: {}", expected.join(", ")))
            .why("Nobody can look up any name of the domain until the registrar lists the hosted zone's name servers.")
            .fix("At the registrar, set the domain's name servers to the four listed above."),
        Some(zone) if expected.is_empty() || norm(found) == norm(expected) => {
            Finding::new("dns.ns", "ok", Area::Dns, host, Verdict::Pass)
                .title(format!("{zone} is served by {}", found.join(", ")))
                .evidence(format!("NS {zone}: {}", found.join(", ")))
        }
        Some(zone) => Finding::new("dns.ns", "not_delegated", Area::Dns, host, Verdict::Fail)
            .title(format!("{zone} is delegated to other name servers than the hosted zone's"))
            .evidence(format!("public NS {zone}: {}", found.join(", ")))
            .evidence(format!("hosted zone NS: {}", expected.join(", ")))
            .why("Records you add in Route 53 are invisible to the world (and to ACM) while the registrar points elsewhere; this is the classic 'certificate stuck in Pending validation'.")
            .fix("At the registrar, replace the name servers with the hosted zone's four (copy them exactly, without the trailing dot if the form refuses it)."),
    }
}

pub fn tcp(host: &str, port: u16, role: Port, result: &Result<(), NetError>) -> Finding {
    let subject = format!("{host}:{port}");
    match result {
        Ok(()) => {
            Finding::new(role.check(), "open", Area::Tcp, subject, Verdict::Pass).title(format!("Port {port} is open"))
        }
        Err(NetError::Refused(addr)) => {
            let f = Finding::new(role.check(), "refused", Area::Tcp, subject, role.verdict())
                .title(format!("Port {port} refuses connections: nothing listens there"))
                .evidence(format!("connect {addr}: connection refused"));
            match role {
                Port::Https => f
                    .why("The machine answered, but no program accepts connections on the HTTPS port.")
                    .fix("nginx: add a server block with `listen 443 ssl;` (certbot --nginx does it) and reload. ALB: add an HTTPS:443 listener."),
                Port::Http => f
                    .why("Typed addresses and old links start with http://; with port 80 closed they fail instead of being redirected. Let's Encrypt's HTTP-01 renewal also needs port 80.")
                    .fix("Listen on 80 and redirect to HTTPS (nginx `return 301 https://$host$request_uri;`, ALB HTTP:80 listener with a redirect action)."),
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
        }
        Err(NetError::NoAddress(_)) => Finding::new(role.check(), "no_address", Area::Tcp, subject, Verdict::Skip)
            .title(format!("Port {port} not checked: the name has no address")),
        Err(e) => Finding::new(role.check(), "error", Area::Tcp, subject, role.verdict())
            .title(format!("Port {port}: {e}"))
            .evidence(e.to_string())
            .fix("Check the instance is running and the network path (route table, NACL) allows the port."),
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
}

pub fn handshake_failed(host: &str, port: u16, e: &NetError) -> Finding {
    let text = e.to_string();
    let old = text.contains("ProtocolVersion") || text.contains("protocol version");
    Finding::new("tls.handshake", if old { "old_protocol" } else { "failed" }, Area::Tls, format!("{host}:{port}"), Verdict::Fail)
        .title(if old { "The server only offers old TLS versions (1.0/1.1)".to_string() } else { format!("TLS handshake failed: {text}") })
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
        Trust::Ok => base("ok", Verdict::Pass).title(format!("Certificate is valid for {host} and trusted (issuer {issuer})")),
        Trust::NameMismatch => {
            let near: Vec<&String> = leaf.map(|l| l.names.iter().filter(|n| n.starts_with("*.")).collect()).unwrap_or_default();
            let wildcard_hint = if near.iter().any(|n| host.ends_with(n.trim_start_matches('*'))) && !near.iter().any(|n| name_covers(n, host)) {
                " A wildcard covers exactly one label: *.example.com covers api.example.com but not example.com or a.b.example.com."
            } else {
                ""
            };
            base("name_mismatch", Verdict::Fail)
                .title(format!("The certificate is not for {host} (it is for {names})"))
                .why(format!("Browsers check that the name in the address bar is one of the certificate's names; otherwise NET::ERR_CERT_COMMON_NAME_INVALID.{wildcard_hint}"))
                .fix(format!("Request a certificate that includes {host} (ACM: add it to the names; certbot: `-d {host}`), and attach it to the listener or server block that serves {host}."))
        }
        Trust::Expired => base("expired", Verdict::Fail).title("The certificate has expired"),
        Trust::NotYetValid => base("not_yet_valid", Verdict::Fail)
            .title("The certificate is not valid yet")
            .why("Its start date is in the future, or the server's clock is wrong.")
            .fix("Check the server's clock (timedatectl / chrony); re-issue the certificate."),
        Trust::SelfSigned => base("self_signed", Verdict::Fail)
            .title("The certificate is self-signed")
            .why("Nobody vouches for a self-signed certificate; browsers show NET::ERR_CERT_AUTHORITY_INVALID and API calls fail.")
            .fix(format!("Get a free certificate: `sudo certbot --nginx -d {host}` on the instance, or ACM for an ALB or CloudFront.")),
        Trust::IncompleteChain => base("incomplete_chain", Verdict::Fail)
            .title("The server sends its certificate without the intermediate")
            .why("Browsers need the chain up to a trusted root. Some desktop browsers patch it up from a cache; phones, curl, Java, Node and Python fail with 'unable to get local issuer certificate'.")
            .fix("nginx: point ssl_certificate at fullchain.pem, not cert.pem (certbot writes both). Elsewhere, append the intermediate after the leaf."),
        Trust::UntrustedIssuer => base("untrusted_issuer", Verdict::Fail)
            .title(format!("The certificate's issuer is not trusted ({issuer})"))
            .why("The chain does not end at a certificate authority that browsers trust: a private CA, a test CA (Let's Encrypt staging), or a wrong chain file.")
            .fix("Issue a certificate from a public CA (ACM, or certbot without --staging / --test-cert) and serve its full chain."),
        Trust::Other(e) => base("invalid", Verdict::Fail)
            .title(format!("The certificate is not accepted: {e}"))
            .why("Browsers refuse the connection.")
            .fix("Re-issue the certificate and serve the full chain."),
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
    } else if now < leaf.not_before {
        f("not_yet_valid", Verdict::Fail)
            .title(format!("The certificate is valid only from {}", leaf.not_before.date()))
    } else if days <= EXPIRY_WARN_DAYS {
        f("expires_soon", Verdict::Warn)
            .title(format!("The certificate expires in {days} days ({date})"))
            .why("Renewal normally happens 30 days before expiry; a certificate this close to the end means renewal is failing.")
            .fix("certbot: run `sudo certbot renew --dry-run` to see why. ACM: check the certificate's renewal status and that the validation CNAME is still in the zone.")
    } else {
        f("ok", Verdict::Pass).title(format!("The certificate is valid for {days} more days (until {date})"))
    }
}

pub fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}
