//! Retries as the AWS SDKs define them.
//!
//! *Standard* mode: up to `max_attempts` attempts (3 by default); an error is retried when it
//! is throttling (by code or HTTP 429) or transient (HTTP 500/502/503/504, transient codes,
//! connection failures and timeouts); the wait before retry *n* is a random fraction of
//! `base × 2^(n-1)`, where the base is 1 s after throttling and 50 ms otherwise, capped at
//! 20 s, and a server's `x-amz-retry-after` (milliseconds) replaces it; and a retry quota (500 tokens, 5 per retry, 10 per
//! timeout retry, refunded on success) stops retry storms when a service is down.
//! *Adaptive* mode adds a client-side rate limiter that slows down when throttled (the
//! SDKs' CUBIC-based token bucket). Modeled client errors, such as CloudFront's
//! `TooManyInvalidationsInProgress`, are not retried: the official SDKs do not, because only
//! time (minutes) clears them; the bulk-invalidation executor handles that case itself.

use std::sync::Mutex;
use std::time::Duration;

use crate::env::Env;
use crate::profile::Profile;
use crate::setting::{self, Sources};

/// Error codes the SDKs treat as throttling.
pub const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes the SDKs treat as transient.
pub const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException", "InternalError"];

/// HTTP statuses that are transient whatever the body says.
pub const TRANSIENT_STATUSES: &[u16] = &[500, 502, 503, 504];

/// The largest wait between attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(20);

/// Why an attempt may be retried.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryKind {
    /// The service asked us to slow down.
    Throttling,
    /// A server-side or network hiccup.
    Transient,
    /// The attempt timed out or the connection broke (costs more quota).
    Timeout,
}

/// Classifies a service error: an error the operation models is retried only when the model
/// marks it retryable; any other by its code and HTTP status.
pub fn classify_error(error: &impl cloudfront_primitives::ProvideErrorMetadata) -> Option<RetryKind> {
    let code = error.code();
    match error.modeled_retryable() {
        Some(false) => None,
        Some(true) => Some(if THROTTLING_CODES.contains(&code.unwrap_or_default()) {
            RetryKind::Throttling
        } else {
            RetryKind::Transient
        }),
        None => classify_response(error.http_status().unwrap_or(0), code),
    }
}

/// Classifies an error response by HTTP status and error code.
pub fn classify_response(status: u16, code: Option<&str>) -> Option<RetryKind> {
    let code = code.unwrap_or_default();
    if THROTTLING_CODES.contains(&code) || status == 429 {
        Some(RetryKind::Throttling)
    } else if TRANSIENT_CODES.contains(&code) || TRANSIENT_STATUSES.contains(&status) {
        Some(RetryKind::Transient)
    } else {
        None
    }
}

/// `standard` or `adaptive` (`legacy` is read as standard, as the newer SDKs do).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum RetryMode {
    #[default]
    /// Retries with backoff and a retry quota.
    Standard,
    /// Standard, plus a client-side rate limiter that slows down when throttled.
    Adaptive,
}

/// How many attempts, in which mode.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryConfig {
    /// Standard or adaptive.
    pub mode: RetryMode,
    /// Attempts in all, the first included (1 disables retries).
    pub max_attempts: u32,
    /// The backoff base after throttling (1 s in the SDKs).
    pub throttling_base: Duration,
    /// The backoff base after other retryable errors (50 ms in the SDKs).
    pub transient_base: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig {
            mode: RetryMode::Standard,
            max_attempts: 3,
            throttling_base: Duration::from_secs(1),
            transient_base: Duration::from_millis(50),
        }
    }
}

impl RetryConfig {
    /// The same settings in `mode`.
    pub fn with_mode(mut self, mode: RetryMode) -> Self {
        self.mode = mode;
        self
    }

