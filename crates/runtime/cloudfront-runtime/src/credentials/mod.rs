//! Credentials and where they come from: the default chain in botocore's order
//! (environment, assume role, web identity, IAM Identity Center, credentials file,
//! `credential_process`, config file, ECS container, EC2 instance metadata), cached and
//! refreshed before they expire.

mod cache;
mod context;
mod documents;
mod http;
mod process;
/// Splits a command line as Python's `shlex.split` does (the AWS CLI's splitter for
/// `credential_process` and its pager).
pub use process::split as split_command_line;
mod profile_links;
mod remote;
mod role_cache;
mod sso;
mod sts;

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use cloudfront_primitives::DateTime;

pub use cache::CachingProvider;
pub use context::{MfaPrompt, TerminalMfaPrompt};
pub use http::CredentialHttp;
pub use remote::{EcsProvider, ImdsProvider, ImdsSettings};

use crate::env::Env;
use crate::profile::ProfileSet;
use crate::time::{BoxFuture, Clock, SystemClock};

/// AWS credentials. `Debug` shows the access key id only.
#[non_exhaustive]
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The access key id (not secret).
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
    /// The session token of temporary credentials.
    pub session_token: Option<String>,
    /// When temporary credentials stop working.
    pub expiry: Option<DateTime>,
    /// Which provider produced them (`environment`, `profile:dev`, ...).
    pub source: String,
}

impl Credentials {
    /// Long-term credentials given in code.
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        Credentials {
            access_key_id: access_key_id.into(),
            secret_access_key: secret_access_key.into(),
            session_token,
            expiry: None,
            source: "static".into(),
        }
    }

    /// The part the signer needs.
    pub fn for_signing(&self) -> cloudfront_sigv4::Credentials {
        cloudfront_sigv4::Credentials::new(
            self.access_key_id.clone(),
            self.secret_access_key.clone(),
            self.session_token.clone(),
        )
    }
}

/// The keys print through the signer's `Debug`, the one place that redacts them.
impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("keys", &self.for_signing())
            .field("expiry", &self.expiry)
            .field("source", &self.source)
            .finish()
    }
}

pub use crate::error::CredentialsError;

/// Something that can produce credentials.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Produces credentials, or says why it cannot.
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>>;
}

impl ProvideCredentials for Credentials {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(std::future::ready(Ok(self.clone())))
    }
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and optional `AWS_SESSION_TOKEN`.
#[derive(Debug, Clone)]
pub struct EnvironmentProvider {
    env: Env,
}

impl EnvironmentProvider {
    /// A provider reading the given environment.
    pub fn new(env: Env) -> Self {
        EnvironmentProvider { env }
    }
}

impl ProvideCredentials for EnvironmentProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        // As botocore: a key id without its secret is refused; a secret alone is ignored.
        let result = match (self.env.get("AWS_ACCESS_KEY_ID"), self.env.get("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => {
                parse_expiry(self.env.get("AWS_CREDENTIAL_EXPIRATION"), "environment").map(|expiry| Credentials {
                    access_key_id: id.to_owned(),
                    secret_access_key: secret.to_owned(),
                    session_token: self
                        .env
                        .get("AWS_SECURITY_TOKEN")
                        .or_else(|| self.env.get("AWS_SESSION_TOKEN"))
                        .map(str::to_owned),
                    expiry,
                    source: "environment".into(),
                })
            }
            (Some(_), None) => Err(CredentialsError::Failed(
                "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not".into(),
            )),
            (None, _) => Err(CredentialsError::NotLoaded("AWS_ACCESS_KEY_ID is not set".into())),
        };
        Box::pin(std::future::ready(result))
    }
}

