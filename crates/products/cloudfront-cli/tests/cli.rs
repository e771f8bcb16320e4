//! The `cloudfront` binary against a local server: flags, input forms, output formats,
//! queries, skeletons, pagination, waiters, and each failure's message and exit code.

use std::process::Command;
use std::sync::{Arc, Mutex};

use cloudfront_test_server::{Recorded, Reply, TestServer};

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

/// What every run gets: test credentials, a region (a custom endpoint is signed for it), no
/// config files, no instance metadata.
const CLIENT_ENV: [(&str, &str); 6] = [
    ("AWS_DEFAULT_REGION", "us-east-1"),
    ("AWS_ACCESS_KEY_ID", "AKIDCLITEST"),
    ("AWS_SECRET_ACCESS_KEY", "cli-secret-key"),
    ("AWS_CONFIG_FILE", "/dev/null"),
    ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null"),
    ("AWS_EC2_METADATA_DISABLED", "true"),
];

async fn cloudfront(args: &[&str], extra_env: &[(&str, &str)]) -> Run {
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let env: Vec<(String, String)> = extra_env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    tokio::task::spawn_blocking(move || {
        let output = Command::new(env!("CARGO_BIN_EXE_cloudfront"))
            .args(&args)
            .env_clear()
            .envs(CLIENT_ENV)
            .envs(env)
            .output()
            .expect("the binary runs");
        Run {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            code: output.status.code().unwrap_or(-1),
        }
    })
    .await
    .unwrap()
}

/// An invalidation created now (an older CreateTime would be an earlier run's invalidation).
fn invalidation(id: &str, status: &str, batch: &str) -> String {
    let now = cloudfront_primitives::DateTime::now().fmt(cloudfront_primitives::TimestampFormat::DateTime);
    format!("<Invalidation><Id>{id}</Id><Status>{status}</Status><CreateTime>{now}</CreateTime>{batch}</Invalidation>")
}

/// A server that answers creates with the batch it was sent, gets with a status that
/// completes after two polls, and lists in pages of two.
async fn server() -> (TestServer, Arc<Mutex<Vec<Recorded>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let server = TestServer::start(move |r, i| {
        log.lock().unwrap().push(r.clone());
        let body = r.text();
        if r.target.contains("ENOSUCH") {
            return Reply::status(404, "<ErrorResponse><Error><Code>NoSuchDistribution</Code><Message>The specified distribution does not exist.</Message></Error><RequestId>rid-1</RequestId></ErrorResponse>");
        }
        match r.method.as_str() {
            "POST" if r.target.ends_with("/distribution-tenants") => {
                // ListDistributionTenants, two pages: DT1, then DT2.
                let (id, next) = if body.contains("<Marker>t2</Marker>") { ("DT2", "") } else { ("DT1", "<NextMarker>t2</NextMarker>") };
                Reply::status(200, format!("<ListDistributionTenantsResult>{next}<DistributionTenantList><DistributionTenantSummary>\
                    <Id>{id}</Id><DistributionId>E1</DistributionId><Name>{id}</Name><Arn>arn:aws:cloudfront::1:distribution-tenant/{id}</Arn>\
                    <Domains><DomainResult><Domain>{id}.example.com</Domain><Status>active</Status></DomainResult></Domains>\
                    <CreatedTime>2026-01-01T00:00:00Z</CreatedTime><LastModifiedTime>2026-01-01T00:00:00Z</LastModifiedTime><ETag>e</ETag>\
                    </DistributionTenantSummary></DistributionTenantList></ListDistributionTenantsResult>"))
            }
            "POST" => {
                let batch = body.split_once('>').map(|(_, rest)| rest).unwrap_or_default().trim_end_matches("</InvalidationBatch>");
                Reply::status(201, invalidation("I1", "InProgress", &format!("<InvalidationBatch>{batch}</InvalidationBatch>")))
                    .header("Location", "https://cloudfront.amazonaws.com/2020-05-31/distribution/E1/invalidation/I1")
            }
            _ if r.target.ends_with("/invalidation/I1") => Reply::status(200, invalidation("I1", if i % 3 == 2 { "Completed" } else { "InProgress" }, "")),
            _ if r.target.ends_with("/invalidation/ISTUCK") => Reply::status(200, invalidation("ISTUCK", "InProgress", "")),
            _ => {
                let (items, next) = if r.target.contains("Marker=m2") {
                    ("E", None)
                } else if r.target.contains("Marker=m1") {
                    ("C,D", Some("m2"))
                } else {
                    ("A,B", Some("m1"))
                };
                let items: String = items
                    .split(',')
                    .map(|id| format!("<InvalidationSummary><Id>{id}</Id><CreateTime>2026-01-01T00:00:00Z</CreateTime><Status>Completed</Status></InvalidationSummary>"))
                    .collect();
                let next_xml = next.map(|n| format!("<NextMarker>{n}</NextMarker>")).unwrap_or_default();
                Reply::status(200, format!("<InvalidationList><Marker></Marker>{next_xml}<MaxItems>2</MaxItems><IsTruncated>{}</IsTruncated><Quantity>2</Quantity><Items>{items}</Items></InvalidationList>", next.is_some()))
            }
        }
    })
    .await;
    (server, seen)
}

