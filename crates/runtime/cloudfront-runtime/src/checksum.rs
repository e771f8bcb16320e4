//! Request checksums (`aws.protocols#httpChecksum`), as botocore computes them when a request
//! needs one: the algorithm the caller chose (its `x-amz-sdk-checksum-algorithm`-style
//! header), else CRC32 where the model requires a checksum, sent base64-encoded in
//! `x-amz-checksum-<algorithm>`. A checksum the caller set is left alone. CRC32C and
//! CRC64NVME are refused, as botocore refuses them without its optional CRT library.

use cloudfront_primitives::{Body, BuildError, HttpRequest};
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

/// The checksum algorithm the request needs, naming it in the algorithm header where it was
/// defaulted (see [`algorithm`]); `None` when the operation asks for none.
pub fn resolve_algorithm(
    request: &mut HttpRequest,
    spec: Option<RequestChecksum>,
) -> Result<Option<String>, BuildError> {
    match spec {
        Some(spec) => algorithm(request, spec),
        None => Ok(None),
    }
}

/// Readies a request's body for signing: adds the checksum by `algorithm`, and for a file
/// body returns its SHA-256 (lower-case hex) when `file_sha256` asks for it (the payload is
/// signed), both computed in one pass over the file, so the signer never holds the file. A
/// bytes body is hashed by the signer itself.
pub async fn digest_body(
    request: &mut HttpRequest,
    algorithm: Option<&str>,
    file_sha256: bool,
) -> Result<Option<String>, BuildError> {
    let (checksum, sha256) = match &request.body {
        Body::Bytes(bytes) => {
            let mut hasher = algorithm.map(Hasher::new);
            if let Some(hasher) = &mut hasher {
                hasher.update(bytes);
            }
            (hasher.map(Hasher::finish), None)
        }
        Body::File { .. } if algorithm.is_none() && !file_sha256 => (None, None),
        Body::File { path, offset, length, .. } => {
            let (path, range, wanted) = (path.clone(), (*offset, *length), algorithm.map(str::to_owned));
            let hashed = tokio::task::spawn_blocking(move || hash_file(&path, range, wanted.as_deref(), file_sha256))
                .await
                .map_err(|e| BuildError::new("Body", format!("cannot hash the file: {e}")))?;
            hashed.map_err(|e| BuildError::new("Body", e))?
        }
    };
    if let (Some(algorithm), Some(value)) = (algorithm, checksum) {
        request.headers.push((format!("x-amz-checksum-{}", algorithm.to_ascii_lowercase()), value));
    }
    Ok(sha256)
}

/// The checksum algorithm the request needs (the caller's choice, else CRC32 where one is
/// required, then named in the algorithm header), or `None`; an algorithm we cannot compute
/// is refused, naming the member.
fn algorithm(request: &mut HttpRequest, spec: RequestChecksum) -> Result<Option<String>, BuildError> {
    if request.headers.iter().any(|(name, _)| name.to_ascii_lowercase().starts_with("x-amz-checksum-")) {
        return Ok(None);
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
        (None, false, _) => return Ok(None),
    };
    if !SUPPORTED.contains(&algorithm.to_ascii_uppercase().as_str()) {
        let message = format!("checksum algorithm {algorithm} is not supported (use CRC32, SHA1 or SHA256)");
        return Err(BuildError::new(member, message));
    }
    Ok(Some(algorithm))
}

const SUPPORTED: [&str; 3] = ["CRC32", "SHA1", "SHA256"];

/// One pass over `(offset, length)` of a file: the checksum by `algorithm` (if any) and, when
/// `sha256` asks for it, the SHA-256 in hex.
fn hash_file(
    path: &std::path::Path,
    (offset, length): (u64, u64),
    algorithm: Option<&str>,
    sha256: bool,
) -> Result<(Option<String>, Option<String>), String> {
    use std::io::{Read as _, Seek as _};
    let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
    let mut file = std::fs::File::open(path).map_err(cannot)?;
    file.seek(std::io::SeekFrom::Start(offset)).map_err(cannot)?;
    let mut file = file.take(length);
    let mut sha256 = sha256.then(|| Hasher::new("SHA256"));
    let mut checksum = algorithm.map(Hasher::new);
    let mut buffer = vec![0; 1 << 20];
    let mut seen = 0;
    loop {
        let read = file.read(&mut buffer).map_err(cannot)?;
        if read == 0 {
            break;
        }
        seen += read as u64;
        if let Some(sha256) = &mut sha256 {
            sha256.update(&buffer[..read]);
        }
        if let Some(checksum) = &mut checksum {
            checksum.update(&buffer[..read]);
        }
    }
    if seen != length {
        return Err(format!("{} changed size while it was being sent ({seen} of {length} bytes)", path.display()));
    }
    let hex = sha256.map(|h| cloudfront_primitives::percent::hex(&h.finish_raw()));
    Ok((checksum.map(Hasher::finish), hex))
}

/// An incremental checksum by one of the [`SUPPORTED`] algorithms.
enum Hasher {
    Crc32(crc32fast::Hasher),
    Digest(digest::Context),
}

impl Hasher {
    /// A hasher for a supported algorithm (any case); callers check support first.
    fn new(algorithm: &str) -> Hasher {
        match algorithm.to_ascii_uppercase().as_str() {
            "CRC32" => Hasher::Crc32(crc32fast::Hasher::new()),
            "SHA1" => Hasher::Digest(digest::Context::new(&digest::SHA1_FOR_LEGACY_USE_ONLY)),
            _ => Hasher::Digest(digest::Context::new(&digest::SHA256)),
        }
    }

    fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Crc32(h) => h.update(bytes),
            Hasher::Digest(h) => h.update(bytes),
        }
    }

    fn finish_raw(self) -> Vec<u8> {
        match self {
            Hasher::Crc32(h) => h.finalize().to_be_bytes().to_vec(),
            Hasher::Digest(h) => h.finish().as_ref().to_vec(),
        }
    }

    /// The checksum as the header carries it: base64.
    fn finish(self) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(self.finish_raw())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> HttpRequest {
        let mut request = HttpRequest::new("POST", "/".to_owned());
        request.headers = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        request.body = Body::from("hello");
        request
    }

    fn apply(request: &mut HttpRequest, spec: RequestChecksum) -> Result<Option<String>, BuildError> {
        let algorithm = resolve_algorithm(request, Some(spec))?;
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        runtime.block_on(digest_body(request, algorithm.as_deref(), true))
    }

    const DELETE_OBJECTS: RequestChecksum =
        RequestChecksum { required: true, algorithm: Some(("x-amz-sdk-checksum-algorithm", "ChecksumAlgorithm")) };

    #[test]
    fn a_required_checksum_defaults_to_crc32_and_names_it() {
        let mut r = request(&[]);
        assert_eq!(apply(&mut r, DELETE_OBJECTS).unwrap(), None, "a bytes body is hashed by the signer");
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

    #[test]
    fn a_file_body_is_hashed_and_checksummed_in_one_pass() {
        let path = std::env::temp_dir().join(format!("cloudfront-checksum-{}", std::process::id()));
        std::fs::write(&path, b"hello").unwrap();
        let mut r = request(&[]);
        r.body = Body::from_path(&path).unwrap();
        let sha256 = apply(&mut r, DELETE_OBJECTS).unwrap();
        assert_eq!(sha256.as_deref(), Some("2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"));
        assert_eq!(r.headers[1], ("x-amz-checksum-crc32".to_owned(), "NhCmhg==".to_owned()));
        std::fs::remove_file(&path).unwrap();
    }
}
