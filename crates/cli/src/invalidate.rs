//! `cloudfront invalidate`: our own command (the AWS CLI has none like it) for a whole
//! deploy: any number of paths, validated all at once, planned into batches CloudFront
//! accepts, sent with a shared pace and backoff, to a distribution or to many tenants.

use std::io::{IsTerminal, Read, Write};

use clap::{Arg, ArgAction, ArgMatches, Command};
use cloudfront_invalidate::execute::{Event, Settings, Target, fan_out};
use cloudfront_invalidate::paths::Rule;
use cloudfront_invalidate::plan::{Options, plan};
use serde_json::{Value, json};

use crate::Failure;
use crate::args::Global;

/// Everything `invalidate` was told.
pub struct Args {
    targets: Vec<Target>,
    all_tenants_of: Option<String>,
    paths: Vec<String>,
    paths_from: Option<String>,
    prefix: Option<String>,
    encode: bool,
    dry_run: bool,
    wait: bool,
    concurrency: usize,
    run_id: Option<String>,
    pub global: Global,
}

/// The command's flags.
pub fn command() -> Command {
    Command::new("invalidate")
        .about(
            "invalidate a whole deploy: validated, batched within CloudFront's limits, retried, fanned out to tenants",
        )
        .arg(Arg::new("paths").num_args(0..).help("paths (or #cache-tags) to invalidate"))
        .arg(
            Arg::new("distribution-id")
                .long("distribution-id")
                .num_args(1)
                .conflicts_with_all(["tenant-id", "all-tenants-of"]),
        )
        .arg(
            Arg::new("all-tenants-of")
                .long("all-tenants-of")
                .num_args(1)
                .conflicts_with("tenant-id")
                .help("every tenant of this multi-tenant distribution"),
        )
        .arg(
            Arg::new("tenant-id")
                .long("tenant-id")
                .num_args(1..)
                .action(ArgAction::Append)
                .help("one or more tenant ids"),
        )
        .arg(
            Arg::new("paths-from")
                .long("paths-from")
                .num_args(1)
                .help("read paths from FILE, one per line (- for stdin)"),
        )
        .arg(Arg::new("prefix").long("prefix").num_args(1).help("URL path prefix put before every file name"))
        .arg(
            Arg::new("encode-paths")
                .long("encode-paths")
                .action(ArgAction::SetTrue)
                .help("percent-encode raw file names"),
        )
        .arg(Arg::new("dry-run").long("dry-run").action(ArgAction::SetTrue).help("print the plan, send nothing"))
        .arg(Arg::new("wait").long("wait").action(ArgAction::SetTrue).help("wait for every batch to complete"))
        .arg(
            Arg::new("concurrency")
                .long("concurrency")
                .num_args(1)
                .default_value("2")
                .help("targets (and batches) in flight"),
        )
        .arg(Arg::new("run-id").long("run-id").num_args(1).help("re-use after a crash: the same plan, no duplicates"))
}

impl Args {
    /// Reads the flags; refuses a missing target or a bad number.
    pub fn from_matches(m: &ArgMatches, global: Global) -> Result<Args, Failure> {
        let text = |id: &str| m.get_one::<String>(id).cloned();
        let many = |id: &str| m.get_many::<String>(id).map(|v| v.cloned().collect::<Vec<_>>()).unwrap_or_default();
        let mut targets: Vec<Target> = text("distribution-id").map(Target::Distribution).into_iter().collect();
        targets.extend(many("tenant-id").into_iter().map(Target::Tenant));
        let all_tenants_of = text("all-tenants-of");
        if targets.is_empty() && all_tenants_of.is_none() {
            return Err(Failure::Usage(
                "invalidate needs --distribution-id ID, --tenant-id ID [ID ...] or --all-tenants-of DISTRIBUTION_ID"
                    .into(),
            ));
        }
        let concurrency = text("concurrency").unwrap_or_default();
        let concurrency = concurrency.parse::<usize>().ok().filter(|c| (1..=64).contains(c)).ok_or_else(|| {
            Failure::Usage(format!("--concurrency must be a whole number from 1 to 64, not {concurrency:?}"))
        })?;
        Ok(Args {
            targets,
            all_tenants_of,
            paths: many("paths"),
            paths_from: text("paths-from"),
            prefix: text("prefix"),
            encode: m.get_flag("encode-paths"),
            dry_run: m.get_flag("dry-run"),
            wait: m.get_flag("wait"),
            concurrency,
            run_id: text("run-id"),
            global,
        })
    }
}

