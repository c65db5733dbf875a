//! What the app and the frontend must change once HTTPS ends in front of the app (nginx on the
//! instance, or an ALB), for this project's names: the settings block per framework, the
//! frontend's API base URL, and a warning when frontend and API are different sites.

use crate::project::Framework;
use serde::{Deserialize, Serialize};

/// One file (or place) to edit, with the text to put there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettingBlock {
    pub place: String,
    pub text: String,
}

/// The names the settings are written for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Names {
    /// The API's host name, e.g. `api.team.com` or `3-35-1-2.nip.io`.
    pub api: String,
    /// The frontend's origin, e.g. `https://www.team.com` or `https://d111.cloudfront.net`.
    pub frontend_origin: String,
    /// Frontend and API are different *sites* (registrable domains): cookies between them are
    /// third-party and need `SameSite=None; Secure` plus credentials.
    pub cross_site: bool,
}

/// The settings for `framework`, in the order a student applies them.
pub fn settings(framework: Framework, n: &Names) -> Vec<SettingBlock> {
    let api = &n.api;
    let origin = &n.frontend_origin;
    let same_site = if n.cross_site { "None" } else { "Lax" };
    let block = |place: &str, text: String| SettingBlock { place: place.to_string(), text };
    let mut out = match framework {
        Framework::Django => vec![block(
            "settings.py",
            format!(
                "ALLOWED_HOSTS = [\"{api}\"]\n\
                 # nginx / the ALB ends HTTPS and tells Django with this header\n\
                 SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")\n\
                 CSRF_TRUSTED_ORIGINS = [\"{origin}\"]\n\
                 CORS_ALLOWED_ORIGINS = [\"{origin}\"]  # pip install django-cors-headers\n\
                 CORS_ALLOW_CREDENTIALS = True\n\
                 SESSION_COOKIE_SECURE = True\n\
                 CSRF_COOKIE_SECURE = True\n\
                 SESSION_COOKIE_SAMESITE = \"{same_site}\"\n\
                 CSRF_COOKIE_SAMESITE = \"{same_site}\""
            ),
        )],
        Framework::Express => vec![block(
            "app.js",
            format!(
                "// nginx / the ALB ends HTTPS: trust its X-Forwarded-Proto (req.secure, secure cookies)\n\
                 app.set('trust proxy', 1);\n\
                 const cors = require('cors');\n\
                 app.use(cors({{ origin: '{origin}', credentials: true }}));\n\
                 // session / cookie options\n\
                 cookie: {{ secure: true, httpOnly: true, sameSite: '{}' }}",
                same_site.to_ascii_lowercase()
            ),
        )],
        Framework::Spring => vec![
            block(
                "application.properties",
                format!(
                    "# nginx / the ALB ends HTTPS: use its X-Forwarded-* headers\n\
                     server.forward-headers-strategy=framework\n\
                     server.servlet.session.cookie.secure=true\n\
                     server.servlet.session.cookie.same-site={}",
                    same_site.to_ascii_lowercase()
                ),
            ),
            block(
                "CorsConfig.java",
                format!(
                    "@Bean\nCorsConfigurationSource corsConfigurationSource() {{\n    \
                     CorsConfiguration c = new CorsConfiguration();\n    \
                     c.setAllowedOrigins(List.of(\"{origin}\"));\n    \
                     c.setAllowedMethods(List.of(\"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\", \"OPTIONS\"));\n    \
                     c.setAllowedHeaders(List.of(\"*\"));\n    \
                     c.setAllowCredentials(true);\n    \
                     UrlBasedCorsConfigurationSource s = new UrlBasedCorsConfigurationSource();\n    \
                     s.registerCorsConfiguration(\"/**\", c);\n    \
                     return s;\n}}\n\
                     // and http.cors(Customizer.withDefaults()) in the SecurityFilterChain, so preflights pass before authentication"
                ),
            ),
        ],
        Framework::Other => vec![block(
            "your framework",
            format!(
                "Accept the host {api}; trust X-Forwarded-Proto from the proxy; allow the origin {origin} in CORS with credentials; mark cookies Secure, SameSite={same_site}."
            ),
        )],
    };
    out.push(block(
        "frontend .env (then rebuild and upload)",
        format!(
            "VITE_API_BASE_URL=https://{api}\nREACT_APP_API_URL=https://{api}\n# and fetch(..., {{ credentials: 'include' }}) when the API uses cookies"
        ),
    ));
    out
}

/// The plain-words warning for cross-site cookies, when it applies.
pub fn cross_site_warning(n: &Names) -> Option<String> {
    n.cross_site.then(|| {
        format!(
            "{} and https://{} are different sites, so the API's cookies are third-party cookies to the frontend. They work only with SameSite=None; Secure on the cookie and credentials: 'include' in fetch, and some browsers (Safari, Chrome with third-party cookies off) still block them. The lasting fix is a domain of your own with the frontend and the API under it (www.team.com and api.team.com are the same site).",
            n.frontend_origin, n.api
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(cross: bool) -> Names {
        Names {
            api: "api.team.com".into(),
            frontend_origin: if cross { "https://d111.cloudfront.net" } else { "https://www.team.com" }.into(),
            cross_site: cross,
        }
    }

    #[test]
    fn django_gets_hosts_origins_proxy_header_and_cookie_flags_for_these_names() {
        let s = settings(Framework::Django, &names(false));
        let t = &s[0].text;
        for needle in [
            "ALLOWED_HOSTS = [\"api.team.com\"]",
            "CSRF_TRUSTED_ORIGINS = [\"https://www.team.com\"]",
            "CORS_ALLOWED_ORIGINS = [\"https://www.team.com\"]",
            "SECURE_PROXY_SSL_HEADER",
            "SESSION_COOKIE_SAMESITE = \"Lax\"",
        ] {
            assert!(t.contains(needle), "missing {needle} in\n{t}");
        }
        assert!(s.last().unwrap().text.contains("VITE_API_BASE_URL=https://api.team.com"));
    }

    #[test]
    fn cross_site_names_get_samesite_none_and_the_warning() {
        for f in [Framework::Django, Framework::Express, Framework::Spring] {
            let all: String = settings(f, &names(true)).iter().map(|b| b.text.clone()).collect();
            assert!(all.to_ascii_lowercase().contains("none"), "{f:?}: {all}");
            assert!(all.contains("https://d111.cloudfront.net"));
        }
        assert!(cross_site_warning(&names(true)).unwrap().contains("third-party"));
        assert_eq!(cross_site_warning(&names(false)), None);
        let express = &settings(Framework::Express, &names(false))[0].text;
        assert!(express.contains("trust proxy") && express.contains("credentials: true"));
    }
}
