//! A run's journal: one JSON line per batch CloudFront accepted (target, reference,
//! invalidation id), appended and flushed as each is accepted. A rerun with the same journal
//! skips the batches it lists without calling the API (CloudFront's rate is 0.5 calls a
//! second, so a resumed 40-batch run saves over a minute), and can still wait on them.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Value, json};

use crate::target::Target;

/// One accepted batch.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The run it belongs to.
    pub run_id: String,
    /// Where it was sent.
    pub target: Target,
    /// Its index in the plan (0-based).
    pub batch: usize,
    /// Its `CallerReference`.
    pub reference: String,
    /// The invalidation CloudFront made of it.
    pub invalidation_id: String,
    /// Items in it.
    pub items: usize,
}

impl Entry {
    fn to_line(&self) -> String {
        json!({
            "RunId": self.run_id,
            "TargetType": self.target.kind(),
            "TargetId": self.target.id(),
            "Batch": self.batch,
            "CallerReference": self.reference,
            "InvalidationId": self.invalidation_id,
            "Items": self.items,
        })
        .to_string()
    }

    fn from_line(line: &str) -> Result<Entry, String> {
        let value: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
        let text = |k: &str| value[k].as_str().map(str::to_owned).ok_or_else(|| format!("no {k}"));
        let number = |k: &str| value[k].as_u64().map(|n| n as usize).ok_or_else(|| format!("no {k}"));
        let run_id = text("RunId")?;
        let target = Target::from_kind(&text("TargetType")?, text("TargetId")?)
            .ok_or("TargetType is neither distribution nor tenant")?;
        Ok(Entry {
            run_id,
            target,
            batch: number("Batch")?,
            reference: text("CallerReference")?,
            invalidation_id: text("InvalidationId")?,
            items: number("Items")?,
        })
    }
}

/// A journal file: one JSON line per record, each appended in one write (so a crash cannot
/// leave half of it before another) and flushed to disk before `append` returns. Read back,
/// its complete lines count; a last line torn by a crash mid-write is dropped, and cut before
/// the next append. Both journals (invalidation batches, deploys) keep their records in one.
#[derive(Debug)]
pub struct LineFile {
    path: PathBuf,
    /// `None` when opened read-only.
    file: Option<std::fs::File>,
}

impl LineFile {
    /// Reads the file at `path` (none yet is empty) and, when `writable`, opens it to append
    /// (creating it); returns it with its complete, non-empty lines and their 1-based numbers.
    pub fn load(path: &Path, writable: bool) -> Result<(LineFile, Vec<(usize, String)>), String> {
        let shown = path.display();
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(format!("--journal {shown}: cannot read it: {e}")),
        };
        // Every complete record ends with a newline; anything after the last one is a torn
        // write (cut before decoding: the tear may split a character).
        let complete = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |end| end + 1);
        let text = std::str::from_utf8(&bytes[..complete])
            .map_err(|e| format!("--journal {shown}: not UTF-8 text ({e}); it is not a journal"))?;
        let lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| (i + 1, l.to_owned()))
            .collect();
        let file = if writable { Some(Self::open_to_append(path, complete, complete < bytes.len())?) } else { None };
        Ok((LineFile { path: path.to_owned(), file }, lines))
    }

    fn open_to_append(path: &Path, complete: usize, torn: bool) -> Result<std::fs::File, String> {
        let shown = path.display();
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("--journal {shown}: cannot open it for writing: {e}"))?;
        if torn {
            file.set_len(complete as u64)
                .map_err(|e| format!("--journal {shown}: cannot cut its torn last line: {e}"))?;
        }
        Ok(file)
    }

    /// Where the file is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `line` (and its newline) and flushes it to disk. A failed append is cut back
    /// off and closes the file for this run: a later record glued to half of it would make the
    /// whole journal unreadable.
    pub fn append(&mut self, line: &str) -> Result<(), String> {
        let shown = self.path.display();
        let Some(file) = self.file.as_mut() else {
            return Err(format!("--journal {shown}: opened read-only, or an earlier append failed"));
        };
        let before = file.metadata().map(|m| m.len());
        let written = file.write_all(format!("{line}\n").as_bytes()).and_then(|()| file.sync_data());
        if let Err(e) = written {
            if let Ok(length) = before {
                let _ = file.set_len(length);
            }
            self.file = None;
            return Err(format!("--journal {shown}: cannot append to it: {e}"));
        }
        Ok(())
    }
}

