//! Making a connection: TCP to the target or to its proxy, a `CONNECT`
//! tunnel through the proxy for `https://` targets, then TLS (rustls, with the Mozilla roots
//! compiled in and any extra CA bundle). The whole of it is bounded by the connect timeout.

use std::error::Error as StdError;
use std::future::poll_fn;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use super::Url;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::proxy::Proxies;

pub(crate) type BoxError = Box<dyn StdError + Send + Sync>;

/// The connect timeout passed: nothing was sent.
#[derive(Debug)]
pub(crate) struct ConnectTimeout;

impl std::fmt::Display for ConnectTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the connection was not made within the connect timeout")
    }
}

impl StdError for ConnectTimeout {}

/// The proxy could not be reached, or would not open the tunnel.
#[derive(Debug)]
pub(crate) struct ProxyFailed {
    /// `scheme://host:port` of the proxy (never its credentials).
    pub proxy: String,
    cause: BoxError,
}

impl std::fmt::Display for ProxyFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the proxy {} failed: {}", self.proxy, self.cause)
    }
}

impl StdError for ProxyFailed {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.cause)
    }
}

/// Makes connections.
pub(crate) struct Connector {
    tls: tokio_rustls::TlsConnector,
    proxies: Arc<Proxies>,
    timeout: Duration,
}

/// A new connection, and whether requests on it go in absolute form (to a proxy).
pub(crate) struct Connection {
    pub io: Box<dyn Io>,
    pub absolute_form: bool,
}

impl Connector {
    pub fn new(tls: Arc<rustls::ClientConfig>, proxies: Arc<Proxies>, timeout: Duration) -> Connector {
        Connector { tls: tokio_rustls::TlsConnector::from(tls), proxies, timeout }
    }

    /// A connection for requests to `target`, within the connect timeout.
    pub async fn connect(&self, target: &Url) -> Result<Connection, BoxError> {
        tokio::time::timeout(self.timeout, self.connect_unbounded(target))
            .await
            .unwrap_or_else(|_| Err(Box::new(ConnectTimeout)))
    }

    async fn connect_unbounded(&self, target: &Url) -> Result<Connection, BoxError> {
        let https = target.is_https();
        let host = target.host();
        let Some(proxy) = self.proxies.for_target(target)? else {
            let tcp = tcp(target).await?;
            let io = if https { self.tls(tcp, host).await? } else { tcp };
            return Ok(Connection { io, absolute_form: false });
        };
        let through_proxy = async {
            let mut io = tcp(&proxy.uri).await?;
            if proxy.is_https() {
                io = self.tls(io, proxy.uri.host()).await?;
            }
            if https {
                let authority = format!("{host}:{}", target.port_or_default());
                tunnel(&mut io, &authority, proxy.authorization.as_deref()).await?;
            }
            Ok::<_, BoxError>(io)
        };
        let io = through_proxy.await.map_err(|cause| ProxyFailed {
            proxy: format!("{}://{}", proxy.uri.scheme(), proxy.uri.authority()),
            cause,
        })?;
        if !https {
            // A plain-HTTP request goes to the proxy whole, its URL in absolute form.
            return Ok(Connection { io, absolute_form: true });
        }
        Ok(Connection { io: self.tls(io, host).await?, absolute_form: false })
    }

    async fn tls(&self, io: Box<dyn Io>, host: &str) -> Result<Box<dyn Io>, BoxError> {
        // IPv6 literals come in brackets from the URL.
        let name = ServerName::try_from(super::unbracketed(host).to_owned())?;
        Ok(Box::new(self.tls.connect(name, io).await?))
    }
}

/// A TCP connection to the URL's host and port (each of its addresses in turn).
async fn tcp(to: &Url) -> Result<Box<dyn Io>, BoxError> {
    let tcp = tokio::net::TcpStream::connect((super::unbracketed(to.host()), to.port_or_default())).await?;
    // Requests are written whole: nothing gains from waiting to fill a segment.
    tcp.set_nodelay(true)?;
    Ok(Box::new(tcp))
}

/// Asks the proxy for a tunnel to `authority` (`host:port`) and reads its answer.
async fn tunnel(io: &mut Box<dyn Io>, authority: &str, authorization: Option<&str>) -> Result<(), BoxError> {
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(authorization) = authorization {
        request.push_str(&format!("Proxy-Authorization: {authorization}\r\n"));
    }
    request.push_str("\r\n");
    super::http1::write_all(io, request.as_bytes()).await?;
    // The answer ends with an empty line. It is read a byte at a time (it is short, and once
    // per connection) so that nothing after it, the server's side of TLS, is taken.
    const LIMIT: usize = 16 * 1024;
    let mut answer = Vec::new();
    while !answer.ends_with(b"\r\n\r\n") {
        if answer.len() >= LIMIT {
            return Err(format!("the proxy's answer to CONNECT is longer than {LIMIT} bytes").into());
        }
        let mut byte = [0u8; 1];
        let mut buf = ReadBuf::new(&mut byte);
        poll_fn(|cx| Pin::new(&mut **io).poll_read(cx, &mut buf)).await?;
        match buf.filled() {
            [b] => answer.push(*b),
            _ => return Err("the proxy closed the connection instead of answering CONNECT".into()),
        }
    }
    let status_line = answer.split(|&b| b == b'\r').next().unwrap_or_default();
    match super::http1::status_of(status_line) {
        Ok((_, status)) if (200..300).contains(&status) => Ok(()),
        _ => {
            Err(format!("the proxy refused the tunnel to {authority}: {}", String::from_utf8_lossy(status_line)).into())
        }
    }
}

/// A byte stream: TCP, TLS over it, or TLS over a tunnel.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}
