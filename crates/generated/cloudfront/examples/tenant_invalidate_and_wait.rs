//! Invalidate paths of one distribution tenant (multi-tenant distributions), then wait.
//!
//! ```sh
//! cargo run -p cloudfront --example tenant_invalidate_and_wait -- dt_2wjDZi3hD1ivOXf6rpZJOSNE1AB /index.html
//! ```
//!
//! Configuration comes from the environment as for the AWS CLI; `WAITER_POLL_MS` shortens
//! the delay between status checks for emulators.

use std::time::Duration;

use cloudfront::types::{InvalidationBatch, Paths};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let tenant = args.next().ok_or("usage: tenant_invalidate_and_wait TENANT_ID PATH...")?;
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
        .paths(items.build()?)
        .caller_reference(cloudfront::primitives::idempotency_token())
        .build()?;
    let created =
        client.create_invalidation_for_distribution_tenant().id(&tenant).invalidation_batch(batch).send().await?;
    let id = created.invalidation.map(|i| i.id).ok_or("the response carried no invalidation")?;
    println!("created invalidation {id} for tenant {tenant}");

    let mut waiter =
        client.wait_until_invalidation_for_distribution_tenant_completed().distribution_tenant_id(&tenant).id(&id);
    if let Some(poll) = std::env::var("WAITER_POLL_MS").ok().and_then(|v| v.parse().ok()).map(Duration::from_millis) {
        waiter = waiter.delays(poll, poll * 4);
    }
    let done = waiter.wait().await?;
    println!("invalidation {id} completed after {} status checks", done.attempts);
    Ok(())
}
