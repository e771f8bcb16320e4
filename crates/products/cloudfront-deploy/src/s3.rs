//! The S3 calls a deploy makes, through the generated client: the listing under the prefix,
//! HeadObject for objects the manifest does not cover, the manifest itself, uploads (one
//! PutObject, or a multipart upload above the threshold, its parts sent from ranges of the
//! file under a shared limit of parts in flight) and DeleteObjects in batches of 1,000.

use std::collections::BTreeMap;
use std::sync::Arc;

use cloudfront_primitives::{Body, DateTime};
use cloudfront_s3::Client;
use cloudfront_s3::types::{CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier, ServerSideEncryption};
use tokio::sync::Semaphore;

use crate::compare::{Listed, Observed};
use crate::error::{Error, call_failed};
use crate::headers::Headers;
use crate::local::LocalFile;
use crate::manifest::{MANIFEST_NAME, Manifest, PENDING_FOLDER, SHA256_METADATA};

/// DeleteObjects takes at most this many keys.
const DELETE_BATCH: usize = 1000;
/// S3 allows at most this many parts.
const MAX_PARTS: u64 = 10_000;

/// Where the site lives: a bucket and a key prefix (empty, or ending in `/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The bucket.
    pub bucket: String,
    /// The key prefix: empty, or ending in `/`.
    pub prefix: String,
}

impl Location {
    /// Reads `s3://BUCKET[/PREFIX]`.
    pub fn parse(url: &str) -> Result<Location, String> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| format!("{url:?}: the destination must be s3://BUCKET[/PREFIX]"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(format!("{url:?}: the destination names no bucket (s3://BUCKET[/PREFIX])"));
        }
        let prefix = prefix.trim_matches('/');
        let prefix = if prefix.is_empty() { String::new() } else { format!("{prefix}/") };
        Ok(Location { bucket: bucket.to_owned(), prefix })
    }

    /// The key of a file's relative path.
    pub fn key(&self, relative: &str) -> String {
        format!("{}{relative}", self.prefix)
    }

    /// The manifest's key.
    pub fn manifest_key(&self) -> String {
        self.key(MANIFEST_NAME)
    }

    /// The key of run `run_id`'s record of paths it has not yet had invalidated.
    pub fn pending_key(&self, run_id: &str) -> String {
        format!("{}{run_id}.json", self.key(PENDING_FOLDER))
    }

    /// Whether `key` is a run's pending record.
    pub fn is_pending_record(&self, key: &str) -> bool {
        key.starts_with(&self.key(PENDING_FOLDER))
    }

    /// Whether `key` is one of the deploy's own records (never a file of the site).
    pub fn is_record(&self, key: &str) -> bool {
        key == self.manifest_key() || self.is_pending_record(key)
    }
}

/// `s3://BUCKET/PREFIX` (how journals and messages name a destination).
impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)
    }
}

/// How uploads are split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Multipart {
    /// Files of at least this many bytes go up in parts (the AWS CLI's 8 MiB).
    pub threshold: u64,
    /// The size of a part (the AWS CLI's 8 MiB), raised where a file would need over 10,000.
    pub part_size: u64,
}

impl Default for Multipart {
    fn default() -> Self {
        Multipart { threshold: 8 << 20, part_size: 8 << 20 }
    }
}

/// What is under the prefix: the site's objects by key, and the keys of runs' pending records
/// (the manifest left out).
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// The site's objects.
    pub objects: BTreeMap<String, Listed>,
    /// Pending records' keys.
    pub pending: Vec<String>,
}

