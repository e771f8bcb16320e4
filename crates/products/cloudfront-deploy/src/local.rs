//! The source directory: every regular file below it (symbolic links followed, as `aws s3
//! sync` follows them), named by its path relative to the directory with `/` separators, and
//! hashed once: MD5 (what S3's ETag of a single-part upload is) and SHA-256 (what we record),
//! in one pass over the file.

use std::io::Read;
use std::path::{Path, PathBuf};

use md5::Digest as _;

use crate::glob::Filters;

/// A file to deploy.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalFile {
    /// Its path relative to the source directory, `/`-separated (`css/site.css`).
    pub relative: String,
    /// Where it is on disk.
    pub path: PathBuf,
    /// Its size in bytes.
    pub size: u64,
    /// Its MD5, lower-case hex.
    pub md5: String,
    /// Its SHA-256, lower-case hex.
    pub sha256: String,
}

impl LocalFile {
    /// Its MD5 as the Content-MD5 header carries it (base64 of the digest).
    pub fn content_md5(&self) -> String {
        let bytes: Vec<u8> =
            (0..self.md5.len() / 2).filter_map(|i| u8::from_str_radix(&self.md5[2 * i..2 * i + 2], 16).ok()).collect();
        cloudfront_primitives::Blob::new(bytes).to_base64()
    }
}

/// Every file below `root` that `filters` include, in name order, hashed; and a warning for
/// each link that leads nowhere (skipped, as `aws s3 sync` skips them).
pub async fn scan(root: &Path, filters: &Filters) -> Result<(Vec<LocalFile>, Vec<String>), String> {
    let root = root.to_owned();
    let filters = filters.clone();
    tokio::task::spawn_blocking(move || scan_blocking(&root, &filters))
        .await
        .map_err(|e| format!("scanning the source directory stopped: {e}"))?
}

fn scan_blocking(root: &Path, filters: &Filters) -> Result<(Vec<LocalFile>, Vec<String>), String> {
    let metadata = std::fs::metadata(root).map_err(|e| format!("SOURCE_DIR {}: {e}", root.display()))?;
    if !metadata.is_dir() {
        return Err(format!("SOURCE_DIR {}: not a directory", root.display()));
    }
    let (mut found, mut warnings) = (Vec::new(), Vec::new());
    walk(root, "", &mut found, &mut warnings)?;
    found.retain(|(relative, _)| filters.includes(relative));
    found.sort();
    let files = found.into_iter().map(|(relative, path)| hash(relative, path)).collect::<Result<_, _>>()?;
    Ok((files, warnings))
}

/// Collects (relative name, path) of every file below `dir`. Bounded by the tree itself; a
/// directory reached again through a link is refused rather than walked forever.
fn walk(
    dir: &Path,
    relative: &str,
    found: &mut Vec<(String, PathBuf)>,
    warnings: &mut Vec<String>,
) -> Result<(), String> {
    if relative.split('/').count() > 64 {
        return Err(format!("{}: more than 64 directories deep (a link loop?)", dir.display()));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: cannot list it: {e}", dir.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| format!("{}: cannot list it: {e}", dir.display()))?;
        let path = entry.path();
        let name = entry.file_name();
        let name = name
            .to_str()
            .ok_or_else(|| format!("{}: the name is not UTF-8, so it cannot be an S3 key", path.display()))?;
        let child = if relative.is_empty() { name.to_owned() } else { format!("{relative}/{name}") };
        // Follows links, as `aws s3 sync` does by default.
        let metadata = match std::fs::metadata(&path) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                warnings.push(format!("{}: a link to nothing; skipped", path.display()));
                continue;
            }
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        if metadata.is_dir() {
            walk(&path, &child, found, warnings)?;
        } else if metadata.is_file() {
            found.push((child, path));
        }
    }
    Ok(())
}

fn hash(relative: String, path: PathBuf) -> Result<LocalFile, String> {
    let mut file = std::fs::File::open(&path).map_err(|e| format!("{}: cannot read it: {e}", path.display()))?;
    let mut md5 = md5::Md5::new();
    let mut sha256 = cloudfront_sigv4::crypto::digest::Context::new(&cloudfront_sigv4::crypto::digest::SHA256);
    let mut buffer = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = file.read(&mut buffer).map_err(|e| format!("{}: cannot read it: {e}", path.display()))?;
        if n == 0 {
            break;
        }
        md5.update(&buffer[..n]);
        sha256.update(&buffer[..n]);
        size += n as u64;
    }
    Ok(LocalFile {
        relative,
        path,
        size,
        md5: cloudfront_primitives::percent::hex(&md5.finalize()),
        sha256: cloudfront_primitives::percent::hex(sha256.finish().as_ref()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn files_are_named_relative_filtered_sorted_and_hashed() {
        let root = std::env::temp_dir().join(format!("deploy-scan-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("css/deep")).unwrap();
        std::fs::write(root.join("index.html"), "hello").unwrap();
        std::fs::write(root.join("css/deep/a.css"), "").unwrap();
        std::fs::write(root.join("notes.txt"), "x").unwrap();
        let mut filters = Filters::default();
        filters.push(false, "*.txt");
        std::os::unix::fs::symlink(root.join("nowhere"), root.join("broken")).unwrap();
        let (files, warnings) = scan(&root, &filters).await.unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let names: Vec<&str> = files.iter().map(|f| f.relative.as_str()).collect();
        assert_eq!(names, ["css/deep/a.css", "index.html"]);
        assert_eq!(files[1].md5, "5d41402abc4b2a76b9719d911017c592");
        assert_eq!(files[1].content_md5(), "XUFAKrxLKna5cZ2REBfFkg==");
        assert_eq!(files[1].sha256, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        assert_eq!(files[0].size, 0);
        assert!(scan(&root.join("index.html"), &filters).await.unwrap_err().contains("not a directory"));
        std::fs::remove_dir_all(&root).unwrap();
    }
}
