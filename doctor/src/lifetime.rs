//! How much of its life a certificate has left, judged against that life (issue 23 and 24).
//!
//! A 90-day certificate with 20 days left and a 6-day one with 2 days left are in the same state:
//! both have had their renewal due for a while. A fixed "warn under 21 days" would call every
//! short-lived certificate (Let's Encrypt's `shortlived` profile, about 6 days, the only kind for
//! an IP address) broken from the day it is issued. So:
//!
//! - renewal is due when a third of the lifetime is left, a half for lifetimes under 10 days
//!   (what certbot does since 4.0);
//! - **warn** when less than a third of the lifetime is left (at most 30 days before the end): a
//!   renewal should have happened;
//! - **fail** when less than a tenth is left (at most 10 days), or expired: it will stop working
//!   within days (hours, for a short-lived certificate).

use crate::tls::CertFacts;
use lockstep_domain::doctor::{Area, Finding, Verdict};
use time::{Duration, OffsetDateTime};

/// Lifetimes up to this are "short-lived": renewal must run every day or so.
pub const SHORT_LIVED: Duration = Duration::days(10);

/// When a certificate of this lifetime should be renewed, warned about, and failed: the time
/// left at each point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub renew: Duration,
    pub warn: Duration,
    pub fail: Duration,
}

pub fn thresholds(lifetime: Duration) -> Thresholds {
    let third = lifetime / 3_i32;
    Thresholds {
        renew: if lifetime < SHORT_LIVED { lifetime / 2_i32 } else { third.min(Duration::days(30)) },
        warn: third.min(Duration::days(30)),
        fail: (lifetime / 10_i32).min(Duration::days(10)),
    }
}

/// `5 days`, `30 hours`, `45 minutes`: days while there are two or more, then hours, then minutes.
pub fn span(d: Duration) -> [String; 2] {
    let d = d.abs();
    if d.whole_days() >= 2 {
        [format!("{} days", d.whole_days()), format!("{}일", d.whole_days())]
    } else if d.whole_hours() >= 2 {
        [format!("{} hours", d.whole_hours()), format!("{}시간", d.whole_hours())]
    } else {
        [format!("{} minutes", d.whole_minutes()), format!("{}분", d.whole_minutes())]
    }
}

/// `a 90-day certificate` / `90일짜리 인증서` (whole days from two days up, else hours).
fn kind(lifetime: Duration) -> [String; 2] {
    let days = lifetime.whole_days();
    let hours = lifetime.whole_hours();
    match (lifetime < SHORT_LIVED, days >= 2) {
        (true, true) => [format!("a short-lived {days}-day certificate"), format!("{days}일짜리 단기 인증서")],
        (true, false) => [format!("a short-lived {hours}-hour certificate"), format!("{hours}시간짜리 단기 인증서")],
        _ => [format!("a {days}-day certificate"), format!("{days}일짜리 인증서")],
    }
}

