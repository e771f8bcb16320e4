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

/// The pager for this invocation's output, if stdout is a terminal and nothing turns it off.
fn pager_for(global: Option<&args::Global>) -> Option<String> {
    use std::io::IsTerminal;
    let no_pager = global.is_some_and(|g| g.no_pager);
    if no_pager || !std::io::stdout().is_terminal() {
        return None;
    }
    let env = |key: &str| std::env::var(key).ok();
    // The profile's cli_pager matters only when AWS_PAGER does not decide.
    let setting = if env("AWS_PAGER").is_none() {
        let profile = global.and_then(|g| g.profile.clone());
        sdk_runtime::Config::loader(sdk_runtime::env::Env::process(), profile)
            .build()
            .ok()
            .and_then(|config| config.profile().and_then(|p| p.get("cli_pager")).map(str::to_owned))
    } else {
        None
    };
    cloudfront_cli::pager::choose(false, true, env, setting.as_deref())
}

fn main() -> ExitCode {
    let mut pager = None;
    let outcome = args::parse(std::env::args_os()).and_then(|invocation| {
        pager = pager_for(match &invocation {
            args::Invocation::Call(call) => Some(&call.global),
            args::Invocation::Invalidate(bulk) => Some(&bulk.global),
            args::Invocation::Print(_) => None,
        });
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
        Ok(text) => match pager.filter(|_| !text.is_empty()) {
            Some(pager) => match cloudfront_cli::pager::show(&pager, &text) {
                Ok(()) => ExitCode::SUCCESS,
                Err(failure) => {
                    eprintln!("{}", failure.message());
                    ExitCode::from(failure.exit_code())
                }
            },
            None => {
                print!("{text}");
                ExitCode::SUCCESS
            }
        },
        Err(failure) => {
            let message = failure.message();
            if !message.is_empty() {
                eprintln!("{message}");
            }
            ExitCode::from(failure.exit_code())
        }
    }
}
