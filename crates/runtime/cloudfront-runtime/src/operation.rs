//! Running one operation: sign, send, classify, retry. Generated clients call
//! [`Handle::invoke`] with the serialized request and the operation's error parser.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use cloudfront_primitives::{Attempts, ProvideErrorMetadata};
use cloudfront_primitives::{HttpRequest, HttpResponse};
use tracing::Instrument;

use crate::clock_skew::{CLOCK_SKEW_CODES, ClockSkew};
use crate::config::Config;
use crate::endpoint::Endpoint;
use crate::error::{DispatchError, SdkError};
use crate::retry::{RateLimiter, RetryKind, RetryMode, RetryQuota, classify_error, jitter};
use crate::time::seconds_between;
use crate::transport::{Sink, Transport, TransportError, host_header};

/// What the runtime needs to know about an operation. Built only by generated code, which is
/// generated for the runtime it builds against, so it stays a plain struct (constructible in a
/// `const`) rather than `#[non_exhaustive]`.
#[derive(Clone, Copy, Debug)]
pub struct OperationSpec {
    /// The operation's name (for logs).
    pub name: &'static str,
    /// The SigV4 signing name of the service (when the endpoint does not say).
    pub signing_name: &'static str,
    /// Send the payload hash as `X-Amz-Content-SHA256` (S3 requires it on every request).
    pub payload_hash_header: bool,
    /// The input's payload is a stream (`@streaming` blob): over TLS with a checksum header,
    /// the body is not signed (`UNSIGNED-PAYLOAD`), as botocore does for S3 uploads.
    pub streaming_input: bool,
    /// The request checksum the model asks for (`aws.protocols#httpChecksum`), if any.
    pub request_checksum: Option<crate::checksum::RequestChecksum>,
    /// A success status whose body is an `<Error>` document is an error (S3 can fail a
    /// CompleteMultipartUpload after answering 200): it is judged as a 500.
    pub error_in_success: bool,
    /// Headers bound to `@sensitive` members (S3's SSE-C key), lower-case: never logged.
    pub sensitive_headers: &'static [&'static str],
}

/// Shared state of a client: configuration, transport, retry quota and rate limiter.
#[non_exhaustive]
#[derive(Debug)]
pub struct Handle {
    /// The client configuration.
    pub config: Config,
    transport: Transport,
    quota: RetryQuota,
    limiter: RateLimiter,
    /// The service's clock relative to ours, learnt from responses.
    skew: ClockSkew,
    /// Time origin for the rate limiter.
    started: cloudfront_primitives::DateTime,
}

impl Handle {
    /// Shared state for a configuration (builds the HTTP client).
    pub fn new(config: Config) -> Result<Arc<Handle>, String> {
        Handle::for_client(config, "")
    }

    /// Like [`Handle::new`], for a client crate that names itself in the `User-Agent` header
    /// (`name/version`, as generated clients do).
    pub fn for_client(config: Config, user_agent: &str) -> Result<Arc<Handle>, String> {
        let transport = Transport::new(&config.transport, user_agent)?;
        let started = config.clock.now();
        Ok(Arc::new(Handle {
            config,
            transport,
            quota: RetryQuota::default(),
            limiter: RateLimiter::default(),
            skew: ClockSkew::default(),
            started,
        }))
    }

    /// The clock offset learnt from the service's `Date` headers, in seconds.
    pub fn clock_skew_secs(&self) -> i64 {
        self.skew.offset_secs()
    }

    /// The service's clock minus ours, to the second, by the last response's `Date` header
    /// (none before the first response).
    pub fn server_clock_offset_secs(&self) -> Option<i64> {
        self.skew.estimate_secs()
    }

    /// Tokens left in the retry quota.
    pub fn retry_quota(&self) -> u32 {
        self.quota.available()
    }

    /// Sends `request` to `endpoint`, retrying as configured; returns the success response
    /// (a 2xx), or the error. `parse_error` reads an error response into the operation's
    /// error type. The same bytes are sent on every attempt, so an idempotency token or a
    /// `CallerReference` in the body is reused by retries.
    pub async fn invoke<E>(
        &self,
        spec: OperationSpec,
        endpoint: &Endpoint,
        request: HttpRequest,
        parse_error: fn(&HttpResponse) -> E,
    ) -> Result<HttpResponse, SdkError<E>>
    where
        E: ProvideErrorMetadata,
    {
        let judge = move |response: &HttpResponse| Verdict::of(&parse_error(response));
        self.run(spec, endpoint, request, &judge, None).await.map_err(|error| in_operation_terms(error, parse_error))
    }

