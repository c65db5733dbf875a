//! The public status page of a project, its badge, and the alerts its scheduled re-checks send.
//!
//! Pure rules (no I/O): from the stored results of the doctor's re-checks, what the page shows
//! (per name: OK or the failing check, its HTTPS grade, the certificate's time left, last check,
//! a 90-day history bar, incidents) and which alerts are due. Expiry is judged against each
//! certificate's own lifetime (`lifetime.rs`). An alert is keyed so it is sent once per
//! threshold: the expiry thresholds are tied to the certificate's own expiry date (a renewed
//! certificate starts again), failure and recovery to the incident they belong to. The server
//! stores the keys it sent; `alerts_due` never returns one twice, across restarts.

mod lifetime;

pub use lifetime::{left_words, reached, recheck_minutes, thresholds, CHECKS_PER_LIFETIME, SHORT_LIVED_MS};
use serde::{Deserialize, Serialize};

/// Days before expiry at which an alert goes out, for certificates of 63 days and more (shorter
/// ones: scaled, see `lifetime.rs`).
pub const EXPIRY_THRESHOLDS: [i64; 4] = [21, 14, 7, 1];

/// The days the history bar covers.
pub const HISTORY_DAYS: i64 = 90;

const DAY_MS: i64 = 86_400_000;

/// One re-check of one name, as stored.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub name: String,
    pub at_ms: i64,
    pub ok: bool,
    /// The first failing check in plain words (e.g. "TLS certificate: expired"), when not ok.
    pub failing: Option<String>,
    /// The same in Korean (checks recorded before Korean existed have none).
    #[serde(default)]
    pub failing_ko: Option<String>,
    /// The certificate's notAfter, when a certificate was seen.
    pub not_after_ms: Option<i64>,
    /// Its notBefore (checks stored before lifetimes were recorded have none).
    #[serde(default)]
    pub not_before_ms: Option<i64>,
    /// The name's HTTPS grade (`A+` to `F`, `domain::doctor::grade`), when its HTTPS was seen.
    #[serde(default)]
    pub grade: Option<String>,
    /// What lowered the grade, in English and Korean (`HostGrade::line`).
    #[serde(default)]
    pub grade_why: Option<String>,
    #[serde(default)]
    pub grade_why_ko: Option<String>,
}

impl Check {
    /// The failing check's words in Korean when `korean` (the English when none was recorded).
    pub fn failing_in(&self, korean: bool) -> Option<&str> {
        crate::text::korean_or_english(korean, self.failing.as_deref(), self.failing_ko.as_deref())
    }

    /// What lowered the grade, in Korean when `korean` (the English when none was recorded).
    pub fn grade_why_in(&self, korean: bool) -> Option<&str> {
        crate::text::korean_or_english(korean, self.grade_why.as_deref(), self.grade_why_ko.as_deref())
    }

    /// Whole days until the certificate expires (negative when expired).
    pub fn expiry_days(&self, now_ms: i64) -> Option<i64> {
        self.not_after_ms.map(|t| (t - now_ms).div_euclid(DAY_MS))
    }
}

/// A day of the history bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayState {
    NoData,
    Ok,
    /// Some checks failed that day, some passed.
    Partial,
    Failing,
}

/// A stretch of failing checks of one name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Incident {
    pub name: String,
    pub start_ms: i64,
    /// `None` while it is still failing.
    pub end_ms: Option<i64>,
    pub what: String,
    #[serde(default)]
    pub what_ko: Option<String>,
}

impl Incident {
    /// What failed, in Korean when `korean` and recorded.
    pub fn what_in(&self, korean: bool) -> &str {
        crate::text::korean_or_english(korean, Some(&self.what), self.what_ko.as_deref()).unwrap_or(&self.what)
    }
}