/// What the default chain is built from.
#[non_exhaustive]
#[derive(Clone, Debug)]
pub struct ChainSettings {
    /// The environment the providers read.
    pub env: Env,
    /// The parsed shared config files.
    pub profiles: Arc<ProfileSet>,
    /// A profile named in code or by `--profile`. Unlike `AWS_PROFILE`, it switches off
    /// environment keys and environment web identity, as in the AWS CLI.
    pub profile: Option<String>,
    /// The client's region (STS calls go to its regional endpoint).
    pub region: Option<String>,
    /// Extra trusted certificate authorities for STS and IAM Identity Center calls.
    pub ca_bundle: Option<PathBuf>,
    /// Where time comes from (credential expiry, token refresh).
    pub clock: Arc<dyn Clock>,
    /// How an MFA code is asked for.
    pub mfa: Arc<dyn MfaPrompt>,
    /// Read and write assumed-role credentials in the AWS CLI's `~/.aws/cli/cache`.
    pub share_role_cache_with_aws_cli: bool,
}

impl ChainSettings {
    /// Settings reading the files `env` points at, with the system clock and a terminal MFA
    /// prompt.
    pub fn new(env: Env, profile: Option<String>) -> Result<Self, String> {
        let profiles = Arc::new(ProfileSet::load(&env)?);
        Ok(ChainSettings {
            env,
            profiles,
            profile,
            region: None,
            ca_bundle: None,
            clock: Arc::new(SystemClock),
            mfa: Arc::new(TerminalMfaPrompt),
            share_role_cache_with_aws_cli: false,
        })
    }
}

/// Tries providers in order; the first that yields credentials (or fails for real) wins.
#[derive(Debug)]
pub struct ChainProvider {
    providers: Vec<(&'static str, Box<dyn ProvideCredentials>)>,
}

impl ChainProvider {
    /// A chain of named providers, tried in order.
    pub fn new(providers: Vec<(&'static str, Box<dyn ProvideCredentials>)>) -> Self {
        ChainProvider { providers }
    }

    /// The default chain, in botocore's order. An explicitly named profile leaves the
    /// environment's keys out.
    pub fn default_chain(settings: ChainSettings) -> Self {
        let explicit = settings.profile.is_some();
        let selected = crate::profile::selected_name(&settings.env, settings.profile.as_deref());
        let http = CredentialHttp::new(settings.ca_bundle.clone());
        let env = settings.env.clone();
        let role_cache =
            settings.share_role_cache_with_aws_cli.then(|| env.home().map(|h| h.join(".aws/cli/cache"))).flatten();
        let context = Arc::new(context::Context {
            env: settings.env,
            profiles: settings.profiles,
            selected,
            explicit,
            named: explicit || env.get("AWS_DEFAULT_PROFILE").is_some() || env.get("AWS_PROFILE").is_some(),
            http: http.clone(),
            clock: settings.clock,
            region: settings.region,
            mfa: settings.mfa,
            role_cache,
        });
        let link = |link| -> Box<dyn ProvideCredentials> {
            Box::new(profile_links::ProfileLink { context: context.clone(), link })
        };
        let mut providers: Vec<(&'static str, Box<dyn ProvideCredentials>)> = Vec::new();
        if !explicit {
            providers.push(("environment", Box::new(EnvironmentProvider::new(env.clone()))));
        }
        providers.extend([
            ("assume role", link(profile_links::Link::AssumeRole)),
            ("web identity token", link(profile_links::Link::WebIdentity)),
            ("IAM Identity Center (SSO)", link(profile_links::Link::Sso)),
            ("shared credentials file", link(profile_links::Link::CredentialsFile)),
            ("credential_process", link(profile_links::Link::Process)),
            ("config file", link(profile_links::Link::ConfigFile)),
            (
                "ECS container",
                Box::new(EcsProvider::with_http(env.clone(), http.clone())) as Box<dyn ProvideCredentials>,
            ),
            ("EC2 instance metadata", Box::new(ImdsProvider::with_profile(env, context.profile(), http))),
        ]);
        ChainProvider::new(providers)
    }
}

impl ProvideCredentials for ChainProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let mut tried = Vec::new();
            for (name, provider) in &self.providers {
                match provider.provide_credentials().await {
                    Ok(credentials) => return Ok(credentials),
                    Err(CredentialsError::NotLoaded(why)) => tried.push(format!("{name} ({why})")),
                    // The provider's message already names its source (profile, file, variable).
                    Err(failed @ CredentialsError::Failed(_)) => return Err(failed),
                }
            }
            Err(CredentialsError::NotLoaded(format!("no credentials found; tried: {}", tried.join("; "))))
        })
    }
}

