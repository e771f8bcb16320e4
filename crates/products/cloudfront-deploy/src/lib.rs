//! `deploy`: upload a site to S3 by content and invalidate exactly the CloudFront paths that
//! serve what changed.
//!
//! [`plan`] reads the distribution's routing ([`viewer`]), the source directory ([`local`]),
//! the objects under the prefix and the manifest ([`s3`], [`manifest`]), and decides per file
//! by content ([`compare`]); [`apply`] uploads assets first, pages last, then deletes, and
//! stores the new manifest. The invalidation of [`Plan::paths`] is the invalidation planner's
//! job (`cloudfront-invalidate`), and the [`journal`] makes sure no path is lost to a crash.

#![warn(missing_docs)]

pub mod compare;
pub mod error;
pub mod glob;
pub mod headers;
pub mod journal;
pub mod local;
pub mod manifest;
pub mod s3;
pub mod viewer;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::Semaphore;

use crate::compare::{Listed, Reason, Verdict};
use crate::error::Error;
use crate::glob::Filters;
use crate::headers::{CacheControlRules, Headers};
use crate::local::LocalFile;
use crate::manifest::{Manifest, Recorded};
use crate::s3::{Location, Multipart};
use crate::viewer::{ViewerMap, encode_key_path};

/// What to deploy, where, and how.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct Options {
    /// The site's directory.
    pub source: PathBuf,
    /// The bucket and prefix.
    pub destination: Location,
    /// The distribution that serves it.
    pub distribution_id: String,
    /// `--exclude` / `--include`, in order.
    pub filters: Filters,
    /// `--cache-control PATTERN=VALUE` rules, in order.
    pub cache_control: CacheControlRules,
    /// `--delete`: remove keys no longer in the source (those the filters include).
    pub delete: bool,
    /// `--force`: upload every file.
    pub force: bool,
    /// `--index-document NAME`.
    pub index_document: Option<String>,
    /// How large files are split.
    pub multipart: Multipart,
    /// Requests to S3 in flight at once.
    pub concurrency: usize,
}

impl Options {
    /// Options with the defaults: no filters or rules, no deletes, 10 requests at once (the
    /// AWS CLI's `max_concurrent_requests`).
    pub fn new(source: PathBuf, destination: Location, distribution_id: String) -> Options {
        Options {
            source,
            destination,
            distribution_id,
            filters: Filters::default(),
            cache_control: CacheControlRules::default(),
            delete: false,
            force: false,
            index_document: None,
            multipart: Multipart::default(),
            concurrency: 10,
        }
    }
}

/// A file to upload.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// The file.
    pub file: LocalFile,
    /// Its key.
    pub key: String,
    /// Its headers.
    pub headers: Headers,
    /// Why it goes up.
    pub reason: Reason,
}

/// What a deploy will do.
#[non_exhaustive]
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Files to upload: every non-page first, then the pages.
    pub uploads: Vec<Upload>,
    /// Keys to delete (after every upload).
    pub deletes: Vec<String>,
    /// Files that are already there as they are.
    pub unchanged: usize,
    /// Viewer paths of the uploaded and deleted keys (new keys too: CloudFront may hold a
    /// cached 404), encoded, sorted.
    pub paths: Vec<String>,
    /// Viewer paths of every key the deploy leaves (what `--collapse` weighs wildcards by).
    pub site_paths: Vec<String>,
    /// Changed keys no viewer path serves (outside every origin path).
    pub unserved: Vec<String>,
    /// Changed keys' paths that a cache behaviour sends to another origin: (key, path, origin).
    pub elsewhere: Vec<(String, String, String)>,
    /// Things the user should know (an unreadable manifest).
    pub warnings: Vec<String>,
    /// The manifest as read (updated by [`apply`]).
    pub manifest: Manifest,
    /// The objects S3 listed.
    pub listed: BTreeMap<String, Listed>,
    /// The key of every file of the source (uploaded or not).
    pub source_keys: BTreeSet<String>,
    /// Earlier deploys' records in the bucket of paths they had not yet had invalidated (left
    /// by runs killed before they finished, perhaps on another machine).
    pub pending: Vec<journal::Intent>,
    /// Files decided by asking S3 (HeadObject): the manifest is rewritten to cover them.
    pub asked: usize,
    /// Unchanged files' records, for the manifest [`apply`] writes.
    kept: BTreeMap<String, Recorded>,
}

