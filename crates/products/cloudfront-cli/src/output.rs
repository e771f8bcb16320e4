//! Printing results as the AWS CLI does: `json` (four-space indent, keys in model order),
//! and `text` (tab-separated, the AWS CLI's text formatter rules); `--query` (JMESPath) first.

use crate::table::is_scalar;
use cloudfront_runtime::python::str as python_str;
use serde_json::Value;

use crate::Failure;

/// How timestamps print: the AWS CLI v2's `cli_timestamp_format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimestampStyle {
    /// ISO 8601 with the UTC offset, as Python's `isoformat()` writes it (the v2 default):
    /// `2026-01-02T03:04:05.678000+00:00`, no fraction when it is zero.
    Iso8601,
    /// As CloudFront sent it (RFC 3339 UTC with milliseconds).
    Wire,
}

impl TimestampStyle {
    /// The profile's `cli_timestamp_format`; v2 refuses any other value.
    pub fn from_setting(value: Option<&str>) -> Result<TimestampStyle, Failure> {
        match value {
            None | Some("iso8601") => Ok(TimestampStyle::Iso8601),
            Some("wire") => Ok(TimestampStyle::Wire),
            Some(other) => Err(Failure::Other(format!(
                "Unknown cli_timestamp_format value: {other}, valid values are 'wire' or 'iso8601'"
            ))),
        }
    }

    fn write(self, time: cloudfront_primitives::DateTime) -> String {
        let whole = cloudfront_primitives::DateTime::from_secs(time.secs())
            .fmt(cloudfront_primitives::TimestampFormat::DateTime);
        let whole = whole.trim_end_matches('Z');
        match self {
            TimestampStyle::Wire => format!("{whole}.{:03}Z", time.subsec_nanos() / 1_000_000),
            TimestampStyle::Iso8601 => match time.subsec_nanos() / 1_000 {
                0 => format!("{whole}+00:00"),
                micros => format!("{whole}.{micros:06}+00:00"),
            },
        }
    }
}

/// Rewrites every timestamp of `value` (per the schema `kind`) in `style`.
pub fn timestamps(value: &mut Value, kind: &'static cloudfront_primitives::schema::Kind, style: TimestampStyle) {
    use cloudfront_primitives::schema::Kind;
    match (kind, value) {
        (Kind::Timestamp, Value::String(text)) => {
            if let Ok(time) = cloudfront_primitives::DateTime::parse_lenient(text) {
                *text = style.write(time);
            }
        }
        (Kind::Structure(fields) | Kind::Union(fields), Value::Object(map)) => {
            for field in fields.iter() {
                if let Some(inner) = map.get_mut(field.name) {
                    timestamps(inner, field.kind, style);
                }
            }
        }
        (Kind::List(member), Value::Array(items)) => items.iter_mut().for_each(|i| timestamps(i, member, style)),
        (Kind::Map(member), Value::Object(map)) => map.values_mut().for_each(|v| timestamps(v, member, style)),
        _ => {}
    }
}

/// Applies `--query`: a syntax error is a bad `--query` (252, jmespath's message with the
/// caret); an error while evaluating a valid expression (a function given the wrong type,
/// an unknown function) is not, and exits 255 as the AWS CLI does.
pub fn query(value: Value, expression: Option<&str>) -> Result<Value, Failure> {
    let Some(expression) = expression else { return Ok(value) };
    let compiled = compile_query(expression)?;
    compiled.search(&value).map_err(|e| Failure::Other(e.message))
}

/// Compiles `--query`, refusing a bad one as the AWS CLI does.
pub fn compile_query(expression: &str) -> Result<crate::query::Expression, Failure> {
    crate::query::Expression::compile(expression)
        .map_err(|e| Failure::Usage(format!("\nBad value for --query {expression}: {}", e.message)))
}

/// Formats `value`, the result of operation `title`, in `format`; `color` is `--color`.
pub fn render(value: &Value, format: &str, title: &str, color: &str) -> Result<String, Failure> {
    match format {
        "json" => {
            let mut out = Vec::new();
            let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
            let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
            serde::Serialize::serialize(value, &mut serializer).map_err(|e| Failure::Other(e.to_string()))?;
            let mut text = String::from_utf8(out).map_err(|e| Failure::Other(e.to_string()))?;
            text.push('\n');
            Ok(text)
        }
        "text" => {
            let mut out = String::new();
            text(value, None, None, &mut out);
            Ok(out)
        }
        // A bare scalar (a query's result) is written as JSON, as the AWS CLI v2 writes it.
        "yaml" | "yaml-stream" if is_scalar(value) => Ok(format!("{value}\n")),
        "yaml" | "yaml-stream" => Ok(crate::yaml::to_yaml(value)),
        "table" => Ok(crate::table::render(title, value, &crate::table::Look::for_stdout(color))),
        other => Err(Failure::Usage(format!(
            "argument --output: Invalid choice, valid choices are: json | text | table | yaml | yaml-stream (got {other:?})"
        ))),
    }
}

