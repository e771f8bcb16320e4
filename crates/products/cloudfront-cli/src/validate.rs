//! Checking an assembled input against the schema before anything is sent, as the AWS CLI's
//! parameter validation does: every problem is collected (not only the first), each on its
//! own line naming the member path, in the AWS CLI's words and order.

use cloudfront_primitives::schema::Kind;
use serde_json::Value;

/// Every problem with `input` (the operation's input structure), or none.
pub fn problems(input: &Value, kind: &'static Kind) -> Vec<String> {
    let mut found = Vec::new();
    check(input, kind, "", &mut found);
    found
}

fn check(value: &Value, kind: &'static Kind, path: &str, found: &mut Vec<String>) {
    let here = if path.is_empty() { "input" } else { path };
    let member = |name: &str| if path.is_empty() { name.to_owned() } else { format!("{path}.{name}") };
    match (kind, value) {
        (Kind::Structure(fields) | Kind::Union(fields), Value::Object(map)) => {
            // Missing required members first, then unknown ones, then each known member in
            // the order given: the order the AWS CLI reports them in.
            for field in fields.iter().filter(|f| f.required && !map.contains_key(f.name)) {
                found.push(format!("Missing required parameter in {here}: \"{}\"", field.name));
            }
            for key in map.keys().filter(|k| !fields.iter().any(|f| f.name == k.as_str())) {
                let known: Vec<&str> = fields.iter().map(|f| f.name).collect();
                found.push(format!("Unknown parameter in {here}: \"{key}\", must be one of: {}", known.join(", ")));
            }
            for (key, inner) in map {
                if let Some(field) = fields.iter().find(|f| f.name == key.as_str()) {
                    check(inner, field.kind, &member(key), found);
                }
            }
        }
        (Kind::List(item), Value::Array(items)) => {
            for (i, inner) in items.iter().enumerate() {
                check(inner, item, &format!("{path}[{i}]"), found);
            }
        }
        (Kind::Map(item), Value::Object(map)) => {
            for (key, inner) in map {
                check(inner, item, &format!("{path}.{key}"), found);
            }
        }
        (Kind::Integer, Value::Number(n)) if n.as_i64().is_none_or(|n| i32::try_from(n).is_err()) => {
            if n.is_i64() || n.is_u64() {
                found.push(format!(
                    "Invalid value for parameter {path}, value: {n}, valid range: -2147483648-2147483647"
                ));
            } else {
                found.push(wrong_type(path, value, kind));
            }
        }
        (Kind::Long, Value::Number(n)) if !n.is_i64() && !n.is_u64() => found.push(wrong_type(path, value, kind)),
        (Kind::String | Kind::Enum(_) | Kind::Timestamp | Kind::Blob, Value::String(_))
        | (Kind::Integer | Kind::Long | Kind::Float | Kind::Double, Value::Number(_))
        | (Kind::Boolean, Value::Bool(_)) => {}
        _ => found.push(wrong_type(path, value, kind)),
    }
}

fn wrong_type(path: &str, value: &Value, kind: &Kind) -> String {
    format!(
        "Invalid type for parameter {path}, value: {}, type: {}, valid types: {}",
        cloudfront_runtime::python::str(value),
        python_type(value),
        valid_types(kind)
    )
}

/// The types the AWS CLI (Python) accepts for a shape, as it names them.
fn valid_types(kind: &Kind) -> &'static str {
    match kind {
        Kind::String | Kind::Enum(_) => "<class 'str'>",
        Kind::Integer | Kind::Long => "<class 'int'>",
        Kind::Float | Kind::Double => "<class 'float'>, <class 'decimal.Decimal'>, <class 'int'>",
        Kind::Boolean => "<class 'bool'>",
        Kind::Blob => "<class 'bytes'>, <class 'bytearray'>, file-like object",
        Kind::Timestamp => "<class 'datetime.datetime'>, timestamp-string",
        Kind::List(_) => "<class 'list'>, <class 'tuple'>",
        Kind::Map(_) | Kind::Structure(_) | Kind::Union(_) => "<class 'dict'>",
    }
}

/// The Python type a JSON value becomes in the AWS CLI.
fn python_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "<class 'NoneType'>",
        Value::Bool(_) => "<class 'bool'>",
        Value::Number(n) if n.is_f64() => "<class 'float'>",
        Value::Number(_) => "<class 'int'>",
        Value::String(_) => "<class 'str'>",
        Value::Array(_) => "<class 'list'>",
        Value::Object(_) => "<class 'dict'>",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_shows_values_as_the_aws_cli_prints_them() {
        assert_eq!(cloudfront_runtime::python::str(&json!("two")), "two");
        assert_eq!(
            cloudfront_runtime::python::str(&json!({"a": "b'c", "n": [1, true, null]})),
            "{'a': \"b'c\", 'n': [1, True, None]}"
        );
        assert_eq!(cloudfront_runtime::python::str(&json!(["it's \"x\"\n"])), "['it\\'s \"x\"\\n']");
    }

    #[test]
    fn every_problem_is_reported_in_the_aws_cli_order() {
        let batch = &cloudfront::schema::CREATE_INVALIDATION_INPUT;
        let input = json!({"DistributionId": "E1", "InvalidationBatch": {"Paths": {"Items": [1]}, "Extra": null}});
        assert_eq!(
            problems(&input, batch),
            [
                "Missing required parameter in InvalidationBatch: \"CallerReference\"",
                "Unknown parameter in InvalidationBatch: \"Extra\", must be one of: Paths, CallerReference",
                "Missing required parameter in InvalidationBatch.Paths: \"Quantity\"",
                "Invalid type for parameter InvalidationBatch.Paths.Items[0], value: 1, type: <class 'int'>, valid types: <class 'str'>",
            ]
        );
    }
}
