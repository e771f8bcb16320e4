//! `credential_process`: a program that prints a credentials document. Run as botocore runs
//! it: the setting is split into arguments with POSIX shell quoting rules and started
//! directly, without a shell. Unlike botocore it is stopped after a timeout, and what it
//! prints is bounded.

use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Credentials, CredentialsError, parse_expiry};

/// How long a credential process may run.
const TIMEOUT: Duration = Duration::from_secs(60);
/// The most it may print (a credentials document is well under 4 KiB).
const MAX_OUTPUT: u64 = 64 * 1024;

/// Runs `command` and reads the JSON document it prints (Version 1).
pub(crate) async fn run(command: &str, source: String) -> Result<Credentials, CredentialsError> {
    let source = source.as_str();
    let fail = |why: String| CredentialsError::Failed(format!("{source}: credential_process: {why}"));
    let argv =
        if cfg!(windows) { split_windows(command) } else { split(command) }.map_err(|why| fail(why.to_owned()))?;
    // A blocking thread rather than tokio's process support, which would add a signal
    // handling crate to every program's dependency graph for this rarely used provider.
    let (stdout, stderr, status) = tokio::task::spawn_blocking(move || run_bounded(&argv))
        .await
        .map_err(|e| fail(format!("the thread running it failed: {e}")))?
        .map_err(fail)?;
    if !status.success() {
        let stderr = String::from_utf8_lossy(&stderr);
        let first_line = stderr.lines().next().unwrap_or_default();
        return Err(fail(format!("exited with {status}: {first_line}")));
    }
    let doc = super::documents::parse(&stdout).map_err(|e| fail(format!("printed invalid JSON: {e}")))?;
    if doc["Version"].as_i64() != Some(1) {
        return Err(fail(format!("unsupported Version {} (only 1 is known)", doc["Version"])));
    }
    let field = |k: &str| doc[k].as_str().map(str::to_owned).ok_or_else(|| fail(format!("no {k} in its output")));
    Ok(Credentials {
        access_key_id: field("AccessKeyId")?,
        secret_access_key: field("SecretAccessKey")?,
        session_token: doc["SessionToken"].as_str().map(str::to_owned),
        expiry: parse_expiry(doc["Expiration"].as_str(), source)?,
        source: format!("{source} (credential_process)"),
    })
}

