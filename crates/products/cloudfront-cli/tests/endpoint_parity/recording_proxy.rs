//! A recording HTTPS proxy for the endpoint parity run, on 127.0.0.1. It records the target
//! of every `CONNECT` (the host a tool resolved), opens the tunnel itself, and ends TLS there
//! with a certificate it issues for whatever name the client asked for (from a CA made for this
//! run, which both tools trust through `AWS_CA_BUNDLE`). The decrypted requests go on to a
//! plain test server, which records their request line and headers like any local endpoint's.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub struct RecordingProxy {
    /// `http://127.0.0.1:PORT`, for `HTTPS_PROXY`.
    pub url: String,
    /// The CA that issued every certificate the proxy shows (PEM), for `AWS_CA_BUNDLE`.
    pub ca_bundle: PathBuf,
    connects: Arc<Mutex<Vec<String>>>,
}

impl RecordingProxy {
    /// Starts the proxy; decrypted requests go to `backend` (`127.0.0.1:PORT`).
    pub async fn start(backend: String, dir: &Path) -> RecordingProxy {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let (issuer, ca_pem) = certificate_authority();
        let ca_bundle = dir.join("parity-ca.pem");
        std::fs::write(&ca_bundle, ca_pem).expect("write the test CA");
        let resolver = Arc::new(IssuingResolver { issuer, provider: provider.clone(), issued: Mutex::default() });
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_cert_resolver(resolver);
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind the proxy");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let connects = Arc::new(Mutex::new(Vec::new()));
        let log = connects.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                tokio::spawn(tunnel(client, acceptor.clone(), backend.clone(), log.clone()));
            }
        });
        RecordingProxy { url, ca_bundle, connects }
    }

    /// The `CONNECT` targets asked for so far.
    pub fn connects(&self) -> Vec<String> {
        self.connects.lock().expect("the log").clone()
    }
}

/// One client: its `CONNECT` head, recorded; then TLS ended here and the plain bytes passed on.
async fn tunnel(
    mut client: TcpStream,
    acceptor: tokio_rustls::TlsAcceptor,
    backend: String,
    log: Arc<Mutex<Vec<String>>>,
) {
    let Some(head) = read_head(&mut client).await else { return };
    let mut words = head.split_whitespace();
    let (Some("CONNECT"), Some(target)) = (words.next(), words.next()) else {
        let _ = client.write_all(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n").await;
        return;
    };
    log.lock().expect("the log").push(target.to_owned());
    if client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n").await.is_err() {
        return;
    }
    // A client that refuses the certificate ends the handshake: nothing to pass on.
    let Ok(mut tls) = acceptor.accept(client).await else { return };
    let Ok(mut plain) = TcpStream::connect(&backend).await else { return };
    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
}

/// A request head, up to its empty line (at most 16 KiB), read a byte at a time so that the
/// TLS handshake after it stays unread.
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

/// A CA made for this run: its issuer and its certificate in PEM.
fn certificate_authority() -> (Issuer<'static, KeyPair>, String) {
    let key = KeyPair::generate().expect("a CA key");
    let mut params = CertificateParams::new(Vec::new()).expect("CA parameters");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
    params.distinguished_name.push(rcgen::DnType::CommonName, "endpoint parity test CA");
    let certificate = params.self_signed(&key).expect("a self-signed CA");
    (Issuer::new(params, key), certificate.pem())
}

/// Issues (once per name) a certificate for the name the client's TLS hello asks for.
struct IssuingResolver {
    issuer: Issuer<'static, KeyPair>,
    provider: Arc<CryptoProvider>,
    issued: Mutex<HashMap<String, Arc<CertifiedKey>>>,
}

impl std::fmt::Debug for IssuingResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IssuingResolver").finish_non_exhaustive()
    }
}

impl ResolvesServerCert for IssuingResolver {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let name = hello.server_name()?.to_owned();
        let mut issued = self.issued.lock().ok()?;
        if let Some(key) = issued.get(&name) {
            return Some(key.clone());
        }
        let key = self.issue(&name)?;
        issued.insert(name, key.clone());
        Some(key)
    }
}

impl IssuingResolver {
    fn issue(&self, name: &str) -> Option<Arc<CertifiedKey>> {
        let key = KeyPair::generate().ok()?;
        let certificate = CertificateParams::new(vec![name.to_owned()]).ok()?.signed_by(&key, &self.issuer).ok()?;
        let der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let signing = self.provider.key_provider.load_private_key(der).ok()?;
        Some(Arc::new(CertifiedKey::new(vec![certificate.der().clone()], signing)))
    }
}
