//! The HTTP transport: reqwest, over rustls on the crypto library the features choose, with
//! the proxies the environment names read as the AWS CLI reads them; HTTP/1.1, and HTTP/2 with
//! the `http2` feature where the server offers it. No redirect is followed: a redirect from an
//! AWS API is an answer to report (botocore does not follow them either). A program that has
//! its own `reqwest::Client` hands it in through [`TransportSettings::http_client`].

mod body;
mod proxy;
mod tls;
mod verbatim;

use std::time::Duration;

use cloudfront_primitives::HttpResponse;

use crate::error::DispatchError;
pub use body::Body;
pub(crate) use proxy::Proxies;
pub use reqwest::Url;

/// Settings of the HTTP transport. The defaults are the official AWS SDK for Rust's: a
/// 3.1 s connect timeout and no read timeout (the `cloudfront` CLI sets the AWS CLI's 60 s
/// for both).
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct TransportSettings {
    /// How long to wait for a connection (TCP, proxy tunnel and TLS handshake).
    pub connect_timeout: Duration,
    /// The longest wait for any read (the response head or a body chunk); none by default.
    pub read_timeout: Option<Duration>,
    /// A PEM file of trusted certificate authorities, used instead of the bundled ones.
    pub ca_bundle: Option<std::path::PathBuf>,
    /// Accept any certificate. For testing against local servers only.
    pub insecure: bool,
    /// Response bodies longer than this are refused as they stream in (a hostile or broken
    /// server must not exhaust memory).
    pub max_response_body: usize,
    /// A client the program built itself (its pool, TLS settings, proxies, timeouts and
    /// middleware are then that client's). A CA bundle or `insecure` cannot be applied to
    /// it and are refused; the timeouts above and the environment's proxies are not applied
    /// either: set them on the client.
    pub http_client: Option<reqwest::Client>,
}

impl Default for TransportSettings {
    fn default() -> Self {
        TransportSettings {
            connect_timeout: Duration::from_millis(3100),
            read_timeout: None,
            ca_bundle: None,
            insecure: false,
            max_response_body: 16 * 1024 * 1024,
            http_client: None,
        }
    }
}

/// What went wrong sending a request.
#[derive(Debug)]
#[non_exhaustive]
pub enum TransportError {
    /// A read deadline passed after the request went out.
    Timeout(DispatchError),
    /// The connection could not be made: nothing was sent.
    Connect(DispatchError),
    /// The body exceeded `max_response_body`.
    BodyTooLarge {
        /// The configured limit in bytes.
        limit: usize,
        /// The status of the response whose body was too large.
        status: u16,
    },
    /// The request was refused before anything was sent (an invalid header, a proxy variable
    /// that cannot be read, a path this transport cannot send): retrying cannot help.
    Refused(DispatchError),
    /// Anything else (a broken connection).
    Other(DispatchError),
    /// A response body broke off after part of it went to the caller's writer: sending again
    /// would write those bytes twice, so it is not retried.
    Interrupted(DispatchError),
}

/// Where a success response's body goes instead of memory (an S3 download into a file).
pub type Sink<'a, 'w> = &'a mut (dyn tokio::io::AsyncWrite + Unpin + Send + 'w);

impl std::fmt::Display for TransportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TransportError::Timeout(why)
            | TransportError::Connect(why)
            | TransportError::Refused(why)
            | TransportError::Other(why)
            | TransportError::Interrupted(why) => {
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
            TransportError::Timeout(e)
            | TransportError::Connect(e)
            | TransportError::Refused(e)
            | TransportError::Other(e)
            | TransportError::Interrupted(e) => Some(e),
            TransportError::BodyTooLarge { .. } => None,
        }
    }
}

