//! `cloudfront invalidate`: our own command (the AWS CLI has none like it) for a whole
//! deploy: any number of paths, validated all at once, planned into batches CloudFront
//! accepts, sent with a shared pace and backoff, to a distribution or to many tenants.

use std::io::{IsTerminal, Read, Write};
use std::sync::Arc;

use clap::{Arg, ArgAction, ArgMatches, Command};
use cloudfront_invalidate::collapse::{Collapsed, collapse};
use cloudfront_invalidate::execute::{
    Event, Failure as ExecuteFailure, Pacer, Settings, Summary, Target, TargetOutcome, fan_out,
};
use cloudfront_invalidate::journal::Journal;
use cloudfront_invalidate::paths::{Rule, encode};
use cloudfront_invalidate::plan::{Limits, Options, Plan, cost_estimate, plan};
use serde_json::{Value, json};

use crate::Failure;
use crate::call::Global;

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
    resume: bool,
    pace: f64,
    journal: Option<String>,
    status: bool,
    site_manifest: Option<String>,
    collapse: bool,
    max_overreach: f64,
    pub global: Global,
}

/// The command's flags: what to invalidate, then how to send it.
pub fn command() -> Command {
    let command = Command::new("invalidate")
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
        );
    sending(command)
}

/// The flags that say how a run sends: dry run, waiting, concurrency, pacing, run id and
/// journal, collapsing.
fn sending(command: Command) -> Command {
    command
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
        .arg(
            Arg::new("resume")
                .long("resume")
                .action(ArgAction::SetTrue)
                .help("continue an interrupted run: batches an earlier run submitted are not an error"),
        )
        .arg(
            Arg::new("pace")
                .long("pace")
                .num_args(1)
                .allow_negative_numbers(true)
                .default_value("0.5")
                .help("at most this many CreateInvalidation calls a second (slower after throttling, then recovering)"),
        )
        .arg(
            Arg::new("journal")
                .long("journal")
                .num_args(1)
                .help("record each accepted batch in FILE; a rerun skips what it lists"),
        )
        .arg(
            Arg::new("status")
                .long("status")
                .action(ArgAction::SetTrue)
                .requires("journal")
                .help("show the batches of --journal FILE and their status; send nothing"),
        )
        .arg(
            Arg::new("site-manifest")
                .long("site-manifest")
                .num_args(1)
                .help("every path currently deployed, one per line (for --collapse)"),
        )
        .arg(
            Arg::new("collapse")
                .long("collapse")
                .action(ArgAction::SetTrue)
                .requires("site-manifest")
                .help("replace changed files with folder wildcards where that lowers billed paths"),
        )
        .arg(
            Arg::new("max-overreach")
                .long("max-overreach")
                .num_args(1)
                .allow_negative_numbers(true)
                .default_value("0")
                .help("unchanged objects a wildcard may cover, per changed one (with --collapse)"),
        )
}

impl Args {
    /// Reads the flags; refuses a missing target or a bad number.
    pub fn from_matches(m: &ArgMatches, global: Global) -> Result<Args, Failure> {
        let text = |id: &str| m.get_one::<String>(id).cloned();
        let many = |id: &str| m.get_many::<String>(id).map(|v| v.cloned().collect::<Vec<_>>()).unwrap_or_default();
        let mut targets: Vec<Target> = text("distribution-id").map(Target::Distribution).into_iter().collect();
        // `--tenant-id a b /index.html` takes every following word: an id never starts with
        // '/' or '#', so those words are the paths.
        let (paths_given_to_tenants, tenant_ids): (Vec<String>, Vec<String>) =
            many("tenant-id").into_iter().partition(|v| v.starts_with('/') || v.starts_with('#'));
        targets.extend(tenant_ids.into_iter().map(Target::Tenant));
        let mut paths = paths_given_to_tenants;
        paths.extend(many("paths"));
        let all_tenants_of = text("all-tenants-of");
        let status = m.get_flag("status");
        if targets.is_empty() && all_tenants_of.is_none() && !status {
            return Err(Failure::Usage(
                "invalidate needs --distribution-id ID, --tenant-id ID [ID ...] or --all-tenants-of DISTRIBUTION_ID"
                    .into(),
            ));
        }
        let concurrency = parse_concurrency(&text("concurrency").unwrap_or_default())?;
        let pace = parse_pace(&text("pace").unwrap_or_default())?;
        let max_overreach = parse_overreach(&text("max-overreach").unwrap_or_default())?;
        let site_manifest = text("site-manifest");
        if site_manifest.is_some() && !m.get_flag("collapse") {
            return Err(Failure::Usage("--site-manifest is read by --collapse; add --collapse or leave it out".into()));
        }
        Ok(Args {
            targets,
            all_tenants_of,
            paths,
            paths_from: text("paths-from"),
            prefix: text("prefix"),
            encode: m.get_flag("encode-paths"),
            dry_run: m.get_flag("dry-run"),
            wait: m.get_flag("wait"),
            concurrency,
            run_id: text("run-id"),
            resume: m.get_flag("resume"),
            pace,
            journal: text("journal"),
            status,
            site_manifest,
            collapse: m.get_flag("collapse"),
            max_overreach,
            global,
        })
    }
}

