//! JSON values as jmespath.py sees them: Python numbers (ints stay ints, int/float compare exactly),
//! Python equality (`True == 1` inside containers), type names, `repr()` for error messages and
//! `json.dumps(separators=(',', ':'))` for `to_string()`.

use serde_json::{Number, Value};
use std::cmp::Ordering;
use std::fmt::Write;

/// A Python number: `int` (wide enough for sums of u64s) or `float`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Num {
    Int(i128),
    Float(f64),
}

impl Num {
    pub fn of(n: &Number) -> Num {
        match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => Num::Int(i.into()),
            (_, Some(u)) => Num::Int(u.into()),
            _ => Num::Float(n.as_f64().unwrap_or(0.0)),
        }
    }

    pub fn as_f64(self) -> f64 {
        match self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }

    /// Python's `a + b`: int + int stays int, anything with a float is a float.
    pub fn add(self, other: Num) -> Num {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => a.checked_add(b).map_or(Num::Float(a as f64 + b as f64), Num::Int),
            (a, b) => Num::Float(a.as_f64() + b.as_f64()),
        }
    }

    /// Exact comparison, as Python compares int with float (no rounding of big ints).
    pub fn cmp(self, other: Num) -> Ordering {
        match (self, other) {
            (Num::Int(a), Num::Int(b)) => a.cmp(&b),
            (Num::Float(a), Num::Float(b)) => a.partial_cmp(&b).unwrap_or(Ordering::Equal),
            (Num::Int(a), Num::Float(b)) => int_vs_float(a, b),
            (Num::Float(a), Num::Int(b)) => int_vs_float(b, a).reverse(),
        }
    }

    /// Back to JSON. Ints beyond u64 and non-finite floats have no serde_json form (Python would
    /// print a big int / `Infinity`): the former become floats, the latter null.
    pub fn value(self) -> Value {
        match self {
            Num::Int(i) => match (i64::try_from(i), u64::try_from(i)) {
                (Ok(i), _) => i.into(),
                (_, Ok(u)) => u.into(),
                _ => Num::Float(i as f64).value(),
            },
            Num::Float(f) => Number::from_f64(f).map_or(Value::Null, Value::Number),
        }
    }
}

fn int_vs_float(i: i128, f: f64) -> Ordering {
    if f.is_nan() {
        return Ordering::Equal;
    }
    if f.abs() >= 1e38 {
        return if f > 0.0 { Ordering::Less } else { Ordering::Greater };
    }
    let whole = f.trunc();
    i.cmp(&(whole as i128)).then_with(|| 0.0.partial_cmp(&(f - whole)).unwrap_or(Ordering::Equal))
}

/// Python's `==` on decoded JSON, as used inside containers and by `in`: bools are the ints 0 and 1,
/// `1 == 1.0`, dicts compare regardless of key order.
pub(crate) fn py_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => Num::of(x).cmp(Num::of(y)).is_eq(),
        (Value::Bool(x), Value::Number(n)) | (Value::Number(n), Value::Bool(x)) => {
            Num::of(n).cmp(Num::Int((*x).into())).is_eq()
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| py_eq(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w)))
        }
        _ => a == b,
    }
}

/// The JMESPath type name (`type()`, and "received" in type errors).
pub(crate) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The Python class name, which jmespath.py reports for a wrong array element.
pub(crate) fn py_type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

/// Python's `repr(float)`: shortest round-trip digits, exponent form outside 1e-4 ..= 1e16.
pub(crate) fn float_repr(f: f64) -> String {
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

/// `json.dumps(v, separators=(',', ':'))`: compact, key order kept, non-ASCII escaped.
pub(crate) fn dumps(v: &Value) -> String {
    let mut out = String::new();
    write(v, false, &mut out);
    out
}

/// Python's `str()` of a decoded JSON value (strings bare at the top, `repr` inside), for messages.
pub(crate) fn py_str(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::String(s) => out.push_str(s),
        _ => write(v, true, &mut out),
    }
    out
}

/// Writes `v` as `json.dumps` does, or (`python`) as Python's `repr` does.
fn write(v: &Value, python: bool, out: &mut String) {
    let [null, yes, no, comma, colon] =
        if python { ["None", "True", "False", ", ", ": "] } else { ["null", "true", "false", ",", ":"] };
    let string = if python { py_quote } else { json_quote };
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
                write(item, python, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                out.push_str(if i > 0 { comma } else { "" });
                string(key, out);
                out.push_str(colon);
                write(item, python, out);
            }
            out.push('}');
        }
    }
}

pub(crate) fn json_quote(s: &str, out: &mut String) {
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
    fn python_equality_and_dumps() {
        assert!(py_eq(&json!([0, {"a": 1.0}]), &json!([false, {"a": 1}])));
        assert!(!py_eq(&json!(1), &json!("1")));
        assert!(Num::Int(9007199254740993).cmp(Num::Float(9007199254740992.0)).is_gt());
        assert_eq!(dumps(&json!({"b": [1, 2.0], "a": "é\u{1}😀"})), r#"{"b":[1,2.0],"a":"\u00e9\u0001\ud83d\ude00"}"#);
        assert_eq!(py_str(&json!({"a": [null, true, "it's"]})), r#"{'a': [None, True, "it's"]}"#);
    }
}
