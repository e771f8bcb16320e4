//! `cargo xtask protocol-tests`: the Smithy restXml compliance suite and the S3 cases of the
//! Smithy AWS protocol tests, run through the same generator as our crates. Generates every
//! service of the suites' models and their test crates into `target/protocol-tests`, runs
//! them, and prints `N passed, M failed`.
//!
//! The S3 test service has no endpoint rule set of its own: it gets `s3.json`'s (and the
//! `contextParam` bindings of the same members there), and each case's `vendorParams`
//! configure the client (region, addressing style, dual-stack, acceleration).

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
    let s3_model = s3_suite()?;
    let s3_settings = s3_settings()?;
    files.extend(cloudfront_codegen::generate(&s3_model, &s3_settings)?);
    files.extend(cloudfront_codegen::generate_protocol_tests(&s3_model, &s3_settings, &known)?);
    let out = root().join("target/protocol-tests");
    write_workspace(&out, &files)?;

    let (ran_clean, passed, mut failed, failures) = run_generated_tests(&out)?;
    // Every client case of the suites must have run: a case the generator dropped, or a test
    // binary that did not start, is a failure, not a smaller total.
    let (restxml_cases, s3_cases) = (client_cases(&model)?, client_cases(&s3_model)?);
    println!("suites: {restxml_cases} restXml client cases, {s3_cases} S3 client cases");
    let expected = restxml_cases + s3_cases;
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

/// The S3 cases of the Smithy AWS protocol tests: the `com.amazonaws.s3#` shapes of the
/// whole suite, with the endpoint facts of the official S3 model attached (its rule set and
/// client context parameters on the service, its `contextParam` bindings on the members).
fn s3_suite() -> Result<String, String> {
    let suite = shared().join("protocol-tests/smithy-aws-protocol-tests.model.json");
    let official = shared().join("aws-models/s3.json");
    let parse = |path: &Path| -> Result<serde_json::Value, String> {
        serde_json::from_str(&read(path)?).map_err(|e| format!("{}: {e}", path.display()))
    };
    let (suite, official) = (parse(&suite)?, parse(&official)?);
    let mut shapes = serde_json::Map::new();
    for (id, shape) in suite["shapes"].as_object().ok_or("the AWS protocol tests have no shapes")? {
        if id.starts_with("com.amazonaws.s3#") {
            shapes.insert(id.clone(), with_endpoint_facts(shape.clone(), &official["shapes"][id]));
        }
    }
    if shapes.is_empty() {
        return Err("the AWS protocol tests hold no com.amazonaws.s3# shapes".into());
    }
    let model = serde_json::json!({ "smithy": suite["smithy"], "shapes": shapes });
    Ok(model.to_string())
}

/// `shape` with the endpoint traits its namesake in the official model has.
fn with_endpoint_facts(mut shape: serde_json::Value, official: &serde_json::Value) -> serde_json::Value {
    for name in ["smithy.rules#endpointRuleSet", "smithy.rules#clientContextParams"] {
        if let Some(value) = official["traits"].get(name) {
            shape["traits"][name] = value.clone();
        }
    }
    if let Some(members) = shape["members"].as_object_mut() {
        for (name, member) in members {
            if let Some(binding) = official["members"][name]["traits"].get("smithy.rules#contextParam") {
                member["traits"]["smithy.rules#contextParam"] = binding.clone();
            }
        }
    }
    shape
}

/// Our S3 settings (`model/s3.codegen.json`) for every operation of the test service.
fn s3_settings() -> Result<cloudfront_codegen::Settings, String> {
    let path = root().join(cloudfront_codegen::project_settings_path("s3"));
    let mut settings = cloudfront_codegen::Settings::from_json(&read(&path)?)?;
    settings.operations = None;
    settings.crate_prefix = "s3-protocol".into();
    settings.crates_dir = root().join("crates").to_string_lossy().into_owned();
    settings.model_file = "smithy-aws-protocol-tests.model.json (com.amazonaws.s3#)".into();
    settings.repository = None;
    settings.facade_readme = None;
    Ok(settings)
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
