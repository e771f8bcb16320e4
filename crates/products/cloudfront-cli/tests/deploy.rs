//! `cloudfront deploy` end to end against moto (S3 and CloudFront in one server), measured at
//! the server: moto's request log (`MOTO_LOG`) says which keys were uploaded, and its
//! invalidations say which paths were invalidated. Run by `cargo xtask e2e`, which starts
//! moto and points these tests at it (and at the AWS CLI v2 for the side-by-side run).
//!
//! - A 2,000-file site behind a website-endpoint origin with an origin path: every file
//!   touched and 5 changed, then deployed: exactly those 5 are uploaded, and exactly the
//!   viewer paths that serve them are invalidated. `aws s3 sync` runs the same steps on the
//!   same tree; requests, bytes, paths and wall times of both go to
//!   `target/deploy-side-by-side.log` (reported, never asserted: a benchmark, not a test).
//! - A deploy killed (SIGKILL) midway: refused until `--resume`, which uploads only what was
//!   left and invalidates every changed path exactly once.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant, SystemTime};

use serde_json::Value;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: run these tests with `cargo xtask e2e`"))
}

/// One HTTP/1.0 request to moto (bucket and distribution setup, which the CLI does not do).
fn moto_request(method: &str, path: &str, service: &str, body: &str) -> String {
    let endpoint = env("MOTO_ENDPOINT");
    let address = endpoint.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("moto listens");
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let request = format!(
        "{method} {path} HTTP/1.0\r\nHost: {address}\r\nContent-Type: application/xml\r\nContent-Length: {}\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.") && answer[9..].starts_with('2'), "{method} {path}: {answer}");
    answer
}

/// A distribution whose only origin is `domain` (with `origin_path`), `index.html` its
/// default root object; its id.
fn create_distribution(domain: &str, origin_path: &str, custom: bool) -> String {
    let origin_config = if custom {
        "<CustomOriginConfig><HTTPPort>80</HTTPPort><HTTPSPort>443</HTTPSPort><OriginProtocolPolicy>http-only</OriginProtocolPolicy></CustomOriginConfig>"
    } else {
        "<S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity></S3OriginConfig>"
    };
    let reference = format!("{domain}-{}-{:?}", std::process::id(), SystemTime::now());
    let body = format!(
        "<DistributionConfig xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><CallerReference>{reference}</CallerReference>\
         <Comment>deploy</Comment><Enabled>true</Enabled><DefaultRootObject>index.html</DefaultRootObject>\
         <Origins><Quantity>1</Quantity><Items><Origin><Id>site</Id><DomainName>{domain}</DomainName><OriginPath>{origin_path}</OriginPath>\
         {origin_config}</Origin></Items></Origins><DefaultCacheBehavior><TargetOriginId>site</TargetOriginId>\
         <ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy><CachePolicyId>658327ea-f89d-4fab-a63d-7e88639e58f6</CachePolicyId>\
         </DefaultCacheBehavior></DistributionConfig>"
    );
    let answer = moto_request("POST", "/2020-05-31/distribution", "cloudfront", &body);
    let start = answer.find("<Id>").expect("a distribution id") + 4;
    answer[start..start + answer[start..].find('<').unwrap()].to_owned()
}

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudfront"))
        .args(args)
        .args(["--endpoint-url", &env("MOTO_ENDPOINT")])
        .envs(credentials())
        .output()
        .expect("the CLI runs")
}

