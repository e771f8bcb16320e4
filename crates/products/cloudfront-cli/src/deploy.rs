//! `cloudfront deploy SOURCE_DIR s3://BUCKET[/PREFIX] --distribution-id ID`: our own command
//! (the AWS CLI's answer is `aws s3 sync` then an invalidation of `/*`). Uploads what changed
//! by content, deletes what went (`--delete`), and invalidates exactly the viewer paths that
//! serve those keys, through the invalidation planner (collapse, batches, pace, journal).
//!
//! No path is lost: the journal records what the deploy changes before the first upload and
//! is closed only once every batch was accepted; an interrupted deploy is refused until it is
//! resumed with `--resume`, which uploads what is left and then invalidates everything the
//! deploy changed.

use std::sync::Arc;

use clap::{Arg, ArgAction, ArgMatches, Command};
use cloudfront_deploy::error::Error;
use cloudfront_deploy::journal::{DeployJournal, Intent};
use cloudfront_deploy::s3::Location;
use cloudfront_deploy::{Applied, Options, Plan};
use cloudfront_invalidate::collapse::collapse;
use cloudfront_invalidate::execute::{Summary, Target, execute};
use cloudfront_invalidate::journal::Journal;
use cloudfront_invalidate::plan::{Limits, Plan as Batches, cost_estimate, plan as plan_batches};
use serde_json::{Value, json};

use crate::Failure;
use crate::call::Global;
use crate::github;

/// Where the journal is kept unless `--journal` says otherwise.
const DEFAULT_JOURNAL: &str = ".cloudfront-deploy.journal";

/// Everything `deploy` was told.
pub struct Args {
    options: Options,
    dry_run: bool,
    resume: bool,
    wait: bool,
    pace: f64,
    max_overreach: f64,
    journal: String,
    pub global: Global,
}

/// The command's flags.
pub fn command() -> Command {
    let text = |id: &'static str, help: &'static str| Arg::new(id).long(id).num_args(1).help(help);
    let flag = |id: &'static str, help: &'static str| Arg::new(id).long(id).action(ArgAction::SetTrue).help(help);
    let many = |id: &'static str, help: &'static str| {
        Arg::new(id).long(id).num_args(1).action(ArgAction::Append).allow_hyphen_values(true).help(help)
    };
    Command::new("deploy")
        .about("upload what changed to S3 (by content) and invalidate exactly the paths that serve it")
        .arg(Arg::new("source").required(true).value_name("SOURCE_DIR").help("the site's directory"))
        .arg(Arg::new("destination").required(true).value_name("s3://BUCKET[/PREFIX]").help("where it goes"))
        .arg(text("distribution-id", "the distribution that serves the bucket").required(true))
        .arg(many("exclude", "leave out files and keys matching PATTERN (as aws s3 sync)"))
        .arg(many("include", "take back files and keys matching PATTERN (as aws s3 sync)"))
        .arg(many("cache-control", "PATTERN=VALUE: Cache-Control of matching files (the first matching rule wins)"))
        .arg(flag("delete", "delete keys under the prefix that are no longer in SOURCE_DIR"))
        .arg(flag("force", "upload every file, changed or not"))
        .arg(text("index-document", "an edge function serves dir/NAME at /dir/ (website endpoints: their index name)"))
        .arg(flag("dry-run", "print the uploads, deletes and paths; change nothing"))
        .arg(flag("resume", "finish an interrupted deploy: upload what is left, invalidate all it changed"))
        .arg(text("journal", "where the deploy records what it changes").default_value(DEFAULT_JOURNAL))
        .arg(flag("wait", "wait for every invalidation to complete"))
        .arg(text("concurrency", "S3 requests in flight").default_value("10"))
        .arg(text("pace", "at most this many CreateInvalidation calls a second").default_value("0.5"))
        .arg(text("max-overreach", "unchanged objects a wildcard may cover, per changed one").default_value("0"))
}

