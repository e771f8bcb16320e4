//! Which proxy a request goes through, read from the environment the way the AWS CLI reads it
//! (Python's `urllib`, as botocore uses it): `http_proxy` for `http://` URLs, `https_proxy`
//! for `https://` URLs, the lower-case name winning over the upper-case one, and `no_proxy`
//! naming hosts (and their subdomains) that are reached directly. As in `urllib`, `HTTP_PROXY`
//! is ignored when `REQUEST_METHOD` is set (a CGI process, where any client may set it).
//! reqwest asks [`Proxies::for_target`] for every request (a custom proxy matcher).

use std::fmt;
use std::net::IpAddr;

use super::Url;

/// The proxies of the environment, decided once per transport.
#[derive(Debug, Default)]
pub(crate) struct Proxies {
    http: Option<Result<Proxy, String>>,
    https: Option<Result<Proxy, String>>,
    bypass: Bypass,
    /// Never send loopback and link-local hosts through a proxy (the credential endpoints).
    direct_to_local: bool,
}

/// A proxy: the URL reqwest connects to, with the user info botocore would send as basic
/// `Proxy-Authorization` (a user name and a password, both non-empty), and how it is shown.
pub(crate) struct Proxy {
    /// `scheme://[user:password@]host[:port]`.
    pub url: Url,
    /// `scheme://host[:port]`, without the user info: what messages show.
    shown: String,
}

impl Proxy {
    /// The proxy's URL without its user info.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// `Basic …` from the URL's user info (percent-decoded), when it has one.
    pub fn basic_credentials(&self) -> Option<String> {
        use base64::Engine;
        if self.url.username().is_empty() {
            return None;
        }
        let decode = |text: &str| percent_encoding::percent_decode_str(text).decode_utf8_lossy().into_owned();
        let pair = format!("{}:{}", decode(self.url.username()), decode(self.url.password().unwrap_or_default()));
        Some(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(pair)))
    }
}

impl fmt::Debug for Proxy {
    // The URL holds a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Proxy")
            .field("url", &self.shown)
            .field("credentials", &(!self.url.username().is_empty()).then_some("[REDACTED]"))
            .finish()
    }
}

/// `no_proxy`: everything, or a list of host names (lower case, leading dots taken off).
#[derive(Debug, Default)]
enum Bypass {
    #[default]
    Nothing,
    Everything,
    Hosts(Vec<String>),
}

impl Proxies {
    /// The proxies the process environment names. Only the variables the rules read are
    /// copied (this runs for every client built), not the whole environment.
    pub fn from_env() -> Proxies {
        let read = |name: &str| {
            name == "REQUEST_METHOD"
                || name.len() > 6 && name.as_bytes()[name.len() - 6..].eq_ignore_ascii_case(b"_proxy")
        };
        Proxies::from_vars(std::env::vars_os().filter_map(|(k, v)| {
            let name = k.into_string().ok().filter(|name| read(name))?;
            Some((name, v.into_string().ok()?))
        }))
    }

    /// The same, from given variables.
    pub fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Proxies {
        let vars: Vec<(String, String)> = vars.into_iter().collect();
        let cgi = vars.iter().any(|(k, _)| k == "REQUEST_METHOD");
        // The last word per scheme: any spelling first, then the lower-case one overrides
        // (an empty lower-case value unsets it).
        let mut found: [(&str, Option<String>); 3] = [("http", None), ("https", None), ("no", None)];
        for (name, value) in &vars {
            let lower = name.to_ascii_lowercase();
            for (scheme, slot) in &mut found {
                if lower.strip_suffix("_proxy") == Some(*scheme) && !value.is_empty() {
                    *slot = Some(value.clone());
                }
            }
        }
        if cgi {
            found[0].1 = None;
        }
        for (name, value) in &vars {
            for (scheme, slot) in &mut found {
                if name.strip_suffix("_proxy").is_some_and(|prefix| prefix.eq_ignore_ascii_case(scheme)) {
                    *slot = (!value.is_empty()).then(|| value.clone());
                }
            }
        }
        let [(_, http), (_, https), (_, no)] = found;
        Proxies {
            http: http.map(|url| Proxy::parse(&url).map_err(|why| format!("http_proxy {:?}: {why}", masked(&url)))),
            https: https.map(|url| Proxy::parse(&url).map_err(|why| format!("https_proxy {:?}: {why}", masked(&url)))),
            bypass: Bypass::parse(no.as_deref()),
            direct_to_local: false,
        }
    }

    /// The same proxies, except that loopback and link-local hosts are always reached directly.
    pub fn direct_to_local(mut self) -> Proxies {
        self.direct_to_local = true;
        self
    }

