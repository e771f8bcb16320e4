//! A deploy's journal: before the first upload, one line recording what the deploy changes
//! (the keys, and the viewer paths to invalidate); a line per finished upload; a last line
//! once every invalidation was accepted. A deploy whose last record has no such line was
//! interrupted: its paths are still owed an invalidation, and `--resume` pays them, including
//! paths of files whose upload had finished (they now compare equal, so only the journal
//! knows them). The invalidation batches themselves are journalled by the invalidation
//! planner, in `FILE.batches`, so a resumed deploy never submits one twice.

use std::path::{Path, PathBuf};

use cloudfront_invalidate::journal::LineFile;

use serde_json::{Value, json};

/// What a deploy set out to do.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Intent {
    /// The deploy's run id (its invalidation batches' CallerReferences derive from it).
    pub run_id: String,
    /// `s3://BUCKET/PREFIX` and the distribution, so a resume cannot aim elsewhere.
    pub destination: String,
    /// The distribution.
    pub distribution_id: String,
    /// Keys uploaded or deleted.
    pub keys: Vec<String>,
    /// Viewer paths owed an invalidation.
    pub paths: Vec<String>,
}

impl Intent {
    /// An intent (see the fields).
    pub fn new(
        run_id: String,
        destination: String,
        distribution_id: String,
        keys: Vec<String>,
        paths: Vec<String>,
    ) -> Intent {
        Intent { run_id, destination, distribution_id, keys, paths }
    }

    /// The intent as JSON (the journal's `Deploy` line and the bucket's pending record).
    pub fn to_json(&self) -> Value {
        json!({
            "RunId": self.run_id,
            "Destination": self.destination,
            "DistributionId": self.distribution_id,
            "Keys": self.keys,
            "Paths": self.paths,
        })
    }

    /// Reads [`Intent::to_json`]'s form.
    pub fn from_json(value: &Value) -> Result<Intent, String> {
        intent_of(value)
    }
}

/// An open journal.
#[derive(Debug)]
pub struct DeployJournal {
    file: LineFile,
    pending: Option<Intent>,
}

impl DeployJournal {
    /// Opens (or creates) the journal at `path`; a last line cut short by a crash is dropped.
    pub fn open(path: &Path) -> Result<DeployJournal, String> {
        Self::load(path, true)
    }

    /// Reads the journal at `path` without creating or changing it; recording then fails.
    pub fn read(path: &Path) -> Result<DeployJournal, String> {
        Self::load(path, false)
    }

    fn load(path: &Path, writable: bool) -> Result<DeployJournal, String> {
        let (file, lines) = LineFile::load(path, writable)?;
        let shown = path.display();
        let mut pending = None;
        for (number, line) in lines {
            let value: Value = serde_json::from_str(&line)
                .map_err(|e| format!("--journal {shown}: line {number} is not JSON: {e}"))?;
            match value["Kind"].as_str() {
                Some("Deploy") => {
                    pending = Some(intent_of(&value).map_err(|why| format!("--journal {shown}: line {number}: {why}"))?)
                }
                Some("Done") => pending = None,
                Some("Uploaded") => {}
                _ => return Err(format!("--journal {shown}: line {number} is not a deploy journal entry")),
            }
        }
        Ok(DeployJournal { file, pending })
    }

    /// The interrupted deploy the journal holds, if any.
    pub fn pending(&self) -> Option<&Intent> {
        self.pending.as_ref()
    }

    /// Where the invalidation planner journals its batches.
    pub fn batches_path(&self) -> PathBuf {
        let mut name = self.file.path().to_owned().into_os_string();
        name.push(".batches");
        name.into()
    }

    /// Records what the deploy is about to change (flushed to disk before returning).
    pub fn begin(&mut self, intent: &Intent) -> Result<(), String> {
        let mut line = intent.to_json();
        line["Kind"] = json!("Deploy");
        self.append(&line)?;
        self.pending = Some(intent.clone());
        Ok(())
    }

    /// Records a finished upload.
    pub fn uploaded(&mut self, run_id: &str, key: &str) -> Result<(), String> {
        self.append(&json!({"Kind": "Uploaded", "RunId": run_id, "Key": key}))
    }

    /// Records that every path of the deploy was accepted for invalidation.
    pub fn done(&mut self, run_id: &str) -> Result<(), String> {
        self.append(&json!({"Kind": "Done", "RunId": run_id}))?;
        self.pending = None;
        Ok(())
    }

    fn append(&mut self, value: &Value) -> Result<(), String> {
        self.file.append(&value.to_string())
    }
}

fn intent_of(value: &Value) -> Result<Intent, String> {
    let text = |k: &str| value[k].as_str().map(str::to_owned).ok_or_else(|| format!("no {k}"));
    let list = |k: &str| -> Result<Vec<String>, String> {
        let items = value[k].as_array().ok_or_else(|| format!("no {k}"))?;
        items.iter().map(|v| v.as_str().map(str::to_owned).ok_or_else(|| format!("{k} holds a non-string"))).collect()
    };
    Ok(Intent {
        run_id: text("RunId")?,
        destination: text("Destination")?,
        distribution_id: text("DistributionId")?,
        keys: list("Keys")?,
        paths: list("Paths")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unfinished_deploy_stays_pending_across_a_torn_write() {
        let path = std::env::temp_dir().join(format!("deploy-journal-{}.jsonl", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let intent = Intent {
            run_id: "r1".into(),
            destination: "s3://b/p/".into(),
            distribution_id: "E1".into(),
            keys: vec!["p/a.html".into()],
            paths: vec!["/a.html".into()],
        };
        let mut journal = DeployJournal::open(&path).unwrap();
        assert_eq!(journal.pending(), None);
        journal.begin(&intent).unwrap();
        journal.uploaded("r1", "p/a.html").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}{{\"Kind\": \"Do")).unwrap();
        let mut again = DeployJournal::open(&path).unwrap();
        assert_eq!(again.pending(), Some(&intent));
        again.done("r1").unwrap();
        assert_eq!(DeployJournal::open(&path).unwrap().pending(), None);
        assert!(again.batches_path().to_string_lossy().ends_with(".jsonl.batches"));
        let before = std::fs::read_to_string(&path).unwrap();
        let mut read_only = DeployJournal::read(&path).unwrap();
        assert!(read_only.begin(&intent).is_err(), "read-only");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), before);
        assert_eq!(Intent::from_json(&intent.to_json()).unwrap(), intent);
        std::fs::write(&path, "{\"Kind\": \"Other\"}\n").unwrap();
        assert!(DeployJournal::open(&path).unwrap_err().contains("line 1 is not a deploy journal entry"));
        std::fs::remove_file(&path).unwrap();
    }
}