    /// [`Handle::invoke`] with a success's body written to `sink` as it arrives instead of
    /// held in memory (an S3 download into a file); the response handed back has an empty
    /// body. Once part of the body was written, a broken-off download is not retried.
    pub async fn invoke_into<E>(
        &self,
        spec: OperationSpec,
        endpoint: &Endpoint,
        request: HttpRequest,
        parse_error: fn(&HttpResponse) -> E,
        sink: Sink<'_, '_>,
    ) -> Result<HttpResponse, SdkError<E>>
    where
        E: ProvideErrorMetadata,
    {
        let judge = move |response: &HttpResponse| Verdict::of(&parse_error(response));
        let mut counted = CountingSink { inner: sink, written: 0 };
        let outcome = self.run(spec, endpoint, request, &judge, Some(&mut counted)).await;
        // A deadline that passed mid-body leaves bytes in the writer: say so, as an error a
        // caller does not take for "nothing happened, send again".
        let outcome = match outcome {
            Err(SdkError::Timeout(why)) if counted.written > 0 => Err(SdkError::Dispatch(DispatchError::new(format!(
                "{why}, after {} bytes of the body were written (the writer holds them)",
                counted.written
            )))),
            other => other,
        };
        outcome.map_err(|error| in_operation_terms(error, parse_error))
    }

    /// [`Handle::invoke`] for a service whose answers may move a call to another region (S3):
    /// when the final answer is a region redirect naming a region (see [`crate::region_redirect`])
    /// and `moved_to` gives an endpoint there, the call is made once more, at that endpoint.
    pub async fn invoke_redirectable<E>(
        &self,
        spec: OperationSpec,
        endpoint: &Endpoint,
        request: HttpRequest,
        parse_error: fn(&HttpResponse) -> E,
        moved_to: &(dyn Fn(&str) -> Option<Endpoint> + Sync),
    ) -> Result<HttpResponse, SdkError<E>>
    where
        E: ProvideErrorMetadata,
    {
        let judge = move |response: &HttpResponse| Verdict::of(&parse_error(response));
        let method = request.method.clone();
        let first = self.run(spec, endpoint, request.clone(), &judge, None).await;
        let redirected = match &first {
            Err(SdkError::Service(rejected)) => crate::region_redirect::redirect_region(&rejected.response, &method)
                .and_then(|region| moved_to(&region).map(|endpoint| (region, endpoint))),
            _ => None,
        };
        let outcome = match redirected {
            Some((region, endpoint)) => {
                tracing::debug!(region, url = %endpoint.url, "the bucket is in another region: sending there once");
                self.run(spec, &endpoint, request, &judge, None).await
            }
            None => first,
        };
        outcome.map_err(|error| in_operation_terms(error, parse_error))
    }

