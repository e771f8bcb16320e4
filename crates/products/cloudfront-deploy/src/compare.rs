//! Whether a file must be uploaded, decided by content, never by time: by the manifest's
//! record while S3 still lists the object with the ETag recorded; otherwise by the object
//! itself (HeadObject): the SHA-256 in its metadata, or its ETag where that is the MD5 of the
//! body (a single-part upload without SSE-KMS or SSE-C). Changed headers count as a change:
//! viewers' cached copies carry the old ones, so the object is sent again and invalidated.

use crate::headers::Headers;
use crate::local::LocalFile;
use crate::manifest::Manifest;

/// Why a file is uploaded.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// No object has its key.
    New,
    /// Its content differs.
    Content,
    /// Its content is the same, its headers are not.
    Headers,
    /// Nothing tells what the object holds (no recorded hash, an ETag that is not an MD5).
    Unverifiable,
    /// `--force`.
    Forced,
}

impl Reason {
    /// How reports name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::New => "new",
            Reason::Content => "content changed",
            Reason::Headers => "headers changed",
            Reason::Unverifiable => "content unknown",
            Reason::Forced => "forced",
        }
    }
}

/// What the decision is, or that S3 must be asked first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Same content, same headers.
    Unchanged,
    /// Upload it.
    Upload(Reason),
    /// The listing and the manifest do not tell: ask with HeadObject.
    AskS3,
}

/// What ListObjectsV2 says of a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Its ETag, quoted as S3 sends it.
    pub etag: String,
    /// Its size in bytes.
    pub size: u64,
    /// When it was last written.
    pub last_modified: Option<cloudfront_primitives::DateTime>,
}

/// What HeadObject says of a key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Observed {
    /// Its ETag.
    pub etag: String,
    /// The SHA-256 an earlier deploy put in its metadata.
    pub sha256: Option<String>,
    /// Whether the ETag can be an MD5 of the body: no SSE-KMS, no SSE-C.
    pub plain_encryption: bool,
    /// Its Content-Type and Cache-Control.
    pub headers: Headers,
}

/// The decision from the listing and the manifest alone.
pub fn by_listing(
    file: &LocalFile,
    key: &str,
    headers: &Headers,
    listed: Option<&Listed>,
    manifest: &Manifest,
) -> Verdict {
    let Some(listed) = listed else { return Verdict::Upload(Reason::New) };
    if listed.size != file.size {
        return Verdict::Upload(Reason::Content);
    }
    match manifest.trusted(key, &listed.etag, listed.last_modified) {
        Some(recorded) if recorded.sha256 != file.sha256 => Verdict::Upload(Reason::Content),
        Some(recorded) if recorded.headers != headers.fingerprint() => Verdict::Upload(Reason::Headers),
        Some(_) => Verdict::Unchanged,
        None => Verdict::AskS3,
    }
}

/// The decision from what HeadObject answered.
pub fn by_head(file: &LocalFile, headers: &Headers, observed: &Observed) -> Verdict {
    // The ETag first where it is the body's MD5: it always describes the body, while metadata
    // survives a rewrite in place (an image optimiser keeping the object's metadata).
    let same_content = match (md5_of_etag(&observed.etag), &observed.sha256) {
        (Some(md5), _) if observed.plain_encryption => md5 == file.md5,
        (_, Some(sha256)) => sha256 == &file.sha256,
        _ => return Verdict::Upload(Reason::Unverifiable),
    };
    if !same_content {
        Verdict::Upload(Reason::Content)
    } else if !observed.headers.same_as_stored(headers) {
        Verdict::Upload(Reason::Headers)
    } else {
        Verdict::Unchanged
    }
}

