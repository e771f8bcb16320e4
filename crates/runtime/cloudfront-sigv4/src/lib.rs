//! AWS Signature Version 4, header-based, over the parts of a request.
//!
//! The signer is HTTP-client agnostic: give it the method, host, path and query exactly as
//! they will be sent, the headers and the body; it returns the canonical request, the string
//! to sign, the signature and the headers to add (`X-Amz-Date`, `X-Amz-Security-Token`,
//! `Authorization`). It follows the AWS SigV4 documentation and agrees with botocore:
//! the canonical URI is the sent path, normalized (no empty, `.` or `..` segments) and
//! URI-encoded once more; query keys and values are decoded and re-encoded strictly, then
//! sorted; header values are trimmed with inner runs of spaces folded.

#![warn(missing_docs)]

use std::fmt;
use std::sync::Mutex;

pub mod crypto;

use crypto::{digest, hmac};

use cloudfront_primitives::DateTime;
use cloudfront_primitives::percent::{decode as percent_decode, encode as uri_encode};

/// Headers never signed: the transport may change or drop them on the way.
const UNSIGNED_HEADERS: &[&str] =
    &["authorization", "user-agent", "x-amzn-trace-id", "expect", "content-length", "transfer-encoding"];

/// Credentials to sign with. `Debug` never shows the secret or the token.
#[non_exhaustive]
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token of temporary credentials.
    pub session_token: Option<String>,
}

impl Credentials {
    /// A key pair, with the session token of temporary credentials.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Credentials { access_key_id: access_key_id.into(), secret_access_key: secret_access_key.into(), session_token }
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"** redacted **")
            .field("session_token", &self.session_token.as_ref().map(|_| "** redacted **"))
            .finish()
    }
}

/// Where the session token goes.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SessionTokenMode {
    /// Added as a header before signing, so it is signed (what AWS services expect).
    #[default]
    Signed,
    /// Added after the signature is computed (a few services want this).
    AfterSigning,
}

/// What to sign for.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct SigningParams<'a> {
    /// The credentials to sign with.
    pub credentials: &'a Credentials,
    /// The region of the credential scope.
    pub region: &'a str,
    /// The service name of the credential scope.
    pub service: &'a str,
    /// The signing time.
    pub time: DateTime,
    /// Remove empty, `.` and `..` path segments before signing (true for all but S3).
    pub normalize_path: bool,
    /// Percent-encode the sent path once more for the canonical URI (true for all but S3,
    /// whose rules say `disableDoubleEncoding`).
    pub double_encode_path: bool,
    /// What the canonical request states as the payload's hash.
    pub payload: PayloadHash<'a>,
    /// Send (and sign) the payload hash as `X-Amz-Content-SHA256`, as S3 requires.
    pub content_sha256_header: bool,
    /// Where the session token goes.
    pub session_token_mode: SessionTokenMode,
}

/// The payload hash of the canonical request.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PayloadHash<'a> {
    /// The SHA-256 of the body given to [`sign`].
    OfBody,
    /// A SHA-256 (lower-case hex) computed elsewhere, for a body streamed from a file.
    Precomputed(&'a str),
    /// `UNSIGNED-PAYLOAD`: the body is not signed (S3 over TLS, with a checksum).
    Unsigned,
}

impl<'a> SigningParams<'a> {
    /// Signing for `region` and `service` at `time`, with the defaults of every AWS service but
    /// S3: paths normalized, the session token signed.
    pub fn new(credentials: &'a Credentials, region: &'a str, service: &'a str, time: DateTime) -> Self {
        SigningParams {
            credentials,
            region,
            service,
            time,
            normalize_path: true,
            double_encode_path: true,
            payload: PayloadHash::OfBody,
            content_sha256_header: false,
            session_token_mode: SessionTokenMode::Signed,
        }
    }

    /// The same parameters with S3's path rules: the sent path is signed as it is, neither
    /// normalized nor encoded again.
    pub fn with_path_signed_as_sent(mut self) -> Self {
        self.normalize_path = false;
        self.double_encode_path = false;
        self
    }

