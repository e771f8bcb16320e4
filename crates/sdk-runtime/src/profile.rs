//! The shared AWS config files: `~/.aws/config` (sections `[default]` and `[profile NAME]`)
//! and `~/.aws/credentials` (sections `[NAME]`), located through `AWS_CONFIG_FILE` and
//! `AWS_SHARED_CREDENTIALS_FILE`. Credentials-file values win over config-file values.

use std::collections::BTreeMap;
use std::path::Path;

use crate::env::Env;

/// One profile's settings (keys lower-cased).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// The profile's name.
    pub name: String,
    settings: BTreeMap<String, String>,
}

impl Profile {
    /// A setting's value.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.settings.get(&key.to_ascii_lowercase()).map(String::as_str).filter(|v| !v.is_empty())
    }
}

/// Every profile found in the two files.
#[derive(Clone, Debug, Default)]
pub struct ProfileSet {
    profiles: BTreeMap<String, Profile>,
}

impl ProfileSet {
    /// Reads the files the environment points at; missing files are simply empty.
    pub fn load(env: &Env) -> Result<ProfileSet, String> {
        let config =
            env.get("AWS_CONFIG_FILE").map_or_else(|| env.expand_home("~/.aws/config"), |p| env.expand_home(p));
        let credentials = env
            .get("AWS_SHARED_CREDENTIALS_FILE")
            .map_or_else(|| env.expand_home("~/.aws/credentials"), |p| env.expand_home(p));
        let mut set = ProfileSet::default();
        set.merge(&read_optional(&config)?, true);
        set.merge(&read_optional(&credentials)?, false);
        Ok(set)
    }

    /// Parses file contents (for tests and for `load`).
    pub fn parse(config: &str, credentials: &str) -> ProfileSet {
        let mut set = ProfileSet::default();
        set.merge(config, true);
        set.merge(credentials, false);
        set
    }

    /// A profile by name.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// Names of every profile, for error messages.
    pub fn names(&self) -> Vec<&str> {
        self.profiles.keys().map(String::as_str).collect()
    }

    fn merge(&mut self, text: &str, config_file: bool) {
        let mut current: Option<String> = None;
        let mut last_key: Option<String> = None;
        for raw in text.lines() {
            let line = strip_comment(raw);
            if line.trim().is_empty() {
                continue;
            }
            let trimmed = line.trim();
            if let Some(section) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                let section = section.trim();
                current = if config_file {
                    match section.strip_prefix("profile") {
                        Some(name) if name.starts_with(char::is_whitespace) => Some(name.trim().to_owned()),
                        _ if section == "default" => Some("default".to_owned()),
                        // `[sso-session x]`, `[services x]` and other sections are not profiles.
                        _ => None,
                    }
                } else {
                    Some(section.to_owned())
                };
                if let Some(name) = &current {
                    self.profiles
                        .entry(name.clone())
                        .or_insert_with(|| Profile { name: name.clone(), ..Profile::default() });
                }
                last_key = None;
                continue;
            }
            let Some(name) = &current else { continue };
            let profile = self.profiles.get_mut(name).expect("created with its section");
            // An indented line continues the previous value (sub-properties like `s3 =`).
            if raw.starts_with(char::is_whitespace) {
                if let Some(key) = &last_key {
                    let value = profile.settings.entry(key.clone()).or_default();
                    value.push('\n');
                    value.push_str(trimmed);
                }
                continue;
            }
            if let Some((key, value)) = trimmed.split_once('=') {
                let key = key.trim().to_ascii_lowercase();
                profile.settings.insert(key.clone(), value.trim().to_owned());
                last_key = Some(key);
            }
        }
    }
}

fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with(['#', ';']) {
        return "";
    }
    // ` #` or ` ;` after a value starts a comment.
    for (i, c) in line.char_indices() {
        if (c == '#' || c == ';') && i > 0 && line[..i].ends_with([' ', '\t']) {
            return &line[..i];
        }
    }
    line
}

fn read_optional(path: &Path) -> Result<String, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_files_with_credentials_winning() {
        let set = ProfileSet::parse(
            "[default]\nregion = eu-west-1 # comment\n[profile dev]\nregion=us-west-2\naws_access_key_id = FROMCONFIG\n[sso-session x]\nsso_region = us-east-1\n",
            "[dev]\naws_access_key_id = FROMCREDS\naws_secret_access_key = s\n; comment\n",
        );
        assert_eq!(set.profile("default").unwrap().get("region"), Some("eu-west-1"));
        let dev = set.profile("dev").unwrap();
        assert_eq!(dev.get("region"), Some("us-west-2"));
        assert_eq!(dev.get("AWS_ACCESS_KEY_ID"), Some("FROMCREDS"));
        assert!(set.profile("x").is_none());
    }
}