/// The `tls.expiry` finding.
pub fn expiry_finding(host: &str, leaf: &CertFacts, now: OffsetDateTime) -> Finding {
    let lifetime = leaf.not_after - leaf.not_before;
    let left = leaf.not_after - now;
    let t = thresholds(lifetime);
    let date = leaf.not_after.date();
    let [kind_en, kind_ko] = kind(lifetime);
    let [left_en, left_ko] = span(left);
    let [renew_en, _] = span(t.renew);
    let short = lifetime < SHORT_LIVED;
    let f = |code: &str, v: Verdict| {
        Finding::new("tls.expiry", code, Area::Tls, host, v)
            .evidence(format!("valid {} .. {} ({kind_en})", leaf.not_before, leaf.not_after))
            .evidence(format!("renewal due when {renew_en} are left"))
            .expires_at((leaf.not_after.unix_timestamp_nanos() / 1_000_000) as i64)
            .valid_from((leaf.not_before.unix_timestamp_nanos() / 1_000_000) as i64)
    };
    let renewal_en = if short {
        "A short-lived certificate lives days, not months: the renewal timer must run at least every few hours (certbot renews it when half its life is left), and a renewal that stops for a day or two takes the site down."
    } else {
        "Renewal normally happens when a third of the lifetime is left (certbot, 30 days before for a 90-day certificate; ACM, 60 days before); a certificate past that point means renewal is failing."
    };
    let renewal_ko = if short {
        "단기 인증서는 몇 달이 아니라 며칠만 유효합니다: 갱신 타이머가 적어도 몇 시간마다 실행되어야 하고(certbot은 수명의 절반이 남았을 때 갱신합니다), 갱신이 하루이틀만 멈춰도 사이트가 멈춥니다."
    } else {
        "갱신은 보통 수명의 3분의 1이 남았을 때 이루어집니다(certbot은 90일짜리 인증서를 만료 30일 전에, ACM은 60일 전에 갱신합니다). 그 시점을 지났다면 갱신이 실패하고 있는 것입니다."
    };
    let fix_en = "certbot: run `sudo certbot renew --dry-run` to see why it fails, and check the timer runs (`systemctl list-timers | grep certbot`) and that port 80 is open for HTTP-01. ACM: check the certificate's renewal status and that the validation CNAME is still in the zone.";
    let fix_ko = "certbot: `sudo certbot renew --dry-run`으로 실패 원인을 확인하고, 타이머가 실행되는지(`systemctl list-timers | grep certbot`)와 HTTP-01에 필요한 80번 포트가 열려 있는지 확인하세요. ACM: 인증서의 갱신 상태와 검증용 CNAME이 아직 호스팅 영역에 있는지 확인하세요.";
    if now > leaf.not_after {
        f("expired", Verdict::Fail)
            .title(format!("The certificate expired on {date} ({left_en} ago)"))
            .why("Browsers refuse expired certificates (NET::ERR_CERT_DATE_INVALID). Automatic renewal did not happen.")
            .fix("certbot: `sudo certbot renew` and check the timer (`systemctl list-timers | grep certbot`) and that port 80 is open for renewals. ACM renews by itself only while the validation CNAME stays in the zone and the certificate is in use.")
            .ko(
                format!("인증서가 {date}에 만료되었습니다 ({left_ko} 전)"),
                "브라우저는 만료된 인증서를 거부합니다 (NET::ERR_CERT_DATE_INVALID). 자동 갱신이 이루어지지 않았습니다.",
                "certbot: `sudo certbot renew`를 실행하고, 타이머(`systemctl list-timers | grep certbot`)와 갱신에 필요한 80번 포트가 열려 있는지 확인하세요. ACM은 검증용 CNAME이 호스팅 영역에 남아 있고 인증서가 사용 중일 때만 스스로 갱신합니다.",
            )
    } else if now < leaf.not_before {
        f("not_yet_valid", Verdict::Fail)
            .title(format!("The certificate is valid only from {}", leaf.not_before.date()))
            .ko(format!("인증서는 {}부터 유효합니다", leaf.not_before.date()), "", "")
    } else if left < t.fail {
        f("almost_expired", Verdict::Fail)
            .title(format!("The certificate expires in {left_en} ({date}), {kind_en}"))
            .why(format!(
                "Less than a tenth of its life is left: browsers will refuse it within {left_en}. {renewal_en}"
            ))
            .fix(fix_en)
            .ko(
                format!("인증서가 {left_ko} 뒤({date})에 만료됩니다, {kind_ko}"),
                format!("수명의 10분의 1도 남지 않았습니다: {left_ko} 안에 브라우저가 거부합니다. {renewal_ko}"),
                fix_ko,
            )
    } else if left < t.warn {
        f("expires_soon", Verdict::Warn)
            .title(format!("The certificate expires in {left_en} ({date}), {kind_en}: its renewal is overdue"))
            .why(format!("Less than a third of its life is left. {renewal_en}"))
            .fix(fix_en)
            .ko(
                format!("인증서가 {left_ko} 뒤({date})에 만료됩니다, {kind_ko}: 갱신이 늦어지고 있습니다"),
                format!("수명의 3분의 1도 남지 않았습니다. {renewal_ko}"),
                fix_ko,
            )
    } else if short {
        f("ok", Verdict::Pass)
            .title(format!(
                "The certificate is valid for another {left_en} (until {date}), {kind_en}: renewal must keep running"
            ))
            .why(renewal_en)
            .ko(
                format!(
                    "인증서가 앞으로 {left_ko} 더 유효합니다 ({date}까지), {kind_ko}: 갱신이 계속 실행되어야 합니다"
                ),
                renewal_ko,
                "",
            )
    } else {
        f("ok", Verdict::Pass).title(format!("The certificate is valid for another {left_en} (until {date})")).ko(
            format!("인증서가 앞으로 {left_ko} 더 유효합니다 ({date}까지)"),
            "",
            "",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(lifetime: Duration, left: Duration, now: OffsetDateTime) -> CertFacts {
        CertFacts {
            subject: "CN=h".into(),
            issuer: "CN=ca".into(),
            names: vec!["h".into()],
            not_before: now + left - lifetime,
            not_after: now + left,
            self_issued: false,
            weak_signature: false,
            rsa_bits: None,
        }
    }

    fn judge(lifetime: Duration, left: Duration) -> Finding {
        let now = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        expiry_finding("h", &cert(lifetime, left, now), now)
    }

    #[test]
    fn thresholds_follow_the_lifetime() {
        let t = thresholds(Duration::days(90));
        assert_eq!((t.renew, t.warn, t.fail), (Duration::days(30), Duration::days(30), Duration::days(9)));
        let t = thresholds(Duration::days(6));
        assert_eq!(
            (t.renew, t.warn, t.fail),
            (Duration::days(3), Duration::days(2), Duration::hours(14) + Duration::minutes(24))
        );
        // A 13-month ACM certificate: no warning four months early.
        let t = thresholds(Duration::days(395));
        assert_eq!((t.warn, t.fail), (Duration::days(30), Duration::days(10)));
    }

    /// The cases of issue 24: a 6-day certificate with 2 days left is fine, with 6 hours left it
    /// is not; a 90-day one keeps its usual thresholds.
    #[test]
    fn short_lived_and_usual_certificates() {
        let cases = [
            (Duration::days(6), Duration::days(5), "ok", Verdict::Pass),
            (Duration::days(6), Duration::days(2), "ok", Verdict::Pass),
            (Duration::days(6), Duration::hours(36), "expires_soon", Verdict::Warn),
            (Duration::days(6), Duration::hours(6), "almost_expired", Verdict::Fail),
            (Duration::hours(160), Duration::hours(60), "ok", Verdict::Pass),
            (Duration::days(90), Duration::days(60), "ok", Verdict::Pass),
            (Duration::days(90), Duration::days(31), "ok", Verdict::Pass),
            (Duration::days(90), Duration::days(29), "expires_soon", Verdict::Warn),
            (Duration::days(90), Duration::days(8), "almost_expired", Verdict::Fail),
            (Duration::days(90), -Duration::days(2), "expired", Verdict::Fail),
            (Duration::days(395), Duration::days(100), "ok", Verdict::Pass),
            (Duration::days(395), Duration::days(20), "expires_soon", Verdict::Warn),
        ];
        for (lifetime, left, code, v) in cases {
            let f = judge(lifetime, left);
            assert_eq!((f.code.as_str(), f.verdict), (code, v), "{lifetime} with {left} left: {}", f.title);
            assert!(f.ko.as_ref().is_some_and(|k| !k.what.is_empty()), "Korean title");
        }
    }

    /// The finding says the lifetime and what it means.
    #[test]
    fn the_words_name_the_lifetime() {
        let f = judge(Duration::days(6), Duration::days(2));
        assert!(
            f.title.contains("valid for another 2 days") && f.title.contains("short-lived 6-day certificate"),
            "{}",
            f.title
        );
        assert!(f.title.contains("renewal must keep running"));
        assert!(f.why.as_deref().unwrap_or("").contains("renewal timer"));
        assert!(f.evidence.iter().any(|e| e.contains("renewal due when 3 days are left")), "{:?}", f.evidence);
        let f = judge(Duration::days(6), Duration::hours(6));
        assert!(f.title.contains("expires in 6 hours"), "{}", f.title);
        let ko = f.ko.as_ref().map(|k| k.what.clone()).unwrap_or_default();
        assert!(ko.contains("6시간") && ko.contains("6일짜리 단기 인증서"), "{ko}");
        // Let's Encrypt's shortlived profile: 160 hours.
        let f = judge(Duration::hours(160), Duration::hours(100));
        assert!(f.title.contains("short-lived 6-day"), "{}", f.title);
        let f = judge(Duration::hours(36), Duration::hours(30));
        assert!(f.title.contains("short-lived 36-hour"), "{}", f.title);
        let f = judge(Duration::days(90), Duration::days(20));
        assert!(f.title.contains("a 90-day certificate: its renewal is overdue"), "{}", f.title);
        assert!(!f.why.as_deref().unwrap_or("").contains("short-lived"));
    }
}