impl Args {
    /// Reads the flags; refuses bad values before anything is read or sent.
    pub fn from_matches(m: &ArgMatches, global: Global) -> Result<Args, Failure> {
        let text = |id: &str| m.get_one::<String>(id).cloned().unwrap_or_default();
        let source = text("source");
        match std::fs::metadata(&source) {
            Ok(metadata) if metadata.is_dir() => {}
            Ok(_) => return Err(Failure::Usage(format!("SOURCE_DIR {source}: not a directory"))),
            Err(e) => return Err(Failure::Usage(format!("SOURCE_DIR {source}: {e}"))),
        }
        let destination = Location::parse(&text("destination")).map_err(Failure::Usage)?;
        let mut options = Options::new(source.into(), destination, text("distribution-id"));
        options.filters = filters(m);
        for rule in m.get_many::<String>("cache-control").into_iter().flatten() {
            options.cache_control.push(rule).map_err(Failure::Usage)?;
        }
        options.delete = m.get_flag("delete");
        options.force = m.get_flag("force");
        options.index_document = m.get_one::<String>("index-document").cloned();
        if let Some(name) = options.index_document.as_deref().filter(|n| n.is_empty() || n.contains('/')) {
            return Err(Failure::Usage(format!("--index-document {name:?}: a file name, without '/'")));
        }
        options.concurrency = crate::invalidate::parse_concurrency(&text("concurrency"))?;
        if let Some(threshold) = crate::tuning::multipart_threshold()? {
            options.multipart.threshold = threshold;
            options.multipart.part_size = threshold.max(5 << 20);
        }
        Ok(Args {
            options,
            dry_run: m.get_flag("dry-run"),
            resume: m.get_flag("resume"),
            wait: m.get_flag("wait"),
            pace: crate::invalidate::parse_pace(&text("pace"))?,
            max_overreach: crate::invalidate::parse_overreach(&text("max-overreach"))?,
            journal: text("journal"),
            global,
        })
    }
}

/// `--exclude` and `--include` in the order given (the last matching one decides).
fn filters(m: &ArgMatches) -> cloudfront_deploy::glob::Filters {
    let mut given: Vec<(usize, bool, String)> = Vec::new();
    for (id, include) in [("exclude", false), ("include", true)] {
        let values = m.get_many::<String>(id).into_iter().flatten();
        let indices = m.indices_of(id).into_iter().flatten();
        given.extend(indices.zip(values).map(|(index, value)| (index, include, value.clone())));
    }
    given.sort_by_key(|(index, _, _)| *index);
    let mut filters = cloudfront_deploy::glob::Filters::default();
    for (_, include, pattern) in given {
        filters.push(include, &pattern);
    }
    filters
}

/// What one deploy decided and did, for the reports.
struct Outcome {
    run_id: String,
    plan: Plan,
    paths: Vec<String>,
    batches: Batches,
    applied: Option<Applied>,
    invalidations: Option<Summary>,
}

/// Plans, then (unless `--dry-run`) uploads, deletes and invalidates. In GitHub Actions a
/// failure is reported as `status=failed` too.
pub async fn run(args: Args) -> Result<String, Failure> {
    let result = deploy(&args).await;
    if let Err(failure) = &result {
        github::deploy_failed(failure.message());
    }
    result
}