/// An open journal: what earlier runs recorded, and the file new entries go to.
#[derive(Debug)]
pub struct Journal {
    entries: Vec<Entry>,
    /// (target, reference) -> index in `entries`.
    index: HashMap<(Target, String), usize>,
    file: Mutex<LineFile>,
}

impl Journal {
    /// Opens (or creates) the journal at `path` for a run and reads what it holds. A line
    /// that cannot be read is an error naming the file and the line (a journal is never half
    /// trusted), except a last line cut short by a crash mid-write, which is dropped.
    pub fn open(path: &Path) -> Result<Journal, String> {
        Self::load(path, true)
    }

    /// Reads the journal at `path` without creating or changing it (`--status`, dry runs);
    /// [`Journal::record`] then fails.
    pub fn read(path: &Path) -> Result<Journal, String> {
        Self::load(path, false)
    }

    fn load(path: &Path, writable: bool) -> Result<Journal, String> {
        let (file, lines) = LineFile::load(path, writable)?;
        let mut entries = Vec::new();
        for (number, line) in lines {
            let entry = Entry::from_line(&line)
                .map_err(|why| format!("--journal {}: line {number} is not a journal entry: {why}", path.display()))?;
            entries.push(entry);
        }
        let index = entries.iter().enumerate().map(|(i, e)| ((e.target.clone(), e.reference.clone()), i)).collect();
        Ok(Journal { entries, index, file: Mutex::new(file) })
    }

    /// Every entry, in the order they were recorded.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The run id of the journal's entries (the last one's, if runs were mixed).
    pub fn run_id(&self) -> Option<&str> {
        self.entries.last().map(|e| e.run_id.as_str())
    }

    /// The invalidation an earlier run got for this batch of this target, if any.
    pub fn accepted(&self, target: &Target, reference: &str) -> Option<&Entry> {
        self.index.get(&(target.clone(), reference.to_owned())).map(|&i| &self.entries[i])
    }

    /// Appends an entry (in one write, so a crash cannot leave half of it before another)
    /// and flushes it to disk before returning.
    pub fn record(&self, entry: &Entry) -> Result<(), String> {
        self.file.lock().expect("not poisoned").append(&entry.to_line())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_survive_a_reopen_and_bad_lines_are_named() {
        let path = std::env::temp_dir().join(format!("journal-{}.jsonl", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let journal = Journal::open(&path).unwrap();
        let entry = Entry {
            run_id: "deploy-1".into(),
            target: Target::Tenant("dt_a".into()),
            batch: 2,
            reference: "deploy-1-abc".into(),
            invalidation_id: "I1".into(),
            items: 7,
        };
        journal.record(&entry).unwrap();
        let again = Journal::open(&path).unwrap();
        assert_eq!(again.entries(), std::slice::from_ref(&entry));
        assert_eq!(again.accepted(&Target::Tenant("dt_a".into()), "deploy-1-abc"), Some(&entry));
        assert_eq!(again.accepted(&Target::Tenant("dt_b".into()), "deploy-1-abc"), None);
        assert_eq!(again.run_id(), Some("deploy-1"));
        // A crash mid-write leaves a torn last line, perhaps inside a character: dropped, and
        // cut before the next append.
        let mut whole = std::fs::read(&path).unwrap();
        whole.extend_from_slice("{\"RunId\": \"caf\u{e9}".as_bytes());
        whole.pop();
        std::fs::write(&path, whole).unwrap();
        let torn = Journal::open(&path).unwrap();
        assert_eq!(torn.entries().len(), 1);
        torn.record(&entry).unwrap();
        assert_eq!(Journal::read(&path).unwrap().entries().len(), 2);
        assert!(Journal::read(&path).unwrap().record(&entry).is_err(), "read-only");
        std::fs::write(&path, "{\"RunId\": 1}\n").unwrap();
        let error = Journal::open(&path).unwrap_err();
        assert!(error.ends_with("line 1 is not a journal entry: no RunId"), "{error}");
        let missing = std::env::temp_dir().join(format!("journal-missing-{}.jsonl", std::process::id()));
        assert!(Journal::read(&missing).unwrap().entries().is_empty());
        assert!(!missing.exists(), "reading creates nothing");
    }
}
