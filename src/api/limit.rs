//! A client-side rate limit shared by every request of a crawl, and the range of rates a user may ask for.
//!
//! Requests are paced one interval apart (no burst), which keeps a crawl under Tray's 30 requests/second without
//! ever meeting a 429 in the first place. It must never let two requests take the same slot, and never panic on a
//! rate or a delay, however large or small: out-of-range rates are refused where they are parsed
//! ([`validate_rate_limit`]), and the arithmetic here saturates instead of overflowing.

use std::ops::RangeInclusive;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Rates a user may set (`--rate-limit`, `TRAYSCOPE_RATE_LIMIT`, `rate_limit`), in requests per second: from one
/// request every 100 s (a crawl that has to tiptoe) to far above anything Tray allows (a local fake).
pub const RATE_LIMIT_RANGE: RangeInclusive<f64> = 0.01..=1000.0;

/// Accepts a rate inside [`RATE_LIMIT_RANGE`]; the error says what is accepted and what was found.
pub fn validate_rate_limit(per_second: f64) -> Result<f64, String> {
    if RATE_LIMIT_RANGE.contains(&per_second) {
        Ok(per_second)
    } else {
        // `{}` spells 1e-300 with 300 zeros: very small and very large numbers are shown in exponent form.
        let found = if per_second != 0.0 && !(1e-3..1e9).contains(&per_second.abs()) {
            format!("{per_second:e}")
        } else {
            format!("{per_second}")
        };
        Err(format!(
            "expected {} to {} requests per second, found {found}",
            RATE_LIMIT_RANGE.start(),
            RATE_LIMIT_RANGE.end()
        ))
    }
}

/// Parses and checks a rate given as text (a flag or an environment variable).
pub fn parse_rate_limit(text: &str) -> Result<f64, String> {
    let number: f64 = text.trim().parse().map_err(|_| {
        format!(
            "expected a number of requests per second ({} to {}), found {:?}",
            RATE_LIMIT_RANGE.start(),
            RATE_LIMIT_RANGE.end(),
            crate::excerpt::cut(text, crate::excerpt::MAX_QUOTED_CHARS)
        )
    })?;
    validate_rate_limit(number)
}

/// How far ahead a slot can be pushed when the exact instant cannot be represented: as good as never.
const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);

/// `at + by`, saturating at a far-future instant instead of overflowing.
fn later(at: Instant, by: Duration) -> Instant {
    at.checked_add(by)
        .or_else(|| at.checked_add(FAR_FUTURE))
        .unwrap_or(at)
}

#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// `per_second` requests a second; zero, less or not a number means no limit. A rate so small that its interval
    /// cannot be represented waits as good as forever.
    pub fn new(per_second: f64) -> RateLimiter {
        let interval = if per_second > 0.0 {
            Duration::try_from_secs_f64(1.0 / per_second).unwrap_or(Duration::MAX)
        } else {
            Duration::ZERO
        };
        RateLimiter {
            interval,
            next: Mutex::new(None),
        }
    }

    /// Waits for this request's slot.
    pub async fn acquire(&self) {
        if self.interval.is_zero() {
            return;
        }
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            let slot = match *next {
                Some(at) if at > now => at,
                _ => now,
            };
            *next = Some(later(slot, self.interval));
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// Holds every later request back by `delay` (after a 429).
    pub fn pause(&self, delay: Duration) {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let resume = later(Instant::now(), delay);
        if next.is_none_or(|at| at < resume) {
            *next = Some(resume);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn slots_are_one_interval_apart() {
        let limiter = RateLimiter::new(10.0);
        let start = Instant::now();
        for _ in 0..5 {
            limiter.acquire().await;
        }
        // Five requests at 10/s: the fifth goes out 400 ms after the first.
        assert_eq!(Instant::now() - start, Duration::from_millis(400));
    }

    #[tokio::test(start_paused = true)]
    async fn pause_delays_the_next_slot() {
        let limiter = RateLimiter::new(100.0);
        limiter.acquire().await;
        let start = Instant::now();
        limiter.pause(Duration::from_secs(2));
        limiter.acquire().await;
        assert!(Instant::now() - start >= Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn zero_means_unlimited() {
        let limiter = RateLimiter::new(0.0);
        let start = Instant::now();
        for _ in 0..100 {
            limiter.acquire().await;
        }
        assert_eq!(Instant::now(), start);
    }

    #[tokio::test(start_paused = true)]
    async fn rates_too_small_to_represent_do_not_overflow() {
        for rate in [1e-19, 1e-300, f64::MIN_POSITIVE] {
            let limiter = RateLimiter::new(rate);
            limiter.acquire().await;
            // The next slot is as good as never; taking it must not overflow either.
            limiter.acquire().await;
            limiter.pause(Duration::MAX);
        }
        assert!(RateLimiter::new(f64::NAN).interval.is_zero());
    }

    #[test]
    fn the_rate_range_is_checked_once_for_every_spelling() {
        assert_eq!(parse_rate_limit("25"), Ok(25.0));
        assert_eq!(parse_rate_limit(" 0.01 "), Ok(0.01));
        assert_eq!(parse_rate_limit("1000"), Ok(1000.0));
        for bad in [
            "0", "-1", "1e-19", "1e-300", "1000.5", "inf", "NaN", "fast", "",
        ] {
            let err = parse_rate_limit(bad).unwrap_err();
            assert!(err.contains("0.01 to 1000"), "{bad}: {err}");
        }
        assert!(validate_rate_limit(f64::NAN).is_err());
        assert!(
            parse_rate_limit("1e-300")
                .unwrap_err()
                .ends_with("found 1e-300")
        );
        assert!(
            parse_rate_limit("5000")
                .unwrap_err()
                .ends_with("found 5000")
        );
    }
}
