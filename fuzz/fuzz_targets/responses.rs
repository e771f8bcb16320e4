//! The response path end to end, short of the socket: a status, headers and a body arriving in
//! chunks, read by the transport's bounded reader (the body cap included), then handed to every
//! generated `parse_response` and `parse_error`. Never a panic. HTTP/1.1 framing itself is
//! hyper's, under reqwest.
//!
//! Input: two bytes of status (100..=599), one byte of chunk size (0: one chunk), a header
//! block of `name: value` lines ended by an empty line, then the body.
#![no_main]

use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll};

use bytes::Bytes;

use cloudfront_primitives::HttpResponse;
use cloudfront_runtime::transport::read_response;
use cloudfront_serializers as wire;
use libfuzzer_sys::fuzz_target;

/// Small enough that the fuzzer reaches the cap, large enough for every seed.
const BODY_LIMIT: usize = 64 * 1024;

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<3>() else { return };
    let status = 100 + u16::from_be_bytes([head[0], head[1]]) % 500;
    let (header_block, body) = split_head(rest);
    let mut builder = http::Response::builder().status(status);
    for line in header_block.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else { continue };
        let (name, value) = (&line[..colon], line[colon + 1..].trim_ascii());
        // hyper hands on only what HTTP allows; anything else never reaches our code.
        if let (Ok(name), Ok(value)) = (http::HeaderName::from_bytes(name), http::HeaderValue::from_bytes(value)) {
            builder = builder.header(name, value);
        }
    }
    let chunk = if head[2] == 0 { body.len().max(1) } else { usize::from(head[2]) };
    let chunks = body.chunks(chunk).rev().map(|c| Bytes::copy_from_slice(c)).collect();
    let Ok(response) = builder.body(reqwest::Body::wrap(Chunks(chunks))) else { return };
    let read = runtime().block_on(read_response(reqwest::Response::from(response), BODY_LIMIT));
    if let Ok(response) = read {
        parse_all(&response);
    }
});

/// The header block (up to the first empty line) and the body after it.
fn split_head(data: &[u8]) -> (&[u8], &[u8]) {
    if let Some(body) = data.strip_prefix(b"\n") {
        return (&[], body);
    }
    match data.windows(2).position(|w| w == b"\n\n") {
        Some(end) => (&data[..end], &data[end + 2..]),
        None => (&[], data),
    }
}

/// A body that arrives in the given chunks (kept in reverse, so each is a `pop`).
struct Chunks(Vec<Bytes>);

impl http_body::Body for Chunks {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(self.0.pop().map(|chunk| Ok(http_body::Frame::data(chunk))))
    }
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Builder::new_current_thread().build().expect("a tokio runtime"))
}

fn parse_all(response: &HttpResponse) {
    let _ = wire::create_invalidation::parse_response(response);
    let _ = wire::create_invalidation::parse_error(response);
    let _ = wire::create_invalidation_for_distribution_tenant::parse_response(response);
    let _ = wire::create_invalidation_for_distribution_tenant::parse_error(response);
    let _ = wire::get_invalidation::parse_response(response);
    let _ = wire::get_invalidation::parse_error(response);
    let _ = wire::get_invalidation_for_distribution_tenant::parse_response(response);
    let _ = wire::get_invalidation_for_distribution_tenant::parse_error(response);
    let _ = wire::list_invalidations::parse_response(response);
    let _ = wire::list_invalidations::parse_error(response);
    let _ = wire::list_invalidations_for_distribution_tenant::parse_response(response);
    let _ = wire::list_invalidations_for_distribution_tenant::parse_error(response);
    let _ = wire::list_distribution_tenants::parse_response(response);
    let _ = wire::list_distribution_tenants::parse_error(response);
}
