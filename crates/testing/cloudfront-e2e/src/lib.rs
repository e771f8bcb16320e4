//! Helpers shared by the end-to-end tests: where the emulator is, a client for it, and the
//! setup calls the client itself does not cover (creating a distribution or a bucket).
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

/// An S3 client for the emulator at `endpoint` (path-style addressing, as for any custom
/// endpoint), with a read timeout long enough for large bodies.
pub fn s3_client(endpoint: &str, credentials: Credentials) -> cloudfront_s3::Client {
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(credentials)
        .read_timeout(Duration::from_secs(300))
        .build()
        .expect("a valid configuration");
    cloudfront_s3::Client::new(config).expect("a client")
}

/// Creates `bucket` through the emulator's REST API (CreateBucket is not among our
/// operations), signed with a `test` key: moto accepts any, fakecloud does not verify these.
pub async fn create_bucket(endpoint: &str, bucket: &str) {
    let status = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .header(
            "Authorization",
            "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0",
        )
        .send()
        .await
        .expect("the emulator answers")
        .status();
    assert!(status.is_success(), "CreateBucket {bucket}: {status}");
}

/// fakecloud's own APIs: keys that its SigV4 verification checks come from its IAM
/// (`CreateUser` + `CreateAccessKey`); keys starting with `test` skip verification.
pub mod fakecloud {
    use cloudfront_runtime::Credentials;

    /// Calls fakecloud's IAM query API (signed with a `test` key, which it does not verify).
    pub async fn iam(endpoint: &str, params: &[(&str, &str)]) -> String {
        let mut form = vec![("Version", "2010-05-08")];
        form.extend_from_slice(params);
        let body: String = form.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
        let host = endpoint.trim_start_matches("http://").to_owned();
        let headers = vec![("content-type".to_owned(), "application/x-www-form-urlencoded".to_owned())];
        let signature = cloudfront_sigv4::sign(
            &cloudfront_sigv4::SignableRequest::new("POST", &host, "/", "", &headers, body.as_bytes()),
            &cloudfront_sigv4::SigningParams::new(
                &cloudfront_sigv4::Credentials::new("test", "test", None),
                "us-east-1",
                "iam",
                cloudfront_primitives::DateTime::now(),
            ),
        );
        let mut request = reqwest::Client::new()
            .post(format!("{endpoint}/"))
            .header("content-type", "application/x-www-form-urlencoded");
        for (k, v) in signature.headers {
            request = request.header(k, v);
        }
        request.body(body).send().await.expect("fakecloud answers").text().await.expect("a body")
    }

    pub fn element(xml: &str, name: &str) -> String {
        let start = xml.find(&format!("<{name}>")).unwrap_or_else(|| panic!("no <{name}> in {xml}")) + name.len() + 2;
        let end = xml[start..].find(&format!("</{name}>")).expect("closed") + start;
        xml[start..end].to_owned()
    }

    /// A fresh IAM user's access key.
    pub async fn iam_credentials(endpoint: &str) -> Credentials {
        // Unique per call: fakecloud allows two access keys per user, and calls share seconds.
        let user = format!("e2e-{}", cloudfront_primitives::idempotency_token());
        iam(endpoint, &[("Action", "CreateUser"), ("UserName", &user)]).await;
        let key = iam(endpoint, &[("Action", "CreateAccessKey"), ("UserName", &user)]).await;
        Credentials::new(element(&key, "AccessKeyId"), element(&key, "SecretAccessKey"), None)
    }
}
