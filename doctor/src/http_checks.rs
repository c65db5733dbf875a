//! HTTP-level checks: the port-80 redirect (and loops), the health path, and an http://
//! URL aimed at a TLS port.

use crate::findings::{blocked, first_line, not_answered};
use crate::net::{Net, NetError, Response, Timeouts};
use lockstep_domain::doctor::{Area, Finding, Verdict};
use std::collections::HashSet;
use url::Url;

pub const MAX_REDIRECTS: usize = 10;

/// Follow redirects from `http://host:http_port/`, up to [`MAX_REDIRECTS`], detecting cycles.
pub async fn redirect(net: &Net, host: &str, http_port: u16) -> Finding {
    let subject = format!("http://{host}{}/", port_suffix(http_port, 80));
    let start =
        match Url::parse(&subject) {
            Ok(u) => u,
            Err(e) => {
                return Finding::new("http.redirect", "error", Area::Http, subject, Verdict::Skip)
                    .title(e.to_string())
                    .ko(format!("URL을 해석할 수 없습니다: {e}"), "", "")
            }
        };
    let mut url = start.clone();
    let mut seen: HashSet<String> = HashSet::new();
    let mut hops: Vec<String> = Vec::new();
    let mut first: Option<Url> = None;
    loop {
        seen.insert(url.to_string());
        let res = match net.get(&url, 64 * 1024).await {
            Ok(r) => r,
            // A hop into lockstep's own network (e.g. `Location: http://127.0.0.1/`): refused,
            // never fetched; the hops so far are the public server's own answers.
            Err(NetError::Blocked(addr, why)) => {
                hops.push(format!("{url} -> not connected ({})", why.code()));
                return with_hops(blocked("http.redirect", Area::Http, subject, Verdict::Fail, addr, why), &hops);
            }
            Err(e) => {
                if hops.is_empty() {
                    let (code, v) = match e {
                        NetError::Refused(_) | NetError::Timeout(_) | NetError::NoAddress(_) => {
                            ("unreachable", Verdict::Skip)
                        }
                        _ => ("error", Verdict::Fail),
                    };
                    return Finding::new("http.redirect", code, Area::Http, subject, v)
                        .title(format!("Could not check the redirect: {e}"))
                        .ko(format!("리디렉션을 확인할 수 없습니다: {e}"), "", "")
                        .evidence(e.to_string());
                }
                hops.push(format!("{url} -> {e}"));
                return with_hops(
                    Finding::new("http.redirect", "target_unreachable", Area::Http, subject, Verdict::Fail)
                        .title("The redirect leads to an address that does not answer")
                        .why("Visitors following http:// links end on an error.")
                        .fix("Make the redirect point at the https:// address that serves the site.")
                        .ko(
                            "리디렉션이 응답하지 않는 주소로 이어집니다",
                            "http:// 링크를 따라온 방문자가 오류 화면을 보게 됩니다.",
                            "리디렉션이 사이트를 실제로 제공하는 https:// 주소를 가리키게 하세요.",
                        ),
                    &hops,
                );
            }
        };
        let location = res.header("location").map(str::to_string);
        hops.push(match &location {
            Some(l) if is_redirect(res.status) => format!("{url} -> {} Location: {l}", res.status),
            _ => format!("{url} -> {}", res.status),
        });
        let next = match (is_redirect(res.status), location) {
            (true, Some(l)) => match url.join(&l) {
                Ok(n) => n,
                Err(_) => break,
            },
            _ => break,
        };
        if first.is_none() {
            first = Some(next.clone());
        }
        if seen.contains(next.as_str()) {
            return with_hops(
                Finding::new("http.redirect", "redirect_loop", Area::Http, subject, Verdict::Fail)
                    .title(format!("Redirect loop: {next} comes round again"))
                    .why("Browsers give up with ERR_TOO_MANY_REDIRECTS. The usual cause: CloudFront or an ALB talks to the origin over HTTP, and the origin redirects every HTTP request to HTTPS, which comes back as HTTP again.")
                    .fix("Redirect only once, at the edge: CloudFront 'Redirect HTTP to HTTPS' with origin protocol 'HTTP only' and no redirect in the origin, or make the origin redirect only when X-Forwarded-Proto is http. nginx behind a proxy: `if ($http_x_forwarded_proto = http) { return 301 https://$host$request_uri; }`.")
                    .ko(
                        format!("리디렉션 루프: {next} 주소로 다시 돌아옵니다"),
                        "브라우저는 ERR_TOO_MANY_REDIRECTS 오류를 내며 포기합니다. 흔한 원인: CloudFront나 ALB가 오리진과 HTTP로 통신하는데, 오리진이 모든 HTTP 요청을 HTTPS로 리디렉션하고, 그 요청이 다시 HTTP로 돌아오는 경우입니다.",
                        "리디렉션은 맨 앞단(edge)에서 한 번만 하세요: CloudFront에서 'Redirect HTTP to HTTPS'와 오리진 프로토콜 'HTTP only'를 쓰고 오리진에서는 리디렉션하지 않거나, 오리진이 X-Forwarded-Proto가 http일 때만 리디렉션하게 하세요. 프록시 뒤의 nginx: `if ($http_x_forwarded_proto = http) { return 301 https://$host$request_uri; }`.",
                    ),
                &hops,
            );
        }
        if hops.len() >= MAX_REDIRECTS {
            return with_hops(
                Finding::new("http.redirect", "too_many_redirects", Area::Http, subject, Verdict::Fail)
                    .title(format!("More than {MAX_REDIRECTS} redirects"))
                    .why("Browsers give up with ERR_TOO_MANY_REDIRECTS.")
                    .fix("Redirect once, from http:// straight to the final https:// address.")
                    .ko(
                        format!("리디렉션이 {MAX_REDIRECTS}번을 넘습니다"),
                        "브라우저는 ERR_TOO_MANY_REDIRECTS 오류를 내며 포기합니다.",
                        "http://에서 최종 https:// 주소로 곧바로, 한 번만 리디렉션하세요.",
                    ),
                &hops,
            );
        }
        url = next;
    }
    match first {
        None => with_hops(
            Finding::new("http.redirect", "no_redirect", Area::Http, subject, Verdict::Fail)
                .title(format!("http://{host} does not redirect to https://"))
                .why("Anyone who types the name or follows an http:// link stays on the unencrypted site: passwords travel in clear, and Secure cookies are not sent.")
                .fix("nginx: in the port 80 server block, `return 301 https://$host$request_uri;` (certbot --redirect writes it). ALB: HTTP:80 listener with a redirect to HTTPS:443. CloudFront: viewer protocol policy 'Redirect HTTP to HTTPS'.")
                .ko(
                    format!("http://{host} 주소가 https://로 리디렉션되지 않습니다"),
                    "이름을 직접 입력하거나 http:// 링크를 따라온 사람은 암호화되지 않은 사이트에 그대로 머뭅니다: 비밀번호가 평문으로 전송되고, Secure 쿠키는 보내지지 않습니다.",
                    "nginx: 80번 포트 server 블록에 `return 301 https://$host$request_uri;`를 넣으세요 (certbot --redirect가 넣어 줍니다). ALB: HTTPS:443으로 리디렉션하는 HTTP:80 리스너. CloudFront: 뷰어 프로토콜 정책 'Redirect HTTP to HTTPS'.",
                ),
            &hops,
        ),
        Some(n) if n.scheme() == "https" && n.host_str() == Some(host) => with_hops(
            Finding::new("http.redirect", "ok", Area::Http, subject, Verdict::Pass)
                .title(format!("http:// redirects to {n}"))
                .ko(format!("http://가 {n} 주소로 리디렉션됩니다"), "", ""),
            &hops,
        ),
        Some(n) => with_hops(
            Finding::new("http.redirect", "redirect_elsewhere", Area::Http, subject, Verdict::Warn)
                .title(format!("http:// redirects to {n}, not to https://{host}"))
                .why("The first hop should keep the name and switch to https; a redirect to another name or to http again costs a round trip and can leak the path in clear.")
                .fix(format!("Redirect straight to https://{host}$request_uri."))
                .ko(
                    format!("http://가 https://{host}가 아니라 {n} 주소로 리디렉션됩니다"),
                    "첫 번째 리디렉션은 이름을 그대로 두고 https로만 바꿔야 합니다. 다른 이름이나 다시 http로 리디렉션하면 왕복이 한 번 더 생기고, 경로가 평문으로 노출될 수 있습니다.",
                    format!("https://{host}$request_uri 로 곧바로 리디렉션하세요."),
                ),
            &hops,
        ),
    }
}

