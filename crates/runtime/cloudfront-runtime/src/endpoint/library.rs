//! The endpoint rules language's standard library beyond `aws.partition`: the functions a
//! generated resolver calls for `substring`, `parseURL`, `uriEncode`, `isValidHostLabel`,
//! `aws.parseArn` and `aws.isVirtualHostableS3Bucket`. Each follows botocore's
//! `RuleSetStandardLibrary`, since the AWS CLI resolves endpoints with it.

/// What `parseURL` returns.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    /// `http` or `https`.
    pub scheme: String,
    /// Host and port, as written.
    pub authority: String,
    /// The path, as written (may be empty).
    pub path: String,
    /// The path without dot segments or empty segments, percent-encoded, ending in `/`.
    pub normalized_path: String,
    /// Whether the host is an IPv4 or IPv6 address.
    pub is_ip: bool,
}

/// What `aws.parseArn` returns.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arn {
    /// `aws`, `aws-cn`, ...
    pub partition: String,
    /// The service namespace (`s3`, `s3-outposts`, ...).
    pub service: String,
    /// The region, empty for global resources.
    pub region: String,
    /// The account, may be empty.
    pub account_id: String,
    /// The resource, split at every `:` and `/`.
    pub resource_id: Vec<String>,
}

/// `substring(input, start, stop, reverse)`: the ASCII slice `[start, stop)`, counted from the
/// end when `reverse`; `None` for non-ASCII input or a range that does not fit.
pub fn substring(input: &str, start: usize, stop: usize, reverse: bool) -> Option<&str> {
    if start >= stop || input.len() < stop || !input.is_ascii() {
        return None;
    }
    let len = input.len();
    Some(if reverse { &input[len - stop..len - start] } else { &input[start..stop] })
}

/// `uriEncode(input)`: every byte but RFC 3986's unreserved characters as `%XX`.
pub fn uri_encode(input: &str) -> String {
    cloudfront_primitives::percent::encode(input.as_bytes(), false)
}

/// `isValidHostLabel(input, allowSubDomains)`: 1 to 63 letters, digits and `-`, not starting
/// or ending with `-`; with `allow_subdomains`, each `.`-separated label on its own.
pub fn is_valid_host_label(input: &str, allow_subdomains: bool) -> bool {
    if allow_subdomains {
        return input.split('.').all(|label| is_valid_host_label(label, false));
    }
    (1..=63).contains(&input.len())
        && input.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !input.starts_with('-')
        && !input.ends_with('-')
}

/// `aws.isVirtualHostableS3Bucket(input, allowSubDomains)`: a host label (or labels) of at
/// least 3 characters, all lower case, that does not look like an IPv4 address.
pub fn is_virtual_hostable_s3_bucket(input: &str, allow_subdomains: bool) -> bool {
    input.len() >= 3
        && !input.bytes().any(|b| b.is_ascii_uppercase())
        && !looks_like_ipv4(input)
        && is_valid_host_label(input, allow_subdomains)
}

/// `aws.parseArn(input)`: `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, where partition,
/// service and resource are not empty.
pub fn parse_arn(input: &str) -> Option<Arn> {
    let rest = input.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let mut next = || parts.next().map(str::to_owned);
    let (partition, service, region, account_id, resource) = (next()?, next()?, next()?, next()?, next()?);
    if partition.is_empty() || service.is_empty() || resource.is_empty() {
        return None;
    }
    let resource_id = resource.split([':', '/']).map(str::to_owned).collect();
    Some(Arn { partition, service, region, account_id, resource_id })
}

/// `parseURL(input)`: an `http` or `https` URL without a query (Python's `urlparse` reading:
/// the scheme is case-insensitive, a fragment is dropped, a port must be a number up to 65535).
pub fn parse_url(input: &str) -> Option<Url> {
    let (scheme, rest) = input.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    if !query.is_empty() {
        return None;
    }
    let (authority, path) = rest.find('/').map_or((rest, ""), |slash| rest.split_at(slash));
    let host = host_of(authority)?;
    let is_ip = looks_like_ipv4(host) || is_ipv6_literal(host) && !input.contains(['\t', '\r', '\n']);
    let mut normalized_path = cloudfront_primitives::percent::encode(
        cloudfront_primitives::percent::remove_dot_segments(path).as_bytes(),
        true,
    );
    if !normalized_path.ends_with('/') {
        normalized_path.push('/');
    }
    Some(Url { scheme, authority: authority.to_owned(), path: path.to_owned(), normalized_path, is_ip })
}