/// Everything under the prefix.
pub async fn list(s3: &Client, at: &Location) -> Result<Listing, Error> {
    let mut listing = Listing::default();
    let mut token: Option<String> = None;
    // Bounded by the bucket: each page moves the continuation token on, and S3 ends the list.
    loop {
        let page = s3
            .list_objects_v2()
            .bucket(&at.bucket)
            .prefix(&at.prefix)
            .set_continuation_token(token.clone())
            .send()
            .await
            .map_err(|e| call_failed(format_args!("listing {at}"), e))?;
        for object in page.contents.unwrap_or_default() {
            let (Some(key), Some(etag)) = (object.key, object.e_tag) else { continue };
            if at.is_pending_record(&key) {
                listing.pending.push(key);
            } else if !at.is_record(&key) {
                let size = object.size.unwrap_or(0).max(0) as u64;
                listing.objects.insert(key, Listed { etag, size, last_modified: object.last_modified });
            }
        }
        token = page.next_continuation_token.filter(|_| page.is_truncated == Some(true));
        if token.is_none() {
            return Ok(listing);
        }
    }
}

/// What HeadObject says of `key`; `None` when it is gone (deleted since the listing).
pub async fn head(s3: &Client, bucket: &str, key: &str) -> Result<Option<Observed>, Error> {
    let answer = match s3.head_object().bucket(bucket).key(key).send().await {
        Ok(answer) => answer,
        Err(e) if e.http_status() == Some(404) => return Ok(None),
        Err(e) => return Err(call_failed(format_args!("HeadObject {key}"), e)),
    };
    let kms =
        matches!(answer.server_side_encryption, Some(ServerSideEncryption::AwsKms | ServerSideEncryption::AwsKmsDsse));
    Ok(Some(Observed {
        etag: answer.e_tag.unwrap_or_default(),
        sha256: answer.metadata.and_then(|m| m.get(SHA256_METADATA).cloned()),
        plain_encryption: !kms && answer.sse_customer_algorithm.is_none(),
        headers: Headers { content_type: answer.content_type, cache_control: answer.cache_control },
    }))
}

/// The manifest under the prefix (with when S3 stored it); `Ok(None)` when there is none yet.
pub async fn read_manifest(s3: &Client, at: &Location) -> Result<Option<Manifest>, Error> {
    let key = at.manifest_key();
    let Some((body, written)) = read_record(s3, &at.bucket, &key).await? else { return Ok(None) };
    let mut manifest = Manifest::from_json(&body).map_err(|why| Error::Other(format!("{key}: {why}")))?;
    manifest.written = written;
    Ok(Some(manifest))
}

/// One of the deploy's records under the prefix, and when S3 stored it; `None` when absent.
pub async fn read_record(s3: &Client, bucket: &str, key: &str) -> Result<Option<(Vec<u8>, Option<DateTime>)>, Error> {
    let answer = match s3.get_object().bucket(bucket).key(key).send().await {
        Ok(answer) => answer,
        Err(e) if matches!(e.code(), Some("NoSuchKey" | "NotFound")) => return Ok(None),
        Err(e) => return Err(call_failed(format_args!("GetObject {key}"), e)),
    };
    let body = answer.body.as_ref().and_then(Body::as_bytes).unwrap_or_default().to_vec();
    Ok(Some((body, answer.last_modified)))
}

/// Stores one of the deploy's records (never cached: it changes with every deploy).
pub async fn write_record(s3: &Client, bucket: &str, key: &str, body: Vec<u8>) -> Result<(), Error> {
    let call = s3.put_object().bucket(bucket).key(key).body(Body::from(body));
    let call = call.content_type("application/json").cache_control("no-store");
    call.send().await.map(drop).map_err(|e| call_failed(format_args!("PutObject {key}"), e))
}

/// Stores the manifest under the prefix.
pub async fn write_manifest(s3: &Client, at: &Location, manifest: &Manifest) -> Result<(), Error> {
    write_record(s3, &at.bucket, &at.manifest_key(), manifest.to_json()).await
}

/// Uploads to one bucket, every request (whole files, parts, the multipart calls) within one
/// limit shared by all the deploy's uploads.
#[derive(Debug, Clone)]
pub struct Uploader {
    /// The client.
    pub s3: Client,
    /// The bucket.
    pub bucket: String,
    /// How large files are split.
    pub multipart: Multipart,
    /// Requests in flight at once; closing it stops uploads that have not started.
    pub limit: Arc<Semaphore>,
}

