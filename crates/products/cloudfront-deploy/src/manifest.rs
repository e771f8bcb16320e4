//! The manifest: one JSON object under the prefix (`.cloudfront-deploy.json`) recording, per
//! key we uploaded, the SHA-256 of its content, the headers we gave it, and the ETag S3 gave
//! it. A deploy reads it instead of asking S3 about every object. An entry is trusted only
//! while the listed ETag still equals the recorded one: an object someone else replaced is
//! checked afresh.

use std::collections::BTreeMap;

use cloudfront_primitives::DateTime;
use serde_json::{Value, json};

/// The manifest's key under the prefix.
pub const MANIFEST_NAME: &str = ".cloudfront-deploy.json";

/// The folder under the prefix holding, per run (`RUN_ID.json`), the record of a deploy that
/// has not finished invalidating: what a CI job killed on one runner leaves for the next
/// runner's deploy (its local journal is gone). One object per run, so overlapping deploys
/// never overwrite or delete each other's.
pub const PENDING_FOLDER: &str = ".cloudfront-deploy.pending/";

/// The user-metadata key (`x-amz-meta-…`) every upload carries its SHA-256 in, for objects
/// the manifest does not cover.
pub const SHA256_METADATA: &str = "cloudfront-deploy-sha256";

/// What we know of one uploaded object.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The content's SHA-256, lower-case hex.
    pub sha256: String,
    /// The headers we gave it (see [`crate::headers::Headers::fingerprint`]).
    pub headers: String,
    /// The ETag S3 answered the upload with.
    pub etag: String,
}

/// Every key's record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// By full S3 key.
    pub objects: BTreeMap<String, Recorded>,
    /// When S3 stored the manifest (not part of its JSON).
    pub written: Option<DateTime>,
}

impl Manifest {
    /// Reads a manifest; one we cannot read is treated as absent (every object is then
    /// checked with S3), and said so by the caller.
    pub fn from_json(bytes: &[u8]) -> Result<Manifest, String> {
        let value: Value = serde_json::from_slice(bytes).map_err(|e| format!("not JSON: {e}"))?;
        if value["Version"] != json!(1) {
            return Err(format!("version {} is not one this deploy reads", value["Version"]));
        }
        let objects = value["Objects"].as_object().ok_or("no Objects")?;
        let mut manifest = Manifest::default();
        for (key, entry) in objects {
            let text = |k: &str| entry[k].as_str().map(str::to_owned).ok_or_else(|| format!("{key}: no {k}"));
            let recorded = Recorded { sha256: text("Sha256")?, headers: text("Headers")?, etag: text("ETag")? };
            manifest.objects.insert(key.clone(), recorded);
        }
        Ok(manifest)
    }

    /// The manifest as stored.
    pub fn to_json(&self) -> Vec<u8> {
        let objects: serde_json::Map<String, Value> = self
            .objects
            .iter()
            .map(|(key, r)| (key.clone(), json!({"Sha256": r.sha256, "Headers": r.headers, "ETag": r.etag})))
            .collect();
        serde_json::to_vec(&json!({"Version": 1, "Objects": objects})).expect("JSON of strings")
    }

    /// The record of `key`, if it still describes the object S3 lists: the same ETag, and not
    /// modified after the manifest was stored (an in-place metadata edit keeps the ETag).
    pub fn trusted(&self, key: &str, listed_etag: &str, last_modified: Option<DateTime>) -> Option<&Recorded> {
        let not_later = match (last_modified, self.written) {
            (Some(modified), Some(written)) => modified <= written,
            _ => false,
        };
        self.objects.get(key).filter(|r| r.etag == listed_etag && not_later)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_survives_its_json_and_trusts_only_a_matching_etag() {
        let mut manifest = Manifest::default();
        let recorded = Recorded { sha256: "ab".into(), headers: "text/html\n".into(), etag: "\"e1\"".into() };
        manifest.objects.insert("site/index.html".into(), recorded.clone());
        let mut again = Manifest::from_json(&manifest.to_json()).unwrap();
        assert_eq!(again, manifest);
        let at = |secs: i64| Some(DateTime::from_secs(secs));
        assert_eq!(again.trusted("site/index.html", "\"e1\"", at(100)), None, "no time stored");
        again.written = Some(DateTime::from_secs(200));
        assert_eq!(again.trusted("site/index.html", "\"e1\"", at(100)), Some(&recorded));
        assert_eq!(again.trusted("site/index.html", "\"e1\"", at(200)), Some(&recorded));
        assert_eq!(again.trusted("site/index.html", "\"e1\"", at(201)), None, "changed in place later");
        assert_eq!(again.trusted("site/index.html", "\"e2\"", at(100)), None);
        assert!(Manifest::from_json(b"{\"Version\": 2}").unwrap_err().contains("version 2"));
        assert!(Manifest::from_json(b"<xml/>").unwrap_err().starts_with("not JSON"));
    }
}
