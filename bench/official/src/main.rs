//! The same program as `bench/ours` on the official SDK (aws-sdk-cloudfront + aws-config), as
//! its documentation shows: config from the environment, a batch of one path, a caller
//! reference per call.

#[path = "../../common/driver.rs"]
mod driver;

use aws_sdk_cloudfront::types::{InvalidationBatch, Paths};

#[tokio::main]
async fn main() -> Result<(), String> {
    let settings = driver::settings()?;
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&settings.endpoint)
        .load()
        .await;
    let client = aws_sdk_cloudfront::Client::new(&config);
    driver::drive("official", &settings, move |i| {
        let client = client.clone();
        async move {
            let batch = InvalidationBatch::builder()
                .paths(Paths::builder().quantity(1).items("/a").build().map_err(|e| e.to_string())?)
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
            if created.location().is_none() {
                return Err("the Location header was not read".into());
            }
            created.invalidation().map(|inv| inv.id().to_string()).ok_or_else(|| "no invalidation in the response".into())
        }
    })
    .await
}
