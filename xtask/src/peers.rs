//! The outside programs the tests run against, at the versions `tools/pins.txt` fixes.
//!
//! The Python peers (moto, the AWS CLI v1, botocore, jmespath) are installed from
//! `tools/python/peers.lock` with `pip --require-hashes` into a venv named after the lock's
//! hash, so a changed lock gets a fresh venv and an unchanged one is reused. `--latest-peers`
//! runs use a second venv holding whatever the registry serves today. The AWS CLI v2 is
//! Debian's package, which cannot be held at an older release: its major.minor is checked.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run::root;

/// The Python packages whose newest releases `--latest-peers` tries (moto with its server).
const LATEST: &[&str] = &["moto[server]", "awscli", "botocore", "jmespath"];

/// A venv holding the Python peers.
pub struct Venv {
    pub dir: PathBuf,
}

impl Venv {
    pub fn bin(&self, program: &str) -> String {
        self.dir.join("bin").join(program).to_string_lossy().into_owned()
    }

    /// `name==version` of each package a `--latest-peers` run compares, as installed here.
    pub fn versions(&self) -> Result<Vec<(String, String)>, String> {
        // The distribution names of LATEST, without extras (`moto[server]` is `moto`).
        let names: Vec<String> = LATEST.iter().map(|p| format!("'{}'", p.split('[').next().unwrap_or(p))).collect();
        let script = format!("import importlib.metadata as m\nfor n in [{}]: print(n, m.version(n))", names.join(", "));
        let output = Command::new(self.bin("python"))
            .args(["-c", &script])
            .output()
            .map_err(|e| format!("cannot run {}: {e}", self.bin("python")))?;
        let text = String::from_utf8_lossy(&output.stdout);
        Ok(text.lines().filter_map(|l| l.split_once(' ')).map(|(n, v)| (n.to_owned(), v.to_owned())).collect())
    }
}

/// The pins of `tools/pins.txt`: (name, version, source) of every line.
fn pins() -> Result<Vec<(String, String, String)>, String> {
    let path = root().join("tools/pins.txt");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    Ok(text
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| match line.split_whitespace().collect::<Vec<_>>()[..] {
            [name, version, source, ..] => Some((name.to_owned(), version.to_owned(), source.to_owned())),
            _ => None,
        })
        .collect())
}

/// The pinned version of `name`.
pub fn pin(name: &str) -> Result<String, String> {
    pins()?
        .into_iter()
        .find(|(n, _, _)| n == name)
        .map(|(_, version, _)| version)
        .ok_or_else(|| format!("tools/pins.txt pins no version of {name}"))
}

/// Refuses to go on unless the crates.io tool `cargo-NAME` is installed at its pinned version,
/// saying how to install it (what `.ci/run` does).
pub fn require_cargo_tool(tool: &str) -> Result<(), String> {
    let version = pin(tool)?;
    let subcommand = tool.strip_prefix("cargo-").unwrap_or(tool);
    let output = std::process::Command::new("cargo").args([subcommand, "--version"]).output();
    let found = output.ok().filter(|o| o.status.success()).map(|o| String::from_utf8_lossy(&o.stdout).into_owned());
    match found.as_deref().and_then(|text| text.split_whitespace().nth(1)) {
        Some(installed) if installed == version => Ok(()),
        installed => Err(format!(
            "{tool} {version} is needed (found: {}): cargo install {tool} --version {version} --locked \
             (.ci/run installs it)",
            installed.unwrap_or("none")
        )),
    }
}

/// Refuses a lock that does not hold every PyPI pin at its version (a pin moved without
/// running `tools/python/lock.sh`).
fn check_lock_matches_pins(lock: &str) -> Result<(), String> {
    for (name, version, source) in pins()? {
        let line = format!("{name}=={version} ");
        if source == "PyPI" && !lock.lines().any(|l| l.starts_with(&line)) {
            return Err(format!(
                "tools/python/peers.lock does not hold {name}=={version} as tools/pins.txt pins it: \
                 run tools/python/lock.sh and commit both"
            ));
        }
    }
    Ok(())
}

/// The venv of the pinned Python peers, installed from the lock when it is not there yet.
pub fn pinned() -> Result<Venv, String> {
    let lock = root().join("tools/python/peers.lock");
    check_lock_matches_pins(
        &std::fs::read_to_string(&lock).map_err(|e| format!("cannot read {}: {e}", lock.display()))?,
    )?;
    let hash = sha256_of(&lock)?;
    let parent = root().join("target/peers-venv");
    let venv = Venv { dir: parent.join(&hash[..16]) };
    let done = venv.dir.join("installed-from-lock");
    if done.exists() {
        return Ok(venv);
    }
    // Venvs of earlier locks are never used again.
    let _ = std::fs::remove_dir_all(&parent);
    println!("installing the pinned Python peers ({}) into {}", lock.display(), venv.dir.display());
    create(&venv.dir)?;
    crate::run::run(
        &venv.bin("pip"),
        &["install", "--quiet", "--require-hashes", "--no-deps", "-r", &lock.to_string_lossy()],
    )?;
    std::fs::write(&done, &hash).map_err(|e| format!("cannot write {}: {e}", done.display()))?;
    Ok(venv)
}

/// A fresh venv with the newest release of each Python peer (for `--latest-peers` only).
pub fn latest() -> Result<Venv, String> {
    let venv = Venv { dir: root().join("target/peers-latest-venv") };
    let _ = std::fs::remove_dir_all(&venv.dir);
    println!("installing the newest {} into {}", LATEST.join(", "), venv.dir.display());
    create(&venv.dir)?;
    let mut args = vec!["install", "--quiet", "--upgrade"];
    args.extend_from_slice(LATEST);
    crate::run::run(&venv.bin("pip"), &args)?;
    Ok(venv)
}

fn create(dir: &Path) -> Result<(), String> {
    if let Some(parent) = dir.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    crate::run::run("python3", &["-m", "venv", &dir.to_string_lossy()])
}

fn sha256_of(path: &Path) -> Result<String, String> {
    let output = Command::new("sha256sum")
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run sha256sum on {}: {e}", path.display()))?;
    let text = String::from_utf8_lossy(&output.stdout);
    match text.split_whitespace().next() {
        Some(hash) if output.status.success() && hash.len() == 64 => Ok(hash.to_owned()),
        _ => Err(format!("sha256sum {} failed: {}", path.display(), String::from_utf8_lossy(&output.stderr))),
    }
}

/// The AWS CLI v2's full version (`/usr/bin/aws --version`), refused unless its major.minor is
/// the pinned one: a newer Debian release may print or parse differently, and the parity run
/// must not silently compare against it.
pub fn aws_cli_v2_version() -> Result<String, String> {
    let output = Command::new("/usr/bin/aws")
        .arg("--version")
        .output()
        .map_err(|e| format!("cannot run /usr/bin/aws --version: {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    let version = text
        .split_whitespace()
        .next()
        .and_then(|word| word.strip_prefix("aws-cli/"))
        .ok_or_else(|| format!("/usr/bin/aws --version printed no aws-cli/VERSION: {text:?}"))?
        .to_owned();
    let wanted = pin("awscli-v2")?;
    let major_minor: Vec<&str> = version.split('.').take(2).collect();
    if major_minor.join(".") != wanted {
        return Err(format!(
            "the AWS CLI v2 is {version}, but tools/pins.txt pins {wanted}.x: the parity cases were recorded \
             against {wanted}; install Debian's awscli {wanted}.x, or move the pin deliberately and re-check the parity run"
        ));
    }
    Ok(version)
}
