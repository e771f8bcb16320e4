//! The common case in one call: invalidate these paths (of a distribution or of a
//! distribution tenant) with a fresh, unique `CallerReference` and `Quantity` counted for
//! you.
//!
//! ```no_run
//! # async fn demo(client: cloudfront::Client) -> Result<(), Box<dyn std::error::Error>> {
//! use cloudfront_invalidate::InvalidateExt;
//! let created = client.invalidate_paths("EDFDVBD6EXAMPLE", ["/index.html", "/css/*"]).await?;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

pub mod collapse;
pub mod execute;
pub mod journal;
pub mod paths;
pub mod plan;
pub mod target;

use cloudfront::error::{CreateInvalidationError, CreateInvalidationForDistributionTenantError};
use cloudfront::operation::create_invalidation::CreateInvalidationOutput;
use cloudfront::operation::create_invalidation_for_distribution_tenant::CreateInvalidationForDistributionTenantOutput;
use cloudfront::types::{InvalidationBatch, Paths};
use cloudfront::{Client, SdkError};

/// A `CallerReference` no other batch will have: a time stamp (for people reading lists)
/// and a random UUID (for uniqueness, unlike minute-resolution stamps that collide).
pub fn unique_caller_reference() -> String {
    let now = cloudfront_primitives::DateTime::now().fmt(cloudfront_primitives::TimestampFormat::EpochSeconds);
    let seconds = now.split('.').next().unwrap_or_default().to_owned();
    format!("{seconds}-{}", cloudfront_primitives::idempotency_token())
}

/// An invalidation batch of `paths` under `caller_reference` (`Quantity` is counted).
pub fn batch<P: Into<String>>(
    paths: impl IntoIterator<Item = P>,
    caller_reference: impl Into<String>,
) -> Result<InvalidationBatch, cloudfront_primitives::BuildError> {
    let mut items = Paths::builder();
    for path in paths {
        items = items.items(path);
    }
    InvalidationBatch::builder().paths(items.build()?).caller_reference(caller_reference).build()
}

/// One-call invalidations on [`Client`].
pub trait InvalidateExt {
    /// Invalidates `paths` of a distribution under a fresh unique `CallerReference`.
    fn invalidate_paths<P: Into<String>>(
        &self,
        distribution_id: &str,
        paths: impl IntoIterator<Item = P>,
    ) -> impl std::future::Future<Output = Result<CreateInvalidationOutput, SdkError<CreateInvalidationError>>> + Send;

    /// Invalidates `paths` of a distribution tenant under a fresh unique `CallerReference`.
    fn invalidate_tenant_paths<P: Into<String>>(
        &self,
        tenant_id: &str,
        paths: impl IntoIterator<Item = P>,
    ) -> impl std::future::Future<
        Output = Result<
            CreateInvalidationForDistributionTenantOutput,
            SdkError<CreateInvalidationForDistributionTenantError>,
        >,
    > + Send;
}

impl InvalidateExt for Client {
    fn invalidate_paths<P: Into<String>>(
        &self,
        distribution_id: &str,
        paths: impl IntoIterator<Item = P>,
    ) -> impl std::future::Future<Output = Result<CreateInvalidationOutput, SdkError<CreateInvalidationError>>> + Send
    {
        let request = batch(paths, unique_caller_reference())
            .map(|b| self.create_invalidation().distribution_id(distribution_id).invalidation_batch(b));
        async move { request.map_err(SdkError::Construction)?.send().await }
    }

    fn invalidate_tenant_paths<P: Into<String>>(
        &self,
        tenant_id: &str,
        paths: impl IntoIterator<Item = P>,
    ) -> impl std::future::Future<
        Output = Result<
            CreateInvalidationForDistributionTenantOutput,
            SdkError<CreateInvalidationForDistributionTenantError>,
        >,
    > + Send {
        let request = batch(paths, unique_caller_reference())
            .map(|b| self.create_invalidation_for_distribution_tenant().id(tenant_id).invalidation_batch(b));
        async move { request.map_err(SdkError::Construction)?.send().await }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_unique() {
        let a = unique_caller_reference();
        assert_ne!(a, unique_caller_reference());
        assert!(a.len() > 36);
    }

    #[tokio::test]
    async fn one_call_sends_a_counted_batch_with_a_fresh_reference() {
        let server = cloudfront_test_server::TestServer::start(|_, _| {
            cloudfront_test_server::Reply::status(
                201,
                "<Invalidation><Id>I1</Id><Status>InProgress</Status><CreateTime>2026-01-01T00:00:00Z</CreateTime>\
                 <InvalidationBatch><Paths><Quantity>2</Quantity></Paths><CallerReference>r</CallerReference></InvalidationBatch></Invalidation>",
            )
        })
        .await;
        let config = cloudfront::Config::builder()
            .region("us-east-1")
            .endpoint_url(&server.url)
            .credentials(cloudfront_runtime::Credentials::new("AKID", "secret", None))
            .build()
            .unwrap();
        let client = Client::new(config).unwrap();
        client.invalidate_paths("E1", ["/a", "/b/*"]).await.unwrap();
        client.invalidate_tenant_paths("DT1", ["/a"]).await.unwrap();
        let requests = server.requests();
        let body = requests[0].text();
        assert!(body.contains("<Quantity>2</Quantity><Items><Path>/a</Path><Path>/b/*</Path></Items>"), "{body}");
        assert_eq!(requests[0].target, "/2020-05-31/distribution/E1/invalidation");
        assert_eq!(requests[1].target, "/2020-05-31/distribution-tenant/DT1/invalidation");
        let reference = |r: &cloudfront_test_server::Recorded| {
            r.text().split("<CallerReference>").nth(1).unwrap().split('<').next().unwrap().to_owned()
        };
        assert_ne!(reference(&requests[0]), reference(&requests[1]));
    }
}
