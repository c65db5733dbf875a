//! Security headers, tested the way Mozilla's HTTP Observatory tests them (issue 23): HSTS and its
//! max-age, a Content-Security-Policy that does not let inline scripts run, X-Content-Type-Options,
//! protection against framing, Referrer-Policy, and CORS answers to an origin nobody allowed.
//!
//! A missing header is advice (`Pass`, "advice" in its title): the site works, and the grade
//! (`lockstep_domain::doctor::HostGrade`) carries the weight, as the Observatory's score does.
//! Only CORS that shares cookie-authenticated answers with every site is a failure. The words,
//! with the exact line for nginx, CloudFront, Django, Express and Spring, are in
//! [`crate::headers_words`].

use crate::headers_words as words;
use crate::net::Response;
use lockstep_domain::doctor::{Area, Finding, Verdict};
use std::sync::LazyLock;

/// Six months, the Observatory's bar for HSTS.
pub const HSTS_MIN_AGE: u64 = 15_768_000;

/// The origin the CORS test sends: nobody allows it (`.invalid` is reserved, RFC 2606), so an
/// answer that names it would name any site.
pub const PROBE_ORIGIN: &str = "https://cors-check.lockstep.invalid";

/// A parsed Strict-Transport-Security header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hsts {
    pub max_age: u64,
    pub include_subdomains: bool,
    pub preload: bool,
}

pub fn parse_hsts(v: &str) -> Option<Hsts> {
    let mut max_age = None;
    let (mut include_subdomains, mut preload) = (false, false);
    for part in v.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, val) = part.split_once('=').map(|(k, v)| (k.trim(), v.trim().trim_matches('"'))).unwrap_or((part, ""));
        match k.to_ascii_lowercase().as_str() {
            "max-age" => max_age = Some(val.parse::<u64>().ok()?),
            "includesubdomains" => include_subdomains = true,
            "preload" => preload = true,
            _ => {}
        }
    }
    Some(Hsts { max_age: max_age?, include_subdomains, preload })
}

/// A Content-Security-Policy: each directive (lowercase) with its sources.
pub type Policy = Vec<(String, Vec<String>)>;

pub fn parse_csp(v: &str) -> Policy {
    let mut out: Policy = Vec::new();
    for d in v.split(';') {
        let mut words = d.split_whitespace();
        let Some(name) = words.next() else { continue };
        let name = name.to_ascii_lowercase();
        // The first of a repeated directive wins (CSP 3).
        if !out.iter().any(|(n, _)| *n == name) {
            out.push((name, words.map(str::to_string).collect()));
        }
    }
    out
}

fn directive<'a>(p: &'a Policy, name: &str) -> Option<&'a [String]> {
    p.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
}

/// What the Observatory's CSP test concludes, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Csp {
    /// Scripts may run inline (or from `data:`, `*`, any `https:` host).
    UnsafeInline,
    /// Neither script-src nor default-src: scripts are not limited at all.
    NoScriptLimit,
    /// Active content may load over http://.
    InsecureScheme,
    UnsafeEval,
    Ok,
}

impl Csp {
    pub fn code(self) -> &'static str {
        match self {
            Csp::UnsafeInline => "unsafe_inline",
            Csp::NoScriptLimit => "no_script_limit",
            Csp::InsecureScheme => "insecure_scheme",
            Csp::UnsafeEval => "unsafe_eval",
            Csp::Ok => "ok",
        }
    }
}

