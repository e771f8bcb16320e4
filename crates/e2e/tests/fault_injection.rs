//! Faults between the client and moto: a proxy of our own on 127.0.0.1 drops connections
//! after moto has processed the request (the response is lost), answers 500, 503 and
//! `Throttling` itself, and stalls past the client's read timeout. Like CloudFront (and
//! unlike moto) it deduplicates CreateInvalidation by CallerReference, answering a repeat
//! with the first response. Every operation must end in success or a typed error after the
//! configured attempts, every retry must re-send the identical body, and moto must hold
//! exactly one invalidation per reference.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cloudfront::SdkError;
use cloudfront::types::{InvalidationBatch, Paths};
use e2e::{client, create_distribution, endpoint, test_credentials};
use test_server::{Recorded, Response, forward, read_request, write_response};
use tokio::net::{TcpListener, TcpStream};

const OPERATIONS: usize = 500;
const CONCURRENCY: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    None,
    /// Forward to moto, then close without answering: the work is done, the answer lost.
    DropAfterForward,
    Status500,
    Status503,
    Throttling,
    /// Hold the connection past the client's read timeout, then close.
    Stall,
}

/// The operation answered 503 on every attempt: it must end in a typed error.
const ALWAYS_UNAVAILABLE: &str = "fault-250";

/// A fixed schedule over the proxy's request count (53 entries, so it does not line up with
/// the client's attempt counts), with one run of six 503s that exhausts an operation's
/// five attempts.
fn schedule(index: usize) -> Fault {
    use Fault::*;
    const PATTERN: [Fault; 53] = [
        None,
        DropAfterForward,
        Status503,
        None,
        Throttling,
        None,
        Stall,
        Status500,
        None,
        None, //
        DropAfterForward,
        None,
        Throttling,
        Throttling,
        None,
        None,
        Status503,
        None,
        Stall,
        None, //
        None,
        Status500,
        None,
        DropAfterForward,
        None,
        None,
        Throttling,
        None,
        None,
        None, //
        Status503,
        Status503,
        Status503,
        Status503,
        Status503,
        Status503,
        None,
        None,
        None,
        DropAfterForward, //
        None,
        Stall,
        None,
        None,
        Status500,
        None,
        None,
        Throttling,
        None,
        None,
        None,
        DropAfterForward,
        None,
    ];
    PATTERN[index % PATTERN.len()]
}

#[derive(Default)]
struct Proxy {
    /// Every body sent per CallerReference, in order.
    bodies: BTreeMap<String, Vec<Vec<u8>>>,
    /// How many times each reference reached moto.
    forwarded: BTreeMap<String, usize>,
    /// The first answer per reference (CloudFront's deduplication).
    answers: BTreeMap<String, Response>,
    faults: BTreeMap<String, usize>,
}

fn caller_reference(request: &Recorded) -> Option<String> {
    let body = request.text();
    let start = body.find("<CallerReference>")? + "<CallerReference>".len();
    let end = body[start..].find("</CallerReference>")? + start;
    Some(body[start..end].to_owned())
}

fn error(status: u16, code: &str) -> Response {
    Response {
        status,
        headers: vec![("content-type".into(), "text/xml".into())],
        body: format!("<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>injected</Message></Error><RequestId>fault</RequestId></ErrorResponse>").into_bytes(),
    }
}

