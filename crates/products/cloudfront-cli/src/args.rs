//! The command line, built from the generated schema: one command per operation (flags named
//! after the input members, as the AWS CLI names them), `wait <waiter>`, and the AWS CLI's
//! global options.

use std::ffi::OsString;

use clap::{Arg, ArgAction, ArgMatches, Command};
use cloudfront::schema::OPERATIONS;
use cloudfront_primitives::schema::{Field, OperationSchema};

use crate::Failure;
use crate::customizations::{ENCODE_PATHS, PATHS, WAIT};

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
    /// `--cli-binary-format`: base64 or raw-in-base64-out.
    pub binary_format: Option<String>,
    /// `--no-cli-pager`.
    pub no_pager: bool,
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
    root.subcommand(wait).subcommand(crate::invalidate::command())
}

/// Parses the command line.
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Invocation, Failure> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    if let Some(page) = help_request(&mut args)? {
        return Ok(Invocation::Print(page));
    }
    if args.get(1).is_some_and(|a| a == "completion") {
        return crate::completion::script(&args[2..]).map(Invocation::Print);
    }
    prompt_if_asked(&mut args)?;
    let matches = match command().try_get_matches_from(&args) {
        Ok(m) => m,
        Err(e) if matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion) => {
            return Ok(Invocation::Print(e.to_string()));
        }
        Err(e) => return Err(Failure::Usage(crate::usage::usage_error(&e, &args))),
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
    let mut members: Vec<(&'static Field, String)> = members.into_iter().map(|(f, v, _)| (f, v)).collect();
    let paging = paging(operation, &matches, sub, &mut members)?;
    Ok(Invocation::Call(Box::new(Call {
        operation,
        waiter,
        members,
        paths: sub.try_get_many::<String>(PATHS.id()).ok().flatten().map(|v| v.cloned().collect()),
        cli_input_json: text(sub, "cli-input-json"),
        cli_input_yaml: text(sub, "cli-input-yaml"),
        skeleton: text(sub, "generate-cli-skeleton"),
        paging,
        wait: flag(sub, WAIT.id()),
        encode_paths: flag(sub, ENCODE_PATHS.id()),
        global: global(&matches, sub),
    })))
}

/// The paging flags, with the AWS CLI's rules: a manual marker turns pagination off; with
/// pagination off, `--max-items` is the operation's own page-size member and the other paging
/// flags are refused.
fn paging(
    op: &'static OperationSchema,
    matches: &ArgMatches,
    sub: &ArgMatches,
    members: &mut Vec<(&'static Field, String)>,
) -> Result<Paging, Failure> {
    let text = |id: &str| sub.try_get_one::<String>(id).ok().flatten().cloned();
    let flag = |m: &ArgMatches| m.try_get_one::<bool>("no-paginate").ok().flatten().copied().unwrap_or(false);
    let Some(pagination) = &op.pagination else {
        return Ok(Paging { no_paginate: flag(matches) || flag(sub), ..Paging::default() });
    };
    let manual_marker = members.iter().any(|(f, _)| f.name == pagination.input_token);
    let no_paginate = flag(matches) || flag(sub) || manual_marker;
    let (starting_token, page_size, max_items) = (text("starting-token"), text("page-size"), text("max-items"));
    if no_paginate {
        let used: Vec<&str> = [("--starting-token", &starting_token), ("--page-size", &page_size)]
            .into_iter()
            .filter(|(_, v)| v.as_deref().is_some_and(|v| !v.is_empty()))
            .map(|(name, _)| name)
            .collect();
        if !used.is_empty() {
            return Err(Failure::Usage(format!(
                "\nCannot specify --no-paginate along with pagination arguments: {}",
                used.join(", ")
            )));
        }
        let size_member = pagination.page_size.and_then(|name| op.input.fields().iter().find(|f| f.name == name));
        if let (Some(field), Some(value)) = (size_member, max_items) {
            members.push((field, value));
        }
        return Ok(Paging { no_paginate: true, ..Paging::default() });
    }
    let max_items = match max_items.as_deref().map(|m| python_int("--max-items", m)).transpose()? {
        Some(n) if n < 0 => {
            return Err(Failure::Usage(format!("\nargument --max-items: must be 0 or more, not {n}")));
        }
        n => n.map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
    };
    Ok(Paging { max_items, page_size, starting_token, no_paginate })
}

/// A whole number as Python's `int()` reads it (the AWS CLI's type for counts and
/// timeouts), with its error text.
pub fn python_int(flag: &str, text: &str) -> Result<i64, Failure> {
    // The flag and the rule first; the AWS CLI's own line last.
    let invalid = || {
        Failure::Other(format!(
            "{flag}: expected a whole number, not {text:?}\ninvalid literal for int() with base 10: '{text}'"
        ))
    };
    let trimmed = text.trim();
    let (negative, digits) = match trimmed.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
    };
    let well_formed = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.chars().all(|c| c.is_ascii_digit() || c == '_');
    if !well_formed {
        return Err(invalid());
    }
    // Beyond i64 is no limit at all, either way.
    let magnitude = digits.replace('_', "").parse::<i64>().unwrap_or(i64::MAX);
    Ok(if negative { -magnitude } else { magnitude })
}

