//! The command line, built from the generated schema: one command per operation (flags named
//! after the input members, as the AWS CLI names them), `wait <waiter>`, and the AWS CLI's
//! global options.

use std::ffi::OsString;

use clap::{Arg, ArgAction, ArgMatches, Command};
use cloudfront::schema::OPERATIONS;
use sdk_types::schema::{Field, Kind, OperationSchema};

use crate::Failure;

/// What to do.
pub enum Invocation {
    /// Print this (help, version) and exit 0.
    Print(String),
    /// Call an operation (or wait on a waiter).
    Call(Box<Call>),
    /// Our own bulk `invalidate` command.
    Invalidate(Box<crate::invalidate::Args>),
}

/// One operation call with everything the command line said.
pub struct Call {
    pub operation: &'static OperationSchema,
    /// `Some` for `wait <waiter>`.
    pub waiter: Option<&'static str>,
    /// Member flags given, with their raw values, in command-line order.
    pub members: Vec<(&'static Field, String)>,
    /// `--paths` of `create-invalidation`.
    pub paths: Option<Vec<String>>,
    pub cli_input_json: Option<String>,
    pub cli_input_yaml: Option<String>,
    pub skeleton: Option<String>,
    pub paging: Paging,
    /// `--wait` on the create commands.
    pub wait: bool,
    /// `--encode-paths` on the create commands.
    pub encode_paths: bool,
    pub global: Global,
}

/// The AWS CLI's pagination flags.
#[derive(Default)]
pub struct Paging {
    pub max_items: Option<usize>,
    pub page_size: Option<String>,
    pub starting_token: Option<String>,
    pub no_paginate: bool,
}

/// Options that apply to every command.
#[derive(Default)]
pub struct Global {
    pub output: Option<String>,
    pub query: Option<String>,
    pub endpoint_url: Option<String>,
    pub region: Option<String>,
    pub profile: Option<String>,
    pub no_sign_request: bool,
    pub no_verify_ssl: bool,
    pub ca_bundle: Option<String>,
    pub read_timeout: Option<String>,
    pub connect_timeout: Option<String>,
    pub debug: bool,
    /// `--color`: on, off or auto.
    pub color: Option<String>,
}

/// `CreateInvalidation` -> `create-invalidation`; `DistributionId` -> `distribution-id`.
pub fn kebab(name: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if prev.is_lowercase() || prev.is_ascii_digit() || (prev.is_uppercase() && next_lower) {
                out.push('-');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn global_args() -> Vec<Arg> {
    let value = |name: &'static str, help: &'static str| Arg::new(name).long(name).global(true).num_args(1).help(help);
    let flag = |name: &'static str, help: &'static str| {
        Arg::new(name).long(name).global(true).action(ArgAction::SetTrue).help(help)
    };
    vec![
        value("output", "json, text, table, yaml or yaml-stream").value_parser([
            "json",
            "text",
            "table",
            "yaml",
            "yaml-stream",
        ]),
        value("query", "a JMESPath query applied to the output"),
        value("endpoint-url", "send requests to this URL"),
        value("region", "the region to use"),
        value("profile", "the profile of the shared config files"),
        flag("no-sign-request", "send requests unsigned"),
        flag("no-verify-ssl", "do not verify TLS certificates (testing only)"),
        value("ca-bundle", "a PEM file of certificate authorities to trust"),
        value("cli-read-timeout", "the longest wait for a read, in seconds (0: none)"),
        value("cli-connect-timeout", "the longest wait for a connection, in seconds (0: none)"),
        flag("debug", "log requests and responses (secrets redacted) to stderr"),
        value("color", "on, off or auto").value_parser(["on", "off", "auto"]),
        flag("no-cli-pager", "do not page the output (this CLI never does)"),
        flag("no-paginate", "fetch only the first page"),
    ]
}

/// The flags of an operation's input members (the pagination members are replaced by the
/// AWS CLI's `--starting-token` and `--page-size`).
fn member_args(op: &'static OperationSchema, customize: bool) -> Vec<Arg> {
    let hidden: Vec<&str> = op.pagination.iter().flat_map(|p| [Some(p.input_token), p.page_size]).flatten().collect();
    let mut args: Vec<Arg> = op
        .input
        .fields()
        .iter()
        .filter(|f| !hidden.contains(&f.name))
        .map(|f| {
            let help = match f.kind {
                Kind::Structure(_) | Kind::List(_) | Kind::Map(_) | Kind::Union(_) => {
                    "JSON, shorthand syntax, or file://PATH"
                }
                _ => "a value",
            };
            Arg::new(f.name).long(kebab(f.name)).num_args(1).help(help)
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
            .value_parser(["input", "yaml-input", "output"])
            .help("print a skeleton of the input (or output) instead of calling"),
    );
    if op.pagination.is_some() {
        args.push(Arg::new("max-items").long("max-items").num_args(1).help("the most items to print in all"));
        args.push(Arg::new("page-size").long("page-size").num_args(1).help("items per request"));
        args.push(Arg::new("starting-token").long("starting-token").num_args(1).help("continue from this NextToken"));
    }
    if customize && op.name == "CreateInvalidation" {
        args.push(
            Arg::new("paths")
                .long("paths")
                .num_args(1..)
                .conflicts_with("InvalidationBatch")
                .help("paths to invalidate, with a generated CallerReference"),
        );
    }
    if customize && op.name.starts_with("CreateInvalidation") {
        args.push(
            Arg::new("wait").long("wait").action(ArgAction::SetTrue).help("wait until the invalidation completes"),
        );
        args.push(
            Arg::new("encode-paths")
                .long("encode-paths")
                .action(ArgAction::SetTrue)
                .help("percent-encode spaces, non-ASCII and unsafe characters in the paths"),
        );
    }
    args
}

fn command() -> Command {
    let mut root = Command::new("cloudfront")
        .about("Amazon CloudFront invalidations, as the AWS CLI's `aws cloudfront` commands")
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(true)
        .args(global_args());
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
    root.subcommand(wait).subcommand(crate::invalidate::command())
}

/// Parses the command line.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Invocation, Failure> {
    let matches = match command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) if matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion) => {
            return Ok(Invocation::Print(e.to_string()));
        }
        Err(e) if e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return Err(Failure::Usage(e.to_string()));
        }
        // One line: clap's first line names the flag and the rule; usage and hints follow it.
        Err(e) => {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or_default().trim_start_matches("error: ");
            return Err(Failure::Usage(format!("cloudfront: error: {first} (see --help)")));
        }
    };
    let (name, sub) = matches.subcommand().expect("a subcommand is required");
    if name == "invalidate" {
        return crate::invalidate::Args::from_matches(sub, global(&matches, sub))
            .map(|a| Invocation::Invalidate(Box::new(a)));
    }
    let (operation, waiter, sub) = if name == "wait" {
        let (waiter_name, inner) = sub.subcommand().expect("a waiter is required");
        let (op, waiter) = OPERATIONS
            .iter()
            .find_map(|op| op.waiters.iter().find(|w| kebab(w) == waiter_name).map(|w| (op, *w)))
            .expect("clap only accepts known waiters");
        (op, Some(waiter), inner)
    } else {
        (OPERATIONS.iter().find(|op| kebab(op.name) == name).expect("clap only accepts known commands"), None, sub)
    };
    let text = |m: &ArgMatches, id: &str| m.try_get_one::<String>(id).ok().flatten().cloned();
    let flag = |m: &ArgMatches, id: &str| m.try_get_one::<bool>(id).ok().flatten().copied().unwrap_or(false);
    let mut members: Vec<(&'static Field, String, usize)> = Vec::new();
    for field in operation.input.fields() {
        if let Ok(Some(value)) = sub.try_get_one::<String>(field.name) {
            members.push((field, value.clone(), sub.index_of(field.name).unwrap_or(usize::MAX)));
        }
    }
    members.sort_by_key(|(_, _, index)| *index);
    let max_items = text(sub, "max-items")
        .map(|v| {
            v.parse::<usize>().map_err(|_| Failure::Usage(format!("--max-items must be a whole number, not {v:?}")))
        })
        .transpose()?;
    Ok(Invocation::Call(Box::new(Call {
        operation,
        waiter,
        members: members.into_iter().map(|(f, v, _)| (f, v)).collect(),
        paths: sub.try_get_many::<String>("paths").ok().flatten().map(|v| v.cloned().collect()),
        cli_input_json: text(sub, "cli-input-json"),
        cli_input_yaml: text(sub, "cli-input-yaml"),
        skeleton: text(sub, "generate-cli-skeleton"),
        paging: Paging {
            max_items,
            page_size: text(sub, "page-size"),
            starting_token: text(sub, "starting-token"),
            no_paginate: flag(&matches, "no-paginate") || flag(sub, "no-paginate"),
        },
        wait: flag(sub, "wait"),
        encode_paths: flag(sub, "encode-paths"),
        global: global(&matches, sub),
    })))
}

