//! Requests whose path reqwest's URL type would change. That type removes `.` and `..`
//! segments (even written `%2E%2E`), and reqwest will not send a path without it; but an S3
//! object key may hold such segments, and botocore sends them as they are. These requests go
//! through hyper directly (the client reqwest itself is built on, already in every build),
//! whose `Uri` keeps the path byte for byte, with the same TLS configuration and proxies.
//!
//! Differences from the reqwest path, all rare together with a dot-segment path: a new
//! connection per request (no pool), HTTP/1.1 only, the read timeout bounds the response head
//! and then the body as a whole; a plain-HTTP endpoint behind a proxy, and an `https://`
//! proxy, are refused (before anything is sent).

use std::time::Duration;

use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connect, HttpConnector};
use hyper_util::rt::TokioExecutor;

use super::proxy::Proxy;

/// Sends requests with exact paths; made from the transport's settings.
#[derive(Debug, Clone)]
pub(super) struct Verbatim {
    tls: rustls::ClientConfig,
    connect_timeout: Duration,
}

/// Why a verbatim exchange failed: before a connection was made, or after.
pub(super) enum Failed {
    Connect(hyper_util::client::legacy::Error),
    Exchange(Box<dyn std::error::Error + Send + Sync>),
    Refused(String),
}

impl Verbatim {
    pub(super) fn new(mut tls: rustls::ClientConfig, connect_timeout: Duration) -> Self {
        // hyper-rustls offers the protocols it is asked for (HTTP/1.1 here) itself.
        tls.alpn_protocols.clear();
        Verbatim { tls, connect_timeout }
    }

    /// Sends `request` (its URI as given), directly or through `proxy`.
    pub(super) async fn send(
        &self,
        request: http::Request<reqwest::Body>,
        proxy: Option<&Proxy>,
    ) -> Result<http::Response<hyper::body::Incoming>, Failed> {
        let mut tcp = HttpConnector::new();
        tcp.enforce_http(false);
        tcp.set_connect_timeout(Some(self.connect_timeout));
        let https = request.uri().scheme_str() == Some("https");
        match proxy {
            None => exchange(self.tls_over(tcp), request).await,
            // The tunnel here speaks plain HTTP to the proxy: an https:// proxy (and its
            // credentials) would be spoken to in clear, so it is refused.
            Some(proxy) if proxy.url.scheme() == "https" => Err(Failed::Refused(format!(
                "a path with dot segments cannot be sent through the HTTPS proxy {}",
                proxy.shown()
            ))),
            Some(proxy) if https => {
                let address: http::Uri = proxy_address(proxy).parse().map_err(|e| Failed::Refused(format!("{e}")))?;
                let mut tunnel = Tunnel::new(address, tcp);
                if let Some(credentials) = proxy.basic_credentials() {
                    let value =
                        http::HeaderValue::from_str(&credentials).map_err(|e| Failed::Refused(e.to_string()))?;
                    tunnel = tunnel.with_auth(value);
                }
                exchange(self.tls_over(tunnel), request).await
            }
            Some(proxy) => Err(Failed::Refused(format!(
                "a path with dot segments cannot be sent to a plain-HTTP endpoint through the proxy {}",
                proxy.shown()
            ))),
        }
    }

    fn tls_over<C>(&self, connector: C) -> hyper_rustls::HttpsConnector<C> {
        hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(self.tls.clone())
            .https_or_http()
            .enable_http1()
            .wrap_connector(connector)
    }
}

/// `scheme://host:port` of a proxy, without its user info.
fn proxy_address(proxy: &Proxy) -> String {
    let url = &proxy.url;
    let port = url.port_or_known_default().unwrap_or(80);
    format!("{}://{}:{port}", url.scheme(), url.host_str().unwrap_or_default())
}

/// One request on a client of its own over `connector`.
async fn exchange<C>(
    connector: C,
    request: http::Request<reqwest::Body>,
) -> Result<http::Response<hyper::body::Incoming>, Failed>
where
    C: Connect + Clone + Send + Sync + 'static,
{
    let client: Client<C, reqwest::Body> = Client::builder(TokioExecutor::new()).build(connector);
    client
        .request(request)
        .await
        .map_err(|e| if e.is_connect() { Failed::Connect(e) } else { Failed::Exchange(Box::new(e)) })
}
