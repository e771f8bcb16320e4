//! The `cloudfront` command line as a library: argument parsing, input assembly (shorthand,
//! JSON, YAML, files), calling, and output formatting. `main.rs` is the thin binary; the
//! fuzz targets drive the parsers from here.
//!
//! The interface this crate promises is the command line (the AWS CLI's); this library is the
//! binary's internals and may change in any release. Programs should use the `cloudfront` crate.

pub mod args;
pub mod binary;
pub mod call;
mod client;
pub mod command;
pub mod completion;
mod customizations;
pub mod deploy;
pub mod github;
mod global_options;
pub mod help;
pub mod input;
pub mod invalidate;
pub mod output;
pub mod pager;
pub mod paginate;
pub mod prompt;
pub mod query;
pub mod run;
pub mod shorthand;
pub mod skeleton;
pub mod table;
pub mod text_width;
pub mod tuning;
pub mod usage;
pub mod validate;
pub mod yaml;

/// How a command ended, as an AWS CLI exit code.
#[derive(Debug)]
pub enum Failure {
    /// 252: the command line is wrong (unknown flag, bad value, missing member).
    Usage(String),
    /// 253: the configuration or credentials are unusable.
    Config(String),
    /// 254: the service answered with an error.
    Service(String),
    /// 255: anything else (network, timeouts, a waiter giving up).
    Other(String),
    /// 130: interrupted by Ctrl-C.
    Interrupted,
}

impl Failure {
    /// The process exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 252,
            Failure::Config(_) => 253,
            Failure::Service(_) => 254,
            Failure::Other(_) => 255,
            Failure::Interrupted => 130,
        }
    }

    /// What to print on stderr (nothing for Ctrl-C).
    pub fn message(&self) -> &str {
        match self {
            Failure::Usage(m) | Failure::Config(m) | Failure::Service(m) | Failure::Other(m) => m,
            Failure::Interrupted => "",
        }
    }
}