async fn deploy(args: &Args) -> Result<String, Failure> {
    refuse_journal_in_source(args)?;
    let s3 = crate::client::s3_client(&args.global)?;
    let cloudfront = crate::client::client(&args.global)?;
    let path = std::path::Path::new(&args.journal);
    let journal = if args.dry_run { DeployJournal::read(path) } else { DeployJournal::open(path) };
    let mut journal = journal.map_err(Failure::Usage)?;
    let plan = cloudfront_deploy::plan(&s3, &cloudfront, &args.options).await.map_err(failure)?;
    for warning in plan.warnings.iter().chain(&unserved_warnings(&plan)) {
        eprintln!("warning: {warning}");
        github::annotate("warning", warning);
    }
    let pending = pending_deploy(args, journal.pending(), &plan.pending)?;
    let run_id = pending.as_ref().map_or_else(cloudfront_invalidate::unique_caller_reference, |p| p.run_id.clone());
    let intent = intent(args, &plan, pending.as_ref(), &run_id);
    let batches = invalidation_batches(&intent.paths, &plan, &run_id, args.max_overreach)?;
    let mut outcome =
        Outcome { run_id, plan, paths: intent.paths.clone(), batches, applied: None, invalidations: None };
    if args.dry_run {
        return report(args, &outcome);
    }
    if intent.keys.is_empty() && intent.paths.is_empty() {
        // Nothing changed; the manifest may still learn what S3 told us.
        let applied = cloudfront_deploy::apply(&s3, &args.options, &outcome.plan, &mut |_| Ok(())).await;
        outcome.applied = Some(applied.map_err(failure)?);
        return report(args, &outcome);
    }
    // What is owed an invalidation is recorded here and in the bucket before the first upload.
    journal.begin(&intent).map_err(Failure::Other)?;
    cloudfront_deploy::mark_pending(&s3, &args.options, &intent).await.map_err(failure)?;
    eprintln!("run id {} (if interrupted, run the same command with --resume)", outcome.run_id);
    outcome.applied = Some(upload(args, &s3, &mut journal, &outcome).await?);
    outcome.invalidations = Some(invalidate(args, &cloudfront, &journal, &outcome).await?);
    // This run's record, and those of the runs it took over (their paths were in its batches).
    let mut finished: Vec<String> = outcome.plan.pending.iter().map(|p| p.run_id.clone()).collect();
    finished.push(outcome.run_id.clone());
    cloudfront_deploy::clear_pending(&s3, &args.options, &finished).await.map_err(failure)?;
    journal.done(&outcome.run_id).map_err(Failure::Other)?;
    report(args, &outcome)
}

/// The journal is written during the deploy: inside SOURCE_DIR it would be uploaded as it
/// changes (and publicly).
fn refuse_journal_in_source(args: &Args) -> Result<(), Failure> {
    let journal = std::path::Path::new(&args.journal);
    let folder = journal.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    let (Ok(folder), Ok(source)) = (folder.canonicalize(), args.options.source.canonicalize()) else { return Ok(()) };
    if folder.starts_with(&source) {
        return Err(Failure::Usage(format!(
            "--journal {}: inside SOURCE_DIR, where it would be uploaded; give --journal a path outside it",
            args.journal
        )));
    }
    Ok(())
}

/// Uploads and deletes, each finished upload journalled; progress on a terminal.
async fn upload(
    args: &Args,
    s3: &cloudfront_s3::Client,
    journal: &mut DeployJournal,
    outcome: &Outcome,
) -> Result<Applied, Failure> {
    let (run_id, total, mut done) = (outcome.run_id.clone(), outcome.plan.uploads.len(), 0);
    let terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let mut record = |upload: &cloudfront_deploy::Upload| {
        done += 1;
        if terminal {
            eprint!("\r[{done}/{total}] files uploaded\x1b[K");
        }
        journal.uploaded(&run_id, &upload.key)
    };
    let applied = cloudfront_deploy::apply(s3, &args.options, &outcome.plan, &mut record).await;
    if terminal && total > 0 {
        eprintln!();
    }
    applied.map_err(|why| failure(why.with("; nothing was invalidated yet: run again with --resume")))
}

/// A deploy step's failure as an exit code: 252 for what cannot be done as given, 254 for an
/// error S3 or CloudFront answered, 255 for no answer or a local failure.
fn failure(error: Error) -> Failure {
    match error {
        Error::Refused(m) => Failure::Usage(m),
        Error::Service(m) => Failure::Service(m),
        other => Failure::Other(other.message().to_owned()),
    }
}

