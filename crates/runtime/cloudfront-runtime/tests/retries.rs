//! The retry loop against a local server, on a fake clock (no real sleeping).

use std::sync::Arc;
use std::time::Duration;

use cloudfront_primitives::{DateTime, ErrorMetadata, ProvideErrorMetadata};
use cloudfront_primitives::{HttpRequest, HttpResponse};
use cloudfront_runtime::retry::{RetryConfig, RetryMode};
use cloudfront_runtime::time::FakeTime;
use cloudfront_runtime::{Config, Credentials, Endpoint, Handle, OperationSpec, SdkError};
use cloudfront_test_server::{Reply, TestServer};

#[derive(Debug)]
struct TestError(ErrorMetadata);

impl ProvideErrorMetadata for TestError {
    fn meta(&self) -> &ErrorMetadata {
        &self.0
    }

    fn meta_mut(&mut self) -> &mut ErrorMetadata {
        &mut self.0
    }
}

fn parse_error(response: &HttpResponse) -> TestError {
    TestError(cloudfront_restxml::parse_error_response(response).meta)
}

const SPEC: OperationSpec = OperationSpec {
    name: "Test",
    signing_name: "cloudfront",
    payload_hash_header: false,
    streaming_input: false,
    request_checksum: None,
    error_in_success: false,
    sensitive_headers: &[],
};

fn error_body(code: &str) -> String {
    format!(
        "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>m</Message></Error><RequestId>rid</RequestId></ErrorResponse>"
    )
}

fn handle(time: &FakeTime, retry: RetryConfig) -> Arc<Handle> {
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKIDTEST", "SECRETKEYVALUE", Some("SESSIONTOKEN".into())))
        .retry(retry)
        .read_timeout(Duration::from_millis(300))
        .time(Arc::new(time.clone()), Arc::new(time.clone()))
        .build()
        .unwrap();
    Handle::new(config).unwrap()
}

fn request() -> HttpRequest {
    let mut r = HttpRequest::new("POST", "/2020-05-31/distribution/E1/invalidation".into());
    r.body = b"<InvalidationBatch><CallerReference>ref-1</CallerReference></InvalidationBatch>".to_vec().into();
    r.set_content_length();
    r
}

#[tokio::test]
async fn transient_errors_are_retried_with_backoff_and_the_same_body() {
    let server = TestServer::start(|_, i| match i {
        0 => Reply::status(503, ""),
        1 => Reply::status(500, error_body("InternalError")),
        _ => Reply::status(201, "ok"),
    })
    .await;
    let time = FakeTime::new(DateTime::from_secs(1_767_225_600));
    let handle = handle(&time, RetryConfig::default());
    let response = handle.invoke(SPEC, &Endpoint::url(&server.url), request(), parse_error).await.unwrap();
    assert_eq!(response.status, 201);
    let requests = server.requests();
    assert_eq!(requests.len(), 3);
    assert!(requests.iter().all(|r| r.body == requests[0].body), "every attempt re-sends the same body");
    assert_eq!(time.sleeps().len(), 2);
    assert!(time.sleeps().iter().all(|s| *s <= Duration::from_secs(2)), "{:?}", time.sleeps());
    // Signed, with the session token, and re-signed per attempt.
    let auth = requests[0].header("authorization").unwrap();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/20260101/us-east-1/cloudfront/aws4_request"),
        "{auth}"
    );
    assert!(auth.contains("x-amz-security-token"));
    assert_eq!(requests[0].header("x-amz-security-token"), Some("SESSIONTOKEN"));
    assert_eq!(handle.retry_quota(), 500, "the quota is refunded after a success");
}

#[tokio::test]
async fn throttling_is_retried_but_modeled_client_errors_are_not() {
    let server = TestServer::start(|r, _| {
        if r.target.contains("throttle") {
            Reply::status(400, error_body("Throttling"))
        } else {
            Reply::status(400, error_body("TooManyInvalidationsInProgress"))
        }
    })
    .await;
    let time = FakeTime::new(DateTime::from_secs(0));
    let handle = handle(&time, RetryConfig::default().with_max_attempts(4));
    let throttled = handle
        .invoke(SPEC, &Endpoint::url(format!("{}/throttle", server.url)), request(), parse_error)
        .await
        .unwrap_err();
    assert_eq!(throttled.code(), Some("Throttling"));
    assert_eq!(server.requests().len(), 4, "max_attempts = 4");
    let busy = handle.invoke(SPEC, &Endpoint::url(&server.url), request(), parse_error).await.unwrap_err();
    assert_eq!(busy.code(), Some("TooManyInvalidationsInProgress"));
    assert!(matches!(busy, SdkError::Service(_)));
    assert_eq!(server.requests().len(), 5, "not retried");
}

