//! `--generate-cli-skeleton`: the input (or output) of an operation with placeholder values,
//! as the AWS CLI prints it.

use sdk_types::schema::Kind;
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
