//! Endpoint and signing parity with the AWS CLI: each scenario (environment, config file,
//! flags) is run by the AWS CLI v1 from the Python registry (`AWS_CLI`, its bundled botocore
//! is the reference: the AWS CLI v2 of Debian predates configured endpoint URLs and today's
//! partitions) and by `cloudfront`, both with `AWS_MAX_ATTEMPTS=1`. What each tool does is
//! observed through the network only:
//! - the host it connects to: a recording HTTPS proxy (`HTTPS_PROXY`) logs each `CONNECT`,
//!   ends TLS with a certificate from a CA made for the run (`AWS_CA_BUNDLE`), and passes the
//!   request on to a local test server;
//! - every request that arrives (through the proxy or at a local endpoint URL): its request
//!   line, `Host`, and the credential scope (region/service) and signed headers of its
//!   `Authorization`.
//!
//! A scenario is identical when both tools sent exactly the same and exited alike. A refusal
//! is identical when neither sent anything, `cloudfront` says botocore's words (its error line
//! appears in ours) and exits with the code the AWS CLI v2 gives that class of error. Each
//! scenario also states whether botocore sends, so a scenario broken on both sides is caught.

mod endpoint_parity {
    pub mod recording_proxy;
}

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cloudfront_primitives::{DateTime, TimestampFormat};
use cloudfront_test_server::{Recorded, Reply, TestServer};
use endpoint_parity::recording_proxy::RecordingProxy;

/// What the AWS CLI v2 exits with for botocore's `NoRegionError` (its configuration class).
const NO_REGION: i32 = 253;
/// What the AWS CLI v2 exits with for any other botocore error raised before sending.
const GENERAL: i32 = 255;

