//! Client configuration: set in code, or loaded the way the AWS SDKs and CLI do from the
//! environment and the shared config files (explicit settings win, then environment
//! variables, then the profile).

use std::sync::Arc;
use std::time::Duration;

use crate::credentials::{CachingProvider, ChainProvider, ChainSettings, Credentials, MfaPrompt, ProvideCredentials};
use crate::endpoint::EndpointError;
use crate::env::Env;
use crate::profile::{Profile, ProfileSet};
use crate::retry::RetryConfig;
use crate::s3_config::S3Config;
use crate::setting::{self, Sources};
use crate::time::{Clock, Sleep, SystemClock, TokioSleep};
use crate::transport::TransportSettings;

/// Everything a client needs besides the service's own model.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct Config {
    /// The region requests are made in (signing region unless the endpoint rules say otherwise).
    pub region: Option<String>,
    /// A URL to use instead of the resolved endpoint (from code; the environment and
    /// profile overrides are looked up per service by [`Config::endpoint_url_for`]).
    pub endpoint_url: Option<String>,
    /// Use a FIPS 140 endpoint.
    pub use_fips: bool,
    /// Use a dual-stack (IPv4 and IPv6) endpoint.
    pub use_dual_stack: bool,
    /// S3's settings (addressing style, acceleration, ARN regions, ...) set in code; `None`
    /// reads them from the environment and profile when an S3 client resolves an endpoint
    /// (so a bad S3 setting fails S3 calls only, as in botocore).
    pub s3: Option<S3Config>,
    /// `None` sends requests unsigned (`--no-sign-request`).
    pub credentials: Option<Arc<dyn ProvideCredentials>>,
    /// How failed attempts are retried.
    pub retry: RetryConfig,
    /// HTTP transport settings (timeouts, TLS, body limit).
    pub transport: TransportSettings,
    /// A deadline for the whole operation, retries included.
    pub operation_timeout: Option<Duration>,
    /// Where time comes from (tests substitute a fake clock).
    pub clock: Arc<dyn Clock>,
    /// How to wait (tests substitute a fake sleeper).
    pub sleep: Arc<dyn Sleep>,
    env: Env,
    profiles: Arc<ProfileSet>,
    profile: Option<Profile>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            region: None,
            endpoint_url: None,
            use_fips: false,
            use_dual_stack: false,
            s3: None,
            credentials: None,
            retry: RetryConfig::default(),
            transport: TransportSettings::default(),
            operation_timeout: None,
            clock: Arc::new(SystemClock),
            sleep: Arc::new(TokioSleep),
            env: Env::default(),
            profiles: Arc::default(),
            profile: None,
        }
    }
}

