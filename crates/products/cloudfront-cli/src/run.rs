//! Running a parsed command: configuration, the call (with the AWS CLI's pagination), the
//! waiters, and the error messages and exit codes the AWS CLI uses.

use std::io::IsTerminal;
use std::time::Duration;

use cloudfront::{Client, SdkError};
use cloudfront_primitives::ProvideErrorMetadata;
use cloudfront_primitives::schema::OperationSchema;
use cloudfront_runtime::waiter::{WaitError, WaiterConfig};
use serde_json::{Value, json};

use crate::args::Invocation;
use crate::binary::BinaryFormat;
use crate::call::{Call, Global};
use crate::client::client;
use crate::{Failure, input, output, paginate, skeleton};

/// Runs the command and returns what to print.
pub async fn run(invocation: Invocation) -> Result<String, Failure> {
    let call = match invocation {
        Invocation::Print(text) => return Ok(text),
        Invocation::Invalidate(bulk) => return crate::invalidate::run(*bulk).await,
        Invocation::Deploy(deploy) => return crate::deploy::run(*deploy).await,
        Invocation::Call(call) => call,
    };
    if let Some(which) = &call.skeleton {
        return skeleton_of(&call, which);
    }
    // A bad query is a command-line error: refuse it before calling anything.
    if let Some(expression) = call.global.query.as_deref() {
        output::compile_query(expression)?;
    }
    let client = client(&call.global)?;
    let binary = BinaryFormat::choose(
        call.global.binary_format.as_deref(),
        client.config().profile().and_then(|p| p.get("cli_binary_format")),
    )?;
    let input = input::assemble(&call, binary)?;
    if call.global.debug {
        // Never the secret key, the session token or a signature.
        let config = client.config();
        eprintln!("debug: operation {}, region {}", call.operation.name, config.region.as_deref().unwrap_or("-"));
        eprintln!("debug: endpoint override {:?}", config.endpoint_url_for("CloudFront").ok().flatten());
        eprintln!("debug: input {input}");
    }
    // How to print is settled (a bad setting refused) before anything is called.
    let format = output_format(&call.global, &client);
    let style =
        output::TimestampStyle::from_setting(client.config().profile().and_then(|p| p.get("cli_timestamp_format")))?;
    if let Some(waiter) = call.waiter {
        wait(&client, waiter, &input).await?;
        return Ok(String::new());
    }
    let fetched = fetch(&client, call.operation, input.clone(), &call).await?;
    if call.wait {
        wait_after_create(&client, &call, &input, &fetched.merged).await?;
    }
    print_result(&call, &format, style, fetched)
}

/// `--generate-cli-skeleton`: the input as JSON or YAML, or a sample output.
fn skeleton_of(call: &Call, which: &str) -> Result<String, Failure> {
    match which {
        "yaml-input" => Ok(skeleton::yaml_input(call.operation.input)),
        "output" => {
            // As the AWS CLI: the output skeleton still wants the command's required flags.
            input::assemble(call, BinaryFormat::RawInBase64Out)?;
            output::render(&skeleton::output(call.operation.output, "", 0), "json", call.operation.name, "off")
        }
        _ => output::render(&skeleton::skeleton(call.operation.input, 0), "json", call.operation.name, "off"),
    }
}

/// `--wait` after a create: the customization's waiter on the new invalidation, with
/// progress on a terminal only (piped output stays exactly the AWS CLI's).
async fn wait_after_create(client: &Client, call: &Call, input: &Value, created: &Value) -> Result<(), Failure> {
    let id = created["Invalidation"]["Id"].as_str().unwrap_or_default().to_owned();
    let (waiter, wait_input) = crate::customizations::waiter_after(call.operation.name, input, &id)
        .ok_or_else(|| Failure::Usage(format!("--wait has no waiter after {}", call.operation.name)))?;
    let progress = std::io::stderr().is_terminal().then(|| tokio::spawn(show_progress(id.clone())));
    let waited = wait(client, waiter, &wait_input).await;
    if let Some(progress) = progress {
        progress.abort();
        eprintln!("\rinvalidation {id}: {}\x1b[K", if waited.is_ok() { "completed" } else { "not completed" });
    }
    waited
}