pub fn judge_csp(p: &Policy) -> Csp {
    let Some(scripts) = directive(p, "script-src").or_else(|| directive(p, "default-src")) else {
        return Csp::NoScriptLimit;
    };
    let low: Vec<String> = scripts.iter().map(|s| s.to_ascii_lowercase()).collect();
    let has = |s: &str| low.iter().any(|x| x == s);
    // A nonce or a hash makes browsers ignore 'unsafe-inline' (CSP 2+), and so does the
    // Observatory.
    let nonce_or_hash = low.iter().any(|x| x.starts_with("'nonce-") || x.starts_with("'sha"));
    let broad = low.iter().any(|x| matches!(x.as_str(), "*" | "data:" | "https:" | "http:"));
    if (has("'unsafe-inline'") && !nonce_or_hash && !has("'strict-dynamic'")) || broad {
        return Csp::UnsafeInline;
    }
    let active = ["script-src", "default-src", "object-src", "frame-src", "worker-src", "connect-src"];
    let insecure = p
        .iter()
        .filter(|(n, _)| active.contains(&n.as_str()))
        .flat_map(|(_, v)| v)
        .any(|s| s.to_ascii_lowercase().starts_with("http:") || s.eq_ignore_ascii_case("ws:"));
    if insecure {
        return Csp::InsecureScheme;
    }
    if has("'unsafe-eval'") {
        return Csp::UnsafeEval;
    }
    Csp::Ok
}

/// A CSP given in `<meta http-equiv>` (counts for the CSP test, but not for framing).
fn meta_csp(html: &str) -> Option<String> {
    static META: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r#"(?is)<meta\b[^>]*http-equiv\s*=\s*["']?content-security-policy["']?[^>]*>"#)
            .expect("meta csp regex")
    });
    static CONTENT: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r#"(?is)\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)')"#).expect("content regex"));
    let tag = META.find(html)?.as_str();
    let c = CONTENT.captures(tag)?;
    c.get(1).or_else(|| c.get(2)).map(|m| m.as_str().to_string())
}

fn is_html(res: &Response) -> bool {
    res.header("content-type").is_some_and(|c| c.to_ascii_lowercase().contains("text/html"))
}

fn finding(check: &str, code: &str, host: &str, v: Verdict, w: words::Said) -> Finding {
    let [t_en, t_ko] = w.title;
    let [y_en, y_ko] = w.why;
    let [x_en, x_ko] = w.fix;
    let mut f = Finding::new(check, code, Area::Http, host, v).title(t_en).ko(t_ko, y_ko.clone(), x_ko.clone());
    if !y_en.is_empty() {
        f = f.why(y_en);
    }
    if !x_en.is_empty() {
        f = f.fix(x_en);
    }
    f
}

