//! HTTP-level checks: the port-80 redirect (and loops), the health path, HSTS, and an http://
//! URL aimed at a TLS port.

use crate::findings::first_line;
use crate::net::{Net, NetError, Response};
use lockstep_domain::doctor::{Area, Finding, Verdict};
use std::collections::HashSet;
use url::Url;

pub const MAX_REDIRECTS: usize = 10;

/// Follow redirects from `http://host:http_port/`, up to [`MAX_REDIRECTS`], detecting cycles.
pub async fn redirect(net: &Net, host: &str, http_port: u16) -> Finding {
    let subject = format!("http://{host}{}/", port_suffix(http_port, 80));
    let start = match Url::parse(&subject) {
        Ok(u) => u,
        Err(e) => {
            return Finding::new("http.redirect", "error", Area::Http, subject, Verdict::Skip).title(e.to_string())
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
                        .evidence(e.to_string());
                }
                hops.push(format!("{url} -> {e}"));
                return with_hops(
                    Finding::new("http.redirect", "target_unreachable", Area::Http, subject, Verdict::Fail)
                        .title("The redirect leads to an address that does not answer")
                        .why("Visitors following http:// links end on an error.")
                        .fix("Make the redirect point at the https:// address that serves the site."),
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
                    .fix("Redirect only once, at the edge: CloudFront 'Redirect HTTP to HTTPS' with origin protocol 'HTTP only' and no redirect in the origin, or make the origin redirect only when X-Forwarded-Proto is http. nginx behind a proxy: `if ($http_x_forwarded_proto = http) { return 301 https://$host$request_uri; }`."),
                &hops,
            );
        }
        if hops.len() >= MAX_REDIRECTS {
            return with_hops(
                Finding::new("http.redirect", "too_many_redirects", Area::Http, subject, Verdict::Fail)
                    .title(format!("More than {MAX_REDIRECTS} redirects"))
                    .why("Browsers give up with ERR_TOO_MANY_REDIRECTS.")
                    .fix("Redirect once, from http:// straight to the final https:// address."),
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
                .fix("nginx: in the port 80 server block, `return 301 https://$host$request_uri;` (certbot --redirect writes it). ALB: HTTP:80 listener with a redirect to HTTPS:443. CloudFront: viewer protocol policy 'Redirect HTTP to HTTPS'."),
            &hops,
        ),
        Some(n) if n.scheme() == "https" && n.host_str() == Some(host) => with_hops(
            Finding::new("http.redirect", "ok", Area::Http, subject, Verdict::Pass).title(format!("http:// redirects to {n}")),
            &hops,
        ),
        Some(n) => with_hops(
            Finding::new("http.redirect", "redirect_elsewhere", Area::Http, subject, Verdict::Warn)
                .title(format!("http:// redirects to {n}, not to https://{host}"))
                .why("The first hop should keep the name and switch to https; a redirect to another name or to http again costs a round trip and can leak the path in clear.")
                .fix(format!("Redirect straight to https://{host}$request_uri.")),
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
pub fn health(url: &Url, res: &Result<Response, NetError>, app_port: Option<u16>) -> Finding {
    let subject = url.to_string();
    let res = match res {
        Ok(r) => r,
        Err(e) => {
            return Finding::new("http.health", "unreachable", Area::Http, subject, Verdict::Skip)
                .title(format!("Not checked: {e}"))
                .evidence(e.to_string())
        }
    };
    let line = format!("GET {} -> {}", url, res.status);
    let app = match app_port {
        Some(p) => format!("your app on port {p}"),
        None => "your app".to_string(),
    };
    let f = |code: &str, v: Verdict| {
        Finding::new("http.health", code, Area::Http, subject.clone(), v).evidence(line.clone())
    };
    match res.status {
        200..=299 => f("ok", Verdict::Pass).title(format!("{} answers {}", url.path(), res.status)),
        502 => f("bad_gateway", Verdict::Fail)
            .title(format!("502 Bad Gateway: the proxy cannot reach {app}"))
            .why("nginx (or the ALB) accepted the request but could not connect to the app behind it: the app is not running, listens on another port, or only on another address.")
            .fix(format!(
                "On the instance: is {app} running (`ss -ltnp`)? Does proxy_pass (nginx) or the target group (ALB) use that port, with protocol HTTP (not HTTPS: the app speaks plain HTTP)? Behind an ALB the app must listen on 0.0.0.0, and the instance's security group must allow the port from the ALB's security group."
            )),
        503 => f("unavailable", Verdict::Fail)
            .title("503 Service Unavailable: no healthy target")
            .why("An ALB answers 503 when its target group has no healthy target (or no target at all).")
            .fix("Check the target group's health: registered instance, health check path answering 200, the app port open from the ALB's security group."),
        504 => f("gateway_timeout", Verdict::Fail)
            .title(format!("504 Gateway Timeout: {app} did not answer in time"))
            .why("The proxy connected but the app took too long, or a security group silently drops the proxy's packets.")
            .fix("Check the app's log for slow requests; check the instance's security group allows the app port from the proxy."),
        500..=599 => f("server_error", Verdict::Fail)
            .title(format!("The app answers {} on {}", res.status, url.path()))
            .why("The request reached the app and the app itself failed (an exception, a database it cannot reach, a missing environment variable).")
            .fix("Read the app's own log at the time of this check; the proxy and the certificate are fine."),
        404 => f("not_found", Verdict::Warn)
            .title(format!("{} does not exist (404)", url.path()))
            .why("The server answers, but this path is not a route of the app; a load balancer using it as health check marks the app unhealthy.")
            .fix("Use a path the app serves with 200 (add a /health route), or change the health check path."),
        s => f("unexpected", Verdict::Warn)
            .title(format!("{} answers {s}", url.path()))
            .why("A health path should answer 200 without logging in or redirecting.")
            .fix("Make the health path public and answer 200."),
    }
}

/// HSTS advice from an HTTPS response.
pub fn hsts(url: &Url, res: &Response) -> Finding {
    let subject = url.host_str().unwrap_or_default().to_string();
    match res.header("strict-transport-security") {
        Some(v) => Finding::new("http.hsts", "ok", Area::Http, subject, Verdict::Pass)
            .title("HSTS is on")
            .evidence(format!("Strict-Transport-Security: {v}")),
        None => Finding::new("http.hsts", "missing", Area::Http, subject, Verdict::Pass)
            .title("No HSTS header (advice, not an error)")
            .evidence("no Strict-Transport-Security header")
            .why("HSTS tells browsers to use https:// for this name even when someone types http://.")
            .fix("Once HTTPS has worked for a while, add `add_header Strict-Transport-Security \"max-age=31536000\" always;` (nginx) or a CloudFront response headers policy. Start with a short max-age: it cannot be taken back for that long."),
    }
}

/// A URL with `http://` aimed at a port: is that port actually TLS?
pub async fn http_scheme(net: &Net, url: &Url) -> Finding {
    let host = url.host_str().unwrap_or_default().to_string();
    let port = url.port_or_known_default().unwrap_or(80);
    let subject = url.to_string();
    let probe = net.raw_http_probe(&host, port).await;
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
    } else {
        Finding::new("http.scheme", "plain_http", Area::Http, subject, Verdict::Warn)
            .title("The URL uses http://")
            .why("Everything sent to it travels in clear, and an https:// page cannot call it (mixed content).")
            .fix(format!("Use https://{host} once the certificate is in place."))
    }
}
