//! YAML: `--output yaml`/`yaml-stream` (block style, keys in model order, strings quoted
//! only where YAML would read them as something else), and `--cli-input-yaml`.

use serde_json::{Map, Number, Value};
use yaml_rust2::{Yaml, YamlLoader};

/// Writes a value as a YAML document.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => mapping(map, 0, &mut out),
        Value::Array(items) if !items.is_empty() => sequence(items, 0, &mut out),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn indent(level: usize) -> String {
    "  ".repeat(level)
}

fn mapping(map: &Map<String, Value>, level: usize, out: &mut String) {
    // The AWS CLI v2's YAML writer sorts keys (by code point, as Python compares strings).
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    for (key, value) in entries {
        let key = string(key);
        out.push_str(&indent(level));
        // YAML reads a plain `key:` only up to 1024 characters; longer keys take the
        // explicit `? key` / `: value` form, with the value one level deeper.
        let explicit = key.chars().count() > 1000;
        let level = if explicit {
            out.push_str(&format!("? {key}\n{}:", indent(level)));
            level + 1
        } else {
            out.push_str(&key);
            out.push(':');
            level
        };
        match value {
            Value::Object(inner) if !inner.is_empty() => {
                out.push('\n');
                mapping(inner, level + 1, out);
            }
            // Sequences sit at the key's own indentation, as PyYAML and ruamel write them.
            Value::Array(items) if !items.is_empty() => {
                out.push('\n');
                sequence(items, level, out);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

fn sequence(items: &[Value], level: usize, out: &mut String) {
    for item in items {
        out.push_str(&indent(level));
        out.push_str("- ");
        match item {
            Value::Object(inner) if !inner.is_empty() => {
                // The first key goes on the dash's line, the rest below it.
                let mut nested = String::new();
                mapping(inner, level + 1, &mut nested);
                out.push_str(nested.trim_start());
            }
            Value::Array(inner) if !inner.is_empty() => {
                let mut nested = String::new();
                sequence(inner, level + 1, &mut nested);
                out.push_str(nested.trim_start());
            }
            other => {
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

pub(crate) fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// `"..."` with YAML's escapes for backslash, quote and every control character.
fn double_quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            c if c.is_control() || c == '\u{feff}' || ('\u{2028}'..='\u{2029}').contains(&c) => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A string, single-quoted when plain YAML would misread it, double-quoted with escapes
/// when it holds line breaks or other control characters (single quotes would fold them).
fn string(text: &str) -> String {
    if text.chars().any(|c| c.is_control() || c == '\u{feff}' || ('\u{2028}'..='\u{2029}').contains(&c)) {
        return double_quoted(text);
    }
    let special_start = text.starts_with([
        '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`', ' ',
    ]);
    let lower = text.to_ascii_lowercase();
    let looks_typed =
        matches!(lower.as_str(), "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~" | "y" | "n")
            || text.parse::<f64>().is_ok()
            || (text.len() >= 10
                && text.as_bytes()[4] == b'-'
                && text.as_bytes()[7] == b'-'
                && text[..4].bytes().all(|b| b.is_ascii_digit()));
    if text.is_empty()
        || special_start
        || looks_typed
        || text.contains(": ")
        || text.contains(" #")
        || text.ends_with(' ')
        || !reads_back_as_itself(text)
    {
        format!("'{}'", text.replace('\'', "''"))
    } else {
        text.to_owned()
    }
}

/// Whether a YAML reader takes `text`, written plain as a mapping value, for that same
/// string (the rules above cover the common cases; this catches the rest, like `a:`,
/// `.inf` or `0x1F`).
fn reads_back_as_itself(text: &str) -> bool {
    match YamlLoader::load_from_str(&format!("k: {text}\n")) {
        Ok(docs) => docs.first().and_then(|d| d["k"].as_str()) == Some(text),
        Err(_) => false,
    }
}

/// The most values a YAML input may stand for, aliases counted at the size of what they
/// repeat (a few levels of aliases to aliases would otherwise expand a kilobyte into
/// gigabytes), and the deepest nesting (deeper would exhaust the stack converting it).
const MAX_VALUES: u64 = 100_000;
const MAX_DEPTH: usize = 64;

/// Walks the document's events once, before anything is built, and refuses a document over
/// [`MAX_VALUES`] or [`MAX_DEPTH`].
fn check_size(text: &str) -> Result<(), String> {
    use yaml_rust2::Event;
    let mut parser = yaml_rust2::parser::Parser::new_from_str(text);
    // Per open collection: its anchor and the values in it so far (itself included).
    let mut open: Vec<(usize, u64)> = Vec::new();
    let mut anchored: std::collections::HashMap<usize, u64> = std::collections::HashMap::new();
    let mut total: u64 = 0;
    // Bounded: every event but the last consumes input.
    for _ in 0..=text.len().saturating_mul(2) + 16 {
        let (event, _) = parser.next_token().map_err(|e| format!("Invalid YAML: {e}"))?;
        let values = match event {
            Event::StreamEnd => return Ok(()),
            Event::Scalar(_, _, anchor, _) => {
                if anchor > 0 {
                    anchored.insert(anchor, 1);
                }
                1
            }
            Event::Alias(anchor) => anchored.get(&anchor).copied().unwrap_or(1),
            Event::SequenceStart(anchor, _) | Event::MappingStart(anchor, _) => {
                open.push((anchor, 1));
                if open.len() > MAX_DEPTH {
                    return Err(format!("the YAML is nested more than {MAX_DEPTH} levels deep"));
                }
                total += 1;
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let (anchor, values) = open.pop().unwrap_or_default();
                if anchor > 0 {
                    anchored.insert(anchor, values);
                }
                if let Some(parent) = open.last_mut() {
                    parent.1 = parent.1.saturating_add(values);
                }
                continue;
            }
            _ => continue,
        };
        total = total.saturating_add(values);
        if let Some(parent) = open.last_mut() {
            parent.1 = parent.1.saturating_add(values);
        }
        if total > MAX_VALUES {
            return Err(format!(
                "the YAML stands for more than {MAX_VALUES} values (aliases count as what they repeat); it is refused"
            ));
        }
    }
    Err("the YAML could not be read to its end".into())
}

/// Reads a YAML document as JSON.
pub fn from_yaml(text: &str) -> Result<Value, String> {
    check_size(text)?;
    let documents = YamlLoader::load_from_str(text).map_err(|e| format!("Invalid YAML: {e}"))?;
    let document = documents.into_iter().next().unwrap_or(Yaml::Hash(Default::default()));
    convert(&document)
}

fn convert(yaml: &Yaml) -> Result<Value, String> {
    Ok(match yaml {
        // The YAML reader takes an integer beyond i64 (as JSON may hold) for a real number;
        // read it as u64 first so it keeps every digit.
        Yaml::Real(text) => match text.parse::<u64>() {
            Ok(n) => Value::from(n),
            Err(_) => text
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number)
                .ok_or_else(|| format!("bad number {text}"))?,
        },
        Yaml::Integer(n) => Value::from(*n),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(items) => Value::Array(items.iter().map(convert).collect::<Result<_, _>>()?),
        Yaml::Hash(map) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = match k {
                    Yaml::String(s) => s.clone(),
                    Yaml::Integer(n) => n.to_string(),
                    other => return Err(format!("unsupported YAML key {other:?}")),
                };
                out.insert(key, convert(v)?);
            }
            Value::Object(out)
        }
        Yaml::Null => Value::Null,
        other => return Err(format!("unsupported YAML value {other:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_block_yaml_and_reads_it_back() {
        let value = serde_json::json!({
            "Location": "https://x/I1",
            "Invalidation": {"Id": "I1", "CreateTime": "2026-01-01T00:00:00.000Z", "InvalidationBatch": {"Paths": {"Quantity": 2, "Items": ["/a", "/*"]}, "CallerReference": "123"}},
            "Summaries": [{"Id": "A", "Status": "Completed"}]
        });
        let text = to_yaml(&value);
        assert_eq!(
            text,
            // Keys sorted, as the AWS CLI v2's YAML writer sorts them.
            "Invalidation:\n  CreateTime: '2026-01-01T00:00:00.000Z'\n  Id: I1\n  InvalidationBatch:\n    CallerReference: '123'\n    Paths:\n      Items:\n      - /a\n      - /*\n      Quantity: 2\nLocation: https://x/I1\nSummaries:\n- Id: A\n  Status: Completed\n"
        );
        assert_eq!(from_yaml(&text).unwrap(), value);
    }

    #[test]
    fn integers_beyond_i64_keep_every_digit() {
        // Found by the cli_input fuzz target: 13335120195765555012 came back as a float.
        for text in ["13335120195765555012", "18446744073709551615", "-9223372036854775808"] {
            let value: Value = serde_json::from_str(text).unwrap();
            assert_eq!(from_yaml(&to_yaml(&value)).unwrap(), value, "{text}");
        }
    }

    #[test]
    fn control_characters_survive_a_round_trip() {
        // Found by the cli_input fuzz target (fuzz/artifacts, seed from the botocore vectors).
        let value = serde_json::json!({"Items": ["/nul\u{0}x", "/bel\u{7}x", "two\nlines", "tab\there", "q\"b\\s"], "k".repeat(1500): {"a": [1]}, "k".repeat(1100): [1, 2], "more": ["/%AC:", ".inf", "0x1F", "-.nan"]});
        let yaml = to_yaml(&value);
        assert_eq!(from_yaml(&yaml).unwrap(), value, "{yaml}");
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        // Nine levels of nine aliases each: 9^9 values from under a kilobyte.
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for level in 1..9 {
            let prev = format!("*a{}", level - 1);
            bomb.push_str(&format!("a{level}: &a{level} [{}]\n", [prev.as_str(); 9].join(", ")));
        }
        assert!(bomb.len() < 1024);
        let error = from_yaml(&bomb).unwrap_err();
        assert!(error.contains("more than 100000 values"), "{error}");
        let deep = "- ".repeat(100_000) + "x\n";
        let error = from_yaml(&deep).unwrap_err();
        assert!(error.contains("nested more than 64 levels"), "{error}");
        // Modest aliases are fine.
        assert_eq!(from_yaml("a: &x [1, 2]\nb: *x\n").unwrap(), serde_json::json!({"a": [1, 2], "b": [1, 2]}));
    }
}
