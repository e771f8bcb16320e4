//! The command line as the argument parser sees it, built from the generated schema: one
//! command per operation (flags named after the input members, as the AWS CLI names them),
//! `wait <waiter>`, our `invalidate`, and the AWS CLI's global options. Completion scripts are
//! made from it too.

use clap::{Arg, ArgAction, Command};
use cloudfront::schema::OPERATIONS;
use cloudfront_primitives::schema::OperationSchema;

use crate::call::kebab;

/// The flags of an operation's input members (the pagination members are replaced by the
/// AWS CLI's `--starting-token` and `--page-size`).
fn member_args(op: &'static OperationSchema, customize: bool) -> Vec<Arg> {
    // As in the AWS CLI: the page-size member is reached through `--page-size` (or, with
    // `--no-paginate`, `--max-items`); the marker member stays as an undocumented flag that
    // turns pagination off.
    let page_size = op.pagination.as_ref().and_then(|p| p.page_size);
    let marker = op.pagination.as_ref().map(|p| p.input_token);
    let mut args: Vec<Arg> = op
        .input
        .fields()
        .iter()
        .filter(|f| Some(f.name) != page_size)
        .map(|f| {
            // The member's own documentation (its first paragraph); `help` pages show all of it.
            let help = f.doc.split("\n\n").next().unwrap_or_default();
            Arg::new(f.name).long(kebab(f.name)).num_args(1).help(help).hide(Some(f.name) == marker)
        })
        .collect();
    args.push(
        Arg::new("cli-input-json").long("cli-input-json").num_args(1).help("read the input from JSON (or file://PATH)"),
    );
    args.push(
        Arg::new("cli-input-yaml").long("cli-input-yaml").num_args(1).help("read the input from YAML (or file://PATH)"),
    );
    args.push(
        Arg::new("generate-cli-skeleton")
            .long("generate-cli-skeleton")
            .num_args(0..=1)
            .default_missing_value("input")
            .value_parser(["input", "output", "yaml-input"])
            .help("print a skeleton of the input (or output) instead of calling"),
    );
    if op.pagination.is_some() {
        args.push(
            Arg::new("max-items")
                .long("max-items")
                .num_args(1)
                .allow_negative_numbers(true)
                .help("the most items to print in all"),
        );
        args.push(
            Arg::new("page-size").long("page-size").num_args(1).allow_negative_numbers(true).help("items per request"),
        );
        args.push(Arg::new("starting-token").long("starting-token").num_args(1).help("continue from this NextToken"));
    }
    for extra in crate::customizations::for_operation(op.name).filter(|_| customize) {
        let arg = Arg::new(extra.id()).long(extra.id()).help(extra.help);
        let arg = if extra.takes_values { arg.num_args(1..) } else { arg.action(ArgAction::SetTrue) };
        args.push(match extra.stands_for {
            Some(member) => arg.conflicts_with(member),
            None => arg,
        });
    }
    args
}

/// The whole command line as clap sees it (also what completion scripts are made from).
pub(crate) fn command() -> Command {
    let mut root = Command::new("cloudfront")
        .about("Amazon CloudFront invalidations, as the AWS CLI's `aws cloudfront` commands")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .args(crate::global_options::parser_args());
    let mut wait = Command::new("wait").about("wait until a resource reaches a state").subcommand_required(true);
    for op in OPERATIONS {
        root = root.subcommand(Command::new(kebab(op.name)).about(op.summary).args(member_args(op, true)));
        for waiter in op.waiters {
            wait = wait.subcommand(
                Command::new(kebab(waiter))
                    .about(format!("poll {} until {waiter}", op.name))
                    .args(member_args(op, false)),
            );
        }
    }
    root.subcommand(wait).subcommand(crate::invalidate::command()).subcommand(crate::deploy::command())
}
