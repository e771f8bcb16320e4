//! `cargo xtask fuzz [--seconds N] [--runs R] [TARGET...]`: runs the cargo-fuzz targets under
//! `fuzz/` (libFuzzer) for N seconds each (default 30, what CI runs) or R executions, whichever
//! ends first, starting from their committed
//! seeds and from every input that once crashed them (`fuzz/regressions/`), and fails if any
//! target crashes. Works on the stable toolchain: libFuzzer's instrumentation flags are
//! unlocked with RUSTC_BOOTSTRAP, and no sanitizer is needed for the safe Rust the targets
//! reach. Long runs: see FUZZING.md.

use crate::run::root;

const TARGETS: &[&str] = &["responses", "cli_input", "paths", "sigv4", "query", "argv"];

pub fn main(args: &[String]) -> Result<(), String> {
    let mut seconds = 30;
    let mut runs: Option<u64> = None;
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
            name if TARGETS.contains(&name) => {
                targets.push(TARGETS[TARGETS.iter().position(|t| *t == name).unwrap_or(0)])
            }
            other => return Err(format!("unknown fuzz target or option {other:?}; targets: {}", TARGETS.join(", "))),
        }
    }
    if targets.is_empty() {
        targets = TARGETS.to_vec();
    }
    let fuzz = root().join("fuzz");
    let (mut passed, mut failed) = (0, 0);
    for target in targets {
        let corpus = root().join("target/fuzz-corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| format!("cannot create {}: {e}", corpus.display()))?;
        println!("==> fuzz {target} for {seconds} s");
        let status = std::process::Command::new("cargo")
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
            .status()
            .map_err(|e| format!("cannot run cargo fuzz (install it: cargo install cargo-fuzz --locked): {e}"))?;
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
