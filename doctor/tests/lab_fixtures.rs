//! The doctor against the real lab: nginx serving each misconfiguration a student makes, a
//! pebble-issued certificate, dnsmasq as the only resolver and the lab's CA as the only trust
//! store (never the system's). Each fixture must give its finding and name the fix; the valid
//! one must give no failure.

use lockstep_doctor::dns::HickoryDns;
use lockstep_doctor::doctor::{Report, Verdict};
use lockstep_doctor::lab::Lab;
use lockstep_doctor::{parse_url, tls, Doctor, Target};
use std::sync::Arc;

struct Case {
    fixture: &'static str,
    url: String,
    origin: Option<String>,
    health: Option<&'static str>,
    http_port: Option<u16>,
    https_port: Option<u16>,
    check: &'static str,
    code: &'static str,
    verdict: Verdict,
    /// Words the finding's fix (or evidence, for mixed content) must contain.
    names: &'static [&'static str],
}

fn case(
    fixture: &'static str,
    path: &str,
    check: &'static str,
    code: &'static str,
    verdict: Verdict,
    names: &'static [&'static str],
) -> Case {
    Case {
        fixture,
        url: format!("https://{fixture}.student.test:18443{path}"),
        origin: None,
        health: None,
        http_port: None,
        https_port: None,
        check,
        code,
        verdict,
        names,
    }
}

/// The lab lives on 127.x: the doctor opts in to loopback targets (lab and tests only).
fn doctor(lab: &Lab) -> Doctor {
    let pem = std::fs::read(lab.ca_bundle()).expect("lab CA bundle");
    Doctor::new(Arc::new(HickoryDns::at(lab.dns()).expect("resolver")), tls::roots_from_pem(&pem).expect("roots"))
        .allow_private_targets()
}

async fn run(d: &Doctor, lab: &Lab, c: &Case) -> Report {
    let mut t = Target::new(parse_url(&c.url).unwrap());
    t.origin = c.origin.as_deref().map(|o| parse_url(o).unwrap());
    t.health_path = c.health.map(str::to_string);
    t.http_port = c.http_port.unwrap_or(lab.http_port());
    t.https_port = c.https_port.unwrap_or(lab.https_port());
    d.check(&t).await
}

