//! `cargo xtask protocol-tests`: the Smithy restXml compliance suite, run through the same
//! generator as the CloudFront crates. Generates every service of the suite's model and its
//! test crate into `target/protocol-tests`, runs it, and prints `N passed, M failed`.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::regenerate::{read, scratch_settings, services, write_workspace};
use crate::run::{root, shared};

const KNOWN_FAILURES: &str = "xtask/protocol-tests/known-failures.txt";

pub fn main(args: &[String]) -> Result<(), String> {
    let model_path = match args {
        [] => shared().join("protocol-tests/restxml-protocol-tests.json"),
        [path] => PathBuf::from(path),
        _ => return Err("usage: cargo xtask protocol-tests [MODEL]".into()),
    };
    if !model_path.exists() {
        return Err(format!(
            "{} does not exist: the protocol tests live in ../shared/protocol-tests next to the checkout",
            model_path.display()
        ));
    }
    let model = read(&model_path)?;
    let known: BTreeSet<String> = read(&root().join(KNOWN_FAILURES))?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect();
    let mut files = Vec::new();
    for (service, prefix) in services(&model)? {
        let settings = scratch_settings(&service, prefix, &model_path);
        files.extend(cloudfront_codegen::generate(&model, &settings)?);
        files.extend(cloudfront_codegen::generate_protocol_tests(&model, &settings, &known)?);
    }
    let out = root().join("target/protocol-tests");
    write_workspace(&out, &files)?;

    let (ran_clean, passed, mut failed, failures) = run_generated_tests(&out)?;
    // Every client case of the suite must have run: a case the generator dropped, or a test
    // binary that did not start, is a failure, not a smaller total.
    let expected = client_cases(&model)?;
    if passed + failed != expected {
        println!("FAIL {} case(s) ran, but the suite has {expected} client cases", passed + failed);
        failed += expected.abs_diff(passed + failed);
    }
    for failure in &failures {
        println!("FAIL {failure}");
    }
    if !known.is_empty() {
        println!("({} known failure(s) listed in {KNOWN_FAILURES} failed as expected)", known.len());
    }
    println!("{passed} passed, {failed} failed");
    if ran_clean && failed == 0 { Ok(()) } else { Err("protocol tests failed".into()) }
}

/// Runs the generated test crate under `out`: whether cargo succeeded, the passed and failed
/// counts, and the first line of each failure's report.
fn run_generated_tests(out: &Path) -> Result<(bool, usize, usize, Vec<String>), String> {
    let mut child = Command::new("cargo")
        .args(["test", "--quiet", "--no-fail-fast", "--manifest-path"])
        .arg(out.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", root().join("target/protocol-tests-target"))
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run cargo test: {e}"))?;
    let (mut passed, mut failed) = (0usize, 0usize);
    let mut failures = Vec::new();
    let mut in_failure_report = false;
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let line = line.map_err(|e| e.to_string())?;
        if let Some(rest) = line.strip_prefix("test result: ") {
            let counts: Vec<usize> = rest
                .split([';', '.'])
                .filter_map(|part| {
                    let part = part.trim();
                    part.strip_suffix(" passed").or_else(|| part.strip_suffix(" failed")).and_then(|n| n.parse().ok())
                })
                .collect();
            if let [p, f] = counts[..] {
                passed += p;
                failed += f;
            }
        } else if line.starts_with("---- ") {
            in_failure_report = true;
        } else if in_failure_report && line.contains("panicked at") {
            continue;
        } else if in_failure_report
            && !line.trim().is_empty()
            && !line.starts_with("note:")
            && !line.starts_with("failures:")
        {
            failures.push(line);
            in_failure_report = false;
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    Ok((status.success(), passed, failed, failures))
}

/// The suite's cases for clients: every `httpRequestTests` and `httpResponseTests` entry that
/// does not apply to servers only.
fn client_cases(model: &str) -> Result<usize, String> {
    let json: serde_json::Value = serde_json::from_str(model).map_err(|e| format!("the protocol-test model: {e}"))?;
    let shapes = json["shapes"].as_object().ok_or("the protocol-test model has no shapes")?;
    Ok(shapes
        .values()
        .flat_map(|shape| {
            ["smithy.test#httpRequestTests", "smithy.test#httpResponseTests"].map(|t| &shape["traits"][t])
        })
        .filter_map(|cases| cases.as_array())
        .flatten()
        .filter(|case| case["appliesTo"].as_str() != Some("server"))
        .count())
}
