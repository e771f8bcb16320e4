//! Whether committed generated code is what the generator makes today: the one comparison
//! behind `cargo xtask regenerate --check` and the codegen tests. Besides files that differ
//! or are missing, it finds stale ones: files under a generated crate's `src/` that the
//! generator no longer writes.

use std::collections::BTreeSet;
use std::path::Path;

use crate::GeneratedFile;

/// One way the committed files differ from the generated ones (paths relative to the
/// directory compared).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Drift {
    /// The file is missing (`current` is `None`) or holds other text.
    Differs { path: String, current: Option<String> },
    /// The file is under a generated crate's `src/` but no longer generated.
    Stale { path: String },
}

impl Drift {
    /// The path, relative to the directory compared.
    pub fn path(&self) -> &str {
        match self {
            Drift::Differs { path, .. } | Drift::Stale { path } => path,
        }
    }
}

/// How the files under `dir` differ from `files`, in path order.
pub fn compare(dir: &Path, files: &[GeneratedFile]) -> Result<Vec<Drift>, String> {
    let mut drift: Vec<Drift> = files
        .iter()
        .filter_map(|file| {
            let current = std::fs::read_to_string(dir.join(&file.path)).ok();
            (current.as_deref() != Some(file.contents.as_str()))
                .then(|| Drift::Differs { path: file.path.clone(), current })
        })
        .collect();
    drift.extend(stale(dir, files)?.into_iter().map(|path| Drift::Stale { path }));
    drift.sort_by(|a, b| a.path().cmp(b.path()));
    Ok(drift)
}

/// Files under the generated crates' `src/` that are not among `files`.
fn stale(dir: &Path, files: &[GeneratedFile]) -> Result<Vec<String>, String> {
    let generated: BTreeSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let crates: BTreeSet<&str> = files.iter().filter_map(|f| f.path.split_once("/src/").map(|(c, _)| c)).collect();
    let mut stale = Vec::new();
    for name in crates {
        let mut pending = vec![format!("{name}/src")];
        while let Some(relative_dir) = pending.pop() {
            let Ok(entries) = std::fs::read_dir(dir.join(&relative_dir)) else { continue };
            for entry in entries {
                let entry = entry.map_err(|e| e.to_string())?;
                let relative = format!("{relative_dir}/{}", entry.file_name().to_string_lossy());
                if entry.path().is_dir() {
                    pending.push(relative);
                } else if relative.ends_with(".rs") && !generated.contains(relative.as_str()) {
                    stale.push(relative);
                }
            }
        }
    }
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn differing_missing_and_stale_files_are_found() {
        let dir = std::env::temp_dir().join(format!("codegen-drift-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("k/src")).unwrap();
        std::fs::write(dir.join("k/src/lib.rs"), "same").unwrap();
        std::fs::write(dir.join("k/src/old.rs"), "left over").unwrap();
        std::fs::write(dir.join("k/src/changed.rs"), "before").unwrap();
        let file = |path: &str, contents: &str| GeneratedFile { path: path.into(), contents: contents.into() };
        let files = [file("k/src/lib.rs", "same"), file("k/src/changed.rs", "after"), file("k/src/new.rs", "n")];
        let drift = compare(&dir, &files).unwrap();
        assert_eq!(
            drift,
            [
                Drift::Differs { path: "k/src/changed.rs".into(), current: Some("before".into()) },
                Drift::Differs { path: "k/src/new.rs".into(), current: None },
                Drift::Stale { path: "k/src/old.rs".into() },
            ]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
