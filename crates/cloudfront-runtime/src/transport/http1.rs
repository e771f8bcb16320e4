//! HTTP/1.1 on one connection, as a client needs it: write a request whole, read the
//! response head and its body as RFC 9112 frames it (`Content-Length`, chunked, or up to the
//! close), and tell whether the connection can carry another request.

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use tokio::io::ReadBuf;

use super::connect::Io;

/// A part of a response, for the limits and the messages: its name and the most bytes it
/// may have.
struct Part {
    name: &'static str,
    cap: usize,
}

/// The most interim (1xx) responses taken before the response.
const MAX_INTERIM: usize = 16;

/// The status line and headers.
const HEAD: Part = Part { name: "response head", cap: 64 * 1024 };
/// A chunk-size line, with its extensions.
const CHUNK_SIZE: Part = Part { name: "chunk size line", cap: 4 * 1024 };
/// The `\r\n` after a chunk's data.
const CHUNK_END: Part = Part { name: "chunk end", cap: 2 };
/// The trailer fields after the last chunk.
const TRAILER: Part = Part { name: "trailer section", cap: 64 * 1024 };

/// A connection, with what has been read from it and not used yet.
pub(crate) struct Conn {
    io: Box<dyn Io>,
    buffered: Vec<u8>,
    /// Requests on it go in absolute form (it leads to a proxy).
    pub absolute_form: bool,
}

/// A response read whole.
pub(crate) struct Response {
    pub status: u16,
    /// Names in lower case, in the order received.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The connection can carry another request.
    pub reusable: bool,
}

/// Why reading a response failed.
pub(crate) enum ReadError {
    /// Before the response head was whole: no valid response was received.
    Io(io::Error),
    /// While reading the body.
    Body(io::Error),
    /// No read finished within the read timeout.
    Timeout,
    /// The body exceeded the limit.
    TooLarge { status: u16 },
}

impl From<io::Error> for ReadError {
    fn from(error: io::Error) -> Self {
        ReadError::Io(error)
    }
}

fn invalid(why: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why.into())
}

fn closed(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, format!("the connection closed {what}"))
}

/// How the body of a response is delimited.
enum Framing {
    Empty,
    Length(u64),
    Chunked,
    UntilClose,
}

impl Conn {
    pub fn new(io: Box<dyn Io>, absolute_form: bool) -> Conn {
        Conn { io, buffered: Vec::new(), absolute_form }
    }

    /// Whether an idle connection is still open and quiet: the server has neither closed it
    /// nor sent anything unasked. Looks without waiting.
    pub fn is_idle_and_open(&mut self) -> bool {
        if !self.buffered.is_empty() {
            return false;
        }
        let mut probe = [0u8; 1];
        let mut buf = ReadBuf::new(&mut probe);
        let mut cx = Context::from_waker(Waker::noop());
        matches!(Pin::new(&mut *self.io).poll_read(&mut cx, &mut buf), Poll::Pending)
    }

