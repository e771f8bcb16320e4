//! The links of the default chain that read the shared config files, in botocore's order:
//! assume role, web identity, IAM Identity Center, keys of the credentials file,
//! `credential_process`, keys of the config file. A role's source profile is resolved by
//! the same links (all but assume role, unless the source itself only assumes a role).

use std::sync::Arc;

use super::context::Context;
use super::remote::{EcsProvider, ImdsProvider};
use super::role_cache;
use super::sts::{self, AssumeRole};
use super::{Credentials, CredentialsError, EnvironmentProvider, ProvideCredentials};
use crate::profile::{Profile, Settings};
use crate::time::BoxFuture;

/// Which part of a profile a link reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Link {
    /// `role_arn` with `source_profile` or `credential_source`.
    AssumeRole,
    /// `role_arn` with `web_identity_token_file` (or the `AWS_ROLE_ARN` and
    /// `AWS_WEB_IDENTITY_TOKEN_FILE` variables, unless a profile was named explicitly).
    WebIdentity,
    /// `sso_session`, or the legacy `sso_start_url` settings.
    Sso,
    /// `aws_access_key_id` and friends in the credentials file.
    CredentialsFile,
    /// `credential_process`.
    Process,
    /// `aws_access_key_id` and friends in the config file.
    ConfigFile,
}

/// The links a source profile is resolved with.
const SOURCE_LINKS: [Link; 5] = [Link::WebIdentity, Link::Sso, Link::CredentialsFile, Link::Process, Link::ConfigFile];

/// One link of the default chain, reading the selected profile.
#[derive(Debug)]
pub(crate) struct ProfileLink {
    pub context: Arc<Context>,
    pub link: Link,
}

impl ProvideCredentials for ProfileLink {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let context = &self.context;
            let environment_allowed = !context.explicit;
            if self.link == Link::AssumeRole {
                return match context.profile() {
                    Some(profile) if assumes_role(profile) => assume_role_chain(context, &profile.name).await,
                    Some(profile) => Err(not_loaded(format!("profile {:?} has no role_arn to assume", profile.name))),
                    // A profile asked for by name must exist: falling through to other
                    // credentials would call as someone else (botocore: ProfileNotFound).
                    None if context.named => Err(CredentialsError::Failed(format!(
                        "The config profile ({}) could not be found",
                        context.selected
                    ))),
                    None => Err(not_loaded(format!("no profile {:?}", context.selected))),
                };
            }
            read(context, &context.selected.clone(), self.link, environment_allowed).await
        })
    }
}

fn not_loaded(why: String) -> CredentialsError {
    CredentialsError::NotLoaded(why)
}

/// A profile assumes a role through this link (a `web_identity_token_file` makes it a web
/// identity profile instead).
fn assumes_role(profile: &Profile) -> bool {
    profile.contains("role_arn") && !profile.contains("web_identity_token_file")
}

/// Either half of a key pair (botocore's test for a profile that may be its own source).
fn has_static_keys(profile: &Profile) -> bool {
    profile.contains("aws_access_key_id") || profile.contains("aws_secret_access_key")
}

/// Reads credentials of one kind from a profile (`name` may be absent: web identity from the
/// environment needs no profile). Each kind's future is boxed on its own: one state machine
/// holding all of them would be compiled into every program, however it gets credentials.
fn read<'a>(
    context: &'a Context,
    name: &'a str,
    link: Link,
    environment_allowed: bool,
) -> BoxFuture<'a, Result<Credentials, CredentialsError>> {
    let profile = context.profiles.profile(name);
    let ready =
        |result| -> BoxFuture<'a, Result<Credentials, CredentialsError>> { Box::pin(std::future::ready(result)) };
    match link {
        Link::AssumeRole => unreachable!("assume role is resolved by assume_role_chain"),
        Link::WebIdentity => Box::pin(web_identity(context, profile, environment_allowed)),
        Link::Sso => match profile {
            Some(p) if super::sso::is_sso(p) => Box::pin(super::sso::credentials(context, p)),
            _ => ready(Err(not_loaded(format!("profile {name:?} has no SSO settings")))),
        },
        Link::CredentialsFile => match profile {
            Some(p) => ready(static_keys(p.credentials_file(), &format!("profile:{name}"), "the credentials file")),
            None => ready(Err(not_loaded(format!("no profile {name:?}")))),
        },
        Link::Process => match profile.and_then(|p| p.get("credential_process")) {
            Some(command) => Box::pin(super::process::run(command, format!("profile:{name}"))),
            None => ready(Err(not_loaded(format!("profile {name:?} has no credential_process")))),
        },
        Link::ConfigFile => match profile {
            Some(p) => ready(static_keys(p.config_file(), &format!("profile:{name}"), "the config file")),
            None => ready(Err(not_loaded(format!("no profile {name:?}")))),
        },
    }
}

