//! The S3 calls a deploy makes, through the generated client: the listing under the prefix,
//! HeadObject for objects the manifest does not cover, the manifest itself, uploads (one
//! PutObject, or a multipart upload above the threshold, its parts sent from ranges of the
//! file under a shared limit of parts in flight) and DeleteObjects in batches of 1,000.

use std::collections::BTreeMap;
use std::sync::Arc;

use cloudfront_primitives::Body;
use cloudfront_s3::Client;
use cloudfront_s3::types::{CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier, ServerSideEncryption};
use tokio::sync::Semaphore;

use crate::compare::{Listed, Observed};
use crate::error::{Error, call_failed};
use crate::headers::Headers;
use crate::local::LocalFile;
use crate::manifest::{MANIFEST_NAME, Manifest, SHA256_METADATA};

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

/// Every object under the prefix (the manifest left out), by key.
pub async fn list(s3: &Client, at: &Location) -> Result<BTreeMap<String, Listed>, Error> {
    let mut objects = BTreeMap::new();
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
            .map_err(|e| call_failed(format_args!("listing s3://{}/{}", at.bucket, at.prefix), e))?;
        for object in page.contents.unwrap_or_default() {
            let (Some(key), Some(etag)) = (object.key, object.e_tag) else { continue };
            if key != at.manifest_key() {
                objects.insert(key, Listed { etag, size: object.size.unwrap_or(0).max(0) as u64 });
            }
        }
        token = page.next_continuation_token.filter(|_| page.is_truncated == Some(true));
        if token.is_none() {
            return Ok(objects);
        }
    }
}

/// What HeadObject says of `key`.
pub async fn head(s3: &Client, bucket: &str, key: &str) -> Result<Observed, Error> {
    let answer = s3
        .head_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| call_failed(format_args!("HeadObject {key}"), e))?;
    let kms =
        matches!(answer.server_side_encryption, Some(ServerSideEncryption::AwsKms | ServerSideEncryption::AwsKmsDsse));
    Ok(Observed {
        etag: answer.e_tag.unwrap_or_default(),
        sha256: answer.metadata.and_then(|m| m.get(SHA256_METADATA).cloned()),
        plain_encryption: !kms && answer.sse_customer_algorithm.is_none(),
        headers: Headers { content_type: answer.content_type, cache_control: answer.cache_control },
    })
}

/// The manifest under the prefix; `Ok(None)` when there is none yet, and a warning's text
/// (as the error) when one exists but cannot be read.
pub async fn read_manifest(s3: &Client, at: &Location) -> Result<Option<Manifest>, Error> {
    let key = at.manifest_key();
    let answer = match s3.get_object().bucket(&at.bucket).key(&key).send().await {
        Ok(answer) => answer,
        Err(e) if matches!(e.code(), Some("NoSuchKey" | "NotFound")) => return Ok(None),
        Err(e) => return Err(call_failed(format_args!("GetObject {key}"), e)),
    };
    let body = answer.body.as_ref().and_then(Body::as_bytes).unwrap_or_default();
    Manifest::from_json(body).map(Some).map_err(|why| Error::Other(format!("{key}: {why}")))
}

/// Stores the manifest under the prefix.
pub async fn write_manifest(s3: &Client, at: &Location, manifest: &Manifest) -> Result<(), Error> {
    let key = at.manifest_key();
    let call = s3.put_object().bucket(&at.bucket).key(&key).body(Body::from(manifest.to_json()));
    let call = call.content_type("application/json").cache_control("no-store");
    call.send().await.map(drop).map_err(|e| call_failed(format_args!("PutObject {key}"), e))
}

