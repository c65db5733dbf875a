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

pub fn cors(
    api: &Url,
    origin: &Url,
    credentials: bool,
    res: &Result<Response, NetError>,
    timeouts: crate::net::Timeouts,
) -> Finding {
    let origin_s = origin_of(origin);
    let subject = api.to_string();
    let res = match res {
        Ok(r) => r,
        Err(NetError::Blocked(addr, why)) => {
            return crate::findings::blocked("cors.preflight", Area::Cors, subject, Verdict::Skip, *addr, *why);
        }
        // Asked for (an origin was given) and not answered: a warning, never a silent skip.
        Err(e) => {
            return crate::findings::not_answered(
                "cors.preflight",
                Area::Cors,
                subject,
                ["The CORS preflight (OPTIONS)", "CORS 프리플라이트 요청(OPTIONS)"],
                e,
                timeouts,
                Verdict::Warn,
            )
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
    let framework_fix_ko = "Spring: CorsConfigurationSource 빈(allowedOrigins, OPTIONS를 포함한 allowedMethods, allowCredentials)과 보안 체인의 `http.cors()`; Express: 라우트보다 먼저 `app.use(cors({ origin, credentials: true }))`; Django: CORS_ALLOWED_ORIGINS를 설정한 django-cors-headers.";
    if matches!(res.status, 405 | 501) {
        return f("no_options", Verdict::Fail)
            .title(format!("The API answers the CORS preflight with {}: no OPTIONS handler", res.status))
            .why("Before a cross-origin POST/PUT or a request with a JSON body, the browser sends OPTIONS. The server does not handle OPTIONS, so the real request is never sent (console: 'Response to preflight request doesn't pass access control check').")
            .fix(format!("Handle OPTIONS with the CORS headers, before authentication. {framework_fix}"))
            .ko(
                format!("API가 CORS 프리플라이트에 {} 상태로 응답합니다: OPTIONS 처리기가 없습니다", res.status),
                "다른 출처(cross-origin)로 POST/PUT 요청이나 JSON 본문이 있는 요청을 보내기 전에, 브라우저는 먼저 OPTIONS를 보냅니다. 서버가 OPTIONS를 처리하지 않으므로 실제 요청은 보내지지 않습니다 (콘솔: 'Response to preflight request doesn't pass access control check').",
                format!("인증보다 먼저 OPTIONS를 처리해 CORS 헤더로 응답하세요. {framework_fix_ko}"),
            );
    }
    if (300..400).contains(&res.status) {
        return f("redirect", Verdict::Fail)
            .title(format!("The preflight is redirected ({})", res.status))
            .why("Browsers do not follow redirects on a preflight: http->https, a missing trailing slash or a login page all break it.")
            .fix("Call the final https:// URL from the frontend, exactly as the server routes it.")
            .ko(
                format!("프리플라이트 요청이 리디렉션됩니다 ({})", res.status),
                "브라우저는 프리플라이트에서 리디렉션을 따라가지 않습니다: http->https, 끝의 슬래시 누락, 로그인 페이지 모두 프리플라이트를 실패하게 만듭니다.",
                "프론트엔드에서 서버가 라우팅하는 그대로의 최종 https:// URL을 호출하세요.",
            );
    }
    if !(200..300).contains(&res.status) {
        return f("status", Verdict::Fail)
            .title(format!("The preflight got {}", res.status))
            .why("A preflight must answer 2xx; the browser then blocks the real request.")
            .fix(format!(
                "Let OPTIONS through without authentication and answer 204 with the CORS headers. {framework_fix}"
            ))
            .ko(
                format!("프리플라이트 요청이 {} 응답을 받았습니다", res.status),
                "프리플라이트는 2xx로 응답해야 합니다. 지금은 브라우저가 실제 요청을 막습니다.",
                format!("OPTIONS 요청은 인증 없이 통과시키고, CORS 헤더와 함께 204로 응답하세요. {framework_fix_ko}"),
            );
    }
    match acao.as_deref() {
        None => f("no_acao", Verdict::Fail)
            .title("The preflight answer has no Access-Control-Allow-Origin")
            .why(format!("The browser only lets {origin_s} call the API when the answer names that origin."))
            .fix(format!("Allow the origin {origin_s} in the API's CORS settings (exactly, with https:// and no trailing slash). {framework_fix}"))
            .ko(
                "프리플라이트 응답에 Access-Control-Allow-Origin이 없습니다",
                format!("응답이 {origin_s} 출처를 명시해야만 브라우저가 {origin_s}에서 API를 호출하도록 허용합니다."),
                format!("API의 CORS 설정에서 {origin_s} 출처를 허용하세요 (https://를 포함해 정확히, 끝에 슬래시 없이). {framework_fix_ko}"),
            ),
        Some("*") if credentials => f("wildcard_with_credentials", Verdict::Fail)
            .title("Access-Control-Allow-Origin is * but the frontend sends cookies")
            .why("Browsers reject `*` on credentialed requests.")
            .fix(format!("Answer with the exact origin {origin_s} and Access-Control-Allow-Credentials: true."))
            .ko(
                "Access-Control-Allow-Origin이 *인데 프론트엔드가 쿠키를 보냅니다",
                "브라우저는 자격 증명(쿠키)이 포함된 요청에 대해 `*`를 받아들이지 않습니다.",
                format!("정확한 출처 {origin_s}와 Access-Control-Allow-Credentials: true로 응답하세요."),
            ),
        Some(a) if a != "*" && a.trim_end_matches('/') != origin_s => f("wrong_origin", Verdict::Fail)
            .title(format!("The API allows {a}, not {origin_s}"))
            .why("The allowed origin must equal the frontend's origin exactly: scheme, name and port (http vs https and www vs no-www count).")
            .fix(format!("Allow {origin_s} in the API's CORS settings."))
            .ko(
                format!("API는 {a} 출처만 허용하고, {origin_s} 출처는 허용하지 않습니다"),
                "허용된 출처는 프론트엔드의 출처와 정확히 같아야 합니다: 스킴, 이름, 포트 모두 (http와 https, www 유무도 구분됩니다).",
                format!("API의 CORS 설정에서 {origin_s} 출처를 허용하세요."),
            ),
        Some(a) if a.ends_with('/') => f("trailing_slash", Verdict::Fail)
            .title(format!("Access-Control-Allow-Origin has a trailing slash: {a}"))
            .why("An origin has no path; browsers compare the strings exactly.")
            .fix(format!("Allow `{origin_s}` without the slash."))
            .ko(
                format!("Access-Control-Allow-Origin 끝에 슬래시가 있습니다: {a}"),
                "출처(origin)에는 경로가 없습니다. 브라우저는 문자열을 정확히 비교합니다.",
                format!("슬래시 없이 `{origin_s}`를 허용하세요."),
            ),
        Some(_) if credentials && acac.as_deref() != Some("true") => f("no_credentials", Verdict::Fail)
            .title("Cookies are used, but the preflight lacks Access-Control-Allow-Credentials: true")
            .why("Without it, the browser drops the response of a request made with credentials (fetch credentials: 'include', axios withCredentials).")
            .fix("Set allowCredentials / credentials: true in the API's CORS settings.")
            .ko(
                "쿠키를 쓰는데 프리플라이트 응답에 Access-Control-Allow-Credentials: true가 없습니다",
                "이 헤더가 없으면 브라우저는 자격 증명을 포함한 요청(fetch credentials: 'include', axios withCredentials)의 응답을 버립니다.",
                "API의 CORS 설정에서 allowCredentials / credentials: true를 설정하세요.",
            ),
        Some(_) => f("ok", Verdict::Pass)
            .title(format!("The preflight from {origin_s} is allowed"))
            .ko(format!("{origin_s}에서 보낸 프리플라이트가 허용됩니다"), "", ""),
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
                .ko(
                    format!("프론트엔드({o})와 API({host})가 서로 다른 사이트입니다"),
                    "API가 설정하는 쿠키는 프론트엔드 입장에서 서드파티 쿠키입니다: SameSite=None; Secure가 필요하고, 그래도 Safari, Firefox 엄격 모드, 서드파티 쿠키를 차단한 Chrome은 이 쿠키를 버립니다. 그래서 어떤 노트북에서는 되는 로그인이 다른 노트북에서는 실패합니다.",
                    "둘 다 직접 소유한 하나의 도메인 아래에 두거나(www.example.com과 api.example.com은 같은 사이트입니다), 쿠키 대신 Authorization 헤더에 토큰을 담아 쓰세요.",
                )
        } else {
            Finding::new("cookies.site", "same_site", Area::Cookies, host.clone(), Verdict::Pass)
                .title(format!("The frontend and the API are the same site ({})", site(&host)))
                .ko(format!("프론트엔드와 API가 같은 사이트입니다 ({})", site(&host)), "", "")
        });
    }
    for (url, header) in seen {
        let Some(c) = parse_set_cookie(header) else { continue };
        let session = crate::headers::is_session_cookie(&c.name);
        let [fix_en, fix_ko] = crate::headers_words::cookie_fix();
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
                    .fix("Set the cookie with `SameSite=None; Secure` (Spring: server.servlet.session.cookie.secure=true and same-site=none; Express: cookie { sameSite: 'none', secure: true }), and behind a proxy trust X-Forwarded-Proto so the app knows it is on HTTPS.")
                    .ko(
                        format!("쿠키 {}: Secure 없이 SameSite=None이 설정되어 있어 브라우저가 거부합니다", c.name),
                        "2020년부터 브라우저는 Secure가 함께 없는 SameSite=None 쿠키를 버립니다. 로그인은 되는 것처럼 보이지만 쿠키가 다시 돌아오지 않습니다.",
                        "쿠키를 `SameSite=None; Secure`로 설정하세요 (Spring: server.servlet.session.cookie.secure=true와 same-site=none, Express: cookie { sameSite: 'none', secure: true }). 프록시 뒤에서는 앱이 HTTPS로 접속된 것을 알 수 있도록 X-Forwarded-Proto를 신뢰하게 하세요.",
                    ),
            );
        } else if cross_site && same_site != Some("none") {
            out.push(
                f("cross_site_blocked", Verdict::Fail)
                    .title(format!("Cookie {} will not be sent from the frontend's site", c.name))
                    .why(format!("Its SameSite is {} (Lax when not set); a cross-site fetch from the frontend does not carry it.", same_site.unwrap_or("not set")))
                    .fix("Either SameSite=None; Secure (third-party cookie, see above) or one domain for frontend and API.")
                    .ko(
                        format!("쿠키 {}: 프론트엔드의 사이트에서 보내는 요청에는 실리지 않습니다", c.name),
                        format!("이 쿠키의 SameSite는 {}입니다 (설정하지 않으면 Lax). 프론트엔드에서 다른 사이트로 보내는(cross-site) fetch에는 이 쿠키가 실리지 않습니다.", same_site.unwrap_or("설정 안 됨")),
                        "SameSite=None; Secure(서드파티 쿠키, 위 참고)를 쓰거나, 프론트엔드와 API를 하나의 도메인 아래에 두세요.",
                    ),
            );
        } else if !c.secure && api.scheme() == "https" {
            // A session cookie without Secure is the Observatory's heaviest cookie penalty.
            let code = if session { "session_not_secure" } else { "not_secure" };
            out.push(
                f(code, Verdict::Warn)
                    .title(format!("Cookie {} is not marked Secure", c.name))
                    .why("Without Secure the browser also sends it over plain http://, where anyone on the Wi-Fi can read it.")
                    .fix(format!("Add the Secure flag (frameworks do it when they know the request came over HTTPS: trust X-Forwarded-Proto behind nginx or an ALB). {}", fix_en))
                    .ko(
                        format!("쿠키 {}: Secure 표시가 없습니다", c.name),
                        "Secure가 없으면 브라우저가 평문 http://로도 이 쿠키를 보내고, 같은 와이파이에 있는 누구나 읽을 수 있습니다.",
                        format!("Secure 플래그를 추가하세요 (프레임워크는 요청이 HTTPS로 왔다는 것을 알면 자동으로 붙입니다: nginx나 ALB 뒤에서는 X-Forwarded-Proto를 신뢰하게 하세요). {}", fix_ko),
                    ),
            );
        } else {
            out.push(f("ok", Verdict::Pass).title(format!("Cookie {} flags are fine", c.name)).ko(
                format!("쿠키 {}: 플래그에 문제가 없습니다", c.name),
                "",
                "",
            ));
        }
        // HttpOnly matters for session cookies; others (a CSRF token, a preference) may be
        // meant for scripts.
        if !c.http_only && session {
            out.push(
                f("not_http_only", Verdict::Warn)
                    .title(format!("Session cookie {} is readable by JavaScript (no HttpOnly)", c.name))
                    .why("A session cookie that scripts can read is stolen by any XSS.")
                    .fix(format!("Add HttpOnly to session cookies. {}", fix_en))
                    .ko(
                        format!("세션 쿠키 {}: JavaScript에서 읽을 수 있습니다 (HttpOnly 없음)", c.name),
                        "스크립트가 읽을 수 있는 세션 쿠키는 XSS 한 번이면 도난당합니다.",
                        format!("세션 쿠키에 HttpOnly를 추가하세요. {}", fix_ko),
                    ),
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
            .title("No http:// resources on the page or in its scripts")
            .ko("페이지와 스크립트에 http:// 리소스가 없습니다", "", "");
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
        .ko(
            if literals.is_empty() {
                format!("페이지가 리소스 {}개를 http://로 불러옵니다", insecure.len())
            } else {
                format!(
                    "페이지가 리소스 {}개를 http://로 불러오고, 스크립트가 http:// URL {}개를 호출합니다",
                    insecure.len(),
                    literals.len()
                )
            },
            "https:// 페이지는 스크립트, 스타일, API 호출을 http://로 불러올 수 없습니다: 브라우저가 막습니다 (콘솔: 'Mixed Content: ... was loaded over HTTPS, but requested an insecure resource'). 그래서 앱이 반쯤 깨져 보이거나 API에 전혀 닿지 못합니다.",
            "모든 곳에서 https://(또는 상대 URL)를 쓰세요. 빌드 환경 변수(VITE_API_URL / REACT_APP_API_URL / NEXT_PUBLIC_API_URL)에서 API 기본 URL을 https://<API 이름>으로 설정하고, 다시 빌드해 S3에 올린 뒤 CloudFront 캐시를 무효화하세요.",
        )
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
        return f("no_cdn", Verdict::Skip).title("Not served through CloudFront: nothing cached to go stale").ko(
            "CloudFront를 거치지 않습니다: 캐시된 것이 없으니 오래된 페이지가 남을 일도 없습니다",
            "",
            "",
        );
    }
    match (origin, etag) {
        (Some(o), Some(e)) if o.etag.trim_matches('"') != e => f("stale", Verdict::Fail)
            .title("CloudFront serves an older index.html than the one in S3")
            .evidence(format!("S3 ETag: {}", o.etag.trim_matches('"')))
            .why("CloudFront keeps a copy for up to a day by default; after a redeploy, visitors keep getting the old page (and the old JS file names it refers to).")
            .fix("Create an invalidation for /* (lockstep's 'Invalidate' button), after every upload; or give index.html Cache-Control: no-cache.")
            .ko(
                "CloudFront가 S3에 있는 것보다 오래된 index.html을 제공합니다",
                "CloudFront는 기본적으로 최대 하루 동안 사본을 보관합니다. 새 버전을 올린 뒤에도 방문자는 예전 페이지(그리고 그 페이지가 가리키는 예전 JS 파일 이름)를 계속 받게 됩니다.",
                "업로드할 때마다 /* 경로로 무효화(invalidation)를 만드세요 (lockstep의 'Invalidate' 버튼). 또는 index.html에 Cache-Control: no-cache를 지정하세요.",
            ),
        (Some(_), Some(_)) => f("fresh", Verdict::Pass)
            .title("CloudFront serves the same index.html as S3")
            .ko("CloudFront가 S3와 같은 index.html을 제공합니다", "", ""),
        _ => f("unknown", Verdict::Pass)
            .title("Served through CloudFront (S3 not compared: no AWS access)")
            .fix("After each redeploy, invalidate /* or serve index.html with Cache-Control: no-cache.")
            .ko(
                "CloudFront를 통해 제공됩니다 (AWS 접근 권한이 없어 S3와는 비교하지 않았습니다)",
                "",
                "새 버전을 올릴 때마다 /*를 무효화하거나, index.html을 Cache-Control: no-cache로 제공하세요.",
            ),
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
