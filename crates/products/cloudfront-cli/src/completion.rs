//! `cloudfront completion bash|zsh|fish|powershell`: shell completion scripts made from the
//! same command definition the parser uses, so every command, waiter and flag is in them.

use std::ffi::OsString;

use crate::Failure;

/// The completion script for the shell `rest` names (bash, zsh, fish or powershell).
pub fn script(rest: &[OsString]) -> Result<String, Failure> {
    use clap_complete::Shell;
    let name = rest.first().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let shell = match (name.as_str(), rest.len()) {
        ("bash", 1) => Shell::Bash,
        ("zsh", 1) => Shell::Zsh,
        ("fish", 1) => Shell::Fish,
        ("powershell", 1) => Shell::PowerShell,
        _ => {
            return Err(Failure::Usage(format!(
                "cloudfront: error: argument shell: Invalid choice, valid choices are:\n\n{}",
                crate::usage::columns(&["bash".into(), "zsh".into(), "fish".into(), "powershell".into()])
            )));
        }
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut crate::command::command(), "cloudfront", &mut script);
    String::from_utf8(script).map_err(|e| Failure::Other(e.to_string()))
}
