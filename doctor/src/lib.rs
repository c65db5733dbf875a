//! lockstep's HTTPS doctor: checks a deployed site from outside, the way a browser (and ACM, and
//! certbot) would meet it, and explains every failure with what was seen, why, and the fix.
//!
//! All checks of one run go concurrently, each group under its own timeout. The network sits
//! behind [`dns::Dns`] (answers) and [`net::Net`] (TCP, TLS, HTTP/1.1); the trust store is
//! passed in. Facts from inside AWS (target health, security groups, S3) come in as plain data
//! ([`inside::InsideFacts`]), so this crate never touches an AWS SDK.
//!
//! The doctor connects only to public addresses ([`egress`]): a URL, a DNS answer, a redirect or
//! a script that points inside lockstep's own network gets a `blocked` finding instead of a
//! connection. The lab and tests opt in to loopback and private targets with
//! [`Doctor::allow_private_targets`].
#![forbid(unsafe_code)]

pub mod browser;
pub mod dns;
pub mod egress;
pub mod findings;
pub mod headers;
pub mod headers_words;
pub mod http_checks;
pub mod inside;
pub mod lab;
pub mod lifetime;
pub mod net;
pub mod render;
pub mod tls;
pub mod tls_legacy;
pub mod tls_posture;

use crate::dns::{Dns, DnsError, Rdata, Rtype};
use crate::net::{Net, NetError, Response, Timeouts};
use futures::future::{join_all, BoxFuture, FutureExt};
use lockstep_domain::doctor::{Area, Finding, Report, Verdict};
use rustls::RootCertStore;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use url::Url;

pub use inside::InsideFacts;
pub use lockstep_domain::doctor;

/// What to check, and what the project expects.
#[derive(Debug, Clone)]
pub struct Target {
    /// The API (or the only) URL. Its path is used for the API GET and the CORS preflight.
    pub url: Url,
    /// The frontend's origin (e.g. https://www.example.com): preflight Origin, mixed content.
    pub origin: Option<Url>,
    /// Where plain HTTP is served (80; the lab uses another port).
    pub http_port: u16,
    /// Where HTTPS is served when the URL is http:// (443).
    pub https_port: u16,
    /// The app's health path, checked through HTTPS.
    pub health_path: Option<String>,
    /// What the API name should point at: IP addresses or host names (ALB, CloudFront).
    pub expect: Vec<String>,
    /// The hosted zone's name servers, to compare with public DNS.
    pub expected_ns: Vec<String>,
    /// CAs that must be allowed by CAA: "amazon.com", "letsencrypt.org".
    pub issuers: Vec<String>,
    /// The frontend sends cookies to the API (credentials: 'include').
    pub credentials: bool,
    /// The app's port behind the proxy, for the 502 explanation.
    pub app_port: Option<u16>,
    pub inside: Option<InsideFacts>,
}

impl Target {
    pub fn new(url: Url) -> Target {
        Target {
            url,
            origin: None,
            http_port: 80,
            https_port: 443,
            health_path: None,
            expect: Vec::new(),
            expected_ns: Vec::new(),
            issuers: Vec::new(),
            credentials: false,
            app_port: None,
            inside: None,
        }
    }
}

/// Parse what a user typed as a URL: `api.example.com` means `https://api.example.com/`.
pub fn parse_url(s: &str) -> Result<Url, String> {
    let s = s.trim();
    let with_scheme = if s.contains("://") { s.to_string() } else { format!("https://{s}") };
    let url = Url::parse(&with_scheme)
        .map_err(|e| format!("'{s}' is not a URL ({e}); write it like https://api.example.com"))?;
    match url.scheme() {
        "http" | "https" => {}
        other => return Err(format!("'{s}' uses {other}://; the doctor checks http:// and https:// URLs")),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("'{s}' has no host name"));
    }
    Ok(url)
}

pub struct Doctor {
    net: Net,
    roots: Arc<RootCertStore>,
    /// Each group of checks gives up after this long (and says so).
    pub group_timeout: Duration,
}

const PAGE_LIMIT: usize = 3 * 1024 * 1024;
const MAX_ASSETS: usize = 12;

