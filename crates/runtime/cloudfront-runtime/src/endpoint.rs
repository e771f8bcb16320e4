//! What generated endpoint resolvers return, and the rules library they call: `aws.partition`
//! here, the other functions in [`library`].

use std::fmt;

pub mod library;
pub use library::{Arn, Url};

/// A resolved endpoint: the URL to send to and how to sign for it.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The URL requests go to.
    pub url: String,
    /// The auth schemes the rules listed, in preference order.
    pub auth_schemes: Vec<AuthScheme>,
    /// Headers the rules ask to add.
    pub headers: Vec<(String, Vec<String>)>,
    /// Other string properties the rules set (`backend`, say), sorted by name.
    pub properties: Vec<(String, String)>,
}

impl Endpoint {
    /// An endpoint with the auth schemes and headers the rules chose.
    pub fn new(url: impl Into<String>, auth_schemes: Vec<AuthScheme>, headers: Vec<(String, Vec<String>)>) -> Self {
        Endpoint { url: url.into(), auth_schemes, headers, properties: Vec::new() }
    }

    /// The endpoint with one more string property.
    pub fn with_property(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.properties.push((name.into(), value.into()));
        self
    }

    /// An endpoint with no properties (a custom endpoint URL, say).
    pub fn url(url: impl Into<String>) -> Self {
        Endpoint { url: url.into(), auth_schemes: Vec::new(), headers: Vec::new(), properties: Vec::new() }
    }

    /// The SigV4 signing region the rules chose, if any.
    pub fn signing_region(&self) -> Option<&str> {
        self.auth_schemes.iter().find(|a| a.name == "sigv4").and_then(|a| a.signing_region.as_deref())
    }

    /// The SigV4 signing name the rules chose, if any.
    pub fn signing_name(&self) -> Option<&str> {
        self.auth_schemes.iter().find(|a| a.name == "sigv4").and_then(|a| a.signing_name.as_deref())
    }
}

/// One entry of the `authSchemes` endpoint property.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthScheme {
    /// The scheme's name (`sigv4`).
    pub name: String,
    /// The region to sign for.
    pub signing_region: Option<String>,
    /// The service name to sign for.
    pub signing_name: Option<String>,
    /// The regions a multi-region scheme (`sigv4a`) signs for.
    pub signing_region_set: Vec<String>,
    /// Whether the signer must encode the path only once (S3's rule).
    pub disable_double_encoding: bool,
}

impl AuthScheme {
    /// The scheme `name`, signing for `signing_region` and `signing_name` where the rules say.
    pub fn new(name: impl Into<String>, signing_region: Option<String>, signing_name: Option<String>) -> Self {
        AuthScheme {
            name: name.into(),
            signing_region,
            signing_name,
            signing_region_set: Vec::new(),
            disable_double_encoding: false,
        }
    }

    /// The scheme signing for a set of regions.
    pub fn with_signing_region_set(mut self, regions: Vec<String>) -> Self {
        self.signing_region_set = regions;
        self
    }

    /// The scheme with the path encoded once (or twice, SigV4's default).
    pub fn with_disable_double_encoding(mut self, disable: bool) -> Self {
        self.disable_double_encoding = disable;
        self
    }
}

/// The rules refused the configuration (FIPS with a custom endpoint, no region, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointError(pub String);

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot resolve the endpoint: {}", self.0)
    }
}

impl std::error::Error for EndpointError {}

pub use crate::partition::Partition;

/// `aws.partition(region)`: the partition listing the region by name, else the first whose
/// pattern matches, else `aws` (as the rules engine specifies for unknown regions).
pub fn partition(region: &str) -> Option<&'static Partition> {
    partition_of(region).or_else(|| crate::partitions::PARTITIONS.iter().find(|p| p.name == "aws"))
}

/// The partition that lists `region` by name or matches it by pattern; unlike [`partition`],
/// no fallback to `aws`.
pub fn partition_of(region: &str) -> Option<&'static Partition> {
    crate::partitions::PARTITIONS
        .iter()
        .find(|p| p.regions.contains(&region))
        .or_else(|| crate::partitions::PARTITIONS.iter().find(|p| p.matches_pattern(region)))
}

#[cfg(test)]
mod tests {
    use super::partition;

    #[test]
    fn finds_partitions_by_name_pattern_and_default() {
        assert_eq!(partition("us-east-1").unwrap().name, "aws");
        assert_eq!(partition("cn-north-9").unwrap().name, "aws-cn");
        assert_eq!(partition("us-iso-west-7").unwrap().name, "aws-iso");
        assert_eq!(partition("us-gov-east-3").unwrap().name, "aws-us-gov");
        assert_eq!(partition("eusc-de-south-2").unwrap().name, "aws-eusc");
        assert_eq!(partition("mars-base-1").unwrap().name, "aws");
    }
}