/// Plans, then (unless `--dry-run`) sends, and prints a result per target.
pub async fn run(args: Args) -> Result<String, Failure> {
    let journal = open_journal(&args)?;
    if args.status {
        let journal = journal.expect("--status requires --journal");
        return status(&args, &journal).await;
    }
    let (planned, run_id, collapsed) = plan_run(&args, journal.as_deref())?;
    if args.dry_run {
        return dry_run_report(&args, &planned, &run_id, collapsed.as_ref());
    }
    let outcomes = send(&args, &planned, &run_id, journal).await?;
    let failed = outcomes.iter().filter(|(_, o)| o.is_err()).count();
    // Batches an earlier run submitted (found by CloudFront or in the journal): nothing new
    // was invalidated for them, which only a resumed run expects.
    let earlier: usize =
        outcomes.iter().filter_map(|(_, o)| o.as_ref().ok()).map(|s| s.earlier.len() + s.from_journal.len()).sum();
    let report = result_report(&args, &planned, &run_id, collapsed.as_ref(), &outcomes)?;
    github_summary(&args, &run_id, &outcomes, planned.billed_paths());
    if failed == 0 && (earlier == 0 || args.resume) {
        return Ok(report);
    }
    print!("{report}");
    if failed > 0 {
        return Err(Failure::Service(format!("{failed} of {} targets failed", outcomes.len())));
    }
    Err(Failure::Service(format!(
        "{earlier} batches were already submitted by an earlier run with run id {run_id}: nothing new was invalidated for them; \
         use a new --run-id, or --resume to continue an interrupted run"
    )))
}

/// In GitHub Actions: the run's summary and outputs (`status`: completed with `--wait`,
/// else submitted; failed if any target failed).
fn github_summary(args: &Args, run_id: &str, outcomes: &[TargetOutcome], billed_per_target: usize) {
    let failed = outcomes.iter().any(|(_, o)| o.is_err());
    let status = if failed {
        "failed"
    } else if args.wait {
        "completed"
    } else {
        "submitted"
    };
    let targets: Vec<(String, Result<Vec<String>, String>)> = outcomes
        .iter()
        .map(|(target, outcome)| {
            (target.to_string(), outcome.as_ref().map(|s| s.ids.clone()).map_err(|e| e.to_string()))
        })
        .collect();
    for (target, outcome) in &targets {
        if let Err(message) = outcome {
            crate::github::annotate("error", &format!("{target}: {message}"));
        }
    }
    crate::github::invalidate_summary(run_id, status, &targets, billed_per_target * outcomes.len());
}

/// The journal, if asked for: only a run that sends writes to it; `--status` and
/// `--dry-run` only read it.
fn open_journal(args: &Args) -> Result<Option<Arc<Journal>>, Failure> {
    let Some(path) = args.journal.as_deref() else { return Ok(None) };
    let path = std::path::Path::new(path);
    let journal = if args.status || args.dry_run { Journal::read(path) } else { Journal::open(path) };
    journal.map(|j| Some(Arc::new(j))).map_err(Failure::Usage)
}

/// The items (collapsed with `--collapse`), the run id and the plan.
fn plan_run(args: &Args, journal: Option<&Journal>) -> Result<(Plan, String, Option<Collapsed>), Failure> {
    let mut items = items(args)?;
    let mut collapsed: Option<Collapsed> = None;
    if args.collapse {
        let manifest = manifest(args)?;
        let result = collapse(&items, &manifest, args.max_overreach, Limits::default().wildcards_in_progress);
        items = result.items.clone();
        collapsed = Some(result);
    }
    // `--resume` continues the journal's run; otherwise the run id given, or a fresh one (a
    // journal kept across deploys must not make a new deploy look like an old one).
    let run_id = args
        .run_id
        .clone()
        .or_else(|| journal.filter(|_| args.resume).and_then(|j| j.run_id().map(str::to_owned)))
        .unwrap_or_else(cloudfront_invalidate::unique_caller_reference);
    let planned = plan(&items, &run_id, &Options::default()).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        for problem in &problems {
            crate::github::annotate("error", &problem.to_string());
        }
        let encoding = problems.iter().any(|p| p.rule == Rule::NeedsEncoding);
        let hint = if encoding { " (--encode-paths encodes them)" } else { "" };
        Failure::Usage(format!("{} problems with the paths given{hint}:\n{}", problems.len(), lines.join("\n")))
    })?;
    Ok((planned, run_id, collapsed))
}

