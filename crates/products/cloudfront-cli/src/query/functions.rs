//! The built-in functions, checked the way jmespath.py checks them: arguments are evaluated first,
//! then the name is looked up, then the argument count, then each argument's type, all at run
//! time (an unknown function inside a projection over nothing is not an error).

use super::EvalError;
use super::budget::{Budget, size};
use super::parser::{Kind, Node};
use super::value::{Num, py_eq, py_type_name, type_name};
use cloudfront_runtime::python::{Separators, dumps, str as py_str};
use serde_json::Value;
use std::cmp::Ordering;

/// Name, one list of accepted types per parameter (jmespath.py's spelling: `[]` is any type,
/// `array-number` an array of numbers), and whether the last parameter repeats.
type Signature = (&'static str, &'static [&'static [&'static str]], bool);

const SIGNATURES: &[Signature] = &[
    ("abs", &[&["number"]], false),
    ("avg", &[&["array-number"]], false),
    ("ceil", &[&["number"]], false),
    ("contains", &[&["array", "string"], &[]], false),
    ("ends_with", &[&["string"], &["string"]], false),
    ("floor", &[&["number"]], false),
    ("join", &[&["string"], &["array-string"]], false),
    ("keys", &[&["object"]], false),
    ("length", &[&["string", "array", "object"]], false),
    ("map", &[&["expref"], &["array"]], false),
    ("max", &[&["array-number", "array-string"]], false),
    ("max_by", &[&["array"], &["expref"]], false),
    ("merge", &[&["object"]], true),
    ("min", &[&["array-number", "array-string"]], false),
    ("min_by", &[&["array"], &["expref"]], false),
    ("not_null", &[&[]], true),
    ("reverse", &[&["array", "string"]], false),
    ("sort", &[&["array-string", "array-number"]], false),
    ("sort_by", &[&["array"], &["expref"]], false),
    ("starts_with", &[&["string"], &["string"]], false),
    ("sum", &[&["array-number"]], false),
    ("to_array", &[&[]], false),
    ("to_number", &[&[]], false),
    ("to_string", &[&[]], false),
    ("type", &[&[]], false),
    ("values", &[&["object"]], false),
];

/// An evaluated argument: a value, or an `&expression` kept unevaluated for `sort_by` and friends.
enum Arg<'a> {
    Val(Value),
    Ref(&'a Node),
}

use Arg::{Ref, Val};

pub(crate) fn call(name: &str, arg_nodes: &[Node], current: &Value, budget: &Budget) -> Result<Value, EvalError> {
    // A plain loop (not an iterator chain): this frame is on the recursive path of nested calls.
    let mut args = Vec::with_capacity(arg_nodes.len());
    for node in arg_nodes {
        args.push(match &node.kind {
            Kind::ExpRef(inner) => Ref(inner),
            _ => Val(budget.eval(node, current)?),
        });
    }
    check_arguments(name, &args)?;
    let result = run(name, args, budget)?;
    // Results are (partly) copies of the arguments: pay for them like any copy.
    budget.spend(size(&result))?;
    Ok(result)
}

/// Unknown name, argument count, then each argument's type, in jmespath.py's order.
fn check_arguments(name: &str, args: &[Arg]) -> Result<(), EvalError> {
    let Some(&(_, params, variadic)) = SIGNATURES.iter().find(|s| s.0 == name) else {
        return Err(EvalError::new(format!("Unknown function: {name}()")));
    };
    if args.len() < params.len() || (!variadic && args.len() > params.len()) {
        let (at_least, plural) = (if variadic { "at least " } else { "" }, if params.len() == 1 { "" } else { "s" });
        let n = params.len();
        let got = args.len();
        return Err(EvalError::new(format!(
            "Expected {at_least}{n} argument{plural} for function {name}(), received {got}"
        )));
    }
    for (arg, types) in args.iter().zip(params.iter()) {
        check_type(name, arg, types)?;
    }
    Ok(())
}

fn type_error(function: &str, value: &str, received: &str, expected: &[&str]) -> EvalError {
    let expected: Vec<String> = expected.iter().map(|t| format!("'{t}'")).collect();
    EvalError::new(format!(
        "In function {function}(), invalid type for value: {value}, expected one of: [{}], received: \"{received}\"",
        expected.join(", ")
    ))
}