/// The host of an authority (user info and port removed); `None` when the port is not a
/// number from 0 to 65535.
fn host_of(authority: &str) -> Option<&str> {
    let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    let (host, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (host, after) = bracketed.split_once(']')?;
            (host, after.strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        },
    };
    let valid_port =
        |port: &str| port.is_empty() || port.bytes().all(|b| b.is_ascii_digit()) && port.parse::<u16>().is_ok();
    port.is_none_or(valid_port).then_some(host)
}

/// botocore's loose IPv4 pattern: four dot-separated groups of 1 to 3 digits.
fn looks_like_ipv4(text: &str) -> bool {
    let groups: Vec<&str> = text.split('.').collect();
    groups.len() == 4 && groups.iter().all(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()))
}

/// An IPv6 address, optionally with a zone (`fe80::1%25eth0`).
fn is_ipv6_literal(host: &str) -> bool {
    let address = host.split_once('%').map_or(host, |(address, _)| address);
    address.parse::<std::net::Ipv6Addr>().is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_counts_from_either_end_and_refuses_what_does_not_fit() {
        assert_eq!(substring("abcdefg", 0, 4, false), Some("abcd"));
        assert_eq!(substring("abcdefg", 0, 4, true), Some("defg"));
        assert_eq!(substring("abc", 1, 4, false), None);
        assert_eq!(substring("abc", 2, 2, false), None);
        assert_eq!(substring("ab\u{e9}cd", 0, 2, false), None);
    }

    #[test]
    fn host_labels_and_buckets() {
        assert!(is_valid_host_label("us-east-1", false));
        assert!(!is_valid_host_label("a.b", false) && is_valid_host_label("a.b", true));
        assert!(!is_valid_host_label("-a", false) && !is_valid_host_label("", false));
        assert!(!is_valid_host_label("a..b", true));
        assert!(is_virtual_hostable_s3_bucket("my-bucket", false));
        assert!(!is_virtual_hostable_s3_bucket("My-Bucket", false));
        assert!(!is_virtual_hostable_s3_bucket("ab", false));
        assert!(!is_virtual_hostable_s3_bucket("192.168.1.1", true));
        assert!(is_virtual_hostable_s3_bucket("a.b.c", true) && !is_virtual_hostable_s3_bucket("a.b.c", false));
    }

    #[test]
    fn arns_split_their_resource() {
        let arn = parse_arn("arn:aws:s3:us-west-2:123456789012:accesspoint/my:ap").unwrap();
        assert_eq!(
            (arn.partition.as_str(), arn.region.as_str(), arn.account_id.as_str()),
            ("aws", "us-west-2", "123456789012")
        );
        assert_eq!(arn.resource_id, ["accesspoint", "my", "ap"]);
        assert_eq!(parse_arn("arn:aws:s3:::bucket").unwrap().resource_id, ["bucket"]);
        assert_eq!(parse_arn("arn:aws:s3:us-west-2:123"), None);
        assert_eq!(parse_arn("arn::s3:::x"), None);
        assert_eq!(parse_arn("bucket"), None);
    }

    #[test]
    fn urls_keep_the_authority_and_normalise_the_path() {
        let url = parse_url("https://example.com:8443/a/./b/../c").unwrap();
        assert_eq!((url.scheme.as_str(), url.authority.as_str()), ("https", "example.com:8443"));
        assert_eq!((url.path.as_str(), url.normalized_path.as_str(), url.is_ip), ("/a/./b/../c", "/a/c/", false));
        assert_eq!(parse_url("http://127.0.0.1").unwrap().normalized_path, "/");
        assert!(parse_url("http://127.0.0.1").unwrap().is_ip);
        assert!(parse_url("http://[::1]:80/x").unwrap().is_ip);
        assert_eq!(parse_url("https://example.com?x=1"), None);
        assert_eq!(parse_url("ftp://example.com"), None);
        assert_eq!(parse_url("https://example.com:99999"), None);
        assert_eq!(parse_url("https://example.com:port"), None);
        assert_eq!(uri_encode("a b/c"), "a%20b%2Fc");
    }
}
