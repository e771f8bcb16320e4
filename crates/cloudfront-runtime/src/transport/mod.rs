//! The HTTP transport: HTTP/1.1 (our own, over our pool of kept-alive connections and rustls)
//! with the proxies the environment names; one per service client. No redirect is followed: a
//! redirect from an AWS API is an answer to report (botocore does not follow them either).

mod connect;
mod http1;
mod pool;
mod proxy;
mod url;

use std::sync::Arc;
use std::time::Duration;

use cloudfront_restxml::HttpResponse;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::DispatchError;
use connect::{BoxError, ConnectTimeout, Connector, ProxyFailed};
use http1::{Conn, ReadError};
use pool::Pool;
pub(crate) use proxy::Proxies;
pub use url::Url;

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

/// The transport: HTTP/1.1 with kept-alive connections.
pub struct Transport {
    connector: Connector,
    pool: Pool,
    proxies: Arc<Proxies>,
    user_agent: String,
    read_timeout: Duration,
    max_response_body: usize,
}

impl std::fmt::Debug for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("proxies", &self.proxies)
            .field("user_agent", &self.user_agent)
            .field("read_timeout", &self.read_timeout)
            .field("max_response_body", &self.max_response_body)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// Builds the client, with the proxies of the process environment (`HTTPS_PROXY`,
    /// `HTTP_PROXY`, `NO_PROXY`, read as the AWS CLI reads them). Requests carry `user_agent`
    /// (the client crate's `name/version`, if any) followed by this runtime's.
    pub fn new(settings: &TransportSettings, user_agent: &str) -> Result<Self, String> {
        Transport::with_proxies(settings, user_agent, Proxies::from_env())
    }

    pub(crate) fn with_proxies(
        settings: &TransportSettings,
        user_agent: &str,
        proxies: Proxies,
    ) -> Result<Self, String> {
        let runtime = concat!(env!("CARGO_PKG_NAME"), "/", env!("CARGO_PKG_VERSION"));
        let user_agent = if user_agent.is_empty() { runtime.to_owned() } else { format!("{user_agent} {runtime}") };
        if !http1::is_field_value(user_agent.as_bytes()) {
            return Err(format!("the user agent {user_agent:?} is not a header value"));
        }
        let proxies = Arc::new(proxies);
        let connector = Connector::new(tls_config(settings)?, proxies.clone(), settings.connect_timeout);
        Ok(Transport {
            connector,
            pool: Pool::default(),
            proxies,
            user_agent,
            read_timeout: settings.read_timeout,
            max_response_body: settings.max_response_body,
        })
    }

    /// Sends one request and reads the whole (bounded) response. The `Host` header is the
    /// URL's [`host_header`], the one requests are signed with.
    pub async fn send(
        &self,
        method: &str,
        url: &Url,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<HttpResponse, TransportError> {
        let head =
            self.head(method, url, headers, &body).map_err(|why| TransportError::Other(DispatchError::new(why)))?;
        let key = pool_key(url);
        let mut conn = match self.pool.checkout(&key) {
            Some(mut conn) => match self.write(&mut conn, method, url, &head, &body).await {
                Ok(()) => conn,
                // The server closed the idle connection as the request went out: the request
                // is incomplete there, never carried out, and goes out again on a new one.
                Err(TransportError::Other(_)) => self.open_and_write(method, url, &head, &body).await?,
                Err(other) => return Err(other),
            },
            None => self.open_and_write(method, url, &head, &body).await?,
        };
        let response =
            conn.read_response(method, self.read_timeout, self.max_response_body).await.map_err(|e| match e {
                ReadError::Timeout => read_timeout(url),
                ReadError::TooLarge { status } => {
                    TransportError::BodyTooLarge { limit: self.max_response_body, status }
                }
                // An answer that is not HTTP/1, or one beyond the limits, is named as such.
                ReadError::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => TransportError::Other(
                    DispatchError::new(format!("unreadable response from endpoint URL \"{url}\": {e}")).with_source(e),
                ),
                // botocore's words for a connection that ended before a whole response head.
                ReadError::Io(e) => TransportError::Other(
                    DispatchError::new(format!(
                        "Connection was closed before we received a valid response from endpoint URL: \"{url}\"."
                    ))
                    .with_source(e),
                ),
                ReadError::Body(e) => TransportError::Other(
                    DispatchError::new(format!("An error occurred while reading from response stream: {e}"))
                        .with_source(e),
                ),
            })?;
        // Read whole: the connection can serve the next request.
        if response.reusable {
            self.pool.put(&key, conn);
        }
        Ok(HttpResponse::new(response.status, response.headers, response.body))
    }

    /// A new connection to `url`, with the request written on it.
    async fn open_and_write(&self, method: &str, url: &Url, head: &str, body: &[u8]) -> Result<Conn, TransportError> {
        let mut conn = self.open(url).await?;
        self.write(&mut conn, method, url, head, body).await?;
        Ok(conn)
    }

    /// Writes the request: its line (the target depends on the connection), `head`, `body`.
    async fn write(
        &self,
        conn: &mut Conn,
        method: &str,
        url: &Url,
        head: &str,
        body: &[u8],
    ) -> Result<(), TransportError> {
        // The whole URL for a proxy, else its path and query.
        let target = if conn.absolute_form { url.to_string() } else { url.path_and_query().to_owned() };
        let mut bytes = Vec::with_capacity(head.len() + body.len() + target.len() + 32);
        bytes.extend_from_slice(format!("{method} {target} HTTP/1.1\r\n").as_bytes());
        bytes.extend_from_slice(head.as_bytes());
        bytes.extend_from_slice(body);
        match tokio::time::timeout(self.read_timeout, conn.write_all(&bytes)).await {
            Err(_) => Err(read_timeout(url)),
            Ok(Err(e)) => Err(TransportError::Other(
                DispatchError::new(format!("error sending the request to {url}: {e}")).with_source(e),
            )),
            Ok(Ok(())) => Ok(()),
        }
    }

    /// A new connection for requests to `url`. Boxed: connecting and TLS make a large future
    /// that most requests (on a kept connection) never need.
    fn open<'a>(
        &'a self,
        url: &'a Url,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<Conn, TransportError>> + Send + 'a>> {
        Box::pin(async move {
            let connection = self.connector.connect(url).await.map_err(|e| connect_failed(e, url))?;
            Ok(Conn::new(connection.io, connection.absolute_form))
        })
    }

    /// The request's headers and the empty line after them, checked as HTTP requires: the
    /// method and names are tokens, no value holds a line break or other control character.
    fn head(&self, method: &str, url: &Url, headers: &[(String, String)], body: &[u8]) -> Result<String, String> {
        if method.is_empty() || !method.bytes().all(http1::is_token) {
            return Err(format!("invalid HTTP method {method:?}"));
        }
        let mut head = format!("host: {}\r\nuser-agent: {}\r\n", host_header(url)?, self.user_agent);
        let mut has_length = false;
        for (name, value) in headers {
            if name.is_empty() || !name.bytes().all(http1::is_token) {
                return Err(format!("invalid header name {name:?}"));
            }
            if !http1::is_field_value(value.as_bytes()) {
                return Err(format!("invalid value for header {name}"));
            }
            // Sent once, from the URL and the transport's settings: a second one would be
            // ambiguous to the server (and the signed Host must be the sent one).
            if name.eq_ignore_ascii_case("host") || name.eq_ignore_ascii_case("user-agent") {
                return Err(format!("header {name} is set by the transport (from the URL and its user agent)"));
            }
            has_length |= name.eq_ignore_ascii_case("content-length");
            for part in [name.as_str(), ": ", value, "\r\n"] {
                head.push_str(part);
            }
        }
        // A body's length goes with it; so does an empty one where a body is expected.
        if !has_length && (!body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH")) {
            head.push_str(&format!("content-length: {}\r\n", body.len()));
        }
        // A plain-HTTP request through a proxy carries the proxy's credentials itself (an
        // https one gives them to the proxy in its CONNECT request).
        let proxy = if url.is_https() { None } else { self.proxies.for_target(url)? };
        if let Some(authorization) = proxy.and_then(|p| p.authorization.as_deref()) {
            if !http1::is_field_value(authorization.as_bytes()) {
                return Err("invalid proxy credentials".to_owned());
            }
            head.push_str(&format!("proxy-authorization: {authorization}\r\n"));
        }
        head.push_str("\r\n");
        Ok(head)
    }
}

