//! Request URLs: `http` or `https`, a host, an optional port, and the path and query that
//! become the request target. Only what an AWS endpoint, a proxy or a credential URL can be:
//! no user info, no internationalised host names.

use std::fmt;

/// A parsed request URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Url {
    https: bool,
    /// `host[:port]` as written (an IPv6 literal keeps its brackets).
    authority: String,
    /// Where the host ends in `authority`.
    host_end: usize,
    port: Option<u16>,
    /// The path (at least `/`) and the query, if any.
    target: String,
}

impl Url {
    /// Parses an absolute `http` or `https` URL. A fragment is never sent (it is not part of
    /// an HTTP request) and is left out.
    pub fn parse(url: &str) -> Result<Url, String> {
        let invalid = |why: &str| format!("invalid URL {url:?}: {why}");
        let (scheme, rest) = url.split_once("://").ok_or_else(|| invalid("it has no scheme"))?;
        let https = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return Err(format!("URL {url:?} must be http or https")),
        };
        let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
        if let Some(bad) = rest.chars().find(|c| !c.is_ascii_graphic()) {
            return Err(invalid(&format!("{bad:?} is not allowed in a URL (percent-encode it)")));
        }
        let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
        let (authority, target) = rest.split_at(authority_end);
        if authority.contains('@') {
            return Err(invalid("user info (`user:password@`) is not allowed here"));
        }
        let host_end = match authority.strip_prefix('[') {
            Some(literal) => {
                let close = literal.find(']').ok_or_else(|| invalid("an IPv6 address lacks its closing `]`"))?;
                if literal[..close].parse::<std::net::Ipv6Addr>().is_err() {
                    return Err(invalid("the part in brackets is not an IPv6 address"));
                }
                close + 2
            }
            None => authority.find(':').unwrap_or(authority.len()),
        };
        let host = &authority[..host_end];
        if host.is_empty() {
            return Err(format!("URL {url:?} has no host"));
        }
        if !host.starts_with('[') && !host.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b)) {
            return Err(invalid("a host name is made of letters, digits, `-`, `.`, `_` and `~`"));
        }
        let port = match &authority[host_end..] {
            "" | ":" => None,
            after => {
                let digits =
                    after.strip_prefix(':').ok_or_else(|| invalid("the host is followed by neither `:` nor `/`"))?;
                let port = digits
                    .parse::<u16>()
                    .ok()
                    .filter(|_| digits.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| format!("URL {url:?} has a port that is not a number from 0 to 65535"))?;
                Some(port)
            }
        };
        let authority = authority.strip_suffix(':').unwrap_or(authority);
        let target = if target.starts_with('/') { target.to_owned() } else { format!("/{target}") };
        Ok(Url { https, authority: authority.to_owned(), host_end, port, target })
    }

    /// `https` or `http`.
    pub fn scheme(&self) -> &'static str {
        if self.https { "https" } else { "http" }
    }

    /// Whether the scheme is `https`.
    pub fn is_https(&self) -> bool {
        self.https
    }

    /// The host as written (an IPv6 literal in brackets).
    pub fn host(&self) -> &str {
        &self.authority[..self.host_end]
    }

    /// The port, when the URL names one.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The port connections go to: the one named, or the scheme's default.
    pub fn port_or_default(&self) -> u16 {
        self.port.unwrap_or(self.default_port())
    }

    /// The scheme's port: 443 for `https`, 80 for `http`.
    pub fn default_port(&self) -> u16 {
        if self.https { 443 } else { 80 }
    }

    /// `host[:port]` as written.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// The path, without the query.
    pub fn path(&self) -> &str {
        self.target.split_once('?').map_or(&self.target, |(path, _)| path)
    }

    /// The path and query: the request target of a request sent straight to the server.
    pub fn path_and_query(&self) -> &str {
        &self.target
    }
}

impl fmt::Display for Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}{}", self.scheme(), self.authority, self.target)
    }
}

impl std::str::FromStr for Url {
    type Err = String;

    fn from_str(url: &str) -> Result<Url, String> {
        Url::parse(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_of_a_url() {
        let url = Url::parse("HTTPS://CloudFront.amazonaws.com:8443/2020-05-31/x?a=b&c#frag").unwrap();
        assert_eq!(
            (url.scheme(), url.host(), url.port(), url.authority(), url.path_and_query()),
            ("https", "CloudFront.amazonaws.com", Some(8443), "CloudFront.amazonaws.com:8443", "/2020-05-31/x?a=b&c")
        );
        assert_eq!(url.to_string(), "https://CloudFront.amazonaws.com:8443/2020-05-31/x?a=b&c");
        let bare = Url::parse("http://h").unwrap();
        assert_eq!((bare.to_string(), bare.port_or_default()), ("http://h/".to_owned(), 80));
        assert_eq!(Url::parse("http://h?q=1").unwrap().path_and_query(), "/?q=1");
        let v6 = Url::parse("http://[fd00:ec2::254]:80/latest").unwrap();
        assert_eq!((v6.host(), v6.port()), ("[fd00:ec2::254]", Some(80)));
        assert_eq!(Url::parse("https://h:/x").unwrap().to_string(), "https://h/x");
    }

    #[test]
    fn what_is_refused_is_named() {
        for (url, why) in [
            ("ftp://h/", "must be http or https"),
            ("h/x", "no scheme"),
            ("http:///x", "no host"),
            ("http://exa mple.com/", "not allowed in a URL"),
            ("http://h/a b", "not allowed in a URL"),
            ("http://h/é", "not allowed in a URL"),
            ("http://user:pw@h/", "user info"),
            ("http://h:99999/", "0 to 65535"),
            ("http://h:+80/", "0 to 65535"),
            ("http://h:8o/", "0 to 65535"),
            ("http://[::1/", "closing"),
            ("http://[nope]/", "IPv6"),
            ("http://[::1]x/", "neither"),
            ("http://a,b/", "host name"),
        ] {
            let error = Url::parse(url).unwrap_err();
            assert!(error.contains(why), "{url}: {error}");
        }
    }
}