    /// The same settings with `max_attempts` attempts in all (1 disables retries).
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts;
        self
    }

    /// The same settings with other backoff bases (after throttling, after other errors).
    pub fn with_backoff(mut self, throttling_base: Duration, transient_base: Duration) -> Self {
        self.throttling_base = throttling_base;
        self.transient_base = transient_base;
        self
    }

    /// `AWS_MAX_ATTEMPTS`/`AWS_RETRY_MODE`, else the profile's `max_attempts`/`retry_mode`.
    pub fn from_env(env: &Env, profile: Option<&Profile>) -> Result<RetryConfig, String> {
        let mut config = RetryConfig::default();
        let sources = Sources::new(env, profile);
        if let Some((value, origin)) = sources.text(&setting::MAX_ATTEMPTS) {
            let attempts = sources.integer(&setting::MAX_ATTEMPTS).map_err(|e| format!("{origin}: {e}"))?;
            config.max_attempts = attempts
                .and_then(|n| u32::try_from(n).ok())
                .filter(|n| *n >= 1)
                .ok_or_else(|| format!("{origin} must be a whole number of at least 1, not {value:?}"))?;
        }
        if let Some((value, origin)) = sources.text(&setting::RETRY_MODE) {
            config.mode = match value.to_ascii_lowercase().as_str() {
                "standard" | "legacy" => RetryMode::Standard,
                "adaptive" => RetryMode::Adaptive,
                _ => return Err(format!("{origin} must be standard or adaptive, not {value:?}")),
            };
        }
        Ok(config)
    }

    /// The wait before retry number `retry` (1 for the first retry) after an error of
    /// `kind`, given a random fraction in [0, 1) and the server's `x-amz-retry-after`.
    pub fn backoff(&self, retry: u32, kind: RetryKind, random: f64, retry_after: Option<Duration>) -> Duration {
        if let Some(wait) = retry_after {
            return wait.min(MAX_BACKOFF);
        }
        let base = if kind == RetryKind::Throttling { self.throttling_base } else { self.transient_base };
        let exponential = base.as_secs_f64() * 2f64.powi(retry.saturating_sub(1).min(30) as i32);
        Duration::from_secs_f64((random * exponential).min(MAX_BACKOFF.as_secs_f64()))
    }

    /// The longest possible wait before the first retry (what the AWS SDKs report).
    pub fn max_first_delay(&self, kind: RetryKind, retry_after: Option<Duration>) -> Duration {
        self.backoff(1, kind, 1.0, retry_after)
    }
}

/// The retry quota shared by every request of a client.
#[derive(Debug)]
pub struct RetryQuota {
    available: Mutex<u32>,
}

const INITIAL_QUOTA: u32 = 500;
const RETRY_COST: u32 = 5;
const TIMEOUT_RETRY_COST: u32 = 10;
const NO_RETRY_INCREMENT: u32 = 1;

impl Default for RetryQuota {
    fn default() -> Self {
        RetryQuota { available: Mutex::new(INITIAL_QUOTA) }
    }
}

impl RetryQuota {
    /// Takes the cost of a retry; `None` when the quota is exhausted.
    pub fn acquire(&self, kind: RetryKind) -> Option<u32> {
        let cost = if kind == RetryKind::Timeout { TIMEOUT_RETRY_COST } else { RETRY_COST };
        let mut available = self.available.lock().expect("not poisoned");
        (*available >= cost).then(|| {
            *available -= cost;
            cost
        })
    }

    /// A request succeeded: refund what its retries took, or a little for a first-try success.
    pub fn release(&self, spent: u32) {
        let mut available = self.available.lock().expect("not poisoned");
        let refund = if spent == 0 { NO_RETRY_INCREMENT } else { spent };
        *available = (*available + refund).min(INITIAL_QUOTA);
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        *self.available.lock().expect("not poisoned")
    }
}

/// The adaptive mode's client-side rate limiter: a token bucket whose fill rate follows a
/// CUBIC curve, cut by `BETA` on each throttle and growing back afterwards.
#[derive(Debug)]
pub struct RateLimiter {
    state: Mutex<RateState>,
}