/// `scheme://authority`: which connections can carry a request to `url`.
fn pool_key(url: &Url) -> String {
    format!("{}://{}", url.scheme(), url.authority())
}

/// Parses a request URL: absolute, `http` or `https`, with a host.
pub fn parse_url(url: &str) -> Result<Url, String> {
    Url::parse(url)
}

/// A URL's host without the brackets an IPv6 literal has there (`[::1]` is `::1`).
pub(crate) fn unbracketed(host: &str) -> &str {
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

/// The `Host` header of a request to `url`, the value SigV4 signs: the host in lower case,
/// with the port unless it is the scheme's default.
pub fn host_header(url: &Url) -> Result<String, String> {
    let host = url.host().to_ascii_lowercase();
    Ok(match url.port() {
        Some(port) if port != url.default_port() => format!("{host}:{port}"),
        _ => host,
    })
}

/// The TLS settings: the Mozilla roots compiled in, or, as the AWS CLI does, only the CA
/// bundle when one is configured; or no verification at all when asked for.
fn tls_config(settings: &TransportSettings) -> Result<Arc<rustls::ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?;
    let mut config = if settings.insecure {
        tracing::warn!("TLS certificate verification is disabled: use this only against test servers");
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
            .with_no_client_auth()
    } else {
        let mut roots = rustls::RootCertStore::empty();
        match &settings.ca_bundle {
            Some(path) => {
                for certificate in trusted_roots(path)? {
                    roots
                        .add(certificate)
                        .map_err(|e| format!("the CA bundle {} holds an unusable certificate: {e}", path.display()))?;
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The certificates of a PEM CA bundle, for the client and the credential providers alike.
fn trusted_roots(path: &std::path::Path) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem = std::fs::read(path).map_err(|e| format!("cannot read the CA bundle {}: {e}", path.display()))?;
    let certificates = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("the CA bundle {} is not PEM: {e}", path.display()))?;
    if certificates.is_empty() {
        return Err(format!("the CA bundle {} holds no certificate", path.display()));
    }
    Ok(certificates)
}

/// `--no-verify-ssl`: any certificate is taken, but signatures are still checked so that
/// the handshake itself stays sound.
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
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

fn read_timeout(url: &Url) -> TransportError {
    TransportError::Timeout(DispatchError::new(format!("Read timeout on endpoint URL: \"{url}\"")))
}

/// No connection: nothing was sent. The AWS CLI's words: the URL that could not be reached
/// (a TLS failure keeps its reason, which is what the user has to fix; a failing proxy is
/// named); the whole cause goes to the log. A connect that timed out is a failure to
/// connect, not a timeout waiting for an answer.
fn connect_failed(error: BoxError, url: &Url) -> TransportError {
    let cause = error_chain(&*error);
    tracing::debug!(cause = %cause, "connection failed");
    let causes = || std::iter::successors(Some(&*error as &(dyn std::error::Error + 'static)), |e| e.source());
    let timed_out = causes().any(|e| e.downcast_ref::<ConnectTimeout>().is_some());
    let proxy = causes().find_map(|e| e.downcast_ref::<ProxyFailed>()).map(|e| e.proxy.clone());
    let lower = cause.to_ascii_lowercase();
    let message = if let Some(proxy) = proxy {
        format!("Failed to connect to proxy URL: \"{proxy}\"")
    } else if lower.contains("certificate") || lower.contains("tls") || lower.contains("ssl") {
        format!("SSL validation failed for {url} {cause}")
    } else if timed_out {
        format!("Connect timeout on endpoint URL: \"{url}\"")
    } else {
        format!("Could not connect to the endpoint URL: \"{url}\"")
    };
    // The cause stays reachable through `source()`.
    TransportError::Connect(DispatchError::new(message).with_source(Cause(error)))
}

/// A connect failure's cause, kept as the source of the error.
#[derive(Debug)]
struct Cause(BoxError);

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_heads_are_checked_and_carry_the_length() {
        let transport =
            Transport::with_proxies(&TransportSettings::default(), "t/1", Proxies::from_vars(std::iter::empty()))
                .unwrap();
        let url = parse_url("https://Example.com:443/p?q=1").unwrap();
        let head = |method: &str, headers: &[(&str, &str)], body: &[u8]| {
            let headers: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            transport.head(method, &url, &headers, body)
        };
        assert_eq!(
            head("POST", &[("X-Amz-Date", "20260101T000000Z")], b"").unwrap(),
            format!(
                "host: example.com\r\nuser-agent: t/1 cloudfront-runtime/{}\r\nX-Amz-Date: 20260101T000000Z\r\ncontent-length: 0\r\n\r\n",
                env!("CARGO_PKG_VERSION")
            )
        );
        assert!(head("GET", &[], b"").unwrap().ends_with("cloudfront-runtime/0.1.0\r\n\r\n"));
        assert!(head("PUT", &[("Content-Length", "3")], b"abc").unwrap().ends_with("Content-Length: 3\r\n\r\n"));
        for (method, headers, why) in [
            ("GE T", &[][..], "invalid HTTP method"),
            ("", &[], "invalid HTTP method"),
            ("GET", &[("X-A\r\nEvil", "1")], "invalid header name"),
            ("GET", &[("X-A", "1\r\nEvil: 2")], "invalid value for header X-A"),
            ("GET", &[("X-A", "nul\0")], "invalid value for header X-A"),
            ("GET", &[("Host", "other")], "header Host is set by the transport"),
            ("GET", &[("user-agent", "other")], "header user-agent is set by the transport"),
        ] {
            let error = head(method, headers, b"").unwrap_err();
            assert!(error.contains(why), "{error}");
        }
    }

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
