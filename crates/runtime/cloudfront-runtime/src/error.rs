//! The error every operation returns: either the service's own typed error, or what went
//! wrong on the way (bad input, configuration, credentials, network, an unreadable response).

use std::fmt;

use cloudfront_primitives::{Attempts, BuildError, ProvideErrorMetadata};

use crate::endpoint::EndpointError;

/// The configuration error of a call that must be signed but has no region (botocore's words).
pub const NO_REGION: &str = "You must specify a region.";

/// An operation's failure; `E` is the operation's error enum. More kinds of failure may be
/// added, so a `match` needs a wildcard arm.
#[derive(Debug)]
#[non_exhaustive]
pub enum SdkError<E> {
    /// The input cannot be sent (names the member and the rule); nothing was sent.
    Construction(BuildError),
    /// The client configuration is unusable (no region, a bad endpoint URL, ...).
    Config(String),
    /// No credentials could be had.
    Credentials(CredentialsError),
    /// The endpoint rules refused the configuration.
    Endpoint(EndpointError),
    /// The request timed out (after the configured attempts).
    Timeout(DispatchError),
    /// The request could not be delivered (connection refused, DNS, TLS, ...).
    Dispatch(DispatchError),
    /// A success response that could not be read.
    Response {
        /// What could not be read.
        message: String,
        /// The HTTP status of the response.
        status: u16,
        /// The request id of the response.
        request_id: Option<String>,
    },
    /// The service answered with an error.
    Service(E),
}

impl<E: ProvideErrorMetadata> SdkError<E> {
    /// The service's error code, when the service answered.
    pub fn code(&self) -> Option<&str> {
        match self {
            SdkError::Service(e) => e.code(),
            _ => None,
        }
    }

    /// The request id AWS assigned, when a response arrived.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            SdkError::Service(e) => e.request_id(),
            SdkError::Response { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The HTTP status, when a response arrived.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            SdkError::Service(e) => e.http_status(),
            SdkError::Response { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether trying again later may succeed (throttling, transient server and network
    /// errors, timeouts).
    pub fn is_retryable(&self) -> bool {
        match self {
            SdkError::Service(e) => crate::retry::classify_error(e).is_some(),
            SdkError::Timeout(_) | SdkError::Dispatch(_) => true,
            _ => false,
        }
    }
}

impl<E> SdkError<E> {
    /// The same failure with the service error turned into another type (the rest is kept).
    pub fn map_service<F>(self, f: impl FnOnce(E) -> F) -> SdkError<F> {
        match self {
            SdkError::Service(e) => SdkError::Service(f(e)),
            SdkError::Construction(e) => SdkError::Construction(e),
            SdkError::Config(e) => SdkError::Config(e),
            SdkError::Credentials(e) => SdkError::Credentials(e),
            SdkError::Endpoint(e) => SdkError::Endpoint(e),
            SdkError::Timeout(e) => SdkError::Timeout(e),
            SdkError::Dispatch(e) => SdkError::Dispatch(e),
            SdkError::Response { message, status, request_id } => SdkError::Response { message, status, request_id },
        }
    }

    /// The service error, if that is what this is.
    pub fn into_service_error(self) -> Option<E> {
        match self {
            SdkError::Service(e) => Some(e),
            _ => None,
        }
    }
}

impl<E: fmt::Display> fmt::Display for SdkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SdkError::Construction(e) => write!(f, "invalid input: {e}"),
            SdkError::Config(why) => write!(f, "invalid configuration: {why}"),
            SdkError::Credentials(e) => write!(f, "unable to locate credentials: {e}"),
            SdkError::Endpoint(e) => write!(f, "{e}"),
            SdkError::Timeout(why) => write!(f, "timed out: {why}"),
            SdkError::Dispatch(why) => write!(f, "{why}"),
            SdkError::Response { message, status, request_id } => {
                write!(f, "unreadable response (HTTP {status}")?;
                if let Some(id) = request_id {
                    write!(f, ", request id {id}")?;
                }
                write!(f, "): {message}")
            }
            SdkError::Service(e) => write!(f, "{e}"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for SdkError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SdkError::Construction(e) => Some(e),
            SdkError::Credentials(e) => Some(e),
            SdkError::Endpoint(e) => Some(e),
            SdkError::Timeout(e) | SdkError::Dispatch(e) => Some(e),
            SdkError::Service(e) => Some(e),
            SdkError::Config(_) | SdkError::Response { .. } => None,
        }
    }
}

/// A request that got no answer: what happened (in the AWS CLI's words), the error underneath
/// (kept as the `source`), and how the attempts went.
#[derive(Debug)]
pub struct DispatchError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
    attempts: Attempts,
}

impl DispatchError {
    /// A failure described by `message`, with no underlying error.
    pub fn new(message: impl Into<String>) -> Self {
        DispatchError { message: message.into(), source: None, attempts: Attempts::default() }
    }

    /// The same failure, caused by `source`.
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The same failure, after the attempts described by `attempts`.
    pub fn with_attempts(mut self, attempts: Attempts) -> Self {
        self.attempts = attempts;
        self
    }

    /// What happened, without the note on attempts.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// How many attempts were made, and whether one may have been applied by the service.
    pub fn attempts(&self) -> &Attempts {
        &self.attempts
    }
}

impl fmt::Display for DispatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if self.attempts.may_have_been_applied {
            f.write_str("; it may have been applied: retry with the same request to find out")?;
        }
        Ok(())
    }
}

impl std::error::Error for DispatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_deref().map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Why no credentials could be had.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialsError {
    /// This provider has nothing to offer (the chain moves on).
    NotLoaded(String),
    /// This provider is configured but failed (the chain stops: a broken setup must not
    /// silently fall through to other credentials).
    Failed(String),
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialsError::NotLoaded(why) | CredentialsError::Failed(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for CredentialsError {}
