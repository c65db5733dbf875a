//! The one-line HTTPS grade per name (issue 23), computed from a report's findings alone, so a
//! report stored before the grade existed gets one too, and the CLI, the server and the browser
//! can never disagree.
//!
//! Two halves, as the two reference tools grade: the response headers are scored the way Mozilla's
//! HTTP Observatory scores them (start at 100, subtract each test's penalty; each test counts
//! once, with its worst result), and the letter of that score is then capped by the TLS findings
//! the way SSL Labs caps its grade (a certificate or handshake failure is an F, TLS 1.0/1.1
//! accepted is at most a B). The README's "HTTPS grade" section is this table in words.

use super::{Area, Finding, Verdict};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A grade, worst first, so the lower of two letters is the worse one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Letter {
    F,
    D,
    C,
    B,
    A,
    #[serde(rename = "A+")]
    APlus,
}

impl Letter {
    pub fn as_str(self) -> &'static str {
        match self {
            Letter::APlus => "A+",
            Letter::A => "A",
            Letter::B => "B",
            Letter::C => "C",
            Letter::D => "D",
            Letter::F => "F",
        }
    }

    /// The Observatory's letter for a header score, without its + and -: A+ at 100 (nothing
    /// missing), A from 85, B from 65, C from 45, D from 25, F below.
    pub fn from_score(score: i32) -> Letter {
        match score {
            s if s >= 100 => Letter::APlus,
            s if s >= 85 => Letter::A,
            s if s >= 65 => Letter::B,
            s if s >= 45 => Letter::C,
            s if s >= 25 => Letter::D,
            _ => Letter::F,
        }
    }
}

impl fmt::Display for Letter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one finding does to the grade.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Observatory points taken off the header score.
    Points(i32),
    /// The grade can be no better than this letter.
    Cap(Letter),
}

/// One reason a name did not get an A+.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradeReason {
    pub check: String,
    pub code: String,
    pub effect: Effect,
    /// A few words: what lowered the grade.
    pub en: String,
    pub ko: String,
}

/// The grade of one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostGrade {
    pub host: String,
    pub letter: Letter,
    /// The header score as the HTTP Observatory counts it (100 with nothing missing; bonuses are
    /// not counted); `None` when no HTTPS answer of this name was seen.
    pub score: Option<i32>,
    /// Worst first.
    pub reasons: Vec<GradeReason>,
}

impl HostGrade {
    /// `api.example.com: B (no Content-Security-Policy −25; TLS 1.0 or 1.1 accepted: at most B)`.
    pub fn line(&self, korean: bool) -> String {
        let mut out = format!("{}: {}", self.host, self.letter);
        if let Some(s) = self.score {
            if korean {
                out.push_str(&format!(" (헤더 {s}/100)"));
            } else {
                out.push_str(&format!(" (headers {s}/100)"));
            }
        }
        if !self.reasons.is_empty() {
            let parts: Vec<String> = self
                .reasons
                .iter()
                .map(|r| {
                    let label = if korean { &r.ko } else { &r.en };
                    match (r.effect, korean) {
                        (Effect::Points(p), _) => format!("{label} {p}"),
                        (Effect::Cap(l), false) => format!("{label}: at most {l}"),
                        (Effect::Cap(l), true) => format!("{label}: 최대 {l}"),
                    }
                })
                .collect();
            out.push_str(": ");
            out.push_str(&parts.join("; "));
        }
        out
    }
}

/// A rule of the table: a finding (check and code) and what it does. `test` groups the rules of
/// one Observatory test: only the worst of a test counts.
struct Rule {
    check: &'static str,
    code: &'static str,
    test: &'static str,
    effect: Effect,
    en: &'static str,
    ko: &'static str,
}

const fn pts(
    check: &'static str,
    code: &'static str,
    test: &'static str,
    p: i32,
    en: &'static str,
    ko: &'static str,
) -> Rule {
    Rule { check, code, test, effect: Effect::Points(p), en, ko }
}

const fn cap(check: &'static str, code: &'static str, l: Letter, en: &'static str, ko: &'static str) -> Rule {
    Rule { check, code, test: check, effect: Effect::Cap(l), en, ko }
}

