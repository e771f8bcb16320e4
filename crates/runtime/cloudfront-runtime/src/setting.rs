//! How a configuration setting is read, as botocore reads it: one table of settings (which
//! environment variables and which profile key hold each), one reader for every service.
//!
//! The first source that has a value wins: the environment (a variable that is set but empty
//! still counts, and hides the profile), then the profile, where a key may sit in a nested
//! section (`s3 =` followed by indented `addressing_style = path`). A value set in code or by
//! a command-line flag wins over both; that is the caller's first check. Credentials are not
//! settings: their variables count only when non-empty (see `credentials`).

use crate::env::Env;
use crate::profile::{Profile, ProfileSet};

/// Where one setting may be found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Setting {
    /// Environment variables, the first that is set winning.
    pub env: &'static [&'static str],
    /// The key in the profile.
    pub profile: ProfileKey,
}

/// A setting's key in a profile.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProfileKey {
    /// Read from the environment only.
    None,
    /// `key = value` in the profile.
    Key(&'static str),
    /// `section =` then an indented `key = value`, as S3's settings are written.
    Nested(&'static str, &'static str),
    /// A top-level key, else a nested one (`s3_use_arn_region`, then `s3.use_arn_region`).
    KeyOrNested(&'static str, &'static str, &'static str),
}

const fn setting(env: &'static [&'static str], key: &'static str) -> Setting {
    Setting { env, profile: ProfileKey::Key(key) }
}

/// The region. `AWS_REGION` is the AWS CLI v2's (and the AWS SDKs'), read before botocore's
/// `AWS_DEFAULT_REGION`.
pub const REGION: Setting = setting(&["AWS_REGION", "AWS_DEFAULT_REGION"], "region");
/// Use FIPS endpoints.
pub const USE_FIPS_ENDPOINT: Setting = setting(&["AWS_USE_FIPS_ENDPOINT"], "use_fips_endpoint");
/// Use dual-stack endpoints.
pub const USE_DUALSTACK_ENDPOINT: Setting = setting(&["AWS_USE_DUALSTACK_ENDPOINT"], "use_dualstack_endpoint");
/// Ignore every configured endpoint URL (environment, profile, services sections).
pub const IGNORE_CONFIGURED_ENDPOINT_URLS: Setting =
    setting(&["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"], "ignore_configured_endpoint_urls");
/// The CA bundle to trust.
pub const CA_BUNDLE: Setting = setting(&["AWS_CA_BUNDLE"], "ca_bundle");
/// The most attempts of a call.
pub const MAX_ATTEMPTS: Setting = setting(&["AWS_MAX_ATTEMPTS"], "max_attempts");
/// The retry mode.
pub const RETRY_MODE: Setting = setting(&["AWS_RETRY_MODE"], "retry_mode");
/// The instance metadata endpoint.
pub const EC2_METADATA_SERVICE_ENDPOINT: Setting =
    setting(&["AWS_EC2_METADATA_SERVICE_ENDPOINT"], "ec2_metadata_service_endpoint");
/// `IPv4` or `IPv6`: which default instance metadata endpoint.
pub const EC2_METADATA_SERVICE_ENDPOINT_MODE: Setting =
    setting(&["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"], "ec2_metadata_service_endpoint_mode");
/// Seconds to wait for instance metadata.
pub const METADATA_SERVICE_TIMEOUT: Setting = setting(&["AWS_METADATA_SERVICE_TIMEOUT"], "metadata_service_timeout");
/// Attempts at instance metadata.
pub const METADATA_SERVICE_NUM_ATTEMPTS: Setting =
    setting(&["AWS_METADATA_SERVICE_NUM_ATTEMPTS"], "metadata_service_num_attempts");
/// Refuse instance metadata without a session token (IMDSv1).
pub const EC2_METADATA_V1_DISABLED: Setting = setting(&["AWS_EC2_METADATA_V1_DISABLED"], "ec2_metadata_v1_disabled");
/// S3's addressing style (`auto`, `virtual`, `path`), in the profile's `s3` section only.
pub const S3_ADDRESSING_STYLE: Setting = Setting { env: &[], profile: ProfileKey::Nested("s3", "addressing_style") };
/// Whether an S3 ARN's region may differ from the client's.
pub const S3_USE_ARN_REGION: Setting = Setting {
    env: &["AWS_S3_USE_ARN_REGION"],
    profile: ProfileKey::KeyOrNested("s3_use_arn_region", "s3", "use_arn_region"),
};
/// S3 Transfer Acceleration endpoints.
pub const S3_USE_ACCELERATE_ENDPOINT: Setting =
    Setting { env: &[], profile: ProfileKey::Nested("s3", "use_accelerate_endpoint") };
