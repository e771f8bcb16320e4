//! Which viewer paths serve an S3 key, read from the distribution's configuration: the
//! origins that serve the bucket (its REST endpoint, or its website endpoint), each origin's
//! path stripped from the key, and a path kept only where the cache behaviour CloudFront
//! picks for it (the first whose pattern matches, else the default) routes to that origin.
//! The default root object is also served at `/`; an index document (`dir/index.html`) also
//! at `/dir/` behind a website endpoint, or behind a REST endpoint when the user says an edge
//! function rewrites to it (`--index-document`). Paths are percent-encoded as CloudFront
//! wants them, `*` and `?` included (in a key they are characters, not wildcards).

use std::collections::HashMap;

use cloudfront::types::DistributionConfig;

use crate::glob::Glob;

/// How an origin reaches the bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `BUCKET.s3.REGION.amazonaws.com` and its older forms (with OAC or OAI).
    Rest,
    /// `BUCKET.s3-website-REGION.amazonaws.com` or `BUCKET.s3-website.REGION.amazonaws.com`.
    Website,
}

/// An origin of the distribution that serves the bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketOrigin {
    /// Its id.
    pub id: String,
    /// Its endpoint kind.
    pub endpoint: Endpoint,
    /// Its origin path without the slashes around it (`site`, or empty).
    pub origin_path: String,
}

/// The viewer paths of a key, and the ones a behaviour sends to another origin.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Served {
    /// Encoded viewer paths that serve the key.
    pub paths: Vec<String>,
    /// Viewer paths that would serve it but go elsewhere: (path, the origin they go to).
    pub elsewhere: Vec<(String, String)>,
}

/// The distribution's routing, as far as the bucket is concerned.
#[derive(Debug, Clone)]
pub struct ViewerMap {
    origins: Vec<BucketOrigin>,
    /// Origin group id -> its member origin ids.
    groups: HashMap<String, Vec<String>>,
    behaviours: Vec<(Glob, String)>,
    default_target: String,
    default_root_object: Option<String>,
    /// The index document name where `/dir/` serves `dir/NAME`, per endpoint kind.
    website_index: String,
    rest_index: Option<String>,
}

impl ViewerMap {
    /// The routing of `config` for `bucket`; refuses a distribution no origin of which serves
    /// the bucket. `index_document` is `--index-document` (also the website endpoint's index
    /// name; `index.html` when not given).
    pub fn new(config: &DistributionConfig, bucket: &str, index_document: Option<&str>) -> Result<ViewerMap, String> {
        let origins: Vec<BucketOrigin> = config
            .origins
            .items
            .iter()
            .filter_map(|o| {
                let endpoint = endpoint_of(&o.domain_name, bucket)?;
                let origin_path = o.origin_path.as_deref().unwrap_or("").trim_matches('/').to_owned();
                Some(BucketOrigin { id: o.id.clone(), endpoint, origin_path })
            })
            .collect();
        if origins.is_empty() {
            let domains: Vec<&str> = config.origins.items.iter().map(|o| o.domain_name.as_str()).collect();
            return Err(format!(
                "no origin of the distribution serves bucket {bucket} (its origins: {}); nothing was uploaded",
                domains.join(", ")
            ));
        }
        let groups = config
            .origin_groups
            .iter()
            .flat_map(|g| g.items.iter().flatten())
            .map(|g| (g.id.clone(), g.members.items.iter().map(|m| m.origin_id.clone()).collect()))
            .collect();
        let behaviours = config
            .cache_behaviors
            .iter()
            .flat_map(|b| b.items.iter().flatten())
            .map(|b| (Glob::path_pattern(&b.path_pattern), b.target_origin_id.clone()))
            .collect();
        Ok(ViewerMap {
            origins,
            groups,
            behaviours,
            default_target: config.default_cache_behavior.target_origin_id.clone(),
            default_root_object: config.default_root_object.clone().filter(|d| !d.is_empty()),
            website_index: index_document.unwrap_or("index.html").to_owned(),
            rest_index: index_document.map(str::to_owned),
        })
    }

    /// The origins that serve the bucket.
    pub fn origins(&self) -> &[BucketOrigin] {
        &self.origins
    }

    /// Where viewers get `key` from.
    pub fn paths_of(&self, key: &str) -> Served {
        let mut served = Served::default();
        for origin in &self.origins {
            let Some(rest) = strip_origin_path(key, &origin.origin_path) else { continue };
            for path in self.candidates(origin, rest) {
                let target = self.target_of(&path);
                if self.routes_to(target, &origin.id) {
                    served.paths.push(encode_key_path(&path));
                } else {
                    served.elsewhere.push((path, target.to_owned()));
                }
            }
        }
        served.paths.sort();
        served.paths.dedup();
        served
    }

