//! The client runtime every generated service crate shares: configuration (from code, the
//! environment and the shared AWS config files), credentials, endpoint parameters, SigV4
//! signing, standard and adaptive retries, and the HTTP transport. Nothing in here knows
//! about a particular service; generated crates pass in what is model-specific.

#![warn(missing_docs)]

pub mod checksum;
pub mod clock_skew;
pub mod config;
pub mod credentials;
pub mod endpoint;
pub mod env;
pub mod error;
#[cfg(feature = "aws-interop")]
pub mod interop;
#[cfg(feature = "serde")]
pub mod json;
pub mod operation;
pub mod pace;
pub mod paginate;
mod partition;
mod partitions;
pub mod profile;
pub mod python;
pub mod region_redirect;
pub mod retry;
pub mod s3_config;
pub mod setting;
pub mod time;
pub mod transport;
pub mod waiter;

pub use config::{Config, ConfigBuilder};
pub use credentials::{Credentials, CredentialsError, ProvideCredentials};
pub use endpoint::{AuthScheme, Endpoint, EndpointError, Partition};
pub use error::{DispatchError, SdkError};
pub use operation::{Handle, OperationSpec, SignedRequest};
/// The HTTP client crate under the transport, for [`ConfigBuilder::http_client`] (same version).
pub use reqwest;
