//! No secret anywhere it should not be, whatever provider produced it: clients are built
//! through every credential provider with marker secrets (secret keys, session tokens, SSO
//! access and refresh tokens, the client secret, web identity and container tokens; the
//! identity stub's own answers carry `MARKER` too), then every rendering is searched: the
//! CLI's stdout and stderr at `--debug` and `RUST_LOG=trace`, the `Debug` forms of the
//! configuration, the client and the credentials, and the `Display` and `Debug` forms of
//! every error, for working and failing setups alike.

use std::process::Command;

use cloudfront_runtime::env::Env;
use cloudfront_test_server::TestServer;
use cloudfront_test_server::identity::{self, Home};

struct Case {
    name: &'static str,
    config: String,
    credentials: String,
    files: Vec<(&'static str, String)>,
    sso: Vec<(&'static str, String)>,
    env: Vec<(&'static str, String)>,
    profile: Option<&'static str>,
    works: bool,
}

fn case(name: &'static str, works: bool) -> Case {
    Case {
        name,
        config: String::new(),
        credentials: String::new(),
        files: Vec::new(),
        sso: Vec::new(),
        env: Vec::new(),
        profile: None,
        works,
    }
}

fn cases() -> Vec<Case> {
    let far = "2099-01-01T00:00:00Z".to_owned();
    let session = |access: &str, expires: &str, refresh: &str| {
        format!(
            r#"{{"startUrl":"https://corp.awsapps.com/start","region":"us-east-1","accessToken":"{access}","expiresAt":"{expires}","clientId":"cid","clientSecret":"MARKER-client-secret","registrationExpiresAt":"2099-01-01T00:00:00Z","refreshToken":"{refresh}"}}"#
        )
    };
    let sso_config = "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\nsso_role_name = Admin\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n".to_owned();
    let role = "[profile deploy]\nrole_arn = arn:aws:iam::1:role/deploy\nsource_profile = base\n".to_owned();
    let base = "[base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = MARKER-base-secret\n".to_owned();
    vec![
        Case {
            env: vec![
                ("AWS_ACCESS_KEY_ID", "AKIDENV".into()),
                ("AWS_SECRET_ACCESS_KEY", "MARKER-env-secret".into()),
                ("AWS_SESSION_TOKEN", "MARKER-env-token".into()),
            ],
            ..case("environment", true)
        },
        Case {
            credentials: "[default]\naws_access_key_id = AKIDP\naws_secret_access_key = MARKER-profile-secret\naws_session_token = MARKER-profile-token\n".into(),
            ..case("profile keys", true)
        },
        Case {
            config: r#"[default]
credential_process = printf '{"Version":1,"AccessKeyId":"AKIDPROC","SecretAccessKey":"MARKER-process-secret","SessionToken":"MARKER-process-token"}'
"#
            .into(),
            ..case("credential_process", true)
        },
        Case {
            files: vec![("token.jwt", "MARKER-web-identity-token".into())],
            env: vec![
                ("AWS_WEB_IDENTITY_TOKEN_FILE", "{home}/token.jwt".into()),
                ("AWS_ROLE_ARN", "arn:aws:iam::1:role/ci".into()),
            ],
            ..case("web identity", true)
        },
        Case { config: role.clone(), credentials: base.clone(), profile: Some("deploy"), ..case("assume role", true) },
        Case {
            config: role.clone(),
            credentials: base.clone(),
            profile: Some("deploy"),
            env: vec![("AWS_ENDPOINT_URL_STS", "{stub}/nosuch".into())],
            ..case("assume role refused by STS", false)
        },
        Case {
            config: sso_config.clone(),
            sso: vec![("corp", session("valid-MARKER-access", "2000-01-01T00:00:00Z", "valid-MARKER-refresh"))],
            profile: Some("dev"),
            ..case("SSO with a refresh", true)
        },
        Case {
            config: sso_config.clone(),
            sso: vec![("corp", session("valid-MARKER-access", "2000-01-01T00:00:00Z", "revoked-MARKER-refresh"))],
            profile: Some("dev"),
            ..case("SSO refresh refused", false)
        },
        Case {
            config: sso_config,
            sso: vec![("corp", session("revoked-MARKER-access", &far, "valid-MARKER-refresh"))],
            profile: Some("dev"),
            ..case("SSO token rejected by the portal", false)
        },
        Case {
            env: vec![
                ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "{stub}/container/task".into()),
                ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "MARKER-container-token".into()),
            ],
            ..case("container", true)
        },
        Case {
            env: vec![
                ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "{stub}/nosuch".into()),
                ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "MARKER-container-token".into()),
            ],
            ..case("container endpoint failing", false)
        },
        Case {
            env: vec![("AWS_EC2_METADATA_SERVICE_ENDPOINT", "{stub}".into()), ("AWS_EC2_METADATA_DISABLED", "false".into())],
            ..case("instance metadata", true)
        },
    ]
}

