//! Alert webhooks over HTTPS (reqwest, rustls with the system's roots), to public addresses only.
//!
//! A webhook URL is typed by a user and then POSTed to by the server, on a schedule, from inside
//! the server's network. Left alone, `https://169.254.169.254./` or a name that resolves to
//! 10.0.0.8 would make lockstep a way into that network. So the doctor's address policy
//! ([`lockstep_doctor::egress`]) applies here too, at both ends:
//!
//! * when the URL is saved ([`Webhook::vet`]): parsed by the URL standard's rules (the same
//!   parser reqwest uses), so `2852039166`, `x@10.0.0.8`, `[::ffff:127.0.0.1]` and trailing dots
//!   are normalised before they are judged; a name is looked up and refused when every address
//!   it has is private or internal;
//! * when an alert is sent: the stored URL is judged again (it may have been saved before a rule
//!   existed), an IP-literal host directly (reqwest does not resolve those), a name through
//!   [`PublicResolver`], which hands reqwest only the public addresses it found: the address
//!   connected to is one that was checked. No proxy (it would do the resolving), no redirects.

use crate::ports::Webhook;
use async_trait::async_trait;
use lockstep_doctor::egress::{refusal_what, Egress, NotPublic};
use lockstep_domain::text::{msg, Message};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::Url;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// What webhook URLs may reach.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reach {
    pub egress: Egress,
    /// Plain `http://` to loopback (a receiver in a sandbox demo or test): only with the lab
    /// opt-in, in the sandbox.
    pub plain_http_loopback: bool,
}

pub struct HttpWebhook {
    client: reqwest::Client,
    reach: Reach,
}

impl HttpWebhook {
    /// Public https:// webhooks only: what every real server uses.
    pub fn new() -> HttpWebhook {
        HttpWebhook::with_reach(Reach::default())
    }

    /// LAB AND TESTS ONLY (`--allow-private-targets`): also loopback and private addresses, and
    /// in the `sandbox` plain http:// to loopback.
    pub fn allow_private_targets(sandbox: bool) -> HttpWebhook {
        HttpWebhook::with_reach(Reach { egress: Egress::AllowPrivate, plain_http_loopback: sandbox })
    }

    pub fn with_reach(reach: Reach) -> HttpWebhook {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(Arc::new(PublicResolver(reach.egress)))
            .user_agent(concat!("lockstep/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("an HTTP client with default settings");
        HttpWebhook { client, reach }
    }

    pub fn reach(&self) -> Reach {
        self.reach
    }
}

impl Default for HttpWebhook {
    fn default() -> Self {
        HttpWebhook::new()
    }
}

/// What the URL points at, once parsed.
enum Target {
    Ip(IpAddr),
    Name(String),
}

/// The parser has already turned every IPv4 spelling (`2852039166`, `0xA9FEA9FE`, a trailing
/// dot) into dotted form and lower-cased names; IPv6 literals come in brackets.
fn target_of(url: &Url) -> Option<Target> {
    let host = url.host_str()?;
    let host = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host);
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    // `localhost` is this machine whatever DNS says (RFC 6761).
    if host == "localhost" || host.ends_with(".localhost") {
        return Some(Target::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST)));
    }
    match host.parse::<IpAddr>() {
        Ok(ip) => Some(Target::Ip(ip)),
        Err(_) => Some(Target::Name(host)),
    }
}

fn refused(host: &str, why: NotPublic) -> Message {
    let (what, kind) = (refusal_what(), why.kind());
    msg(
        format!(
            "{}: {host} is {}. Paste the webhook URL your chat service gave you (Slack: https://hooks.slack.com/…, Discord: https://discord.com/api/webhooks/…); it must be reachable from the internet.",
            what.en, kind.en
        ),
        format!(
            "{}: {host}은(는) {}입니다. 채팅 서비스가 준 웹훅 URL을 붙여 넣으세요 (Slack: https://hooks.slack.com/…, Discord: https://discord.com/api/webhooks/…). 인터넷에서 접속할 수 있는 주소여야 합니다.",
            what.ko, kind.ko
        ),
    )
}

