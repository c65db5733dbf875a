//! A fault-injecting HTTP proxy in front of moto (issue 20): it fails a share of the AWS calls
//! passing through it, in the two ways that matter to a client.
//!
//! - **Not sent**: the call never reaches AWS; the proxy answers at once with `503
//!   ServiceUnavailable` or a throttling error, in the service's own error format (EC2's
//!   `<Response><Errors>`, the query and REST-XML services' `<ErrorResponse>`, the JSON
//!   services' `__type`, S3's `<Error>`).
//! - **Answer lost**: the call is forwarded and moto carries it out, but the client never gets
//!   moto's answer: the proxy answers `503` instead, or closes the connection without a word.
//!   A client that sends the call again (the SDK's own retry, or the next attempt of a step)
//!   repeats something that already happened: the dangerous case for calls without an
//!   idempotency token.
//!
//! Which calls fail is drawn from a seeded generator (the seed is printed, and
//! `LOCKSTEP_FAULT_SEED` sets it, so a failing run's choices can be repeated; the timing of
//! concurrent calls still varies). The proxy counts what it did for the test's report.
//!
//! It runs on a thread of its own with its own runtime, so a test that blocks its own thread
//! (waiting for a server's output line) never stalls the AWS calls that server is making. One
//! request per connection (`connection: close` both ways) keeps the HTTP handling trivial.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the proxy did with one call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Not sent: answered 503 ServiceUnavailable without forwarding.
    Unavailable,
    /// Not sent: answered with the service's throttling error without forwarding.
    Throttled,
    /// Forwarded and done by moto; the client got a 503 instead of the answer.
    LostAs503,
    /// Forwarded and done by moto; the connection was closed without an answer.
    LostAsDrop,
}

/// What the proxy did, for the report.
#[derive(Debug, Default)]
pub struct Counts {
    /// Calls forwarded and answered with moto's answer.
    pub passed: AtomicUsize,
    /// Calls answered with an error without reaching moto (503 or throttling).
    pub not_sent: AtomicUsize,
    /// Calls moto carried out whose answer the client never got (503 or a dropped connection).
    pub lost: AtomicUsize,
    /// `service:action` of every call whose answer was lost, with how often.
    pub lost_calls: Mutex<BTreeMap<String, usize>>,
}

impl Counts {
    pub fn passed(&self) -> usize {
        self.passed.load(Ordering::SeqCst)
    }
    pub fn not_sent(&self) -> usize {
        self.not_sent.load(Ordering::SeqCst)
    }
    pub fn lost(&self) -> usize {
        self.lost.load(Ordering::SeqCst)
    }

    /// One line for the report: totals, then which calls lost their answers.
    pub fn summary(&self) -> String {
        let (passed, not_sent, lost) = (self.passed(), self.not_sent(), self.lost());
        let total = passed + not_sent + lost;
        let calls = self.lost_calls.lock().unwrap_or_else(|p| p.into_inner());
        let list: Vec<String> = calls.iter().map(|(k, n)| format!("{k}×{n}")).collect();
        format!(
            "{total} AWS calls: {passed} passed, {not_sent} not sent (503/throttled), {lost} done but answer lost (503/dropped); lost: {}",
            list.join(", ")
        )
    }
}

pub struct FaultProxy {
    /// The proxy's URL, to give lockstep as its sandbox endpoint.
    pub endpoint: String,
    pub seed: u64,
    pub counts: Arc<Counts>,
    /// The share of calls failed, in thousandths (half not sent, half answer lost).
    share: Arc<AtomicU32>,
    /// Calls failed on purpose, before the random share is drawn ([`FaultProxy::fail_next`]).
    targets: Arc<Mutex<Vec<Target>>>,
}

/// "Fail the next `left` calls whose request line or body contains `needle`, this way."
struct Target {
    needle: String,
    left: usize,
    fault: Fault,
}

/// The targeted fault for this request, if one is due (and counts it down).
fn targeted(targets: &Mutex<Vec<Target>>, request: &Request) -> Option<Fault> {
    let mut targets = targets.lock().unwrap_or_else(|p| p.into_inner());
    let line = request.head.lines().next().unwrap_or("");
    let body = String::from_utf8_lossy(&request.body);
    let t = targets.iter_mut().find(|t| t.left > 0 && (line.contains(&t.needle) || body.contains(&t.needle)))?;
    t.left -= 1;
    Some(t.fault)
}

