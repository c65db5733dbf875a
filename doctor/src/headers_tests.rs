//! One test per header rule: what each header value gives, as the HTTP Observatory grades it.

use super::*;
use crate::net::Response;
use bytes::Bytes;
use std::net::SocketAddr;

fn res(headers: &[(&str, &str)], content_type: &str, body: &str) -> Response {
    let mut map = http::HeaderMap::new();
    map.insert("content-type", http::HeaderValue::from_str(content_type).unwrap());
    for (k, v) in headers {
        map.append(http::HeaderName::from_bytes(k.as_bytes()).unwrap(), http::HeaderValue::from_str(v).unwrap());
    }
    Response {
        url: "https://h.example/".parse().unwrap(),
        status: 200,
        headers: map,
        body: Bytes::from(body.to_string()),
        addr: SocketAddr::from(([192, 0, 2, 1], 443)),
        tls: None,
    }
}

fn code_of(findings: &[Finding], check: &str) -> String {
    findings.iter().find(|f| f.check == check).map(|f| f.code.clone()).unwrap_or_else(|| panic!("no {check}"))
}

fn one(check: &str, headers: &[(&str, &str)]) -> Finding {
    judge("h.example", &res(headers, "application/json", "{}")).into_iter().find(|f| f.check == check).unwrap()
}

/// The Observatory's strongest headers: every finding passes without advice.
#[test]
fn a_hardened_response_needs_nothing() {
    let fs = judge(
        "h.example",
        &res(
            &[
                ("strict-transport-security", "max-age=63072000; includeSubDomains; preload"),
                ("content-security-policy", "default-src 'none'; frame-ancestors 'none'"),
                ("x-content-type-options", "nosniff"),
                ("referrer-policy", "no-referrer"),
            ],
            "application/json",
            "{}",
        ),
    );
    assert_eq!(fs.len(), 5);
    for f in &fs {
        assert_eq!((f.code.as_str(), f.verdict), ("ok", Verdict::Pass), "{f:?}");
        assert!(f.fix.is_none(), "{}: no advice needed", f.check);
        assert!(f.ko.as_ref().is_some_and(|k| !k.what.is_empty()));
        assert!(f.evidence.iter().any(|e| e == "GET https://h.example/ -> 200"));
    }
    assert_eq!(fs[0].title, "HSTS is on (max-age 730 days, includeSubDomains, preload)");
}

#[test]
fn hsts_rule() {
    for (v, code) in [
        (None, "missing"),
        (Some("max-age=31536000"), "ok"),
        (Some("max-age=15768000"), "ok"),
        (Some("max-age=15767999"), "short"),
        (Some("max-age=300; includeSubDomains"), "short"),
        (Some("max-age=0"), "short"),
        (Some("includeSubDomains"), "invalid"),
        (Some("max-age=soon"), "invalid"),
        (Some("max-age=\"31536000\""), "ok"),
    ] {
        let h: Vec<(&str, &str)> = v.map(|v| ("strict-transport-security", v)).into_iter().collect();
        let f = one("http.hsts", &h);
        assert_eq!(f.code, code, "{v:?}");
        assert_eq!(f.verdict, Verdict::Pass, "HSTS is advice");
        if code != "ok" {
            let fix = f.fix.unwrap_or_default();
            assert!(fix.contains(crate::headers_words::NGINX_HSTS), "{fix}");
            for stack in [
                "CloudFront: ",
                "SecurityHeadersPolicy",
                "SECURE_HSTS_SECONDS",
                "helmet",
                "httpStrictTransportSecurity",
            ] {
                assert!(fix.contains(stack), "{stack} in {fix}");
            }
        }
    }
    let h = parse_hsts("max-age=300; includeSubDomains; preload").unwrap();
    assert_eq!(h, Hsts { max_age: 300, include_subdomains: true, preload: true });
}

