//! The CLI's bad-input table: every case exits with the AWS CLI's code and a first line that
//! names the flag (or setting) and the rule. Nothing here reaches a server: the endpoint is a
//! closed loopback port, so a case that sent a request would fail differently.

use std::path::PathBuf;
use std::process::Command;

const ENDPOINT: &str = "http://127.0.0.1:9";

struct Case {
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
    code: i32,
    first_line: String,
}

fn case<S: AsRef<str>>(args: &[S], code: i32, first_line: &str) -> Case {
    let mut args: Vec<String> = args.iter().map(|a| a.as_ref().to_owned()).collect();
    if !args.iter().any(|a| a == "--endpoint-url") {
        args.extend(["--endpoint-url".to_owned(), ENDPOINT.to_owned()]);
    }
    Case { args, env: Vec::new(), code, first_line: first_line.to_owned() }
}

fn scratch(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("cloudfront-bad-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

/// The line that names the flag and the rule, in the AWS CLI's layouts: the first line; after
/// a usage block, the `cloudfront: error:` line; for a parameter check, its heading and the
/// problems it lists.
fn headline(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    match lines.first() {
        Some(&"Parameter validation failed:") => format!("Parameter validation failed: {}", lines[1..].join(" | ")),
        Some(first) if first.starts_with("usage: ") => {
            lines.iter().find(|l| l.starts_with("cloudfront: error:")).map_or(String::new(), |l| (*l).to_owned())
        }
        Some(first) => (*first).to_owned(),
        None => String::new(),
    }
}

#[test]
fn every_bad_input_gets_its_code_and_a_line_naming_the_flag_and_the_rule() {
    let bad_json = scratch("batch.json", "{\"Paths\": ");
    let bad_json = format!("file://{}", bad_json.display());
    let process_config = scratch(
        "config",
        "[profile broken]\ncredential_process = echo not-json\n\
         [profile expired]\ncredential_process = echo '{\"Version\": 1, \"AccessKeyId\": \"AKID\", \"SecretAccessKey\": \"s\", \"Expiration\": \"2000-01-01T00:00:00Z\"}'\n",
    );
    let process_config = process_config.display().to_string();
    let site = std::env::temp_dir().join(format!("cloudfront-bad-{}-site", std::process::id()));
    std::fs::create_dir_all(&site).unwrap();
    let site = site.display().to_string();
    let inv = ["create-invalidation", "--distribution-id", "E1"];
    let with = |extra: &[&str]| inv.iter().chain(extra).map(|a| a.to_string()).collect::<Vec<String>>();
    let mut cases = vec![
        case(&with(&[]), 252, "cloudfront: error: the following arguments are required: --invalidation-batch"),
        case(
            &with(&["--invalidation-batch", "Paths={Quantity=x}"]),
            252,
            "Error parsing parameter '--invalidation-batch': expected an integer, not \"x\" at position 16:",
        ),
        case(
            &with(&["--invalidation-batch", "Paths={Quantity=1,Items=[/a]"]),
            252,
            "Error parsing parameter '--invalidation-batch': Expected: '}', received: 'EOF' for input:",
        ),
        case(
            &with(&["--invalidation-batch", "{\"Paths\": "]),
            252,
            "Error parsing parameter '--invalidation-batch': Invalid JSON: EOF while parsing a value at line 1 column 10",
        ),
        case(
            &with(&["--invalidation-batch", &bad_json]),
            252,
            "Error parsing parameter '--invalidation-batch': Invalid JSON: EOF while parsing a value at line 1 column 10",
        ),
        case(
            &with(&["--invalidation-batch", "file:///nonexistent/b.json"]),
            252,
            "Error parsing parameter '--invalidation-batch': Unable to load paramfile file:///nonexistent/b.json: [Errno 2] No such file or directory: '/nonexistent/b.json'",
        ),
        case(
            &["create-invalidation", "--cli-input-yaml", "a: ["],
            252,
            "Error parsing parameter 'cli-input-yaml': Invalid YAML: while parsing a node, did not find expected node content at byte 4 line 2 column 1",
        ),
        case(
            &["create-invalidation", "--cli-input-json", "[1]"],
            252,
            "Error parsing parameter '--cli-input-json': expected a JSON object",
        ),
        case(
            &with(&["--paths", "/a", "--invalidation-batch", "CallerReference=x"]),
            252,
            "The key \"paths\" cannot be specified when one of the following keys are also specified: invalidation_batch",
        ),
        case(&["create-invalidation", "--no-such-flag"], 252, "Unknown options: --no-such-flag"),
        case(&["no-such-command"], 252, "cloudfront: error: argument operation: Invalid choice, valid choices are:"),
        case(
            &with(&[
                "--invalidation-batch",
                "{\"Paths\": {\"Quantity\": 1, \"Items\": [\"/a\"]}, \"CallerReference\": \"r\", \"Comment\": \"x\"}",
            ]),
            252,
            "Parameter validation failed: Unknown parameter in InvalidationBatch: \"Comment\", must be one of: Paths, CallerReference",
        ),
        case(
            &with(&["--invalidation-batch", "Paths={Quantity=3,Items=[/a]},CallerReference=r"]),
            252,
            "Parameter validation failed: InvalidationBatch.Paths.Quantity is 3 but Items has 1 entries; they must match (leave Quantity unset to have it counted)",
        ),
        case(
            &with(&["--invalidation-batch", "Paths={Items=[/a]}"]),
            252,
            "Parameter validation failed: Missing required parameter in InvalidationBatch: \"CallerReference\"",
        ),
        case(
            &with(&["--invalidation-batch", "Paths={Items=[]},CallerReference=r"]),
            252,
            "Error parsing parameter '--invalidation-batch': an invalidation needs at least one path",
        ),
        case(
            &with(&["--paths", "index.html"]),
            252,
            "Error parsing parameter '--paths': item 0 (\"index.html\") must start with '/' (or '#' for a cache tag)",
        ),
        case(
            &with(&["--paths", "/a*b"]),
            252,
            "Error parsing parameter '--paths': item 0 (\"/a*b\") has '*' before its end; a wildcard may only be the last character",
        ),
        case(
            &["get-invalidation", "--distribution-id", "E1/x", "--id", "I1"],
            252,
            "Error parsing parameter '--distribution-id': \"E1/x\" is not an id: ids never contain '/' or control characters",
        ),
        case(
            &["get-invalidation", "--distribution-id", "E1", "--id", "I1\n"],
            252,
            "Error parsing parameter '--id': \"I1\\n\" is not an id: ids never contain '/' or control characters",
        ),
        case(
            &["wait", "invalidation-completed", "--distribution-id", "E1"],
            252,
            "cloudfront: error: the following arguments are required: --id",
        ),
        case(
            &["list-invalidations", "--distribution-id", "E1", "--query", "[[["],
            252,
            "Bad value for --query [[[: Invalid jmespath expression: Incomplete expression:",
        ),
        case(
            &["list-invalidations", "--distribution-id", "E1", "--endpoint-url", "localhost:4566"],
            255,
            "Bad value for --endpoint-url \"localhost:4566\": scheme is missing. Must be of the form http://<hostname>/ or https://<hostname>/",
        ),
        case(
            &["list-invalidations", "--distribution-id", "E1", "--max-items", "x"],
            255,
            "--max-items: expected a whole number, not \"x\"",
        ),
        case(
            &["list-invalidations", "--distribution-id", "E1", "--page-size", "x"],
            252,
            "Error parsing parameter '--page-size': expected an integer, not \"x\"",
        ),
        case(
            &["list-invalidations", "--distribution-id", "E1", "--output", "xml"],
            252,
            "cloudfront: error: argument --output: Invalid choice, valid choices are:",
        ),
        case(
            &["list-invalidations", "--distribution-id", "E1", "--color", "maybe"],
            252,
            "cloudfront: error: argument --color: Invalid choice, valid choices are:",
        ),
        case(
            &["list-invalidations", "--distribution-id", "E1", "--cli-read-timeout", "soon"],
            255,
            "--cli-read-timeout: expected a whole number, not \"soon\"",
        ),
        case(
            &["invalidate", "/a"],
            252,
            "invalidate needs --distribution-id ID, --tenant-id ID [ID ...] or --all-tenants-of DISTRIBUTION_ID",
        ),
        case(
            &["invalidate", "--distribution-id", "E1"],
            252,
            "invalidate needs paths: as arguments or with --paths-from FILE",
        ),
        case(
            &["invalidate", "--distribution-id", "E1", "--paths-from", "/nonexistent.txt"],
            252,
            "--paths-from /nonexistent.txt: cannot read it: No such file or directory (os error 2)",
        ),
        case(&["invalidate", "--distribution-id", "E1", "#bad,tag"], 252, "1 problems with the paths given:"),
        case(
            &["invalidate", "--distribution-id", "E1", "/a", "--concurrency", "0"],
            252,
            "--concurrency must be a whole number from 1 to 64, not \"0\"",
        ),
        case(
            &["deploy", "/nonexistent", "s3://b", "--distribution-id", "E1"],
            252,
            "SOURCE_DIR /nonexistent: No such file or directory (os error 2)",
        ),
        case(
            &["deploy", "/", "b/site", "--distribution-id", "E1"],
            252,
            "\"b/site\": the destination must be s3://BUCKET[/PREFIX]",
        ),
        case(
            &["deploy", "/", "s3://b", "--distribution-id", "E1", "--cache-control", "no-cache"],
            252,
            "--cache-control \"no-cache\": expected PATTERN=VALUE, such as '*.html=no-cache'",
        ),
        case(
            &["deploy", "/", "s3://b", "--distribution-id", "E1"],
            252,
            "--journal .cloudfront-deploy.journal: inside SOURCE_DIR, where it would be uploaded; give --journal a path outside it",
        ),
        case(
            &["deploy", site.as_str(), "s3://b", "--distribution-id", "E1"],
            255,
            "GetDistributionConfig E1: Could not connect to the endpoint URL: \"http://127.0.0.1:9/2020-05-31/distribution/E1/config\"",
        ),
        case(
            &["get-invalidation", "--distribution-id", "E1", "--id", "I1", "--profile", "nosuch"],
            255,
            "The config profile (nosuch) could not be found",
        ),
        case(
            &["get-invalidation", "--distribution-id", "E1", "--id", "I1", "--ca-bundle", "/nonexistent.pem"],
            253,
            "cannot read the CA bundle /nonexistent.pem: No such file or directory (os error 2)",
        ),
        case(
            &["get-invalidation", "--distribution-id", "E1", "--id", "I1"],
            255,
            "Could not connect to the endpoint URL: \"http://127.0.0.1:9/2020-05-31/distribution/E1/invalidation/I1\"",
        ),
    ];
    // Credentials: half given, unreadable from a process, expired.
    let mut half = case(
        &["get-invalidation", "--distribution-id", "E1", "--id", "I1"],
        253,
        "Unable to locate credentials. environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
    );
    half.env.push(("AWS_SECRET_ACCESS_KEY", String::new()));
    let mut broken = case(
        &["get-invalidation", "--distribution-id", "E1", "--id", "I1", "--profile", "broken"],
        253,
        "Unable to locate credentials. profile:broken: credential_process: printed invalid JSON: expected ident at line 1 column 2",
    );
    broken.env.extend([
        ("AWS_CONFIG_FILE", process_config.clone()),
        ("AWS_ACCESS_KEY_ID", String::new()),
        ("AWS_SECRET_ACCESS_KEY", String::new()),
    ]);
    let mut expired = case(
        &["get-invalidation", "--distribution-id", "E1", "--id", "I1", "--profile", "expired"],
        253,
        "Unable to locate credentials. profile:expired (credential_process): the credentials it gave expired at 2000-01-01T00:00:00Z",
    );
    expired.env.extend([
        ("AWS_CONFIG_FILE", process_config),
        ("AWS_ACCESS_KEY_ID", String::new()),
        ("AWS_SECRET_ACCESS_KEY", String::new()),
    ]);
    cases.extend([half, broken, expired]);

    // Identity setups that cannot work: each names the file, profile or key and the rule.
    let identity_config = scratch(
        "identity-config",
        "[profile cycle-a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = cycle-b\n\
         [profile cycle-b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = cycle-a\n\
         [profile both]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = cycle-a\ncredential_source = Environment\n\
         [profile laptop]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Laptop\n\
         [profile hours]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = Environment\nduration_seconds = 1h\n\
         [profile sso]\nsso_start_url = https://nobody.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n\
         [profile sso-half]\nsso_start_url = https://nobody.awsapps.com/start\nsso_account_id = 1\n",
    )
    .display()
    .to_string();
    let malformed = scratch("malformed-config", "[profile p]\nregion us-east-1\n").display().to_string();
    let profile_case = |profile: &str, config: &str, message: &str| {
        let mut c =
            case(&["get-invalidation", "--distribution-id", "E1", "--id", "I1", "--profile", profile], 253, message);
        c.env.extend([("AWS_CONFIG_FILE", config.to_owned()), ("HOME", "/nonexistent".to_owned())]);
        c
    };
    cases.extend([
        profile_case(
            "p",
            &malformed,
            &format!("{malformed}: line 2 is neither a [section] header nor a `key = value` setting"),
        ),
        profile_case(
            "cycle-a",
            &identity_config,
            "Unable to locate credentials. profile \"cycle-b\": source_profile \"cycle-a\" makes a cycle (cycle-a -> cycle-b -> cycle-a)",
        ),
        profile_case(
            "both",
            &identity_config,
            "Unable to locate credentials. profile \"both\" has both source_profile and credential_source; it may only have one",
        ),
        profile_case(
            "laptop",
            &identity_config,
            "Unable to locate credentials. profile \"laptop\": credential_source \"Laptop\" is not one of Environment, Ec2InstanceMetadata, EcsContainer",
        ),
        profile_case(
            "hours",
            &identity_config,
            "Unable to locate credentials. profile \"hours\": duration_seconds must be a whole number of seconds, not \"1h\"",
        ),
        profile_case(
            "sso",
            &identity_config,
            "Unable to locate credentials. profile:sso (sso): the SSO token for https://nobody.awsapps.com/start does not exist (/nonexistent/.aws/sso/cache/31731e8ebb9ad7c2bc0d8059dd8acc6fbf62137b.json); run `aws sso login --profile sso` to sign in again",
        ),
        profile_case(
            "sso-half",
            &identity_config,
            "Unable to locate credentials. profile \"sso-half\" is configured for SSO but is missing required configuration: sso_region, sso_role_name",
        ),
    ]);

    let aliases = "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n\
                   d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]";
    cases.extend([
        case(
            &["list-invalidations", "--distribution-id", "E1", "--no-paginate", "--page-size", "2"],
            252,
            "Cannot specify --no-paginate along with pagination arguments: --page-size",
        ),
        case(
            &["get-invalidation", "--cli-input-yaml", aliases],
            252,
            "Error parsing parameter 'cli-input-yaml': the YAML stands for more than 100000 values (aliases count as what they repeat); it is refused",
        ),
    ]);
    assert!(cases.len() >= 30);
    let wrong: Vec<String> = cases.iter().filter_map(complaint).collect();
    println!("{} bad inputs, {} wrong", cases.len(), wrong.len());
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// What is wrong with how `cloudfront` answered `case`, if anything.
fn complaint(case: &Case) -> Option<String> {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cloudfront"));
    command
        .args(&case.args)
        .env("AWS_ACCESS_KEY_ID", "AKIDBAD")
        .env("AWS_SECRET_ACCESS_KEY", "bad-input-secret")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
        .env("AWS_MAX_ATTEMPTS", "1")
        // A custom endpoint is signed for the client's region: botocore refuses without one.
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN");
    for (name, value) in &case.env {
        // An empty value here means "unset".
        if value.is_empty() {
            command.env_remove(name)
        } else {
            command.env(name, value)
        };
    }
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let first = headline(&stderr);
    let code = output.status.code().unwrap_or(-1);
    let right = code == case.code && first == case.first_line && !stderr.contains("panicked");
    (!right).then(|| {
        format!("{:?}\n  expected [{}] {}\n  got      [{code}] {stderr}", case.args, case.code, case.first_line)
    })
}

/// The README's bad-input table shows what the tests check: every message it lists (its
/// first code span; `...` marks what it leaves out) is, piece by piece, a message the CLI's
/// tests expect. No row is exempt.
#[test]
fn every_readme_bad_input_row_is_a_tested_message() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("../../../README.md")).expect("the README");
    let mut expected = String::new();
    for entry in std::fs::read_dir(root.join("tests")).expect("the tests").flatten() {
        if entry.path().extension().is_some_and(|e| e == "rs") {
            expected.push_str(&std::fs::read_to_string(entry.path()).expect("a test file").replace("\\\"", "\""));
        }
    }
    let table = readme.split("| input | exit | message (first line) |").nth(1).expect("the bad-input table");
    let rows: Vec<&str> = table.lines().skip(2).take_while(|l| l.starts_with('|')).collect();
    assert!(rows.len() >= 40, "the table has {} rows", rows.len());
    let mut untested = Vec::new();
    for row in rows {
        let message = row.rsplit(" | ").next().unwrap_or_default();
        let shown = message.split('`').nth(1).unwrap_or_default();
        let pieces: Vec<&str> = shown.split("...").map(str::trim).filter(|p| !p.is_empty()).collect();
        if pieces.is_empty() || pieces.iter().any(|piece| !expected.contains(piece)) {
            untested.push(row);
        }
    }
    assert!(untested.is_empty(), "README rows whose message no test expects:\n{}", untested.join("\n"));
}
