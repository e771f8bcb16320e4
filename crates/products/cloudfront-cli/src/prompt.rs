//! Auto-prompt, as the AWS CLI v2 has it: `--cli-auto-prompt` (or `AWS_CLI_AUTO_PROMPT` /
//! the profile's `cli_auto_prompt` = `on`) asks for the command and every parameter;
//! `on-partial` asks only for what is missing (the command, required parameters);
//! `--no-cli-auto-prompt` turns it off. It asks on the terminal only: without one it never
//! waits for input. Each question shows the member's documentation and `[REQUIRED]`; a unique
//! prefix completes a command, waiter, flag name or enum value, and `?` lists the choices.
//! The assembled command is shown before it runs, so it can be learnt. Ctrl-C exits 130.

use std::ffi::OsString;
use std::io::{BufRead, Write};

use cloudfront::schema::OPERATIONS;
use cloudfront_primitives::schema::{Field, Kind, OperationSchema};

use crate::Failure;
use crate::call::kebab;
use crate::customizations::ExtraFlag;

/// How much to ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Off,
    /// Everything: the command and each parameter (what was given is the default).
    On,
    /// Only what is missing.
    Partial,
}

/// The most questions one prompt asks, so a stuck input cannot loop forever.
const MAX_QUESTIONS: usize = 200;

/// The mode: the flags (removed from `args`), else `AWS_CLI_AUTO_PROMPT`, else the profile's
/// `cli_auto_prompt` (read by `profile_setting` only when needed).
pub fn mode(
    args: &mut Vec<OsString>,
    env: impl Fn(&str) -> Option<String>,
    profile_setting: impl FnOnce() -> Option<String>,
) -> Result<Mode, Failure> {
    let on = args.iter().any(|a| a == "--cli-auto-prompt");
    let off = args.iter().any(|a| a == "--no-cli-auto-prompt");
    args.retain(|a| a != "--cli-auto-prompt" && a != "--no-cli-auto-prompt");
    if on && off {
        return Err(Failure::Usage(
            "\nBoth --cli-auto-prompt and --no-cli-auto-prompt cannot be specified at the same time.".into(),
        ));
    }
    // Asking for the version never prompts.
    if off || args.iter().any(|a| a == "--version") {
        return Ok(Mode::Off);
    }
    if on {
        return Ok(Mode::On);
    }
    // As the AWS CLI reads the setting: any case; a value it does not know means off.
    let setting = env("AWS_CLI_AUTO_PROMPT").or_else(profile_setting).map(|s| s.trim().to_ascii_lowercase());
    Ok(match setting.as_deref() {
        Some("on") => Mode::On,
        Some("on-partial") => Mode::Partial,
        _ => Mode::Off,
    })
}

/// Asks on `input`/`output` (the terminal) for what `args` lacks (all of it in `On` mode)
/// and returns the completed argument vector.
pub fn complete(
    args: &[OsString],
    mode: Mode,
    input: &mut dyn BufRead,
    output: &mut dyn Write,
) -> Result<Vec<OsString>, Failure> {
    let mut session = Session { input, output, asked: 0 };
    let words: Vec<String> = args.iter().skip(1).map(|a| a.to_string_lossy().into_owned()).collect();
    let (command_at, found) = find_command(&words);
    if never_prompted(&words) || (mode == Mode::Partial && !incomplete(&words, command_at, &found)) {
        return Ok(args.to_vec());
    }
    let mut out: Vec<String> = Vec::new();
    // Everything before the command (global options) stays as given.
    out.extend(words[..command_at.unwrap_or(words.len())].iter().cloned());
    let rest: Vec<String> = command_at.map(|at| words[at + found.len()..].to_vec()).unwrap_or_default();
    let operation = match found.as_slice() {
        [] => session.ask_command()?,
        // `wait` without its waiter: ask which.
        [wait] if wait == "wait" => vec![wait.clone(), session.ask_waiter()?],
        _ if mode == Mode::On => session.confirm_command(&found)?,
        _ => found.clone(),
    };
    let (op, _waiter) =
        lookup(&operation).ok_or_else(|| Failure::Usage("cloudfront: error: unknown command".into()))?;
    out.extend(operation.iter().cloned());
    let given = given_members(op, &rest);
    out.extend(rest.iter().cloned());
    for field in op.input.fields() {
        let flag = format!("--{}", kebab(field.name));
        let missing_required = field.required && !given.contains(&flag) && !fills_by_other_flag(op, field, &rest);
        let ask = match mode {
            Mode::On => {
                !given.contains(&flag)
                    && !fills_by_other_flag(op, field, &rest)
                    && (field.required || hidden_paging(op, field).is_none())
            }
            Mode::Partial => missing_required,
            Mode::Off => false,
        };
        if !ask || hidden_paging(op, field).is_some() {
            continue;
        }
        // The flag most users type for this member (`--paths` for the batch) comes first.
        if let Some(extra) = crate::customizations::standing_for(op.name, field.name)
            && let Some(values) = session.ask_extra(extra, field)?
        {
            out.push(extra.flag.to_owned());
            out.extend(values);
            continue;
        }
        if let Some(value) = session.ask_member(field, missing_required)? {
            out.push(flag);
            out.push(value);
        }
    }
    if mode == Mode::On {
        session.more_options(op, &mut out)?;
    }
    let shown =
        std::iter::once("cloudfront".to_owned()).chain(out.iter().map(|w| quote(w))).collect::<Vec<_>>().join(" ");
    let _ = writeln!(session.output, "{shown}");
    Ok(std::iter::once(args[0].clone()).chain(out.into_iter().map(OsString::from)).collect())
}