/// The MD5 an ETag holds, if it has that form (a multipart ETag ends in `-N`).
fn md5_of_etag(etag: &str) -> Option<String> {
    let inner = etag.trim_matches('"');
    (inner.len() == 32 && inner.bytes().all(|b| b.is_ascii_hexdigit())).then(|| inner.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Recorded;
    use cloudfront_primitives::DateTime;

    fn file() -> LocalFile {
        LocalFile {
            relative: "index.html".into(),
            path: "index.html".into(),
            size: 5,
            md5: "5d41402abc4b2a76b9719d911017c592".into(),
            sha256: "2cf2".into(),
        }
    }

    fn html() -> Headers {
        Headers { content_type: Some("text/html".into()), cache_control: None }
    }

    #[test]
    fn the_listing_and_a_trusted_record_decide_without_asking() {
        let mut manifest = Manifest { written: Some(DateTime::from_secs(200)), ..Manifest::default() };
        let at = Some(DateTime::from_secs(100));
        let listed = Listed { etag: "\"e1\"".into(), size: 5, last_modified: at };
        let verdict = |m: &Manifest, l: Option<&Listed>| by_listing(&file(), "k", &html(), l, m);
        assert_eq!(verdict(&manifest, None), Verdict::Upload(Reason::New));
        assert_eq!(verdict(&manifest, Some(&listed)), Verdict::AskS3, "no record");
        let record = Recorded { sha256: "2cf2".into(), headers: html().fingerprint(), etag: "\"e1\"".into() };
        manifest.objects.insert("k".into(), record.clone());
        assert_eq!(verdict(&manifest, Some(&listed)), Verdict::Unchanged);
        let replaced = Listed { etag: "\"e2\"".into(), size: 5, last_modified: at };
        assert_eq!(verdict(&manifest, Some(&replaced)), Verdict::AskS3, "someone else replaced it");
        let resized = Listed { etag: "\"e1\"".into(), size: 6, last_modified: at };
        assert_eq!(verdict(&manifest, Some(&resized)), Verdict::Upload(Reason::Content));
        manifest.objects.insert("k".into(), Recorded { headers: "other".into(), ..record.clone() });
        assert_eq!(verdict(&manifest, Some(&listed)), Verdict::Upload(Reason::Headers));
        manifest.objects.insert("k".into(), Recorded { sha256: "ffff".into(), ..record });
        assert_eq!(verdict(&manifest, Some(&listed)), Verdict::Upload(Reason::Content));
    }

    #[test]
    fn head_compares_the_recorded_hash_or_an_md5_etag() {
        let md5_etag = "\"5d41402abc4b2a76b9719d911017c592\"".to_owned();
        let observed = Observed { etag: md5_etag.clone(), sha256: None, plain_encryption: true, headers: html() };
        assert_eq!(by_head(&file(), &html(), &observed), Verdict::Unchanged);
        let kms = Observed { plain_encryption: false, ..observed.clone() };
        assert_eq!(by_head(&file(), &html(), &kms), Verdict::Upload(Reason::Unverifiable));
        let multipart = Observed { etag: "\"abc-3\"".into(), ..observed.clone() };
        assert_eq!(by_head(&file(), &html(), &multipart), Verdict::Upload(Reason::Unverifiable));
        let hashed = Observed { sha256: Some("2cf2".into()), ..multipart };
        assert_eq!(by_head(&file(), &html(), &hashed), Verdict::Unchanged);
        // Rewritten in place with its metadata kept: the MD5 ETag tells.
        let rewritten = Observed { etag: "\"00000000000000000000000000000000\"".into(), ..hashed.clone() };
        assert_eq!(by_head(&file(), &html(), &rewritten), Verdict::Upload(Reason::Content));
        // S3 stores its default type when none was sent.
        let untyped = LocalFile { relative: "LICENSE".into(), ..file() };
        let stored = Observed {
            headers: Headers { content_type: Some("binary/octet-stream".into()), cache_control: None },
            ..hashed.clone()
        };
        assert_eq!(by_head(&untyped, &Headers::default(), &stored), Verdict::Unchanged);
        let other = Observed { sha256: Some("ffff".into()), ..hashed.clone() };
        assert_eq!(by_head(&file(), &html(), &other), Verdict::Upload(Reason::Content));
        let cached = Observed { headers: Headers { cache_control: Some("no-cache".into()), ..html() }, ..hashed };
        assert_eq!(by_head(&file(), &html(), &cached), Verdict::Upload(Reason::Headers));
    }
}
