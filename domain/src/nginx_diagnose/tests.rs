use super::*;

// Captured from the lab (server/tests/instance_https_lab.rs set-up: lockstep's site, nginx 1.22,
// certbot 2.1, pebble): stdout and stderr exactly as certbot / nginx / bash printed them.
const REFUSED_OUT: &str = include_str!("../../testdata/script-failures/pebble-port80-refused.stdout");
const REFUSED_ERR: &str = include_str!("../../testdata/script-failures/pebble-port80-refused.stderr");
const NXDOMAIN_OUT: &str = include_str!("../../testdata/script-failures/pebble-nxdomain.stdout");
const NXDOMAIN_ERR: &str = include_str!("../../testdata/script-failures/pebble-nxdomain.stderr");
const NOTFOUND_OUT: &str = include_str!("../../testdata/script-failures/pebble-404.stdout");
const NOTFOUND_ERR: &str = include_str!("../../testdata/script-failures/pebble-404.stderr");
const CERTBOT_NGINX_T: &str = include_str!("../../testdata/script-failures/certbot-nginx-t.stderr");
const NGINX_T: &str = include_str!("../../testdata/script-failures/nginx-t.stderr");
const BASH_NO_CERTBOT: &str = include_str!("../../testdata/script-failures/bash-certbot-missing.stderr");

// Let's Encrypt's own wording (Boulder), which pebble does not produce: from certbot runs
// against production as posted publicly (addresses and tokens replaced).
const LE_TIMEOUT: &str = "Certbot failed to authenticate some domains (authenticator: nginx). The Certificate Authority reported these problems:\n  Domain: api.team.example.com\n  Type:   connection\n  Detail: 203.0.113.10: Fetching http://api.team.example.com/.well-known/acme-challenge/Xb3k: Timeout during connect (likely firewall problem)\n\nHint: The Certificate Authority failed to verify the temporary nginx configuration changes made by Certbot. Ensure the listed domains point to this nginx server and that it is accessible from the internet.\n";
const LE_NXDOMAIN: &str = "Certbot failed to authenticate some domains (authenticator: nginx). The Certificate Authority reported these problems:\n  Domain: api.team.example.com\n  Type:   dns\n  Detail: DNS problem: NXDOMAIN looking up A for api.team.example.com - check that a DNS record exists for this domain; DNS problem: NXDOMAIN looking up AAAA for api.team.example.com - check that a DNS record exists for this domain\n";
const LE_NO_A: &str = "  Domain: api.team.example.com\n  Type:   None\n  Detail: no valid A records found for api.team.example.com; no valid AAAA records found for api.team.example.com\n";
const LE_RATE: &str = "An unexpected error occurred:\nError creating new order :: too many certificates (5) already issued for this exact set of domains in the last 168h0m0s, retry after 2026-01-03T10:12:13Z: see https://letsencrypt.org/docs/rate-limits/#new-certificates-per-exact-set-of-hostnames\nAsk for help or search for solutions at https://community.letsencrypt.org. See the logfile /var/log/letsencrypt/letsencrypt.log or re-run Certbot with -v for more details.\n";
const LE_RATE_URN: &str = "acme.messages.Error: urn:ietf:params:acme:error:rateLimited :: There were too many requests of a given type :: too many failed authorizations recently: see https://letsencrypt.org/docs/failed-validation-limit/\n";
const LE_404: &str = "  Domain: api.team.example.com\n  Type:   unauthorized\n  Detail: 203.0.113.10: Invalid response from http://api.team.example.com/.well-known/acme-challenge/Xb3k: 404\n";
const UBUNTU_NGINX_T: &str = "nginx: [emerg] unknown directive \"proxy_passs\" in /etc/nginx/conf.d/lockstep-shop.conf:12\nnginx: configuration file /etc/nginx/nginx.conf test failed\n";
const SUDO_NO_CERTBOT: &str = "sudo: certbot: command not found\n";
const BIND_80: &str = "nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)\n";
const SYSTEMD: &str = "Job for nginx.service failed because the control process exited with error code.\nSee \"systemctl status nginx.service\" and \"journalctl -xeu nginx.service\" for details.\n";

const NAME: &str = "api.team.example.com";

fn explain(out: &str, err: &str, code: i32) -> UserError {
    explain_script_failure(out, err, code, 8000, NAME)
}

fn all(e: &UserError) -> String {
    format!("{} {} {}", e.what, e.why, e.fix)
}

#[test]
fn port_80_refused_or_timing_out_means_security_group_and_nginx() {
    for (out, err) in [(REFUSED_OUT, REFUSED_ERR), (LE_TIMEOUT, "Some challenges have failed.\n")] {
        let e = explain(out, err, 1);
        assert!(e.what.contains("could not connect to port 80"), "{e:?}");
        assert!(e.fix.contains("port 80 on the security group") && e.fix.contains("nginx is running"), "{e:?}");
        assert!(e.why.contains("/.well-known/acme-challenge/"), "{e:?}");
    }
    // The CA's own detail is quoted.
    assert!(explain(REFUSED_OUT, REFUSED_ERR, 1).why.contains("connect: connection refused"));
    assert!(explain(LE_TIMEOUT, "", 1).why.contains("Timeout during connect (likely firewall problem)"));
}

#[test]
fn dns_problems_say_the_name_does_not_resolve() {
    for out in [NXDOMAIN_OUT, LE_NXDOMAIN, LE_NO_A] {
        let e = explain(out, NXDOMAIN_ERR, 1);
        assert!(e.what.contains("could not find api.team.example.com in DNS"), "{out}\n{e:?}");
        assert!(e.fix.contains("A record api.team.example.com -> the instance's public IP"), "{e:?}");
    }
    // pebble says "could not resolve URL" with Type connection: still DNS, not port 80.
    assert!(explain(NXDOMAIN_OUT, NXDOMAIN_ERR, 1).why.contains("could not resolve URL"));
    assert!(explain(LE_NO_A, "", 1).why.contains("no valid A records"));
}

