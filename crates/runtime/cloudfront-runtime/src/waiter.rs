//! Waiting for a resource to reach a state, by the Smithy waiter rules: poll, match the
//! response against the waiter's acceptors (success, failure, retry), and between polls wait
//! an exponentially growing, jittered delay between the waiter's minimum and maximum, never
//! past the caller's maximum total wait.

use std::future::Future;
use std::time::Duration;

use crate::error::SdkError;
use crate::time::{Clock, Sleep, seconds_between};

/// The state an acceptor moves the waiter to.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcceptorState {
    /// The resource reached the wanted state.
    Success,
    /// The resource will not reach it.
    Failure,
    /// Not yet: poll again.
    Retry,
}

/// Delays and the overall limit of one wait.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaiterConfig {
    /// The shortest delay between polls.
    pub min_delay: Duration,
    /// The longest delay between polls.
    pub max_delay: Duration,
    /// The longest the whole wait may take.
    pub max_wait: Duration,
}

impl WaiterConfig {
    /// Polls at least `min_delay` and at most `max_delay` apart, for at most `max_wait`.
    pub fn new(min_delay: Duration, max_delay: Duration, max_wait: Duration) -> Self {
        WaiterConfig { min_delay, max_delay, max_wait }
    }
}

/// A wait that reached its success state.
#[non_exhaustive]
#[derive(Debug)]
pub struct Completed<O> {
    /// The last output (absent when success was an expected error).
    pub output: Option<O>,
    /// How many polls were made.
    pub attempts: u32,
    /// How long the wait took.
    pub waited: Duration,
}

/// Why a wait ended without success.
#[non_exhaustive]
#[derive(Debug)]
pub enum WaitError<O, E> {
    /// The maximum wait passed; `last` is the last output seen (its status says where the
    /// resource was).
    TimedOut {
        /// The last output seen.
        last: Option<O>,
        /// How many polls were made.
        attempts: u32,
        /// How long the wait took.
        waited: Duration,
    },
    /// A failure acceptor matched: the resource will not reach the state.
    FailureState {
        /// The output that matched the failure acceptor.
        output: Option<O>,
        /// The error that matched the failure acceptor.
        error: Option<SdkError<E>>,
    },
    /// A poll failed with an error no acceptor expects.
    Error(SdkError<E>),
}

impl<O, E> WaitError<O, E> {
    /// The same outcome with the output and the service error turned into other types (a
    /// caller that waits on several waiters keeps one error type this way).
    pub fn map<O2, E2>(self, output: impl Fn(O) -> O2, error: impl Fn(E) -> E2) -> WaitError<O2, E2> {
        match self {
            WaitError::TimedOut { last, attempts, waited } => {
                WaitError::TimedOut { last: last.map(&output), attempts, waited }
            }
            WaitError::FailureState { output: last, error: failed } => {
                WaitError::FailureState { output: last.map(&output), error: failed.map(|e| e.map_service(&error)) }
            }
            WaitError::Error(e) => WaitError::Error(e.map_service(&error)),
        }
    }
}

impl<O, E: std::fmt::Display> std::fmt::Display for WaitError<O, E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WaitError::TimedOut { attempts, waited, .. } => {
                write!(f, "gave up waiting after {attempts} polls over {:.0} s", waited.as_secs_f64())
            }
            WaitError::FailureState { error: Some(e), .. } => write!(f, "the waiter reached a failure state: {e}"),
            WaitError::FailureState { .. } => write!(f, "the waiter reached a failure state"),
            WaitError::Error(e) => write!(f, "{e}"),
        }
    }
}

impl<O: std::fmt::Debug, E: std::error::Error + 'static> std::error::Error for WaitError<O, E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WaitError::Error(e) | WaitError::FailureState { error: Some(e), .. } => Some(e),
            _ => None,
        }
    }
}

/// The delay before poll `attempt + 1` (1-based `attempt`), given a random fraction and the
/// time left: `min × 2^(attempt-1)` capped at `max`, jittered between `min` and that, and cut
/// so the wait ends on time.
pub fn delay(config: &WaiterConfig, attempt: u32, random: f64, remaining: Duration) -> Duration {
    let min = config.min_delay.as_secs_f64();
    let max = config.max_delay.as_secs_f64().max(min);
    let ceiling = if min > 0.0 { ((max / min).log2() + 1.0).floor() } else { 1.0 };
    let upper =
        if f64::from(attempt) > ceiling { max } else { (min * 2f64.powi(attempt.saturating_sub(1) as i32)).min(max) };
    let mut delay = min + random * (upper - min);
    let remaining = remaining.as_secs_f64();
    if remaining - delay <= min {
        delay = (remaining - min).max(0.0);
    }
    Duration::from_secs_f64(delay)
}