fn with_hops(mut f: Finding, hops: &[String]) -> Finding {
    for h in hops {
        f = f.evidence(h.clone());
    }
    f
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

pub fn port_suffix(port: u16, default: u16) -> String {
    if port == default {
        String::new()
    } else {
        format!(":{port}")
    }
}

/// The health path (or the URL itself) over HTTPS.
pub fn health(url: &Url, res: &Result<Response, NetError>, app_port: Option<u16>, timeouts: Timeouts) -> Finding {
    let subject = url.to_string();
    let res = match res {
        Ok(r) => r,
        Err(NetError::Blocked(addr, why)) => {
            return blocked("http.health", Area::Http, subject, Verdict::Skip, *addr, *why);
        }
        // Asked for and not answered: a failure with the wait and the usual causes (issue 23).
        Err(e) => {
            let what = format!("GET {}", url.path());
            return not_answered("http.health", Area::Http, subject, [&what, &what], e, timeouts, Verdict::Fail);
        }
    };
    let line = format!("GET {} -> {}", url, res.status);
    let app = match app_port {
        Some(p) => format!("your app on port {p}"),
        None => "your app".to_string(),
    };
    let app_ko = match app_port {
        Some(p) => format!("{p}번 포트의 앱"),
        None => "앱".to_string(),
    };
    let f = |code: &str, v: Verdict| {
        Finding::new("http.health", code, Area::Http, subject.clone(), v).evidence(line.clone())
    };
    match res.status {
        200..=299 => f("ok", Verdict::Pass)
            .title(format!("{} answers {}", url.path(), res.status))
            .ko(format!("{} 경로가 {} 상태로 응답합니다", url.path(), res.status), "", ""),
        502 => f("bad_gateway", Verdict::Fail)
            .title(format!("502 Bad Gateway: the proxy cannot reach {app}"))
            .why("nginx (or the ALB) accepted the request but could not connect to the app behind it: the app is not running, listens on another port, or only on another address.")
            .fix(format!(
                "On the instance: is {app} running (`ss -ltnp`)? Does proxy_pass (nginx) or the target group (ALB) use that port, with protocol HTTP (not HTTPS: the app speaks plain HTTP)? Behind an ALB the app must listen on 0.0.0.0, and the instance's security group must allow the port from the ALB's security group."
            ))
            .ko(
                format!("502 Bad Gateway: 프록시가 {app_ko}에 연결하지 못합니다"),
                "nginx(또는 ALB)가 요청은 받았지만 뒤에 있는 앱에 연결하지 못했습니다: 앱이 실행 중이 아니거나, 다른 포트 또는 다른 주소에서만 대기하고 있습니다.",
                format!(
                    "인스턴스에서 확인하세요: {app_ko}이 실행 중인가요(`ss -ltnp`)? proxy_pass(nginx)나 대상 그룹(ALB)이 그 포트를 HTTP 프로토콜로 쓰고 있나요 (HTTPS가 아닙니다: 앱은 평문 HTTP로 통신합니다)? ALB 뒤에서는 앱이 0.0.0.0에서 대기해야 하고, 인스턴스의 보안 그룹이 ALB의 보안 그룹으로부터 그 포트를 허용해야 합니다."
                ),
            ),
        503 => f("unavailable", Verdict::Fail)
            .title("503 Service Unavailable: no healthy target")
            .why("An ALB answers 503 when its target group has no healthy target (or no target at all).")
            .fix("Check the target group's health: registered instance, health check path answering 200, the app port open from the ALB's security group.")
            .ko(
                "503 Service Unavailable: 정상 상태인 대상이 없습니다",
                "ALB는 대상 그룹에 정상(healthy) 대상이 없을 때(또는 대상이 아예 없을 때) 503으로 응답합니다.",
                "대상 그룹의 상태를 확인하세요: 인스턴스가 등록되어 있는지, 상태 검사 경로가 200으로 응답하는지, 앱 포트가 ALB의 보안 그룹에 열려 있는지.",
            ),
        504 => f("gateway_timeout", Verdict::Fail)
            .title(format!("504 Gateway Timeout: {app} did not answer in time"))
            .why("The proxy connected but the app took too long, or a security group silently drops the proxy's packets.")
            .fix("Check the app's log for slow requests; check the instance's security group allows the app port from the proxy.")
            .ko(
                format!("504 Gateway Timeout: {app_ko}이 제시간에 응답하지 않았습니다"),
                "프록시는 연결했지만 앱이 너무 오래 걸렸거나, 보안 그룹이 프록시의 패킷을 조용히 버리고 있습니다.",
                "앱 로그에서 느린 요청을 확인하고, 인스턴스의 보안 그룹이 프록시로부터 앱 포트를 허용하는지 확인하세요.",
            ),
        500..=599 => f("server_error", Verdict::Fail)
            .title(format!("The app answers {} on {}", res.status, url.path()))
            .why("The request reached the app and the app itself failed (an exception, a database it cannot reach, a missing environment variable).")
            .fix("Read the app's own log at the time of this check; the proxy and the certificate are fine.")
            .ko(
                format!("앱이 {} 경로에서 {} 상태로 응답합니다", url.path(), res.status),
                "요청은 앱까지 도달했고, 앱 자체에서 오류가 났습니다 (예외, 연결할 수 없는 데이터베이스, 빠진 환경 변수 등).",
                "이 검사 시각의 앱 로그를 읽어 보세요. 프록시와 인증서는 문제없습니다.",
            ),
        404 => f("not_found", Verdict::Warn)
            .title(format!("{} does not exist (404)", url.path()))
            .why("The server answers, but this path is not a route of the app; a load balancer using it as health check marks the app unhealthy.")
            .fix("Use a path the app serves with 200 (add a /health route), or change the health check path.")
            .ko(
                format!("{} 경로가 없습니다 (404)", url.path()),
                "서버는 응답하지만 이 경로는 앱의 라우트가 아닙니다. 로드 밸런서가 이 경로를 상태 검사에 쓰면 앱을 비정상(unhealthy)으로 판단합니다.",
                "앱이 200으로 응답하는 경로를 쓰거나(/health 라우트 추가), 상태 검사 경로를 바꾸세요.",
            ),
        s => f("unexpected", Verdict::Warn)
            .title(format!("{} answers {s}", url.path()))
            .why("A health path should answer 200 without logging in or redirecting.")
            .fix("Make the health path public and answer 200.")
            .ko(
                format!("{} 경로가 {s} 상태로 응답합니다", url.path()),
                "상태 검사 경로는 로그인이나 리디렉션 없이 200으로 응답해야 합니다.",
                "상태 검사 경로를 로그인 없이 열어 두고 200으로 응답하게 하세요.",
            ),
    }
}

/// A URL with `http://` aimed at a port: is that port actually TLS?
pub async fn http_scheme(net: &Net, url: &Url) -> Finding {
    let host = url.host_str().unwrap_or_default().to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let subject = url.to_string();
    let probe = net.raw_http_probe(&host, port).await;
    if let Err(NetError::Blocked(addr, why)) = probe {
        return blocked("http.scheme", Area::Http, subject, Verdict::Fail, addr, why);
    }
    let tls_port = match &probe {
        Ok(text) => {
            text.contains("plain HTTP request was sent to HTTPS port") || text.as_bytes().first() == Some(&0x15)
        }
        Err(_) => false,
    };
    let tls_port = tls_port || (probe.is_err() && net.tls(&host, port).await.is_ok());
    if tls_port {
        let mut f = Finding::new("http.scheme", "http_to_tls", Area::Http, subject, Verdict::Fail)
            .title(format!("http:// was used with port {port}, which speaks HTTPS"));
        if let Ok(text) = &probe {
            f = f.evidence(format!("plain HTTP to {port}: {}", first_line(text)));
        }
        f.why("The server expects TLS on this port and rejects plain HTTP (nginx: 400 'The plain HTTP request was sent to HTTPS port').")
            .fix(format!("Use https://{host}{}; in the frontend's API base URL, CloudFront origin (protocol HTTPS for port 443) or target group (protocol HTTP to the app port, not 443).", port_suffix(port, 443)))
            .ko(
                format!("HTTPS로 통신하는 {port}번 포트에 http://를 사용했습니다"),
                "서버는 이 포트에서 TLS를 기대하므로 평문 HTTP를 거부합니다 (nginx: 400 'The plain HTTP request was sent to HTTPS port').",
                format!("https://{host}{} 주소를 쓰세요. 프론트엔드의 API 기본 URL, CloudFront 오리진(443 포트는 프로토콜 HTTPS), 또는 대상 그룹(443이 아니라 앱 포트로, 프로토콜 HTTP)을 확인하세요.", port_suffix(port, 443)),
            )
    } else {
        Finding::new("http.scheme", "plain_http", Area::Http, subject, Verdict::Warn)
            .title("The URL uses http://")
            .why("Everything sent to it travels in clear, and an https:// page cannot call it (mixed content).")
            .fix(format!("Use https://{host} once the certificate is in place."))
            .ko(
                "URL이 http://를 사용합니다",
                "여기로 보내는 모든 내용이 평문으로 전송되고, https:// 페이지에서는 이 주소를 호출할 수 없습니다 (혼합 콘텐츠).",
                format!("인증서가 준비되면 https://{host} 주소를 쓰세요."),
            )
    }
}