/// The case's environment (for the CLI and for the library alike).
fn environment(case: &Case, home: &Home, stub: &str) -> Vec<(String, String)> {
    let mut env: Vec<(String, String)> = [
        ("HOME", home.path()),
        ("AWS_DEFAULT_REGION", "us-east-1".into()),
        ("AWS_ENDPOINT_URL_STS", stub.into()),
        ("AWS_ENDPOINT_URL_SSO", stub.into()),
        ("AWS_ENDPOINT_URL_SSO_OIDC", stub.into()),
        ("AWS_EC2_METADATA_DISABLED", "true".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    for (name, value) in &case.env {
        env.retain(|(k, _)| k != name);
        env.push(((*name).to_owned(), value.replace("{home}", &home.path()).replace("{stub}", stub)));
    }
    env
}

#[tokio::test(flavor = "multi_thread")]
async fn no_provider_lets_a_secret_into_any_rendering() {
    let server = TestServer::start(|r, _| identity::reply(r)).await;
    let mut rendered = String::new();
    for case in cases() {
        let home = Home::new(&format!("secrets-{}", case.name.replace(' ', "-")), &case.config, &case.credentials);
        for (path, contents) in &case.files {
            home.write(path, contents);
        }
        for (key, json) in &case.sso {
            home.sso_token(key, json);
        }
        let env = environment(&case, &home, &server.url);

        // The CLI at its most talkative.
        let mut command = Command::new(env!("CARGO_BIN_EXE_cloudfront"));
        command.args([
            "get-invalidation",
            "--distribution-id",
            "E1",
            "--id",
            "I1",
            "--endpoint-url",
            &server.url,
            "--debug",
        ]);
        if let Some(profile) = case.profile {
            command.args(["--profile", profile]);
        }
        command.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default()).env("RUST_LOG", "trace");
        command.envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let output = tokio::task::spawn_blocking(move || command.output().expect("cloudfront runs")).await.unwrap();
        let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert_eq!(output.status.success(), case.works, "{}: exit {}\n{stderr}", case.name, output.status);
        if !case.works {
            assert_eq!(output.status.code(), Some(253), "{}: {stderr}", case.name);
        }
        rendered.push_str(&format!("== {} (cli)\n{stdout}{stderr}", case.name));

        // The library: the configuration, the client, the credentials or the error.
        let library_env = Env::from_pairs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let config = cloudfront_runtime::Config::loader(library_env, case.profile.map(str::to_owned))
            .build()
            .expect("config loads");
        let provider = config.credentials.clone().expect("a credential chain");
        match provider.provide_credentials().await {
            Ok(credentials) => {
                assert!(case.works, "{}: resolved, but the case says it fails", case.name);
                rendered.push_str(&format!("{credentials:?} {credentials:#?} {:?}", credentials.for_signing()));
            }
            Err(error) => {
                assert!(!case.works, "{}: {error}", case.name);
                rendered.push_str(&format!("{error} {error:?}"));
            }
        }
        let client = cloudfront::Client::new(config.clone()).expect("a client");
        rendered.push_str(&format!("{config:?} {config:#?} {client:?} {client:#?}\n"));
    }
    // Every signature the stub received, besides the markers.
    let signatures: Vec<String> = server
        .requests()
        .iter()
        .filter_map(|r| r.header("authorization").and_then(|a| a.split("Signature=").nth(1)).map(str::to_owned))
        .collect();
    assert!(signatures.len() >= 7, "the working cases signed their calls");
    assert!(rendered.contains("Signature=[REDACTED]"), "the CLI logged its requests");
    for (line_number, line) in rendered.lines().enumerate() {
        assert!(!line.contains("MARKER"), "a secret leaked on rendered line {line_number}: {line}");
        for signature in &signatures {
            assert!(!line.contains(signature.as_str()), "a signature leaked on rendered line {line_number}: {line}");
        }
    }
}
