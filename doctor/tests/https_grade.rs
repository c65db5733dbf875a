//! Issue 23, part 3: the checks beyond "it works", against real servers on loopback: this test's
//! own nginx, certificates made by `openssl` for IP addresses (the free path's IP certificate,
//! issue 24), and the doctor on `https://<ip>:<port>` with the test CA as its only trust store.
//!
//! - The nginx lines the doctor recommends (`headers_words::NGINX_*`) make nginx's answer an A+,
//!   with HTTP/2 over ALPN and the IP address verified against the certificate's IP name.
//! - A bare nginx gets every header as advice, a D, and still exits 0 (advice is not failure).
//! - Weak headers, a session cookie without flags and CORS that echoes any origin with cookies
//!   each get their own finding; the CORS one fails the run.
//! - A certificate whose IP names do not include the address is a name mismatch (v4 and v6).

mod common;

use common::{Ca, Nginx, NoDns, Ports, TempDir};
use lockstep_doctor::doctor::{Letter, Report, Verdict};
use lockstep_doctor::headers_words::{NGINX_CSP_API, NGINX_FRAME, NGINX_HSTS, NGINX_NOSNIFF, NGINX_REFERRER};
use lockstep_doctor::{tls, Doctor, Target};
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

fn doctor(ca: &Ca) -> Doctor {
    Doctor::new(Arc::new(NoDns), tls::roots_from_pem(&ca.pem()).unwrap()).allow_private_targets()
}

async fn check(d: &Doctor, host: &str, https: u16, http: u16) -> Report {
    let mut t = Target::new(format!("https://{host}:{https}/").parse().unwrap());
    t.http_port = http;
    d.check(&t).await
}

fn describe(r: &Report) -> String {
    let mut s: String = r
        .findings
        .iter()
        .map(|f| format!("  {} {} {} {} ({})\n", f.verdict, f.check, f.code, f.subject, f.title))
        .collect();
    for g in r.grades() {
        s.push_str(&format!("  grade {}\n", g.line(false)));
    }
    s
}

fn code<'a>(r: &'a Report, check: &'a str) -> (&'a str, Verdict) {
    let f = r.of(check).next().unwrap_or_else(|| panic!("no {check}:\n{}", describe(r)));
    (f.code.as_str(), f.verdict)
}