/// `aws_access_key_id`, `aws_secret_access_key` and `aws_session_token` of one file's
/// section; half a pair is an error, as in botocore.
fn static_keys(settings: &Settings, source: &str, file: &str) -> Result<Credentials, CredentialsError> {
    let Some(id) = settings.get("aws_access_key_id") else {
        return Err(not_loaded(format!("{source} has no aws_access_key_id in {file}")));
    };
    let Some(secret) = settings.get("aws_secret_access_key") else {
        return Err(CredentialsError::Failed(format!(
            "{source}: aws_access_key_id is set in {file} but aws_secret_access_key is not (partial credentials)"
        )));
    };
    Ok(Credentials {
        access_key_id: id.to_owned(),
        secret_access_key: secret.to_owned(),
        session_token: settings
            .get("aws_security_token")
            .or_else(|| settings.get("aws_session_token"))
            .map(str::to_owned),
        expiry: None,
        source: source.to_owned(),
    })
}

/// `AssumeRoleWithWebIdentity`: the environment's settings win over the profile's, unless a
/// profile was named explicitly (then only the profile counts).
async fn web_identity(
    context: &Context,
    profile: Option<&Profile>,
    environment_allowed: bool,
) -> Result<Credentials, CredentialsError> {
    let setting = |variable: &str, key: &str| {
        environment_allowed
            .then(|| context.env.get(variable))
            .flatten()
            .or_else(|| profile.and_then(|p| p.get(key)))
            .map(str::to_owned)
    };
    let token_file = setting("AWS_WEB_IDENTITY_TOKEN_FILE", "web_identity_token_file");
    let role_arn = setting("AWS_ROLE_ARN", "role_arn");
    let session_name = setting("AWS_ROLE_SESSION_NAME", "role_session_name");
    let Some(token_file) = token_file else {
        return Err(not_loaded(
            "no web identity token file (AWS_WEB_IDENTITY_TOKEN_FILE, web_identity_token_file)".into(),
        ));
    };
    let label = match profile.filter(|p| p.contains("web_identity_token_file")) {
        Some(p) => format!("profile:{}", p.name),
        None => "environment".to_owned(),
    };
    let Some(role_arn) = role_arn else {
        return Err(CredentialsError::Failed(format!(
            "{label}: a web identity token file is set but no role to assume (AWS_ROLE_ARN or role_arn)"
        )));
    };
    let token = std::fs::read_to_string(context.env.expand_home(&token_file)).map_err(|e| {
        CredentialsError::Failed(format!("{label}: cannot read the web identity token file {token_file}: {e}"))
    })?;
    let session_name = session_name.unwrap_or_else(|| default_session_name(context));
    sts::assume_role_with_web_identity(
        &context.http,
        &context.sts_endpoint(),
        &role_arn,
        &session_name,
        token.trim(),
        &label,
    )
    .await
}

/// botocore's `RoleSessionName` when none is configured.
fn default_session_name(context: &Context) -> String {
    format!("botocore-session-{}", context.clock.now().secs())
}

/// Where the first credentials of a role chain come from.
#[derive(Debug, PartialEq, Eq)]
enum Base {
    /// A profile with credentials of its own.
    Profile(String),
    /// `credential_source = Environment | Ec2InstanceMetadata | EcsContainer`.
    CredentialSource { value: String, profile: String },
}

/// One `AssumeRole` of a chain.
#[derive(Debug)]
struct RoleStep {
    profile: String,
    call: AssumeRole,
    mfa_serial: Option<String>,
    /// The profile names the session (else it is generated, and not part of the cache key).
    session_name_configured: bool,
}

