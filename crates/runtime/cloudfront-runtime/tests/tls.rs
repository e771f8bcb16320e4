//! The transport against local servers, most of them TLS: the CA bundle is trusted, an
//! unknown issuer is refused in the AWS CLI's words, `--no-verify-ssl` takes any certificate,
//! the connection is kept alive between requests (and replaced when the server has closed it),
//! and the connect and read timeouts are told apart.

mod support;

use std::time::Duration;

use cloudfront_runtime::transport::{Transport, TransportError, TransportSettings, parse_url};
use cloudfront_test_server::{Reply, TestServer};

async fn backend() -> TestServer {
    TestServer::start(|_, _| Reply::status(200, "<Ok/>")).await
}

fn settings(ca_bundle: bool, insecure: bool) -> TransportSettings {
    let mut settings = TransportSettings::default();
    settings.ca_bundle = ca_bundle.then(|| support::fixture("ca.pem"));
    settings.insecure = insecure;
    settings
}

async fn get(transport: &Transport, url: &str) -> Result<cloudfront_primitives::HttpResponse, TransportError> {
    transport.send("GET", &parse_url(url).unwrap(), &[("X-Test".into(), "1".into())], Vec::new()).await
}

#[tokio::test]
async fn a_server_certified_by_the_ca_bundle_is_trusted() {
    let server = backend().await;
    let (port, connections) = support::tls_front_counted(server.url.trim_start_matches("http://").to_owned()).await;
    let transport = Transport::new(&settings(true, false), "test/1").unwrap();
    for _ in 0..3 {
        let response = get(&transport, &format!("https://localhost:{port}/2020-05-31/x?a=b")).await.unwrap();
        assert_eq!((response.status, response.body.as_slice()), (200, &b"<Ok/>"[..]));
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 1, "the connection is kept alive");
    let header =
        |name: &str| requests[0].headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone());
    assert_eq!(requests[0].target, "/2020-05-31/x?a=b");
    assert_eq!(header("host"), Some(format!("localhost:{port}")));
    assert_eq!(header("user-agent"), Some("test/1 cloudfront-runtime/0.1.0".into()));
    assert_eq!(header("x-test").as_deref(), Some("1"));
}

#[tokio::test]
async fn an_unknown_issuer_is_an_ssl_validation_failure() {
    let server = backend().await;
    let port = support::tls_front(server.url.trim_start_matches("http://").to_owned()).await;
    let transport = Transport::new(&settings(false, false), "").unwrap();
    let url = format!("https://localhost:{port}/x");
    let error = get(&transport, &url).await.unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, TransportError::Connect(_)), "{error:?}");
    assert!(text.starts_with(&format!("SSL validation failed for {url} ")), "{text}");
    assert!(text.contains("certificate"), "{text}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn no_verify_ssl_takes_any_certificate() {
    let server = backend().await;
    let port = support::tls_front(server.url.trim_start_matches("http://").to_owned()).await;
    let transport = Transport::new(&settings(false, true), "").unwrap();
    let response = get(&transport, &format!("https://127.0.0.1:{port}/x")).await.unwrap();
    assert_eq!(response.status, 200);
}

#[tokio::test]
async fn a_handshake_that_never_ends_is_a_connect_timeout() {
    let port = support::silent_server().await;
    let mut settings = settings(true, false);
    settings.connect_timeout = Duration::from_millis(300);
    let transport = Transport::new(&settings, "").unwrap();
    let url = format!("https://localhost:{port}/x");
    let error = get(&transport, &url).await.unwrap_err();
    assert!(matches!(error, TransportError::Connect(_)), "{error:?}");
    assert_eq!(error.to_string(), format!("Connect timeout on endpoint URL: \"{url}\""));
}

#[tokio::test]
async fn a_silent_server_is_a_read_timeout() {
    let port = support::silent_server().await;
    let mut settings = settings(false, false);
    settings.read_timeout = Some(Duration::from_millis(300));
    let transport = Transport::new(&settings, "").unwrap();
    let url = format!("http://127.0.0.1:{port}/x");
    let error = get(&transport, &url).await.unwrap_err();
    assert!(matches!(error, TransportError::Timeout(_)), "{error:?}");
    assert_eq!(error.to_string(), format!("Read timeout on endpoint URL: \"{url}\""));
}

#[tokio::test]
async fn a_kept_connection_the_server_closed_is_replaced() {
    let (port, connections) = support::closing_server().await;
    let transport = Transport::new(&settings(false, false), "").unwrap();
    let url = format!("http://127.0.0.1:{port}/x");
    for _ in 0..3 {
        assert_eq!(get(&transport, &url).await.unwrap().status, 200);
        // Let the close arrive before the next request, as it does after an idle timeout.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 3);
}