/// The grading table (README "HTTPS grade"). Points are the Observatory's modifiers.
const RULES: &[Rule] = &[
    pts("http.hsts", "missing", "hsts", -20, "no HSTS", "HSTS 없음"),
    pts("http.hsts", "invalid", "hsts", -20, "HSTS header unreadable", "HSTS 헤더를 읽을 수 없음"),
    pts("http.hsts", "short", "hsts", -10, "HSTS max-age under 6 months", "HSTS max-age가 6개월 미만"),
    pts("headers.csp", "missing", "csp", -25, "no Content-Security-Policy", "Content-Security-Policy 없음"),
    pts("headers.csp", "unsafe_inline", "csp", -20, "CSP allows inline scripts", "CSP가 인라인 스크립트를 허용"),
    pts("headers.csp", "no_script_limit", "csp", -20, "CSP does not limit scripts", "CSP가 스크립트를 제한하지 않음"),
    pts("headers.csp", "insecure_scheme", "csp", -20, "CSP allows http:// resources", "CSP가 http:// 리소스를 허용"),
    pts("headers.csp", "unsafe_eval", "csp", -10, "CSP allows eval", "CSP가 eval을 허용"),
    pts("headers.content_type", "missing", "xcto", -5, "no X-Content-Type-Options", "X-Content-Type-Options 없음"),
    pts(
        "headers.content_type",
        "invalid",
        "xcto",
        -5,
        "X-Content-Type-Options not nosniff",
        "X-Content-Type-Options가 nosniff가 아님",
    ),
    pts("headers.frame", "missing", "frame", -20, "no framing protection", "프레임 삽입 방지 없음"),
    pts("headers.frame", "invalid", "frame", -20, "X-Frame-Options value ignored", "X-Frame-Options 값이 무시됨"),
    pts("headers.referrer", "unsafe", "referrer", -5, "Referrer-Policy leaks URLs", "Referrer-Policy가 URL을 노출"),
    pts("headers.referrer", "invalid", "referrer", -5, "Referrer-Policy unreadable", "Referrer-Policy를 읽을 수 없음"),
    pts(
        "cookies.flags",
        "session_not_secure",
        "cookies",
        -40,
        "session cookie without Secure",
        "Secure 없는 세션 쿠키",
    ),
    pts("cookies.flags", "not_http_only", "cookies", -30, "session cookie without HttpOnly", "HttpOnly 없는 세션 쿠키"),
    pts("cookies.flags", "not_secure", "cookies", -20, "cookie without Secure", "Secure 없는 쿠키"),
    pts(
        "cookies.flags",
        "samesite_none_insecure",
        "cookies",
        -20,
        "SameSite=None without Secure",
        "Secure 없는 SameSite=None",
    ),
    pts(
        "headers.cors",
        "any_origin_with_credentials",
        "cors",
        -50,
        "CORS open to every site, with cookies",
        "모든 사이트에 쿠키와 함께 열린 CORS",
    ),
    pts(
        "headers.cors",
        "wildcard_with_credentials",
        "cors",
        -50,
        "CORS * with credentials",
        "자격 증명과 함께 쓴 CORS *",
    ),
    pts(
        "cors.preflight",
        "wildcard_with_credentials",
        "cors",
        -50,
        "CORS * with credentials",
        "자격 증명과 함께 쓴 CORS *",
    ),
    pts(
        "http.redirect",
        "no_redirect",
        "redirect",
        -20,
        "http:// not redirected to https://",
        "http://가 https://로 리디렉션되지 않음",
    ),
    pts("http.redirect", "redirect_loop", "redirect", -20, "redirect loop", "리디렉션 루프"),
    pts("http.redirect", "too_many_redirects", "redirect", -20, "too many redirects", "리디렉션이 너무 많음"),
    pts(
        "http.redirect",
        "target_unreachable",
        "redirect",
        -20,
        "redirect to a dead address",
        "응답 없는 주소로 리디렉션",
    ),
    pts("http.redirect", "blocked", "redirect", -20, "redirect into a private network", "사설 네트워크로 리디렉션"),
    pts(
        "http.redirect",
        "redirect_elsewhere",
        "redirect",
        -5,
        "first redirect leaves the name",
        "첫 리디렉션이 다른 이름으로 감",
    ),
    cap("tls.protocols", "old_versions", Letter::B, "TLS 1.0 or 1.1 accepted", "TLS 1.0 또는 1.1 허용"),
    cap("tls.protocols", "no_tls13", Letter::A, "no TLS 1.3", "TLS 1.3 없음"),
    cap("tls.expiry", "expires_soon", Letter::A, "certificate renewal overdue", "인증서 갱신이 늦어짐"),
];

