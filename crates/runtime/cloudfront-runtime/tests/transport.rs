//! The transport's bodies and clients: a file body streams with its length and goes out again
//! whole on the next attempt; a `reqwest::Client` the program built carries the requests,
//! through the proxy it was built with; HTTP/2 where the server offers it (`http2` feature).

mod support;

use std::time::Duration;

use cloudfront_runtime::transport::{Body, Transport, TransportSettings, parse_url};
use cloudfront_test_server::{Reply, TestServer};

#[tokio::test]
async fn a_file_body_streams_with_its_length_and_is_sent_again_whole() {
    let server = TestServer::start(|_, _| Reply::status(200, "<Ok/>")).await;
    let path = std::env::temp_dir().join(format!("transport-body-{}.bin", std::process::id()));
    let content: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &content).unwrap();
    let transport = Transport::new(&TransportSettings::default(), "").unwrap();
    let url = parse_url(&format!("{}/upload", server.url)).unwrap();
    let body = Body::from_path(&path).unwrap();
    assert_eq!(body.len(), content.len() as u64);
    for _ in 0..2 {
        assert_eq!(transport.send("PUT", &url, &[], body.clone()).await.unwrap().status, 200);
    }
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.body, content);
        assert_eq!(request.header("content-length"), Some("300000"));
        assert_eq!(request.header("transfer-encoding"), None);
    }
    // A range of the file (a part of a multipart upload) is sent alone, from its offset.
    let part = Body::from_path_range(&path, 1_000, 70_000).unwrap();
    assert_eq!(transport.send("PUT", &url, &[], part).await.unwrap().status, 200);
    assert_eq!(server.requests()[2].body, content[1_000..71_000]);
    assert_eq!(server.requests()[2].header("content-length"), Some("70000"));
    // A file whose size changed since its body was made is refused, not sent short or cut.
    std::fs::write(&path, b"short").unwrap();
    let error = transport.send("PUT", &url, &[], body.clone()).await.unwrap_err().to_string();
    assert!(error.contains("changed size while it was being sent"), "{error}");
    std::fs::write(&path, vec![7u8; 400_000]).unwrap();
    let error = transport.send("PUT", &url, &[], body).await.unwrap_err().to_string();
    assert!(error.contains("changed size while it was being sent"), "a grown file is not cut to its old size: {error}");
    assert_eq!(server.requests().len(), 3);
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn a_client_the_program_built_sends_through_its_own_proxy() {
    let proxy = TestServer::start(|_, _| Reply::status(200, "<Ok/>")).await;
    // A `ring` build gives reqwest no crypto provider of its own: the program installs one.
    #[cfg(not(feature = "aws-lc-rs"))]
    #[allow(deprecated)]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder().proxy(reqwest::Proxy::http(&proxy.url).unwrap()).build().unwrap();
    let mut settings = TransportSettings::default();
    settings.http_client = Some(client);
    let transport = Transport::new(&settings, "app/2").unwrap();
    let url = parse_url("http://cloudfront.byo-client.invalid/2020-05-31/x?y=1").unwrap();
    assert_eq!(transport.send("GET", &url, &[], Vec::new()).await.unwrap().status, 200);
    let seen = proxy.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].target, "http://cloudfront.byo-client.invalid/2020-05-31/x?y=1");
    assert_eq!(seen[0].header("user-agent"), Some("app/2 cloudfront-runtime/0.1.0"));
}

