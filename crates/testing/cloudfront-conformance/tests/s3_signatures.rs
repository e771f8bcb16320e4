//! S3 requests signed by us must equal those the pinned botocore signs, byte for byte: URL,
//! body, and every header botocore sends (signature, payload hash, checksums, token) but the
//! ones that are not signed and differ by design (user agent, invocation id, `Expect`,
//! `Content-Length`, which the transport adds). `s3-signatures/expected.json` is botocore's
//! output at a fixed time (`s3-signatures/generate.py`; `cargo xtask e2e` checks that the
//! pinned botocore makes it again). Keys hold spaces, unicode, `+`, `//`, `.` and `..`
//! segments and `%`; clients cover the regional and global us-east-1 endpoints, a session
//! token, path-style addressing and a custom endpoint with a base path.

use std::path::PathBuf;
use std::sync::Arc;

use cloudfront_runtime::s3_config::{AddressingStyle, S3Config};
use cloudfront_runtime::time::FakeTime;
use cloudfront_runtime::{Config, Credentials, Handle, SignedRequest};
use cloudfront_s3::endpoint::resolve_endpoint;
use cloudfront_s3::operation::{delete_objects, head_object, put_object};
use serde_json::Value;

/// Headers botocore sends that we do not, or send from the transport: none of them is signed.
const NOT_COMPARED: &[&str] = &["expect", "content-length"];

fn expected() -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("s3-signatures/expected.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).expect("JSON")
}

fn handle(document: &Value, settings: &Value) -> Arc<Handle> {
    let time = cloudfront_primitives::DateTime::parse(
        document["time"].as_str().unwrap(),
        cloudfront_primitives::TimestampFormat::DateTime,
    )
    .expect("a timestamp");
    let fake = FakeTime::new(time);
    let token = settings["token"].as_str().map(str::to_owned);
    let credentials =
        Credentials::new(document["access_key"].as_str().unwrap(), document["secret_key"].as_str().unwrap(), token);
    let mut s3 = S3Config::default();
    s3.addressing_style = match settings["addressing_style"].as_str() {
        Some("path") => AddressingStyle::Path,
        Some("virtual") => AddressingStyle::Virtual,
        _ => AddressingStyle::Auto,
    };
    s3.us_east_1_legacy_global_endpoint = settings["us_east_1_regional_endpoint"] == "legacy";
    let mut builder = Config::builder()
        .region(settings["region"].as_str().unwrap())
        .credentials(credentials)
        .s3(s3)
        .time(Arc::new(fake.clone()), Arc::new(fake));
    if let Some(url) = settings["endpoint_url"].as_str() {
        builder = builder.endpoint_url(url);
    }
    Handle::new(builder.build().unwrap()).unwrap()
}

/// Our request for one case, signed at the fixed time; a PutObject body given as a file
/// (`from_file`) is read, hashed and signed without being held in memory.
async fn ours(handle: &Handle, operation: &str, params: &Value, from_file: Option<&std::path::Path>) -> SignedRequest {
    let settings = handle.config.endpoint_settings("S3").unwrap();
    macro_rules! signed {
        ($module:ident, $input:expr) => {{
            let input = $input;
            let request = $module::serialize_request(&input).unwrap();
            let endpoint = resolve_endpoint(&$module::endpoint_params(&settings, &input)).unwrap();
            handle.signed_request($module::SPEC, &endpoint, request).await.unwrap()
        }};
    }
    match operation {
        "HeadObject" => {
            signed!(head_object, serde_json::from_value::<head_object::HeadObjectInput>(params.clone()).unwrap())
        }
        "DeleteObjects" => {
            signed!(
                delete_objects,
                serde_json::from_value::<delete_objects::DeleteObjectsInput>(params.clone()).unwrap()
            )
        }
        "PutObject" => {
            let mut params = params.clone();
            let body = params.as_object_mut().unwrap().remove("Body").unwrap();
            let mut input = serde_json::from_value::<put_object::PutObjectInput>(params).unwrap();
            input.body = Some(match from_file {
                Some(path) => {
                    std::fs::write(path, body.as_str().unwrap()).unwrap();
                    cloudfront_primitives::Body::from_path(path).unwrap()
                }
                None => body.as_str().unwrap().into(),
            });
            signed!(put_object, input)
        }
        other => panic!("no case runner for {other}"),
    }
}

fn compared_headers(headers: &[(String, String)]) -> Vec<(String, String)> {
    let mut kept: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
        .filter(|(k, _)| k != "user-agent" && !NOT_COMPARED.contains(&k.as_str()))
        .collect();
    kept.sort();
    kept
}

#[tokio::test(flavor = "current_thread")]
async fn s3_signatures_equal_botocores() {
    let document = expected();
    let cases = document["cases"].as_array().expect("cases");
    let mut differ = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let handle = handle(&document, &case["settings"]);
        let operation = case["operation"].as_str().unwrap();
        let signed = ours(&handle, operation, &case["params"], None).await;
        if operation == "PutObject" {
            // The same upload from a file: the same URL and headers, signature included.
            let file = std::env::temp_dir().join(format!("cloudfront-s3-signature-{}-{i}", std::process::id()));
            let streamed = ours(&handle, operation, &case["params"], Some(&file)).await;
            std::fs::remove_file(&file).unwrap();
            if (&streamed.url, &streamed.headers) != (&signed.url, &signed.headers) {
                differ.push(format!("case {i}: the file upload is signed differently: {:?}", streamed.headers));
            }
        }
        let theirs = &case["request"];
        let their_headers: Vec<(String, String)> = theirs["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| (h[0].as_str().unwrap().to_owned(), h[1].as_str().unwrap().to_owned()))
            .collect();
        use base64::Engine as _;
        let their_body = base64::engine::general_purpose::STANDARD.decode(theirs["body"].as_str().unwrap()).unwrap();
        let same = signed.method == theirs["method"]
            && signed.url == theirs["url"]
            && signed.body.as_bytes() == Some(&their_body[..])
            && compared_headers(&signed.headers) == compared_headers(&their_headers);
        if !same {
            differ.push(format!(
                "case {i} ({} {operation} {}):\n  ours:     {} {} {:?}\n  botocore: {} {} {:?}\n  bodies equal: {}",
                case["client"],
                case["params"]["Key"],
                signed.method,
                signed.url,
                compared_headers(&signed.headers),
                theirs["method"],
                theirs["url"],
                compared_headers(&their_headers),
                signed.body.as_bytes() == Some(&their_body[..])
            ));
        }
    }
    println!(
        "{} S3 requests compared with botocore {}: {} identical",
        cases.len(),
        document["botocore_version"],
        cases.len() - differ.len()
    );
    assert!(differ.is_empty(), "{} of {} differ:\n{}", differ.len(), cases.len(), differ.join("\n"));
}
