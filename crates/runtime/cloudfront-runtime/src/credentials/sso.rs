//! IAM Identity Center (SSO) profiles: the token `aws sso login` left in
//! `~/.aws/sso/cache/<sha1>.json`, refreshed through SSO OIDC `CreateToken` when it is about to
//! expire (sessions configured with `sso_session` only, as the AWS CLI does), then exchanged
//! for role credentials with the portal's `GetRoleCredentials`.

use std::path::PathBuf;
use std::time::Duration;

use super::documents::Value;

use super::context::Context;
use super::{Credentials, CredentialsError};
use crate::profile::Profile;
use crate::time::seconds_between;
use cloudfront_primitives::{DateTime, TimestampFormat};

/// A token this close to its expiry is refreshed first (the AWS CLI's window).
const REFRESH_WINDOW_SECS: f64 = 15.0 * 60.0;
const TIMEOUT: Duration = Duration::from_secs(30);

/// What an SSO profile says, resolved against its `[sso-session]` section.
#[derive(Debug)]
struct SsoConfig {
    start_url: String,
    region: String,
    account_id: String,
    role_name: String,
    /// `Some(name)` for `sso_session` profiles (their token can be refreshed); `None` for
    /// legacy profiles that carry `sso_start_url` themselves.
    session: Option<String>,
}

/// Whether a profile is configured for IAM Identity Center role credentials (botocore's
/// test: an account or a role name; the rest is then required).
pub(crate) fn is_sso(profile: &Profile) -> bool {
    profile.contains("sso_account_id") || profile.contains("sso_role_name")
}

fn config(context: &Context, profile: &Profile) -> Result<SsoConfig, String> {
    let name = &profile.name;
    if let Some(session_name) = profile.get("sso_session") {
        let session = context.profiles.sso_session(session_name).ok_or_else(|| {
            format!("profile {name:?}: the sso-session {session_name:?} it names has no [sso-session {session_name}] section")
        })?;
        let mut missing = Vec::new();
        // The session's values, else the profile's (botocore merges the two).
        let mut pick = |key: &str, from_session: bool| {
            let value = if from_session { session.get(key).or_else(|| profile.get(key)) } else { profile.get(key) };
            value.map(str::to_owned).unwrap_or_else(|| {
                missing.push(key.to_owned());
                String::new()
            })
        };
        let start_url = pick("sso_start_url", true);
        let region = pick("sso_region", true);
        let account_id = pick("sso_account_id", false);
        let role_name = pick("sso_role_name", false);
        if !missing.is_empty() {
            return Err(format!(
                "profile {name:?} (sso-session {session_name:?}) is missing required configuration: {}",
                missing.join(", ")
            ));
        }
        for (key, value) in [("sso_start_url", &start_url), ("sso_region", &region)] {
            if let Some(own) = profile.get(key).filter(|own| own != value) {
                return Err(format!(
                    "profile {name:?}: its {key} ({own}) differs from the one of sso-session {session_name:?} ({value})"
                ));
            }
        }
        return Ok(SsoConfig { start_url, region, account_id, role_name, session: Some(session_name.to_owned()) });
    }
    let keys = ["sso_start_url", "sso_region", "sso_account_id", "sso_role_name"];
    let missing: Vec<&str> = keys.iter().copied().filter(|k| profile.get(k).is_none()).collect();
    if !missing.is_empty() {
        return Err(format!(
            "profile {name:?} is configured for SSO but is missing required configuration: {}",
            missing.join(", ")
        ));
    }
    let get = |k: &str| profile.get(k).unwrap_or_default().to_owned();
    Ok(SsoConfig {
        start_url: get("sso_start_url"),
        region: get("sso_region"),
        account_id: get("sso_account_id"),
        role_name: get("sso_role_name"),
        session: None,
    })
}

