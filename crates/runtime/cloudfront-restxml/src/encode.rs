use cloudfront_primitives::BuildError;

fn encode(value: &str, keep_slash: bool) -> String {
    cloudfront_primitives::percent::encode(value.as_bytes(), keep_slash)
}

/// Percent-encodes a URI label; a greedy label (`{Key+}`) keeps its `/` separators.
pub fn encode_label(value: &str, greedy: bool) -> String {
    encode(value, greedy)
}

/// Percent-encodes a query key or value (space is `%20`, never `+`).
pub fn encode_query(value: &str) -> String {
    encode(value, false)
}

/// Checks and encodes a label value: an empty label or a `.`/`..` segment would address a
/// different resource than the caller named on a server that resolves such segments (as
/// CloudFront's does), so they are refused instead of sent. (The transport can send them:
/// a service whose keys may hold them, as S3's do, keeps them.)
pub fn label(field: &str, value: &str, greedy: bool) -> Result<String, BuildError> {
    if value.is_empty() {
        return Err(BuildError::new(field, "must not be empty (it is part of the request path)"));
    }
    let segments: Box<dyn Iterator<Item = &str>> =
        if greedy { Box::new(value.split('/')) } else { Box::new(std::iter::once(value)) };
    for segment in segments {
        if segment == "." || segment == ".." {
            return Err(BuildError::new(field, format!("must not be {segment:?} (a relative path segment)")));
        }
    }
    Ok(encode_label(value, greedy))
}

/// Checks and encodes a label value of a service whose resource names may hold `.` and `..`
/// segments (S3 keys): only an empty label is refused; every segment is sent as given.
pub fn label_with_dot_segments(field: &str, value: &str, greedy: bool) -> Result<String, BuildError> {
    if value.is_empty() {
        return Err(BuildError::new(field, "must not be empty (it is part of the request path)"));
    }
    Ok(encode_label(value, greedy))
}

/// Checks a value bound into the endpoint host (`@hostLabel`): it must be a valid host name
/// label or dotted labels (letters, digits and hyphens, 1 to 63 characters each).
pub fn host_label<'a>(field: &str, value: &'a str) -> Result<&'a str, BuildError> {
    let valid = !value.is_empty()
        && value.split('.').all(|label| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !label.starts_with('-')
        });
    if valid {
        Ok(value)
    } else {
        Err(BuildError::new(field, format!("{value:?} is not a valid host label (letters, digits and '-' only)")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_the_aws_sdks() {
        assert_eq!(encode_label("E1 +/%é", false), "E1%20%2B%2F%25%C3%A9");
        assert_eq!(encode_label("a/b c", true), "a/b%20c");
        assert_eq!(encode_query("AZaz09-._~"), "AZaz09-._~");
    }

    #[test]
    fn refuses_labels_that_change_the_path() {
        assert!(label("Id", "", false).is_err());
        assert!(label("Id", "..", false).is_err());
        assert_eq!(label_with_dot_segments("Key", "a/../b/./c", true).unwrap(), "a/../b/./c");
        assert!(label_with_dot_segments("Key", "", true).is_err());
        assert!(label("Key", "a/../b", true).is_err());
        assert_eq!(label("Id", "a..b", false).unwrap(), "a..b");
    }
}
