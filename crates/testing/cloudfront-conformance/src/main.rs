//! `cargo xtask conformance [--every-rule-used] [PATH...]`: runs every botocore vector file
//! found under the given files or directories (default: the public vectors in
//! `../shared/conformance` and our `rule-vectors/`) against the generated crates and
//! prints `N passed, M failed` last. Only the default run (or one given `--every-rule-used`)
//! checks that every deviation rule matches some case: another set need not hold every class.

mod coerce;
mod deviations;
mod operations;
mod sigv4_suite;
mod vectors;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    // `--every-rule-used`: the given paths must exercise every deviation rule (rule-vectors/).
    let every_rule_used = args.iter().any(|a| a == "--every-rule-used");
    args.retain(|a| a != "--every-rule-used");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../..");
    let check_rules_used = args.is_empty() || every_rule_used;
    let paths: Vec<PathBuf> = if args.is_empty() {
        vec![root.join("../shared/conformance"), root.join("crates/testing/cloudfront-conformance/rule-vectors")]
    } else {
        args.iter().map(PathBuf::from).collect()
    };
    match vectors::run(&root, &paths, check_rules_used) {
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
