//! Credentials fetched over HTTP: STS `AssumeRoleWithWebIdentity` (how CI systems such as
//! GitHub Actions deploy), the ECS container endpoint, and EC2 instance metadata (IMDSv2).

use std::time::Duration;

use serde_json::Value;

use super::{Credentials, CredentialsError, ProvideCredentials, parse_expiry};
use crate::env::Env;
use crate::time::BoxFuture;

/// Credential endpoints answer fast or not at all; do not let a missing one stall startup.
const TIMEOUT: Duration = Duration::from_secs(2);

fn client() -> Result<reqwest::Client, CredentialsError> {
    reqwest::Client::builder()
        .connect_timeout(TIMEOUT)
        .timeout(TIMEOUT * 2)
        .build()
        .map_err(|e| CredentialsError::Failed(format!("cannot build an HTTP client: {e}")))
}

/// `AssumeRoleWithWebIdentity` with the token in a file (`AWS_WEB_IDENTITY_TOKEN_FILE`,
/// `AWS_ROLE_ARN`, optional `AWS_ROLE_SESSION_NAME`, or the same settings in a profile).
#[derive(Debug, Clone)]
pub struct WebIdentityProvider {
    env: Env,
    settings: Option<(String, String, Option<String>)>,
}

impl WebIdentityProvider {
    /// Assumes `role_arn` with the token read from `token_file`.
    pub fn new(env: Env, role_arn: String, token_file: String, session_name: Option<String>) -> Self {
        WebIdentityProvider { env, settings: Some((role_arn, token_file, session_name)) }
    }

    /// The provider `AWS_ROLE_ARN` and `AWS_WEB_IDENTITY_TOKEN_FILE` describe (inactive without them).
    pub fn from_env(env: Env) -> Self {
        let settings = match (env.get("AWS_ROLE_ARN"), env.get("AWS_WEB_IDENTITY_TOKEN_FILE")) {
            (Some(role), Some(file)) => {
                Some((role.to_owned(), file.to_owned(), env.get("AWS_ROLE_SESSION_NAME").map(str::to_owned)))
            }
            _ => None,
        };
        WebIdentityProvider { env, settings }
    }

    /// The STS endpoint: an override (`AWS_ENDPOINT_URL_STS`, `AWS_ENDPOINT_URL`), else the
    /// regional endpoint of `AWS_REGION`, else the global one.
    fn endpoint(&self) -> String {
        if let Some(url) = self.env.get("AWS_ENDPOINT_URL_STS").or_else(|| self.env.get("AWS_ENDPOINT_URL")) {
            return url.trim_end_matches('/').to_owned();
        }
        match self.env.get("AWS_REGION").or_else(|| self.env.get("AWS_DEFAULT_REGION")) {
            Some(region) => {
                let suffix = crate::endpoint::partition(region).map_or("amazonaws.com", |p| p.dns_suffix);
                format!("https://sts.{region}.{suffix}")
            }
            None => "https://sts.amazonaws.com".to_owned(),
        }
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let Some((role, token_file, session)) = &self.settings else {
                return Err(CredentialsError::NotLoaded(
                    "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set".into(),
                ));
            };
            let fail = |why: String| CredentialsError::Failed(format!("web identity: {why}"));
            let token = std::fs::read_to_string(self.env.expand_home(token_file))
                .map_err(|e| fail(format!("cannot read the token file {token_file}: {e}")))?;
            let session =
                session.clone().unwrap_or_else(|| format!("sdk-runtime-{}", sdk_types::DateTime::now().secs()));
            let form = [
                ("Action", "AssumeRoleWithWebIdentity"),
                ("Version", "2011-06-15"),
                ("RoleArn", role.as_str()),
                ("RoleSessionName", session.as_str()),
                ("WebIdentityToken", token.trim()),
            ];
            let body: String =
                form.iter().map(|(k, v)| format!("{k}={}", sdk_wire::encode_query(v))).collect::<Vec<_>>().join("&");
            let response = client()?
                .post(format!("{}/", self.endpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .map_err(|e| fail(format!("STS is unreachable: {e}")))?;
            let status = response.status().as_u16();
            let bytes = response.bytes().await.map_err(|e| fail(format!("reading the STS response: {e}")))?;
            let root = sdk_wire::parse_document(&bytes).map_err(|e| fail(format!("STS answered {status} with {e}")))?;
            if status != 200 {
                let error = root.child("Error");
                let text =
                    |name: &str| error.and_then(|e| e.child(name)).map(|c| c.text().to_owned()).unwrap_or_default();
                return Err(fail(format!("STS refused ({status}): {} {}", text("Code"), text("Message"))));
            }
            let credentials = root
                .child("AssumeRoleWithWebIdentityResult")
                .and_then(|r| r.child("Credentials"))
                .ok_or_else(|| fail("the STS response has no Credentials".into()))?;
            let field = |name: &str| {
                credentials
                    .child(name)
                    .map(|c| c.text().to_owned())
                    .ok_or_else(|| fail(format!("no {name} in the STS response")))
            };
            Ok(Credentials {
                access_key_id: field("AccessKeyId")?,
                secret_access_key: field("SecretAccessKey")?,
                session_token: Some(field("SessionToken")?),
                expiry: parse_expiry(Some(&field("Expiration")?), "web identity")?,
                source: format!("web identity ({role})"),
            })
        })
    }
}

/// The ECS/EKS container credentials endpoint.
#[derive(Debug, Clone)]
pub struct EcsProvider {
    env: Env,
}

impl EcsProvider {
    /// The container provider for the `AWS_CONTAINER_*` variables of `env`.
    pub fn new(env: Env) -> Self {
        EcsProvider { env }
    }
}