/// The unfinished deploy this one continues, from the journal and from the bucket's records
/// (left by runs killed, perhaps on another machine), merged. Without `--resume` an unfinished deploy
/// is refused (its paths are still owed an invalidation); a dry run shows it merged.
fn pending_deploy(args: &Args, local: Option<&Intent>, remote: &[Intent]) -> Result<Option<Intent>, Failure> {
    let destination = args.options.destination.to_string();
    let mut found: Vec<(&Intent, String)> =
        local.map(|i| (i, format!("--journal {}", args.journal))).into_iter().collect();
    let record = |i: &Intent| format!("the bucket's record {}", args.options.destination.pending_key(&i.run_id));
    found.extend(remote.iter().map(|i| (i, record(i))));
    let Some((first, source)) = found.first() else { return Ok(None) };
    if !args.resume && !args.dry_run {
        return Err(Failure::Usage(format!(
            "{source}: deploy {} to {} was interrupted with {} paths not yet invalidated; run again with --resume \
             (it uploads what is left, then invalidates everything that deploy changed)",
            first.run_id,
            first.destination,
            first.paths.len()
        )));
    }
    let mut merged = (*first).clone();
    for (intent, source) in &found {
        if intent.destination != destination || intent.distribution_id != args.options.distribution_id {
            return Err(Failure::Usage(format!(
                "{source}: the interrupted deploy went to {} (distribution {}), not {destination} (distribution {})",
                intent.destination, intent.distribution_id, args.options.distribution_id
            )));
        }
        merged = merge(&merged, intent);
    }
    Ok(Some(merged))
}

/// `a` with `b`'s keys and paths added (a's run id kept).
fn merge(a: &Intent, b: &Intent) -> Intent {
    let keys: std::collections::BTreeSet<String> = a.keys.iter().chain(&b.keys).cloned().collect();
    let paths: std::collections::BTreeSet<String> = a.paths.iter().chain(&b.paths).cloned().collect();
    Intent::new(
        a.run_id.clone(),
        a.destination.clone(),
        a.distribution_id.clone(),
        keys.into_iter().collect(),
        paths.into_iter().collect(),
    )
}

/// What this deploy changes: its own keys and paths, and a resumed deploy's too.
fn intent(args: &Args, plan: &Plan, pending: Option<&Intent>, run_id: &str) -> Intent {
    let keys = plan.uploads.iter().map(|u| u.key.clone()).chain(plan.deletes.iter().cloned()).collect();
    let own = Intent::new(
        run_id.to_owned(),
        args.options.destination.to_string(),
        args.options.distribution_id.clone(),
        keys,
        plan.paths.clone(),
    );
    // Merging also sorts and dedupes the keys and paths, resumed or not.
    merge(&own, pending.unwrap_or(&own))
}

/// The batches for `paths`, collapsed against the whole site where that lowers billed paths.
fn invalidation_batches(paths: &[String], plan: &Plan, run_id: &str, max_overreach: f64) -> Result<Batches, Failure> {
    let collapsed = collapse(paths, &plan.site_paths, max_overreach, Limits::default().wildcards_in_progress);
    plan_batches(&collapsed.items, run_id, &Default::default()).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        for problem in &problems {
            github::annotate("error", &problem.to_string());
        }
        Failure::Usage(format!("{} viewer paths cannot be invalidated:\n{}", problems.len(), lines.join("\n")))
    })
}

/// Sends the batches (skipping those the batch journal holds), waiting with `--wait`.
async fn invalidate(
    args: &Args,
    cloudfront: &cloudfront::Client,
    journal: &DeployJournal,
    outcome: &Outcome,
) -> Result<Summary, Failure> {
    let batches_journal = Journal::open(&journal.batches_path()).map_err(Failure::Usage)?;
    let settings = crate::invalidate::send_settings(1, args.wait, args.pace, Some(Arc::new(batches_journal)))?;
    let target = Target::Distribution(args.options.distribution_id.clone());
    let progress = crate::invalidate::Progress::new(outcome.batches.batches.len());
    let sent = execute(cloudfront, &target, &outcome.batches, &settings, &|event| progress.show(&target, &event)).await;
    progress.finish();
    sent.map_err(|failure| {
        let message = format!(
            "every upload finished, but invalidating failed at {failure}; run again with --resume to invalidate what is left"
        );
        if failure.code.is_some() { Failure::Service(message) } else { Failure::Other(message) }
    })
}

