//! Parity with the AWS CLI: the same commands, run by the real AWS CLI (v1, from the Python
//! registry; `cargo xtask e2e` installs it and sets `AWS_CLI`) and by `cloudfront`, against
//! the same local server. Successful commands must print the same bytes and exit 0; failing
//! commands must both fail (v1's exit codes differ from v2's, which this CLI follows).

use std::process::Command;

use test_server::{Reply, TestServer};

fn canned(target: &str, method: &str) -> Reply {
    let invalidation = |id: &str| {
        format!(
            "<Invalidation xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Id>{id}</Id><Status>InProgress</Status>\
             <CreateTime>2026-01-01T12:34:56.789Z</CreateTime><InvalidationBatch><Paths><Quantity>2</Quantity><Items>\
             <Path>/index.html</Path><Path>/css/*</Path></Items></Paths><CallerReference>parity-1</CallerReference>\
             </InvalidationBatch></Invalidation>"
        )
    };
    if target.contains("ENOSUCH") {
        return Reply::status(404, "<ErrorResponse xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Error><Type>Sender</Type><Code>NoSuchDistribution</Code><Message>The specified distribution does not exist.</Message></Error><RequestId>rid</RequestId></ErrorResponse>")
            .header("x-amzn-RequestId", "rid");
    }
    if method == "POST" {
        return Reply::status(201, invalidation("I2J0I21PCUYOIK"))
            .header(
                "Location",
                "https://cloudfront.amazonaws.com/2020-05-31/distribution/E1/invalidation/I2J0I21PCUYOIK",
            )
            .header("x-amzn-RequestId", "rid");
    }
    if target.split('?').next().unwrap_or_default().ends_with("/invalidation") {
        return Reply::status(
            200,
            "<InvalidationList xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Marker></Marker><MaxItems>100</MaxItems>\
             <IsTruncated>false</IsTruncated><Quantity>2</Quantity><Items><InvalidationSummary><Id>I2J0I21PCUYOIK</Id>\
             <CreateTime>2026-01-01T12:34:56.789Z</CreateTime><Status>InProgress</Status></InvalidationSummary><InvalidationSummary>\
             <Id>IOLDER</Id><CreateTime>2025-12-31T00:00:00.000Z</CreateTime><Status>Completed</Status></InvalidationSummary></Items></InvalidationList>",
        )
        .header("x-amzn-RequestId", "rid");
    }
    Reply::status(200, invalidation("I2J0I21PCUYOIK")).header("x-amzn-RequestId", "rid")
}

fn run(program: &str, args: &[&str], endpoint: &str) -> (String, i32) {
    let output = Command::new(program)
        .args(args)
        .args(["--endpoint-url", endpoint])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_ACCESS_KEY_ID", "AKIDPARITY")
        .env("AWS_SECRET_ACCESS_KEY", "parity-secret")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_PAGER", "")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program}: {e}"));
    (String::from_utf8_lossy(&output.stdout).into_owned(), output.status.code().unwrap_or(-1))
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs the AWS CLI: run `cargo xtask e2e`"]
async fn same_output_as_the_aws_cli() {
    let aws = std::env::var("AWS_CLI")
        .expect("AWS_CLI is not set: run this through `cargo xtask e2e`, which installs the AWS CLI");
    let server = TestServer::start(|r, _| canned(&r.target, &r.method)).await;
    let batch = r#"{"Paths":{"Quantity":2,"Items":["/index.html","/css/*"]},"CallerReference":"parity-1"}"#;
    let commands: Vec<Vec<&str>> = vec![
        vec!["create-invalidation", "--distribution-id", "E1", "--invalidation-batch", batch],
        vec!["create-invalidation-for-distribution-tenant", "--id", "DT1", "--invalidation-batch", batch],
        vec!["get-invalidation", "--distribution-id", "E1", "--id", "I2J0I21PCUYOIK"],
        vec!["get-invalidation-for-distribution-tenant", "--distribution-tenant-id", "DT1", "--id", "I2J0I21PCUYOIK"],
        vec!["list-invalidations", "--distribution-id", "E1"],
        vec!["list-invalidations-for-distribution-tenant", "--id", "DT1"],
        vec![
            "get-invalidation",
            "--distribution-id",
            "E1",
            "--id",
            "I2J0I21PCUYOIK",
            "--query",
            "Invalidation.InvalidationBatch.Paths.Items",
        ],
        vec![
            "list-invalidations",
            "--distribution-id",
            "E1",
            "--query",
            "InvalidationList.Items[?Status=='Completed'].Id",
        ],
    ];
    let mut identical = 0;
    let mut differ = Vec::new();
    let server_url = server.url.clone();
    for command in &commands {
        // The AWS CLI v1 from PyPI has no yaml output; yaml is compared by the tests in cli.rs.
        let formats: [&[&str]; 4] = [
            &["--output", "json"],
            &["--output", "text"],
            &["--output", "table"],
            &["--output", "table", "--color", "on"],
        ];
        for format in formats {
            let mut args: Vec<&str> = command.clone();
            args.extend(format);
            let format = format.join(" ");
            let mut aws_args = vec!["cloudfront"];
            aws_args.extend(args.iter().copied());
            let (url, aws, ours_args) =
                (server_url.clone(), aws.clone(), args.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            let aws_args: Vec<String> = aws_args.iter().map(|s| s.to_string()).collect();
            let (theirs, ours) = tokio::task::spawn_blocking(move || {
                let theirs = run(&aws, &aws_args.iter().map(String::as_str).collect::<Vec<_>>(), &url);
                let ours = run(
                    env!("CARGO_BIN_EXE_cloudfront"),
                    &ours_args.iter().map(String::as_str).collect::<Vec<_>>(),
                    &url,
                );
                (theirs, ours)
            })
            .await
            .unwrap();
            if theirs == ours {
                identical += 1;
            } else {
                differ.push(format!(
                    "{} {format}\n--- aws (exit {})\n{}--- cloudfront (exit {})\n{}",
                    command.join(" "),
                    theirs.1,
                    theirs.0,
                    ours.1,
                    ours.0
                ));
            }
        }
    }
    // A failing command must fail in both.
    let failing = ["get-invalidation", "--distribution-id", "ENOSUCH", "--id", "I1"];
    let (url, aws_bin) = (server_url.clone(), aws.clone());
    let (theirs, ours) = tokio::task::spawn_blocking(move || {
        let mut a = vec!["cloudfront"];
        a.extend(failing);
        (run(&aws_bin, &a, &url), run(env!("CARGO_BIN_EXE_cloudfront"), &failing, &url))
    })
    .await
    .unwrap();
    if theirs.1 != 0 && ours.1 != 0 {
        identical += 1;
    } else {
        differ.push(format!("a failing command: aws exit {}, cloudfront exit {}", theirs.1, ours.1));
    }
    for d in &differ {
        println!("DIFFER {d}");
    }
    println!("{identical} identical, {} differ", differ.len());
    assert!(differ.is_empty(), "{} command(s) differ from the AWS CLI", differ.len());
}