/// `help`, `--version`, `completion` and our own `invalidate` and `deploy` are never prompted for.
fn never_prompted(words: &[String]) -> bool {
    let ours = ["help", "--help", "-h", "--version", "completion", "invalidate", "deploy"];
    words.iter().any(|w| ours.contains(&w.as_str()))
}

/// Whether `on-partial` has anything to ask: no command, or a required member missing.
fn incomplete(words: &[String], command_at: Option<usize>, found: &[String]) -> bool {
    let Some((op, _)) = lookup(found) else { return command_at.is_none() || found == ["wait"] };
    let rest = &words[command_at.unwrap_or(0) + found.len()..];
    let given = given_members(op, rest);
    op.input
        .fields()
        .iter()
        .any(|f| f.required && !given.contains(&format!("--{}", kebab(f.name))) && !fills_by_other_flag(op, f, rest))
}

/// Where the command's words start in `words` and what they are (`[op]` or `[wait, waiter]`),
/// skipping global options and their values.
pub(crate) fn find_command(words: &[String]) -> (Option<usize>, Vec<String>) {
    let takes_value = crate::global_options::takes_value;
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        if word.starts_with("--") {
            i += if takes_value(word) { 2 } else { 1 };
            continue;
        }
        if word == "wait" {
            let waiter: Vec<String> = words.get(i + 1).filter(|w| !w.starts_with('-')).cloned().into_iter().collect();
            return (Some(i), std::iter::once(word.clone()).chain(waiter).collect());
        }
        return (Some(i), vec![word.clone()]);
    }
    (None, Vec::new())
}

fn lookup(command: &[String]) -> Option<(&'static OperationSchema, Option<&'static str>)> {
    match command {
        [wait, waiter] if wait == "wait" => {
            OPERATIONS.iter().find_map(|op| op.waiters.iter().find(|w| kebab(w) == *waiter).map(|w| (op, Some(*w))))
        }
        [name] => OPERATIONS.iter().find(|op| kebab(op.name) == *name).map(|op| (op, None)),
        _ => None,
    }
}

/// The member flags already on the command line.
fn given_members(op: &OperationSchema, rest: &[String]) -> Vec<String> {
    op.input
        .fields()
        .iter()
        .map(|f| format!("--{}", kebab(f.name)))
        .filter(|flag| rest.iter().any(|w| w == flag || w.starts_with(&format!("{flag}="))))
        .collect()
}

/// An extra flag may stand for the member (`--paths` for the batch), `--cli-input-*` for
/// every member.
fn fills_by_other_flag(op: &OperationSchema, field: &Field, rest: &[String]) -> bool {
    let has = |flag: &str| rest.iter().any(|w| w == flag);
    has("--cli-input-json")
        || has("--cli-input-yaml")
        || crate::customizations::standing_for(op.name, field.name).is_some_and(|extra| has(extra.flag))
}

/// The pagination members, which the paging flags stand for.
fn hidden_paging(op: &OperationSchema, field: &Field) -> Option<()> {
    let p = op.pagination.as_ref()?;
    (field.name == p.input_token || Some(field.name) == p.page_size).then_some(())
}

struct Session<'a> {
    input: &'a mut dyn BufRead,
    output: &'a mut dyn Write,
    asked: usize,
}

