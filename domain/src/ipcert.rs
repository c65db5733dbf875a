//! The free path's third way, with no domain at all: HTTPS on the instance's own public IP
//! address, with a certificate for the IP from Let's Encrypt (issue 24).
//!
//! Let's Encrypt issues IP-address certificates since January 2026, only with its `shortlived`
//! profile (about 6 days of validity) and only through HTTP-01 or TLS-ALPN-01. certbot supports
//! them from 5.3 (`--ip-address`, `--preferred-profile`); the distributions' certbot is older, so
//! the script installs a pinned certbot from the Python package index in its own venv
//! ([`CERTBOT_DIR`]) on both Amazon Linux 2023 and Ubuntu.
//!
//! The certificate is obtained with the webroot authenticator: certbot's nginx plugin finds its
//! server block by name, and an IP has none; webroot only needs nginx to serve
//! `/.well-known/acme-challenge/` from a directory, which lockstep's site does. lockstep writes
//! the HTTPS server itself (the same text a lab test serves with a real nginx, certbot and ACME
//! CA: `server/tests/ip_cert_lab.rs`).
//!
//! Renewal: certbot renews a certificate shorter than 10 days at half its lifetime (day 3 of 6),
//! or earlier when the CA's ACME Renewal Information (ARI) says so: certbot 5.x asks for ARI by
//! itself whenever the CA offers it (Let's Encrypt does), nothing to configure. The script
//! installs a systemd timer that runs `certbot renew` every [`RENEW_EVERY_HOURS`] hours: that is
//! 12 tries in the 3 days between "due" and "expired" (a CA outage of a day costs nothing), and
//! an ARI window (often a few hours wide) is not missed. The deploy hook reloads nginx so the
//! new certificate is served at once.
//!
//! Everything typed reaches the script quoted ([`crate::shell::quote`]); the IP is an
//! [`Ipv4Addr`], so it has no characters nginx or the shell would read.

use crate::contact::Email;
use crate::nginx::{heredoc_end, nginx_token, Listen, Os, CLIENT_MAX_BODY};
use crate::run::{ko, UserError};
use crate::shell::quote;
use crate::text::{msg, Message};
use std::net::Ipv4Addr;

/// certbot from the Python package index: the first with IP certificates is 5.3.
pub const CERTBOT_VERSION: &str = "5.8.0";
/// certbot's venv on the instance.
pub const CERTBOT_DIR: &str = "/opt/certbot";
/// certbot's name for the certificate (`/etc/letsencrypt/live/lockstep-ip/`).
pub const CERT_NAME: &str = "lockstep-ip";
/// Where nginx serves the HTTP-01 challenge files from.
pub const WEBROOT: &str = "/var/www/lockstep-acme";
/// How often the renewal timer runs `certbot renew` (module docs: why 6).
pub const RENEW_EVERY_HOURS: u32 = 6;
/// The `provider` value the domain step sends for this choice (beside `nip.io` / `sslip.io`).
pub const INSTANCE_IP: &str = "ip";
/// The systemd units the script installs.
pub const TIMER_UNIT: &str = "lockstep-certbot-renew";

/// The site, the certbot command and the renewal for one IP. Built by [`IpSite::new`]; every
/// value that reaches nginx is an [`Ipv4Addr`], a checked [`Listen`] or a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpSite {
    ip: Ipv4Addr,
    app_port: u16,
    http: Listen,
    https: Listen,
    /// certbot's program, config directory's `live/<name>`, the webroot and the reload command:
    /// the instance's by default, a lab's own under a temp dir.
    certbot: String,
    live: String,
    webroot: String,
    reload: String,
}

