//! A local clock that is far off makes every signature fail (AWS accepts a signing time
//! within 5 minutes of its own). As the official SDKs do, the offset is learnt from the
//! `Date` header of responses and applied to the signing time of later requests, and a
//! request refused for its time is retried once with the corrected time.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use cloudfront_primitives::HttpResponse;
use cloudfront_primitives::{DateTime, TimestampFormat};

/// Offsets smaller than this are the `Date` header's one-second resolution and network
/// delay, not a wrong clock.
pub const THRESHOLD_SECS: i64 = 60;

/// Error codes with which services refuse a request for its signing time (signature
/// errors count only when the `Date` header shows the clock is off).
pub const CLOCK_SKEW_CODES: &[&str] = &[
    "RequestTimeTooSkewed",
    "RequestExpired",
    "RequestInTheFuture",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
];

/// The offset between the service's clock and ours, shared by every request of a client.
#[derive(Debug, Default)]
pub struct ClockSkew {
    offset_secs: AtomicI64,
    /// The last raw estimate (to the second), whether or not it was large enough to apply.
    estimate_secs: AtomicI64,
    estimated: AtomicBool,
}

impl ClockSkew {
    /// The time to sign with: the local time corrected by the learnt offset.
    pub fn signing_time(&self, now: DateTime) -> DateTime {
        DateTime::from_secs_and_nanos(now.secs() + self.offset_secs.load(Ordering::Relaxed), now.subsec_nanos())
    }

    /// The offset learnt so far, in seconds (positive when the local clock is behind).
    pub fn offset_secs(&self) -> i64 {
        self.offset_secs.load(Ordering::Relaxed)
    }

    /// The service's clock minus ours by the last `Date` header seen, to the second.
    pub fn estimate_secs(&self) -> Option<i64> {
        self.estimated.load(Ordering::Relaxed).then(|| self.estimate_secs.load(Ordering::Relaxed))
    }

    /// Learns from a response's `Date` header; returns whether the correction changed.
    pub fn observe(&self, response: &HttpResponse, now: DateTime) -> bool {
        let Some(server) = response.header("date").and_then(|d| DateTime::parse(d, TimestampFormat::HttpDate).ok())
        else {
            return false;
        };
        let estimate = server.secs() - now.secs();
        self.estimate_secs.store(estimate, Ordering::Relaxed);
        self.estimated.store(true, Ordering::Relaxed);
        let offset = if estimate.abs() >= THRESHOLD_SECS { estimate } else { 0 };
        let previous = self.offset_secs.swap(offset, Ordering::Relaxed);
        (previous - offset).abs() >= THRESHOLD_SECS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response_dated(secs: i64) -> HttpResponse {
        HttpResponse::new(
            403,
            vec![("Date".into(), DateTime::from_secs(secs).fmt(TimestampFormat::HttpDate))],
            Vec::new(),
        )
    }

    #[test]
    fn learns_a_large_offset_and_ignores_noise() {
        let skew = ClockSkew::default();
        let now = DateTime::from_secs(1_800_000_000);
        assert!(!skew.observe(&response_dated(1_800_000_002), now), "two seconds is noise");
        assert_eq!(skew.signing_time(now), now);
        assert!(skew.observe(&response_dated(1_800_000_000 + 900), now), "fifteen minutes ahead");
        assert_eq!(skew.signing_time(now).secs(), 1_800_000_900);
        assert!(!skew.observe(&response_dated(1_800_000_000 + 901), now), "the same correction again");
        assert!(skew.observe(&response_dated(1_800_000_000), now), "the clock was fixed");
        assert_eq!(skew.offset_secs(), 0);
    }
}