impl Plan {
    /// Bytes the uploads send.
    pub fn upload_bytes(&self) -> u64 {
        self.uploads.iter().map(|u| u.file.size).sum()
    }
}

/// Decides what to upload, delete and invalidate. Refuses a distribution that does not serve
/// the bucket before anything is sent.
pub async fn plan(
    s3: &cloudfront_s3::Client,
    cloudfront: &cloudfront::Client,
    options: &Options,
) -> Result<Plan, Error> {
    let at = &options.destination;
    let config = cloudfront.get_distribution_config().id(&options.distribution_id).send().await;
    let config =
        config.map_err(|e| error::call_failed(format_args!("GetDistributionConfig {}", options.distribution_id), e))?;
    let config = config
        .distribution_config
        .ok_or_else(|| Error::Service("GetDistributionConfig answered without a configuration".into()))?;
    let map = ViewerMap::new(&config, &at.bucket, options.index_document.as_deref()).map_err(Error::Refused)?;
    let (scanned, listing, manifest) =
        tokio::join!(local::scan(&options.source, &options.filters), s3::list(s3, at), s3::read_manifest(s3, at));
    let ((files, scan_warnings), listing) = (scanned?, listing?);
    let pending = read_pending(s3, at, &listing.pending).await?;
    let mut plan = Plan { listed: listing.objects, pending, warnings: scan_warnings, ..Plan::default() };
    match manifest {
        Ok(found) => plan.manifest = found.unwrap_or_default(),
        Err(why) => plan.warnings.push(format!("the manifest cannot be read ({why}); every object is checked with S3")),
    }
    decide(s3, options, files, &mut plan).await?;
    if options.delete {
        plan.deletes = plan
            .listed
            .keys()
            .filter(|key| !plan.source_keys.contains(*key))
            .filter(|key| key.strip_prefix(&at.prefix).is_some_and(|relative| options.filters.includes(relative)))
            .cloned()
            .collect();
    }
    map_paths(&map, &mut plan);
    Ok(plan)
}

/// The records of unfinished deploys the bucket holds (`keys`, from the listing).
async fn read_pending(
    s3: &cloudfront_s3::Client,
    at: &Location,
    keys: &[String],
) -> Result<Vec<journal::Intent>, Error> {
    let mut intents = Vec::new();
    for key in keys {
        // Gone since the listing: that run finished.
        let Some((body, _)) = s3::read_record(s3, &at.bucket, key).await? else { continue };
        let value: serde_json::Value =
            serde_json::from_slice(&body).map_err(|e| Error::Other(format!("{key}: not JSON: {e}")))?;
        intents.push(journal::Intent::from_json(&value).map_err(|why| Error::Other(format!("{key}: {why}")))?);
    }
    Ok(intents)
}

/// Records in the bucket, before the first upload, the paths a deploy owes an invalidation:
/// a run killed on one machine leaves them for the next deploy, wherever it runs.
pub async fn mark_pending(
    s3: &cloudfront_s3::Client,
    options: &Options,
    intent: &journal::Intent,
) -> Result<(), Error> {
    let at = &options.destination;
    let body = serde_json::to_vec(&intent.to_json()).expect("JSON of strings");
    s3::write_record(s3, &at.bucket, &at.pending_key(&intent.run_id), body).await
}

/// Removes the bucket's pending records of `run_ids` (this run's, and the runs it resumed)
/// once every invalidation they owed was accepted.
pub async fn clear_pending(s3: &cloudfront_s3::Client, options: &Options, run_ids: &[String]) -> Result<(), Error> {
    let at = &options.destination;
    let keys: Vec<String> = run_ids.iter().map(|run_id| at.pending_key(run_id)).collect();
    s3::delete(s3, &at.bucket, &keys).await
}

