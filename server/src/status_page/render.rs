//! The page and its badge as HTML and SVG, in the visitor's language, without ARNs or account
//! ids.

use lockstep_domain::status::{self as rules, left_words, recheck_minutes, Badge, Check, DayState, HISTORY_DAYS};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Blanks out what a public page must not show: ARNs and 12-digit account ids.
pub fn public_text(s: &str) -> String {
    s.split_inclusive(char::is_whitespace)
        .map(|w| {
            let word = w.trim_end();
            let tail = &w[word.len()..];
            let core = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            if word.contains("arn:aws") {
                format!("(an AWS resource){tail}")
            } else if core.len() == 12 && core.bytes().all(|b| b.is_ascii_digit()) {
                format!("{}{tail}", word.replace(core, "(account)"))
            } else {
                w.to_string()
            }
        })
        .collect()
}

fn utc(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .map(|t| {
            format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", t.year(), u8::from(t.month()), t.day(), t.hour(), t.minute())
        })
        .unwrap_or_default()
}

/// The public page's language: Korean for a visitor whose browser prefers it, else English.
/// (The badge stays English: README badges are, and its width is measured for Latin letters.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PageLang {
    En,
    Ko,
}

impl PageLang {
    /// From `Accept-Language`: the preferred of Korean and English (q-values respected).
    pub fn from_accept_language(header: Option<&str>) -> PageLang {
        let mut best: Option<(f32, PageLang)> = None;
        for part in header.unwrap_or_default().split(',') {
            let mut bits = part.trim().split(';');
            let tag = bits.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = bits.find_map(|b| b.trim().strip_prefix("q=").and_then(|q| q.parse::<f32>().ok())).unwrap_or(1.0);
            let lang = match tag.split('-').next() {
                Some("ko") => PageLang::Ko,
                Some("en") => PageLang::En,
                _ => continue,
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or(PageLang::En)
    }
}

/// The page (in `lang`) and the badge for a project's checks, re-checked every
/// `interval_minutes` (or sooner for short-lived certificates).
pub fn render(
    project: &str,
    slug: &str,
    checks: &[Check],
    interval_minutes: i64,
    now: i64,
    lang: PageLang,
) -> (String, String) {
    let ko = lang == PageLang::Ko;
    let t = |en: &'static str, kr: &'static str| if ko { kr } else { en };
    // The latest check of each name, in the order names first appeared.
    let mut names: Vec<&str> = Vec::new();
    for c in checks {
        if !names.contains(&c.name.as_str()) {
            names.push(&c.name);
        }
    }
    let latest: Vec<Check> = names.iter().filter_map(|n| checks.iter().rev().find(|c| c.name == *n).cloned()).collect();
    let badge = rules::badge(&latest, now);
    let svg = rules::badge_svg(&badge);
    let headline = match (&badge, ko) {
        (Badge::Valid, false) => "All names serve valid HTTPS.".to_string(),
        (Badge::Valid, true) => "모든 이름이 유효한 HTTPS로 응답합니다.".to_string(),
        (Badge::ExpiresIn { left_ms, .. }, false) => {
            format!("HTTPS works; a certificate expires in {}.", left_words(*left_ms, false))
        }
        (Badge::ExpiresIn { left_ms, .. }, true) => {
            format!("HTTPS는 동작하지만, 인증서가 {} 뒤 만료됩니다.", left_words(*left_ms, true))
        }
        (Badge::Failing, false) => "HTTPS is failing on at least one name.".to_string(),
        (Badge::Failing, true) => "적어도 한 이름에서 HTTPS가 실패하고 있습니다.".to_string(),
        (Badge::Unknown, _) => t("Not checked yet.", "아직 점검하지 않았습니다.").to_string(),
    };
    let mut rows = String::new();
    for c in &latest {
        let state = if c.ok {
            format!("<span class=ok data-state=ok>{}</span>", t("HTTPS OK", "HTTPS 정상"))
        } else {
            // The failing check's own words are the doctor's title, as recorded in both languages.
            format!(
                "<span class=fail data-state=failing>{} {}</span>",
                t("Failing:", "실패:"),
                esc(&public_text(c.failing_in(ko).unwrap_or(t("the check failed", "점검에 실패했습니다"))))
            )
        };
        let expiry = match c.left_ms(now) {
            Some(left) if left < 0 => t("expired", "만료됨").to_string(),
            Some(left) => left_words(left, ko),
            None => t("unknown", "알 수 없음").to_string(),
        };
        // A short-lived certificate says so, with when lockstep starts to warn.
        let lifetime = match (c.short_lived(), c.lifetime_ms()) {
            (true, Some(l)) => {
                let warn = rules::thresholds(Some(l))[0].1;
                if ko {
                    format!(
                        " <span class=muted>({} 단기 인증서: {} 남으면 알림)</span>",
                        left_words(l, true),
                        left_words(warn, true)
                    )
                } else {
                    format!(
                        " <span class=muted>(a short-lived {} certificate: alerts when {} are left)</span>",
                        left_words(l, false),
                        left_words(warn, false)
                    )
                }
            }
            _ => String::new(),
        };
        // The grade, with what lowered it (no ARNs or account ids).
        let grade = match &c.grade {
            Some(letter) => {
                let why = c
                    .grade_why_in(ko)
                    .map(|w| format!(" <span class=muted>{}</span>", esc(&public_text(w))))
                    .unwrap_or_default();
                let class = match letter.as_str() {
                    "A+" | "A" => "ok",
                    "F" => "fail",
                    _ => "warn",
                };
                format!(
                    "<dt>{}</dt><dd data-grade=\"{g}\"><strong class={class}>{g}</strong>{why}</dd>",
                    t("HTTPS grade", "HTTPS 등급"),
                    g = esc(letter)
                )
            }
            None => String::new(),
        };
        let bar: String = rules::history(checks, &c.name, now)
            .iter()
            .map(|d| {
                let (class, what) = match d {
                    DayState::NoData => ("none", t("no data", "기록 없음")),
                    DayState::Ok => ("ok", t("ok", "정상")),
                    DayState::Partial => ("partial", t("some checks failed", "일부 점검 실패")),
                    DayState::Failing => ("fail", t("failing", "실패")),
                };
                format!("<i class={class} title=\"{what}\"></i>")
            })
            .collect();
        let last_days = if ko { format!("최근 {HISTORY_DAYS}일") } else { format!("last {HISTORY_DAYS} days") };
        rows.push_str(&format!(
            "<section class=name data-name=\"{n}\"><h2>{n}</h2><p>{state}</p>\
             <dl>{grade}<dt>{expires_in}</dt><dd data-expiry>{expiry}{lifetime}</dd><dt>{last_check}</dt><dd>{last}</dd></dl>\
             <div class=bar aria-label=\"{last_days}\">{bar}</div></section>",
            n = esc(&c.name),
            last = utc(c.at_ms),
            expires_in = t("Certificate expires in", "인증서 만료까지"),
            last_check = t("Last check", "마지막 점검"),
        ));
    }
    let incidents = rules::incidents(checks);
    let mut inc = String::new();
    for i in incidents.iter().rev().take(20) {
        inc.push_str(&format!(
            "<li data-incident><strong>{}</strong>: {} <span class=muted>({} {} {})</span></li>",
            esc(&i.name),
            esc(&public_text(i.what_in(ko))),
            utc(i.start_ms),
            t("to", "~"),
            i.end_ms.map(utc).unwrap_or_else(|| t("ongoing", "진행 중").into())
        ));
    }
    if inc.is_empty() {
        inc = format!(
            "<li class=muted>{}</li>",
            t("No incidents in the last 90 days.", "최근 90일 동안 장애가 없었습니다.")
        );
    }
    // How often the names are re-checked, and sooner for short-lived certificates.
    let every = recheck_minutes(interval_minutes, &latest);
    let schedule = match (every < interval_minutes, ko) {
        (false, false) => format!("Re-checked every {}.", left_words(interval_minutes * 60_000, false)),
        (false, true) => format!("{}마다 다시 점검합니다.", left_words(interval_minutes * 60_000, true)),
        (true, false) => format!(
            "Re-checked every {}; every {} while a short-lived certificate is served.",
            left_words(interval_minutes * 60_000, false),
            left_words(every * 60_000, false)
        ),
        (true, true) => format!(
            "{}마다 다시 점검합니다. 단기 인증서를 쓰는 동안에는 {}마다 점검합니다.",
            left_words(interval_minutes * 60_000, true),
            left_words(every * 60_000, true)
        ),
    };
    let page = format!(
        "<!DOCTYPE html><html lang={lang}><head><meta charset=utf-8><meta name=viewport content=\"width=device-width, initial-scale=1\">\
<title>{p} · {title}</title><style>\
body{{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1f2328}}\
.ok{{color:#17803d;font-weight:600}}.fail{{color:#c0262d;font-weight:600}}.muted{{color:#6b7280}}\
.name{{border:1px solid #d0d7de;border-radius:8px;padding:.8rem 1rem;margin:1rem 0}}h2{{margin:.2rem 0;font-size:1.1rem}}\
dl{{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem;margin:.5rem 0}}dd{{margin:0}}\
.bar{{display:flex;gap:1px;height:1.6rem}}.bar i{{flex:1;border-radius:1px}}.bar .ok{{background:#2da44e}}\
.warn{{color:#9a6700;font-weight:600}}.bar .partial{{background:#d4a72c}}.bar .fail{{background:#cf222e}}.bar .none{{background:#d0d7de}}\
</style></head><body><h1>{p}</h1><p><img src=\"/status/{s}/badge.svg\" alt=\"{h}\"></p><p data-headline>{h}</p>{rows}\
<h2>{incidents_title}</h2><ul>{inc}</ul><p class=muted>{footer} <span data-schedule>{schedule}</span></p></body></html>",
        lang = if ko { "ko" } else { "en" },
        title = t("HTTPS status", "HTTPS 상태"),
        incidents_title = t("Incidents", "장애 기록"),
        footer = t("Checked by lockstep from outside, as a browser would.", "lockstep이 브라우저처럼 바깥에서 점검했습니다."),
        p = esc(project),
        s = esc(slug),
        h = esc(&headline),
    );
    (page, svg)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_text_hides_arns_and_account_ids() {
        let t = public_text("Target group arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:targetgroup/x is empty in 123456789012.");
        assert!(!t.contains("arn:aws") && !t.contains("123456789012"), "{t}");
        assert!(t.contains("(an AWS resource)") && t.contains("(account)"), "{t}");
    }

    #[test]
    fn the_page_shows_each_state() {
        let day = 86_400_000;
        let now = 20_000 * day;
        let c = |name: &str, at: i64, ok: bool, days: Option<i64>| Check {
            name: name.into(),
            at_ms: at,
            ok,
            failing: (!ok)
                .then(|| "TLS: the certificate expired (arn:aws:acm:us-east-1:123456789012:certificate/x)".into()),
            failing_ko: (!ok)
                .then(|| "TLS: 인증서가 만료되었습니다 (arn:aws:acm:us-east-1:123456789012:certificate/x)".into()),
            not_after_ms: days.map(|d| now + d * day + 1000),
            ..Check::default()
        };
        let (valid, svg) =
            render("shop", "shop", &[c("api.team.com", now - 1000, true, Some(60))], 60, now, PageLang::En);
        assert!(valid.contains("HTTPS OK") && valid.contains("60 days") && svg.contains("valid"), "{valid}");
        let (soon, svg) =
            render("shop", "shop", &[c("api.team.com", now - 1000, true, Some(5))], 60, now, PageLang::En);
        assert!(soon.contains("expires in 5 day") && svg.contains("expires in 5 days"), "{soon}");
        let checks = [c("api.team.com", now - 2 * day, true, Some(5)), c("api.team.com", now - 1000, false, None)];
        let (failing, svg) = render("shop", "shop", &checks, 60, now, PageLang::En);
        assert!(failing.contains("Failing: TLS: the certificate expired") && svg.contains("failing"), "{failing}");
        assert!(failing.contains("data-incident") && failing.contains("ongoing"));
        assert!(!failing.contains("arn:aws") && !failing.contains("123456789012"));
        let (none, svg) = render("shop", "shop", &[], 60, now, PageLang::En);
        assert!(none.contains("Not checked yet") && svg.contains("not checked yet"));
        // Korean for a visitor who prefers it, the failing check's own words too (in the row
        // and in the incident), still without the ARN.
        let (ko, _) = render("shop", "shop", &checks, 60, now, PageLang::Ko);
        assert!(ko.contains("<html lang=ko>") && ko.contains("실패:") && ko.contains("장애 기록"), "{ko}");
        assert_eq!(ko.matches("TLS: 인증서가 만료되었습니다").count(), 2, "{ko}");
        assert!(!ko.contains("the certificate expired") && !ko.contains("arn:aws"), "{ko}");
        // A check recorded before Korean existed shows its English.
        let mut old = checks[1].clone();
        old.failing_ko = None;
        let (ko_old, _) = render("shop", "shop", &[old], 60, now, PageLang::Ko);
        assert!(ko_old.contains("실패: TLS: the certificate expired"), "{ko_old}");
        let (ok_ko, _) =
            render("shop", "shop", &[c("api.team.com", now - 1000, true, Some(60))], 60, now, PageLang::Ko);
        assert!(ok_ko.contains("HTTPS 정상") && ok_ko.contains("60일"), "{ok_ko}");
    }

    #[test]
    fn the_page_shows_each_grade_and_a_short_lived_certificate_as_such() {
        let hour = 3_600_000;
        let now = 20_000 * 86_400_000;
        let short = Check {
            name: "203.0.113.10".into(),
            at_ms: now - 1000,
            ok: true,
            not_before_ms: Some(now - 2 * 86_400_000),
            not_after_ms: Some(now + 4 * 86_400_000),
            grade: Some("B".into()),
            grade_why: Some("no Content-Security-Policy -25 (arn:aws:acm:us-east-1:123456789012:certificate/x)".into()),
            grade_why_ko: Some("Content-Security-Policy 없음 -25".into()),
            ..Check::default()
        };
        let (en, svg) = render("shop", "shop", std::slice::from_ref(&short), 1440, now, PageLang::En);
        assert!(en.contains("data-grade=\"B\"") && en.contains("no Content-Security-Policy -25"), "{en}");
        assert!(!en.contains("arn:aws") && !en.contains("123456789012"), "{en}");
        // 4 days left of 6 is fine: valid, with the lifetime and the point alerts start.
        assert!(
            en.contains("4 days") && en.contains("a short-lived 6 days certificate: alerts when 2 days are left"),
            "{en}"
        );
        assert!(svg.contains(">valid<"), "{svg}");
        assert!(
            en.contains("Re-checked every 24 hours; every 60 minutes while a short-lived certificate is served."),
            "{en}"
        );
        let (ko, _) = render("shop", "shop", std::slice::from_ref(&short), 1440, now, PageLang::Ko);
        assert!(
            ko.contains("HTTPS 등급") && ko.contains("Content-Security-Policy 없음") && ko.contains("6일 단기 인증서"),
            "{ko}"
        );
        // With 5 hours left the page and the badge say hours (amber); with 2 hours, red.
        let left = |ms: i64| Check {
            not_before_ms: Some(now + ms - 6 * 86_400_000),
            not_after_ms: Some(now + ms),
            ..short.clone()
        };
        let (page, svg) = render("shop", "shop", &[left(5 * hour)], 60, now, PageLang::En);
        assert!(page.contains("a certificate expires in 5 hours") && svg.contains("expires in 5 hours"), "{page}");
        assert!(svg.contains("#a15c00") && page.contains("Re-checked every 60 minutes."), "{svg}");
        let (_, svg) = render("shop", "shop", &[left(2 * hour)], 60, now, PageLang::En);
        assert!(svg.contains("expires in 2 hours") && svg.contains("#c0262d"), "{svg}");
    }

    #[test]
    fn the_page_language_follows_accept_language() {
        use PageLang::*;
        assert_eq!(PageLang::from_accept_language(Some("ko-KR,ko;q=0.9,en-US;q=0.8,en;q=0.7")), Ko);
        assert_eq!(PageLang::from_accept_language(Some("en-US,en;q=0.9,ko;q=0.8")), En);
        assert_eq!(PageLang::from_accept_language(Some("en;q=0.5, ko;q=0.8")), Ko);
        assert_eq!(PageLang::from_accept_language(Some("fr-FR,fr")), En);
        assert_eq!(PageLang::from_accept_language(None), En);
    }
}
