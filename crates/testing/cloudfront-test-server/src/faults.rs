//! A CloudFront of its own that injects faults, for tests that check the client, not a proxy:
//! the server keeps CloudFront's `CallerReference` semantics itself (the same reference with
//! the same paths returns the existing invalidation; with other paths it is
//! `InvalidationBatchAlreadyExists`), counts the invalidations it creates, and records every
//! reference sent for each batch of paths, whatever happened to the request.
//!
//! Faults follow a fixed schedule over the requests: a connection reset before the request is
//! read or after it was carried out, 5xx with and without a body, throttling, a stall past the
//! client's read timeout (before or after carrying the request out), and a truncated body.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use crate::cloudfront::{CloudFront, between};
use crate::{Recorded, Reply, Response, read_request, write_response};

/// What happens to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Fault {
    /// Carried out and answered.
    None,
    /// The connection is closed once the request has arrived, before it is carried out.
    ResetBeforeRead,
    /// Carried out, then the connection is closed: the answer is lost.
    ResetAfterCarriedOut,
    /// `500 InternalError` with an error document; not carried out.
    Status500,
    /// `503` with no body at all; not carried out.
    Status503Empty,
    /// `400 Throttling`; not carried out.
    Throttling,
    /// Held past the client's read timeout, then closed; not carried out.
    StallBeforeCarriedOut,
    /// Carried out, then held past the read timeout and closed.
    StallAfterCarriedOut,
    /// Carried out, then half the response body is sent and the connection closed.
    TruncatedBody,
}

impl Fault {
    /// Whether the request is carried out before the fault strikes.
    fn carries_out(self) -> bool {
        matches!(self, Fault::None | Fault::ResetAfterCarriedOut | Fault::StallAfterCarriedOut | Fault::TruncatedBody)
    }
}

/// A fixed schedule over the request count: 41 entries (prime, so it does not line up with
/// the client's attempt counts), a third of them faults, every kind present.
pub fn schedule(index: usize) -> Fault {
    use Fault::*;
    const PATTERN: [Fault; 41] = [
        None,
        ResetAfterCarriedOut,
        None,
        Status503Empty,
        None,
        Throttling,
        None,
        None,
        StallAfterCarriedOut,
        None,
        Status500,
        None,
        None,
        ResetBeforeRead,
        None,
        TruncatedBody,
        None,
        None,
        Throttling,
        None,
        None,
        StallBeforeCarriedOut,
        None,
        None,
        ResetAfterCarriedOut,
        None,
        None,
        Status503Empty,
        None,
        None,
        None,
        TruncatedBody,
        None,
        None,
        Status500,
        None,
        None,
        None,
        Throttling,
        None,
        None,
    ];
    PATTERN[index % PATTERN.len()]
}

/// An invalidation the server created.
#[derive(Clone, Debug)]
pub struct Created {
    pub id: String,
    pub paths: Vec<String>,
}

/// What the server saw and did.
#[derive(Debug)]
pub struct Ledger {
    /// The CloudFront that carries requests out (no throttling or in-progress limits of its
    /// own: the faults are what is tested; an invalidation completes once read).
    pub cloudfront: CloudFront,
    /// Invalidations created, by `CallerReference`.
    pub created: BTreeMap<String, Created>,
    /// Every reference sent for each batch (its paths joined by newlines), retries included.
    pub references: BTreeMap<String, BTreeSet<String>>,
    /// How many requests met each fault.
    pub faults: BTreeMap<String, usize>,
    /// Requests read (or reset before reading).
    pub requests: usize,
    /// Requests read per batch.
    pub seen: BTreeMap<String, usize>,
}

impl Default for Ledger {
    fn default() -> Self {
        Ledger {
            cloudfront: CloudFront { unlimited: true, ..CloudFront::completing_after_polls(0) },
            created: BTreeMap::new(),
            references: BTreeMap::new(),
            faults: BTreeMap::new(),
            requests: 0,
            seen: BTreeMap::new(),
        }
    }
}

/// How the server behaves.
#[derive(Clone)]
pub struct Setup {
    /// The fault of the n-th request.
    pub schedule: fn(usize) -> Fault,
    /// Batches containing one of these paths meet these faults instead of the schedule's, in
    /// order (the last one again for every further request).
    pub forced: Vec<(String, Vec<Fault>)>,
    /// How long a stall lasts (longer than the client's read timeout).
    pub stall: Duration,
}

