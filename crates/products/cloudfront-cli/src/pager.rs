//! The pager, as the AWS CLI v2 pages: only when stdout is a terminal, through `AWS_PAGER`,
//! else the profile's `cli_pager`, else `PAGER`, else `less -R` (with `LESS=FRX` unless set,
//! so short output prints and returns); an empty setting or `--no-cli-pager` writes straight
//! out. The pager is run as its words, not through a shell.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::Failure;

/// The pager command to use, if any.
pub fn choose(
    no_pager: bool,
    stdout_is_terminal: bool,
    env: impl Fn(&str) -> Option<String>,
    profile_setting: Option<&str>,
) -> Option<String> {
    if no_pager || !stdout_is_terminal {
        return None;
    }
    let setting = env("AWS_PAGER")
        .or_else(|| profile_setting.map(str::to_owned))
        .or_else(|| env("PAGER"))
        .unwrap_or_else(|| "less -R".to_owned());
    (!setting.trim().is_empty()).then_some(setting)
}

/// Writes `text` through `pager` and waits for it; a pager that cannot be started fails with
/// the AWS CLI's words.
pub fn show(pager: &str, text: &str) -> Result<(), Failure> {
    let words = cloudfront_runtime::credentials::split_command_line(pager)
        .map_err(|why| Failure::Other(format!("cli_pager {pager:?}: {why}")))?;
    let Some((program, args)) = words.split_first() else { return Ok(()) };
    let mut command = Command::new(program);
    command.args(args).stdin(Stdio::piped());
    if std::env::var_os("LESS").is_none() {
        command.env("LESS", "FRX");
    }
    let mut child = command.spawn().map_err(|e| {
        let code = e.raw_os_error().unwrap_or(2);
        let text = e.to_string();
        let text = text.split(" (os error").next().unwrap_or_default().to_owned();
        Failure::Other(format!("[Errno {code}] {text}: '{program}'"))
    })?;
    if let Some(mut stdin) = child.stdin.take() {
        // A pager closed early (q in less) is not an error.
        let _ = stdin.write_all(text.as_bytes());
    }
    let _ = child.wait();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |key| vars.iter().find(|(k, _)| *k == key).map(|(_, v)| (*v).to_owned())
    }

    #[test]
    fn the_pager_is_chosen_as_the_aws_cli_chooses_it() {
        assert_eq!(choose(false, true, env(&[]), None).as_deref(), Some("less -R"));
        assert_eq!(choose(false, true, env(&[("PAGER", "more")]), None).as_deref(), Some("more"));
        assert_eq!(choose(false, true, env(&[("PAGER", "more")]), Some("most")).as_deref(), Some("most"));
        assert_eq!(choose(false, true, env(&[("AWS_PAGER", "cat")]), Some("most")).as_deref(), Some("cat"));
        // Empty means no pager; so do --no-cli-pager and a stdout that is not a terminal.
        assert_eq!(choose(false, true, env(&[("AWS_PAGER", "")]), Some("most")), None);
        assert_eq!(choose(false, true, env(&[]), Some("")), None);
        assert_eq!(choose(true, true, env(&[]), None), None);
        assert_eq!(choose(false, false, env(&[]), None), None);
    }

    #[test]
    fn a_missing_pager_fails_with_the_aws_cli_words() {
        let e = show("no-such-pager-program --flag", "x").unwrap_err();
        assert_eq!(e.message(), "[Errno 2] No such file or directory: 'no-such-pager-program'");
        assert!(show("true", "some output").is_ok());
    }
}