/// The checks whose failure means HTTPS itself does not work for the name: an F.
fn breaks_https(f: &Finding) -> bool {
    f.verdict == Verdict::Fail && (f.area == Area::Tls || matches!(f.check.as_str(), "tcp.https" | "dns.address"))
}

/// The host of a finding's subject: `https://api.team.com:443/x`, `api.team.com:443`,
/// `http://api.team.com/` and `[2001:db8::1]:443` all name their host.
pub fn subject_host(subject: &str) -> String {
    let s = subject.split_once("://").map(|(_, r)| r).unwrap_or(subject);
    let s = s.split('/').next().unwrap_or(s);
    let s = s.rsplit_once(':').filter(|(_, p)| p.chars().all(|c| c.is_ascii_digit())).map(|(h, _)| h).unwrap_or(s);
    s.to_ascii_lowercase()
}

/// One grade per name whose HTTPS port was looked at, in the order the report names them. A name
/// the doctor refused to connect to (a private address) gets none: nothing was seen.
pub fn grade(findings: &[Finding]) -> Vec<HostGrade> {
    let mut hosts: Vec<String> = Vec::new();
    for f in findings.iter().filter(|f| matches!(f.check.as_str(), "tcp.https" | "tls.handshake")) {
        let h = subject_host(&f.subject);
        if !hosts.contains(&h) {
            hosts.push(h);
        }
    }
    hosts
        .into_iter()
        .filter_map(|host| {
            let mine: Vec<&Finding> = findings.iter().filter(|f| subject_host(&f.subject) == host).collect();
            if mine.iter().any(|f| f.check == "tcp.https" && f.code == "blocked") {
                return None;
            }
            Some(grade_host(host, &mine))
        })
        .collect()
}

