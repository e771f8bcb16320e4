//! The interpreter: a syntax tree applied to a JSON value, with jmespath.py's rules (projections
//! drop nulls, multi-selects on null are null, ordering compares only numbers or only strings).

use super::EvalError;
use super::functions;
use super::parser::{Cmp, Kind, Node};
use super::value::{Num, py_eq};
use serde_json::{Map, Value};
use std::cmp::Ordering;

/// A thin dispatcher: each kind has its own function, which keeps this recursive frame small
/// (debug builds give every temporary of a big `match` its own stack slot).
pub(crate) fn eval(node: &Node, value: &Value) -> Result<Value, EvalError> {
    match &node.kind {
        Kind::Current => Ok(value.clone()),
        Kind::Field(key) => Ok(value.as_object().and_then(|map| map.get(key)).cloned().unwrap_or(Value::Null)),
        Kind::Literal(literal) => Ok(literal.clone()),
        Kind::Index(i) => Ok(index(value, *i)),
        Kind::Slice(parts) => slice(value, *parts),
        Kind::Chain(steps) | Kind::Indexed(steps) => chain(steps, value),
        Kind::Projection(lhs, rhs) => projection(lhs, rhs, value),
        Kind::ValueProjection(lhs, rhs) => value_projection(lhs, rhs, value),
        Kind::Filter(lhs, condition, rhs) => filter(lhs, condition, rhs, value),
        Kind::Flatten(inner) => flatten(inner, value),
        Kind::Compare(op, a, b) => compare(*op, a, b, value),
        Kind::Or(a, b) => or_and(a, b, true, value),
        Kind::And(a, b) => or_and(a, b, false, value),
        Kind::Not(a) => not(a, value),
        Kind::List(_) | Kind::Hash(_) if value.is_null() => Ok(Value::Null),
        Kind::List(items) => list(items, value),
        Kind::Hash(pairs) => hash(pairs, value),
        // jmespath.py would carry the reference along and fail later, when printing it.
        Kind::ExpRef(_) => Err(EvalError::new("an expression reference (&...) can only be a function argument")),
        Kind::Call(name, args) => functions::call(name, args, value),
    }
}

fn chain(steps: &[Node], value: &Value) -> Result<Value, EvalError> {
    let Some((first, rest)) = steps.split_first() else { return Ok(value.clone()) };
    let mut current = eval(first, value)?;
    for step in rest {
        current = eval(step, &current)?;
    }
    Ok(current)
}

fn projection(lhs: &Node, rhs: &Node, value: &Value) -> Result<Value, EvalError> {
    match eval(lhs, value)? {
        Value::Array(items) => project(items, rhs),
        _ => Ok(Value::Null),
    }
}

fn value_projection(lhs: &Node, rhs: &Node, value: &Value) -> Result<Value, EvalError> {
    match eval(lhs, value)? {
        Value::Object(map) => project(map.into_iter().map(|(_, v)| v), rhs),
        _ => Ok(Value::Null),
    }
}

fn filter(lhs: &Node, condition: &Node, rhs: &Node, value: &Value) -> Result<Value, EvalError> {
    let Value::Array(items) = eval(lhs, value)? else { return Ok(Value::Null) };
    let mut kept = Vec::new();
    for item in items {
        if truthy(&eval(condition, &item)?) {
            kept.push(item);
        }
    }
    project(kept, rhs)
}

/// One level: arrays inside the array are spliced in, other elements kept.
fn flatten(inner: &Node, value: &Value) -> Result<Value, EvalError> {
    let Value::Array(items) = eval(inner, value)? else { return Ok(Value::Null) };
    let mut out = Vec::new();
    for item in items {
        match item {
            Value::Array(nested) => out.extend(nested),
            other => out.push(other),
        }
    }
    Ok(Value::Array(out))
}

/// `||` gives the left side if truthy, else the right; `&&` the left if falsy, else the right.
fn or_and(a: &Node, b: &Node, is_or: bool, value: &Value) -> Result<Value, EvalError> {
    let left = eval(a, value)?;
    if truthy(&left) == is_or { Ok(left) } else { eval(b, value) }
}