    /// The same parameters with the payload hash given by `payload`, sent as
    /// `X-Amz-Content-SHA256` when `header` is set.
    pub fn with_payload(mut self, payload: PayloadHash<'a>, header: bool) -> Self {
        self.payload = payload;
        self.content_sha256_header = header;
        self
    }

    /// The same parameters, normalizing the path or not.
    pub fn with_normalize_path(mut self, normalize_path: bool) -> Self {
        self.normalize_path = normalize_path;
        self
    }

    /// The same parameters, with the session token placed as `mode` says.
    pub fn with_session_token_mode(mut self, mode: SessionTokenMode) -> Self {
        self.session_token_mode = mode;
        self
    }
}

/// The request parts that are signed.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct SignableRequest<'a> {
    /// The HTTP method.
    pub method: &'a str,
    /// `host` or `host:port`, as in the `Host` header.
    pub host: &'a str,
    /// The path as sent (already percent-encoded).
    pub path: &'a str,
    /// The query string as sent, without `?` (already percent-encoded).
    pub query: &'a str,
    /// The request headers.
    pub headers: &'a [(String, String)],
    /// The body bytes.
    pub body: &'a [u8],
}

impl<'a> SignableRequest<'a> {
    /// The parts of a request as it will be sent (path and query already percent-encoded).
    pub fn new(
        method: &'a str,
        host: &'a str,
        path: &'a str,
        query: &'a str,
        headers: &'a [(String, String)],
        body: &'a [u8],
    ) -> Self {
        SignableRequest { method, host, path, query, headers, body }
    }
}

/// The signature and everything needed to explain it.
#[non_exhaustive]
#[derive(Clone, PartialEq, Eq)]
pub struct Signature {
    /// The canonical request (step 1 of SigV4).
    pub canonical_request: String,
    /// The string to sign (step 2).
    pub string_to_sign: String,
    /// The signed header names, `;`-separated.
    pub signed_headers: String,
    /// The signature, in hex.
    pub signature: String,
    /// Headers to add to the request: `X-Amz-Date`, `X-Amz-Security-Token` (if any) and
    /// `Authorization`.
    pub headers: Vec<(String, String)>,
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signature")
            .field("canonical_request", &self.canonical_request)
            .field("string_to_sign", &self.string_to_sign)
            .field("signed_headers", &self.signed_headers)
            .finish_non_exhaustive()
    }
}

/// `20150830T123600Z`.
pub fn amz_date(time: DateTime) -> String {
    let text = time.truncated_to_millis().fmt(cloudfront_primitives::TimestampFormat::DateTime);
    // 2015-08-30T12:36:00Z (or with a fraction) -> 20150830T123600Z
    let (date, rest) = text.split_once('T').unwrap_or((&text, ""));
    let clock: String = rest.chars().take_while(|c| *c != '.' && *c != 'Z').filter(|c| *c != ':').collect();
    format!("{}T{}Z", date.replace('-', ""), clock)
}

