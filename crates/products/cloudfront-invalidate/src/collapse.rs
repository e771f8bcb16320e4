//! Fewer billed paths: CloudFront bills every invalidation path beyond the first 1,000 a
//! month, and a wildcard counts as one however many objects it matches. Given the changed
//! files and the site's manifest (every path currently deployed), [`collapse`] replaces sets
//! of changed files with folder wildcards where that lowers the billed paths, without a
//! wildcard covering more unchanged objects than `max_overreach` times the changed ones it
//! covers, and without more wildcards than CloudFront lets one distribution have in progress.
//!
//! Greedy: the folder that saves the most billed paths first (ties to the one covering fewer
//! unchanged objects, then the deeper one), until no folder saves anything or the wildcard
//! budget is spent. A folder chosen later may absorb wildcards chosen earlier inside it.

use std::collections::{BTreeMap, BTreeSet, HashSet};

/// A wildcard the collapse chose, with what it covers.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wildcard {
    /// `/folder/*`.
    pub path: String,
    /// Changed files it covers.
    pub changed: usize,
    /// Unchanged objects of the manifest it also invalidates.
    pub unchanged: usize,
}

/// The items to invalidate after collapsing, and the wildcards that replaced files.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collapsed {
    /// Items to plan: the chosen wildcards, the changed files no wildcard covers, and every
    /// item that was not a collapsible file (wildcards and cache tags given).
    pub items: Vec<String>,
    /// The wildcards chosen, in path order.
    pub wildcards: Vec<Wildcard>,
}

/// Per folder candidate: counts over the whole subtree.
#[derive(Debug, Default, Clone)]
struct Folder {
    /// Changed files below it.
    changed: usize,
    /// Manifest objects below it that did not change.
    unchanged: usize,
    /// Billed units below it as things stand (files not yet covered, plus wildcards chosen).
    units: usize,
    /// Wildcards chosen below it.
    chosen_below: usize,
}

/// Collapses `changed` items against `manifest` (see the module documentation).
/// `max_wildcards` is the budget for all wildcards, including any given in `changed`.
pub fn collapse(changed: &[String], manifest: &[String], max_overreach: f64, max_wildcards: usize) -> Collapsed {
    let (files, others): (Vec<&String>, Vec<&String>) =
        changed.iter().partition(|item| item.starts_with('/') && !item.ends_with('*'));
    let files: BTreeSet<&str> = files.into_iter().map(String::as_str).collect();
    let given_wildcards = others.iter().filter(|i| i.ends_with('*')).count();
    let mut budget = max_wildcards.saturating_sub(given_wildcards);

    let mut folders: BTreeMap<&str, Folder> = BTreeMap::new();
    for file in &files {
        for folder in ancestors(file) {
            let entry = folders.entry(folder).or_default();
            entry.changed += 1;
            entry.units += 1;
        }
    }
    let changed_set: HashSet<&str> = files.iter().copied().collect();
    for object in manifest.iter().map(String::as_str).filter(|o| !changed_set.contains(o)) {
        for folder in ancestors(object) {
            if let Some(entry) = folders.get_mut(folder) {
                entry.unchanged += 1;
            }
        }
    }

    let mut chosen: Vec<&str> = Vec::new();
    // Bounded: each round chooses a folder and removes it (and everything below it).
    while budget > 0 || !chosen.is_empty() {
        let best = folders
            .iter()
            .filter(|(_, f)| f.units > 1 && f.unchanged as f64 <= max_overreach * f.changed as f64)
            // A folder replacing wildcards chosen below it frees budget instead of using it.
            .filter(|(_, f)| budget + f.chosen_below > 0)
            .max_by(|(pa, a), (pb, b)| {
                (a.units - 1)
                    .cmp(&(b.units - 1))
                    .then(b.unchanged.cmp(&a.unchanged))
                    .then(depth(pa).cmp(&depth(pb)))
                    .then(pb.cmp(pa))
            })
            .map(|(path, folder)| (*path, folder.clone()));
        let Some((path, folder)) = best else { break };
        budget = budget + folder.chosen_below - 1;
        chosen.retain(|c| !c.starts_with(path));
        chosen.push(path);
        let saved = folder.units - 1;
        let absorbed = folder.chosen_below;
        // Everything below (and the folder itself) is settled.
        let below: Vec<&str> =
            folders.range(path..).take_while(|(p, _)| p.starts_with(path)).map(|(p, _)| *p).collect();
        for p in below {
            folders.remove(p);
        }
        for ancestor in ancestors(path) {
            if let Some(entry) = folders.get_mut(ancestor) {
                entry.units -= saved;
                entry.chosen_below = entry.chosen_below + 1 - absorbed;
            }
        }
    }

    let prefixes: Vec<&str> = chosen.clone();
    let mut items: Vec<String> = prefixes.iter().map(|p| format!("{p}*")).collect();
    items.extend(files.iter().filter(|f| !prefixes.iter().any(|p| f.starts_with(p))).map(|f| (*f).to_owned()));
    items.extend(others.into_iter().cloned());
    let mut wildcards: Vec<Wildcard> = prefixes
        .iter()
        .map(|p| Wildcard {
            path: format!("{p}*"),
            changed: files.iter().filter(|f| f.starts_with(p)).count(),
            unchanged: manifest.iter().filter(|o| o.starts_with(p) && !changed_set.contains(o.as_str())).count(),
        })
        .collect();
    wildcards.sort_by(|a, b| a.path.cmp(&b.path));
    Collapsed { items, wildcards }
}