/// The transport: one reqwest client (and its pool of kept-alive connections).
#[derive(Debug)]
pub struct Transport {
    client: reqwest::Client,
    /// The environment's proxies, when the client is ours (a user's client has its own).
    proxies: Option<std::sync::Arc<Proxies>>,
    /// Requests whose path reqwest would change (`send_exact`).
    verbatim: verbatim::Verbatim,
    read_timeout: Option<Duration>,
    user_agent: String,
    max_response_body: usize,
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
        if reqwest::header::HeaderValue::from_str(&user_agent).is_err() {
            return Err(format!("the user agent {user_agent:?} is not a header value"));
        }
        if settings.http_client.is_some() && (settings.ca_bundle.is_some() || settings.insecure) {
            return Err("a CA bundle or --no-verify-ssl cannot be applied to an HTTP client the program \
                        built: configure its TLS on that reqwest::Client"
                .into());
        }
        let proxies = std::sync::Arc::new(proxies);
        let (client, proxies) = match &settings.http_client {
            Some(client) => (client.clone(), None),
            None => (build_client(settings, proxies.clone())?, Some(proxies)),
        };
        Ok(Transport {
            client,
            proxies,
            verbatim: verbatim::Verbatim::new(tls::config(settings)?, settings.connect_timeout),
            read_timeout: settings.read_timeout,
            user_agent,
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
        body: impl Into<Body>,
    ) -> Result<HttpResponse, TransportError> {
        self.send_to(method, url, headers, body.into(), None).await
    }

    /// [`Transport::send`], a success's body written to `sink` (when given) instead of memory.
    async fn send_to(
        &self,
        method: &str,
        url: &Url,
        headers: &[(String, String)],
        body: Body,
        sink: Option<Sink<'_, '_>>,
    ) -> Result<HttpResponse, TransportError> {
        let invalid = |why: String| TransportError::Refused(DispatchError::new(why));
        if let Some(proxies) = &self.proxies {
            // A malformed proxy variable fails the requests that would use it, with its words.
            proxies.for_target(url).map_err(invalid)?;
        }
        let request = self.request(method, url, headers, body).await.map_err(invalid)?;
        let response = self.client.execute(request).await.map_err(|e| self.failed(&e, url))?;
        // reqwest bounds each read by the read timeout itself.
        self.read(response, url, sink, false).await
    }

    /// A response: a success's body into `sink` when there is one (each read bounded by the
    /// read timeout), anything else whole and bounded in memory (`timed_whole`: the read
    /// timeout bounds the whole body, for the lane whose client does not bound each read).
    async fn read(
        &self,
        response: reqwest::Response,
        url: &Url,
        sink: Option<Sink<'_, '_>>,
        timed_whole: bool,
    ) -> Result<HttpResponse, TransportError> {
        match (sink, self.read_timeout) {
            (Some(sink), limit) if response.status().is_success() => read_into(response, url, sink, limit).await,
            (_, Some(limit)) if timed_whole => {
                let reading = read_bounded(response, url, self.max_response_body);
                tokio::time::timeout(limit, reading).await.map_err(|_| read_timeout(url))?
            }
            _ => read_bounded(response, url, self.max_response_body).await,
        }
    }

    /// Sends one request whose path and query are exactly `path_and_query` (as signed). Where
    /// reqwest's URL type would send something else (it removes `.` and `..` segments), the
    /// request goes through hyper directly (see `verbatim`); a user's own client is then not
    /// used for it.
    pub async fn send_exact(
        &self,
        method: &str,
        url: &Url,
        path_and_query: &str,
        headers: &[(String, String)],
        body: impl Into<Body>,
    ) -> Result<HttpResponse, TransportError> {
        self.send_exact_to(method, url, path_and_query, headers, body.into(), None).await
    }

    /// [`Transport::send_exact`], a success's body written to `sink` (when given).
    pub async fn send_exact_to(
        &self,
        method: &str,
        url: &Url,
        path_and_query: &str,
        headers: &[(String, String)],
        body: Body,
        sink: Option<Sink<'_, '_>>,
    ) -> Result<HttpResponse, TransportError> {
        let as_url = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        if as_url == path_and_query {
            return self.send_to(method, url, headers, body, sink).await;
        }
        let invalid = |why: String| TransportError::Refused(DispatchError::new(why));
        // A user's client has its own proxies, which this lane cannot read: none are used.
        let proxy = match &self.proxies {
            Some(proxies) => proxies.for_target(url).map_err(invalid)?,
            None => None,
        };
        let request = self.request(method, url, headers, body).await.map_err(invalid)?;
        let mut request = http::Request::<reqwest::Body>::try_from(request).map_err(|e| invalid(error_chain(&e)))?;
        let host = url.host_str().unwrap_or_default();
        let authority = url.port().map_or_else(|| host.to_owned(), |port| format!("{host}:{port}"));
        *request.uri_mut() = format!("{}://{authority}{path_and_query}", url.scheme())
            .parse()
            .map_err(|e| invalid(format!("cannot send the path {path_and_query:?}: {e}")))?;
        let exchange = self.verbatim.send(request, proxy);
        let response = match self.read_timeout {
            Some(limit) => tokio::time::timeout(limit, exchange).await.map_err(|_| read_timeout(url))?,
            None => exchange.await,
        };
        let response = response.map_err(|failed| self.verbatim_failed(failed, url, proxy))?;
        let response = reqwest::Response::from(response.map(reqwest::Body::wrap));
        self.read(response, url, sink, true).await
    }

    /// A failed verbatim exchange, in the words of the reqwest path's errors.
    fn verbatim_failed(&self, failed: verbatim::Failed, url: &Url, proxy: Option<&proxy::Proxy>) -> TransportError {
        match failed {
            verbatim::Failed::Refused(why) => TransportError::Refused(DispatchError::new(why)),
            verbatim::Failed::Connect(error) => {
                let cause = error_chain(&error);
                let lower = cause.to_ascii_lowercase();
                let message = if lower.contains("certificate") || lower.contains("tls") {
                    format!("SSL validation failed for {url} {cause}")
                } else if let Some(proxy) = proxy {
                    format!("Failed to connect to proxy URL: \"{}\"", proxy.shown())
                } else {
                    format!("Could not connect to the endpoint URL: \"{url}\"")
                };
                TransportError::Connect(DispatchError::new(message).with_source(Cause(cause)))
            }
            verbatim::Failed::Exchange(error) => {
                let cause = error_chain(error.as_ref());
                TransportError::Other(
                    DispatchError::new(format!("error sending the request to {url}: {cause}"))
                        .with_source(Cause(cause)),
                )
            }
        }
    }

    /// The request, checked as HTTP requires: the method is a token, header names are tokens,
    /// no value holds a line break or other control character; Host, User-Agent and framing
    /// are the transport's.
    async fn request(
        &self,
        method: &str,
        url: &Url,
        headers: &[(String, String)],
        body: Body,
    ) -> Result<reqwest::Request, String> {
        use reqwest::header::{CONTENT_LENGTH, HeaderName, HeaderValue, USER_AGENT};
        let method =
            reqwest::Method::from_bytes(method.as_bytes()).map_err(|_| format!("invalid HTTP method {method:?}"))?;
        let (body, length) = body::into_reqwest(body).await?;
        let mut request = reqwest::Request::new(method.clone(), url.clone());
        let map = request.headers_mut();
        for (name, value) in headers {
            let header =
                HeaderName::from_bytes(name.as_bytes()).map_err(|_| format!("invalid header name {name:?}"))?;
            let value = HeaderValue::from_str(value).map_err(|_| format!("invalid value for header {name}"))?;
            match header.as_str() {
                // Sent once, from the URL and the transport's settings: a second one would be
                // ambiguous to the server (and the signed Host must be the sent one).
                "host" | "user-agent" => {
                    return Err(format!("header {name} is set by the transport (from the URL and its user agent)"));
                }
                "transfer-encoding" => return Err(format!("header {name} is set by the transport")),
                "content-length" if value.to_str().ok() != Some(length.to_string().as_str()) => {
                    return Err(format!("header {name} says {value:?}, but the body has {length} bytes"));
                }
                _ => {
                    map.append(header, value);
                }
            }
        }
        map.insert(USER_AGENT, HeaderValue::from_str(&self.user_agent).map_err(|e| e.to_string())?);
        // A body's length goes with it; so does an empty one where a body is expected.
        if length > 0 || matches!(method.as_str(), "POST" | "PUT" | "PATCH") {
            map.insert(CONTENT_LENGTH, HeaderValue::from(length));
        }
        *request.body_mut() = Some(body);
        Ok(request)
    }

    /// A failed exchange, in the AWS CLI's words. A connection that was never made is a
    /// `Connect` error (nothing was sent).
    fn failed(&self, error: &reqwest::Error, url: &Url) -> TransportError {
        let cause = error_chain(error);
        tracing::debug!(cause = %cause, "request failed");
        let with_cause = |message: String| DispatchError::new(message).with_source(Cause(cause.clone()));
        let lower = cause.to_ascii_lowercase();
        if error.is_connect() {
            let proxy = self.proxies.as_ref().and_then(|p| p.for_target(url).ok().flatten()).map(|p| p.shown());
            let message = if lower.contains("certificate") || lower.contains("tls") || lower.contains("ssl") {
                format!("SSL validation failed for {url} {cause}")
            } else if let Some(proxy) = proxy {
                format!("Failed to connect to proxy URL: \"{proxy}\"")
            } else if error.is_timeout() {
                format!("Connect timeout on endpoint URL: \"{url}\"")
            } else {
                format!("Could not connect to the endpoint URL: \"{url}\"")
            };
            return TransportError::Connect(with_cause(message));
        }
        if error.is_timeout() {
            return read_timeout(url);
        }
        let dropped = io_error(error).is_some_and(|e| {
            use std::io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset, UnexpectedEof};
            matches!(e.kind(), ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof)
        });
        TransportError::Other(with_cause(match hyper_error(error) {
            // botocore's words for a connection that ended before a whole response head.
            Some(e) if dropped || e.is_incomplete_message() || e.is_closed() || e.is_canceled() => {
                format!("Connection was closed before we received a valid response from endpoint URL: \"{url}\".")
            }
            Some(e) if e.is_parse() || e.is_parse_status() => {
                format!("unreadable response from endpoint URL \"{url}\": {cause}")
            }
            _ => format!("error sending the request to {url}: {cause}"),
        }))
    }
}

