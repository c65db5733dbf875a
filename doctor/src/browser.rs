//! What a browser adds on top of HTTP: CORS preflights, cookie rules, mixed content, caches.

use crate::net::{NetError, Response};
use lockstep_domain::doctor::{Area, Finding, Verdict};
use regex::Regex;
use std::sync::LazyLock;
use url::Url;

/// The origin string a browser sends: scheme://host[:port].
pub fn origin_of(url: &Url) -> String {
    url.origin().ascii_serialization()
}

pub fn cors(api: &Url, origin: &Url, credentials: bool, res: &Result<Response, NetError>) -> Finding {
    let origin_s = origin_of(origin);
    let subject = api.to_string();
    let res = match res {
        Ok(r) => r,
        Err(e) => {
            return Finding::new("cors.preflight", "unreachable", Area::Cors, subject, Verdict::Skip)
                .title(format!("Preflight not sent: {e}"))
        }
    };
    let acao = res.header("access-control-allow-origin").map(str::to_string);
    let acac = res.header("access-control-allow-credentials").map(str::to_string);
    let methods = res.header("access-control-allow-methods").map(str::to_string);
    let f = |code: &str, v: Verdict| {
        let mut f = Finding::new("cors.preflight", code, Area::Cors, subject.clone(), v).evidence(format!(
            "OPTIONS {} (Origin: {origin_s}, Access-Control-Request-Method: POST) -> {}",
            api, res.status
        ));
        for (k, v) in [
            ("Access-Control-Allow-Origin", &acao),
            ("Access-Control-Allow-Credentials", &acac),
            ("Access-Control-Allow-Methods", &methods),
        ] {
            f = f.evidence(format!("{k}: {}", v.as_deref().unwrap_or("(missing)")));
        }
        f
    };
    let framework_fix = "Spring: a CorsConfigurationSource bean (allowedOrigins, allowedMethods incl. OPTIONS, allowCredentials) and `http.cors()` in the security chain; Express: `app.use(cors({ origin, credentials: true }))` before the routes; Django: django-cors-headers with CORS_ALLOWED_ORIGINS.";
    if matches!(res.status, 405 | 501) {
        return f("no_options", Verdict::Fail)
            .title(format!("The API answers the CORS preflight with {}: no OPTIONS handler", res.status))
            .why("Before a cross-origin POST/PUT or a request with a JSON body, the browser sends OPTIONS. The server does not handle OPTIONS, so the real request is never sent (console: 'Response to preflight request doesn't pass access control check').")
            .fix(format!("Handle OPTIONS with the CORS headers, before authentication. {framework_fix}"));
    }
    if (300..400).contains(&res.status) {
        return f("redirect", Verdict::Fail)
            .title(format!("The preflight is redirected ({})", res.status))
            .why("Browsers do not follow redirects on a preflight: http->https, a missing trailing slash or a login page all break it.")
            .fix("Call the final https:// URL from the frontend, exactly as the server routes it.");
    }
    if !(200..300).contains(&res.status) {
        return f("status", Verdict::Fail)
            .title(format!("The preflight got {}", res.status))
            .why("A preflight must answer 2xx; the browser then blocks the real request.")
            .fix(format!(
                "Let OPTIONS through without authentication and answer 204 with the CORS headers. {framework_fix}"
            ));
    }
    match acao.as_deref() {
        None => f("no_acao", Verdict::Fail)
            .title("The preflight answer has no Access-Control-Allow-Origin")
            .why(format!("The browser only lets {origin_s} call the API when the answer names that origin."))
            .fix(format!("Allow the origin {origin_s} in the API's CORS settings (exactly, with https:// and no trailing slash). {framework_fix}")),
        Some("*") if credentials => f("wildcard_with_credentials", Verdict::Fail)
            .title("Access-Control-Allow-Origin is * but the frontend sends cookies")
            .why("Browsers reject `*` on credentialed requests.")
            .fix(format!("Answer with the exact origin {origin_s} and Access-Control-Allow-Credentials: true.")),
        Some(a) if a != "*" && a.trim_end_matches('/') != origin_s => f("wrong_origin", Verdict::Fail)
            .title(format!("The API allows {a}, not {origin_s}"))
            .why("The allowed origin must equal the frontend's origin exactly: scheme, name and port (http vs https and www vs no-www count).")
            .fix(format!("Allow {origin_s} in the API's CORS settings.")),
        Some(a) if a.ends_with('/') => f("trailing_slash", Verdict::Fail)
            .title(format!("Access-Control-Allow-Origin has a trailing slash: {a}"))
            .why("An origin has no path; browsers compare the strings exactly.")
            .fix(format!("Allow `{origin_s}` without the slash.")),
        Some(_) if credentials && acac.as_deref() != Some("true") => f("no_credentials", Verdict::Fail)
            .title("Cookies are used, but the preflight lacks Access-Control-Allow-Credentials: true")
            .why("Without it, the browser drops the response of a request made with credentials (fetch credentials: 'include', axios withCredentials).")
            .fix("Set allowCredentials / credentials: true in the API's CORS settings."),
        Some(_) => f("ok", Verdict::Pass).title(format!("The preflight from {origin_s} is allowed")),
    }
}

