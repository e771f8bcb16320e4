//! What an invalidation is made for: a distribution or a distribution tenant. CloudFront has a
//! separate operation for each; this is the one place that chooses between them, for
//! creating, reading, waiting and recording.

use std::time::Duration;

use cloudfront::Client;
use cloudfront::types::{Invalidation, InvalidationBatch};
use cloudfront_primitives::ProvideErrorMetadata;

/// What to invalidate.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A distribution, by id.
    Distribution(String),
    /// A distribution tenant, by id.
    Tenant(String),
}

/// A call about a target that failed: the service's error code, if it answered, and the
/// whole message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallError {
    /// The service's error code (`TooManyInvalidationsInProgress`, ...), if it answered.
    pub code: Option<String>,
    /// What went wrong, in full.
    pub message: String,
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CallError {}

impl<E: ProvideErrorMetadata + std::fmt::Display> From<cloudfront::SdkError<E>> for CallError {
    fn from(error: cloudfront::SdkError<E>) -> Self {
        CallError { code: error.code().map(str::to_owned), message: error.to_string() }
    }
}

/// How long to wait for an invalidation, and how often to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Polling {
    /// The first pause between status checks.
    pub first: Duration,
    /// The longest pause between status checks.
    pub longest: Duration,
    /// The longest wait in all.
    pub max_wait: Duration,
}

impl Target {
    /// The distribution or tenant id (what each batch's `CallerReference` is derived with).
    pub fn id(&self) -> &str {
        match self {
            Target::Distribution(id) | Target::Tenant(id) => id,
        }
    }

    /// `distribution` or `tenant`: how a journal records the kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Target::Distribution(_) => "distribution",
            Target::Tenant(_) => "tenant",
        }
    }

    /// The target of a `kind` (as [`Target::kind`] names it) and id.
    pub fn from_kind(kind: &str, id: String) -> Option<Target> {
        match kind {
            "distribution" => Some(Target::Distribution(id)),
            "tenant" => Some(Target::Tenant(id)),
            _ => None,
        }
    }

    /// Creates an invalidation of `batch` (CreateInvalidation, or its tenant form).
    pub async fn create(&self, client: &Client, batch: InvalidationBatch) -> Result<Invalidation, CallError> {
        let invalidation = match self {
            Target::Distribution(id) => {
                client.create_invalidation().distribution_id(id).invalidation_batch(batch).send().await?.invalidation
            }
            Target::Tenant(id) => {
                let call = client.create_invalidation_for_distribution_tenant().id(id).invalidation_batch(batch);
                call.send().await?.invalidation
            }
        };
        invalidation
            .ok_or_else(|| CallError { code: None, message: "CloudFront answered without an invalidation".into() })
    }

    /// Reads invalidation `id` (GetInvalidation, or its tenant form).
    pub async fn get(&self, client: &Client, id: &str) -> Result<Invalidation, CallError> {
        let invalidation = match self {
            Target::Distribution(d) => client.get_invalidation().distribution_id(d).id(id).send().await?.invalidation,
            Target::Tenant(t) => {
                client
                    .get_invalidation_for_distribution_tenant()
                    .distribution_tenant_id(t)
                    .id(id)
                    .send()
                    .await?
                    .invalidation
            }
        };
        invalidation
            .ok_or_else(|| CallError { code: None, message: "CloudFront answered without an invalidation".into() })
    }

    /// Waits until invalidation `id` has completed (the invalidation-completed waiter of the
    /// target's kind).
    pub async fn wait(&self, client: &Client, id: &str, polling: Polling) -> Result<(), String> {
        let Polling { first, longest, max_wait } = polling;
        match self {
            Target::Distribution(d) => {
                let waiter = client.wait_until_invalidation_completed().distribution_id(d).id(id);
                waiter.delays(first, longest).max_wait(max_wait).wait().await.map(drop).map_err(|e| e.to_string())
            }
            Target::Tenant(t) => {
                let waiter =
                    client.wait_until_invalidation_for_distribution_tenant_completed().distribution_tenant_id(t).id(id);
                waiter.delays(first, longest).max_wait(max_wait).wait().await.map(drop).map_err(|e| e.to_string())
            }
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.kind(), self.id())
    }
}