impl IpSite {
    /// The site for `ip` in front of the app on `app_port`, on ports 80 and 443.
    pub fn new(ip: Ipv4Addr, app_port: u16) -> IpSite {
        IpSite {
            ip,
            app_port,
            http: Listen::port(80),
            https: Listen::port(443),
            certbot: format!("{CERTBOT_DIR}/bin/certbot"),
            live: format!("/etc/letsencrypt/live/{CERT_NAME}"),
            webroot: WEBROOT.into(),
            reload: "systemctl reload nginx".into(),
        }
    }
    /// The same site on other `listen` values (a lab on loopback).
    pub fn with_listen(self, http: Listen, https: Listen) -> IpSite {
        IpSite { http, https, ..self }
    }
    /// A lab's own certbot, certificate directory, webroot and reload command. The paths go
    /// into nginx's config: refused unless each is an [`nginx_token`] made of path characters.
    pub fn with_paths(self, certbot: &str, live: &str, webroot: &str, reload: &str) -> Result<IpSite, Message> {
        for p in [live, webroot] {
            if p.contains(':') || p.contains('[') {
                return Err(msg(format!("{p} is not a plain path."), format!("{p}은(는) 일반 경로가 아닙니다.")));
            }
            nginx_token(&p.replace('/', "_"))?;
        }
        Ok(IpSite {
            certbot: certbot.into(),
            live: live.into(),
            webroot: webroot.into(),
            reload: reload.into(),
            ..self
        })
    }
    pub fn ip(&self) -> Ipv4Addr {
        self.ip
    }
    /// The site file on the instance.
    pub fn site_path(&self) -> &'static str {
        "/etc/nginx/conf.d/lockstep-ip.conf"
    }
    /// The API's URL: `https://<ip>` (with the port when it is not 443).
    pub fn api_url(&self) -> String {
        format!("https://{}{}", self.ip, self.https_port_suffix())
    }
    fn https_port_suffix(&self) -> String {
        let port = self.https.as_str().rsplit(':').next().unwrap_or("443");
        if port == "443" {
            String::new()
        } else {
            format!(":{port}")
        }
    }
    fn v6(&self, listen: &Listen, ssl: &str) -> String {
        if listen.as_str().chars().all(|c| c.is_ascii_digit()) {
            format!("\n    listen [::]:{listen}{ssl};")
        } else {
            String::new()
        }
    }
}

/// The proxy to the app, as in the free path's named site.
fn proxy(port: u16) -> String {
    format!(
        r#"    client_max_body_size {CLIENT_MAX_BODY};

    location / {{
        proxy_pass http://127.0.0.1:{port};
        proxy_http_version 1.1;
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout 60s;
    }}
"#
    )
}

/// The nginx site. Before the certificate exists (`tls` false): port 80 answers the challenge
/// and proxies to the app. With it: port 80 answers the challenge (renewals) and redirects the
/// rest to https; the HTTPS server ends TLS with the IP certificate and proxies to the app.
/// A client connecting to an IP sends no server name (SNI), so nginx picks the HTTPS server by
/// address and port: no other site may listen on 443 (lockstep's named site does not).
pub fn ip_site_config(s: &IpSite, tls: bool) -> String {
    let http_rest = if tls {
        format!("    location / {{\n        return 301 https://$host{}$request_uri;\n    }}\n", s.https_port_suffix())
    } else {
        proxy(s.app_port)
    };
    let mut out = format!(
        r#"# Written by lockstep: HTTPS on the instance's IP address {ip}, no domain.
# The certificate is for the IP itself (Let's Encrypt, short-lived: about 6 days), renewed by
# the {TIMER_UNIT}.timer every {RENEW_EVERY_HOURS} hours.
server {{
    listen {http};{v6}
    server_name {ip};

    # Let's Encrypt's HTTP-01 check, for the first certificate and every renewal.
    location /.well-known/acme-challenge/ {{
        root {webroot};
    }}

{http_rest}}}
"#,
        ip = s.ip,
        http = s.http,
        v6 = s.v6(&s.http, ""),
        webroot = s.webroot,
    );
    if tls {
        out.push_str(&format!(
            r#"
server {{
    listen {https} ssl;{v6}
    server_name {ip};
    ssl_certificate {live}/fullchain.pem;
    ssl_certificate_key {live}/privkey.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    add_header Strict-Transport-Security "max-age=31536000" always;

{proxy}}}
"#,
            https = s.https,
            v6 = s.v6(&s.https, " ssl"),
            ip = s.ip,
            live = s.live,
            proxy = proxy(s.app_port),
        ));
    }
    out
}

