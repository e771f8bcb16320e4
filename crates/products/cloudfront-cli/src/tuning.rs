//! The test-only tuning variables (`CLOUDFRONT_WAIT_POLL_MS`, `CLOUDFRONT_WAIT_MAX_SECONDS`,
//! `CLOUDFRONT_PACE_MS`, `CLOUDFRONT_MULTIPART_THRESHOLD`): emulators and tests use them to
//! shorten what CloudFront's real API paces, and to make multipart uploads of small files.
//! Each is bounded, so a typo can neither stall a run forever nor make it spin.

use std::time::Duration;

use crate::Failure;

/// A whole number from the variable `name`, within `min..=max`; `None` when unset.
fn bounded(name: &str, min: u64, max: u64) -> Result<Option<u64>, Failure> {
    let Ok(text) = std::env::var(name) else { return Ok(None) };
    match text.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(Failure::Usage(format!("{name} must be a whole number from {min} to {max}, not {text:?}"))),
    }
}

/// How often waiters poll (milliseconds, 1 to 600,000).
pub fn wait_poll() -> Result<Option<Duration>, Failure> {
    Ok(bounded("CLOUDFRONT_WAIT_POLL_MS", 1, 600_000)?.map(Duration::from_millis))
}

/// The longest a waiter waits (seconds, 1 to 86,400).
pub fn wait_max() -> Result<Option<Duration>, Failure> {
    Ok(bounded("CLOUDFRONT_WAIT_MAX_SECONDS", 1, 86_400)?.map(Duration::from_secs))
}

/// The fastest interval between `invalidate`'s calls (milliseconds, 1 to 60,000).
pub fn pace() -> Result<Option<Duration>, Failure> {
    Ok(bounded("CLOUDFRONT_PACE_MS", 1, 60_000)?.map(Duration::from_millis))
}

/// `deploy`'s multipart threshold in bytes (5 MiB, S3's smallest part, to 5 GiB), so tests
/// can send parts without 8 MiB files.
pub fn multipart_threshold() -> Result<Option<u64>, Failure> {
    bounded("CLOUDFRONT_MULTIPART_THRESHOLD", 5 << 20, 5 << 30)
}
