//! The HTTP request the serializers build and the response the parsers read: the types
//! transport, signing, retries and generated code all pass around.

/// An HTTP request as the serializers build it, before endpoint resolution and signing.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The percent-encoded path, starting with `/`.
    pub path: String,
    /// Percent-encoded `key=value` (or bare `key`) pairs, in the order they are sent.
    pub query: Vec<String>,
    /// Header names and values, in the order they were added.
    pub headers: Vec<(String, String)>,
    /// The body: bytes (empty for none), or a file read as it is sent.
    pub body: crate::Body,
    /// Prepended to the endpoint's host (the `@endpoint` host prefix), usually empty.
    pub host_prefix: String,
}

impl HttpRequest {
    /// A request with no query, headers or body.
    pub fn new(method: &str, path: String) -> Self {
        HttpRequest {
            method: method.to_owned(),
            path,
            query: Vec::new(),
            headers: Vec::new(),
            body: crate::Body::default(),
            host_prefix: String::new(),
        }
    }

    /// Appends a query parameter, percent-encoding key and value.
    pub fn push_query(&mut self, key: &str, value: &str) {
        self.query.push(format!(
            "{}={}",
            crate::percent::encode(key.as_bytes(), false),
            crate::percent::encode(value.as_bytes(), false)
        ));
    }

    /// Whether a query parameter with this (unencoded) key was already added.
    pub fn has_query(&self, key: &str) -> bool {
        let encoded = crate::percent::encode(key.as_bytes(), false);
        self.query.iter().any(|q| q.split('=').next() == Some(encoded.as_str()))
    }

    /// Appends a header.
    pub fn push_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.push((name.to_owned(), value.into()));
    }

    /// Adds `Content-Length` for a non-empty body, unless a member already set it (S3's
    /// `ContentLength`; the transport refuses a value that disagrees with the body).
    pub fn set_content_length(&mut self) {
        if !self.body.is_empty() && self.header("Content-Length").is_none() {
            self.push_header("Content-Length", self.body.len().to_string());
        }
    }

    /// Path and query exactly as they go on the request line.
    pub fn target(&self) -> String {
        if self.query.is_empty() { self.path.clone() } else { format!("{}?{}", self.path, self.query.join("&")) }
    }

    /// The first header with this name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// An HTTP response handed to the generated parsers.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names and values as received.
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// A response as received.
    pub fn new(status: u16, headers: Vec<(String, String)>, body: Vec<u8>) -> Self {
        HttpResponse { status, headers, body }
    }

    /// The first header with this name, compared case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Every header whose name starts with `prefix` (case-insensitively), with the prefix removed.
    pub fn headers_with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.headers.iter().filter_map(move |(k, v)| {
            let head = k.get(..prefix.len())?;
            head.eq_ignore_ascii_case(prefix).then(|| (&k[prefix.len()..], v.as_str()))
        })
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}