/// Dual-stack endpoints for S3 (wins over `use_dualstack_endpoint`).
pub const S3_USE_DUALSTACK_ENDPOINT: Setting =
    Setting { env: &[], profile: ProfileKey::Nested("s3", "use_dualstack_endpoint") };
/// `legacy` (the global endpoint) or `regional`, for S3 in us-east-1.
pub const S3_US_EAST_1_REGIONAL_ENDPOINT: Setting = Setting {
    env: &["AWS_S3_US_EAST_1_REGIONAL_ENDPOINT"],
    profile: ProfileKey::KeyOrNested("s3_us_east_1_regional_endpoint", "s3", "us_east_1_regional_endpoint"),
};
/// Refuse S3 multi-region access points.
pub const S3_DISABLE_MULTIREGION_ACCESS_POINTS: Setting = Setting {
    env: &["AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS"],
    profile: ProfileKey::Nested("s3", "s3_disable_multiregion_access_points"),
};

/// The endpoint URL the environment or the shared config configures for a service, by its
/// service id (`CloudFront`, `STS`, `SSO OIDC`), in botocore's order: `AWS_ENDPOINT_URL_<SERVICE>`
/// (upper-cased, spaces as `_`), `AWS_ENDPOINT_URL`, the service's `endpoint_url` in the
/// profile's `[services NAME]` section (key lower-cased, spaces as `_`), the profile's
/// `endpoint_url`; an empty value is passed over. `ignore_configured_endpoint_urls` (a
/// setting) turns all of them off. A profile naming a services section that does not exist
/// is an error in botocore's words, once the lookup reaches it.
pub fn configured_endpoint_url(
    env: &Env,
    profiles: &ProfileSet,
    profile: Option<&Profile>,
    service_id: &str,
) -> Result<Option<String>, String> {
    let sources = Sources::new(env, profile);
    if sources.boolean(&IGNORE_CONFIGURED_ENDPOINT_URLS) == Some(true) {
        return Ok(None);
    }
    let variable = format!("AWS_ENDPOINT_URL_{}", service_id.to_ascii_uppercase().replace([' ', '-'], "_"));
    let from_env = [variable.as_str(), "AWS_ENDPOINT_URL"].into_iter().find_map(|name| env.get(name));
    if let Some(url) = from_env {
        return Ok(Some(url.to_owned()));
    }
    if let Some(name) = profile.filter(|p| p.contains("services")).map(|p| p.get("services").unwrap_or_default()) {
        let section = profiles.services(name).filter(|s| !s.is_empty()).ok_or_else(|| {
            format!(
                "The profile is configured to use the services section but the \"{name}\" services configuration does not exist."
            )
        })?;
        let key = service_id.to_ascii_lowercase().replace([' ', '-'], "_");
        if let Some(url) = section.nested(&key).get("endpoint_url") {
            return Ok(Some(url.to_owned()));
        }
    }
    Ok(profile.and_then(|p| p.get("endpoint_url")).map(str::to_owned))
}

/// The sources settings are read from: an environment and the selected profile, if any.
#[derive(Clone, Copy, Debug)]
pub struct Sources<'a> {
    env: &'a Env,
    profile: Option<&'a Profile>,
}

impl<'a> Sources<'a> {
    /// Reads from `env`, then from `profile`.
    pub fn new(env: &'a Env, profile: Option<&'a Profile>) -> Self {
        Sources { env, profile }
    }

    /// The setting's text and where it came from (a variable's name, or `KEY in profile NAME`).
    pub fn text(&self, setting: &Setting) -> Option<(&'a str, String)> {
        if let Some((name, value)) = setting.env.iter().find_map(|name| Some((*name, self.env.raw(name)?))) {
            return Some((value, name.to_owned()));
        }
        let profile = self.profile?;
        let (value, key) = match setting.profile {
            ProfileKey::None => None,
            ProfileKey::Key(key) => profile.raw(key).map(|v| (v, key.to_owned())),
            ProfileKey::Nested(section, key) => profile.nested(section, key).map(|v| (v, format!("{section}.{key}"))),
            ProfileKey::KeyOrNested(top, section, key) => profile
                .raw(top)
                .map(|v| (v, top.to_owned()))
                .or_else(|| profile.nested(section, key).map(|v| (v, format!("{section}.{key}")))),
        }?;
        Some((value, format!("{key} in profile {}", profile.name)))
    }

    /// The setting's text, if any source has it.
    pub fn value(&self, setting: &Setting) -> Option<&'a str> {
        self.text(setting).map(|(value, _)| value)
    }

    /// A true/false setting as botocore reads one: `true` in any case is true, and any other
    /// text (an empty variable included) is false. `None` when no source has it.
    pub fn boolean(&self, setting: &Setting) -> Option<bool> {
        self.value(setting).map(|value| value.eq_ignore_ascii_case("true"))
    }

    /// A whole-number setting, read as Python's `int()` reads text (surrounding whitespace, a
    /// sign, `_` between digits); other text is refused in Python's words.
    pub fn integer(&self, setting: &Setting) -> Result<Option<i64>, String> {
        let Some(text) = self.value(setting) else { return Ok(None) };
        python_int(text).map(Some).ok_or_else(|| format!("invalid literal for int() with base 10: '{text}'"))
    }
}