/// jmespath.py's check: the argument's type must be one listed; for `array-x` types every element
/// must be an x, and with two such types the first element decides which.
fn check_type(name: &str, arg: &Arg, types: &[&str]) -> Result<(), EvalError> {
    let value = match arg {
        _ if types.is_empty() => return Ok(()),
        Ref(_) if types.contains(&"expref") => return Ok(()),
        Ref(_) => return Err(type_error(name, "<expression>", "expref", types)),
        Val(value) => value,
    };
    let actual = type_name(value);
    if !types.iter().any(|t| t.split('-').next() == Some(actual)) {
        return Err(type_error(name, &py_str(value), actual, types));
    }
    let element_types: Vec<&str> = types.iter().filter_map(|t| t.split_once('-').map(|(_, sub)| sub)).collect();
    let (Value::Array(items), Some(first)) = (value, element_types.first()) else { return Ok(()) };
    let wanted = match items.first() {
        _ if element_types.len() == 1 => *first,
        Some(item) if element_types.contains(&type_name(item)) => type_name(item),
        Some(item) => return Err(type_error(name, &py_str(item), py_type_name(item), types)),
        None => return Ok(()),
    };
    match items.iter().find(|item| type_name(item) != wanted) {
        Some(item) => Err(type_error(name, &py_str(item), py_type_name(item), types)),
        None => Ok(()),
    }
}

/// Runs a function whose arguments passed `check_type`; remaining mismatches (an `&expr` where a
/// value is needed) are errors, as they would fail later in jmespath.py.
fn run(name: &str, args: Vec<Arg>, budget: &Budget) -> Result<Value, EvalError> {
    use Value::{Array, Bool, Null, Number, Object, String};
    Ok(match (name, args.as_slice()) {
        ("abs", [Val(Number(n))]) => match Num::of(n) {
            Num::Int(i) => Num::Int(i.abs()),
            Num::Float(f) => Num::Float(f.abs()),
        }
        .value(),
        ("avg", [Val(Array(items))]) if items.is_empty() => Null,
        ("avg", [Val(Array(items))]) => Num::Float(sum(items).as_f64() / items.len() as f64).value(),
        ("ceil", [Val(Number(n))]) => round(n, f64::ceil),
        ("floor", [Val(Number(n))]) => round(n, f64::floor),
        ("contains", [Val(Array(items)), Val(x)]) => Bool(items.iter().any(|item| py_eq(item, x))),
        ("contains", [Val(String(s)), Val(String(x))]) => Bool(s.contains(x.as_str())),
        ("ends_with", [Val(String(s)), Val(String(x))]) => Bool(s.ends_with(x.as_str())),
        ("starts_with", [Val(String(s)), Val(String(x))]) => Bool(s.starts_with(x.as_str())),
        ("join", [Val(String(sep)), Val(Array(items))]) => {
            String(items.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(sep))
        }
        ("keys", [Val(Object(map))]) => Array(map.keys().cloned().map(String).collect()),
        ("values", [Val(Object(map))]) => Array(map.values().cloned().collect()),
        ("length", [Val(String(s))]) => s.chars().count().into(),
        ("length", [Val(Array(items))]) => items.len().into(),
        ("length", [Val(Object(map))]) => map.len().into(),
        ("map", [Ref(e), Val(Array(items))]) => {
            Array(items.iter().map(|item| budget.eval(e, item)).collect::<Result<_, _>>()?)
        }
        ("max", [Val(Array(items))]) => extreme(items.iter(), Ordering::Greater),
        ("min", [Val(Array(items))]) => extreme(items.iter(), Ordering::Less),
        ("max_by", [Val(Array(items)), Ref(e)]) => extreme_by(name, items, e, Ordering::Greater, budget)?,
        ("min_by", [Val(Array(items)), Ref(e)]) => extreme_by(name, items, e, Ordering::Less, budget)?,
        ("merge", objects) => {
            let mut merged = serde_json::Map::new();
            for object in objects {
                let Val(Object(map)) = object else { return Err(EvalError::new("merge() takes only objects")) };
                // Like dict.update: an existing key keeps its position and takes the new value.
                merged.extend(map.clone());
            }
            Object(merged)
        }
        ("not_null", args) => match args.iter().find(|arg| !matches!(arg, Val(Null))) {
            None => Null,
            Some(Val(value)) => value.clone(),
            Some(Ref(_)) => return Err(EvalError::new("not_null() found an expression reference")),
        },
        ("reverse", [Val(String(s))]) => String(s.chars().rev().collect()),
        ("reverse", [Val(Array(items))]) => Array(items.iter().rev().cloned().collect()),
        ("sort", [Val(Array(items))]) => {
            let mut sorted = items.clone();
            sorted.sort_by(order);
            Array(sorted)
        }
        ("sort_by", [Val(Array(items)), Ref(e)]) => sort_by(items, e, budget)?,
        ("sum", [Val(Array(items))]) => sum(items).value(),
        ("to_array", [Val(Array(items))]) => Array(items.clone()),
        ("to_array", [Val(x)]) => Array(vec![x.clone()]),
        ("to_string", [Val(String(s))]) => String(s.clone()),
        ("to_string", [Val(x)]) => String(dumps(x, Separators::Compact)),
        ("to_number", [Val(Number(n))]) => Number(n.clone()),
        ("to_number", [Val(String(s))]) => to_number(s),
        ("to_number", [Val(_)]) => Null,
        ("type", [Val(x)]) => type_name(x).into(),
        ("type", [Ref(_)]) => Null,
        _ => return Err(EvalError::new(format!("In function {name}(), invalid arguments"))),
    })
}

