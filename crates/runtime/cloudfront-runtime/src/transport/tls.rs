//! TLS for the transport's own client: rustls on the crypto library the features choose
//! (aws-lc-rs, preferring post-quantum hybrid key exchange, or ring), trusting the Mozilla
//! roots compiled in, or, as the AWS CLI does, only the CA bundle when one is configured; or
//! nothing at all when verification is turned off.

use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};

use super::TransportSettings;

/// The crypto provider of the build (aws-lc-rs wins when both features are on).
fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    #[cfg(feature = "aws-lc-rs")]
    return Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    // rustls marks ring's provider deprecated for its lack of post-quantum key exchange: that
    // is the trade a program makes by choosing the `ring` feature, and it is documented there.
    #[cfg(all(feature = "ring", not(feature = "aws-lc-rs")))]
    #[allow(deprecated)]
    return Arc::new(rustls::crypto::ring::default_provider());
    #[cfg(not(any(feature = "aws-lc-rs", feature = "ring")))]
    compile_error!("cloudfront-runtime needs a crypto library: enable its `aws-lc-rs` (default) or `ring` feature");
}

/// The client's TLS configuration.
pub(super) fn config(settings: &TransportSettings) -> Result<rustls::ClientConfig, String> {
    let provider = provider();
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
    // What the client speaks, offered in the handshake (reqwest leaves a preconfigured
    // configuration's ALPN as it is).
    config.alpn_protocols =
        if cfg!(feature = "http2") { vec![b"h2".to_vec(), b"http/1.1".to_vec()] } else { vec![b"http/1.1".to_vec()] };
    Ok(config)
}

/// The certificates of a PEM CA bundle.
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
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
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