/// Starts the program, reads at most [`MAX_OUTPUT`] bytes of each stream, and stops it
/// after [`TIMEOUT`].
fn run_bounded(argv: &[String]) -> Result<(Vec<u8>, Vec<u8>, std::process::ExitStatus), String> {
    let (program, args) = argv.split_first().ok_or("the setting is empty")?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {program:?}: {e}"))?;
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    // Each stream is read on its own thread into a shared slot, so the deadline also bounds
    // a program that exits but leaves a child holding its output open.
    let read = |stream: Box<dyn Read + Send>| {
        let slot: Arc<Mutex<Option<Vec<u8>>>> = Arc::default();
        let filled = slot.clone();
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let mut limited = stream.take(MAX_OUTPUT + 1);
            let _ = limited.read_to_end(&mut bytes);
            *filled.lock().expect("not poisoned") = Some(bytes);
            // Drain the rest so the program is not blocked on a full pipe.
            let _ = std::io::copy(&mut limited.into_inner(), &mut std::io::sink());
        });
        slot
    };
    let stdout = read(Box::new(stdout));
    let stderr = read(Box::new(stderr));
    let deadline = Instant::now() + TIMEOUT;
    let mut status = None;
    // Bounded by the deadline: polls every 5 ms.
    let (stdout, stderr) = loop {
        if status.is_none() {
            status = child.try_wait().map_err(|e| format!("waiting for it: {e}"))?;
        }
        if status.is_some() {
            let (mut out, mut err) = (stdout.lock().expect("not poisoned"), stderr.lock().expect("not poisoned"));
            if out.is_some() && err.is_some() {
                break (out.take().unwrap_or_default(), err.take().unwrap_or_default());
            }
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("did not finish within {} s and was stopped", TIMEOUT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let status = status.expect("set before the loop ends");
    if stdout.len() as u64 > MAX_OUTPUT {
        return Err(format!("printed more than {MAX_OUTPUT} bytes"));
    }
    Ok((stdout, stderr, status))
}

/// Splits a command line as botocore does on Windows (the C runtime's rules): only spaces and
/// tabs separate words, only double quotes quote, and backslashes are literal unless a run of
/// them leads up to a double quote, where each pair is one backslash and an odd one out
/// escapes the quote. So `C:\tools\creds.exe` stays a path.
pub fn split_windows(line: &str) -> Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    // The word so far: `Some` once anything began it, an empty pair of quotes included.
    let mut word: Option<String> = None;
    let (mut quoted, mut backslashes) = (false, 0usize);
    for c in line.chars() {
        if c == '\\' {
            backslashes += 1;
            continue;
        }
        if c == '"' {
            let current = word.get_or_insert_with(String::new);
            current.extend(std::iter::repeat_n('\\', backslashes / 2));
            if backslashes % 2 == 1 {
                current.push('"');
            } else {
                quoted = !quoted;
            }
            backslashes = 0;
            continue;
        }
        if backslashes > 0 {
            word.get_or_insert_with(String::new).extend(std::iter::repeat_n('\\', backslashes));
            backslashes = 0;
        }
        if (c == ' ' || c == '\t') && !quoted {
            words.extend(word.take());
        } else {
            word.get_or_insert_with(String::new).push(c);
        }
    }
    if quoted {
        return Err("a double quote is not closed");
    }
    if backslashes > 0 {
        word.get_or_insert_with(String::new).extend(std::iter::repeat_n('\\', backslashes));
    }
    words.extend(word);
    Ok(words)
}

/// Splits a command line as Python's `shlex.split` does (botocore's splitter): whitespace
/// separates words; single quotes keep everything; inside double quotes a backslash escapes
/// only `\"` and `\\`; a backslash outside quotes keeps the next character.
pub fn split(line: &str) -> Result<Vec<String>, &'static str> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err("a single quote is not closed"),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err("a double quote is not closed"),
                        },
                        Some(c) => word.push(c),
                        None => return Err("a double quote is not closed"),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err("it ends with a lone backslash"),
                }
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_a_posix_shell() {
        assert_eq!(split("a b  c").unwrap(), ["a", "b", "c"]);
        assert_eq!(split(r#"sh -c 'echo "x y"; exit 3'"#).unwrap(), ["sh", "-c", r#"echo "x y"; exit 3"#]);
        assert_eq!(split(r#""a \"b\" \n" c\ d ''"#).unwrap(), [r#"a "b" \n"#, "c d", ""]);
        assert_eq!(
            split(r#""a\$b\`c""#).unwrap(),
            [r#"a\$b\`c"#],
            "as shlex: only \\\" and \\\\ escape in double quotes"
        );
        assert_eq!(split("/opt/my tool").unwrap(), ["/opt/my", "tool"]);
        assert!(split("'open").is_err() && split("\"open").is_err() && split("end\\").is_err());
    }

    #[test]
    fn splits_as_botocore_does_on_windows() {
        let words = |line: &str| split_windows(line).unwrap();
        assert_eq!(words(r"C:\tools\creds.exe --profile x"), [r"C:\tools\creds.exe", "--profile", "x"]);
        assert_eq!(words(r#""C:\Program Files\creds.exe"  arg"#), [r"C:\Program Files\creds.exe", "arg"]);
        assert_eq!(words(r#"a\\\"b"#), [r#"a\"b"#], "three backslashes: one, and an escaped quote");
        assert_eq!(words(r#"a\\"b c""#), [r"a\b c"], "two backslashes: one, and the quote opens");
        assert_eq!(words(r#""" x"#), ["", "x"], "empty quotes are an empty word");
        assert_eq!(words(r"a\\ 'b c'"), [r"a\\", "'b", "c'"], "single quotes do not quote");
        assert_eq!(words(" \t "), Vec::<String>::new());
        assert!(split_windows("\"open").is_err());
    }

    #[tokio::test]
    async fn no_shell_is_involved() {
        // A shell would expand $HOME and run the second command; botocore does neither.
        let c = run(r#"printf {"Version":1,"AccessKeyId":"$HOME","SecretAccessKey":"s"}; false"#, "p".into()).await;
        let error = c.unwrap_err().to_string();
        assert!(error.contains("invalid JSON"), "{error}");
        let c = run(r#"printf '{"Version":1,"AccessKeyId":"$HOME","SecretAccessKey":"s"}'"#, "p".into()).await.unwrap();
        assert_eq!(c.access_key_id, "$HOME");
    }

    #[tokio::test]
    async fn output_is_bounded_and_failures_are_one_line() {
        let error = run("head -c 200000 /dev/zero", "p".into()).await.unwrap_err().to_string();
        assert!(error.contains("more than 65536 bytes"), "{error}");
        let error = run("sh -c 'echo first >&2; echo second >&2; exit 3'", "p".into()).await.unwrap_err().to_string();
        assert!(error.contains("first") && !error.contains("second") && !error.contains('\n'), "{error}");
        let error = run("/nonexistent/tool", "p".into()).await.unwrap_err().to_string();
        assert!(error.contains("cannot run \"/nonexistent/tool\""), "{error}");
    }
}