/// `cloudfront [COMMAND [WAITER]] help` (the AWS CLI's form) or `--help` / `-h` anywhere:
/// the manual page of what the words before it name. `invalidate`'s page is clap's, so its
/// `help` becomes `--help`.
fn help_request(args: &mut Vec<OsString>) -> Result<Option<String>, Failure> {
    let words: Vec<String> = args.iter().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    // A trailing `help` is the help command, unless it is a flag's value (`--id help`).
    let trailing_help = words.last().is_some_and(|w| w == "help")
        && !words.len().checked_sub(2).and_then(|i| words.get(i)).is_some_and(|w| w.starts_with("--"));
    let asked = trailing_help || words.iter().any(|w| w == "--help" || w == "-h");
    if !asked {
        return Ok(None);
    }
    // The command's words, global options (and their values) set aside.
    let (_, path) = crate::prompt::find_command(&words);
    let path: Vec<String> = path.into_iter().filter(|w| w != "help").collect();
    if path.first().is_some_and(|w| w == "invalidate") {
        if words.last().is_some_and(|w| w == "help") {
            args.pop();
            args.push("--help".into());
        }
        return Ok(None);
    }
    match crate::help::page(&path) {
        Some(page) => Ok(Some(page)),
        None => Err(Failure::Usage(format!(
            "cloudfront: error: no help for {:?}: run `cloudfront help` for the commands",
            path.join(" ")
        ))),
    }
}

/// Auto-prompt (`--cli-auto-prompt`, `AWS_CLI_AUTO_PROMPT`, the profile's `cli_auto_prompt`):
/// asks on the terminal and replaces `args` with the completed command. Never without a
/// terminal on stdin and stderr: nothing waits for input there.
fn prompt_if_asked(args: &mut Vec<OsString>) -> Result<(), Failure> {
    use std::io::IsTerminal;
    let profile = args
        .iter()
        .position(|a| a == "--profile")
        .and_then(|i| args.get(i + 1))
        .map(|p| p.to_string_lossy().into_owned());
    let profile_setting = || {
        cloudfront_runtime::Config::loader(cloudfront_runtime::env::Env::process(), profile)
            .build()
            .ok()
            .and_then(|config| config.profile().and_then(|p| p.get("cli_auto_prompt")).map(str::to_owned))
    };
    let mode = crate::prompt::mode(args, |key| std::env::var(key).ok(), profile_setting)?;
    if mode == crate::prompt::Mode::Off || !std::io::stdin().is_terminal() || !std::io::stderr().is_terminal() {
        return Ok(());
    }
    crate::prompt::exit_130_on_ctrl_c();
    let completed = crate::prompt::complete(args, mode, &mut std::io::stdin().lock(), &mut std::io::stderr());
    crate::prompt::default_ctrl_c();
    *args = completed?;
    Ok(())
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
        binary_format: text(sub, "cli-binary-format").or_else(|| text(matches, "cli-binary-format")),
        no_pager: flag(sub, "no-cli-pager") || flag(matches, "no-cli-pager"),
    }
}

#[cfg(test)]
mod tests {
    use super::kebab;

    #[test]
    fn an_unknown_argument_spelt_like_the_program_is_listed() {
        // Found by the argv fuzz target: the search for the first unknown word found argv[0].
        let argv = ["cloudfront", "list-invalidations", "cloudfront", "x"].map(std::ffi::OsString::from);
        let Err(failure) = super::parse(argv) else { panic!("unknown words are refused") };
        assert!(failure.message().ends_with("Unknown options: cloudfront, x"), "{}", failure.message());
    }

    #[test]
    fn unknown_options_are_listed_as_the_aws_cli_lists_them() {
        let unknown = |line: &str| {
            let argv = std::iter::once("cloudfront").chain(line.split(' ')).map(std::ffi::OsString::from);
            super::parse(argv).err().map(|f| f.message().trim().to_owned()).unwrap_or_default()
        };
        // Known flags take their values; only what nothing takes is listed.
        assert_eq!(
            unknown("list-invalidations --distribution-id E1 --bogus --max-items 5"),
            "Unknown options: --bogus"
        );
        assert_eq!(unknown("get-invalidation --distribution-id E1 --id I1 E1"), "Unknown options: E1");
        assert_eq!(unknown("get-invalidation --distribution-id=E1 --id I1 --nope=2 x"), "Unknown options: --nope=2, x");
        // A flag without its value.
        assert!(unknown("get-invalidation --id I1 --output").ends_with("argument --output: expected one argument"));
        assert!(
            unknown("create-invalidation --distribution-id E1 --paths")
                .ends_with("argument --paths: expected at least one argument")
        );
    }

    #[test]
    fn flag_names_follow_the_aws_cli() {
        assert_eq!(kebab("CreateInvalidationForDistributionTenant"), "create-invalidation-for-distribution-tenant");
        assert_eq!(kebab("DistributionId"), "distribution-id");
        assert_eq!(kebab("InvalidationCompleted"), "invalidation-completed");
    }
}
