//! Credentials from the official AWS SDK's providers (feature `aws-interop`), so a program
//! that already configures `aws-config` (SSO, assume-role chains, custom providers) shares
//! that chain with this client instead of either side re-implementing the other:
//!
//! ```ignore
//! let sdk_config = aws_config::load_from_env().await;
//! let provider = sdk_config.credentials_provider().expect("a provider");
//! let config = cloudfront_runtime::Config::loader(Env::process(), None)
//!     .credentials_provider(Arc::new(OfficialProvider::new(provider)))
//!     .build()?;
//! ```

use aws_credential_types::provider::{ProvideCredentials as OfficialProvideCredentials, SharedCredentialsProvider};
use cloudfront_primitives::DateTime;

use crate::credentials::{Credentials, CredentialsError, ProvideCredentials};
use crate::time::BoxFuture;

/// Adapts any provider of the official SDK (`aws_credential_types`) to this runtime.
#[derive(Debug, Clone)]
pub struct OfficialProvider(SharedCredentialsProvider);

impl OfficialProvider {
    /// Wraps an official provider (`aws_config::SdkConfig::credentials_provider()`, say).
    pub fn new(provider: impl OfficialProvideCredentials + 'static) -> Self {
        OfficialProvider(SharedCredentialsProvider::new(provider))
    }
}

impl ProvideCredentials for OfficialProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let official = self
                .0
                .provide_credentials()
                .await
                .map_err(|e| CredentialsError::Failed(format!("the AWS SDK credentials provider failed: {e}")))?;
            Ok(Credentials {
                access_key_id: official.access_key_id().to_owned(),
                secret_access_key: official.secret_access_key().to_owned(),
                session_token: official.session_token().map(str::to_owned),
                expiry: official.expiry().map(DateTime::from),
                source: "aws-config".into(),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::*;

    #[tokio::test]
    async fn adapts_official_credentials_with_their_expiry() {
        let expiry = UNIX_EPOCH + Duration::from_secs(1_900_000_000);
        let official = aws_credential_types::Credentials::new(
            "ASIAOFFICIAL",
            "secret",
            Some("token".into()),
            Some(expiry),
            "test",
        );
        let ours = OfficialProvider::new(official).provide_credentials().await.unwrap();
        assert_eq!(ours.access_key_id, "ASIAOFFICIAL");
        assert_eq!(ours.session_token.as_deref(), Some("token"));
        assert_eq!(ours.expiry, Some(DateTime::from_secs(1_900_000_000)));
    }
}