/// One Set-Cookie header, as far as browsers care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cookie {
    pub name: String,
    pub secure: bool,
    pub http_only: bool,
    pub same_site: Option<String>,
}

pub fn parse_set_cookie(v: &str) -> Option<Cookie> {
    let mut parts = v.split(';');
    let name = parts.next()?.split_once('=')?.0.trim().to_string();
    let mut c = Cookie { name, secure: false, http_only: false, same_site: None };
    for p in parts {
        let (k, val) = p.split_once('=').map(|(k, v)| (k.trim(), v.trim())).unwrap_or((p.trim(), ""));
        match k.to_ascii_lowercase().as_str() {
            "secure" => c.secure = true,
            "httponly" => c.http_only = true,
            "samesite" => c.same_site = Some(val.to_ascii_lowercase()),
            _ => {}
        }
    }
    Some(c)
}

/// The registrable domain ("site") of a host, per the Public Suffix List (private section
/// included, so `x.cloudfront.net` and `y.cloudfront.net` are different sites, as in browsers).
pub fn site(host: &str) -> String {
    psl::domain_str(host).map(str::to_string).unwrap_or_else(|| host.to_string())
}

/// Cookie flags of every Set-Cookie seen, and the site relation between frontend and API.
pub fn cookies(api: &Url, origin: Option<&Url>, seen: &[(String, String)]) -> Vec<Finding> {
    let host = api.host_str().unwrap_or_default().to_string();
    let cross_site = origin.and_then(|o| o.host_str()).map(|o| site(o) != site(&host)).unwrap_or(false);
    let mut out = Vec::new();
    if let Some(o) = origin.and_then(|o| o.host_str()) {
        out.push(if cross_site {
            Finding::new("cookies.site", "cross_site", Area::Cookies, host.clone(), Verdict::Warn)
                .title(format!("The frontend ({o}) and the API ({host}) are different sites"))
                .evidence(format!("site of {o}: {}; site of {host}: {}", site(o), site(&host)))
                .why("Cookies the API sets are third-party cookies for the frontend: they need SameSite=None; Secure, and Safari, Firefox strict mode and Chrome with third-party cookies blocked drop them anyway, so a login that works on one laptop fails on another.")
                .fix("Put both under one domain you own (www.example.com and api.example.com are the same site), or use a token in the Authorization header instead of a cookie.")
        } else {
            Finding::new("cookies.site", "same_site", Area::Cookies, host.clone(), Verdict::Pass)
                .title(format!("The frontend and the API are the same site ({})", site(&host)))
        });
    }
    for (url, header) in seen {
        let Some(c) = parse_set_cookie(header) else { continue };
        let f = |code: &str, v: Verdict| {
            Finding::new("cookies.flags", code, Area::Cookies, host.clone(), v)
                .evidence(format!("{url}: Set-Cookie: {header}"))
        };
        let same_site = c.same_site.as_deref();
        if same_site == Some("none") && !c.secure {
            out.push(
                f("samesite_none_insecure", Verdict::Fail)
                    .title(format!("Cookie {} has SameSite=None without Secure: browsers reject it", c.name))
                    .why("Since 2020 browsers drop SameSite=None cookies that are not also Secure; the login seems to work but the cookie never comes back.")
                    .fix("Set the cookie with `SameSite=None; Secure` (Spring: server.servlet.session.cookie.secure=true and same-site=none; Express: cookie { sameSite: 'none', secure: true }), and behind a proxy trust X-Forwarded-Proto so the app knows it is on HTTPS."),
            );
        } else if cross_site && same_site != Some("none") {
            out.push(
                f("cross_site_blocked", Verdict::Fail)
                    .title(format!("Cookie {} will not be sent from the frontend's site", c.name))
                    .why(format!("Its SameSite is {} (Lax when not set); a cross-site fetch from the frontend does not carry it.", same_site.unwrap_or("not set")))
                    .fix("Either SameSite=None; Secure (third-party cookie, see above) or one domain for frontend and API."),
            );
        } else if !c.secure && api.scheme() == "https" {
            out.push(
                f("not_secure", Verdict::Warn)
                    .title(format!("Cookie {} is not marked Secure", c.name))
                    .why("Without Secure the browser also sends it over plain http://, where anyone on the Wi-Fi can read it.")
                    .fix("Add the Secure flag (frameworks do it when they know the request came over HTTPS: trust X-Forwarded-Proto behind nginx or an ALB)."),
            );
        } else {
            out.push(f("ok", Verdict::Pass).title(format!("Cookie {} flags are fine", c.name)));
        }
        if !c.http_only {
            out.push(
                f("not_http_only", Verdict::Warn)
                    .title(format!("Cookie {} is readable by JavaScript (no HttpOnly)", c.name))
                    .why("A session cookie that scripts can read is stolen by any XSS.")
                    .fix("Add HttpOnly to session cookies."),
            );
        }
    }
    out
}

