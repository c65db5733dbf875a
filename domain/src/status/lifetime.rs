//! Certificate lifetimes on the status page (issue 24): Let's Encrypt's short-lived certificates
//! (the `shortlived` profile, about 6 days, the only kind it issues for an IP address) make "expires
//! in 5 days" normal, not an emergency, and a renewal that stops for a day an outage. So the
//! alerts, the badge and the re-check interval scale with each certificate's own lifetime
//! (notAfter - notBefore), as the doctor's expiry check does (`doctor/src/lifetime.rs`).
//!
//! - **Alert thresholds**: 21, 14, 7 and 1 days left for certificates of 63 days and more (21 days
//!   is a third of 63); shorter ones have the same four thresholds scaled by lifetime / 63 days,
//!   so the first alert still comes when a third of the lifetime is left: a 6-day certificate
//!   alerts at 2 days, 32 hours, 16 hours and 2.3 hours left. The alert's key keeps the day label
//!   (`expiry:NAME:NOTAFTER:7`), so each threshold is sent once per certificate as before.
//! - **Re-checks**: the page's interval, but at least [`CHECKS_PER_LIFETIME`] per lifetime of the
//!   shortest certificate seen (a 6-day certificate: at least hourly), so every threshold is seen
//!   in time; never more often than every [`MIN_RECHECK_MINUTES`].

use super::{Check, EXPIRY_THRESHOLDS};

pub const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 24 * HOUR_MS;
/// Lifetimes from this one on use the day thresholds unscaled.
pub const FULL_SCALE_MS: i64 = 63 * DAY_MS;
/// Below this lifetime a certificate is "short-lived" (the doctor's limit too).
pub const SHORT_LIVED_MS: i64 = 10 * DAY_MS;
/// Re-checks per lifetime of the shortest certificate, at least.
pub const CHECKS_PER_LIFETIME: i64 = 144;
/// Re-checks never come closer than this, whatever the lifetime.
pub const MIN_RECHECK_MINUTES: i64 = 10;

impl Check {
    /// The certificate's lifetime (notAfter - notBefore), when both were seen.
    pub fn lifetime_ms(&self) -> Option<i64> {
        match (self.not_before_ms, self.not_after_ms) {
            (Some(from), Some(to)) if to > from => Some(to - from),
            _ => None,
        }
    }

    /// Time left until the certificate expires (negative once expired).
    pub fn left_ms(&self, now_ms: i64) -> Option<i64> {
        self.not_after_ms.map(|t| t - now_ms)
    }

    /// True for a certificate that lives less than [`SHORT_LIVED_MS`].
    pub fn short_lived(&self) -> bool {
        self.lifetime_ms().is_some_and(|l| l < SHORT_LIVED_MS)
    }
}

/// The expiry alert thresholds of a certificate of `lifetime_ms`, biggest first: `(day label,
/// time left in ms)`. An unknown lifetime is treated as a long one (checks stored before the
/// lifetime was recorded).
pub fn thresholds(lifetime_ms: Option<i64>) -> [(i64, i64); 4] {
    EXPIRY_THRESHOLDS.map(|days| {
        let full = days * DAY_MS;
        match lifetime_ms {
            Some(l) if l > 0 && l < FULL_SCALE_MS => {
                (days, (i128::from(full) * i128::from(l) / i128::from(FULL_SCALE_MS)) as i64)
            }
            _ => (days, full),
        }
    })
}

/// The smallest threshold `left_ms` has reached, as its day label.
pub fn reached(lifetime_ms: Option<i64>, left_ms: i64) -> Option<i64> {
    thresholds(lifetime_ms).iter().filter(|(_, ms)| left_ms <= *ms).map(|(label, _)| *label).min()
}

/// `5 days`, `30 hours`, `45 minutes` (English) or `5일`, `30시간`, `45분`: days while there are
/// two or more, then hours, then minutes; whole units, rounded down.
pub fn left_words(ms: i64, korean: bool) -> String {
    let ms = ms.max(0);
    let (n, en, ko) = if ms >= 2 * DAY_MS {
        (ms / DAY_MS, "day", "일")
    } else if ms >= 2 * HOUR_MS {
        (ms / HOUR_MS, "hour", "시간")
    } else {
        (ms / 60_000, "minute", "분")
    };
    if korean {
        format!("{n}{ko}")
    } else {
        format!("{n} {en}{}", if n == 1 { "" } else { "s" })
    }
}

