//! The generated S3 client against a local server playing S3 (these run under plain
//! `cargo test`): a region redirect is never followed with a custom endpoint, whose region
//! the caller chose; a body-less 404 to a HEAD is `NotFound`.

use cloudfront_e2e::test_credentials;
use cloudfront_s3::operation::head_object::HeadObjectError;
use cloudfront_test_server::{Reply, TestServer};

fn client(url: &str) -> cloudfront_s3::Client {
    let config = cloudfront_s3::Config::builder()
        .region("us-east-1")
        .endpoint_url(url)
        .credentials(test_credentials())
        .build()
        .unwrap();
    cloudfront_s3::Client::new(config).unwrap()
}

#[tokio::test]
async fn a_custom_endpoint_never_follows_a_region_redirect() {
    let server = TestServer::start(|_, _| Reply::status(301, "").header("x-amz-bucket-region", "eu-west-1")).await;
    let error = client(&server.url).head_object().bucket("b").key("k").send().await.unwrap_err();
    assert_eq!(error.code(), Some("301"), "{error:?}");
    let requests = server.requests();
    assert_eq!(requests.len(), 1, "not sent again");
    assert_eq!(
        (requests[0].method.as_str(), requests[0].target.as_str()),
        ("HEAD", "/b/k"),
        "path-style at a custom endpoint"
    );
}

#[tokio::test]
async fn a_body_less_404_to_a_head_is_not_found() {
    let server = TestServer::start(|_, _| Reply::status(404, "")).await;
    let error = client(&server.url).head_object().bucket("b").key("missing").send().await.unwrap_err();
    assert!(matches!(&error, cloudfront_s3::SdkError::Service(HeadObjectError::NotFound(_))), "{error:?}");
    assert_eq!(error.code(), Some("NotFound"));
}

#[tokio::test]
async fn a_content_length_the_caller_sets_is_sent_once_and_must_match_the_body() {
    let server = TestServer::start(|_, _| Reply::status(200, "")).await;
    let s3 = client(&server.url);
    let body = cloudfront_s3::primitives::Body::from("twelve bytes");
    s3.put_object().bucket("b").key("k").body(body.clone()).content_length(12).send().await.expect("PutObject");
    let sent = &server.requests()[0];
    let lengths: Vec<&str> = sent
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(lengths, ["12"]);
    let error = s3.put_object().bucket("b").key("k").body(body).content_length(5).send().await.unwrap_err();
    assert!(error.to_string().contains("Content-Length"), "{error}");
    assert_eq!(server.requests().len(), 1, "a disagreeing length is refused before sending");
}

#[tokio::test]
async fn a_download_that_breaks_off_after_bytes_were_written_is_not_sent_again() {
    let server = TestServer::start(|_, _| Reply::Stream {
        status: 200,
        headers: vec![("Content-Length".into(), "1000".into())],
        chunk: vec![b'x'; 10],
        count: Some(2),
        pause: std::time::Duration::from_millis(1),
    })
    .await;
    let mut written: Vec<u8> = Vec::new();
    let error = client(&server.url).get_object().bucket("b").key("k").send_into(&mut written).await.unwrap_err();
    assert!(error.to_string().contains("broke off after 20 bytes"), "{error}");
    assert_eq!(written, vec![b'x'; 20], "what arrived was written once");
    assert_eq!(server.requests().len(), 1, "not retried: the writer already holds part of the body");
}

#[tokio::test]
async fn an_empty_bucket_is_refused_before_anything_is_sent() {
    let server = TestServer::start(|_, _| Reply::status(200, "")).await;
    let body = cloudfront_s3::primitives::Body::from("x");
    let error = client(&server.url).put_object().bucket("").key("victim/x").body(body).send().await.unwrap_err();
    assert!(error.to_string().contains("Bucket") && error.to_string().contains("must not be empty"), "{error}");
    assert!(server.requests().is_empty(), "nothing sent: /victim/x would have named another bucket");
}

#[tokio::test]
async fn a_deadline_that_passes_mid_download_says_bytes_were_written() {
    let server = TestServer::start(|_, _| Reply::Stream {
        status: 200,
        headers: vec![("Content-Length".into(), "100000".into())],
        chunk: vec![b'x'; 10],
        count: Some(10_000),
        pause: std::time::Duration::from_millis(20),
    })
    .await;
    let config = cloudfront_s3::Config::builder()
        .region("us-east-1")
        .endpoint_url(&server.url)
        .credentials(test_credentials())
        .operation_timeout(std::time::Duration::from_millis(300))
        .build()
        .unwrap();
    let s3 = cloudfront_s3::Client::new(config).unwrap();
    let mut written: Vec<u8> = Vec::new();
    let error = s3.get_object().bucket("b").key("k").send_into(&mut written).await.unwrap_err();
    assert!(matches!(error, cloudfront_s3::SdkError::Dispatch(_)), "not a plain timeout: {error:?}");
    assert!(error.to_string().contains("bytes of the body were written"), "{error}");
    assert!(!written.is_empty() && server.requests().len() == 1);
}