#[derive(Clone, Default)]
struct Scenario {
    name: String,
    /// Variables, with `{local}` standing for the local endpoint's URL.
    env: Vec<(&'static str, String)>,
    /// The config file (`{local}` as above).
    config: String,
    /// The command after `cloudfront` and its flags (flags alone: get-invalidation of E1/I1).
    command: Vec<String>,
    /// botocore sends the call (true) or refuses before sending (false).
    botocore_sends: bool,
    /// The exit code of a refusal: the AWS CLI v2's for that class of error.
    refusal_exit: i32,
    /// A deliberate difference, with its reason.
    intended: Option<&'static str>,
}

impl Scenario {
    fn sends(name: impl Into<String>) -> Self {
        Scenario { name: name.into(), botocore_sends: true, ..Scenario::default() }
    }
    fn refuses(name: impl Into<String>, exit: i32) -> Self {
        Scenario { name: name.into(), botocore_sends: false, refusal_exit: exit, ..Scenario::default() }
    }
    fn env(mut self, name: &'static str, value: &str) -> Self {
        self.env.push((name, value.to_owned()));
        self
    }
    fn region(self, region: &str) -> Self {
        self.env("AWS_DEFAULT_REGION", region)
    }
    fn config(mut self, text: &str) -> Self {
        self.config.push_str(text);
        self
    }
    fn args(mut self, args: &[&str]) -> Self {
        self.command.extend(args.iter().map(|a| a.to_string()));
        self
    }
    fn tenant(mut self) -> Self {
        self.command.splice(
            0..0,
            ["get-invalidation-for-distribution-tenant", "--distribution-tenant-id", "dt_1", "--id", "I1"]
                .map(String::from),
        );
        self
    }
    fn intended(mut self, reason: &'static str) -> Self {
        self.intended = Some(reason);
        self
    }
}

/// Every partition of the partition data, by one of its regions.
const PARTITION_REGIONS: [&str; 8] = [
    "us-east-1",
    "cn-north-1",
    "us-gov-west-1",
    "us-iso-east-1",
    "us-isob-east-1",
    "eu-isoe-west-1",
    "us-isof-south-1",
    "eusc-de-east-1",
];

fn partitions() -> Vec<Scenario> {
    let mut all = Vec::new();
    for region in PARTITION_REGIONS {
        for (label, fips, dual) in
            [("", false, false), (" FIPS", true, false), (" dual-stack", false, true), (" FIPS dual-stack", true, true)]
        {
            // botocore's older endpoint data gives aws-iso-e and aws-iso-f no dual-stack variant.
            let supported = !(dual && (region.starts_with("eu-isoe") || region.starts_with("us-isof")));
            let name = format!("{region}{label}");
            let mut scenario = if supported { Scenario::sends(name) } else { Scenario::refuses(name, GENERAL) };
            scenario = scenario.region(region);
            if fips {
                scenario = scenario.env("AWS_USE_FIPS_ENDPOINT", "true");
            }
            if dual {
                scenario = scenario.env("AWS_USE_DUALSTACK_ENDPOINT", "true");
            }
            all.push(scenario);
        }
    }
    all
}

fn regions() -> Vec<Scenario> {
    vec![
        Scenario::sends("no region at all: CloudFront is global"),
        Scenario::sends("--region beats AWS_DEFAULT_REGION").region("us-west-2").args(&["--region", "cn-north-1"]),
        Scenario::sends("AWS_DEFAULT_REGION beats the profile")
            .region("cn-north-1")
            .config("[default]\nregion = us-west-2\n"),
        Scenario::sends("the profile's region").config("[default]\nregion = cn-northwest-1\n"),
        Scenario::sends("a named profile's region")
            .config("[profile china]\nregion = cn-north-1\n")
            .args(&["--profile", "china"]),
        Scenario::sends("an empty AWS_DEFAULT_REGION still beats the profile")
            .region("")
            .config("[default]\nregion = cn-north-1\n"),
        Scenario::sends("AWS_REGION is read before AWS_DEFAULT_REGION (v2)")
            .env("AWS_REGION", "cn-north-1")
            .region("us-west-2")
            .intended("the AWS CLI v2 reads AWS_REGION before AWS_DEFAULT_REGION; the v1 reference does not read it"),
        Scenario::sends("AWS_REGION alone (v2)")
            .env("AWS_REGION", "cn-northwest-1")
            .intended("the AWS CLI v2 reads AWS_REGION; the v1 reference does not read it"),
        Scenario::sends("a region that is no partition's goes to aws").region("mars-base-1"),
        Scenario::sends("a region in upper case").region("CN-NORTH-1"),
        Scenario::refuses("a region that is not a host label (flag)", GENERAL).args(&["--region", "bad_region!"]),
        Scenario::refuses("a region that is not a host label (env)", GENERAL).region("us-east-1 "),
        Scenario::refuses("a region that is not a host label (profile)", GENERAL).config("[default]\nregion = -east\n"),
        Scenario::refuses("a region of digits only", GENERAL).region("123"),
        Scenario::sends("an empty AWS_DEFAULT_REGION with an endpoint URL")
            .region("")
            .env("AWS_ENDPOINT_URL", "{local}"),
        Scenario::sends("an empty region in the profile with an endpoint URL")
            .config("[default]\nregion =\n")
            .env("AWS_ENDPOINT_URL", "{local}"),
        Scenario::sends("an empty --region with an endpoint URL").args(&["--region", "", "--endpoint-url", "{local}"]),
    ]
}

fn booleans() -> Vec<Scenario> {
    let fips =
        |value: &str| Scenario::sends(format!("AWS_USE_FIPS_ENDPOINT={value:?}")).env("AWS_USE_FIPS_ENDPOINT", value);
    vec![
        fips("TRUE"),
        fips("True"),
        fips("yes"),
        fips("1"),
        fips("false"),
        fips(" true"),
        fips("").config("[default]\nuse_fips_endpoint = true\n"),
        Scenario::sends("use_fips_endpoint = TRUE in the profile").config("[default]\nuse_fips_endpoint = TRUE\n"),
        Scenario::sends("use_fips_endpoint = yes in the profile").config("[default]\nuse_fips_endpoint = yes\n"),
        Scenario::sends("AWS_USE_FIPS_ENDPOINT=false beats the profile's true")
            .env("AWS_USE_FIPS_ENDPOINT", "false")
            .config("[default]\nuse_fips_endpoint = true\n"),
        Scenario::sends("use_dualstack_endpoint = true in the profile")
            .region("us-west-2")
            .config("[default]\nuse_dualstack_endpoint = true\n"),
        Scenario::sends("an empty AWS_USE_DUALSTACK_ENDPOINT beats the profile")
            .env("AWS_USE_DUALSTACK_ENDPOINT", "")
            .config("[default]\nuse_dualstack_endpoint = true\n"),
        Scenario::sends("AWS_USE_DUALSTACK_ENDPOINT=on").env("AWS_USE_DUALSTACK_ENDPOINT", "on"),
    ]
}

fn configured_endpoints() -> Vec<Scenario> {
    let local = |name: &str| Scenario::sends(name).region("eu-west-1");
    let services = "[default]\nservices = local\n[services local]\ncloudfront =\n  endpoint_url = {local}/services\n";
    vec![
        local("--endpoint-url").args(&["--endpoint-url", "{local}"]),
        local("AWS_ENDPOINT_URL").env("AWS_ENDPOINT_URL", "{local}"),
        local("AWS_ENDPOINT_URL_CLOUDFRONT").env("AWS_ENDPOINT_URL_CLOUDFRONT", "{local}"),
        local("the profile's endpoint_url").config("[default]\nendpoint_url = {local}/profile\n"),
        local("a services section").config(services),
        local("a services section's key in another case")
            .config("[default]\nservices = local\n[services local]\nCloudFront =\n  endpoint_url = {local}/cased\n"),
        local("AWS_ENDPOINT_URL_CLOUDFRONT beats AWS_ENDPOINT_URL")
            .env("AWS_ENDPOINT_URL_CLOUDFRONT", "{local}/service")
            .env("AWS_ENDPOINT_URL", "{local}/global"),
        local("AWS_ENDPOINT_URL beats a services section").env("AWS_ENDPOINT_URL", "{local}/env").config(services),
        local("a services section beats the profile's endpoint_url")
            .config("[default]\nendpoint_url = {local}/profile\nservices = local\n[services local]\ncloudfront =\n  endpoint_url = {local}/services\n"),
        local("--endpoint-url beats AWS_ENDPOINT_URL_CLOUDFRONT")
            .env("AWS_ENDPOINT_URL_CLOUDFRONT", "{local}/env")
            .args(&["--endpoint-url", "{local}/flag"]),
        local("an empty AWS_ENDPOINT_URL_CLOUDFRONT").env("AWS_ENDPOINT_URL_CLOUDFRONT", "").env("AWS_ENDPOINT_URL", "{local}/global"),
        local("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true").env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true").env("AWS_ENDPOINT_URL", "{local}"),
        local("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=TRUE").env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "TRUE").config(services),
        local("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=yes").env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "yes").env("AWS_ENDPOINT_URL", "{local}"),
        local("an empty AWS_IGNORE_CONFIGURED_ENDPOINT_URLS beats the profile's true")
            .env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "")
            .config("[default]\nignore_configured_endpoint_urls = true\nendpoint_url = {local}/profile\n"),
        local("ignore_configured_endpoint_urls in the profile")
            .config("[default]\nignore_configured_endpoint_urls = true\n")
            .env("AWS_ENDPOINT_URL_CLOUDFRONT", "{local}"),
        local("--endpoint-url is used even when configured ones are ignored")
            .env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
            .args(&["--endpoint-url", "{local}/flag"]),
        local("an endpoint URL with a path").env("AWS_ENDPOINT_URL", "{local}/base"),
        local("an endpoint URL with a trailing slash").args(&["--endpoint-url", "{local}/base/"]),
        local("an endpoint URL with a query").args(&["--endpoint-url", "{local}/base?stage=test"]),
        local("FIPS is not applied to a configured endpoint URL")
            .env("AWS_USE_FIPS_ENDPOINT", "true")
            .env("AWS_ENDPOINT_URL", "{local}"),
        local("dual-stack is not applied to --endpoint-url")
            .env("AWS_USE_DUALSTACK_ENDPOINT", "true")
            .args(&["--endpoint-url", "{local}"]),
        local("the tenant operation at a local endpoint").env("AWS_ENDPOINT_URL_CLOUDFRONT", "{local}").tenant(),
        Scenario::sends("the tenant operation, resolved").tenant(),
        Scenario::sends("the tenant operation, FIPS").tenant().env("AWS_USE_FIPS_ENDPOINT", "true"),
        Scenario::sends("the tenant operation, China").tenant().region("cn-northwest-1"),
        Scenario::refuses("a configured endpoint URL with no region", NO_REGION).env("AWS_ENDPOINT_URL", "{local}"),
        Scenario::refuses("--endpoint-url with no region", NO_REGION).args(&["--endpoint-url", "{local}"]),
        local("an endpoint URL with two trailing slashes").args(&["--endpoint-url", "{local}/base//"]),
        local("an endpoint query before the operation's query")
            .env("AWS_ENDPOINT_URL", "{local}/base?stage=test")
            .args(&["list-invalidations", "--distribution-id", "E1", "--page-size", "5"]),
        local("a missing services section is not read when the environment names the endpoint")
            .config("[default]\nservices = missing\n")
            .env("AWS_ENDPOINT_URL_CLOUDFRONT", "{local}"),
        Scenario::sends("a missing services section is not read when configured endpoints are ignored")
            .env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
            .config("[default]\nservices = missing\n"),
        Scenario::refuses("services names a section that does not exist", GENERAL)
            .region("eu-west-1")
            .config("[default]\nservices = missing\n"),
        Scenario::refuses("services names an empty section", GENERAL)
            .region("eu-west-1")
            .config("[default]\nservices = empty\n[services empty]\n"),
        Scenario::refuses("dual-stack in aws-iso-e even with an endpoint URL", GENERAL)
            .region("eu-isoe-west-1")
            .env("AWS_USE_DUALSTACK_ENDPOINT", "true")
            .args(&["--endpoint-url", "{local}"]),
    ]
}