impl Uploader {
    /// Uploads `file` to `key` with `headers` (and its SHA-256 in the metadata); returns the
    /// object's ETag.
    pub async fn upload(&self, key: &str, file: &LocalFile, headers: &Headers) -> Result<String, Error> {
        if file.size >= self.multipart.threshold && file.size > 0 {
            return self.upload_in_parts(key, file, headers).await;
        }
        let _permit = self.permit().await?;
        let body = Body::from_path(&file.path).map_err(|e| Error::Other(format!("{}: {e}", file.path.display())))?;
        // Content-MD5 of the content hashed: should the file change before it is read, S3
        // refuses the upload rather than store it under another content's hash.
        let call = self.s3.put_object().bucket(&self.bucket).key(key).body(body).content_md5(file.content_md5());
        let call = call.metadata(SHA256_METADATA, file.sha256.clone());
        let call = call.set_content_type(headers.content_type.clone()).set_cache_control(headers.cache_control.clone());
        let answer = call.send().await.map_err(|e| call_failed(format_args!("PutObject {key}"), e))?;
        Ok(answer.e_tag.unwrap_or_default())
    }

    async fn permit(&self) -> Result<tokio::sync::OwnedSemaphorePermit, Error> {
        self.limit.clone().acquire_owned().await.map_err(|_| Error::Other("the upload was stopped".into()))
    }

    async fn upload_in_parts(&self, key: &str, file: &LocalFile, headers: &Headers) -> Result<String, Error> {
        let call = self.s3.create_multipart_upload().bucket(&self.bucket).key(key);
        let call = call.metadata(SHA256_METADATA, file.sha256.clone());
        let call = call.set_content_type(headers.content_type.clone()).set_cache_control(headers.cache_control.clone());
        let created = {
            let _permit = self.permit().await?;
            call.send().await.map_err(|e| call_failed(format_args!("CreateMultipartUpload {key}"), e))?
        };
        let upload_id =
            created.upload_id.ok_or_else(|| Error::Service(format!("CreateMultipartUpload {key}: no UploadId")))?;
        let completed = async {
            let parts = self.send_parts(key, &upload_id, file).await?;
            let _permit = self.permit().await?;
            let call = self.s3.complete_multipart_upload().bucket(&self.bucket).key(key).upload_id(&upload_id);
            let answer = call.multipart_upload(parts).send().await;
            answer.map_err(|e| call_failed(format_args!("CompleteMultipartUpload {key}"), e))
        };
        match completed.await {
            Ok(answer) => Ok(answer.e_tag.unwrap_or_default()),
            Err(why) => {
                // At once, without waiting for the limit: parts left behind are billed until aborted.
                let abort = self.s3.abort_multipart_upload().bucket(&self.bucket).key(key).upload_id(&upload_id);
                let _ = abort.send().await;
                Err(why)
            }
        }
    }

    /// Sends every part of `file`, each from its range of the file (never the whole file in
    /// memory), as many at once as the limit allows; after a part fails no other is started,
    /// and those in flight are let finish (the caller then aborts the upload).
    async fn send_parts(
        &self,
        key: &str,
        upload_id: &str,
        file: &LocalFile,
    ) -> Result<CompletedMultipartUpload, Error> {
        let part_size = self.multipart.part_size.max(file.size.div_ceil(MAX_PARTS));
        let mut tasks = tokio::task::JoinSet::new();
        let (mut completed, mut failed) = (Vec::new(), None);
        for index in 0..file.size.div_ceil(part_size) {
            while let Some(joined) = tasks.try_join_next() {
                collect_part(joined, key, &mut completed, &mut failed);
            }
            if failed.is_some() {
                break;
            }
            let (offset, number) = (index * part_size, index as i32 + 1);
            let (body, permit) = match self.part(file, offset, part_size.min(file.size - offset)).await {
                Ok(ready) => ready,
                Err(error) => {
                    failed.get_or_insert(error);
                    break;
                }
            };
            let call = self.s3.upload_part().bucket(&self.bucket).key(key).upload_id(upload_id);
            let (call, key) = (call.part_number(number).body(body), key.to_owned());
            tasks.spawn(async move {
                let answer = call.send().await;
                drop(permit);
                let etag = answer.map_err(|e| call_failed(format_args!("UploadPart {number} of {key}"), e))?.e_tag;
                Ok::<_, Error>(CompletedPart::builder().part_number(number).set_e_tag(etag).build_or_default())
            });
        }
        while let Some(joined) = tasks.join_next().await {
            collect_part(joined, key, &mut completed, &mut failed);
        }
        if let Some(error) = failed {
            return Err(error);
        }
        completed.sort_by_key(|part| part.part_number);
        Ok(CompletedMultipartUpload::builder().set_parts(Some(completed)).build_or_default())
    }

