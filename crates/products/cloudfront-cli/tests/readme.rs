//! Every `cloudfront` command line in the README's shell blocks runs here, as written (through
//! bash, pipes included), against a local CloudFront, and must succeed: the documentation
//! cannot drift from the binary.

use std::path::Path;
use std::process::Command;

use cloudfront_test_server::TestServer;

mod support {
    pub mod permissive;
}
use support::permissive::permissive;

/// The `cloudfront` command lines of the README's ```sh blocks, continuation lines joined.
fn readme_commands() -> Vec<String> {
    let readme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../README.md");
    let text = std::fs::read_to_string(&readme).unwrap_or_else(|e| panic!("cannot read {}: {e}", readme.display()));
    let mut commands = Vec::new();
    let (mut in_shell, mut current) = (false, String::new());
    for line in text.lines() {
        if line.starts_with("```") {
            in_shell = !in_shell && line.trim() == "```sh";
            continue;
        }
        if !in_shell || line.trim_start().starts_with('#') || line.trim().is_empty() {
            continue;
        }
        current.push_str(line.trim_end_matches('\\').trim());
        current.push(' ');
        if !line.ends_with('\\') {
            if current.contains("cloudfront ") {
                commands.push(current.trim().to_owned());
            }
            current.clear();
        }
    }
    commands
}

/// What the commands read: batch and input files, path lists, and a git history with a
/// change under `public/` (for the `git diff | cloudfront invalidate` line).
fn workspace(dir: &Path, bin: &Path) {
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write("batch.json", r#"{"Paths": {"Quantity": 1, "Items": ["/index.html"]}, "CallerReference": "readme-batch"}"#);
    write(
        "input.json",
        r#"{"DistributionId": "EDFDVBD6EXAMPLE", "InvalidationBatch": {"Paths": {"Quantity": 1, "Items": ["/a.html"]}, "CallerReference": "readme-input"}}"#,
    );
    write("changed.txt", "/static/app.js\n/static/app.css\n/index.html\n");
    write("deployed.txt", "/static/app.js\n/static/app.css\n/static/logo.png\n/index.html\n");
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::os::unix::fs::symlink(bin, dir.join("bin/cloudfront")).unwrap();
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap_or_else(|e| panic!("git is needed for the README's git line: {e}"));
        assert!(ok.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&ok.stderr));
    };
    std::fs::create_dir_all(dir.join("public/css")).unwrap();
    write("public/index.html", "one");
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "one"]);
    write("public/index.html", "two");
    write("public/css/site.css", "two");
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "two"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn every_readme_command_line_runs() {
    let commands = readme_commands();
    assert!(commands.len() >= 15, "found only {} README command lines: {commands:#?}", commands.len());
    let dir = std::env::temp_dir().join(format!("cloudfront-readme-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    workspace(&dir, Path::new(env!("CARGO_BIN_EXE_cloudfront")));
    let mut failed = Vec::new();
    for command in &commands {
        let server = TestServer::start(|r, _| permissive(r)).await;
        let (url, dir_for_run, line) = (server.url.clone(), dir.clone(), command.clone());
        let output = tokio::task::spawn_blocking(move || {
            Command::new("bash")
                .args(["-o", "pipefail", "-c", &line])
                .current_dir(&dir_for_run)
                .env_clear()
                .env("PATH", format!("{}:/usr/bin:/bin", dir_for_run.join("bin").display()))
                .env("HOME", &dir_for_run)
                .env("AWS_ACCESS_KEY_ID", "AKIDREADME")
                .env("AWS_SECRET_ACCESS_KEY", "readme-secret")
                .env("AWS_CONFIG_FILE", "/dev/null")
                .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
                .env("AWS_EC2_METADATA_DISABLED", "true")
                .env("AWS_ENDPOINT_URL", &url)
                .env("AWS_DEFAULT_REGION", "us-east-1")
                .env("AWS_PAGER", "")
                .env("CLOUDFRONT_WAIT_POLL_MS", "5")
                .env("GITHUB_RUN_ID", "7")
                .env("GITHUB_RUN_ATTEMPT", "1")
                .output()
                .unwrap()
        })
        .await
        .unwrap();
        let reached = !server.requests().is_empty();
        // Only a dry run or a skeleton may stay off the network.
        let offline = command.contains("--dry-run") || command.contains("--generate-cli-skeleton");
        let verdict = if !output.status.success() {
            Some(format!("exit {:?}: {}", output.status.code(), String::from_utf8_lossy(&output.stderr)))
        } else if !reached && !offline {
            Some("succeeded without calling the server".to_owned())
        } else {
            None
        };
        match verdict {
            Some(why) => failed.push(format!("{command}\n  {why}")),
            None => println!("ok  {command}"),
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!("{} README command lines, {} failed", commands.len(), failed.len());
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
