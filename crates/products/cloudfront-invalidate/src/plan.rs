//! Planning a large invalidation: from any number of paths and cache tags to batches that
//! CloudFront accepts, each with a CallerReference per target that is the same every time the
//! same plan is made for the same target (so re-running after a crash re-submits instead of
//! duplicating), and different for every target (so no tenant can be handed another tenant's
//! invalidation, whatever scope CloudFront gives references).
//!
//! The plan validates every item (all problems at once), dedupes, drops paths a wildcard in
//! the same set already covers, and splits what is left so no batch carries more than 3,000
//! items, 3,000 file paths or 15 wildcards: the most CloudFront lets one distribution have in
//! progress, so a batch can always start once the ones before it are done.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashSet};
use std::fmt;

use crate::paths::{MAX_ITEMS_PER_REQUEST, Problem, encode, validate};

/// CloudFront's limits a batch must respect.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Items in one request.
    pub items_per_request: usize,
    /// File paths (not wildcards) in progress per distribution.
    pub files_in_progress: usize,
    /// Wildcard paths in progress per distribution.
    pub wildcards_in_progress: usize,
}

impl Limits {
    /// Limits other than CloudFront's defaults (an account with raised quotas, say).
    pub fn new(items_per_request: usize, files_in_progress: usize, wildcards_in_progress: usize) -> Self {
        Limits { items_per_request, files_in_progress, wildcards_in_progress }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits { items_per_request: MAX_ITEMS_PER_REQUEST, files_in_progress: 3000, wildcards_in_progress: 15 }
    }
}

/// How to plan.
#[non_exhaustive]
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Percent-encode raw file names first (see [`encode`]).
    pub encode: bool,
    /// The limits batches respect.
    pub limits: Limits,
}

/// One request's worth of items.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// Paths and tags, wildcards first, each group sorted.
    pub items: Vec<String>,
    /// The run this batch belongs to (part of every reference).
    pub run_id: String,
}

impl Batch {
    /// The batch's `CallerReference` for one target (a distribution or tenant id): `RUNID-`
    /// and 32 hex digits of SHA-256 over the run id, the target and the items. Stable across
    /// runs, distinct across batches and across targets.
    pub fn caller_reference(&self, target: &str) -> String {
        use cloudfront_sigv4::crypto::digest;
        let mut digest = digest::Context::new(&digest::SHA256);
        digest.update(self.run_id.as_bytes());
        digest.update(b"\0");
        digest.update(target.as_bytes());
        for item in &self.items {
            digest.update(b"\n");
            digest.update(item.as_bytes());
        }
        format!("{}-{}", self.run_id, cloudfront_sigv4::hex(&digest.finish().as_ref()[..16]))
    }

    /// Wildcard paths in the batch.
    pub fn wildcards(&self) -> usize {
        self.items.iter().filter(|i| is_wildcard(i)).count()
    }

    /// Cache tags in the batch.
    pub fn tags(&self) -> usize {
        self.items.iter().filter(|i| i.starts_with('#')).count()
    }

    /// File paths (neither wildcards nor tags) in the batch.
    pub fn files(&self) -> usize {
        self.items.len() - self.wildcards() - self.tags()
    }
}

/// The batches to send, and what planning removed.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// In the order to send them.
    pub batches: Vec<Batch>,
    /// Items given more than once (after encoding), counted once.
    pub duplicates: usize,
    /// Items left out because a wildcard of the set covers them.
    pub covered: Vec<String>,
}

impl Plan {
    /// Items that will be sent.
    pub fn items(&self) -> usize {
        self.batches.iter().map(|b| b.items.len()).sum()
    }

    /// Paths CloudFront bills for one target: every item counts one, a wildcard too,
    /// however many objects it matches.
    pub fn billed_paths(&self) -> usize {
        self.items()
    }
}

/// Paths invalidated free of charge per account and month; each one beyond costs
/// [`PRICE_PER_PATH_USD`].
pub const FREE_PATHS_PER_MONTH: usize = 1000;
/// CloudFront's published price of an invalidation path beyond the free ones.
pub const PRICE_PER_PATH_USD: f64 = 0.005;

/// A one-line cost estimate for `billed` paths (this run alone, assuming nothing else was
/// invalidated this month).
pub fn cost_estimate(billed: usize) -> String {
    let charged = billed.saturating_sub(FREE_PATHS_PER_MONTH);
    format!(
        "{billed} billed paths (a wildcard counts as one); if this month had no other invalidations, {} are free and {charged} cost about ${:.2}",
        billed.min(FREE_PATHS_PER_MONTH),
        charged as f64 * PRICE_PER_PATH_USD
    )
}

impl fmt::Display for Plan {
    /// The dry-run report: one line per batch, then what was left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} batches, {} items", self.batches.len(), self.items())?;
        for (n, batch) in self.batches.iter().enumerate() {
            writeln!(
                f,
                "batch {}: {} items ({} files, {} wildcards, {} tags)",
                n + 1,
                batch.items.len(),
                batch.files(),
                batch.wildcards(),
                batch.tags(),
            )?;
        }
        writeln!(f, "left out: {} duplicates, {} covered by a wildcard", self.duplicates, self.covered.len())?;
        writeln!(f, "per target: {}", cost_estimate(self.billed_paths()))
    }
}