/// Changed keys viewers never get from the bucket through this distribution.
fn unserved_warnings(plan: &Plan) -> Vec<String> {
    let outside = plan
        .unserved
        .iter()
        .map(|key| format!("{key}: outside every origin path of the bucket's origins; not invalidated"));
    let elsewhere = plan.elsewhere.iter().map(|(key, path, origin)| {
        format!("{key}: {path} is routed to origin {origin}, not the bucket; not invalidated")
    });
    outside.chain(elsewhere).collect()
}

/// The deploy as data: what the JSON output prints and the CI summary is made from.
fn outcome_json(args: &Args, outcome: &Outcome) -> Value {
    let uploads: Vec<Value> = outcome
        .plan
        .uploads
        .iter()
        .map(|u| json!({"Key": u.key, "Reason": u.reason.as_str(), "Bytes": u.file.size}))
        .collect();
    let billed = outcome.batches.billed_paths();
    let status = match (&outcome.applied, &outcome.invalidations) {
        (None, _) => "planned",
        (Some(_), None) => "unchanged",
        (Some(_), Some(_)) if args.wait => "completed",
        (Some(_), Some(_)) => "submitted",
    };
    json!({
        "RunId": outcome.run_id,
        "Status": status,
        "Uploads": uploads,
        "UploadBytes": outcome.plan.upload_bytes(),
        "Deletes": outcome.plan.deletes,
        "Unchanged": outcome.plan.unchanged,
        "Paths": outcome.paths,
        "InvalidationItems": outcome.batches.batches.iter().flat_map(|b| b.items.clone()).collect::<Vec<_>>(),
        "Batches": outcome.batches.batches.len(),
        "BilledPaths": billed,
        "Cost": cost_estimate(billed),
        "InvalidationIds": outcome.invalidations.as_ref().map(|s| s.ids.clone()).unwrap_or_default(),
    })
}

/// The report: JSON with `--output json`, else text (the plan line by line on a dry run); and
/// in GitHub Actions, the step summary and outputs.
fn report(args: &Args, outcome: &Outcome) -> Result<String, Failure> {
    let data = outcome_json(args, outcome);
    if !args.dry_run {
        github::deploy_summary(&data);
    }
    if args.global.output.as_deref() == Some("json") {
        return crate::output::render(&data, "json", "Deploy", "off");
    }
    let mut out = String::new();
    if args.dry_run {
        out.push_str(&format!("run id {}\n", outcome.run_id));
        for upload in &outcome.plan.uploads {
            out.push_str(&format!("upload {} ({}, {} bytes)\n", upload.key, upload.reason.as_str(), upload.file.size));
        }
        for key in &outcome.plan.deletes {
            out.push_str(&format!("delete {key}\n"));
        }
        for batch in &outcome.batches.batches {
            out.extend(batch.items.iter().map(|item| format!("invalidate {item}\n")));
        }
    }
    out.push_str(&summary_line(&data));
    Ok(out)
}

/// `uploaded 5 files (1234 bytes), deleted 0, 1995 unchanged; invalidated 7 paths in 1 batches (I1); cost: ...`
fn summary_line(data: &Value) -> String {
    let count = |key: &str| github::count(data, key);
    let planned = data["Status"] == "planned";
    let (upload, delete, invalidate) =
        if planned { ("would upload", "delete", "invalidate") } else { ("uploaded", "deleted", "invalidated") };
    let ids = github::invalidation_ids(data);
    let ids = if ids.is_empty() { String::new() } else { format!(" ({})", ids.join(" ")) };
    format!(
        "{upload} {} files ({} bytes), {delete} {}, {} unchanged; {invalidate} {} paths in {} batches{ids}; cost: {}\n",
        count("Uploads"),
        data["UploadBytes"],
        count("Deletes"),
        data["Unchanged"],
        count("InvalidationItems"),
        data["Batches"],
        data["Cost"].as_str().unwrap_or_default(),
    )
}