/// The AWS CLI's text format: a dict prints its scalars tab-separated on one line (prefixed
/// by the upper-cased key it sits under), then each nested value under its own key; a list of
/// dicts prints every dict with the same scalar columns; a list of scalars prints one line.
fn text(value: &Value, identifier: Option<&str>, scalar_keys: Option<&[String]>, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut scalars = Vec::new();
            let mut nested: Vec<(&String, &Value)> = Vec::new();
            match scalar_keys {
                None => {
                    let mut keys: Vec<&String> = map.keys().collect();
                    keys.sort();
                    for key in keys {
                        let v = &map[key];
                        if is_scalar(v) { scalars.push(python_str(v)) } else { nested.push((key, v)) }
                    }
                }
                Some(columns) => {
                    for key in columns {
                        scalars.push(map.get(key).map(python_str).unwrap_or_default());
                    }
                    let mut rest: Vec<&String> = map.keys().filter(|k| !columns.contains(k)).collect();
                    rest.sort();
                    nested.extend(rest.into_iter().map(|k| (k, &map[k])));
                }
            }
            if !scalars.is_empty() {
                if let Some(id) = identifier {
                    scalars.insert(0, id.to_uppercase());
                }
                out.push_str(&scalars.join("\t"));
                out.push('\n');
            }
            for (key, v) in nested {
                text(v, Some(key), None, out);
            }
        }
        Value::Array(items) if items.is_empty() => {}
        Value::Array(items) if items.iter().any(|i| i.is_object()) => {
            let mut columns: Vec<String> = items
                .iter()
                .filter_map(Value::as_object)
                .flat_map(|m| m.iter().filter(|(_, v)| is_scalar(v)).map(|(k, _)| k.clone()))
                .collect();
            columns.sort();
            columns.dedup();
            for item in items {
                text(item, identifier, Some(&columns), out);
            }
        }
        Value::Array(items) if items.iter().any(Value::is_array) => {
            let scalars: Vec<&Value> = items.iter().filter(|i| is_scalar(i)).collect();
            if !scalars.is_empty() {
                scalar_list(&scalars, identifier, out);
            }
            for item in items.iter().filter(|i| !is_scalar(i)) {
                text(item, identifier, None, out);
            }
        }
        Value::Array(items) => scalar_list(&items.iter().collect::<Vec<_>>(), identifier, out),
        other => {
            out.push_str(&python_str(other));
            out.push('\n');
        }
    }
}

fn scalar_list(items: &[&Value], identifier: Option<&str>, out: &mut String) {
    match identifier {
        Some(id) => {
            for item in items {
                out.push_str(&format!("{}\t{}\n", id.to_uppercase(), python_str(item)));
            }
        }
        None => {
            out.push_str(&items.iter().map(|i| python_str(i)).collect::<Vec<_>>().join("\t"));
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_uses_four_spaces_and_keeps_key_order() {
        let value = serde_json::json!({"Location": "l", "Invalidation": {"Id": "I1", "Status": "Completed"}});
        assert_eq!(
            render(&value, "json", "Op", "off").unwrap(),
            "{\n    \"Location\": \"l\",\n    \"Invalidation\": {\n        \"Id\": \"I1\",\n        \"Status\": \"Completed\"\n    }\n}\n"
        );
    }

    #[test]
    fn text_follows_the_aws_cli_rules() {
        let value = serde_json::json!({
            "Location": "https://x/I1",
            "Invalidation": {"Id": "I1", "Status": "InProgress", "CreateTime": "2026-01-01T00:00:00Z",
                "InvalidationBatch": {"Paths": {"Quantity": 2, "Items": ["/a", "/b"]}, "CallerReference": "r"}}
        });
        assert_eq!(
            render(&value, "text", "Op", "off").unwrap(),
            "https://x/I1\nINVALIDATION\t2026-01-01T00:00:00Z\tI1\tInProgress\nINVALIDATIONBATCH\tr\nPATHS\t2\nITEMS\t/a\nITEMS\t/b\n"
        );
        let list = serde_json::json!({"InvalidationList": {"IsTruncated": false, "Items": [{"Id": "A", "Status": "Completed"}, {"Id": "B", "Status": "InProgress"}]}});
        assert_eq!(
            render(&list, "text", "Op", "off").unwrap(),
            "INVALIDATIONLIST\tFalse\nITEMS\tA\tCompleted\nITEMS\tB\tInProgress\n"
        );
    }

    #[test]
    fn queries_select_and_project() {
        let value = serde_json::json!({"InvalidationList": {"Items": [{"Id": "A"}, {"Id": "B"}]}});
        assert_eq!(query(value.clone(), Some("InvalidationList.Items[].Id")).unwrap(), serde_json::json!(["A", "B"]));
        let e = query(value, Some("[[[")).unwrap_err();
        assert!(matches!(e, Failure::Usage(m) if m.trim_start().starts_with("Bad value for --query [[[")));
        let e = query(serde_json::json!({}), Some("length(Nothing)")).unwrap_err();
        assert!(matches!(e, Failure::Other(m) if m.starts_with("In function length(), invalid type for value: None")));
    }
}