/// Walks `source_profile` links from `start` to the credentials the chain starts from; the
/// roles come back innermost last.
fn plan(context: &Context, start: &str) -> Result<(Base, Vec<RoleStep>), String> {
    let profiles = &context.profiles;
    let mut visited: Vec<String> = Vec::new();
    let mut roles = Vec::new();
    let mut current = start.to_owned();
    loop {
        let profile = profiles.profile(&current).ok_or_else(|| format!("the profile {current:?} does not exist"))?;
        visited.push(current.clone());
        roles.push(role_step(context, profile)?);
        let source_profile = profile.get("source_profile");
        let credential_source = profile.get("credential_source");
        match (source_profile, credential_source) {
            (Some(_), Some(_)) => {
                return Err(format!(
                    "profile {current:?} has both source_profile and credential_source; it may only have one"
                ));
            }
            (None, None) => {
                return Err(format!(
                    "profile {current:?} has role_arn but neither source_profile nor credential_source (partial credentials)"
                ));
            }
            (None, Some(value)) => {
                return Ok((Base::CredentialSource { value: value.to_owned(), profile: current }, roles));
            }
            (Some(source), None) => {
                let source_config = profiles.profile(source).ok_or_else(|| {
                    format!("the source_profile {source:?} referenced in the profile {current:?} does not exist")
                })?;
                // A profile may be its own source only through its static keys.
                if visited.iter().any(|v| v == source) && (source != current || !has_static_keys(source_config)) {
                    return Err(format!(
                        "profile {current:?}: source_profile {source:?} makes a cycle ({} -> {source})",
                        visited.join(" -> ")
                    ));
                }
                if has_static_keys(source_config) || !assumes_role(source_config) {
                    return Ok((Base::Profile(source.to_owned()), roles));
                }
                current = source.to_owned();
            }
        }
    }
}

/// The `AssumeRole` arguments a profile sets.
fn role_step(context: &Context, profile: &Profile) -> Result<RoleStep, String> {
    let name = &profile.name;
    let duration_seconds = profile
        .get("duration_seconds")
        .map(|d| {
            d.parse::<u32>()
                .map_err(|_| format!("profile {name:?}: duration_seconds must be a whole number of seconds, not {d:?}"))
        })
        .transpose()?;
    Ok(RoleStep {
        profile: name.clone(),
        call: AssumeRole {
            role_arn: profile.get("role_arn").unwrap_or_default().to_owned(),
            session_name: profile.get("role_session_name").map_or_else(|| default_session_name(context), str::to_owned),
            external_id: profile.get("external_id").map(str::to_owned),
            duration_seconds,
            mfa: None,
        },
        mfa_serial: profile.get("mfa_serial").map(str::to_owned),
        session_name_configured: profile.get("role_session_name").is_some(),
    })
}

/// Resolves a role chain: the base credentials, then each `AssumeRole` from the innermost.
async fn assume_role_chain(context: &Context, start: &str) -> Result<Credentials, CredentialsError> {
    let (base, roles) = plan(context, start).map_err(CredentialsError::Failed)?;
    // Each role's call and its AWS CLI cache file; the key has the MFA device but not the
    // code, so the cache is looked in before anyone is asked for one.
    let calls: Vec<(AssumeRole, Option<std::path::PathBuf>)> = roles
        .iter()
        .map(|step| {
            let mut call = step.call.clone();
            call.mfa = step.mfa_serial.clone().map(|serial| (serial, String::new()));
            let file =
                context.role_cache.as_deref().map(|dir| role_cache::file_for(dir, &call, step.session_name_configured));
            (call, file)
        })
        .collect();
    // Outermost first, as the AWS CLI looks: a cached role spares everything beneath it (the
    // source's credentials, inner roles, their MFA prompts).
    let now = context.clock.now();
    let cached = calls.iter().enumerate().find_map(|(i, (_, file))| {
        let label = format!("profile:{}", roles[i].profile);
        file.as_deref().and_then(|f| role_cache::read(f, now, &label)).map(|credentials| (i, credentials))
    });
    let (remaining, mut credentials) = match cached {
        Some((i, credentials)) => (i, credentials),
        None => {
            let base = match &base {
                Base::Profile(name) => source_profile_credentials(context, name).await?,
                Base::CredentialSource { value, profile } => credential_source(context, value, profile).await?,
            };
            (roles.len(), base)
        }
    };
    let endpoint = context.sts_endpoint();
    for (step, (call, cache_file)) in roles.iter().zip(calls).take(remaining).rev() {
        let label = format!("profile:{}", step.profile);
        let mut call = call;
        if let Some(serial) = &step.mfa_serial {
            // Asked in place: nothing can go on without the code, as in the AWS CLI.
            let code =
                context.mfa.token_code(serial).map_err(|why| CredentialsError::Failed(format!("{label}: {why}")))?;
            call.mfa = Some((serial.clone(), code));
        }
        credentials =
            sts::assume_role(&context.http, &endpoint, context.clock.as_ref(), &credentials, &call, &label).await?;
        if let Some(file) = &cache_file {
            role_cache::write(file, &credentials);
        }
    }
    Ok(credentials)
}

