//! Properties of the collapse over random sites: every changed file stays covered, no
//! wildcard invalidates more unchanged objects than the bound allows, the wildcard budget
//! holds, and the billed paths never go up.

use std::collections::BTreeSet;

use cloudfront_invalidate::collapse::collapse;
use proptest::prelude::*;

/// Paths in a small tree, so folders share many files.
fn path() -> impl Strategy<Value = String> {
    "(/[abc]){0,3}/[xyz][0-9]\\.html"
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn changed_files_stay_covered_within_the_overreach_and_budget(
        manifest in proptest::collection::btree_set(path(), 0..80),
        extra in proptest::collection::btree_set(path(), 0..10),
        picks in proptest::collection::vec(any::<bool>(), 80),
        given_wildcards in 0usize..3,
        max_overreach in prop_oneof![Just(0.0), Just(0.5), Just(1.0), Just(3.0)],
        budget in 0usize..16,
    ) {
        let manifest: Vec<String> = manifest.into_iter().collect();
        // Changed: some of the manifest, some new files, and a few wildcards given as such.
        let mut changed: Vec<String> =
            manifest.iter().zip(&picks).filter(|(_, pick)| **pick).map(|(p, _)| p.clone()).collect();
        changed.extend(extra);
        changed.extend((0..given_wildcards).map(|i| format!("/given{i}/*")));
        let changed_files: BTreeSet<&str> =
            changed.iter().map(String::as_str).filter(|c| !c.ends_with('*')).collect();

        let collapsed = collapse(&changed, &manifest, max_overreach, budget);

        let wildcards: Vec<&str> = collapsed.items.iter().map(String::as_str).filter(|i| i.ends_with('*')).collect();
        for file in &changed_files {
            let covered = collapsed.items.iter().any(|i| i == file)
                || wildcards.iter().any(|w| file.starts_with(&w[..w.len() - 1]));
            prop_assert!(covered, "{file} is no longer invalidated");
        }
        for wildcard in &collapsed.wildcards {
            let prefix = &wildcard.path[..wildcard.path.len() - 1];
            let changed_under = changed_files.iter().filter(|f| f.starts_with(prefix)).count();
            let unchanged_under =
                manifest.iter().filter(|o| o.starts_with(prefix) && !changed_files.contains(o.as_str())).count();
            prop_assert_eq!((wildcard.changed, wildcard.unchanged), (changed_under, unchanged_under));
            prop_assert!(unchanged_under as f64 <= max_overreach * changed_under as f64, "{} overreaches", wildcard.path);
        }
        prop_assert!(collapsed.wildcards.len() <= budget.saturating_sub(given_wildcards));
        prop_assert!(collapsed.items.len() <= changed_files.len() + given_wildcards, "billed paths went up");
    }
}