impl Doctor {
    pub fn new(dns: Arc<dyn Dns>, roots: RootCertStore) -> Doctor {
        Doctor {
            net: Net::new(dns, Timeouts::default()),
            roots: Arc::new(roots),
            group_timeout: Duration::from_secs(15),
        }
    }

    pub fn with_timeouts(mut self, t: Timeouts) -> Doctor {
        self.net.timeouts = t;
        self
    }

    /// LAB AND TESTS ONLY: also connect to loopback and private addresses (the HTTPS lab on
    /// 127.x, a test network namespace on 10.x). Never on a server people can reach: it lets
    /// anyone who types a URL make lockstep look into the network it runs in. The metadata
    /// service and the other special addresses stay refused.
    pub fn allow_private_targets(self) -> Doctor {
        self.with_egress(egress::Egress::AllowPrivate)
    }

    /// The address policy (public only by default).
    pub fn with_egress(mut self, e: egress::Egress) -> Doctor {
        self.net.egress = e;
        self
    }

    /// Run every check that applies to `t`.
    pub async fn check(&self, t: &Target) -> Report {
        let started = Instant::now();
        let api_host = t.url.host_str().unwrap_or_default().to_string();
        let https_port =
            if t.url.scheme() == "https" { t.url.port_or_known_default().unwrap_or(443) } else { t.https_port };
        let mut groups: Vec<(&'static str, BoxFuture<'_, Vec<Finding>>)> = vec![
            ("host", self.host_checks(api_host.clone(), https_port, t.http_port, t.expect.clone()).boxed()),
            ("caa", self.caa(api_host.clone(), t.issuers.clone()).boxed()),
            ("ns", self.ns(api_host.clone(), t.expected_ns.clone()).boxed()),
        ];
        if let Some(o) = &t.origin {
            let oh = o.host_str().unwrap_or_default().to_string();
            if oh != api_host && o.scheme() == "https" {
                groups.push((
                    "origin host",
                    self.host_checks(oh, o.port_or_known_default().unwrap_or(t.https_port), t.http_port, Vec::new())
                        .boxed(),
                ));
            }
            groups.push((
                "page",
                self.page_checks(o.clone(), t.inside.as_ref().and_then(|i| i.frontend_index.clone())).boxed(),
            ));
        }
        if t.url.scheme() == "http" {
            groups.push(("scheme", async { vec![http_checks::http_scheme(&self.net, &t.url).await] }.boxed()));
        } else {
            groups.push(("api", self.api_checks(t).boxed()));
        }
        if let Some(facts) = &t.inside {
            let facts = facts.clone();
            groups.push(("aws", async move { inside::check(&facts, false) }.boxed()));
        }
        let timeout = self.group_timeout;
        let results = join_all(groups.into_iter().map(|(name, fut)| async move {
            let t0 = Instant::now();
            let mut out = match tokio::time::timeout(timeout, fut).await {
                Ok(v) => v,
                Err(_) => vec![Finding::new(
                    &format!("timeout.{}", name.replace(' ', "_")),
                    "timeout",
                    Area::Http,
                    name,
                    Verdict::Fail,
                )
                .title(format!("The {name} checks did not finish within {} s", timeout.as_secs()))
                .why("Something along the way accepts connections but never answers.")
                .fix("Run the doctor again; if it repeats, check the server's logs for hanging requests.")
                .ko(
                    format!("{name} 검사가 {}초 안에 끝나지 않았습니다", timeout.as_secs()),
                    "경로 어딘가에서 연결은 받아 주지만 응답을 전혀 하지 않습니다.",
                    "검사를 다시 실행해 보세요. 같은 일이 반복되면 서버 로그에서 멈춰 있는 요청이 있는지 확인하세요.",
                )],
            };
            let ms = t0.elapsed().as_millis().min(u32::MAX as u128) as u32;
            for f in &mut out {
                if f.millis == 0 {
                    f.millis = ms;
                }
            }
            out
        }))
        .await;
        Report {
            target: t.url.to_string(),
            origin: t.origin.as_ref().map(browser::origin_of),
            checked_at: time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap_or_default(),
            millis: started.elapsed().as_millis().min(u32::MAX as u128) as u32,
            findings: results.into_iter().flatten().collect(),
        }
    }

