//! Properties of the planner over random sets of paths, wildcards and tags, and random limits.

use std::collections::{HashMap, HashSet};

use cloudfront_invalidate::plan::{Limits, Options, plan};
use proptest::prelude::*;

/// Items from a small alphabet, so duplicates and wildcard coverage happen often.
fn item() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "(/[ab]){1,4}(\\.html)?",
        2 => "(/[ab]){0,3}/\\*",
        1 => "#t[0-9]",
    ]
}

fn limits() -> impl Strategy<Value = Limits> {
    (1usize..40, 1usize..40, 1usize..6).prop_map(|(items_per_request, files_in_progress, wildcards_in_progress)| {
        Limits::new(items_per_request, files_in_progress, wildcards_in_progress)
    })
}

fn matches(wildcard: &str, item: &str) -> bool {
    item.starts_with(&wildcard[..wildcard.len() - 1])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn every_item_is_covered_once_and_no_batch_breaks_a_limit(
        items in proptest::collection::vec(item(), 0..120),
        limits in limits(),
        seed in any::<u64>(),
    ) {
        let mut options = Options::default();
        options.limits = limits;
        let made = plan(&items, "run-1", &options).unwrap();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for batch in &made.batches {
            prop_assert!(!batch.items.is_empty());
            prop_assert!(batch.items.len() <= limits.items_per_request);
            prop_assert!(batch.files() <= limits.files_in_progress);
            prop_assert!(batch.wildcards() <= limits.wildcards_in_progress);
            for item in &batch.items {
                *seen.entry(item.as_str()).or_default() += 1;
            }
        }
        let sent_wildcards: Vec<&str> = seen.keys().copied().filter(|i| i.ends_with('*')).collect();
        for item in &items {
            let sent = seen.get(item.as_str()).copied().unwrap_or(0);
            if sent == 0 {
                // Left out only when a wildcard that is sent covers it.
                prop_assert!(made.covered.contains(item), "{item} is neither sent nor covered");
                prop_assert!(sent_wildcards.iter().any(|w| *w != item && matches(w, item)), "{item} is not covered");
            } else {
                prop_assert_eq!(sent, 1, "{} is sent more than once", item);
            }
        }
        // Stable: the same set in another order and with repeats gives the same batches.
        let mut shuffled = items.clone();
        let mut state = seed;
        for i in (1..shuffled.len()).rev() {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            shuffled.swap(i, (state >> 33) as usize % (i + 1));
        }
        shuffled.extend(items.iter().take(3).cloned());
        prop_assert_eq!(&plan(&shuffled, "run-1", &options).unwrap().batches, &made.batches);
        // Distinct references within a plan, and different ones for another run.
        // ... and per target: no two targets share a reference.
        let refs: HashSet<String> = made
            .batches
            .iter()
            .flat_map(|b| ["E1", "dt_a", "dt_b"].map(|target| b.caller_reference(target)))
            .collect();
        prop_assert_eq!(refs.len(), made.batches.len() * 3);
        let other = plan(&items, "run-2", &options).unwrap();
        for (a, b) in made.batches.iter().zip(&other.batches) {
            prop_assert_ne!(a.caller_reference("E1"), b.caller_reference("E1"));
        }
    }
}
