//! The default credential chain against the loopback identity stub (STS, IAM Identity
//! Center, instance metadata, container endpoint): precedence, role chains, SSO tokens,
//! and the errors of bad setups.

use std::path::Path;
use std::sync::Arc;

use cloudfront_runtime::credentials::MfaPrompt;
use cloudfront_runtime::env::Env;
use cloudfront_runtime::{Config, Credentials, CredentialsError};
use cloudfront_test_server::identity::{self, Home, sha1_hex};
use cloudfront_test_server::{Reply, TestServer};

/// The environment of a case: HOME, the stub for every endpoint, no instance metadata.
fn env_for(home: &Home, stub: &str, extra: &[(&str, &str)]) -> Env {
    let path = home.path();
    let mut env = Env::from_pairs([
        ("HOME", path.as_str()),
        ("AWS_ENDPOINT_URL_STS", stub),
        ("AWS_ENDPOINT_URL_SSO", stub),
        ("AWS_ENDPOINT_URL_SSO_OIDC", stub),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    for (k, v) in extra {
        env = env.with(k, v);
    }
    env
}

async fn resolve(env: Env, profile: Option<&str>) -> Result<Credentials, CredentialsError> {
    resolve_with(env, profile, None).await
}

async fn resolve_with(
    env: Env,
    profile: Option<&str>,
    mfa: Option<Arc<dyn MfaPrompt>>,
) -> Result<Credentials, CredentialsError> {
    let mut builder = Config::loader(env, profile.map(str::to_owned));
    if let Some(mfa) = mfa {
        builder = builder.mfa_prompt(mfa);
    }
    let config = builder.build().map_err(CredentialsError::Failed)?;
    config.credentials.expect("a chain").provide_credentials().await
}

async fn stub() -> TestServer {
    TestServer::start(|r, _| identity::reply(r)).await
}

/// The form fields of the STS calls the stub received.
fn sts_calls(server: &TestServer) -> Vec<(String, String)> {
    server
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.target == "/")
        .map(|r| (identity::signer(r).map(|s| s.0).unwrap_or_default(), r.text()))
        .collect()
}

#[tokio::test]
async fn an_explicit_profile_switches_environment_keys_off_and_aws_profile_does_not() {
    let server = stub().await;
    let home = Home::new("explicit", "", "[prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = p\n");
    let env = env_for(&home, &server.url, &[("AWS_ACCESS_KEY_ID", "AKIDENV"), ("AWS_SECRET_ACCESS_KEY", "e")]);
    assert_eq!(resolve(env.clone(), Some("prod")).await.unwrap().access_key_id, "AKIDPROD");
    assert_eq!(resolve(env.with("AWS_PROFILE", "prod"), None).await.unwrap().access_key_id, "AKIDENV");
    // A key id without its secret is refused, whatever else is configured.
    let half = env_for(&home, &server.url, &[("AWS_ACCESS_KEY_ID", "AKIDENV")]);
    let error = resolve(half.with("AWS_PROFILE", "prod"), None).await.unwrap_err().to_string();
    assert!(error.contains("AWS_SECRET_ACCESS_KEY is not"), "{error}");
}

#[tokio::test]
async fn the_credentials_file_beats_credential_process_which_beats_the_config_file() {
    let server = stub().await;
    let process = r#"printf '{"Version":1,"AccessKeyId":"AKIDPROCESS","SecretAccessKey":"s"}'"#;
    let config = format!(
        "[default]\ncredential_process = {process}\naws_access_key_id = AKIDCONFIG\naws_secret_access_key = c\n"
    );
    let home = Home::new("files", &config, "[default]\naws_access_key_id = AKIDCREDS\naws_secret_access_key = k\n");
    assert_eq!(resolve(env_for(&home, &server.url, &[]), None).await.unwrap().access_key_id, "AKIDCREDS");
    let home = Home::new("files2", &config, "");
    assert_eq!(resolve(env_for(&home, &server.url, &[]), None).await.unwrap().access_key_id, "AKIDPROCESS");
}

#[tokio::test]
async fn a_role_chain_signs_each_hop_with_the_credentials_of_the_one_before() {
    let server = stub().await;
    let config = "[profile deploy]\nrole_arn = arn:aws:iam::111111111111:role/deploy\nsource_profile = hub\nexternal_id = ext-1\nduration_seconds = 1800\nrole_session_name = ci\n\
                  [profile hub]\nrole_arn = arn:aws:iam::222222222222:role/hub\nsource_profile = base\n";
    let home = Home::new("chain", config, "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = b\n");
    let credentials = resolve(env_for(&home, &server.url, &[]), Some("deploy")).await.unwrap();
    assert!(credentials.access_key_id.starts_with("ASIA") && credentials.session_token.is_some());
    assert!(credentials.expiry.is_some());
    let calls = sts_calls(&server);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0].0, "AKIDBASE");
    assert!(calls[0].1.contains("RoleArn=arn%3Aaws%3Aiam%3A%3A222222222222%3Arole%2Fhub"), "{}", calls[0].1);
    assert!(calls[0].1.contains("RoleSessionName=botocore-session-"), "{}", calls[0].1);
    assert!(calls[1].0.starts_with("ASIA"), "the second hop is signed with the first hop's keys");
    for field in ["ExternalId=ext-1", "DurationSeconds=1800", "RoleSessionName=ci", "Action=AssumeRole"] {
        assert!(calls[1].1.contains(field), "{field} in {}", calls[1].1);
    }
}