/// The certbot command: `certonly` through the webroot for the IP, with the short-lived profile
/// (Let's Encrypt issues IP certificates only with it; `--preferred-profile` falls back to the
/// CA's default where a CA has no profiles, as the lab's test CA does), and the deploy hook that
/// reloads nginx after every issue and renewal (certbot stores it for `certbot renew`).
/// Non-interactive certbot keeps a certificate that is not yet due, so a second run of the
/// script asks for nothing (no duplicate-certificate limit).
pub fn ip_certbot_command(s: &IpSite, email: &Email, staging: bool) -> String {
    ip_certbot_line(s, email.as_str(), staging)
}

fn ip_certbot_line(s: &IpSite, email: &str, staging: bool) -> String {
    format!(
        "sudo {} certonly --webroot -w {} --ip-address {} --preferred-profile shortlived --cert-name {CERT_NAME} -m {} --agree-tos --no-eff-email -n{} --deploy-hook {}",
        quote(&s.certbot),
        quote(&s.webroot),
        s.ip,
        quote(email),
        if staging { " --staging" } else { "" },
        quote(&s.reload),
    )
}

/// The systemd service and timer that run `certbot renew` every [`RENEW_EVERY_HOURS`] hours.
pub fn renewal_units(s: &IpSite) -> (String, String) {
    let service = format!(
        "# Written by lockstep: renews the IP certificate when it is due (half its ~6-day life, or\n# when Let's Encrypt's renewal information says so); the deploy hook reloads nginx.\n[Unit]\nDescription=lockstep: renew the IP certificate (certbot)\nAfter=network-online.target\n\n[Service]\nType=oneshot\nExecStart={} renew -q\n",
        s.certbot
    );
    let timer = format!(
        "# Written by lockstep: a short-lived certificate needs renewal to keep running.\n[Unit]\nDescription=lockstep: certbot renew every {RENEW_EVERY_HOURS} hours\n\n[Timer]\nOnCalendar=*-*-* 00/{RENEW_EVERY_HOURS}:00:00\nRandomizedDelaySec=30min\nPersistent=true\n\n[Install]\nWantedBy=timers.target\n"
    );
    (service, timer)
}

/// One file written through `sudo tee` from a here-document that cannot be ended by its text.
fn write_file(path: &str, body: &str) -> String {
    let body = if body.ends_with('\n') { body.to_string() } else { format!("{body}\n") };
    let end = heredoc_end(&body);
    format!("sudo tee {} >/dev/null <<'{end}'\n{body}{end}\n", quote(path))
}

/// The per-OS prerequisites: nginx, and a Python new enough for certbot 5 (3.10 or later).
fn install_prereqs(os: Os) -> (&'static str, &'static str) {
    match os {
        // AL2023's python3 is 3.9: certbot 5 needs 3.10 or later, so python3.11 beside it.
        Os::AmazonLinux2023 => ("sudo dnf install -y nginx python3.11 python3.11-pip\n", "python3.11"),
        // Ubuntu 22.04 has 3.10, 24.04 has 3.12; the venv module is its own package.
        Os::Ubuntu => (
            "sudo apt-get update\nsudo DEBIAN_FRONTEND=noninteractive apt-get install -y nginx python3-venv\n",
            "python3",
        ),
    }
}

/// The whole script for the instance: nginx, certbot in its venv, the site, the certificate for
/// the IP, HTTPS, the renewal timer, and a renewal dry run.
pub fn ip_install_script(os: Os, s: &IpSite, email: &Email, staging: bool) -> String {
    ip_script_text(os, s, &ip_certbot_command(s, email, staging))
}

