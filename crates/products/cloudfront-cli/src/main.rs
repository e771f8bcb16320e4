//! `cloudfront`: the AWS CLI's CloudFront invalidation commands, with the same flags, the
//! same JSON output and the same exit codes, in a native binary.

use std::process::ExitCode;

use cloudfront_cli::{Failure, args, run};

/// `--debug` (or `RUST_LOG`) logs to stderr; the runtime redacts signatures and tokens.
///
/// `RUST_LOG` takes `target=level` directives separated by commas (a bare level applies to
/// every target); span and regex filters are not supported, so a value that uses them is
/// reported once and logging stays off rather than guessing.
fn init_logging(debug: bool) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let directives = match std::env::var("RUST_LOG") {
        Ok(directives) if !directives.is_empty() => directives,
        _ if debug => "cloudfront_runtime=trace,cloudfront=debug".to_owned(),
        _ => return,
    };
    let targets: tracing_subscriber::filter::Targets = match directives.parse() {
        Ok(targets) => targets,
        Err(e) => {
            eprintln!("RUST_LOG: {e} (use target=level directives separated by commas); logging is off");
            return;
        }
    };
    // The builder alone stops at INFO; the targets decide.
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .finish()
        .with(targets);
    let _ = subscriber.try_init();
}

/// Runs `work` to completion unless Ctrl-C comes first (then the AWS CLI's exit code for an
/// interrupted command). If the signal handler cannot be installed, the work simply runs.
async fn unless_interrupted(work: impl Future<Output = Result<String, Failure>>) -> Result<String, Failure> {
    use std::task::Poll;
    let mut work = std::pin::pin!(work);
    let mut interrupt = std::pin::pin!(tokio::signal::ctrl_c());
    let mut listening = true;
    std::future::poll_fn(|cx| {
        if let Poll::Ready(result) = work.as_mut().poll(cx) {
            return Poll::Ready(result);
        }
        if listening && let Poll::Ready(signal) = interrupt.as_mut().poll(cx) {
            match signal {
                Ok(()) => return Poll::Ready(Err(Failure::Interrupted)),
                Err(_) => listening = false,
            }
        }
        Poll::Pending
    })
    .await
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
        cloudfront_runtime::Config::loader(cloudfront_runtime::env::Env::process(), profile)
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
            args::Invocation::Deploy(deploy) => Some(&deploy.global),
            args::Invocation::Print(_) => None,
        });
        match &invocation {
            args::Invocation::Call(call) => init_logging(call.global.debug),
            args::Invocation::Invalidate(bulk) => init_logging(bulk.global.debug),
            args::Invocation::Deploy(deploy) => init_logging(deploy.global.debug),
            args::Invocation::Print(_) => {}
        }
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::Other(format!("cannot start the runtime: {e}")))?;
        runtime.block_on(unless_interrupted(run::run(invocation)))
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
