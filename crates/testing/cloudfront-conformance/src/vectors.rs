//! Reading vector files and judging each case.

use std::path::{Path, PathBuf};

use cloudfront_primitives::DateTime;
use cloudfront_primitives::{HttpRequest, HttpResponse};
use serde_json::Value;

use crate::coerce::Types;
use crate::deviations::{Case, Deviations, Expect};
use crate::operations::{self, Operation};

#[derive(Default)]
pub struct Tally {
    pub passed: usize,
    pub failed: usize,
}

/// Headers botocore sends that the serializers do not produce: the signer and the HTTP
/// client add them (checked by the signing conformance and the transport).
const TRANSPORT_HEADERS: &[&str] = &["host", "x-amz-date", "authorization", "x-amz-security-token"];

/// Runs every vector under `paths`. `check_rules_used`: a deviation rule that matches no case
/// fails the run (on the full default set, or on a set made to exercise every rule).
pub fn run(root: &Path, paths: &[PathBuf], check_rules_used: bool) -> Result<Tally, String> {
    let mut files = Vec::new();
    let mut signing_cases = Vec::new();
    for path in paths {
        if !path.exists() {
            return Err(format!(
                "{} does not exist: the botocore vectors live in ../shared/conformance next to the checkout",
                path.display()
            ));
        }
        collect(path, &mut files)?;
        if path.is_dir() {
            signing_cases.extend(crate::sigv4_suite::cases(path));
        }
    }
    if files.is_empty() && signing_cases.is_empty() {
        return Err("no vector files (*.json) or SigV4 suite cases (*.req) found".into());
    }
    let mut tally = Tally::default();
    for case in &signing_cases {
        match crate::sigv4_suite::check(case) {
            Ok(()) => tally.passed += 1,
            Err(diff) => {
                tally.failed += 1;
                println!("FAIL sigv4-test-suite/{}: {diff}", case.file_name().and_then(|n| n.to_str()).unwrap_or("?"));
            }
        }
    }
    if files.is_empty() {
        return Ok(tally);
    }
    let deviations = Deviations::load(
        &root.join("crates/testing/cloudfront-conformance/deviations.json"),
        crate::coerce::resolved(root)?,
    )?;
    run_vector_files(root, &files, &deviations, &mut tally)?;
    if check_rules_used {
        for stale in deviations.unused() {
            println!("FAIL deviations.json: the rule {stale:?} matches no case; remove it");
            tally.failed += 1;
        }
    }
    Ok(tally)
}

/// Every case of every vector file, each checked against the generated code (with the
/// deviation rule that matches it, if any), counted in `tally`.
fn run_vector_files(root: &Path, files: &[PathBuf], deviations: &Deviations, tally: &mut Tally) -> Result<(), String> {
    let types = Types::load(root)?;
    let operations = operations::all();
    for file in files {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        let json: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let (Some(kind), Some(name)) = (json["kind"].as_str(), json["operation"].as_str()) else {
            continue; // not a vector file of this schema
        };
        let Some(op) = operations.iter().find(|o| o.name == name) else {
            println!("FAIL {}: operation {name} is not generated", file.display());
            tally.failed += 1;
            continue;
        };
        for case in json["cases"].as_array().into_iter().flatten() {
            let id = case["id"].as_str().unwrap_or("?");
            let deviation = deviations.find(&Case { kind, operation: name, json: case });
            let outcome = match kind {
                "requests" => check_request(
                    op,
                    &types,
                    &json["config"],
                    case,
                    deviation.map(|d| (d.expect, d.error_contains.as_deref())),
                ),
                "responses" => check_response(op, case, deviation.map(|d| d.expect)),
                "errors" => check_error(op, case, deviation.map(|d| d.expect)),
                other => Err(format!("unknown vector kind {other:?}")),
            };
            match outcome {
                Ok(()) => tally.passed += 1,
                Err(diff) => {
                    tally.failed += 1;
                    let note = deviation.map(|d| format!(" [deviation: {}]", d.reason)).unwrap_or_default();
                    println!("FAIL {id}: {diff}{note}");
                }
            }
        }
    }
    Ok(())
}

