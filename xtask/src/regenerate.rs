//! `cargo xtask regenerate`: model in, committed crates out (or a scratch directory).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use cloudfront_codegen::drift::Drift;
use cloudfront_codegen::{
    GeneratedFile, PROJECT_SERVICES, Settings, generate, project_model_path, project_settings_path,
};

use crate::run::{root, shared};

pub fn main(args: &[String]) -> Result<(), String> {
    let mut check = false;
    let mut all = false;
    let mut model: Option<PathBuf> = None;
    let mut out: Option<PathBuf> = None;
    let mut prefix: Option<String> = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--all" => all = true,
            "--model" => model = Some(args.next().ok_or("--model needs a file")?.into()),
            "--out" => out = Some(args.next().ok_or("--out needs a directory")?.into()),
            "--prefix" => prefix = Some(args.next().ok_or("--prefix needs a name")?.clone()),
            other => return Err(format!("regenerate: unknown option {other:?}")),
        }
    }
    match (model, out) {
        (None, None) if !all => committed(check),
        (Some(model), Some(out)) => scratch(&model, &out, all, prefix),
        _ => Err("use `regenerate [--check]`, or `regenerate --model FILE --all --out DIR`".into()),
    }
}

/// Where the generated crates are committed (the paths of `GeneratedFile`s start there).
pub const GENERATED_DIR: &str = "crates/generated";

/// The generated files for the project's own models, as committed under [`GENERATED_DIR`].
pub fn generate_committed() -> Result<Vec<GeneratedFile>, String> {
    let mut files = Vec::new();
    for service in PROJECT_SERVICES {
        files.extend(generate_service(service)?);
    }
    Ok(files)
}

/// The generated files of one of the project's services.
pub fn generate_service(service: &str) -> Result<Vec<GeneratedFile>, String> {
    let root = root();
    let model = project_model_path(service);
    let mut settings = Settings::from_json(&read(&root.join(project_settings_path(service)))?)?;
    settings.model_file = model.clone();
    generate(&read(&root.join(&model))?, &settings).map_err(|e| format!("{model}: {e}"))
}

fn committed(check: bool) -> Result<(), String> {
    let started = Instant::now();
    let files = generate_committed()?;
    let elapsed = started.elapsed();
    let crates = root().join(GENERATED_DIR);
    let mut drift = Vec::new();
    for found in cloudfront_codegen::drift::compare(&crates, &files)? {
        let shown = format!("{GENERATED_DIR}/{}", found.path());
        match (found, check) {
            (Drift::Stale { .. }, true) => drift.push(format!("{shown} is no longer generated; delete it")),
            (Drift::Stale { path }, false) => {
                fs::remove_file(crates.join(path)).map_err(|e| e.to_string())?;
                println!("removed {shown}");
            }
            (Drift::Differs { path, current }, true) => {
                let wanted = &files.iter().find(|f| f.path == path).expect("a generated file").contents;
                drift.push(describe_drift(&shown, current.as_deref(), wanted));
            }
            (Drift::Differs { path, .. }, false) => {
                let wanted = &files.iter().find(|f| f.path == path).expect("a generated file").contents;
                let target = crates.join(&path);
                fs::create_dir_all(target.parent().expect("files live in a crate")).map_err(|e| e.to_string())?;
                fs::write(&target, wanted).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
                println!("wrote {shown}");
            }
        }
    }
    let models = PROJECT_SERVICES.iter().map(|s| project_model_path(s)).collect::<Vec<_>>().join(" and ");
    println!("generated {} files from {models} in {:.1} ms", files.len(), elapsed.as_secs_f64() * 1000.0);
    partition_table(check, &mut drift)?;
    if drift.is_empty() {
        if check {
            println!("generated crates are up to date");
        }
        Ok(())
    } else {
        for d in &drift {
            eprintln!("{d}");
        }
        Err(format!("{} generated file(s) are stale: run `cargo xtask regenerate` and commit", drift.len()))
    }
}

/// The published partitions file the runtime's table is generated from.
pub fn partitions_source() -> PathBuf {
    shared().join("aws-models/partitions.json")
}

/// Where the generated partition table lives (a generated file in a hand-written crate).
pub const PARTITIONS_RS: &str = "crates/runtime/cloudfront-runtime/src/partitions.rs";

