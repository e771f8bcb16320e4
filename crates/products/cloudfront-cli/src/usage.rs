//! Command-line mistakes in the words of the AWS CLI's argument parser (argparse): the usage
//! lines, then `cloudfront: error: ...` (or the AWS CLI's own line, such as `Unknown options`),
//! so scripts matching its messages keep working.

use std::ffi::OsString;

use clap::ArgAction;

/// A command-line mistake in the AWS CLI's words (its argument parser's), as one line after
/// the usage lines, so scripts matching its messages keep working.
pub(crate) fn usage_error(error: &clap::Error, args: &[OsString]) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let context = |kind| match error.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(s)) => s.first().cloned().unwrap_or_default(),
        _ => String::new(),
    };
    // "--output <output>" -> "--output"
    let flag = context(ContextKind::InvalidArg).split(' ').next().unwrap_or_default().to_owned();
    let usage = "usage: cloudfront [options] <command> [parameters]\nTo see help text, you can run:\n\n  cloudfront help\n  cloudfront <command> help\n\n";
    let valid = match error.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(values)) => values.clone(),
        _ => Vec::new(),
    };
    let why = match error.kind() {
        // No value at all (the flag was last, or followed by another flag).
        ErrorKind::InvalidValue | ErrorKind::TooFewValues if context(ContextKind::InvalidValue).is_empty() => {
            let many = crate::command::command()
                .get_subcommands()
                .flat_map(|c| c.get_arguments().chain(c.get_subcommands().flat_map(|w| w.get_arguments())))
                .find(|a| a.get_long().map(|l| format!("--{l}")) == Some(flag.clone()))
                .and_then(|a| a.get_num_args())
                .is_some_and(|n| n.max_values() > 1);
            format!("argument {flag}: expected {} argument", if many { "at least one" } else { "one" })
        }
        ErrorKind::InvalidValue => {
            format!("argument {flag}: Invalid choice, valid choices are:\n\n{}", columns(&valid))
        }
        ErrorKind::TooFewValues => format!("argument {flag}: expected at least one argument"),
        ErrorKind::UnknownArgument => {
            return format!("\nUnknown options: {}", unknown_options(args).join(", "));
        }
        ErrorKind::InvalidSubcommand => {
            let names = match error.get(ContextKind::ValidSubcommand) {
                Some(ContextValue::Strings(v)) => v.clone(),
                _ => Vec::new(),
            };
            let what = if args.iter().any(|a| a == "wait") { "waiter_name" } else { "operation" };
            let mut all: Vec<String> = crate::command::command()
                .get_subcommands()
                .filter(|c| what == "operation" || c.get_name() == "wait")
                .flat_map(|c| {
                    if what == "operation" {
                        vec![c.get_name().to_owned()]
                    } else {
                        c.get_subcommands().map(|w| w.get_name().to_owned()).collect()
                    }
                })
                .collect();
            if all.is_empty() {
                all = names;
            }
            format!("argument {what}: Invalid choice, valid choices are:\n\n{}", columns(&all))
        }
        ErrorKind::ArgumentConflict => {
            let python = |f: &str| f.trim_start_matches('-').split(' ').next().unwrap_or_default().replace('-', "_");
            let other = context(ContextKind::PriorArg);
            // The AWS CLI names its extra flag (`--paths`) first, then the member it stands for.
            let extra = crate::customizations::is_extra_flag(flag.split(' ').next().unwrap_or_default());
            let (a, b) = if extra { (flag.clone(), other) } else { (other, flag.clone()) };
            return format!(
                "\nThe key \"{}\" cannot be specified when one of the following keys are also specified: {}",
                python(&a),
                python(&b).to_lowercase().replace("invalidationbatch", "invalidation_batch")
            );
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            if args.iter().skip(1).any(|a| a == "wait") {
                return "\nusage: cloudfront [options] wait <subcommand> [parameters]\ncloudfront: error: too few arguments".into();
            }
            "the following arguments are required: operation".into()
        }
        _ => {
            let rendered = error.render().to_string();
            rendered.lines().next().unwrap_or_default().trim_start_matches("error: ").to_owned()
        }
    };
    format!("{usage}cloudfront: error: {why}")
}

/// Choices two to a line, as the AWS CLI lists them.
pub(crate) fn columns(choices: &[String]) -> String {
    let mut out = String::new();
    for pair in choices.chunks(2) {
        match pair {
            [left, right] => out.push_str(&format!("{left:<40} | {right:<40}\n")),
            [left] => out.push_str(&format!("{left:<40}\n")),
            _ => {}
        }
    }
    out
}

/// Every word the parser could not place, values included, as the AWS CLI lists them: the
/// command line walked once, known flags taking their values, command words descending.
fn unknown_options(args: &[OsString]) -> Vec<String> {
    let root = crate::command::command();
    let words: Vec<String> = args.iter().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let mut current = &root;
    let mut descending = true;
    let mut unknown = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        i += 1;
        if let Some(name) = word.strip_prefix("--") {
            let (name, inline) = match name.split_once('=') {
                Some((n, _)) => (n, true),
                None => (name, false),
            };
            let known = current.get_arguments().chain(root.get_arguments()).find(|a| a.get_long() == Some(name));
            match known {
                Some(arg) if !inline && !matches!(arg.get_action(), ArgAction::SetTrue) => {
                    // Its values: one, or every word up to the next flag for a list.
                    let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1);
                    i += 1;
                    while many && words.get(i).is_some_and(|w| !w.starts_with("--")) {
                        i += 1;
                    }
                }
                Some(_) => {}
                None => unknown.push(word.clone()),
            }
            continue;
        }
        match current.find_subcommand(word).filter(|_| descending) {
            Some(sub) => current = sub,
            None => {
                descending = false;
                unknown.push(word.clone());
            }
        }
    }
    unknown
}