#[test]
fn nginx_config_errors_quote_the_emerg_line_and_the_file() {
    let e = explain("", NGINX_T, 1);
    assert!(e.what.contains("nginx refuses its configuration in /tmp/fp/conf.d/lockstep-free.conf line 7"), "{e:?}");
    assert!(
        e.why.contains("[emerg] unknown directive \"proxy_http_versoin\" in /tmp/fp/conf.d/lockstep-free.conf:7"),
        "{e:?}"
    );
    assert!(!e.why.contains("#"), "nginx's pid prefix is dropped: {e:?}");
    assert!(e.fix.contains("sudo nginx -t"));

    let e = explain("", CERTBOT_NGINX_T, 1);
    assert!(e.what.contains("certbot stopped before asking for a certificate"), "{e:?}");
    assert!(e.why.contains("unknown directive \"proxy_http_versoin\""), "{e:?}");

    let e = explain("", UBUNTU_NGINX_T, 1);
    assert!(e.what.contains("/etc/nginx/conf.d/lockstep-shop.conf line 12"), "{e:?}");
    assert!(e.why.contains("[emerg] unknown directive \"proxy_passs\""), "{e:?}");

    // certbot's message without the emerg line still points at nginx -t.
    let e = explain("", "Error while running nginx -c /etc/nginx/nginx.conf -t.\n\nThe nginx plugin is not working; there may be problems with your existing configuration.\n", 1);
    assert!(e.what.contains("`nginx -t` fails"), "{e:?}");
}

#[test]
fn rate_limits_say_staging_and_wait() {
    let e = explain("", LE_RATE, 1);
    assert!(e.what.contains("duplicate certificate limit"), "{e:?}");
    assert!(e.fix.contains("--staging") && e.fix.contains("until 2026-01-03T10:12:13Z"), "{e:?}");
    assert!(e.why.contains("too many certificates (5)"), "{e:?}");
    let e = explain("", LE_RATE_URN, 1);
    assert!(
        e.what.contains("failed validation limit") && e.fix.contains("--staging") && e.fix.contains("Wait"),
        "{e:?}"
    );
}

#[test]
fn a_404_on_the_challenge_means_another_server_block_answered() {
    for (out, err) in [(NOTFOUND_OUT, NOTFOUND_ERR), (LE_404, "")] {
        let e = explain(out, err, 1);
        assert!(e.what.contains("got 404 Not Found for the challenge file"), "{e:?}");
        assert!(e.why.contains("another server block answered") && e.why.contains("server_name"), "{e:?}");
        assert!(e.fix.contains("server_name api.team.example.com;"), "{e:?}");
    }
    assert!(explain(NOTFOUND_OUT, NOTFOUND_ERR, 1).why.contains("returned 404"));
}

#[test]
fn certbot_missing() {
    for err in [BASH_NO_CERTBOT, SUDO_NO_CERTBOT] {
        let e = explain("", err, 127);
        assert_eq!(e.what, "certbot is not installed on the instance.", "{err}");
        assert!(e.why.contains("certbot: command not found") && e.fix.contains("apt-get install"), "{e:?}");
    }
    let e = explain("", "sudo: nginx: command not found\n", 1);
    assert_eq!(e.what, "nginx is not installed on the instance.");
}

#[test]
fn port_80_taken_names_the_app_when_it_is_the_app() {
    let e = explain_script_failure("", BIND_80, 1, 8000, NAME);
    assert!(e.what.contains("port 80 is already used"), "{e:?}");
    assert!(!e.why.contains("Your app"), "{e:?}");
    let e = explain_script_failure("", BIND_80, 1, 80, NAME);
    assert!(e.why.contains("Your app is set to listen on port 80"), "{e:?}");
    let e = explain_script_failure("", SYSTEMD, 1, 80, NAME);
    assert!(e.what == "nginx did not start." && e.fix.contains("journalctl -u nginx"), "{e:?}");
    assert!(e.why.contains("Your app listens on port 80"), "{e:?}");
}

#[test]
fn anything_else_quotes_the_last_meaningful_lines() {
    let err = "E: Unable to locate package certbot-nginx\nE: Couldn't find any package by glob 'certbot-nginx'\n\n";
    let e = explain("Reading package lists...\n", err, 100);
    assert!(e.what.contains("exit code 100"), "{e:?}");
    assert!(e.why.contains("Unable to locate package certbot-nginx / E: Couldn't find any package"), "{e:?}");
    // Noise lines are skipped.
    let e = explain("", "Saving debug log to /var/log/letsencrypt/letsencrypt.log\nsomething odd\nAsk for help or search for solutions at https://community.letsencrypt.org.\n", 1);
    assert_eq!(e.why, "Its last words: something odd");
    assert!(all(&explain("", "", 2)).contains("(no output)"));
    // apt that cannot reach its mirror is not Let's Encrypt failing to reach the instance.
    let apt = "Err:1 http://archive.ubuntu.com/ubuntu noble InRelease\n  Could not connect to archive.ubuntu.com:80 (185.125.190.36), connection refused\nErr:2 http://security.ubuntu.com/ubuntu noble-security InRelease\n  Could not resolve 'security.ubuntu.com'\nE: Unable to fetch some archives\n";
    let e = explain("", apt, 100);
    assert!(e.what.contains("exit code 100") && e.why.contains("Unable to fetch some archives"), "{e:?}");
}
