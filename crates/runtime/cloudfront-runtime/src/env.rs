//! The process environment as a value, so configuration and credential code can be tested
//! with any environment without touching the real one.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// A snapshot of environment variables. Cheap to clone: every credential provider keeps one.
/// `Debug` lists the names only: the values include secret keys and session tokens.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: Arc<BTreeMap<String, String>>,
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env").field("names", &self.vars.keys().collect::<Vec<_>>()).finish()
    }
}

impl Env {
    /// The variables of the real process environment that AWS configuration reads: `AWS_*`,
    /// `HOME` and `USERPROFILE`. A value that is not UTF-8 is read lossily rather than
    /// panicking, as `std::env::vars` would.
    pub fn process() -> Self {
        let vars = std::env::vars_os()
            .filter(|(k, _)| k.to_str().is_some_and(|k| k.starts_with("AWS_") || k == "HOME" || k == "USERPROFILE"))
            .map(|(k, v)| (k.to_string_lossy().into_owned(), v.to_string_lossy().into_owned()))
            .collect();
        Env { vars: Arc::new(vars) }
    }

    /// This environment with `name` set to `value` (tests, and the CLI's own settings).
    pub fn with(&self, name: &str, value: &str) -> Self {
        let mut vars = (*self.vars).clone();
        vars.insert(name.to_owned(), value.to_owned());
        Env { vars: Arc::new(vars) }
    }

    /// An environment with exactly these variables.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        Env { vars: Arc::new(pairs.into_iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()) }
    }

    /// A variable's value; an empty value counts as unset, as in the AWS SDKs.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// A variable's value exactly as set, an empty value included (configuration settings
    /// count a set-but-empty variable, as botocore does; see `setting`).
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// A boolean variable (`true`/`false`, any case); other text is an error naming it.
    pub fn flag(&self, name: &str) -> Result<Option<bool>, String> {
        match self.get(name) {
            None => Ok(None),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(v) => Err(format!("{name} must be true or false, not {v:?}")),
        }
    }

    /// The user's home directory.
    pub fn home(&self) -> Option<PathBuf> {
        self.get("HOME").or_else(|| self.get("USERPROFILE")).map(PathBuf::from)
    }

    /// Expands a leading `~/` against the home directory.
    pub fn expand_home(&self, path: &str) -> PathBuf {
        match (path.strip_prefix("~/"), self.home()) {
            (Some(rest), Some(home)) => home.join(rest),
            _ => PathBuf::from(path),
        }
    }
}
