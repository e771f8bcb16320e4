//! `cargo xtask conformance [PATH...]`: runs every botocore vector file found under the given
//! files or directories (default `../shared/conformance`) against the generated crates and
//! prints `N passed, M failed` last.

mod coerce;
mod deviations;
mod operations;
mod sigv4_suite;
mod vectors;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let paths: Vec<PathBuf> = if args.is_empty() {
        vec![root.join("../shared/conformance")]
    } else {
        args.iter().map(PathBuf::from).collect()
    };
    match vectors::run(&root, &paths) {
        Ok(tally) => {
            println!("{} passed, {} failed", tally.passed, tally.failed);
            if tally.failed == 0 && tally.passed > 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Err(message) => {
            eprintln!("error: {message}");
            println!("0 passed, 1 failed");
            ExitCode::FAILURE
        }
    }
}