fn credentials() -> [(&'static str, &'static str); 5] {
    [
        ("AWS_ACCESS_KEY_ID", "AKIDDEPLOY"),
        ("AWS_SECRET_ACCESS_KEY", "deploy-secret"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("CLOUDFRONT_PACE_MS", "1"),
        ("AWS_CONFIG_FILE", "/dev/null"),
    ]
}

fn json_of(output: &Output) -> Value {
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "exit {:?}\n{text}\n{}", output.status, String::from_utf8_lossy(&output.stderr));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// A request moto logged: method, path and query, and the status it answered.
type Logged = (String, String, u16);

/// The requests moto logged from byte `from` of its log on.
fn logged_since(from: u64) -> Vec<Logged> {
    // moto writes a request's line after answering it: let the last ones land.
    std::thread::sleep(Duration::from_millis(300));
    let mut text = String::new();
    let mut file = std::fs::File::open(env("MOTO_LOG")).expect("moto's log");
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(from)).unwrap();
    file.read_to_string(&mut text).unwrap();
    text.lines()
        .filter_map(|line| {
            let mut quoted = line.split('"');
            let mut words = quoted.nth(1)?.split(' ');
            let status = quoted.next()?.split_whitespace().next()?.parse().ok()?;
            Some((words.next()?.to_owned(), words.next()?.to_owned(), status))
        })
        .collect()
}

fn log_end() -> u64 {
    std::fs::metadata(env("MOTO_LOG")).expect("moto's log").len()
}

/// The deploy's own records under the prefix (the manifest, the pending record).
fn is_record(key: &str) -> bool {
    key.ends_with(".cloudfront-deploy.json") || key.contains(".cloudfront-deploy.pending/")
}

