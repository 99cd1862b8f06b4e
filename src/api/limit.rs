//! A client-side rate limit shared by every request of a crawl.
//!
//! Requests are paced one interval apart (no burst), which keeps a crawl under Tray's 30 requests/second without
//! ever meeting a 429 in the first place. It must never let two requests take the same slot.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug)]
pub struct RateLimiter {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl RateLimiter {
    /// `per_second` requests a second; zero or less means no limit.
    pub fn new(per_second: f64) -> RateLimiter {
        let interval = if per_second > 0.0 && per_second.is_finite() {
            Duration::from_secs_f64(1.0 / per_second)
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
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// Holds every later request back by `delay` (after a 429).
    pub fn pause(&self, delay: Duration) {
        let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
        let resume = Instant::now() + delay;
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
}
