//! `cargo xtask test`: every check of the project, on a fresh machine. Each step's tests are
//! counted (cargo's `test result` lines and the runners' `N passed, M failed` lines; a step
//! without counts is one check), and the last line is the total.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::run::{root, shared};

/// The workspace's packages that may be published (`publish` not set to false), so a release
/// is `cargo publish` away once this step passes.
fn publishable_packages() -> Result<Vec<String>, String> {
    let output = Command::new("cargo")
        .current_dir(root())
        .args(["metadata", "--no-deps", "--format-version", "1", "--locked"])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !output.status.success() {
        return Err(format!("cargo metadata failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata printed no JSON: {e}"))?;
    let names: Vec<String> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["publish"].is_null())
        .filter_map(|p| p["name"].as_str().map(str::to_owned))
        .collect();
    if names.is_empty() {
        return Err("cargo metadata lists no publishable package".into());
    }
    Ok(names)
}

/// `cargo package` verifies each crate against the packages of the crates it depends on, which
/// it unpacks under `$CARGO_HOME/registry/src` (and does not unpack again while the directory
/// exists) and builds like registry crates (whose builds are reused by version, never by
/// content): an earlier run's copy would be checked instead of today's. Remove both first.
fn forget_packaged_sources(names: &[String], target_dir: &std::path::Path) {
    let _ = std::fs::remove_dir_all(target_dir);
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| std::path::Path::new(&home).join(".cargo")));
    let Some(sources) = cargo_home.map(|home| home.join("registry/src")) else { return };
    let Ok(registries) = std::fs::read_dir(sources) else { return };
    for registry in registries.flatten() {
        let Ok(unpacked) = std::fs::read_dir(registry.path()) else { continue };
        for crate_dir in unpacked.flatten() {
            let dir_name = crate_dir.file_name().to_string_lossy().into_owned();
            let ours = names.iter().any(|name| {
                dir_name
                    .strip_prefix(name.as_str())
                    .and_then(|rest| rest.strip_prefix('-'))
                    .is_some_and(|version| version.starts_with(|c: char| c.is_ascii_digit()))
            });
            if ours {
                let _ = std::fs::remove_dir_all(crate_dir.path());
            }
        }
    }
}

