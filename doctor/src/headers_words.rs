//! The words of the security-header findings ([`crate::headers`]): what was seen, why it matters,
//! and the exact line to add for each stack a student deploys: nginx (`add_header ... always;`),
//! CloudFront (a response headers policy), Django, Express and Spring Security. English, then
//! Korean; the configuration lines are the same in both.
//!
//! The nginx lines are constants so the tests can run them in a real nginx and check the doctor
//! grades that server A+ (`doctor/tests/https_grade.rs`).

use crate::headers::{Csp, Hsts, HSTS_MIN_AGE};

pub const NGINX_HSTS: &str = r#"add_header Strict-Transport-Security "max-age=31536000" always;"#;
/// For an HTML page (the frontend). Widen `connect-src` with the API's origin when it is another.
pub const NGINX_CSP_PAGE: &str = r#"add_header Content-Security-Policy "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'" always;"#;
/// For a JSON API: nothing in its answers should ever run or be framed.
pub const NGINX_CSP_API: &str =
    r#"add_header Content-Security-Policy "default-src 'none'; frame-ancestors 'none'" always;"#;
pub const NGINX_NOSNIFF: &str = r#"add_header X-Content-Type-Options "nosniff" always;"#;
pub const NGINX_FRAME: &str = r#"add_header X-Frame-Options "DENY" always;"#;
pub const NGINX_REFERRER: &str = r#"add_header Referrer-Policy "strict-origin-when-cross-origin" always;"#;

/// Title, why and fix, English then Korean.
pub struct Said {
    pub title: [String; 2],
    pub why: [String; 2],
    pub fix: [String; 2],
}

fn said(title: [&str; 2], why: [&str; 2], fix: [String; 2]) -> Said {
    Said { title: title.map(str::to_string), why: why.map(str::to_string), fix }
}

fn plain(title: [String; 2]) -> Said {
    Said { title, why: [String::new(), String::new()], fix: [String::new(), String::new()] }
}

