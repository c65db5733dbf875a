//! What every request meets before any handler, and what every response carries: the limits
//! and headers that make one lockstep safe to run for a whole school (issue 19).
//!
//! - **Body limit** ([`BODY_LIMIT`], tower-http's `RequestBodyLimitLayer`): every form and
//!   server-function call is a few kilobytes and nothing uploads files (the history is a
//!   download), so 1 MiB is generous. A bigger body is refused with 413 before the session,
//!   the database or a handler sees it: at once when `Content-Length` says so, and as soon as
//!   a chunked body passes the limit otherwise. Without it a multi-gigabyte POST to
//!   `/api/sign_in` needed no session at all.
//! - **Host allow-list** ([`AllowedHosts`]): a web page elsewhere can point its own name at
//!   127.0.0.1 (DNS rebinding) and then talk to a lockstep on the student's laptop as if it
//!   were same-origin: the browser's `Sec-Fetch-Site` says so, and the cross-site check lets
//!   it through. Such a request always carries the attacker's name in `Host`, so lockstep
//!   answers only to IP addresses, `localhost` and the name in `--public-url`, and answers 421
//!   to any other name. The port is not compared: SSH tunnels, container port mappings and
//!   proxies change it, and the name alone defeats rebinding. `/healthz` and `/readyz` answer
//!   any `Host`: load balancers and orchestrators probe with whatever name (or none) they have.
//! - **Security headers** (tower-http's `SetResponseHeaderLayer`, `if_not_present`): every
//!   response says `nosniff`, may not be framed (`frame-ancestors 'none'` and
//!   `X-Frame-Options: DENY`), sends the referrer to lockstep only, and carries a Content
//!   Security Policy. Pages carry their own ([`page_policy`]): scripts only from lockstep and
//!   the inline ones leptos writes with this response's nonce (the hydration script, streamed
//!   resources), `'wasm-unsafe-eval'` to compile the wasm, fetch and the live stream to
//!   lockstep only. The public status pages, which have no script at all, carry
//!   [`STATUS_PAGE_POLICY`]; everything else (JSON, files, the badge) [`DEFAULT_POLICY`].

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderName, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use leptos::prelude::use_context;
use lockstep_domain::account::{msg, Message};
use std::net::IpAddr;
use std::sync::Arc;
use tower_http::set_header::SetResponseHeaderLayer;

/// The largest request body lockstep reads (1 MiB).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Responses that set no policy of their own: nothing may load, nothing may frame them.
pub const DEFAULT_POLICY: &str = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The public status page: its own inline `<style>` and the badge image, no script.
pub const STATUS_PAGE_POLICY: &str =
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The policy of a server-rendered page whose inline scripts carry `nonce`.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets this page's Content-Security-Policy with the nonce leptos_axum made for its render
/// (run in the page's context, after leptos_axum provided the nonce and the response
/// options). Elsewhere (server functions, files) there is no nonce and nothing is set.
pub fn provide_page_policy() {
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce)) {
        response.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// The headers every response carries unless it set them itself.
pub fn security_headers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .layer(set(header::CONTENT_SECURITY_POLICY, DEFAULT_POLICY))
        .layer(set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(set(header::X_FRAME_OPTIONS, "DENY"))
        .layer(set(header::REFERRER_POLICY, "same-origin"))
}

/// The names lockstep answers to (see the module's documentation).
#[derive(Debug, Clone, Default)]
pub struct AllowedHosts {
    /// The host of `--public-url`, lower-case.
    public: Option<String>,
}

impl AllowedHosts {
    /// From the public URL or origin (`https://lockstep.example.ac.kr[:port][/...]`), if any.
    pub fn new(public_url: Option<&str>) -> AllowedHosts {
        let public = public_url.map(|u| {
            let rest = u.trim().split_once("://").map(|(_, r)| r).unwrap_or(u.trim());
            let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
            let authority = authority.rsplit_once('@').map(|(_, h)| h).unwrap_or(authority);
            host_name(authority).to_ascii_lowercase()
        });
        AllowedHosts { public: public.filter(|p| !p.is_empty()) }
    }

    /// Whether a request with this `Host` (or HTTP/2 authority) is for lockstep.
    pub fn allows(&self, host: &str) -> bool {
        let name = host_name(host.trim());
        name.eq_ignore_ascii_case("localhost")
            || name.parse::<IpAddr>().is_ok()
            || self.public.as_deref().is_some_and(|p| p.eq_ignore_ascii_case(name))
    }
}

/// `example.com` of `example.com:3000`, `::1` of `[::1]:3000`, without a trailing dot.
fn host_name(authority: &str) -> &str {
    let name = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => match authority.rsplit_once(':') {
            Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => authority,
        },
    };
    name.strip_suffix('.').unwrap_or(name)
}