/// The oldest-first history bar of `name` for the `HISTORY_DAYS` days ending today (UTC).
pub fn history(checks: &[Check], name: &str, now_ms: i64) -> Vec<DayState> {
    let today = now_ms.div_euclid(DAY_MS);
    let mut days = vec![DayState::NoData; HISTORY_DAYS as usize];
    for c in checks.iter().filter(|c| c.name == name) {
        let age = today - c.at_ms.div_euclid(DAY_MS);
        if !(0..HISTORY_DAYS).contains(&age) {
            continue;
        }
        let cell = &mut days[(HISTORY_DAYS - 1 - age) as usize];
        *cell = match (*cell, c.ok) {
            (DayState::NoData, true) => DayState::Ok,
            (DayState::NoData, false) => DayState::Failing,
            (DayState::Ok, false) | (DayState::Failing, true) => DayState::Partial,
            (same, _) => same,
        };
    }
    days
}

/// The incidents of every name, oldest first: from the first failing check after a passing one
/// (or the first check) to the next passing check.
pub fn incidents(checks: &[Check]) -> Vec<Incident> {
    let mut sorted: Vec<&Check> = checks.iter().collect();
    sorted.sort_by_key(|c| c.at_ms);
    let mut open: Vec<Incident> = Vec::new();
    let mut done: Vec<Incident> = Vec::new();
    for c in sorted {
        let at = open.iter().position(|i| i.name == c.name);
        match (at, c.ok) {
            (None, false) => open.push(Incident {
                name: c.name.clone(),
                start_ms: c.at_ms,
                end_ms: None,
                what: c.failing.clone().unwrap_or_else(|| "the check failed".into()),
                what_ko: Some(c.failing_ko.clone().unwrap_or_else(|| "점검에 실패했습니다".into())),
            }),
            (Some(i), true) => {
                let mut inc = open.remove(i);
                inc.end_ms = Some(c.at_ms);
                done.push(inc);
            }
            _ => {}
        }
    }
    done.extend(open);
    done.sort_by_key(|i| i.start_ms);
    done
}

/// What the badge says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Badge {
    Valid,
    /// Time left (ms) on the certificate nearest its first alert threshold; `urgent` once it is
    /// past the last one (red).
    ExpiresIn {
        left_ms: i64,
        urgent: bool,
    },
    Failing,
    Unknown,
}

/// The badge for the latest check of every name: failing when any fails, else "expires in ..."
/// when a certificate has reached its first alert threshold (relative to its lifetime), else
/// valid.
pub fn badge(latest: &[Check], now_ms: i64) -> Badge {
    if latest.is_empty() {
        return Badge::Unknown;
    }
    if latest.iter().any(|c| !c.ok) {
        return Badge::Failing;
    }
    let due = latest
        .iter()
        .filter_map(|c| {
            let left = c.left_ms(now_ms)?;
            let reached = reached(c.lifetime_ms(), left)?;
            Some((left, reached == EXPIRY_THRESHOLDS[3]))
        })
        .min();
    match due {
        Some((left_ms, urgent)) => Badge::ExpiresIn { left_ms, urgent },
        None => Badge::Valid,
    }
}

/// The badge as a shields-style SVG (no script, no external reference).
pub fn badge_svg(b: &Badge) -> String {
    let (value, color) = match b {
        Badge::Valid => ("valid".to_string(), "#17803d"),
        Badge::ExpiresIn { left_ms, urgent } => {
            (format!("expires in {}", left_words(*left_ms, false)), if *urgent { "#c0262d" } else { "#a15c00" })
        }
        Badge::Failing => ("failing".to_string(), "#c0262d"),
        Badge::Unknown => ("not checked yet".to_string(), "#6b7280"),
    };
    let label = "https";
    // About 6.5 px per character of 11 px Verdana, plus padding.
    let lw = 10 + (label.len() as u32 * 13).div_ceil(2);
    let vw = 10 + (value.len() as u32 * 13).div_ceil(2);
    let w = lw + vw;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"20\" role=\"img\" aria-label=\"{label}: {value}\">\
<title>{label}: {value}</title>\
<rect width=\"{lw}\" height=\"20\" fill=\"#555\"/><rect x=\"{lw}\" width=\"{vw}\" height=\"20\" fill=\"{color}\"/>\
<g fill=\"#fff\" font-family=\"Verdana,DejaVu Sans,sans-serif\" font-size=\"11\" text-anchor=\"middle\">\
<text x=\"{}\" y=\"14\">{label}</text><text x=\"{}\" y=\"14\">{value}</text></g></svg>",
        lw / 2,
        lw + vw / 2
    )
}