/// Signs a request.
pub fn sign(request: &SignableRequest<'_>, params: &SigningParams<'_>) -> Signature {
    let date_time = amz_date(params.time);
    let date = &date_time[..8];
    let token = params.credentials.session_token.as_deref();
    let has = |name: &str| request.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    let payload_hash = match params.payload {
        PayloadHash::OfBody => hex(sha256(request.body).as_ref()),
        PayloadHash::Precomputed(hash) => hash.to_owned(),
        PayloadHash::Unsigned => "UNSIGNED-PAYLOAD".to_owned(),
    };
    let content_sha256 = params.content_sha256_header.then_some(payload_hash.as_str());
    let (canonical_headers, signed_headers) = canonical_headers(request, params, &date_time, content_sha256);
    let canonical_request = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        request.method,
        canonical_uri(request.path, params.normalize_path, params.double_encode_path),
        canonical_query(request.query),
        canonical_headers,
        signed_headers,
        payload_hash,
    );
    let scope = format!("{date}/{}/{}/aws4_request", params.region, params.service);
    let string_to_sign =
        format!("AWS4-HMAC-SHA256\n{date_time}\n{scope}\n{}", hex(sha256(canonical_request.as_bytes()).as_ref()));

    let key = signing_key(&params.credentials.secret_access_key, &scope, [date, params.region, params.service]);
    let signature = hex(hmac::sign(&key, string_to_sign.as_bytes()).as_ref());

    let mut added = Vec::new();
    if let Some(hash) = content_sha256
        && !has("x-amz-content-sha256")
    {
        added.push(("X-Amz-Content-SHA256".to_owned(), hash.to_owned()));
    }
    if !has("x-amz-date") {
        added.push(("X-Amz-Date".to_owned(), date_time.clone()));
    }
    if let Some(token) = token
        && !has("x-amz-security-token")
    {
        added.push(("X-Amz-Security-Token".to_owned(), token.to_owned()));
    }
    added.push((
        "Authorization".to_owned(),
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
            params.credentials.access_key_id
        ),
    ));
    Signature { canonical_request, string_to_sign, signed_headers, signature, headers: added }
}

/// The canonical headers block and the signed header names: the request's headers, plus
/// Host, X-Amz-Date and (when signed) the session token, lower-cased, values folded, repeats
/// joined with commas, sorted.
fn canonical_headers(
    request: &SignableRequest<'_>,
    params: &SigningParams<'_>,
    date_time: &str,
    content_sha256: Option<&str>,
) -> (String, String) {
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut add = |name: &str, value: &str| {
        let name = name.to_ascii_lowercase();
        if UNSIGNED_HEADERS.contains(&name.as_str()) {
            return;
        }
        let value = fold_whitespace(value);
        match headers.iter_mut().find(|(k, _)| *k == name) {
            Some((_, existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            None => headers.push((name, value)),
        }
    };
    let has = |name: &str| request.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    if !has("host") {
        add("host", request.host);
    }
    for (name, value) in request.headers {
        add(name, value);
    }
    if !has("x-amz-date") {
        add("x-amz-date", date_time);
    }
    if let Some(hash) = content_sha256
        && !has("x-amz-content-sha256")
    {
        add("x-amz-content-sha256", hash);
    }
    if let (Some(token), SessionTokenMode::Signed) =
        (params.credentials.session_token.as_deref(), params.session_token_mode)
        && !has("x-amz-security-token")
    {
        add("x-amz-security-token", token);
    }
    headers.sort();
    let signed_headers = headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(";");
    let mut block = String::with_capacity(headers.iter().map(|(k, v)| k.len() + v.len() + 2).sum());
    for (name, value) in &headers {
        block.push_str(name);
        block.push(':');
        block.push_str(value);
        block.push('\n');
    }
    (block, signed_headers)
}

/// The key derived from the secret for one day, region and service. The last one is kept:
/// deriving it takes four HMACs, as much work as the rest of a signature, and a client signs
/// most of its requests with the same secret and scope.
fn signing_key(secret: &str, scope: &str, [date, region, service]: [&str; 3]) -> hmac::Key {
    static LAST: Mutex<Option<(String, String, hmac::Key)>> = Mutex::new(None);
    let mut last = LAST.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some((last_secret, last_scope, key)) = last.as_ref()
        && last_secret == secret
        && last_scope == scope
    {
        return key.clone();
    }
    let derived =
        [date, region, service, "aws4_request"].iter().fold(format!("AWS4{secret}").into_bytes(), |key, part| {
            hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &key), part.as_bytes()).as_ref().to_vec()
        });
    let key = hmac::Key::new(hmac::HMAC_SHA256, &derived);
    *last = Some((secret.to_owned(), scope.to_owned(), key.clone()));
    key
}

fn sha256(data: &[u8]) -> digest::Digest {
    digest::digest(&digest::SHA256, data)
}