/// Python's `sum()`: starts at int 0, adds left to right.
fn sum(items: &[Value]) -> Num {
    items.iter().filter_map(Value::as_number).fold(Num::Int(0), |acc, n| acc.add(Num::of(n)))
}

/// `math.ceil` / `math.floor`: an int stays as is, a float becomes an int.
fn round(n: &serde_json::Number, f: fn(f64) -> f64) -> Value {
    match Num::of(n) {
        Num::Int(i) => Num::Int(i),
        Num::Float(x) if f(x).abs() < 1e38 => Num::Int(f(x) as i128),
        Num::Float(x) => Num::Float(f(x)),
    }
    .value()
}

/// Order of two numbers or two strings (callers have checked the types agree).
fn order(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => Num::of(x).cmp(Num::of(y)),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// The first greatest (`want` Greater) or least element, as Python's `max`/`min` pick.
fn extreme<'a>(items: impl Iterator<Item = &'a Value>, want: Ordering) -> Value {
    items
        .fold(None, |best: Option<&Value>, item| match best {
            Some(b) if order(item, b) != want => Some(b),
            _ => Some(item),
        })
        .cloned()
        .unwrap_or(Value::Null)
}

/// A key for `sort_by`/`min_by`/`max_by`: `&e` applied to `item`, which must give one of `types`.
fn key(function: &str, e: &Node, item: &Value, types: &[&str], budget: &Budget) -> Result<Value, EvalError> {
    let key = budget.eval(e, item)?;
    if !types.contains(&type_name(&key)) {
        return Err(type_error(function, &py_str(&key), type_name(&key), types));
    }
    Ok(key)
}

fn extreme_by(name: &str, items: &[Value], e: &Node, want: Ordering, budget: &Budget) -> Result<Value, EvalError> {
    let mut best: Option<(&Value, Value)> = None;
    for item in items {
        let k = key(name, e, item, &["number", "string"], budget)?;
        best = match best {
            Some((_, ref b)) if type_name(b) != type_name(&k) => {
                return Err(EvalError::new(format!("In function {name}(), keys mix numbers and strings")));
            }
            Some((b_item, b)) if order(&k, &b) != want => Some((b_item, b)),
            _ => Some((item, k)),
        };
    }
    Ok(best.map_or(Value::Null, |(item, _)| item.clone()))
}

/// Stable sort by key; the first element's key decides whether keys are numbers or strings.
fn sort_by(items: &[Value], e: &Node, budget: &Budget) -> Result<Value, EvalError> {
    let Some(first) = items.first() else { return Ok(Value::Array(Vec::new())) };
    let first_key = budget.eval(e, first)?;
    let wanted = type_name(&first_key);
    if wanted != "number" && wanted != "string" {
        return Err(type_error("sort_by", &py_str(first), wanted, &["string", "number"]));
    }
    let mut keyed = Vec::with_capacity(items.len());
    for item in items {
        keyed.push((key("sort_by", e, item, &[wanted], budget)?, item));
    }
    keyed.sort_by(|(a, _), (b, _)| order(a, b));
    Ok(Value::Array(keyed.into_iter().map(|(_, item)| item.clone()).collect()))
}

/// Python's `int(s)`, else `float(s)`, else null: surrounding whitespace and `_` between digits are
/// allowed. (Python's infinities and NaN have no JSON form and give null here.)
fn to_number(s: &str) -> Value {
    let s = s.trim();
    let bytes = s.as_bytes();
    let digit_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    if bytes.iter().enumerate().any(|(i, b)| *b == b'_' && !(i > 0 && digit_at(i - 1) && digit_at(i + 1))) {
        return Value::Null;
    }
    let s = s.replace('_', "");
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(&s);
    if !unsigned.is_empty()
        && unsigned.bytes().all(|b| b.is_ascii_digit())
        && let Ok(i) = s.parse::<i128>()
    {
        return Num::Int(i).value();
    }
    s.parse::<f64>().map_or(Value::Null, |f| Num::Float(f).value())
}