/// A client of our own: the proxies of the environment (as urllib reads them), redirects
/// never followed, the settings' timeouts and trust.
fn build_client(settings: &TransportSettings, proxies: std::sync::Arc<Proxies>) -> Result<reqwest::Client, String> {
    let mut builder = reqwest::Client::builder()
        .no_proxy()
        .proxy(reqwest::Proxy::custom(move |url| proxies.for_target(url).ok().flatten().map(|p| p.url.clone())))
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(settings.connect_timeout)
        .pool_idle_timeout(Duration::from_secs(90))
        .tls_backend_preconfigured(tls::config(settings)?);
    if let Some(timeout) = settings.read_timeout {
        builder = builder.read_timeout(timeout);
    }
    if !cfg!(feature = "http2") {
        builder = builder.http1_only();
    }
    builder.build().map_err(|e| format!("cannot build the HTTP client: {}", error_chain(&e)))
}

/// Reads a response as [`Transport::send`] does: status, headers, and the whole body, refused
/// as soon as it grows past `limit`. Public so that the `responses` fuzz target drives the
/// same code on responses built in memory.
#[doc(hidden)]
pub async fn read_response(response: reqwest::Response, limit: usize) -> Result<HttpResponse, TransportError> {
    let url = response.url().clone();
    read_bounded(response, &url, limit).await
}

