//! What the generated protocol test crates call: run a case (honouring the known-failures
//! list), compare a serialized request with a `httpRequestTests` case, build the response of
//! a `httpResponseTests` case, and compare parsed values.

mod xml;

use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};

use cloudfront_primitives::{HttpRequest, HttpResponse};
use serde_json::Value;

/// Runs one case. A case on the known-failures list must fail: when it passes, the test
/// fails and asks for the list to shrink.
pub fn run(id: &str, known_failure: bool, case: impl FnOnce() -> Result<(), String>) {
    let outcome = match catch_unwind(AssertUnwindSafe(case)) {
        Ok(result) => result,
        Err(panic) => Err(panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panicked".into())),
    };
    match (outcome, known_failure) {
        (Ok(()), false) => {}
        (Err(message), false) => panic!("{id}: {message}"),
        (Err(message), true) => println!("{id}: known failure: {message}"),
        (Ok(()), true) => panic!("{id} is on the known-failures list but passes now: remove it from the list"),
    }
}

fn case(json: &str) -> Value {
    serde_json::from_str(json).expect("the generator embeds valid JSON")
}

/// Compares a serialized request with a `httpRequestTests` case.
pub fn check_request(case_json: &str, request: &HttpRequest) -> Result<(), String> {
    let case = case(case_json);
    let text = |key: &str| case[key].as_str().unwrap_or_default();
    let strings = |key: &str| -> Vec<String> {
        case[key].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_owned)).collect()
    };
    if request.method != text("method") {
        return Err(format!("method {} != {}", request.method, text("method")));
    }
    if request.path != text("uri") {
        return Err(format!("path {:?} != {:?}", request.path, text("uri")));
    }
    // Query parameters: every expected one is sent (as many times as listed), compared in
    // their wire form as the suite writes them (percent-encoding included).
    let mut sent = request.query.clone();
    for expected in strings("queryParams") {
        match sent.iter().position(|q| *q == expected) {
            Some(i) => {
                sent.remove(i);
            }
            None => return Err(format!("query parameter {expected:?} not sent (sent {:?})", request.query)),
        }
    }
    let keys: Vec<String> = request.query.iter().map(|q| decoded(q.split('=').next().unwrap_or(""))).collect();
    for key in strings("forbidQueryParams") {
        if keys.contains(&key) {
            return Err(format!("query parameter {key:?} must not be sent"));
        }
    }
    for key in strings("requireQueryParams") {
        if !keys.contains(&key) {
            return Err(format!("query parameter {key:?} must be sent"));
        }
    }
    for (name, value) in case["headers"].as_object().into_iter().flatten() {
        let expected = value.as_str().unwrap_or_default();
        match request.header(name) {
            Some(sent) if sent == expected => {}
            other => return Err(format!("header {name}: {other:?} != {expected:?}")),
        }
    }
    for name in strings("forbidHeaders") {
        if request.header(&name).is_some() {
            return Err(format!("header {name} must not be sent"));
        }
    }
    for name in strings("requireHeaders") {
        if request.header(&name).is_none() {
            return Err(format!("header {name} must be sent"));
        }
    }
    if let Some(resolved) = case["resolvedHost"].as_str() {
        let host = format!("{}{}", request.host_prefix, text("host"));
        if host != resolved {
            return Err(format!("host {host:?} != {resolved:?}"));
        }
    }
    if let Some(expected) = case["body"].as_str() {
        let body = request.body.as_bytes().ok_or("the request body is a file, not bytes")?;
        compare_body(body, expected, case["bodyMediaType"].as_str())?;
    }
    Ok(())
}