/// Hosts a full container-credentials URI may point at over plain HTTP.
fn is_allowed_http_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || host.starts_with("127.")
        || host == "::1"
        || host == "169.254.170.2"
        || host == "169.254.170.23"
        || host == "fd00:ec2::23"
}

impl ProvideCredentials for EcsProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let fail = |why: String| CredentialsError::Failed(format!("container credentials: {why}"));
            let url = if let Some(relative) = self.env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
                format!("http://169.254.170.2{relative}")
            } else if let Some(full) = self.env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") {
                let parsed = reqwest::Url::parse(full).map_err(|e| fail(format!("bad URL {full:?}: {e}")))?;
                let host = parsed.host_str().unwrap_or_default();
                if parsed.scheme() != "https" && !is_allowed_http_host(host) {
                    return Err(fail(format!("plain-HTTP URL {full:?} must point at a loopback or container host")));
                }
                full.to_owned()
            } else {
                return Err(CredentialsError::NotLoaded(
                    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/FULL_URI are not set".into(),
                ));
            };
            let token = match (
                self.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"),
                self.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
            ) {
                (Some(file), _) => Some(
                    std::fs::read_to_string(file)
                        .map_err(|e| fail(format!("cannot read the token file {file}: {e}")))?
                        .trim()
                        .to_owned(),
                ),
                (None, Some(token)) => Some(token.to_owned()),
                (None, None) => None,
            };
            let mut request = client()?.get(&url);
            if let Some(token) = token {
                request = request.header("Authorization", token);
            }
            let response = request.send().await.map_err(|e| fail(format!("{url} is unreachable: {e}")))?;
            let status = response.status();
            let body = response.bytes().await.map_err(|e| fail(format!("reading {url}: {e}")))?;
            if !status.is_success() {
                return Err(fail(format!("{url} answered {status}: {}", String::from_utf8_lossy(&body))));
            }
            credentials_document(&body, "Token", "container credentials").map_err(fail)
        })
    }
}

/// EC2 instance metadata, version 2 (a session token first, then the role's credentials).
#[derive(Debug, Clone)]
pub struct ImdsProvider {
    env: Env,
}

impl ImdsProvider {
    /// The instance metadata provider (`AWS_EC2_METADATA_*` variables of `env` adjust it).
    pub fn new(env: Env) -> Self {
        ImdsProvider { env }
    }
}

impl ProvideCredentials for ImdsProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            if self.env.flag("AWS_EC2_METADATA_DISABLED").ok().flatten() == Some(true) {
                return Err(CredentialsError::NotLoaded("AWS_EC2_METADATA_DISABLED is true".into()));
            }
            let base = self
                .env
                .get("AWS_EC2_METADATA_SERVICE_ENDPOINT")
                .unwrap_or("http://169.254.169.254")
                .trim_end_matches('/')
                .to_owned();
            let client = client()?;
            // No metadata service (not on EC2) is the common case: not an error for the chain.
            let absent = |e: reqwest::Error| {
                CredentialsError::NotLoaded(format!("no instance metadata service at {base} ({e})"))
            };
            let fail = |why: String| CredentialsError::Failed(format!("instance metadata: {why}"));
            let token_response = client
                .put(format!("{base}/latest/api/token"))
                .header("X-aws-ec2-metadata-token-ttl-seconds", "21600")
                .send()
                .await
                .map_err(absent)?;
            if !token_response.status().is_success() {
                return Err(fail(format!("the token request answered {}", token_response.status())));
            }
            let token = token_response.text().await.map_err(|e| fail(e.to_string()))?;
            let get = |path: String| {
                let client = client.clone();
                let token = token.clone();
                async move {
                    let response = client
                        .get(path.clone())
                        .header("X-aws-ec2-metadata-token", token)
                        .send()
                        .await
                        .map_err(|e| CredentialsError::Failed(format!("instance metadata: {path}: {e}")))?;
                    let status = response.status();
                    let text = response.text().await.map_err(|e| CredentialsError::Failed(e.to_string()))?;
                    if status.is_success() {
                        Ok(text)
                    } else {
                        Err(CredentialsError::Failed(format!("instance metadata: {path} answered {status}")))
                    }
                }
            };
            let roles = get(format!("{base}/latest/meta-data/iam/security-credentials/")).await?;
            let role = roles
                .lines()
                .next()
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .ok_or_else(|| fail("the instance has no IAM role".into()))?;
            let document = get(format!("{base}/latest/meta-data/iam/security-credentials/{role}")).await?;
            let json: Value = serde_json::from_str(&document).map_err(|e| fail(format!("invalid JSON: {e}")))?;
            if json["Code"].as_str().is_some_and(|c| c != "Success") {
                return Err(fail(format!("credentials for role {role} are not available: {}", json["Code"])));
            }
            credentials_document(document.as_bytes(), "Token", &format!("instance metadata ({role})")).map_err(fail)
        })
    }
}

/// `{AccessKeyId, SecretAccessKey, Token, Expiration}` as ECS and IMDS return it.
fn credentials_document(body: &[u8], token_key: &str, source: &str) -> Result<Credentials, String> {
    let json: Value = serde_json::from_slice(body).map_err(|e| format!("invalid JSON: {e}"))?;
    let field = |k: &str| json[k].as_str().map(str::to_owned).ok_or_else(|| format!("no {k} in the document"));
    Ok(Credentials {
        access_key_id: field("AccessKeyId")?,
        secret_access_key: field("SecretAccessKey")?,
        session_token: json[token_key].as_str().map(str::to_owned),
        expiry: parse_expiry(json["Expiration"].as_str(), source).map_err(|e| e.to_string())?,
        source: source.to_owned(),
    })
}