/// Plans, then (unless `--dry-run`) sends, and prints a result per target.
pub async fn run(args: Args) -> Result<String, Failure> {
    let items = items(&args)?;
    let run_id = args.run_id.clone().unwrap_or_else(cloudfront_invalidate::unique_caller_reference);
    let planned =
        plan(&items, &run_id, &Options { encode: args.encode, ..Options::default() }).map_err(|problems| {
            let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
            let encoding = problems.iter().any(|p| p.rule == Rule::NeedsEncoding);
            let hint = if encoding { " (--encode-paths encodes them)" } else { "" };
            Failure::Usage(format!("{} problems with the paths given{hint}:\n{}", problems.len(), lines.join("\n")))
        })?;
    let json_output = args.global.output.as_deref() == Some("json");
    if args.dry_run {
        if json_output {
            let batches: Vec<Value> = planned
                .batches
                .iter()
                .map(|b| json!({"CallerReference": b.caller_reference, "Items": b.items}))
                .collect();
            let plan = json!({"RunId": run_id, "Batches": batches, "Duplicates": planned.duplicates, "Covered": planned.covered});
            return crate::output::render(&plan, "json", "Invalidate", "off");
        }
        return Ok(format!("run id {run_id}\n{planned}"));
    }
    let client = crate::run::client(&args.global)?;
    let mut targets = args.targets.clone();
    if let Some(distribution) = &args.all_tenants_of {
        let tenants = cloudfront_invalidate::execute::tenants_of(&client, distribution).await;
        targets
            .extend(tenants.map_err(|e| Failure::Service(format!("cannot list the tenants of {distribution}: {e}")))?);
        if targets.is_empty() {
            return Err(Failure::Service(format!("distribution {distribution} has no tenants")));
        }
    }
    let mut settings = Settings { concurrency: args.concurrency, wait_for_each: args.wait, ..Settings::default() };
    // For tests and emulators: a faster pace and polling than CloudFront's real API allows.
    if let Some(ms) = std::env::var("CLOUDFRONT_PACE_MS").ok().and_then(|v| v.parse().ok()) {
        settings.pacer = cloudfront_invalidate::execute::Pacer::new(std::time::Duration::from_millis(ms));
    }
    if let Some(ms) = std::env::var("CLOUDFRONT_WAIT_POLL_MS").ok().and_then(|v| v.parse().ok()) {
        settings.poll = std::time::Duration::from_millis(ms);
    }
    let total = planned.batches.len() * targets.len();
    let progress = Progress::new(total);
    eprintln!("run id {run_id} (re-run with --run-id {run_id} to resume without duplicates)");
    let outcomes =
        fan_out(&client, &targets, &planned, &settings, &|target, event| progress.show(target, &event)).await;
    progress.finish();
    let failed = outcomes.iter().filter(|(_, o)| o.is_err()).count();
    let report = if json_output {
        let targets: Vec<Value> = outcomes
            .iter()
            .map(|(target, outcome)| match outcome {
                Ok(s) => json!({"Target": target.to_string(), "Status": "ok", "InvalidationIds": s.ids, "Retries": s.retries}),
                Err(e) => json!({"Target": target.to_string(), "Status": "error", "Code": e.code, "Message": e.to_string()}),
            })
            .collect();
        crate::output::render(&json!({"RunId": run_id, "Targets": targets}), "json", "Invalidate", "off")?
    } else {
        let mut out = String::new();
        for (target, outcome) in &outcomes {
            match outcome {
                Ok(s) => out.push_str(&format!(
                    "{target}: ok, {} invalidations ({}), {} retries\n",
                    s.ids.len(),
                    s.ids.join(" "),
                    s.retries
                )),
                Err(e) => out.push_str(&format!("{target}: error {}: {e}\n", e.code.as_deref().unwrap_or("-"))),
            }
        }
        out
    };
    if failed == 0 {
        Ok(report)
    } else {
        print!("{report}");
        Err(Failure::Service(format!("{failed} of {} targets failed", outcomes.len())))
    }
}

/// The items: arguments, then `--paths-from` lines, each under `--prefix`.
fn items(args: &Args) -> Result<Vec<String>, Failure> {
    let mut names = args.paths.clone();
    if let Some(source) = &args.paths_from {
        let mut text = String::new();
        let read = if source == "-" {
            std::io::stdin().read_to_string(&mut text).map(drop)
        } else {
            std::fs::File::open(source).and_then(|mut f| f.read_to_string(&mut text)).map(drop)
        };
        read.map_err(|e| Failure::Usage(format!("--paths-from {source}: cannot read it: {e}")))?;
        names.extend(text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned));
    }
    if names.is_empty() {
        return Err(Failure::Usage("invalidate needs paths: as arguments or with --paths-from FILE".into()));
    }
    Ok(match &args.prefix {
        Some(prefix) => names
            .into_iter()
            .map(|n| {
                if n.starts_with('#') {
                    n
                } else {
                    format!("{}/{}", prefix.trim_end_matches('/'), n.trim_start_matches('/'))
                }
            })
            .collect(),
        None => names,
    })
}

/// Progress on stderr: a redrawn line on a terminal, one line per event when piped.
struct Progress {
    terminal: bool,
    total: usize,
    state: std::sync::Mutex<(usize, usize, usize)>,
}

impl Progress {
    fn new(total: usize) -> Progress {
        Progress { terminal: std::io::stderr().is_terminal(), total, state: Default::default() }
    }

    fn show(&self, target: &Target, event: &Event) {
        let mut state = self.state.lock().expect("not poisoned");
        let (batches, paths, retries) = &mut *state;
        let line = match event {
            Event::Submitted { batch, id, items } => {
                *batches += 1;
                *paths += items;
                format!("{target}: batch {} submitted as {id} ({items} items)", batch + 1)
            }
            Event::Retrying { batch, code, after } => {
                *retries += 1;
                format!("{target}: batch {} refused ({code}), retrying in {:.1} s", batch + 1, after.as_secs_f64())
            }
            Event::Completed { batch } => format!("{target}: batch {} completed", batch + 1),
        };
        if self.terminal {
            eprint!("\r[{batches}/{}] batches, {paths} paths, {retries} retries\x1b[K", self.total);
            let _ = std::io::stderr().flush();
        } else {
            eprintln!("{line}");
        }
    }

    fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}
