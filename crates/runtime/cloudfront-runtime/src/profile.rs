//! The shared AWS config files: `~/.aws/config` (sections `[default]`, `[profile NAME]`,
//! `[sso-session NAME]` and `[services NAME]`) and `~/.aws/credentials` (sections `[NAME]`),
//! located through `AWS_CONFIG_FILE` and `AWS_SHARED_CREDENTIALS_FILE`.
//!
//! A profile remembers which file each setting came from: the credential chain tries static
//! keys of the credentials file before `credential_process`, and keys of the config file
//! after it, as botocore does. Everywhere else the credentials file's value wins.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::env::Env;

/// The profile to read: the one named in code or by `--profile`, else `AWS_DEFAULT_PROFILE`,
/// else `AWS_PROFILE` (botocore's order), else `default`.
pub fn selected_name(env: &Env, explicit: Option<&str>) -> String {
    explicit
        .or_else(|| env.get("AWS_DEFAULT_PROFILE"))
        .or_else(|| env.get("AWS_PROFILE"))
        .unwrap_or("default")
        .to_owned()
}

/// Settings of one section, keys lower-cased. `Debug` shows the keys only: these maps hold
/// secret keys and session tokens.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Settings(BTreeMap<String, String>);

impl Settings {
    /// A setting's value; an empty value counts as unset.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(&key.to_ascii_lowercase()).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// Whether the section holds no settings.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the key is present at all (even with an empty value).
    pub fn contains(&self, key: &str) -> bool {
        self.0.contains_key(&key.to_ascii_lowercase())
    }

    /// The nested settings of a key written as a sub-section (`cloudfront =` followed by
    /// indented `endpoint_url = ...` lines).
    pub fn nested(&self, key: &str) -> Settings {
        let Some(text) = self.0.get(&key.to_ascii_lowercase()) else { return Settings::default() };
        Settings(
            text.lines()
                .filter_map(|line| line.split_once('='))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
                .collect(),
        )
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

/// One profile's settings from both files.
#[non_exhaustive]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Profile {
    /// The profile's name.
    pub name: String,
    config: Settings,
    credentials: Settings,
}

impl Profile {
    /// A setting's value, the credentials file's first.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.credentials.get(key).or_else(|| self.config.get(key))
    }

    /// A setting's value exactly as written, an empty value included (configuration
    /// settings count `region =` as set, as botocore does), the credentials file's first.
    pub fn raw(&self, key: &str) -> Option<&str> {
        let key = key.to_ascii_lowercase();
        self.credentials.0.get(&key).or_else(|| self.config.0.get(&key)).map(String::as_str)
    }

    /// A key of a nested section (`s3 =` then indented `addressing_style = path`), the
    /// credentials file's first.
    pub fn nested(&self, section: &str, key: &str) -> Option<&str> {
        fn find<'a>(settings: &'a Settings, section: &str, key: &str) -> Option<&'a str> {
            let text = settings.0.get(&section.to_ascii_lowercase())?;
            text.lines()
                .filter_map(|line| line.split_once('='))
                .find_map(|(k, v)| (k.trim().eq_ignore_ascii_case(key) && !v.trim().is_empty()).then_some(v.trim()))
        }
        find(&self.credentials, section, key).or_else(|| find(&self.config, section, key))
    }

    /// Whether either file sets the key.
    pub fn contains(&self, key: &str) -> bool {
        self.credentials.contains(key) || self.config.contains(key)
    }

    /// The settings of the config file only.
    pub fn config_file(&self) -> &Settings {
        &self.config
    }

    /// The settings of the credentials file only.
    pub fn credentials_file(&self) -> &Settings {
        &self.credentials
    }
}

/// Every profile, SSO session and services section found in the two files.
#[non_exhaustive]
#[derive(Clone, Debug, Default)]
pub struct ProfileSet {
    profiles: BTreeMap<String, Profile>,
    sso_sessions: BTreeMap<String, Settings>,
    services: BTreeMap<String, Settings>,
    /// The files read, for error messages.
    pub config_path: PathBuf,
    /// The credentials file read.
    pub credentials_path: PathBuf,
}