/// One check per name from a doctor report: a name fails when any finding about it fails
/// (findings about no name in particular, such as the AWS account's, count for the first name,
/// the API); its certificate's notBefore and notAfter come from its `tls.expiry` finding, its
/// grade from `doctor::grade`.
pub fn checks_from_report(report: &crate::doctor::Report, names: &[String], at_ms: i64) -> Vec<Check> {
    use crate::doctor::Verdict;
    let grades = report.grades();
    let owner = |subject: &str| -> Option<usize> {
        let host = crate::doctor::subject_host(subject);
        names.iter().position(|n| n.eq_ignore_ascii_case(&host)).or(Some(0)).filter(|_| !names.is_empty())
    };
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let mine: Vec<_> = report.findings.iter().filter(|f| owner(&f.subject) == Some(i)).collect();
            let failed = mine.iter().find(|f| f.verdict == Verdict::Fail);
            let failing = failed.map(|f| f.title.clone());
            let failing_ko = failed.map(|f| f.said(true).0.to_string());
            let expiry = mine.iter().find(|f| f.check == "tls.expiry");
            let grade = grades.iter().find(|g| g.host.eq_ignore_ascii_case(name));
            Check {
                name: name.clone(),
                at_ms,
                ok: failing.is_none(),
                failing,
                failing_ko,
                not_after_ms: expiry.and_then(|f| f.expires_at_ms),
                not_before_ms: expiry.and_then(|f| f.valid_from_ms),
                grade: grade.map(|g| g.letter.as_str().to_string()),
                grade_why: grade.and_then(|g| why_line(g, false)),
                grade_why_ko: grade.and_then(|g| why_line(g, true)),
            }
        })
        .collect()
}

/// The reasons part of a grade's line (after `host: letter`), `None` for a clean A+.
fn why_line(g: &crate::doctor::HostGrade, korean: bool) -> Option<String> {
    let line = g.line(korean);
    let head = format!("{}: {}", g.host, g.letter);
    let rest = line.strip_prefix(&head).unwrap_or(&line).trim_start_matches([':', ' ']).trim();
    (!rest.is_empty()).then(|| rest.to_string())
}

/// An alert to send, with the key that makes it once-only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// `expiry:NAME:NOTAFTER:DAYS`, `failure:NAME:START`, `recovery:NAME:START`.
    pub key: String,
    pub text: String,
    /// The same in Korean.
    pub ko: String,
}

