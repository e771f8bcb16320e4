//! What one search may spend, and the evaluator it runs nested expressions with.

use std::cell::Cell;

use serde_json::Value;

use super::EvalError;
use super::parser::Node;

/// What one search may spend, in units of one node evaluated or one JSON value (or 32 bytes of
/// text) copied. `@ | [@, @] | [@, @] | ...` doubles its data at every step; without a limit a
/// few hundred characters exhaust memory (in jmespath.py too). Real queries copy their input a
/// few times over, so the limit grows with the input.
///
/// It also carries the evaluator, so that functions evaluate their expression arguments
/// (`sort_by(@, &key)`) through the search they belong to.
pub(crate) struct Budget {
    units: Cell<u64>,
    eval: Eval,
}

/// The evaluator of a syntax tree (`eval::eval`).
pub(crate) type Eval = fn(&Node, &Value, &Budget) -> Result<Value, EvalError>;

impl Budget {
    pub fn for_input(data: &Value, eval: Eval) -> Budget {
        Budget::new(10_000_000u64.max(size(data).saturating_mul(32)), eval)
    }

    pub fn new(units: u64, eval: Eval) -> Budget {
        Budget { units: Cell::new(units), eval }
    }

    pub fn spend(&self, units: u64) -> Result<(), EvalError> {
        let left = self.units.get().checked_sub(units).ok_or_else(|| {
            EvalError::new("The query is too expensive: it builds far more data than its input holds")
        })?;
        self.units.set(left);
        Ok(())
    }

    /// `node` applied to `value`, within this budget.
    pub fn eval(&self, node: &Node, value: &Value) -> Result<Value, EvalError> {
        (self.eval)(node, value, self)
    }

    /// A copy of `value`, paid for by its size.
    pub fn copy(&self, value: &Value) -> Result<Value, EvalError> {
        self.spend(size(value))?;
        Ok(value.clone())
    }
}

/// Units to copy `value` (a loop, not recursion: the value may be deep).
pub(crate) fn size(value: &Value) -> u64 {
    match value {
        Value::String(s) => return 1 + s.len() as u64 / 32,
        Value::Array(_) | Value::Object(_) => {}
        _ => return 1,
    }
    let mut units = 0u64;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        units += 1;
        match value {
            Value::String(s) => units += s.len() as u64 / 32,
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                units += map.keys().map(|k| k.len() as u64 / 32).sum::<u64>();
                stack.extend(map.values());
            }
            _ => {}
        }
    }
    units
}