impl Config {
    /// A builder starting from nothing (no region, no credentials).
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder {
            config: Config::default(),
            profile_name: None,
            unsigned: false,
            mfa: None,
            share_role_cache: false,
        }
    }

    /// Loads from the process environment and `~/.aws` files.
    pub fn load() -> Result<Config, String> {
        Config::loader(Env::process(), None).build()
    }

    /// A builder that first loads from `env` and the shared config files, with `profile`
    /// (else `AWS_PROFILE`, else `default`); settings made on it override what was loaded.
    pub fn loader(env: Env, profile: Option<String>) -> ConfigBuilder {
        ConfigBuilder {
            config: Config { env, ..Config::default() },
            profile_name: Some(profile),
            unsigned: false,
            mfa: None,
            share_role_cache: false,
        }
    }

    /// The endpoint override for a service: the one set in code, else the one the
    /// environment or the profile configures (see [`setting::configured_endpoint_url`]).
    pub fn endpoint_url_for(&self, service_id: &str) -> Result<Option<String>, String> {
        if let Some(url) = &self.endpoint_url {
            return Ok(Some(url.clone()));
        }
        setting::configured_endpoint_url(&self.env, &self.profiles, self.profile.as_ref(), service_id)
    }

    /// What this configuration says about a service's endpoint, as botocore applies it: the
    /// region checked as a host label, and FIPS and dual-stack left out of the rules whenever
    /// an endpoint URL is configured (the URL is used as given).
    pub fn endpoint_settings(&self, service_id: &str) -> Result<EndpointSettings, EndpointError> {
        if let Some(region) = self.region.as_deref().filter(|r| !is_host_label(r)) {
            return Err(EndpointError(format!("Provided region_name '{region}' doesn't match a supported format.")));
        }
        let endpoint_url = self.endpoint_url_for(service_id).map_err(EndpointError)?;
        let custom = endpoint_url.is_some();
        // S3 (and S3 Control) read their own settings; S3's dual-stack one wins, as in botocore.
        let s3 = match (service_id, &self.s3) {
            ("S3" | "S3 Control", Some(set)) => Some(set.clone()),
            ("S3" | "S3 Control", None) => {
                Some(S3Config::from_sources(&Sources::new(&self.env, self.profile.as_ref())).map_err(EndpointError)?)
            }
            _ => None,
        };
        let s3_dual_stack = s3.as_ref().and_then(|s3| s3.use_dualstack_endpoint);
        Ok(EndpointSettings {
            region: self.region.clone(),
            use_fips: self.use_fips && !custom,
            use_dual_stack: s3_dual_stack.unwrap_or(self.use_dual_stack) && !custom,
            builtins: s3.map(|s3| s3.builtins(self.region.as_deref(), endpoint_url.as_deref())).unwrap_or_default(),
            endpoint_url,
        })
    }

    /// The profile that was loaded, if any.
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_ref()
    }
}

/// A service's endpoint inputs from a [`Config`] (see [`Config::endpoint_settings`]).
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EndpointSettings {
    /// The region.
    pub region: Option<String>,
    /// The endpoint URL set in code or configured for the service.
    pub endpoint_url: Option<String>,
    /// Use a FIPS endpoint (never with an endpoint URL).
    pub use_fips: bool,
    /// Use a dual-stack endpoint (never with an endpoint URL).
    pub use_dual_stack: bool,
    /// The other boolean built-ins of endpoint rule sets, by name (`AWS::S3::ForcePathStyle`).
    pub builtins: Vec<(String, bool)>,
}

impl EndpointSettings {
    /// The value of a boolean built-in other than FIPS and dual-stack, if this configuration
    /// sets it.
    pub fn builtin(&self, name: &str) -> Option<bool> {
        self.builtins.iter().find(|(n, _)| n == name).map(|(_, value)| *value)
    }

    /// These settings with the built-in `name` set to `value` (endpoint tests set built-ins
    /// directly).
    pub fn with_builtin(mut self, name: &str, value: bool) -> Self {
        self.builtins.retain(|(n, _)| n != name);
        self.builtins.push((name.to_owned(), value));
        self
    }
}

/// Whether a region is a valid host label, botocore's rule for region names: letters, digits
/// and `-`, at most 63, not only digits, neither starting nor ending with `-` (empty passes).
fn is_host_label(region: &str) -> bool {
    region.len() <= 63
        && region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !(region.starts_with('-') || region.ends_with('-'))
        && (region.is_empty() || !region.bytes().all(|b| b.is_ascii_digit()))
}

/// Builds a [`Config`].
#[derive(Debug)]
pub struct ConfigBuilder {
    config: Config,
    /// `Some` when the environment and profile are to be loaded (with an optional name).
    profile_name: Option<Option<String>>,
    unsigned: bool,
    mfa: Option<Arc<dyn MfaPrompt>>,
    share_role_cache: bool,
}

