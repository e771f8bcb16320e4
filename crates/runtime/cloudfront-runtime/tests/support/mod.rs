//! Servers for the transport's tests, on 127.0.0.1: a TLS front for the plain test server
//! (with the certificate in `tests/tls/`, issued for `localhost` by `tests/tls/ca.pem`), a
//! `CONNECT` proxy that records what it was asked, and a server that accepts connections and
//! never says anything.

#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The crypto library the runtime was built with, for the test servers' side too.
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    #[cfg(feature = "aws-lc-rs")]
    return Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    #[cfg(not(feature = "aws-lc-rs"))]
    #[allow(deprecated)]
    return Arc::new(rustls::crypto::ring::default_provider());
}

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/tls").join(name)
}

/// Accepts TLS on a free port and passes the decrypted bytes to `backend` (`host:port`).
/// Returns the port.
pub async fn tls_front(backend: String) -> u16 {
    tls_front_counted(backend).await.0
}

/// The same, also counting the TCP connections it accepted.
pub async fn tls_front_counted(backend: String) -> (u16, Arc<AtomicUsize>) {
    let certificates =
        CertificateDer::pem_file_iter(fixture("server.pem")).unwrap().collect::<Result<Vec<_>, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_file(fixture("server.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let acceptor = acceptor.clone();
            let backend = backend.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: nothing to pass on.
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let mut plain = TcpStream::connect(backend).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (port, accepted)
}

/// An HTTP/2 server over TLS (ALPN `h2` only) that answers each request with its version,
/// method, path and body length. Returns the port.
#[cfg(feature = "http2")]
pub async fn h2_server() -> u16 {
    use http_body_util::BodyExt;
    let certificates =
        CertificateDer::pem_file_iter(fixture("server.pem")).unwrap().collect::<Result<Vec<_>, _>>().unwrap();
    let key = PrivateKeyDer::from_pem_file(fixture("server.key")).unwrap();
    let mut config = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certificates, key)
        .unwrap();
    config.alpn_protocols = vec![b"h2".to_vec()];
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(tls) = acceptor.accept(tcp).await else { return };
                let service = hyper::service::service_fn(|request: hyper::Request<hyper::body::Incoming>| async move {
                    let head = format!("{:?} {} {}", request.version(), request.method(), request.uri().path());
                    let body = request.into_body().collect().await?.to_bytes();
                    let answer = format!("{head} {} bytes", body.len());
                    Ok::<_, hyper::Error>(hyper::Response::new(http_body_util::Full::new(bytes::Bytes::from(answer))))
                });
                let _ = hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                    .await;
            });
        }
    });
    port
}

/// A `CONNECT` proxy: each request head it receives is recorded; with `refuse`, it answers
/// 407 instead of opening the tunnel.
pub struct Proxy {
    pub port: u16,
    pub heads: Arc<Mutex<Vec<String>>>,
}

pub async fn connect_proxy(refuse: bool) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let log = heads.clone();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            let log = log.clone();
            tokio::spawn(async move {
                let Some(head) = read_head(&mut client).await else { return };
                log.lock().unwrap().push(head.clone());
                if refuse {
                    let _ = client
                        .write_all(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
                        .await;
                    return;
                }
                let authority = head.split(' ').nth(1).unwrap_or_default().to_owned();
                let authority = authority.replace("localhost", "127.0.0.1");
                let mut upstream = TcpStream::connect(authority).await.unwrap();
                client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
            });
        }
    });
    Proxy { port, heads }
}

/// Accepts connections and holds them open, silent, until the test ends. Returns the port.
pub async fn silent_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((tcp, _)) = listener.accept().await {
            held.push(tcp);
        }
    });
    port
}

/// Answers each connection's first request with a keep-alive response, then closes it at
/// once, the way a server whose idle timeout has run out does. Returns the port and the
/// number of connections accepted.
pub async fn closing_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counter = accepted.clone();
    tokio::spawn(async move {
        while let Ok((mut tcp, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let _ = read_head(&mut tcp).await;
            let _ = tcp.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n<Ok/>").await;
            drop(tcp);
        }
    });
    (port, accepted)
}

/// A request head, up to its empty line (at most 16 KiB), read a byte at a time so that
/// nothing after it is taken; `None` if the connection closes first.
async fn read_head(tcp: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") && head.len() < 16 * 1024 {
        let mut byte = [0u8; 1];
        if tcp.read(&mut byte).await.unwrap_or(0) == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}