fn collect(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    if path.is_file() {
        if path.extension().is_some_and(|e| e == "json") {
            out.push(path.to_path_buf());
        }
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for entry in entries {
        collect(&entry, out)?;
    }
    Ok(())
}

fn check_request(
    op: &Operation,
    types: &Types,
    config: &Value,
    case: &Value,
    deviation: Option<(Expect, Option<&str>)>,
) -> Result<(), String> {
    // Only where botocore accepted the params (it typed the member as a string) are
    // integer-holding strings passed as integers; refused params are passed unchanged.
    let params = match case["expect"].as_str() {
        Some("request") => types.coerce(op.name, &case["params"]),
        _ => case["params"].clone(),
    };
    let ours = (op.request)(&params);
    match (deviation, case["expect"].as_str()) {
        (Some((Expect::Error, contains)), _) => match ours {
            Err(message) if contains.is_none_or(|c| message.contains(c)) => Ok(()),
            Err(message) => Err(format!("error {message:?} does not mention {:?}", contains.unwrap_or_default())),
            Ok(request) => {
                Err(format!("expected a validation error, but sent {} {}", request.method, request.target()))
            }
        },
        (Some((Expect::Sent, _)), Some("validation_error")) => match ours {
            Ok(request) => sends_integers_as_given(&request, &case["params"]),
            Err(message) => Err(format!("the model takes this input, but we refused it: {message}")),
        },
        (_, Some("validation_error")) => match ours {
            Err(_) => Ok(()),
            Ok(request) => Err(format!(
                "botocore refused this input ({}), but we sent {} {}",
                case["validation_error"]["message"].as_str().unwrap_or("").replace('\n', " "),
                request.method,
                request.target()
            )),
        },
        (_, Some("request")) => {
            let ours = ours?;
            compare_request(&ours, &case["request"])?;
            compare_signing(&ours, config, case)
        }
        (_, other) => Err(format!("unknown expectation {other:?}")),
    }
}

/// Where botocore refused a whole number its own model types as text, we send it: every
/// whole number of the input must appear, in decimal, in the query or body we send.
fn sends_integers_as_given(request: &HttpRequest, params: &Value) -> Result<(), String> {
    fn numbers(value: &Value, out: &mut Vec<i64>) {
        match value {
            Value::Number(n) => out.extend(n.as_i64()),
            Value::Array(items) => items.iter().for_each(|v| numbers(v, out)),
            Value::Object(map) => map.values().for_each(|v| numbers(v, out)),
            _ => {}
        }
    }
    let mut wanted = Vec::new();
    numbers(params, &mut wanted);
    let body = String::from_utf8_lossy(request.body.as_bytes().unwrap_or_default());
    let sent: Vec<&str> = request.query.iter().filter_map(|q| q.split_once('=').map(|(_, v)| v)).collect();
    match wanted.iter().find(|n| !sent.contains(&n.to_string().as_str()) && !body.contains(&format!(">{n}<"))) {
        Some(missing) => Err(format!("{missing} was not sent as given: {} {}", request.method, request.target())),
        None => Ok(()),
    }
}

fn compare_request(ours: &HttpRequest, expected: &Value) -> Result<(), String> {
    let text = |key: &str| expected[key].as_str().unwrap_or_default().to_owned();
    if ours.method != text("method") {
        return Err(format!("method {} != {}", ours.method, text("method")));
    }
    if ours.target() != text("target") {
        return Err(first_difference("path and query", &ours.target(), &text("target")));
    }
    let body = String::from_utf8_lossy(ours.body.as_bytes().unwrap_or_default());
    if body != text("body") {
        return Err(first_difference("body", &body, &text("body")));
    }
    let mut wanted: Vec<(String, String)> = expected["headers"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, _)| !TRANSPORT_HEADERS.contains(&k.to_ascii_lowercase().as_str()))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.as_str().unwrap_or_default().to_owned()))
        .collect();
    let mut sent: Vec<(String, String)> =
        ours.headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect();
    wanted.sort();
    sent.sort();
    if wanted != sent {
        return Err(format!("headers {sent:?} != {wanted:?}"));
    }
    Ok(())
}

