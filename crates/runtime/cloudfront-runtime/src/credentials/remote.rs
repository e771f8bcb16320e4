//! Credentials from the machine the program runs on: the ECS/EKS container endpoint and EC2
//! instance metadata (IMDSv2, falling back to v1 where botocore does).

use std::net::IpAddr;
use std::time::Duration;

use super::http::{CredentialHttp, SendError};
use super::{Credentials, CredentialsError, ProvideCredentials, parse_expiry};
use crate::env::Env;
use crate::profile::Profile;
use crate::setting::{self, Setting, Sources};
use crate::time::BoxFuture;

/// The container endpoint: botocore's timeout per attempt, attempts, and pause between them.
const CONTAINER_TIMEOUT: Duration = Duration::from_secs(2);
const CONTAINER_ATTEMPTS: u32 = 3;
const CONTAINER_PAUSE: Duration = Duration::from_secs(1);

/// Hosts a plain-HTTP container credentials URI may name besides literal loopback addresses:
/// the ECS task endpoint, the EKS Pod Identity endpoints, and `localhost`.
const CONTAINER_HOSTS: &[&str] = &["169.254.170.2", "169.254.170.23", "fd00:ec2::23", "localhost"];

/// The ECS/EKS container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` or
/// `..._FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN[_FILE]`).
#[derive(Debug, Clone)]
pub struct EcsProvider {
    env: Env,
    http: CredentialHttp,
}

impl EcsProvider {
    /// The container provider for the `AWS_CONTAINER_*` variables of `env`.
    pub fn new(env: Env) -> Self {
        Self::with_http(env, CredentialHttp::default())
    }

    /// The same, sending through `http` (the client's CA settings).
    pub fn with_http(env: Env, http: CredentialHttp) -> Self {
        EcsProvider { env, http }
    }

    fn url(&self) -> Result<Option<String>, String> {
        if let Some(relative) = self.env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            if !relative.starts_with('/') {
                return Err(format!("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI must start with '/', not {relative:?}"));
            }
            return Ok(Some(format!("http://169.254.170.2{relative}")));
        }
        let Some(full) = self.env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") else { return Ok(None) };
        let parsed = crate::transport::parse_url(full)
            .map_err(|e| format!("AWS_CONTAINER_CREDENTIALS_FULL_URI {full:?} is not a usable URL: {e}"))?;
        let host = parsed.host_str().unwrap_or_default();
        if parsed.scheme() != "https" && !allowed_plain_http_host(host) {
            return Err(format!(
                "AWS_CONTAINER_CREDENTIALS_FULL_URI: plain HTTP to host {host:?} is refused; it must be a loopback address or one of {}",
                CONTAINER_HOSTS.join(", ")
            ));
        }
        Ok(Some(full.to_owned()))
    }

    fn token(&self) -> Result<Option<String>, String> {
        if let Some(file) = self.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            let text = std::fs::read_to_string(file)
                .map_err(|e| format!("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {file}: {e}"))?;
            return Ok(Some(text.trim_end().to_owned()));
        }
        Ok(self.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN").map(str::to_owned))
    }
}

/// A literal loopback address (a host *name* such as `127.0.0.1.example` is not one), or
/// one of [`CONTAINER_HOSTS`].
fn allowed_plain_http_host(host: &str) -> bool {
    let bare = crate::transport::unbracketed(host);
    bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        || CONTAINER_HOSTS.iter().any(|allowed| bare.eq_ignore_ascii_case(allowed))
}

impl ProvideCredentials for EcsProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let fail = |why: String| CredentialsError::Failed(format!("container credentials: {why}"));
            let Some(url) = self.url().map_err(fail)? else {
                return Err(CredentialsError::NotLoaded(
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI are not set".into(),
                ));
            };
            let token = self.token().map_err(fail)?;
            let mut headers = vec![("Accept", "application/json")];
            if let Some(token) = &token {
                headers.push(("Authorization", token));
            }
            let mut last = String::new();
            for attempt in 1..=CONTAINER_ATTEMPTS {
                if attempt > 1 {
                    tokio::time::sleep(CONTAINER_PAUSE).await;
                }
                match self.http.send("GET", &url, &headers, Vec::new(), CONTAINER_TIMEOUT).await {
                    Ok(answer) if answer.status == 200 => {
                        match credentials_document(&answer.body, "container credentials") {
                            Ok(credentials) => return Ok(credentials),
                            Err(why) => last = format!("{url}: {why}"),
                        }
                    }
                    Ok(answer) => last = format!("{url} answered {}", answer.status),
                    Err(e) => last = e.into_message(),
                }
            }
            Err(fail(format!("{last} (after {CONTAINER_ATTEMPTS} attempts)")))
        })
    }
}

