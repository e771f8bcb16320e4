//! How a deploy fails, in the classes the CLI turns into exit codes: the request cannot be
//! carried out as given, S3 or CloudFront answered with an error, or no answer came (the
//! network, a timeout) or something local failed (a file that cannot be read).

use cloudfront_primitives::ProvideErrorMetadata;
use cloudfront_runtime::SdkError;

/// A failed deploy step, with a message naming what failed.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Cannot be done as given (no origin of the distribution serves the bucket).
    Refused(String),
    /// S3 or CloudFront answered with an error.
    Service(String),
    /// No answer came, or a local step failed.
    Other(String),
}

impl Error {
    /// The message.
    pub fn message(&self) -> &str {
        match self {
            Error::Refused(m) | Error::Service(m) | Error::Other(m) => m,
        }
    }

    /// The same class of error with `more` after the message.
    pub fn with(self, more: &str) -> Error {
        match self {
            Error::Refused(m) => Error::Refused(m + more),
            Error::Service(m) => Error::Service(m + more),
            Error::Other(m) => Error::Other(m + more),
        }
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for Error {}

/// A local failure (reading the source directory).
impl From<String> for Error {
    fn from(message: String) -> Error {
        Error::Other(message)
    }
}

/// A call's failure, named by `what` (`PutObject KEY`): a service error when an answer came.
pub(crate) fn call_failed<E: ProvideErrorMetadata + std::fmt::Display>(
    what: impl std::fmt::Display,
    error: SdkError<E>,
) -> Error {
    let message = format!("{what}: {error}");
    if error.http_status().is_some() { Error::Service(message) } else { Error::Other(message) }
}
