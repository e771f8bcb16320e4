//! The AWS SigV4 test suite: each case directory holds the raw request (`.req`), and the
//! canonical request (`.creq`), string to sign (`.sts`) and `Authorization` value (`.authz`)
//! AWS expects. All cases use service `service`, region `us-east-1`, the example credentials
//! and the time in the request's `X-Amz-Date`.

use std::path::{Path, PathBuf};

use cloudfront_primitives::DateTime;
use cloudfront_sigv4::{Credentials, SessionTokenMode, SignableRequest, SigningParams};

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const SESSION_TOKEN: &str = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

/// Every case directory (one holding a `.req`) under `dir`.
pub fn cases(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else { return found };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            found.extend(cases(&entry));
        } else if entry.extension().is_some_and(|e| e == "req") {
            found.push(entry.parent().expect("files have a parent").to_path_buf());
        }
    }
    found.dedup();
    found
}

/// Signs one case and compares all three artefacts.
pub fn check(case: &Path) -> Result<(), String> {
    let name = case.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    let read = |ext: &str| {
        std::fs::read_to_string(case.join(format!("{name}.{ext}"))).map_err(|e| format!("{name}.{ext}: {e}"))
    };
    let raw = read("req")?;
    let request = parse_request(&raw)?;
    let date = request
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("x-amz-date"))
        .map(|(_, v)| v.clone())
        .ok_or("the request has no X-Amz-Date")?;
    let time = DateTime::parse(
        &format!(
            "{}-{}-{}T{}:{}:{}Z",
            &date[..4],
            &date[4..6],
            &date[6..8],
            &date[9..11],
            &date[11..13],
            &date[13..15]
        ),
        cloudfront_primitives::TimestampFormat::DateTime,
    )
    .map_err(|e| e.to_string())?;
    // The two session-token cases differ only in whether the token is signed.
    let token_mode = if name.ends_with("-after") { SessionTokenMode::AfterSigning } else { SessionTokenMode::Signed };
    // The token a case uses is the one its signed request (`.sreq`) carries; the two
    // `post-sts-header` cases use the suite's example token (see their readme).
    let sent_token = read("sreq")?.lines().find_map(|l| l.strip_prefix("X-Amz-Security-Token:").map(str::to_owned));
    let session_token = sent_token.or_else(|| name.starts_with("post-sts-header").then(|| SESSION_TOKEN.to_owned()));
    let credentials = Credentials::new(ACCESS_KEY, SECRET_KEY, session_token);
    let params = SigningParams::new(&credentials, "us-east-1", "service", time).with_session_token_mode(token_mode);
    let host =
        request.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case("host")).map(|(_, v)| v.as_str()).unwrap_or("");
    let signature = cloudfront_sigv4::sign(
        &SignableRequest::new(
            &request.method,
            host,
            &request.path,
            &request.query,
            &request.headers,
            request.body.as_bytes(),
        ),
        &params,
    );
    let expect = |what: &str, ours: &str, theirs: &str| {
        if ours == theirs {
            Ok(())
        } else {
            Err(format!("{what} differs:\n  ours:     {ours:?}\n  expected: {theirs:?}"))
        }
    };
    expect("canonical request", &signature.canonical_request, &read("creq")?)?;
    expect("string to sign", &signature.string_to_sign, &read("sts")?)?;
    let authorization =
        signature.headers.iter().find(|(k, _)| k == "Authorization").map(|(_, v)| v.clone()).unwrap_or_default();
    expect("Authorization", &authorization, read("authz")?.trim_end())
}

struct RawRequest {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: String,
}

/// Reads the suite's raw HTTP: request line, headers (a line starting with whitespace
/// continues the previous value), a blank line, the body.
fn parse_request(raw: &str) -> Result<RawRequest, String> {
    let (head, body) = raw.split_once("\n\n").unwrap_or((raw, ""));
    let mut lines = head.lines();
    let request_line = lines.next().ok_or("empty request")?;
    let (method, rest) = request_line.split_once(' ').ok_or("no method")?;
    let target = rest.rsplit_once(' ').map_or(rest, |(t, _)| t);
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with([' ', '\t']) {
            let (_, value) = headers.last_mut().ok_or("continuation before any header")?;
            value.push('\n');
            value.push_str(line);
        } else {
            let (name, value) = line.split_once(':').ok_or_else(|| format!("bad header line {line:?}"))?;
            headers.push((name.to_owned(), value.to_owned()));
        }
    }
    Ok(RawRequest {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body: body.to_owned(),
    })
}
