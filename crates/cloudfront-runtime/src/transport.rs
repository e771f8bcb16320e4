//! The HTTP transport: one reqwest client (rustls, one connection pool) per service client.

use std::time::Duration;

use cloudfront_restxml::HttpResponse;

use crate::error::DispatchError;

/// Settings of the HTTP transport.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct TransportSettings {
    /// How long to wait for a connection.
    pub connect_timeout: Duration,
    /// The longest wait for any read (headers or a body chunk).
    pub read_timeout: Duration,
    /// A PEM file of extra trusted certificate authorities.
    pub ca_bundle: Option<std::path::PathBuf>,
    /// Accept any certificate. For testing against local servers only.
    pub insecure: bool,
    /// Response bodies longer than this are refused (a hostile or broken server must not
    /// exhaust memory).
    pub max_response_body: usize,
}

impl Default for TransportSettings {
    fn default() -> Self {
        TransportSettings {
            connect_timeout: Duration::from_secs(3),
            read_timeout: Duration::from_secs(60),
            ca_bundle: None,
            insecure: false,
            max_response_body: 16 * 1024 * 1024,
        }
    }
}

/// What went wrong sending a request.
#[derive(Debug)]
#[non_exhaustive]
pub enum TransportError {
    /// A connect, read or operation deadline passed.
    Timeout(DispatchError),
    /// The connection could not be made.
    Connect(DispatchError),
    /// The body exceeded `max_response_body`.
    BodyTooLarge {
        /// The configured limit in bytes.
        limit: usize,
        /// The status of the response whose body was too large.
        status: u16,
    },
    /// Anything else (a broken connection, an invalid request).
    Other(DispatchError),
}

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransportError::Timeout(why) | TransportError::Connect(why) | TransportError::Other(why) => {
                write!(f, "{why}")
            }
            TransportError::BodyTooLarge { limit, .. } => {
                write!(f, "the response body is larger than the {limit}-byte limit")
            }
        }
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            TransportError::Timeout(e) | TransportError::Connect(e) | TransportError::Other(e) => Some(e),
            TransportError::BodyTooLarge { .. } => None,
        }
    }
}

/// The transport: a pooled HTTP client.
#[derive(Clone, Debug)]
pub struct Transport {
    client: reqwest::Client,
    max_response_body: usize,
}

impl Transport {
    /// Builds the client (proxy variables such as `HTTPS_PROXY` are honoured by reqwest). Requests
    /// carry `user_agent` (the client crate's `name/version`, if any) followed by this runtime's.
    pub fn new(settings: &TransportSettings, user_agent: &str) -> Result<Self, String> {
        let runtime = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
        let user_agent = if user_agent.is_empty() { runtime.to_owned() } else { format!("{user_agent} {runtime}") };
        let mut builder = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .read_timeout(settings.read_timeout)
            .user_agent(user_agent)
            // A redirect from an AWS API is an answer to report, not to follow (botocore does
            // not follow them either); this also spares every request the redirect layer.
            .redirect(reqwest::redirect::Policy::none());
        if let Some(path) = &settings.ca_bundle {
            for certificate in trusted_roots(path)? {
                builder = builder.add_root_certificate(certificate);
            }
        }
        if settings.insecure {
            tracing::warn!("TLS certificate verification is disabled: use this only against test servers");
            builder = builder.danger_accept_invalid_certs(true);
        }
        let client = builder.build().map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Transport { client, max_response_body: settings.max_response_body })
    }

    /// Sends one request and reads the whole (bounded) response.
    pub async fn send(
        &self,
        method: &str,
        url: &reqwest::Url,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<HttpResponse, TransportError> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|e| TransportError::Other(DispatchError::new(e.to_string()).with_source(e)))?;
        let mut request = self.client.request(method, url.clone()).body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let mut response = request.send().await.map_err(classify)?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        if response.content_length().is_some_and(|n| n > self.max_response_body as u64) {
            return Err(TransportError::BodyTooLarge { limit: self.max_response_body, status });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > self.max_response_body {
                return Err(TransportError::BodyTooLarge { limit: self.max_response_body, status });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse::new(status, headers, body))
    }
}

/// The certificates of a PEM CA bundle, for the client and the credential providers alike.
pub(crate) fn trusted_roots(path: &std::path::Path) -> Result<Vec<reqwest::Certificate>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read the CA bundle {}: {e}", path.display()))?;
    let certificates = reqwest::Certificate::from_pem_bundle(&pem)
        .map_err(|e| format!("the CA bundle {} is not PEM: {e}", path.display()))?;
    if certificates.is_empty() {
        return Err(format!("the CA bundle {} holds no certificate", path.display()));
    }
    Ok(certificates)
}

/// An error and every source under it, on one line.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

fn classify(error: reqwest::Error) -> TransportError {
    let text = error_chain(&error);
    // A connect that timed out is a failure to connect (nothing was sent), not a timeout
    // waiting for an answer.
    let (kind, message): (fn(DispatchError) -> TransportError, String) = if error.is_timeout() && !error.is_connect() {
        (TransportError::Timeout, text)
    } else if error.is_connect() {
        // The AWS CLI's words: the URL that could not be reached (a TLS failure keeps its
        // reason, which is what the user has to fix); the whole cause goes to the log.
        tracing::debug!(cause = %text, "connection failed");
        let url = error.url().map(|u| u.to_string()).unwrap_or_default();
        let lower = text.to_ascii_lowercase();
        let message = if lower.contains("certificate") || lower.contains("tls") || lower.contains("ssl") {
            format!("SSL validation failed for {url} {text}")
        } else if error.is_timeout() {
            format!("Connect timeout on endpoint URL: \"{url}\"")
        } else {
            format!("Could not connect to the endpoint URL: \"{url}\"")
        };
        (TransportError::Connect, message)
    } else {
        (TransportError::Other, text)
    };
    // The cause stays reachable through `source()`.
    kind(DispatchError::new(message).with_source(error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_ca_bundle_is_named_in_the_error() {
        let missing =
            TransportSettings { ca_bundle: Some("/nonexistent/ca.pem".into()), ..TransportSettings::default() };
        let error = Transport::new(&missing, "").unwrap_err();
        assert!(error.contains("cannot read the CA bundle /nonexistent/ca.pem"), "{error}");
        let path = std::env::temp_dir().join(format!("not-a-ca-{}.pem", std::process::id()));
        std::fs::write(&path, "this is not a certificate").unwrap();
        let garbage = TransportSettings { ca_bundle: Some(path.clone()), ..TransportSettings::default() };
        let error = Transport::new(&garbage, "").unwrap_err();
        assert!(error.contains(&path.display().to_string()), "{error}");
    }
}