/// Lower-case hex of `bytes` (kept here for callers of this crate; the one home is
/// `cloudfront_primitives::percent`).
pub use cloudfront_primitives::percent::hex;

/// Trims a header value and folds runs of whitespace (including line breaks) into one space.
fn fold_whitespace(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The sent path, optionally normalized, and encoded once more unless `double_encode` is off.
fn canonical_uri(path: &str, normalize: bool, double_encode: bool) -> String {
    let path = if path.is_empty() { "/" } else { path };
    let encode = |path: &str| if double_encode { uri_encode(path.as_bytes(), true) } else { path.to_owned() };
    if !normalize {
        return encode(path);
    }
    let normalized = cloudfront_primitives::percent::remove_dot_segments(path);
    encode(&normalized)
}

/// Query parameters decoded, re-encoded strictly and sorted by key, then value.
fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (uri_encode(&percent_decode(k), false), uri_encode(&percent_decode(v), false))
        })
        .collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_paths_like_the_suite() {
        assert_eq!(canonical_uri("/example/..", true, true), "/");
        assert_eq!(canonical_uri("/./", true, true), "/");
        assert_eq!(canonical_uri("//example//", true, true), "/example/");
        assert_eq!(canonical_uri("/E%2F%20/x", true, true), "/E%252F%2520/x");
    }

    #[test]
    fn s3_paths_are_signed_as_sent() {
        // Neither normalized nor encoded again: dot segments, empty segments and escapes stay.
        assert_eq!(canonical_uri("/a/../b//c/./%2B%20", false, false), "/a/../b//c/./%2B%20");
        assert_eq!(canonical_uri("", false, false), "/");
    }

    #[test]
    fn the_payload_hash_can_be_sent_precomputed_or_unsigned() {
        let credentials = Credentials::new("AKID", "SECRET", None);
        let time = DateTime::from_secs(1_440_938_160);
        let request = SignableRequest::new("PUT", "b.s3.amazonaws.com", "/k", "", &[], b"body");
        let header = |signature: &Signature| {
            signature.headers.iter().find(|(k, _)| k == "X-Amz-Content-SHA256").map(|(_, v)| v.clone())
        };
        let base = SigningParams::new(&credentials, "us-east-1", "s3", time).with_path_signed_as_sent();
        let unsigned = sign(&request, &base.clone().with_payload(PayloadHash::Unsigned, true));
        assert_eq!(header(&unsigned).as_deref(), Some("UNSIGNED-PAYLOAD"));
        assert!(unsigned.canonical_request.ends_with("\nUNSIGNED-PAYLOAD"));
        assert!(unsigned.signed_headers.contains("x-amz-content-sha256"));
        let body_hash = hex(sha256(b"body").as_ref());
        let of_body = sign(&request, &base.clone().with_payload(PayloadHash::OfBody, true));
        let precomputed = sign(&request, &base.with_payload(PayloadHash::Precomputed(&body_hash), true));
        assert_eq!(header(&of_body), Some(body_hash.clone()));
        assert_eq!(of_body, precomputed);
        assert_eq!(canonical_query("b=2&a=%20x&a=1"), "a=%20x&a=1&b=2");
        // Escapes of bytes that are not UTF-8 stay those bytes; a `%` before a multi-byte
        // character is kept as it is.
        assert_eq!(canonical_query("k=%FF%fe&%aé=1"), "%25a%C3%A9=1&k=%FF%FE");
    }

    #[test]
    fn debug_output_hides_secrets() {
        let c = Credentials {
            access_key_id: "AKID".into(),
            secret_access_key: "SECRET".into(),
            session_token: Some("TOKEN".into()),
        };
        let text = format!("{c:?}");
        assert!(text.contains("AKID") && !text.contains("SECRET") && !text.contains("TOKEN"));
    }

    #[test]
    fn amz_date_format() {
        assert_eq!(amz_date(DateTime::from_secs(1_440_938_160)), "20150830T123600Z");
    }
}