/// Polls until an acceptor ends the wait. `classify` maps each poll's result to the state of
/// the first matching acceptor (`None`: no acceptor matched).
pub async fn wait<O, E, F, Fut>(
    config: WaiterConfig,
    clock: &dyn Clock,
    sleep: &dyn Sleep,
    mut poll: F,
    classify: impl Fn(&Result<O, SdkError<E>>) -> Option<AcceptorState>,
) -> Result<Completed<O>, WaitError<O, E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<O, SdkError<E>>>,
{
    let started = clock.now();
    let mut last: Option<O> = None;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        let result = poll().await;
        let waited = Duration::from_secs_f64(seconds_between(started, clock.now()).max(0.0));
        match (classify(&result), result) {
            (Some(AcceptorState::Success), Ok(output)) => {
                return Ok(Completed { output: Some(output), attempts: attempt, waited });
            }
            (Some(AcceptorState::Success), Err(_)) => return Ok(Completed { output: None, attempts: attempt, waited }),
            (Some(AcceptorState::Failure), Ok(output)) => {
                return Err(WaitError::FailureState { output: Some(output), error: None });
            }
            (Some(AcceptorState::Failure), Err(e)) => {
                return Err(WaitError::FailureState { output: None, error: Some(e) });
            }
            (None, Err(e)) => return Err(WaitError::Error(e)),
            (Some(AcceptorState::Retry) | None, Ok(output)) => last = Some(output),
            (Some(AcceptorState::Retry), Err(_)) => {}
        }
        let remaining = config.max_wait.saturating_sub(waited);
        if remaining <= config.min_delay {
            return Err(WaitError::TimedOut { last, attempts: attempt, waited });
        }
        let pause = delay(&config, attempt, crate::retry::jitter(), remaining);
        if pause.is_zero() {
            return Err(WaitError::TimedOut { last, attempts: attempt, waited });
        }
        sleep.sleep(pause).await;
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::time::FakeTime;

    fn config() -> WaiterConfig {
        WaiterConfig {
            min_delay: Duration::from_secs(20),
            max_delay: Duration::from_secs(600),
            max_wait: Duration::from_secs(1800),
        }
    }

    #[test]
    fn delays_grow_exponentially_and_respect_the_deadline() {
        let c = config();
        let far = Duration::from_secs(100_000);
        assert_eq!(delay(&c, 1, 1.0, far), Duration::from_secs(20));
        assert_eq!(delay(&c, 2, 1.0, far), Duration::from_secs(40));
        assert_eq!(delay(&c, 3, 0.0, far), Duration::from_secs(20));
        assert_eq!(delay(&c, 10, 1.0, far), Duration::from_secs(600));
        assert_eq!(delay(&c, 10, 1.0, Duration::from_secs(100)), Duration::from_secs(80));
    }

    #[tokio::test]
    async fn completes_when_the_status_flips() {
        let time = FakeTime::new(cloudfront_primitives::DateTime::from_secs(0));
        let polls = Cell::new(0);
        let outcome = wait::<&str, std::convert::Infallible, _, _>(
            config(),
            &time,
            &time,
            || {
                polls.set(polls.get() + 1);
                let status = if polls.get() < 4 { "InProgress" } else { "Completed" };
                std::future::ready(Ok(status))
            },
            |r| matches!(r, Ok("Completed")).then_some(AcceptorState::Success),
        )
        .await
        .unwrap();
        assert_eq!((outcome.output, outcome.attempts), (Some("Completed"), 4));
        assert_eq!(time.sleeps().len(), 3);
        assert!(time.sleeps().iter().all(|d| *d >= Duration::from_secs(20)));
    }

    #[tokio::test]
    async fn times_out_with_the_last_status() {
        let time = FakeTime::new(cloudfront_primitives::DateTime::from_secs(0));
        let c = WaiterConfig { max_wait: Duration::from_secs(300), ..config() };
        let error = wait::<&str, std::convert::Infallible, _, _>(
            c,
            &time,
            &time,
            || std::future::ready(Ok("InProgress")),
            |_| None,
        )
        .await
        .unwrap_err();
        match error {
            WaitError::TimedOut { last, waited, .. } => {
                assert_eq!(last, Some("InProgress"));
                assert!(waited <= Duration::from_secs(300), "{waited:?}");
            }
            other => panic!("{other:?}"),
        }
    }
}