impl FaultProxy {
    /// A proxy to `upstream` (moto's `http://host:port`) failing `share` (0.0 to 1.0) of the
    /// calls, half of them not sent and half with the answer lost, drawn from `seed`.
    pub fn start(upstream: &str, share: f64, seed: u64) -> FaultProxy {
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        std_listener.set_nonblocking(true).unwrap();
        let endpoint = format!("http://{}", std_listener.local_addr().unwrap());
        let upstream = upstream.trim_start_matches("http://").to_string();
        let counts = Arc::new(Counts::default());
        let share = Arc::new(AtomicU32::new((share.clamp(0.0, 1.0) * 1000.0).round() as u32));
        let rng = Arc::new(Mutex::new(StdRng::seed_from_u64(seed)));
        let targets: Arc<Mutex<Vec<Target>>> = Arc::default();
        let (c, s, t) = (counts.clone(), share.clone(), targets.clone());
        std::thread::Builder::new()
            .name("fault-proxy".into())
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async move {
                    let listener = TcpListener::from_std(std_listener).unwrap();
                    loop {
                        let Ok((conn, _)) = listener.accept().await else { return };
                        let (upstream, c, s, t, rng) = (upstream.clone(), c.clone(), s.clone(), t.clone(), rng.clone());
                        tokio::spawn(async move {
                            let fault = {
                                let mut rng = rng.lock().unwrap_or_else(|p| p.into_inner());
                                choose(&mut rng, s.load(Ordering::SeqCst))
                            };
                            let _ = serve_one(conn, &upstream, fault, &t, &c).await;
                        });
                    }
                });
            })
            .unwrap();
        FaultProxy { endpoint, seed, counts, share, targets }
    }

    /// Fails the next `count` calls whose request line or body contains `needle` the way
    /// `fault` says, whatever the random share draws (`usize::MAX`: every such call).
    pub fn fail_next(&self, needle: &str, count: usize, fault: Fault) {
        let mut targets = self.targets.lock().unwrap_or_else(|p| p.into_inner());
        targets.push(Target { needle: needle.to_string(), left: count, fault });
    }

    /// Changes the share of calls failed from now on.
    pub fn set_share(&self, share: f64) {
        self.share.store((share.clamp(0.0, 1.0) * 1000.0).round() as u32, Ordering::SeqCst);
    }
}

