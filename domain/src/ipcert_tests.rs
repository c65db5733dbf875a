use super::*;
use std::path::Path;
use std::process::Command;

const IP: Ipv4Addr = Ipv4Addr::new(54, 180, 1, 2);

fn email(s: &str) -> Email {
    Email::parse(s).unwrap()
}

/// Runs `script` with bash, `sudo` a function that records each call's argv (NUL-separated, a
/// `\x01` field after each call) and the text it reads (what `tee` writes, each after a
/// `--- <argv>` line); returns the calls and that text.
fn run_with_fake_sudo(dir: &Path, script: &str) -> (Vec<Vec<String>>, String) {
    let q = |f: &str| quote(&dir.join(f).display().to_string());
    let prelude = format!(
        "sudo() {{ printf '%s\\0' \"$@\" >>{calls}; printf '\\001\\0' >>{calls}; if [ \"$1\" = tee ]; then echo \"--- $*\" >>{stdin}; cat >>{stdin}; fi; }}\n",
        calls = q("calls"),
        stdin = q("stdin"),
    );
    // The script's own `certbot --version` check finds no certbot here: the install branch runs.
    let path = dir.join("install.sh");
    std::fs::write(&path, format!("{prelude}{script}")).unwrap();
    let syntax = Command::new("bash").arg("-n").arg(&path).output().expect("bash runs");
    assert!(syntax.status.success(), "bash -n: {}", String::from_utf8_lossy(&syntax.stderr));
    let run = Command::new("bash").arg(&path).current_dir(dir).output().expect("bash runs");
    assert!(run.status.success(), "{}\n{script}", String::from_utf8_lossy(&run.stderr));
    let text = std::fs::read_to_string(dir.join("calls")).unwrap_or_default();
    let mut calls = vec![Vec::new()];
    for field in text.split('\0') {
        match field {
            "\u{1}" => calls.push(Vec::new()),
            f => calls.last_mut().unwrap().push(f.to_string()),
        }
    }
    calls.retain(|c| !c.is_empty() && c != &[String::new()]);
    (calls, std::fs::read_to_string(dir.join("stdin")).unwrap_or_default())
}