fn grade_host(host: String, mine: &[&Finding]) -> HostGrade {
    let mut reasons: Vec<GradeReason> = Vec::new();
    let reason = |f: &Finding, effect: Effect, en: &str, ko: &str| GradeReason {
        check: f.check.clone(),
        code: f.code.clone(),
        effect,
        en: en.to_string(),
        ko: ko.to_string(),
    };
    // HTTPS does not work: an F, named by the first failing finding.
    if let Some(f) = mine.iter().find(|f| breaks_https(f)) {
        let (ko, _, _) = f.said(true);
        reasons.push(reason(f, Effect::Cap(Letter::F), &f.title, ko));
    }
    // Observatory points: per test, only the worst result counts.
    let mut worst: Vec<(&'static str, i32, GradeReason)> = Vec::new();
    let mut caps: Vec<GradeReason> = Vec::new();
    for f in mine {
        for r in RULES.iter().filter(|r| r.check == f.check && r.code == f.code) {
            match r.effect {
                Effect::Points(p) => match worst.iter_mut().find(|(t, _, _)| *t == r.test) {
                    Some(w) if p < w.1 => *w = (r.test, p, reason(f, r.effect, r.en, r.ko)),
                    Some(_) => {}
                    None => worst.push((r.test, p, reason(f, r.effect, r.en, r.ko))),
                },
                Effect::Cap(_) => {
                    if !caps.iter().any(|c| c.check == r.check && c.code == r.code) {
                        caps.push(reason(f, r.effect, r.en, r.ko));
                    }
                }
            }
        }
    }
    let headers_seen = mine.iter().any(|f| f.check == "http.hsts" || f.check.starts_with("headers."));
    let score = headers_seen.then(|| (100 + worst.iter().map(|w| w.1).sum::<i32>()).max(0));
    let mut letter = score.map(Letter::from_score).unwrap_or(Letter::A);
    worst.sort_by_key(|w| w.1);
    reasons.extend(worst.into_iter().map(|w| w.2));
    if !headers_seen {
        // Graded on TLS alone: no A+ without the headers.
        caps.push(GradeReason {
            check: "headers".into(),
            code: "not_seen".into(),
            effect: Effect::Cap(Letter::A),
            en: "no HTTPS answer to read headers from".into(),
            ko: "헤더를 읽을 HTTPS 응답이 없음".into(),
        });
    }
    reasons.extend(caps);
    for r in &reasons {
        if let Effect::Cap(l) = r.effect {
            letter = letter.min(l);
        }
    }
    HostGrade { host, letter, score, reasons }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(check: &str, code: &str, subject: &str, v: Verdict) -> Finding {
        let area = if check.starts_with("tls.") { Area::Tls } else { Area::Http };
        Finding::new(check, code, area, subject, v).title(format!("{check} {code}")).ko(
            format!("{code} 한국어"),
            "",
            "",
        )
    }

    /// A site with every header right and a healthy TLS set-up.
    fn clean(host: &str) -> Vec<Finding> {
        vec![
            f("tcp.https", "open", &format!("{host}:443"), Verdict::Pass),
            f("tls.handshake", "ok", &format!("{host}:443"), Verdict::Pass),
            f("tls.certificate", "ok", host, Verdict::Pass),
            f("tls.expiry", "ok", host, Verdict::Pass),
            f("tls.protocols", "ok", host, Verdict::Pass),
            f("tls.chain", "ok", host, Verdict::Pass),
            f("http.redirect", "ok", &format!("http://{host}/"), Verdict::Pass),
            f("http.hsts", "ok", host, Verdict::Pass),
            f("headers.csp", "ok", host, Verdict::Pass),
            f("headers.content_type", "ok", host, Verdict::Pass),
            f("headers.frame", "ok", host, Verdict::Pass),
            f("headers.referrer", "missing", host, Verdict::Pass),
        ]
    }

    fn replace(fs: &mut [Finding], check: &str, code: &str, v: Verdict) {
        for x in fs.iter_mut().filter(|x| x.check == check) {
            *x = f(check, code, &x.subject, v);
        }
    }

    fn one(fs: &[Finding]) -> HostGrade {
        let mut g = grade(fs);
        assert_eq!(g.len(), 1, "{g:?}");
        g.remove(0)
    }

    #[test]
    fn everything_right_is_an_a_plus() {
        let g = one(&clean("api.example.com"));
        assert_eq!((g.letter, g.score), (Letter::APlus, Some(100)), "{g:?}");
        assert!(g.reasons.is_empty());
        assert_eq!(g.line(false), "api.example.com: A+ (headers 100/100)");
    }

    #[test]
    fn observatory_points_decide_the_letter() {
        // Each missing header alone.
        for (check, code, points, letter) in [
            ("http.hsts", "missing", 80, Letter::B),
            ("http.hsts", "short", 90, Letter::A),
            ("headers.csp", "missing", 75, Letter::B),
            ("headers.csp", "unsafe_inline", 80, Letter::B),
            ("headers.csp", "unsafe_eval", 90, Letter::A),
            ("headers.content_type", "missing", 95, Letter::A),
            ("headers.frame", "missing", 80, Letter::B),
            ("headers.referrer", "unsafe", 95, Letter::A),
        ] {
            let mut fs = clean("h.example");
            replace(&mut fs, check, code, Verdict::Pass);
            let g = one(&fs);
            assert_eq!((g.score, g.letter), (Some(points), letter), "{check}/{code}: {g:?}");
            assert_eq!(g.reasons.len(), 1);
            assert_eq!(g.reasons[0].effect, Effect::Points(points - 100));
        }
        // The typical bare nginx: no HSTS, CSP, nosniff or framing protection: 30, a D.
        let mut fs = clean("h.example");
        for c in ["http.hsts", "headers.csp", "headers.content_type", "headers.frame"] {
            replace(&mut fs, c, "missing", Verdict::Pass);
        }
        let g = one(&fs);
        assert_eq!((g.score, g.letter), (Some(30), Letter::D), "{g:?}");
        // Worst first, in the line too.
        assert_eq!(g.reasons[0].code, "missing");
        assert_eq!(g.reasons[0].check, "headers.csp");
        assert!(
            g.line(false).starts_with("h.example: D (headers 30/100): no Content-Security-Policy -25; "),
            "{}",
            g.line(false)
        );
        assert!(g.line(true).contains("Content-Security-Policy 없음 -25"), "{}", g.line(true));
    }

    #[test]
    fn each_test_counts_once_with_its_worst_result() {
        let mut fs = clean("h.example");
        for (code, v) in
            [("not_secure", Verdict::Warn), ("not_http_only", Verdict::Warn), ("session_not_secure", Verdict::Warn)]
        {
            fs.push(f("cookies.flags", code, "h.example", v));
        }
        let g = one(&fs);
        assert_eq!(g.score, Some(60), "only the -40 counts: {g:?}");
        assert_eq!(g.letter, Letter::C);
        // Two CORS findings of one test.
        let mut fs = clean("h.example");
        fs.push(f("cors.preflight", "wildcard_with_credentials", "https://h.example/api", Verdict::Fail));
        fs.push(f("headers.cors", "wildcard_with_credentials", "h.example", Verdict::Warn));
        assert_eq!(one(&fs).score, Some(50));
        let mut fs = clean("h.example");
        fs.push(f("headers.cors", "any_origin_with_credentials", "h.example", Verdict::Fail));
        assert_eq!(one(&fs).letter, Letter::C);
    }

    #[test]
    fn tls_findings_cap_the_letter() {
        // TLS 1.0/1.1: at most B, however good the headers.
        let mut fs = clean("h.example");
        replace(&mut fs, "tls.protocols", "old_versions", Verdict::Warn);
        let g = one(&fs);
        assert_eq!((g.letter, g.score), (Letter::B, Some(100)));
        assert_eq!(g.line(false), "h.example: B (headers 100/100): TLS 1.0 or 1.1 accepted: at most B");
        // A renewal that is overdue, or no TLS 1.3: no A+.
        for (check, code) in [("tls.expiry", "expires_soon"), ("tls.protocols", "no_tls13")] {
            let mut fs = clean("h.example");
            replace(&mut fs, check, code, Verdict::Warn);
            assert_eq!(one(&fs).letter, Letter::A, "{check}/{code}");
        }
        // The cap never raises a letter: a D stays a D under a B cap.
        let mut fs = clean("h.example");
        replace(&mut fs, "tls.protocols", "old_versions", Verdict::Warn);
        for c in ["http.hsts", "headers.csp", "headers.content_type", "headers.frame"] {
            replace(&mut fs, c, "missing", Verdict::Pass);
        }
        assert_eq!(one(&fs).letter, Letter::D);
    }

    #[test]
    fn https_that_does_not_work_is_an_f() {
        for (check, code) in [
            ("tls.certificate", "self_signed"),
            ("tls.expiry", "expired"),
            ("tls.expiry", "almost_expired"),
            ("tls.handshake", "old_protocol"),
            ("tls.chain", "weak_signature"),
        ] {
            let mut fs = clean("h.example");
            replace(&mut fs, check, code, Verdict::Fail);
            let g = one(&fs);
            assert_eq!(g.letter, Letter::F, "{check}/{code}");
            assert_eq!(g.reasons[0].effect, Effect::Cap(Letter::F));
            assert_eq!(g.reasons[0].en, format!("{check} {code}"), "the finding's own title names it");
            assert_eq!(g.reasons[0].ko, format!("{code} 한국어"));
        }
        // Nothing listens on 443.
        let fs = vec![
            f("dns.address", "ok", "h.example", Verdict::Pass),
            Finding::new("tcp.https", "refused", Area::Tcp, "h.example:443", Verdict::Fail).title("Port 443 refuses"),
        ];
        let g = one(&fs);
        assert_eq!((g.letter, g.score), (Letter::F, None));
    }

    #[test]
    fn one_grade_per_name_and_none_for_a_refused_address() {
        let mut fs = clean("api.example.com");
        fs.extend(clean("www.example.com"));
        replace(&mut fs[12..], "headers.csp", "missing", Verdict::Pass);
        fs.push(f("aws.health", "ok", "AWS account", Verdict::Pass));
        let g = grade(&fs);
        assert_eq!(
            g.iter().map(|g| (g.host.as_str(), g.letter)).collect::<Vec<_>>(),
            [("api.example.com", Letter::APlus), ("www.example.com", Letter::B)]
        );
        let blocked = vec![Finding::new("tcp.https", "blocked", Area::Tcp, "10.0.0.5:443", Verdict::Fail)];
        assert!(grade(&blocked).is_empty());
        // Headers never seen (the GET failed): graded on TLS alone, and said so.
        let fs: Vec<Finding> = clean("h.example")
            .into_iter()
            .filter(|x| !x.check.starts_with("headers.") && x.check != "http.hsts")
            .collect();
        let g = one(&fs);
        assert_eq!((g.letter, g.score), (Letter::A, None));
        assert!(g.line(false).contains("no HTTPS answer to read headers from"));
    }

    #[test]
    fn subjects_name_their_host() {
        for (s, h) in [
            ("https://API.team.com:443/x", "api.team.com"),
            ("api.team.com:443", "api.team.com"),
            ("http://api.team.com/", "api.team.com"),
            ("[2001:db8::1]:443", "[2001:db8::1]"),
            ("127.0.0.1", "127.0.0.1"),
        ] {
            assert_eq!(subject_host(s), h);
        }
        assert!(Letter::F < Letter::D && Letter::A < Letter::APlus);
        assert_eq!(serde_json::to_string(&Letter::APlus).unwrap_or_default(), "\"A+\"");
    }
}