    /// Writes all of `bytes` and flushes them.
    pub async fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        write_all(&mut self.io, bytes).await
    }

    /// Reads more of the connection into the buffer, waiting at most `timeout`; `Ok(0)` when
    /// the server has closed its side.
    async fn fill(&mut self, timeout: Duration) -> Result<usize, ReadError> {
        self.buffered.reserve(16 * 1024);
        let start = self.buffered.len();
        let io = &mut self.io;
        let mut buf = ReadBuf::uninit(self.buffered.spare_capacity_mut());
        let read = poll_fn(|cx| Pin::new(&mut **io).poll_read(cx, &mut buf));
        match tokio::time::timeout(timeout, read).await {
            Err(_) => return Err(ReadError::Timeout),
            Ok(result) => result?,
        }
        let n = buf.filled().len();
        // SAFETY: `ReadBuf` reports as filled only bytes that were written, and those are the
        // first `n` of the spare capacity.
        unsafe { self.buffered.set_len(start + n) };
        Ok(n)
    }

    /// One line (without its `\r\n`, or a bare `\n`) of `part`, which has `limit` of its
    /// bytes left.
    async fn line(&mut self, part: &Part, limit: usize, timeout: Duration) -> Result<Vec<u8>, ReadError> {
        let mut searched = 0;
        loop {
            if let Some(at) = self.buffered[searched..].iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.buffered.drain(..searched + at + 1).collect();
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if line.len() > limit {
                    break;
                }
                return Ok(line);
            }
            searched = self.buffered.len();
            if searched > limit {
                break;
            }
            if self.fill(timeout).await? == 0 {
                return Err(closed(&format!("in the middle of the {}", part.name)).into());
            }
        }
        Err(invalid(format!("the {} is longer than {} bytes", part.name, part.cap)).into())
    }

    /// Reads the response to a request with `method`: interim (1xx) answers are passed over,
    /// and the body is read whole, up to `max_body` bytes.
    pub async fn read_response(
        &mut self,
        method: &str,
        timeout: Duration,
        max_body: usize,
    ) -> Result<Response, ReadError> {
        // Interim answers (`100 Continue`, `103 Early Hints`) come before the response, a few
        // at most: a server that sends nothing else is not waited for forever.
        for _ in 0..MAX_INTERIM {
            let (version_11, status, headers) = self.read_head(timeout).await?;
            if status == 101 {
                return Err(invalid("the server switched protocols").into());
            }
            if (100..200).contains(&status) {
                continue;
            }
            let framing = framing(method, status, &headers)?;
            let body = self.read_body(&framing, status, timeout, max_body).await.map_err(|e| match e {
                ReadError::Io(e) => ReadError::Body(e),
                other => other,
            })?;
            let keep_alive = version_11 && !has_token(&headers, "connection", "close");
            let reusable = keep_alive && !matches!(framing, Framing::UntilClose);
            return Ok(Response { status, headers, body, reusable });
        }
        Err(invalid(format!("more than {MAX_INTERIM} interim (1xx) responses")).into())
    }

    async fn read_body(
        &mut self,
        framing: &Framing,
        status: u16,
        timeout: Duration,
        max_body: usize,
    ) -> Result<Vec<u8>, ReadError> {
        let mut body = Vec::new();
        let too_large = || ReadError::TooLarge { status };
        match framing {
            Framing::Empty => {}
            &Framing::Length(length) => {
                if length > max_body as u64 {
                    return Err(too_large());
                }
                self.read_exact_into(&mut body, length as usize, timeout).await?;
            }
            Framing::Chunked => self.read_chunked(&mut body, max_body, timeout).await.map_err(|e| match e {
                ReadError::TooLarge { .. } => too_large(),
                other => other,
            })?,
            Framing::UntilClose => {
                body.append(&mut self.buffered);
                while self.fill(timeout).await? > 0 {
                    if body.len() + self.buffered.len() > max_body {
                        return Err(too_large());
                    }
                    body.append(&mut self.buffered);
                }
            }
        }
        if body.len() > max_body {
            return Err(too_large());
        }
        Ok(body)
    }

    /// The status line and headers: whether the version is 1.1, the status, the headers.
    async fn read_head(&mut self, timeout: Duration) -> Result<(bool, u16, Vec<(String, String)>), ReadError> {
        // The head is taken whole once its empty line has arrived.
        let mut searched = 0;
        let end = loop {
            if let Some(end) = head_end(&self.buffered, searched) {
                break end;
            }
            if self.buffered.len() > HEAD.cap {
                break usize::MAX;
            }
            // The end may straddle two reads.
            searched = self.buffered.len().saturating_sub(2);
            if self.fill(timeout).await? == 0 {
                return Err(closed("in the middle of the response head").into());
            }
        };
        if end > HEAD.cap {
            return Err(invalid(format!("the {} is longer than {} bytes", HEAD.name, HEAD.cap)).into());
        }
        let head: Vec<u8> = self.buffered.drain(..end).collect();
        let mut lines = head.split(|&b| b == b'\n').map(|line| line.strip_suffix(b"\r").unwrap_or(line));
        let (version_11, status) = status_of(lines.next().unwrap_or_default())?;
        let headers = lines.take_while(|line| !line.is_empty()).map(header_of).collect::<io::Result<_>>()?;
        Ok((version_11, status, headers))
    }

    async fn read_exact_into(&mut self, body: &mut Vec<u8>, length: usize, timeout: Duration) -> Result<(), ReadError> {
        let wanted = body.len() + length;
        body.reserve(length);
        while body.len() < wanted {
            if self.buffered.is_empty() && self.fill(timeout).await? == 0 {
                return Err(closed("before the whole body arrived").into());
            }
            let take = self.buffered.len().min(wanted - body.len());
            body.extend(self.buffered.drain(..take));
        }
        Ok(())
    }

    async fn read_chunked(&mut self, body: &mut Vec<u8>, max_body: usize, timeout: Duration) -> Result<(), ReadError> {
        loop {
            let line = self.line(&CHUNK_SIZE, CHUNK_SIZE.cap, timeout).await?;
            let size = chunk_size(&line)?;
            if size == 0 {
                break;
            }
            if body.len() as u64 + size > max_body as u64 {
                return Err(ReadError::TooLarge { status: 0 });
            }
            self.read_exact_into(body, size as usize, timeout).await?;
            if !self.line(&CHUNK_END, CHUNK_END.cap, timeout).await?.is_empty() {
                return Err(invalid("a chunk is longer than its size says").into());
            }
        }
        // Trailer fields, up to the empty line, are not used.
        let mut size = 0;
        loop {
            let line = self.line(&TRAILER, TRAILER.cap.saturating_sub(size), timeout).await?;
            size += line.len() + 2;
            if line.is_empty() {
                return Ok(());
            }
        }
    }
}