static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?is)<(script|link|img|iframe|source|video|audio|embed|object|form)\b([^>]*)>"#).expect("tag regex")
});
static ATTR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?is)\b(src|href|action|data)\s*=\s*["']?([^"'\s>]+)"#).expect("attr regex"));
static HTTP_LITERAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"["'`](http://[A-Za-z0-9.\-]+(?::\d+)?[^"'`\s]*)["'`]"#).expect("literal regex"));

/// Hosts whose http:// URLs appear in bundles as identifiers, not as requests.
const NOT_REQUESTS: &[&str] = &[
    "www.w3.org",
    "w3.org",
    "schema.org",
    "purl.org",
    "ns.adobe.com",
    "json-schema.org",
    "xmlns.com",
    "example.com",
    "www.example.com",
];

/// `(kind, url, active)` for each http:// subresource in an HTML page.
pub fn http_subresources(html: &str, base: &Url) -> (Vec<(String, String, bool)>, Vec<Url>) {
    let mut insecure = Vec::new();
    let mut assets = Vec::new();
    for cap in TAG.captures_iter(html) {
        let tag = cap[1].to_ascii_lowercase();
        let attrs = &cap[2];
        let is_stylesheet = tag != "link"
            || attrs.to_ascii_lowercase().contains("stylesheet")
            || attrs.to_ascii_lowercase().contains("preload");
        for a in ATTR.captures_iter(attrs) {
            let value = a[2].to_string();
            if tag == "link" && !is_stylesheet {
                continue;
            }
            let Ok(u) = base.join(&value) else { continue };
            if u.scheme() == "http" {
                let active = matches!(tag.as_str(), "script" | "link" | "iframe" | "embed" | "object" | "form");
                insecure.push((tag.clone(), u.to_string(), active));
            } else if u.scheme() == "https" && (tag == "script" || tag == "link") {
                assets.push(u);
            }
        }
    }
    (insecure, assets)
}

/// http:// URL literals in JavaScript or CSS text (e.g. an API base URL baked into the bundle).
pub fn http_literals(text: &str) -> Vec<String> {
    let mut out: Vec<String> = HTTP_LITERAL
        .captures_iter(text)
        .map(|c| c[1].to_string())
        .filter(|u| Url::parse(u).ok().and_then(|u| u.host_str().map(|h| !NOT_REQUESTS.contains(&h))).unwrap_or(false))
        .collect();
    out.sort();
    out.dedup();
    out
}

pub fn mixed(page: &Url, insecure: &[(String, String, bool)], literals: &[(String, String)]) -> Finding {
    let subject = page.to_string();
    let active = insecure.iter().any(|(_, _, a)| *a) || !literals.is_empty();
    if insecure.is_empty() && literals.is_empty() {
        return Finding::new("mixed.content", "ok", Area::MixedContent, subject, Verdict::Pass)
            .title("No http:// resources on the page or in its scripts");
    }
    let mut f = Finding::new(
        "mixed.content",
        if active { "mixed_content" } else { "passive_mixed" },
        Area::MixedContent,
        subject,
        if active { Verdict::Fail } else { Verdict::Warn },
    )
    .title(if literals.is_empty() {
        format!("The page loads {} resource(s) over http://", insecure.len())
    } else {
        format!(
            "The page loads {} resource(s) over http:// and its scripts call {} http:// URL(s)",
            insecure.len(),
            literals.len()
        )
    });
    for (tag, url, act) in insecure {
        f = f.evidence(format!("<{tag}> {url}{}", if *act { " (blocked)" } else { " (upgraded or warned)" }));
    }
    for (file, url) in literals {
        f = f.evidence(format!("{file}: \"{url}\""));
    }
    f.why("An https:// page may not load scripts, styles or API calls over http://: the browser blocks them (console: 'Mixed Content: ... was loaded over HTTPS, but requested an insecure resource'), so the app looks half-broken or never reaches the API.")
        .fix("Use https:// (or relative URLs) everywhere; set the API base URL to https://<your API name> in the build's environment (VITE_API_URL / REACT_APP_API_URL / NEXT_PUBLIC_API_URL), rebuild, upload to S3 and invalidate CloudFront.")
}

