//! The small HTTP client every credential provider shares: the main client's CA bundle,
//! short timeouts, bodies capped at 64 KiB, and no proxy for loopback and link-local hosts
//! (the instance and container endpoints must never be reached through `HTTPS_PROXY`).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::time::BoxFuture;
use crate::transport::{Proxies, Transport, TransportError, TransportSettings};

/// Credential answers are a few hundred bytes; anything near this is not one.
pub(crate) const MAX_BODY: usize = 64 * 1024;

/// An answer of a credential endpoint.
pub(crate) struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as text (lossily: it only ever goes into parsers and error messages).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// HTTP for credential providers. Cheap to clone; the transport is built on first use, so a
/// program whose credentials come from the environment never builds one.
#[derive(Clone, Debug, Default)]
pub struct CredentialHttp {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    ca_bundle: Option<PathBuf>,
    transport: OnceLock<Result<Transport, String>>,
}

impl CredentialHttp {
    /// A client trusting the CA bundle, if any, as the main client does.
    pub fn new(ca_bundle: Option<PathBuf>) -> Self {
        CredentialHttp { inner: Arc::new(Inner { ca_bundle, ..Inner::default() }) }
    }

    fn transport(&self) -> Result<&Transport, String> {
        self.inner
            .transport
            .get_or_init(|| {
                let settings = TransportSettings {
                    connect_timeout: Duration::from_secs(2),
                    ca_bundle: self.inner.ca_bundle.clone(),
                    max_response_body: MAX_BODY,
                    ..TransportSettings::default()
                };
                Transport::with_proxies(&settings, "", Proxies::from_env().direct_to_local())
                    .map_err(|why| format!("cannot build an HTTP client for credentials: {why}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// Sends a request and reads the answer (at most [`MAX_BODY`] bytes), all within
    /// `timeout`. Errors name the URL and the failure, never a header (headers carry tokens).
    /// Boxed: every provider calls it, and one copy serves them all.
    pub(crate) fn send<'a>(
        &'a self,
        method: &'static str,
        url: &'a str,
        headers: &'a [(&'a str, &'a str)],
        body: Vec<u8>,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<Answer, SendError>> {
        Box::pin(async move {
            let parsed = crate::transport::parse_url(url).map_err(SendError::Other)?;
            let transport = self.transport().map_err(SendError::Other)?;
            let headers: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            let response = match tokio::time::timeout(timeout, transport.send(method, &parsed, &headers, body)).await {
                Ok(response) => response,
                Err(_) => return Err(SendError::Unreachable(format!("{url} did not answer within {timeout:?}"))),
            };
            match response {
                Ok(response) => Ok(Answer { status: response.status, body: response.body }),
                Err(TransportError::BodyTooLarge { .. }) => {
                    Err(SendError::Other(format!("{url} answered with more than {MAX_BODY} bytes")))
                }
                Err(e @ (TransportError::Connect(_) | TransportError::Timeout(_))) => {
                    Err(SendError::Unreachable(format!("{url} is unreachable: {}", crate::transport::error_chain(&e))))
                }
                Err(e) => Err(SendError::Other(format!("{url}: {}", crate::transport::error_chain(&e)))),
            }
        })
    }
}

/// Why a credential request failed.
#[derive(Debug)]
pub(crate) enum SendError {
    /// Nothing answered (no connection, or a timeout).
    Unreachable(String),
    /// Anything else.
    Other(String),
}

impl SendError {
    pub fn into_message(self) -> String {
        match self {
            SendError::Unreachable(text) | SendError::Other(text) => text,
        }
    }
}