/// Writes all of `bytes` to `io` and flushes them. (By hand: tokio's `io-util` feature, for
/// one `write_all`, would be compiled into every program.)
pub(crate) async fn write_all(io: &mut Box<dyn Io>, mut bytes: &[u8]) -> io::Result<()> {
    while !bytes.is_empty() {
        let written = poll_fn(|cx| Pin::new(&mut **io).poll_write(cx, bytes)).await?;
        if written == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        bytes = &bytes[written..];
    }
    poll_fn(|cx| Pin::new(&mut **io).poll_flush(cx)).await
}

/// Where the head in `buffer` ends (after its empty line), looking from `from` on.
fn head_end(buffer: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(newline) = buffer[at..].iter().position(|&b| b == b'\n') {
        let after = at + newline + 1;
        match &buffer[after..] {
            [b'\n', ..] => return Some(after + 1),
            [b'\r', b'\n', ..] => return Some(after + 2),
            _ => at = after,
        }
    }
    None
}

/// `HTTP/1.x NNN reason`: whether the version is 1.1 (or later), and the status.
pub(crate) fn status_of(line: &[u8]) -> io::Result<(bool, u16)> {
    let text = std::str::from_utf8(line).unwrap_or_default();
    let mut parts = text.splitn(3, ' ');
    let version = parts.next().unwrap_or_default();
    let code = parts.next().unwrap_or_default();
    let minor = version.strip_prefix("HTTP/1.").filter(|m| m.len() == 1 && m.as_bytes()[0].is_ascii_digit());
    match (minor, code.parse::<u16>()) {
        (Some(minor), Ok(status)) if code.len() == 3 && (100..600).contains(&status) => Ok((minor != "0", status)),
        _ => Err(invalid(format!(
            "the answer is not an HTTP/1 response: {:?}",
            String::from_utf8_lossy(&line[..line.len().min(64)])
        ))),
    }
}

/// `Name: value`, the name in lower case and the value without surrounding blanks.
fn header_of(line: &[u8]) -> io::Result<(String, String)> {
    let colon = line.iter().position(|&b| b == b':').ok_or_else(|| invalid("a response header line has no `:`"))?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    if name.is_empty() || !name.iter().all(|&b| is_token(b)) {
        return Err(invalid(format!("invalid response header name {:?}", String::from_utf8_lossy(name))));
    }
    let value = value.trim_ascii();
    if !is_field_value(value) {
        return Err(invalid(format!(
            "the response header {} holds a control character",
            String::from_utf8_lossy(name)
        )));
    }
    Ok((String::from_utf8_lossy(name).to_ascii_lowercase(), String::from_utf8_lossy(value).into_owned()))
}

/// A header value HTTP can carry, sent or received: no line break, nor any other control
/// character but tab.
pub(crate) fn is_field_value(value: &[u8]) -> bool {
    value.iter().all(|&b| (b >= 0x20 && b != 0x7f) || b == b'\t')
}

/// A byte of an HTTP token (a method or a header name), RFC 9110 §5.6.2.
pub(crate) fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(b, b'!' | b'#'..=b'\'' | b'*' | b'+' | b'-' | b'.' | b'^'..=b'`' | b'|' | b'~')
}

