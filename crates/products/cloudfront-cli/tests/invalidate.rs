//! `cloudfront invalidate` end to end against local servers: the documented fan-out form,
//! `--paths-from` keeping every character, per-tenant references, rerun detection and
//! `--resume`, the journal and `--status`, costs, `--collapse`, and the pace flags.

use std::collections::HashSet;
use std::process::Command;
use std::sync::{Arc, Mutex};

use cloudfront_test_server::cloudfront::CloudFront;
use cloudfront_test_server::{Recorded, TestServer};

struct Run {
    stdout: String,
    stderr: String,
    code: i32,
}

/// The binary with test credentials, no config files and short test pacing, plus `extra_env`.
fn command(args: &[&str], extra_env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_cloudfront"));
    command
        .args(args)
        .env_clear()
        .env("AWS_ACCESS_KEY_ID", "AKIDCLITEST")
        .env("AWS_SECRET_ACCESS_KEY", "cli-secret-key")
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("CLOUDFRONT_PACE_MS", "1")
        .env("CLOUDFRONT_WAIT_POLL_MS", "5")
        .envs(extra_env.iter().copied());
    command
}

fn cloudfront(args: &[&str], extra_env: &[(&str, &str)]) -> Run {
    let output = command(args, extra_env).output().expect("the binary runs");
    Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        code: output.status.code().unwrap_or(-1),
    }
}

async fn run(args: Vec<String>, env: Vec<(&'static str, String)>) -> Run {
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        cloudfront(&args, &env)
    })
    .await
    .unwrap()
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    text.split(open).nth(1)?.split(close).next()
}

/// The tests' CloudFront, recording what it was sent: creates keyed by owner and reference
/// (the same reference gives the same invalidation back, dated an hour earlier with
/// `old_create_time`, as a rerun long after sees it), gets that complete at once, no
/// throttling.
struct Fake {
    seen: Arc<Mutex<Vec<Recorded>>>,
    server: TestServer,
}

async fn fake(old_create_time: bool) -> Fake {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let cloudfront =
        Mutex::new(CloudFront { age_found_again: old_create_time, ..CloudFront::completing_after_polls(0) });
    let server = TestServer::start(move |r, index| {
        log.lock().unwrap().push(r.clone());
        cloudfront.lock().unwrap().handle(r, index)
    })
    .await;
    Fake { seen, server }
}

