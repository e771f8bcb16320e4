//! Pacing a batch of calls: one pace shared by many workers, slowed down when the service
//! throttles and sped up again as calls get through. This is the caller's limit on how fast a
//! whole run goes; the adaptive retry mode's [`RateLimiter`](crate::retry::RateLimiter) is the
//! per-client limit the SDKs specify. Both live in this crate and nowhere else.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A pace shared by every worker that holds a clone: additive increase, multiplicative
/// decrease. It starts at its fastest rate; each throttle the caller reports halves the rate
/// (down to one call a minute), and each accepted call adds back a tenth of the fastest rate,
/// so the pace recovers once throttling stops.
#[derive(Debug, Clone)]
pub struct Pacer {
    /// The next free slot and the current rate.
    state: Arc<Mutex<(Instant, f64)>>,
    fastest: f64,
}

impl Pacer {
    /// The longest interval slowing down can reach.
    pub const SLOWEST: Duration = Duration::from_secs(60);

    /// At most one call per `interval` (the fastest pace).
    pub fn new(interval: Duration) -> Pacer {
        Pacer::per_second(1.0 / interval.as_secs_f64().max(1e-6))
    }

    /// At most `calls` calls a second (the fastest pace).
    pub fn per_second(calls: f64) -> Pacer {
        let fastest = if calls.is_finite() && calls > 0.0 { calls } else { 0.5 };
        Pacer { state: Arc::new(Mutex::new((Instant::now(), fastest))), fastest }
    }

    /// The shared state. Never held across an `.await`; a poisoned lock still holds a
    /// usable pace.
    fn state(&self) -> MutexGuard<'_, (Instant, f64)> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Waits for this caller's turn.
    pub async fn turn(&self) {
        let at = {
            let mut state = self.state();
            let at = state.0.max(Instant::now());
            state.0 = at + Duration::from_secs_f64(1.0 / state.1);
            at
        };
        tokio::time::sleep_until(at.into()).await;
    }

    /// Halves the rate, for every worker sharing this pacer.
    pub async fn slow_down(&self) {
        let slowest = (1.0 / Self::SLOWEST.as_secs_f64()).min(self.fastest);
        let mut state = self.state();
        state.1 = (state.1 / 2.0).max(slowest);
    }

    /// Adds a tenth of the fastest rate back, up to the fastest.
    pub async fn speed_up(&self) {
        let mut state = self.state();
        state.1 = (state.1 + self.fastest / 10.0).min(self.fastest);
    }

    /// The current interval between calls.
    pub async fn interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.state().1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn throttling_slows_every_worker_and_the_pace_recovers_after() {
        let pacer = Pacer::new(Duration::from_millis(10));
        let shared = pacer.clone();
        shared.slow_down().await;
        assert_eq!(pacer.interval().await, Duration::from_millis(20));
        for _ in 0..20 {
            pacer.slow_down().await;
        }
        assert_eq!(pacer.interval().await, Pacer::SLOWEST);
        // Additive increase: a tenth of the fastest rate per accepted call, never beyond it.
        for _ in 0..5 {
            pacer.speed_up().await;
        }
        let halfway = pacer.interval().await;
        assert!(halfway > Duration::from_millis(19) && halfway < Duration::from_millis(21), "{halfway:?}");
        for _ in 0..20 {
            pacer.speed_up().await;
        }
        assert_eq!(pacer.interval().await, Duration::from_millis(10));
    }
}