/// Keys of `bucket` that whole-object PUTs (not parts) completed at, with how often. A PUT
/// cut off by a kill is logged with an error status: it did not complete, and may be sent again.
fn puts(log: &[Logged], bucket: &str) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for (method, target, status) in log {
        let Some(key) = target.strip_prefix(&format!("/{bucket}/")) else { continue };
        if method == "PUT" && !key.contains('?') && (200..300).contains(status) {
            *counts.entry(key.to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

/// A site of `dirs` folders of `per_dir` files (an index page and assets), deterministic.
fn write_site(root: &Path, dirs: usize, per_dir: usize) -> Vec<String> {
    let _ = std::fs::remove_dir_all(root);
    let mut names = Vec::new();
    for d in 0..dirs {
        std::fs::create_dir_all(root.join(format!("d{d:02}"))).unwrap();
        for f in 0..per_dir {
            let name = match f {
                0 => format!("d{d:02}/index.html"),
                f if f % 3 == 0 => format!("d{d:02}/app{f}.js"),
                f if f % 3 == 1 => format!("d{d:02}/style{f}.css"),
                f => format!("d{d:02}/image{f}.png"),
            };
            std::fs::write(root.join(&name), format!("{name} version 1\n").repeat(8)).unwrap();
            names.push(name);
        }
    }
    std::fs::write(root.join("index.html"), "<html>home</html>\n").unwrap();
    names.push("index.html".into());
    names
}

/// Sets every file's modification time to now, as a fresh checkout does. S3 keeps whole
/// seconds: a second passes before (so the touch is newer than the last uploads) and after
/// (so the next uploads are newer than the touch, and a sync after them has nothing to do).
fn touch_all(root: &Path, names: &[String]) {
    std::thread::sleep(Duration::from_millis(1100));
    let now = SystemTime::now();
    for name in names {
        std::fs::File::options().write(true).open(root.join(name)).unwrap().set_modified(now).unwrap();
    }
    std::thread::sleep(Duration::from_millis(1100));
}

fn change(root: &Path, names: &[&str]) {
    for name in names {
        std::fs::write(root.join(name), format!("{name} version 2\n")).unwrap();
    }
}

/// The paths of every invalidation of `distribution` not in `before`, counted.
fn invalidated_paths(distribution: &str, before: &BTreeSet<String>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for id in invalidation_ids(distribution).difference(before) {
        let got =
            json_of(&cli(&["get-invalidation", "--distribution-id", distribution, "--id", id, "--output", "json"]));
        for path in got["Invalidation"]["InvalidationBatch"]["Paths"]["Items"].as_array().unwrap() {
            *counts.entry(path.as_str().unwrap().to_owned()).or_insert(0) += 1;
        }
    }
    counts
}

fn invalidation_ids(distribution: &str) -> BTreeSet<String> {
    let listed = json_of(&cli(&["list-invalidations", "--distribution-id", distribution, "--output", "json"]));
    let items = listed["InvalidationList"]["Items"].as_array().cloned().unwrap_or_default();
    items.iter().map(|i| i["Id"].as_str().unwrap().to_owned()).collect()
}

fn temp(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("cloudfront-deploy-{}-{name}", std::process::id()))
}

/// One measured step: wall time and the requests moto logged for it.
struct Step {
    seconds: f64,
    requests: usize,
    uploads: usize,
    bytes: u64,
}

/// Runs one step and counts what moto logged for it: requests to `bucket`, and to
/// `distribution` (other tests may share the server).
fn measure(bucket: &str, distribution: &str, root: &Path, prefix: &str, run: impl FnOnce()) -> Step {
    let from = log_end();
    let started = Instant::now();
    run();
    let seconds = started.elapsed().as_secs_f64();
    let mine = |target: &str| {
        target.starts_with(&format!("/{bucket}/"))
            || target.starts_with(&format!("/{bucket}?"))
            || target.starts_with(&format!("/2020-05-31/distribution/{distribution}/"))
    };
    let log: Vec<Logged> = logged_since(from).into_iter().filter(|(_, target, _)| mine(target)).collect();
    let uploaded = puts(&log, bucket);
    let keys = uploaded.keys().filter_map(|k| k.strip_prefix(prefix));
    let bytes = keys.filter_map(|k| std::fs::metadata(root.join(k)).ok()).map(|m| m.len()).sum();
    let uploads = uploaded.keys().filter(|k| k.starts_with(prefix) && !is_record(k)).count();
    Step { seconds, requests: log.len(), uploads, bytes }
}

#[test]
#[ignore = "needs moto and the AWS CLI v2: run `cargo xtask e2e`"]
fn deploy_uploads_and_invalidates_only_what_changed_side_by_side_with_aws_s3_sync() {
    let bucket = &format!("deploy-side-by-side-{}", std::process::id());
    moto_request("PUT", &format!("/{bucket}"), "s3", "");
    let distribution = create_distribution(&format!("{bucket}.s3-website-us-east-1.amazonaws.com"), "/live", true);
    let root = temp("site");
    let names = write_site(&root, 40, 50);
    assert_eq!(names.len(), 2001);
    let site = root.to_string_lossy().into_owned();
    let destination = format!("s3://{bucket}/live");
    let journal = temp("side-journal").to_string_lossy().into_owned();
    let run = || {
        let args = ["deploy", &site, &destination, "--distribution-id", &distribution, "--journal", &journal];
        json_of(&cli(&[&args[..], &["--output", "json"]].concat()))
    };
    let first =
        measure(bucket, &distribution, &root, "live/", || assert_eq!(run()["Uploads"].as_array().unwrap().len(), 2001));
    let before = invalidation_ids(&distribution);
    touch_all(&root, &names);
    let changed = ["index.html", "d03/index.html", "d07/app3.js", "d07/style4.css", "d31/image5.png"];
    change(&root, &changed);
    let mut report = Value::Null;
    let ours = measure(bucket, &distribution, &root, "live/", || report = run());
    let uploaded: BTreeSet<&str> =
        report["Uploads"].as_array().unwrap().iter().map(|u| u["Key"].as_str().unwrap()).collect();
    let expected: BTreeSet<String> = changed.iter().map(|n| format!("live/{n}")).collect();
    assert_eq!(uploaded, expected.iter().map(String::as_str).collect(), "the deploy's own report");
    assert_eq!(ours.uploads, 5, "uploads moto received");
    let paths = invalidated_paths(&distribution, &before);
    let wanted = ["/", "/d03/", "/d03/index.html", "/d07/app3.js", "/d07/style4.css", "/d31/image5.png", "/index.html"];
    assert_eq!(paths.keys().map(String::as_str).collect::<Vec<_>>(), wanted, "what moto was asked to invalidate");
    assert!(paths.values().all(|n| *n == 1), "{paths:?}");
    let ours_idle =
        measure(bucket, &distribution, &root, "live/", || assert_eq!(run()["Uploads"].as_array().unwrap().len(), 0));
    let aws = aws_side(bucket, &root, &names);
    write_report(first, ours, ours_idle, aws, paths.len());
}

/// The same three steps with `aws s3 sync` to another prefix: (first sync, touch + change 5,
/// nothing changed).
fn aws_side(bucket: &str, root: &Path, names: &[String]) -> [Step; 3] {
    let destination = format!("s3://{bucket}/sync");
    let sync = || {
        let output = Command::new(env("AWS_CLI_V2"))
            .args([
                "s3",
                "sync",
                &root.to_string_lossy(),
                &destination,
                "--endpoint-url",
                &env("MOTO_ENDPOINT"),
                "--only-show-errors",
            ])
            .env("HOME", env("AWS_CLI_V2_HOME"))
            .envs(credentials())
            .output()
            .expect("the AWS CLI v2 runs");
        assert!(output.status.success(), "aws s3 sync: {}", String::from_utf8_lossy(&output.stderr));
    };
    let first = measure(bucket, "", root, "sync/", sync);
    touch_all(root, names);
    change(root, &["d11/index.html", "d12/app3.js", "d13/style4.css", "d14/image5.png", "d15/app6.js"]);
    let touched = measure(bucket, "", root, "sync/", sync);
    let idle = measure(bucket, "", root, "sync/", sync);
    [first, touched, idle]
}

fn write_report(first: Step, ours: Step, ours_idle: Step, aws: [Step; 3], paths: usize) {
    let [aws_first, aws_touched, aws_idle] = aws;
    let row = |what: &str, s: &Step, invalidated: &str| {
        format!("| {what} | {} | {} | {} | {invalidated} | {:.2} s |\n", s.requests, s.uploads, s.bytes, s.seconds)
    };
    let aws_version = Command::new(env("AWS_CLI_V2")).arg("--version").output().map(|o| o.stdout).unwrap_or_default();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut text = format!(
        "2,001 files; every file touched and 5 changed between the first and second runs (moto, pinned)\n\
         peer: {}load average when the report was written: {}\n\
         | run | requests | files uploaded | bytes uploaded | paths invalidated | wall time |\n|---|---|---|---|---|---|\n",
        String::from_utf8_lossy(&aws_version),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    );
    text.push_str(&row("cloudfront deploy, first", &first, "1 (/*, collapsed)"));
    text.push_str(&row("cloudfront deploy, touched + 5 changed", &ours, &paths.to_string()));
    text.push_str(&row("cloudfront deploy, nothing changed", &ours_idle, "0"));
    text.push_str(&row("aws s3 sync, first", &aws_first, "(+ /*)"));
    text.push_str(&row("aws s3 sync, touched + 5 changed", &aws_touched, "(+ /*)"));
    text.push_str(&row("aws s3 sync, nothing changed", &aws_idle, "(+ /*)"));
    text.push_str(&format!(
        "\nno-change deploy / no-change aws s3 sync wall time: {:.3}x (goal <= 0.25x)\n",
        ours_idle.seconds / aws_idle.seconds
    ));
    println!("{text}");
    let log = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../target/deploy-side-by-side.log");
    std::fs::write(log, text).unwrap();
}

/// Runs the deploy `args` and SIGKILLs it once its journal records three finished uploads.
fn kill_after_three_uploads(args: &[&str], journal: &str) {
    let uploads_recorded = || std::fs::read_to_string(journal).unwrap_or_default().matches("\"Uploaded\"").count();
    let earlier = uploads_recorded();
    let mut running = Command::new(env!("CARGO_BIN_EXE_cloudfront"))
        .args(args)
        .args(["--endpoint-url", &env("MOTO_ENDPOINT")])
        .envs(credentials())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Bounded: at most 20 s for three uploads to finish.
    let mut uploaded = 0;
    for _ in 0..4000 {
        uploaded = uploads_recorded() - earlier;
        if uploaded >= 3 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    running.kill().expect("SIGKILL");
    running.wait().unwrap();
    assert!(uploaded >= 3, "the deploy did not get going");
}

#[test]
#[ignore = "needs moto: run `cargo xtask e2e`"]
fn a_deploy_killed_midway_resumes_without_lost_or_repeated_work() {
    let bucket = &format!("deploy-killed-{}", std::process::id());
    moto_request("PUT", &format!("/{bucket}"), "s3", "");
    let distribution = create_distribution(&format!("{bucket}.s3.us-east-1.amazonaws.com"), "", false);
    let root = temp("killed");
    let names = write_site(&root, 10, 20);
    // One file above the multipart threshold: sent in parts, then recognised as unchanged.
    std::fs::write(root.join("big.bin"), vec![7u8; 6 << 20]).unwrap();
    let site = root.to_string_lossy().into_owned();
    let destination = format!("s3://{bucket}");
    let journal = temp("killed-journal").to_string_lossy().into_owned();
    let _ = std::fs::remove_file(&journal);
    let args = [
        "deploy",
        &site,
        &destination,
        "--distribution-id",
        &distribution,
        "--journal",
        &journal,
        "--concurrency",
        "1",
    ];
    let from = log_end();
    let first = Command::new(env!("CARGO_BIN_EXE_cloudfront"))
        .args(args)
        .args(["--endpoint-url", &env("MOTO_ENDPOINT")])
        .envs(credentials())
        .env("CLOUDFRONT_MULTIPART_THRESHOLD", (5u64 << 20).to_string())
        .output()
        .unwrap();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    let parts = logged_since(from).iter().filter(|(m, t, _)| m == "PUT" && t.contains("/big.bin?partNumber=")).count();
    assert_eq!(parts, 2, "6 MiB in 5 MiB parts");

    // Every fifth file changes (no folder entirely, so no wildcard): 40 uploads, one at a time.
    let changed: Vec<&str> = names.iter().step_by(5).map(String::as_str).collect();
    let changed: Vec<&str> = changed.into_iter().filter(|n| *n != "index.html").collect();
    for name in &changed {
        std::fs::write(root.join(name), format!("{name} version 2\n").repeat(20_000)).unwrap();
    }
    let before = invalidation_ids(&distribution);
    let from = log_end();
    kill_after_three_uploads(&args, &journal);
    let killed = puts(&logged_since(from), bucket);
    let killed = killed.keys().filter(|k| !is_record(k)).count();
    assert!(killed < changed.len(), "killed midway: {killed} of {} uploaded", changed.len());

    // The retry runs on a fresh machine: the journal is gone, the bucket's record is not.
    std::fs::remove_file(&journal).unwrap();
    let refused = cli(&args);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(252), "{stderr}");
    assert!(
        stderr.contains("the bucket's record .cloudfront-deploy.pending/") && stderr.contains("--resume"),
        "{stderr}"
    );

    let resumed = cli(&[&args[..], &["--resume"]].concat());
    assert!(resumed.status.success(), "{}", String::from_utf8_lossy(&resumed.stderr));
    let log = logged_since(from);
    let sent = puts(&log, bucket);
    let wanted: BTreeMap<String, usize> = changed.iter().map(|n| ((*n).to_owned(), 1)).collect();
    let sent_files: BTreeMap<String, usize> = sent.into_iter().filter(|(k, _)| !is_record(k)).collect();
    assert_eq!(sent_files, wanted, "every changed file uploaded exactly once across the kill and the resume");
    let paths = invalidated_paths(&distribution, &before);
    let expected: BTreeMap<String, usize> = changed.iter().map(|n| (format!("/{n}"), 1)).collect();
    assert_eq!(paths, expected, "every changed path invalidated exactly once");
    let again = cli(&args);
    assert!(again.status.success(), "the journal is closed: {}", String::from_utf8_lossy(&again.stderr));
}
