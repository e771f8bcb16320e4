//! S3's settings, and the `AWS::S3::*` endpoint built-ins they give: the one home of what is
//! S3's in the configuration. They are read as the AWS CLI v2 reads them (the profile's `s3`
//! section, `AWS_S3_*` variables) and turned into built-ins as it does (a custom endpoint
//! URL means path-style addressing unless `addressing_style = virtual`; regional endpoints in
//! us-east-1; ARN regions honoured).

use crate::setting::{self, Sources};

/// How buckets are addressed.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AddressingStyle {
    /// Virtual-hosted where the bucket name allows it, else path-style.
    #[default]
    Auto,
    /// Always `BUCKET.s3.REGION...`.
    Virtual,
    /// Always `s3.REGION.../BUCKET`.
    Path,
}

/// S3's settings.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct S3Config {
    /// `s3.addressing_style`.
    pub addressing_style: AddressingStyle,
    /// `s3.use_accelerate_endpoint`: Transfer Acceleration endpoints.
    pub use_accelerate_endpoint: bool,
    /// `s3.use_dualstack_endpoint`: wins over the general `use_dualstack_endpoint` for S3.
    pub use_dualstack_endpoint: Option<bool>,
    /// `AWS_S3_USE_ARN_REGION` / `s3_use_arn_region` / `s3.use_arn_region` (default: true).
    pub use_arn_region: Option<bool>,
    /// `us_east_1_regional_endpoint = legacy`: us-east-1 requests go to `s3.amazonaws.com`.
    /// The AWS CLI v2 always uses the regional endpoint; the setting is honoured when given,
    /// as the AWS SDKs and the AWS CLI v1 honour it.
    pub us_east_1_legacy_global_endpoint: bool,
    /// `AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS` / `s3.s3_disable_multiregion_access_points`.
    pub disable_multiregion_access_points: bool,
}

impl S3Config {
    /// The settings `sources` hold; a value outside a setting's choices is refused, naming it.
    pub fn from_sources(sources: &Sources<'_>) -> Result<S3Config, String> {
        let addressing_style = match sources.text(&setting::S3_ADDRESSING_STYLE) {
            None | Some(("auto", _)) => AddressingStyle::Auto,
            Some(("virtual", _)) => AddressingStyle::Virtual,
            Some(("path", _)) => AddressingStyle::Path,
            Some((other, from)) => {
                return Err(format!("{from}: addressing style {other:?} is not one of auto, virtual, path"));
            }
        };
        let us_east_1_legacy_global_endpoint = match sources.text(&setting::S3_US_EAST_1_REGIONAL_ENDPOINT) {
            None | Some(("regional", _)) => false,
            Some(("legacy", _)) => true,
            Some((other, from)) => {
                return Err(format!(
                    "{from}: S3 us-east-1 regional endpoint option {other} is invalid. Valid values are: legacy, regional"
                ));
            }
        };
        Ok(S3Config {
            addressing_style,
            use_accelerate_endpoint: sources.boolean(&setting::S3_USE_ACCELERATE_ENDPOINT).unwrap_or(false),
            use_dualstack_endpoint: sources.boolean(&setting::S3_USE_DUALSTACK_ENDPOINT),
            use_arn_region: sources.boolean(&setting::S3_USE_ARN_REGION),
            us_east_1_legacy_global_endpoint,
            disable_multiregion_access_points: sources
                .boolean(&setting::S3_DISABLE_MULTIREGION_ACCESS_POINTS)
                .unwrap_or(false),
        })
    }

    /// The `AWS::S3::*` built-ins for a client in `region` with `endpoint_url` (if any).
    pub fn builtins(&self, region: Option<&str>, endpoint_url: Option<&str>) -> Vec<(String, bool)> {
        let force_path_style = if self.use_accelerate_endpoint {
            false
        } else if endpoint_url.is_some_and(|url| !is_accelerate_url(url)) {
            self.addressing_style != AddressingStyle::Virtual
        } else {
            self.addressing_style == AddressingStyle::Path
        };
        let global = self.us_east_1_legacy_global_endpoint && matches!(region, None | Some("us-east-1"));
        [
            ("AWS::S3::ForcePathStyle", force_path_style),
            ("AWS::S3::Accelerate", self.use_accelerate_endpoint),
            ("AWS::S3::UseArnRegion", self.use_arn_region.unwrap_or(true)),
            ("AWS::S3::UseGlobalEndpoint", global),
            ("AWS::S3::DisableMultiRegionAccessPoints", self.disable_multiregion_access_points),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
    }
}

/// botocore's test for an endpoint URL that is itself a Transfer Acceleration endpoint
/// (`https://s3-accelerate[.dualstack].amazonaws.com`).
fn is_accelerate_url(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once("://") else { return false };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if !matches!(scheme, "http" | "https") || !host.ends_with("amazonaws.com") {
        return false;
    }
    let parts: Vec<&str> = host.split('.').collect();
    let features = &parts[1..parts.len().saturating_sub(2).max(1)];
    parts[0] == "s3-accelerate" && features.iter().all(|f| *f == "dualstack") && features.len() <= 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;

    fn builtin(config: &S3Config, region: Option<&str>, url: Option<&str>, name: &str) -> bool {
        config.builtins(region, url).into_iter().find(|(n, _)| n == name).unwrap().1
    }

    #[test]
    fn a_custom_endpoint_means_path_style_unless_virtual_is_asked_for() {
        let auto = S3Config::default();
        assert!(!builtin(&auto, Some("us-east-1"), None, "AWS::S3::ForcePathStyle"));
        assert!(builtin(&auto, Some("us-east-1"), Some("http://127.0.0.1:5000"), "AWS::S3::ForcePathStyle"));
        let accelerate = Some("https://s3-accelerate.amazonaws.com");
        assert!(!builtin(&auto, Some("us-east-1"), accelerate, "AWS::S3::ForcePathStyle"));
        let virtual_style = S3Config { addressing_style: AddressingStyle::Virtual, ..S3Config::default() };
        assert!(!builtin(&virtual_style, None, Some("http://127.0.0.1:5000"), "AWS::S3::ForcePathStyle"));
        let path = S3Config { addressing_style: AddressingStyle::Path, ..S3Config::default() };
        assert!(builtin(&path, None, None, "AWS::S3::ForcePathStyle"));
    }

    #[test]
    fn settings_are_read_and_checked() {
        let env =
            Env::from_pairs([("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT", "legacy"), ("AWS_S3_USE_ARN_REGION", "false")]);
        let config = S3Config::from_sources(&Sources::new(&env, None)).unwrap();
        assert!(config.us_east_1_legacy_global_endpoint && config.use_arn_region == Some(false));
        assert!(builtin(&config, Some("us-east-1"), None, "AWS::S3::UseGlobalEndpoint"));
        assert!(!builtin(&config, Some("eu-west-1"), None, "AWS::S3::UseGlobalEndpoint"));
        assert!(!builtin(&S3Config::default(), Some("us-east-1"), None, "AWS::S3::UseGlobalEndpoint"));
        let env = Env::from_pairs([("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT", "global")]);
        let error = S3Config::from_sources(&Sources::new(&env, None)).unwrap_err();
        assert_eq!(
            error,
            "AWS_S3_US_EAST_1_REGIONAL_ENDPOINT: S3 us-east-1 regional endpoint option global is invalid. Valid values are: legacy, regional"
        );
    }
}
