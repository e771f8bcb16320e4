//! Credentials from a shared-config profile: static keys, `credential_process`, or a web
//! identity token file with a role to assume.

use serde_json::Value;

use super::remote::WebIdentityProvider;
use super::{Credentials, CredentialsError, ProvideCredentials, parse_expiry};
use crate::env::Env;
use crate::profile::ProfileSet;
use crate::time::BoxFuture;

/// Reads the profile named by the caller, `AWS_PROFILE`, or `default`.
#[derive(Debug, Clone)]
pub struct ProfileProvider {
    env: Env,
    profile: Option<String>,
}

impl ProfileProvider {
    /// Reads `profile` (else `AWS_PROFILE`, else `default`) from the files `env` points at.
    pub fn new(env: Env, profile: Option<String>) -> Self {
        ProfileProvider { env, profile }
    }

    fn profile_name(&self) -> (String, bool) {
        match self.profile.clone().or_else(|| self.env.get("AWS_PROFILE").map(str::to_owned)) {
            Some(name) => (name, true),
            None => ("default".to_owned(), false),
        }
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let (name, explicit) = self.profile_name();
            let set = ProfileSet::load(&self.env).map_err(CredentialsError::Failed)?;
            let Some(profile) = set.profile(&name) else {
                let why = format!("profile {name:?} not found (known profiles: {})", set.names().join(", "));
                // A profile the user asked for by name must exist; a missing default is fine.
                return Err(if explicit { CredentialsError::Failed(why) } else { CredentialsError::NotLoaded(why) });
            };
            let source = format!("profile:{name}");
            if let (Some(id), Some(secret)) = (profile.get("aws_access_key_id"), profile.get("aws_secret_access_key")) {
                return Ok(Credentials {
                    access_key_id: id.to_owned(),
                    secret_access_key: secret.to_owned(),
                    session_token: profile.get("aws_session_token").map(str::to_owned),
                    expiry: None,
                    source,
                });
            }
            if let Some(command) = profile.get("credential_process") {
                return credential_process(command, &source).await;
            }
            if let (Some(role), Some(token_file)) = (profile.get("role_arn"), profile.get("web_identity_token_file")) {
                let provider = WebIdentityProvider::new(
                    self.env.clone(),
                    role.to_owned(),
                    token_file.to_owned(),
                    profile.get("role_session_name").map(str::to_owned),
                );
                return provider.provide_credentials().await;
            }
            if profile.get("role_arn").is_some()
                || profile.get("sso_session").is_some()
                || profile.get("sso_start_url").is_some()
            {
                return Err(CredentialsError::Failed(format!(
                    "{source}: assume-role chains and SSO profiles are not supported by this client; \
                     use the official aws-config provider through the interop feature, or export credentials"
                )));
            }
            Err(CredentialsError::NotLoaded(format!("{source} has no credentials")))
        })
    }
}

/// Runs `credential_process` and reads the JSON document it prints (Version 1).
async fn credential_process(command: &str, source: &str) -> Result<Credentials, CredentialsError> {
    let fail = |why: String| CredentialsError::Failed(format!("{source}: credential_process: {why}"));
    // A blocking thread rather than tokio's process support, which would add a signal
    // handling crate to every program's dependency graph for this rarely used provider.
    let command = command.to_owned();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("sh").arg("-c").arg(command).stdin(std::process::Stdio::null()).output()
    })
    .await
    .map_err(|e| fail(format!("the thread running it failed: {e}")))?
    .map_err(|e| fail(format!("cannot run it: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        return Err(fail(format!("exited with {}: {}", output.status, stderr.trim())));
    }
    let doc: Value = serde_json::from_slice(&output.stdout).map_err(|e| fail(format!("printed invalid JSON: {e}")))?;
    if doc["Version"] != 1 {
        return Err(fail(format!("unsupported Version {}", doc["Version"])));
    }
    let field = |k: &str| doc[k].as_str().map(str::to_owned).ok_or_else(|| fail(format!("no {k} in its output")));
    Ok(Credentials {
        access_key_id: field("AccessKeyId")?,
        secret_access_key: field("SecretAccessKey")?,
        session_token: doc["SessionToken"].as_str().map(str::to_owned),
        expiry: parse_expiry(doc["Expiration"].as_str(), source)?,
        source: format!("{source} (credential_process)"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("sdk-runtime-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn env_with(dir: &std::path::Path, config: &str, credentials: &str) -> Env {
        std::fs::write(dir.join("config"), config).unwrap();
        std::fs::write(dir.join("credentials"), credentials).unwrap();
        let config = dir.join("config").to_string_lossy().into_owned();
        let creds = dir.join("credentials").to_string_lossy().into_owned();
        Env::from_pairs([("AWS_CONFIG_FILE", config.as_str()), ("AWS_SHARED_CREDENTIALS_FILE", creds.as_str())])
    }

    #[tokio::test]
    async fn static_keys_and_profile_selection() {
        let dir = temp_dir("profile-static");
        let env = env_with(
            &dir,
            "[profile dev]\nregion = us-west-2\n",
            "[default]\naws_access_key_id = D\naws_secret_access_key = d\n[dev]\naws_access_key_id = DEV\naws_secret_access_key = s\naws_session_token = t\n",
        );
        let default = ProfileProvider::new(env.clone(), None).provide_credentials().await.unwrap();
        assert_eq!(default.access_key_id, "D");
        let dev = ProfileProvider::new(env.clone(), Some("dev".into())).provide_credentials().await.unwrap();
        assert_eq!(
            (dev.access_key_id.as_str(), dev.session_token.as_deref(), dev.source.as_str()),
            ("DEV", Some("t"), "profile:dev")
        );
        let missing = ProfileProvider::new(env, Some("nope".into())).provide_credentials().await.unwrap_err();
        assert!(matches!(missing, CredentialsError::Failed(ref m) if m.contains("\"nope\" not found")), "{missing}");
    }

    #[tokio::test]
    async fn credential_process_success_expiry_and_failure() {
        let dir = temp_dir("profile-process");
        let ok = r#"printf '{"Version":1,"AccessKeyId":"PROC","SecretAccessKey":"s","SessionToken":"t","Expiration":"2030-01-01T00:00:00Z"}'"#;
        let env = env_with(
            &dir,
            &format!(
                "[default]\ncredential_process = {ok}\n[profile bad]\ncredential_process = sh -c 'echo denied >&2; exit 3'\n[profile junk]\ncredential_process = echo not-json\n"
            ),
            "",
        );
        let c = ProfileProvider::new(env.clone(), None).provide_credentials().await.unwrap();
        assert_eq!(c.access_key_id, "PROC");
        assert_eq!(c.expiry, Some(sdk_types::DateTime::parse_lenient("2030-01-01T00:00:00Z").unwrap()));
        let bad =
            ProfileProvider::new(env.clone(), Some("bad".into())).provide_credentials().await.unwrap_err().to_string();
        assert!(bad.contains("exited") && bad.contains("denied"), "{bad}");
        let junk = ProfileProvider::new(env, Some("junk".into())).provide_credentials().await.unwrap_err().to_string();
        assert!(junk.contains("invalid JSON"), "{junk}");
    }
}
