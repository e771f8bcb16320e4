//! The HTTP transport: HTTP/1.1 (hyper's connection, our pool of kept-alive connections, rustls)
//! with the proxies the environment names; one per service client. No redirect is followed: a redirect from an AWS API is
//! an answer to report (botocore does not follow them either).

mod connect;
mod pool;
mod proxy;

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use cloudfront_restxml::HttpResponse;
use http::Uri;
use http::header::{HOST, HeaderName, HeaderValue, PROXY_AUTHORIZATION, USER_AGENT};
use http_body::Body as _;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use crate::error::DispatchError;
use connect::{BoxError, ConnectTimeout, Connector, ProxyFailed};
use pool::{HyperIo, Pool, Pooled};
pub(crate) use proxy::Proxies;

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
    user_agent: HeaderValue,
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
        let user_agent =
            HeaderValue::try_from(user_agent).map_err(|e| format!("the user agent is not a header value: {e}"))?;
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
        url: &Uri,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<HttpResponse, TransportError> {
        let request =
            self.request(method, url, headers, body).map_err(|why| TransportError::Other(DispatchError::new(why)))?;
        let key = pool_key(url);
        let (response, pooled) = match tokio::time::timeout(self.read_timeout, self.exchange(&key, url, request)).await
        {
            Ok(exchanged) => exchanged?,
            Err(_) => return Err(read_timeout(url)),
        };
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect();
        let declared =
            response.headers().get(http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.max_response_body as u64) {
            return Err(TransportError::BodyTooLarge { limit: self.max_response_body, status });
        }
        let mut incoming = response.into_body();
        let mut body = Vec::new();
        loop {
            let next = std::future::poll_fn(|cx| Pin::new(&mut incoming).poll_frame(cx));
            let frame = match tokio::time::timeout(self.read_timeout, next).await {
                Err(_) => return Err(read_timeout(url)),
                Ok(None) => break,
                Ok(Some(frame)) => frame.map_err(|e| {
                    let message = format!("error reading the response from {url}: {}", error_chain(&e));
                    TransportError::Other(DispatchError::new(message).with_source(e))
                })?,
            };
            if let Ok(chunk) = frame.into_data() {
                if body.len() + chunk.len() > self.max_response_body {
                    return Err(TransportError::BodyTooLarge { limit: self.max_response_body, status });
                }
                body.extend_from_slice(&chunk);
            }
        }
        // Read whole: the connection can serve the next request.
        self.pool.put(&key, pooled);
        Ok(HttpResponse::new(status, headers, body))
    }

    /// Sends the request on a pooled connection, or a new one, and waits for the response
    /// head. A pooled connection that turns out to be closed before the request went out
    /// (the server's idle timeout ran out at that moment) is replaced by a new one.
    async fn exchange(
        &self,
        key: &str,
        url: &Uri,
        mut request: http::Request<Payload>,
    ) -> Result<(http::Response<hyper::body::Incoming>, Pooled), TransportError> {
        if let Some(mut pooled) = self.pool.checkout(key).await {
            set_request_target(&mut request, url, pooled.absolute_form);
            match pooled.sender.try_send_request(request).await {
                Ok(response) => return Ok((response, pooled)),
                Err(mut failed) => match failed.take_message() {
                    Some(unsent) => request = unsent,
                    None => return Err(send_failed(failed.into_error(), url)),
                },
            }
        }
        let mut pooled = self.open(url).await?;
        set_request_target(&mut request, url, pooled.absolute_form);
        let response = pooled.sender.send_request(request).await.map_err(|e| send_failed(e, url))?;
        Ok((response, pooled))
    }

    /// A new connection for requests to `url`. Boxed: connecting, TLS and the handshake
    /// make a large future that most requests (on a kept connection) never need.
    fn open<'a>(&'a self, url: &'a Uri) -> Pin<Box<dyn Future<Output = Result<Pooled, TransportError>> + Send + 'a>> {
        Box::pin(async move {
            let connection = self.connector.connect(url).await.map_err(|e| connect_failed(e, url))?;
            let (sender, driver) =
                hyper::client::conn::http1::handshake(HyperIo(connection.io)).await.map_err(|e| send_failed(e, url))?;
            // The connection's reads and writes run beside the requests; it ends when the
            // last handle to it (in a request or the pool) is dropped, or the server closes it.
            tokio::spawn(async move {
                if let Err(e) = driver.await {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
            });
            Ok(Pooled { sender, absolute_form: connection.absolute_form })
        })
    }

    fn request(
        &self,
        method: &str,
        url: &Uri,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Result<http::Request<Payload>, String> {
        let mut request = http::Request::new(Payload((!body.is_empty()).then(|| Bytes::from(body))));
        *request.method_mut() =
            http::Method::from_bytes(method.as_bytes()).map_err(|_| format!("invalid HTTP method {method:?}"))?;
        // The request target is set when the connection is known (`set_request_target`).
        let map = request.headers_mut();
        map.insert(HOST, HeaderValue::try_from(host_header(url)?).map_err(|e| format!("invalid Host header: {e}"))?);
        map.insert(USER_AGENT, self.user_agent.clone());
        for (name, value) in headers {
            let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| format!("invalid header name {name:?}"))?;
            let value =
                HeaderValue::try_from(value.as_str()).map_err(|_| format!("invalid value for header {name}"))?;
            map.append(name, value);
        }
        // A plain-HTTP request through a proxy carries the proxy's credentials itself (an
        // https one gives them to the proxy in its CONNECT request).
        let proxy = if url.scheme_str() == Some("http") { self.proxies.for_target(url)? } else { None };
        if let Some(authorization) = proxy.and_then(|p| p.authorization.as_deref()) {
            let value = HeaderValue::try_from(authorization).map_err(|_| "invalid proxy credentials".to_owned())?;
            map.insert(PROXY_AUTHORIZATION, value);
        }
        Ok(request)
    }
}

