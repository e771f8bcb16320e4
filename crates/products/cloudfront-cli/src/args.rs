//! Parsing the command line into what to do: help pages, completion scripts, the prompt, an
//! operation call or our `invalidate` (the parser itself is `command`'s).

use std::ffi::OsString;

use clap::ArgMatches;
use cloudfront::schema::OPERATIONS;
use cloudfront_primitives::schema::{Field, OperationSchema};

use crate::Failure;
pub use crate::call::{Call, Global, Paging, kebab, python_int};
use crate::command::command;
use crate::customizations::{ENCODE_PATHS, PATHS, WAIT};

/// What to do.
pub enum Invocation {
    /// Print this (help, version) and exit 0.
    Print(String),
    /// Call an operation (or wait on a waiter).
    Call(Box<Call>),
    /// Our own bulk `invalidate` command.
    Invalidate(Box<crate::invalidate::Args>),
    /// Our own `deploy` command.
    Deploy(Box<crate::deploy::Args>),
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
    if name == "deploy" {
        return crate::deploy::Args::from_matches(sub, global(&matches, sub)).map(|a| Invocation::Deploy(Box::new(a)));
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

/// `cloudfront [COMMAND [WAITER]] help` (the AWS CLI's form) or `--help` / `-h` anywhere:
/// the manual page of what the words before it name. `invalidate`'s and `deploy`'s pages are
/// clap's, so their `help` becomes `--help`.
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
    if path.first().is_some_and(|w| w == "invalidate" || w == "deploy") {
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
