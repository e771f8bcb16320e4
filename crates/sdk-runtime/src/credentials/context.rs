//! What every provider of the default chain shares: the environment, the parsed config
//! files, the profile that was selected (and whether it was named explicitly), the HTTP
//! client for credential endpoints, the clock and the MFA prompt.

use std::fmt;
use std::io::{BufRead, IsTerminal, Write};
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

/// Asks on the controlling terminal, as the AWS CLI does; with no terminal (CI, a pipe) it
/// refuses at once instead of waiting for input that will never come.
#[derive(Debug, Default)]
pub struct TerminalMfaPrompt;

impl MfaPrompt for TerminalMfaPrompt {
    fn token_code(&self, serial: &str) -> Result<String, String> {
        if !std::io::stdin().is_terminal() {
            return Err(format!("the role needs an MFA code for {serial}, and there is no terminal to ask for it on"));
        }
        let mut tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")
            .map_err(|e| format!("cannot open the terminal to ask for the MFA code: {e}"))?;
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
    pub fn endpoint_url(&self, service_id: &str) -> Option<String> {
        crate::config::configured_endpoint_url(&self.env, &self.profiles, self.profile(), service_id)
    }

    /// Where STS calls go: a configured endpoint, else the client region's regional
    /// endpoint (`sts_regional_endpoints = legacy` keeps the global one for the regions that
    /// used it), else the global endpoint signed for `us-east-1`.
    pub fn sts_endpoint(&self) -> StsEndpoint {
        let region = self.region.clone();
        if let Some(url) = self.endpoint_url("STS") {
            return StsEndpoint { url, signing_region: region.unwrap_or_else(|| "us-east-1".into()) };
        }
        let legacy = self
            .env
            .get("AWS_STS_REGIONAL_ENDPOINTS")
            .or_else(|| self.profile().and_then(|p| p.get("sts_regional_endpoints")))
            .is_some_and(|v| v.eq_ignore_ascii_case("legacy"));
        match region {
            Some(region) if !(legacy && LEGACY_GLOBAL_REGIONS.contains(&region.as_str())) && region != "aws-global" => {
                let suffix = crate::endpoint::partition(&region).map_or("amazonaws.com", |p| p.dns_suffix);
                StsEndpoint { url: format!("https://sts.{region}.{suffix}"), signing_region: region }
            }
            _ => StsEndpoint { url: "https://sts.amazonaws.com".into(), signing_region: "us-east-1".into() },
        }
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
