//! One call as the command line gave it: the operation, its member flags and the AWS CLI's
//! pagination and global options; and the spellings the command line uses for names and
//! numbers.

use cloudfront_primitives::schema::{Field, OperationSchema};

use crate::Failure;

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
