//! Helpers shared by the end-to-end tests: where the emulator is, a client for it, and the
//! setup calls the client itself does not cover (creating a distribution).
//!
//! The tests are `#[ignore]`d in a plain `cargo test`: they need an emulator, which
//! `cargo xtask e2e` installs, starts and points them at through `MOTO_ENDPOINT`. Run
//! without it, they fail with a message saying so rather than passing.

use std::time::Duration;

use cloudfront::Client;
use cloudfront_runtime::retry::RetryConfig;
use cloudfront_runtime::{Config, Credentials};

/// The emulator's URL from `variable`, or a panic explaining how to get one.
pub fn endpoint(variable: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| {
        panic!("{variable} is not set: these tests need a local emulator; run them with `cargo xtask e2e`")
    })
}

/// A client for `endpoint` with dummy credentials and fast retries.
pub fn client(endpoint: &str, credentials: Credentials) -> Client {
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(credentials)
        .retry(
            RetryConfig::default()
                .with_max_attempts(5)
                .with_backoff(Duration::from_millis(5), Duration::from_millis(1)),
        )
        .read_timeout(Duration::from_millis(500))
        .build()
        .expect("a valid configuration");
    Client::new(config).expect("a client")
}

/// Dummy credentials (moto accepts any).
pub fn test_credentials() -> Credentials {
    Credentials::new("AKIDE2ETEST", "e2e-secret-key", None)
}

/// Creates a distribution through the emulator's CreateDistribution API and returns its id.
pub async fn create_distribution(endpoint: &str) -> String {
    let reference = format!("e2e-{}", cloudfront_primitives::idempotency_token());
    let body = format!(
        "<DistributionConfig xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><CallerReference>{reference}</CallerReference>\
         <Comment>e2e</Comment><Enabled>true</Enabled><Origins><Quantity>1</Quantity><Items><Origin><Id>o1</Id>\
         <DomainName>example-bucket.s3.amazonaws.com</DomainName><S3OriginConfig><OriginAccessIdentity /></S3OriginConfig>\
         </Origin></Items></Origins><DefaultCacheBehavior><TargetOriginId>o1</TargetOriginId><ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy>\
         <CachePolicyId>658327ea-f89d-4fab-a63d-7e88639e58f6</CachePolicyId></DefaultCacheBehavior></DistributionConfig>"
    );
    let response = reqwest::Client::new()
        .post(format!("{endpoint}/2020-05-31/distribution"))
        // A `test` key: moto accepts any, and fakecloud skips verification only for these.
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cloudfront/aws4_request, SignedHeaders=host, Signature=0")
        .body(body)
        .send()
        .await
        .expect("the emulator answers");
    let text = response.text().await.expect("a body");
    let start = text.find("<Id>").expect("a distribution id") + 4;
    let end = text[start..].find("</Id>").expect("a closing tag") + start;
    text[start..end].to_owned()
}