/// `scheme://authority`: which connections can carry a request to `url`.
fn pool_key(url: &Uri) -> String {
    format!("{}://{}", url.scheme_str().unwrap_or("http"), url.authority().map_or("", |a| a.as_str()))
}

/// The request line's target: the whole URL for a proxy, else its path and query.
fn set_request_target(request: &mut http::Request<Payload>, url: &Uri, absolute_form: bool) {
    *request.uri_mut() = if absolute_form {
        url.clone()
    } else {
        url.path_and_query().map_or_else(|| Uri::from_static("/"), |p| Uri::from(p.clone()))
    };
}

/// Parses a request URL: absolute, `http` or `https`, with a host.
pub fn parse_url(url: &str) -> Result<Uri, String> {
    let uri: Uri = url.parse().map_err(|e| format!("invalid URL {url:?}: {e}"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err(format!("URL {url:?} must be http or https")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!("URL {url:?} has no host"));
    }
    // `http::Uri` takes any digits after the colon, and then reports no port at all.
    let authority = uri.authority().map_or("", |a| a.as_str());
    let host_port = authority.rsplit('@').next().unwrap_or_default();
    let after_host = host_port.rsplit_once(']').map_or(host_port, |(_, rest)| rest);
    if after_host.rsplit_once(':').is_some_and(|(_, port)| port.parse::<u16>().is_err()) {
        return Err(format!("URL {url:?} has a port that is not a number from 0 to 65535"));
    }
    Ok(uri)
}

/// A URL's host without the brackets an IPv6 literal has there (`[::1]` is `::1`).
pub(crate) fn unbracketed(host: &str) -> &str {
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

/// The `Host` header of a request to `url`, the value SigV4 signs: the host in lower case,
/// with the port unless it is the scheme's default.
pub fn host_header(url: &Uri) -> Result<String, String> {
    let host = url.host().filter(|h| !h.is_empty()).ok_or_else(|| format!("URL {url} has no host"))?;
    let host = host.to_ascii_lowercase();
    let default_port = if url.scheme_str() == Some("https") { 443 } else { 80 };
    Ok(match url.port_u16() {
        Some(port) if port != default_port => format!("{host}:{port}"),
        _ => host,
    })
}

/// A request body, sent in one piece.
struct Payload(Option<Bytes>);

impl http_body::Body for Payload {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.take().map(|bytes| Ok(http_body::Frame::data(bytes))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_none()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(self.0.as_ref().map_or(0, |b| b.len() as u64))
    }
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

fn read_timeout(url: &Uri) -> TransportError {
    TransportError::Timeout(DispatchError::new(format!("Read timeout on endpoint URL: \"{url}\"")))
}

/// A request that failed once sent (or while being sent): the connection broke, or the
/// answer was not HTTP.
fn send_failed(error: hyper::Error, url: &Uri) -> TransportError {
    let message = format!("error sending the request to {url}: {}", error_chain(&error));
    TransportError::Other(DispatchError::new(message).with_source(error))
}

/// No connection: nothing was sent. The AWS CLI's words: the URL that could not be reached
/// (a TLS failure keeps its reason, which is what the user has to fix; a failing proxy is
/// named); the whole cause goes to the log. A connect that timed out is a failure to
/// connect, not a timeout waiting for an answer.
fn connect_failed(error: BoxError, url: &Uri) -> TransportError {
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
