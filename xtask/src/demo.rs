//! `cargo xtask demo`: the `cloudfront` CLI at work without an AWS account.
//!
//! Starts moto on a free loopback port with dummy credentials, creates a distribution, then
//! runs the everyday flow and prints each command line with its output: create an
//! invalidation and wait for it, read it back, list in every output format, a `--query`, and
//! a bad input. Fails if any step does not end as it should.

use std::process::Command;

use crate::e2e::{moto_distribution, start_moto};
use crate::run::root;

pub fn main(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err("usage: cargo xtask demo".into());
    }
    crate::run::run("cargo", &["build", "--quiet", "--package", "cloudfront-cli"])?;
    let cli = root().join("target/debug/cloudfront");
    let (_moto, port) = start_moto(&crate::peers::pinned()?)?;
    let distribution = moto_distribution(port)?;
    let endpoint = format!("http://127.0.0.1:{port}");
    let env = [
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("CLOUDFRONT_WAIT_POLL_MS", "500"),
    ];
    println!("moto is running on {endpoint}; distribution {distribution} was created through its API.\n");
    for (name, value) in env {
        println!("$ export {name}={value}");
    }
    println!();
    let demo = Demo { cli: cli.to_string_lossy().into_owned(), env: &env, steps: Default::default() };
    let created = demo.step(
        &["create-invalidation", "--distribution-id", &distribution, "--paths", "/index.html", "/css/*", "--wait"],
        0,
    )?;
    let id = created
        .split("\"Id\": \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or_else(|| format!("no invalidation id in:\n{created}"))?
        .to_owned();
    demo.step(&["get-invalidation", "--distribution-id", &distribution, "--id", &id, "--output", "table"], 0)?;
    for format in ["json", "text", "table", "yaml"] {
        demo.step(&["list-invalidations", "--distribution-id", &distribution, "--output", format], 0)?;
    }
    demo.step(
        &[
            "list-invalidations",
            "--distribution-id",
            &distribution,
            "--query",
            "InvalidationList.Items[].[Id,Status]",
            "--output",
            "text",
        ],
        0,
    )?;
    demo.step(&["create-invalidation", "--distribution-id", &distribution, "--paths", "index.html"], 252)?;
    println!("demo finished: every command ended as expected; stopping moto.");
    println!("{} passed, 0 failed", demo.steps.get());
    Ok(())
}

struct Demo<'a> {
    cli: String,
    env: &'a [(&'a str, &'a str)],
    /// Steps that ended as expected.
    steps: std::cell::Cell<usize>,
}

impl Demo<'_> {
    /// Runs `cloudfront args...`, prints it and its output, and checks the exit code.
    fn step(&self, args: &[&str], expected_code: i32) -> Result<String, String> {
        let shown: Vec<String> =
            args.iter().map(|a| if a.contains(['*', '[', ' ']) { format!("'{a}'") } else { (*a).to_owned() }).collect();
        println!("$ cloudfront {}", shown.join(" "));
        let output = Command::new(&self.cli)
            .args(args)
            .envs(self.env.iter().copied())
            .env_remove("AWS_PROFILE")
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.cli))?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        print!("{stdout}");
        eprint!("{}", String::from_utf8_lossy(&output.stderr));
        let code = output.status.code().unwrap_or(-1);
        if code != 0 {
            println!("(exit code {code})");
        }
        println!();
        if code == expected_code {
            self.steps.set(self.steps.get() + 1);
            Ok(stdout)
        } else {
            Err(format!("`cloudfront {}` exited with {code}, expected {expected_code}", args.join(" ")))
        }
    }
}
