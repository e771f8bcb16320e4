//! `--generate-cli-skeleton`: the input (or output) of an operation with placeholder values,
//! as the AWS CLI prints it.

use cloudfront_primitives::schema::{Field, Kind};
use serde_json::{Map, Value};

/// A placeholder value of `kind`: empty strings, zeros, `true`, one-element lists.
pub fn skeleton(kind: &'static Kind, depth: usize) -> Value {
    // Recursive shapes stop after a few levels, as the AWS CLI's do.
    if depth > 8 {
        return Value::Object(Map::new());
    }
    match kind {
        Kind::String | Kind::Blob => Value::String(String::new()),
        Kind::Enum(values) => Value::String(values.join("|")),
        Kind::Timestamp => Value::String("1970-01-01T00:00:00".into()),
        Kind::Boolean => Value::Bool(true),
        Kind::Integer | Kind::Long => Value::from(0),
        Kind::Float | Kind::Double => Value::from(0.0),
        Kind::List(member) => Value::Array(vec![skeleton(member, depth + 1)]),
        Kind::Map(value) => {
            let mut map = Map::new();
            map.insert("KeyName".into(), skeleton(value, depth + 1));
            Value::Object(map)
        }
        Kind::Structure(fields) | Kind::Union(fields) => {
            Value::Object(fields.iter().map(|f| (f.name.to_owned(), skeleton(f.kind, depth + 1))).collect())
        }
    }
}

/// `--generate-cli-skeleton output`: as the AWS CLI writes it, text members hold their own
/// name (list items `"string"`), numbers 0, booleans `true`.
pub fn output(kind: &'static Kind, name: &str, depth: usize) -> Value {
    if depth > 8 {
        return Value::Object(Map::new());
    }
    match kind {
        Kind::String | Kind::Blob | Kind::Enum(_) => Value::String(name.to_owned()),
        Kind::List(member) => Value::Array(vec![output(member, "string", depth + 1)]),
        Kind::Map(value) => {
            let mut map = Map::new();
            map.insert("KeyName".into(), output(value, "string", depth + 1));
            Value::Object(map)
        }
        Kind::Structure(fields) | Kind::Union(fields) => {
            Value::Object(fields.iter().map(|f| (f.name.to_owned(), output(f.kind, f.name, depth + 1))).collect())
        }
        scalar => skeleton(scalar, depth),
    }
}

/// `--generate-cli-skeleton yaml-input`: the placeholder input as YAML in model order, each
/// member followed by a comment: `[REQUIRED]` when it must be set, and its documentation.
pub fn yaml_input(kind: &'static Kind) -> String {
    let mut out = String::new();
    for field in kind.fields() {
        member(field, 0, "", &mut out);
    }
    out
}

fn comment(field: &Field) -> String {
    let doc = field.doc.split("\n\n").next().unwrap_or_default().split_whitespace().collect::<Vec<_>>().join(" ");
    match (field.required, doc.is_empty()) {
        (true, true) => "  # [REQUIRED]".into(),
        (true, false) => format!("  # [REQUIRED] {doc}"),
        (false, false) => format!("  # {doc}"),
        (false, true) => String::new(),
    }
}

/// One member at `level`; `lead` replaces the indentation of its first line (`- ` for the
/// first member of a list item).
fn member(field: &Field, level: usize, lead: &str, out: &mut String) {
    let indent =
        if lead.is_empty() { "  ".repeat(level) } else { format!("{}{lead}", "  ".repeat(level.saturating_sub(1))) };
    let note = comment(field);
    match field.kind {
        Kind::Structure(fields) | Kind::Union(fields) if level < 8 => {
            out.push_str(&format!("{indent}{}:{note}\n", field.name));
            for inner in fields.iter() {
                member(inner, level + 1, "", out);
            }
        }
        Kind::List(item) => {
            out.push_str(&format!("{indent}{}:{note}\n", field.name));
            list_item(item, level, out);
        }
        Kind::Map(value) => {
            out.push_str(&format!("{indent}{}:{note}\n", field.name));
            out.push_str(&format!("{}KeyName: {}\n", "  ".repeat(level + 1), crate::yaml::scalar(&skeleton(value, 8))));
        }
        scalar => {
            out.push_str(&format!("{indent}{}: {}{note}\n", field.name, crate::yaml::scalar(&skeleton(scalar, 0))));
        }
    }
}

fn list_item(item: &'static Kind, level: usize, out: &mut String) {
    let indent = "  ".repeat(level);
    match item {
        Kind::Structure(fields) | Kind::Union(fields) if level < 8 => {
            for (i, inner) in fields.iter().enumerate() {
                member(inner, level + 1, if i == 0 { "- " } else { "" }, out);
            }
        }
        other => out.push_str(&format!("{indent}- {}\n", crate::yaml::scalar(&skeleton(other, 8)))),
    }
}