#[tokio::test]
async fn a_profile_with_keys_and_a_role_assumes_the_role() {
    let server = stub().await;
    let home = Home::new(
        "self",
        "[profile p]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = p\n",
        "[p]\naws_access_key_id = AKIDSELF\naws_secret_access_key = s\n",
    );
    let credentials = resolve(env_for(&home, &server.url, &[]), Some("p")).await.unwrap();
    assert!(credentials.access_key_id.starts_with("ASIA"), "{credentials:?}");
    assert_eq!(sts_calls(&server)[0].0, "AKIDSELF");
}

#[derive(Debug)]
struct Code(&'static str);

impl MfaPrompt for Code {
    fn token_code(&self, serial: &str) -> Result<String, String> {
        assert_eq!(serial, "arn:aws:iam::1:mfa/me");
        Ok(self.0.to_owned())
    }
}

#[derive(Debug)]
struct NoTerminal;

impl MfaPrompt for NoTerminal {
    fn token_code(&self, _: &str) -> Result<String, String> {
        Err("no terminal".into())
    }
}

#[tokio::test]
async fn mfa_codes_are_asked_for_and_sent() {
    let server = stub().await;
    let home = Home::new(
        "mfa",
        "[profile p]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\nmfa_serial = arn:aws:iam::1:mfa/me\n",
        "",
    );
    let env = env_for(&home, &server.url, &[("AWS_ACCESS_KEY_ID", "AKIDENV"), ("AWS_SECRET_ACCESS_KEY", "e")]);
    resolve_with(env.clone(), Some("p"), Some(Arc::new(Code("123456")))).await.unwrap();
    let call = &sts_calls(&server)[0];
    assert_eq!(call.0, "AKIDENV", "credential_source = Environment reads the environment even with --profile");
    assert!(call.1.contains("SerialNumber=arn%3Aaws%3Aiam%3A%3A1%3Amfa%2Fme") && call.1.contains("TokenCode=123456"));
    let error = resolve_with(env, Some("p"), Some(Arc::new(NoTerminal))).await.unwrap_err().to_string();
    assert!(error.contains("profile:p: no terminal"), "{error}");
}

#[tokio::test]
async fn web_identity_from_the_environment_unless_a_profile_is_named() {
    let server = stub().await;
    let home = Home::new("web", "", "[p]\naws_access_key_id = AKIDP\naws_secret_access_key = s\n");
    let token = home.write("token.jwt", "the.jwt.token\n");
    let env = env_for(
        &home,
        &server.url,
        &[("AWS_WEB_IDENTITY_TOKEN_FILE", token.as_str()), ("AWS_ROLE_ARN", "arn:aws:iam::1:role/web")],
    );
    let credentials = resolve(env.clone(), None).await.unwrap();
    assert!(credentials.access_key_id.starts_with("ASIA"));
    let request = &server.requests()[0];
    assert!(request.header("authorization").is_none(), "AssumeRoleWithWebIdentity is unsigned");
    assert!(
        request.text().contains("WebIdentityToken=the.jwt.token&")
            || request.text().ends_with("WebIdentityToken=the.jwt.token")
    );
    assert_eq!(resolve(env, Some("p")).await.unwrap().access_key_id, "AKIDP");
}

#[tokio::test]
async fn sso_session_tokens_are_used_refreshed_and_written_back() {
    let server = stub().await;
    let config = "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n\
                  [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n\
                  [profile legacy]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n";
    let home = Home::new("sso", config, "");
    // About to expire, with a refresh token: refreshed through CreateToken first.
    home.sso_token("corp",
        r#"{"startUrl":"https://corp.awsapps.com/start","region":"us-east-1","accessToken":"valid-old","expiresAt":"2000-01-01T00:00:00Z","clientId":"cid","clientSecret":"csecret","registrationExpiresAt":"2099-01-01T00:00:00Z","refreshToken":"valid-refresh"}"#,
    );
    let credentials = resolve(env_for(&home, &server.url, &[]), Some("dev")).await.unwrap();
    assert!(credentials.access_key_id.starts_with("ASIA"));
    let requests = server.requests();
    assert_eq!(requests[0].target, "/token");
    assert!(requests[1].target.starts_with("/federation/credentials?account_id=123456789012&role_name=Admin"));
    assert!(requests[1].header("x-amz-sso_bearer_token").unwrap().starts_with("valid-refreshed-MARKER-"));
    let written = std::fs::read_to_string(home.dir.join(format!(".aws/sso/cache/{}.json", sha1_hex("corp")))).unwrap();
    assert!(
        written.contains("valid-refreshed-MARKER-")
            && written.contains("valid-next-MARKER-")
            && written.contains("csecret"),
        "{written}"
    );

    // A legacy profile with an expired token: the error says how to sign in again.
    home.sso_token("https://old.awsapps.com/start", r#"{"accessToken":"valid-x","expiresAt":"2001-01-01T00:00:00Z"}"#);
    let error = resolve(env_for(&home, &server.url, &[]), Some("legacy")).await.unwrap_err().to_string();
    assert!(error.contains("expired") && error.contains("aws sso login --profile legacy"), "{error}");
    // No token at all.
    let home = Home::new("sso-none", config, "");
    let error = resolve(env_for(&home, &server.url, &[]), Some("dev")).await.unwrap_err().to_string();
    assert!(error.contains("does not exist") && error.contains("aws sso login --profile dev"), "{error}");
}

#[tokio::test]
async fn an_sso_profile_is_a_role_source() {
    let server = stub().await;
    let config = "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = dev\n\
                  [profile dev]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n";
    let home = Home::new("sso-source", config, "");
    home.sso_token("https://old.awsapps.com/start", r#"{"accessToken":"valid-x","expiresAt":"2099-01-01T00:00:00Z"}"#);
    resolve(env_for(&home, &server.url, &[]), Some("role")).await.unwrap();
    let calls = sts_calls(&server);
    assert!(calls[0].0.starts_with("ASIA"), "AssumeRole is signed with the SSO role credentials");
}

#[tokio::test]
async fn container_and_instance_metadata() {
    let server = stub().await;
    let home = Home::new("remote", "", "");
    let uri = format!("{}/container/creds", server.url);
    let env = env_for(
        &home,
        &server.url,
        &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri.as_str()), ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "tok")],
    );
    let container = resolve(env, None).await.unwrap();
    assert!(container.access_key_id.starts_with("ASIAECS"));
    assert_eq!(server.requests()[0].header("authorization"), Some("tok"));

    let env = env_for(&home, &server.url, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url.as_str())])
        .with("AWS_EC2_METADATA_DISABLED", "false");
    let imds = resolve(env, None).await.unwrap();
    assert!(imds.access_key_id.starts_with("ASIAIMDS"));

    let env =
        env_for(&home, &server.url, &[("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.anything.example/creds")]);
    let error = resolve(env, None).await.unwrap_err().to_string();
    assert!(error.contains("\"127.anything.example\" is refused"), "{error}");
}

