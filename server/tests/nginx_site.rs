//! The nginx site lockstep writes for the free path passes the real `nginx -t`, for every
//! framework with its usual port and for other ports, and on a lab's `address:port`; a value
//! that would add a directive never gets into it; the install scripts are valid bash.

use lockstep_domain::contact::Email;
use lockstep_domain::nginx::{install_script, site_config, Listen, Os, SiteSpec};
use lockstep_domain::{DomainName, Framework};
use std::process::Command;

fn nginx() -> &'static str {
    ["/usr/sbin/nginx", "/usr/bin/nginx"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .expect("nginx is installed (scripts/setup.sh)")
}

fn nginx_t(site: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    std::fs::write(dir.path().join("site.conf"), site).unwrap();
    let conf = format!(
        "pid {d}/nginx.pid;\nerror_log {d}/error.log;\nevents {{}}\nhttp {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  include {d}/site.conf;\n}}\n"
    );
    std::fs::write(dir.path().join("nginx.conf"), conf).unwrap();
    let out = Command::new(nginx())
        .arg("-t")
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(dir.path().join("nginx.conf"))
        .output()
        .unwrap();
    (out.status.success(), String::from_utf8_lossy(&out.stderr).to_string())
}

#[test]
fn generated_sites_pass_nginx_t_for_every_framework_and_port() {
    let names =
        vec![DomainName::parse("api.team-capstone.com").unwrap(), DomainName::parse("54-180-1-2.sslip.io").unwrap()];
    let mut ports: Vec<u16> = Framework::ALL.iter().map(|f| f.default_port()).collect();
    ports.extend([5000, 8080, 65535]);
    for port in ports {
        let spec = SiteSpec::new(names.clone(), port, "capstone").unwrap();
        let (ok, err) = nginx_t(&site_config(&spec));
        assert!(ok, "port {port}: nginx -t failed:\n{err}");
    }
    for listen in ["127.0.20.1:18080", "[::1]:18080", "18080"] {
        let spec = SiteSpec::new(names.clone(), 8000, "lab").unwrap().with_listen(Listen::parse(listen).unwrap());
        let (ok, err) = nginx_t(&site_config(&spec));
        assert!(ok, "listen {listen}: nginx -t failed:\n{err}");
    }
    // The check can fail: a broken site is refused.
    let broken = site_config(&SiteSpec::new(names, 8000, "x").unwrap()).replace("proxy_pass", "proxy_passs");
    assert!(!nginx_t(&broken).0);
}

/// Issue 19: a `listen` value that would end its directive and add its own (here a location
/// that answers for the app) is refused before it reaches a site. Pasted in bare, nginx would
/// have taken it: only the check stands between such a value and the config.
#[test]
fn a_listen_value_cannot_add_directives() {
    let names = vec![DomainName::parse("api.team-capstone.com").unwrap()];
    let spec = SiteSpec::new(names, 8000, "capstone").unwrap();
    let sneaky = "80; location /admin { return 200 'open'; } #";
    let pasted = site_config(&spec).replacen("listen 80;", &format!("listen {sneaky};"), 1);
    let (ok, err) = nginx_t(&pasted);
    assert!(ok, "the bare value is valid nginx, so it must never get in:\n{err}\n{pasted}");
    for bad in [sneaky, "80; include /etc/passwd", "80\nserver_name x", "80 default_server", "$port", "{", "80}"] {
        let e = Listen::parse(bad).unwrap_err();
        assert!(e.en.contains("cannot go into the nginx configuration"), "{bad:?}: {}", e.en);
    }
}

#[test]
fn install_scripts_are_valid_bash() {
    let spec = SiteSpec::new(vec![DomainName::parse("api.team-capstone.com").unwrap()], 8000, "capstone").unwrap();
    let email = Email::parse("team@example.com").unwrap();
    for os in Os::ALL {
        for staging in [false, true] {
            let script = install_script(os, &spec, &email, staging);
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("install.sh");
            std::fs::write(&path, &script).unwrap();
            let out = Command::new("bash").arg("-n").arg(&path).output().unwrap();
            assert!(out.status.success(), "{os:?}: {}\n{script}", String::from_utf8_lossy(&out.stderr));
            // The heredoc carries the exact site.
            assert!(script.contains(&site_config(&spec)));
        }
    }
}