/// The global options, given before or after the command name.
pub fn global(matches: &ArgMatches, sub: &ArgMatches) -> Global {
    let text = |m: &ArgMatches, id: &str| m.try_get_one::<String>(id).ok().flatten().cloned();
    let flag = |m: &ArgMatches, id: &str| m.try_get_one::<bool>(id).ok().flatten().copied().unwrap_or(false);
    Global {
        output: text(sub, "output").or_else(|| text(matches, "output")),
        query: text(sub, "query").or_else(|| text(matches, "query")),
        endpoint_url: text(sub, "endpoint-url").or_else(|| text(matches, "endpoint-url")),
        region: text(sub, "region").or_else(|| text(matches, "region")),
        profile: text(sub, "profile").or_else(|| text(matches, "profile")),
        no_sign_request: flag(sub, "no-sign-request") || flag(matches, "no-sign-request"),
        no_verify_ssl: flag(sub, "no-verify-ssl") || flag(matches, "no-verify-ssl"),
        ca_bundle: text(sub, "ca-bundle").or_else(|| text(matches, "ca-bundle")),
        read_timeout: text(sub, "cli-read-timeout").or_else(|| text(matches, "cli-read-timeout")),
        connect_timeout: text(sub, "cli-connect-timeout").or_else(|| text(matches, "cli-connect-timeout")),
        debug: flag(sub, "debug") || flag(matches, "debug"),
        color: text(sub, "color").or_else(|| text(matches, "color")),
    }
}

#[cfg(test)]
mod tests {
    use super::kebab;

    #[test]
    fn flag_names_follow_the_aws_cli() {
        assert_eq!(kebab("CreateInvalidationForDistributionTenant"), "create-invalidation-for-distribution-tenant");
        assert_eq!(kebab("DistributionId"), "distribution-id");
        assert_eq!(kebab("InvalidationCompleted"), "invalidation-completed");
    }
}