/// `metadata_service_num_attempts` (here from the profile) gives each metadata read more
/// attempts: the stub fails every other read of the role name.
#[tokio::test]
async fn instance_metadata_reads_are_tried_as_often_as_the_settings_say() {
    let reads = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = reads.clone();
    let server = TestServer::start(move |request, _| {
        let roles = request.target == "/latest/meta-data/iam/security-credentials/";
        if roles && counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst).is_multiple_of(2) {
            return Reply::status(500, "busy");
        }
        identity::reply(request)
    })
    .await;
    for (attempts, succeeds) in [("0", false), ("1", false), ("2", true)] {
        let config = format!("[default]\nmetadata_service_num_attempts = {attempts}\n");
        let home = Home::new(&format!("imds-attempts-{attempts}"), &config, "");
        let env = env_for(&home, &server.url, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url.as_str())])
            .with("AWS_EC2_METADATA_DISABLED", "false");
        reads.store(0, std::sync::atomic::Ordering::SeqCst);
        let before = server.requests().len();
        let outcome = resolve(env, None).await;
        assert_eq!(outcome.is_ok(), succeeds, "{attempts} attempt(s): {outcome:?}");
        if attempts == "0" {
            // As botocore: no attempt at all.
            assert_eq!(server.requests().len(), before, "no request with 0 attempts");
        }
    }
    let home = Home::new("imds-bad-timeout", "[default]\nmetadata_service_timeout = soon\n", "");
    let env = env_for(&home, &server.url, &[("AWS_EC2_METADATA_SERVICE_ENDPOINT", server.url.as_str())])
        .with("AWS_EC2_METADATA_DISABLED", "false");
    let error = resolve(env, None).await.unwrap_err().to_string();
    assert!(
        error.contains("metadata_service_timeout in profile default: invalid literal for int() with base 10: 'soon'"),
        "{error}"
    );
}

