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