fn scenarios() -> Vec<Scenario> {
    let mut all = partitions();
    all.extend(regions());
    all.extend(booleans());
    all.extend(configured_endpoints());
    all
}

/// What a tool sent: the `CONNECT` targets, then each request that arrived.
#[derive(Debug, PartialEq, Eq)]
struct Sent {
    connects: Vec<String>,
    requests: Vec<String>,
}

impl Sent {
    fn nothing(&self) -> bool {
        self.connects.is_empty() && self.requests.is_empty()
    }
}

impl std::fmt::Display for Sent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.nothing() {
            return write!(f, "nothing");
        }
        let connects = self.connects.iter().map(|c| format!("CONNECT {c}"));
        write!(f, "{}", connects.chain(self.requests.iter().cloned()).collect::<Vec<_>>().join("; "))
    }
}

/// A request as the comparison sees it: request line, Host, credential scope (region and
/// service: the key and date are the run's) and signed headers.
fn describe(request: &Recorded) -> String {
    let authorization = request.header("authorization").unwrap_or("unsigned");
    let scope = authorization
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split(',').next())
        .map(|c| c.split('/').skip(2).take(2).collect::<Vec<_>>().join("/"))
        .unwrap_or_default();
    let signed = authorization.split("SignedHeaders=").nth(1).and_then(|s| s.split(',').next()).unwrap_or_default();
    let signature = match signature_is_valid(request) {
        Some(true) => "valid",
        Some(false) => "INVALID",
        None => "none",
    };
    format!(
        "{} {} host={} scope={scope} signed={signed} signature={signature}",
        request.method,
        request.target,
        request.header("host").unwrap_or_default()
    )
}