    /// DNS, ports, TLS and the port-80 redirect of one host.
    async fn host_checks(&self, host: String, https_port: u16, http_port: u16, expect: Vec<String>) -> Vec<Finding> {
        let mut out = Vec::new();
        let (dns_finding, ok) = self.address(&host, &expect).await;
        out.push(dns_finding);
        if !ok {
            out.push(
                Finding::new("tls.handshake", "no_address", Area::Tls, host.clone(), Verdict::Skip)
                    .title("Ports, certificate and redirects not checked: the name does not resolve")
                    .ko("포트, 인증서, 리디렉션은 확인하지 않았습니다: 이 이름이 조회되지 않습니다", "", ""),
            );
            return out;
        }
        let (p80, p443) = futures::join!(self.net.tcp(&host, http_port), self.net.tcp(&host, https_port));
        let p80 = p80.map(|_| ());
        let p443 = p443.map(|_| ());
        out.push(findings::tcp(&host, http_port, findings::Port::Http, &p80));
        out.push(findings::tcp(&host, https_port, findings::Port::Https, &p443));
        let tls = async {
            if p443.is_err() {
                return vec![];
            }
            tls_posture::check(&self.net, &self.roots, &host, https_port).await
        };
        let redirect = async {
            if p80.is_err() {
                None
            } else {
                Some(http_checks::redirect(&self.net, &host, http_port).await)
            }
        };
        let (tls, redirect) = futures::join!(tls, redirect);
        out.extend(tls);
        out.extend(redirect);
        out
    }

    /// `dns.address`: A/AAAA (CNAMEs followed), compared with what the project expects.
    async fn address(&self, host: &str, expect: &[String]) -> (Finding, bool) {
        if is_ip_literal(host) {
            return (
                Finding::new("dns.address", "ip_literal", Area::Dns, host, Verdict::Pass)
                    .title("An IP address: no DNS involved")
                    .ko("IP 주소입니다: DNS를 거치지 않습니다", "", ""),
                true,
            );
        }
        let dns = self.net.dns();
        let (a, aaaa) = futures::join!(dns.query(host, Rtype::A), dns.query(host, Rtype::Aaaa));
        let mut chain = Vec::new();
        let mut ips = Vec::new();
        for ans in [&a, &aaaa].into_iter().flatten() {
            for (owner, data) in ans {
                match data {
                    Rdata::Cname(t) => {
                        let line = format!("{owner} CNAME {t}");
                        if !chain.contains(&line) {
                            chain.push(line);
                        }
                    }
                    Rdata::A(ip) => ips.push(ip.to_string()),
                    _ => {}
                }
            }
        }
        if ips.is_empty() {
            let f = match (&a, &aaaa) {
                (Err(DnsError::NxDomain), _) => findings::dns_failed(host, "nxdomain", ""),
                (Err(DnsError::Failed(e)), _) | (_, Err(DnsError::Failed(e))) => {
                    findings::dns_failed(host, "failed", e)
                }
                _ => findings::dns_failed(host, "no_address", &chain.join("; ")),
            };
            return (f, false);
        }
        if !expect.is_empty() {
            let mut expected_ips: Vec<String> = Vec::new();
            let mut hit = false;
            for e in expect {
                let e = e.trim_end_matches('.').to_ascii_lowercase();
                if chain.iter().any(|c| c.ends_with(&format!(" {e}"))) {
                    hit = true;
                }
                match e.parse::<IpAddr>() {
                    Ok(ip) => expected_ips.push(ip.to_string()),
                    Err(_) => {
                        if let Ok(v) = self.net.addresses(&e).await {
                            expected_ips.extend(v.into_iter().map(|i| i.to_string()));
                        }
                    }
                }
            }
            hit = hit || ips.iter().any(|i| expected_ips.contains(i));
            if !hit {
                return (findings::dns_elsewhere(host, &ips, expect, &expected_ips), true);
            }
        }
        (findings::dns_ok(host, &chain, &ips), true)
    }

