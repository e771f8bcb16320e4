//! The AWS CLI's global options, in one table: the argument parser, the help page, shell
//! completion (made from the parser) and the prompt all read it.

use clap::{Arg, ArgAction};

/// What a global option takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Takes {
    /// Nothing: a switch.
    Nothing,
    /// Any text.
    Text,
    /// A whole number of seconds (a negative one is read, then refused with its reason).
    Seconds,
    /// One of these words.
    OneOf(&'static [&'static str]),
}

/// One global option.
pub(crate) struct GlobalOption {
    /// The flag, dashes included.
    pub flag: &'static str,
    pub takes: Takes,
    /// The argument parser's one-line help.
    pub help: &'static str,
    /// The paragraph of the help page.
    pub doc: &'static str,
    /// Read (and removed) before parsing, by the prompt: not an argument of the parser.
    pub prompt_switch: bool,
}

const fn option(flag: &'static str, takes: Takes, help: &'static str, doc: &'static str) -> GlobalOption {
    GlobalOption { flag, takes, help, doc, prompt_switch: false }
}

/// Every global option, in the order the help page lists them.
pub(crate) const GLOBAL_OPTIONS: &[GlobalOption] = &[
    option(
        "--debug",
        Takes::Nothing,
        "log requests and responses (secrets redacted) to stderr",
        "Log each request and response (secrets redacted) to stderr.",
    ),
    option(
        "--endpoint-url",
        Takes::Text,
        "send requests to this URL",
        "Send requests to this URL instead of CloudFront's.",
    ),
    option(
        "--no-verify-ssl",
        Takes::Nothing,
        "do not verify TLS certificates (testing only)",
        "Do not verify TLS certificates (test servers only).",
    ),
    option("--no-paginate", Takes::Nothing, "fetch only the first page", "Ask for the first page only."),
    option(
        "--output",
        Takes::OneOf(&["json", "text", "table", "yaml", "yaml-stream"]),
        "json, text, table, yaml or yaml-stream",
        "The output format: json, text, table, yaml or yaml-stream.",
    ),
    option(
        "--query",
        Takes::Text,
        "a JMESPath query applied to the output",
        "A JMESPath expression applied to the result before printing.",
    ),
    option(
        "--profile",
        Takes::Text,
        "the profile of the shared config files",
        "The profile of the shared configuration files to use.",
    ),
    option(
        "--region",
        Takes::Text,
        "the region to use",
        "The region (CloudFront is global; it only matters for STS, FIPS and custom endpoints).",
    ),
    option(
        "--color",
        Takes::OneOf(&["on", "off", "auto"]),
        "on, off or auto",
        "Color in tables: on, off or auto (on for a terminal).",
    ),
    option(
        "--no-sign-request",
        Takes::Nothing,
        "send requests unsigned",
        "Send requests unsigned (no credentials are looked up).",
    ),
    option(
        "--ca-bundle",
        Takes::Text,
        "a PEM file of certificate authorities to trust",
        "A PEM file of certificate authorities to trust.",
    ),
    option(
        "--cli-read-timeout",
        Takes::Seconds,
        "the longest wait for a read, in seconds (0: none)",
        "The longest wait for a read, in whole seconds; 0 waits forever.",
    ),
    option(
        "--cli-connect-timeout",
        Takes::Seconds,
        "the longest wait for a connection, in seconds (0: none)",
        "The longest wait for a connection, in whole seconds; 0 waits forever.",
    ),
    option(
        "--no-cli-pager",
        Takes::Nothing,
        "write output straight out, without the pager",
        "Write output straight to stdout, without the pager (on a terminal, output goes through AWS_PAGER, the profile's cli_pager, PAGER or `less -R`).",
    ),
    option(
        "--cli-binary-format",
        Takes::OneOf(&["base64", "raw-in-base64-out"]),
        "how text for blob members is read: base64 or raw-in-base64-out",
        "How text given for blob members is read: base64 (the default) or raw-in-base64-out; fileb:// always gives the file's bytes.",
    ),
    GlobalOption {
        flag: "--cli-auto-prompt",
        takes: Takes::Nothing,
        help: "ask for the command and its parameters on the terminal",
        doc: "Ask for the command and each parameter on the terminal, then run it (also AWS_CLI_AUTO_PROMPT or the profile's cli_auto_prompt: on, or on-partial to ask only for what is missing).",
        prompt_switch: true,
    },
    GlobalOption {
        flag: "--no-cli-auto-prompt",
        takes: Takes::Nothing,
        help: "never prompt",
        doc: "Never prompt, whatever the environment or profile say.",
        prompt_switch: true,
    },
];

impl GlobalOption {
    /// The option as the argument parser takes it (global: before or after the command).
    pub(crate) fn arg(&self) -> Arg {
        let name = self.flag.trim_start_matches('-');
        let arg = Arg::new(name).long(name).global(true).help(self.help);
        match self.takes {
            Takes::Nothing => arg.action(ArgAction::SetTrue),
            Takes::Text => arg.num_args(1),
            Takes::Seconds => arg.num_args(1).allow_negative_numbers(true),
            Takes::OneOf(words) => arg.num_args(1).value_parser(words.to_vec()),
        }
    }

    /// How the help page shows what it takes.
    pub(crate) fn value(&self) -> &'static str {
        if self.takes == Takes::Nothing { "" } else { "<value>" }
    }
}

/// The option spelt `flag`, if it is one.
pub(crate) fn find(flag: &str) -> Option<&'static GlobalOption> {
    GLOBAL_OPTIONS.iter().find(|o| o.flag == flag)
}

/// Whether `flag` is a global option followed by a value.
pub(crate) fn takes_value(flag: &str) -> bool {
    find(flag).is_some_and(|o| o.takes != Takes::Nothing)
}

/// The options the argument parser takes (all but the prompt's own switches).
pub(crate) fn parser_args() -> Vec<Arg> {
    GLOBAL_OPTIONS.iter().filter(|o| !o.prompt_switch).map(GlobalOption::arg).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's list of global options is this table's, flag for flag (`--version` and
    /// `--help` are the parser's own).
    #[test]
    fn the_readme_lists_every_global_option_and_no_other() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../README.md");
        let readme = std::fs::read_to_string(&path).expect("the README");
        let start = readme.find("Global options: ").expect("a Global options paragraph");
        let paragraph = &readme[start..start + readme[start..].find("\n\n").expect("its end")];
        let documented: std::collections::BTreeSet<&str> = paragraph
            .split('`')
            .skip(1)
            .step_by(2)
            .filter_map(|code| code.split(|c: char| c.is_whitespace() || c == '|').next())
            .filter(|flag| flag.starts_with("--") && !matches!(*flag, "--version" | "--help"))
            .collect();
        let table: std::collections::BTreeSet<&str> = GLOBAL_OPTIONS.iter().map(|o| o.flag).collect();
        assert_eq!(documented, table, "README.md's global options and global_options.rs differ");
    }
}
