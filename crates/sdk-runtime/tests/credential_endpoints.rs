//! Credential providers that fetch over HTTP, against local servers: STS web identity, the
//! ECS container endpoint and EC2 instance metadata, success and failure paths.

use sdk_runtime::credentials::{EcsProvider, ImdsProvider, WebIdentityProvider};
use sdk_runtime::env::Env;
use sdk_runtime::{CredentialsError, ProvideCredentials};
use test_server::{Reply, TestServer};

const STS_OK: &str = "<AssumeRoleWithWebIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIAWEB</AccessKeyId><SecretAccessKey>websecret</SecretAccessKey><SessionToken>webtoken</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";

fn token_file(name: &str, contents: &str) -> String {
    let path = std::env::temp_dir().join(format!("sdk-runtime-{name}-{}", std::process::id()));
    std::fs::write(&path, contents).unwrap();
    path.to_string_lossy().into_owned()
}

#[tokio::test]
async fn web_identity_assumes_the_role_with_the_token() {
    let server = TestServer::start(|_, _| Reply::status(200, STS_OK)).await;
    let file = token_file("web-identity", "the.jwt.token\n");
    let env = Env::from_pairs([
        ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/deploy"),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", file.as_str()),
        ("AWS_ROLE_SESSION_NAME", "ci"),
        ("AWS_ENDPOINT_URL_STS", server.url.as_str()),
    ]);
    let credentials = WebIdentityProvider::from_env(env).provide_credentials().await.unwrap();
    assert_eq!(credentials.access_key_id, "ASIAWEB");
    assert_eq!(credentials.session_token.as_deref(), Some("webtoken"));
    assert!(credentials.expiry.is_some());
    let request = &server.requests()[0];
    let body = request.text();
    assert!(
        body.contains("Action=AssumeRoleWithWebIdentity") && body.contains("WebIdentityToken=the.jwt.token"),
        "{body}"
    );
    assert!(body.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fdeploy"), "{body}");
    assert!(request.header("authorization").is_none(), "the call is unsigned");
}

#[tokio::test]
async fn web_identity_reports_sts_errors_and_missing_files() {
    let server = TestServer::start(|_, _| {
        Reply::status(
            400,
            "<ErrorResponse><Error><Code>InvalidIdentityToken</Code><Message>expired</Message></Error></ErrorResponse>",
        )
    })
    .await;
    let file = token_file("web-identity-bad", "t");
    let env = Env::from_pairs([
        ("AWS_ROLE_ARN", "arn:r"),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", file.as_str()),
        ("AWS_ENDPOINT_URL", server.url.as_str()),
    ]);
    let error = WebIdentityProvider::from_env(env).provide_credentials().await.unwrap_err().to_string();
    assert!(error.contains("InvalidIdentityToken") && error.contains("expired"), "{error}");
    let env = Env::from_pairs([("AWS_ROLE_ARN", "arn:r"), ("AWS_WEB_IDENTITY_TOKEN_FILE", "/nonexistent/token")]);
    let error = WebIdentityProvider::from_env(env).provide_credentials().await.unwrap_err().to_string();
    assert!(error.contains("cannot read the token file"), "{error}");
    let none = WebIdentityProvider::from_env(Env::default()).provide_credentials().await.unwrap_err();
    assert!(matches!(none, CredentialsError::NotLoaded(_)));
}

#[tokio::test]
async fn ecs_full_uri_with_an_authorization_token() {
    let server = TestServer::start(|r, _| {
        if r.header("authorization") == Some("Bearer secret-token") {
            Reply::status(
                200,
                r#"{"AccessKeyId":"ASIAECS","SecretAccessKey":"s","Token":"t","Expiration":"2030-01-01T00:00:00Z"}"#,
            )
        } else {
            Reply::status(401, "no token")
        }
    })
    .await;
    let uri = format!("{}/creds", server.url);
    let env = Env::from_pairs([
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer secret-token"),
    ]);
    let credentials = EcsProvider::new(env).provide_credentials().await.unwrap();
    assert_eq!(credentials.access_key_id, "ASIAECS");
    let env = Env::from_pairs([("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri.as_str())]);
    let error = EcsProvider::new(env).provide_credentials().await.unwrap_err().to_string();
    assert!(error.contains("401"), "{error}");
    let env = Env::from_pairs([("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://example.com/creds")]);
    let error = EcsProvider::new(env).provide_credentials().await.unwrap_err().to_string();
    assert!(error.contains("loopback"), "{error}");
}

#[tokio::test]
async fn imds_v2_token_then_role_then_credentials() {
    let server = TestServer::start(|r, _| match (r.method.as_str(), r.target.as_str()) {
        ("PUT", "/latest/api/token") if r.header("x-aws-ec2-metadata-token-ttl-seconds").is_some() => Reply::status(200, "imds-token"),
        ("GET", "/latest/meta-data/iam/security-credentials/") if r.header("x-aws-ec2-metadata-token") == Some("imds-token") => {
            Reply::status(200, "deploy-role\n")
        }
        ("GET", "/latest/meta-data/iam/security-credentials/deploy-role") => Reply::status(
            200,
            r#"{"Code":"Success","AccessKeyId":"ASIAIMDS","SecretAccessKey":"s","Token":"t","Expiration":"2030-01-01T00:00:00Z"}"#,
        ),
        _ => Reply::status(404, ""),
    })
    .await;
    let env = Env::from_pairs([("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url.as_str())]);
    let credentials = ImdsProvider::new(env).provide_credentials().await.unwrap();
    assert_eq!(credentials.access_key_id, "ASIAIMDS");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn imds_absent_or_disabled_is_not_an_error_for_the_chain() {
    // A port nothing listens on.
    let env = Env::from_pairs([("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1")]);
    assert!(matches!(ImdsProvider::new(env).provide_credentials().await, Err(CredentialsError::NotLoaded(_))));
    let env = Env::from_pairs([("AWS_EC2_METADATA_DISABLED", "true")]);
    assert!(matches!(ImdsProvider::new(env).provide_credentials().await, Err(CredentialsError::NotLoaded(_))));
}