    /// `dns.caa`: the closest CAA record set up the tree (CNAMEs followed by the resolver).
    async fn caa(&self, host: String, required: Vec<String>) -> Vec<Finding> {
        if is_ip_literal(&host) {
            return vec![];
        }
        let labels: Vec<&str> = host.split('.').collect();
        for i in 0..labels.len().saturating_sub(1) {
            let name = labels[i..].join(".");
            match self.net.dns().query(&name, Rtype::Caa).await {
                Ok(records) => {
                    let mut owner = None;
                    let mut issuers = Vec::new();
                    for (o, d) in records {
                        if let Rdata::Caa { tag, value, .. } = d {
                            owner.get_or_insert(o);
                            if tag == "issue" {
                                let ca = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
                                if !ca.is_empty() {
                                    issuers.push(ca);
                                }
                            }
                        }
                    }
                    if let Some(owner) = owner {
                        let req: Vec<&str> = required.iter().map(String::as_str).collect();
                        return vec![findings::caa(&host, Some(&owner), &issuers, &req)];
                    }
                }
                Err(DnsError::Failed(e)) => {
                    return vec![Finding::new("dns.caa", "failed", Area::Dns, host.clone(), Verdict::Skip)
                        .title("Could not look up CAA records")
                        .ko("CAA 레코드를 조회할 수 없습니다", "", "")
                        .evidence(e)]
                }
                Err(_) => {}
            }
        }
        let req: Vec<&str> = required.iter().map(String::as_str).collect();
        vec![findings::caa(&host, None, &[], &req)]
    }

    /// `dns.ns`: the name servers of the closest zone up the tree.
    async fn ns(&self, host: String, expected: Vec<String>) -> Vec<Finding> {
        if is_ip_literal(&host) {
            return vec![];
        }
        let labels: Vec<&str> = host.split('.').collect();
        for i in 0..labels.len().saturating_sub(1) {
            let name = labels[i..].join(".");
            if let Ok(records) = self.net.dns().query(&name, Rtype::Ns).await {
                let found: Vec<String> = records
                    .into_iter()
                    .filter_map(|(o, d)| match d {
                        Rdata::Ns(n) if o == name => Some(n),
                        _ => None,
                    })
                    .collect();
                if !found.is_empty() {
                    return vec![findings::ns(&host, Some(&name), &found, &expected)];
                }
            }
        }
        vec![findings::ns(&host, None, &[], &expected)]
    }

    /// Health path, HSTS, cookies and the CORS preflight of an https:// API.
    async fn api_checks(&self, t: &Target) -> Vec<Finding> {
        let health_url = match &t.health_path {
            Some(p) => t.url.join(p).unwrap_or_else(|_| t.url.clone()),
            None => t.url.clone(),
        };
        let separate_health = health_url != t.url;
        let origin = t.origin.as_ref().map(browser::origin_of);
        let preflight = async {
            match &origin {
                Some(o) => Some(
                    self.net
                        .request(
                            "OPTIONS",
                            &t.url,
                            &[
                                ("origin", o),
                                ("access-control-request-method", "POST"),
                                ("access-control-request-headers", "content-type"),
                            ],
                            64 * 1024,
                        )
                        .await,
                ),
                None => None,
            }
        };
        let health = async {
            if separate_health {
                Some(self.net.get(&health_url, 64 * 1024).await)
            } else {
                None
            }
        };
        // The HTTP Observatory's CORS test: the same GET from an origin nobody allowed.
        let foreign = self.net.request("GET", &t.url, &[("origin", headers::PROBE_ORIGIN)], 64 * 1024);
        let (main, health, preflight, foreign) =
            futures::join!(self.net.get(&t.url, PAGE_LIMIT), health, preflight, foreign);
        let host = t.url.host_str().unwrap_or_default();
        let mut out = Vec::new();
        out.push(http_checks::health(&health_url, health.as_ref().unwrap_or(&main), t.app_port, self.net.timeouts));
        if let Ok(r) = &main {
            out.extend(headers::judge(host, r));
        }
        if let Ok(r) = &foreign {
            out.push(headers::cors(host, r));
        }
        let mut seen = Vec::new();
        for r in [Some(&main), health.as_ref()].into_iter().flatten().flatten() {
            for c in r.header_all("set-cookie") {
                seen.push((r.url.to_string(), c));
            }
        }
        out.extend(browser::cookies(&t.url, t.origin.as_ref(), &seen));
        if let (Some(res), Some(o)) = (&preflight, &t.origin) {
            out.push(browser::cors(&t.url, o, t.credentials || !seen.is_empty(), res, self.net.timeouts));
        }
        if t.origin.is_none() {
            if let Ok(r) = &main {
                if is_html(r) {
                    out.push(self.mixed(&t.url, r).await);
                }
            }
        }
        out
    }