/// The result in the output format: whole, or page by page where the AWS CLI prints pages
/// on their own (`yaml-stream`, and `text` of a paginated list).
fn print_result(
    call: &Call,
    format: &str,
    style: output::TimestampStyle,
    fetched: paginate::Fetched,
) -> Result<String, Failure> {
    let (mut result, pages) = (fetched.merged, fetched.pages);
    let query = call.global.query.as_deref();
    let name = call.operation.name;
    if format == "yaml-stream" {
        // As the AWS CLI v2 streams: each page on its own (queried on its own) as a one-item list.
        let mut out = String::new();
        for mut page in pages {
            output::timestamps(&mut page, call.operation.output, style);
            let selected = output::query(page, query)?;
            out.push_str(&output::render(&Value::Array(vec![selected]), "yaml", name, "off")?);
        }
        return Ok(out);
    }
    let items_path = call.operation.pagination.as_ref().and_then(|p| p.items).filter(|_| !call.paging.no_paginate);
    if let (Some(items_path), "text") = (items_path, format) {
        return text_pages(call, &result, pages, items_path, style);
    }
    output::timestamps(&mut result, call.operation.output, style);
    let selected = output::query(result, query)?;
    output::render(&selected, format, name, call.global.color.as_deref().unwrap_or("auto"))
}

/// As the AWS CLI's text output of a paginated list: each page's items on their own (queried
/// on their own), then the token to resume from.
fn text_pages(
    call: &Call,
    result: &Value,
    pages: Vec<Value>,
    items_path: &str,
    style: output::TimestampStyle,
) -> Result<String, Failure> {
    let (query, name) = (call.global.query.as_deref(), call.operation.name);
    let mut out = String::new();
    for mut page in pages {
        output::timestamps(&mut page, call.operation.output, style);
        let items = items_path.split('.').try_fold(&page, |v, key| v.get(key)).cloned().unwrap_or(Value::Null);
        let current = items_path.rsplit('.').fold(items, |inner, key| json!({ key: inner }));
        let selected = output::query(current, query)?;
        out.push_str(&output::render(&selected, "text", name, "off")?);
    }
    if let Some(token) = result.get("NextToken") {
        let selected = output::query(json!({"NextToken": {"NextToken": token}}), query)?;
        out.push_str(&output::render(&selected, "text", name, "off")?);
    }
    Ok(out)
}

/// A one-line "waiting ... 1m 05s" on stderr, redrawn every second until aborted.
async fn show_progress(id: String) {
    use std::io::Write;
    let start = std::time::Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let seconds = start.elapsed().as_secs();
        eprint!("\rwaiting for invalidation {id} to complete... {}m {:02}s", seconds / 60, seconds % 60);
        let _ = std::io::stderr().flush();
    }
}

/// `--output`, else `AWS_DEFAULT_OUTPUT`, else the profile's `output`, else `json`.
fn output_format(global: &Global, client: &Client) -> String {
    global
        .output
        .clone()
        .or_else(|| std::env::var("AWS_DEFAULT_OUTPUT").ok().filter(|v| !v.is_empty()))
        .or_else(|| client.config().profile().and_then(|p| p.get("output")).map(str::to_owned))
        .unwrap_or_else(|| "json".into())
}

/// The AWS CLI's message and exit code for an operation's failure.
fn failure<E: ProvideErrorMetadata + std::fmt::Display>(operation: &str, error: SdkError<E>) -> Failure {
    match error {
        SdkError::Service(e) => {
            let attempts = &e.meta().attempts;
            // botocore counts retries, not attempts.
            let retries = if attempts.exhausted {
                format!(" (reached max retries: {})", attempts.made.saturating_sub(1))
            } else {
                String::new()
            };
            let applied = if attempts.may_have_been_applied {
                "An earlier attempt may have been applied: run the same command again to find out.\n"
            } else {
                ""
            };
            Failure::Service(format!(
                "{applied}An error occurred ({}) when calling the {operation} operation{retries}: {}",
                e.code().unwrap_or("Unknown"),
                e.message().unwrap_or_default()
            ))
        }
        SdkError::Construction(e) => Failure::Usage(format!("Parameter validation failed: {e}")),
        // Nothing found: what was tried, then the AWS CLI's own line (scripts match it).
        SdkError::Credentials(e @ cloudfront_runtime::credentials::CredentialsError::NotLoaded(_)) => Failure::Config(
            format!("{e}\nUnable to locate credentials. You can configure credentials by running \"aws configure\"."),
        ),
        SdkError::Credentials(e) => Failure::Config(format!("Unable to locate credentials. {e}")),
        // The AWS CLI v2's words and exit code for botocore's NoRegionError.
        SdkError::Config(e) if e == cloudfront_runtime::error::NO_REGION => {
            Failure::Config(format!("{e} You can also configure your region by running \"aws configure\"."))
        }
        e @ SdkError::Config(_) => Failure::Config(e.to_string()),
        // botocore's endpoint errors (a bad region, a missing services section, the rules'
        // refusals) are none of the AWS CLI v2's classes: it exits 255.
        e @ SdkError::Endpoint(_) => Failure::Other(e.to_string()),
        e => Failure::Other(e.to_string()),
    }
}

