//! The free path's files: the exact nginx site for a project, the install + certbot script for
//! Amazon Linux 2023 and Ubuntu, and the framework settings that must change behind a proxy.
//!
//! Pure text from the project and its name plan, so the browser shows the same files the
//! server runs through SSM, and tests run them against a real nginx and certbot.

use crate::project::Framework;
use crate::DomainName;
use serde::{Deserialize, Serialize};

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

/// What the generated files are for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteSpec {
    /// The API name (the certificate's name); more names share the server block.
    pub names: Vec<DomainName>,
    pub app_port: u16,
    /// `listen` value for plain HTTP: `80` on an instance (a lab passes `127.0.20.1:18080`).
    pub listen: String,
    /// The file name under /etc/nginx/conf.d/ (without `.conf`).
    pub file_stem: String,
}

impl SiteSpec {
    pub fn new(names: Vec<DomainName>, app_port: u16, project_slug: &str) -> SiteSpec {
        SiteSpec { names, app_port, listen: "80".into(), file_stem: format!("lockstep-{project_slug}") }
    }
    pub fn server_names(&self) -> String {
        self.names.iter().map(|n| n.as_str().to_string()).collect::<Vec<_>>().join(" ")
    }
}

/// The nginx site: plain HTTP in front of the app. `certbot --nginx` then adds the 443 server
/// with the certificate and turns this one into the redirect.
pub fn site_config(s: &SiteSpec) -> String {
    let v6 = if s.listen.chars().all(|c| c.is_ascii_digit()) {
        format!("\n    listen [::]:{};", s.listen)
    } else {
        String::new()
    };
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
pub fn certbot_command(s: &SiteSpec, email: &str, staging: bool) -> String {
    let domains: String = s.names.iter().map(|n| format!(" -d {}", n.as_str())).collect();
    format!(
        "sudo certbot --nginx{domains} --redirect -m {email} --agree-tos -n{}",
        if staging { " --staging" } else { "" }
    )
}

/// The whole script for the instance: install nginx and certbot, write the site, check the
/// config, start nginx, get the certificate, prove renewal works.
pub fn install_script(os: Os, s: &SiteSpec, email: &str, staging: bool) -> String {
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
    format!(
        "#!/bin/bash\n# Written by lockstep for {names} ({os}). Run it on the instance.\nset -euo pipefail\n\n{install}\n\
# the site: nginx in front of the app on port {port}\n\
sudo tee /etc/nginx/conf.d/{stem}.conf >/dev/null <<'LOCKSTEP_SITE'\n{site}LOCKSTEP_SITE\n\
sudo nginx -t\n\
sudo systemctl enable nginx\n\
sudo systemctl restart nginx\n\n\
# the certificate (Let's Encrypt checks http://{first}/.well-known/... on port 80)\n\
{certbot}\n\n\
# prove that renewal will work in 60 days\n\
sudo certbot renew --dry-run\n",
        names = s.server_names(),
        os = os.label(),
        port = s.app_port,
        stem = s.file_stem,
        site = site_config(s),
        first = s.names.first().map(|n| n.as_str()).unwrap_or(""),
        certbot = certbot_command(s, email, staging),
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

    fn spec() -> SiteSpec {
        SiteSpec::new(vec![DomainName::parse("api.team.example.com").unwrap()], 8080, "shop")
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
        let mut lab = spec();
        lab.listen = "127.0.20.1:18080".into();
        assert!(!site_config(&lab).contains("[::]"), "no v6 listen for an address:port");
    }

    #[test]
    fn the_script_gets_and_proves_the_certificate() {
        for os in Os::ALL {
            let s = install_script(os, &spec(), "team@example.com", false);
            assert!(
                s.contains(
                    "sudo certbot --nginx -d api.team.example.com --redirect -m team@example.com --agree-tos -n\n"
                ),
                "{s}"
            );
            assert!(s.contains("sudo nginx -t") && s.contains("certbot renew --dry-run"));
            assert!(s.contains("/etc/nginx/conf.d/lockstep-shop.conf"));
        }
        assert!(install_script(Os::Ubuntu, &spec(), "t@example.com", true).contains("--agree-tos -n --staging"));
        assert!(install_script(Os::AmazonLinux2023, &spec(), "t@example.com", false).contains("dnf install"));
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
