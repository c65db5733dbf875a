//! lockstep's free path (its generated nginx site + its `certbot --nginx` command) against a
//! real nginx, certbot and ACME CA (pebble), and what lockstep says when it breaks, on
//! loopback, with the HTTPS lab (`lab/lab.sh`, reused through `LOCKSTEP_LAB_DIR`): this
//! test's own nginx on 127.0.20.1 (the lab's ports 18080/18443, because pebble's httpPort is
//! 18080) serves `site_config`; certbot gets a real certificate through it (HTTP-01); the
//! doctor passes; then port 80 closed, an nginx typo, a name not in DNS, a name caught by
//! another server block, proxy_pass to a closed port and a failing health path, each with
//! lockstep's diagnosis. certbot runs `certonly` here: its installer would write
//! `listen 18443 ssl` on every address (taken by the lab's nginx) and adds the redirect only
//! to port-80 server blocks (both seen in the lab), so the test writes the HTTPS server and
//! the redirect the way certbot writes them on an instance ([`with_tls`]).
//! The same path in a network namespace, with certbot's own install: instance_https_netns.rs.
//!
//! Every process a test starts is stopped by its PID when the test ends, also on failure.

mod common;

use common::nginx_lab::*;
use lockstep_doctor::doctor::Verdict;
use lockstep_doctor::lab::Lab;
use lockstep_domain::nginx::{site_config, SiteSpec};
use std::process::Command;
use std::time::Instant;
#[test]
fn free_path_on_loopback_certbot_pebble_doctor_and_what_breaks() {
    let t_all = Instant::now();
    let lab = Lab::start().expect("the HTTPS lab (lab/lab.sh; packages from scripts/setup.sh)");
    let zone_ok = dig(&lab, FREE) == IP && dig(&lab, CLOSED) == "127.0.21.1" && dig(&lab, STRAY) == IP;
    assert!(
        zone_ok,
        "the lab's DNS ({}) has no {FREE}/{CLOSED}/{STRAY}: the lab in {} was started by an older lab/lab.sh; restart it",
        lab.var("LAB_DNS"),
        lab.dir.display()
    );
    let backend: u16 = lab.var("LAB_BACKEND").rsplit(':').next().unwrap().parse().unwrap();
    let closed_port: u16 = lab.var("LAB_CLOSED_PORT").parse().unwrap();
    let http_listen = format!("{IP}:{}", lab.http_port());
    let https_listen = format!("{IP}:{}", lab.https_port());

    // lockstep's site, as it is before certbot: plain HTTP in front of the app.
    let spec = loopback_spec(&[FREE], backend, &http_listen);
    let site = site_config(&spec);
    let mut nginx = OwnNginx::start(&[(spec.file_stem(), site.clone())]);
    let r = http_get(&http_listen, FREE, "/health").unwrap_or_default();
    assert!(r.starts_with("HTTP/1.1 200") && r.trim_end().ends_with("ok"), "lockstep's site proxies to the app: {r}");

    // The real certificate: lockstep's certbot command, HTTP-01 through this nginx.
    let t0 = Instant::now();
    let ok = certbot_loopback(&lab, &nginx, &spec);
    assert!(ok.status.success(), "certbot failed:\n{:?}", text(&ok));
    let issue_secs = t0.elapsed().as_secs_f64();
    let live = nginx.path().join("certbot/config/live").join(FREE);
    assert!(live.join("fullchain.pem").exists());

    // HTTPS + redirect as certbot --nginx --redirect writes them; the doctor passes.
    let tls_site =
        |spec: &SiteSpec| (spec.file_stem().to_string(), with_tls(&site_config(spec), spec, &https_listen, &live));
    let (stem, conf) = tls_site(&spec);
    nginx.set_sites(&[(&stem, conf)]);
    let report = doctor_check(&lab, FREE, "/health", backend);
    assert_finding(&report, "dns.address", "ok", Verdict::Pass);
    assert_finding(&report, "tls.handshake", "ok", Verdict::Pass);
    assert_eq!(
        finding(&report, "tls.certificate").verdict,
        Verdict::Pass,
        "{}",
        finding(&report, "tls.certificate").title
    );
    assert_eq!(finding(&report, "tls.expiry").verdict, Verdict::Pass);
    let redirect = assert_finding(&report, "http.redirect", "ok", Verdict::Pass);
    assert!(redirect.contains(&format!("https://{FREE}:18443/")), "{redirect}");
    assert_finding(&report, "http.health", "ok", Verdict::Pass);
    assert_eq!(report.exit_code(), 0, "{}", serde_json::to_string_pretty(&report).unwrap());

    // (a) Port 80 closed during certbot: the name's address has nothing on the HTTP port.
    let closed = loopback_spec(&[CLOSED], backend, &http_listen);
    nginx.set_sites(&[("lockstep-closed", site_config(&closed))]);
    let out = certbot_loopback(&lab, &nginx, &closed);
    assert!(!out.status.success());
    let e = explain(&out, &closed);
    assert_eq!(e.what, format!("Let's Encrypt could not connect to port 80 of {CLOSED}."));
    assert!(e.why.contains("connection refused") && e.fix.contains("port 80 on the security group"), "{e:?}");
    assert!(e.fix.contains("nginx is running"), "{e:?}");
    // The doctor sees the same from outside.
    let r = doctor_check(&lab, CLOSED, "/health", backend);
    assert_finding(&r, "tcp.http", "refused", Verdict::Warn);
    assert_finding(&r, "tcp.https", "refused", Verdict::Fail);

    // A name that is not in DNS.
    let missing = loopback_spec(&[MISSING], backend, &http_listen);
    nginx.set_sites(&[("lockstep-missing", site_config(&missing))]);
    let out = certbot_loopback(&lab, &nginx, &missing);
    assert!(!out.status.success());
    let e = explain(&out, &missing);
    assert_eq!(e.what, format!("Let's Encrypt could not find {MISSING} in DNS."));
    assert!(e.fix.contains(&format!("A record {MISSING} -> the instance's public IP")), "{e:?}");

    // Another server block answers for the name (lockstep's site for free is the default one
    // on the address the name points to): 404 on the challenge.
    let stray = loopback_spec(&[STRAY], backend, STRAY_LISTEN);
    nginx.set_sites(&[(spec.file_stem(), site.clone()), ("lockstep-stray", site_config(&stray))]);
    let out = certbot_loopback(&lab, &nginx, &stray);
    assert!(!out.status.success());
    let e = explain(&out, &stray);
    assert!(e.what.contains("got 404 Not Found for the challenge file"), "{e:?}");
    assert!(e.why.contains("another server block answered"), "{e:?}");

    // (b) A typo in the site: `nginx -t` fails, and certbot refuses to start.
    let typo = site.replace("proxy_http_version 1.1;", "proxy_http_versoin 1.1;");
    assert_ne!(typo, site);
    write_sites(nginx.path(), &[(spec.file_stem(), typo)]);
    let site_file = nginx.path().join("conf.d").join(format!("{}.conf", spec.file_stem()));
    let typo_line = site.lines().position(|l| l.contains("proxy_http_version")).unwrap() + 1;
    let o = Command::new(nginx_bin()).arg("-c").arg(nginx.path().join("nginx.conf")).arg("-t").output().unwrap();
    assert!(!o.status.success());
    let e = explain(&o, &spec);
    let at_line = format!("{} line {typo_line}", site_file.display());
    assert!(e.what.starts_with("nginx refuses its configuration") && e.what.contains(&at_line), "{e:?}");
    assert!(e.why.contains("[emerg] unknown directive \"proxy_http_versoin\""), "{e:?}");
    assert!(e.why.contains(&format!("{}:{typo_line}", site_file.display())), "{e:?}");
    let out = certbot_loopback(&lab, &nginx, &spec);
    assert!(!out.status.success());
    assert!(text(&out).1.contains("Error while running"), "{:?}", text(&out));
    let e = explain(&out, &spec);
    assert!(e.what.contains("certbot stopped before asking for a certificate") && e.what.contains(&at_line), "{e:?}");
    assert!(e.why.contains("unknown directive \"proxy_http_versoin\""), "{e:?}");

    // (c) proxy_pass to a port where nothing listens: 502, the app port named.
    let dead = loopback_spec(&[FREE], closed_port, &http_listen);
    let (stem, conf) = tls_site(&dead);
    nginx.set_sites(&[(&stem, conf)]);
    let r = doctor_check(&lab, FREE, "/health", closed_port);
    let title = assert_finding(&r, "http.health", "bad_gateway", Verdict::Fail);
    assert!(title.contains(&format!("cannot reach your app on port {closed_port}")), "{title}");
    assert_finding(&r, "tls.handshake", "ok", Verdict::Pass);

    // (d) The app's health path answers 500.
    let (stem, conf) = tls_site(&spec);
    nginx.set_sites(&[(&stem, conf)]);
    let r = doctor_check(&lab, FREE, "/health500", backend);
    let title = assert_finding(&r, "http.health", "server_error", Verdict::Fail);
    assert!(title.contains("answers 500 on /health500"), "{title}");
    assert!(finding(&r, "http.health").fix.as_deref().unwrap_or("").contains("app's own log"));
    assert_finding(&r, "http.redirect", "ok", Verdict::Pass);

    drop(nginx);
    eprintln!(
        "free path on loopback: certificate in {issue_secs:.1} s, whole test {:.1} s",
        t_all.elapsed().as_secs_f64()
    );
}