fn ip_script_text(os: Os, s: &IpSite, certbot_line: &str) -> String {
    let (prereqs, python) = install_prereqs(os);
    let (service, timer) = renewal_units(s);
    let venv = CERTBOT_DIR;
    format!(
        "#!/bin/bash\n# Written by lockstep for the IP address {ip} ({os}). Run it on the instance.\nset -euo pipefail\n\n\
# nginx, and Python for certbot\n{prereqs}\n\
# certbot {CERTBOT_VERSION} in its own venv: IP-address certificates need certbot 5.3 or later,\n\
# and the distribution's certbot is older. Skipped when that version is already there.\n\
if ! {venv}/bin/certbot --version 2>/dev/null | grep -qx 'certbot {CERTBOT_VERSION}'; then\n  \
sudo {python} -m venv {venv}\n  \
sudo {venv}/bin/pip install --quiet --upgrade pip\n  \
sudo {venv}/bin/pip install --quiet 'certbot=={CERTBOT_VERSION}'\nfi\n\
sudo mkdir -p {webroot}\n\n\
# the site on port 80: Let's Encrypt's check, and the app until the certificate is there\n\
{site_http}\
sudo nginx -t\n\
sudo systemctl enable nginx\n\
sudo systemctl restart nginx\n\n\
# the certificate for {ip} (Let's Encrypt fetches http://{ip}/.well-known/acme-challenge/... on port 80)\n\
{certbot_line}\n\n\
# HTTPS on {ip} with that certificate; http:// redirects to it\n\
{site_tls}\
sudo nginx -t\n\
sudo systemctl reload nginx\n\n\
# renewal every {RENEW_EVERY_HOURS} hours: the certificate lives about 6 days\n\
{service_file}{timer_file}\
sudo systemctl daemon-reload\n\
sudo systemctl enable --now {TIMER_UNIT}.timer\n\n\
# prove that renewal will work (against Let's Encrypt staging; changes nothing)\n\
sudo {venv}/bin/certbot renew --dry-run --cert-name {CERT_NAME}\n",
        ip = s.ip,
        os = os.label(),
        webroot = quote(&s.webroot),
        site_http = write_file(s.site_path(), &ip_site_config(s, false)),
        site_tls = write_file(s.site_path(), &ip_site_config(s, true)),
        service_file = write_file(&format!("/etc/systemd/system/{TIMER_UNIT}.service"), &service),
        timer_file = write_file(&format!("/etc/systemd/system/{TIMER_UNIT}.timer"), &timer),
    )
}

/// Whether the IP choice may be taken for `ip`: refused (with the reason and what to do) for an
/// address that is not public, and unless the address is known to be an Elastic IP. A normal
/// public IP changes when the instance is stopped and started; the certificate (and the
/// frontend's API URL) would then name an address AWS gives to someone else.
pub fn ip_choice_refusal(ip: Ipv4Addr, elastic: Option<bool>) -> Option<UserError> {
    if ip.is_private() || ip.is_loopback() || ip.is_link_local() || ip.is_unspecified() || ip.is_documentation() {
        return Some(UserError {
            ko: ko(
                format!("{ip}에는 인증서를 받을 수 없습니다. 공인 IP 주소가 아닙니다."),
                "Let's Encrypt는 인터넷에서 80번 포트로 그 주소에 접속해 확인하므로, 사설 주소나 특수 주소에는 인증서를 발급하지 않습니다.",
                "프로젝트에 인스턴스의 퍼블릭 IPv4 주소(탄력적 IP)를 입력하거나, 인스턴스 ID를 입력해 lockstep이 읽게 하세요.",
            ),
            what: format!("No certificate can be issued for {ip}: it is not a public IP address."),
            why: "Let's Encrypt checks the address from the internet on port 80, so it issues nothing for private or special addresses.".into(),
            fix: "Enter the instance's public IPv4 address (its Elastic IP) in the project, or its instance id so lockstep reads it.".into(),
        });
    }
    let (what, what_ko, why, why_ko) = match elastic {
        Some(true) => return None,
        Some(false) => (
            format!("{ip} is not an Elastic IP, so the IP choice is not offered for it."),
            format!("{ip}은(는) 탄력적 IP가 아니므로 IP 선택지를 쓸 수 없습니다."),
            "AWS gives an instance a new public address when it is stopped and started. The certificate and the frontend's API URL would then name an address that belongs to someone else, and renewal would fail.",
            "AWS는 인스턴스를 중지했다가 시작하면 새 퍼블릭 주소를 줍니다. 그러면 인증서와 프런트엔드의 API URL이 다른 사람의 주소를 가리키고, 갱신도 실패합니다.",
        ),
        None => (
            format!("lockstep could not tell whether {ip} is an Elastic IP, so the IP choice is not offered yet."),
            format!("lockstep이 {ip}가 탄력적 IP인지 확인하지 못해서 아직 IP 선택지를 쓸 수 없습니다."),
            "The certificate names the address itself: an address that changes on stop/start would leave it naming someone else's server. lockstep reads the account's Elastic IPs (ec2:DescribeAddresses) to be sure, and that read did not succeed.",
            "인증서에는 주소 자체가 들어갑니다. 중지/시작할 때 바뀌는 주소라면 인증서가 다른 사람의 서버를 가리키게 됩니다. lockstep은 계정의 탄력적 IP 목록(ec2:DescribeAddresses)을 읽어 확인하는데, 그 조회가 성공하지 못했습니다.",
        ),
    };
    Some(UserError {
        ko: ko(
            what_ko,
            why_ko,
            "EC2 콘솔에서 탄력적 IP > 탄력적 IP 주소 할당을 누른 뒤, 그 주소를 인스턴스에 연결하세요(작업 > 탄력적 IP 주소 연결). 그다음 프로젝트의 주소를 그 탄력적 IP로 바꾸고(인스턴스 ID를 쓰면 lockstep이 알아서 읽습니다) 다시 선택하세요. 탄력적 IP는 실행 중인 인스턴스에 연결되어 있는 동안 퍼블릭 IPv4 요금과 같은 시간당 요금이 붙습니다.",
        ),
        what,
        why: why.into(),
        fix: "In the EC2 console: Elastic IPs > Allocate Elastic IP address, then Actions > Associate it with the instance. Change the project's address to that Elastic IP (with the instance id lockstep reads it by itself) and choose again. An Elastic IP costs the same hourly public-IPv4 charge as any public address while it is attached.".into(),
    })
}