#[tokio::test]
async fn sts_refusals_and_bad_files_are_one_line_errors() {
    let server = TestServer::start(|_, _| {
        Reply::status(
            403,
            "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not\nallowed</Message></Error></ErrorResponse>",
        )
    })
    .await;
    let home = Home::new("refused", "[profile p]\nrole_arn = arn:r\ncredential_source = Environment\n", "");
    let env =
        env_for(&home, &server.url, &[("AWS_ACCESS_KEY_ID", "AKIDENV"), ("AWS_SECRET_ACCESS_KEY", "SECRETVALUE")]);
    let error = resolve(env, Some("p")).await.unwrap_err().to_string();
    assert_eq!(error, "profile:p: STS AssumeRole: refused (403): AccessDenied: not allowed");

    let home = Home::new("malformed", "[profile p]\nthis line is broken\n", "");
    let error = resolve(env_for(&home, &server.url, &[]), Some("p")).await.unwrap_err().to_string();
    assert!(error.ends_with("config: line 2 is neither a [section] header nor a `key = value` setting"), "{error}");
    assert!(Path::new(&home.dir).exists());
}

#[tokio::test]
async fn the_outermost_cached_role_spares_the_chain_beneath_it() {
    // a -> b (MFA) -> keys; the AWS CLI has `a` cached. Nothing beneath it is needed: no
    // STS call (its endpoint is unreachable), no MFA prompt (there is no terminal).
    let home = Home::new(
        "outer-cache",
        "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n\
         [profile b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = base\nmfa_serial = arn:aws:iam::1:mfa/me\n",
        "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = s\n",
    );
    std::fs::create_dir_all(home.dir.join(".aws/cli/cache")).unwrap();
    let key = sha1_hex(r#"{"RoleArn": "arn:aws:iam::1:role/a"}"#);
    home.write(
        &format!(".aws/cli/cache/{key}.json"),
        r#"{"Credentials": {"AccessKeyId": "ASIACACHED", "SecretAccessKey": "s", "SessionToken": "t", "Expiration": "2099-01-01T00:00:00UTC"}}"#,
    );
    let env = env_for(&home, "http://127.0.0.1:9", &[]);
    let config = Config::loader(env, Some("a".into()))
        .mfa_prompt(Arc::new(NoTerminal))
        .share_role_cache_with_aws_cli(true)
        .build()
        .unwrap();
    let credentials = config.credentials.unwrap().provide_credentials().await.unwrap();
    assert_eq!(credentials.access_key_id, "ASIACACHED");
}