/// Uploads `file` to `key` with `headers` (and its SHA-256 in the metadata); returns the
/// object's ETag. `parts` bounds the requests in flight across every upload of the deploy.
pub async fn upload(
    s3: &Client,
    bucket: &str,
    key: &str,
    file: &LocalFile,
    headers: &Headers,
    multipart: Multipart,
    parts: &Arc<Semaphore>,
) -> Result<String, Error> {
    if file.size >= multipart.threshold && file.size > 0 {
        return upload_in_parts(s3, bucket, key, file, headers, multipart, parts).await;
    }
    let _permit = parts.acquire().await.map_err(|_| Error::Other("the upload was stopped".into()))?;
    let body = Body::from_path(&file.path).map_err(|e| Error::Other(format!("{}: {e}", file.path.display())))?;
    let call = s3.put_object().bucket(bucket).key(key).body(body).metadata(SHA256_METADATA, file.sha256.clone());
    let call = call.set_content_type(headers.content_type.clone()).set_cache_control(headers.cache_control.clone());
    let answer = call.send().await.map_err(|e| call_failed(format_args!("PutObject {key}"), e))?;
    Ok(answer.e_tag.unwrap_or_default())
}

async fn upload_in_parts(
    s3: &Client,
    bucket: &str,
    key: &str,
    file: &LocalFile,
    headers: &Headers,
    multipart: Multipart,
    parts: &Arc<Semaphore>,
) -> Result<String, Error> {
    let call = s3.create_multipart_upload().bucket(bucket).key(key).metadata(SHA256_METADATA, file.sha256.clone());
    let call = call.set_content_type(headers.content_type.clone()).set_cache_control(headers.cache_control.clone());
    let created = call.send().await.map_err(|e| call_failed(format_args!("CreateMultipartUpload {key}"), e))?;
    let upload_id =
        created.upload_id.ok_or_else(|| Error::Service(format!("CreateMultipartUpload {key}: no UploadId")))?;
    match send_parts(s3, bucket, key, &upload_id, file, multipart, parts).await {
        Ok(completed) => {
            let call = s3.complete_multipart_upload().bucket(bucket).key(key).upload_id(&upload_id);
            let answer = call.multipart_upload(completed).send().await;
            Ok(answer
                .map_err(|e| call_failed(format_args!("CompleteMultipartUpload {key}"), e))?
                .e_tag
                .unwrap_or_default())
        }
        Err(why) => {
            // Parts left behind are billed until aborted.
            let _ = s3.abort_multipart_upload().bucket(bucket).key(key).upload_id(&upload_id).send().await;
            Err(why)
        }
    }
}

/// Sends every part of `file`, each from its range of the file (never the whole file in
/// memory), as many at once as `parts` allows.
async fn send_parts(
    s3: &Client,
    bucket: &str,
    key: &str,
    upload_id: &str,
    file: &LocalFile,
    multipart: Multipart,
    parts: &Arc<Semaphore>,
) -> Result<CompletedMultipartUpload, Error> {
    let part_size = multipart.part_size.max(file.size.div_ceil(MAX_PARTS));
    let count = file.size.div_ceil(part_size);
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..count {
        let offset = index * part_size;
        let length = part_size.min(file.size - offset);
        let body = Body::from_path_range(&file.path, offset, length)
            .map_err(|e| Error::Other(format!("{}: {e}", file.path.display())))?;
        let permit = parts.clone().acquire_owned().await.map_err(|_| Error::Other("the upload was stopped".into()))?;
        let call =
            s3.upload_part().bucket(bucket).key(key).upload_id(upload_id).part_number(index as i32 + 1).body(body);
        let key = key.to_owned();
        tasks.spawn(async move {
            let answer = call.send().await;
            drop(permit);
            let etag = answer.map_err(|e| call_failed(format_args!("UploadPart {} of {key}", index + 1), e))?.e_tag;
            Ok::<_, Error>(CompletedPart::builder().part_number(index as i32 + 1).set_e_tag(etag).build_or_default())
        });
    }
    let mut completed = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        completed.push(joined.map_err(|e| Error::Other(format!("UploadPart of {key}: {e}")))??);
    }
    completed.sort_by_key(|part| part.part_number);
    Ok(CompletedMultipartUpload::builder().set_parts(Some(completed)).build_or_default())
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
        assert_eq!(at.manifest_key(), "live/.cloudfront-deploy.json");
        assert_eq!(Location::parse("s3://site").unwrap().key("a"), "a");
        assert!(Location::parse("site/live").unwrap_err().contains("s3://BUCKET"));
        assert!(Location::parse("s3:///x").unwrap_err().contains("no bucket"));
    }
}