/// Role credentials for an SSO profile.
pub(crate) async fn credentials(context: &Context, profile: &Profile) -> Result<Credentials, CredentialsError> {
    let label = format!("profile:{} (sso)", profile.name);
    let fail = |why: String| CredentialsError::Failed(format!("{label}: {why}"));
    let config = config(context, profile).map_err(CredentialsError::Failed)?;
    let login = format!("run `aws sso login --profile {}` to sign in again", profile.name);
    let token = access_token(context, &config).await.map_err(|why| fail(format!("{why}; {login}")))?;

    let portal = context
        .endpoint_url("SSO")
        .unwrap_or_else(|| format!("https://portal.sso.{}.{}", config.region, dns_suffix(&config.region)));
    let url = format!(
        "{}/federation/credentials?account_id={}&role_name={}",
        portal.trim_end_matches('/'),
        cloudfront_restxml::encode_query(&config.account_id),
        cloudfront_restxml::encode_query(&config.role_name)
    );
    let answer = context
        .http
        .send("GET", &url, &[("x-amz-sso_bearer_token", &token)], Vec::new(), TIMEOUT)
        .await
        .map_err(|e| fail(format!("GetRoleCredentials: {}", e.into_message())))?;
    if answer.status == 401 {
        return Err(fail(format!(
            "the portal refused the SSO token (401): the session expired or was revoked; {login}"
        )));
    }
    let json = super::documents::parse(&answer.body).map_err(|e| {
        fail(format!("GetRoleCredentials answered {} with a body that is not JSON: {e}", answer.status))
    })?;
    if !(200..300).contains(&answer.status) {
        let message = json["message"].as_str().or(json["Message"].as_str()).unwrap_or_default();
        return Err(fail(format!("GetRoleCredentials refused ({}): {}", answer.status, super::sts::one_line(message))));
    }
    let role = &json["roleCredentials"];
    let field = |k: &str| {
        role[k]
            .as_str()
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
            .ok_or_else(|| fail(format!("GetRoleCredentials: no roleCredentials.{k}")))
    };
    let expiration =
        role["expiration"].as_i64().ok_or_else(|| fail("GetRoleCredentials: no roleCredentials.expiration".into()))?;
    Ok(Credentials {
        access_key_id: field("accessKeyId")?,
        secret_access_key: field("secretAccessKey")?,
        session_token: Some(field("sessionToken")?),
        // The portal gives milliseconds since the epoch.
        expiry: Some(DateTime::from_secs(expiration.div_euclid(1000))),
        source: label,
    })
}

/// The cache file `aws sso login` writes: SHA-1 of the session name, or of the start URL for
/// legacy profiles.
fn cache_file(context: &Context, config: &SsoConfig) -> Result<PathBuf, String> {
    let key = config.session.as_deref().unwrap_or(&config.start_url);
    let name = super::sha1_hex(key.as_bytes());
    let home = context.env.home().ok_or("no home directory (HOME) to find the SSO token cache in")?;
    Ok(home.join(".aws/sso/cache").join(format!("{name}.json")))
}

/// A usable access token: the cached one, refreshed first when it is about to expire and the
/// session can be refreshed.
async fn access_token(context: &Context, config: &SsoConfig) -> Result<String, String> {
    let path = cache_file(context, config)?;
    let shown = path.display();
    let text = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = config.session.as_deref().unwrap_or(&config.start_url);
            return Err(format!("the SSO token for {key} does not exist ({shown})"));
        }
        Err(e) => return Err(format!("cannot read the SSO token cache {shown}: {e}")),
    };
    let token = match super::documents::parse(&text) {
        Ok(object @ Value::Object(_)) => object,
        Ok(_) => return Err(format!("the SSO token cache {shown} is not a JSON object")),
        Err(e) => return Err(format!("the SSO token cache {shown} is not valid JSON: {e}")),
    };
    let access = token["accessToken"].as_str().map(str::to_owned);
    let expires = token
        .get("expiresAt")
        .and_then(Value::as_str)
        .map(super::parse_cache_time)
        .transpose()
        .map_err(|e| format!("the SSO token cache {shown}: expiresAt: {e}"))?;
    let (Some(access), Some(expires)) = (access, expires) else {
        return Err(format!("the SSO token cache {shown} has no accessToken or expiresAt"));
    };
    let now = context.clock.now();
    let left = seconds_between(now, expires);
    let refreshable = config.session.is_some()
        && ["clientId", "clientSecret", "refreshToken", "registrationExpiresAt"].iter().all(|k| token.get(k).is_some());
    if left > REFRESH_WINDOW_SECS || !refreshable {
        return if left > 0.0 {
            Ok(access)
        } else {
            Err(format!("the SSO token in {shown} expired at {}", fmt(expires)))
        };
    }
    match refresh(context, config, &token).await {
        Ok((fresh, document)) => {
            // A token that works but could not be saved is still used; the next run refreshes again.
            if let Err(e) = super::write_private(&path, &document) {
                tracing::warn!("could not update the SSO token cache {shown}: {e}");
            }
            Ok(fresh)
        }
        // The cached token still works until it expires, as in the AWS CLI.
        Err(_) if left > 0.0 => Ok(access),
        Err(why) => {
            Err(format!("the SSO token in {shown} expired at {} and could not be refreshed: {why}", fmt(expires)))
        }
    }
}

