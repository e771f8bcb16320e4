//! gzip request compression (`@requestCompression`), applied as the AWS SDKs do: only to
//! bodies of at least [`MIN_COMPRESSION_SIZE`] bytes, with `gzip` appended to any
//! `Content-Encoding` the request already carries.

use std::io::Write;

use cloudfront_primitives::HttpRequest;

/// The SDKs' default `request_min_compression_size_bytes`.
pub const MIN_COMPRESSION_SIZE: usize = 10_240;

/// Compresses the body with gzip when it is large enough, and says so in `Content-Encoding`
/// (a file body, which is streamed, is sent as it is).
pub fn compress_gzip(request: &mut HttpRequest) {
    let Some(body) = request.body.as_bytes().filter(|b| b.len() >= MIN_COMPRESSION_SIZE) else { return };
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    if encoder.write_all(body).is_err() {
        return;
    }
    let Ok(compressed) = encoder.finish() else { return };
    request.body = compressed.into();
    match request.headers.iter_mut().find(|(k, _)| k.eq_ignore_ascii_case("Content-Encoding")) {
        Some((_, value)) => value.push_str(", gzip"),
        None => request.push_header("Content-Encoding", "gzip"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compresses_large_bodies_only_and_round_trips() {
        let mut small = HttpRequest::new("POST", "/".into());
        small.body = vec![b'a'; 100].into();
        compress_gzip(&mut small);
        assert_eq!(small.body.len(), 100);
        assert!(small.header("Content-Encoding").is_none());

        let mut large = HttpRequest::new("POST", "/".into());
        large.push_header("Content-Encoding", "custom");
        large.body = vec![b'a'; MIN_COMPRESSION_SIZE].into();
        compress_gzip(&mut large);
        assert_eq!(large.header("Content-Encoding"), Some("custom, gzip"));
        let mut decoded = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(large.body.as_bytes().unwrap()), &mut decoded)
            .unwrap();
        assert_eq!(decoded, vec![b'a'; MIN_COMPRESSION_SIZE]);
    }
}
