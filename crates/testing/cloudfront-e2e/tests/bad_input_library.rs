//! Bad input through the library API: each refused before anything is sent, with a message
//! that names the member and the rule.

use cloudfront::types::{InvalidationBatch, Paths};
use cloudfront::{Client, Config};
use cloudfront_runtime::Credentials;

fn client() -> Client {
    // Nothing listens on port 9: a case that reached the network would fail differently.
    let config = Config::builder()
        .region("us-east-1")
        .endpoint_url("http://127.0.0.1:9")
        .credentials(Credentials::new("AKIDBAD", "secret", None))
        .build()
        .unwrap();
    Client::new(config).unwrap()
}

fn batch(quantity: Option<i32>, items: &[&str]) -> InvalidationBatch {
    let mut paths = Paths::builder();
    if let Some(q) = quantity {
        paths = paths.quantity(q);
    }
    for item in items {
        paths = paths.items(*item);
    }
    InvalidationBatch::builder().paths(paths.build().unwrap()).caller_reference("r").build().unwrap()
}

#[tokio::test]
async fn library_bad_inputs_name_the_member_and_the_rule() {
    let client = client();
    let cases: Vec<(&str, String)> = vec![
        (
            "invalidation items",
            cloudfront_invalidate::plan::plan(&["index.html", "#a,b"], "r", &Default::default())
                .unwrap_err()
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
        ),
        ("empty batch", cloudfront_invalidate::paths::check_request::<&str>(&[], &[]).unwrap_err()),
        (
            "missing DistributionId",
            client.create_invalidation().invalidation_batch(batch(None, &["/a"])).send().await.unwrap_err().to_string(),
        ),
        (
            "empty DistributionId",
            client
                .create_invalidation()
                .distribution_id("")
                .invalidation_batch(batch(None, &["/a"]))
                .send()
                .await
                .unwrap_err()
                .to_string(),
        ),
        (
            "dot-segment Id",
            client.get_invalidation().distribution_id("E1").id("..").send().await.unwrap_err().to_string(),
        ),
        (
            "Quantity disagrees with Items",
            client
                .create_invalidation()
                .distribution_id("E1")
                .invalidation_batch(batch(Some(3), &["/a"]))
                .send()
                .await
                .unwrap_err()
                .to_string(),
        ),
        (
            "missing CallerReference",
            InvalidationBatch::builder()
                .paths(Paths::builder().items("/a").build().unwrap())
                .build()
                .unwrap_err()
                .to_string(),
        ),
        ("endpoint URL without a scheme", {
            let config = Config::builder()
                .region("us-east-1")
                .endpoint_url("localhost:4566")
                .credentials(Credentials::new("AKIDBAD", "secret", None))
                .build()
                .unwrap();
            match Client::new(config) {
                Err(e) => e.to_string(),
                Ok(c) => c.list_invalidations().distribution_id("E1").send().await.unwrap_err().to_string(),
            }
        }),
    ];
    let expected = [
        "item 0 (\"index.html\") must start with '/' (or '#' for a cache tag); item 1 (\"#a,b\") is a cache tag with characters other than visible ASCII without commas",
        "an invalidation needs at least one path",
        "invalid input: DistributionId is required but was not set",
        "invalid input: DistributionId must not be empty (it is part of the request path)",
        "invalid input: Id must not be \"..\" (a relative path segment)",
        "invalid input: InvalidationBatch.Paths.Quantity is 3 but Items has 1 entries; they must match (leave Quantity unset to have it counted)",
        "CallerReference is required but was not set",
        "invalid configuration: endpoint URL \"localhost:4566\" has no scheme",
    ];
    assert_eq!(cases.len(), expected.len());
    for ((name, message), expected) in cases.iter().zip(expected) {
        assert_eq!(message, expected, "{name}");
    }
}