/// The checks that need no network: the URL's form, its scheme, and an IP-literal host.
pub fn check_url(url: &str, reach: Reach) -> Result<Url, Message> {
    let url = url.trim();
    let parsed = match Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "https" | "http") => u,
        _ => {
            return Err(msg(
                "Paste the whole webhook URL, starting with https://",
                "https://로 시작하는 웹훅 URL 전체를 붙여 넣으세요.",
            ))
        }
    };
    let Some(target) = target_of(&parsed) else {
        return Err(msg("The webhook URL has no host name.", "웹훅 URL에 호스트 이름이 없습니다."));
    };
    let loopback =
        matches!(target, Target::Ip(ip) if lockstep_doctor::egress::classify(ip) == Some(NotPublic::Loopback));
    if parsed.scheme() == "http" && !(reach.plain_http_loopback && loopback) {
        return Err(msg(
            "The webhook must be an https:// URL (Slack and Discord webhooks are).",
            "웹훅은 https:// URL이어야 합니다 (Slack과 Discord 웹훅은 모두 그렇습니다).",
        ));
    }
    if let Target::Ip(ip) = target {
        reach.egress.check(ip).map_err(|why| refused(&ip.to_string(), why))?;
    }
    Ok(parsed)
}

/// [`check_url`], and a name looked up now: refused when every address it has is not public.
/// A name that does not resolve now is let through (a passing DNS failure must not block a
/// save); the send-time resolver judges it again every time.
pub async fn vet_url(url: &str, reach: Reach) -> Result<Url, Message> {
    vet_url_with(url, reach, |name| async move {
        let found = tokio::time::timeout(Duration::from_secs(5), tokio::net::lookup_host((name.as_str(), 443))).await;
        match found {
            Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
            _ => Vec::new(),
        }
    })
    .await
}

/// [`vet_url`] with the name lookup given (tests script it).
pub async fn vet_url_with<F, Fut>(url: &str, reach: Reach, lookup: F) -> Result<Url, Message>
where
    F: FnOnce(String) -> Fut,
    Fut: std::future::Future<Output = Vec<IpAddr>>,
{
    let parsed = check_url(url, reach)?;
    if let Some(Target::Name(name)) = target_of(&parsed) {
        let verdicts: Vec<Result<(), NotPublic>> =
            lookup(name.clone()).await.into_iter().map(|ip| reach.egress.check(ip)).collect();
        if let Some(Err(why)) = verdicts.first() {
            if verdicts.iter().all(Result::is_err) {
                return Err(refused(&name, *why));
            }
        }
    }
    Ok(parsed)
}

/// Name resolution for the webhook client: the system's resolver, with every address the
/// egress policy refuses dropped; no address left is an error ([`Blocked`]), so reqwest never
/// connects to one.
pub struct PublicResolver(pub Egress);

/// A name whose every address is private or internal.
#[derive(Debug)]
pub struct Blocked {
    pub name: String,
    pub why: NotPublic,
}

impl std::fmt::Display for Blocked {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} resolves only to {}", self.name, self.why)
    }
}

impl std::error::Error for Blocked {}

impl Resolve for PublicResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let egress = self.0;
        let name = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((name.as_str(), 0)).await?.collect();
            let mut why = None;
            let public: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| match egress.check(a.ip()) {
                    Ok(()) => true,
                    Err(w) => {
                        why.get_or_insert(w);
                        false
                    }
                })
                .collect();
            match (public.is_empty(), why) {
                (true, Some(why)) => Err(Box::new(Blocked { name, why }) as Box<dyn std::error::Error + Send + Sync>),
                _ => Ok(Box::new(public.into_iter()) as Addrs),
            }
        })
    }
}

