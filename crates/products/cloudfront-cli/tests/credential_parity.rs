//! Credential-resolution parity with botocore: each scenario (config and credentials files,
//! IAM Identity Center token cache, environment, `--profile`) is run by the AWS CLI v1 from
//! the Python registry (its botocore honours `AWS_ENDPOINT_URL_STS`/`_SSO`/`_SSO_OIDC`; `cargo
//! xtask e2e` installs it and sets `AWS_CLI`) and by `cloudfront`, against one loopback stub
//! that plays CloudFront, STS, the IAM Identity Center portal and OIDC, instance metadata and
//! a container endpoint, handing out keys derived from what it was asked. A scenario is
//! identical when both sign the CloudFront call with the same access key id and the same
//! session-token presence, or both refuse to call. Each scenario also states what botocore
//! is expected to do, so a scenario that fails for an unrelated reason on both sides is
//! caught instead of counted.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

use cloudfront_primitives::{DateTime, TimestampFormat};
use cloudfront_test_server::TestServer;
use cloudfront_test_server::identity::{self, sha1_hex};

/// What a tool did: signed the CloudFront call with (key id, session token present), or
/// refused to make it.
type Outcome = Option<(String, bool)>;

#[derive(Default, Clone)]
struct Scenario {
    name: &'static str,
    config: String,
    credentials: String,
    /// Files under HOME (`{home}` and `{stub}` are replaced in the contents).
    files: Vec<(String, String)>,
    env: Vec<(&'static str, String)>,
    /// Variables of the common environment to leave out.
    unset: Vec<&'static str>,
    profile: Option<&'static str>,
    /// botocore signs (true) or refuses (false).
    botocore_signs: bool,
    /// A deliberate difference, with its reason.
    intended: Option<&'static str>,
}

impl Scenario {
    fn new(name: &'static str, botocore_signs: bool) -> Self {
        Scenario { name, botocore_signs, ..Scenario::default() }
    }
    fn config(mut self, text: &str) -> Self {
        self.config = text.to_owned();
        self
    }
    fn credentials(mut self, text: &str) -> Self {
        self.credentials = text.to_owned();
        self
    }
    fn file(mut self, path: &str, contents: &str) -> Self {
        self.files.push((path.to_owned(), contents.to_owned()));
        self
    }
    /// An IAM Identity Center token cache entry for a session name or start URL.
    fn sso_token(self, key: &str, json: &str) -> Self {
        let path = format!(".aws/sso/cache/{}.json", sha1_hex(key));
        self.file(&path, json)
    }
    fn env(mut self, name: &'static str, value: &str) -> Self {
        self.env.push((name, value.to_owned()));
        self
    }
    fn unset(mut self, name: &'static str) -> Self {
        self.unset.push(name);
        self
    }
    fn profile(mut self, name: &'static str) -> Self {
        self.profile = Some(name);
        self
    }
    fn intended(mut self, reason: &'static str) -> Self {
        self.intended = Some(reason);
        self
    }
}

fn timestamp_in(seconds: i64) -> String {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs() as i64;
    DateTime::from_secs(now + seconds).fmt(TimestampFormat::DateTime)
}

const KEYS_PROD: &str = "aws_access_key_id = AKIDPROD\naws_secret_access_key = prod-secret\n";
const KEYS_BASE: &str = "aws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n";
const PROCESS: &str =
    r#"credential_process = printf '{"Version":1,"AccessKeyId":"AKIDPROCESS","SecretAccessKey":"process-secret"}'"#;
const ROLE: &str = "role_arn = arn:aws:iam::111111111111:role/deploy\n";
const SSO_LEGACY: &str = "sso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\nsso_role_name = Admin\n";
const SSO_SESSION: &str =
    "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n";

fn scenarios() -> Vec<Scenario> {
    let valid_token = format!(r#"{{"accessToken":"valid-legacy","expiresAt":"{}"}}"#, timestamp_in(3600));
    let session_token = |access: &str, expires: String, refresh: &str| {
        format!(
            r#"{{"startUrl":"https://corp.awsapps.com/start","region":"us-east-1","accessToken":"{access}","expiresAt":"{expires}","clientId":"cid","clientSecret":"client-secret","registrationExpiresAt":"{}","refreshToken":"{refresh}"}}"#,
            timestamp_in(86_400 * 30)
        )
    };
    let env_keys = |s: Scenario| s.env("AWS_ACCESS_KEY_ID", "AKIDENV").env("AWS_SECRET_ACCESS_KEY", "env-secret");
    vec![
        // Precedence.
        env_keys(Scenario::new("environment keys", true)),
        env_keys(Scenario::new("environment keys beat the default profile", true)).credentials(&format!("[default]\n{KEYS_PROD}")),
        env_keys(Scenario::new("--profile switches environment keys off", true)).credentials(&format!("[prod]\n{KEYS_PROD}")).profile("prod"),
        env_keys(Scenario::new("AWS_PROFILE does not switch environment keys off", true))
            .credentials(&format!("[prod]\n{KEYS_PROD}"))
            .env("AWS_PROFILE", "prod"),
        Scenario::new("AWS_PROFILE selects the profile", true).credentials(&format!("[prod]\n{KEYS_PROD}")).env("AWS_PROFILE", "prod"),
        Scenario::new("AWS_DEFAULT_PROFILE beats AWS_PROFILE", true)
            .credentials(&format!("[prod]\n{KEYS_PROD}[base]\n{KEYS_BASE}"))
            .env("AWS_DEFAULT_PROFILE", "prod")
            .env("AWS_PROFILE", "base"),
        Scenario::new("the credentials file beats the config file", true)
            .config(&format!("[default]\n{KEYS_BASE}"))
            .credentials(&format!("[default]\n{KEYS_PROD}")),
        Scenario::new("keys in the config file", true).config(&format!("[profile prod]\n{KEYS_PROD}")).profile("prod"),
        Scenario::new("credentials-file keys beat credential_process", true)
            .config(&format!("[default]\n{PROCESS}\n"))
            .credentials(&format!("[default]\n{KEYS_PROD}")),
        Scenario::new("credential_process beats config-file keys", true).config(&format!("[default]\n{PROCESS}\n{KEYS_BASE}")),
        Scenario::new("a session token from the environment", true)
            .env("AWS_ACCESS_KEY_ID", "AKIDENV")
            .env("AWS_SECRET_ACCESS_KEY", "env-secret")
            .env("AWS_SESSION_TOKEN", "env-token"),
        Scenario::new("a key id without its secret is refused", false)
            .env("AWS_ACCESS_KEY_ID", "AKIDENV")
            .credentials(&format!("[default]\n{KEYS_PROD}")),
        Scenario::new("a secret alone in the environment is ignored", true)
            .env("AWS_SECRET_ACCESS_KEY", "env-secret")
            .credentials(&format!("[default]\n{KEYS_PROD}")),
        Scenario::new("a partial key pair in the credentials file is refused", false)
            .credentials("[default]\naws_access_key_id = AKIDHALF\n"),
        Scenario::new("an unknown --profile is refused", false).credentials(&format!("[prod]\n{KEYS_PROD}")).profile("nosuch"),
        Scenario::new("an unknown AWS_PROFILE is refused", false).credentials(&format!("[prod]\n{KEYS_PROD}")).env("AWS_PROFILE", "nosuch"),
        Scenario::new("no credentials anywhere", false),
        Scenario::new("AWS_SECURITY_TOKEN is read as the session token", true)
            .env("AWS_ACCESS_KEY_ID", "AKIDENV")
            .env("AWS_SECRET_ACCESS_KEY", "env-secret")
            .env("AWS_SECURITY_TOKEN", "legacy-token"),
        Scenario::new("keys written as key: value", true).credentials("[default]\naws_access_key_id: AKIDCOLON\naws_secret_access_key: s\n"),
        Scenario::new("indented keys stand alone", true)
            .credentials("[default]\n  aws_access_key_id = AKIDINDENT\n  aws_secret_access_key = s\n"),
        Scenario::new("a value keeps a hash after a space", true).config(
            r#"[default]
credential_process = printf '{"Version":1,"AccessKeyId":"AKID#HASH","SecretAccessKey":"s"}' #%.0s
"#,
        ),
        // Assume role.
        Scenario::new("role with a static source profile", true)
            .config(&format!("[profile deploy]\n{ROLE}source_profile = base\n"))
            .credentials(&format!("[base]\n{KEYS_BASE}"))
            .profile("deploy"),
        Scenario::new("role chain three deep", true)
            .config(
                "[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::2:role/b\nsource_profile = c\n[profile c]\nrole_arn = arn:aws:iam::3:role/c\nsource_profile = base\n",
            )
            .credentials(&format!("[base]\n{KEYS_BASE}"))
            .profile("a"),
        Scenario::new("role with external_id, role_session_name and duration_seconds", true)
            .config(&format!("[profile deploy]\n{ROLE}source_profile = base\nexternal_id = ext-42\nrole_session_name = ci-run\nduration_seconds = 1800\n"))
            .credentials(&format!("[base]\n{KEYS_BASE}"))
            .profile("deploy"),
        Scenario::new("a profile that is its own source uses its keys", true)
            .config(&format!("[profile deploy]\n{ROLE}source_profile = deploy\n"))
            .credentials(&format!("[deploy]\n{KEYS_PROD}"))
            .profile("deploy"),
        Scenario::new("a source with keys and a role of its own is used for its keys", true)
            .config(&format!("[profile deploy]\n{ROLE}source_profile = base\n[profile base]\nrole_arn = arn:aws:iam::9:role/other\nsource_profile = deploy\n"))
            .credentials(&format!("[base]\n{KEYS_BASE}"))
            .profile("deploy"),
        Scenario::new("role_arn in the credentials file", true).credentials(&format!("[deploy]\n{ROLE}source_profile = base\n[base]\n{KEYS_BASE}")).profile("deploy"),
        env_keys(Scenario::new("--profile with a role ignores environment keys", true))
            .config(&format!("[profile deploy]\n{ROLE}source_profile = base\n"))
            .credentials(&format!("[base]\n{KEYS_BASE}"))
            .profile("deploy"),
        Scenario::new("role_arn with keys but no source is refused", false).credentials(&format!("[deploy]\n{ROLE}{KEYS_PROD}")).profile("deploy"),
        Scenario::new("a source_profile cycle is refused", false)
            .config("[profile a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = b\n[profile b]\nrole_arn = arn:aws:iam::2:role/b\nsource_profile = a\n")
            .profile("a"),
        Scenario::new("its own source without keys is refused", false).config(&format!("[profile deploy]\n{ROLE}source_profile = deploy\n")).profile("deploy"),
        Scenario::new("a missing source_profile is refused", false).config(&format!("[profile deploy]\n{ROLE}source_profile = nosuch\n")).profile("deploy"),
        env_keys(Scenario::new("source_profile and credential_source together are refused", false))
            .config(&format!("[profile deploy]\n{ROLE}source_profile = base\ncredential_source = Environment\n"))
            .credentials(&format!("[base]\n{KEYS_BASE}"))
            .profile("deploy"),
        env_keys(Scenario::new("credential_source Environment", true)).config(&format!("[profile deploy]\n{ROLE}credential_source = Environment\n")).profile("deploy"),
        Scenario::new("credential_source Environment without keys is refused", false)
            .config(&format!("[profile deploy]\n{ROLE}credential_source = Environment\n"))
            .profile("deploy"),
        Scenario::new("credential_source EcsContainer", true)
            .config(&format!("[profile deploy]\n{ROLE}credential_source = EcsContainer\n"))
            .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", "{stub}/container/task")
            .profile("deploy"),
        Scenario::new("credential_source Ec2InstanceMetadata", true)
            .config(&format!("[profile deploy]\n{ROLE}credential_source = Ec2InstanceMetadata\n"))
            .unset("AWS_EC2_METADATA_DISABLED")
            .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "{stub}")
            .profile("deploy"),
        Scenario::new("an unknown credential_source is refused", false).config(&format!("[profile deploy]\n{ROLE}credential_source = Laptop\n")).profile("deploy"),
        Scenario::new("mfa_serial with no terminal is refused", false)
            .config(&format!("[profile deploy]\n{ROLE}source_profile = base\nmfa_serial = arn:aws:iam::1:mfa/me\n"))
            .credentials(&format!("[base]\n{KEYS_BASE}"))
            .profile("deploy"),
        Scenario::new("a credential_process source", true).config(&format!("[profile deploy]\n{ROLE}source_profile = proc\n[profile proc]\n{PROCESS}\n")).profile("deploy"),
        Scenario::new("a web identity source", true)
            .config(&format!("[profile deploy]\n{ROLE}source_profile = web\n[profile web]\nrole_arn = arn:aws:iam::5:role/web\nweb_identity_token_file = {{home}}/token.jwt\n"))
            .file("token.jwt", "header.payload.signature")
            .profile("deploy"),
        env_keys(Scenario::new("a source that assumes from the environment", true))
            .config(&format!("[profile deploy]\n{ROLE}source_profile = hub\n[profile hub]\nrole_arn = arn:aws:iam::2:role/hub\ncredential_source = Environment\n"))
            .profile("deploy"),
        Scenario::new("STS through the profile's [services] section", true)
            .config(&format!("[profile deploy]\n{ROLE}source_profile = base\nservices = local\n[services local]\nsts =\n  endpoint_url = {{stub}}\n"))
            .credentials(&format!("[base]\n{KEYS_BASE}"))
            .unset("AWS_ENDPOINT_URL_STS")
            .profile("deploy"),
        Scenario::new("STS through the profile's endpoint_url", true)
            .config(&format!("[profile deploy]\n{ROLE}source_profile = base\nendpoint_url = {{stub}}\n"))
            .credentials(&format!("[base]\n{KEYS_BASE}"))
            .unset("AWS_ENDPOINT_URL_STS")
            .profile("deploy"),
        Scenario::new("a non-integer duration_seconds", true)
            .config(&format!("[profile deploy]\n{ROLE}source_profile = base\nduration_seconds = 1h\n"))
            .credentials(&format!("[base]\n{KEYS_BASE}"))
            .profile("deploy")
            .intended("botocore drops a duration_seconds it cannot read as an integer and assumes the role for the default hour; we refuse it, naming the profile and the key"),
        // Web identity.
        Scenario::new("web identity from the environment", true)
            .file("token.jwt", "header.payload.signature")
            .env("AWS_WEB_IDENTITY_TOKEN_FILE", "{home}/token.jwt")
            .env("AWS_ROLE_ARN", "arn:aws:iam::5:role/ci"),
        Scenario::new("environment web identity beats default-profile keys", true)
            .file("token.jwt", "header.payload.signature")
            .credentials(&format!("[default]\n{KEYS_PROD}"))
            .env("AWS_WEB_IDENTITY_TOKEN_FILE", "{home}/token.jwt")
            .env("AWS_ROLE_ARN", "arn:aws:iam::5:role/ci"),
        Scenario::new("--profile switches environment web identity off", true)
            .file("token.jwt", "header.payload.signature")
            .credentials(&format!("[prod]\n{KEYS_PROD}"))
            .env("AWS_WEB_IDENTITY_TOKEN_FILE", "{home}/token.jwt")
            .env("AWS_ROLE_ARN", "arn:aws:iam::5:role/ci")
            .profile("prod"),
        Scenario::new("web identity with a session name from the environment", true)
            .file("token.jwt", "header.payload.signature")
            .env("AWS_WEB_IDENTITY_TOKEN_FILE", "{home}/token.jwt")
            .env("AWS_ROLE_ARN", "arn:aws:iam::5:role/ci")
            .env("AWS_ROLE_SESSION_NAME", "gha-run"),
        Scenario::new("web identity in a profile", true)
            .config("[profile web]\nrole_arn = arn:aws:iam::5:role/web\nweb_identity_token_file = {home}/token.jwt\n")
            .file("token.jwt", "header.payload.signature")
            .profile("web"),
        Scenario::new("a missing web identity token file is refused", false)
            .env("AWS_WEB_IDENTITY_TOKEN_FILE", "{home}/nosuch.jwt")
            .env("AWS_ROLE_ARN", "arn:aws:iam::5:role/ci"),
        // IAM Identity Center.
        Scenario::new("legacy SSO profile", true)
            .config(&format!("[profile dev]\n{SSO_LEGACY}"))
            .sso_token("https://legacy.awsapps.com/start", &valid_token)
            .profile("dev"),
        Scenario::new("sso-session profile", true)
            .config(&format!("[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n{SSO_SESSION}"))
            .sso_token("corp", &session_token("valid-session", timestamp_in(3600), "valid-refresh"))
            .profile("dev"),
        Scenario::new("sso-session token about to expire is refreshed", true)
            .config(&format!("[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n{SSO_SESSION}"))
            .sso_token("corp", &session_token("valid-stale", timestamp_in(300), "valid-refresh"))
            .profile("dev"),
        Scenario::new("expired sso-session token that cannot be refreshed is refused", false)
            .config(&format!("[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n{SSO_SESSION}"))
            .sso_token("corp", &session_token("valid-stale", timestamp_in(-60), "revoked-refresh"))
            .profile("dev"),
        Scenario::new("expired legacy SSO token is refused", false)
            .config(&format!("[profile dev]\n{SSO_LEGACY}"))
            .sso_token("https://legacy.awsapps.com/start", &format!(r#"{{"accessToken":"valid-legacy","expiresAt":"{}"}}"#, timestamp_in(-60)))
            .profile("dev"),
        Scenario::new("SSO with no cached token is refused", false).config(&format!("[profile dev]\n{SSO_LEGACY}")).profile("dev"),
        Scenario::new("a token the portal rejects is refused", false)
            .config(&format!("[profile dev]\n{SSO_LEGACY}"))
            .sso_token("https://legacy.awsapps.com/start", &format!(r#"{{"accessToken":"revoked","expiresAt":"{}"}}"#, timestamp_in(3600)))
            .profile("dev"),
        Scenario::new("a missing sso-session section is refused", false)
            .config("[profile dev]\nsso_session = nosuch\nsso_account_id = 123456789012\nsso_role_name = Admin\n")
            .profile("dev"),
        Scenario::new("an SSO profile missing sso_role_name is refused", false)
            .config("[profile dev]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 123456789012\n")
            .sso_token("https://legacy.awsapps.com/start", &valid_token)
            .profile("dev"),
        Scenario::new("an SSO profile as a role source", true)
            .config(&format!("[profile deploy]\n{ROLE}source_profile = dev\n[profile dev]\n{SSO_LEGACY}"))
            .sso_token("https://legacy.awsapps.com/start", &valid_token)
            .profile("deploy"),
        // Container and instance metadata.
        Scenario::new("container endpoint with an authorization token", true)
            .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", "{stub}/container/full")
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-token"),
        Scenario::new("container authorization token file beats the variable", true)
            .file("container-token", "from-the-file")
            .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", "{stub}/container/full")
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN", "container-token")
            .env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "{home}/container-token"),
        Scenario::new("a container host name that only looks like loopback is refused", false)
            .env("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.anything.example/creds"),
        Scenario::new("instance metadata", true).unset("AWS_EC2_METADATA_DISABLED").env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "{stub}"),
        // The instance metadata settings, read from the profile as botocore reads them.
        Scenario::new("the instance metadata endpoint from the profile", true)
            .unset("AWS_EC2_METADATA_DISABLED")
            .config("[default]\nec2_metadata_service_endpoint = {stub}\n"),
        Scenario::new("the instance metadata endpoint variable beats the profile's", true)
            .unset("AWS_EC2_METADATA_DISABLED")
            .config("[default]\nec2_metadata_service_endpoint = http://127.0.0.1:9\n")
            .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", "{stub}"),
        Scenario::new("instance metadata without session tokens falls back to IMDSv1", true)
            .unset("AWS_EC2_METADATA_DISABLED")
            .config("[default]\nec2_metadata_service_endpoint = {stub}/no-token\n"),
        Scenario::new("ec2_metadata_v1_disabled in the profile refuses IMDSv1", false)
            .unset("AWS_EC2_METADATA_DISABLED")
            .config("[default]\nec2_metadata_service_endpoint = {stub}/no-token\nec2_metadata_v1_disabled = true\n"),
        Scenario::new("an empty AWS_EC2_METADATA_V1_DISABLED beats the profile's true", true)
            .unset("AWS_EC2_METADATA_DISABLED")
            .config("[default]\nec2_metadata_service_endpoint = {stub}/no-token\nec2_metadata_v1_disabled = true\n")
            .env("AWS_EC2_METADATA_V1_DISABLED", ""),
        Scenario::new("instance metadata slower than the default 1 s timeout", false)
            .unset("AWS_EC2_METADATA_DISABLED")
            .config("[default]\nec2_metadata_service_endpoint = {stub}/slow\n"),
        Scenario::new("metadata_service_timeout in the profile waits longer", true)
            .unset("AWS_EC2_METADATA_DISABLED")
            .config("[default]\nec2_metadata_service_endpoint = {stub}/slow\nmetadata_service_timeout = 3\n"),
        Scenario::new("AWS_METADATA_SERVICE_TIMEOUT beats the profile's", false)
            .unset("AWS_EC2_METADATA_DISABLED")
            .config("[default]\nec2_metadata_service_endpoint = {stub}/slow\nmetadata_service_timeout = 3\n")
            .env("AWS_METADATA_SERVICE_TIMEOUT", "1"),
        Scenario::new("metadata_service_num_attempts in the profile", true)
            .unset("AWS_EC2_METADATA_DISABLED")
            .config("[default]\nec2_metadata_service_endpoint = {stub}\nmetadata_service_num_attempts = 3\n"),
        Scenario::new("ec2_metadata_service_endpoint_mode in the profile, with an endpoint", true)
            .unset("AWS_EC2_METADATA_DISABLED")
            .config("[default]\nec2_metadata_service_endpoint_mode = IPv6\nec2_metadata_service_endpoint = {stub}\n"),
        Scenario::new("credential_process with an unknown Version is refused", false)
            .config(r#"[default]
credential_process = printf '{"Version":2,"AccessKeyId":"AKIDPROCESS","SecretAccessKey":"s"}'
"#),
    ]
}

/// A fresh HOME for one tool's run of one scenario (the tools write caches there).
fn home_for(scenario: &Scenario, tool: &str, stub: &str) -> PathBuf {
    let slug: String = scenario.name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    let home = std::env::temp_dir().join(format!("credential-parity-{}/{slug}-{tool}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    std::fs::create_dir_all(home.join(".aws/sso/cache")).expect("a temporary directory");
    let fill = |text: &str| text.replace("{home}", &home.to_string_lossy()).replace("{stub}", stub);
    std::fs::write(home.join(".aws/config"), fill(&scenario.config)).expect("write config");
    std::fs::write(home.join(".aws/credentials"), fill(&scenario.credentials)).expect("write credentials");
    for (path, contents) in &scenario.files {
        std::fs::write(home.join(path), fill(contents)).expect("write a scenario file");
    }
    home
}

fn run(program: &[&str], scenario: &Scenario, home: &Path, stub: &str) -> i32 {
    let fill = |text: &str| text.replace("{home}", &home.to_string_lossy()).replace("{stub}", stub);
    let mut command = Command::new(program[0]);
    command.args(&program[1..]).args([
        "get-invalidation",
        "--distribution-id",
        "E1",
        "--id",
        "I1",
        "--endpoint-url",
        stub,
    ]);
    if let Some(profile) = scenario.profile {
        command.args(["--profile", profile]);
    }
    command.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default()).env("HOME", home);
    let common = [
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_ENDPOINT_URL_STS", stub),
        ("AWS_ENDPOINT_URL_SSO", stub),
        ("AWS_ENDPOINT_URL_SSO_OIDC", stub),
        ("AWS_EC2_METADATA_DISABLED", "true"),
        ("AWS_PAGER", ""),
    ];
    for (name, value) in common {
        if !scenario.unset.contains(&name) {
            command.env(name, value);
        }
    }
    for (name, value) in &scenario.env {
        command.env(name, fill(value));
    }
    // In a session of its own: no controlling terminal, as in CI, so an MFA prompt can
    // never wait for a person at the terminal running the tests.
    // SAFETY: setsid is async-signal-safe and touches nothing of the parent's.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut command, || {
            libc::setsid();
            Ok(())
        });
    }
    let output = command.output().unwrap_or_else(|e| panic!("cannot run {}: {e}", program[0]));
    output.status.code().unwrap_or(-1)
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the AWS CLI v1: run `cargo xtask e2e`"]
async fn credentials_resolve_as_botocore_resolves_them() {
    let aws = std::env::var("AWS_CLI")
        .expect("AWS_CLI is not set: run this through `cargo xtask e2e`, which installs the AWS CLI v1");
    let server = TestServer::start(|r, _| identity::reply(r)).await;
    let stub = server.url.clone();
    let scenarios = scenarios();
    assert!(scenarios.len() >= 40, "the issue asks for at least 40 scenarios");
    let (mut identical, mut differ, mut intended, mut unexpected) = (0, Vec::new(), Vec::new(), Vec::new());
    for scenario in &scenarios {
        let mut outcomes: Vec<(Outcome, i32)> = Vec::new();
        for (tool, program) in
            [("aws", vec![aws.as_str(), "cloudfront"]), ("ours", vec![env!("CARGO_BIN_EXE_cloudfront")])]
        {
            let home = home_for(scenario, tool, &stub);
            let before = server.requests().len();
            let (program, scenario_owned, home_owned, stub_owned) = (
                program.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                scenario.clone(),
                home.clone(),
                stub.clone(),
            );
            let exit = tokio::task::spawn_blocking(move || {
                let program: Vec<&str> = program.iter().map(String::as_str).collect();
                run(&program, &scenario_owned, &home_owned, &stub_owned)
            })
            .await
            .expect("the run finishes");
            let cloudfront_call = server.requests()[before..]
                .iter()
                .find(|r| r.target.starts_with("/2020-05-31/"))
                .and_then(identity::signer);
            let outcome = if exit == 0 { cloudfront_call } else { None };
            outcomes.push((outcome, exit));
        }
        let (theirs, ours) = (&outcomes[0], &outcomes[1]);
        let show = |o: &(Outcome, i32)| match &o.0 {
            Some((key, token)) => {
                format!("signs with {key}{} (exit {})", if *token { " + session token" } else { "" }, o.1)
            }
            None => format!("refuses (exit {})", o.1),
        };
        if theirs.0.is_some() != scenario.botocore_signs {
            unexpected.push(format!(
                "{}: botocore was expected to {} but {}",
                scenario.name,
                if scenario.botocore_signs { "sign" } else { "refuse" },
                show(theirs)
            ));
        }
        let line = format!("{}: aws {}; cloudfront {}", scenario.name, show(theirs), show(ours));
        match (theirs.0 == ours.0, scenario.intended) {
            (true, None) => {
                identical += 1;
                println!("identical  {line}");
            }
            (false, Some(reason)) => intended.push(format!("{line}\n    reason: {reason}")),
            (true, Some(_)) => differ.push(format!("{line} (listed as an intended difference, but identical)")),
            (false, None) => differ.push(line),
        }
    }
    for line in &intended {
        println!("INTENDED   {line}");
    }
    for line in &differ {
        println!("DIFFER     {line}");
    }
    for line in &unexpected {
        println!("UNEXPECTED {line}");
    }
    println!("{identical} identical, {} differ ({} intended differences listed above)", differ.len(), intended.len());
    assert!(unexpected.is_empty(), "{} scenario(s) did not behave in botocore as the scenario says", unexpected.len());
    assert!(differ.is_empty(), "{} scenario(s) resolve differently from botocore", differ.len());
}

/// A role assumed by one tool is reused by the other: both read and write the AWS CLI's
/// `~/.aws/cli/cache` under the same names. The second tool's STS is unreachable, so only the
/// cache can give it credentials.
#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the AWS CLI v1: run `cargo xtask e2e`"]
async fn assumed_roles_are_shared_with_the_aws_cli_through_its_cache() {
    let aws = std::env::var("AWS_CLI")
        .expect("AWS_CLI is not set: run this through `cargo xtask e2e`, which installs the AWS CLI v1");
    let server = TestServer::start(|r, _| identity::reply(r)).await;
    let stub = server.url.clone();
    let ours = env!("CARGO_BIN_EXE_cloudfront").to_owned();
    let configs = [
        format!("[profile deploy]\n{ROLE}source_profile = base\n"),
        format!(
            "[profile deploy]\n{ROLE}source_profile = base\nexternal_id = ext-42\nrole_session_name = ci-run\nduration_seconds = 1800\n"
        ),
    ];
    let mut checked = 0;
    for (index, config) in configs.iter().enumerate() {
        for (first, second) in [
            (vec![aws.clone(), "cloudfront".into()], vec![ours.clone()]),
            (vec![ours.clone()], vec![aws.clone(), "cloudfront".into()]),
        ] {
            let scenario = Scenario::new("shared role cache", true)
                .config(config)
                .credentials(&format!("[base]\n{KEYS_BASE}"))
                .profile("deploy");
            let home = home_for(
                &Scenario { name: ["shared-cache-a", "shared-cache-b"][index], ..scenario.clone() },
                "both",
                &stub,
            );
            let mut signers = Vec::new();
            for (program, sts) in [(first.clone(), stub.clone()), (second.clone(), "http://127.0.0.1:9".to_owned())] {
                let scenario = scenario.clone().env("AWS_ENDPOINT_URL_STS", &sts);
                let before = server.requests().len();
                let (home, stub) = (home.clone(), stub.clone());
                let exit = tokio::task::spawn_blocking(move || {
                    let program: Vec<&str> = program.iter().map(String::as_str).collect();
                    run(&program, &scenario, &home, &stub)
                })
                .await
                .expect("the run finishes");
                let signer = server.requests()[before..]
                    .iter()
                    .find(|r| r.target.starts_with("/2020-05-31/"))
                    .and_then(identity::signer);
                signers.push((exit, signer));
            }
            println!("shared role cache, config {index}, {} first: {signers:?}", first[0]);
            assert_eq!(signers[0].0, 0, "the first tool assumes the role");
            assert!(signers[0].1.as_ref().is_some_and(|(key, token)| key.starts_with("ASIA") && *token));
            assert_eq!(signers[1], signers[0], "the second tool reuses the first tool's cached role");
            checked += 1;
        }
    }
    println!("{checked} identical, 0 differ");
}