    /// The proxy for a request to `target`, if any; an error when the one configured for its
    /// scheme is not a usable proxy URL.
    pub fn for_target(&self, target: &Url) -> Result<Option<&Proxy>, String> {
        let host = target.host_str().unwrap_or_default();
        if self.direct_to_local && is_local_host(host) {
            return Ok(None);
        }
        let proxy = if target.scheme() == "https" { &self.https } else { &self.http };
        match proxy {
            None => Ok(None),
            Some(_) if self.bypass.covers(target) => Ok(None),
            Some(Ok(proxy)) => Ok(Some(proxy)),
            Some(Err(why)) => Err(why.clone()),
        }
    }
}

/// A proxy URL fit for a message: user info (it holds a password) shown as `***:***`, as
/// botocore masks it.
fn masked(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    let end = url[start..].find(['/', '?', '#']).map_or(url.len(), |i| start + i);
    match url[start..end].rfind('@') {
        Some(at) => format!("{}***:***{}", &url[..start], &url[start + at..]),
        None => url.to_owned(),
    }
}

/// `localhost`, or a literal loopback or link-local address (IPv6 in brackets or not).
fn is_local_host(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || super::unbracketed(host).parse::<IpAddr>().is_ok_and(is_local)
}

/// Loopback, or link-local (the EC2 and ECS/EKS metadata addresses).
fn is_local(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_link_local(),
        // fd00:ec2::/32 is where EC2 and EKS put their IPv6 metadata endpoints.
        IpAddr::V6(v6) => {
            v6.is_loopback() || (v6.segments()[0] & 0xffc0) == 0xfe80 || v6.segments()[..2] == [0xfd00, 0x0ec2]
        }
    }
}

impl Proxy {
    /// A proxy URL as botocore takes it: `host:port` alone means `http://host:port`; user
    /// info (percent-encoded) becomes basic authorization when it has both a user name and a
    /// password (botocore sends none otherwise).
    fn parse(url: &str) -> Result<Proxy, String> {
        let url = if url.starts_with("http:") || url.starts_with("https:") {
            url.to_owned()
        } else if url.starts_with("//") {
            format!("http:{url}")
        } else {
            format!("http://{url}")
        };
        let (scheme, rest) = url.split_once("://").ok_or("it is not a URL")?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let (user_info, host) = match authority.rsplit_once('@') {
            Some((user_info, host)) => (Some(user_info), host),
            None => (None, authority),
        };
        if host.is_empty() {
            return Err("it names no host".into());
        }
        let shown = format!("{scheme}://{host}");
        let mut url = super::parse_url(&shown)?;
        if let Some((user, password)) = user_info.and_then(|info| info.split_once(':'))
            && !user.is_empty()
            && !password.is_empty()
        {
            // reqwest percent-decodes them into the basic credentials.
            let bad = |_| "its user info is not valid".to_owned();
            url.set_username(user).map_err(bad)?;
            url.set_password(Some(password)).map_err(bad)?;
        }
        Ok(Proxy { url, shown })
    }
}

impl Bypass {
    fn parse(no_proxy: Option<&str>) -> Bypass {
        match no_proxy.map(str::trim) {
            None | Some("") => Bypass::Nothing,
            Some("*") => Bypass::Everything,
            Some(list) => Bypass::Hosts(
                list.split(',')
                    .map(|name| name.trim().trim_start_matches('.').to_ascii_lowercase())
                    .filter(|name| !name.is_empty())
                    .collect(),
            ),
        }
    }