/// The folders above a path, deepest first: `/a/b/c.js` gives `/a/b/`, `/a/`, `/`.
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    path.char_indices().filter(|(_, c)| *c == '/').map(move |(i, _)| &path[..=i]).collect::<Vec<_>>().into_iter().rev()
}

fn depth(folder: &str) -> usize {
    folder.matches('/').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn a_fully_changed_folder_becomes_one_wildcard() {
        let changed: Vec<String> =
            (0..40).map(|i| format!("/assets/app.{i}.js")).chain(["/index.html".into()]).collect();
        let mut manifest = changed.clone();
        manifest.extend(strings(&["/about.html", "/img/logo.png"]));
        let collapsed = collapse(&changed, &manifest, 0.0, 15);
        assert_eq!(collapsed.items, ["/assets/*", "/index.html"]);
        assert_eq!(collapsed.wildcards, [Wildcard { path: "/assets/*".into(), changed: 40, unchanged: 0 }]);
    }

    #[test]
    fn overreach_and_the_wildcard_budget_are_respected() {
        // Half of /docs changed: allowed at 1.0, not at 0.5.
        let changed: Vec<String> = (0..10).map(|i| format!("/docs/{i}.html")).collect();
        let manifest: Vec<String> = (0..20).map(|i| format!("/docs/{i}.html")).collect();
        assert_eq!(collapse(&changed, &manifest, 1.0, 15).items, ["/docs/*"]);
        assert_eq!(collapse(&changed, &manifest, 0.5, 15).items.len(), 10);
        // Twenty folders, budget of 15 minus one wildcard given: fourteen are collapsed.
        let mut changed: Vec<String> = (0..20).flat_map(|d| (0..3).map(move |f| format!("/d{d:02}/{f}"))).collect();
        changed.push("/given/*".into());
        let collapsed = collapse(&changed, &changed, 0.0, 15);
        assert_eq!(collapsed.wildcards.len(), 14);
        assert_eq!(collapsed.items.iter().filter(|i| i.ends_with('*')).count(), 15);
    }

    #[test]
    fn of_folders_that_save_as_much_the_deepest_is_chosen() {
        let changed: Vec<String> = (0..3).flat_map(|d| (0..5).map(move |f| format!("/site/s{d}/{f}"))).collect();
        let collapsed = collapse(&changed, &changed, 0.0, 15);
        assert_eq!(collapsed.items, ["/site/*"], "not /*, which saves no more");
        assert_eq!(collapsed.wildcards[0].changed, 15);
    }

    #[test]
    fn with_no_budget_left_nothing_is_collapsed() {
        let changed: Vec<String> = (0..5).map(|f| format!("/a/{f}")).chain(["/w/*".to_owned()]).collect();
        assert_eq!(collapse(&changed, &changed, 0.0, 1).items.len(), 6);
    }
}
