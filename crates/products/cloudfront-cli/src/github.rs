//! GitHub Actions: when `GITHUB_ACTIONS` is `true`, `deploy` and `invalidate` write a Markdown
//! summary to `$GITHUB_STEP_SUMMARY`, their results to `$GITHUB_OUTPUT` (`run-id`, `status`,
//! `invalidation-ids`, ...), and problems as annotations (workflow commands, on stderr so
//! stdout stays the command's output). Elsewhere nothing here does anything. A file that
//! cannot be written is said on stderr; it never fails the command, whose work is done.

use std::io::Write;

use serde_json::Value;

fn active() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// An annotation (`error`, `warning` or `notice`) on the workflow run.
pub fn annotate(level: &str, message: &str) {
    if active() {
        eprintln!("::{level}::{}", escape(message));
    }
}

/// Workflow-command escaping of a message: `%`, CR and LF.
fn escape(message: &str) -> String {
    message.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Appends `text` to the file the variable `name` names.
fn append(name: &str, text: &str) {
    let Some(path) = std::env::var_os(name) else { return };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = written {
        eprintln!("warning: ${name} ({}): cannot write it: {e}", std::path::Path::new(&path).display());
    }
}

/// `name=value` lines for `$GITHUB_OUTPUT` (values are single lines here).
fn outputs(pairs: &[(&str, String)]) -> String {
    pairs.iter().map(|(name, value)| format!("{name}={}\n", value.replace(['\n', '\r'], " "))).collect()
}

/// How many entries a JSON report's list `key` holds (deploy's report: read here and by its
/// summary line).
pub(crate) fn count(report: &Value, key: &str) -> usize {
    report[key].as_array().map_or(0, Vec::len)
}

/// The strings of the report's list `key`.
pub(crate) fn strings<'a>(report: &'a Value, key: &str) -> Vec<&'a str> {
    report[key].as_array().into_iter().flatten().filter_map(Value::as_str).collect()
}

/// The report's invalidation ids.
pub(crate) fn invalidation_ids(report: &Value) -> Vec<&str> {
    strings(report, "InvalidationIds")
}

fn ids(data: &Value) -> String {
    invalidation_ids(data).join(" ")
}

/// `deploy`'s summary and outputs, from its JSON report.
pub fn deploy_summary(data: &Value) {
    if !active() {
        return;
    }
    let count = |key: &str| count(data, key);
    let mut summary = format!(
        "### cloudfront deploy: {}\n\n| | |\n|---|---|\n| uploaded | {} files, {} bytes |\n| deleted | {} |\n| unchanged | {} |\n| invalidated | {} paths in {} batches |\n| invalidation ids | {} |\n| estimated cost | {} |\n",
        data["Status"].as_str().unwrap_or_default(),
        count("Uploads"),
        data["UploadBytes"],
        count("Deletes"),
        data["Unchanged"],
        count("InvalidationItems"),
        data["Batches"],
        ids(data),
        data["Cost"].as_str().unwrap_or_default(),
    );
    let items = strings(data, "InvalidationItems");
    if !items.is_empty() {
        summary.push_str("\n<details><summary>paths</summary>\n\n");
        summary.extend(items.iter().map(|item| format!("- `{item}`\n")));
        summary.push_str("\n</details>\n");
    }
    append("GITHUB_STEP_SUMMARY", &summary);
    append(
        "GITHUB_OUTPUT",
        &outputs(&[
            ("run-id", data["RunId"].as_str().unwrap_or_default().to_owned()),
            ("status", data["Status"].as_str().unwrap_or_default().to_owned()),
            ("invalidation-ids", ids(data)),
            ("uploaded", count("Uploads").to_string()),
            ("deleted", count("Deletes").to_string()),
            ("paths", count("InvalidationItems").to_string()),
        ]),
    );
}

/// `deploy`'s outputs and summary when it failed: `status=failed` and why.
pub fn deploy_failed(message: &str) {
    if !active() {
        return;
    }
    annotate("error", message);
    append("GITHUB_STEP_SUMMARY", &format!("### cloudfront deploy: failed\n\n{}\n", message.replace('\n', " ")));
    append("GITHUB_OUTPUT", &outputs(&[("status", "failed".to_owned())]));
}

/// `invalidate`'s summary and outputs: per target, its status and invalidation ids.
pub fn invalidate_summary(
    run_id: &str,
    status: &str,
    targets: &[(String, Result<Vec<String>, String>)],
    billed: usize,
) {
    if !active() {
        return;
    }
    let mut summary = format!("### cloudfront invalidate: {status}\n\n| target | result |\n|---|---|\n");
    for (target, outcome) in targets {
        let result = match outcome {
            Ok(ids) => format!("ok: {}", ids.join(" ")),
            Err(message) => format!("failed: {}", message.replace('|', "\\|").replace('\n', " ")),
        };
        summary.push_str(&format!("| {target} | {result} |\n"));
    }
    summary.push_str(&format!("\nbilled paths: {billed}\n"));
    append("GITHUB_STEP_SUMMARY", &summary);
    let all: Vec<String> = targets.iter().filter_map(|(_, o)| o.as_ref().ok()).flatten().cloned().collect();
    append(
        "GITHUB_OUTPUT",
        &outputs(&[("run-id", run_id.to_owned()), ("status", status.to_owned()), ("invalidation-ids", all.join(" "))]),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_outputs_cannot_break_out_of_their_line() {
        assert_eq!(escape("100% done\nnext\r"), "100%25 done%0Anext%0D");
        assert_eq!(outputs(&[("a", "x\ny".into()), ("b", String::new())]), "a=x y\nb=\n");
    }
}