    /// Mixed content and freshness of the frontend page.
    async fn page_checks(&self, page: Url, s3: Option<browser::OriginObject>) -> Vec<Finding> {
        match self.net.get(&page, PAGE_LIMIT).await {
            Ok(r) if is_html(&r) => {
                let mut v = vec![self.mixed(&page, &r).await, browser::freshness(&page, &r, s3.as_ref())];
                v.extend(headers::judge(page.host_str().unwrap_or_default(), &r));
                v
            }
            Ok(r) => {
                vec![Finding::new("mixed.content", "not_html", Area::MixedContent, page.to_string(), Verdict::Skip)
                    .title(format!("The frontend did not answer with an HTML page ({})", r.status))
                    .ko(format!("프론트엔드가 HTML 페이지로 응답하지 않았습니다 ({})", r.status), "", "")
                    .evidence(r.status_line())]
            }
            Err(NetError::Blocked(addr, why)) => {
                vec![findings::blocked("mixed.content", Area::MixedContent, page.to_string(), Verdict::Skip, addr, why)]
            }
            // The frontend page was asked for (an origin was given): not answering is a warning
            // with the wait and the usual causes, never a silent skip (issue 23).
            Err(e) => vec![findings::not_answered(
                "mixed.content",
                Area::MixedContent,
                page.to_string(),
                ["The frontend page", "프론트엔드 페이지"],
                &e,
                self.net.timeouts,
                Verdict::Warn,
            )],
        }
    }

    async fn mixed(&self, page: &Url, res: &Response) -> Finding {
        let html = String::from_utf8_lossy(&res.body).to_string();
        let (insecure, assets) = browser::http_subresources(&html, &res.url);
        let mut literals: Vec<(String, String)> = Vec::new();
        for inline in inline_scripts(&html) {
            literals.extend(browser::http_literals(&inline).into_iter().map(|u| ("inline script".to_string(), u)));
        }
        let fetched = join_all(assets.into_iter().take(MAX_ASSETS).map(|u| async move {
            let r = self.net.get(&u, PAGE_LIMIT).await;
            (u, r)
        }))
        .await;
        for (u, r) in fetched {
            if let Ok(r) = r {
                let text = String::from_utf8_lossy(&r.body);
                let file = u.path().rsplit('/').next().unwrap_or("").to_string();
                literals.extend(browser::http_literals(&text).into_iter().map(|l| (file.clone(), l)));
            }
        }
        literals.sort();
        literals.dedup();
        browser::mixed(page, &insecure, &literals)
    }
}

/// `192.0.2.1` or `[2001:db8::1]` (a URL's host form): no DNS names to ask about.
fn is_ip_literal(host: &str) -> bool {
    host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok()
}

fn is_html(r: &Response) -> bool {
    r.header("content-type").map(|c| c.to_ascii_lowercase().contains("text/html")).unwrap_or(false)
}

fn inline_scripts(html: &str) -> Vec<String> {
    use std::sync::LazyLock;
    static INLINE: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r"(?is)<script\b([^>]*)>(.*?)</script>").expect("inline script regex"));
    INLINE
        .captures_iter(html)
        .filter(|c| !c[1].to_ascii_lowercase().contains("src="))
        .map(|c| c[2].to_string())
        .collect()
}
