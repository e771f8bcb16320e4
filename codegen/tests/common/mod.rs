//! What the generator's integration tests share: the workspace root, and the files the
//! generator makes of the project's own model, as `cargo xtask regenerate` makes them.

use std::path::PathBuf;

use cloudfront_codegen::{
    GeneratedFile, PROJECT_SERVICES, Settings, generate, project_model_path, project_settings_path,
};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every file `cargo xtask regenerate` writes, for every service of the project.
pub fn project_files() -> Vec<GeneratedFile> {
    let read = |p: &str| std::fs::read_to_string(root().join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));
    let mut files = Vec::new();
    for service in PROJECT_SERVICES {
        let model = project_model_path(service);
        let mut settings = Settings::from_json(&read(&project_settings_path(service))).unwrap();
        settings.model_file = model.clone();
        files.extend(generate(&read(&model), &settings).unwrap_or_else(|e| panic!("{model}: {e}")));
    }
    files
}