/// The [`Blocked`] somewhere in `e`'s causes.
fn blocked_in<'a>(e: &'a (dyn std::error::Error + 'static)) -> Option<&'a Blocked> {
    let mut cur = Some(e);
    while let Some(err) = cur {
        if let Some(b) = err.downcast_ref::<Blocked>() {
            return Some(b);
        }
        cur = err.source();
    }
    None
}

#[async_trait]
impl Webhook for HttpWebhook {
    async fn vet(&self, url: &str) -> Result<(), Message> {
        vet_url(url, self.reach).await.map(|_| ())
    }

    async fn post(&self, url: &str, body: &serde_json::Value) -> Result<(), Message> {
        // Judged again at every send: the stored URL may predate a rule.
        let url = check_url(url, self.reach)?;
        let r = self.client.post(url).json(body).send().await.map_err(|e| {
            // Not the URL: it is a secret.
            if let Some(b) = blocked_in(&e) {
                // The name only (the host part of the URL is no secret; the path is).
                refused(&b.name, b.why)
            } else if e.is_timeout() {
                msg("the webhook did not answer within 10 s", "웹훅이 10초 안에 응답하지 않았습니다")
            } else {
                msg("could not reach the webhook", "웹훅에 연결할 수 없습니다")
            }
        })?;
        if r.status().is_success() {
            Ok(())
        } else {
            let code = r.status().as_u16();
            Err(msg(format!("the webhook answered HTTP {code}"), format!("웹훅이 HTTP {code}로 응답했습니다")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strict(url: &str) -> Result<Url, Message> {
        check_url(url, Reach::default())
    }

    #[test]
    fn only_public_https_urls_pass_and_every_disguise_is_seen_through() {
        assert!(strict("https://hooks.slack.com/services/T/B/X").is_ok());
        assert!(strict("https://discord.com/api/webhooks/1/abc").is_ok());
        assert!(strict("https://1.1.1.1/hook").is_ok());
        for (url, class) in [
            ("https://localhost/", "loopback"),
            ("https://LOCALHOST./x", "loopback"),
            ("https://a.localhost/x", "loopback"),
            ("https://[::1]/", "loopback"),
            ("https://x@10.0.0.8/", "private"),
            ("https://2852039166/", "metadata"),
            ("https://0xA9FEA9FE/", "metadata"),
            ("https://[::ffff:127.0.0.1]/", "loopback"),
            ("https://169.254.169.254./", "metadata"),
            ("https://169.254.169.254/latest", "metadata"),
            ("https://10.0.0.8/hook", "private"),
            ("https://0/", "unspecified"),
            ("https://[fd00:ec2::254]/", "metadata"),
        ] {
            let m = strict(url).expect_err(url);
            let want = NotPublic::kind(match class {
                "loopback" => NotPublic::Loopback,
                "private" => NotPublic::Private,
                "metadata" => NotPublic::Metadata,
                _ => NotPublic::Unspecified,
            });
            assert!(m.en.contains("lockstep does not connect to private or internal addresses"), "{url}: {m:?}");
            assert!(m.en.contains(&want.en) && m.ko.contains(&want.ko), "{url}: {m:?}");
        }
        assert!(strict("http://hooks.slack.com/x").is_err());
        assert!(strict("hooks.slack.com").is_err());
        assert!(strict("ftp://hooks.slack.com/x").is_err());
    }

    #[test]
    fn plain_http_to_loopback_needs_the_sandbox_and_the_lab_opt_in() {
        let lab_sandbox = Reach { egress: Egress::AllowPrivate, plain_http_loopback: true };
        let lab_real = Reach { egress: Egress::AllowPrivate, plain_http_loopback: false };
        assert!(check_url("http://127.0.0.1:9999/hook", lab_sandbox).is_ok());
        assert!(check_url("http://localhost:9999/hook", lab_sandbox).is_ok());
        assert!(check_url("http://127.0.0.1:9999/hook", lab_real).is_err());
        assert!(check_url("http://127.0.0.1:9999/hook", Reach::default()).is_err());
        // The opt-in never opens the metadata service, nor plain http to another machine.
        assert!(check_url("https://169.254.169.254/", lab_sandbox).is_err());
        assert!(check_url("http://10.0.0.8/hook", lab_sandbox).is_err());
    }

    #[tokio::test]
    async fn a_name_that_resolves_only_to_internal_addresses_is_refused_when_saved_and_by_the_resolver() {
        let answer = |ips: &'static [&'static str]| {
            move |_: String| async move { ips.iter().map(|i| i.parse().unwrap()).collect::<Vec<IpAddr>>() }
        };
        let url = "https://hooks.attacker.example/services/x";
        let m = vet_url_with(url, Reach::default(), answer(&["10.0.0.8", "fd00::8"])).await.expect_err("refused");
        assert!(m.en.contains("hooks.attacker.example is a private network address"), "{m:?}");
        assert!(m.ko.contains("사설 네트워크 주소"), "{m:?}");
        let m = vet_url_with(url, Reach::default(), answer(&["169.254.169.254"])).await.expect_err("refused");
        assert!(m.en.contains("metadata"), "{m:?}");
        // One public address is enough (the resolver drops the others when sending); no answer
        // now is not a refusal (the send-time resolver decides then).
        assert!(vet_url_with(url, Reach::default(), answer(&["10.0.0.8", "1.1.1.1"])).await.is_ok());
        assert!(vet_url_with(url, Reach::default(), answer(&[])).await.is_ok());

        let r = PublicResolver(Egress::PublicOnly).resolve("localhost".parse().unwrap()).await;
        let e = r.err().expect("no address for localhost");
        assert!(blocked_in(e.as_ref()).is_some_and(|b| b.why == NotPublic::Loopback), "{e}");
        let ok = PublicResolver(Egress::AllowPrivate).resolve("localhost".parse().unwrap()).await;
        assert!(ok.is_ok_and(|mut a| a.next().is_some()));
    }
}
