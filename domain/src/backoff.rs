//! Retry delays: exponential backoff with "equal jitter".
//!
//! The delay for attempt `n` (0-based) is drawn from `[d/2, d]` where `d = min(max, base * 2^n)`.
//! Half is fixed so retries never bunch at zero; half is random so many runs throttled together
//! (Route 53's account-wide bucket) do not retry in lock-step.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub max: Duration,
    /// Attempts after which a retryable error is treated as fatal.
    pub max_attempts: u32,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { base: Duration::from_millis(500), max: Duration::from_secs(60), max_attempts: 12 }
    }
}

impl Backoff {
    /// The ceiling `d` for attempt `n`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let factor = 1u64.checked_shl(attempt.min(40)).unwrap_or(u64::MAX);
        let ms = (self.base.as_millis() as u64).saturating_mul(factor);
        Duration::from_millis(ms).min(self.max)
    }

    /// The delay before retry `attempt`, with `unit` a uniform random number in `[0, 1)`.
    pub fn delay(&self, attempt: u32, unit: f64) -> Duration {
        let d = self.ceiling(attempt).as_millis() as f64;
        let unit = unit.clamp(0.0, 1.0);
        Duration::from_millis((d / 2.0 + unit * d / 2.0).round() as u64)
    }

    pub fn exhausted(&self, attempt: u32) -> bool {
        attempt >= self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_stays_within_half_and_full_ceiling() {
        let b = Backoff::default();
        for attempt in 0..20 {
            let c = b.ceiling(attempt);
            for unit in [0.0, 0.25, 0.5, 0.999, 1.0] {
                let d = b.delay(attempt, unit);
                assert!(d >= c / 2 && d <= c, "attempt {attempt}: {d:?} outside [{:?}, {c:?}]", c / 2);
            }
        }
    }

    #[test]
    fn ceiling_grows_then_caps() {
        let b = Backoff { base: Duration::from_millis(100), max: Duration::from_secs(5), max_attempts: 3 };
        assert_eq!(b.ceiling(0), Duration::from_millis(100));
        assert_eq!(b.ceiling(3), Duration::from_millis(800));
        assert_eq!(b.ceiling(10), Duration::from_secs(5));
        assert_eq!(b.ceiling(1000), Duration::from_secs(5));
        assert!(b.exhausted(3) && !b.exhausted(2));
    }
}