    /// `urllib`'s rule: an entry matches the host, or the `host:port`, exactly or as a
    /// domain suffix.
    fn covers(&self, target: &Url) -> bool {
        let names = match self {
            Bypass::Nothing => return false,
            Bypass::Everything => return true,
            Bypass::Hosts(names) => names,
        };
        let host = target.host_str().unwrap_or_default().to_ascii_lowercase();
        let authority = match target.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.clone(),
        };
        let candidates = [host, authority];
        names.iter().any(|name| {
            candidates.iter().any(|candidate| {
                candidate == name || candidate.strip_suffix(name.as_str()).is_some_and(|head| head.ends_with('.'))
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(vars: &[(&str, &str)]) -> Proxies {
        Proxies::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    fn proxy_for(proxies: &Proxies, url: &str) -> Option<String> {
        proxies.for_target(&url.parse().unwrap()).unwrap().map(|p| p.url.to_string())
    }

    #[test]
    fn each_scheme_has_its_own_variable_and_lower_case_wins() {
        let p =
            proxies(&[("HTTP_PROXY", "http://upper:1"), ("http_proxy", "http://lower:2"), ("HTTPS_PROXY", "tls:3")]);
        assert_eq!(proxy_for(&p, "http://example.com/x").as_deref(), Some("http://lower:2/"));
        assert_eq!(proxy_for(&p, "https://example.com/x").as_deref(), Some("http://tls:3/"));
        let p = proxies(&[("HTTPS_PROXY", "http://upper:1"), ("https_proxy", "")]);
        assert_eq!(proxy_for(&p, "https://example.com/x"), None, "an empty lower-case value unsets it");
        let p = proxies(&[("HTTP_PROXY", "http://upper:1"), ("REQUEST_METHOD", "GET")]);
        assert_eq!(proxy_for(&p, "http://example.com/x"), None, "HTTP_PROXY is ignored under CGI");
    }

    #[test]
    fn no_proxy_matches_hosts_and_their_subdomains() {
        let p = proxies(&[("https_proxy", "proxy:3128"), ("no_proxy", " .internal.example , localhost:9000,other")]);
        assert_eq!(proxy_for(&p, "https://a.internal.example/").as_deref(), None);
        assert_eq!(proxy_for(&p, "https://internal.example/").as_deref(), None);
        assert_eq!(proxy_for(&p, "https://localhost:9000/").as_deref(), None);
        assert_eq!(proxy_for(&p, "https://other/").as_deref(), None);
        assert_eq!(proxy_for(&p, "https://notinternal.example/").as_deref(), Some("http://proxy:3128/"));
        assert_eq!(proxy_for(&p, "https://localhost:9001/").as_deref(), Some("http://proxy:3128/"));
        assert_eq!(proxy_for(&proxies(&[("https_proxy", "p:1"), ("NO_PROXY", "*")]), "https://x/"), None);
    }

    #[test]
    fn user_info_goes_to_reqwest_only_with_a_user_and_a_password_and_is_never_printed() {
        let p = proxies(&[("https_proxy", "http://us%40er:p%3Ass@proxy:8080")]);
        let proxy = p.for_target(&"https://x/".parse().unwrap()).unwrap().unwrap();
        assert_eq!(proxy.shown(), "http://proxy:8080");
        assert_eq!((proxy.url.username(), proxy.url.password()), ("us%40er", Some("p%3Ass")));
        assert!(!format!("{p:?}").contains("p%3Ass"));
        // botocore sends no Proxy-Authorization without both (`if username and password`).
        for info in ["user", "user:", ":pw"] {
            let p = proxies(&[("https_proxy", &format!("http://{info}@proxy:8080"))]);
            let proxy = p.for_target(&"https://x/".parse().unwrap()).unwrap().unwrap();
            assert_eq!(proxy.url.as_str(), "http://proxy:8080/", "{info}");
        }
    }

    #[test]
    fn local_addresses() {
        for local in ["127.0.0.1", "127.8.9.10", "::1", "169.254.169.254", "169.254.170.23", "fd00:ec2::23", "fe80::1"]
        {
            assert!(is_local(local.parse().unwrap()), "{local}");
        }
        for remote in ["10.0.0.1", "8.8.8.8", "fd00:ec3::1", "2001:db8::1"] {
            assert!(!is_local(remote.parse().unwrap()), "{remote}");
        }
    }

    #[test]
    fn local_hosts_can_be_kept_direct() {
        let p = proxies(&[("http_proxy", "http://proxy:1")]).direct_to_local();
        assert_eq!(proxy_for(&p, "http://169.254.169.254/latest"), None);
        assert_eq!(proxy_for(&p, "http://[fd00:ec2::254]/latest"), None);
        assert_eq!(proxy_for(&p, "http://sts.example/").as_deref(), Some("http://proxy:1/"));
    }

    #[test]
    fn an_error_about_a_proxy_url_never_shows_its_password() {
        let p = proxies(&[("https_proxy", "http://user:secret@proxy:99999")]);
        let error = p.for_target(&"https://x/".parse().unwrap()).unwrap_err();
        assert!(error.contains("http://***:***@proxy:99999"), "{error}");
        assert!(!error.contains("secret") && !format!("{p:?}").contains("secret"), "{error}");
        assert_eq!(masked("user:pw@host:1/path@x"), "***:***@host:1/path@x");
    }

    #[test]
    fn a_bad_proxy_url_is_an_error_only_where_it_is_used() {
        let p = proxies(&[("http_proxy", "http://"), ("https_proxy", "http://good:1")]);
        assert!(p.for_target(&"http://x/".parse().unwrap()).unwrap_err().contains("http_proxy"));
        assert!(p.for_target(&"https://x/".parse().unwrap()).unwrap().is_some());
    }
}