/// One call of an operation, JSON in and out, through the generated dispatch.
async fn call_once(client: &Client, operation: &str, input: Value) -> Result<Value, Failure> {
    use cloudfront::json::JsonCallError;
    cloudfront::json::call(client.handle(), operation, input).await.map_err(|e| match e {
        JsonCallError::UnknownOperation(name) => Failure::Usage(format!("unknown operation {name}")),
        JsonCallError::Input(why) => Failure::Usage(format!("Parameter validation failed: {why}")),
        JsonCallError::Call(error) => failure(operation, error),
        JsonCallError::Output(why) => Failure::Other(why),
        other => Failure::Other(other.to_string()),
    })
}

/// Calls the operation; paginated ones walk their pages as the AWS CLI does, unless
/// `--no-paginate` (or a manual marker) asks for one page.
async fn fetch(client: &Client, op: &OperationSchema, input: Value, call: &Call) -> Result<paginate::Fetched, Failure> {
    // A marker, or a page size not from --page-size, given in the input (--cli-input-json):
    // the AWS CLI then calls once, as asked, instead of walking the pages.
    let manual = op.pagination.as_ref().is_some_and(|p| {
        input.get(p.input_token).is_some()
            || (call.paging.page_size.is_none() && p.page_size.is_some_and(|size| input.get(size).is_some()))
    });
    let pagination = op.pagination.as_ref().filter(|p| !call.paging.no_paginate && !manual && p.items.is_some());
    let Some(pagination) = pagination else {
        let page = call_once(client, op.name, input).await?;
        return Ok(paginate::Fetched { merged: page.clone(), pages: vec![page] });
    };
    let request = paginate::Request {
        pagination,
        max_items: call.paging.max_items,
        starting_token: call.paging.starting_token.as_deref(),
    };
    paginate::fetch_all(request, input, |page_input| call_once(client, op.name, page_input)).await
}

/// Runs a waiter to the end, through the generated dispatch by waiter name; the AWS CLI
/// prints nothing on success and exits 255 otherwise.
async fn wait(client: &Client, waiter: &str, input: &Value) -> Result<(), Failure> {
    use cloudfront::json::JsonWaitError;
    let max_wait = crate::tuning::wait_max()?;
    let poll = crate::tuning::wait_poll()?;
    let describe = |e: String| Failure::Other(format!("Waiter {waiter} failed: {e}"));
    let tune = |mut config: WaiterConfig| {
        if let Some(max) = max_wait {
            config.max_wait = max;
        }
        if let Some(poll) = poll {
            (config.min_delay, config.max_delay) = (poll, poll * 4);
        }
        config
    };
    cloudfront::json::wait(client.handle(), waiter, input.clone(), tune).await.map_err(|e| match e {
        JsonWaitError::UnknownWaiter(other) => Failure::Usage(format!("unknown waiter {other}")),
        JsonWaitError::Input(why) => Failure::Usage(format!("Parameter validation failed: {why}")),
        JsonWaitError::Wait(error) => waiter_failure(error, describe),
        other => Failure::Other(other.to_string()),
    })
}

fn waiter_failure<O, E: ProvideErrorMetadata + std::fmt::Display>(
    error: WaitError<O, E>,
    describe: impl Fn(String) -> Failure,
) -> Failure {
    match error {
        WaitError::TimedOut { attempts, .. } => describe(format!("Max attempts exceeded ({attempts} polls)")),
        WaitError::FailureState { .. } => describe("Waiter encountered a terminal failure state".into()),
        WaitError::Error(SdkError::Service(e)) => describe(format!(
            "An error occurred ({}): {}",
            e.code().unwrap_or("Unknown"),
            e.message().unwrap_or_default()
        )),
        WaitError::Error(e) => describe(e.to_string()),
        other => describe(other.to_string()),
    }
}