/// Plans `items` for one distribution or tenant under `run_id` (any text naming this run,
/// e.g. a deploy id). Fails with every problem of every item.
pub fn plan<S: AsRef<str>>(items: &[S], run_id: &str, options: &Options) -> Result<Plan, Vec<Problem>> {
    // Borrowed throughout (encoded copies only when asked): a million paths are planned
    // with one owned copy, the batches'.
    let given: Vec<Cow<'_, str>> = items
        .iter()
        .map(|i| if options.encode { Cow::Owned(encode(i.as_ref())) } else { Cow::Borrowed(i.as_ref()) })
        .collect();
    let problems = validate(&given);
    if !problems.is_empty() {
        return Err(problems);
    }
    let unique: BTreeSet<&str> = given.iter().map(|i| i.as_ref()).collect();
    let duplicates = given.len() - unique.len();
    let prefixes: HashSet<&str> = unique.iter().filter(|i| is_wildcard(i)).map(|w| &w[..w.len() - 1]).collect();
    let (covered, kept): (Vec<&str>, Vec<&str>) = unique.iter().partition(|i| is_covered(i, &prefixes));
    // Each batch takes its share of wildcards first (they clear the most), then files and tags
    // up to the limits: as few batches as the limits allow, all of them startable.
    let (wildcards, rest): (Vec<&str>, Vec<&str>) = kept.into_iter().partition(|i| is_wildcard(i));
    let limits = options.limits;
    let (mut wildcards, mut rest) = (wildcards.into_iter().peekable(), rest.into_iter().peekable());
    let mut batches: Vec<Batch> = Vec::new();
    // Bounded: every round takes at least one item.
    while wildcards.peek().is_some() || rest.peek().is_some() {
        let room = limits.items_per_request.max(1);
        let mut batch: Vec<String> =
            wildcards.by_ref().take(limits.wildcards_in_progress.min(room)).map(str::to_owned).collect();
        let mut files = 0;
        while batch.len() < room {
            let Some(next) = rest.peek() else { break };
            let file = !next.starts_with('#');
            if file && files >= limits.files_in_progress {
                break;
            }
            files += usize::from(file);
            batch.extend(rest.next().map(str::to_owned));
        }
        if batch.is_empty() {
            // Limits of zero: still make progress, one item per batch.
            batch.extend(wildcards.next().or_else(|| rest.next()).map(str::to_owned));
        }
        batches.push(Batch { items: batch, run_id: run_id.to_owned() });
    }
    let covered = covered.into_iter().map(str::to_owned).collect();
    Ok(Plan { batches, duplicates, covered })
}

fn is_wildcard(item: &str) -> bool {
    item.starts_with('/') && item.ends_with('*')
}

/// True when another wildcard of the set matches `item` (`*` matches zero or more characters).
fn is_covered(item: &str, prefixes: &HashSet<&str>) -> bool {
    if item.starts_with('#') {
        return false; // tags are not paths
    }
    // A wildcard is not covered by itself, only by a shorter one.
    let own = if is_wildcard(item) { Some(item.len() - 1) } else { None };
    item.char_indices()
        .map(|(i, _)| i)
        .chain([item.len()])
        .filter(|&end| Some(end) != own && own.is_none_or(|own| end < own))
        .any(|end| prefixes.contains(&item[..end]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedupes_drops_covered_paths_and_respects_every_limit() {
        let mut items: Vec<String> = (0..7000).map(|i| format!("/assets/{i}.js")).collect();
        items.extend((0..20).map(|i| format!("/dir{i}/*")));
        items.extend(["/dir3/a.html".into(), "/dir3/*".into(), "/dir3/sub/*".into(), "#tag-1".into()]);
        let plan = plan(&items, "deploy-7", &Options::default()).unwrap();
        assert_eq!(plan.duplicates, 1);
        assert_eq!(plan.covered, ["/dir3/a.html", "/dir3/sub/*"]);
        assert_eq!(plan.items(), 7000 + 20 + 1);
        for batch in &plan.batches {
            assert!(batch.items.len() <= 3000 && batch.wildcards() <= 15 && batch.files() <= 3000);
        }
        assert_eq!(plan.batches.len(), 3);
        assert_eq!(plan.batches[0].wildcards(), 15);
        assert!(
            plan.to_string()
                .starts_with("3 batches, 7021 items\nbatch 1: 3000 items (2984 files, 15 wildcards, 1 tags)\n")
        );
        assert!(plan.to_string().ends_with("per target: 7021 billed paths (a wildcard counts as one); if this month had no other invalidations, 1000 are free and 6021 cost about $30.11\n"));
    }

    #[test]
    fn references_are_stable_and_distinct() {
        let items = ["/a", "/b/*", "/c"];
        let small = Options { limits: Limits { items_per_request: 1, ..Limits::default() }, ..Options::default() };
        let first = plan(&items, "run", &small).unwrap();
        let again = plan(&["/c", "/a", "/b/*", "/a"], "run", &small).unwrap();
        assert_eq!(first.batches, again.batches, "order and duplicates of the input do not matter");
        let refs: HashSet<String> = first.batches.iter().map(|b| b.caller_reference("E1")).collect();
        assert_eq!(refs.len(), 3);
        assert!(first.batches.iter().all(|b| b.caller_reference("E1") == b.caller_reference("E1")), "stable");
        assert_ne!(first.batches[0].caller_reference("dt_a"), first.batches[0].caller_reference("dt_b"), "per target");
        let other_run = plan(&items, "run-2", &small).unwrap();
        assert_ne!(first.batches[0].caller_reference("E1"), other_run.batches[0].caller_reference("E1"));
    }

    #[test]
    fn refuses_with_every_problem_and_encodes_on_request() {
        let problems = plan(&["nope", "/ok", "/a*b"], "r", &Options::default()).unwrap_err();
        assert_eq!(problems.iter().map(|p| p.index).collect::<Vec<_>>(), [0, 2]);
        assert!(plan(&["/a b"], "r", &Options::default()).is_err());
        let encoded = plan(&["/a b"], "r", &Options { encode: true, ..Options::default() }).unwrap();
        assert_eq!(encoded.batches[0].items, ["/a%20b"]);
    }
}