/// `--collapse`'s wildcards as the JSON reports list them.
fn wildcard_report(collapsed: &Collapsed) -> Vec<Value> {
    collapsed
        .wildcards
        .iter()
        .map(|w| json!({"Path": w.path, "Changed": w.changed, "Unchanged": w.unchanged}))
        .collect()
}

/// `--dry-run`: the plan, as JSON or text.
fn dry_run_report(args: &Args, planned: &Plan, run_id: &str, collapsed: Option<&Collapsed>) -> Result<String, Failure> {
    if args.global.output.as_deref() != Some("json") {
        let mut out = format!("run id {run_id}\n{planned}");
        if let Some(c) = collapsed {
            out.push_str(&collapse_report(c));
        }
        return Ok(out);
    }
    let batches: Vec<Value> = planned
        .batches
        .iter()
        .map(|b| {
            let references: serde_json::Map<String, Value> =
                args.targets.iter().map(|t| (t.id().to_owned(), json!(b.caller_reference(t.id())))).collect();
            json!({"Items": b.items, "CallerReferences": references})
        })
        .collect();
    let mut plan = json!({
        "RunId": run_id,
        "Batches": batches,
        "Duplicates": planned.duplicates,
        "Covered": planned.covered,
        "BilledPathsPerTarget": planned.billed_paths(),
    });
    if let Some(c) = collapsed {
        plan["Collapsed"] = json!(wildcard_report(c));
    }
    crate::output::render(&plan, "json", "Invalidate", "off")
}

/// Sends the plan to every target (the tenants of `--all-tenants-of` included), paced, with
/// progress on the terminal.
async fn send(
    args: &Args,
    planned: &Plan,
    run_id: &str,
    journal: Option<Arc<Journal>>,
) -> Result<Vec<TargetOutcome>, Failure> {
    let client = crate::client::client(&args.global)?;
    let mut targets = args.targets.clone();
    if let Some(distribution) = &args.all_tenants_of {
        let tenants = cloudfront_invalidate::execute::tenants_of(&client, distribution).await;
        targets
            .extend(tenants.map_err(|e| Failure::Service(format!("cannot list the tenants of {distribution}: {e}")))?);
        if targets.is_empty() {
            return Err(Failure::Service(format!("distribution {distribution} has no tenants")));
        }
    }
    let settings = send_settings(args.concurrency, args.wait, args.pace, journal)?;
    let progress = Progress::new(planned.batches.len() * targets.len());
    eprintln!("run id {run_id} (re-run with --run-id {run_id} --resume to continue it without duplicates)");
    let outcomes = fan_out(&client, &targets, planned, &settings, &|target, event| progress.show(target, &event)).await;
    progress.finish();
    Ok(outcomes)
}

/// `--concurrency`: a whole number from 1 to 64.
pub(crate) fn parse_concurrency(text: &str) -> Result<usize, Failure> {
    text.parse::<usize>()
        .ok()
        .filter(|c| (1..=64).contains(c))
        .ok_or_else(|| Failure::Usage(format!("--concurrency must be a whole number from 1 to 64, not {text:?}")))
}

/// `--pace`: calls a second, above 0 and at most 100.
pub(crate) fn parse_pace(text: &str) -> Result<f64, Failure> {
    text.parse::<f64>().ok().filter(|p| p.is_finite() && *p > 0.0 && *p <= 100.0).ok_or_else(|| {
        Failure::Usage(format!("--pace must be a number of calls per second above 0 and at most 100, not {text:?}"))
    })
}

/// `--max-overreach`: a ratio of 0 or more.
pub(crate) fn parse_overreach(text: &str) -> Result<f64, Failure> {
    text.parse::<f64>()
        .ok()
        .filter(|r| r.is_finite() && *r >= 0.0)
        .ok_or_else(|| Failure::Usage(format!("--max-overreach must be a ratio of 0 or more, not {text:?}")))
}

