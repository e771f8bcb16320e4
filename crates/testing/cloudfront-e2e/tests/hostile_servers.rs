//! Servers that misbehave: huge, endless and trickling bodies, XML bombs, invalid UTF-8, an
//! error document under a success status, oversized headers. The client must stay within
//! bounded memory, time out as configured, never expand entities, and say what was wrong.
//! Each case prints the process's peak RSS after it.

use std::time::{Duration, Instant};

use cloudfront::SdkError;
use cloudfront_e2e::{client, test_credentials};
use cloudfront_test_server::{Reply, TestServer};

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

/// One hostile case at a time, so the peak RSS printed after each is that case's.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Resets the process's peak RSS to its current RSS (Linux: `clear_refs` 5).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Runs GetInvalidation against a server answering `reply`, returns the error text.
async fn failure(name: &str, reply: Reply) -> String {
    failure_with_peak(name, reply).await.0
}

/// As [`failure`], with the case's peak RSS in KiB.
async fn failure_with_peak(name: &str, reply: Reply) -> (String, u64) {
    let _turn = ONE_AT_A_TIME.lock().await;
    reset_peak_rss();
    let server = TestServer::start(move |_, _| reply.clone()).await;
    let client = client(&server.url, test_credentials());
    let started = Instant::now();
    let result = client.get_invalidation().distribution_id("E1").id("I1").send().await;
    let text = match result {
        Ok(output) => format!("unexpected success: {output:?}"),
        Err(e @ (SdkError::Response { .. } | SdkError::Dispatch(_) | SdkError::Timeout(_) | SdkError::Service(_))) => {
            e.to_string()
        }
        Err(other) => format!("unexpected error kind: {other:?}"),
    };
    let peak = peak_rss_kib();
    println!("hostile {name}: {:.1} s, peak RSS {peak} KiB: {text}", started.elapsed().as_secs_f64());
    (text, peak)
}

fn body_head(length: Option<u64>) -> Vec<(String, String)> {
    length.map(|n| vec![("content-length".to_owned(), n.to_string())]).unwrap_or_default()
}

#[tokio::test]
async fn huge_endless_and_trickling_bodies_are_cut_off() {
    let huge = Reply::Stream {
        status: 200,
        headers: body_head(Some(1 << 30)),
        chunk: vec![b'a'; 65536],
        count: Some(1 << 14),
        pause: Duration::ZERO,
    };
    let text = failure("1 GiB body", huge).await;
    assert!(text.contains("unreadable response (HTTP 200"), "{text}");
    assert!(text.contains("larger than the 16777216-byte limit"), "{text}");

    // No Content-Length and no end: the cap stops it after 16 MiB.
    let endless = Reply::Stream {
        status: 200,
        headers: vec![("transfer-encoding".into(), "chunked".into())],
        chunk: b"10000\r\n".iter().copied().chain(vec![b'b'; 65536]).chain(*b"\r\n").collect(),
        count: None,
        pause: Duration::ZERO,
    };
    let text = failure("endless body", endless).await;
    assert!(text.contains("16777216-byte limit"), "{text}");
    assert!(peak_rss_kib() < 512 * 1024, "memory stays bounded");

    let trickle = Reply::Stream {
        status: 200,
        headers: body_head(Some(100)),
        chunk: b"<".to_vec(),
        count: Some(100),
        pause: Duration::from_secs(1),
    };
    let text = failure("trickling body", trickle).await;
    assert!(text.contains("timed out"), "{text}");
}

#[tokio::test]
async fn xml_bombs_and_broken_text_are_refused() {
    let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
    let text = failure("deeply nested XML", Reply::status(200, deep)).await;
    assert!(text.contains("nested deeper than 256"), "{text}");

    let laughs = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><Invalidation><Id>&lol2;</Id></Invalidation>";
    let text = failure("billion laughs", Reply::status(200, laughs)).await;
    assert!(text.contains("unsupported entity reference &lol2;"), "{text}");

    let text =
        failure("invalid UTF-8", Reply::status(200, b"<Invalidation><Id>\xff\xfe</Id></Invalidation>".to_vec())).await;
    assert!(text.contains("not UTF-8"), "{text}");

    let error_body = "<ErrorResponse><Error><Code>InternalError</Code><Message>oops</Message></Error></ErrorResponse>";
    let text = failure("200 with an error body", Reply::status(200, error_body)).await;
    assert!(text.contains("success but sent an error document: InternalError: oops"), "{text}");

    // Under the byte cap, but four million tiny elements: the element cap refuses it, and what
    // parsing allocated stays a small multiple of the 16 MiB body cap.
    let tiny = format!("<Invalidation>{}</Invalidation>", "<a/>".repeat(15 * 1024 * 1024 / 4));
    let (text, peak) = failure_with_peak("15 MiB of <a/>", Reply::status(200, tiny)).await;
    assert!(text.contains("more than 250000 elements"), "{text}");
    assert!(peak < 256 * 1024, "peak RSS {peak} KiB for a 15 MiB body");
}

#[tokio::test]
async fn oversized_headers_fail_cleanly() {
    let huge_header = Reply::status(200, "").header("x-junk", &"j".repeat(1 << 20));
    let text = failure("1 MiB header", huge_header).await;
    assert!(text.contains("could not reach") || text.contains("unreadable") || text.contains("message"), "{text}");
}

#[tokio::test]
async fn odd_but_valid_responses_are_read() {
    let server = TestServer::start(|_, _| {
        // 201 without Location; duplicate and unknown elements.
        Reply::status(
            201,
            "<Invalidation><Id>FIRST</Id><Id>SECOND</Id><Unknown><Deep/></Unknown><Status>InProgress</Status>\
             <CreateTime>2026-01-01T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>0</Quantity></Paths>\
             <CallerReference>r</CallerReference></InvalidationBatch></Invalidation>",
        )
    })
    .await;
    let client = client(&server.url, test_credentials());
    let output = client
        .create_invalidation()
        .distribution_id("E1")
        .invalidation_batch(cloudfront_invalidate_batch())
        .send()
        .await
        .expect("an odd but well-formed response is read");
    assert_eq!(output.location, None, "Location is optional in the model");
    assert_eq!(output.invalidation.unwrap().id, "SECOND", "the last of repeated elements wins");
}

fn cloudfront_invalidate_batch() -> cloudfront::types::InvalidationBatch {
    cloudfront::types::InvalidationBatch::builder()
        .paths(cloudfront::types::Paths::builder().items("/a").build().unwrap())
        .caller_reference("r")
        .build()
        .unwrap()
}
