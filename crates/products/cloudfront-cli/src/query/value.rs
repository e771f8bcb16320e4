//! JSON values as jmespath.py sees them: Python numbers (ints stay ints, int/float compare exactly),
//! Python equality (`True == 1` inside containers) and type names. How Python writes values
//! (`repr()`, `json.dumps`) is `cloudfront_runtime::python`'s.

use serde_json::{Number, Value};
use std::cmp::Ordering;

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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn python_equality_and_dumps() {
        assert!(py_eq(&json!([0, {"a": 1.0}]), &json!([false, {"a": 1}])));
        assert!(!py_eq(&json!(1), &json!("1")));
        assert!(Num::Int(9007199254740993).cmp(Num::Float(9007199254740992.0)).is_gt());
    }
}