    /// The call, whatever the operation's error type: boxed, so that it is compiled once, in
    /// this crate, and not again in every crate whose generic code awaits `invoke`.
    fn run<'a>(
        &'a self,
        spec: OperationSpec,
        endpoint: &'a Endpoint,
        request: HttpRequest,
        judge: &'a (dyn Fn(&HttpResponse) -> Verdict + Sync),
        sink: Option<Sink<'a, 'a>>,
    ) -> Pin<Box<dyn Future<Output = Result<HttpResponse, SdkError<Rejected>>> + Send + 'a>> {
        Box::pin(async move {
            let span = tracing::info_span!("operation", operation = spec.name, attempts = tracing::field::Empty);
            let work = self.attempts(spec, endpoint, request, judge, sink).instrument(span);
            match self.config.operation_timeout {
                Some(limit) => tokio::time::timeout(limit, work).await.unwrap_or_else(|_| {
                    Err(SdkError::Timeout(DispatchError::new(format!("{} did not finish within {limit:?}", spec.name))))
                }),
                None => work.await,
            }
        })
    }

    async fn attempts(
        &self,
        spec: OperationSpec,
        endpoint: &Endpoint,
        request: HttpRequest,
        judge: &(dyn Fn(&HttpResponse) -> Verdict + Sync),
        mut sink: Option<Sink<'_, '_>>,
    ) -> Result<HttpResponse, SdkError<Rejected>> {
        let mut request = request;
        let prepared = self.ready(spec, endpoint, &mut request).await?;
        let retry = self.config.retry;
        let mut spent = 0;
        let mut attempt = 1;
        let mut skew_retried = false;
        // A call that changes something, and whether any of its attempts may have been applied.
        let changes_something = !matches!(request.method.as_str(), "GET" | "HEAD");
        let mut may_have_been_applied = false;
        loop {
            if retry.mode == RetryMode::Adaptive {
                let wait = self.limiter.acquire(self.elapsed());
                if !wait.is_zero() {
                    self.config.sleep.sleep(wait).await;
                }
            }
            // The correction this attempt is signed with: a concurrent request may learn a
            // new one while this one is in flight.
            let signed_offset = self.skew.offset_secs();
            let outcome = self.send_once(&prepared, &request, attempt, sink.as_deref_mut()).await;
            let outcome = outcome.map(|response| error_in_success(spec, response));
            // The clock's correction now differs from the one this attempt was signed with.
            let corrected = (self.skew.offset_secs() - signed_offset).abs() >= crate::clock_skew::THRESHOLD_SECS;
            let failed = match self.judge_outcome(outcome, judge, retry.mode) {
                Judged::Success(response) => {
                    self.quota.release(spent);
                    return Ok(response);
                }
                // Refused for its signing time, and the response says by how much: sign again
                // with the corrected time, once, outside the retry budget.
                Judged::Failed(failed) if corrected && !skew_retried && failed.skewed => {
                    skew_retried = true;
                    tracing::debug!(
                        offset_secs = self.skew.offset_secs(),
                        "clock skew: retrying with the corrected time"
                    );
                    continue;
                }
                Judged::Failed(failed) => failed,
            };
            if failed.answered {
                self.note_throttle(retry.mode, failed.kind == Some(RetryKind::Throttling));
            }
            may_have_been_applied |= changes_something && failed.carried_out;
            let attempts = |exhausted| Attempts::new(attempt, exhausted, may_have_been_applied);
            let Some(kind) = failed.kind else { return Err(ended(failed.error, attempts(false))) };
            if attempt >= retry.max_attempts {
                tracing::debug!(attempt, "giving up: no attempts left");
                return Err(ended(failed.error, attempts(true)));
            }
            let Some(cost) = self.quota.acquire(kind) else {
                tracing::debug!(attempt, "giving up: the retry quota is exhausted");
                return Err(ended(failed.error, attempts(false)));
            };
            spent += cost;
            let wait = retry.backoff(attempt, kind, jitter(), failed.retry_after);
            tracing::debug!(attempt, ?kind, wait_ms = wait.as_millis() as u64, "retrying");
            self.config.sleep.sleep(wait).await;
            attempt += 1;
        }
    }

    /// Readies a request before its first attempt: the checksum the model asks for, whether the
    /// payload is signed, and a file body's hash (one pass over the file, skipped when nothing
    /// needs it).
    async fn ready(
        &self,
        spec: OperationSpec,
        endpoint: &Endpoint,
        request: &mut HttpRequest,
    ) -> Result<Prepared, SdkError<Rejected>> {
        let algorithm =
            crate::checksum::resolve_algorithm(request, spec.request_checksum).map_err(SdkError::Construction)?;
        let mut prepared = self.prepare(spec, endpoint, request, algorithm.is_some()).await?;
        let sign_payload = prepared.credentials.is_some() && !prepared.unsigned_payload;
        prepared.file_sha256 = crate::checksum::digest_body(request, algorithm.as_deref(), sign_payload)
            .await
            .map_err(SdkError::Construction)?;
        Ok(prepared)
    }

    /// What every attempt of a call shares: where it goes, the credentials, and the region and
    /// name it is signed for. `checksummed`: a checksum of the model's will go with the body.
    async fn prepare(
        &self,
        spec: OperationSpec,
        endpoint: &Endpoint,
        request: &HttpRequest,
        checksummed: bool,
    ) -> Result<Prepared, SdkError<Rejected>> {
        let target = url_for(endpoint, request).map_err(SdkError::Config)?;
        let host = host_header(&target.url).map_err(SdkError::Config)?;
        let credentials = match &self.config.credentials {
            Some(provider) => Some(provider.provide_credentials().await.map_err(SdkError::Credentials)?),
            None => None,
        };
        // The rules' signing region, else the client's; botocore refuses to sign without one.
        let region = endpoint.signing_region().map(str::to_owned).or_else(|| self.config.region.clone());
        let region = match (region, &credentials) {
            (Some(region), _) => region,
            (None, None) => String::new(),
            (None, Some(_)) => return Err(SdkError::Config(crate::error::NO_REGION.into())),
        };
        // An endpoint that can only be signed another way (sigv4a for multi-region access
        // points, S3 Express sessions) is refused rather than signed wrongly.
        let schemes = &endpoint.auth_schemes;
        if credentials.is_some() && !schemes.is_empty() && !schemes.iter().any(|a| a.name == "sigv4") {
            let names: Vec<&str> = schemes.iter().map(|a| a.name.as_str()).collect();
            let message =
                format!("the endpoint asks for {} signing, which this client does not do yet", names.join(" or "));
            return Err(SdkError::Config(message));
        }
        let signing_name = endpoint.signing_name().unwrap_or(spec.signing_name).to_owned();
        let path_as_sent =
            endpoint.auth_schemes.iter().find(|a| a.name == "sigv4").is_some_and(|a| a.disable_double_encoding);
        // As botocore: a streaming upload over TLS is not signed when it carries Content-MD5 or
        // the checksum resolved for it (TLS and the checksum protect it).
        let has_checksum = checksummed || request.header("Content-MD5").is_some();
        let unsigned_payload = spec.streaming_input && target.url.scheme() == "https" && has_checksum;
        Ok(Prepared {
            target,
            host,
            credentials,
            region,
            signing_name,
            path_as_sent,
            payload_hash_header: spec.payload_hash_header,
            unsigned_payload,
            file_sha256: None,
            sensitive_headers: spec.sensitive_headers,
        })
    }

    /// The request's headers with the signature of now added (none when unsigned).
    fn signed_headers(&self, prepared: &Prepared, request: &HttpRequest) -> Vec<(String, String)> {
        let Prepared { target, host, credentials, region, signing_name, .. } = prepared;
        let mut headers = request.headers.clone();
        let Some(credentials) = credentials else { return headers };
        let payload = match (prepared.unsigned_payload, &prepared.file_sha256) {
            (true, _) => cloudfront_sigv4::PayloadHash::Unsigned,
            (false, Some(sha256)) => cloudfront_sigv4::PayloadHash::Precomputed(sha256),
            (false, None) => cloudfront_sigv4::PayloadHash::OfBody,
        };
        let signing_credentials = credentials.for_signing();
        let time = self.skew.signing_time(self.config.clock.now());
        let mut params = cloudfront_sigv4::SigningParams::new(&signing_credentials, region, signing_name, time)
            .with_payload(payload, prepared.payload_hash_header);
        if prepared.path_as_sent {
            params = params.with_path_signed_as_sent();
        }
        let signable = cloudfront_sigv4::SignableRequest::new(
            &request.method,
            host,
            &target.path,
            &target.query,
            &request.headers,
            request.body.as_bytes().unwrap_or_default(),
        );
        headers.extend(cloudfront_sigv4::sign(&signable, &params).headers);
        headers
    }

    /// The request as its first attempt would send it, signed now, without sending it: the
    /// URL, the headers (checksum and signature included) and the body. For dry runs and for
    /// checking signatures against other signers.
    pub async fn signed_request(
        &self,
        spec: OperationSpec,
        endpoint: &Endpoint,
        mut request: HttpRequest,
    ) -> Result<SignedRequest, SdkError<std::convert::Infallible>> {
        let prepared = self.ready(spec, endpoint, &mut request).await.map_err(|e| match e {
            SdkError::Service(_) => unreachable!("nothing was sent"),
            other => other.map_service(|_| unreachable!("nothing was sent")),
        })?;
        let headers = self.signed_headers(&prepared, &request);
        Ok(SignedRequest { method: request.method, url: prepared.target.to_string(), headers, body: request.body })
    }

    /// One attempt: signed now (with the clock's current correction), sent, its `Date` noted.
    async fn send_once(
        &self,
        prepared: &Prepared,
        request: &HttpRequest,
        attempt: u32,
        sink: Option<Sink<'_, '_>>,
    ) -> Result<HttpResponse, TransportError> {
        let Prepared { target, .. } = prepared;
        let headers = self.signed_headers(prepared, request);
        tracing::trace!(
            method = %request.method,
            url = %target,
            headers = %redacted_headers(&headers, prepared.sensitive_headers),
            body = %body_excerpt(&request.body),
            "sending request"
        );
        let outcome = self
            .transport
            .send_exact_to(&request.method, &target.url, &target.path_and_query(), &headers, request.body.clone(), sink)
            .instrument(tracing::debug_span!("attempt", attempt))
            .await;
        if let Ok(response) = &outcome {
            tracing::trace!(
                status = response.status,
                headers = %redacted_headers(&response.headers, prepared.sensitive_headers),
                body = %excerpt(&response.body),
                "received response"
            );
            self.skew.observe(response, self.config.clock.now());
        }
        outcome
    }

    /// What an attempt's outcome means for the call: done, or failed (how, and whether the
    /// service may have carried it out).
    fn judge_outcome(
        &self,
        outcome: Result<HttpResponse, TransportError>,
        judge: &(dyn Fn(&HttpResponse) -> Verdict + Sync),
        mode: RetryMode,
    ) -> Judged {
        let failed = |kind, error, carried_out| Failed {
            kind,
            error,
            carried_out,
            retry_after: None,
            skewed: false,
            answered: false,
        };
        match outcome {
            Ok(response) if response.is_success() => {
                tracing::debug!(status = response.status, request_id = ?cloudfront_restxml::request_id(&response), "success");
                self.note_throttle(mode, false);
                Judged::Success(response)
            }
            Ok(response) => {
                let verdict = judge(&response);
                tracing::debug!(status = response.status, code = ?verdict.code, request_id = ?verdict.request_id, "error response");
                let skewed = CLOCK_SKEW_CODES.contains(&verdict.code.as_deref().unwrap_or_default());
                let retry_after = crate::retry::retry_after(&response);
                let carried_out = response.status >= 500;
                let error = SdkError::Service(Rejected { response, attempts: Attempts::default() });
                Judged::Failed(Failed { kind: verdict.kind, error, carried_out, retry_after, skewed, answered: true })
            }
            Err(TransportError::Timeout(why)) => {
                Judged::Failed(failed(Some(RetryKind::Timeout), SdkError::Timeout(why), true))
            }
            // Never connected: nothing reached the service.
            Err(TransportError::Connect(why)) => {
                Judged::Failed(failed(Some(RetryKind::Transient), SdkError::Dispatch(why), false))
            }
            // Refused before sending: nothing reached the service, and another attempt would
            // be refused the same way.
            Err(TransportError::Refused(why)) => Judged::Failed(failed(None, SdkError::Dispatch(why), false)),
            Err(TransportError::Other(why)) => {
                Judged::Failed(failed(Some(RetryKind::Transient), SdkError::Dispatch(why), true))
            }
            // Part of the body already went to the caller's writer: not sent again.
            Err(TransportError::Interrupted(why)) => Judged::Failed(failed(None, SdkError::Dispatch(why), true)),
            Err(too_large @ TransportError::BodyTooLarge { status, .. }) => {
                let error = SdkError::Response { message: too_large.to_string(), status, request_id: None };
                Judged::Failed(failed(None, error, true))
            }
        }
    }

    fn elapsed(&self) -> f64 {
        seconds_between(self.started, self.config.clock.now())
    }

    fn note_throttle(&self, mode: RetryMode, throttled: bool) {
        if mode == RetryMode::Adaptive {
            self.limiter.update(self.elapsed(), throttled);
        }
    }
}