/// A success response whose body goes to `sink` as it arrives (no limit: the caller chose
/// where it goes), each read bounded by `read_timeout`. A body that breaks off once bytes were
/// written is `Interrupted`, never retried.
async fn read_into(
    mut response: reqwest::Response,
    url: &Url,
    sink: Sink<'_, '_>,
    read_timeout: Option<Duration>,
) -> Result<HttpResponse, TransportError> {
    use tokio::io::AsyncWriteExt as _;
    let (status, headers) = (response.status().as_u16(), response_headers(&response));
    let mut written = 0u64;
    let broke_off = |why: String, written: u64| {
        let error = DispatchError::new(format!("the response body from {url} broke off after {written} bytes: {why}"));
        if written == 0 { TransportError::Other(error) } else { TransportError::Interrupted(error) }
    };
    loop {
        let next = response.chunk();
        let chunk = match read_timeout {
            Some(limit) => {
                tokio::time::timeout(limit, next).await.map_err(|_| broke_off("read timeout".into(), written))?
            }
            None => next.await,
        };
        match chunk {
            Ok(Some(chunk)) => {
                sink.write_all(&chunk).await.map_err(|e| broke_off(format!("cannot write: {e}"), written.max(1)))?;
                written += chunk.len() as u64;
            }
            Ok(None) => break,
            Err(e) => return Err(broke_off(error_chain(&e), written)),
        }
    }
    sink.flush().await.map_err(|e| broke_off(format!("cannot write: {e}"), written.max(1)))?;
    Ok(HttpResponse::new(status, headers, Vec::new()))
}

