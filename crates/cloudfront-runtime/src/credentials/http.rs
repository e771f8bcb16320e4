//! The small HTTP client every credential provider shares: the main client's CA bundle,
//! short timeouts, bodies capped at 64 KiB, and no proxy for loopback and link-local hosts
//! (the instance and container endpoints must never be reached through `HTTPS_PROXY`).

use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::time::BoxFuture;

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

/// HTTP for credential providers. Cheap to clone; the clients are built on first use, so a
/// program whose credentials come from the environment never builds one.
#[derive(Clone, Debug, Default)]
pub struct CredentialHttp {
    inner: Arc<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    ca_bundle: Option<PathBuf>,
    /// Honours the proxy variables (STS, IAM Identity Center).
    proxied: OnceLock<Result<reqwest::Client, String>>,
    /// Never uses a proxy (instance metadata, container endpoints, loopback).
    direct: OnceLock<Result<reqwest::Client, String>>,
}

impl CredentialHttp {
    /// Clients trusting the extra CA bundle, if any, as the main client does.
    pub fn new(ca_bundle: Option<PathBuf>) -> Self {
        CredentialHttp { inner: Arc::new(Inner { ca_bundle, ..Inner::default() }) }
    }

    fn client(&self, url: &reqwest::Url) -> Result<&reqwest::Client, String> {
        let direct = url.host_str().is_some_and(is_local_host);
        let cell = if direct { &self.inner.direct } else { &self.inner.proxied };
        cell.get_or_init(|| build(self.inner.ca_bundle.as_deref(), direct)).as_ref().map_err(Clone::clone)
    }

    /// Sends a request and reads the answer (at most [`MAX_BODY`] bytes). Errors name the
    /// URL and the failure, never a header (headers carry tokens). Boxed: every provider
    /// calls it, and one copy serves them all.
    pub(crate) fn send<'a>(
        &'a self,
        method: reqwest::Method,
        url: &'a str,
        headers: &'a [(&'a str, &'a str)],
        body: Vec<u8>,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<Answer, SendError>> {
        Box::pin(async move {
            let parsed = reqwest::Url::parse(url).map_err(|e| SendError::Other(format!("bad URL {url:?}: {e}")))?;
            let client = self.client(&parsed).map_err(SendError::Other)?;
            let mut request = client.request(method, parsed).timeout(timeout).body(body);
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let mut response = request.send().await.map_err(|e| {
                let text = format!("{url} is unreachable: {}", crate::transport::error_chain(&e));
                if e.is_connect() || e.is_timeout() { SendError::Unreachable(text) } else { SendError::Other(text) }
            })?;
            let status = response.status().as_u16();
            let mut body = Vec::new();
            while let Some(chunk) =
                response.chunk().await.map_err(|e| SendError::Other(format!("reading {url}: {e}")))?
            {
                if body.len() + chunk.len() > MAX_BODY {
                    return Err(SendError::Other(format!("{url} answered with more than {MAX_BODY} bytes")));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(Answer { status, body })
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

/// `localhost`, or a literal loopback or link-local address (IPv6 in brackets or not).
pub(crate) fn is_local_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok_and(is_local)
}

/// Loopback, or link-local (the EC2 and ECS/EKS metadata addresses).
pub(crate) fn is_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_link_local(),
        // fd00:ec2::/32 is where EC2 and EKS put their IPv6 metadata endpoints.
        IpAddr::V6(v6) => {
            v6.is_loopback() || (v6.segments()[0] & 0xffc0) == 0xfe80 || v6.segments()[..2] == [0xfd00, 0x0ec2]
        }
    }
}

fn build(ca_bundle: Option<&std::path::Path>, direct: bool) -> Result<reqwest::Client, String> {
    let mut builder =
        reqwest::Client::builder().connect_timeout(Duration::from_secs(2)).redirect(reqwest::redirect::Policy::none());
    if direct {
        builder = builder.no_proxy();
    }
    if let Some(path) = ca_bundle {
        for certificate in crate::transport::trusted_roots(path)? {
            builder = builder.add_root_certificate(certificate);
        }
    }
    builder.build().map_err(|e| format!("cannot build an HTTP client for credentials: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_addresses() {
        for local in ["127.0.0.1", "127.8.9.10", "::1", "169.254.169.254", "169.254.170.23", "fd00:ec2::23", "fe80::1"]
        {
            assert!(is_local(local.parse().unwrap()), "{local}");
        }
        for remote in ["10.0.0.1", "8.8.8.8", "fd00:ec3::1", "2001:db8::1"] {
            assert!(!is_local(remote.parse().unwrap()), "{remote}");
        }
    }
}