/// Signs our request with the file's fixed clock and credentials and compares every signing
/// artefact with botocore's.
fn compare_signing(ours: &HttpRequest, config: &Value, case: &Value) -> Result<(), String> {
    let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
    let credentials = cloudfront_sigv4::Credentials::new(
        text(&config["access_key_id"]),
        text(&config["secret_access_key"]),
        (case["session_token"] == true).then(|| text(&config["session_token"])),
    );
    let time = DateTime::parse(&text(&config["signing_time"]), cloudfront_primitives::TimestampFormat::DateTime)
        .map_err(|e| format!("config.signing_time: {e}"))?;
    let host = text(&config["endpoint"]).split("://").nth(1).unwrap_or_default().trim_end_matches('/').to_owned();
    let query = ours.query.join("&");
    let signature = cloudfront_sigv4::sign(
        &cloudfront_sigv4::SignableRequest::new(
            &ours.method,
            &host,
            &ours.path,
            &query,
            &ours.headers,
            ours.body.as_bytes().unwrap_or_default(),
        ),
        &cloudfront_sigv4::SigningParams::new(
            &credentials,
            config["region"].as_str().unwrap_or("us-east-1"),
            config["signing_name"].as_str().unwrap_or("cloudfront"),
            time,
        ),
    );
    let expected = &case["request"]["signing"];
    let pairs = [
        ("canonical request", signature.canonical_request.as_str(), &expected["canonical_request"]),
        ("string to sign", signature.string_to_sign.as_str(), &expected["string_to_sign"]),
        ("signed headers", signature.signed_headers.as_str(), &expected["signed_headers"]),
        ("signature", signature.signature.as_str(), &expected["signature"]),
    ];
    for (what, ours, theirs) in pairs {
        if ours != text(theirs) {
            return Err(first_difference(what, ours, &text(theirs)));
        }
    }
    for (name, value) in &signature.headers {
        let theirs = case["request"]["headers"]
            .as_object()
            .and_then(|h| h.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .map(|(_, v)| text(v));
        if theirs.as_deref() != Some(value.as_str()) {
            return Err(format!("signing header {name}: {value:?} != {theirs:?}"));
        }
    }
    Ok(())
}

fn check_response(op: &Operation, case: &Value, deviation: Option<Expect>) -> Result<(), String> {
    let response = response_of(case)?;
    let ours = (op.response)(&response);
    let expected_id = non_empty(case["request_id"].as_str());
    let our_id = cloudfront_restxml::request_id(&response);
    let parsed = matches!(case["expect"].as_str(), Some("output" | "unrepresentable"));
    if parsed && non_empty(our_id.as_deref()) != expected_id {
        return Err(format!("request id {our_id:?} != {expected_id:?}"));
    }
    match (deviation, case["expect"].as_str()) {
        (Some(Expect::Error), _) | (_, Some("parse_error")) => match ours {
            Err(_) => Ok(()),
            Ok(output) => Err(format!("expected a parse error, got {output}")),
        },
        (_, Some("output")) => {
            compare_json(&ours?, &case["output"], "output", deviation == Some(Expect::ErrorCorrection))
        }
        // botocore hands back raw XML objects here (a repeated scalar element); we must still
        // read the response and agree on everything else.
        (_, Some("unrepresentable")) => compare_json(&ours?, &case["output_approximation"], "output", false),
        (_, other) => Err(format!("unknown expectation {other:?}")),
    }
}

fn check_error(op: &Operation, case: &Value, deviation: Option<Expect>) -> Result<(), String> {
    let response = response_of(case)?;
    let ours = (op.error)(&response);
    let e = &case["error"];
    let status = response.status;
    let (code, message) = match deviation {
        Some(Expect::HttpStatusCode) => (Some(status.to_string()), None),
        _ => (non_empty(e["code"].as_str()), non_empty(e["message"].as_str())),
    };
    let mismatch = |what: &str, ours: &dyn std::fmt::Debug, theirs: &dyn std::fmt::Debug| {
        Err(format!("{what} {ours:?} != {theirs:?}"))
    };
    if non_empty(ours.code.as_deref()) != code {
        return mismatch("code", &ours.code, &code);
    }
    // Messages are compared unless the rule replaces them (an HTTP status stands for the code).
    if deviation != Some(Expect::HttpStatusCode) && non_empty(ours.message.as_deref()) != message {
        return mismatch("message", &ours.message, &message);
    }
    let request_id = match deviation {
        Some(Expect::RequestIdFromHeader) => non_empty(response.header("x-amz-request-id")),
        _ => non_empty(e["request_id"].as_str()),
    };
    if non_empty(ours.request_id.as_deref()) != request_id {
        return mismatch("request id", &ours.request_id, &request_id);
    }
    if ours.http_status.map(u64::from) != e["http_status"].as_u64() {
        return mismatch("http status", &ours.http_status, &e["http_status"]);
    }
    // botocore raises the modeled class for any code modeled somewhere in the service; our
    // per-operation enums have variants only for the operation's own errors.
    let modeled = match e["exception"].as_str() {
        Some("ClientError") | None => None,
        Some(_) if e["modeled_for_operation"] == false => None,
        Some(name) => Some(name.to_owned()),
    };
    if ours.modeled != modeled {
        return mismatch("modeled error", &ours.modeled, &modeled);
    }
    check_retry_decision(&response, ours.retry_kind, &case["retry"]["standard"])
}

/// Our standard-mode retry decision for the first attempt must be botocore's: whether to
/// retry, whether it is throttling, and the longest first wait.
fn check_retry_decision(
    response: &HttpResponse,
    kind: Option<cloudfront_runtime::retry::RetryKind>,
    expected: &Value,
) -> Result<(), String> {
    use cloudfront_runtime::retry::{RetryConfig, RetryKind, retry_after};
    let retryable = kind.is_some();
    let throttling = kind == Some(RetryKind::Throttling);
    if Some(retryable) != expected["retryable"].as_bool() || Some(throttling) != expected["throttling"].as_bool() {
        return Err(format!(
            "retry decision: retryable {retryable}, throttling {throttling} != botocore {}, {}",
            expected["retryable"], expected["throttling"]
        ));
    }
    let config = RetryConfig::default();
    let first_delay = kind.map(|k| config.max_first_delay(k, retry_after(response)).as_secs_f64());
    let theirs = expected["max_first_delay_s"].as_f64();
    if first_delay.map(|d| (d * 1000.0).round()) != theirs.map(|d| (d * 1000.0).round()) {
        return Err(format!("longest first retry delay {first_delay:?} s != botocore {theirs:?} s"));
    }
    let attempts = if retryable { config.max_attempts } else { 1 };
    if Some(u64::from(attempts)) != expected["attempts_of_3"].as_u64() {
        return Err(format!("attempts {attempts} != botocore {}", expected["attempts_of_3"]));
    }
    Ok(())
}

fn response_of(case: &Value) -> Result<HttpResponse, String> {
    Ok(HttpResponse::new(
        case["status"].as_u64().and_then(|s| u16::try_from(s).ok()).ok_or("case has no status")?,
        case["headers"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect(),
        case["body"].as_str().unwrap_or_default().as_bytes().to_vec(),
    ))
}

/// botocore reports an absent value sometimes as `None`, sometimes as `""`.
fn non_empty(value: Option<&str>) -> Option<String> {
    value.filter(|v| !v.is_empty()).map(str::to_owned)
}

/// Compares our output (serialized as the AWS CLI's JSON) with botocore's.
fn compare_json(ours: &Value, expected: &Value, path: &str, error_correction: bool) -> Result<(), String> {
    match (ours, expected) {
        (Value::Object(o), Value::Object(e)) => {
            for (key, value) in e {
                let here = format!("{path}.{key}");
                match o.get(key) {
                    Some(ours) => compare_json(ours, value, &here, error_correction)?,
                    None if error_correction && is_zero(value) => {}
                    None => return Err(format!("{here} missing (expected {value})")),
                }
            }
            for (key, value) in o {
                if !(e.contains_key(key) || error_correction && is_zero(value)) {
                    return Err(format!("{path}.{key} = {value} is not in botocore's output"));
                }
            }
            Ok(())
        }
        (Value::Array(o), Value::Array(e)) if o.len() == e.len() => {
            for (i, (ours, theirs)) in o.iter().zip(e).enumerate() {
                compare_json(ours, theirs, &format!("{path}[{i}]"), error_correction)?;
            }
            Ok(())
        }
        // A repeated scalar botocore could not represent: ours must be one of the values.
        (Value::String(s), Value::Array(leaked)) if leaked.iter().all(|l| l.get("__xml_element__").is_some()) => {
            if leaked.iter().any(|l| l["text"].as_str() == Some(s)) {
                Ok(())
            } else {
                Err(format!("{path} = {s:?} is none of the repeated values"))
            }
        }
        (Value::String(o), Value::String(e)) if o != e => {
            match (DateTime::parse_lenient(o), DateTime::parse_lenient(e)) {
                (Ok(a), Ok(b)) if a.truncated_to_millis() == b.truncated_to_millis() => Ok(()),
                _ => Err(first_difference(path, o, e)),
            }
        }
        (o, e) if o == e => Ok(()),
        (o, e) => Err(format!("{path} = {o} != {e}")),
    }
}

fn is_zero(value: &Value) -> bool {
    match value {
        Value::String(s) => s.is_empty() || DateTime::parse_lenient(s).is_ok_and(|t| t == DateTime::UNIX_EPOCH),
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Bool(b) => !b,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_zero),
        Value::Null => true,
    }
}

/// A one-line description of where two strings part.
fn first_difference(what: &str, ours: &str, expected: &str) -> String {
    let at = ours.bytes().zip(expected.bytes()).take_while(|(a, b)| a == b).count();
    let window = |s: &str| {
        let start = s.floor_char_boundary(at.saturating_sub(20));
        let end = s.ceil_char_boundary((at + 40).min(s.len()));
        format!("{:?}", &s[start..end])
    };
    format!("{what} differs at byte {at}: ours {} vs botocore {}", window(ours), window(expected))
}
