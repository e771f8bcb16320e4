//! The interpreter: a syntax tree applied to a JSON value, with jmespath.py's rules (projections
//! drop nulls, multi-selects on null are null, ordering compares only numbers or only strings).

use super::EvalError;
use super::budget::Budget;
use super::functions;
use super::lexer::Tok;
use super::parser::{Kind, Node};
use super::value::{Num, py_eq};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::cmp::Ordering;

static NULL: Value = Value::Null;

/// A thin dispatcher: each kind has its own function, which keeps this recursive frame small
/// (debug builds give every temporary of a big `match` its own stack slot).
pub(crate) fn eval(node: &Node, value: &Value, budget: &Budget) -> Result<Value, EvalError> {
    budget.spend(1)?;
    if let Some(part) = pick(node, value) {
        return budget.copy(part);
    }
    match &node.kind {
        Kind::Literal(literal) => budget.copy(literal),
        Kind::Slice(parts) => slice(value, *parts, budget),
        Kind::Chain(steps) | Kind::Indexed(steps) => chain(steps, value, budget),
        Kind::Projection(lhs, rhs) => projection(lhs, rhs, value, budget),
        Kind::ValueProjection(lhs, rhs) => value_projection(lhs, rhs, value, budget),
        Kind::Filter(lhs, condition, rhs) => filter(lhs, condition, rhs, value, budget),
        Kind::Flatten(inner) => flatten(inner, value, budget),
        Kind::Compare(op, a, b) => compare(op, a, b, value, budget),
        Kind::Or(a, b) => or_and(a, b, true, value, budget),
        Kind::And(a, b) => or_and(a, b, false, value, budget),
        Kind::Not(a) => not(a, value, budget),
        Kind::List(_) | Kind::Hash(_) if value.is_null() => Ok(Value::Null),
        Kind::List(items) => list(items, value, budget),
        Kind::Hash(pairs) => hash(pairs, value, budget),
        // jmespath.py would carry the reference along and fail later, when printing it.
        Kind::ExpRef(_) => Err(EvalError::new("an expression reference (&...) can only be a function argument")),
        Kind::Call(name, args) => functions::call(name, args, value, budget),
        Kind::Current | Kind::Field(_) | Kind::Index(_) => Ok(Value::Null), // `pick` answered these
    }
}

/// `@`, `field`, `[i]` and chains of them select a part of their input: it is returned by
/// reference, so `a.b.c` copies only its result and `Items[*].Id` only the ids.
fn pick<'v>(node: &Node, value: &'v Value) -> Option<&'v Value> {
    match &node.kind {
        Kind::Current => Some(value),
        Kind::Field(key) => Some(value.as_object().and_then(|map| map.get(key)).unwrap_or(&NULL)),
        Kind::Index(i) => Some(index(value, *i)),
        Kind::Chain(steps) | Kind::Indexed(steps) => steps.iter().try_fold(value, |part, step| pick(step, part)),
        _ => None,
    }
}

/// `node`'s value, borrowed from `value` when it is a part of it.
fn operand<'v>(node: &Node, value: &'v Value, budget: &Budget) -> Result<Cow<'v, Value>, EvalError> {
    match pick(node, value) {
        Some(part) => Ok(Cow::Borrowed(part)),
        None => eval(node, value, budget).map(Cow::Owned),
    }
}

fn chain(steps: &[Node], value: &Value, budget: &Budget) -> Result<Value, EvalError> {
    let (mut part, mut rest) = (value, steps);
    while let Some(next) = rest.first().and_then(|step| pick(step, part)) {
        (part, rest) = (next, &rest[1..]);
    }
    let Some((first, rest)) = rest.split_first() else { return budget.copy(part) };
    let mut current = eval(first, part, budget)?;
    for step in rest {
        current = eval(step, &current, budget)?;
    }
    Ok(current)
}

fn projection(lhs: &Node, rhs: &Node, value: &Value, budget: &Budget) -> Result<Value, EvalError> {
    match &*operand(lhs, value, budget)? {
        Value::Array(items) => project(items, rhs, budget),
        _ => Ok(Value::Null),
    }
}

fn value_projection(lhs: &Node, rhs: &Node, value: &Value, budget: &Budget) -> Result<Value, EvalError> {
    match &*operand(lhs, value, budget)? {
        Value::Object(map) => project(map.values(), rhs, budget),
        _ => Ok(Value::Null),
    }
}