/// Minutes until the next re-check: the page's `setting`, but at least [`CHECKS_PER_LIFETIME`]
/// per lifetime of the shortest certificate among `latest`, and never below
/// [`MIN_RECHECK_MINUTES`].
pub fn recheck_minutes(setting: i64, latest: &[Check]) -> i64 {
    let shortest = latest.iter().filter_map(Check::lifetime_ms).min();
    let by_lifetime = shortest.map(|l| (l / CHECKS_PER_LIFETIME / 60_000).max(MIN_RECHECK_MINUTES));
    match by_lifetime {
        Some(m) if m < setting => m,
        _ => setting,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cert(lifetime_days: i64) -> Check {
        Check { not_before_ms: Some(0), not_after_ms: Some(lifetime_days * DAY_MS), ..Check::default() }
    }

    #[test]
    fn long_certificates_keep_the_day_thresholds_and_short_ones_scale() {
        let days = |t: [(i64, i64); 4]| t.map(|(_, ms)| ms as f64 / DAY_MS as f64);
        assert_eq!(days(thresholds(Some(90 * DAY_MS))), [21.0, 14.0, 7.0, 1.0]);
        assert_eq!(days(thresholds(Some(395 * DAY_MS))), [21.0, 14.0, 7.0, 1.0]);
        assert_eq!(days(thresholds(None)), [21.0, 14.0, 7.0, 1.0]);
        // A 6-day certificate: a third of its life (2 days), then 32 h, 16 h and about 2.3 h.
        let six = thresholds(Some(6 * DAY_MS));
        assert_eq!(six.map(|(_, ms)| ms / 60_000), [2 * 24 * 60, 32 * 60, 16 * 60, 137]);
        assert_eq!(six.map(|(label, _)| label), EXPIRY_THRESHOLDS);
    }

    #[test]
    fn a_six_day_certificate_with_two_days_left_is_fine_with_six_hours_it_is_not() {
        let c = cert(6);
        assert_eq!(reached(c.lifetime_ms(), 4 * DAY_MS), None, "4 of 6 days left: nothing to say");
        assert_eq!(reached(c.lifetime_ms(), 2 * DAY_MS + HOUR_MS), None, "just over a third left");
        assert_eq!(reached(c.lifetime_ms(), 6 * HOUR_MS), Some(7), "6 hours left: the 16-hour threshold");
        assert_eq!(reached(c.lifetime_ms(), HOUR_MS), Some(1));
        // The same 5 days left on a 90-day certificate reach the 7-day threshold.
        assert_eq!(reached(cert(90).lifetime_ms(), 5 * DAY_MS), Some(7));
        assert!(c.short_lived() && !cert(90).short_lived());
    }

    #[test]
    fn time_left_reads_in_the_unit_that_matters() {
        assert_eq!(left_words(5 * DAY_MS + HOUR_MS, false), "5 days");
        assert_eq!(left_words(30 * HOUR_MS, false), "30 hours");
        assert_eq!(left_words(45 * 60_000, false), "45 minutes");
        assert_eq!(left_words(60_000, false), "1 minute");
        assert_eq!(left_words(30 * HOUR_MS, true), "30시간");
        assert_eq!(left_words(-5, false), "0 minutes");
    }

    #[test]
    fn re_checks_follow_the_shortest_lifetime() {
        assert_eq!(recheck_minutes(60, &[cert(90)]), 60, "a 90-day certificate: the setting");
        assert_eq!(recheck_minutes(1440, &[cert(90)]), 900, "daily is too rare even for 90 days: 15 h");
        assert_eq!(recheck_minutes(1440, &[cert(90), cert(6)]), 60, "a 6-day certificate: hourly");
        assert_eq!(recheck_minutes(1440, &[cert(1)]), MIN_RECHECK_MINUTES);
        assert_eq!(recheck_minutes(1440, &[Check::default()]), 1440, "no lifetime seen: the setting");
    }
}
