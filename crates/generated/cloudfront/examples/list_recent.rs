//! List a distribution's most recent invalidations, fetching pages as needed.
//!
//! ```sh
//! cargo run -p cloudfront --example list_recent -- EDFDVBD6EXAMPLE 20
//! ```

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let distribution = args.next().ok_or("usage: list_recent DISTRIBUTION_ID [COUNT]")?;
    let count: usize = args.next().map(|c| c.parse()).transpose()?.unwrap_or(10);

    let client = cloudfront::Client::from_env()?;
    let mut items = client.list_invalidations().distribution_id(&distribution).max_items(100).items();
    let mut shown = 0;
    while shown < count {
        let Some(summary) = items.next().await else { break };
        let summary = summary?;
        println!("{}\t{}\t{}", summary.id, summary.status, summary.create_time);
        shown += 1;
    }
    println!("{shown} invalidation(s)");
    Ok(())
}