impl Session<'_> {
    /// One line from the terminal (without its end); the end of input cancels, as Ctrl-D does.
    fn line(&mut self, question: &str) -> Result<String, Failure> {
        self.asked += 1;
        if self.asked > MAX_QUESTIONS {
            return Err(Failure::Usage("cloudfront: error: too many answers; the prompt gave up".into()));
        }
        let _ = write!(self.output, "{question}");
        let _ = self.output.flush();
        let mut line = String::new();
        match self.input.read_line(&mut line) {
            Ok(0) | Err(_) => Err(Failure::Interrupted),
            Ok(_) => Ok(line.trim_end_matches(['\n', '\r']).to_owned()),
        }
    }

    /// A choice among `choices`: an exact answer, or a prefix only one choice has; `?` or an
    /// ambiguous prefix lists them. An empty answer returns `default`.
    fn choose(&mut self, question: &str, choices: &[String], default: Option<&str>) -> Result<String, Failure> {
        loop {
            let answer = self.line(question)?;
            let answer = answer.trim();
            if let Some(default) = default.filter(|_| answer.is_empty()) {
                return Ok(default.to_owned());
            }
            if let Some(exact) = choices.iter().find(|c| *c == answer) {
                return Ok(exact.clone());
            }
            let matching: Vec<&String> = choices.iter().filter(|c| c.starts_with(answer)).collect();
            match matching.as_slice() {
                [one] if !answer.is_empty() && answer != "?" => {
                    let _ = writeln!(self.output, "  -> {one}");
                    return Ok((*one).clone());
                }
                _ => {
                    let listed: Vec<&String> =
                        if matching.is_empty() || answer == "?" { choices.iter().collect() } else { matching };
                    let _ = writeln!(
                        self.output,
                        "  choose one of: {}",
                        listed.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    );
                }
            }
        }
    }

    fn ask_command(&mut self) -> Result<Vec<String>, Failure> {
        let mut commands: Vec<String> = OPERATIONS.iter().map(|op| kebab(op.name)).collect();
        commands.push("wait".into());
        let _ = writeln!(self.output, "Commands (a unique prefix completes; ? lists them):");
        let command = self.choose("Command: ", &commands, None)?;
        if command != "wait" {
            return Ok(vec![command]);
        }
        Ok(vec![command, self.ask_waiter()?])
    }

    fn ask_waiter(&mut self) -> Result<String, Failure> {
        let waiters: Vec<String> = OPERATIONS.iter().flat_map(|op| op.waiters.iter().map(|w| kebab(w))).collect();
        self.choose("Waiter: ", &waiters, None)
    }

    fn confirm_command(&mut self, given: &[String]) -> Result<Vec<String>, Failure> {
        let mut commands: Vec<String> = OPERATIONS.iter().map(|op| kebab(op.name)).collect();
        commands.extend(OPERATIONS.iter().flat_map(|op| op.waiters.iter().map(|w| format!("wait {}", kebab(w)))));
        let default = given.join(" ");
        let chosen = self.choose(&format!("Command [{default}]: "), &commands, Some(&default))?;
        Ok(chosen.split(' ').map(str::to_owned).collect())
    }

    /// Asks for one member's value: its documentation, `[REQUIRED]`, the syntax of a
    /// structure, the values of an enum. An empty answer skips an optional member.
    fn ask_member(&mut self, field: &Field, required: bool) -> Result<Option<String>, Failure> {
        let flag = format!("--{}", kebab(field.name));
        let mark = if field.required { " [REQUIRED]" } else { "" };
        let _ = writeln!(self.output, "\n{flag}{mark}");
        let doc = field.doc.split("\n\n").next().unwrap_or_default();
        if !doc.is_empty() {
            let _ = writeln!(self.output, "  {}", doc.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        if let Kind::Structure(_) | Kind::Union(_) | Kind::List(_) | Kind::Map(_) = field.kind {
            let _ = writeln!(self.output, "  shorthand, JSON, or file://PATH; see `help` for the syntax");
        }
        if let Kind::Enum(values) = field.kind {
            let values: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
            let default = (!required).then_some("");
            let chosen = self.choose(&format!("{flag}: "), &values, default)?;
            return Ok((!chosen.is_empty()).then_some(chosen));
        }
        loop {
            let answer = self.line(&format!("{flag}: "))?;
            if !answer.trim().is_empty() {
                return Ok(Some(answer));
            }
            if !required {
                return Ok(None);
            }
            let _ = writeln!(self.output, "  {flag} is required");
        }
    }

    /// An extra flag standing for `field` (`--paths` for the batch): its values, separated by
    /// spaces, or `None` (an empty answer) to give the member itself.
    fn ask_extra(&mut self, extra: &ExtraFlag, field: &Field) -> Result<Option<Vec<String>>, Failure> {
        let member = format!("--{}", kebab(field.name));
        let _ = writeln!(self.output, "\n{} (or {member}: press Enter to give {member} instead)", extra.flag);
        let _ = writeln!(self.output, "  {}", extra.doc);
        let answer = self.line(&format!("{}: ", extra.flag))?;
        let values: Vec<String> = answer.split_whitespace().map(str::to_owned).collect();
        Ok((!values.is_empty()).then_some(values))
    }

    /// In full mode: further options by flag name (a unique prefix completes), until an
    /// empty answer runs the command.
    fn more_options(&mut self, op: &OperationSchema, out: &mut Vec<String>) -> Result<(), Failure> {
        // The prompt's own switches are not options of the command it builds.
        let mut flags: Vec<String> = crate::global_options::GLOBAL_OPTIONS
            .iter()
            .filter(|o| !o.prompt_switch)
            .map(|o| o.flag.to_owned())
            .collect();
        // The operation's extra switches (`--wait`, `--encode-paths`); one standing for a
        // member was offered with that member.
        let switches = crate::customizations::for_operation(op.name).filter(|e| !e.takes_values);
        flags.extend(switches.map(|e| e.flag.to_owned()));
        if op.pagination.is_some() {
            flags.extend(["--max-items", "--page-size", "--starting-token"].map(str::to_owned));
        }
        loop {
            flags.retain(|f| !out.contains(f));
            let flag = self.choose("Another option (Enter runs the command; ? lists them): ", &flags, Some(""))?;
            if flag.is_empty() {
                return Ok(());
            }
            out.push(flag.clone());
            let takes_value = !crate::customizations::is_extra_flag(&flag)
                && crate::global_options::find(&flag).is_none_or(|o| !o.value().is_empty());
            if takes_value {
                let value = self.line(&format!("{flag}: "))?;
                out.push(value);
            }
        }
    }
}

/// A word as a shell would need it quoted to give it back unchanged.
fn quote(word: &str) -> String {
    let plain = !word.is_empty() && word.chars().all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+%".contains(c));
    if plain { word.to_owned() } else { format!("'{}'", word.replace('\'', "'\\''")) }
}

/// Ctrl-C while a question waits ends the process with the AWS CLI's 130 (the runtime's own
/// handler takes over once the command runs).
#[cfg(unix)]
pub fn exit_130_on_ctrl_c() {
    extern "C" fn on_interrupt(_: libc::c_int) {
        // SAFETY: _exit is async-signal-safe.
        unsafe { libc::_exit(130) }
    }
    // SAFETY: installs a handler that only calls an async-signal-safe function.
    unsafe {
        libc::signal(libc::SIGINT, on_interrupt as *const () as libc::sighandler_t);
    }
}

#[cfg(not(unix))]
pub fn exit_130_on_ctrl_c() {}

/// Undoes [`exit_130_on_ctrl_c`].
#[cfg(unix)]
pub fn default_ctrl_c() {
    // SAFETY: restores the default disposition.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
pub fn default_ctrl_c() {}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str], mode: Mode, answers: &str) -> (Result<Vec<String>, Failure>, String) {
        let args: Vec<OsString> =
            std::iter::once("cloudfront").chain(args.iter().copied()).map(OsString::from).collect();
        let mut input = std::io::Cursor::new(answers.as_bytes().to_vec());
        let mut output = Vec::new();
        let result = complete(&args, mode, &mut input, &mut output)
            .map(|v| v.iter().skip(1).map(|a| a.to_string_lossy().into_owned()).collect());
        (result, String::from_utf8(output).unwrap())
    }

    #[test]
    fn partial_asks_only_for_what_is_missing() {
        let (result, shown) = run(&["get-invalidation", "--id", "I1"], Mode::Partial, "E1\n");
        assert_eq!(result.unwrap(), ["get-invalidation", "--id", "I1", "--distribution-id", "E1"]);
        assert!(shown.contains("--distribution-id [REQUIRED]"), "{shown}");
        assert!(!shown.contains("--id [REQUIRED]"), "asked for what was given: {shown}");
        assert!(shown.ends_with("cloudfront get-invalidation --id I1 --distribution-id E1\n"), "{shown}");
    }

    #[test]
    fn a_missing_command_is_asked_with_prefix_completion() {
        let (result, shown) = run(&["--output", "json"], Mode::Partial, "cre\nlist-inv\n?\nlist-invalidations\nE9\n");
        assert_eq!(result.unwrap(), ["--output", "json", "list-invalidations", "--distribution-id", "E9"]);
        assert!(
            shown.contains("choose one of: create-invalidation, create-invalidation-for-distribution-tenant"),
            "{shown}"
        );
        let (result, _) = run(&[], Mode::Partial, "wait\ninvalidation-c\nE1\nI1\n");
        assert_eq!(result.unwrap(), ["wait", "invalidation-completed", "--distribution-id", "E1", "--id", "I1"]);
    }

    #[test]
    fn the_batch_is_offered_as_paths_first() {
        let (result, shown) = run(&["create-invalidation", "--distribution-id", "E1"], Mode::Partial, "/a /b/*\n");
        assert_eq!(result.unwrap(), ["create-invalidation", "--distribution-id", "E1", "--paths", "/a", "/b/*"]);
        assert!(shown.contains("--paths (or --invalidation-batch"), "{shown}");
        // An empty answer asks for the member itself.
        let (result, _) = run(
            &["create-invalidation", "--distribution-id", "E1"],
            Mode::Partial,
            "\nPaths={Quantity=1,Items=[/a]},CallerReference=r\n",
        );
        let args = result.unwrap();
        assert_eq!(args[3], "--invalidation-batch", "{args:?}");
        // A batch already given as --paths is not asked for again.
        let (result, _) = run(&["create-invalidation", "--paths", "/a"], Mode::On, "\nE1\n\n");
        assert_eq!(result.unwrap(), ["create-invalidation", "--paths", "/a", "--distribution-id", "E1"]);
        // Full mode offers the extra switches among the further options.
        let (result, _) = run(&["create-invalidation"], Mode::On, "\nE1\n/a\n--wa\n\n");
        assert_eq!(result.unwrap(), ["create-invalidation", "--distribution-id", "E1", "--paths", "/a", "--wait"]);
    }

    #[test]
    fn full_mode_asks_everything_and_completes_flag_names() {
        let (result, shown) = run(&["get-invalidation"], Mode::On, "\nE1\nI1\n--out\njson\n\n");
        assert_eq!(result.unwrap(), ["get-invalidation", "--distribution-id", "E1", "--id", "I1", "--output", "json"]);
        assert!(shown.contains("Command [get-invalidation]: ") && shown.contains("-> --output"), "{shown}");
    }

    #[test]
    fn the_end_of_input_cancels_and_the_mode_comes_from_flags_env_and_profile() {
        let (result, _) = run(&["get-invalidation"], Mode::Partial, "");
        assert!(matches!(result, Err(Failure::Interrupted)));
        let mut args = vec![OsString::from("cloudfront"), OsString::from("--cli-auto-prompt")];
        assert_eq!(mode(&mut args, |_| None, || None).unwrap(), Mode::On);
        assert_eq!(args, [OsString::from("cloudfront")]);
        let env = |k: &str| (k == "AWS_CLI_AUTO_PROMPT").then(|| "on-partial".to_owned());
        assert_eq!(mode(&mut vec![], env, || Some("on".into())).unwrap(), Mode::Partial);
        assert_eq!(mode(&mut vec![], |_| None, || Some("on".into())).unwrap(), Mode::On);
        let mut off = vec![OsString::from("--no-cli-auto-prompt")];
        assert_eq!(mode(&mut off, env, || None).unwrap(), Mode::Off);
        assert_eq!(mode(&mut vec![], |_| Some("sometimes".into()), || None).unwrap(), Mode::Off);
        assert_eq!(mode(&mut vec![], |_| Some("ON".into()), || None).unwrap(), Mode::On);
        let mut version = vec![OsString::from("--version")];
        assert_eq!(mode(&mut version, |_| Some("on".into()), || None).unwrap(), Mode::Off);
        let mut both = vec![OsString::from("--cli-auto-prompt"), OsString::from("--no-cli-auto-prompt")];
        assert!(mode(&mut both, |_| None, || None).is_err());
        // `wait` alone: the waiter is asked for.
        let (result, _) = run(&["wait"], Mode::Partial, "invalidation-c\nE1\nI1\n");
        assert_eq!(result.unwrap(), ["wait", "invalidation-completed", "--distribution-id", "E1", "--id", "I1"]);
        // Our own bulk command is never prompted for.
        let (result, shown) = run(&["invalidate", "--distribution-id", "E1"], Mode::On, "");
        assert_eq!(result.unwrap(), ["invalidate", "--distribution-id", "E1"]);
        assert!(shown.is_empty());
    }
}