/// Why the paid path (ACM, load balancer, CloudFront on the team's names) refuses the IP choice.
pub fn paid_path_refusal(ip: &str) -> UserError {
    UserError {
        ko: ko(
            format!("API가 주소 {ip} 자체라서 유료 경로(ACM, 로드 밸런서)를 쓸 수 없습니다."),
            "ACM은 여러분의 호스팅 영역에 있는 DNS 레코드로 이름의 소유를 확인해 이름에만 인증서를 발급합니다. IP 주소에는 발급하지 않습니다.",
            "무료 경로(Nginx + Certbot)로 IP 인증서를 쓰거나, 1단계에서 직접 가진 도메인을 선택하세요.",
        ),
        what: format!("The API is the address {ip} itself, so the paid path (ACM, load balancer) cannot serve it."),
        why: "ACM issues certificates only for names, proven with a DNS record in your own hosted zone; it issues none for an IP address.".into(),
        fix: "Use the free path (Nginx + Certbot) with its IP certificate, or choose your own domain in step 1.".into(),
    }
}

/// The trade-off in plain words, shown with the choice before anything runs.
pub fn ip_choice_explained(ip: &str) -> Message {
    msg(
        format!(
            "HTTPS on the instance's own address, https://{ip}, with no domain: nothing to buy and no name to remember or share a limit with. The trade-offs: the certificate lives about 6 days, not 90, so its renewal must keep running (lockstep's script installs a timer that tries every {RENEW_EVERY_HOURS} hours; if the instance is off for days, the certificate expires and renews on the next start); the address must be an Elastic IP; the frontend calls the API at https://{ip}; and an address is not a name visitors recognise. The paid path (ACM, load balancer, CloudFront) cannot use it: ACM issues only for names."
        ),
        format!(
            "도메인 없이 인스턴스 자체 주소 https://{ip}에서 HTTPS를 씁니다. 살 것도, 외울 이름도, 다른 사람과 나눠 쓰는 한도도 없습니다. 대신: 인증서는 90일이 아니라 약 6일간 유효하므로 갱신이 계속 돌아야 합니다(lockstep의 스크립트가 {RENEW_EVERY_HOURS}시간마다 시도하는 타이머를 설치합니다. 인스턴스가 며칠 꺼져 있으면 인증서가 만료되고, 다시 켜질 때 갱신됩니다). 주소는 탄력적 IP여야 합니다. 프런트엔드는 https://{ip}로 API를 호출합니다. 주소는 방문자가 알아보는 이름이 아닙니다. 유료 경로(ACM, 로드 밸런서, CloudFront)에는 쓸 수 없습니다. ACM은 이름에만 인증서를 발급합니다."
        ),
    )
}

#[cfg(test)]
#[path = "ipcert_tests.rs"]
mod tests;
