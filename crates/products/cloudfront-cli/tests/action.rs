//! The GitHub Action's shell (`action/run.sh`, run by `action.yml`) as the runner runs it:
//! `GITHUB_ACTIONS=true`, the step summary and outputs pointed at temp files, the inputs in
//! `INPUT_*` variables, and this build of the CLI on PATH, against a local CloudFront and S3.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cloudfront_test_server::TestServer;

mod support {
    pub mod permissive;
}
use support::permissive::permissive;

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../..")
}

/// Runs the action's shell with `inputs` in `dir`; (output, the outputs file, the summary file).
fn run_action(dir: &Path, url: &str, inputs: &[(&str, &str)]) -> (Output, String, String) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let _ = std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_cloudfront"), bin.join("cloudfront"));
    let (outputs, summary) = (dir.join("github-output"), dir.join("step-summary"));
    let _ = std::fs::remove_file(&outputs);
    let _ = std::fs::remove_file(&summary);
    let output = Command::new("bash")
        .arg(repository().join("action/run.sh"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("HOME", dir)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_ACTION_PATH", repository())
        .env("AWS_ACCESS_KEY_ID", "AKIDACTION")
        .env("AWS_SECRET_ACCESS_KEY", "action-secret")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_ENDPOINT_URL", url)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .envs(inputs.iter().copied())
        .output()
        .unwrap();
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    (output, read(&outputs), read(&summary))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_action_deploys_invalidates_and_reports_to_the_runner() {
    let server = TestServer::start(|r, _| permissive(r)).await;
    let dir = std::env::temp_dir().join(format!("cloudfront-action-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("public/css")).unwrap();
    std::fs::write(dir.join("public/index.html"), "<html>home</html>").unwrap();
    std::fs::write(dir.join("public/css/site.css"), "body{}").unwrap();
    let url = server.url.clone();
    let deploy = [
        ("INPUT_COMMAND", "deploy"),
        ("INPUT_SOURCE", "public"),
        ("INPUT_DESTINATION", "s3://my-site-bucket/live"),
        ("INPUT_DISTRIBUTION_ID", "EDFDVBD6EXAMPLE"),
        ("INPUT_ARGS", "--cache-control '*.html=no-cache' --journal 'deploy journal'"),
    ];
    let (dir2, url2) = (dir.clone(), url.clone());
    let (output, outputs, summary) =
        tokio::task::spawn_blocking(move || run_action(&dir2, &url2, &deploy)).await.unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(outputs.contains("status=submitted\n"), "{outputs}");
    assert!(outputs.contains("invalidation-ids=I2J0I21PCUYOIK\n"), "{outputs}");
    assert!(outputs.contains("uploaded=2\n"), "{outputs}");
    assert!(summary.starts_with("### cloudfront deploy: submitted"), "{summary}");
    assert!(dir.join("deploy journal").exists(), "a quoted argument stays one word");
    let uploads = server.requests().iter().filter(|r| r.method == "PUT").count();
    assert_eq!(uploads, 4, "two files, the pending record and the manifest");

    let (dir2, url2) = (dir.clone(), url.clone());
    let invalidate = [
        ("INPUT_COMMAND", "invalidate"),
        ("INPUT_DISTRIBUTION_ID", "EDFDVBD6EXAMPLE"),
        ("INPUT_PATHS", "/index.html 'no slash.html'"),
    ];
    let (output, outputs, _) =
        tokio::task::spawn_blocking(move || run_action(&dir2, &url2, &invalidate)).await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(252), "{stderr}");
    assert!(stderr.contains("::error::item 1 (\"no slash.html\") must start with '/'"), "{stderr}");
    assert!(outputs.is_empty(), "nothing was submitted: {outputs}");

    let missing = [("INPUT_COMMAND", "deploy"), ("INPUT_DISTRIBUTION_ID", "E1")];
    let (dir2, url2) = (dir.clone(), url.clone());
    let (output, _, _) = tokio::task::spawn_blocking(move || run_action(&dir2, &url2, &missing)).await.unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stdout).contains("::error::deploy needs the source input"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn every_input_the_shell_reads_is_one_the_action_passes() {
    let script = std::fs::read_to_string(repository().join("action/run.sh")).unwrap();
    let action = std::fs::read_to_string(repository().join("action.yml")).unwrap();
    let read: std::collections::BTreeSet<&str> = script
        .match_indices("INPUT_")
        .map(|(at, _)| {
            let rest = &script[at..];
            &rest[..rest.find(|c: char| !(c.is_ascii_uppercase() || c == '_')).unwrap_or(rest.len())]
        })
        .collect();
    assert!(read.len() >= 6, "{read:?}");
    for variable in read {
        assert!(action.contains(&format!("{variable}: ${{{{ inputs.")), "action.yml does not pass {variable}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bucket_the_distribution_does_not_serve_is_refused_before_anything_is_sent() {
    let server = TestServer::start(|r, _| permissive(r)).await;
    let dir = std::env::temp_dir().join(format!("cloudfront-unserved-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("public")).unwrap();
    std::fs::write(dir.join("public/index.html"), "<html>home</html>").unwrap();
    let deploy = [
        ("INPUT_COMMAND", "deploy"),
        ("INPUT_SOURCE", "public"),
        ("INPUT_DESTINATION", "s3://another-bucket"),
        ("INPUT_DISTRIBUTION_ID", "EDFDVBD6EXAMPLE"),
    ];
    let (dir2, url) = (dir.clone(), server.url.clone());
    let (output, outputs, _) = tokio::task::spawn_blocking(move || run_action(&dir2, &url, &deploy)).await.unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(252), "{stderr}");
    assert!(stderr.contains("no origin of the distribution serves bucket another-bucket"), "{stderr}");
    assert!(stderr.contains("::error::"), "annotated: {stderr}");
    assert_eq!(outputs, "status=failed\n");
    let sent: Vec<String> = server.requests().iter().map(|r| format!("{} {}", r.method, r.target)).collect();
    assert_eq!(sent, ["GET /2020-05-31/distribution/EDFDVBD6EXAMPLE/config"], "only the configuration was read");
    let _ = std::fs::remove_dir_all(&dir);
}