/// A step: a name and the command it runs (in the workspace root).
struct Step {
    name: String,
    program: &'static str,
    args: Vec<String>,
    env: Vec<(&'static str, String)>,
}

fn step(name: &str, program: &'static str, args: &[&str]) -> Step {
    Step { name: name.to_owned(), program, args: args.iter().map(|a| a.to_string()).collect(), env: Vec::new() }
}

pub fn main(args: &[String]) -> Result<(), String> {
    if let Some(unknown) = args.first() {
        return Err(format!("test takes no options (got {unknown:?})"));
    }
    // Checked up front: a missing tool is a setup error, not a failed check an hour in.
    crate::peers::require_cargo_tool("cargo-deny")?;
    crate::peers::require_cargo_tool("cargo-fuzz")?;
    let target = root().join("target");
    let fixture_out = target.join("kitchen-sink");
    let mut package = vec!["package".to_owned(), "--allow-dirty".to_owned()];
    let publishable = publishable_packages()?;
    let package_target = target.join("package-verify");
    forget_packaged_sources(&publishable, &package_target);
    for name in publishable {
        package.extend(["--package".to_owned(), name]);
    }
    let mut steps = vec![
        step("format", "cargo", &["fmt", "--all", "--check"]),
        step("generated code is current", "cargo", &["xtask", "regenerate", "--check"]),
        step("lints", "cargo", &["clippy", "--workspace", "--all-targets", "--all-features", "--", "-D", "warnings"]),
        step(
            "licenses, bans and sources of the dependencies",
            "cargo",
            &["deny", "check", "licenses", "bans", "sources"],
        ),
        Step { args: package, ..step("every publishable crate packages, and builds from its package", "cargo", &[]) },
        Step {
            env: vec![("INSTA_UPDATE", "no".into())],
            ..step(
                "unit, model and snapshot tests (endpoint rule cases in the next step)",
                "cargo",
                &["test", "--workspace", "--all-features", "--", "--skip", ENDPOINT_CASES],
            )
        },
        step(
            "the models' endpoint rule tests: CloudFront's, and all of S3's by their parameters",
            "cargo",
            &["test", "--package", "cloudfront", "--package", "cloudfront-s3", "--lib", "--", ENDPOINT_CASES],
        ),
        step(
            "the runtime on the ring build (the crypto features stay additive)",
            "cargo",
            &["test", "--package", "cloudfront-runtime", "--no-default-features", "--features", "ring"],
        ),
        Step {
            env: vec![("CARGO_TARGET_DIR", target.join("windows").to_string_lossy().into_owned())],
            ..step(
                "the CLI builds for Windows (no unguarded Unix calls)",
                "cargo",
                &["check", "--target", "x86_64-pc-windows-gnu", "--package", "cloudfront-cli"],
            )
        },
        step("botocore conformance (public vectors and rule-vectors/)", "cargo", &["xtask", "conformance"]),
        step(
            "every deviation rule meets botocore's answers to new inputs",
            "cargo",
            &["xtask", "conformance", "--every-rule-used", "crates/testing/cloudfront-conformance/rule-vectors"],
        ),
        step("Smithy restXml protocol tests", "cargo", &["xtask", "protocol-tests"]),
        step("end to end against moto, with fault injection", "cargo", &["xtask", "e2e"]),
        step("CLI demo against moto", "cargo", &["xtask", "demo"]),
        step("fuzz targets run 30 s each without a crash", "cargo", &["xtask", "fuzz"]),
        step("the benchmark harness runs (reduced) and writes its table", "cargo", &["xtask", "bench", "--quick"]),
        Step {
            env: vec![("CARGO_TARGET_DIR", target.join("protocol-tests-target").to_string_lossy().into_owned())],
            ..step(
                "the protocol-test crates are lint-clean",
                "cargo",
                &[
                    "clippy",
                    "--quiet",
                    "--all-targets",
                    "--manifest-path",
                    &target.join("protocol-tests/Cargo.toml").to_string_lossy(),
                    "--",
                    "-D",
                    "warnings",
                ],
            )
        },
        step(
            "the kitchen-sink fixture generates",
            "cargo",
            &[
                "xtask",
                "regenerate",
                "--model",
                "codegen/tests/fixtures/kitchen_sink.json",
                "--all",
                "--out",
                &fixture_out.to_string_lossy(),
            ],
        ),
        step(
            "the kitchen-sink fixture's generated tests pass (redaction of @sensitive members in Debug)",
            "cargo",
            &[
                "test",
                "--quiet",
                "--all-features",
                "--manifest-path",
                &fixture_out.join("Cargo.toml").to_string_lossy(),
            ],
        ),
        step(
            "the kitchen-sink fixture is lint-clean",
            "cargo",
            &[
                "clippy",
                "--quiet",
                "--all-features",
                "--manifest-path",
                &fixture_out.join("Cargo.toml").to_string_lossy(),
                "--",
                "-D",
                "warnings",
            ],
        ),
    ];

    for service in cloudfront_codegen::PROJECT_SERVICES {
        steps.extend(full_model_steps(service, &target.join(format!("full-model-{service}"))));
    }

    let (mut passed, mut failed) = (0usize, 0usize);
    let mut failures = Vec::new();
    for step in &steps {
        println!("==> {}", step.name);
        let (ok, counts) = run_counting(step)?;
        let (p, f) = counts.unwrap_or(if ok { (1, 0) } else { (0, 1) });
        // A step that failed without a failing count still counts as one failure.
        let f = if !ok && f == 0 { 1 } else { f };
        passed += p;
        failed += f;
        if !ok {
            failures.push(step.name.as_str());
        }
    }
    if !failures.is_empty() {
        println!("failed steps: {}", failures.join(", "));
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 { Ok(()) } else { Err(format!("{failed} failed")) }
}

/// The generated tests of the endpoint rule sets' `endpointTests` cases, by name.
const ENDPOINT_CASES: &str = "endpoint::tests::endpoint_case_";

/// Every operation of the official model of `service` generates into `out` and compiles.
fn full_model_steps(service: &str, out: &std::path::Path) -> [Step; 2] {
    let model = shared().join(format!("aws-models/{service}.json"));
    let (model, out) = (model.to_string_lossy().into_owned(), out.to_string_lossy().into_owned());
    let manifest = format!("{out}/Cargo.toml");
    let generate = ["xtask", "regenerate", "--model", &model, "--all", "--out", &out];
    let compile = ["check", "--quiet", "--all-features", "--manifest-path", &manifest];
    [
        Step { name: format!("the full official {service} model generates"), ..step("", "cargo", &generate) },
        Step { name: format!("the full official {service} model compiles"), ..step("", "cargo", &compile) },
    ]
}

/// Runs a step, echoing its stdout, and sums the test counts it printed.
fn run_counting(step: &Step) -> Result<(bool, Option<(usize, usize)>), String> {
    let args: Vec<&str> = step.args.iter().map(String::as_str).collect();
    let env: Vec<(&str, &str)> = step.env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    run_counting_command(step.program, &args, &env)
}

/// Runs a command in the workspace root, echoing its stdout, and sums the test counts it
/// printed (`None` when it printed none).
pub fn run_counting_command(
    program: &str,
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<(bool, Option<(usize, usize)>), String> {
    let mut child = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .current_dir(root())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    // cargo's `test result` lines are summed; a runner's own closing `N passed, M failed`
    // line is its total and takes precedence (it already counts what it ran).
    let mut summed: Option<(usize, usize)> = None;
    let mut closing: Option<(usize, usize)> = None;
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| e.to_string())?;
        println!("{line}");
        if let Some((p, f)) = parse_counts(&line) {
            if line.trim_start().starts_with("test result:") {
                let (tp, tf) = summed.unwrap_or((0, 0));
                summed = Some((tp + p, tf + f));
            } else {
                closing = Some((p, f));
            }
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    Ok((status.success(), closing.or(summed)))
}

/// `test result: ok. 5 passed; 0 failed; ...` (cargo) or `5 passed, 0 failed` (our runners).
fn parse_counts(line: &str) -> Option<(usize, usize)> {
    let line = line.trim();
    let body =
        line.strip_prefix("test result: ").map(|r| r.split_once(". ").map_or(r, |(_, rest)| rest)).unwrap_or(line);
    let mut parts = body.split([',', ';']).map(str::trim);
    let passed = parts.next()?.strip_suffix(" passed")?.parse().ok()?;
    let failed = parts.next()?.strip_suffix(" failed")?.parse().ok()?;
    Some((passed, failed))
}

#[cfg(test)]
mod tests {
    use super::parse_counts;

    #[test]
    fn reads_both_count_formats() {
        assert_eq!(
            parse_counts(
                "test result: ok. 12 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s"
            ),
            Some((12, 0))
        );
        assert_eq!(parse_counts("563 passed, 2 failed"), Some((563, 2)));
        assert_eq!(parse_counts("compiling 5 crates"), None);
    }
}
