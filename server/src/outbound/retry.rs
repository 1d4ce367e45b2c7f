//! When to try a failed delivery again: exponential backoff with jitter, so a recovering gateway
//! is not hit by every sender at the same instant.

use std::time::Duration;

/// Exponential backoff: `base · 2^attempt`, capped at `max`, then "equal jitter" (half fixed,
/// half random) so retries spread out.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max: Duration,
    /// Attempts before an event is parked as dead.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(1),
            max: Duration::from_secs(300),
            max_attempts: 20,
        }
    }
}

impl RetryPolicy {
    /// The delay before attempt number `failed_attempts + 1`.
    pub fn delay(&self, failed_attempts: u32) -> Duration {
        let exp = self.base.saturating_mul(1u32 << failed_attempts.min(20));
        let capped = exp.min(self.max);
        let half = capped / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// Whether an event that has now failed `failed_attempts` times is given up.
    pub fn exhausted(&self, failed_attempts: u32) -> bool {
        failed_attempts >= self.max_attempts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delay_grows_exponentially_within_jitter_and_stays_under_the_cap() {
        let p = RetryPolicy {
            base: Duration::from_millis(100),
            max: Duration::from_secs(2),
            max_attempts: 5,
        };
        for attempt in 0..10 {
            let full = Duration::from_millis(100)
                .saturating_mul(1 << attempt)
                .min(Duration::from_secs(2));
            for _ in 0..50 {
                let d = p.delay(attempt);
                assert!(
                    d >= full / 2 && d <= full,
                    "attempt {attempt}: {d:?} not in [{:?}, {full:?}]",
                    full / 2
                );
            }
        }
    }

    #[test]
    fn exhausted_after_max_attempts() {
        let p = RetryPolicy {
            max_attempts: 3,
            ..Default::default()
        };
        assert!(!p.exhausted(2));
        assert!(p.exhausted(3));
    }
}