/// The kind of a section header, and its name.
enum Section {
    Profile(String),
    SsoSession(String),
    Services(String),
    /// Sections nobody reads (`[plugins]`, a misspelt header): skipped, as the AWS CLI does.
    Other,
}

impl ProfileSet {
    /// Reads the files the environment points at; missing files are simply empty.
    pub fn load(env: &Env) -> Result<ProfileSet, String> {
        let config_path =
            env.get("AWS_CONFIG_FILE").map_or_else(|| env.expand_home("~/.aws/config"), |p| env.expand_home(p));
        let credentials_path = env
            .get("AWS_SHARED_CREDENTIALS_FILE")
            .map_or_else(|| env.expand_home("~/.aws/credentials"), |p| env.expand_home(p));
        let mut set = ProfileSet { config_path, credentials_path, ..ProfileSet::default() };
        let config = read_optional(&set.config_path)?;
        let credentials = read_optional(&set.credentials_path)?;
        set.merge(&config, true).map_err(|e| format!("{}: {e}", set.config_path.display()))?;
        set.merge(&credentials, false).map_err(|e| format!("{}: {e}", set.credentials_path.display()))?;
        Ok(set)
    }

    /// Parses file contents (for tests and for `load`).
    pub fn parse(config: &str, credentials: &str) -> Result<ProfileSet, String> {
        let mut set = ProfileSet::default();
        set.merge(config, true).map_err(|e| format!("the config file: {e}"))?;
        set.merge(credentials, false).map_err(|e| format!("the credentials file: {e}"))?;
        Ok(set)
    }

    /// A profile by name.
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// An `[sso-session NAME]` section.
    pub fn sso_session(&self, name: &str) -> Option<&Settings> {
        self.sso_sessions.get(name)
    }

    /// A `[services NAME]` section.
    pub fn services(&self, name: &str) -> Option<&Settings> {
        self.services.get(name)
    }

    /// Names of every profile, for error messages.
    pub fn names(&self) -> Vec<&str> {
        self.profiles.keys().map(String::as_str).collect()
    }

    /// Reads one file as Python's configparser reads it for botocore: whole-line comments
    /// (`#`, `;`) only, so a value keeps a ` #` or ` ;` inside it (a `credential_process`
    /// may); `=` or `:` between key and value; a line indented deeper than its key's line
    /// continues that key's value (sub-settings such as `cloudfront =` in `[services]`).
    fn merge(&mut self, text: &str, config_file: bool) -> Result<(), String> {
        let mut current: Option<&mut Settings> = None;
        // The key being read and the indentation of its line.
        let mut last_key: Option<(String, usize)> = None;
        let mut seen_header = false;
        for (index, raw) in text.lines().enumerate() {
            let line_number = index + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with(['#', ';']) {
                continue;
            }
            let indent = raw.len() - raw.trim_start().len();
            if let Some((key, key_indent)) = &last_key
                && indent > *key_indent
            {
                if let Some(settings) = current.as_deref_mut() {
                    let value = settings.0.entry(key.clone()).or_default();
                    value.push('\n');
                    value.push_str(trimmed);
                }
                continue;
            }
            if let Some(header) = trimmed.strip_prefix('[').and_then(|s| s.rfind(']').map(|end| &s[..end])) {
                last_key = None;
                seen_header = true;
                current = match section(header.trim(), config_file) {
                    Section::Profile(name) => {
                        let profile =
                            self.profiles.entry(name.clone()).or_insert_with(|| Profile { name, ..Profile::default() });
                        Some(if config_file { &mut profile.config } else { &mut profile.credentials })
                    }
                    Section::SsoSession(name) => Some(self.sso_sessions.entry(name).or_default()),
                    Section::Services(name) => Some(self.services.entry(name).or_default()),
                    Section::Other => None,
                };
                continue;
            }
            // The line's text is never quoted back: it may hold a secret key.
            let Some(split) = trimmed.find(['=', ':']) else {
                return Err(format!("line {line_number} is neither a [section] header nor a `key = value` setting"));
            };
            let (key, value) = (trimmed[..split].trim(), trimmed[split + 1..].trim());
            if key.is_empty() {
                return Err(format!("line {line_number} has a value but no key before its '='"));
            }
            let Some(settings) = current.as_deref_mut() else {
                if !seen_header {
                    return Err(format!("line {line_number} is a setting before any [section] header"));
                }
                continue;
            };
            let key = key.to_ascii_lowercase();
            settings.0.insert(key.clone(), value.to_owned());
            last_key = Some((key, indent));
        }
        Ok(())
    }
}

