//! How Python writes values, which the AWS CLI (Python) prints and stores: `json.dumps`
//! (default or compact separators, `ensure_ascii`), `str()` and `repr()` of decoded JSON, and
//! `repr(float)`. The one home for these renderings: credential caches, the CLI's messages,
//! `--query`'s `to_string()` and pagination tokens all use it.

use std::fmt::Write;

use serde_json::Value;

/// `json.dumps`'s item and key separators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Separators {
    /// `", "` and `": "`, Python's default.
    Default,
    /// `","` and `":"` (`separators=(',', ':')`).
    Compact,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Json(Separators),
    Repr,
}

/// Python's `repr(float)`: shortest round-trip digits, exponent form outside 1e-4 ..= 1e16.
pub fn float_repr(f: f64) -> String {
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = mantissa.strip_prefix('-').map_or(("", mantissa), |m| ("-", m));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if (-4..16).contains(&exp) {
        if exp < 0 {
            return format!("{sign}0.{}{digits}", "0".repeat((-exp - 1) as usize));
        }
        let whole = exp as usize + 1;
        let padded = format!("{digits:0<whole$}");
        let (int, frac) = padded.split_at(whole);
        format!("{sign}{int}.{}", if frac.is_empty() { "0" } else { frac })
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let dot = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        format!("{sign}{first}{dot}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
    }
}

/// `json.dumps(v)` with its default separators (`", "`, `": "`) or compact ones
/// (`separators=(',', ':')`): key order kept, everything outside printable ASCII escaped.
pub fn dumps(v: &Value, separators: Separators) -> String {
    let mut out = String::new();
    write(v, Style::Json(separators), &mut out);
    out
}

/// Python's `str()` of a decoded JSON value: strings bare at the top, `repr` inside.
pub fn str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        _ => repr(v),
    }
}

/// Python's `repr()` of a decoded JSON value (`None`, `True`, single-quoted strings).
pub fn repr(v: &Value) -> String {
    let mut out = String::new();
    write(v, Style::Repr, &mut out);
    out
}

/// Writes `v` as `json.dumps` or as Python's `repr` does.
fn write(v: &Value, style: Style, out: &mut String) {
    let [null, yes, no, comma, colon] = match style {
        Style::Repr => ["None", "True", "False", ", ", ": "],
        Style::Json(Separators::Default) => ["null", "true", "false", ", ", ": "],
        Style::Json(Separators::Compact) => ["null", "true", "false", ",", ":"],
    };
    let string = if style == Style::Repr { py_quote } else { json_quote };
    match v {
        Value::Null => out.push_str(null),
        Value::Bool(b) => out.push_str(if *b { yes } else { no }),
        Value::Number(n) if n.is_f64() => out.push_str(&float_repr(n.as_f64().unwrap_or(0.0))),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i > 0 { comma } else { "" });
                write(item, style, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                out.push_str(if i > 0 { comma } else { "" });
                string(key, out);
                out.push_str(colon);
                write(item, style, out);
            }
            out.push('}');
        }
    }
}

/// A JSON string as `json.dumps` writes it (`ensure_ascii`), appended to `out`.
pub fn json_quote(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Single quotes unless the text has one and no double quote, as Python's `repr` chooses.
fn py_quote(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => out.extend(['\\', c]),
            c if c.is_control() => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn float_repr_matches_python() {
        for (f, want) in [
            (1.0, "1.0"),
            (-0.0, "-0.0"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1.5e-7, "1.5e-07"),
            (0.0001, "0.0001"),
            (123.45, "123.45"),
            (1.2345e100, "1.2345e+100"),
        ] {
            assert_eq!(float_repr(f), want);
        }
    }

    #[test]
    fn dumps_str_and_repr_as_python() {
        // One key per object: without serde_json's `preserve_order` (this crate's build) keys sort.
        let value = json!({"b": [1, 2.0, 1e20, "é\u{1}😀\u{7f}"]});
        assert_eq!(dumps(&value, Separators::Compact), r#"{"b":[1,2.0,1e+20,"\u00e9\u0001\ud83d\ude00\u007f"]}"#);
        assert_eq!(dumps(&json!({"k": [1, "v"]}), Separators::Default), r#"{"k": [1, "v"]}"#);
        assert_eq!(str(&json!({"a": [null, true, "it's"]})), r#"{'a': [None, True, "it's"]}"#);
        assert_eq!(str(&json!("two")), "two");
        assert_eq!(repr(&json!("two")), "'two'");
        assert_eq!(str(&json!(1.5e-7)), "1.5e-07");
    }
}
