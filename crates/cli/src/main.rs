//! `cloudfront`: the AWS CLI's CloudFront invalidation commands, with the same flags, the
//! same JSON output and the same exit codes, in a native binary.

use std::process::ExitCode;

use cloudfront_cli::{Failure, args, run};

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