#[derive(Debug)]
struct RateState {
    fill_rate: f64,
    max_capacity: f64,
    current_capacity: f64,
    last_timestamp: Option<f64>,
    enabled: bool,
    measured_tx_rate: f64,
    last_tx_rate_bucket: f64,
    request_count: u64,
    last_max_rate: f64,
    last_throttle_time: f64,
    time_window: f64,
    calculated_rate: f64,
}

const MIN_FILL_RATE: f64 = 0.5;
const MIN_CAPACITY: f64 = 1.0;
const SMOOTH: f64 = 0.8;
const BETA: f64 = 0.7;
const SCALE_CONSTANT: f64 = 0.4;

impl Default for RateLimiter {
    fn default() -> Self {
        RateLimiter {
            state: Mutex::new(RateState {
                fill_rate: 0.0,
                max_capacity: 0.0,
                current_capacity: 0.0,
                last_timestamp: None,
                enabled: false,
                measured_tx_rate: 0.0,
                last_tx_rate_bucket: 0.0,
                request_count: 0,
                last_max_rate: 0.0,
                last_throttle_time: 0.0,
                time_window: 0.0,
                calculated_rate: 0.0,
            }),
        }
    }
}

impl RateLimiter {
    /// How long to wait before sending at time `now` (seconds on any monotonic scale).
    pub fn acquire(&self, now: f64) -> Duration {
        let mut s = self.state.lock().expect("not poisoned");
        if !s.enabled {
            return Duration::ZERO;
        }
        s.refill(now);
        if s.current_capacity >= 1.0 {
            s.current_capacity -= 1.0;
            return Duration::ZERO;
        }
        let wait = (1.0 - s.current_capacity) / s.fill_rate;
        s.current_capacity = 0.0;
        Duration::from_secs_f64(wait.max(0.0))
    }

    /// Records a response at time `now`; `throttled` when it was a throttling error.
    pub fn update(&self, now: f64, throttled: bool) {
        let mut s = self.state.lock().expect("not poisoned");
        s.update_measured_rate(now);
        let rate = if throttled {
            let rate_to_use = if s.enabled { s.measured_tx_rate.min(s.fill_rate) } else { s.measured_tx_rate };
            s.last_max_rate = rate_to_use;
            s.time_window = (s.last_max_rate * (1.0 - BETA) / SCALE_CONSTANT).cbrt();
            s.last_throttle_time = now;
            s.enabled = true;
            rate_to_use * BETA
        } else {
            let dt = now - s.last_throttle_time;
            SCALE_CONSTANT * (dt - s.time_window).powi(3) + s.last_max_rate
        };
        s.calculated_rate = rate;
        let new_rate = rate.min(2.0 * s.measured_tx_rate);
        s.refill(now);
        s.fill_rate = new_rate.max(MIN_FILL_RATE);
        s.max_capacity = new_rate.max(MIN_CAPACITY);
        s.current_capacity = s.current_capacity.min(s.max_capacity);
    }

    /// The current sending rate limit (requests per second), when enabled.
    pub fn fill_rate(&self) -> Option<f64> {
        let s = self.state.lock().expect("not poisoned");
        s.enabled.then_some(s.fill_rate)
    }
}

impl RateState {
    fn refill(&mut self, now: f64) {
        if let Some(last) = self.last_timestamp {
            self.current_capacity = (self.current_capacity + (now - last) * self.fill_rate).min(self.max_capacity);
        }
        self.last_timestamp = Some(now);
    }

    fn update_measured_rate(&mut self, now: f64) {
        let bucket = (now * 2.0).floor() / 2.0;
        self.request_count += 1;
        if bucket > self.last_tx_rate_bucket {
            let current = self.request_count as f64 / (bucket - self.last_tx_rate_bucket);
            self.measured_tx_rate = current * SMOOTH + self.measured_tx_rate * (1.0 - SMOOTH);
            self.request_count = 0;
            self.last_tx_rate_bucket = bucket;
        }
    }
}

/// `x-amz-retry-after` (milliseconds) of a response, if any.
pub fn retry_after(response: &cloudfront_primitives::HttpResponse) -> Option<Duration> {
    response.header("x-amz-retry-after").and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_millis)
}