fn scratch(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("lockstep-ipcert-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn words(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn the_site_answers_the_challenge_first_then_serves_https_with_the_ip_certificate() {
    let s = IpSite::new(IP, 8000);
    let plain = ip_site_config(&s, false);
    for needle in [
        "listen 80;",
        "listen [::]:80;",
        "server_name 54.180.1.2;",
        "location /.well-known/acme-challenge/ {\n        root /var/www/lockstep-acme;",
        "proxy_pass http://127.0.0.1:8000;",
    ] {
        assert!(plain.contains(needle), "{needle}:\n{plain}");
    }
    assert!(!plain.contains("ssl"), "no TLS before the certificate exists:\n{plain}");
    let tls = ip_site_config(&s, true);
    for needle in [
        "return 301 https://$host$request_uri;",
        "listen 443 ssl;",
        "listen [::]:443 ssl;",
        "ssl_certificate /etc/letsencrypt/live/lockstep-ip/fullchain.pem;",
        "ssl_certificate_key /etc/letsencrypt/live/lockstep-ip/privkey.pem;",
        "X-Forwarded-Proto $scheme;",
    ] {
        assert!(tls.contains(needle), "{needle}:\n{tls}");
    }
    // The challenge stays answered on port 80 for renewals.
    assert!(tls.contains("root /var/www/lockstep-acme;"));
    assert_eq!(s.api_url(), "https://54.180.1.2");
    // A lab: its own addresses, the port in the redirect and the URL.
    let lab = IpSite::new(Ipv4Addr::new(127, 0, 30, 1), 18000)
        .with_listen(Listen::parse("127.0.30.1:18080").unwrap(), Listen::parse("127.0.30.1:30443").unwrap());
    let tls = ip_site_config(&lab, true);
    assert!(tls.contains("listen 127.0.30.1:30443 ssl;") && !tls.contains("[::]"), "{tls}");
    assert!(tls.contains("return 301 https://$host:30443$request_uri;"), "{tls}");
    assert_eq!(lab.api_url(), "https://127.0.30.1:30443");
    assert!(lab.clone().with_paths("/x/certbot", "/tmp/a;b", "/tmp/w", "true").is_err());
    assert!(lab.with_paths("/x/certbot", "/tmp/l", "/tmp/w", "true").is_ok());
}

/// The script as lockstep builds it parses with bash, installs the pinned certbot per OS, asks
/// for the IP certificate with the short-lived profile, writes both sites and the timer.
#[test]
fn the_script_installs_certbot_5_asks_for_the_ip_with_the_short_lived_profile_and_a_timer() {
    let dir = scratch("script");
    let s = IpSite::new(IP, 3000);
    for os in Os::ALL {
        for staging in [false, true] {
            let (calls, written) =
                run_with_fake_sudo(&dir, &ip_install_script(os, &s, &email("kim+team@snu.ac.kr"), staging));
            let python = if os == Os::AmazonLinux2023 { "python3.11" } else { "python3" };
            assert!(calls.contains(&words(&[python, "-m", "venv", "/opt/certbot"])), "{os:?}: {calls:?}");
            assert!(
                calls.contains(&words(&["/opt/certbot/bin/pip", "install", "--quiet", "certbot==5.8.0"])),
                "{calls:?}"
            );
            let mut want = words(&[
                "/opt/certbot/bin/certbot",
                "certonly",
                "--webroot",
                "-w",
                "/var/www/lockstep-acme",
                "--ip-address",
                "54.180.1.2",
                "--preferred-profile",
                "shortlived",
                "--cert-name",
                "lockstep-ip",
                "-m",
                "kim+team@snu.ac.kr",
                "--agree-tos",
                "--no-eff-email",
                "-n",
            ]);
            if staging {
                want.push("--staging".into());
            }
            want.extend(words(&["--deploy-hook", "systemctl reload nginx"]));
            assert!(calls.contains(&want), "{calls:?}");
            let order: Vec<usize> = [
                words(&["tee", "/etc/nginx/conf.d/lockstep-ip.conf"]),
                want.clone(),
                words(&["systemctl", "reload", "nginx"]),
                words(&["systemctl", "enable", "--now", "lockstep-certbot-renew.timer"]),
            ]
            .iter()
            .map(|c| calls.iter().position(|x| x == c).unwrap_or_else(|| panic!("{c:?} in {calls:?}")))
            .collect();
            assert!(order.windows(2).all(|p| p[0] < p[1]), "{calls:?}");
            assert_eq!(
                calls.last().unwrap(),
                &words(&["/opt/certbot/bin/certbot", "renew", "--dry-run", "--cert-name", "lockstep-ip"])
            );
            // What tee wrote: the plain site, then the TLS site, then the units.
            assert!(written.contains(&ip_site_config(&s, false)) && written.contains(&ip_site_config(&s, true)));
            assert!(
                written.contains("OnCalendar=*-*-* 00/6:00:00")
                    && written.contains("ExecStart=/opt/certbot/bin/certbot renew -q")
            );
            std::fs::remove_file(dir.join("calls")).ok();
            std::fs::remove_file(dir.join("stdin")).ok();
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A hostile e-mail (past the parser, straight to the line) stays one argument and runs nothing.
#[test]
fn a_hostile_email_stays_one_argument() {
    let dir = scratch("hostile");
    let canary = dir.join("canary");
    let c = canary.display().to_string();
    for value in [format!("$(touch {c})"), format!("x'; touch {c}; echo '"), format!("a\ntouch {c}")] {
        let s = IpSite::new(IP, 3000);
        let (calls, _) = run_with_fake_sudo(&dir, &ip_script_text(Os::Ubuntu, &s, &ip_certbot_line(&s, &value, false)));
        assert!(!canary.exists(), "{value:?} ran");
        assert!(calls.iter().any(|c| c.windows(2).any(|w| w[0] == "-m" && w[1] == value)), "{calls:?}");
        std::fs::remove_file(dir.join("calls")).ok();
        std::fs::remove_file(dir.join("stdin")).ok();
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_ip_choice_needs_a_public_elastic_ip_and_says_why_in_both_languages() {
    assert_eq!(ip_choice_refusal(IP, Some(true)), None);
    let e = ip_choice_refusal(IP, Some(false)).expect("refused");
    assert!(e.what.contains("not an Elastic IP") && e.why.contains("stopped and started"), "{e:?}");
    assert!(e.fix.contains("Allocate Elastic IP address"), "{e:?}");
    assert!(e.ko.as_ref().unwrap().what.contains("탄력적 IP가 아니"), "{e:?}");
    let e = ip_choice_refusal(IP, None).expect("refused when unknown");
    assert!(e.what.contains("could not tell") && e.ko.is_some(), "{e:?}");
    for private in [Ipv4Addr::new(10, 0, 0, 5), Ipv4Addr::new(127, 0, 30, 1), Ipv4Addr::new(169, 254, 169, 254)] {
        let e = ip_choice_refusal(private, Some(true)).expect("refused");
        assert!(e.what.contains("not a public IP address") && e.ko.is_some(), "{e:?}");
    }
}

#[test]
fn the_trade_off_is_said_in_plain_words() {
    let m = ip_choice_explained("54.180.1.2");
    for p in ["about 6 days, not 90", "renewal must keep running", "Elastic IP", "https://54.180.1.2", "ACM"] {
        assert!(m.en.contains(p), "{p}: {}", m.en);
    }
    for p in ["약 6일", "갱신", "탄력적 IP", "https://54.180.1.2"] {
        assert!(m.ko.contains(p), "{p}: {}", m.ko);
    }
}
