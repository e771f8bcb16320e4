//! What every provider of the default chain shares: the environment, the parsed config
//! files, the profile that was selected (and whether it was named explicitly), the HTTP
//! client for credential endpoints, the clock and the MFA prompt.

use std::fmt;
use std::io::{BufRead, Write};
use std::sync::Arc;

use super::http::CredentialHttp;
use super::sts::StsEndpoint;
use crate::env::Env;
use crate::profile::{Profile, ProfileSet};
use crate::time::Clock;

/// Asks the user for the current code of an MFA device (for `mfa_serial` profiles).
pub trait MfaPrompt: Send + Sync + fmt::Debug {
    /// The code for `serial`, or why none can be had.
    fn token_code(&self, serial: &str) -> Result<String, String>;
}

/// Asks on the controlling terminal (`/dev/tty`), as the AWS CLI does, so a pipe on stdin
/// does not matter; with no terminal at all (CI, a service) it refuses at once instead of
/// waiting for input that will never come.
#[derive(Debug, Default)]
pub struct TerminalMfaPrompt;

impl MfaPrompt for TerminalMfaPrompt {
    fn token_code(&self, serial: &str) -> Result<String, String> {
        let mut tty = std::fs::OpenOptions::new().read(true).write(true).open("/dev/tty").map_err(|_| {
            format!("the role needs an MFA code for {serial}, and there is no terminal to ask for it on")
        })?;
        write!(tty, "Enter MFA code for {serial}: ").and_then(|()| tty.flush()).map_err(|e| e.to_string())?;
        let mut line = String::new();
        std::io::BufReader::new(tty).read_line(&mut line).map_err(|e| format!("reading the MFA code: {e}"))?;
        let code = line.trim().to_owned();
        if code.is_empty() {
            return Err(format!("no MFA code was entered for {serial}"));
        }
        Ok(code)
    }
}

/// Shared by the providers of one chain.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub env: Env,
    pub profiles: Arc<ProfileSet>,
    /// The profile the chain reads: named explicitly, else `AWS_PROFILE`, else `default`.
    pub selected: String,
    /// Named in code or by `--profile`: environment keys and environment web identity are
    /// then not used, as in botocore.
    pub explicit: bool,
    /// Named at all (explicitly, or by `AWS_PROFILE`/`AWS_DEFAULT_PROFILE`): it must exist.
    pub named: bool,
    pub http: CredentialHttp,
    pub clock: Arc<dyn Clock>,
    /// The region of the client (STS calls go to its regional endpoint).
    pub region: Option<String>,
    pub mfa: Arc<dyn MfaPrompt>,
    /// The AWS CLI's assumed-role cache directory, when shared.
    pub role_cache: Option<std::path::PathBuf>,
}

impl Context {
    /// The selected profile, if the files have it.
    pub fn profile(&self) -> Option<&Profile> {
        self.profiles.profile(&self.selected)
    }

    /// The endpoint configured for a service (by its service id, `STS`, `SSO`, `SSO OIDC`)
    /// through the environment or the selected profile.
    /// (A services section that does not exist was already refused by the call's endpoint.)
    pub fn endpoint_url(&self, service_id: &str) -> Option<String> {
        crate::setting::configured_endpoint_url(&self.env, &self.profiles, self.profile(), service_id).ok().flatten()
    }

    /// A true/false setting, false when unset.
    fn flag(&self, setting: &crate::setting::Setting) -> bool {
        crate::setting::Sources::new(&self.env, self.profile()).boolean(setting).unwrap_or(false)
    }