/// Whether the request's signature is the one its scope, signed headers and the run's secret
/// give for what arrived (the path and query as received): `None` when unsigned.
fn signature_is_valid(request: &Recorded) -> Option<bool> {
    let authorization = request.header("authorization")?;
    let field = |name: &str| authorization.split(name).nth(1).and_then(|rest| rest.split(',').next()).map(str::trim);
    let scope: Vec<&str> = field("Credential=")?.split('/').collect();
    let signed: Vec<&str> = field("SignedHeaders=")?.split(';').collect();
    let headers: Vec<(String, String)> = request
        .headers
        .iter()
        .filter(|(name, _)| signed.contains(&name.to_ascii_lowercase().as_str()))
        .cloned()
        .collect();
    let stamp = request.header("x-amz-date")?;
    let iso = format!(
        "{}-{}-{}T{}:{}:{}Z",
        stamp.get(0..4)?,
        stamp.get(4..6)?,
        stamp.get(6..8)?,
        stamp.get(9..11)?,
        stamp.get(11..13)?,
        stamp.get(13..15)?
    );
    let time = DateTime::parse(&iso, TimestampFormat::DateTime).ok()?;
    let (path, query) = request.target.split_once('?').unwrap_or((&request.target, ""));
    let credentials = cloudfront_sigv4::Credentials::new(scope.first()?.to_string(), "parity-secret", None);
    let host = request.header("host")?;
    let expected = cloudfront_sigv4::sign(
        &cloudfront_sigv4::SignableRequest::new(&request.method, host, path, query, &headers, &request.body),
        &cloudfront_sigv4::SigningParams::new(&credentials, scope.get(2)?, scope.get(3)?, time),
    );
    Some(field("Signature=")? == expected.signature)
}