impl ConfigBuilder {
    /// Sets the region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.config.region = Some(region.into());
        self
    }

    /// Sets an endpoint URL to use instead of the resolved one.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.config.endpoint_url = Some(url.into());
        self
    }

    /// Use a FIPS endpoint.
    pub fn use_fips(mut self, on: bool) -> Self {
        self.config.use_fips = on;
        self
    }

    /// Use a dual-stack endpoint.
    pub fn use_dual_stack(mut self, on: bool) -> Self {
        self.config.use_dual_stack = on;
        self
    }

    /// S3's settings; set here, they replace what the profile and environment say.
    pub fn s3(mut self, s3: S3Config) -> Self {
        self.config.s3 = Some(s3);
        self
    }

    /// Fixed credentials.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.config.credentials = Some(Arc::new(credentials));
        self
    }

    /// Any credentials provider (it is used as is; wrap it in a cache if it is slow).
    pub fn credentials_provider(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.config.credentials = Some(provider);
        self
    }

    /// How the default chain asks for an MFA code (default: on the terminal, refusing when
    /// there is none).
    pub fn mfa_prompt(mut self, prompt: Arc<dyn MfaPrompt>) -> Self {
        self.mfa = Some(prompt);
        self
    }

    /// Read and write assumed-role credentials in the AWS CLI's `~/.aws/cli/cache`, as the
    /// AWS CLI does, so either tool reuses a role the other assumed (off by default).
    pub fn share_role_cache_with_aws_cli(mut self, on: bool) -> Self {
        self.share_role_cache = on;
        self
    }

    /// Send requests unsigned (no credentials are looked up).
    pub fn no_signing(mut self) -> Self {
        self.config.credentials = None;
        self.unsigned = true;
        self
    }

    /// Sets the retry mode and attempts.
    pub fn retry(mut self, retry: RetryConfig) -> Self {
        self.config.retry = retry;
        self
    }

    /// Sets the transport settings.
    pub fn transport(mut self, transport: TransportSettings) -> Self {
        self.config.transport = transport;
        self
    }

    /// Sends through a `reqwest::Client` the program built (shared pool, its own TLS settings,
    /// client certificates, DNS, middleware, tracing). Its proxies, timeouts and trust are then
    /// that client's: a CA bundle or `insecure` set here is refused when the client is made,
    /// and the environment's proxy variables are not read for it.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.config.transport.http_client = Some(client);
        self
    }

    /// Sets the connect timeout.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.config.transport.connect_timeout = timeout;
        self
    }

    /// Sets the read timeout (the longest wait for any read).
    pub fn read_timeout(mut self, timeout: Duration) -> Self {
        self.config.transport.read_timeout = Some(timeout);
        self
    }

    /// Sets a deadline for whole operations, retries included.
    pub fn operation_timeout(mut self, timeout: Duration) -> Self {
        self.config.operation_timeout = Some(timeout);
        self
    }

    /// A clock and sleeper (tests use [`crate::time::FakeTime`]).
    pub fn time(mut self, clock: Arc<dyn Clock>, sleep: Arc<dyn Sleep>) -> Self {
        self.config.clock = clock;
        self.config.sleep = sleep;
        self
    }

    /// Finishes, loading the environment and profile first when this builder came from
    /// [`Config::loader`]; what was set in code wins.
    pub fn build(self) -> Result<Config, String> {
        let ConfigBuilder { mut config, profile_name, unsigned, mfa, share_role_cache } = self;
        let Some(profile_name) = profile_name else { return Ok(config) };
        let env = config.env.clone();
        let profiles = Arc::new(ProfileSet::load(&env)?);
        let selected = crate::profile::selected_name(&env, profile_name.as_deref());
        let named =
            profile_name.is_some() || env.get("AWS_DEFAULT_PROFILE").is_some() || env.get("AWS_PROFILE").is_some();
        let profile = match profiles.profile(&selected) {
            Some(p) => Some(p.clone()),
            None if named => {
                // botocore's words; the profiles that do exist go to the log.
                tracing::debug!(known = ?profiles.names(), "no such profile");
                return Err(format!("The config profile ({selected}) could not be found"));
            }
            None => None,
        };
        let sources = Sources::new(&env, profile.as_ref());
        if config.region.is_none() {
            config.region = sources.value(&setting::REGION).map(str::to_owned);
        }
        config.use_fips = config.use_fips || sources.boolean(&setting::USE_FIPS_ENDPOINT).unwrap_or(false);
        config.use_dual_stack =
            config.use_dual_stack || sources.boolean(&setting::USE_DUALSTACK_ENDPOINT).unwrap_or(false);
        if config.retry == RetryConfig::default() {
            config.retry = RetryConfig::from_env(&env, profile.as_ref())?;
        }
        // AWS_CA_BUNDLE, else the profile's ca_bundle: for the client and its credential calls.
        if config.transport.ca_bundle.is_none() {
            config.transport.ca_bundle = env
                .get("AWS_CA_BUNDLE")
                .or_else(|| profile.as_ref().and_then(|p| p.get("ca_bundle")))
                .map(|path| env.expand_home(path));
        }
        if config.credentials.is_none() && !unsigned {
            let settings = ChainSettings {
                env,
                profiles: profiles.clone(),
                profile: profile_name,
                region: config.region.clone(),
                ca_bundle: config.transport.ca_bundle.clone(),
                clock: config.clock.clone(),
                mfa: mfa.unwrap_or_else(|| Arc::new(crate::credentials::TerminalMfaPrompt)),
                share_role_cache_with_aws_cli: share_role_cache,
            };
            let chain = ChainProvider::default_chain(settings);
            config.credentials = Some(Arc::new(CachingProvider::with_clock(Box::new(chain), config.clock.clone())));
        }
        config.profiles = profiles;
        config.profile = profile;
        Ok(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(config: &str) -> Env {
        let dir =
            std::env::temp_dir().join(format!("cloudfront-runtime-config-{}-{}", std::process::id(), config.len()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config"), config).unwrap();
        let path = dir.join("config").to_string_lossy().into_owned();
        Env::from_pairs([("AWS_CONFIG_FILE", path.as_str()), ("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")])
    }

    #[test]
    fn s3_settings_are_read_for_s3_only_so_a_bad_one_fails_s3_calls_only() {
        let env =
            files("[default]\nregion = us-east-1\ns3 =\n  addressing_style = Path\n  use_dualstack_endpoint = true\n");
        let config = Config::loader(env, None).no_signing().build().unwrap();
        let cloudfront = config.endpoint_settings("CloudFront").unwrap();
        assert!(cloudfront.builtins.is_empty() && !cloudfront.use_dual_stack);
        let error = config.endpoint_settings("S3").unwrap_err();
        assert!(error.0.contains("s3.addressing_style in profile default"), "{error}");
        let env =
            files("[default]\nregion = us-east-1\ns3 =\n  addressing_style = path\n  use_dualstack_endpoint = true\n");
        let s3 = Config::loader(env, None).no_signing().build().unwrap().endpoint_settings("S3").unwrap();
        assert!(s3.use_dual_stack && s3.builtin("AWS::S3::ForcePathStyle") == Some(true));
    }

    #[test]
    fn endpoint_settings_as_botocore_applies_them() {
        let env = files("[default]\nregion = eu-west-1\nuse_fips_endpoint = true\nuse_dualstack_endpoint = yes\n");
        let settings = Config::loader(env.clone(), None).build().unwrap().endpoint_settings("CloudFront").unwrap();
        assert_eq!((settings.use_fips, settings.use_dual_stack, settings.endpoint_url), (true, false, None));
        // A configured endpoint URL takes FIPS and dual-stack out of the rules.
        let custom = env.with("AWS_ENDPOINT_URL", "http://local:1");
        let settings = Config::loader(custom, None).build().unwrap().endpoint_settings("CloudFront").unwrap();
        assert_eq!((settings.use_fips, settings.endpoint_url.as_deref()), (false, Some("http://local:1")));
        // Ignored when asked, even by a variable that beats the profile.
        let ignored =
            env.with("AWS_ENDPOINT_URL", "http://local:1").with("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "True");
        assert_eq!(Config::loader(ignored, None).build().unwrap().endpoint_url_for("CloudFront").unwrap(), None);
        for bad in ["bad_region!", "-east", "123", "us-east-1 "] {
            let error = Config::loader(env.clone(), None).region(bad).build().unwrap().endpoint_settings("CloudFront");
            assert_eq!(error.unwrap_err().0, format!("Provided region_name '{bad}' doesn't match a supported format."));
        }
        let missing = files("[default]\nservices = nowhere\n");
        let error = Config::loader(missing, None).build().unwrap().endpoint_settings("CloudFront").unwrap_err();
        assert_eq!(
            error.0,
            "The profile is configured to use the services section but the \"nowhere\" services configuration does not exist."
        );
    }

    #[test]
    fn region_and_endpoint_precedence() {
        let env = files(
            "[default]\nregion = eu-west-1\nendpoint_url = http://profile:1\n[profile p]\nregion = ap-south-1\nuse_fips_endpoint = true\n",
        );
        let config = Config::loader(env.clone(), None).build().unwrap();
        assert_eq!(config.region.as_deref(), Some("eu-west-1"));
        assert_eq!(config.endpoint_url_for("CloudFront").unwrap().as_deref(), Some("http://profile:1"));

        let mut with_env = env.clone();
        with_env = Env::from_pairs(
            [
                ("AWS_REGION", "us-west-2"),
                ("AWS_ENDPOINT_URL", "http://all:2"),
                ("AWS_ENDPOINT_URL_CLOUDFRONT", "http://cf:3"),
            ]
            .into_iter()
            .chain([("AWS_CONFIG_FILE", with_env.get("AWS_CONFIG_FILE").unwrap())]),
        );
        let config = Config::loader(with_env.clone(), None).build().unwrap();
        assert_eq!(config.region.as_deref(), Some("us-west-2"));
        assert_eq!(config.endpoint_url_for("CloudFront").unwrap().as_deref(), Some("http://cf:3"));
        let explicit = Config::loader(with_env, None).endpoint_url("http://code:4").region("x").build().unwrap();
        assert_eq!(explicit.endpoint_url_for("CloudFront").unwrap().as_deref(), Some("http://code:4"));
        assert_eq!(explicit.region.as_deref(), Some("x"));

        let p = Config::loader(env.clone(), Some("p".into())).build().unwrap();
        assert_eq!(p.region.as_deref(), Some("ap-south-1"));
        assert!(p.use_fips);
        let missing = Config::loader(env, Some("nope".into())).build().unwrap_err();
        assert!(missing.contains("(nope) could not be found"), "{missing}");
    }

    #[test]
    fn the_ca_bundle_comes_from_the_environment_or_the_profile() {
        let env =
            files("[default]\nca_bundle = ~/profile-ca.pem\n[profile other]\nregion = x\n").with("HOME", "/home/me");
        let config = Config::loader(env.clone(), None).build().unwrap();
        assert_eq!(config.transport.ca_bundle.as_deref(), Some(std::path::Path::new("/home/me/profile-ca.pem")));
        let config = Config::loader(env.with("AWS_CA_BUNDLE", "/etc/env-ca.pem"), None).build().unwrap();
        assert_eq!(config.transport.ca_bundle.as_deref(), Some(std::path::Path::new("/etc/env-ca.pem")));
        let config = Config::loader(env, Some("other".into())).build().unwrap();
        assert_eq!(config.transport.ca_bundle, None);
        // And the client refuses one it cannot read, naming it.
        let error = crate::Handle::new(
            Config::loader(files("").with("AWS_CA_BUNDLE", "/nonexistent/ca.pem"), None).build().unwrap(),
        )
        .unwrap_err();
        assert!(error.contains("cannot read the CA bundle /nonexistent/ca.pem"), "{error}");
    }
}