    /// The paths that could serve `rest` (the key below the origin path) from `origin`.
    fn candidates(&self, origin: &BucketOrigin, rest: &str) -> Vec<String> {
        let mut paths = vec![format!("/{rest}")];
        if self.default_root_object.as_deref() == Some(rest) {
            paths.push("/".to_owned());
        }
        let index = match origin.endpoint {
            Endpoint::Website => Some(self.website_index.as_str()),
            Endpoint::Rest => self.rest_index.as_deref(),
        };
        if let Some(index) = index {
            if rest == index {
                paths.push("/".to_owned());
            } else if let Some(dir) = rest.strip_suffix(index).filter(|d| d.ends_with('/')) {
                paths.push(format!("/{dir}"));
            }
        }
        paths.dedup();
        paths
    }

    /// The folders (ending in `/`) where some viewer paths go to an origin that does not
    /// serve the bucket: the literal start of each such behaviour's pattern, to its last `/`
    /// (`/` itself when the default behaviour goes elsewhere).
    pub fn foreign_folders(&self) -> Vec<String> {
        let serves_bucket = |target: &str| self.origins.iter().any(|o| self.routes_to(target, &o.id));
        let mut folders: Vec<String> = self
            .behaviours
            .iter()
            .filter(|(_, target)| !serves_bucket(target))
            .map(|(glob, _)| {
                let pattern = glob.as_str();
                let literal = &pattern[..pattern.find(['*', '?']).unwrap_or(pattern.len())];
                literal[..=literal.rfind('/').unwrap_or(0)].to_owned()
            })
            .collect();
        if !serves_bucket(&self.default_target) {
            folders.push("/".to_owned());
        }
        folders.sort();
        folders.dedup();
        folders
    }

    /// The origin (or origin group) CloudFront sends `path` to.
    fn target_of(&self, path: &str) -> &str {
        self.behaviours.iter().find(|(glob, _)| glob.matches(path)).map_or(&self.default_target, |(_, t)| t)
    }

    fn routes_to(&self, target: &str, origin: &str) -> bool {
        target == origin || self.groups.get(target).is_some_and(|members| members.iter().any(|m| m == origin))
    }
}

/// The key below an origin path, if the origin serves it at all.
fn strip_origin_path<'a>(key: &'a str, origin_path: &str) -> Option<&'a str> {
    if origin_path.is_empty() {
        return Some(key);
    }
    key.strip_prefix(origin_path)?.strip_prefix('/')
}

/// The endpoint kind of an origin domain that names `bucket` (virtual-hosted), if it does.
fn endpoint_of(domain: &str, bucket: &str) -> Option<Endpoint> {
    let domain = domain.to_ascii_lowercase();
    let rest = domain.strip_prefix(bucket)?.strip_prefix('.')?;
    let host = rest.strip_suffix(".amazonaws.com").or_else(|| rest.strip_suffix(".amazonaws.com.cn"))?;
    let labels: Vec<&str> = host.split('.').collect();
    match labels.as_slice() {
        ["s3"] | ["s3", _] | ["s3", "dualstack", _] => Some(Endpoint::Rest),
        [single] if single.starts_with("s3-website-") => Some(Endpoint::Website),
        [single] if single.starts_with("s3-") => Some(Endpoint::Rest),
        ["s3-website", _] => Some(Endpoint::Website),
        _ => None,
    }
}