#[tokio::test(flavor = "multi_thread")]
async fn create_invalidation_with_paths_prints_the_aws_cli_json() {
    let (server, seen) = server().await;
    let run = cloudfront(
        &[
            "create-invalidation",
            "--endpoint-url",
            &server.url,
            "--distribution-id",
            "E1",
            "--paths",
            "/index.html",
            "/css/*",
        ],
        &[],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("{\n    \"Location\": \"https://cloudfront.amazonaws.com/2020-05-31/distribution/E1/invalidation/I1\",\n    \"Invalidation\": {\n        \"Id\": \"I1\",\n        \"Status\": \"InProgress\","), "{}", run.stdout);
    let sent = seen.lock().unwrap()[0].text();
    assert!(
        sent.contains("<Quantity>2</Quantity><Items><Path>/index.html</Path><Path>/css/*</Path></Items>"),
        "{sent}"
    );
    assert!(seen.lock().unwrap()[0].header("authorization").unwrap().contains("AKIDCLITEST"));
}

#[tokio::test(flavor = "multi_thread")]
async fn invalidation_batch_accepts_shorthand_json_and_files() {
    let (server, seen) = server().await;
    let shorthand = cloudfront(
        &[
            "create-invalidation",
            "--endpoint-url",
            &server.url,
            "--distribution-id",
            "E1",
            "--invalidation-batch",
            "Paths={Quantity=1,Items=[/a]},CallerReference=short-1",
            "--query",
            "Invalidation.InvalidationBatch.CallerReference",
            "--output",
            "text",
        ],
        &[],
    )
    .await;
    assert_eq!((shorthand.code, shorthand.stdout.as_str()), (0, "short-1\n"), "{}", shorthand.stderr);
    let file = std::env::temp_dir().join(format!("batch-{}.json", std::process::id()));
    std::fs::write(&file, r#"{"Paths": {"Items": ["/b", "/c"]}, "CallerReference": "file-1"}"#).unwrap();
    let from_file = cloudfront(
        &[
            "create-invalidation",
            "--endpoint-url",
            &server.url,
            "--distribution-id",
            "E1",
            "--invalidation-batch",
            &format!("file://{}", file.display()),
        ],
        &[],
    )
    .await;
    assert_eq!(from_file.code, 0, "{}", from_file.stderr);
    assert!(seen.lock().unwrap()[1].text().contains("<Quantity>2</Quantity>"), "Quantity is counted when left out");
    let input_json = cloudfront(
        &["create-invalidation", "--endpoint-url", &server.url, "--cli-input-json", r#"{"DistributionId": "E1", "InvalidationBatch": {"Paths": {"Quantity": 1, "Items": ["/d"]}, "CallerReference": "json-1"}}"#, "--output", "text"],
        &[],
    )
    .await;
    assert_eq!(input_json.code, 0, "{}", input_json.stderr);
    assert!(input_json.stdout.contains("INVALIDATIONBATCH\tjson-1"), "{}", input_json.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_gets_one_line_with_the_rule_and_exit_252() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["create-invalidation", "--distribution-id", "E1"],
            "the following arguments are required: --invalidation-batch",
        ),
        (
            &["create-invalidation", "--distribution-id", "E1", "--invalidation-batch", "Paths={Quantity=x}"],
            "expected an integer, not \"x\" at position 16",
        ),
        (&["create-invalidation", "--distribution-id", "E1", "--invalidation-batch", "{\"Paths\": "], "Invalid JSON"),
        (
            &[
                "create-invalidation",
                "--distribution-id",
                "E1",
                "--invalidation-batch",
                "file:///nonexistent/batch.json",
            ],
            "Unable to load paramfile file:///nonexistent/batch.json",
        ),
        (
            &[
                "create-invalidation",
                "--distribution-id",
                "E1",
                "--paths",
                "/a",
                "--invalidation-batch",
                "CallerReference=x",
            ],
            "cannot be specified when one of the following keys are also specified: invalidation_batch",
        ),
        (&["create-invalidation", "--no-such-flag"], "Unknown options: --no-such-flag"),
        (
            &[
                "create-invalidation",
                "--distribution-id",
                "E1",
                "--invalidation-batch",
                "{\"Paths\": {\"Quantity\": 1, \"Items\": [\"/a\"]}, \"CallerReference\": \"r\", \"Comment\": \"x\"}",
            ],
            "Unknown parameter in InvalidationBatch: \"Comment\", must be one of: Paths, CallerReference",
        ),
        (
            &[
                "create-invalidation",
                "--distribution-id",
                "E1",
                "--invalidation-batch",
                "Paths={Quantity=3,Items=[/a]},CallerReference=r",
                "--endpoint-url",
                "http://127.0.0.1:9",
            ],
            "InvalidationBatch.Paths.Quantity is 3 but Items has 1 entries",
        ),
        (&["list-invalidations", "--distribution-id", "E1", "--query", "[[["], "Bad value for --query [[["),
        (
            &["create-invalidation", "--distribution-id", "E1", "--paths", "/a", "index.html"],
            "Error parsing parameter '--paths': item 1 (\"index.html\") must start with '/'",
        ),
        (
            &[
                "create-invalidation",
                "--distribution-id",
                "E1",
                "--invalidation-batch",
                "Paths={Items=[/a*b]},CallerReference=r",
            ],
            "Error parsing parameter '--invalidation-batch': item 0 (\"/a*b\") has '*' before its end",
        ),
        (
            &["create-invalidation", "--distribution-id", "E1", "--output", "xml"],
            "argument --output: Invalid choice, valid choices are:",
        ),
        // (an endpoint without a scheme exits 255, as the AWS CLI's does: see bad_input.rs)
    ];
    let many: Vec<String> = (0..3001).map(|i| format!("/{i}")).collect();
    let mut too_many = vec!["create-invalidation", "--distribution-id", "E1", "--paths"];
    too_many.extend(many.iter().map(String::as_str));
    let cases: Vec<(&[&str], &str)> = cases
        .iter()
        .copied()
        .chain([(too_many.as_slice(), "3001 paths given, but one invalidation accepts at most 3000")])
        .collect();
    for (args, expected) in cases {
        // Every case fails before sending; a loopback endpoint makes sure nothing else is reached.
        let mut args = args.to_vec();
        if !args.contains(&"--endpoint-url") {
            args.extend(["--endpoint-url", "http://127.0.0.1:9"]);
        }
        let run = cloudfront(&args, &[]).await;
        assert_eq!(run.code, 252, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(expected), "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{args:?}: {}", run.stderr);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn service_errors_exit_254_with_the_aws_cli_message() {
    let (server, _) = server().await;
    let run = cloudfront(
        &["get-invalidation", "--endpoint-url", &server.url, "--distribution-id", "ENOSUCH", "--id", "I1"],
        &[],
    )
    .await;
    assert_eq!(run.code, 254);
    assert_eq!(
        run.stderr.trim(),
        "An error occurred (NoSuchDistribution) when calling the GetInvalidation operation: The specified distribution does not exist."
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_credentials_exit_253_and_unreachable_endpoints_255() {
    let run = cloudfront(
        &["get-invalidation", "--endpoint-url", "http://127.0.0.1:9", "--distribution-id", "E1", "--id", "I1"],
        &[("AWS_ACCESS_KEY_ID", ""), ("HOME", "/nonexistent")],
    )
    .await;
    assert_eq!(run.code, 253, "{}", run.stderr);
    assert!(
        run.stderr
            .ends_with("\nUnable to locate credentials. You can configure credentials by running \"aws configure\".\n"),
        "{}",
        run.stderr
    );
    let run = cloudfront(
        &[
            "get-invalidation",
            "--endpoint-url",
            "http://127.0.0.1:9",
            "--distribution-id",
            "E1",
            "--id",
            "I1",
            "--cli-connect-timeout",
            "1",
        ],
        &[("AWS_MAX_ATTEMPTS", "1")],
    )
    .await;
    assert_eq!(run.code, 255, "{}", run.stderr);
    assert!(run.stderr.contains("Could not connect to the endpoint URL"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_are_paginated_merged_and_cut_by_max_items() {
    let (server, _) = server().await;
    let all = cloudfront(
        &[
            "list-invalidations",
            "--endpoint-url",
            &server.url,
            "--distribution-id",
            "E1",
            "--query",
            "InvalidationList.Items[].Id",
            "--output",
            "text",
        ],
        &[],
    )
    .await;
    // As the AWS CLI's text output: each page on its own line (the server pages by two).
    assert_eq!((all.code, all.stdout.as_str()), (0, "A\tB\nC\tD\nE\n"), "{}", all.stderr);
    let one_page = cloudfront(
        &[
            "list-invalidations",
            "--endpoint-url",
            &server.url,
            "--distribution-id",
            "E1",
            "--no-paginate",
            "--query",
            "InvalidationList.Items[].Id",
            "--output",
            "text",
        ],
        &[],
    )
    .await;
    assert_eq!(one_page.stdout, "A\tB\n");
    let cut = cloudfront(
        &["list-invalidations", "--endpoint-url", &server.url, "--distribution-id", "E1", "--max-items", "3"],
        &[],
    )
    .await;
    let json: serde_json::Value = serde_json::from_str(&cut.stdout).unwrap();
    assert_eq!(json["InvalidationList"]["Items"].as_array().unwrap().len(), 3);
    // The AWS CLI's token: page two's marker, and one of its items already shown.
    let token = json["NextToken"].as_str().unwrap();
    assert_eq!(cloudfront_cli::paginate::Token::decode(token).marker.as_deref(), Some("m1"));
    assert_eq!(cloudfront_cli::paginate::Token::decode(token).skip, 1);
    assert!(json["InvalidationList"].get("NextMarker").is_none());
    let rest = cloudfront(
        &["list-invalidations", "--endpoint-url", &server.url, "--distribution-id", "E1", "--starting-token", token],
        &[],
    )
    .await;
    let json: serde_json::Value = serde_json::from_str(&rest.stdout).unwrap();
    let ids: Vec<&str> =
        json["InvalidationList"]["Items"].as_array().unwrap().iter().map(|i| i["Id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["D", "E"], "resuming shows the rest, each item once");
}

#[tokio::test(flavor = "multi_thread")]
async fn yaml_prints_the_merged_result_and_yaml_stream_each_page() {
    let (server, _) = server().await;
    let list = |format: &'static str| {
        let url = server.url.clone();
        async move {
            let args = ["list-invalidations", "--endpoint-url", &url, "--distribution-id", "E1"];
            let mut args = args.to_vec();
            args.extend(["--query", "InvalidationList.Items[].Id", "--output", format]);
            cloudfront(&args, &[]).await
        }
    };
    let yaml = list("yaml").await;
    assert_eq!((yaml.code, yaml.stdout.as_str()), (0, "- A\n- B\n- C\n- D\n- E\n"), "{}", yaml.stderr);
    // One document item per page (pages of 2, 2 and 1), as the AWS CLI v2 streams them.
    let stream = list("yaml-stream").await;
    assert_eq!((stream.code, stream.stdout.as_str()), (0, "- - A\n  - B\n- - C\n  - D\n- - E\n"), "{}", stream.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn skeletons_describe_input_and_output() {
    let input = cloudfront(&["create-invalidation", "--generate-cli-skeleton"], &[]).await;
    let json: serde_json::Value = serde_json::from_str(&input.stdout).unwrap();
    assert_eq!(json["InvalidationBatch"]["Paths"]["Items"], serde_json::json!([""]));
    assert_eq!(json["DistributionId"], "");
    // As the AWS CLI: the output skeleton wants the command's required flags too.
    let output = cloudfront(
        &["get-invalidation", "--distribution-id", "E1", "--id", "I1", "--generate-cli-skeleton", "output"],
        &[],
    )
    .await;
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    // As the AWS CLI writes an output skeleton: text members hold their own name.
    assert_eq!(json["Invalidation"]["Status"], "Status");
}

#[tokio::test(flavor = "multi_thread")]
async fn waiters_succeed_quietly_and_time_out_with_255() {
    let (server, _) = server().await;
    let fast = [("CLOUDFRONT_WAIT_POLL_MS", "5"), ("CLOUDFRONT_WAIT_MAX_SECONDS", "2")];
    let done = cloudfront(
        &["wait", "invalidation-completed", "--endpoint-url", &server.url, "--distribution-id", "E1", "--id", "I1"],
        &fast,
    )
    .await;
    assert_eq!((done.code, done.stdout.as_str()), (0, ""), "{}", done.stderr);
    let stuck = cloudfront(
        &["wait", "invalidation-completed", "--endpoint-url", &server.url, "--distribution-id", "E1", "--id", "ISTUCK"],
        &[("CLOUDFRONT_WAIT_POLL_MS", "5"), ("CLOUDFRONT_WAIT_MAX_SECONDS", "1")],
    )
    .await;
    assert_eq!(stuck.code, 255);
    assert!(stuck.stderr.starts_with("Waiter InvalidationCompleted failed: Max attempts exceeded"), "{}", stuck.stderr);
    let created = cloudfront(
        &[
            "create-invalidation",
            "--endpoint-url",
            &server.url,
            "--distribution-id",
            "E1",
            "--paths",
            "/a",
            "--wait",
            "--query",
            "Invalidation.Id",
            "--output",
            "text",
        ],
        &fast,
    )
    .await;
    assert_eq!((created.code, created.stdout.as_str()), (0, "I1\n"), "{}", created.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn debug_output_never_shows_secrets() {
    let (server, _) = server().await;
    let run = cloudfront(
        &["get-invalidation", "--endpoint-url", &server.url, "--distribution-id", "E1", "--id", "I1", "--debug"],
        &[("AWS_SESSION_TOKEN", "cli-session-token")],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    for secret in ["cli-secret-key", "cli-session-token"] {
        assert!(!run.stderr.contains(secret) && !run.stdout.contains(secret), "{secret} leaked");
    }
    // The request is logged (so this test sees real debug output), with its signature masked.
    assert!(run.stderr.contains("Signature=[REDACTED]"), "request not logged:\n{}", run.stderr);
    let signatures = run.stderr.matches("Signature=").count();
    let masked = run.stderr.matches("Signature=[REDACTED]").count();
    assert_eq!(signatures, masked, "an unmasked signature leaked:\n{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn encode_paths_encodes_raw_file_names_once() {
    let (server, seen) = server().await;
    let args = ["create-invalidation", "--endpoint-url", &server.url, "--distribution-id", "E1", "--paths"];
    let mut raw = args.to_vec();
    raw.extend(["/hello world.html", "/café.png", "/a%20b", "/img/*"]);
    let sent_as_given = cloudfront(&raw, &[]).await;
    assert_eq!(sent_as_given.code, 0, "{}", sent_as_given.stderr);
    raw.push("--encode-paths");
    let encoded = cloudfront(&raw, &[]).await;
    assert_eq!(encoded.code, 0, "{}", encoded.stderr);
    let bodies: Vec<String> = seen.lock().unwrap().iter().map(|r| r.text()).collect();
    assert!(bodies[0].contains("<Path>/hello world.html</Path><Path>/café.png</Path>"), "{}", bodies[0]);
    assert!(
        bodies[1].contains(
            "<Path>/hello%20world.html</Path><Path>/caf%C3%A9.png</Path><Path>/a%20b</Path><Path>/img/*</Path>"
        ),
        "{}",
        bodies[1]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn table_output_draws_the_aws_cli_boxes() {
    let (server, _) = server().await;
    let run = cloudfront(
        &[
            "get-invalidation",
            "--endpoint-url",
            &server.url,
            "--distribution-id",
            "E1",
            "--id",
            "I1",
            "--output",
            "table",
        ],
        &[],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].chars().all(|c| c == '-'), "{}", run.stdout);
    assert_eq!(lines[1].trim_matches(|c| c == '|' || c == ' '), "GetInvalidation", "{}", run.stdout);
    assert!(lines.iter().any(|l| l.starts_with("||") && l.contains("Invalidation")), "{}", run.stdout);
    assert!(lines.iter().all(|l| l.chars().count() == lines[0].len()), "every line is as wide:\n{}", run.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn yaml_input_skeleton_round_trips_through_cli_input_yaml() {
    let (server, seen) = server().await;
    let skeleton = cloudfront(&["create-invalidation", "--generate-cli-skeleton", "yaml-input"], &[]).await;
    assert_eq!(skeleton.code, 0, "{}", skeleton.stderr);
    assert!(skeleton.stdout.contains("DistributionId: ''"), "{}", skeleton.stdout);
    // Fill the skeleton in as a user would, then feed it back from a file.
    let filled = skeleton
        .stdout
        .replace("DistributionId: ''", "DistributionId: E1")
        .replace("CallerReference: ''", "CallerReference: yaml-1")
        .replace("Quantity: 0", "Quantity: 1")
        .replace("- ''", "- /from-yaml");
    let file = std::env::temp_dir().join(format!("input-{}.yaml", std::process::id()));
    std::fs::write(&file, filled).unwrap();
    let run = cloudfront(
        &[
            "create-invalidation",
            "--endpoint-url",
            &server.url,
            "--cli-input-yaml",
            &format!("file://{}", file.display()),
        ],
        &[],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let sent = seen.lock().unwrap()[0].text();
    assert!(sent.contains("<Path>/from-yaml</Path>") && sent.contains("yaml-1"), "{sent}");
    // fileb:// reads the same file as raw bytes.
    let json = std::env::temp_dir().join(format!("batch-{}.bin", std::process::id()));
    std::fs::write(&json, r#"{"Paths": {"Items": ["/b"]}, "CallerReference": "fileb-1"}"#).unwrap();
    let binary = cloudfront(
        &[
            "create-invalidation",
            "--endpoint-url",
            &server.url,
            "--distribution-id",
            "E1",
            "--invalidation-batch",
            &format!("fileb://{}", json.display()),
        ],
        &[],
    )
    .await;
    assert_eq!(binary.code, 0, "{}", binary.stderr);
    assert!(seen.lock().unwrap()[1].text().contains("fileb-1"));
}

#[tokio::test(flavor = "multi_thread")]
async fn invalidate_plans_a_deploy_and_fans_it_out_to_tenants() {
    let (server, seen) = server().await;
    let file = std::env::temp_dir().join(format!("deploy-{}.txt", std::process::id()));
    let names: Vec<String> = (0..3500).map(|i| format!("assets/{i}.js")).collect();
    std::fs::write(&file, names.join("\n") + "\n\nindex.html\n").unwrap();
    let file = file.display().to_string();
    let args = ["invalidate", "--endpoint-url", &server.url, "--tenant-id", "DT1", "DT2", "--paths-from", &file];
    let mut with_prefix = args.to_vec();
    with_prefix.extend(["--prefix", "/static", "--run-id", "deploy-9"]);
    let mut dry = with_prefix.clone();
    dry.push("--dry-run");
    let plan = cloudfront(&dry, &[]).await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.starts_with("run id deploy-9\n2 batches, 3501 items\nbatch 1: 3000 items"), "{}", plan.stdout);
    assert!(seen.lock().unwrap().is_empty(), "a dry run sends nothing");

    let run = cloudfront(&with_prefix, &[("CLOUDFRONT_PACE_MS", "1")]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "tenant DT1: ok, 2 invalidations (I1 I1), 0 retries\ntenant DT2: ok, 2 invalidations (I1 I1), 0 retries\n\
         cost: 7002 billed paths (a wildcard counts as one); if this month had no other invalidations, 1000 are free and 6002 cost about $30.01\n"
    );
    assert_eq!(
        run.stderr.matches("submitted as I1").count(),
        4,
        "one progress line per batch when piped: {}",
        run.stderr
    );
    let sent = seen.lock().unwrap().clone();
    assert_eq!(sent.len(), 4);
    assert!(sent.iter().all(|r| r.target.starts_with("/2020-05-31/distribution-tenant/DT")));
    // Batches go out concurrently, so look at all of them, in any order.
    assert!(sent.iter().any(|r| r.text().contains("<Path>/static/assets/0.js</Path>")), "the prefix is applied");
    assert!(sent.iter().all(|r| r.text().contains("<CallerReference>deploy-9-")), "references come from the run id");

    let every = cloudfront(
        &["invalidate", "--endpoint-url", &server.url, "--all-tenants-of", "E1", "/a", "--output", "json"],
        &[("CLOUDFRONT_PACE_MS", "1")],
    )
    .await;
    assert_eq!(every.code, 0, "{}", every.stderr);
    let report: serde_json::Value = serde_json::from_str(&every.stdout).unwrap();
    let targets: Vec<&str> =
        report["Targets"].as_array().unwrap().iter().map(|t| t["Target"].as_str().unwrap()).collect();
    assert_eq!(targets, ["tenant DT1", "tenant DT2"], "{}", every.stdout);
    assert!(report["Targets"].as_array().unwrap().iter().all(|t| t["Status"] == "ok"));

    let bad = cloudfront(&["invalidate", "--distribution-id", "E1", "a b", "/ok"], &[]).await;
    assert_eq!(bad.code, 252);
    assert!(
        bad.stderr.starts_with(
            "2 problems with the paths given (--encode-paths encodes them):\n  item 0 (\"a b\") must start with '/'"
        ),
        "{}",
        bad.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_or_signature_in_any_output_even_at_trace() {
    let (server, seen) = server().await;
    let secret_env = [("AWS_SESSION_TOKEN", "cli-session-token"), ("RUST_LOG", "trace")];
    let commands: Vec<Vec<&str>> = vec![
        vec!["create-invalidation", "--distribution-id", "E1", "--paths", "/a"],
        vec![
            "create-invalidation-for-distribution-tenant",
            "--id",
            "DT1",
            "--invalidation-batch",
            "Paths={Items=[/a]},CallerReference=s1",
        ],
        vec!["get-invalidation", "--distribution-id", "E1", "--id", "I1"],
        vec!["get-invalidation-for-distribution-tenant", "--distribution-tenant-id", "DT1", "--id", "I1"],
        vec!["list-invalidations", "--distribution-id", "E1"],
        vec!["list-invalidations-for-distribution-tenant", "--id", "DT1"],
        vec!["list-distribution-tenants"],
        vec!["wait", "invalidation-completed", "--distribution-id", "E1", "--id", "I1"],
        vec!["invalidate", "--all-tenants-of", "E1", "/a"],
        vec!["get-invalidation", "--distribution-id", "ENOSUCH", "--id", "I1"],
    ];
    let mut outputs = String::new();
    for command in &commands {
        let mut args = command.clone();
        args.extend(["--endpoint-url", &server.url, "--debug"]);
        let mut env = secret_env.to_vec();
        env.extend([("CLOUDFRONT_WAIT_POLL_MS", "5"), ("CLOUDFRONT_PACE_MS", "1")]);
        let run = cloudfront(&args, &env).await;
        assert!(run.stderr.contains("Signature=[REDACTED]"), "{command:?} logged no request:\n{}", run.stderr);
        outputs.push_str(&run.stdout);
        outputs.push_str(&run.stderr);
    }
    // The Debug form of a configured client holds no secret either.
    let config = cloudfront::Config::builder()
        .region("us-east-1")
        .credentials(cloudfront_runtime::Credentials::new(
            "AKIDCLITEST",
            "cli-secret-key",
            Some("cli-session-token".into()),
        ))
        .build()
        .unwrap();
    outputs.push_str(&format!("{config:?} {:?}", cloudfront::Client::new(config.clone()).unwrap()));
    let signatures: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .filter_map(|r| r.header("authorization").and_then(|a| a.split("Signature=").nth(1)).map(str::to_owned))
        .collect();
    assert!(signatures.len() >= commands.len(), "every command was signed");
    for secret in ["cli-secret-key", "cli-session-token"].iter().map(|s| s.to_string()).chain(signatures) {
        assert!(!outputs.contains(&secret), "{secret} leaked");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_generated_operation_is_callable() {
    // The schema (commands and flags) and the dispatch (`cloudfront::json::call`) are both
    // generated: this fails if they ever disagree about an operation.
    let (server, _) = server().await;
    for op in cloudfront::schema::OPERATIONS {
        let mut args = vec![cloudfront_cli::args::kebab(op.name), "--endpoint-url".into(), server.url.clone()];
        for field in op.input.fields().iter().filter(|f| f.required) {
            let value = if field.name == "InvalidationBatch" { "Paths={Items=[/a]},CallerReference=r" } else { "X1" };
            args.extend([format!("--{}", cloudfront_cli::args::kebab(field.name)), value.to_owned()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = cloudfront(&args, &[]).await;
        assert!(!run.stderr.contains("unknown operation"), "{}: {}", op.name, run.stderr);
        assert_ne!(run.code, 252, "{}: {}", op.name, run.stderr);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn help_pages_work_as_in_the_aws_cli() {
    for args in [
        vec!["help"],
        vec!["create-invalidation", "help"],
        vec!["create-invalidation", "--help"],
        vec!["wait", "help"],
        vec!["wait", "invalidation-completed", "help"],
        vec!["list-distribution-tenants", "help"],
    ] {
        let run = cloudfront(&args, &[]).await;
        assert_eq!(run.code, 0, "{args:?}: {}", run.stderr);
        assert!(run.stdout.starts_with("NAME\n"), "{args:?}: {}", run.stdout);
    }
    let page = cloudfront(&["create-invalidation", "help"], &[]).await.stdout;
    assert!(page.contains("--invalidation-batch (structure) [REQUIRED]"), "{page}");
    assert!(page.contains("Shorthand Syntax:") && page.contains("JSON Syntax:"), "{page}");
    let run = cloudfront(&["no-such-command", "help"], &[]).await;
    assert_eq!(run.code, 252, "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn completion_scripts_cover_every_command_and_member() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = cloudfront(&["completion", shell], &[]).await;
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        for op in cloudfront::schema::OPERATIONS {
            assert!(run.stdout.contains(&cloudfront_cli::args::kebab(op.name)), "{shell}: {}", op.name);
        }
        for flag in ["distribution-tenant-id", "invalidation-batch", "starting-token", "invalidation-completed"] {
            assert!(run.stdout.contains(flag), "{shell}: {flag}");
        }
    }
    // The bash script is valid bash.
    let script = cloudfront(&["completion", "bash"], &[]).await.stdout;
    let path = std::env::temp_dir().join(format!("cloudfront-completion-{}.bash", std::process::id()));
    std::fs::write(&path, script).unwrap();
    let checked = Command::new("bash").arg("-n").arg(&path).status().unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(checked.success(), "bash -n refused the completion script");
    assert_eq!(cloudfront(&["completion", "tcsh"], &[]).await.code, 252);
}

/// Runs `cloudfront ARGS` with a terminal on stdout (through `script`, util-linux's pty
/// runner), returning what the terminal showed.
fn on_a_terminal(args: &str, env: &[(&str, &str)]) -> (String, i32) {
    on_a_terminal_typing(args, env, "")
}

/// As [`on_a_terminal`], with `typed` sent to the terminal as keystrokes.
fn on_a_terminal_typing(args: &str, env: &[(&str, &str)], typed: &str) -> (String, i32) {
    use std::io::Write;
    let line = format!("{} {args}", env!("CARGO_BIN_EXE_cloudfront"));
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .envs(CLIENT_ENV)
        .envs(env.iter().copied())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("`script` (util-linux) runs commands on a terminal for this test");
    let mut keys = child.stdin.take().expect("piped");
    let _ = keys.write_all(typed.as_bytes());
    drop(keys);
    let output = child.wait_with_output().expect("script finishes");
    (String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n"), output.status.code().unwrap_or(-1))
}

#[tokio::test(flavor = "multi_thread")]
async fn output_on_a_terminal_goes_through_the_pager_as_in_the_aws_cli() {
    let (server, _) = server().await;
    let call = format!("get-invalidation --endpoint-url {} --distribution-id E1 --id I1 --output text", server.url);
    // AWS_PAGER wins; the pager's words are run without a shell.
    let (shown, code) = on_a_terminal(&call, &[("AWS_PAGER", "sed s/^/PAGED:/"), ("PAGER", "cat")]);
    assert_eq!(code, 0, "{shown}");
    assert!(shown.lines().filter(|l| !l.is_empty()).all(|l| l.starts_with("PAGED:")), "{shown}");
    // PAGER when AWS_PAGER is unset; no pager when it is empty or with --no-cli-pager.
    let (shown, _) = on_a_terminal(&call, &[("PAGER", "sed s/^/VIA-PAGER:/")]);
    assert!(shown.starts_with("VIA-PAGER:"), "{shown}");
    let (shown, _) = on_a_terminal(&call, &[("AWS_PAGER", ""), ("PAGER", "sed s/^/VIA-PAGER:/")]);
    assert!(!shown.contains("VIA-PAGER:") && shown.contains("INVALIDATION"), "{shown}");
    let (shown, _) = on_a_terminal(&format!("{call} --no-cli-pager"), &[("AWS_PAGER", "sed s/^/PAGED:/")]);
    assert!(!shown.contains("PAGED:") && shown.contains("INVALIDATION"), "{shown}");
    // A pager that does not exist: the AWS CLI's error, exit 255.
    let (shown, code) = on_a_terminal(&call, &[("AWS_PAGER", "no-such-pager")]);
    assert_eq!(code, 255, "{shown}");
    assert!(shown.contains("[Errno 2] No such file or directory: 'no-such-pager'"), "{shown}");
    // Not a terminal: never paged.
    let piped = cloudfront(
        &[
            "get-invalidation",
            "--endpoint-url",
            &server.url,
            "--distribution-id",
            "E1",
            "--id",
            "I1",
            "--output",
            "text",
        ],
        &[("AWS_PAGER", "sed s/^/PAGED:/")],
    )
    .await;
    assert!(!piped.stdout.contains("PAGED:"), "{}", piped.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn auto_prompt_asks_on_a_terminal_and_never_without_one() {
    let (server, _) = server().await;
    let endpoint = format!("--endpoint-url {} --output text --no-cli-pager", server.url);
    // on-partial: only the missing required member is asked, then the command runs and is shown.
    let partial = [("AWS_CLI_AUTO_PROMPT", "on-partial")];
    let (shown, code) = on_a_terminal_typing(&format!("get-invalidation --id I1 {endpoint}"), &partial, "E1\n");
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("--distribution-id [REQUIRED]") && !shown.contains("--id [REQUIRED]"), "{shown}");
    assert!(shown.contains("cloudfront get-invalidation --id I1") && shown.contains("--distribution-id E1"), "{shown}");
    assert!(shown.contains("INVALIDATION"), "the command ran: {shown}");
    // Nothing missing: on-partial asks nothing.
    let (shown, code) =
        on_a_terminal_typing(&format!("get-invalidation --id I1 --distribution-id E1 {endpoint}"), &partial, "");
    assert_eq!(code, 0, "{shown}");
    assert!(!shown.contains("[REQUIRED]"), "{shown}");
    // --cli-auto-prompt with no command: the command by a unique prefix, then every member.
    let (shown, code) =
        on_a_terminal_typing(&format!("--cli-auto-prompt {endpoint}"), &[], "get-invalidation-\nDT1\nI1\n\n");
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("-> get-invalidation-for-distribution-tenant"), "{shown}");
    assert!(shown.contains("INVALIDATION"), "{shown}");
    // Ctrl-C at a question: exit 130.
    let (shown, code) = on_a_terminal_typing(&format!("get-invalidation {endpoint}"), &partial, "\u{3}");
    assert_eq!(code, 130, "{shown}");
    // --no-cli-auto-prompt wins over the environment.
    let (shown, code) =
        on_a_terminal_typing(&format!("get-invalidation --no-cli-auto-prompt {endpoint}"), &partial, "E1\n");
    assert_eq!(code, 252, "{shown}");
    // No terminal: never waits, fails as without prompting.
    let piped = cloudfront(
        &["get-invalidation", "--id", "I1", "--endpoint-url", &server.url],
        &[("AWS_CLI_AUTO_PROMPT", "on")],
    )
    .await;
    assert_eq!(piped.code, 252, "{}", piped.stderr);
}