/// Sorts every file into an upload (with its reason) or unchanged, asking S3 (HeadObject,
/// `concurrency` at a time) where the listing and the manifest do not tell.
async fn decide(
    s3: &cloudfront_s3::Client,
    options: &Options,
    files: Vec<LocalFile>,
    plan: &mut Plan,
) -> Result<(), Error> {
    let mut ask: Vec<(LocalFile, String, Headers)> = Vec::new();
    for file in files {
        let key = options.destination.key(&file.relative);
        if options.destination.is_record(&key) {
            return Err(Error::Refused(format!(
                "{}: the deploy keeps its own records under this name; rename the file or --exclude it",
                file.path.display()
            )));
        }
        let headers = Headers::for_file(&file.relative, &options.cache_control);
        plan.source_keys.insert(key.clone());
        let verdict = if options.force {
            Verdict::Upload(Reason::Forced)
        } else {
            compare::by_listing(&file, &key, &headers, plan.listed.get(&key), &plan.manifest)
        };
        match verdict {
            Verdict::Unchanged => keep(plan, &file, &key, &headers),
            Verdict::Upload(reason) => plan.uploads.push(Upload { file, key, headers, reason }),
            Verdict::AskS3 => ask.push((file, key, headers)),
        }
    }
    plan.asked = ask.len();
    let limit = Arc::new(Semaphore::new(options.concurrency.max(1)));
    let mut heads = tokio::task::JoinSet::new();
    for (index, (_, key, _)) in ask.iter().enumerate() {
        let (s3, bucket, key, limit) = (s3.clone(), options.destination.bucket.clone(), key.clone(), limit.clone());
        heads.spawn(async move {
            let _permit = limit.acquire_owned().await;
            (index, s3::head(&s3, &bucket, &key).await)
        });
    }
    let mut observed = vec![None; ask.len()];
    while let Some(joined) = heads.join_next().await {
        let (index, answer) = joined.map_err(|e| Error::Other(format!("HeadObject stopped: {e}")))?;
        observed[index] = answer?;
    }
    for ((file, key, headers), seen) in ask.into_iter().zip(observed) {
        // Gone since the listing: it is new again.
        let verdict = seen.map_or(Verdict::Upload(Reason::New), |seen| compare::by_head(&file, &headers, &seen));
        match verdict {
            Verdict::Upload(reason) => plan.uploads.push(Upload { file, key, headers, reason }),
            _ => keep(plan, &file, &key, &headers),
        }
    }
    // Pages last, so a viewer never gets a page whose new assets are not there yet.
    plan.uploads.sort_by(|a, b| (a.headers.is_html(), &a.key).cmp(&(b.headers.is_html(), &b.key)));
    Ok(())
}

/// Counts an unchanged file and keeps its record for the next manifest.
fn keep(plan: &mut Plan, file: &LocalFile, key: &str, headers: &Headers) {
    plan.unchanged += 1;
    let etag = plan.listed.get(key).map(|l| l.etag.clone()).unwrap_or_default();
    let recorded = Recorded { sha256: file.sha256.clone(), headers: headers.fingerprint(), etag };
    plan.kept.insert(key.to_owned(), recorded);
}

/// The viewer paths of what changes, and of the whole site after the deploy.
fn map_paths(map: &ViewerMap, plan: &mut Plan) {
    let changed: BTreeSet<&String> = plan.uploads.iter().map(|u| &u.key).chain(&plan.deletes).collect();
    let mut paths = BTreeSet::new();
    for key in &changed {
        let served = map.paths_of(key);
        if served.paths.is_empty() && served.elsewhere.is_empty() {
            plan.unserved.push((*key).clone());
        }
        plan.elsewhere.extend(served.elsewhere.into_iter().map(|(path, origin)| ((*key).clone(), path, origin)));
        paths.extend(served.paths);
    }
    plan.paths = paths.into_iter().collect();
    // The site after the deploy: the source, and the listed keys it keeps (excluded, or left
    // without --delete); plus a mark in every folder another origin serves, so that no
    // wildcard reaches into another origin's cache without counting it.
    let deleted: BTreeSet<&String> = plan.deletes.iter().collect();
    let kept = plan.source_keys.iter().chain(plan.listed.keys()).filter(|key| !deleted.contains(key));
    let mut site: BTreeSet<String> = kept.flat_map(|key| map.paths_of(key).paths).collect();
    let marks =
        map.foreign_folders().into_iter().map(|folder| format!("{}\u{0}another origin", encode_key_path(&folder)));
    site.extend(marks);
    plan.site_paths = site.into_iter().collect();
}