/// A viewer path of a key as an invalidation path: percent-encoded where CloudFront needs
/// it, and `%`, `*` and `?` too (a key's characters, never an escape, a wildcard or a query).
pub fn encode_key_path(path: &str) -> String {
    let literal = path.replace('%', "%25").replace('*', "%2A").replace('?', "%3F");
    cloudfront_invalidate::paths::encode(&literal)
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudfront::types::{
        CacheBehavior, CacheBehaviors, DefaultCacheBehavior, Origin, OriginGroup, OriginGroupMember,
        OriginGroupMembers, OriginGroups, Origins,
    };

    fn origin(id: &str, domain: &str, path: &str) -> Origin {
        Origin::builder().id(id).domain_name(domain).origin_path(path).build_or_default()
    }

    fn behaviour(pattern: &str, target: &str) -> CacheBehavior {
        CacheBehavior::builder().path_pattern(pattern).target_origin_id(target).build_or_default()
    }

    fn config(origins: Vec<Origin>, behaviours: Vec<CacheBehavior>, default: &str) -> DistributionConfig {
        let origins = Origins::builder().quantity(origins.len() as i32).set_items(Some(origins)).build_or_default();
        let behaviours =
            CacheBehaviors::builder().quantity(behaviours.len() as i32).set_items(Some(behaviours)).build_or_default();
        DistributionConfig::builder()
            .origins(origins)
            .default_cache_behavior(DefaultCacheBehavior::builder().target_origin_id(default).build_or_default())
            .cache_behaviors(behaviours)
            .build_or_default()
    }

    #[test]
    fn origin_domains_are_read_for_the_bucket_and_its_endpoint_kind() {
        let cases: &[(&str, Option<Endpoint>)] = &[
            ("site.s3.amazonaws.com", Some(Endpoint::Rest)),
            ("site.s3.eu-west-1.amazonaws.com", Some(Endpoint::Rest)),
            ("site.s3-eu-west-1.amazonaws.com", Some(Endpoint::Rest)),
            ("site.s3.dualstack.us-east-1.amazonaws.com", Some(Endpoint::Rest)),
            ("site.s3.cn-north-1.amazonaws.com.cn", Some(Endpoint::Rest)),
            ("site.s3-website-us-east-1.amazonaws.com", Some(Endpoint::Website)),
            ("site.s3-website.eu-central-1.amazonaws.com", Some(Endpoint::Website)),
            ("Site.S3.amazonaws.com", Some(Endpoint::Rest)),
            ("othersite.s3.amazonaws.com", None),
            ("site.example.com", None),
            ("site.s3.amazonaws.com.evil.com", None),
        ];
        for (domain, expected) in cases {
            assert_eq!(endpoint_of(domain, "site"), *expected, "{domain}");
        }
        assert_eq!(endpoint_of("my.site.s3.amazonaws.com", "my.site"), Some(Endpoint::Rest));
    }

    #[test]
    fn keys_map_through_origin_paths_behaviours_and_index_documents() {
        let origins = vec![
            origin("web", "site.s3-website-us-east-1.amazonaws.com", "/live"),
            origin("api", "api.example.com", ""),
        ];
        let mut config = config(origins, vec![behaviour("/api/*", "api")], "web");
        config.default_root_object = Some("index.html".into());
        let map = ViewerMap::new(&config, "site", None).unwrap();
        assert_eq!(map.paths_of("live/docs/index.html").paths, ["/docs/", "/docs/index.html"]);
        assert_eq!(map.paths_of("live/index.html").paths, ["/", "/index.html"]);
        assert_eq!(map.paths_of("live/a b*.png").paths, ["/a%20b%2A.png"]);
        assert_eq!(map.paths_of("live/100%25 off?.html").paths, ["/100%2525%20off%3F.html"]);
        assert!(map.paths_of("draft/x.html").paths.is_empty(), "outside the origin path");
        assert_eq!(map.foreign_folders(), ["/api/"]);
        let api = map.paths_of("live/api/data.json");
        assert!(api.paths.is_empty());
        assert_eq!(api.elsewhere, [("/api/data.json".to_owned(), "api".to_owned())]);
    }

    #[test]
    fn a_rest_origin_serves_index_documents_only_where_told_and_groups_count() {
        let origins = vec![origin("s3", "site.s3.us-east-1.amazonaws.com", ""), origin("b", "backup.example.com", "")];
        let mut config = config(origins, vec![behaviour("img/*", "g")], "s3");
        let member = |id: &str| OriginGroupMember::builder().origin_id(id).build_or_default();
        let members =
            OriginGroupMembers::builder().quantity(2).items(member("s3")).items(member("b")).build_or_default();
        let group = OriginGroup::builder().id("g").members(members).build_or_default();
        config.origin_groups = Some(OriginGroups::builder().quantity(1).items(group).build_or_default());
        let plain = ViewerMap::new(&config, "site", None).unwrap();
        assert_eq!(plain.paths_of("docs/index.html").paths, ["/docs/index.html"]);
        assert_eq!(plain.paths_of("img/a.png").paths, ["/img/a.png"], "through the origin group");
        let rewritten = ViewerMap::new(&config, "site", Some("index.html")).unwrap();
        assert_eq!(rewritten.paths_of("docs/index.html").paths, ["/docs/", "/docs/index.html"]);
        let error = ViewerMap::new(&config, "other", None).unwrap_err();
        assert!(error.contains("no origin of the distribution serves bucket other"), "{error}");
    }
}
