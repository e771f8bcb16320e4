//! SigV4 against a straightforward reference written from the AWS documentation: for any
//! method, path, query, headers and body, our canonical request and signature must equal the
//! reference's (so the fuzzer finds wrong signatures, not only panics).
#![no_main]

use hmac::{Hmac, KeyInit, Mac};
use libfuzzer_sys::fuzz_target;
use sha2::{Digest, Sha256};

const UNSIGNED: &[&str] = &["authorization", "user-agent", "x-amzn-trace-id", "expect", "content-length", "transfer-encoding"];

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-_.~".contains(&b)
}

/// Percent-encode every byte but the unreserved ones (and `/` when asked).
fn encode(bytes: &[u8], keep_slash: bool) -> String {
    bytes
        .iter()
        .map(|&b| if unreserved(b) || (keep_slash && b == b'/') { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

/// `%XX` (two hex digits, either case) is the byte it names; anything else is itself.
fn decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let pair = bytes.get(i + 1..i + 3).filter(|p| bytes[i] == b'%' && p.iter().all(u8::is_ascii_hexdigit));
        match pair {
            Some(p) => {
                out.push(u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap());
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

/// RFC 3986 dot-segment removal as the SigV4 documentation asks, with empty segments dropped
/// (`//` is one separator) and a trailing `/` kept.
fn normalize(path: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        if segment == ".." {
            kept.pop();
        } else if !segment.is_empty() && segment != "." {
            kept.push(segment);
        }
    }
    let mut out = format!("/{}", kept.join("/"));
    if path.ends_with('/') && !kept.is_empty() {
        out.push('/');
    }
    out
}

/// Keeps the bytes of `data` that are in `allowed`.
fn only(data: &[u8], allowed: impl Fn(u8) -> bool) -> String {
    data.iter().copied().filter(|b| allowed(*b)).map(char::from).collect()
}

fuzz_target!(|data: &[u8]| {
    let parts: Vec<&[u8]> = data.splitn(5, |b| *b == 0).collect();
    let [method, path, query, headers, body] = parts.as_slice() else { return };
    let method = only(method, |b| b.is_ascii_uppercase());
    let method = if method.is_empty() { "GET".to_owned() } else { method };
    // A path as sent, starting with `/`: any characters (the bytes read as UTF-8, lossily)
    // but `?` and `#`, which would end it; `%` escapes, dots and empty segments included.
    let path = format!("/{}", String::from_utf8_lossy(path).replace(['?', '#'], ""));
    // A query of any characters: `&` separates pairs, the first `=` a name from its value,
    // `%XX` escapes stand for any byte.
    let query = String::from_utf8_lossy(query).replace('#', "");
    let header_list: Vec<(String, String)> = headers
        .split(|b| *b == b'\n')
        .filter_map(|line| {
            let (name, value) = line.split_at(line.iter().position(|b| *b == b':')?);
            let name = only(name, |b| b.is_ascii_alphanumeric() || b == b'-');
            let value = only(&value[1..], |b| b.is_ascii_graphic() || b == b' ');
            (!name.is_empty()).then_some((name, value))
        })
        .filter(|(name, _)| !["host", "x-amz-date", "x-amz-security-token"].contains(&name.to_ascii_lowercase().as_str()))
        .collect();

    let credentials = cloudfront_sigv4::Credentials::new("AKIDFUZZ", "fuzz-secret", None);
    let time = cloudfront_primitives::DateTime::from_secs(1_440_938_160);
    // `SigningParams::new` normalizes the path, as production signs (CloudFront is not S3).
    let ours = cloudfront_sigv4::sign(
        &cloudfront_sigv4::SignableRequest::new(&method, "example.amazonaws.com", &path, &query, &header_list, body),
        &cloudfront_sigv4::SigningParams::new(&credentials, "us-east-1", "cloudfront", time),
    );

    // The reference, step by step from the documentation.
    let mut canonical_headers: Vec<(String, String)> = Vec::new();
    let all = [("host".to_owned(), "example.amazonaws.com".to_owned()), ("x-amz-date".to_owned(), "20150830T123600Z".to_owned())];
    for (name, value) in all.iter().cloned().chain(header_list.iter().cloned()) {
        let name = name.to_ascii_lowercase();
        if UNSIGNED.contains(&name.as_str()) {
            continue;
        }
        let value = value.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
        match canonical_headers.iter_mut().find(|(n, _)| *n == name) {
            Some((_, existing)) => *existing = format!("{existing},{value}"),
            None => canonical_headers.push((name, value)),
        }
    }
    canonical_headers.sort();
    let mut pairs: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (encode(&decode(k), false), encode(&decode(v), false)),
            None => (encode(&decode(p), false), String::new()),
        })
        .collect();
    pairs.sort();
    let canonical_query = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&");
    let canonical_request = format!(
        "{method}\n{}\n{canonical_query}\n{}\n{}\n{}",
        encode(normalize(&path).as_bytes(), true),
        canonical_headers.iter().map(|(k, v)| format!("{k}:{v}\n")).collect::<String>(),
        canonical_headers.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(";"),
        hex(&Sha256::digest(body)),
    );
    assert_eq!(ours.canonical_request, canonical_request);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/cloudfront/aws4_request\n{}",
        hex(&Sha256::digest(canonical_request.as_bytes()))
    );
    let key = ["20150830", "us-east-1", "cloudfront", "aws4_request"]
        .iter()
        .fold(b"AWS4fuzz-secret".to_vec(), |key, part| hmac(&key, part.as_bytes()));
    assert_eq!(ours.signature, hex(&hmac(&key, string_to_sign.as_bytes())));
});