/// A running server; it stops when dropped.
pub struct FaultyCloudFront {
    pub url: String,
    pub ledger: Arc<Mutex<Ledger>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultyCloudFront {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FaultyCloudFront {
    /// Listens on a free port of 127.0.0.1.
    pub async fn start(setup: Setup) -> FaultyCloudFront {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("bound"));
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let shared = ledger.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, setup.clone(), shared.clone()));
            }
        });
        FaultyCloudFront { url, ledger, task }
    }
}

async fn serve(mut stream: TcpStream, setup: Setup, ledger: Arc<Mutex<Ledger>>) {
    let _ = stream.set_nodelay(true);
    // Bounded: a connection carries at most this many requests.
    for _ in 0..10_000 {
        // A request is on its way before its fault is drawn: an idle connection closing is no
        // fault at all.
        let mut first = [0u8; 1];
        if !matches!(stream.peek(&mut first).await, Ok(n) if n > 0) {
            return;
        }
        let index = {
            let mut l = ledger.lock().expect("not poisoned");
            l.requests += 1;
            l.requests - 1
        };
        let mut fault = (setup.schedule)(index);
        let Some(request) = read_request(&mut stream).await else { return };
        let text = request.text();
        let paths: Vec<String> = between(&text, "<Path>", "</Path>").into_iter().map(str::to_owned).collect();
        let reference = between(&text, "<CallerReference>", "</CallerReference>").first().map(|r| (*r).to_owned());
        let seen_before = {
            let mut l = ledger.lock().expect("not poisoned");
            let key = paths.join("\n");
            let seen = *l.seen.get(&key).unwrap_or(&0);
            *l.seen.entry(key.clone()).or_default() += 1;
            if let Some(reference) = &reference {
                l.references.entry(key).or_default().insert(reference.clone());
            }
            seen
        };
        if let Some((_, faults)) = setup.forced.iter().find(|(p, _)| paths.contains(p)) {
            fault = faults.get(seen_before).or(faults.last()).copied().unwrap_or(fault);
        }
        note(&ledger, fault);
        let answer = if fault.carries_out() { carry_out(&request, index, &ledger) } else { refusal(fault) };
        let delivered = match fault {
            Fault::ResetBeforeRead | Fault::ResetAfterCarriedOut => false,
            Fault::StallBeforeCarriedOut | Fault::StallAfterCarriedOut => {
                tokio::time::sleep(setup.stall).await;
                false
            }
            Fault::TruncatedBody => {
                let head = format!(
                    "HTTP/1.1 {} X\r\ncontent-length: {}\r\ncontent-type: text/xml\r\n\r\n",
                    answer.status,
                    answer.body.len()
                );
                let _ = stream.write_all(head.as_bytes()).await;
                let _ = stream.write_all(&answer.body[..answer.body.len() / 2]).await;
                false
            }
            _ => write_response(&mut stream, &answer).await,
        };
        if !delivered {
            return;
        }
    }
}

fn note(ledger: &Mutex<Ledger>, fault: Fault) {
    *ledger.lock().expect("not poisoned").faults.entry(format!("{fault:?}")).or_default() += 1;
}

fn refusal(fault: Fault) -> Response {
    let error = |status: u16, code: &str| {
        Response {
        status,
        headers: vec![("content-type".into(), "text/xml".into())],
        body: format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>injected</Message></Error><RequestId>fault</RequestId></ErrorResponse>"
        )
        .into_bytes(),
    }
    };
    match fault {
        Fault::Status500 => error(500, "InternalError"),
        Fault::Throttling => error(400, "Throttling"),
        _ => Response { status: 503, headers: Vec::new(), body: Vec::new() },
    }
}

/// CloudFront's behaviour for the request, by the one fake (`crate::cloudfront`: creates
/// deduplicated by reference, reads, lists), each creation noted by its reference.
fn carry_out(request: &Recorded, index: usize, ledger: &Mutex<Ledger>) -> Response {
    let mut l = ledger.lock().expect("not poisoned");
    let Reply::Respond { status, mut headers, body } = l.cloudfront.handle(request, index) else {
        return Response { status: 500, headers: Vec::new(), body: Vec::new() };
    };
    if request.method == "POST" && status == 201 {
        let text = request.text();
        let reference = between(&text, "<CallerReference>", "</CallerReference>").first().map(|r| (*r).to_owned());
        let answer = String::from_utf8_lossy(&body).into_owned();
        let id = between(&answer, "<Id>", "</Id>").first().map(|i| (*i).to_owned());
        if let (Some(reference), Some(id)) = (reference, id) {
            let paths = between(&text, "<Path>", "</Path>").into_iter().map(str::to_owned).collect();
            l.created.entry(reference).or_insert(Created { id, paths });
        }
    }
    headers.push(("content-type".into(), "text/xml".into()));
    Response { status, headers, body }
}
