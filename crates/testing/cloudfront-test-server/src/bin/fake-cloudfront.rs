//! The tests' local CloudFront (`cloudfront_test_server::cloudfront`) as a program on
//! 127.0.0.1, for examples and tests that need the tenant operations moto lacks: invalidations
//! report `InProgress` for the first polls and `Completed` after; nothing is throttled.
//!
//! usage: fake-cloudfront [--port N] [--complete-after POLLS]

use std::sync::{Arc, Mutex};

use cloudfront_test_server::TestServer;
use cloudfront_test_server::cloudfront::CloudFront;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse::<u32>().ok())
    };
    let complete_after = flag("--complete-after").unwrap_or(2);
    let state = Arc::new(Mutex::new(CloudFront::completing_after_polls(complete_after)));
    let server = TestServer::start_on(flag("--port").unwrap_or(0) as u16, move |request, index| {
        state.lock().expect("not poisoned").handle(request, index)
    })
    .await;
    println!("listening on {}", server.url);
    // Runs until killed.
    std::future::pending::<()>().await;
}
