//! The credentials cache in front of the chain: credentials are reused until shortly before
//! they expire, and callers that find them stale at the same moment share one refresh.

use std::future::poll_fn;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Poll, Waker};

use super::{Credentials, CredentialsError, ProvideCredentials};
use crate::time::{BoxFuture, Clock, SystemClock, seconds_between};

/// Caches credentials and refreshes them this long before they expire.
const REFRESH_BEFORE_EXPIRY_SECS: f64 = 300.0;

/// Caches another provider's credentials until shortly before they expire; concurrent
/// callers share one refresh.
#[derive(Debug)]
pub struct CachingProvider {
    inner: Box<dyn ProvideCredentials>,
    clock: Arc<dyn Clock>,
    state: Mutex<State>,
}

/// What the cache holds. Its lock is never held across an `.await`, so a plain mutex does.
#[derive(Debug, Default)]
struct State {
    cached: Option<Credentials>,
    /// A caller is asking the inner provider.
    refreshing: bool,
    /// Callers waiting for that refresh to end.
    waiting: Vec<Waker>,
}

/// What a caller found: fresh credentials, or its turn to refresh them.
enum Found<'a> {
    Fresh(Credentials),
    Turn(Refresh<'a>),
}

/// The one refresh under way. Ending it, however it ends (done, failed, or dropped with its
/// caller), lets the waiting callers look again.
struct Refresh<'a> {
    state: &'a Mutex<State>,
}

impl Drop for Refresh<'_> {
    fn drop(&mut self) {
        let waiting = {
            let mut state = lock(self.state);
            state.refreshing = false;
            std::mem::take(&mut state.waiting)
        };
        waiting.into_iter().for_each(Waker::wake);
    }
}

fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    // Nothing panics while holding it; a poisoned lock still holds consistent state.
    state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl CachingProvider {
    /// Caches `inner`'s credentials, timed by the system clock.
    pub fn new(inner: Box<dyn ProvideCredentials>) -> Self {
        Self::with_clock(inner, Arc::new(SystemClock))
    }

    /// Caches `inner`'s credentials, timed by `clock`.
    pub fn with_clock(inner: Box<dyn ProvideCredentials>, clock: Arc<dyn Clock>) -> Self {
        CachingProvider { inner, clock, state: Mutex::default() }
    }

    /// Fresh cached credentials, or this caller's turn to refresh them, waiting while
    /// another caller refreshes.
    async fn fresh_or_turn(&self) -> Found<'_> {
        poll_fn(|cx| {
            // Read before the lock: nothing but the cache's own bookkeeping runs under it.
            let now = self.clock.now();
            let mut state = lock(&self.state);
            let fresh = |c: &&Credentials| {
                c.expiry.is_none_or(|expiry| seconds_between(now, expiry) > REFRESH_BEFORE_EXPIRY_SECS)
            };
            if let Some(credentials) = state.cached.as_ref().filter(fresh) {
                return Poll::Ready(Found::Fresh(credentials.clone()));
            }
            if !state.refreshing {
                state.refreshing = true;
                return Poll::Ready(Found::Turn(Refresh { state: &self.state }));
            }
            if !state.waiting.iter().any(|w| w.will_wake(cx.waker())) {
                state.waiting.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }
}

impl ProvideCredentials for CachingProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let refresh = match self.fresh_or_turn().await {
                Found::Fresh(credentials) => return Ok(credentials),
                Found::Turn(refresh) => refresh,
            };
            let credentials = self.inner.provide_credentials().await?;
            // Signing with credentials that are already expired only earns an opaque 403.
            let now = self.clock.now();
            if let Some(expiry) = credentials.expiry.filter(|expiry| seconds_between(now, *expiry) <= 0.0) {
                return Err(CredentialsError::Failed(format!(
                    "{}: the credentials it gave expired at {}",
                    credentials.source,
                    expiry.fmt(cloudfront_primitives::TimestampFormat::DateTime)
                )));
            }
            lock(&self.state).cached = Some(credentials.clone());
            drop(refresh);
            Ok(credentials)
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    use cloudfront_primitives::DateTime;

    use super::*;
    use crate::time::FakeTime;

    /// Counts its calls; each takes `delay`, and the first `failures` fail.
    #[derive(Debug)]
    struct Counting {
        calls: Arc<AtomicUsize>,
        expiry: DateTime,
        delay: Duration,
        failures: usize,
    }

    impl Counting {
        fn new(calls: &Arc<AtomicUsize>, expiry: DateTime) -> Counting {
            Counting { calls: calls.clone(), expiry, delay: Duration::ZERO, failures: 0 }
        }
    }

    impl ProvideCredentials for Counting {
        fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
            Box::pin(async move {
                let call = self.calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(self.delay).await;
                if call < self.failures {
                    return Err(CredentialsError::Failed(format!("call {call} failed")));
                }
                let mut c = Credentials::new("AKID", "secret", Some("token".into()));
                c.expiry = Some(self.expiry);
                Ok(c)
            })
        }
    }

    fn cache(inner: Counting) -> Arc<CachingProvider> {
        Arc::new(CachingProvider::with_clock(Box::new(inner), Arc::new(FakeTime::new(DateTime::from_secs(1_000_000)))))
    }

    /// `callers` calls at once; their results in the order they were started.
    async fn at_once(cache: &Arc<CachingProvider>, callers: usize) -> Vec<Result<Credentials, CredentialsError>> {
        let tasks: Vec<_> = (0..callers)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move { cache.provide_credentials().await })
            })
            .collect();
        let mut results = Vec::new();
        for task in tasks {
            results.push(task.await.unwrap());
        }
        results
    }

    #[tokio::test]
    async fn cache_refreshes_five_minutes_before_expiry() {
        let time = FakeTime::new(DateTime::from_secs(1_000_000));
        let calls = Arc::new(AtomicUsize::new(0));
        let inner = Counting::new(&calls, DateTime::from_secs(1_000_000 + 3600));
        let cache = CachingProvider::with_clock(Box::new(inner), Arc::new(time.clone()));
        cache.provide_credentials().await.unwrap();
        cache.provide_credentials().await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        time.advance(Duration::from_secs(3600 - 301));
        cache.provide_credentials().await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        time.advance(Duration::from_secs(2));
        cache.provide_credentials().await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2, "refreshed inside the five-minute window");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn callers_at_once_share_one_refresh() {
        let calls = Arc::new(AtomicUsize::new(0));
        let inner =
            Counting { delay: Duration::from_millis(50), ..Counting::new(&calls, DateTime::from_secs(2_000_000)) };
        let results = at_once(&cache(inner), 32).await;
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_refresh_lets_the_next_caller_try() {
        let calls = Arc::new(AtomicUsize::new(0));
        let inner = Counting {
            delay: Duration::from_millis(50),
            failures: 1,
            ..Counting::new(&calls, DateTime::from_secs(2_000_000))
        };
        let results = at_once(&cache(inner), 8).await;
        assert_eq!(results.iter().filter(|r| r.is_err()).count(), 1, "only the caller whose refresh failed");
        assert_eq!(calls.load(Ordering::SeqCst), 2, "one failure, then one refresh for all the others");
    }

    #[tokio::test]
    async fn an_abandoned_refresh_does_not_block_the_next_caller() {
        let calls = Arc::new(AtomicUsize::new(0));
        let inner =
            Counting { delay: Duration::from_millis(200), ..Counting::new(&calls, DateTime::from_secs(2_000_000)) };
        let cache = cache(inner);
        let abandoned = tokio::time::timeout(Duration::from_millis(20), cache.provide_credentials()).await;
        assert!(abandoned.is_err(), "the first caller gave up");
        let next = tokio::time::timeout(Duration::from_secs(5), cache.provide_credentials()).await;
        assert!(next.expect("the next caller was not left waiting").is_ok());
        assert_eq!(calls.load(Ordering::SeqCst), 2);
    }
}