/// A response's headers, values read as text (bytes that are not UTF-8 replaced).
fn response_headers(response: &reqwest::Response) -> Vec<(String, String)> {
    let headers = response.headers().iter();
    headers
        .map(|(name, value)| (name.as_str().to_owned(), String::from_utf8_lossy(value.as_bytes()).into_owned()))
        .collect()
}

/// The whole response, its body refused as soon as it grows past `limit`.
async fn read_bounded(
    mut response: reqwest::Response,
    url: &Url,
    limit: usize,
) -> Result<HttpResponse, TransportError> {
    let (status, headers) = (response.status().as_u16(), response_headers(&response));
    if response.content_length().is_some_and(|length| length > limit as u64) {
        return Err(TransportError::BodyTooLarge { limit, status });
    }
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) if body.len() + chunk.len() > limit => {
                return Err(TransportError::BodyTooLarge { limit, status });
            }
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            Ok(None) => return Ok(HttpResponse::new(status, headers, body)),
            Err(e) if e.is_timeout() => return Err(read_timeout(url)),
            Err(e) => {
                let cause = error_chain(&e);
                return Err(TransportError::Other(
                    DispatchError::new(format!("An error occurred while reading from response stream: {cause}"))
                        .with_source(Cause(cause)),
                ));
            }
        }
    }
}

/// The hyper error under a reqwest error, if any.
fn hyper_error(error: &reqwest::Error) -> Option<&hyper::Error> {
    first_source(error)
}

/// The I/O error under a reqwest error, if any.
fn io_error(error: &reqwest::Error) -> Option<&std::io::Error> {
    first_source(error)
}

/// The first error of type `T` among `error`'s sources.
fn first_source<T: std::error::Error + 'static>(error: &reqwest::Error) -> Option<&T> {
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        if let Some(found) = inner.downcast_ref::<T>() {
            return Some(found);
        }
        source = inner.source();
    }
    None
}

/// Parses a request URL: absolute, `http` or `https`, with a host and no user info.
pub fn parse_url(url: &str) -> Result<Url, String> {
    let parsed = Url::parse(url).map_err(|e| format!("{url:?} is not a URL: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("{url:?} must be an http or https URL"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("{url:?} names no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(format!("{url:?} must not carry user info"));
    }
    Ok(parsed)
}

/// A URL's host without the brackets an IPv6 literal has there (`[::1]` is `::1`).
pub(crate) fn unbracketed(host: &str) -> &str {
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

/// The `Host` header of a request to `url`, the value SigV4 signs: the host in lower case,
/// with the port unless it is the scheme's default.
pub fn host_header(url: &Url) -> Result<String, String> {
    let host = url.host_str().ok_or_else(|| format!("{url} names no host"))?.to_ascii_lowercase();
    Ok(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host,
    })
}

/// An error and every source under it, on one line.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        let more = inner.to_string();
        // reqwest and hyper repeat their sources in their own text at times.
        if !text.ends_with(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = inner.source();
    }
    text
}