struct Run {
    sent: Sent,
    exit: i32,
    /// The last line of standard error (botocore's error line on a refusal).
    error_line: String,
    stderr: String,
}

struct Harness {
    server: TestServer,
    proxy: RecordingProxy,
    dir: PathBuf,
}

impl Harness {
    fn home(&self, scenario: &Scenario, tool: &str, index: usize) -> PathBuf {
        let home = self.dir.join(format!("{index}-{tool}"));
        let _ = std::fs::remove_dir_all(&home);
        std::fs::create_dir_all(home.join(".aws")).expect("a temporary HOME");
        std::fs::write(home.join(".aws/config"), scenario.config.replace("{local}", &self.server.url)).expect("config");
        let keys = "aws_access_key_id = AKIDPARITY\naws_secret_access_key = parity-secret\n";
        std::fs::write(home.join(".aws/credentials"), format!("[default]\n{keys}[china]\n{keys}"))
            .expect("credentials");
        home
    }

    fn run(&self, program: &[String], scenario: &Scenario, home: &Path) -> Run {
        let (connects_before, requests_before) = (self.proxy.connects().len(), self.server.requests().len());
        let local = |text: &str| text.replace("{local}", &self.server.url);
        let mut command = Command::new(&program[0]);
        command.args(&program[1..]);
        let mut args: Vec<String> = scenario.command.iter().map(|a| local(a)).collect();
        if args.first().is_none_or(|a| a.starts_with("--")) {
            args.splice(0..0, ["get-invalidation", "--distribution-id", "E1", "--id", "I1"].map(String::from));
        }
        command.args(&args);
        command.env_clear().env("PATH", std::env::var("PATH").unwrap_or_default()).env("HOME", home);
        command.envs([
            ("AWS_MAX_ATTEMPTS", "1"),
            ("AWS_PAGER", ""),
            ("AWS_EC2_METADATA_DISABLED", "true"),
            ("HTTPS_PROXY", self.proxy.url.as_str()),
        ]);
        command.env("AWS_CA_BUNDLE", &self.proxy.ca_bundle);
        for (name, value) in &scenario.env {
            command.env(name, local(value));
        }
        let (exit, stderr) = run_bounded(command, Duration::from_secs(60));
        let sent = Sent {
            connects: self.proxy.connects()[connects_before..].to_vec(),
            requests: self.server.requests()[requests_before..].iter().map(describe).collect(),
        };
        let error_line = stderr.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default().trim().to_owned();
        Run { sent, exit, error_line, stderr }
    }
}

/// Runs a command to its end or for at most `limit` (then kills it): exit code and stderr.
fn run_bounded(mut command: Command, limit: Duration) -> (i32, String) {
    command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    let mut child = command.spawn().unwrap_or_else(|e| panic!("cannot run {:?}: {e}", command.get_program()));
    let mut stderr = child.stderr.take().expect("piped stderr");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the tool") {
            break Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stderr = reader.join().unwrap_or_default();
    (status.and_then(|s| s.code()).unwrap_or(-1), stderr)
}