/// A random fraction in [0, 1) for jitter (the standard library's random hash keys mixed
/// with the clock: jitter needs spread, not secrecy).
pub fn jitter() -> f64 {
    (cloudfront_primitives::random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_like_the_sdks() {
        assert_eq!(classify_response(400, Some("Throttling")), Some(RetryKind::Throttling));
        assert_eq!(classify_response(429, None), Some(RetryKind::Throttling));
        assert_eq!(classify_response(503, None), Some(RetryKind::Transient));
        assert_eq!(classify_response(400, Some("RequestTimeout")), Some(RetryKind::Transient));
        assert_eq!(classify_response(400, Some("TooManyInvalidationsInProgress")), None);
        assert_eq!(classify_response(404, Some("NoSuchDistribution")), None);
    }

    #[test]
    fn backoff_is_exponential_jittered_and_capped() {
        let config = RetryConfig::default();
        let throttled = RetryKind::Throttling;
        assert_eq!(config.backoff(1, throttled, 0.5, None), Duration::from_millis(500));
        assert_eq!(config.backoff(3, throttled, 0.5, None), Duration::from_secs(2));
        assert_eq!(config.backoff(10, throttled, 0.99, None), MAX_BACKOFF);
        assert_eq!(config.backoff(2, throttled, 0.0, None), Duration::ZERO);
        assert_eq!(config.max_first_delay(RetryKind::Transient, None), Duration::from_millis(50));
        assert_eq!(config.max_first_delay(throttled, Some(Duration::from_millis(1500))), Duration::from_millis(1500));
        let j = jitter();
        assert!((0.0..1.0).contains(&j));
    }

    #[test]
    fn quota_drains_and_refills() {
        let quota = RetryQuota::default();
        let mut spent = 0;
        while let Some(cost) = quota.acquire(RetryKind::Transient) {
            spent += cost;
        }
        assert_eq!(spent, 500);
        assert_eq!(quota.acquire(RetryKind::Throttling), None);
        quota.release(5);
        assert_eq!(quota.available(), 5);
        assert_eq!(quota.acquire(RetryKind::Timeout), None, "a timeout retry costs 10");
    }

    #[test]
    fn settings_from_environment_and_profile() {
        let env = Env::from_pairs([("AWS_MAX_ATTEMPTS", "10"), ("AWS_RETRY_MODE", "adaptive")]);
        let config = RetryConfig::from_env(&env, None).unwrap();
        assert_eq!((config.max_attempts, config.mode), (10, RetryMode::Adaptive));
        let bad = RetryConfig::from_env(&Env::from_pairs([("AWS_MAX_ATTEMPTS", "zero")]), None).unwrap_err();
        assert!(bad.contains("AWS_MAX_ATTEMPTS"), "{bad}");
        let profiles =
            crate::profile::ProfileSet::parse("[default]\nmax_attempts = 5\nretry_mode = standard\n", "").unwrap();
        let config = RetryConfig::from_env(&Env::default(), profiles.profile("default")).unwrap();
        assert_eq!(config.max_attempts, 5);
    }

    #[test]
    fn rate_limiter_slows_down_when_throttled_and_recovers() {
        let limiter = RateLimiter::default();
        assert_eq!(limiter.acquire(0.0), Duration::ZERO, "disabled until the first throttle");
        for i in 0..20 {
            limiter.update(f64::from(i) * 0.1, false);
        }
        limiter.update(2.0, true);
        let throttled_rate = limiter.fill_rate().expect("enabled after a throttle");
        for i in 0..40 {
            limiter.update(2.0 + f64::from(i) * 0.25, false);
        }
        assert!(limiter.fill_rate().unwrap() > throttled_rate, "rate grows back after throttling stops");
        // With the bucket drained, a request must wait.
        let mut waited = Duration::ZERO;
        for _ in 0..50 {
            waited += limiter.acquire(12.0);
        }
        assert!(waited > Duration::ZERO);
    }
}