/// What the retry loop needs of an error response, read by the operation's error parser.
struct Verdict {
    code: Option<String>,
    request_id: Option<String>,
    kind: Option<RetryKind>,
}

impl Verdict {
    fn of(error: &impl ProvideErrorMetadata) -> Verdict {
        Verdict {
            code: error.code().map(str::to_owned),
            request_id: error.request_id().map(str::to_owned),
            kind: classify_error(error),
        }
    }
}

/// A request as it would be sent (see [`Handle::signed_request`]). Its `Debug` leaves the
/// headers out, since they hold the signature and may hold a session token.
#[non_exhaustive]
#[derive(Clone, PartialEq, Eq)]
pub struct SignedRequest {
    /// The HTTP method.
    pub method: String,
    /// The full URL, path and query exactly as sent.
    pub url: String,
    /// Every header, the signature's included.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: cloudfront_primitives::Body,
}

impl std::fmt::Debug for SignedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedRequest").field("method", &self.method).field("url", &self.url).finish_non_exhaustive()
    }
}

/// A writer that counts what went through it.
struct CountingSink<'a, 'w> {
    inner: Sink<'a, 'w>,
    written: u64,
}

impl tokio::io::AsyncWrite for CountingSink<'_, '_> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        bytes: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut *self.inner).poll_write(cx, bytes);
        if let std::task::Poll::Ready(Ok(n)) = polled {
            self.written += n as u64;
        }
        polled
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<std::io::Result<()>> {
        Pin::new(&mut *self.inner).poll_flush(cx)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        Pin::new(&mut *self.inner).poll_shutdown(cx)
    }
}