fn not(a: &Node, value: &Value) -> Result<Value, EvalError> {
    Ok(Value::Bool(!truthy(&eval(a, value)?)))
}

fn list(items: &[Node], value: &Value) -> Result<Value, EvalError> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(eval(item, value)?);
    }
    Ok(Value::Array(out))
}

fn hash(pairs: &[(String, Node)], value: &Value) -> Result<Value, EvalError> {
    let mut map = Map::new();
    for (key, item) in pairs {
        map.insert(key.clone(), eval(item, value)?);
    }
    Ok(Value::Object(map))
}

/// JMESPath truthiness: false, null, "", [] and {} are false; everything else (0 too) is true.
pub(crate) fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(_) => true,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
    }
}

/// `rhs` applied to each element; null results are dropped.
fn project(items: impl IntoIterator<Item = Value>, rhs: &Node) -> Result<Value, EvalError> {
    let mut out = Vec::new();
    for item in items {
        let result = eval(rhs, &item)?;
        if !result.is_null() {
            out.push(result);
        }
    }
    Ok(Value::Array(out))
}

/// Python's `list[i]` (negative counts from the end); null out of range or on a non-list.
fn index(value: &Value, i: i64) -> Value {
    let Value::Array(items) = value else { return Value::Null };
    let len = items.len() as i64;
    let i = if i < 0 { i.saturating_add(len) } else { i };
    if (0..len).contains(&i) { items[i as usize].clone() } else { Value::Null }
}

/// Python's `list[start:stop:step]`; null on a non-list.
fn slice(value: &Value, [start, stop, step]: [Option<i64>; 3]) -> Result<Value, EvalError> {
    let Value::Array(items) = value else { return Ok(Value::Null) };
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(EvalError::new("slice step cannot be zero"));
    }
    let len = items.len() as i64;
    // Bounds clamp to -1 ..= len (backwards) or 0 ..= len (forwards); defaults are the ends.
    let clamp = |bound: Option<i64>, default: i64| match bound {
        None => default,
        Some(b) if b < 0 => (b + len).max(if step < 0 { -1 } else { 0 }),
        Some(b) => b.min(if step < 0 { len - 1 } else { len }),
    };
    let (mut i, stop) = if step > 0 { (clamp(start, 0), clamp(stop, len)) } else { (clamp(start, len - 1), clamp(stop, -1)) };
    let mut out = Vec::new();
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(items[i as usize].clone());
        match i.checked_add(step) {
            Some(next) => i = next,
            None => break,
        }
    }
    Ok(Value::Array(out))
}

/// `==` and `!=` are Python equality, except that a bool never equals a number at the top level;
/// ordering applies to two numbers or two strings, else null (a number against a string is
/// Python's TypeError).
fn compare(op: Cmp, a: &Node, b: &Node, value: &Value) -> Result<Value, EvalError> {
    let (a, b) = (&eval(a, value)?, &eval(b, value)?);
    let equal = || match (a, b) {
        (Value::Bool(_), Value::Number(_)) | (Value::Number(_), Value::Bool(_)) => false,
        _ => py_eq(a, b),
    };
    let order = match (op, a, b) {
        (Cmp::Eq, ..) => return Ok(Value::Bool(equal())),
        (Cmp::Ne, ..) => return Ok(Value::Bool(!equal())),
        (_, Value::Number(x), Value::Number(y)) => Num::of(x).cmp(Num::of(y)),
        (_, Value::String(x), Value::String(y)) => x.cmp(y),
        (_, Value::Number(_) | Value::String(_), Value::Number(_) | Value::String(_)) => {
            return Err(EvalError::new("ordering comparison between a number and a string"));
        }
        _ => return Ok(Value::Null),
    };
    Ok(Value::Bool(match op {
        Cmp::Lt => order == Ordering::Less,
        Cmp::Lte => order != Ordering::Greater,
        Cmp::Gt => order == Ordering::Greater,
        _ => order != Ordering::Less,
    }))
}