/// What a section header names: in the config file `[default]`, `[profile NAME]`,
/// `[sso-session NAME]`, `[services NAME]`; in the credentials file any `[NAME]`.
fn section(header: &str, config_file: bool) -> Section {
    if !config_file {
        return Section::Profile(header.to_owned());
    }
    if header == "default" {
        return Section::Profile("default".to_owned());
    }
    let Some((kind, name)) = header.split_once(char::is_whitespace) else { return Section::Other };
    let name = name.trim().trim_matches('"').to_owned();
    match kind {
        "profile" => Section::Profile(name),
        "sso-session" => Section::SsoSession(name),
        "services" => Section::Services(name),
        _ => Section::Other,
    }
}

fn read_optional(path: &Path) -> Result<String, String> {
    match std::fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|_| format!("{}: the file is not UTF-8 text", path.display())),
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
            "[default]\nregion = eu-west-1\n# comment\n[profile dev]\nregion=us-west-2\naws_access_key_id = FROMCONFIG\n[sso-session x]\nsso_region: us-east-1\n",
            "[dev]\naws_access_key_id = FROMCREDS\naws_secret_access_key = s\n; comment\n",
        )
        .unwrap();
        assert_eq!(set.profile("default").unwrap().get("region"), Some("eu-west-1"));
        let dev = set.profile("dev").unwrap();
        assert_eq!(dev.get("region"), Some("us-west-2"));
        assert_eq!(dev.get("AWS_ACCESS_KEY_ID"), Some("FROMCREDS"));
        assert_eq!(dev.config_file().get("aws_access_key_id"), Some("FROMCONFIG"));
        assert!(set.profile("x").is_none());
        assert_eq!(set.sso_session("x").unwrap().get("sso_region"), Some("us-east-1"));
    }

    #[test]
    fn values_keep_inline_hashes_and_indented_keys_stand_alone() {
        let set = ProfileSet::parse(
            "[default] ; a comment after a header\ncredential_process = sh -c 'a ; b' # not a comment\n",
            "[p]\n  aws_access_key_id = K\n  aws_secret_access_key = S\n",
        )
        .unwrap();
        let default = set.profile("default").unwrap();
        assert_eq!(default.get("credential_process"), Some("sh -c 'a ; b' # not a comment"));
        let p = set.profile("p").unwrap();
        assert_eq!((p.get("aws_access_key_id"), p.get("aws_secret_access_key")), (Some("K"), Some("S")));
    }

    #[test]
    fn services_sections_nest_per_service() {
        let set = ProfileSet::parse(
            "[profile p]\nservices = local\n[services local]\nsts =\n  endpoint_url = http://127.0.0.1:1\ncloudfront =\n  endpoint_url = http://127.0.0.1:2\n",
            "",
        )
        .unwrap();
        let local = set.services("local").unwrap();
        assert_eq!(local.nested("sts").get("endpoint_url"), Some("http://127.0.0.1:1"));
        assert_eq!(local.nested("CloudFront").get("endpoint_url"), Some("http://127.0.0.1:2"));
    }

    #[test]
    fn a_malformed_line_is_named_without_its_text() {
        let error = ProfileSet::parse("", "[p]\naws_secret_access_key SECRETVALUE\n").unwrap_err();
        assert_eq!(error, "the credentials file: line 2 is neither a [section] header nor a `key = value` setting");
        let error = ProfileSet::parse("region = x\n", "").unwrap_err();
        assert!(error.contains("line 1 is a setting before any [section]"), "{error}");
        let debug = format!("{:?}", ProfileSet::parse("", "[p]\naws_secret_access_key = SECRETVALUE\n").unwrap());
        assert!(!debug.contains("SECRETVALUE") && debug.contains("aws_secret_access_key"), "{debug}");
    }
}
