//! The committed generated crates are what the generator makes of `model/` today: the same
//! check as `cargo xtask regenerate --check`, run in memory by plain `cargo test`, so a change
//! to the generator or the model that was not regenerated fails here too.

mod common;

use common::{project_files, root};

#[test]
fn the_committed_generated_crates_match_the_generator() {
    let files = project_files();
    assert!(files.len() > 20, "the generator made only {} files", files.len());
    let drift = cloudfront_codegen::drift::compare(&root().join("crates/generated"), &files).unwrap();
    let shown: Vec<String> = drift
        .iter()
        .map(|d| {
            let what = match d {
                cloudfront_codegen::drift::Drift::Differs { current: Some(_), .. } => "differs",
                cloudfront_codegen::drift::Drift::Differs { current: None, .. } => "is missing",
                cloudfront_codegen::drift::Drift::Stale { .. } => "is no longer generated",
            };
            format!("crates/generated/{} {what}", d.path())
        })
        .collect();
    assert!(drift.is_empty(), "run `cargo xtask regenerate` and commit:\n{}", shown.join("\n"));
}

#[test]
fn the_committed_partition_table_matches_the_published_file() {
    let source = root().join("../shared/aws-models/partitions.json");
    let text = std::fs::read_to_string(&source).unwrap_or_else(|e| {
        panic!("{}: {e}; the published partitions file lives in ../shared next to the checkout", source.display())
    });
    let wanted = cloudfront_codegen::partitions::generate(&text).unwrap();
    let committed =
        std::fs::read_to_string(root().join("crates/runtime/cloudfront-runtime/src/partitions.rs")).unwrap();
    assert!(
        committed == wanted,
        "run `cargo xtask regenerate` and commit crates/runtime/cloudfront-runtime/src/partitions.rs"
    );
}
