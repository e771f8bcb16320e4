//! Percent-encoding, hex and URI-path dot segments, the one home for each: RFC 3986
//! unreserved characters pass, every other byte is `%XX` (upper-case hex), and decoding turns
//! each `%XX` back into its byte; [`hex`] writes bytes as lower-case hex (SigV4 hashes, cache
//! names, tokens); [`remove_dot_segments`] normalises a path as botocore and SigV4 do.

/// RFC 3986's dot-segment removal as botocore and SigV4 do it, which also drops empty
/// segments: `/a/./b/../c//d/` is `/a/c/d/`; a leading `/` stays, a trailing one stays when
/// a segment is left, and an empty path is `/`.
pub fn remove_dot_segments(path: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                kept.pop();
            }
            other => kept.push(other),
        }
    }
    let first = if path.starts_with('/') || path.is_empty() { "/" } else { "" };
    let last = if path.ends_with('/') && !kept.is_empty() { "/" } else { "" };
    format!("{first}{}{last}", kept.join("/"))
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 15)] as char);
    }
    out
}

/// Encodes `bytes`; with `keep_slash`, `/` passes too (URI paths, greedy labels).
pub fn encode(bytes: &[u8], keep_slash: bool) -> String {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.extend(['%', DIGITS[usize::from(b >> 4)] as char, DIGITS[usize::from(b & 15)] as char]);
        }
    }
    out
}

/// Decodes `%XX` escapes (either case) into the bytes they stand for, which need not be
/// UTF-8; a `%` not followed by two hex digits stays as it is.
pub fn decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped =
            (bytes[i] == b'%').then(|| Some(hex(*bytes.get(i + 1)?)? << 4 | hex(*bytes.get(i + 2)?)?)).flatten();
        match escaped {
            Some(b) => {
                out.push(b);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_any_bytes() {
        assert_eq!(encode(b"a b/c~\xff", false), "a%20b%2Fc~%FF");
        assert_eq!(encode(b"a/b", true), "a/b");
        assert_eq!(decode("a%20b%2fc%FF%zz%4"), b"a b/c\xff%zz%4");
        assert_eq!(decode("%a\u{e9}"), "%a\u{e9}".as_bytes());
        for bytes in [&b"\x00\x01 %/?#"[..], "é日本".as_bytes()] {
            assert_eq!(decode(&encode(bytes, false)), bytes);
        }
    }
}