/// A time in one of the AWS CLI's cache files: RFC 3339, or the `2019-11-14T04:05:45UTC`
/// form the AWS CLI writes.
pub(crate) fn parse_cache_time(text: &str) -> Result<DateTime, String> {
    let normalised = text.strip_suffix("UTC").map_or_else(|| text.to_owned(), |t| format!("{t}Z"));
    DateTime::parse_lenient(&normalised).map_err(|e| e.to_string())
}

/// SHA-1 in hex: the AWS CLI names its cache files so (a name, not a secret).
pub(crate) fn sha1_hex(data: &[u8]) -> String {
    use cloudfront_sigv4::crypto::digest;
    cloudfront_primitives::percent::hex(digest::digest(&digest::SHA1_FOR_LEGACY_USE_ONLY, data).as_ref())
}

/// Replaces a cache file atomically, readable by its owner only (its directory is made
/// owner-only too when it has to be created).
pub(crate) fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.exists()) {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir)?;
    }
    // Unique per process and call: two clients may write the same cache at once.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temporary = path.with_extension(format!("tmp{}-{call}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written =
        options.open(&temporary).and_then(|mut file| std::io::Write::write_all(&mut file, contents.as_bytes()));
    let result = written.and_then(|()| std::fs::rename(&temporary, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// Reads the `Expiration` of a credentials document (RFC 3339).
pub(crate) fn parse_expiry(text: Option<&str>, source: &str) -> Result<Option<DateTime>, CredentialsError> {
    text.map(|t| {
        DateTime::parse_lenient(t).map_err(|e| CredentialsError::Failed(format!("{source}: bad Expiration: {e}")))
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn environment_provider_reads_keys_and_refuses_half_a_pair() {
        let env = Env::from_pairs([
            ("AWS_ACCESS_KEY_ID", "AKID"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
            ("AWS_SESSION_TOKEN", "t"),
        ]);
        let c = EnvironmentProvider::new(env).provide_credentials().await.unwrap();
        assert_eq!((c.access_key_id.as_str(), c.session_token.as_deref()), ("AKID", Some("t")));
        let half = EnvironmentProvider::new(Env::from_pairs([("AWS_ACCESS_KEY_ID", "AKID")]));
        assert!(matches!(half.provide_credentials().await, Err(CredentialsError::Failed(_))));
        let secret_only = EnvironmentProvider::new(Env::from_pairs([("AWS_SECRET_ACCESS_KEY", "s")]));
        assert!(matches!(secret_only.provide_credentials().await, Err(CredentialsError::NotLoaded(_))));
    }

    #[tokio::test]
    async fn chain_lists_every_provider_it_tried() {
        let env = Env::from_pairs([("HOME", "/nonexistent"), ("AWS_EC2_METADATA_DISABLED", "true")]);
        let settings = ChainSettings::new(env, None).unwrap();
        let error = ChainProvider::default_chain(settings).provide_credentials().await.unwrap_err();
        let text = error.to_string();
        for name in [
            "environment",
            "assume role",
            "web identity",
            "SSO",
            "credentials file",
            "credential_process",
            "config file",
            "ECS container",
            "EC2 instance metadata",
        ] {
            assert!(text.contains(name), "{text}");
        }
    }

    #[test]
    fn debug_hides_secrets() {
        let c = Credentials::new("AKID", "SECRETKEY", Some("SESSIONTOKEN".into()));
        let text = format!("{c:?}");
        assert!(!text.contains("SECRETKEY") && !text.contains("SESSIONTOKEN"));
    }
}