/// How instance metadata is reached, read as botocore reads it (environment, then profile):
/// `ec2_metadata_service_endpoint`, `ec2_metadata_service_endpoint_mode`,
/// `metadata_service_timeout` (seconds, default 1), `metadata_service_num_attempts` (default 1)
/// and `ec2_metadata_v1_disabled`.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImdsSettings {
    /// The endpoint, `http://169.254.169.254` (or `http://[fd00:ec2::254]` in IPv6 mode) if none.
    pub endpoint: String,
    /// The wait for each answer.
    pub timeout: Duration,
    /// Attempts at each metadata read, the session token's included.
    pub attempts: u32,
    /// Refuse to read without a session token.
    pub v1_disabled: bool,
}

impl ImdsSettings {
    /// Reads the settings from `sources`; a value botocore cannot read is an error naming it.
    pub fn read(sources: &Sources<'_>) -> Result<ImdsSettings, String> {
        // The mode is checked even when an endpoint is set, as botocore checks it.
        let default = match sources.text(&setting::EC2_METADATA_SERVICE_ENDPOINT_MODE) {
            None => "http://169.254.169.254",
            Some((mode, _)) if mode.eq_ignore_ascii_case("ipv4") => "http://169.254.169.254",
            Some((mode, _)) if mode.eq_ignore_ascii_case("ipv6") => "http://[fd00:ec2::254]",
            Some((mode, origin)) => return Err(format!("{origin} must be IPv4 or IPv6, not {mode:?}")),
        };
        let endpoint = match sources.text(&setting::EC2_METADATA_SERVICE_ENDPOINT) {
            Some((endpoint, origin)) if !endpoint.is_empty() => {
                crate::transport::parse_url(endpoint)
                    .map_err(|e| format!("{origin} {endpoint:?} is not a URL: {e}"))?;
                endpoint.trim_end_matches('/').to_owned()
            }
            _ => default.to_owned(),
        };
        let number = |setting: &Setting, default: i64| -> Result<i64, String> {
            let origin = sources.text(setting).map(|(_, origin)| origin).unwrap_or_default();
            sources.integer(setting).map(|n| n.unwrap_or(default)).map_err(|e| format!("{origin}: {e}"))
        };
        let seconds = number(&setting::METADATA_SERVICE_TIMEOUT, 1)?;
        let attempts = number(&setting::METADATA_SERVICE_NUM_ATTEMPTS, 1)?;
        Ok(ImdsSettings {
            endpoint,
            timeout: Duration::from_secs(seconds.clamp(0, 3600) as u64),
            // As botocore: none at all with 0 (so no credentials from here).
            attempts: attempts.clamp(0, 100) as u32,
            v1_disabled: sources.boolean(&setting::EC2_METADATA_V1_DISABLED).unwrap_or(false),
        })
    }
}

/// EC2 instance metadata: a session token first (IMDSv2), then the role's credentials.
#[derive(Debug, Clone)]
pub struct ImdsProvider {
    env: Env,
    settings: Result<ImdsSettings, String>,
    http: CredentialHttp,
}

impl ImdsProvider {
    /// The instance metadata provider, its settings read from the environment alone.
    pub fn new(env: Env) -> Self {
        Self::with_http(env, CredentialHttp::default())
    }

    /// The same, sending through `http`.
    pub fn with_http(env: Env, http: CredentialHttp) -> Self {
        let settings = ImdsSettings::read(&Sources::new(&env, None));
        ImdsProvider { env, settings, http }
    }

    /// The provider with settings read from the environment and a profile (a setting that
    /// cannot be read fails the provider when it is asked, naming the setting).
    pub fn with_profile(env: Env, profile: Option<&Profile>, http: CredentialHttp) -> Self {
        let settings = ImdsSettings::read(&Sources::new(&env, profile));
        ImdsProvider { env, settings, http }
    }

    /// An IMDSv2 session token, asked for up to `attempts` times as botocore asks: a token is
    /// used when given; 403, 404 or 405 mean none (IMDSv1 then, unless disabled); 400 means
    /// this is no usable metadata service; another answer, or none, is asked again.
    async fn session_token(&self, settings: &ImdsSettings, base: &str) -> Result<Option<String>, CredentialsError> {
        let url = format!("{base}/latest/api/token");
        let ttl = [("x-aws-ec2-metadata-token-ttl-seconds", "21600")];
        for _ in 0..settings.attempts {
            match self.http.send("PUT", &url, &ttl, Vec::new(), settings.timeout).await {
                Ok(answer) if answer.status == 200 => return Ok(Some(answer.text())),
                Ok(answer) if matches!(answer.status, 403..=405) => return Ok(None),
                Ok(answer) if answer.status == 400 => {
                    return Err(CredentialsError::NotLoaded(format!("no instance metadata at {base} (400)")));
                }
                Ok(_) | Err(SendError::Unreachable(_) | SendError::Other(_)) => {}
            }
        }
        Ok(None)
    }