/// One fix in every stack.
struct Stacks<'a> {
    nginx: &'a str,
    /// Where the nginx line goes, English then Korean.
    nginx_where: [&'a str; 2],
    cloudfront: [&'a str; 2],
    django: [&'a str; 2],
    express: [&'a str; 2],
    spring: [&'a str; 2],
}

fn stacks(s: Stacks<'_>) -> [String; 2] {
    [
        format!(
            "nginx, {}: `{}` CloudFront: {} Django: {} Express: {} Spring Security: {}",
            s.nginx_where[0], s.nginx, s.cloudfront[0], s.django[0], s.express[0], s.spring[0]
        ),
        format!(
            "nginx, {}: `{}` CloudFront: {} Django: {} Express: {} Spring Security: {}",
            s.nginx_where[1], s.nginx, s.cloudfront[1], s.django[1], s.express[1], s.spring[1]
        ),
    ]
}

/// Where an add_header line goes.
const SERVER_BLOCK: [&str; 2] = [
    "in the `listen 443 ssl` server block (a location with add_header lines of its own must repeat it)",
    "`listen 443 ssl` server 블록에 (add_header 줄이 따로 있는 location에는 다시 적어야 합니다)",
];

const SECURITY_POLICY: [&str; 2] = [
    "attach the managed response headers policy SecurityHeadersPolicy to the behaviour (it sends Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options and Referrer-Policy).",
    "동작(behavior)에 관리형 응답 헤더 정책 SecurityHeadersPolicy를 연결하세요 (Strict-Transport-Security, X-Content-Type-Options, X-Frame-Options, Referrer-Policy를 보냅니다).",
];
const HELMET: [&str; 2] = [
    "`app.use(helmet())` before the routes (npm install helmet).",
    "라우트보다 먼저 `app.use(helmet())` (npm install helmet).",
];

fn hsts_fix() -> [String; 2] {
    stacks(Stacks {
        nginx: NGINX_HSTS,
        nginx_where: SERVER_BLOCK,
        cloudfront: SECURITY_POLICY,
        django: [
            "`SECURE_HSTS_SECONDS = 31536000` with SecurityMiddleware, and behind nginx or an ALB `SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")` (Django sends HSTS only on requests it knows came over HTTPS).",
            "SecurityMiddleware와 함께 `SECURE_HSTS_SECONDS = 31536000`, 그리고 nginx나 ALB 뒤라면 `SECURE_PROXY_SSL_HEADER = (\"HTTP_X_FORWARDED_PROTO\", \"https\")` (Django는 HTTPS로 온 것을 아는 요청에만 HSTS를 보냅니다).",
        ],
        express: HELMET,
        spring: [
            "`http.headers(h -> h.httpStrictTransportSecurity(s -> s.maxAgeInSeconds(31536000)))`, and behind a proxy `server.forward-headers-strategy=native` (Spring sends HSTS only on HTTPS requests).",
            "`http.headers(h -> h.httpStrictTransportSecurity(s -> s.maxAgeInSeconds(31536000)))`, 그리고 프록시 뒤라면 `server.forward-headers-strategy=native` (Spring은 HTTPS 요청에만 HSTS를 보냅니다).",
        ],
    })
}

pub fn hsts_missing() -> Said {
    said(
        ["No HSTS header (advice)", "HSTS 헤더가 없습니다 (권장 사항)"],
        [
            "HSTS tells browsers to use https:// for this name even when someone types http:// or follows an old link, so nobody on the way can keep them on plain HTTP.",
            "HSTS는 누군가 http://를 입력하거나 예전 링크를 따라와도 브라우저가 이 이름에 https://를 쓰도록 알려 줍니다. 그래서 중간의 누구도 방문자를 평문 HTTP에 붙잡아 둘 수 없습니다.",
        ],
        {
            let [en, ko] = hsts_fix();
            [
                en + " A max-age cannot be taken back for that long: add it once HTTPS works, and add `; includeSubDomains` only when every subdomain has HTTPS.",
                ko + " max-age 기간 동안은 되돌릴 수 없습니다: HTTPS가 제대로 동작한 뒤에 넣고, `; includeSubDomains`는 모든 하위 도메인에 HTTPS가 있을 때만 붙이세요.",
            ]
        },
    )
}

pub fn hsts_invalid() -> Said {
    said(
        [
            "The HSTS header cannot be read: browsers ignore it (advice)",
            "HSTS 헤더를 읽을 수 없어 브라우저가 무시합니다 (권장 사항)",
        ],
        [
            "It needs a `max-age=` with a number of seconds; without one, browsers discard the whole header.",
            "초 단위 숫자가 들어간 `max-age=`가 있어야 합니다. 없으면 브라우저는 헤더 전체를 버립니다.",
        ],
        hsts_fix(),
    )
}

pub fn hsts_short(h: &Hsts) -> Said {
    let days = h.max_age / 86_400;
    Said {
        title: [
            format!("HSTS max-age is {} s (about {days} days), under six months (advice)", h.max_age),
            format!("HSTS max-age가 {}초(약 {days}일)로 6개월보다 짧습니다 (권장 사항)", h.max_age),
        ],
        why: [
            format!("Browsers forget the rule after max-age; the HTTP Observatory wants at least {HSTS_MIN_AGE} s (six months), and the HSTS preload list a year. A short value is right only while trying HTTPS out."),
            format!("브라우저는 max-age가 지나면 규칙을 잊습니다. HTTP Observatory는 최소 {HSTS_MIN_AGE}초(6개월), HSTS preload 목록은 1년을 요구합니다. 짧은 값은 HTTPS를 시험하는 동안에만 맞습니다."),
        ],
        fix: hsts_fix(),
    }
}

pub fn hsts_ok(h: &Hsts) -> Said {
    let sub = if h.include_subdomains { ", includeSubDomains" } else { "" };
    let pre = if h.preload { ", preload" } else { "" };
    plain([
        format!("HSTS is on (max-age {} days{sub}{pre})", h.max_age / 86_400),
        format!("HSTS가 켜져 있습니다 (max-age {}일{sub}{pre})", h.max_age / 86_400),
    ])
}

fn csp_fix(html: bool) -> [String; 2] {
    let (nginx, value) = if html {
        (
            NGINX_CSP_PAGE,
            "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'self'",
        )
    } else {
        (NGINX_CSP_API, "default-src 'none'; frame-ancestors 'none'")
    };
    let cf_en = format!("the managed policies send no CSP: create a response headers policy, Security headers, Content-Security-Policy = `{value}`, Origin override on, and attach it to the behaviour.");
    let cf_ko = format!("관리형 정책은 CSP를 보내지 않습니다: 응답 헤더 정책을 만들고 보안 헤더에서 Content-Security-Policy = `{value}`, 오리진 재정의(Origin override)를 켠 뒤 동작(behavior)에 연결하세요.");
    let mut out = stacks(Stacks {
        nginx,
        nginx_where: SERVER_BLOCK,
        cloudfront: [&cf_en, &cf_ko],
        django: [
            "Django 6.0+: `\"django.middleware.csp.ContentSecurityPolicyMiddleware\"` in MIDDLEWARE and `SECURE_CSP = {\"default-src\": [CSP.SELF]}` (`from django.utils.csp import CSP`); older Django: the django-csp package.",
            "Django 6.0 이상: MIDDLEWARE에 `\"django.middleware.csp.ContentSecurityPolicyMiddleware\"`, 그리고 `SECURE_CSP = {\"default-src\": [CSP.SELF]}` (`from django.utils.csp import CSP`). 그보다 오래된 Django: django-csp 패키지.",
        ],
        express: HELMET,
        spring: [
            "`http.headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(\"default-src 'self'\")))`.",
            "`http.headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives(\"default-src 'self'\")))`.",
        ],
    });
    out[0].push_str(" Try a new policy first as Content-Security-Policy-Report-Only and watch the browser console: it reports what the policy would block.");
    out[1].push_str(" 새 정책은 먼저 Content-Security-Policy-Report-Only로 보내고 브라우저 콘솔을 보세요: 정책이 막을 것을 알려 줍니다.");
    out
}

pub fn csp_missing(html: bool) -> Said {
    said(
        ["No Content-Security-Policy (advice)", "Content-Security-Policy가 없습니다 (권장 사항)"],
        [
            "A CSP tells the browser which scripts may run: with one, text an attacker slips into a page (cross-site scripting) stays text. It is the Observatory's heaviest test (-25).",
            "CSP는 어떤 스크립트가 실행될 수 있는지 브라우저에 알려 줍니다. CSP가 있으면 공격자가 페이지에 끼워 넣은 글(크로스 사이트 스크립팅)이 글로만 남습니다. Observatory에서 가장 무거운 항목입니다(-25).",
        ],
        csp_fix(html),
    )
}

pub fn csp(c: Csp, html: bool) -> Said {
    let (title, why): ([&str; 2], [&str; 2]) = match c {
        Csp::Ok => return plain(["The Content-Security-Policy limits scripts".into(), "Content-Security-Policy가 스크립트를 제한합니다".into()]),
        Csp::UnsafeInline => (
            ["The Content-Security-Policy lets inline scripts run (advice)", "Content-Security-Policy가 인라인 스크립트 실행을 허용합니다 (권장 사항)"],
            [
                "'unsafe-inline' (or data:, *, or any https: host) in script-src lets an injected <script> run, which is what the policy is there to stop.",
                "script-src의 'unsafe-inline'(또는 data:, *, 모든 https: 호스트)은 끼워 넣은 <script>를 실행하게 둡니다. 정책이 막으려던 바로 그것입니다.",
            ],
        ),
        Csp::NoScriptLimit => (
            ["The Content-Security-Policy does not limit scripts (advice)", "Content-Security-Policy가 스크립트를 제한하지 않습니다 (권장 사항)"],
            [
                "The policy has neither script-src nor default-src, so any script from anywhere may run.",
                "정책에 script-src도 default-src도 없어서, 어디서 온 스크립트든 실행될 수 있습니다.",
            ],
        ),
        Csp::InsecureScheme => (
            ["The Content-Security-Policy allows code over plain http:// (advice)", "Content-Security-Policy가 평문 http://로 받는 코드를 허용합니다 (권장 사항)"],
            [
                "A script or frame allowed from an http:// source can be swapped on the way.",
                "http:// 출처에서 허용된 스크립트나 프레임은 전송 중에 바꿔치기될 수 있습니다.",
            ],
        ),
        Csp::UnsafeEval => (
            ["The Content-Security-Policy allows eval() (advice)", "Content-Security-Policy가 eval()을 허용합니다 (권장 사항)"],
            [
                "'unsafe-eval' lets strings become code; most bundlers' production builds do not need it.",
                "'unsafe-eval'은 문자열을 코드로 바꾸게 둡니다. 대부분의 번들러의 프로덕션 빌드에는 필요 없습니다.",
            ],
        ),
    };
    said(title, why, csp_fix(html))
}

pub fn content_type(code: &str) -> Said {
    if code == "ok" {
        return plain(["X-Content-Type-Options: nosniff".into(), "X-Content-Type-Options: nosniff가 있습니다".into()]);
    }
    let title = if code == "missing" {
        ["No X-Content-Type-Options: nosniff (advice)", "X-Content-Type-Options: nosniff가 없습니다 (권장 사항)"]
    } else {
        [
            "X-Content-Type-Options is not `nosniff` (advice)",
            "X-Content-Type-Options 값이 `nosniff`가 아닙니다 (권장 사항)",
        ]
    };
    said(
        title,
        [
            "Without it a browser may guess a file's type from its content, and run an uploaded text file as a script.",
            "이 헤더가 없으면 브라우저가 내용을 보고 파일 종류를 짐작해, 업로드된 텍스트 파일을 스크립트로 실행할 수 있습니다.",
        ],
        stacks(Stacks {
            nginx: NGINX_NOSNIFF,
            nginx_where: SERVER_BLOCK,
            cloudfront: SECURITY_POLICY,
            django: [
                "`SECURE_CONTENT_TYPE_NOSNIFF = True` (the default) with `\"django.middleware.security.SecurityMiddleware\"` in MIDDLEWARE.",
                "MIDDLEWARE에 `\"django.middleware.security.SecurityMiddleware\"`를 두고 `SECURE_CONTENT_TYPE_NOSNIFF = True` (기본값).",
            ],
            express: HELMET,
            spring: [
                "on by default with Spring Security; if it was turned off: `http.headers(h -> h.contentTypeOptions(Customizer.withDefaults()))`.",
                "Spring Security에서는 기본으로 켜져 있습니다. 꺼 두었다면: `http.headers(h -> h.contentTypeOptions(Customizer.withDefaults()))`.",
            ],
        }),
    )
}

pub fn frame(code: &str) -> Said {
    if code == "ok" {
        return plain([
            "Other sites cannot frame these pages".into(),
            "다른 사이트가 이 페이지를 프레임에 넣을 수 없습니다".into(),
        ]);
    }
    let (title, why) = if code == "missing" {
        (
            ["Any site can show these pages in a frame (advice)", "어느 사이트든 이 페이지를 프레임에 넣을 수 있습니다 (권장 사항)"],
            [
                "Neither X-Frame-Options nor CSP frame-ancestors is set: another site can load the page invisibly and trick visitors into clicking its buttons (clickjacking).",
                "X-Frame-Options도 CSP frame-ancestors도 없습니다: 다른 사이트가 이 페이지를 보이지 않게 불러와 방문자가 버튼을 누르도록 속일 수 있습니다(클릭재킹).",
            ],
        )
    } else {
        (
            ["X-Frame-Options has a value browsers ignore (advice)", "X-Frame-Options에 브라우저가 무시하는 값이 있습니다 (권장 사항)"],
            [
                "Only DENY and SAMEORIGIN work; ALLOW-FROM and anything else are ignored, so the page can be framed by any site.",
                "DENY와 SAMEORIGIN만 동작합니다. ALLOW-FROM이나 다른 값은 무시되어, 어느 사이트든 페이지를 프레임에 넣을 수 있습니다.",
            ],
        )
    };
    said(
        title,
        why,
        stacks(Stacks {
            nginx: NGINX_FRAME,
            nginx_where: SERVER_BLOCK,
            cloudfront: SECURITY_POLICY,
            django: [
                "`\"django.middleware.clickjacking.XFrameOptionsMiddleware\"` in MIDDLEWARE (X_FRAME_OPTIONS = \"DENY\" is the default).",
                "MIDDLEWARE에 `\"django.middleware.clickjacking.XFrameOptionsMiddleware\"` (X_FRAME_OPTIONS = \"DENY\"가 기본값).",
            ],
            express: HELMET,
            spring: [
                "DENY by default with Spring Security; explicitly `http.headers(h -> h.frameOptions(f -> f.deny()))`.",
                "Spring Security에서는 기본이 DENY입니다. 명시하려면 `http.headers(h -> h.frameOptions(f -> f.deny()))`.",
            ],
        }),
    )
}

pub fn referrer(code: &str) -> Said {
    let (title, why): ([&str; 2], [&str; 2]) = match code {
        "ok" => return plain(["Referrer-Policy keeps paths private".into(), "Referrer-Policy가 경로를 다른 사이트에 보내지 않습니다".into()]),
        "missing" => (
            ["No Referrer-Policy: the browser default applies (advice)", "Referrer-Policy가 없습니다: 브라우저 기본값이 쓰입니다 (권장 사항)"],
            [
                "Current browsers default to strict-origin-when-cross-origin, which is fine; saying it explicitly keeps older browsers from sending full URLs (with tokens in them) to other sites.",
                "현재 브라우저의 기본값은 strict-origin-when-cross-origin이라 괜찮습니다. 명시해 두면 오래된 브라우저도 전체 URL(안에 든 토큰까지)을 다른 사이트에 보내지 않습니다.",
            ],
        ),
        "unsafe" => (
            ["Referrer-Policy sends full URLs to other sites (advice)", "Referrer-Policy가 전체 URL을 다른 사이트에 보냅니다 (권장 사항)"],
            [
                "unsafe-url, origin-when-cross-origin, origin and no-referrer-when-downgrade let paths and query strings (reset tokens, search terms) leak to every site a page links to or loads from.",
                "unsafe-url, origin-when-cross-origin, origin, no-referrer-when-downgrade는 경로와 쿼리 문자열(재설정 토큰, 검색어)이 페이지가 연결하거나 불러오는 모든 사이트로 새게 합니다.",
            ],
        ),
        _ => (
            ["Referrer-Policy has no value browsers know (advice)", "Referrer-Policy에 브라우저가 아는 값이 없습니다 (권장 사항)"],
            ["Browsers ignore the header and use their default.", "브라우저는 헤더를 무시하고 기본값을 씁니다."],
        ),
    };
    said(
        title,
        why,
        stacks(Stacks {
            nginx: NGINX_REFERRER,
            nginx_where: SERVER_BLOCK,
            cloudfront: SECURITY_POLICY,
            django: [
                "`SECURE_REFERRER_POLICY = \"strict-origin-when-cross-origin\"` with SecurityMiddleware.",
                "SecurityMiddleware와 함께 `SECURE_REFERRER_POLICY = \"strict-origin-when-cross-origin\"`.",
            ],
            express: HELMET,
            spring: [
                "`http.headers(h -> h.referrerPolicy(r -> r.policy(ReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN)))`.",
                "`http.headers(h -> h.referrerPolicy(r -> r.policy(ReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN)))`.",
            ],
        }),
    )
}

fn cors_fix() -> [String; 2] {
    stacks(Stacks {
        nginx: r#"add_header Access-Control-Allow-Origin "https://www.example.com" always;"#,
        nginx_where: [
            "with the frontend's exact origin, never `$http_origin`",
            "프론트엔드의 정확한 출처로, `$http_origin`은 절대 쓰지 마세요",
        ],
        cloudfront: [
            "a response headers policy with CORS: Access-Control-Allow-Origin = your frontend's origin only, Access-Control-Allow-Credentials on (not the managed CORS policies: they answer *).",
            "CORS를 설정한 응답 헤더 정책: Access-Control-Allow-Origin = 프론트엔드의 출처 하나만, Access-Control-Allow-Credentials 켬 (관리형 CORS 정책은 *로 답하므로 쓰지 마세요).",
        ],
        django: [
            "django-cors-headers with `CORS_ALLOWED_ORIGINS = [\"https://www.example.com\"]`, never `CORS_ALLOW_ALL_ORIGINS = True` together with `CORS_ALLOW_CREDENTIALS = True`.",
            "django-cors-headers에 `CORS_ALLOWED_ORIGINS = [\"https://www.example.com\"]`. `CORS_ALLOW_ALL_ORIGINS = True`를 `CORS_ALLOW_CREDENTIALS = True`와 함께 쓰지 마세요.",
        ],
        express: [
            "`app.use(cors({ origin: \"https://www.example.com\", credentials: true }))`, never `origin: true` or `\"*\"` with credentials.",
            "`app.use(cors({ origin: \"https://www.example.com\", credentials: true }))`. credentials와 함께 `origin: true`나 `\"*\"`를 쓰지 마세요.",
        ],
        spring: [
            "`config.setAllowedOrigins(List.of(\"https://www.example.com\")); config.setAllowCredentials(true);`, never `setAllowedOriginPatterns(List.of(\"*\"))` with credentials.",
            "`config.setAllowedOrigins(List.of(\"https://www.example.com\")); config.setAllowCredentials(true);`. credentials와 함께 `setAllowedOriginPatterns(List.of(\"*\"))`를 쓰지 마세요.",
        ],
    })
}

pub fn cors(code: &str) -> Said {
    match code {
        "any_origin_with_credentials" => said(
            ["Any website can read this API's answers with the visitor's cookies", "어느 웹사이트든 방문자의 쿠키로 이 API의 응답을 읽을 수 있습니다"],
            [
                "Asked from an origin nobody allowed, the API answered with that origin in Access-Control-Allow-Origin and Access-Control-Allow-Credentials: true: it copies whatever Origin it gets. A page on any site a logged-in user visits can call the API as that user and read the answers.",
                "아무도 허용하지 않은 출처에서 요청했는데, API가 Access-Control-Allow-Origin에 그 출처를, 그리고 Access-Control-Allow-Credentials: true를 돌려주었습니다: 받은 Origin을 그대로 복사합니다. 로그인한 사용자가 방문하는 어느 사이트의 페이지든 그 사용자로서 API를 호출하고 응답을 읽을 수 있습니다.",
            ],
            cors_fix(),
        ),
        "wildcard_with_credentials" => said(
            ["CORS answers * together with Access-Control-Allow-Credentials: true", "CORS가 *와 Access-Control-Allow-Credentials: true를 함께 보냅니다"],
            [
                "Browsers refuse * on requests with cookies, so calls with credentials fail today; the usual 'fix', echoing the request's Origin, would open the API to every site.",
                "브라우저는 쿠키가 있는 요청에 *를 받아들이지 않아서 지금은 자격 증명을 실은 호출이 실패합니다. 흔히 하는 '해결', 즉 요청의 Origin을 그대로 돌려주는 것은 API를 모든 사이트에 열어 버립니다.",
            ],
            cors_fix(),
        ),
        "any_origin" => plain([
            "CORS allows any origin, without cookies (fine for public data only)".into(),
            "CORS가 모든 출처를 쿠키 없이 허용합니다 (공개 데이터에만 괜찮습니다)".into(),
        ]),
        "public" => plain([
            "CORS: Access-Control-Allow-Origin: * without credentials (public data)".into(),
            "CORS: 자격 증명 없는 Access-Control-Allow-Origin: * (공개 데이터)".into(),
        ]),
        _ => plain([
            "CORS does not share answers with an origin nobody allowed".into(),
            "CORS가 허용되지 않은 출처와 응답을 공유하지 않습니다".into(),
        ]),
    }
}

/// The cookie-flags fix in every stack (used by `browser::cookies`).
pub fn cookie_fix() -> [String; 2] {
    stacks(Stacks {
        nginx: "proxy_cookie_flags ~ secure httponly samesite=lax;",
        nginx_where: ["next to proxy_pass (nginx 1.19.3 or newer)", "proxy_pass 옆에 (nginx 1.19.3 이상)"],
        cloudfront: [
            "CloudFront passes the app's Set-Cookie on unchanged: set the flags in the app.",
            "CloudFront는 앱의 Set-Cookie를 그대로 전달합니다: 앱에서 플래그를 설정하세요.",
        ],
        django: [
            "`SESSION_COOKIE_SECURE = True` and `CSRF_COOKIE_SECURE = True` (HttpOnly and SameSite=Lax are the session cookie's defaults).",
            "`SESSION_COOKIE_SECURE = True`와 `CSRF_COOKIE_SECURE = True` (HttpOnly와 SameSite=Lax는 세션 쿠키의 기본값입니다).",
        ],
        express: [
            "`app.set(\"trust proxy\", 1)` and `session({ cookie: { secure: true, httpOnly: true, sameSite: \"lax\" } })`.",
            "`app.set(\"trust proxy\", 1)`, 그리고 `session({ cookie: { secure: true, httpOnly: true, sameSite: \"lax\" } })`.",
        ],
        spring: [
            "`server.servlet.session.cookie.secure=true`, `server.servlet.session.cookie.http-only=true`, `server.servlet.session.cookie.same-site=lax` (Spring Boot properties).",
            "`server.servlet.session.cookie.secure=true`, `server.servlet.session.cookie.http-only=true`, `server.servlet.session.cookie.same-site=lax` (Spring Boot 속성).",
        ],
    })
}