/// The header findings of one HTTPS response of `host` (HSTS, CSP, nosniff, framing, referrer).
pub fn judge(host: &str, res: &Response) -> Vec<Finding> {
    let html = is_html(res);
    let got = format!("GET {} -> {}", res.url, res.status);
    let seen = |name: &str| match res.header_all(name).as_slice() {
        [] => format!("{name}: (not sent)"),
        v => format!("{name}: {}", v.join(", ")),
    };
    let mut out = Vec::new();

    // HSTS.
    let hsts_raw = res.header("strict-transport-security");
    let (code, w) = match hsts_raw.map(parse_hsts) {
        None => ("missing", words::hsts_missing()),
        Some(None) => ("invalid", words::hsts_invalid()),
        Some(Some(h)) if h.max_age < HSTS_MIN_AGE => ("short", words::hsts_short(&h)),
        Some(Some(h)) => ("ok", words::hsts_ok(&h)),
    };
    out.push(finding("http.hsts", code, host, Verdict::Pass, w).evidence(seen("Strict-Transport-Security")));

    // CSP: the header, else a <meta> in the page. Report-Only blocks nothing: it does not count.
    let header = res.header_all("content-security-policy");
    let meta = if header.is_empty() && html { meta_csp(&String::from_utf8_lossy(&res.body)) } else { None };
    let policy_text = if header.is_empty() { meta.clone() } else { Some(header.join(", ")) };
    let mut f = match &policy_text {
        None => finding("headers.csp", "missing", host, Verdict::Pass, words::csp_missing(html)),
        Some(text) => {
            let verdict = judge_csp(&parse_csp(text));
            finding("headers.csp", verdict.code(), host, Verdict::Pass, words::csp(verdict, html))
        }
    };
    f = f.evidence(seen("Content-Security-Policy"));
    if let Some(m) = &meta {
        f = f.evidence(format!("<meta http-equiv=\"Content-Security-Policy\" content=\"{m}\">"));
    }
    if let Some(ro) = res.header("content-security-policy-report-only") {
        f = f.evidence(format!("Content-Security-Policy-Report-Only: {ro} (reports only, blocks nothing)"));
    }
    out.push(f);

    // X-Content-Type-Options.
    let code = match res.header("x-content-type-options") {
        None => "missing",
        Some(v) if v.trim().eq_ignore_ascii_case("nosniff") => "ok",
        Some(_) => "invalid",
    };
    out.push(
        finding("headers.content_type", code, host, Verdict::Pass, words::content_type(code))
            .evidence(seen("X-Content-Type-Options")),
    );

    // Framing: CSP frame-ancestors (header only), else X-Frame-Options DENY / SAMEORIGIN.
    let ancestors =
        header.first().map(|h| parse_csp(h)).and_then(|p| directive(&p, "frame-ancestors").map(|v| v.join(" ")));
    let code = match (&ancestors, res.header("x-frame-options")) {
        (Some(_), _) => "ok",
        (None, Some(x)) if matches!(x.trim().to_ascii_uppercase().as_str(), "DENY" | "SAMEORIGIN") => "ok",
        (None, Some(_)) => "invalid",
        (None, None) => "missing",
    };
    out.push(
        finding("headers.frame", code, host, Verdict::Pass, words::frame(code))
            .evidence(seen("X-Frame-Options"))
            .evidence(format!("CSP frame-ancestors: {}", ancestors.as_deref().unwrap_or("(not set)"))),
    );

    // Referrer-Policy: the last value a browser recognises wins.
    let known = [
        "no-referrer",
        "same-origin",
        "strict-origin",
        "strict-origin-when-cross-origin",
        "origin",
        "origin-when-cross-origin",
        "unsafe-url",
        "no-referrer-when-downgrade",
    ];
    let code = match res.header("referrer-policy") {
        None => "missing",
        Some(v) => match v.split(',').map(|t| t.trim().to_ascii_lowercase()).rfind(|t| known.contains(&t.as_str())) {
            None => "invalid",
            Some(t) if known[..4].contains(&t.as_str()) => "ok",
            Some(_) => "unsafe",
        },
    };
    out.push(
        finding("headers.referrer", code, host, Verdict::Pass, words::referrer(code)).evidence(seen("Referrer-Policy")),
    );
    out.into_iter().map(|f| f.evidence(got.clone())).collect()
}

/// The CORS test: the answer to a GET from [`PROBE_ORIGIN`], a site nobody allowed.
pub fn cors(host: &str, res: &Response) -> Finding {
    let acao = res.header("access-control-allow-origin").map(str::trim);
    let creds = res.header("access-control-allow-credentials").is_some_and(|c| c.trim().eq_ignore_ascii_case("true"));
    let (code, v) = match acao {
        Some(a) if a.eq_ignore_ascii_case(PROBE_ORIGIN) && creds => ("any_origin_with_credentials", Verdict::Fail),
        Some(a) if a.eq_ignore_ascii_case(PROBE_ORIGIN) => ("any_origin", Verdict::Pass),
        Some("*") if creds => ("wildcard_with_credentials", Verdict::Warn),
        Some("*") => ("public", Verdict::Pass),
        _ => ("restricted", Verdict::Pass),
    };
    finding("headers.cors", code, host, v, words::cors(code))
        .evidence(format!("GET {} with Origin: {PROBE_ORIGIN} -> {}", res.url, res.status))
        .evidence(format!("Access-Control-Allow-Origin: {}", acao.unwrap_or("(not sent)")))
        .evidence(format!("Access-Control-Allow-Credentials: {}", if creds { "true" } else { "(not true)" }))
}

/// Observatory's idea of a session cookie (a name with "sess" or "login"), widened to the names
/// student apps use for one ("auth", "token", "jwt", Express's `connect.sid`); an anti-CSRF
/// cookie is not one (scripts must read it).
pub fn is_session_cookie(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    if n.contains("csrf") || n.contains("xsrf") {
        return false;
    }
    ["sess", "login", "auth", "token", "jwt"].iter().any(|k| n.contains(k)) || n == "sid" || n.ends_with(".sid")
}

#[cfg(test)]
#[path = "headers_tests.rs"]
mod tests;