    /// One metadata read, tried as many times as the settings allow: another attempt follows
    /// a failure to connect or read, an answer other than 200, or an empty one (botocore's).
    async fn get(&self, settings: &ImdsSettings, url: &str, token: Option<&str>) -> Result<String, CredentialsError> {
        let headers: Vec<(&str, &str)> = token.map(|t| ("x-aws-ec2-metadata-token", t)).into_iter().collect();
        let mut last = String::new();
        for _ in 0..settings.attempts {
            match self.http.send("GET", url, &headers, Vec::new(), settings.timeout).await {
                Ok(answer) if answer.status == 200 && !answer.body.is_empty() => return Ok(answer.text()),
                Ok(answer) => last = format!("{url} answered {}", answer.status),
                Err(e) => last = e.into_message(),
            }
        }
        Err(CredentialsError::NotLoaded(format!("instance metadata: {last}")))
    }
}

impl ProvideCredentials for ImdsProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            if self.env.flag("AWS_EC2_METADATA_DISABLED").ok().flatten() == Some(true) {
                return Err(CredentialsError::NotLoaded("AWS_EC2_METADATA_DISABLED is true".into()));
            }
            let fail = |why: String| CredentialsError::Failed(format!("instance metadata: {why}"));
            let settings = self.settings.as_ref().map_err(|e| fail(e.clone()))?;
            let base = &settings.endpoint;
            let token = self.session_token(settings, base).await?;
            if token.is_none() && settings.v1_disabled {
                return Err(fail(format!(
                    "no IMDSv2 token from {base}, and IMDSv1 is disabled (ec2_metadata_v1_disabled)"
                )));
            }
            let roles = self
                .get(settings, &format!("{base}/latest/meta-data/iam/security-credentials/"), token.as_deref())
                .await?;
            let role = roles
                .lines()
                .next()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .ok_or_else(|| CredentialsError::NotLoaded("the instance has no IAM role".into()))?
                .to_owned();
            let document = self
                .get(settings, &format!("{base}/latest/meta-data/iam/security-credentials/{role}"), token.as_deref())
                .await?;
            let json = super::documents::parse(document.as_bytes()).map_err(|e| fail(format!("invalid JSON: {e}")))?;
            if json["Code"].as_str().is_some_and(|c| c != "Success") {
                return Err(fail(format!("credentials for role {role} are not available: {}", json["Code"])));
            }
            credentials_document(document.as_bytes(), &format!("instance metadata ({role})")).map_err(fail)
        })
    }
}

/// `{AccessKeyId, SecretAccessKey, Token, Expiration}` as ECS and IMDS return it.
fn credentials_document(body: &[u8], source: &str) -> Result<Credentials, String> {
    let json = super::documents::parse(body).map_err(|e| format!("invalid JSON: {e}"))?;
    let field = |k: &str| json[k].as_str().map(str::to_owned).ok_or_else(|| format!("no {k} in the document"));
    Ok(Credentials {
        access_key_id: field("AccessKeyId")?,
        secret_access_key: field("SecretAccessKey")?,
        session_token: json["Token"].as_str().map(str::to_owned),
        expiry: parse_expiry(json["Expiration"].as_str(), source).map_err(|e| e.to_string())?,
        source: source.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_literal_loopback_and_container_hosts() {
        for ok in ["127.0.0.1", "127.1.2.3", "[::1]", "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "localhost"]
        {
            assert!(allowed_plain_http_host(ok), "{ok}");
        }
        for refused in ["127.anything.example", "127.0.0.1.nip.io", "169.254.169.254", "10.0.0.1", "example.com", ""] {
            assert!(!allowed_plain_http_host(refused), "{refused}");
        }
    }

    #[test]
    fn container_urls() {
        let url = |pairs: &[(&str, &str)]| EcsProvider::new(Env::from_pairs(pairs.iter().copied())).url();
        assert_eq!(
            url(&[("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/creds")]).unwrap().unwrap(),
            "http://169.254.170.2/v2/creds"
        );
        assert!(
            url(&[("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "v2/creds")]).unwrap_err().contains("must start with '/'")
        );
        let error = url(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.anything.example/creds")]).unwrap_err();
        assert!(error.contains("plain HTTP to host \"127.anything.example\" is refused"), "{error}");
        assert!(url(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", "https://creds.example.com/x")]).unwrap().is_some());
        assert!(url(&[("AWS_CONTAINER_CREDENTIALS_FULL_URI", "ftp://127.0.0.1/x")]).is_err());
        assert_eq!(url(&[]).unwrap(), None);
    }
}