/// Python's `int(text)` for base 10, `None` where Python raises `ValueError`.
fn python_int(text: &str) -> Option<i64> {
    let trimmed = text.trim();
    let (negative, digits) = match trimmed.as_bytes().first()? {
        b'-' => (true, &trimmed[1..]),
        b'+' => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let well_formed = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    if !well_formed {
        return None;
    }
    // Python's ints have no limit: a number beyond i64 is read as the largest there is.
    let magnitude = digits.replace('_', "").parse::<i64>().unwrap_or(i64::MAX);
    Some(if negative { -magnitude } else { magnitude })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ProfileSet;

    fn profile(text: &str) -> Profile {
        ProfileSet::parse(text, "").unwrap().profile("default").unwrap().clone()
    }

    #[test]
    fn a_set_but_empty_variable_hides_the_profile() {
        let profile = profile("[default]\nuse_fips_endpoint = true\nregion = cn-north-1\n");
        let env = Env::from_pairs([("AWS_USE_FIPS_ENDPOINT", ""), ("AWS_DEFAULT_REGION", "")]);
        let sources = Sources::new(&env, Some(&profile));
        assert_eq!(sources.boolean(&USE_FIPS_ENDPOINT), Some(false));
        assert_eq!(sources.text(&REGION), Some(("", "AWS_DEFAULT_REGION".to_owned())));
        let unset = Env::default();
        let sources = Sources::new(&unset, Some(&profile));
        assert_eq!(sources.boolean(&USE_FIPS_ENDPOINT), Some(true));
        assert_eq!(sources.text(&REGION), Some(("cn-north-1", "region in profile default".to_owned())));
    }

    #[test]
    fn an_empty_profile_value_counts_as_set() {
        let profile = profile("[default]\nregion =\n");
        assert_eq!(Sources::new(&Env::default(), Some(&profile)).value(&REGION), Some(""));
    }

    #[test]
    fn only_true_in_any_case_is_true() {
        for (text, expected) in [
            ("true", true),
            ("TRUE", true),
            ("True", true),
            ("yes", false),
            ("1", false),
            (" true", false),
            ("", false),
        ] {
            let env = Env::from_pairs([("AWS_USE_DUALSTACK_ENDPOINT", text)]);
            assert_eq!(Sources::new(&env, None).boolean(&USE_DUALSTACK_ENDPOINT), Some(expected), "{text:?}");
        }
        assert_eq!(Sources::new(&Env::default(), None).boolean(&USE_DUALSTACK_ENDPOINT), None);
    }

    #[test]
    fn aws_region_is_read_before_aws_default_region() {
        let env = Env::from_pairs([("AWS_REGION", "eu-west-1"), ("AWS_DEFAULT_REGION", "us-west-2")]);
        assert_eq!(Sources::new(&env, None).value(&REGION), Some("eu-west-1"));
    }

    #[test]
    fn nested_keys_are_read_from_their_section() {
        let profile = profile("[default]\ns3 =\n  addressing_style = path\n  use_arn_region = true\n");
        let unset = Env::default();
        let sources = Sources::new(&unset, Some(&profile));
        assert_eq!(sources.text(&S3_ADDRESSING_STYLE), Some(("path", "s3.addressing_style in profile default".into())));
        assert_eq!(sources.boolean(&S3_USE_ARN_REGION), Some(true));
        let env = Env::from_pairs([("AWS_S3_USE_ARN_REGION", "false")]);
        assert_eq!(Sources::new(&env, Some(&profile)).boolean(&S3_USE_ARN_REGION), Some(false));
    }

    #[test]
    fn integers_are_read_as_python_reads_them() {
        for (text, expected) in [
            ("3", Some(3)),
            (" 3 ", Some(3)),
            ("+2", Some(2)),
            ("1_000", Some(1000)),
            ("99999999999999999999", Some(i64::MAX)),
        ] {
            assert_eq!(python_int(text), expected, "{text:?}");
        }
        for text in ["", "1.5", "_1", "1__0", "0x10", "three"] {
            assert_eq!(python_int(text), None, "{text:?}");
        }
        let env = Env::from_pairs([("AWS_METADATA_SERVICE_TIMEOUT", "soon")]);
        let error = Sources::new(&env, None).integer(&METADATA_SERVICE_TIMEOUT).unwrap_err();
        assert_eq!(error, "invalid literal for int() with base 10: 'soon'");
    }
}
