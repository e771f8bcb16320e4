//! The headers an upload carries: Content-Type from the file name (mime_guess's table; none
//! when it has no guess, as `aws s3 sync`, so S3 stores its default), Cache-Control from the
//! first `--cache-control PATTERN=VALUE` rule whose pattern matches the file's relative path.

use crate::glob::Glob;

/// The Content-Type S3 stores for an upload that names none.
const S3_DEFAULT_TYPE: &str = "binary/octet-stream";

/// Ordered `PATTERN=VALUE` rules: the first that matches decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheControlRules {
    rules: Vec<(Glob, String)>,
}

impl CacheControlRules {
    /// Adds a `PATTERN=VALUE` rule; refuses one without `=`, with an empty pattern, or with a
    /// value a header cannot carry.
    pub fn push(&mut self, rule: &str) -> Result<(), String> {
        let (pattern, value) = rule
            .split_once('=')
            .filter(|(pattern, _)| !pattern.is_empty())
            .ok_or_else(|| format!("--cache-control {rule:?}: expected PATTERN=VALUE, such as '*.html=no-cache'"))?;
        if value.bytes().any(|b| b.is_ascii_control() || !b.is_ascii()) {
            return Err(format!("--cache-control {rule:?}: the value must be printable ASCII (it is a header)"));
        }
        self.rules.push((Glob::shell(pattern), value.to_owned()));
        Ok(())
    }

    /// The Cache-Control for `relative`, if a rule gives one.
    pub fn for_file(&self, relative: &str) -> Option<&str> {
        self.rules.iter().find(|(glob, _)| glob.matches(relative)).map(|(_, value)| value.as_str())
    }
}

/// The headers of one upload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    /// Content-Type.
    pub content_type: Option<String>,
    /// Cache-Control.
    pub cache_control: Option<String>,
}

impl Headers {
    /// What `relative` is uploaded with.
    pub fn for_file(relative: &str, rules: &CacheControlRules) -> Headers {
        Headers {
            content_type: mime_guess::from_path(relative).first_raw().map(str::to_owned),
            cache_control: rules.for_file(relative).map(str::to_owned),
        }
    }

    /// The headers as one comparable string (recorded in the manifest).
    pub fn fingerprint(&self) -> String {
        format!("{}\n{}", self.content_type.as_deref().unwrap_or(""), self.cache_control.as_deref().unwrap_or(""))
    }

    /// Whether these headers, read back from S3, are what `wanted` uploads: an upload
    /// without a Content-Type is stored as S3's default, `binary/octet-stream`.
    pub fn same_as_stored(&self, wanted: &Headers) -> bool {
        let stored_type = |h: &Headers| h.content_type.clone().unwrap_or_else(|| S3_DEFAULT_TYPE.to_owned());
        stored_type(self) == stored_type(wanted) && self.cache_control == wanted.cache_control
    }

    /// Whether a page: uploaded after every other file, so it never references a missing asset.
    pub fn is_html(&self) -> bool {
        self.content_type.as_deref().is_some_and(|t| t.starts_with("text/html"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_name_and_the_first_matching_rule_sets_caching() {
        let mut rules = CacheControlRules::default();
        rules.push("*.html=no-cache").unwrap();
        rules.push("*=public, max-age=31536000, immutable").unwrap();
        let page = Headers::for_file("docs/index.html", &rules);
        assert_eq!(page.content_type.as_deref(), Some("text/html"));
        assert_eq!(page.cache_control.as_deref(), Some("no-cache"));
        assert!(page.is_html());
        let asset = Headers::for_file("css/site.css", &rules);
        assert_eq!(asset.content_type.as_deref(), Some("text/css"));
        assert_eq!(asset.cache_control.as_deref(), Some("public, max-age=31536000, immutable"));
        assert_eq!(Headers::for_file("LICENSE", &CacheControlRules::default()), Headers::default());
        assert!(rules.push("no-equals").unwrap_err().contains("PATTERN=VALUE"));
        assert!(rules.push("=x").is_err());
        assert!(rules.push("*=a\nb").unwrap_err().contains("printable"));
    }
}