/// How batches are sent: in flight at once, waited for or not, paced (faster only through
/// the test tuning variables), journalled.
pub(crate) fn send_settings(
    concurrency: usize,
    wait: bool,
    pace: f64,
    journal: Option<Arc<Journal>>,
) -> Result<Settings, Failure> {
    let mut settings = Settings::default();
    settings.concurrency = concurrency;
    settings.wait_for_each = wait;
    // For tests and emulators: a faster pace than CloudFront's real API allows.
    settings.pacer = crate::tuning::pace()?.map_or_else(|| Pacer::per_second(pace), Pacer::new);
    settings.journal = journal;
    if let Some(poll) = crate::tuning::wait_poll()? {
        settings.poll = poll;
    }
    Ok(settings)
}

/// What a run did, per target, with the paths it was billed for: JSON or text.
fn result_report(
    args: &Args,
    planned: &Plan,
    run_id: &str,
    collapsed: Option<&Collapsed>,
    outcomes: &[TargetOutcome],
) -> Result<String, Failure> {
    // Billed by this run: the batches it had accepted as new invalidations.
    let billed_now: usize = outcomes
        .iter()
        .filter_map(|(_, o)| o.as_ref().ok())
        .flat_map(|s| {
            (0..planned.batches.len())
                .filter(|b| !s.earlier.contains(b) && !s.from_journal.contains(b))
                .map(|b| planned.batches[b].items.len())
        })
        .sum();
    let cost = cost_estimate(billed_now);
    if args.global.output.as_deref() == Some("json") {
        let targets: Vec<Value> = outcomes.iter().map(|(target, outcome)| target_json(target, outcome)).collect();
        let mut report = json!({"RunId": run_id, "Targets": targets, "BilledPaths": billed_now, "Cost": cost});
        if let Some(c) = collapsed {
            report["Collapsed"] = json!(wildcard_report(c));
        }
        return crate::output::render(&report, "json", "Invalidate", "off");
    }
    let mut out: String = outcomes.iter().map(|(target, outcome)| target_line(target, outcome)).collect();
    if let Some(c) = collapsed {
        out.push_str(&collapse_report(c));
    }
    out.push_str(&format!("cost: {cost}\n"));
    Ok(out)
}

/// One target's outcome in the JSON report.
fn target_json(target: &Target, outcome: &Result<Summary, ExecuteFailure>) -> Value {
    match outcome {
        Ok(s) => json!({
            "Target": target.to_string(),
            "Status": "ok",
            "InvalidationIds": s.ids,
            "Retries": s.retries,
            "AlreadySubmittedBatches": s.earlier.iter().map(|b| b + 1).collect::<Vec<_>>(),
            "FromJournalBatches": s.from_journal.iter().map(|b| b + 1).collect::<Vec<_>>(),
        }),
        Err(e) => json!({"Target": target.to_string(), "Status": "error", "Code": e.code, "Message": e.to_string()}),
    }
}

/// One target's outcome in the text report.
fn target_line(target: &Target, outcome: &Result<Summary, ExecuteFailure>) -> String {
    let s = match outcome {
        Ok(s) => s,
        Err(e) => return format!("{target}: error {}: {e}\n", e.code.as_deref().unwrap_or("-")),
    };
    let mut line = format!("{target}: ok, {} invalidations ({}), {} retries", s.ids.len(), s.ids.join(" "), s.retries);
    if !s.from_journal.is_empty() {
        line.push_str(&format!(", {} batches already in the journal", s.from_journal.len()));
    }
    if !s.earlier.is_empty() {
        line.push_str(&format!(", {} batches already submitted by an earlier run", s.earlier.len()));
    }
    line.push('\n');
    line
}

/// What `--collapse` did, for the reports.
pub(crate) fn collapse_report(collapsed: &Collapsed) -> String {
    let mut out = format!("collapsed into {} wildcards:\n", collapsed.wildcards.len());
    for w in &collapsed.wildcards {
        out.push_str(&format!("  {} covers {} changed and {} unchanged objects\n", w.path, w.changed, w.unchanged));
    }
    out
}

