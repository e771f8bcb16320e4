//! Bulk invalidation at scale, for `cargo xtask bench` (which runs it under `/usr/bin/time`
//! for peak memory):
//!
//! - `bulk_at_scale plan N`: plans N distinct file paths; prints `seconds=` and `batches=`.
//! - `bulk_at_scale fan-out TENANTS RATE`: sends a two-path plan to TENANTS tenants of a
//!   local CloudFront (`cloudfront_test_server::cloudfront`) that allows RATE calls a second
//!   account-wide, pacing at that rate; prints `seconds=`, `bound=` (what the rate allows)
//!   and `throttled=`.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use cloudfront_invalidate::execute::{Pacer, Settings, Target, fan_out};
use cloudfront_invalidate::plan::{Options, plan};
use cloudfront_test_server::TestServer;
use cloudfront_test_server::cloudfront::{CloudFront, Throttling};

#[tokio::main]
async fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize| -> Result<f64, String> {
        args.get(i)
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| format!("usage: bulk_at_scale plan N | fan-out TENANTS RATE ({args:?})"))
    };
    match args.first().map(String::as_str) {
        Some("plan") => {
            let n = number(1)? as usize;
            let paths: Vec<String> = (0..n).map(|i| format!("/assets/{}/{i}.js", i % 1000)).collect();
            let started = Instant::now();
            let planned = plan(&paths, "bench", &Options::default()).map_err(|p| format!("{} problems", p.len()))?;
            println!("seconds={} batches={}", started.elapsed().as_secs_f64(), planned.batches.len());
        }
        Some("fan-out") => {
            let (tenants, rate) = (number(1)? as usize, number(2)?);
            let state =
                Arc::new(Mutex::new(CloudFront { throttling: Throttling::Rate(rate), ..CloudFront::default() }));
            let shared = state.clone();
            let server = TestServer::start_unrecorded(move |request, index| {
                shared.lock().expect("not poisoned").handle(request, index)
            })
            .await;
            let config = cloudfront::Config::builder()
                .region("us-east-1")
                .endpoint_url(&server.url)
                .credentials(cloudfront_runtime::Credentials::new("AKIDBENCH", "bench-secret", None))
                .build()?;
            let client = cloudfront::Client::new(config)?;
            let planned = plan(&["/index.html", "/assets/*"], "bench", &Options::default()).map_err(|_| "bad plan")?;
            let targets: Vec<Target> = (0..tenants).map(|i| Target::Tenant(format!("dt_{i:06}"))).collect();
            let mut settings = Settings::default();
            settings.concurrency = 32;
            settings.pacer = Pacer::per_second(rate);
            let started = Instant::now();
            let outcomes = fan_out(&client, &targets, &planned, &settings, &|_, _| {}).await;
            let seconds = started.elapsed().as_secs_f64();
            let failed = outcomes.iter().filter(|(_, o)| o.is_err()).count();
            if failed > 0 {
                return Err(format!("{failed} tenants failed"));
            }
            let throttled = state.lock().expect("not poisoned").throttled;
            println!("seconds={seconds} bound={} throttled={throttled}", tenants as f64 / rate);
        }
        _ => return Err("usage: bulk_at_scale plan N | fan-out TENANTS RATE".into()),
    }
    Ok(())
}
