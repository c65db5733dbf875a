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

/// The settings for `framework`, in the order a student applies them; the places and the
/// comments in Korean when `korean` (the settings themselves are code, the same in both).
pub fn settings(framework: Framework, n: &Names, korean: bool) -> Vec<SettingBlock> {
    let t = |en: &'static str, ko: &'static str| if korean { ko } else { en };
    let api = &n.api;
    let origin = &n.frontend_origin;
    let same_site = if n.cross_site { "None" } else { "Lax" };
    let block = |place: &str, text: String| SettingBlock { place: place.to_string(), text };
    let mut out = match framework {
        Framework::Django => vec![block(
            "settings.py",
            format!(
                "ALLOWED_HOSTS = [\"{api}\"]\n\
                 # {}\n\
                 SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")\n\
                 CSRF_TRUSTED_ORIGINS = [\"{origin}\"]\n\
                 CORS_ALLOWED_ORIGINS = [\"{origin}\"]  # pip install django-cors-headers\n\
                 CORS_ALLOW_CREDENTIALS = True\n\
                 SESSION_COOKIE_SECURE = True\n\
                 CSRF_COOKIE_SECURE = True\n\
                 SESSION_COOKIE_SAMESITE = \"{same_site}\"\n\
                 CSRF_COOKIE_SAMESITE = \"{same_site}\"",
                t(
                    "nginx / the ALB ends HTTPS and tells Django with this header",
                    "nginx / ALB가 HTTPS를 끝내고 이 헤더로 Django에 알립니다"
                )
            ),
        )],
        Framework::Express => vec![block(
            "app.js",
            format!(
                "// {}\n\
                 app.set('trust proxy', 1);\n\
                 const cors = require('cors');\n\
                 app.use(cors({{ origin: '{origin}', credentials: true }}));\n\
                 // {}\n\
                 cookie: {{ secure: true, httpOnly: true, sameSite: '{}' }}",
                t(
                    "nginx / the ALB ends HTTPS: trust its X-Forwarded-Proto (req.secure, secure cookies)",
                    "nginx / ALB가 HTTPS를 끝냅니다: X-Forwarded-Proto를 믿습니다(req.secure, secure 쿠키)"
                ),
                t("session / cookie options", "세션 / 쿠키 옵션"),
                same_site.to_ascii_lowercase()
            ),
        )],
        Framework::Spring => vec![
            block(
                "application.properties",
                format!(
                    "# {}\n\
                     server.forward-headers-strategy=framework\n\
                     server.servlet.session.cookie.secure=true\n\
                     server.servlet.session.cookie.same-site={}",
                    t(
                        "nginx / the ALB ends HTTPS: use its X-Forwarded-* headers",
                        "nginx / ALB가 HTTPS를 끝냅니다: X-Forwarded-* 헤더를 사용합니다"
                    ),
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
                     // {}",
                    t(
                        "and http.cors(Customizer.withDefaults()) in the SecurityFilterChain, so preflights pass before authentication",
                        "그리고 SecurityFilterChain에 http.cors(Customizer.withDefaults())를 넣어 인증 전에 프리플라이트가 통과하게 합니다"
                    )
                ),
            ),
        ],
        Framework::Other => vec![block(
            t("your framework", "사용하는 프레임워크"),
            if korean {
                format!(
                    "{api} 호스트를 허용하고, 프록시가 보낸 X-Forwarded-Proto를 믿고, CORS에서 자격 증명과 함께 {origin} 출처를 허용하고, 쿠키를 Secure, SameSite={same_site}로 표시하세요."
                )
            } else {
                format!(
                    "Accept the host {api}; trust X-Forwarded-Proto from the proxy; allow the origin {origin} in CORS with credentials; mark cookies Secure, SameSite={same_site}."
                )
            },
        )],
    };
    out.push(block(
        t("frontend .env (then rebuild and upload)", "프론트엔드 .env (그다음 다시 빌드해서 업로드)"),
        format!(
            "VITE_API_BASE_URL=https://{api}\nREACT_APP_API_URL=https://{api}\n# {}",
            t(
                "and fetch(..., { credentials: 'include' }) when the API uses cookies",
                "그리고 API가 쿠키를 쓰면 fetch(..., { credentials: 'include' })"
            )
        ),
    ));
    out
}

/// The plain-words warning for cross-site cookies, when it applies.
pub fn cross_site_warning(n: &Names, korean: bool) -> Option<String> {
    n.cross_site.then(|| {
        if korean {
            return format!(
                "{}와 https://{}는 서로 다른 사이트이므로, API의 쿠키는 프론트엔드에게 서드파티 쿠키입니다. 쿠키에 SameSite=None; Secure를, fetch에 credentials: 'include'를 설정해야만 동작하며, 일부 브라우저(Safari, 서드파티 쿠키를 끈 Chrome)는 그래도 차단합니다. 오래 가는 해결책은 프론트엔드와 API를 모두 담는 자신의 도메인입니다(www.team.com과 api.team.com은 같은 사이트입니다).",
                n.frontend_origin, n.api
            );
        }
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
        let s = settings(Framework::Django, &names(false), false);
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
            let all: String = settings(f, &names(true), false).iter().map(|b| b.text.clone()).collect();
            assert!(all.to_ascii_lowercase().contains("none"), "{f:?}: {all}");
            assert!(all.contains("https://d111.cloudfront.net"));
        }
        assert!(cross_site_warning(&names(true), false).unwrap().contains("third-party"));
        assert_eq!(cross_site_warning(&names(false), false), None);
        let express = &settings(Framework::Express, &names(false), false)[0].text;
        assert!(express.contains("trust proxy") && express.contains("credentials: true"));
    }

    #[test]
    fn korean_places_and_comments_with_the_same_settings() {
        for f in [Framework::Django, Framework::Express, Framework::Spring, Framework::Other] {
            let (en, ko) = (settings(f, &names(true), false), settings(f, &names(true), true));
            assert_eq!(en.len(), ko.len());
            let hangul = |s: &str| s.chars().any(|c| ('가'..='힣').contains(&c));
            for (e, k) in en.iter().zip(&ko) {
                assert!(hangul(&k.text), "{f:?}: no Korean comment in\n{}", k.text);
                assert!(!hangul(&e.text), "{f:?}: Korean in the English block");
                // Every line that is not a comment is the same code in both.
                let code = |s: &str| {
                    s.lines()
                        .filter(|l| !l.trim_start().starts_with('#') && !l.trim_start().starts_with("//"))
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                };
                if f != Framework::Other || e.place.starts_with("frontend") {
                    assert_eq!(code(&e.text), code(&k.text), "{f:?} {}", e.place);
                }
            }
            assert!(hangul(&ko.last().unwrap().place), "the .env block's place in Korean");
        }
        assert!(cross_site_warning(&names(true), true).unwrap().contains("서드파티"));
    }
}