/// `--status`: every batch the journal recorded, with its status asked of CloudFront.
async fn status(args: &Args, journal: &Journal) -> Result<String, Failure> {
    let client = crate::client::client(&args.global)?;
    let mut rows = Vec::new();
    for entry in journal.entries() {
        let id = entry.invalidation_id.clone();
        let status = match entry.target.get(&client, &id).await {
            Ok(invalidation) => invalidation.status,
            Err(e) => format!("unknown ({e})"),
        };
        rows.push(json!({
            "Target": entry.target.to_string(),
            "Batch": entry.batch + 1,
            "InvalidationId": id,
            "Items": entry.items,
            "Status": status,
        }));
    }
    let value = json!({"RunId": journal.run_id(), "Batches": rows});
    let format = args.global.output.as_deref().unwrap_or("table");
    let color = args.global.color.as_deref().unwrap_or("auto");
    crate::output::render(&value, format, "InvalidateStatus", color)
}

/// Lines of a `--paths-from` or `--site-manifest` file: every character but the line
/// ending is kept (a name may start or end with a space); empty lines are skipped.
fn read_lines(flag: &str, source: &str) -> Result<Vec<String>, Failure> {
    let mut text = String::new();
    let read = if source == "-" {
        std::io::stdin().read_to_string(&mut text).map(drop)
    } else {
        std::fs::File::open(source).and_then(|mut f| f.read_to_string(&mut text)).map(drop)
    };
    read.map_err(|e| Failure::Usage(format!("{flag} {source}: cannot read it: {e}")))?;
    Ok(text
        .split('\n')
        .map(|line| line.strip_suffix('\r').unwrap_or(line))
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect())
}

/// A name as it will be sent: under `--prefix`, percent-encoded with `--encode-paths`.
fn to_path(args: &Args, name: String) -> String {
    let name = match &args.prefix {
        Some(prefix) if !name.starts_with('#') => {
            format!("{}/{}", prefix.trim_end_matches('/'), name.trim_start_matches('/'))
        }
        _ => name,
    };
    if args.encode { encode(&name) } else { name }
}

/// The items: arguments, then `--paths-from` lines, each under `--prefix`.
fn items(args: &Args) -> Result<Vec<String>, Failure> {
    let mut names = args.paths.clone();
    if let Some(source) = &args.paths_from {
        names.extend(read_lines("--paths-from", source)?);
    }
    if names.is_empty() {
        return Err(Failure::Usage("invalidate needs paths: as arguments or with --paths-from FILE".into()));
    }
    Ok(names.into_iter().map(|n| to_path(args, n)).collect())
}

/// The `--site-manifest` paths, in the same form as the items. Each must be a path (start
/// with `/`, after `--prefix`): an object the collapse cannot place would go uncounted, and
/// a wildcard could then cover more unchanged objects than `--max-overreach` allows.
fn manifest(args: &Args) -> Result<Vec<String>, Failure> {
    let source = args.site_manifest.as_deref().expect("--collapse requires --site-manifest");
    let paths: Vec<String> = read_lines("--site-manifest", source)?.into_iter().map(|n| to_path(args, n)).collect();
    if let Some((line, path)) = paths.iter().enumerate().find(|(_, p)| !p.starts_with('/')) {
        return Err(Failure::Usage(format!(
            "--site-manifest {source}: line {} ({path:?}) is not a path: paths start with '/' (or give --prefix)",
            line + 1
        )));
    }
    Ok(paths)
}

/// Progress on stderr: a redrawn line on a terminal, one line per event when piped.
pub(crate) struct Progress {
    terminal: bool,
    total: usize,
    state: std::sync::Mutex<(usize, usize, usize)>,
}

impl Progress {
    pub(crate) fn new(total: usize) -> Progress {
        Progress { terminal: std::io::stderr().is_terminal(), total, state: Default::default() }
    }

    pub(crate) fn show(&self, target: &Target, event: &Event) {
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
            Event::AlreadySubmitted { batch, id, created } => {
                *batches += 1;
                // Said even on a terminal: nothing new was invalidated for this batch.
                let warning = format!(
                    "warning: {target}: batch {} was already submitted by an earlier run (invalidation {id}, created {}); nothing new was invalidated for it",
                    batch + 1,
                    created.fmt(cloudfront_primitives::TimestampFormat::DateTime)
                );
                if self.terminal {
                    eprintln!("\r{warning}\x1b[K");
                }
                warning
            }
            Event::FromJournal { batch, id } => {
                *batches += 1;
                format!("{target}: batch {} already accepted as {id} (journal), not sent again", batch + 1)
            }
            // An event this version does not report.
            _ => return,
        };
        if self.terminal {
            eprint!("\r[{batches}/{}] batches, {paths} paths, {retries} retries\x1b[K", self.total);
            let _ = std::io::stderr().flush();
        } else {
            eprintln!("{line}");
        }
    }

    pub(crate) fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}
