//! A small HTTP/1.1 server for tests. It listens on a free port of 127.0.0.1 only, records
//! every request, and answers each as the test's handler says: a response, a dropped
//! connection, or a stall. Connections are kept alive, as AWS endpoints do.

pub mod cloudfront;
pub mod faults;
pub mod identity;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server received it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    pub method: String,
    /// Path and query as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    /// A header by name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What to do with a request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Answer with this status, headers and body.
    Respond { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// Close the connection without answering (after reading the request).
    Drop,
    /// Wait this long, then close without answering.
    Stall(Duration),
    /// Wait this long, then answer with this status, headers and body.
    Late { wait: Duration, status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// Send the head, then `chunk` again and again (`count` times, or until the client goes
    /// away), waiting `pause` between chunks: endless, huge or trickling bodies.
    Stream { status: u16, headers: Vec<(String, String)>, chunk: Vec<u8>, count: Option<u64>, pause: Duration },
}

impl Reply {
    /// A response with a body and no extra headers.
    pub fn status(status: u16, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Respond { status, headers: Vec::new(), body: body.into() }
    }

    /// Adds a header to a response.
    pub fn header(self, name: &str, value: &str) -> Reply {
        match self {
            Reply::Respond { status, mut headers, body } => {
                headers.push((name.to_owned(), value.to_owned()));
                Reply::Respond { status, headers, body }
            }
            other => other,
        }
    }
}

type Handler = dyn Fn(&Recorded, usize) -> Reply + Send + Sync;

/// A running server; it stops when dropped.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub url: String,
    log: Arc<Mutex<Log>>,
    task: tokio::task::JoinHandle<()>,
}

/// What the server keeps of the requests it saw.
#[derive(Default)]
struct Log {
    /// Keep every request (off for servers that measure a client's memory).
    keep: bool,
    requests: Vec<Recorded>,
    count: usize,
}

impl TestServer {
    /// Starts a server whose handler sees each request and its 0-based index.
    pub async fn start(handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) -> TestServer {
        Self::start_on(0, handler).await
    }

    /// Like [`TestServer::start`] on a given port of 127.0.0.1 (0 for any free one).
    pub async fn start_on(
        port: u16,
        handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        Self::listen(port, true, Arc::new(handler)).await
    }

    /// Like [`TestServer::start`], but keeping no request ([`TestServer::requests`] stays
    /// empty): for runs of many thousands of requests whose memory is being measured.
    pub async fn start_unrecorded(handler: impl Fn(&Recorded, usize) -> Reply + Send + Sync + 'static) -> TestServer {
        Self::listen(0, false, Arc::new(handler)).await
    }

    async fn listen(port: u16, keep: bool, handler: Arc<Handler>) -> TestServer {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.expect("a free loopback port");
        let url = format!("http://{}", listener.local_addr().expect("bound"));
        let log = Arc::new(Mutex::new(Log { keep, ..Log::default() }));
        let shared = log.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, handler.clone(), shared.clone()));
            }
        });
        TestServer { url, log, task }
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().expect("not poisoned").requests.clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A response as read from an upstream server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// Sends `request` to `upstream` (`host:port`) over a fresh connection and reads the reply;
/// `None` when the upstream cannot be reached or answers garbage.
pub async fn forward(upstream: &str, request: &Recorded) -> Option<Response> {
    let mut stream = TcpStream::connect(upstream).await.ok()?;
    let mut head = format!("{} {} HTTP/1.1\r\n", request.method, request.target);
    for (name, value) in &request.headers {
        if !name.eq_ignore_ascii_case("connection") {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("connection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.ok()?;
    stream.write_all(&request.body).await.ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.ok()?;
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())))
        .filter(|(k, _)| {
            !k.eq_ignore_ascii_case("content-length")
                && !k.eq_ignore_ascii_case("connection")
                && !k.eq_ignore_ascii_case("transfer-encoding")
        })
        .collect();
    Some(Response { status, headers, body: raw[end + 4..].to_vec() })
}

/// Writes a response on a connection (keeping it alive).
pub async fn write_response(stream: &mut TcpStream, response: &Response) -> bool {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\ncontent-length: {}\r\n",
        response.status,
        reason(response.status),
        response.body.len()
    );
    for (name, value) in &response.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.is_ok() && stream.write_all(&response.body).await.is_ok()
}

async fn serve(mut stream: TcpStream, handler: Arc<Handler>, log: Arc<Mutex<Log>>) {
    // Answers go out as soon as they are written: with Nagle's algorithm, a response written
    // in two parts waits for the client's delayed ACK (40 ms a request).
    let _ = stream.set_nodelay(true);
    // Bounded: a test connection carries at most this many requests.
    for _ in 0..100_000 {
        let Some(request) = read_request(&mut stream).await else { return };
        let index = {
            let mut log = log.lock().expect("not poisoned");
            if log.keep {
                log.requests.push(request.clone());
            }
            log.count += 1;
            log.count - 1
        };
        match handler(&request, index) {
            Reply::Respond { status, headers, body } => {
                if !write_response(&mut stream, &Response { status, headers, body }).await {
                    return;
                }
            }
            Reply::Late { wait, status, headers, body } => {
                tokio::time::sleep(wait).await;
                if !write_response(&mut stream, &Response { status, headers, body }).await {
                    return;
                }
            }
            Reply::Stream { status, headers, chunk, count, pause } => {
                let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                // Bounded: at most 2^32 chunks even when `count` is unlimited.
                for _ in 0..count.unwrap_or(u64::from(u32::MAX)) {
                    if stream.write_all(&chunk).await.is_err() {
                        return;
                    }
                    if !pause.is_zero() {
                        tokio::time::sleep(pause).await;
                    }
                }
                return;
            }
            Reply::Drop => return,
            Reply::Stall(duration) => {
                tokio::time::sleep(duration).await;
                return;
            }
        }
    }
}

/// Reads one request from a connection; `None` at end of stream or on garbage.
pub async fn read_request(stream: &mut TcpStream) -> Option<Recorded> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > 1 << 20 {
            return None;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))).collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buffer[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(length);
    Some(Recorded { method, target, headers, body })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
