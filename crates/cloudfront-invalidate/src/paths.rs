//! CloudFront's rules for invalidation paths, checked before a request is sent, and an
//! encoder for users who hold raw file names.
//!
//! CloudFront wants a path to start with `/`, to be at most 4,000 characters, and to have
//! non-ASCII and RFC 1738 "unsafe" characters percent-encoded; anything else encoded makes
//! the invalidation silently miss. Items starting with `#` are cache-tag invalidations and
//! are left alone.

/// The most paths one invalidation batch may carry (more gives `BatchTooLarge`).
pub const MAX_PATHS_PER_BATCH: usize = 3000;

/// The longest path CloudFront accepts, in characters.
pub const MAX_PATH_LENGTH: usize = 4000;

/// Why a list of paths would be refused; names the rule and the offending path.
pub fn check(paths: &[String]) -> Result<(), String> {
    if paths.is_empty() {
        return Err("at least one path is required".into());
    }
    if paths.len() > MAX_PATHS_PER_BATCH {
        return Err(format!(
            "{} paths given, but one invalidation accepts at most {MAX_PATHS_PER_BATCH}; split them into several",
            paths.len()
        ));
    }
    for path in paths {
        if !path.starts_with('/') && !path.starts_with('#') {
            return Err(format!("path {path:?} must start with '/' (or '#' for a cache tag)"));
        }
        if path.chars().count() > MAX_PATH_LENGTH {
            return Err(format!("path {:?}... is longer than {MAX_PATH_LENGTH} characters", prefix(path)));
        }
        if path.find('*').is_some_and(|star| star + 1 != path.len()) {
            return Err(format!("path {path:?} has '*' before its end; a wildcard may only be the last character"));
        }
    }
    Ok(())
}

/// Percent-encodes what CloudFront requires encoded: spaces and other control characters,
/// non-ASCII characters, RFC 1738 unsafe characters, and a `%` that does not start an
/// escape. Never double-encodes, and leaves `*` (wildcards), `?` and `&` (query strings),
/// `~` (CloudFront rejects `%7E` lookalikes silently), and cache tags as they are.
pub fn encode(path: &str) -> String {
    if path.starts_with('#') {
        return path.to_owned();
    }
    let bytes = path.as_bytes();
    let mut out = String::with_capacity(path.len());
    for (i, &byte) in bytes.iter().enumerate() {
        let starts_escape = byte == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        let unsafe_char = !byte.is_ascii_graphic() || b"<>\"#{}|\\^`[]".contains(&byte);
        if unsafe_char || (byte == b'%' && !starts_escape) {
            out.push_str(&format!("%{byte:02X}"));
        } else {
            out.push(byte as char);
        }
    }
    out
}

fn prefix(path: &str) -> String {
    path.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_spaces_non_ascii_and_unsafe_characters_once() {
        assert_eq!(encode("/hello world.html"), "/hello%20world.html");
        assert_eq!(encode("/café/ünï.png"), "/caf%C3%A9/%C3%BCn%C3%AF.png");
        assert_eq!(encode("/a%20b"), "/a%20b", "existing escapes are kept");
        assert_eq!(encode("/100%"), "/100%25");
        assert_eq!(encode("/a{b}|c"), "/a%7Bb%7D%7Cc");
        assert_eq!(encode("/images/*"), "/images/*");
        assert_eq!(encode("/search?q=a&b=c"), "/search?q=a&b=c");
        assert_eq!(encode("/~user"), "/~user");
        assert_eq!(encode("#tag one"), "#tag one", "cache tags are not paths");
    }

    #[test]
    fn refuses_what_cloudfront_would_refuse() {
        let paths = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(check(&paths(&["/a", "/b/*", "#product-1"])).is_ok());
        assert!(check(&paths(&["index.html"])).unwrap_err().contains("must start with '/'"));
        assert!(check(&paths(&["/a*b"])).unwrap_err().contains("only be the last character"));
        assert!(check(&[]).unwrap_err().contains("at least one"));
        let many: Vec<String> = (0..3001).map(|i| format!("/{i}")).collect();
        assert!(check(&many).unwrap_err().contains("at most 3000"));
        assert!(check(&[format!("/{}", "a".repeat(4000))]).unwrap_err().contains("longer than 4000"));
    }
}