/// A `listen ... ssl` server on `https` with `cert`, `extra` lines, answering `{"ok":true}`,
/// and a port-80 stand-in on `http` redirecting to it.
fn server(
    addr: &str,
    https: u16,
    http: u16,
    cert: &std::path::Path,
    key: &std::path::Path,
    listen_extra: &str,
    extra: &str,
) -> String {
    format!(
        "    server {{\n        listen {addr}:{http};\n        return 301 https://{addr}:{https}$request_uri;\n    }}\n    server {{\n        listen {addr}:{https} ssl{listen_extra};\n        ssl_certificate {};\n        ssl_certificate_key {};\n        ssl_protocols TLSv1.2 TLSv1.3;\n{extra}\n        location / {{ return 200 '{{\"ok\":true}}'; }}\n    }}\n",
        cert.display(),
        key.display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recommended_lines_give_an_a_plus_and_each_weakness_its_finding() {
    let tmp = TempDir::new("https-grade");
    let ca = Ca::new(&tmp.0);
    let now = OffsetDateTime::now_utc();
    let (from, to) = (now - Duration::days(1), now + Duration::days(89));
    ca.issue("ip4", "IP:127.0.0.1", from, to);
    ca.issue("ip6", "IP:::1", from, to);
    ca.issue("dnsonly", "DNS:localhost", from, to);
    let pem = |n: &str| tmp.path(&format!("{n}.pem"));
    let key = |n: &str| tmp.path(&format!("{n}.key"));

    let v4 = Ports::take(10, "127.0.0.1");
    let v6 = Ports::take(2, "[::1]");
    let p: Vec<u16> = (0..10).map(|i| v4.port(i)).collect();
    let (p6, p6h) = (v6.port(0), v6.port(1));
    let hardened = [NGINX_HSTS, NGINX_CSP_API, NGINX_NOSNIFF, NGINX_FRAME, NGINX_REFERRER]
        .map(|l| format!("        {l}"))
        .join("\n");
    let weak = [
        r#"add_header Strict-Transport-Security "max-age=300" always;"#,
        r#"add_header Content-Security-Policy "script-src 'self' 'unsafe-inline'" always;"#,
        r#"add_header X-Content-Type-Options "sniff" always;"#,
        r#"add_header X-Frame-Options "ALLOW-FROM https://a.example" always;"#,
        r#"add_header Referrer-Policy "unsafe-url" always;"#,
        r#"add_header Set-Cookie "sessionid=abc; Path=/" always;"#,
        r#"add_header Access-Control-Allow-Origin $http_origin always;"#,
        r#"add_header Access-Control-Allow-Credentials "true" always;"#,
    ]
    .map(|l| format!("        {l}"))
    .join("\n");
    let wildcard = "        add_header Access-Control-Allow-Origin \"*\" always;\n        add_header Access-Control-Allow-Credentials \"true\" always;";
    let servers = [
        server("127.0.0.1", p[0], p[1], &pem("ip4"), &key("ip4"), " http2", &hardened),
        server("127.0.0.1", p[2], p[3], &pem("ip4"), &key("ip4"), "", ""),
        server("127.0.0.1", p[4], p[5], &pem("ip4"), &key("ip4"), "", &weak),
        server("127.0.0.1", p[6], p[7], &pem("ip4"), &key("ip4"), "", wildcard),
        server("127.0.0.1", p[8], p[9], &pem("dnsonly"), &key("dnsonly"), "", &hardened),
        server("[::1]", p6, p6h, &pem("ip6"), &key("ip6"), " http2", &hardened),
    ]
    .concat();
    let listens: Vec<String> =
        p.iter().map(|p| format!("127.0.0.1:{p}")).chain([format!("[::1]:{p6}"), format!("[::1]:{p6h}")]).collect();
    v6.release();
    let _nginx = Nginx::start(&tmp.0, &servers, v4, &listens);
    let d = doctor(&ca);

    // Every recommended line, HTTP/2, TLS 1.2+1.3, a certificate for the IP: A+.
    let t0 = std::time::Instant::now();
    let r = check(&d, "127.0.0.1", p[0], p[1]).await;
    let took = t0.elapsed();
    for (check, want) in [
        ("dns.address", "ip_literal"),
        ("tls.handshake", "ok"),
        ("tls.certificate", "ok"),
        ("tls.expiry", "ok"),
        ("tls.protocols", "ok"),
        ("tls.alpn", "h2"),
        ("tls.chain", "ok"),
        ("http.redirect", "ok"),
        ("http.hsts", "ok"),
        ("headers.csp", "ok"),
        ("headers.content_type", "ok"),
        ("headers.frame", "ok"),
        ("headers.referrer", "ok"),
        ("headers.cors", "restricted"),
    ] {
        assert_eq!(code(&r, check), (want, Verdict::Pass), "{check}:\n{}", describe(&r));
    }
    let g = r.grades();
    assert_eq!(g.len(), 1, "{}", describe(&r));
    assert_eq!(
        (g[0].host.as_str(), g[0].letter, g[0].score),
        ("127.0.0.1", Letter::APlus, Some(100)),
        "{}",
        describe(&r)
    );
    assert_eq!(r.exit_code(), 0, "{}", describe(&r));
    assert!(took < std::time::Duration::from_secs(3), "one name, every check: {took:?}");
    let text = lockstep_doctor::render::human(&r, &lockstep_doctor::render::Style { color: false, verbose: false });
    assert!(text.contains("HTTPS grade\n  127.0.0.1: A+ (headers 100/100)"), "{text}");

    // The same over IPv6: https://[::1]:port/ verified against the certificate's IP ::1.
    let r = check(&d, "[::1]", p6, p6h).await;
    assert_eq!(code(&r, "tls.certificate"), ("ok", Verdict::Pass), "{}", describe(&r));
    assert_eq!(r.grades()[0].letter, Letter::APlus, "{}", describe(&r));

    // A certificate for DNS:localhost only, reached at 127.0.0.1: the IP is not one of its names.
    let r = check(&d, "127.0.0.1", p[8], p[9]).await;
    assert_eq!(code(&r, "tls.certificate"), ("name_mismatch", Verdict::Fail), "{}", describe(&r));
    assert_eq!(r.grades()[0].letter, Letter::F);

    // Bare nginx: every header is advice (with its fix), a D, and the run still passes.
    let r = check(&d, "127.0.0.1", p[2], p[3]).await;
    for check in ["http.hsts", "headers.csp", "headers.content_type", "headers.frame", "headers.referrer"] {
        let f = r.of(check).next().unwrap();
        assert_eq!((f.code.as_str(), f.verdict), ("missing", Verdict::Pass), "{check}");
        assert!(f.fix.as_deref().unwrap_or("").contains("add_header"), "{check}: {:?}", f.fix);
    }
    assert_eq!(code(&r, "tls.alpn"), ("no_h2", Verdict::Pass));
    let g = &r.grades()[0];
    assert_eq!((g.letter, g.score), (Letter::D, Some(30)), "{}", describe(&r));
    assert_eq!(r.exit_code(), 0, "advice only:\n{}", describe(&r));
    let text = lockstep_doctor::render::human(&r, &lockstep_doctor::render::Style { color: false, verbose: false });
    assert!(text.contains("  i No Content-Security-Policy (advice)"), "{text}");
    assert!(text.contains("fix:  nginx, in the `listen 443 ssl` server block"), "{text}");
    assert!(text.contains("127.0.0.1: D (headers 30/100): no Content-Security-Policy -25;"), "{text}");

    // Weak values: each its own code; CORS echoing any origin with cookies fails the run.
    let r = check(&d, "127.0.0.1", p[4], p[5]).await;
    for (check, want) in [
        ("http.hsts", ("short", Verdict::Pass)),
        ("headers.csp", ("unsafe_inline", Verdict::Pass)),
        ("headers.content_type", ("invalid", Verdict::Pass)),
        ("headers.frame", ("invalid", Verdict::Pass)),
        ("headers.referrer", ("unsafe", Verdict::Pass)),
        ("headers.cors", ("any_origin_with_credentials", Verdict::Fail)),
    ] {
        assert_eq!(code(&r, check), want, "{check}:\n{}", describe(&r));
    }
    let cookie_codes: Vec<&str> = r.of("cookies.flags").map(|f| f.code.as_str()).collect();
    assert_eq!(cookie_codes, ["session_not_secure", "not_http_only"], "{}", describe(&r));
    let g = &r.grades()[0];
    assert_eq!((g.letter, g.score), (Letter::F, Some(0)), "{}", describe(&r));
    assert_eq!(r.exit_code(), 2);

    // `*` with credentials: a warning.
    let r = check(&d, "127.0.0.1", p[6], p[7]).await;
    assert_eq!(code(&r, "headers.cors"), ("wildcard_with_credentials", Verdict::Warn), "{}", describe(&r));
}
