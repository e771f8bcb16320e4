//! Value types shared by every generated crate, and the HTTP request and response they are
//! serialized to and parsed from.
//!
//! This crate is deliberately tiny and has no dependencies (serde is optional), so that the
//! generated `*-shapes` crates build in seconds and can be used without any HTTP stack.

#![warn(missing_docs)]

mod blob;
mod body;
mod build_error;
mod datetime;
mod error_metadata;
mod http;
mod idempotency;
pub mod percent;
mod random;
pub mod schema;
#[cfg(feature = "serde")]
#[doc(hidden)]
pub mod serde_support;
mod unknown;

pub use blob::Blob;
pub use body::Body;
pub use build_error::BuildError;
pub use datetime::{DateTime, DateTimeParseError, TimestampFormat};
pub use error_metadata::{Attempts, ErrorMetadata, ProvideErrorMetadata, UnhandledError};
pub use http::{HttpRequest, HttpResponse};
pub use idempotency::{idempotency_token, with_fixed_idempotency_token};
pub use random::random_u64;
pub use unknown::UnknownValue;

/// Writes `[REDACTED]` in place of a value in `Debug` output (for `@sensitive` members).
pub struct Redacted;

impl std::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("*** Sensitive Data Redacted ***")
    }
}
