//! Paths of the project and running other programs.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the parent of `xtask/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace").to_path_buf()
}

/// `../shared` next to the checkout, where the reference material lives.
pub fn shared() -> PathBuf {
    root().join("..").join("shared")
}

/// Runs a command in the workspace root, streaming its output; fails if it fails.
pub fn run(program: &str, args: &[&str]) -> Result<(), String> {
    let status = Command::new(program)
        .args(args)
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot start {program}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("`{program} {}` failed ({status})", args.join(" "))) }
}

/// Runs the binary of a workspace package, passing the arguments on.
pub fn cargo_forward(package: &str, args: &[String]) -> Result<(), String> {
    let mut full = vec!["run", "--quiet", "--package", package, "--"];
    full.extend(args.iter().map(String::as_str));
    run("cargo", &full)
}
