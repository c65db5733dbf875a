//! Alert webhooks reach public addresses only (issue 19): the status settings refuse every
//! spelling of an internal address with a field message in English and Korean, and the sender
//! refuses again when it sends, whatever was stored, without a packet reaching the address.
//! The lab/test opt-in (`--allow-private-targets`) is what lets a loopback receiver through.

mod common;

use app::api::ssr::prelude::*;
use app::model::{ActionOutcome, StatusForm};
use common::{project, world};
use lockstep_server::net::webhook::{HttpWebhook, Reach};
use lockstep_server::ports::Webhook;
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;

fn form(webhook: &str) -> StatusForm {
    StatusForm {
        public: false,
        slug: "guarded-shop".into(),
        interval_minutes: "60".into(),
        webhook: Some(webhook.into()),
        clear_webhook: false,
    }
}

#[tokio::test]
async fn the_webhook_field_refuses_every_internal_address_however_it_is_written() {
    let w = world().await;
    let pid = project(&w).await;
    for url in [
        "https://localhost/",
        "https://[::1]/",
        "https://x@10.0.0.8/",
        "https://2852039166/",
        "https://[::ffff:127.0.0.1]/",
        "https://169.254.169.254./",
        // Plain http to loopback: not without the lab opt-in, not even in the sandbox.
        "http://127.0.0.1:9999/hook",
    ] {
        let out = w.service.save_status_settings(&w.me, &pid, form(url)).await.unwrap();
        let ActionOutcome::Invalid(problems) = out else { panic!("{url} was accepted") };
        let p = problems.iter().find(|p| p.field == "webhook").unwrap_or_else(|| panic!("{url}: {problems:?}"));
        let ko = p.ko.as_deref().unwrap_or_default();
        if url.starts_with("https") {
            assert!(p.message.contains("lockstep does not connect to private or internal addresses"), "{url}: {p:?}");
            assert!(ko.contains("사설 주소나 내부 주소에는 연결하지 않습니다"), "{url}: {p:?}");
        } else {
            assert!(p.message.contains("https://") && !ko.is_empty(), "{url}: {p:?}");
        }
    }
    let settings = w.service.status_settings(&w.me, &pid).await.unwrap();
    assert!(!settings.saved && settings.webhook_hint.is_none(), "nothing was saved");
    // A public webhook is taken (its name is not looked up successfully here, or is public).
    let ok = w.service.save_status_settings(&w.me, &pid, form("https://1.1.1.1/services/T/B/x")).await.unwrap();
    assert_eq!(ok, ActionOutcome::Done);
}

/// A listener on loopback that counts the connections it gets.
async fn counting_listener() -> (u16, Arc<Mutex<usize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(Mutex::new(0));
    let c = count.clone();
    tokio::spawn(async move {
        while let Ok((s, _)) = listener.accept().await {
            *c.lock().unwrap() += 1;
            drop(s);
        }
    });
    (port, count)
}

#[tokio::test]
async fn a_webhook_stored_earlier_is_refused_when_the_alert_is_sent() {
    // The sender does not trust what is stored: the URL may have been saved before the rule.
    let (port, connections) = counting_listener().await;
    let sender = HttpWebhook::new();
    let body = serde_json::json!({ "text": "HTTPS on api.example.com is failing" });
    for url in [
        format!("https://localhost:{port}/services/T/B/secret"),
        format!("https://127.0.0.1:{port}/services/T/B/secret"),
        format!("https://[::ffff:127.0.0.1]:{port}/services/T/B/secret"),
    ] {
        let e = sender.post(&url, &body).await.expect_err(&url);
        assert!(e.en.contains("lockstep does not connect to private or internal addresses"), "{url}: {e:?}");
        assert!(e.ko.contains("연결하지 않습니다") && !e.en.contains("secret"), "{url}: {e:?}");
    }
    // A name the system resolves to loopback (not spelled `localhost`): the resolver drops
    // the address, so nothing is connected to either. (This machine's own host name usually
    // is one; where it is not, that part is skipped.)
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default().trim().to_string();
    let loopback_only = match tokio::net::lookup_host((host.as_str(), port)).await {
        Ok(a) => {
            let a: Vec<_> = a.collect();
            !a.is_empty() && a.iter().all(|s| s.ip().is_loopback())
        }
        Err(_) => false,
    };
    if loopback_only && !host.contains('.') && !host.is_empty() {
        let e = sender.post(&format!("https://{host}:{port}/services/T/B/secret"), &body).await.expect_err(&host);
        assert!(e.en.contains(&format!("{host} is a loopback address")), "{e:?}");
    } else {
        eprintln!("skipped the resolver part: {host:?} does not resolve to loopback only here");
    }
    assert_eq!(*connections.lock().unwrap(), 0, "the sender connected to an internal address");

    // With the lab opt-in the same loopback receiver is reached (TLS then fails: not https).
    let lab = HttpWebhook::allow_private_targets(true);
    assert_eq!(lab.reach(), Reach { egress: lockstep_doctor::egress::Egress::AllowPrivate, plain_http_loopback: true });
    let e = lab.post(&format!("https://127.0.0.1:{port}/services/T/B/secret"), &body).await.expect_err("no TLS");
    assert!(!e.en.contains("private or internal"), "{e:?}");
    assert!(*connections.lock().unwrap() > 0);
}

#[test]
fn the_opt_in_is_read_from_the_flag_and_the_environment() {
    // `lockstep doctor` at a closed loopback port: refused by lockstep without the opt-in,
    // refused by the port (so: connected) with it. Port 1: nothing listens there.
    let run = |args: &[&str], env: Option<&str>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_lockstep"));
        cmd.args(["doctor", "http://127.0.0.1:1/", "--http-port", "1", "--https-port", "1", "--json"]).args(args);
        match env {
            Some(v) => cmd.env("LOCKSTEP_ALLOW_PRIVATE_TARGETS", v),
            None => cmd.env_remove("LOCKSTEP_ALLOW_PRIVATE_TARGETS"),
        };
        let o = cmd.output().unwrap();
        assert_ne!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let f = v["findings"].as_array().unwrap().iter().find(|f| f["check"] == "tcp.http").cloned().unwrap();
        f["code"].as_str().unwrap().to_string()
    };
    assert_eq!(run(&[], None), "blocked");
    assert_eq!(run(&[], Some("false")), "blocked");
    assert_eq!(run(&["--allow-private-targets"], None), "refused");
    assert_eq!(run(&[], Some("true")), "refused");
    assert_eq!(run(&[], Some("1")), "refused");
}