#[tokio::test]
async fn dropped_connections_and_read_timeouts_are_retried() {
    let server = TestServer::start(|_, i| match i {
        0 => Reply::Drop,
        1 => Reply::Stall(Duration::from_secs(2)),
        _ => Reply::status(200, ""),
    })
    .await;
    let time = FakeTime::new(DateTime::from_secs(0));
    let handle = handle(&time, RetryConfig::default());
    let response = handle.invoke(SPEC, &Endpoint::url(&server.url), request(), parse_error).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn retries_stop_when_the_quota_runs_out() {
    let server = TestServer::start(|_, _| Reply::status(503, "")).await;
    let time = FakeTime::new(DateTime::from_secs(0));
    let handle = handle(&time, RetryConfig::default().with_max_attempts(1000));
    let error = handle.invoke(SPEC, &Endpoint::url(&server.url), request(), parse_error).await.unwrap_err();
    assert_eq!(error.http_status(), Some(503));
    // 500 tokens at 5 per retry: 100 retries after the first attempt.
    assert_eq!(server.requests().len(), 101);
    assert_eq!(handle.retry_quota(), 0);
}

#[tokio::test]
async fn adaptive_mode_waits_after_throttling() {
    let server =
        TestServer::start(|_, i| if i % 2 == 0 { Reply::status(429, "") } else { Reply::status(200, "") }).await;
    let time = FakeTime::new(DateTime::from_secs(0));
    let handle = handle(&time, RetryConfig::default().with_mode(RetryMode::Adaptive));
    for _ in 0..20 {
        handle.invoke(SPEC, &Endpoint::url(&server.url), request(), parse_error).await.unwrap();
    }
    let waits = time.sleeps();
    assert!(waits.len() > 20, "backoffs plus rate-limiter waits: {waits:?}");
}

#[tokio::test]
async fn unsigned_requests_carry_no_authorization() {
    let server = TestServer::start(|_, _| Reply::status(200, "")).await;
    let config = Config::builder().region("us-east-1").build().unwrap();
    let handle = Handle::new(config).unwrap();
    handle.invoke(SPEC, &Endpoint::url(&server.url), request(), parse_error).await.unwrap();
    assert!(server.requests()[0].header("authorization").is_none());
}

#[tokio::test]
async fn an_operation_timeout_bounds_every_retry() {
    let server = TestServer::start(|_, _| Reply::Stall(Duration::from_secs(5))).await;
    let config = Config::builder()
        .region("us-east-1")
        .read_timeout(Duration::from_secs(10))
        .operation_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let handle = Handle::new(config).unwrap();
    let error = handle.invoke(SPEC, &Endpoint::url(&server.url), request(), parse_error).await.unwrap_err();
    assert!(matches!(error, SdkError::Timeout(_)), "{error:?}");
}

#[tokio::test]
async fn a_skewed_clock_is_corrected_from_the_date_header_and_the_refused_request_retried_once() {
    // The local clock is 20 minutes behind the service.
    let local = DateTime::from_secs(1_767_225_600);
    let service = DateTime::from_secs(1_767_225_600 + 20 * 60);
    let date = service.fmt(cloudfront_primitives::TimestampFormat::HttpDate);
    let server = TestServer::start(move |r, _| {
        let signed_at = r.header("x-amz-date").unwrap_or_default().to_owned();
        if signed_at == "20260101T002000Z" {
            Reply::status(201, "ok").header("Date", &date)
        } else {
            Reply::status(403, error_body("RequestTimeTooSkewed")).header("Date", &date)
        }
    })
    .await;
    let time = FakeTime::new(local);
    // One attempt only: the skew retry is outside the retry budget.
    let handle = handle(&time, RetryConfig::default().with_max_attempts(1));
    let response = handle.invoke(SPEC, &Endpoint::url(&server.url), request(), parse_error).await.unwrap();
    assert_eq!(response.status, 201);
    assert_eq!(server.requests().len(), 2);
    assert_eq!(handle.clock_skew_secs(), 20 * 60);
    assert!(time.sleeps().is_empty(), "the corrected request goes at once");
    // Later requests are signed with the corrected time from the start.
    handle.invoke(SPEC, &Endpoint::url(&server.url), request(), parse_error).await.unwrap();
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_skew_error_without_a_usable_date_is_not_retried_for_skew() {
    let server = TestServer::start(|_, _| Reply::status(403, error_body("SignatureDoesNotMatch"))).await;
    let time = FakeTime::new(DateTime::from_secs(1_767_225_600));
    let handle = handle(&time, RetryConfig::default().with_max_attempts(3));
    let error = handle.invoke(SPEC, &Endpoint::url(&server.url), request(), parse_error).await.unwrap_err();
    assert_eq!(error.code(), Some("SignatureDoesNotMatch"));
    assert_eq!(server.requests().len(), 1, "a real signature error is final");
}

#[tokio::test]
async fn the_final_error_says_how_the_attempts_went() {
    // A create answered 500 on every attempt: out of attempts, and it may have been applied.
    let server = TestServer::start(|r, _| {
        if r.target.contains("EBUSY") {
            Reply::status(500, error_body("InternalError"))
        } else if r.target.contains("ENOSUCH") {
            Reply::status(404, error_body("NoSuchDistribution"))
        } else {
            Reply::status(400, error_body("Throttling"))
        }
    })
    .await;
    let time = FakeTime::new(DateTime::from_secs(1_767_225_600));
    let handle = handle(&time, RetryConfig::default());
    let at = |path: &str, method: &str| {
        let mut r = request();
        r.method = method.to_owned();
        r.path = path.to_owned();
        r
    };
    let busy = handle.invoke(SPEC, &Endpoint::url(&server.url), at("/EBUSY/invalidation", "POST"), parse_error).await;
    let Err(SdkError::Service(e)) = busy else { panic!("{busy:?}") };
    assert_eq!(e.meta().attempts, cloudfront_primitives::Attempts::new(3, true, true));
    assert!(e.meta().to_string().ends_with("; an earlier attempt may have been applied"), "{}", e.meta());
    // Throttled: refused, so nothing was applied, though the attempts ran out.
    let throttled = handle.invoke(SPEC, &Endpoint::url(&server.url), at("/EX/invalidation", "POST"), parse_error).await;
    let Err(SdkError::Service(e)) = throttled else { panic!("{throttled:?}") };
    assert_eq!(e.meta().attempts, cloudfront_primitives::Attempts::new(3, true, false));
    // A read never "may have been applied"; a client error is not retried.
    let read = handle.invoke(SPEC, &Endpoint::url(&server.url), at("/EBUSY/invalidation", "GET"), parse_error).await;
    let Err(SdkError::Service(e)) = read else { panic!("{read:?}") };
    assert!(!e.meta().attempts.may_have_been_applied);
    let missing =
        handle.invoke(SPEC, &Endpoint::url(&server.url), at("/ENOSUCH/invalidation", "POST"), parse_error).await;
    let Err(SdkError::Service(e)) = missing else { panic!("{missing:?}") };
    assert_eq!(e.meta().attempts, cloudfront_primitives::Attempts::new(1, false, false));
}

#[tokio::test]
async fn a_lost_connection_keeps_its_cause_and_says_how_the_attempts_went() {
    use std::error::Error;
    let server = TestServer::start(|_, _| Reply::Drop).await;
    let retry = RetryConfig::default().with_max_attempts(2);
    let config = Config::builder().region("us-east-1").retry(retry).build().unwrap();
    let handle = Handle::new(config).unwrap();
    let error = handle.invoke(SPEC, &Endpoint::url(&server.url), request(), parse_error).await.unwrap_err();
    let SdkError::Dispatch(dispatch) = &error else { panic!("not a dispatch failure: {error:?}") };
    assert_eq!(dispatch.attempts().made, 2, "{dispatch}");
    // The HTTP client's own error stays reachable under the AWS CLI's words.
    let cause = dispatch.source().expect("the HTTP client's error is kept");
    assert!(!cause.to_string().is_empty());
    assert!(dispatch.to_string().starts_with(dispatch.message()), "{dispatch}");
}

#[tokio::test]
async fn requests_name_the_client_crate_then_the_runtime_in_their_user_agent() {
    let server = TestServer::start(|_, _| Reply::status(200, "")).await;
    let config = Config::builder().region("us-east-1").no_signing().build().unwrap();
    let handle = Handle::for_client(config, "example-client/1.2.3").unwrap();
    handle.invoke(SPEC, &Endpoint::url(&server.url), request(), parse_error).await.unwrap();
    let expected = format!("example-client/1.2.3 cloudfront-runtime/{}", env!("CARGO_PKG_VERSION"));
    assert_eq!(server.requests()[0].header("user-agent"), Some(expected.as_str()));
}

#[tokio::test]
async fn a_region_redirect_is_followed_once_to_the_endpoint_it_names() {
    let moved = "<Error><Code>PermanentRedirect</Code><Message>elsewhere</Message></Error>";
    let wrong =
        TestServer::start(move |_, _| Reply::status(301, moved).header("x-amz-bucket-region", "eu-west-1")).await;
    let right = TestServer::start(|_, i| match i {
        0 => Reply::status(200, "<Ok/>"),
        _ => Reply::status(301, "").header("x-amz-bucket-region", "ap-south-1"),
    })
    .await;
    let time = FakeTime::new(DateTime::from_secs(1_767_225_600));
    let handle = handle(&time, RetryConfig::default());
    let asked = std::sync::Mutex::new(Vec::new());
    let moved_to = |region: &str| {
        asked.lock().unwrap().push(region.to_owned());
        let scheme = cloudfront_runtime::AuthScheme::new("sigv4", Some(region.to_owned()), Some("s3".to_owned()));
        Some(Endpoint::new(right.url.clone(), vec![scheme], vec![]))
    };
    let endpoint = Endpoint::url(&wrong.url);
    let response = handle.invoke_redirectable(SPEC, &endpoint, request(), parse_error, &moved_to).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!((wrong.requests().len(), right.requests().len()), (1, 1), "one redirect, no retries");
    assert_eq!(*asked.lock().unwrap(), ["eu-west-1"]);
    let authorization = right.requests()[0].header("authorization").unwrap().to_owned();
    assert!(authorization.contains("/eu-west-1/s3/aws4_request"), "signed for the bucket's region: {authorization}");
    assert_eq!(right.requests()[0].body, wrong.requests()[0].body, "the same body is sent again");

    // A second redirect is not followed: the answer is the caller's.
    let error = handle.invoke_redirectable(SPEC, &Endpoint::url(&right.url), request(), parse_error, &moved_to).await;
    let Err(SdkError::Service(error)) = error else { panic!("{error:?}") };
    assert_eq!(error.0.code.as_deref(), Some("301"));
    assert_eq!(right.requests().len(), 3, "the redirect to ap-south-1 went to moved_to's endpoint once");
    // Without an endpoint for the new region (a custom endpoint), nothing more is sent.
    let stay = |_: &str| None;
    let error = handle.invoke_redirectable(SPEC, &Endpoint::url(&wrong.url), request(), parse_error, &stay).await;
    assert!(matches!(error, Err(SdkError::Service(_))));
    assert_eq!(wrong.requests().len(), 2);
}

#[tokio::test]
async fn an_error_document_in_a_success_is_retried_as_a_500_where_the_operation_may_send_one() {
    let failed =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code><Message>m</Message></Error>";
    let server = TestServer::start(move |_, i| match i {
        0 => Reply::status(200, failed),
        _ => Reply::status(200, "<CompleteMultipartUploadResult><ETag>e</ETag></CompleteMultipartUploadResult>"),
    })
    .await;
    let time = FakeTime::new(DateTime::from_secs(1_767_225_600));
    let handle = handle(&time, RetryConfig::default());
    let spec = OperationSpec { error_in_success: true, ..SPEC };
    let response = handle.invoke(spec, &Endpoint::url(&server.url), request(), parse_error).await.unwrap();
    assert!(String::from_utf8_lossy(&response.body).contains("CompleteMultipartUploadResult"));
    assert_eq!(server.requests().len(), 2, "the error in the 200 was retried");
    // With retries spent, it is the service's error, with its code.
    let always = TestServer::start(move |_, _| Reply::status(200, failed)).await;
    let one = RetryConfig::default().with_max_attempts(1);
    let error = self::handle(&time, one).invoke(spec, &Endpoint::url(&always.url), request(), parse_error).await;
    let Err(SdkError::Service(error)) = error else { panic!("{error:?}") };
    assert_eq!(error.0.code.as_deref(), Some("InternalError"));
    // An operation that does not send errors in successes reads such a body as its output.
    let plain = handle.invoke(SPEC, &Endpoint::url(&always.url), request(), parse_error).await.unwrap();
    assert_eq!(plain.status, 200);
}

#[tokio::test]
async fn an_endpoint_that_only_takes_another_signature_is_refused_before_sending() {
    let server = TestServer::start(|_, _| Reply::status(200, "")).await;
    let time = FakeTime::new(DateTime::from_secs(1_767_225_600));
    let sigv4a = cloudfront_runtime::AuthScheme::new("sigv4a", None, Some("s3".to_owned()));
    let endpoint = Endpoint::new(server.url.clone(), vec![sigv4a], vec![]);
    let error = handle(&time, RetryConfig::default()).invoke(SPEC, &endpoint, request(), parse_error).await;
    let Err(SdkError::Config(message)) = error else { panic!("{error:?}") };
    assert!(message.contains("sigv4a signing"), "{message}");
    assert!(server.requests().is_empty());
}