fn filter(lhs: &Node, condition: &Node, rhs: &Node, value: &Value, budget: &Budget) -> Result<Value, EvalError> {
    let base = operand(lhs, value, budget)?;
    let Value::Array(items) = &*base else { return Ok(Value::Null) };
    let mut kept = Vec::new();
    for item in items {
        if truthy(operand(condition, item, budget)?.as_ref()) {
            kept.push(item);
        }
    }
    project(kept, rhs, budget)
}

/// One level: arrays inside the array are spliced in, other elements kept.
fn flatten(inner: &Node, value: &Value, budget: &Budget) -> Result<Value, EvalError> {
    let base = operand(inner, value, budget)?;
    let Value::Array(items) = &*base else { return Ok(Value::Null) };
    let mut out = Vec::new();
    for item in items {
        match item {
            Value::Array(nested) => {
                for inner in nested {
                    out.push(budget.copy(inner)?);
                }
            }
            other => out.push(budget.copy(other)?),
        }
    }
    Ok(Value::Array(out))
}

/// `||` gives the left side if truthy, else the right; `&&` the left if falsy, else the right.
fn or_and(a: &Node, b: &Node, is_or: bool, value: &Value, budget: &Budget) -> Result<Value, EvalError> {
    let left = eval(a, value, budget)?;
    if truthy(&left) == is_or { Ok(left) } else { eval(b, value, budget) }
}

fn not(a: &Node, value: &Value, budget: &Budget) -> Result<Value, EvalError> {
    Ok(Value::Bool(!truthy(operand(a, value, budget)?.as_ref())))
}

fn list(items: &[Node], value: &Value, budget: &Budget) -> Result<Value, EvalError> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        out.push(eval(item, value, budget)?);
    }
    Ok(Value::Array(out))
}

fn hash(pairs: &[(String, Node)], value: &Value, budget: &Budget) -> Result<Value, EvalError> {
    let mut map = Map::new();
    for (key, item) in pairs {
        map.insert(key.clone(), eval(item, value, budget)?);
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
fn project<'v>(items: impl IntoIterator<Item = &'v Value>, rhs: &Node, budget: &Budget) -> Result<Value, EvalError> {
    let mut out = Vec::new();
    for item in items {
        let result = eval(rhs, item, budget)?;
        if !result.is_null() {
            out.push(result);
        }
    }
    Ok(Value::Array(out))
}

/// Python's `list[i]` (negative counts from the end); null out of range or on a non-list.
fn index(value: &Value, i: i64) -> &Value {
    let Value::Array(items) = value else { return &NULL };
    let len = items.len() as i64;
    let i = if i < 0 { i.saturating_add(len) } else { i };
    if (0..len).contains(&i) { &items[i as usize] } else { &NULL }
}

/// Python's `list[start:stop:step]`; null on a non-list.
fn slice(value: &Value, [start, stop, step]: [Option<i64>; 3], budget: &Budget) -> Result<Value, EvalError> {
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
    let (mut i, stop) =
        if step > 0 { (clamp(start, 0), clamp(stop, len)) } else { (clamp(start, len - 1), clamp(stop, -1)) };
    let mut out = Vec::new();
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(budget.copy(&items[i as usize])?);
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
fn compare(op: &Tok, a: &Node, b: &Node, value: &Value, budget: &Budget) -> Result<Value, EvalError> {
    let (a, b) = (&*operand(a, value, budget)?, &*operand(b, value, budget)?);
    let equal = || match (a, b) {
        (Value::Bool(_), Value::Number(_)) | (Value::Number(_), Value::Bool(_)) => false,
        _ => py_eq(a, b),
    };
    let order = match (op, a, b) {
        (Tok::Eq, ..) => return Ok(Value::Bool(equal())),
        (Tok::Ne, ..) => return Ok(Value::Bool(!equal())),
        (_, Value::Number(x), Value::Number(y)) => Num::of(x).cmp(Num::of(y)),
        (_, Value::String(x), Value::String(y)) => x.cmp(y),
        (_, Value::Number(_) | Value::String(_), Value::Number(_) | Value::String(_)) => {
            return Err(EvalError::new("ordering comparison between a number and a string"));
        }
        _ => return Ok(Value::Null),
    };
    Ok(Value::Bool(match op {
        Tok::Lt => order == Ordering::Less,
        Tok::Lte => order != Ordering::Greater,
        Tok::Gt => order == Ordering::Greater,
        _ => order != Ordering::Less,
    }))
}