fn scratch(name: &str, text: &str) -> String {
    let path = std::env::temp_dir().join(format!("cli-invalidate-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_documented_fan_out_form_sends_each_tenant_its_own_reference() {
    let fake = fake(false).await;
    let args = strings(&[
        "invalidate",
        "--endpoint-url",
        &fake.server.url,
        "--tenant-id",
        "dt_acme",
        "dt_globex",
        "dt_initech",
        "/index.html",
        "/assets/*",
        "--run-id",
        "deploy-1",
    ]);
    let done = run(args, vec![]).await;
    assert_eq!(done.code, 0, "{}", done.stderr);
    let sent = fake.seen.lock().unwrap().clone();
    assert_eq!(sent.len(), 3, "one batch per tenant");
    let tenants: HashSet<&str> = sent.iter().map(|r| r.target.split('/').nth(3).unwrap()).collect();
    assert_eq!(tenants, HashSet::from(["dt_acme", "dt_globex", "dt_initech"]));
    let references: HashSet<String> =
        sent.iter().map(|r| between(&r.text(), "<CallerReference>", "<").unwrap().to_owned()).collect();
    assert_eq!(references.len(), 3, "no two tenants share a reference");
    assert!(sent.iter().all(|r| r.text().contains("<Path>/assets/*</Path><Path>/index.html</Path>")));
    assert!(done.stdout.contains("cost: 6 billed paths"), "{}", done.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn paths_from_keeps_leading_and_trailing_spaces() {
    let file = scratch("spaces.txt", " leading.html\r\ntrailing .html\n\nplain.html\n");
    let args = strings(&[
        "invalidate",
        "--distribution-id",
        "E1",
        "--paths-from",
        &file,
        "--prefix",
        "/static",
        "--encode-paths",
        "--dry-run",
        "--output",
        "json",
    ]);
    let plan = run(args, vec![]).await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    let plan: serde_json::Value = serde_json::from_str(&plan.stdout).unwrap();
    assert_eq!(
        plan["Batches"][0]["Items"],
        serde_json::json!(["/static/%20leading.html", "/static/plain.html", "/static/trailing%20.html"])
    );
    assert_eq!(plan["BilledPathsPerTarget"], 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rerun_with_the_same_run_id_fails_unless_it_resumes() {
    let fake = fake(true).await;
    let base = [
        "invalidate",
        "--endpoint-url",
        &fake.server.url,
        "--distribution-id",
        "E1",
        "/a",
        "/b",
        "--run-id",
        "deploy-7",
    ];
    let first = run(strings(&base), vec![]).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    let again = run(strings(&base), vec![]).await;
    assert_eq!(again.code, 254, "{}", again.stderr);
    assert!(
        again.stderr.contains("batch 1 was already submitted by an earlier run (invalidation I000001, created "),
        "{}",
        again.stderr
    );
    assert!(again.stderr.contains("nothing new was invalidated for it"));
    assert!(again.stderr.trim_end().ends_with(
        "1 batches were already submitted by an earlier run with run id deploy-7: nothing new was invalidated for them; use a new --run-id, or --resume to continue an interrupted run"
    ));
    let mut resumed = base.to_vec();
    resumed.push("--resume");
    let resumed = run(strings(&resumed), vec![]).await;
    assert_eq!(resumed.code, 0, "{}", resumed.stderr);
    assert!(resumed.stdout.contains("1 batches already submitted by an earlier run"), "{}", resumed.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_journal_skips_accepted_batches_and_shows_their_status() {
    let fake = fake(false).await;
    let journal = scratch("journal.jsonl", "");
    let base = strings(&[
        "invalidate",
        "--endpoint-url",
        &fake.server.url,
        "--tenant-id",
        "dt_a",
        "dt_b",
        "/a",
        "--journal",
        &journal,
    ]);
    let first = run(base.clone(), vec![]).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(std::fs::read_to_string(&journal).unwrap().lines().count(), 2);
    let posts = |f: &Fake| f.seen.lock().unwrap().iter().filter(|r| r.method == "POST").count();
    assert_eq!(posts(&fake), 2);
    // The resumed run reads the run id from the journal and sends nothing, even with --wait.
    let mut waiting = base.clone();
    waiting.extend(["--wait".into(), "--resume".into()]);
    let rerun = run(waiting, vec![]).await;
    assert_eq!(rerun.code, 0, "{}", rerun.stderr);
    assert_eq!(posts(&fake), 2, "journalled batches are not sent again");
    assert!(rerun.stdout.contains("1 batches already in the journal"), "{}", rerun.stdout);
    assert!(rerun.stderr.contains("already accepted as I000001 (journal), not sent again"), "{}", rerun.stderr);

    // Without --resume, the same journal is a new deploy: a fresh run id, sent again...
    let next_deploy = run(base.clone(), vec![]).await;
    assert_eq!(next_deploy.code, 0, "{}", next_deploy.stderr);
    assert_eq!(posts(&fake), 4, "a new deploy is invalidated anew");
    // ... and the journal's run id again without --resume is a rerun: refused, nothing sent.
    let first_line = std::fs::read_to_string(&journal).unwrap().lines().next().unwrap().to_owned();
    let run_id = first_line.split("\"RunId\":\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let mut same_id = base.clone();
    same_id.extend(["--run-id".into(), run_id]);
    let refused = run(same_id, vec![]).await;
    assert_eq!(refused.code, 254, "{}", refused.stderr);
    assert_eq!(posts(&fake), 4, "and not sent");
    let first_run: String =
        std::fs::read_to_string(&journal).unwrap().lines().take(2).map(|l| format!("{l}\n")).collect();
    std::fs::write(&journal, first_run).unwrap();

    let status = run(
        strings(&[
            "invalidate",
            "--status",
            "--journal",
            &journal,
            "--endpoint-url",
            &fake.server.url,
            "--output",
            "json",
        ]),
        vec![],
    )
    .await;
    assert_eq!(status.code, 0, "{}", status.stderr);
    let status: serde_json::Value = serde_json::from_str(&status.stdout).unwrap();
    let rows = status["Batches"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["Status"] == "Completed" && r["Batch"] == 1), "{rows:?}");
    let table =
        run(strings(&["invalidate", "--status", "--journal", &journal, "--endpoint-url", &fake.server.url]), vec![])
            .await;
    assert_eq!(table.code, 0, "{}", table.stderr);
    assert!(table.stdout.contains("InvalidateStatus") && table.stdout.contains("tenant dt_b"), "{}", table.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn collapse_reports_each_wildcard_and_lowers_the_billed_paths() {
    let changed: Vec<String> = (0..30).map(|i| format!("assets/app.{i}.js")).chain(["index.html".into()]).collect();
    let mut manifest = changed.clone();
    manifest.extend(["about.html".to_owned(), "img/logo.png".to_owned()]);
    let changed = scratch("changed.txt", &changed.join("\n"));
    let manifest = scratch("manifest.txt", &manifest.join("\n"));
    let args = strings(&[
        "invalidate",
        "--distribution-id",
        "E1",
        "--paths-from",
        &changed,
        "--prefix",
        "/static",
        "--site-manifest",
        &manifest,
        "--collapse",
        "--dry-run",
    ]);
    let plan = run(args, vec![]).await;
    assert_eq!(plan.code, 0, "{}", plan.stderr);
    assert!(plan.stdout.contains("1 batches, 2 items\n"), "{}", plan.stdout);
    assert!(plan.stdout.contains("per target: 2 billed paths"), "{}", plan.stdout);
    assert!(
        plan.stdout
            .ends_with("collapsed into 1 wildcards:\n  /static/assets/* covers 30 changed and 0 unchanged objects\n"),
        "{}",
        plan.stdout
    );
    // A manifest line that is not a path would go uncounted: refused.
    let bad = scratch("bad-manifest.txt", "/a.html\nassets/app.0.js\n");
    let args = strings(&[
        "invalidate",
        "--distribution-id",
        "E1",
        "/a.html",
        "--site-manifest",
        &bad,
        "--collapse",
        "--dry-run",
    ]);
    let refused = run(args, vec![]).await;
    assert_eq!(refused.code, 252);
    assert_eq!(
        refused.stderr.trim_end(),
        format!(
            "--site-manifest {bad}: line 2 (\"assets/app.0.js\") is not a path: paths start with '/' (or give --prefix)"
        )
    );
}

#[test]
fn pace_and_tuning_values_are_bounded() {
    /// Extra arguments, extra environment, the expected message.
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 6] = [
        (&["--pace", "0"], &[], "--pace must be a number of calls per second above 0 and at most 100, not \"0\""),
        (&["--pace", "fast"], &[], "--pace must be a number of calls per second above 0 and at most 100, not \"fast\""),
        (&["--max-overreach", "-1"], &[], "--max-overreach must be a ratio of 0 or more, not \"-1\""),
        (&[], &[("CLOUDFRONT_PACE_MS", "0")], "CLOUDFRONT_PACE_MS must be a whole number from 1 to 60000, not \"0\""),
        (
            &["--wait"],
            &[("CLOUDFRONT_WAIT_POLL_MS", "lots")],
            "CLOUDFRONT_WAIT_POLL_MS must be a whole number from 1 to 600000, not \"lots\"",
        ),
        (&["--site-manifest", "/m.txt"], &[], "--site-manifest is read by --collapse; add --collapse or leave it out"),
    ];
    for (extra, env, message) in cases {
        let mut args = vec!["invalidate", "--distribution-id", "E1", "/a", "--endpoint-url", "http://127.0.0.1:9"];
        args.extend(extra);
        let done = cloudfront(&args, env);
        assert_eq!((done.code, done.stderr.trim_end()), (252, message), "{args:?}");
    }
}

/// A bulk run against a CloudFront that injects faults, killed part-way (SIGKILL, no chance
/// to clean up) and run again with `--resume`: the server, which keeps `CallerReference`
/// semantics itself, must end with each batch created exactly once under one reference.
#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_run_killed_part_way_and_resumed_creates_each_batch_once() {
    use cloudfront_test_server::faults::{FaultyCloudFront, Setup, schedule};
    let server =
        FaultyCloudFront::start(Setup { schedule, forced: Vec::new(), stall: std::time::Duration::from_millis(300) })
            .await;
    // 150 wildcards: ten batches of fifteen.
    let paths: String = (0..150).map(|i| format!("/killed/{i}/*\n")).collect();
    let list = scratch("killed-paths.txt", &paths);
    let journal = scratch("killed.journal", "");
    let args = |resume: bool| {
        let mut args = strings(&[
            "invalidate",
            "--distribution-id",
            "EKILLED",
            "--paths-from",
            &list,
            "--run-id",
            "killed-run",
            "--journal",
            &journal,
            "--concurrency",
            "1",
            "--endpoint-url",
            &server.url,
        ]);
        if resume {
            args.push("--resume".into());
        }
        args
    };
    let env = [("AWS_MAX_ATTEMPTS", "10"), ("CLOUDFRONT_PACE_MS", "150")];
    let first_args = args(false);
    let mut first = command(&first_args.iter().map(String::as_str).collect::<Vec<_>>(), &env)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("the binary runs");
    // Bounded: at most 15 s for the first four invalidations.
    for _ in 0..1500 {
        if server.ledger.lock().unwrap().created.len() >= 4 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    first.kill().expect("killed");
    let _ = first.wait();
    let before = server.ledger.lock().unwrap().created.len();
    assert!((4..10).contains(&before), "killed part-way: {before} of 10 batches created");

    let rerun = run(args(true), env.iter().map(|(k, v)| (*k, (*v).to_owned())).collect()).await;
    assert_eq!(rerun.code, 0, "{}{}", rerun.stdout, rerun.stderr);
    let ledger = server.ledger.lock().unwrap();
    assert_eq!(ledger.references.len(), 10, "ten batches reached the server");
    for (batch, references) in &ledger.references {
        assert_eq!(references.len(), 1, "one reference per batch across both runs: {batch:?} {references:?}");
        assert!(ledger.created.contains_key(references.iter().next().unwrap()), "created: {batch:?}");
    }
    assert_eq!(ledger.created.len(), 10, "each batch created exactly once");
    let faults: usize = ledger.faults.iter().filter(|(k, _)| k.as_str() != "None").map(|(_, n)| n).sum();
    println!(
        "killed and resumed: {before} batches before the kill, 10 after, {faults} faults injected {:?}",
        ledger.faults
    );
}
