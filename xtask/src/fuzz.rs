//! `cargo xtask fuzz [--seconds N] [--runs R] [--record] [TARGET...]`: runs the cargo-fuzz
//! targets under `fuzz/` (libFuzzer) for N seconds each (default 30, what CI runs) or R
//! executions, whichever ends first, starting from their committed
//! seeds and from every input that once crashed them (`fuzz/regressions/`), and fails if any
//! target crashes. Works on the stable toolchain: libFuzzer's instrumentation flags are
//! unlocked with RUSTC_BOOTSTRAP, and no sanitizer is needed for the safe Rust the targets
//! reach. Every run is logged in `target/fuzz/runs.log`; `--record` (for deliberate long runs,
//! see FUZZING.md) also appends it to the committed `fuzz/runs.log`, so a test run leaves the
//! checkout as it found it.

use crate::run::root;

const TARGETS: &[&str] = &["responses", "cli_input", "paths", "sigv4", "query", "argv"];

pub fn main(args: &[String]) -> Result<(), String> {
    let mut seconds = 30;
    let mut runs: Option<u64> = None;
    let mut keep = false;
    let mut targets: Vec<&str> = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                let value = args.next().ok_or("--seconds needs a number")?;
                seconds = value.parse().map_err(|_| format!("--seconds must be a whole number, not {value:?}"))?;
            }
            "--runs" => {
                let value = args.next().ok_or("--runs needs a number")?;
                runs = Some(value.parse().map_err(|_| format!("--runs must be a whole number, not {value:?}"))?);
            }
            "--record" => keep = true,
            name if TARGETS.contains(&name) => {
                targets.push(TARGETS[TARGETS.iter().position(|t| *t == name).unwrap_or(0)])
            }
            other => return Err(format!("unknown fuzz target or option {other:?}; targets: {}", TARGETS.join(", "))),
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    crate::peers::require_cargo_tool("cargo-fuzz")?;
    let fuzz = root().join("fuzz");
    let (mut passed, mut failed) = (0, 0);
    for target in targets {
        let corpus = root().join("target/fuzz-corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
        println!("==> fuzz {target} for {seconds} s");
        let started = std::time::Instant::now();
        // The code this run tests: the commit (and whether the tree differed) as it starts.
        let code = commit_now();
        let mut child = std::process::Command::new("cargo")
            .current_dir(&fuzz)
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_TARGET_DIR", root().join("target/fuzz-build"))
            .args(["fuzz", "run", "-O", "-s", "none", target])
            .arg(&corpus)
            .arg(fuzz.join("seeds").join(target))
            // Every input that once crashed a target runs again first (a target that never
            // crashed has none: only a directory that exists is passed).
            .args(Some(fuzz.join("regressions").join(target)).filter(|dir| dir.is_dir()))
            .args(["--", &format!("-max_total_time={seconds}"), "-print_final_stats=1"])
            .args(runs.map(|r| format!("-runs={r}")))
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run cargo fuzz (install it: cargo install cargo-fuzz --locked): {e}"))?;
        let executions = relay_report(&mut child, target)?;
        let status = child.wait().map_err(|e| format!("cargo fuzz: {e}"))?;
        let line = log_line(&code, target, executions, started.elapsed().as_secs(), status.success());
        append(&root().join("target/fuzz/runs.log"), &line)?;
        if keep {
            append(&root().join("fuzz/runs.log"), &line)?;
        }
        if status.success() {
            passed += 1;
        } else {
            failed += 1;
            println!("fuzz target {target} failed: the crashing input is under fuzz/artifacts/{target}/");
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed == 0 { Ok(()) } else { Err("a fuzz target failed".into()) }
}

/// Relays libFuzzer's report (on stderr) and returns the executions it counted. The whole
/// report goes to `target/fuzz/TARGET.log`; the terminal (and CI's log) gets all of it but the
/// per-input progress lines, which run to megabytes in 30 s and say nothing a failure needs.
fn relay_report(child: &mut std::process::Child, target: &str) -> Result<Option<u64>, String> {
    use std::io::{BufRead, Write};
    let path = root().join("target/fuzz").join(format!("{target}.log"));
    std::fs::create_dir_all(root().join("target/fuzz")).map_err(|e| format!("cannot create target/fuzz: {e}"))?;
    let mut log = std::fs::File::create(&path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let mut executions = None;
    let Some(stderr) = child.stderr.take() else { return Ok(None) };
    for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
        writeln!(log, "{line}").map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        if !is_progress_line(&line) {
            eprintln!("{line}");
        }
        if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
            executions = n.trim().parse::<u64>().ok();
        }
    }
    eprintln!("(libFuzzer's whole report: {})", path.display());
    Ok(executions)
}

/// libFuzzer's line for one new or reduced input, or a periodic pulse: `#1234\tNEW ...`.
fn is_progress_line(line: &str) -> bool {
    let Some(rest) = line.strip_prefix('#') else { return false };
    let mut words = rest.split_whitespace();
    let counted = words.next().is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
    counted && matches!(words.next(), Some("NEW" | "REDUCE" | "pulse"))
}

/// The commit checked out, with `+dirty` when tracked files differ from it.
fn commit_now() -> String {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .current_dir(root())
            .args(args)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_default()
    };
    let commit = git(&["rev-parse", "--short=12", "HEAD"]);
    // The run log itself does not count: it changes with every run.
    let changes = git(&["status", "--porcelain", "--untracked-files=no", "--", ".", ":!fuzz/runs.log"]);
    let dirty = if changes.is_empty() { "" } else { "+dirty" };
    format!("{commit}{dirty}")
}

/// One run as a log line: when it ended, the code it tested (`code`, taken as it started), the
/// target, executions, seconds, and the result.
fn log_line(code: &str, target: &str, executions: Option<u64>, seconds: u64, passed: bool) -> String {
    let when = std::process::Command::new("date")
        .args(["-u", "+%Y-%m-%dT%H:%M:%SZ"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    let executions = executions.map_or("?".to_owned(), |n| n.to_string());
    let result = if passed { "ok" } else { "CRASH" };
    format!("{when}\t{code}\t{target}\t{executions}\t{seconds}\t{result}\n")
}

/// Appends `line` to the run log at `path`, starting it with its header.
fn append(path: &std::path::Path, line: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    let mut text = std::fs::read_to_string(path).unwrap_or_else(|_| {
        "# when\tcommit\ttarget\texecutions\tseconds\tresult (appended by cargo xtask fuzz)\n".into()
    });
    text.push_str(line);
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::is_progress_line;

    #[test]
    fn only_per_input_progress_is_left_out_of_the_terminal() {
        assert!(is_progress_line("#615138\tNEW    cov: 904 ft: 3533 corp: 928/141Kb"));
        assert!(is_progress_line("#592098\tREDUCE cov: 904 ft: 3499"));
        assert!(is_progress_line("#1048576\tpulse  cov: 904 ft: 3533"));
        assert!(!is_progress_line("#2\tINITED cov: 904 ft: 3533 corp: 928/141Kb"));
        assert!(!is_progress_line("#900000\tDONE   cov: 904 ft: 3533"));
        assert!(!is_progress_line("==1234== ERROR: libFuzzer: deadly signal"));
        assert!(!is_progress_line("#NEW not a count"));
        assert!(!is_progress_line("stat::number_of_executed_units: 900000"));
    }
}