/// What [`apply`] did.
#[non_exhaustive]
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Files uploaded.
    pub uploaded: usize,
    /// Bytes uploaded.
    pub bytes: u64,
    /// Keys deleted.
    pub deleted: usize,
}

/// Uploads (assets, then pages), deletes, and stores the new manifest. `on_uploaded` sees
/// each key as its upload finishes (the journal records it).
pub async fn apply(
    s3: &cloudfront_s3::Client,
    options: &Options,
    plan: &Plan,
    on_uploaded: &mut (dyn FnMut(&Upload) -> Result<(), String> + Send),
) -> Result<Applied, Error> {
    // Records of the keys that stay: unchanged files, and listed keys the source does not
    // touch (excluded ones); uploads are added as they finish.
    let deleted: BTreeSet<&String> = plan.deletes.iter().collect();
    let mut manifest = Manifest { objects: plan.kept.clone(), ..Manifest::default() };
    for (key, recorded) in &plan.manifest.objects {
        // Carried over only while it is still trusted (an object edited in place since the
        // last manifest would otherwise be vouched for by the new one).
        let untouched = !plan.source_keys.contains(key) && !deleted.contains(key);
        let trusted =
            plan.listed.get(key).is_some_and(|l| plan.manifest.trusted(key, &l.etag, l.last_modified).is_some());
        if untouched && trusted {
            manifest.objects.insert(key.clone(), recorded.clone());
        }
    }
    let (assets, pages): (Vec<&Upload>, Vec<&Upload>) = plan.uploads.iter().partition(|u| !u.headers.is_html());
    let mut applied = Applied::default();
    for group in [assets, pages] {
        let etags = upload_group(s3, options, &group, on_uploaded).await?;
        for (upload, etag) in group.iter().zip(etags) {
            let recorded = Recorded { sha256: upload.file.sha256.clone(), headers: upload.headers.fingerprint(), etag };
            manifest.objects.insert(upload.key.clone(), recorded);
            applied.uploaded += 1;
            applied.bytes += upload.file.size;
        }
    }
    s3::delete(s3, &options.destination.bucket, &plan.deletes).await?;
    applied.deleted = plan.deletes.len();
    // A deploy that changed nothing and asked S3 about nothing leaves the manifest alone
    // (objects uploaded or asked about are newer than the manifest: it must be rewritten).
    if manifest.objects != plan.manifest.objects || applied.uploaded > 0 || plan.asked > 0 {
        s3::write_manifest(s3, &options.destination, &manifest).await?;
    }
    Ok(applied)
}

/// Uploads `group` with `options.concurrency` requests in flight; the ETags in its order.
async fn upload_group(
    s3: &cloudfront_s3::Client,
    options: &Options,
    group: &[&Upload],
    on_uploaded: &mut (dyn FnMut(&Upload) -> Result<(), String> + Send),
) -> Result<Vec<String>, Error> {
    // Shared by whole files and parts, so a large file's parts and small files together stay
    // within the limit (and so does memory: bodies are read from disk as they are sent).
    let uploader = s3::Uploader {
        s3: s3.clone(),
        bucket: options.destination.bucket.clone(),
        multipart: options.multipart,
        limit: Arc::new(Semaphore::new(options.concurrency.max(1))),
    };
    let mut tasks = tokio::task::JoinSet::new();
    for (index, upload) in group.iter().enumerate() {
        let (uploader, upload) = (uploader.clone(), (*upload).clone());
        tasks.spawn(async move { (index, uploader.upload(&upload.key, &upload.file, &upload.headers).await) });
    }
    // After the first failure no upload starts (the limit is closed); those in flight finish,
    // are recorded, and abort their multipart uploads themselves if they cannot complete.
    let (mut etags, mut failed) = (vec![String::new(); group.len()], None);
    while let Some(joined) = tasks.join_next().await {
        let outcome = joined.map_err(|e| Error::Other(format!("an upload stopped: {e}"))).and_then(|(index, etag)| {
            etags[index] = etag?;
            on_uploaded(group[index]).map_err(Error::from)
        });
        if let Err(error) = outcome {
            uploader.limit.close();
            failed.get_or_insert(error);
        }
    }
    failed.map_or(Ok(etags), Err)
}