    /// Where STS calls go: a configured endpoint, else the client region's regional
    /// endpoint (`sts-fips.` with `use_fips_endpoint`, the dual-stack domain with
    /// `use_dualstack_endpoint`; `sts_regional_endpoints = legacy` keeps the global endpoint
    /// for the regions that used it, unless either is on), else the global endpoint signed
    /// for `us-east-1`.
    pub fn sts_endpoint(&self) -> StsEndpoint {
        let region = self.region.clone();
        if let Some(url) = self.endpoint_url("STS") {
            return StsEndpoint { url, signing_region: region.unwrap_or_else(|| "us-east-1".into()) };
        }
        let fips = self.flag(&crate::setting::USE_FIPS_ENDPOINT);
        let dual_stack = self.flag(&crate::setting::USE_DUALSTACK_ENDPOINT);
        let legacy = self
            .env
            .get("AWS_STS_REGIONAL_ENDPOINTS")
            .or_else(|| self.profile().and_then(|p| p.get("sts_regional_endpoints")))
            .is_some_and(|v| v.eq_ignore_ascii_case("legacy"));
        let global = match region.as_deref() {
            None | Some("aws-global") => true,
            Some(r) => legacy && !fips && !dual_stack && LEGACY_GLOBAL_REGIONS.contains(&r),
        };
        if global && !fips && !dual_stack {
            return StsEndpoint { url: "https://sts.amazonaws.com".into(), signing_region: "us-east-1".into() };
        }
        let region = region.filter(|r| r != "aws-global").unwrap_or_else(|| "us-east-1".into());
        let partition = crate::endpoint::partition(&region);
        let suffix = match partition {
            Some(p) if dual_stack => p.dual_stack_dns_suffix,
            Some(p) => p.dns_suffix,
            None => "amazonaws.com",
        };
        let host = if fips { "sts-fips" } else { "sts" };
        StsEndpoint { url: format!("https://{host}.{region}.{suffix}"), signing_region: region }
    }
}

/// Regions whose STS calls went to `sts.amazonaws.com` before regional endpoints became the
/// default (botocore's list for `sts_regional_endpoints = legacy`).
const LEGACY_GLOBAL_REGIONS: &[&str] = &[
    "ap-northeast-1",
    "ap-south-1",
    "ap-southeast-1",
    "ap-southeast-2",
    "aws-global",
    "ca-central-1",
    "eu-central-1",
    "eu-north-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoint(env: &[(&str, &str)], region: Option<&str>) -> String {
        let context = Context {
            env: Env::from_pairs(env.iter().copied()),
            profiles: Arc::default(),
            selected: "default".into(),
            explicit: false,
            named: false,
            http: CredentialHttp::default(),
            clock: Arc::new(crate::time::SystemClock),
            region: region.map(str::to_owned),
            mfa: Arc::new(TerminalMfaPrompt),
            role_cache: None,
        };
        context.sts_endpoint().url
    }

    #[test]
    fn sts_endpoints_follow_the_regional_fips_and_dual_stack_rules() {
        assert_eq!(endpoint(&[], Some("eu-west-1")), "https://sts.eu-west-1.amazonaws.com");
        assert_eq!(endpoint(&[], None), "https://sts.amazonaws.com");
        assert_eq!(
            endpoint(&[("AWS_STS_REGIONAL_ENDPOINTS", "legacy")], Some("eu-west-1")),
            "https://sts.amazonaws.com"
        );
        assert_eq!(
            endpoint(&[("AWS_STS_REGIONAL_ENDPOINTS", "legacy")], Some("ap-east-1")),
            "https://sts.ap-east-1.amazonaws.com"
        );
        assert_eq!(
            endpoint(&[("AWS_USE_FIPS_ENDPOINT", "true")], Some("us-west-2")),
            "https://sts-fips.us-west-2.amazonaws.com"
        );
        assert_eq!(
            endpoint(&[("AWS_USE_DUALSTACK_ENDPOINT", "true")], Some("us-west-2")),
            "https://sts.us-west-2.api.aws"
        );
        assert_eq!(endpoint(&[], Some("cn-north-1")), "https://sts.cn-north-1.amazonaws.com.cn");
        assert_eq!(
            endpoint(&[("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:1")], Some("eu-west-1")),
            "http://127.0.0.1:1"
        );
    }
}