#[test]
fn csp_rule() {
    for (policy, code) in [
        ("default-src 'self'", "ok"),
        ("default-src 'none'; frame-ancestors 'none'", "ok"),
        ("default-src 'self'; style-src 'self' 'unsafe-inline'", "ok"),
        ("script-src 'self' 'unsafe-inline'", "unsafe_inline"),
        ("default-src 'self' 'unsafe-inline'", "unsafe_inline"),
        ("script-src 'nonce-abc' 'unsafe-inline'", "ok"),
        ("script-src 'sha256-abc=' 'unsafe-inline' 'strict-dynamic'", "ok"),
        ("script-src *", "unsafe_inline"),
        ("script-src 'self' data:", "unsafe_inline"),
        ("script-src https:", "unsafe_inline"),
        ("frame-ancestors 'none'", "no_script_limit"),
        ("upgrade-insecure-requests", "no_script_limit"),
        ("default-src 'self'; script-src 'self' http://cdn.example.com", "insecure_scheme"),
        ("default-src 'self'; connect-src http://api.example.com", "insecure_scheme"),
        ("default-src 'self'; img-src http://img.example.com", "ok"),
        ("script-src 'self' 'unsafe-eval'", "unsafe_eval"),
        // script-src wins over default-src.
        ("default-src 'unsafe-inline'; script-src 'self'", "ok"),
    ] {
        let f = one("headers.csp", &[("content-security-policy", policy)]);
        assert_eq!(f.code, code, "{policy}");
    }
    // Missing: advice with the API's policy for a JSON answer, the page's for HTML.
    let api = one("headers.csp", &[]);
    assert_eq!((api.code.as_str(), api.verdict), ("missing", Verdict::Pass));
    let fix = api.fix.unwrap_or_default();
    assert!(fix.contains(crate::headers_words::NGINX_CSP_API), "{fix}");
    for stack in
        ["Content-Security-Policy-Report-Only", "SECURE_CSP", "helmet", "policyDirectives", "response headers policy"]
    {
        assert!(fix.contains(stack), "{stack} in {fix}");
    }
    let page = judge("h.example", &res(&[], "text/html", "<html></html>"));
    let fix = page.iter().find(|f| f.check == "headers.csp").and_then(|f| f.fix.clone()).unwrap_or_default();
    assert!(fix.contains(crate::headers_words::NGINX_CSP_PAGE), "{fix}");
    // Report-Only blocks nothing: still missing, and said.
    let ro = one("headers.csp", &[("content-security-policy-report-only", "default-src 'self'")]);
    assert_eq!(ro.code, "missing");
    assert!(ro.evidence.iter().any(|e| e.contains("blocks nothing")));
    // A <meta> policy counts for scripts (not for framing).
    let html = r#"<html><head><meta http-equiv="Content-Security-Policy" content="default-src 'self'"></head></html>"#;
    let fs = judge("h.example", &res(&[], "text/html; charset=utf-8", html));
    assert_eq!(code_of(&fs, "headers.csp"), "ok");
    assert_eq!(code_of(&fs, "headers.frame"), "missing");
}

#[test]
fn content_type_options_rule() {
    for (v, code) in [(None, "missing"), (Some("nosniff"), "ok"), (Some(" NoSniff "), "ok"), (Some("sniff"), "invalid")]
    {
        let h: Vec<(&str, &str)> = v.map(|v| ("x-content-type-options", v)).into_iter().collect();
        let f = one("headers.content_type", &h);
        assert_eq!(f.code, code, "{v:?}");
        if code != "ok" {
            let fix = f.fix.unwrap_or_default();
            assert!(fix.contains(crate::headers_words::NGINX_NOSNIFF) && fix.contains("SECURE_CONTENT_TYPE_NOSNIFF"));
        }
    }
}