/// The endpoint settings a case's `vendorParams` (`aws.protocoltests.config#AwsConfig`)
/// configure: the region and S3's settings, the operation's scope over the client's.
pub fn endpoint_settings(
    case_json: &str,
    service_id: &str,
) -> Result<cloudfront_runtime::config::EndpointSettings, String> {
    use cloudfront_runtime::s3_config::{AddressingStyle, S3Config};
    let case = case(case_json);
    let scopes = &case["vendorParams"]["scopedConfig"];
    let mut region = None;
    let mut s3 = S3Config::default();
    for scope in [&scopes["client"], &scopes["operation"]] {
        if let Some(r) = scope["region"].as_str() {
            region = Some(r.to_owned());
        }
        let settings = &scope["s3"];
        match settings["addressing_style"].as_str() {
            Some("virtual") => s3.addressing_style = AddressingStyle::Virtual,
            Some("path") => s3.addressing_style = AddressingStyle::Path,
            Some("auto") => s3.addressing_style = AddressingStyle::Auto,
            Some(other) => return Err(format!("unknown addressing style {other:?}")),
            None => {}
        }
        if let Some(on) = settings["use_dualstack_endpoint"].as_bool() {
            s3.use_dualstack_endpoint = Some(on);
        }
        if let Some(on) = settings["use_accelerate_endpoint"].as_bool() {
            s3.use_accelerate_endpoint = on;
        }
    }
    let mut config = cloudfront_runtime::Config::builder().s3(s3).no_signing();
    if let Some(region) = region {
        config = config.region(region);
    }
    config.build()?.endpoint_settings(service_id).map_err(|e| e.to_string())
}

/// Compares a request sent to `url` (where the endpoint rules put it) with a case: the URL's
/// path must be the case's `uri` and its host the `resolvedHost`; the rest as
/// [`check_request`] compares it.
pub fn check_request_at(case_json: &str, request: &HttpRequest, url: &str) -> Result<(), String> {
    let case = case(case_json);
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split_once('?').map_or(rest, |(before, _)| before);
    let (host, path) = rest.find('/').map_or((rest, "/"), |slash| rest.split_at(slash));
    if let Some(resolved) = case["resolvedHost"].as_str()
        && host != resolved
    {
        return Err(format!("host {host:?} != {resolved:?}"));
    }
    let mut placed = request.clone();
    placed.path = path.to_owned();
    placed.host_prefix = String::new();
    let mut unhosted = case.clone();
    if let Some(object) = unhosted.as_object_mut() {
        object.remove("resolvedHost");
    }
    check_request(&unhosted.to_string(), &placed)
}

/// XML bodies are compared as XML; anything else byte for byte.
fn compare_body(body: &[u8], expected: &str, media_type: Option<&str>) -> Result<(), String> {
    let ours = String::from_utf8_lossy(body);
    if media_type == Some("application/xml") && !(expected.is_empty() && body.is_empty()) {
        return xml::equivalent(&ours, expected);
    }
    if ours != expected {
        return Err(format!("body {ours:?} != {expected:?}"));
    }
    Ok(())
}

fn decoded(text: &str) -> String {
    String::from_utf8_lossy(&cloudfront_primitives::percent::decode(text)).into_owned()
}

/// The HTTP response of a `httpResponseTests` case.
pub fn response(case_json: &str) -> HttpResponse {
    let case = case(case_json);
    HttpResponse::new(
        case["code"].as_u64().and_then(|c| u16::try_from(c).ok()).unwrap_or(200),
        case["headers"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect(),
        case["body"].as_str().unwrap_or_default().as_bytes().to_vec(),
    )
}

/// Compares two values through `Debug`, which treats NaN like any other value.
pub fn same<T: Debug>(parsed: &T, expected: &T) -> Result<(), String> {
    let (a, b) = (format!("{parsed:#?}"), format!("{expected:#?}"));
    if a == b {
        return Ok(());
    }
    let at = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
    Err(format!(
        "parsed value differs at line {at}: {:?} vs expected {:?}\nparsed: {a}\nexpected: {b}",
        a.lines().nth(at).unwrap_or(""),
        b.lines().nth(at).unwrap_or("")
    ))
}
