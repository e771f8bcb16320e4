use std::fmt;

/// What every service error carries besides its modeled members.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorMetadata {
    /// The error code (`NoSuchDistribution`), or the HTTP status when the body had none.
    pub code: Option<String>,
    /// The human-readable message.
    pub message: Option<String>,
    /// The request id AWS assigned, for support cases.
    pub request_id: Option<String>,
    /// The HTTP status of the response.
    pub http_status: Option<u16>,
    /// How the call went, set by the runtime when the call ends in this error.
    pub attempts: Attempts,
}

impl ErrorMetadata {
    /// The metadata of an error response as read; `attempts` is left for the runtime to fill.
    pub fn new(
        code: Option<String>,
        message: Option<String>,
        request_id: Option<String>,
        http_status: Option<u16>,
    ) -> Self {
        ErrorMetadata { code, message, request_id, http_status, attempts: Attempts::default() }
    }
}

/// What the runtime knows of the attempts behind an error.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Attempts {
    /// How many attempts the call made (0 when unknown, as for an error parsed on its own).
    pub made: u32,
    /// Whether the call stopped because it had no attempts left (the error was retryable).
    pub exhausted: bool,
    /// Whether an attempt of a call that changes something may have been carried out by the
    /// service (a timeout after sending, a lost or broken response, a 5xx): retrying the same
    /// request, with its idempotency token or `CallerReference`, is the way to find out.
    pub may_have_been_applied: bool,
}

impl Attempts {
    /// `made` attempts, whether they ran out, and whether one may have been applied.
    pub fn new(made: u32, exhausted: bool, may_have_been_applied: bool) -> Self {
        Attempts { made, exhausted, may_have_been_applied }
    }
}

impl fmt::Display for ErrorMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code.as_deref().unwrap_or("UnknownError"))?;
        if let Some(message) = self.message.as_deref().filter(|m| !m.is_empty()) {
            write!(f, ": {message}")?;
        }
        match (self.request_id.as_deref().filter(|r| !r.is_empty()), self.http_status) {
            (Some(id), Some(status)) => write!(f, " (HTTP {status}, request id {id})")?,
            (Some(id), None) => write!(f, " (request id {id})")?,
            (None, Some(status)) => write!(f, " (HTTP {status})")?,
            (None, None) => {}
        }
        if self.attempts.may_have_been_applied {
            write!(f, "; an earlier attempt may have been applied")?;
        }
        Ok(())
    }
}

impl std::error::Error for ErrorMetadata {}

/// The metadata on its own is an error too (what remains of a typed error once its type is
/// erased, as in a call by operation name).
impl ProvideErrorMetadata for ErrorMetadata {
    fn meta(&self) -> &ErrorMetadata {
        self
    }

    fn meta_mut(&mut self) -> &mut ErrorMetadata {
        self
    }
}

/// Uniform access to the metadata of any service error.
pub trait ProvideErrorMetadata {
    /// The metadata as parsed from the response.
    fn meta(&self) -> &ErrorMetadata;

    /// The metadata, for the runtime to record how the attempts went.
    fn meta_mut(&mut self) -> &mut ErrorMetadata;

    /// The error code.
    fn code(&self) -> Option<&str> {
        self.meta().code.as_deref()
    }

    /// The error message.
    fn message(&self) -> Option<&str> {
        self.meta().message.as_deref()
    }

    /// The request id.
    fn request_id(&self) -> Option<&str> {
        self.meta().request_id.as_deref()
    }

    /// The HTTP status.
    fn http_status(&self) -> Option<u16> {
        self.meta().http_status
    }

    /// `Some(retryable)` when the error is one the operation models (retryable only if the
    /// model says so); `None` for an error the model does not list, which retry policies
    /// classify by code and status.
    fn modeled_retryable(&self) -> Option<bool> {
        None
    }
}

/// A service error whose code the model does not list for the operation (or a response that
/// could not be read as an error at all): only its metadata is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnhandledError {
    meta: ErrorMetadata,
}

impl UnhandledError {
    /// Wraps the metadata read from the response.
    pub fn new(meta: ErrorMetadata) -> Self {
        UnhandledError { meta }
    }
}

impl ProvideErrorMetadata for UnhandledError {
    fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }

    fn meta_mut(&mut self) -> &mut ErrorMetadata {
        &mut self.meta
    }
}

impl fmt::Display for UnhandledError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.meta, f)
    }
}

impl std::error::Error for UnhandledError {}
