//! Which shapes are generated: the closure of the selected operations, and the members that
//! must be boxed to break cycles of structures.

use super::*;

impl Resolver<'_> {
    /// Every named shape reachable from the `selected` operations, inputs and outputs excluded
    /// (they become synthetic `<Op>Input`/`<Op>Output` structures); what outputs reach is also
    /// noted in `from_responses` (read from responses, so it tolerates unknown members).
    pub(super) fn reachable_from(&mut self, selected: &[&str]) -> Result<BTreeSet<String>, String> {
        let mut reachable = BTreeSet::new();
        for &op_id in selected {
            let Shape::Operation(op) = self.model.shape(op_id)? else {
                return Err(format!("{op_id} is not an operation"));
            };
            for io in [&op.input, &op.output].into_iter().flatten() {
                if let Shape::Structure(s) = self.model.shape(&io.target).or_else(|e| unit_or(&io.target, e))? {
                    for (_, m) in &s.members {
                        self.collect(&m.target, &mut reachable)?;
                    }
                }
            }
            // What the outputs reach is read from responses (and tolerates unknown members).
            let output = match &op.output {
                Some(o) => Some(self.model.shape(&o.target).or_else(|e| unit_or(&o.target, e))?),
                None => None,
            };
            if let Some(Shape::Structure(s)) = output {
                let mut from_responses = std::mem::take(&mut self.from_responses);
                for (_, m) in &s.members {
                    self.collect(&m.target, &mut from_responses)?;
                }
                self.from_responses = from_responses;
            }
            for e in &op.errors {
                self.collect(&e.target, &mut reachable)?;
            }
        }
        Ok(reachable)
    }

    /// Adds `id` and every named shape it reaches to `out`.
    pub(super) fn collect(&self, id: &str, out: &mut BTreeSet<String>) -> Result<(), String> {
        if id.starts_with("smithy.api#") || out.contains(id) {
            return Ok(());
        }
        let shape = self.model.shape(id)?;
        match shape {
            Shape::Structure(a) | Shape::Union(a) => {
                out.insert(id.to_owned());
                for (_, m) in &a.members {
                    self.collect(&m.target, out)?;
                }
            }
            Shape::Enum(_) | Shape::IntEnum(_) => {
                out.insert(id.to_owned());
            }
            Shape::String(s) if s.traits.has("smithy.api#enum") => {
                out.insert(id.to_owned());
            }
            Shape::List(c) | Shape::Set(c) => self.collect(&c.member.target, out)?,
            Shape::Map(m) => {
                self.collect(&m.key.target, out)?;
                self.collect(&m.value.target, out)?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Members whose target (directly, not through a list or map) can reach back to the
    /// member's own structure: those fields are boxed so the Rust type has a finite size.
    pub(super) fn cycle_edges(&self, reachable: &BTreeSet<String>) -> Result<BTreeSet<(String, String)>, String> {
        let mut direct: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
        for id in reachable {
            if let Shape::Structure(a) | Shape::Union(a) = self.model.shape(id)? {
                for (name, m) in &a.members {
                    if matches!(self.model.shapes.get(&m.target), Some(Shape::Structure(_) | Shape::Union(_))) {
                        direct.entry(id).or_default().push((name, &m.target));
                    }
                }
            }
        }
        let reaches = |from: &str, to: &str| {
            let mut stack = vec![from];
            let mut seen = BTreeSet::new();
            while let Some(at) = stack.pop() {
                if at == to {
                    return true;
                }
                if seen.insert(at) {
                    stack.extend(direct.get(at).into_iter().flatten().map(|(_, t)| *t));
                }
            }
            false
        };
        let mut edges = BTreeSet::new();
        for (&from, members) in &direct {
            for &(name, target) in members {
                if reaches(target, from) {
                    edges.insert((from.to_owned(), name.to_owned()));
                }
            }
        }
        Ok(edges)
    }
}