/// SSO OIDC `CreateToken` with the refresh token: the new access token, and the cache
/// document botocore writes for it (its keys, in its order; the refresh token only when the
/// answer carries a new one, as botocore does).
async fn refresh(context: &Context, config: &SsoConfig, token: &Value) -> Result<(String, String), String> {
    let text = |k: &str| token[k].as_str().filter(|v| !v.is_empty()).map(str::to_owned);
    let (Some(client_id), Some(client_secret), Some(refresh_token)) =
        (text("clientId"), text("clientSecret"), text("refreshToken"))
    else {
        return Err("the cache has no refresh token or client registration".into());
    };
    if let Some(registration) = text("registrationExpiresAt") {
        let expires = super::parse_cache_time(&registration).map_err(|e| format!("registrationExpiresAt: {e}"))?;
        if seconds_between(context.clock.now(), expires) <= 0.0 {
            return Err(format!("the client registration expired at {}", fmt(expires)));
        }
    }
    let oidc = context
        .endpoint_url("SSO OIDC")
        .unwrap_or_else(|| format!("https://oidc.{}.{}", config.region, dns_suffix(&config.region)));
    let json = super::documents::quote;
    let body = format!(
        "{{\"clientId\": {}, \"clientSecret\": {}, \"grantType\": \"refresh_token\", \"refreshToken\": {}}}",
        json(&client_id),
        json(&client_secret),
        json(&refresh_token)
    );
    let answer = context
        .http
        .send(
            "POST",
            &format!("{}/token", oidc.trim_end_matches('/')),
            &[("Content-Type", "application/json")],
            body.into_bytes(),
            TIMEOUT,
        )
        .await
        .map_err(|e| format!("CreateToken: {}", e.into_message()))?;
    let json = super::documents::parse(&answer.body)
        .map_err(|e| format!("CreateToken answered {} with a body that is not JSON: {e}", answer.status))?;
    if !(200..300).contains(&answer.status) {
        let code = json["error"].as_str().unwrap_or_default();
        return Err(format!("CreateToken refused ({}): {code}", answer.status));
    }
    let access =
        json["accessToken"].as_str().filter(|t| !t.is_empty()).ok_or("CreateToken: no accessToken")?.to_owned();
    let expires_in = json["expiresIn"].as_i64().ok_or("CreateToken: no expiresIn")?;
    let expires = DateTime::from_secs(context.clock.now().secs() + expires_in);
    let quote = super::documents::quote;
    let mut fields = vec![
        ("startUrl", quote(&config.start_url)),
        ("region", quote(&config.region)),
        ("accessToken", quote(&access)),
        ("expiresAt", quote(&fmt(expires))),
        ("clientId", quote(&client_id)),
        ("clientSecret", quote(&client_secret)),
        ("registrationExpiresAt", super::documents::dumps(&token["registrationExpiresAt"])),
    ];
    if let Some(next) = json["refreshToken"].as_str() {
        fields.push(("refreshToken", quote(next)));
    }
    Ok((access, super::documents::object(&fields)))
}

fn fmt(time: DateTime) -> String {
    time.fmt(TimestampFormat::DateTime)
}

fn dns_suffix(region: &str) -> &'static str {
    crate::endpoint::partition(region).map_or("amazonaws.com", |p| p.dns_suffix)
}
