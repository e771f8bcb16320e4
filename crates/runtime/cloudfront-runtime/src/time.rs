//! Clocks and sleeping behind traits, so retry and credential tests run on a fake clock
//! instead of waiting.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cloudfront_primitives::DateTime;

/// A boxed future, as the runtime's object-safe traits return.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Tells the time.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> DateTime;
}

/// Waits.
pub trait Sleep: Send + Sync + std::fmt::Debug {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// The system clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime {
        DateTime::now()
    }
}

/// Sleeping with tokio's timer.
#[derive(Debug, Default)]
pub struct TokioSleep;

impl Sleep for TokioSleep {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock and sleeper for tests: sleeping advances the clock at once and records the wait.
#[derive(Debug, Clone)]
pub struct FakeTime {
    state: Arc<Mutex<(DateTime, Vec<Duration>)>>,
}

impl FakeTime {
    /// Starts at `now`.
    pub fn new(now: DateTime) -> Self {
        FakeTime { state: Arc::new(Mutex::new((now, Vec::new()))) }
    }

    /// Moves the clock forward.
    pub fn advance(&self, by: Duration) {
        let mut state = self.state.lock().expect("not poisoned");
        state.0 = add(state.0, by);
    }

    /// Every sleep requested so far.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state.lock().expect("not poisoned").1.clone()
    }
}

fn add(time: DateTime, by: Duration) -> DateTime {
    let nanos = u64::from(time.subsec_nanos()) + u64::from(by.subsec_nanos());
    DateTime::from_secs_and_nanos(
        time.secs() + by.as_secs() as i64 + (nanos / 1_000_000_000) as i64,
        (nanos % 1_000_000_000) as u32,
    )
}

impl Clock for FakeTime {
    fn now(&self) -> DateTime {
        self.state.lock().expect("not poisoned").0
    }
}

impl Sleep for FakeTime {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        let mut state = self.state.lock().expect("not poisoned");
        state.0 = add(state.0, duration);
        state.1.push(duration);
        Box::pin(std::future::ready(()))
    }
}

/// Seconds from `earlier` to `later` (negative when `later` is earlier).
pub fn seconds_between(earlier: DateTime, later: DateTime) -> f64 {
    (later.secs() - earlier.secs()) as f64 + (f64::from(later.subsec_nanos()) - f64::from(earlier.subsec_nanos())) / 1e9
}