/// The seed from `LOCKSTEP_FAULT_SEED`, else a fresh one; printed either way.
pub fn seed() -> u64 {
    let seed = std::env::var("LOCKSTEP_FAULT_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(rand::random::<u64>);
    eprintln!("fault seed {seed} (LOCKSTEP_FAULT_SEED={seed} repeats this run's choices)");
    seed
}

/// Draws the fate of one call: `per_mille` of them fail, half before and half after moto.
fn choose(rng: &mut StdRng, per_mille: u32) -> Option<Fault> {
    let roll = rng.random_range(0..1000u32);
    let either = rng.random_bool(0.5);
    if roll >= per_mille {
        None
    } else if roll < per_mille / 2 {
        Some(if either { Fault::Unavailable } else { Fault::Throttled })
    } else {
        Some(if either { Fault::LostAs503 } else { Fault::LostAsDrop })
    }
}

/// One request: read it, then fail it or forward it as `fault` says.
async fn serve_one(
    mut conn: TcpStream,
    upstream: &str,
    fault: Option<Fault>,
    targets: &Mutex<Vec<Target>>,
    counts: &Counts,
) -> std::io::Result<()> {
    let Some(request) = read_request(&mut conn).await? else { return Ok(()) };
    let fault = targeted(targets, &request).or(fault);
    let service = request.service();
    if let Some(f @ (Fault::Unavailable | Fault::Throttled)) = fault {
        counts.not_sent.fetch_add(1, Ordering::SeqCst);
        conn.write_all(&error_reply(&service, f == Fault::Throttled)).await?;
        return conn.shutdown().await;
    }
    let answer = forward(&request, upstream).await?;
    match fault {
        Some(f @ (Fault::LostAs503 | Fault::LostAsDrop)) => {
            counts.lost.fetch_add(1, Ordering::SeqCst);
            let call = format!("{service}:{}", request.action());
            *counts.lost_calls.lock().unwrap_or_else(|p| p.into_inner()).entry(call).or_default() += 1;
            if f == Fault::LostAs503 {
                conn.write_all(&error_reply(&service, false)).await?;
                conn.shutdown().await
            } else {
                // Dropped: the client sees its connection closed before any answer.
                drop(conn);
                Ok(())
            }
        }
        _ => {
            counts.passed.fetch_add(1, Ordering::SeqCst);
            conn.write_all(&answer).await?;
            conn.shutdown().await
        }
    }
}

struct Request {
    /// The head without its final blank line.
    head: String,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.split("\r\n").skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    /// The SigV4 signing name (`ec2`, `elasticloadbalancing`, `acm`, `route53`, `s3`, `sts`...)
    /// from `Authorization: AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/SERVICE/aws4_request`.
    fn service(&self) -> String {
        self.header("authorization")
            .and_then(|a| a.split("Credential=").nth(1))
            .and_then(|c| c.split('/').nth(3))
            .unwrap_or("unknown")
            .to_string()
    }

    /// The operation: `Action=` of a query call, the JSON target, else the method and path.
    fn action(&self) -> String {
        let body = String::from_utf8_lossy(&self.body);
        if let Some(a) = body.split('&').find_map(|p| p.strip_prefix("Action=")) {
            return a.to_string();
        }
        if let Some(t) = self.header("x-amz-target") {
            return t.rsplit('.').next().unwrap_or(t).to_string();
        }
        let line = self.head.lines().next().unwrap_or("");
        let mut parts = line.split_whitespace();
        let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        // Ids in REST paths (`/2013-04-01/hostedzone/Z123/rrset`) as `{id}`, so calls group.
        let path: Vec<&str> = path
            .split('?')
            .next()
            .unwrap_or(path)
            .split('/')
            .map(|seg| {
                if seg.len() > 8 && seg.chars().any(|c| c.is_ascii_digit()) && !seg.contains('-') {
                    "{id}"
                } else {
                    seg
                }
            })
            .collect();
        format!("{method} {}", path.join("/"))
    }
}

/// Reads one request (head and body, by content-length or chunked); `None` on an empty connection.
async fn read_request(conn: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16384];
    let head_end = loop {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end - 4]).to_string();
    let mut request = Request { head, body: Vec::new() };
    let chunked = request.header("transfer-encoding").is_some_and(|v| v.eq_ignore_ascii_case("chunked"));
    let length: usize = request.header("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
    loop {
        let body = &buf[head_end..];
        let complete = if chunked { body.ends_with(b"0\r\n\r\n") } else { body.len() >= length };
        if complete {
            break;
        }
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    request.body = buf[head_end..].to_vec();
    Ok(Some(request))
}

/// Sends the request to moto with `connection: close` and returns moto's whole answer.
async fn forward(request: &Request, upstream: &str) -> std::io::Result<Vec<u8>> {
    let mut lines: Vec<&str> =
        request.head.split("\r\n").filter(|l| !l.to_ascii_lowercase().starts_with("connection:")).collect();
    lines.push("connection: close");
    let mut out = lines.join("\r\n").into_bytes();
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(&request.body);
    let mut up = TcpStream::connect(upstream).await?;
    up.write_all(&out).await?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer).await?;
    Ok(answer)
}

/// A 503 ServiceUnavailable or a throttling error as `service` would send it.
fn error_reply(service: &str, throttled: bool) -> Vec<u8> {
    let (status, content_type, body) = match service {
        "ec2" => {
            let code = if throttled { "RequestLimitExceeded" } else { "Unavailable" };
            let body = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>{code}</Code><Message>Injected by the fault proxy.</Message></Error></Errors><RequestID>fault-proxy</RequestID></Response>"
            );
            (503, "text/xml", body)
        }
        "s3" => {
            let code = if throttled { "SlowDown" } else { "ServiceUnavailable" };
            let body = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>Injected by the fault proxy.</Message><RequestId>fault-proxy</RequestId></Error>"
            );
            (503, "application/xml", body)
        }
        "acm" | "ssm" | "route53domains" => {
            let (status, code) =
                if throttled { (400, "ThrottlingException") } else { (503, "ServiceUnavailableException") };
            (
                status,
                "application/x-amz-json-1.1",
                format!("{{\"__type\":\"{code}\",\"message\":\"Injected by the fault proxy.\"}}"),
            )
        }
        // The query services (ELBv2, STS) and the REST-XML ones (Route 53, CloudFront).
        _ => {
            let (status, kind, code) =
                if throttled { (400, "Sender", "Throttling") } else { (503, "Receiver", "ServiceUnavailable") };
            let body = format!(
                "<?xml version=\"1.0\"?>\n<ErrorResponse><Error><Type>{kind}</Type><Code>{code}</Code><Message>Injected by the fault proxy.</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>"
            );
            (status, "text/xml", body)
        }
    };
    let reason = if status == 503 { "Service Unavailable" } else { "Bad Request" };
    format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nx-amzn-requestid: fault-proxy\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