/// The alerts `latest` (this check of one name) makes due, given the previous check of that
/// name and the keys already sent. Expiry: the smallest threshold reached, only if none at or
/// below it was sent for this certificate (a check that jumps from 30 to 5 days sends "7", not
/// three alerts). Failure: when the check fails and the incident it belongs to has not been
/// announced; recovery: when it passes after a failure.
pub fn alerts_due(
    latest: &Check,
    previous: Option<&Check>,
    incident_start_ms: Option<i64>,
    sent: &[String],
    now_ms: i64,
) -> Vec<Alert> {
    let mut out = Vec::new();
    let name = &latest.name;
    if let (Some(left), Some(not_after)) = (latest.left_ms(now_ms), latest.not_after_ms) {
        let lifetime = latest.lifetime_ms();
        if let Some(t) = reached(lifetime, left) {
            // This threshold, or a lower one (a later alert), already went out for this certificate.
            let already =
                EXPIRY_THRESHOLDS.iter().any(|x| *x <= t && sent.contains(&format!("expiry:{name}:{not_after}:{x}")));
            if !already {
                let (en, ko) = (left_words(left, false), left_words(left, true));
                // A short-lived certificate's alert says so: its renewal runs every few hours.
                let (short_en, short_ko) = if latest.short_lived() {
                    (
                        format!(
                            " It is a short-lived certificate ({} in all): its renewal timer must be running.",
                            left_words(lifetime.unwrap_or_default(), false)
                        ),
                        format!(
                            " 단기 인증서입니다(전체 {}): 갱신 타이머가 실행되고 있어야 합니다.",
                            left_words(lifetime.unwrap_or_default(), true)
                        ),
                    )
                } else {
                    (String::new(), String::new())
                };
                out.push(Alert {
                    key: format!("expiry:{name}:{not_after}:{t}"),
                    text: if left < 0 {
                        format!("The certificate of {name} has expired: browsers now refuse the site. Renew it (certbot renew, or check ACM's renewal).")
                    } else {
                        format!("The certificate of {name} expires in {en}. Renew it before then (certbot renew, or check ACM's renewal status).{short_en}")
                    },
                    ko: if left < 0 {
                        format!("{name}의 인증서가 만료되었습니다. 이제 브라우저가 사이트를 거부합니다. 인증서를 갱신하세요(certbot renew, 또는 ACM의 갱신 상태 확인).")
                    } else {
                        format!("{name}의 인증서가 {ko} 뒤 만료됩니다. 그 전에 갱신하세요(certbot renew, 또는 ACM의 갱신 상태 확인).{short_ko}")
                    },
                });
            }
        }
    }
    match (latest.ok, previous.map(|p| p.ok), incident_start_ms) {
        (false, _, Some(start)) => {
            let key = format!("failure:{name}:{start}");
            if !sent.contains(&key) {
                out.push(Alert {
                    key,
                    text: format!(
                        "HTTPS on {name} is failing: {}.",
                        latest.failing.as_deref().unwrap_or("the check failed")
                    ),
                    ko: format!(
                        "{name}의 HTTPS가 실패하고 있습니다: {}",
                        latest.failing_in(true).unwrap_or("점검에 실패했습니다")
                    ),
                });
            }
        }
        (true, Some(false), Some(start)) => {
            let key = format!("recovery:{name}:{start}");
            if !sent.contains(&key) {
                out.push(Alert {
                    key,
                    text: format!("HTTPS on {name} works again."),
                    ko: format!("{name}의 HTTPS가 다시 정상입니다."),
                });
            }
        }
        _ => {}
    }
    out
}

/// The webhook body, sent as JSON: `text` for Slack, `content` for Discord (each ignores the
/// other's field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookBody {
    pub text: String,
    pub content: String,
}

