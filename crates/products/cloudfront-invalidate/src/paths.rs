//! CloudFront's rules for invalidation items, checked before anything is sent, and an
//! encoder for users who hold raw file names.
//!
//! An item is a path (starts with `/`, at most 4,000 characters, `*` only at the end,
//! non-ASCII and RFC 1738 "unsafe" characters percent-encoded: anything else encoded makes the
//! invalidation silently miss) or a cache tag (starts with `#`: visible ASCII without commas,
//! at most 256 characters, no wildcard). A request carries 1 to 3,000 items.

use std::fmt;

/// The most items one invalidation request may carry (more gives `BatchTooLarge`).
pub const MAX_ITEMS_PER_REQUEST: usize = 3000;

/// The longest path CloudFront accepts, in characters.
pub const MAX_PATH_LENGTH: usize = 4000;

/// The longest cache tag CloudFront accepts, in characters.
pub const MAX_TAG_LENGTH: usize = 256;

/// One item that breaks a rule.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Position of the item in the list given.
    pub index: usize,
    /// The item as given (cut to 60 characters).
    pub item: String,
    /// The rule it breaks.
    pub rule: Rule,
}

/// CloudFront's rules for one item.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// A path must start with `/` (a cache tag with `#`).
    LeadingSlash,
    /// `*` may only be the last character of a path.
    WildcardNotLast,
    /// A path is at most [`MAX_PATH_LENGTH`] characters.
    PathTooLong,
    /// Non-ASCII, spaces and other unsafe characters must be percent-encoded ([`encode`] does it).
    NeedsEncoding,
    /// A cache tag is visible ASCII (33–126) without commas.
    TagCharacters,
    /// A cache tag is at most [`MAX_TAG_LENGTH`] characters.
    TagTooLong,
    /// A cache tag cannot be a wildcard.
    TagWildcard,
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Rule::LeadingSlash => "must start with '/' (or '#' for a cache tag)",
            Rule::WildcardNotLast => "has '*' before its end; a wildcard may only be the last character",
            Rule::PathTooLong => "is longer than 4000 characters",
            Rule::NeedsEncoding => {
                "has characters CloudFront needs percent-encoded (spaces, non-ASCII, <>\"{}|\\^`[]); encode them"
            }
            Rule::TagCharacters => "is a cache tag with characters other than visible ASCII without commas",
            Rule::TagTooLong => "is a cache tag longer than 256 characters",
            Rule::TagWildcard => "is a cache tag with a wildcard, which tags cannot have",
        })
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "item {} ({:?}) {}", self.index, self.item, self.rule)
    }
}

/// Every rule `item` breaks.
pub fn rules_broken(item: &str) -> Vec<Rule> {
    let mut broken = Vec::new();
    if let Some(tag) = item.strip_prefix('#') {
        if !tag.bytes().all(|b| b.is_ascii_graphic() && b != b',') {
            broken.push(Rule::TagCharacters);
        }
        if item.chars().count() > MAX_TAG_LENGTH {
            broken.push(Rule::TagTooLong);
        }
        if tag.contains('*') {
            broken.push(Rule::TagWildcard);
        }
        return broken;
    }
    if !item.starts_with('/') {
        broken.push(Rule::LeadingSlash);
    }
    if item.find('*').is_some_and(|star| star + 1 != item.len()) {
        broken.push(Rule::WildcardNotLast);
    }
    if item.chars().count() > MAX_PATH_LENGTH {
        broken.push(Rule::PathTooLong);
    }
    if encode(item) != item {
        broken.push(Rule::NeedsEncoding);
    }
    broken
}

/// Every problem of every item, in order (empty when all are fine).
pub fn validate<S: AsRef<str>>(items: &[S]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (index, item) in items.iter().enumerate() {
        let item = item.as_ref();
        for rule in rules_broken(item) {
            problems.push(Problem { index, item: item.chars().take(60).collect(), rule });
        }
    }
    problems
}

/// Why one request could not carry `items`: empty, too many, or any item's problems (all of
/// them, one per line), with `ignore` rules left out.
pub fn check_request<S: AsRef<str>>(items: &[S], ignore: &[Rule]) -> Result<(), String> {
    if items.is_empty() {
        return Err("an invalidation needs at least one path".into());
    }
    if items.len() > MAX_ITEMS_PER_REQUEST {
        return Err(format!(
            "{} paths given, but one invalidation accepts at most {MAX_ITEMS_PER_REQUEST}; split them into several",
            items.len()
        ));
    }
    let problems: Vec<String> =
        validate(items).into_iter().filter(|p| !ignore.contains(&p.rule)).map(|p| p.to_string()).collect();
    if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
}

/// Percent-encodes what CloudFront requires encoded: spaces and other control characters,
/// non-ASCII characters, RFC 1738 unsafe characters, and a `%` that does not start an
/// escape. Never double-encodes, and leaves `*` (wildcards), `?` and `&` (query strings),
/// `~` (CloudFront ignores `%7E`), and cache tags as they are.
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
        for raw in ["/hello world.html", "/café", "/100%", "/a%2"] {
            assert_eq!(encode(&encode(raw)), encode(raw), "{raw}: encoding twice equals encoding once");
        }
    }

    #[test]
    fn reports_every_bad_item_with_its_index_and_rule() {
        let items = ["/ok", "index.html", "/a*b", "/hello world", "#product-1", "#bad,tag", "#*", "/fine/*"];
        let problems = validate(&items);
        let found: Vec<(usize, Rule)> = problems.iter().map(|p| (p.index, p.rule)).collect();
        assert_eq!(
            found,
            [
                (1, Rule::LeadingSlash),
                (2, Rule::WildcardNotLast),
                (3, Rule::NeedsEncoding),
                (5, Rule::TagCharacters),
                (6, Rule::TagWildcard)
            ]
        );
        assert_eq!(problems[0].to_string(), "item 1 (\"index.html\") must start with '/' (or '#' for a cache tag)");
        assert_eq!(rules_broken(&format!("/{}", "a".repeat(4000))), [Rule::PathTooLong]);
        assert_eq!(rules_broken(&format!("#{}", "a".repeat(256))), [Rule::TagTooLong]);
    }

    #[test]
    fn a_request_carries_one_to_three_thousand_items() {
        assert!(check_request::<&str>(&[], &[]).unwrap_err().contains("at least one"));
        let many: Vec<String> = (0..3001).map(|i| format!("/{i}")).collect();
        assert!(check_request(&many, &[]).unwrap_err().contains("at most 3000"));
        assert!(check_request(&many[..3000], &[]).is_ok());
        assert!(check_request(&["/a b"], &[Rule::NeedsEncoding]).is_ok());
        assert!(check_request(&["a", "b"], &[]).unwrap_err().contains("item 0"));
    }
}