/// Regenerates (or, with `check`, compares) the runtime's partition table. Without the
/// published file a check fails; a plain regeneration says so and leaves the table alone.
fn partition_table(check: bool, drift: &mut Vec<String>) -> Result<(), String> {
    let source = partitions_source();
    let Ok(text) = fs::read_to_string(&source) else {
        let missing = format!("{} is missing, so the partition table cannot be regenerated", source.display());
        if check {
            return Err(missing);
        }
        println!("note: {missing}; {PARTITIONS_RS} left as it is");
        return Ok(());
    };
    let wanted = cloudfront_codegen::partitions::generate(&text)?;
    let path = root().join(PARTITIONS_RS);
    let current = fs::read_to_string(&path).ok();
    if current.as_deref() == Some(wanted.as_str()) {
        return Ok(());
    }
    if check {
        drift.push(describe_drift(PARTITIONS_RS, current.as_deref(), &wanted));
    } else {
        fs::write(&path, wanted).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("wrote {PARTITIONS_RS}");
    }
    Ok(())
}

/// A stale file (`path` from the project root) and how it differs from what is generated.
fn describe_drift(path: &str, current: Option<&str>, wanted: &str) -> String {
    match current {
        None => format!("{path} is missing"),
        Some(current) => {
            let diff = similar::TextDiff::from_lines(current, wanted);
            let body =
                diff.unified_diff().context_radius(2).header(&format!("{path} (committed)"), "generated").to_string();
            let lines: Vec<&str> = body.lines().collect();
            let shown = lines.len().min(60);
            let more = if lines.len() > shown {
                format!("\n... {} more diff lines", lines.len() - shown)
            } else {
                String::new()
            };
            format!("{}{more}", lines[..shown].join("\n"))
        }
    }
}

/// Generates from any model into a scratch workspace (used to prove the generator is general).
fn scratch(model: &Path, out: &Path, all: bool, prefix: Option<String>) -> Result<(), String> {
    if !all {
        return Err("--model/--out generate every operation: pass --all".into());
    }
    let started = Instant::now();
    let files = generate_model(model, prefix)?;
    let elapsed = started.elapsed();
    write_workspace(out, &files)?;
    println!(
        "generated {} files for {} into {} in {:.1} ms",
        files.len(),
        model.display(),
        out.display(),
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(())
}

/// Every operation of every service of a model file (crate names from `prefix` or the sdkId).
pub fn generate_model(model: &Path, prefix: Option<String>) -> Result<Vec<GeneratedFile>, String> {
    let text = read(model)?;
    let services = services(&text)?;
    if prefix.is_some() && services.len() != 1 {
        return Err("--prefix needs a model with exactly one service".into());
    }
    let mut files = Vec::new();
    for (service, default_prefix) in &services {
        let settings = scratch_settings(service, prefix.clone().unwrap_or_else(|| default_prefix.clone()), model);
        files.extend(generate(&text, &settings)?);
    }
    Ok(files)
}

/// Every service of a model with a crate prefix made from its `sdkId` (or its name).
pub fn services(model_text: &str) -> Result<Vec<(String, String)>, String> {
    let json: serde_json::Value = serde_json::from_str(model_text).map_err(|e| format!("not JSON: {e}"))?;
    let shapes = json["shapes"].as_object().ok_or("the model has no shapes")?;
    let services: Vec<(String, String)> = shapes
        .iter()
        .filter(|(_, s)| s["type"] == "service")
        .map(|(id, s)| {
            let name =
                s["traits"]["aws.api#service"]["sdkId"].as_str().unwrap_or_else(|| id.rsplit('#').next().unwrap_or(id));
            (id.clone(), name.to_ascii_lowercase().replace([' ', '_'], "-"))
        })
        .collect();
    if services.is_empty() {
        return Err("the model has no service shape".into());
    }
    Ok(services)
}

/// Settings for generating every operation of `service` outside the workspace.
pub fn scratch_settings(service: &str, prefix: String, model: &Path) -> Settings {
    Settings {
        service: service.to_owned(),
        crate_prefix: prefix,
        operations: None,
        default_content_types: true,
        counted_lists: false,
        refuse_dot_segment_labels: false,
        payload_hash_header: false,
        omitted_literal_query: Vec::new(),
        body_less_errors: Default::default(),
        region_redirects: false,
        errors_in_success: false,
        crates_dir: root().join("crates").to_string_lossy().into_owned(),
        model_file: model.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
        facade_readme: None,
        repository: None,
    }
}

/// Writes generated crates under `out` with a workspace manifest listing them.
pub fn write_workspace(out: &Path, files: &[GeneratedFile]) -> Result<(), String> {
    let mut members = BTreeSet::new();
    for file in files {
        let path = out.join(&file.path);
        fs::create_dir_all(path.parent().expect("files live in a crate")).map_err(|e| e.to_string())?;
        if fs::read_to_string(&path).ok().as_deref() != Some(file.contents.as_str()) {
            fs::write(&path, &file.contents).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        members.insert(file.path.split('/').next().unwrap_or_default().to_owned());
    }
    let members: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
    let workspace = format!("[workspace]\nresolver = \"3\"\nmembers = [{}]\n", members.join(", "));
    fs::write(out.join("Cargo.toml"), workspace).map_err(|e| e.to_string())
}

pub fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}