fn read_timeout(url: &Url) -> TransportError {
    TransportError::Timeout(DispatchError::new(format!("Read timeout on endpoint URL: \"{url}\"")))
}

/// A failure's whole cause, kept as the source of the error.
#[derive(Debug)]
struct Cause(String);

impl std::fmt::Display for Cause {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Cause {}

#[cfg(test)]
mod tests {
    use super::*;

    fn transport() -> Transport {
        Transport::with_proxies(&TransportSettings::default(), "t/1", Proxies::from_vars(std::iter::empty())).unwrap()
    }

    #[tokio::test]
    async fn requests_are_checked_and_carry_the_length() {
        let transport = transport();
        let url = parse_url("https://Example.com:443/p?q=1").unwrap();
        let request = |method: &'static str, headers: &[(&str, &str)], body: &'static [u8]| {
            let headers: Vec<(String, String)> = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            let transport = &transport;
            let url = url.clone();
            async move { transport.request(method, &url, &headers, Body::from(body.to_vec())).await }
        };
        let post = request("POST", &[("X-Amz-Date", "20260101T000000Z")], b"").await.unwrap();
        assert_eq!(post.url().as_str(), "https://example.com/p?q=1");
        assert_eq!(post.headers()["content-length"], "0");
        assert_eq!(post.headers()["user-agent"], format!("t/1 cloudfront-runtime/{}", env!("CARGO_PKG_VERSION")));
        assert!(request("GET", &[], b"").await.unwrap().headers().get("content-length").is_none());
        assert_eq!(request("PUT", &[("Content-Length", "3")], b"abc").await.unwrap().headers()["content-length"], "3");
        for (method, headers, why) in [
            ("GE T", &[][..], "invalid HTTP method"),
            ("", &[], "invalid HTTP method"),
            ("GET", &[("X-A\r\nEvil", "1")], "invalid header name"),
            ("GET", &[("X-A", "1\r\nEvil: 2")], "invalid value for header X-A"),
            ("GET", &[("X-A", "nul\0")], "invalid value for header X-A"),
            ("GET", &[("Host", "other")], "header Host is set by the transport"),
            ("GET", &[("user-agent", "other")], "header user-agent is set by the transport"),
            ("GET", &[("Transfer-Encoding", "chunked")], "header Transfer-Encoding is set by the transport"),
            ("GET", &[("Content-Length", "7")], "header Content-Length says \"7\", but the body has 0 bytes"),
        ] {
            let error = request(method, headers, b"").await.unwrap_err();
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

    #[test]
    fn settings_that_cannot_apply_to_a_users_client_are_refused() {
        let tls = tls::config(&TransportSettings::default()).unwrap();
        let client = reqwest::Client::builder().tls_backend_preconfigured(tls).build().unwrap();
        let settings = TransportSettings { http_client: Some(client), insecure: true, ..TransportSettings::default() };
        let error = Transport::new(&settings, "").unwrap_err();
        assert!(error.contains("cannot be applied to an HTTP client the program built"), "{error}");
    }

    #[test]
    fn urls_and_their_host_headers() {
        let url = parse_url("HTTPS://CloudFront.amazonaws.com:443/2020-05-31/x?a=b").unwrap();
        assert_eq!(host_header(&url).unwrap(), "cloudfront.amazonaws.com");
        assert_eq!(host_header(&parse_url("http://[::1]:8080/").unwrap()).unwrap(), "[::1]:8080");
        for bad in ["ftp://h/", "http://u:p@h/", "not a url", "http://"] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }
}
