//! Start-up against an AWS that fails transiently (issue 20): a tiny proxy in front of moto
//! answers `503 Service Unavailable` to the first N calls of one kind, then passes them on.
//! The start-up AWS work (seeding the sandbox's demo hosted zone, the demo instance, the
//! account id) must ride out a few such faults like a step's calls do, and after too many
//! say in plain words what failed and what to do, never SDK Debug text.

mod common;

use lockstep_server::Application;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A proxy to `upstream` that answers 503 to the first `faults` requests whose request line or
/// body contains `needle` (all of them with `usize::MAX`). Returns its endpoint and the count
/// of 503s sent.
async fn faulty_proxy(upstream: String, needle: &'static str, faults: usize) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let upstream = upstream.trim_start_matches("http://").to_string();
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    tokio::spawn(async move {
        loop {
            let Ok((conn, _)) = listener.accept().await else { return };
            let (upstream, counter) = (upstream.clone(), counter.clone());
            tokio::spawn(async move {
                let _ = serve_one(conn, &upstream, needle, faults, &counter).await;
            });
        }
    });
    (endpoint, sent)
}

/// One request per connection (`Connection: close` both ways keeps the proxy trivial).
async fn serve_one(
    mut conn: TcpStream,
    upstream: &str,
    needle: &str,
    faults: usize,
    sent: &AtomicUsize,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap_or(0)))
        .unwrap_or(0usize);
    while buf.len() < head_end + length {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let request_line = head.lines().next().unwrap_or("");
    let body = String::from_utf8_lossy(&buf[head_end..]);
    if (request_line.contains(needle) || body.contains(needle))
        && sent.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |s| (s < faults).then_some(s + 1)).is_ok()
    {
        let body = "<ErrorResponse><Error><Type>Receiver</Type><Code>ServiceUnavailable</Code><Message>Service Unavailable</Message></Error></ErrorResponse>";
        let reply = format!(
            "HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
        return conn.write_all(reply.as_bytes()).await;
    }
    // Pass it on, with the connection closed after the one answer.
    let mut lines: Vec<&str> =
        head[..head.len() - 4].split("\r\n").filter(|l| !l.to_ascii_lowercase().starts_with("connection:")).collect();
    lines.push("connection: close");
    let mut out = lines.join("\r\n").into_bytes();
    out.extend_from_slice(b"\r\n\r\n");
    out.extend_from_slice(&buf[head_end..]);
    let mut up = TcpStream::connect(upstream).await?;
    up.write_all(&out).await?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer).await?;
    conn.write_all(&answer).await?;
    conn.shutdown().await
}

/// Route 53's hosted-zone API: what seeding the sandbox calls.
const ZONES: &str = "/2013-04-01/hostedzone";
/// The first EC2 call making the demo instance.
const DEMO: &str = "Action=DescribeInstances";

/// Starts the server through a proxy failing the first `faults` calls matching `needle`.
async fn start(needle: &'static str, faults: usize) -> (anyhow::Result<Application>, usize, tempfile::TempDir) {
    let (endpoint, sent) = faulty_proxy(common::moto().endpoint.clone(), needle, faults).await;
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::serve_config(dir.path());
    config.sandbox_endpoint = Some(endpoint);
    let app = Application::build(config).await;
    (app, sent.load(Ordering::SeqCst), dir)
}

#[tokio::test]
async fn start_up_survives_two_transient_503s_while_seeding() {
    let (app, sent, _dir) = start(ZONES, 2).await;
    let app = app.map_err(|e| format!("{e:#}")).expect("start-up rides out two 503s");
    assert_eq!(sent, 2, "both faults were met");
    assert!(app.env.demo_instance.is_some(), "the demo instance is made after the faults");
}

/// More faults in a row than the SDK's own tries for one call (3): start-up tries again.
#[tokio::test]
async fn start_up_survives_more_503s_than_the_sdk_retries_alone() {
    let (app, sent, _dir) = start(ZONES, 5).await;
    app.map_err(|e| format!("{e:#}")).expect("start-up rides out five 503s");
    assert_eq!(sent, 5);
}

#[tokio::test]
async fn the_demo_instance_survives_transient_503s() {
    let (app, sent, _dir) = start(DEMO, 4).await;
    let app = app.map_err(|e| format!("{e:#}")).expect("start-up succeeds");
    assert_eq!(sent, 4);
    assert!(app.env.demo_instance.is_some(), "the demo instance is made after four 503s");
}

/// The demo instance is a convenience: when EC2 keeps failing the sandbox starts without it.
#[tokio::test]
async fn the_sandbox_starts_without_the_demo_instance_when_ec2_keeps_failing() {
    let (app, sent, _dir) = start(DEMO, usize::MAX).await;
    let app = app.map_err(|e| format!("{e:#}")).expect("start-up succeeds without the demo instance");
    // Bounded: at most 8 tries of the sequence (`DEMO_INSTANCE_RETRY`), each call at most 3 sends.
    assert!((4..=24).contains(&sent), "bounded retries: {sent}");
    assert!(app.env.demo_instance.is_none());
}

#[tokio::test]
async fn start_up_gives_a_plain_message_when_aws_keeps_failing() {
    let (app, tries, _dir) = start(ZONES, usize::MAX).await;
    let text = format!("{:#}", app.err().expect("start-up gives up"));
    assert!((4..=20).contains(&tries), "retried a bounded number of times, not once and not forever: {tries}");
    // What failed, why, what to do; in English and Korean; no SDK Debug text.
    assert!(text.contains("sandbox"), "{text}");
    assert!(text.contains("temporarily unavailable"), "{text}");
    assert!(text.contains("start lockstep again"), "{text}");
    assert!(text.contains("샌드박스"), "{text}");
    for debug in ["ServiceError", "SdkError", "raw:", "source:", "{ "] {
        assert!(!text.contains(debug), "no Debug text ({debug}): {text}");
    }
}