/// A call's final error in the operation's terms: the service's last error response read
/// again into the operation's error type, with how the attempts went.
fn in_operation_terms<E: ProvideErrorMetadata>(
    error: SdkError<Rejected>,
    parse_error: fn(&HttpResponse) -> E,
) -> SdkError<E> {
    error.map_service(|Rejected { response, attempts }| {
        let mut error = parse_error(&response);
        error.meta_mut().attempts = attempts;
        error
    })
}

/// The service's final refusal: the response (read into the operation's error type by
/// `invoke`) and how the attempts went.
struct Rejected {
    response: HttpResponse,
    attempts: Attempts,
}

/// Headers for logs: the signature and the session token are never written out.
pub fn redacted_headers(headers: &[(String, String)], sensitive: &[&str]) -> String {
    headers
        .iter()
        .map(|(name, value)| {
            let secret = |n: &str| name.eq_ignore_ascii_case(n);
            let shown = if secret("x-amz-security-token") || sensitive.iter().copied().any(secret) {
                "[REDACTED]".to_owned()
            } else if name.eq_ignore_ascii_case("authorization") {
                match value.split_once(", Signature=") {
                    Some((scope, _)) => format!("{scope}, Signature=[REDACTED]"),
                    None => "[REDACTED]".to_owned(),
                }
            } else {
                value.clone()
            };
            format!("{name}: {shown}")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A success whose body is an `<Error>` document, for an operation that may answer so,
/// turned into the 500 it stands for (retried as one, as botocore does); anything else as it is.
fn error_in_success(spec: OperationSpec, mut response: HttpResponse) -> HttpResponse {
    if spec.error_in_success && response.is_success() && root_is_error(&response.body) {
        tracing::debug!(status = response.status, "an error document in a success response: judged as a 500");
        response.status = 500;
    }
    response
}

/// Whether an XML body's root element is `<Error>` (after any declaration and comments).
fn root_is_error(body: &[u8]) -> bool {
    let mut rest = body.trim_ascii_start();
    while let Some(after) = rest.strip_prefix(b"<?").or_else(|| rest.strip_prefix(b"<!--")) {
        let end = if rest.starts_with(b"<?") { &b"?>"[..] } else { &b"-->"[..] };
        let Some(at) = after.windows(end.len()).position(|w| w == end) else { return false };
        rest = after[at + end.len()..].trim_ascii_start();
    }
    rest.strip_prefix(b"<Error").is_some_and(|after| matches!(after.first(), Some(b'>' | b' ' | b'\t' | b'\r' | b'\n')))
}

/// A request body for logs: the start of its bytes, or which file it is.
fn body_excerpt(body: &cloudfront_primitives::Body) -> String {
    match body {
        cloudfront_primitives::Body::Bytes(bytes) => excerpt(bytes),
        cloudfront_primitives::Body::File { path, offset, length, .. } => {
            format!("({length} bytes of the file {} from byte {offset})", path.display())
        }
    }
}

/// The start of a body for logs (bodies carry no credentials; they can be long).
fn excerpt(body: &[u8]) -> String {
    const LIMIT: usize = 4096;
    let text = String::from_utf8_lossy(&body[..body.len().min(LIMIT)]).into_owned();
    if body.len() > LIMIT { format!("{text}... ({} bytes)", body.len()) } else { text }
}

/// The call's final error, with how its attempts went: recorded in a service error's
/// metadata, and said in the text of a timeout or a lost connection when an attempt may have
/// been applied.
fn ended(error: SdkError<Rejected>, attempts: Attempts) -> SdkError<Rejected> {
    match error {
        SdkError::Service(rejected) => SdkError::Service(Rejected { attempts, ..rejected }),
        SdkError::Timeout(e) => SdkError::Timeout(e.with_attempts(attempts)),
        SdkError::Dispatch(e) => SdkError::Dispatch(e.with_attempts(attempts)),
        other => other,
    }
}

/// What every attempt of a call shares.
struct Prepared {
    target: Target,
    host: String,
    credentials: Option<crate::credentials::Credentials>,
    region: String,
    signing_name: String,
    /// The rules' `disableDoubleEncoding`: the path is signed as sent (S3).
    path_as_sent: bool,
    payload_hash_header: bool,
    /// `UNSIGNED-PAYLOAD` instead of the body's hash.
    unsigned_payload: bool,
    /// A file body's SHA-256, computed before the first attempt (the signer hashes bytes).
    file_sha256: Option<String>,
    /// The operation's `@sensitive` headers, left out of logs.
    sensitive_headers: &'static [&'static str],
}

/// An attempt's outcome as the retry loop sees it.
enum Judged {
    Success(HttpResponse),
    Failed(Failed),
}

/// A failed attempt: how to retry it (`None`: not at all), the error, whether the service may
/// have carried it out, the wait it asked for, whether it was refused for its time, and
/// whether the service answered at all.
struct Failed {
    kind: Option<RetryKind>,
    error: SdkError<Rejected>,
    carried_out: bool,
    retry_after: Option<std::time::Duration>,
    skewed: bool,
    /// The service answered (with an error): the adaptive rate hears of it.
    answered: bool,
}

/// Where a request goes: the URL (scheme, host, port), and the path and query exactly as
/// serialized, which are what is signed and sent.
#[derive(Debug)]
struct Target {
    url: crate::transport::Url,
    path: String,
    query: String,
}

/// The target of a request, joined as botocore joins it: the endpoint's path, then the
/// operation's path (one `/` between them); the endpoint's query, then the operation's, joined
/// by `&`. The path is kept byte for byte, `.` and `..` segments included.
/// The URL a request goes to at `endpoint` (its path and query joined to the endpoint's, as
/// botocore joins them), exactly as it would be sent.
pub fn request_url(endpoint: &Endpoint, request: &HttpRequest) -> Result<String, String> {
    url_for(endpoint, request).map(|target| target.to_string())
}

fn url_for(endpoint: &Endpoint, request: &HttpRequest) -> Result<Target, String> {
    let (scheme, rest) =
        endpoint.url.split_once("://").ok_or_else(|| format!("endpoint URL {:?} has no scheme", endpoint.url))?;
    if scheme != "http" && scheme != "https" {
        return Err(format!("endpoint URL {:?} must be http or https", endpoint.url));
    }
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (rest, endpoint_query) = rest.split_once('?').unwrap_or((rest, ""));
    let (authority, endpoint_path) = rest.find('/').map_or((rest, ""), |at| rest.split_at(at));
    if authority.is_empty() {
        return Err(format!("endpoint URL {:?} has no host", endpoint.url));
    }
    // An empty request path (S3's bucket-only operations, once the rules placed the bucket)
    // adds nothing to the endpoint's path, as in botocore: `/my-bucket?delete`, not `/my-bucket/`.
    let path = match endpoint_path {
        "" | "/" if request.path.is_empty() => "/".to_owned(),
        "" | "/" => request.path.clone(),
        base if base.ends_with('/') && request.path.starts_with('/') => {
            format!("{}{}", &base[..base.len() - 1], request.path)
        }
        base => format!("{base}{}", request.path),
    };
    let query: Vec<&str> = std::iter::once(endpoint_query)
        .chain(request.query.iter().map(String::as_str))
        .filter(|q| !q.is_empty())
        .collect();
    let query = query.join("&");
    let mut text = format!("{scheme}://{}{authority}{path}", request.host_prefix);
    if !query.is_empty() {
        text.push('?');
        text.push_str(&query);
    }
    let url = crate::transport::parse_url(&text).map_err(|why| format!("invalid endpoint: {why}"))?;
    // The URL type removes dot segments (the transport then sends the path as it is); any
    // other change would send something else than what is signed.
    let path_changed = url.path() != path && !path.split('/').any(is_dot_segment);
    if path_changed || url.query().unwrap_or_default() != query {
        return Err(format!("the request {text:?} would be sent as {:?}", url.as_str()));
    }
    Ok(Target { url, path, query })
}

impl Target {
    /// The path and query as they go on the request line.
    fn path_and_query(&self) -> String {
        if self.query.is_empty() { self.path.clone() } else { format!("{}?{}", self.path, self.query) }
    }
}

impl std::fmt::Display for Target {
    /// The URL exactly as sent.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let host = self.url.host_str().unwrap_or_default();
        write!(f, "{}://{host}", self.url.scheme())?;
        if let Some(port) = self.url.port() {
            write!(f, ":{port}")?;
        }
        write!(f, "{}", self.path)?;
        if !self.query.is_empty() {
            write!(f, "?{}", self.query)?;
        }
        Ok(())
    }
}

/// `.` or `..`, also written with `%2E`: what URL parsers remove from a path.
fn is_dot_segment(segment: &str) -> bool {
    matches!(segment.to_ascii_lowercase().as_str(), "." | "%2e" | ".." | ".%2e" | "%2e." | "%2e%2e")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_headers_hide_the_signature_and_token() {
        let headers = vec![
            ("Authorization".to_owned(), "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/cloudfront/aws4_request, SignedHeaders=host, Signature=abcdef".to_owned()),
            ("X-Amz-Security-Token".to_owned(), "TOKEN".to_owned()),
            ("x-amz-server-side-encryption-customer-key".to_owned(), "SSECKEY".to_owned()),
            ("Host".to_owned(), "h".to_owned()),
        ];
        let text = redacted_headers(&headers, &["x-amz-server-side-encryption-customer-key"]);
        assert!(!text.contains("abcdef") && !text.contains("TOKEN") && !text.contains("SSECKEY"), "{text}");
        assert!(text.contains("Credential=AKID/") && text.contains("Host: h"), "{text}");
    }

    #[test]
    fn urls_carry_the_host_prefix_path_and_query() {
        let mut request = HttpRequest::new("GET", "/a%20b".into());
        request.query.push("x=1".into());
        request.host_prefix = "foo.".into();
        assert_eq!(
            url_for(&Endpoint::url("http://localhost:9000/"), &request).unwrap().to_string(),
            "http://foo.localhost:9000/a%20b?x=1"
        );
        assert!(url_for(&Endpoint::url("ftp://x"), &request).is_err());
        assert!(url_for(&Endpoint::url("http://exa mple.com"), &request).is_err());
        assert!(url_for(&Endpoint::url("http://localhost:99999"), &request).unwrap_err().contains("port"));
        // A host prefix cannot go in front of an IPv6 literal.
        assert!(url_for(&Endpoint::url("http://[::1]:8080"), &request).is_err());
        request.host_prefix.clear();
        assert_eq!(
            url_for(&Endpoint::url("http://[::1]:8080"), &request).unwrap().to_string(),
            "http://[::1]:8080/a%20b?x=1"
        );
        // Dot segments are kept: the transport sends such a path through its exact lane.
        for path in ["/a/%2E%2E/b", "/a/../b", "/./x", "/k/.."] {
            let dotted = HttpRequest::new("GET", path.into());
            let target = url_for(&Endpoint::url("http://localhost:9000"), &dotted).unwrap();
            assert_eq!(target.to_string(), format!("http://localhost:9000{path}"));
        }
        let host = |url: &str| host_header(&crate::transport::parse_url(url).unwrap()).unwrap();
        // The endpoint's path goes first and its query too, as botocore joins them.
        let joined = |endpoint: &str| url_for(&Endpoint::url(endpoint), &request).unwrap().to_string();
        assert_eq!(joined("http://h/base"), "http://h/base/a%20b?x=1");
        assert_eq!(joined("http://h/base/"), "http://h/base/a%20b?x=1");
        assert_eq!(joined("http://h/base//"), "http://h/base//a%20b?x=1");
        assert_eq!(joined("http://h/base?stage=test"), "http://h/base/a%20b?stage=test&x=1");
        assert_eq!(joined("http://h?stage=test#frag"), "http://h/a%20b?stage=test&x=1");
        assert_eq!(host("https://cloudfront.amazonaws.com/x"), "cloudfront.amazonaws.com");
        assert_eq!(host("https://CloudFront.amazonaws.com:443/x"), "cloudfront.amazonaws.com");
        assert_eq!(host("http://127.0.0.1:9000/x"), "127.0.0.1:9000");
        assert_eq!(host("http://[::1]:80/x"), "[::1]");
    }
}
