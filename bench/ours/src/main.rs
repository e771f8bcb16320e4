//! N `create_invalidation` calls through our crates, the way a user writes them: the client
//! from the environment (region and credentials), a batch of one path, a caller reference per
//! call. The benchmark harness runs it against the local stub; see `common/driver.rs`.

#[path = "../../common/driver.rs"]
mod driver;

use cloudfront::types::{InvalidationBatch, Paths};

#[tokio::main]
async fn main() -> Result<(), String> {
    let settings = driver::settings()?;
    let mut config = cloudfront::Config::load()?;
    config.endpoint_url = Some(settings.endpoint.clone());
    let client = cloudfront::Client::new(config)?;
    driver::drive("ours", &settings, move |i| {
        let client = client.clone();
        async move {
            let batch = InvalidationBatch::builder()
                .paths(Paths::builder().items("/a").build().map_err(|e| e.to_string())?)
                .caller_reference(format!("bench-{i}"))
                .build()
                .map_err(|e| e.to_string())?;
            let created = client
                .create_invalidation()
                .distribution_id("EDFDVBD6EXAMPLE")
                .invalidation_batch(batch)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if created.location.is_none() {
                return Err("the Location header was not read".into());
            }
            created.invalidation.map(|inv| inv.id).ok_or_else(|| "no invalidation in the response".into())
        }
    })
    .await
}