async fn serve(mut stream: TcpStream, upstream: String, state: Arc<Mutex<Proxy>>, counter: Arc<AtomicUsize>) {
    while let Some(request) = read_request(&mut stream).await {
        let fault = schedule(counter.fetch_add(1, Ordering::SeqCst));
        let reference = caller_reference(&request);
        {
            let mut s = state.lock().unwrap();
            if let Some(r) = &reference {
                s.bodies.entry(r.clone()).or_default().push(request.body.clone());
            }
            *s.faults.entry(format!("{fault:?}")).or_default() += 1;
        }
        let cached = reference.as_ref().and_then(|r| state.lock().unwrap().answers.get(r).cloned());
        // One operation is refused on every attempt, so the failure path is always taken
        // (the schedule's run of six 503s lands on one operation only when timing allows).
        let fault = if reference.as_deref() == Some(ALWAYS_UNAVAILABLE) { Fault::Status503 } else { fault };
        let answer = match fault {
            Fault::Status500 => Some(error(500, "InternalError")),
            Fault::Status503 => Some(error(503, "ServiceUnavailable")),
            Fault::Throttling => Some(error(400, "Throttling")),
            Fault::Stall => {
                tokio::time::sleep(Duration::from_millis(1200)).await;
                return;
            }
            Fault::None | Fault::DropAfterForward => {
                let response = match cached {
                    Some(first) => Some(first),
                    None => {
                        let response = forward(&upstream, &request).await;
                        if let (Some(r), Some(resp)) = (&reference, &response) {
                            let mut s = state.lock().unwrap();
                            *s.forwarded.entry(r.clone()).or_default() += 1;
                            if resp.status == 201 {
                                s.answers.insert(r.clone(), resp.clone());
                            }
                        }
                        response
                    }
                };
                if fault == Fault::DropAfterForward {
                    return;
                }
                response
            }
        };
        match answer {
            Some(response) if write_response(&mut stream, &response).await => {}
            _ => return,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "needs moto: run `cargo xtask e2e`"]
async fn retries_survive_faults_without_duplicates() {
    let moto = endpoint("MOTO_ENDPOINT");
    let upstream = moto.trim_start_matches("http://").trim_end_matches('/').to_owned();
    let distribution = create_distribution(&moto).await;

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(Proxy::default()));
    let counter = Arc::new(AtomicUsize::new(0));
    let proxy = {
        let (state, counter) = (state.clone(), counter.clone());
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(serve(stream, upstream.clone(), state.clone(), counter.clone()));
            }
        })
    };

    let client = Arc::new(client(&proxy_url, test_credentials()));
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, next, distribution) = (client.clone(), next.clone(), distribution.clone());
        workers.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= OPERATIONS {
                    return outcomes;
                }
                let batch = InvalidationBatch::builder()
                    .paths(Paths::builder().items(format!("/fault/{i}.html")).build().unwrap())
                    .caller_reference(format!("fault-{i}"))
                    .build()
                    .unwrap();
                let result =
                    client.create_invalidation().distribution_id(&distribution).invalidation_batch(batch).send().await;
                outcomes.push((format!("fault-{i}"), result.map(|o| o.invalidation.map(|inv| inv.id))));
            }
        }));
    }
    let mut succeeded = BTreeMap::new();
    let mut failed = Vec::new();
    for worker in workers {
        for (reference, outcome) in worker.await.unwrap() {
            match outcome {
                Ok(id) => {
                    succeeded.insert(reference, id.expect("a created invalidation"));
                }
                Err(e) => {
                    assert!(
                        matches!(&e, SdkError::Service(_) | SdkError::Timeout(_) | SdkError::Dispatch(_)),
                        "{reference}: untyped failure {e:?}"
                    );
                    failed.push((reference, e.to_string()));
                }
            }
        }
    }
    proxy.abort();
    let state = std::mem::take(&mut *state.lock().unwrap());

    // Every retry re-sent the identical CallerReference and body.
    for (reference, bodies) in &state.bodies {
        assert!(bodies.iter().all(|b| b == &bodies[0]), "{reference}: a retry changed the body");
    }
    // Each reference reached moto at most once, and moto holds one invalidation per success.
    let duplicates = state.forwarded.values().filter(|n| **n > 1).count();
    assert_eq!(duplicates, 0, "a reference was forwarded twice");
    let direct = client_for_listing(&moto);
    let mut ids = BTreeSet::new();
    let mut marker: Option<String> = None;
    for _page in 0..1000 {
        let mut request = direct.list_invalidations().distribution_id(&distribution).max_items(100);
        if let Some(m) = &marker {
            request = request.marker(m);
        }
        let list = request.send().await.unwrap().invalidation_list.unwrap();
        ids.extend(list.items.unwrap_or_default().into_iter().map(|s| s.id));
        match (list.is_truncated, list.next_marker) {
            (true, Some(next)) if Some(&next) != marker.as_ref() => marker = Some(next),
            _ => break,
        }
    }
    let succeeded_ids: BTreeSet<String> = succeeded.values().cloned().collect();
    assert_eq!(succeeded_ids.len(), succeeded.len(), "two operations were handed the same invalidation");
    assert!(succeeded_ids.is_subset(&ids), "every success is in moto");
    let forwarded_refs = state.forwarded.len();
    assert_eq!(ids.len(), forwarded_refs, "moto holds exactly one invalidation per reference that reached it");

    let requests = counter.load(Ordering::SeqCst);
    let faults: usize = state.faults.iter().filter(|(k, _)| k.as_str() != "None").map(|(_, n)| n).sum();
    println!(
        "fault injection: {OPERATIONS} operations, {requests} requests, {faults} faults injected {:?}, {} retries, {} succeeded, {} failed with typed errors, {duplicates} duplicates",
        state.faults,
        requests - OPERATIONS,
        succeeded.len(),
        failed.len()
    );
    assert!(OPERATIONS >= 500 && faults > 100, "the run must inject faults at scale");
    assert!(
        failed
            .iter()
            .any(|(reference, message)| reference == ALWAYS_UNAVAILABLE && message.starts_with("ServiceUnavailable")),
        "{ALWAYS_UNAVAILABLE}, refused on every attempt, must fail with ServiceUnavailable: {failed:?}"
    );
    assert!(
        failed.iter().all(|(_, message)| message.starts_with("ServiceUnavailable")
            || message.contains("timed out")
            || message.starts_with("Throttling")
            || message.starts_with("InternalError")
            || message.contains("reach")),
        "{failed:?}"
    );
}

fn client_for_listing(moto: &str) -> cloudfront::Client {
    client(moto, test_credentials())
}
