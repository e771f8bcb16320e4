//! Request checksums (`aws.protocols#httpChecksum`), as botocore computes them when a request
//! needs one: the algorithm the caller chose (its `x-amz-sdk-checksum-algorithm`-style
//! header), else CRC32 where the model requires a checksum, sent base64-encoded in
//! `x-amz-checksum-<algorithm>`. A checksum the caller set is left alone. CRC32C and
//! CRC64NVME are refused, as botocore refuses them without its optional CRT library.

use cloudfront_primitives::{BuildError, HttpRequest};
use cloudfront_sigv4::crypto::digest;

/// An operation's `httpChecksum` request settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestChecksum {
    /// The model requires a checksum (`requestChecksumRequired`).
    pub required: bool,
    /// The header the algorithm member is bound to, and that member's name.
    pub algorithm: Option<(&'static str, &'static str)>,
}

/// The algorithm botocore uses when a checksum is required and none was chosen.
const DEFAULT_ALGORITHM: &str = "CRC32";

/// Adds the checksum header the request needs, if any.
pub fn apply(request: &mut HttpRequest, spec: RequestChecksum) -> Result<(), BuildError> {
    if request.headers.iter().any(|(name, _)| name.to_ascii_lowercase().starts_with("x-amz-checksum-")) {
        return Ok(());
    }
    let chosen = spec.algorithm.and_then(|(header, member)| {
        let value = request.headers.iter().find(|(name, _)| name.eq_ignore_ascii_case(header))?;
        Some((value.1.clone(), member))
    });
    let (algorithm, member) = match (chosen, spec.required, spec.algorithm) {
        (Some(chosen), _, _) => chosen,
        (None, true, Some((header, member))) => {
            request.headers.push((header.to_owned(), DEFAULT_ALGORITHM.to_owned()));
            (DEFAULT_ALGORITHM.to_owned(), member)
        }
        (None, true, None) => (DEFAULT_ALGORITHM.to_owned(), "ChecksumAlgorithm"),
        (None, false, _) => return Ok(()),
    };
    let value = checksum(&algorithm, &request.body).ok_or_else(|| {
        BuildError::new(member, format!("checksum algorithm {algorithm} is not supported (use CRC32, SHA1 or SHA256)"))
    })?;
    request.headers.push((format!("x-amz-checksum-{}", algorithm.to_ascii_lowercase()), value));
    Ok(())
}

/// The base64 checksum of `body` by `algorithm` (any case), or `None` for one we do not have.
pub fn checksum(algorithm: &str, body: &[u8]) -> Option<String> {
    use base64::Engine as _;
    let raw = match algorithm.to_ascii_uppercase().as_str() {
        "CRC32" => crc32fast::hash(body).to_be_bytes().to_vec(),
        "SHA1" => digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, body).as_ref().to_vec(),
        "SHA256" => digest::digest(&digest::SHA256, body).as_ref().to_vec(),
        _ => return None,
    };
    Some(base64::engine::general_purpose::STANDARD.encode(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> HttpRequest {
        let mut request = HttpRequest::new("POST", "/".to_owned());
        request.headers = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        request.body = b"hello".to_vec();
        request
    }

    const DELETE_OBJECTS: RequestChecksum =
        RequestChecksum { required: true, algorithm: Some(("x-amz-sdk-checksum-algorithm", "ChecksumAlgorithm")) };

    #[test]
    fn a_required_checksum_defaults_to_crc32_and_names_it() {
        let mut r = request(&[]);
        apply(&mut r, DELETE_OBJECTS).unwrap();
        // CRC32("hello") = 0x3610a686.
        assert_eq!(
            r.headers,
            [
                ("x-amz-sdk-checksum-algorithm".to_owned(), "CRC32".to_owned()),
                ("x-amz-checksum-crc32".to_owned(), "NhCmhg==".to_owned())
            ]
        );
    }

    #[test]
    fn the_chosen_algorithm_wins_and_unknown_ones_are_refused() {
        let mut r = request(&[("x-amz-sdk-checksum-algorithm", "SHA256")]);
        apply(&mut r, DELETE_OBJECTS).unwrap();
        assert_eq!(
            r.headers[1],
            ("x-amz-checksum-sha256".to_owned(), "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=".to_owned())
        );
        let mut r = request(&[("x-amz-sdk-checksum-algorithm", "CRC32C")]);
        let error = apply(&mut r, DELETE_OBJECTS).unwrap_err();
        assert!(error.to_string().contains("ChecksumAlgorithm"), "{error}");
        let mut r = request(&[]);
        let optional = RequestChecksum { required: false, ..DELETE_OBJECTS };
        apply(&mut r, optional).unwrap();
        assert!(r.headers.is_empty());
        let mut r = request(&[("x-amz-checksum-crc32", "given")]);
        apply(&mut r, DELETE_OBJECTS).unwrap();
        assert_eq!(r.headers.len(), 1);
    }
}