/// Facts about the frontend's index.html in S3, from inside AWS.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OriginObject {
    pub etag: String,
    pub last_modified: Option<String>,
}

pub fn freshness(page: &Url, res: &Response, origin: Option<&OriginObject>) -> Finding {
    let subject = page.to_string();
    let x_cache = res.header("x-cache").map(str::to_string);
    let via_cf = x_cache.as_deref().map(|x| x.to_ascii_lowercase().contains("cloudfront")).unwrap_or(false)
        || res.header("via").map(|v| v.to_ascii_lowercase().contains("cloudfront")).unwrap_or(false);
    let etag = res.header("etag").map(|e| e.trim_matches('"').to_string());
    let f = |code: &str, v: Verdict| {
        let mut f = Finding::new("freshness.cache", code, Area::Freshness, subject.clone(), v);
        for h in ["x-cache", "age", "etag", "last-modified", "cache-control"] {
            if let Some(val) = res.header(h) {
                f = f.evidence(format!("{h}: {val}"));
            }
        }
        f
    };
    if !via_cf {
        return f("no_cdn", Verdict::Skip).title("Not served through CloudFront: nothing cached to go stale");
    }
    match (origin, etag) {
        (Some(o), Some(e)) if o.etag.trim_matches('"') != e => f("stale", Verdict::Fail)
            .title("CloudFront serves an older index.html than the one in S3")
            .evidence(format!("S3 ETag: {}", o.etag.trim_matches('"')))
            .why("CloudFront keeps a copy for up to a day by default; after a redeploy, visitors keep getting the old page (and the old JS file names it refers to).")
            .fix("Create an invalidation for /* (lockstep's 'Invalidate' button), after every upload; or give index.html Cache-Control: no-cache."),
        (Some(_), Some(_)) => f("fresh", Verdict::Pass).title("CloudFront serves the same index.html as S3"),
        _ => f("unknown", Verdict::Pass)
            .title("Served through CloudFront (S3 not compared: no AWS access)")
            .fix("After each redeploy, invalidate /* or serve index.html with Cache-Control: no-cache."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_cookie_flags_are_read() {
        let c = parse_set_cookie("session=abc; Path=/; SameSite=None").unwrap();
        assert_eq!(
            c,
            Cookie { name: "session".into(), secure: false, http_only: false, same_site: Some("none".into()) }
        );
        let c = parse_set_cookie("sid=1; Secure; HttpOnly; SameSite=Lax").unwrap();
        assert!(c.secure && c.http_only && c.same_site.as_deref() == Some("lax"));
    }

    #[test]
    fn sites_follow_the_public_suffix_list() {
        assert_eq!(site("api.example.com"), site("www.example.com"));
        assert_ne!(site("d111.cloudfront.net"), site("d222.cloudfront.net"));
        assert_ne!(site("www.example.co.kr"), site("api.other.co.kr"));
        assert_eq!(site("a.b.example.co.kr"), "example.co.kr");
    }

    #[test]
    fn mixed_content_is_found_in_html_and_scripts() {
        let base = Url::parse("https://www.example.com/").unwrap();
        let html = r#"<html><script src="http://cdn.example.net/a.js"></script><img src='http://x.example.net/l.png'>
            <link rel="stylesheet" href="/s.css"><link rel="icon" href="http://x.example.net/f.ico"><script src="/app.js"></script>"#;
        let (insecure, assets) = http_subresources(html, &base);
        assert_eq!(insecure.len(), 2, "{insecure:?}");
        assert!(insecure[0].2 && !insecure[1].2);
        assert_eq!(assets.len(), 2);
        let js = r#"const API="http://api.example.com:8080/v1";const ns="http://www.w3.org/2000/svg";fetch('https://ok.example.com')"#;
        assert_eq!(http_literals(js), vec!["http://api.example.com:8080/v1".to_string()]);
    }
}
