//! `cargo xtask <command>`: the project's automation. Run `cargo xtask help` for the list.

mod bench;
mod demo;
mod e2e;
mod fuzz;
mod peers;
mod protocol_tests;
mod regenerate;
mod run;
mod test;
mod tidy;

use std::process::ExitCode;

const HELP: &str = "\
usage: cargo xtask <command> [options]

commands:
  regenerate [--check]                      rebuild the generated crates from model/ (--check: fail on drift)
  regenerate --model FILE --all --out DIR   generate every operation of FILE's service into DIR
  test                                      every test: format, lints, drift, unit tests, conformance, full-model build
  conformance [--every-rule-used] [PATH...]  check the generated crates against botocore vectors (default ../shared/conformance)
  protocol-tests [MODEL]                    run the Smithy restXml compliance suite through the generator
  e2e [--record | --latest-peers | --fakecloud]  the client and CLI against the pinned peers (tools/pins.txt; --record: write their answers that plain cargo test compares with), the newest ones, or fakecloud
  demo                                      the cloudfront CLI's everyday flow against a local moto
  fuzz [--seconds N] [--runs R] [--record] [TARGET...]  run the fuzz targets for N s (default 30) or R executions each (--record: log in fuzz/runs.log)
  bench [--quick]                           ours vs the official SDK and the AWS CLI; writes bench/results/
  tidy                                      functions over 80 lines and import circles in the hand-written code
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((command, rest)) = args.split_first() else {
        eprint!("{HELP}");
        return ExitCode::from(2);
    };
    let result = match command.as_str() {
        "regenerate" => regenerate::main(rest),
        "test" => test::main(rest),
        "conformance" => run::cargo_forward("cloudfront-conformance", rest),
        "protocol-tests" => protocol_tests::main(rest),
        "e2e" => e2e::main(rest),
        "demo" => demo::main(rest),
        "fuzz" => fuzz::main(rest),
        "tidy" => tidy::main(rest),
        "bench" => bench::main(rest),
        "help" | "--help" | "-h" => {
            print!("{HELP}");
            Ok(())
        }
        other => Err(format!("unknown command {other:?}\n\n{HELP}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    /// The README's command table and this help name the same commands (with the same
    /// options), so neither can fall behind the other.
    #[test]
    fn the_readme_lists_every_command_and_no_other() {
        let readme = std::fs::read_to_string(crate::run::root().join("README.md")).expect("the README");
        let documented: std::collections::BTreeSet<String> = readme
            .lines()
            .filter_map(|line| line.strip_prefix("| `cargo xtask "))
            .filter_map(|rest| rest.split('`').next())
            .map(|command| command.replace("\\|", "|"))
            .collect();
        let helped: std::collections::BTreeSet<String> = super::HELP
            .lines()
            .skip_while(|l| *l != "commands:")
            .skip(1)
            .filter_map(|l| l.trim_start().split("  ").next())
            .filter(|c| !c.is_empty())
            .map(str::to_owned)
            .collect();
        assert_eq!(documented, helped, "README.md's command table and `cargo xtask help` differ");
    }
}