/// Whether a comma-separated header holds `token` (in any case).
fn has_token(headers: &[(String, String)], name: &str, token: &str) -> bool {
    headers
        .iter()
        .filter(|(k, _)| k == name)
        .flat_map(|(_, v)| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// RFC 9112 §6.3, for a response to `method`.
fn framing(method: &str, status: u16, headers: &[(String, String)]) -> io::Result<Framing> {
    if method == "HEAD" || status == 204 || status == 304 {
        return Ok(Framing::Empty);
    }
    let codings: Vec<&str> = headers
        .iter()
        .filter(|(k, _)| k == "transfer-encoding")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if let Some(last) = codings.last() {
        return Ok(if last.eq_ignore_ascii_case("chunked") { Framing::Chunked } else { Framing::UntilClose });
    }
    let mut length = None;
    for value in headers.iter().filter(|(k, _)| k == "content-length").flat_map(|(_, v)| v.split(',')) {
        let value = value.trim();
        let parsed = value
            .parse::<u64>()
            .ok()
            .filter(|_| !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| invalid(format!("invalid Content-Length {value:?}")))?;
        if length.is_some_and(|seen| seen != parsed) {
            return Err(invalid("the response has differing Content-Length values"));
        }
        length = Some(parsed);
    }
    Ok(match length {
        Some(0) => Framing::Empty,
        Some(n) => Framing::Length(n),
        None => Framing::UntilClose,
    })
}

/// The size in a chunk-size line (`hex[;extensions]`).
fn chunk_size(line: &[u8]) -> io::Result<u64> {
    let hex = line.split(|&b| b == b';').next().unwrap_or_default().trim_ascii();
    let bad = || invalid(format!("invalid chunk size {:?}", String::from_utf8_lossy(&line[..line.len().min(32)])));
    if hex.is_empty() || hex.len() > 15 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return Err(bad());
    }
    u64::from_str_radix(std::str::from_utf8(hex).map_err(|_| bad())?, 16).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWrite;

    /// Reads a response to `method` from `wire`, as a server would have sent it.
    fn read(method: &str, wire: &[u8], max_body: usize) -> Result<Response, String> {
        let (client, mut server) = tokio::io::duplex(1 << 20);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        runtime.block_on(async {
            poll_fn(|cx| Pin::new(&mut server).poll_write(cx, wire)).await.unwrap();
            drop(server);
            let mut conn = Conn::new(Box::new(client), false);
            conn.read_response(method, Duration::from_secs(5), max_body).await.map_err(|e| match e {
                ReadError::Io(e) | ReadError::Body(e) => e.to_string(),
                ReadError::Timeout => "timeout".into(),
                ReadError::TooLarge { status } => format!("too large ({status})"),
            })
        })
    }

    #[test]
    fn bodies_are_framed_by_length_chunks_or_the_close() {
        let r = read("GET", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A:  b \r\n\r\nhelloEXTRA", 100).unwrap();
        assert_eq!((r.status, r.body.as_slice(), r.reusable), (200, &b"hello"[..], true));
        assert_eq!(r.headers, vec![("content-length".into(), "5".into()), ("x-a".into(), "b".into())]);
        let r = read("GET", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: 1\r\n\r\n", 100)
            .unwrap();
        assert_eq!((r.body.as_slice(), r.reusable), (&b"abc0123456789abcdef"[..], true));
        let r = read("GET", b"HTTP/1.1 200 OK\r\n\r\nto the end", 100).unwrap();
        assert_eq!((r.body.as_slice(), r.reusable), (&b"to the end"[..], false));
        let r = read("HEAD", b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", 100).unwrap();
        assert!(r.body.is_empty() && r.reusable);
        let r = read("GET", b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\n\n", 100).unwrap();
        assert_eq!(r.status, 204);
        let r =
            read("GET", b"HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 0\r\n\r\n", 100).unwrap();
        assert!(!r.reusable);
        let r = read("GET", b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", 100).unwrap();
        assert!(!r.reusable);
    }

    #[test]
    fn broken_and_oversized_responses_are_errors() {
        for (wire, why) in [
            (&b"SSH-2.0-OpenSSH\r\n\r\n"[..], "not an HTTP/1 response"),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nshort", "before the whole body"),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "differing"),
            (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "invalid Content-Length"),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "invalid chunk size"),
            (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", "longer than its size"),
            (b"HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n", "header name"),
            (b"HTTP/1.1 200 OK\r\nContent-Le", "in the middle of the response head"),
            (b"HTTP/1.1 101 Switching Protocols\r\n\r\n", "switched"),
            (&b"HTTP/1.1 100 Continue\r\n\r\n".repeat(17), "more than 16 interim"),
            (b"HTTP/1.1 200 OK\r\nContent-Length: 101\r\n\r\n", "too large (200)"),
            (b"HTTP/1.1 500 OK\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n", "too large (500)"),
            (b"HTTP/1.1 200 OK\r\n\r\n", ""),
        ] {
            match read("GET", wire, 100) {
                Err(error) => assert!(error.contains(why), "{error}"),
                Ok(_) => assert!(why.is_empty(), "{:?} was taken", String::from_utf8_lossy(wire)),
            }
        }
        let long_head = [&b"HTTP/1.1 200 OK\r\nX: "[..], &vec![b'a'; HEAD.cap], b"\r\n\r\n"].concat();
        assert!(read("GET", &long_head, 100).err().unwrap().contains("response head is longer than 65536 bytes"));
    }
}
