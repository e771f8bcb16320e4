//! `cloudfront`: the AWS CLI's CloudFront invalidation commands, with the same flags, the
//! same JSON output and the same exit codes, in a native binary.

mod args;
mod input;
mod invalidate;
mod output;
mod run;
mod shorthand;
mod skeleton;
mod table;
mod text_width;
mod yaml;

use std::process::ExitCode;

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
    fn exit_code(&self) -> u8 {
        match self {
            Failure::Usage(_) => 252,
            Failure::Config(_) => 253,
            Failure::Service(_) => 254,
            Failure::Other(_) => 255,
            Failure::Interrupted => 130,
        }
    }

    fn message(&self) -> &str {
        match self {
            Failure::Usage(m) | Failure::Config(m) | Failure::Service(m) | Failure::Other(m) => m,
            Failure::Interrupted => "",
        }
    }
}

/// `--debug` (or `RUST_LOG`) logs to stderr; the runtime redacts signatures and tokens.
fn init_logging(debug: bool) {
    let filter = match std::env::var("RUST_LOG") {
        Ok(filter) if !filter.is_empty() => filter,
        _ if debug => "sdk_runtime=trace,cloudfront=debug".to_owned(),
        _ => return,
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

fn main() -> ExitCode {
    let outcome = args::parse(std::env::args_os()).and_then(|invocation| {
        match &invocation {
            args::Invocation::Call(call) => init_logging(call.global.debug),
            args::Invocation::Invalidate(bulk) => init_logging(bulk.global.debug),
            args::Invocation::Print(_) => {}
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::Other(format!("cannot start the runtime: {e}")))?;
        runtime.block_on(async {
            tokio::select! {
                result = run::run(invocation) => result,
                // Ctrl-C ends the command with the AWS CLI's exit code.
                _ = tokio::signal::ctrl_c() => Err(Failure::Interrupted),
            }
        })
    });
    match outcome {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(failure) => {
            let message = failure.message();
            if !message.is_empty() {
                eprintln!("{message}");
            }
            ExitCode::from(failure.exit_code())
        }
    }
}