/// Why two runs of a scenario are not identical, if they are not.
fn difference(scenario: &Scenario, theirs: &Run, ours: &Run) -> Option<String> {
    if theirs.sent != ours.sent {
        return Some("they sent different things".into());
    }
    if theirs.sent.nothing() && theirs.exit != 0 {
        if !ours.stderr.contains(&theirs.error_line) {
            return Some(format!("cloudfront does not say botocore's words {:?}", theirs.error_line));
        }
        if ours.exit != scenario.refusal_exit {
            return Some(format!("cloudfront exits {}, the AWS CLI v2 {}", ours.exit, scenario.refusal_exit));
        }
        return None;
    }
    (theirs.exit != ours.exit).then(|| format!("exit {} against {}", theirs.exit, ours.exit))
}

fn invalidation() -> Reply {
    Reply::status(
        200,
        "<?xml version=\"1.0\"?>\n<Invalidation xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Id>I1</Id><Status>Completed</Status><CreateTime>2026-01-01T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/a</Path></Items></Paths><CallerReference>r</CallerReference></InvalidationBatch></Invalidation>",
    )
    .header("Content-Type", "text/xml")
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the AWS CLI v1: run `cargo xtask e2e`"]
async fn endpoints_resolve_as_botocore_resolves_them() {
    let aws = std::env::var("AWS_CLI")
        .expect("AWS_CLI is not set: run this through `cargo xtask e2e`, which installs the AWS CLI v1");
    let dir = std::env::temp_dir().join(format!("endpoint-parity-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let server = TestServer::start(|_, _| invalidation()).await;
    let proxy = RecordingProxy::start(server.url.trim_start_matches("http://").to_owned(), &dir).await;
    let harness = std::sync::Arc::new(Harness { server, proxy, dir });
    let scenarios = scenarios();
    assert!(scenarios.len() >= 60, "the issue asks for at least 60 scenarios");
    let (mut identical, mut intended, mut differ, mut unexpected) = (0, Vec::new(), Vec::new(), Vec::new());
    for (index, scenario) in scenarios.iter().enumerate() {
        let mut runs = Vec::new();
        for (tool, program) in
            [("aws", vec![aws.clone(), "cloudfront".into()]), ("ours", vec![env!("CARGO_BIN_EXE_cloudfront").into()])]
        {
            let (harness, scenario) = (harness.clone(), scenario.clone());
            let run = tokio::task::spawn_blocking(move || {
                let home = harness.home(&scenario, tool, index);
                harness.run(&program, &scenario, &home)
            })
            .await
            .expect("the run finishes");
            runs.push(run);
        }
        let (theirs, ours) = (&runs[0], &runs[1]);
        let show = |run: &Run| {
            let said = if run.exit != 0 { format!(": {}", run.error_line) } else { String::new() };
            format!("sent {} (exit {}{said})", run.sent, run.exit)
        };
        if theirs.sent.requests.is_empty() == scenario.botocore_sends {
            unexpected.push(format!(
                "{}: botocore was expected to {} but {}",
                scenario.name,
                if scenario.botocore_sends { "send" } else { "refuse" },
                show(theirs)
            ));
        }
        let line = format!("{}\n    aws        {}\n    cloudfront {}", scenario.name, show(theirs), show(ours));
        match (difference(scenario, theirs, ours), scenario.intended) {
            (None, None) => {
                identical += 1;
                println!("identical  {line}");
            }
            (Some(_), Some(reason)) => intended.push(format!("{line}\n    reason: {reason}")),
            (None, Some(_)) => differ.push(format!("{line}\n    (listed as an intended difference, but identical)")),
            (Some(why), None) => differ.push(format!("{line}\n    {why}")),
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
    let _ = std::fs::remove_dir_all(&harness.dir);
    println!("{identical} identical, {} intended, {} differ", intended.len(), differ.len());
    assert!(unexpected.is_empty(), "{} scenario(s) did not behave in botocore as the scenario says", unexpected.len());
    assert!(differ.is_empty(), "{} scenario(s) resolve differently from botocore", differ.len());
}