#[test]
fn framing_rule() {
    for (h, code) in [
        (vec![], "missing"),
        (vec![("x-frame-options", "DENY")], "ok"),
        (vec![("x-frame-options", "sameorigin")], "ok"),
        (vec![("x-frame-options", "ALLOW-FROM https://a.example")], "invalid"),
        (vec![("content-security-policy", "default-src 'self'; frame-ancestors 'self'")], "ok"),
        (vec![("content-security-policy", "default-src 'self'")], "missing"),
    ] {
        let f = one("headers.frame", &h);
        assert_eq!(f.code, code, "{h:?}");
        if code != "ok" {
            let fix = f.fix.unwrap_or_default();
            assert!(
                fix.contains(crate::headers_words::NGINX_FRAME) && fix.contains("XFrameOptionsMiddleware"),
                "{fix}"
            );
        }
    }
}

#[test]
fn referrer_rule() {
    for (v, code) in [
        (None, "missing"),
        (Some("strict-origin-when-cross-origin"), "ok"),
        (Some("no-referrer"), "ok"),
        (Some("same-origin"), "ok"),
        (Some("unsafe-url"), "unsafe"),
        (Some("no-referrer-when-downgrade"), "unsafe"),
        (Some("origin-when-cross-origin"), "unsafe"),
        // The last value a browser knows wins.
        (Some("no-referrer, unsafe-url"), "unsafe"),
        (Some("unsafe-url, strict-origin, something-new"), "ok"),
        (Some("nonsense"), "invalid"),
    ] {
        let h: Vec<(&str, &str)> = v.map(|v| ("referrer-policy", v)).into_iter().collect();
        assert_eq!(one("headers.referrer", &h).code, code, "{v:?}");
    }
}

#[test]
fn cors_rule() {
    let probe = |h: &[(&str, &str)]| cors("h.example", &res(h, "application/json", "{}"));
    let f = probe(&[("access-control-allow-origin", PROBE_ORIGIN), ("access-control-allow-credentials", "true")]);
    assert_eq!((f.code.as_str(), f.verdict), ("any_origin_with_credentials", Verdict::Fail));
    let fix = f.fix.unwrap_or_default();
    assert!(
        fix.contains("never `$http_origin`")
            && fix.contains("CORS_ALLOWED_ORIGINS")
            && fix.contains("setAllowedOrigins"),
        "{fix}"
    );
    let f = probe(&[("access-control-allow-origin", "*"), ("access-control-allow-credentials", "true")]);
    assert_eq!((f.code.as_str(), f.verdict), ("wildcard_with_credentials", Verdict::Warn));
    assert_eq!(probe(&[("access-control-allow-origin", "*")]).code, "public");
    assert_eq!(probe(&[("access-control-allow-origin", PROBE_ORIGIN)]).code, "any_origin");
    let f = probe(&[
        ("access-control-allow-origin", "https://www.h.example"),
        ("access-control-allow-credentials", "true"),
    ]);
    assert_eq!((f.code.as_str(), f.verdict), ("restricted", Verdict::Pass));
    assert_eq!(probe(&[]).code, "restricted");
}

#[test]
fn session_cookies_are_told_apart() {
    for n in
        ["sessionid", "JSESSIONID", "PHPSESSID", "connect.sid", "laravel_session", "auth_token", "jwt", "login", "sid"]
    {
        assert!(is_session_cookie(n), "{n}");
    }
    for n in ["csrftoken", "XSRF-TOKEN", "theme", "lang", "_ga"] {
        assert!(!is_session_cookie(n), "{n}");
    }
}

/// Every finding has Korean, and advice carries why and fix in both languages.
#[test]
fn every_header_finding_is_bilingual() {
    let bare = judge("h.example", &res(&[], "text/html", "<html></html>"));
    for f in &bare {
        let k = f.ko.as_ref().unwrap();
        assert!(k.what.chars().any(|c| ('가'..='힣').contains(&c)), "{}", f.title);
        if f.fix.is_some() {
            assert!(!k.why.is_empty() && !k.fix.is_empty(), "{}", f.check);
            assert!(f.title.ends_with("(advice)"), "{}", f.title);
        }
    }
}