/// Refuses requests for a name lockstep is not (DNS rebinding); health checks pass.
pub async fn check_host(State(hosts): State<Arc<AllowedHosts>>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if path == "/healthz" || path == "/readyz" {
        return next.run(req).await;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    match host {
        Some(h) if hosts.allows(h) => next.run(req).await,
        Some(h) => {
            let shown = shown_host(h);
            tracing::warn!(host = %shown, path, "request for another host name refused");
            plain(StatusCode::MISDIRECTED_REQUEST, &text::wrong_host(&shown, hosts.public.as_deref()))
        }
        None => plain(StatusCode::BAD_REQUEST, &text::no_host()),
    }
}

/// A host name fit to repeat in a message: its first 100 name characters.
fn shown_host(h: &str) -> String {
    h.chars().filter(|c| c.is_ascii_alphanumeric() || "-.:[]_".contains(*c)).take(100).collect()
}

/// Puts words on a 413 (tower-http's own body is a bare "length limit exceeded").
pub async fn explain_too_large(response: Response) -> Response {
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE {
        plain(StatusCode::PAYLOAD_TOO_LARGE, &text::too_large())
    } else {
        response
    }
}

/// A plain-text answer in both languages.
pub fn plain(status: StatusCode, m: &Message) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], format!("{}\n\n{}\n", m.en, m.ko)).into_response()
}

/// What the edge says when it refuses.
mod text {
    use super::*;

    pub fn wrong_host(host: &str, public: Option<&str>) -> Message {
        let (now_en, now_ko) = match public {
            Some(p) => (format!("now {p}"), format!("지금은 {p}")),
            None => ("not set now".to_string(), "지금은 설정되지 않음".to_string()),
        };
        let name = host_name(host);
        msg(
            format!(
                "lockstep does not answer to the name \"{host}\". It answers to its IP addresses, localhost and the name in --public-url ({now_en}), because a request under another name can come from a web page elsewhere that points its own name at this server (DNS rebinding). If you open lockstep under this name on purpose, start it with --public-url https://{name} (or LOCKSTEP_PUBLIC_URL)."
            ),
            format!(
                "lockstep은 \"{host}\"라는 이름으로 온 요청에 응답하지 않습니다. IP 주소, localhost, --public-url에 적은 이름({now_ko})으로만 응답합니다. 다른 이름으로 온 요청은 다른 곳의 웹 페이지가 자기 이름을 이 서버로 돌려 보낸 것일 수 있기 때문입니다(DNS 리바인딩). 일부러 이 이름으로 lockstep을 연다면 --public-url https://{name} (또는 LOCKSTEP_PUBLIC_URL)로 lockstep을 시작하세요."
            ),
        )
    }

    pub fn no_host() -> Message {
        msg(
            "The request does not say which site it is for (no Host header), so lockstep cannot tell whether it is meant for it. Send the request with a Host header (every browser and HTTP/1.1 client does).",
            "요청에 어느 사이트로 가는지(Host 헤더)가 없어서 lockstep으로 온 요청인지 알 수 없습니다. Host 헤더를 넣어 보내세요 (모든 브라우저와 HTTP/1.1 클라이언트는 넣습니다).",
        )
    }

    pub fn too_large() -> Message {
        msg(
            format!(
                "lockstep refused this request because its body is larger than {} MiB, far more than any of its forms sends. Nothing was saved. If you pasted something very long, shorten it and try again.",
                BODY_LIMIT / (1024 * 1024)
            ),
            format!(
                "요청 본문이 {} MiB보다 커서 lockstep이 받지 않았습니다. lockstep의 어떤 양식도 이렇게 큰 내용을 보내지 않습니다. 저장된 것은 없습니다. 아주 긴 내용을 붙여 넣었다면 줄여서 다시 시도하세요.",
                BODY_LIMIT / (1024 * 1024)
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_ip_addresses_localhost_or_the_public_name() {
        let none = AllowedHosts::new(None);
        for ok in
            ["127.0.0.1:3000", "127.0.0.1", "[::1]:3000", "localhost:3000", "LOCALHOST", "10.0.0.5:8080", "localhost."]
        {
            assert!(none.allows(ok), "{ok}");
        }
        for bad in ["evil.example", "evil.example:3000", "127.0.0.1.evil.example", "localhost.evil.example", ""] {
            assert!(!none.allows(bad), "{bad}");
        }
        let public = AllowedHosts::new(Some("https://Lockstep.Example.ac.kr/"));
        assert!(public.allows("lockstep.example.ac.kr"));
        assert!(public.allows("lockstep.example.ac.kr:443"));
        assert!(!public.allows("example.ac.kr"));
        assert!(AllowedHosts::new(Some("http://10.0.0.5:3000")).allows("10.0.0.5:3000"));
    }

    #[test]
    fn a_shown_host_cannot_carry_markup_or_lines() {
        assert_eq!(shown_host("evil.example\r\n<script>"), "evil.examplescript");
        assert_eq!(shown_host(&"a".repeat(500)).len(), 100);
    }

    #[test]
    fn the_page_policy_names_the_nonce_and_no_unsafe_inline_script() {
        let p = page_policy("abc123");
        assert!(p.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval'"), "{p}");
        assert!(p.contains("frame-ancestors 'none'") && !p.contains("unsafe-inline"), "{p}");
    }
}
