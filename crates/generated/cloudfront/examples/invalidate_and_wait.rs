//! Invalidate some paths of a distribution, then wait until CloudFront has cleared them.
//!
//! ```sh
//! cargo run -p cloudfront --example invalidate_and_wait -- EDFDVBD6EXAMPLE /index.html '/css/*'
//! ```
//!
//! Region, credentials and endpoint come from the environment and `~/.aws`, as for the AWS
//! CLI (`AWS_ENDPOINT_URL` points it at an emulator). `WAITER_POLL_MS` shortens the delay
//! between status checks for emulators, which finish at once.

use std::time::Duration;

use cloudfront::types::{InvalidationBatch, Paths};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let distribution = args.next().ok_or("usage: invalidate_and_wait DISTRIBUTION_ID PATH...")?;
    let paths: Vec<String> = args.collect();
    if paths.is_empty() {
        return Err("give at least one path to invalidate".into());
    }

    let client = cloudfront::Client::from_env()?;
    let mut items = Paths::builder();
    for path in &paths {
        items = items.items(path);
    }
    let batch = InvalidationBatch::builder()
        .paths(items.build()?) // Quantity is counted from the items
        .caller_reference(cloudfront::primitives::idempotency_token())
        .build()?;
    let created = client.create_invalidation().distribution_id(&distribution).invalidation_batch(batch).send().await?;
    let id = created.invalidation.map(|i| i.id).ok_or("the response carried no invalidation")?;
    println!("created invalidation {id} for {} path(s)", paths.len());

    let mut waiter = client.wait_until_invalidation_completed().distribution_id(&distribution).id(&id);
    if let Some(poll) = std::env::var("WAITER_POLL_MS").ok().and_then(|v| v.parse().ok()).map(Duration::from_millis) {
        waiter = waiter.delays(poll, poll * 4);
    }
    let done = waiter.wait().await?;
    println!("invalidation {id} completed after {} status checks", done.attempts);
    Ok(())
}
