//! Making a connection for the pooled client: TCP to the target or to its proxy, a `CONNECT`
//! tunnel through the proxy for `https://` targets, then TLS (rustls, with the Mozilla roots
//! compiled in and any extra CA bundle). The whole of it is bounded by the connect timeout.

use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use http::Uri;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

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

/// Makes connections; cheap to clone (the pool clones it for every new connection).
#[derive(Clone)]
pub(crate) struct Connector {
    tcp: HttpConnector,
    tls: tokio_rustls::TlsConnector,
    proxies: Arc<Proxies>,
    timeout: Duration,
}

impl Connector {
    pub fn new(tls: Arc<rustls::ClientConfig>, proxies: Arc<Proxies>, timeout: Duration) -> Connector {
        let mut tcp = HttpConnector::new();
        // TLS is ours, above the TCP connection.
        tcp.enforce_http(false);
        tcp.set_nodelay(true);
        Connector { tcp, tls: tokio_rustls::TlsConnector::from(tls), proxies, timeout }
    }

    async fn connect(mut self, target: Uri) -> Result<TokioIo<Stream>, BoxError> {
        let https = target.scheme_str() == Some("https");
        let host = target.host().ok_or("the URL has no host")?.to_owned();
        let proxies = self.proxies.clone();
        let Some(proxy) = proxies.for_target(&target)? else {
            let tcp: Box<dyn Io> = Box::new(self.tcp(target.clone()).await?);
            let io = if https { self.tls(tcp, &host).await? } else { tcp };
            return Ok(TokioIo::new(Stream { io, absolute_form: false }));
        };
        let through_proxy = async {
            let mut io: Box<dyn Io> = Box::new(self.tcp(proxy.uri.clone()).await?);
            if proxy.is_https() {
                io = self.tls(io, proxy.uri.host().unwrap_or_default()).await?;
            }
            if https {
                let port = target.port_u16().unwrap_or(443);
                tunnel(&mut io, &format!("{host}:{port}"), proxy.authorization.as_deref()).await?;
            }
            Ok::<_, BoxError>(io)
        };
        let io = through_proxy.await.map_err(|cause| {
            let proxy = format!(
                "{}://{}",
                proxy.uri.scheme_str().unwrap_or("http"),
                proxy.uri.authority().map_or("", |a| a.as_str())
            );
            ProxyFailed { proxy, cause }
        })?;
        if !https {
            // A plain-HTTP request goes to the proxy whole, its URL in absolute form.
            return Ok(TokioIo::new(Stream { io, absolute_form: true }));
        }
        let io = self.tls(io, &host).await?;
        Ok(TokioIo::new(Stream { io, absolute_form: false }))
    }

    async fn tcp(&mut self, to: Uri) -> Result<tokio::net::TcpStream, BoxError> {
        use tower_service::Service;
        Ok(self.tcp.call(to).await?.into_inner())
    }

    async fn tls(&self, io: Box<dyn Io>, host: &str) -> Result<Box<dyn Io>, BoxError> {
        // IPv6 literals come in brackets from the URL.
        let name = ServerName::try_from(host.trim_start_matches('[').trim_end_matches(']').to_owned())?;
        Ok(Box::new(self.tls.connect(name, io).await?))
    }
}

impl tower_service::Service<Uri> for Connector {
    type Response = TokioIo<Stream>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<TokioIo<Stream>, BoxError>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, target: Uri) -> Self::Future {
        let connector = self.clone();
        Box::pin(async move {
            tokio::time::timeout(connector.timeout, connector.clone().connect(target))
                .await
                .unwrap_or_else(|_| Err(Box::new(ConnectTimeout)))
        })
    }
}

/// Asks the proxy for a tunnel to `authority` (`host:port`) and reads its answer.
async fn tunnel(io: &mut Box<dyn Io>, authority: &str, authorization: Option<&str>) -> Result<(), BoxError> {
    let mut request = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(authorization) = authorization {
        request.push_str(&format!("Proxy-Authorization: {authorization}\r\n"));
    }
    request.push_str("\r\n");
    io.write_all(request.as_bytes()).await?;
    // The answer ends with an empty line. It is read a byte at a time (it is short, and once
    // per connection) so that nothing after it, the server's side of TLS, is taken.
    const LIMIT: usize = 16 * 1024;
    let mut answer = Vec::new();
    while !answer.ends_with(b"\r\n\r\n") {
        if answer.len() >= LIMIT {
            return Err(format!("the proxy's answer to CONNECT is longer than {LIMIT} bytes").into());
        }
        let mut byte = [0u8; 1];
        if io.read(&mut byte).await? == 0 {
            return Err("the proxy closed the connection instead of answering CONNECT".into());
        }
        answer.push(byte[0]);
    }
    let status_line = String::from_utf8_lossy(answer.split(|&b| b == b'\r').next().unwrap_or_default()).into_owned();
    match status_line.split(' ').nth(1) {
        Some(code) if code.starts_with('2') && status_line.starts_with("HTTP/1.") => Ok(()),
        _ => Err(format!("the proxy refused the tunnel to {authority}: {status_line}").into()),
    }
}

/// A byte stream: TCP, TLS over it, or TLS over a tunnel.
pub(crate) trait Io: AsyncRead + AsyncWrite + Send + Unpin {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin> Io for T {}

/// A connection, and whether requests on it go in absolute form (to a proxy).
pub(crate) struct Stream {
    io: Box<dyn Io>,
    absolute_form: bool,
}

impl Connection for Stream {
    fn connected(&self) -> Connected {
        Connected::new().proxy(self.absolute_form)
    }
}

impl AsyncRead for Stream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Stream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}
