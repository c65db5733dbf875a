//! Issue 23, part 3 (TLS) and issue 24, part 3 (short-lived certificates), against this test's
//! own nginx on loopback with certificates made by `openssl` for 127.0.0.1:
//!
//! - an nginx that still accepts TLS 1.0 and 1.1 (the old default `ssl_protocols`, with OpenSSL
//!   at security level 0 as on a server with an old OpenSSL): found by the hand-written hellos,
//!   a warning, and the grade at most B; TLS 1.2 only: no A+; TLS 1.3 only: fine;
//! - a 6-day certificate with 2 days left passes, with 6 hours left fails; a 90-day one with 20
//!   days left warns that its renewal is overdue;
//! - a stapled OCSP answer is seen; an intermediate signed with SHA-1 fails `tls.chain`.

mod common;

use common::{Ca, Nginx, NoDns, Ports, TempDir};
use lockstep_doctor::doctor::{Letter, Report, Verdict};
use lockstep_doctor::{tls, Doctor, Target};
use std::path::Path;
use std::sync::Arc;
use time::{Duration, OffsetDateTime};

fn describe(r: &Report) -> String {
    let mut s: String =
        r.findings.iter().map(|f| format!("  {} {} {} ({})\n", f.verdict, f.check, f.code, f.title)).collect();
    for g in r.grades() {
        s.push_str(&format!("  grade {}\n", g.line(false)));
    }
    s
}

fn found<'a>(r: &'a Report, check: &'a str) -> &'a lockstep_doctor::doctor::Finding {
    r.of(check).next().unwrap_or_else(|| panic!("no {check}:\n{}", describe(r)))
}