/// A source profile's own credentials (web identity, SSO, keys, `credential_process`; never
/// the environment's).
async fn source_profile_credentials(context: &Context, name: &str) -> Result<Credentials, CredentialsError> {
    for link in SOURCE_LINKS {
        match read(context, name, link, false).await {
            Ok(credentials) => return Ok(credentials),
            Err(CredentialsError::NotLoaded(_)) => continue,
            Err(failed) => return Err(failed),
        }
    }
    Err(CredentialsError::Failed(format!("the source profile {name:?} must have credentials")))
}

/// `credential_source`: the environment, instance metadata or the container endpoint.
async fn credential_source(context: &Context, value: &str, profile: &str) -> Result<Credentials, CredentialsError> {
    let provider: Box<dyn ProvideCredentials> = match value {
        "Environment" => Box::new(EnvironmentProvider::new(context.env.clone())),
        "Ec2InstanceMetadata" => {
            Box::new(ImdsProvider::with_profile(context.env.clone(), context.profile(), context.http.clone()))
        }
        "EcsContainer" => Box::new(EcsProvider::with_http(context.env.clone(), context.http.clone())),
        other => {
            return Err(CredentialsError::Failed(format!(
                "profile {profile:?}: credential_source {other:?} is not one of Environment, Ec2InstanceMetadata, EcsContainer"
            )));
        }
    };
    provider.provide_credentials().await.map_err(|e| match e {
        CredentialsError::NotLoaded(why) => CredentialsError::Failed(format!(
            "profile {profile:?}: no credentials found in its credential_source {value} ({why})"
        )),
        failed => failed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::ProfileSet;

    fn context(config: &str, credentials: &str) -> Context {
        Context {
            env: crate::env::Env::default(),
            profiles: Arc::new(ProfileSet::parse(config, credentials).unwrap()),
            selected: "a".into(),
            explicit: true,
            named: true,
            http: Default::default(),
            clock: Arc::new(crate::time::SystemClock),
            region: None,
            mfa: Arc::new(super::super::context::TerminalMfaPrompt),
            role_cache: None,
        }
    }

    fn planned(config: &str, credentials: &str) -> Result<(Base, Vec<String>), String> {
        plan(&context(config, credentials), "a")
            .map(|(base, roles)| (base, roles.into_iter().map(|r| r.profile).collect()))
    }

    #[test]
    fn chains_end_at_keys_or_a_credential_source() {
        let config = "[profile a]\nrole_arn = r:a\nsource_profile = b\n[profile b]\nrole_arn = r:b\nsource_profile = c\n[profile c]\nrole_arn = r:c\ncredential_source = Environment\n";
        let (base, roles) = planned(config, "").unwrap();
        assert_eq!(base, Base::CredentialSource { value: "Environment".into(), profile: "c".into() });
        assert_eq!(roles, ["a", "b", "c"]);
        // A source with keys is used for its keys even if it also names a role.
        let (base, roles) = planned(config, "[b]\naws_access_key_id = K\naws_secret_access_key = S\n").unwrap();
        assert_eq!((base, roles), (Base::Profile("b".into()), vec!["a".into()]));
    }

    #[test]
    fn a_profile_may_be_its_own_source_only_with_keys() {
        let own = "[profile a]\nrole_arn = r:a\nsource_profile = a\n";
        assert_eq!(
            planned(own, "[a]\naws_access_key_id = K\naws_secret_access_key = S\n").unwrap().0,
            Base::Profile("a".into())
        );
        let error = planned(own, "").unwrap_err();
        assert!(error.contains("cycle (a -> a)"), "{error}");
        let cycle =
            "[profile a]\nrole_arn = r:a\nsource_profile = b\n[profile b]\nrole_arn = r:b\nsource_profile = a\n";
        let error = planned(cycle, "").unwrap_err();
        assert_eq!(error, "profile \"b\": source_profile \"a\" makes a cycle (a -> b -> a)");
    }

    #[test]
    fn bad_role_settings_are_named() {
        let both = planned(
            "[profile a]\nrole_arn = r\nsource_profile = b\ncredential_source = Environment\n[profile b]\n",
            "",
        );
        assert!(both.unwrap_err().contains("both source_profile and credential_source"));
        let neither = planned("[profile a]\nrole_arn = r\n", "").unwrap_err();
        assert!(neither.contains("neither source_profile nor credential_source"), "{neither}");
        let missing = planned("[profile a]\nrole_arn = r\nsource_profile = nope\n", "").unwrap_err();
        assert!(
            missing.contains("source_profile \"nope\" referenced in the profile \"a\" does not exist"),
            "{missing}"
        );
        let duration =
            planned("[profile a]\nrole_arn = r\nduration_seconds = 1h\ncredential_source = Environment\n", "");
        assert!(duration.unwrap_err().contains("duration_seconds must be a whole number"));
    }
}