///
/// The alert goes to a team's channel, whose readers' language lockstep does not know: it says
/// it in English, then in Korean on the next line.
pub fn webhook_body(project: &str, alert: &Alert) -> WebhookBody {
    let line = format!("lockstep · {project}: {}\n{}", alert.text, alert.ko);
    WebhookBody { text: line.clone(), content: line }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_becomes_one_check_per_name() {
        use crate::doctor::{Area, Finding, Report, Verdict};
        let f = |check: &str, subject: &str, v: Verdict| {
            Finding::new(check, "x", Area::Tls, subject, v).title(format!("{check} on {subject}"))
        };
        let report = Report {
            target: "https://api.team.com/".into(),
            origin: Some("https://www.team.com".into()),
            checked_at: String::new(),
            millis: 0,
            findings: vec![
                f("tls.expiry", "api.team.com", Verdict::Pass)
                    .expires_at(NOW + 40 * DAY_MS)
                    .valid_from(NOW - 50 * DAY_MS),
                f("tls.handshake", "api.team.com:443", Verdict::Pass),
                f("tls.handshake", "www.team.com:443", Verdict::Pass),
                f("tls.certificate", "www.team.com:443", Verdict::Fail),
                f("aws.health", "AWS account", Verdict::Pass),
            ],
        };
        let names = ["api.team.com".to_string(), "www.team.com".to_string()];
        let checks = checks_from_report(&report, &names, NOW);
        assert_eq!(checks.len(), 2);
        assert!(checks[0].ok && checks[0].expiry_days(NOW) == Some(40));
        assert!(!checks[1].ok);
        assert_eq!(checks[1].failing.as_deref(), Some("tls.certificate on www.team.com:443"));
        // No Korean written for this finding: the Korean falls back to the English title.
        assert_eq!(checks[1].failing_in(true), Some("tls.certificate on www.team.com:443"));
        assert_eq!(checks[1].not_after_ms, None);
        // The lifetime and each name's grade come along; a failing certificate is an F.
        assert_eq!(checks[0].lifetime_ms(), Some(90 * DAY_MS));
        assert_eq!((checks[0].grade.as_deref(), checks[1].grade.as_deref()), (Some("A"), Some("F")), "{checks:?}");
        assert!(checks[1].grade_why.is_some() && checks[1].grade_why_in(true).is_some(), "{checks:?}");
    }

    const NOW: i64 = 1_795_536_000_000;

    fn check(name: &str, at_ms: i64, ok: bool, days_left: Option<i64>) -> Check {
        Check {
            name: name.into(),
            at_ms,
            ok,
            failing: (!ok).then(|| "TLS handshake: connection refused".into()),
            failing_ko: (!ok).then(|| "TLS 핸드셰이크: 연결이 거부되었습니다".into()),
            not_after_ms: days_left.map(|d| NOW + d * DAY_MS + 3_600_000),
            ..Check::default()
        }
    }

    #[test]
    fn history_marks_each_day_and_mixes_partial_days() {
        let checks = vec![
            check("api.team.com", NOW, true, Some(60)),
            check("api.team.com", NOW - 3_600_000, false, Some(60)),
            check("api.team.com", NOW - 2 * DAY_MS, false, Some(60)),
            check("api.team.com", NOW - 200 * DAY_MS, true, Some(60)),
            check("www.team.com", NOW - DAY_MS, true, Some(60)),
        ];
        let h = history(&checks, "api.team.com", NOW);
        assert_eq!(h.len(), 90);
        assert_eq!(h[89], DayState::Partial, "today: one pass, one failure");
        assert_eq!(h[88], DayState::NoData, "the other name's check is not this one's");
        assert_eq!(h[87], DayState::Failing);
        assert!(h[..87].iter().all(|d| *d == DayState::NoData), "200 days ago is off the bar");
    }

    #[test]
    fn incidents_run_from_the_first_failure_to_the_next_pass() {
        let checks = vec![
            check("a", NOW - 5000, true, None),
            check("a", NOW - 4000, false, None),
            check("a", NOW - 3000, false, None),
            check("a", NOW - 2000, true, None),
            check("a", NOW - 1000, false, None),
        ];
        let inc = incidents(&checks);
        assert_eq!(inc.len(), 2);
        assert_eq!((inc[0].start_ms, inc[0].end_ms), (NOW - 4000, Some(NOW - 2000)));
        assert_eq!((inc[1].start_ms, inc[1].end_ms), (NOW - 1000, None));
        assert!(inc[0].what.contains("connection refused"));
    }

    #[test]
    fn badge_says_failing_expiring_or_valid() {
        assert_eq!(badge(&[], NOW), Badge::Unknown);
        assert_eq!(badge(&[check("a", NOW, true, Some(60))], NOW), Badge::Valid);
        let nine = badge(&[check("a", NOW, true, Some(60)), check("b", NOW, true, Some(9))], NOW);
        assert_eq!(nine, Badge::ExpiresIn { left_ms: 9 * DAY_MS + 3_600_000, urgent: false });
        assert_eq!(badge(&[check("a", NOW, false, Some(60))], NOW), Badge::Failing);
        let svg = badge_svg(&nine);
        assert!(svg.starts_with("<svg") && svg.contains("expires in 9 days") && !svg.contains("<script"));
        assert!(svg.contains("#a15c00"), "{svg}");
        assert!(badge_svg(&Badge::Failing).contains("#c0262d"));
        // A 6-day certificate with 4 days left is valid (the same 4 days on a 90-day one are not);
        // with 2 hours left it is urgent.
        let short = |left_ms: i64| Check {
            not_before_ms: Some(NOW + left_ms - 6 * DAY_MS),
            not_after_ms: Some(NOW + left_ms),
            ok: true,
            ..Check::default()
        };
        assert_eq!(badge(&[short(4 * DAY_MS)], NOW), Badge::Valid);
        assert!(matches!(badge(&[check("a", NOW, true, Some(4))], NOW), Badge::ExpiresIn { urgent: false, .. }));
        let urgent = badge(&[short(2 * 3_600_000)], NOW);
        assert_eq!(urgent, Badge::ExpiresIn { left_ms: 2 * 3_600_000, urgent: true });
        assert!(badge_svg(&urgent).contains("expires in 2 hours") && badge_svg(&urgent).contains("#c0262d"));
    }

    #[test]
    fn a_short_lived_certificate_alerts_relative_to_its_lifetime() {
        // A 6-day certificate, checked every 6 hours from issue to expiry: nothing until a third
        // of its life is left, then each scaled threshold once, the short-lived words included.
        let not_before = NOW;
        let not_after = NOW + 6 * DAY_MS;
        let mut sent: Vec<String> = Vec::new();
        let mut first_at = None;
        for step in 0..=24 {
            let now = NOW + step * 6 * 3_600_000;
            let c = Check {
                name: "1.2.3.4".into(),
                at_ms: now,
                ok: true,
                not_before_ms: Some(not_before),
                not_after_ms: Some(not_after),
                ..Check::default()
            };
            for a in alerts_due(&c, None, None, &sent, now) {
                first_at.get_or_insert(not_after - now);
                assert!(a.text.contains("short-lived") && a.ko.contains("단기 인증서"), "{a:?}");
                sent.push(a.key);
            }
        }
        assert_eq!(first_at, Some(2 * DAY_MS), "the first alert comes with a third of the life left");
        let labels: Vec<&str> = sent.iter().map(|k| k.rsplit(':').next().unwrap_or_default()).collect();
        assert_eq!(labels, ["21", "14", "7", "1"], "{sent:?}");
    }

    #[test]
    fn each_expiry_threshold_is_sent_once_and_a_jump_sends_only_the_lowest() {
        let mut sent: Vec<String> = Vec::new();
        let mut count = 0;
        // One certificate, checked daily from 30 days left down to 0: 21, 14, 7, 1, each once.
        let cert = check("api.team.com", NOW, true, Some(30));
        for day in 0..=30 {
            let now = NOW + day * DAY_MS;
            let c = Check { at_ms: now, ..cert.clone() };
            for a in alerts_due(&c, None, None, &sent, now) {
                sent.push(a.key);
                count += 1;
            }
            // The same check again (a restart re-running it) sends nothing new.
            assert!(alerts_due(&c, None, None, &sent, now).is_empty(), "{day}");
        }
        assert_eq!(count, 4, "{sent:?}");
        // A check that jumps from 30 to 5 days left sends the 7-day alert only.
        let c = check("www.team.com", NOW, true, Some(5));
        let due = alerts_due(&c, None, None, &[], NOW);
        assert_eq!(due.len(), 1);
        assert!(due[0].key.ends_with(":7") && due[0].text.contains("5 days"), "{due:?}");
        assert!(due[0].ko.contains("5일 뒤 만료"), "{due:?}");
        // A renewed certificate (new notAfter) starts again.
        let renewed = Check { not_after_ms: Some(NOW + 20 * DAY_MS), ..c.clone() };
        let due = alerts_due(&renewed, None, None, &sent, NOW);
        assert_eq!(due.len(), 1, "{due:?}");
    }

    #[test]
    fn failure_and_recovery_once_per_incident() {
        let bad = check("a", NOW, false, None);
        let good = check("a", NOW + 1, true, None);
        let due = alerts_due(&bad, Some(&good), Some(NOW), &[], NOW);
        assert_eq!(due.len(), 1);
        assert!(due[0].text.contains("failing") && due[0].text.contains("connection refused"));
        assert!(due[0].ko.contains("실패") && due[0].ko.contains("연결이 거부"), "{:?}", due[0]);
        let sent = vec![due[0].key.clone()];
        assert!(alerts_due(&bad, Some(&bad), Some(NOW), &sent, NOW).is_empty(), "still the same incident");
        let due = alerts_due(&good, Some(&bad), Some(NOW), &sent, NOW);
        assert_eq!(due.len(), 1);
        assert!(due[0].text.contains("works again"));
        let body = webhook_body("capstone", &due[0]);
        assert_eq!(body.text, body.content);
        assert!(body.text.contains("capstone") && body.text.contains("works again"));
        assert!(body.text.ends_with("\na의 HTTPS가 다시 정상입니다."), "{}", body.text);
    }
}