fn describe(r: &Report) -> String {
    r.findings.iter().map(|f| format!("  {} {} {} ({})\n", f.verdict, f.check, f.code, f.title)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_lab_fixture_gets_its_diagnosis_and_the_valid_one_passes() {
    let lab = Lab::start().expect("the HTTPS lab (scripts/test.sh starts it; see lab/README.md)");
    assert_eq!(lab.zone(), "student.test");
    let d = doctor(&lab);

    // The valid deployment: API with a pebble certificate, frontend on www, CORS with cookies.
    let mut t = Target::new(parse_url("https://valid.student.test:18443/api/items").unwrap());
    t.origin = Some(parse_url("https://www.student.test:18443").unwrap());
    t.health_path = Some("/health".into());
    t.credentials = true;
    t.http_port = lab.http_port();
    t.expect = vec!["127.0.2.1".into()];
    let r = d.check(&t).await;
    assert_eq!(r.count(Verdict::Fail), 0, "valid must not fail:\n{}", describe(&r));
    for (check, code) in [
        ("dns.address", "ok"),
        ("tcp.https", "open"),
        ("tls.handshake", "ok"),
        ("tls.certificate", "ok"),
        ("tls.expiry", "ok"),
        ("http.redirect", "ok"),
        ("http.health", "ok"),
        ("cors.preflight", "ok"),
        ("cookies.site", "same_site"),
        ("mixed.content", "ok"),
    ] {
        assert!(
            r.of(check).any(|f| f.code == code && f.verdict == Verdict::Pass),
            "valid: no passing {check}/{code}:\n{}",
            describe(&r)
        );
    }
    assert_eq!(r.exit_code(), 0, "{}", describe(&r));

    let mut cases = vec![
        case("mismatch", "/", "tls.certificate", "name_mismatch", Verdict::Fail, &["mismatch.student.test"]),
        case("expired", "/", "tls.expiry", "expired", Verdict::Fail, &["renew"]),
        case("selfsigned", "/", "tls.certificate", "self_signed", Verdict::Fail, &["certbot"]),
        case("nochain", "/", "tls.certificate", "incomplete_chain", Verdict::Fail, &["fullchain.pem"]),
        case("noredirect", "/", "http.redirect", "no_redirect", Verdict::Fail, &["return 301"]),
        case("loop", "/", "http.redirect", "redirect_loop", Verdict::Fail, &["X-Forwarded-Proto"]),
        case("badgateway", "/", "http.health", "bad_gateway", Verdict::Fail, &["proxy_pass", "listens"]),
        case("health500", "/", "http.health", "server_error", Verdict::Fail, &["log"]),
        case("nocors", "/api/items", "cors.preflight", "no_acao", Verdict::Fail, &["https://www.student.test:18443"]),
        case("noopts", "/api/items", "cors.preflight", "no_options", Verdict::Fail, &["OPTIONS"]),
        case(
            "mixed",
            "/",
            "mixed.content",
            "mixed_content",
            Verdict::Fail,
            &["app.js", "logo.png", "http://api.student.test:18080/v1"],
        ),
        case("cookies", "/", "cookies.flags", "samesite_none_insecure", Verdict::Fail, &["SameSite=None; Secure"]),
        case("plainonhttps", "/", "tls.handshake", "plain_listener", Verdict::Fail, &["ssl"]),
        case("missing", "/", "dns.address", "nxdomain", Verdict::Fail, &["record"]),
    ];
    for c in cases.iter_mut() {
        match c.fixture {
            "badgateway" | "health500" => c.health = Some("/health"),
            "nocors" | "noopts" => c.origin = Some("https://www.student.test:18443".into()),
            _ => {}
        }
    }
    // http:// to the TLS port.
    let mut c =
        case("httpontls", "/", "http.scheme", "http_to_tls", Verdict::Fail, &["https://valid.student.test:18443"]);
    c.url = "http://valid.student.test:18443/".into();
    c.https_port = Some(18443);
    cases.push(c);
    // Nothing listening on the HTTP port: a warning (redirects and HTTP-01 renewals need it).
    let mut c = case("valid", "/", "tcp.http", "refused", Verdict::Warn, &["redirect"]);
    c.http_port = Some(18999);
    cases.push(c);

    let reports = futures::future::join_all(cases.iter().map(|c| run(&d, &lab, c))).await;
    let mut wrong = Vec::new();
    for (c, r) in cases.iter().zip(&reports) {
        let Some(f) = r.of(c.check).find(|f| f.code == c.code) else {
            wrong.push(format!("{}: no {}/{}\n{}", c.fixture, c.check, c.code, describe(r)));
            continue;
        };
        if f.verdict != c.verdict {
            wrong.push(format!("{}: {}/{} is {} not {}", c.fixture, c.check, c.code, f.verdict, c.verdict));
        }
        if f.why.as_deref().unwrap_or("").is_empty() || f.fix.as_deref().unwrap_or("").is_empty() {
            wrong.push(format!("{}: {}/{} lacks why or fix", c.fixture, c.check, c.code));
        }
        let text =
            format!("{} {} {}", f.fix.as_deref().unwrap_or(""), f.evidence.join(" "), f.why.as_deref().unwrap_or(""));
        for n in c.names {
            if !text.contains(n) {
                wrong.push(format!("{}: {}/{} does not mention '{n}': {text}", c.fixture, c.check, c.code));
            }
        }
        if r.exit_code() == 0 {
            wrong.push(format!("{}: exit code 0 for a broken site", c.fixture));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_lab_opt_in_the_lab_on_loopback_is_refused() {
    // What a real server does: the lab's names resolve (through its dnsmasq) to 127.x, so the
    // doctor says it does not connect there, instead of checking (and quoting) the lab.
    let lab = Lab::start().expect("the HTTPS lab (scripts/test.sh starts it; see lab/README.md)");
    let pem = std::fs::read(lab.ca_bundle()).expect("lab CA bundle");
    let d = Doctor::new(Arc::new(HickoryDns::at(lab.dns()).expect("resolver")), tls::roots_from_pem(&pem).unwrap());
    let mut t = Target::new(parse_url("https://valid.student.test:18443/health").unwrap());
    t.http_port = lab.http_port();
    let r = d.check(&t).await;
    for check in ["tcp.https", "tcp.http"] {
        let f = r.of(check).next().unwrap_or_else(|| panic!("no {check}:\n{}", describe(&r)));
        assert_eq!((f.code.as_str(), f.verdict), ("blocked", Verdict::Fail), "{}", describe(&r));
    }
    assert!(r.findings.iter().all(|f| f.check != "tls.certificate"), "{}", describe(&r));
}