    /// One part's body (a range of the file) and its place within the limit.
    async fn part(
        &self,
        file: &LocalFile,
        offset: u64,
        length: u64,
    ) -> Result<(Body, tokio::sync::OwnedSemaphorePermit), Error> {
        let body = Body::from_path_range(&file.path, offset, length)
            .map_err(|e| Error::Other(format!("{}: {e}", file.path.display())))?;
        Ok((body, self.permit().await?))
    }
}

/// A finished part: kept, or the first failure remembered.
fn collect_part(
    joined: Result<Result<CompletedPart, Error>, tokio::task::JoinError>,
    key: &str,
    completed: &mut Vec<CompletedPart>,
    failed: &mut Option<Error>,
) {
    match joined.map_err(|e| Error::Other(format!("UploadPart of {key}: {e}"))).and_then(|part| part) {
        Ok(part) => completed.push(part),
        Err(error) => {
            failed.get_or_insert(error);
        }
    }
}

/// Deletes `keys` in batches of 1,000; every key S3 could not delete is named.
pub async fn delete(s3: &Client, bucket: &str, keys: &[String]) -> Result<(), Error> {
    for batch in keys.chunks(DELETE_BATCH) {
        let mut delete = Delete::builder().quiet(true);
        for key in batch {
            delete = delete.objects(ObjectIdentifier::builder().key(key).build_or_default());
        }
        let delete = delete.build().map_err(|e| Error::Other(format!("DeleteObjects: {e}")))?;
        let answer = s3.delete_objects().bucket(bucket).delete(delete).send().await;
        let answer = answer.map_err(|e| call_failed("DeleteObjects", e))?;
        let failed: Vec<String> = answer
            .errors
            .unwrap_or_default()
            .into_iter()
            .map(|e| format!("{} ({})", e.key.unwrap_or_default(), e.code.unwrap_or_default()))
            .collect();
        if !failed.is_empty() {
            return Err(Error::Service(format!(
                "DeleteObjects could not delete {} keys: {}",
                failed.len(),
                failed.join(", ")
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destinations_name_a_bucket_and_a_prefix() {
        let at = Location::parse("s3://site/live/").unwrap();
        assert_eq!((at.bucket.as_str(), at.prefix.as_str()), ("site", "live/"));
        assert_eq!(at.key("css/a.css"), "live/css/a.css");
        assert_eq!(at.to_string(), "s3://site/live/");
        assert_eq!(at.manifest_key(), "live/.cloudfront-deploy.json");
        assert_eq!(at.pending_key("r1"), "live/.cloudfront-deploy.pending/r1.json");
        assert!(at.is_record("live/.cloudfront-deploy.pending/r2.json") && !at.is_record("live/x.json"));
        assert_eq!(Location::parse("s3://site").unwrap().key("a"), "a");
        assert!(Location::parse("site/live").unwrap_err().contains("s3://BUCKET"));
        assert!(Location::parse("s3:///x").unwrap_err().contains("no bucket"));
    }
}