/// A path with `.` and `..` segments (any spelling) arrives byte for byte: reqwest's URL type
/// would remove them, so such requests take the transport's exact lane; the others do not.
#[tokio::test]
async fn paths_with_dot_segments_are_sent_as_they_are() {
    let server = TestServer::start(|_, _| Reply::status(200, "<Ok/>")).await;
    let transport = Transport::new(&TransportSettings::default(), "").unwrap();
    let url = parse_url(&format!("{}/unused", server.url)).unwrap();
    let paths = ["/a/../b", "/k/./x/%2E%2E/y", "/k/.%2e", "/..", "/plain/path?x=1"];
    for path in paths {
        let response = transport.send_exact("GET", &url, path, &[], Vec::new()).await.unwrap();
        assert_eq!(response.status, 200, "{path}");
    }
    let targets: Vec<String> = server.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(targets, paths);
    let host = server.requests()[0].header("host").map(str::to_owned);
    assert_eq!(host.as_deref(), Some(server.url.trim_start_matches("http://")));
    // A body and the transport's headers go the same way.
    transport
        .send_exact("PUT", &url, "/k/../v", &[("x-amz-meta-a".into(), "1".into())], b"data".to_vec())
        .await
        .unwrap();
    let put = server.requests().pop().unwrap();
    assert_eq!((put.method.as_str(), put.target.as_str(), put.body.as_slice()), ("PUT", "/k/../v", &b"data"[..]));
    assert_eq!(put.header("content-length"), Some("4"));
    assert_eq!(put.header("x-amz-meta-a"), Some("1"));
    assert!(put.header("user-agent").is_some_and(|ua| ua.contains("cloudfront-runtime/")));
}

/// A request refused before sending says so (and is never retried by the operation layer).
#[tokio::test]
async fn a_request_the_transport_cannot_send_is_refused_before_sending() {
    let server = TestServer::start(|_, _| Reply::status(200, "<Ok/>")).await;
    let transport = Transport::new(&TransportSettings::default(), "").unwrap();
    let url = parse_url(&format!("{}/x", server.url)).unwrap();
    let error = transport.send("GET", &url, &[("host".into(), "elsewhere".into())], Vec::new()).await.unwrap_err();
    assert!(matches!(error, cloudfront_runtime::transport::TransportError::Refused(_)), "{error:?}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn redirects_are_answers_not_followed() {
    let server = TestServer::start(|request, _| {
        if request.target == "/moved" {
            Reply::status(200, "followed")
        } else {
            Reply::status(301, "").header("Location", "/moved")
        }
    })
    .await;
    let transport = Transport::new(&TransportSettings::default(), "").unwrap();
    let response = transport.send("GET", &parse_url(&format!("{}/x", server.url)).unwrap(), &[], Vec::new()).await;
    assert_eq!(response.unwrap().status, 301);
    assert_eq!(server.requests().len(), 1);
}

#[cfg(feature = "http2")]
#[tokio::test]
async fn http2_where_the_server_offers_it() {
    let port = support::h2_server().await;
    let mut settings = TransportSettings::default();
    settings.ca_bundle = Some(support::fixture("ca.pem"));
    settings.read_timeout = Some(Duration::from_secs(10));
    let transport = Transport::new(&settings, "").unwrap();
    let url = parse_url(&format!("https://localhost:{port}/2020-05-31/x")).unwrap();
    let response = transport.send("POST", &url, &[], b"<a/>".to_vec()).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(String::from_utf8(response.body).unwrap(), "HTTP/2.0 POST /2020-05-31/x 4 bytes");
}

#[cfg(not(feature = "http2"))]
#[test]
fn http2_needs_its_feature() {
    let _ = Duration::ZERO;
}

#[tokio::test]
async fn a_connection_dropped_before_the_answer_is_said_in_botocores_words() {
    let server = TestServer::start(|_, _| Reply::Drop).await;
    let transport = Transport::new(&TransportSettings::default(), "").unwrap();
    let url = format!("{}/x", server.url);
    let error = transport.send("GET", &parse_url(&url).unwrap(), &[], Vec::new()).await.unwrap_err();
    assert!(matches!(error, cloudfront_runtime::transport::TransportError::Other(_)), "{error:?}");
    assert!(
        error.to_string().starts_with(&format!(
            "Connection was closed before we received a valid response from endpoint URL: \"{url}\"."
        )),
        "{error}"
    );
}
