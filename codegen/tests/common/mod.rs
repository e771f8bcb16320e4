//! What the generator's integration tests share: the workspace root, and the files the
//! generator makes of the project's own model, as `cargo xtask regenerate` makes them.

use std::path::PathBuf;

use cloudfront_codegen::{GeneratedFile, Settings, generate};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn project_files() -> Vec<GeneratedFile> {
    let read = |p: &str| std::fs::read_to_string(root().join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let mut settings = Settings::from_json(&read("model/codegen.json")).unwrap();
    settings.model_file = "model/cloudfront.json".into();
    generate(&read("model/cloudfront.json"), &settings).unwrap()
}