fn server(port: u16, chain: &Path, key: &Path, extra: &str) -> String {
    format!(
        "    server {{\n        listen 127.0.0.1:{port} ssl;\n        ssl_certificate {};\n        ssl_certificate_key {};\n{extra}\n        location / {{ return 200 'ok'; }}\n    }}\n",
        chain.display(),
        key.display()
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn versions_lifetimes_stapling_and_chain() {
    let tmp = TempDir::new("tls-offers");
    let ca = Ca::new(&tmp.0);
    let now = OffsetDateTime::now_utc();
    let ip = "IP:127.0.0.1";
    ca.issue_by("ca", "rsa", "rsa:2048", ip, (now - Duration::days(1), now + Duration::days(89)), "sha256");
    ca.issue("normal", ip, now - Duration::days(1), now + Duration::days(89));
    // Short-lived, as Let's Encrypt's `shortlived` profile issues for an IP address.
    ca.issue("six_two", ip, now - Duration::days(4), now + Duration::days(2) + Duration::hours(1));
    ca.issue("six_hours", ip, now - Duration::days(5) - Duration::hours(18), now + Duration::hours(6));
    ca.issue("ninety_twenty", ip, now - Duration::days(70), now + Duration::days(20));
    ca.issue("stapled", ip, now - Duration::days(1), now + Duration::days(89));
    let ocsp = ca.ocsp_response("stapled");
    ca.intermediate("sha1ca", "sha1");
    ca.issue_by("sha1ca", "undersha1", "rsa:2048", ip, (now - Duration::days(1), now + Duration::days(89)), "sha256");

    let p = Ports::take(8, "127.0.0.1");
    let ports: Vec<u16> = (0..8).map(|i| p.port(i)).collect();
    let leaf = |n: &str| (tmp.path(&format!("{n}.pem")), tmp.path(&format!("{n}.key")));
    let (rsa, rsa_key) = leaf("rsa");
    let (normal, normal_key) = leaf("normal");
    let servers = [
        // The old default: every version, and OpenSSL 3 allowed to speak the old ones.
        server(
            ports[0],
            &rsa,
            &rsa_key,
            "        ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;\n        ssl_ciphers DEFAULT:@SECLEVEL=0;",
        ),
        server(ports[1], &normal, &normal_key, "        ssl_protocols TLSv1.2;"),
        server(ports[2], &normal, &normal_key, "        ssl_protocols TLSv1.3;"),
        server(ports[3], &leaf("six_two").0, &leaf("six_two").1, "        ssl_protocols TLSv1.2 TLSv1.3;"),
        server(ports[4], &leaf("six_hours").0, &leaf("six_hours").1, "        ssl_protocols TLSv1.2 TLSv1.3;"),
        server(ports[5], &leaf("ninety_twenty").0, &leaf("ninety_twenty").1, "        ssl_protocols TLSv1.2 TLSv1.3;"),
        server(
            ports[6],
            &ca.chain("stapled", &["ca"]),
            &leaf("stapled").1,
            &format!(
                "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_stapling on;\n        ssl_stapling_file {};",
                ocsp.display()
            ),
        ),
        server(
            ports[7],
            &ca.chain("undersha1", &["sha1ca"]),
            &leaf("undersha1").1,
            "        ssl_protocols TLSv1.2 TLSv1.3;",
        ),
    ]
    .concat();
    let listens: Vec<String> = ports.iter().map(|p| format!("127.0.0.1:{p}")).collect();
    // The old server's OpenSSL: security level 0 (TLS 1.0, SHA-1 chains) for this nginx.
    let conf = common::old_openssl_conf(&tmp.0);
    let conf = conf.display().to_string();
    let _nginx = Nginx::start_env(&tmp.0, &servers, p, &listens, &[("OPENSSL_CONF", &conf)]);
    let d = Doctor::new(Arc::new(NoDns), tls::roots_from_pem(&ca.pem()).unwrap()).allow_private_targets();
    let check = |port: u16| {
        let d = &d;
        async move {
            let mut t = Target::new(format!("https://127.0.0.1:{port}/").parse().unwrap());
            // Nothing listens on 80 for these: no redirect to judge.
            t.http_port = 9;
            d.check(&t).await
        }
    };

    // TLS 1.0 and 1.1 accepted: a warning naming both, the grade at most B, the rest still works.
    let r = check(ports[0]).await;
    let f = found(&r, "tls.protocols");
    assert_eq!((f.code.as_str(), f.verdict), ("old_versions", Verdict::Warn), "{}", describe(&r));
    assert_eq!(f.title, "The server still accepts TLS 1.0 and TLS 1.1");
    assert_eq!(f.evidence[0], "TLS 1.3: accepted; TLS 1.2: accepted; TLS 1.1: accepted; TLS 1.0: accepted");
    assert_eq!(found(&r, "tls.certificate").verdict, Verdict::Pass, "{}", describe(&r));
    assert!(r.grades()[0].letter <= Letter::B, "{}", describe(&r));
    assert!(found(&r, "tls.chain").title.contains("RSA 2048"), "{}", describe(&r));

    // TLS 1.2 only: refused 1.0/1.1, but no TLS 1.3: advice, no A+.
    let r = check(ports[1]).await;
    let f = found(&r, "tls.protocols");
    assert_eq!((f.code.as_str(), f.verdict), ("no_tls13", Verdict::Pass), "{}", describe(&r));
    assert_eq!(f.evidence[0], "TLS 1.3: refused; TLS 1.2: accepted; TLS 1.1: refused; TLS 1.0: refused");
    assert_eq!(found(&r, "tls.handshake").evidence[0], "protocol TLS 1.2, 1 certificate(s) sent");
    // TLS 1.3 only.
    let r = check(ports[2]).await;
    let f = found(&r, "tls.protocols");
    assert_eq!((f.code.as_str(), f.verdict), ("ok", Verdict::Pass), "{}", describe(&r));
    assert!(f.title.starts_with("TLS 1.3 only"), "{}", f.title);

    // Lifetimes.
    let r = check(ports[3]).await;
    let f = found(&r, "tls.expiry");
    assert_eq!((f.code.as_str(), f.verdict), ("ok", Verdict::Pass), "6-day, 2 days left:\n{}", describe(&r));
    assert!(f.title.contains("short-lived 6-day certificate: renewal must keep running"), "{}", f.title);
    let r = check(ports[4]).await;
    let f = found(&r, "tls.expiry");
    assert_eq!(
        (f.code.as_str(), f.verdict),
        ("almost_expired", Verdict::Fail),
        "6-day, 6 hours left:\n{}",
        describe(&r)
    );
    assert!(f.title.contains("hours") && f.title.contains("6-day"), "{}", f.title);
    assert_eq!(r.grades()[0].letter, Letter::F);
    let r = check(ports[5]).await;
    let f = found(&r, "tls.expiry");
    assert_eq!(
        (f.code.as_str(), f.verdict),
        ("expires_soon", Verdict::Warn),
        "90-day, 20 days left:\n{}",
        describe(&r)
    );
    assert!(f.title.contains("a 90-day certificate: its renewal is overdue"), "{}", f.title);

    // OCSP: stapled here, not on the others (their certificates name an OCSP service).
    let r = check(ports[6]).await;
    assert_eq!(found(&r, "tls.ocsp").code, "stapled", "{}", describe(&r));
    let r = check(ports[3]).await;
    assert_eq!(found(&r, "tls.ocsp").code, "not_stapled", "{}", describe(&r));

    // An intermediate signed with SHA-1.
    let r = check(ports[7]).await;
    let f = found(&r, "tls.chain");
    assert_eq!((f.code.as_str(), f.verdict), ("weak_signature", Verdict::Fail), "{}", describe(&r));
    assert!(
        f.evidence.iter().any(|e| e.contains("intermediate CN=sha1ca") && e.contains("with-SHA1")),
        "{:?}",
        f.evidence
    );
    assert_eq!(r.grades()[0].letter, Letter::F);
}
