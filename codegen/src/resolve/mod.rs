//! Stage 2 (resolve): from the Smithy model and the settings to the IR.
//!
//! This is where every decision is made once: which shapes are generated, what each is
//! called in Rust, where each member travels on the wire, which fields are `Option`, and
//! which must be boxed to break cycles.
//!
//! One file per concern: `closure` (which shapes, which members boxed), `operations` (HTTP
//! bindings, inputs, outputs, errors), `shapes` (structures, members, enums), and one per family
//! of traits read into typed IR: `behaviour` (paginators, waiters), `endpoint_rules`,
//! `protocol_tests`. Each has unit tests on tiny models (the `tiny` helper below).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

mod behaviour;
mod closure;
mod endpoint_rules;
mod operations;
mod protocol_tests;
mod shapes;

use operations::unit_or;

use crate::Settings;
use crate::ir::*;
use crate::names::{field_name, module_name, pascal_case, snake_case, type_name};
use crate::smithy::{Aggregate, Model, Shape, Traits, shape_name};

/// Builds the IR of `settings.service` restricted to the selected operations.
pub fn resolve(model: &Model, settings: &Settings) -> Result<Service, String> {
    Resolver { model, settings, boxed_edges: BTreeSet::new(), from_responses: BTreeSet::new() }.service()
}

struct Resolver<'a> {
    model: &'a Model,
    settings: &'a Settings,
    /// (structure id, member name) pairs that must be boxed.
    boxed_edges: BTreeSet<(String, String)>,
    /// Shapes reached from an operation's output: they are read from responses.
    from_responses: BTreeSet<String>,
}

impl Resolver<'_> {
    /// The operations the settings select (all of the service's without a list), by id.
    fn selected_operations<'m>(&self, operations: &'m [crate::smithy::Target]) -> Result<Vec<&'m str>, String> {
        let available: BTreeMap<&str, &str> =
            operations.iter().map(|t| (shape_name(&t.target), t.target.as_str())).collect();
        match &self.settings.operations {
            Some(names) => names
                .iter()
                .map(|n| {
                    available.get(n.as_str()).copied().ok_or_else(|| format!("operation {n} is not in the service"))
                })
                .collect(),
            None => Ok(available.values().copied().collect()),
        }
    }

    /// The named shapes (structures, unions, enums) and errors of `reachable`, sorted by name.
    fn named_shapes(&self, reachable: &BTreeSet<String>) -> Result<(Vec<NamedShape>, Vec<Structure>), String> {
        let mut shapes = Vec::new();
        let mut errors = Vec::new();
        for id in reachable {
            let shape = self.model.shape(id)?;
            match shape {
                Shape::Structure(s) if s.traits.has("smithy.api#error") => errors.push(self.structure(id, s, None)?),
                Shape::Structure(s) => shapes.push(NamedShape::Structure(self.structure(id, s, None)?)),
                Shape::Union(u) => shapes.push(NamedShape::Union(self.structure(id, u, None)?)),
                Shape::Enum(_) | Shape::IntEnum(_) | Shape::String(_) => {
                    shapes.push(NamedShape::Enum(self.enumeration(id, shape)?))
                }
                _ => {}
            }
        }
        shapes.sort_by(|a, b| a.name().cmp(b.name()));
        errors.sort_by(|a, b| a.name.cmp(&b.name));
        Ok((shapes, errors))
    }

    fn service(mut self) -> Result<Service, String> {
        let Shape::Service(service) = self.model.shape(&self.settings.service)? else {
            return Err(format!("{} is not a service shape", self.settings.service));
        };
        if !service.resources.is_empty() {
            return Err("services with resources are not supported yet; list operations on the service".into());
        }
        let selected = self.selected_operations(&service.operations)?;
        let reachable = self.reachable_from(&selected)?;
        self.boxed_edges = self.cycle_edges(&reachable)?;

        let mut operations = Vec::new();
        for &op_id in &selected {
            operations.push(self.operation(op_id, &service.traits)?);
        }
        let (shapes, errors) = self.named_shapes(&reachable)?;
        check_unique_names(&operations, &shapes, &errors)?;

        let traits = &service.traits;
        Ok(Service {
            crate_prefix: self.settings.crate_prefix.clone(),
            title: traits
                .string("smithy.api#title")
                .map(str::to_owned)
                .or_else(|| traits.get("aws.api#service").and_then(|s| s["sdkId"].as_str()).map(str::to_owned))
                .unwrap_or_else(|| shape_name(&self.settings.service).to_owned()),
            doc: traits.documentation().map(str::to_owned),
            version: service.version.clone(),
            xml_namespace: xml_namespace(traits),
            signing_name: traits.get("aws.auth#sigv4").and_then(|s| s["name"].as_str()).map(str::to_owned),
            default_content_types: self.settings.default_content_types,
            refuse_dot_segment_labels: self.settings.refuse_dot_segment_labels,
            payload_hash_header: self.settings.payload_hash_header,
            region_redirects: self.settings.region_redirects && traits.has("smithy.rules#endpointRuleSet"),
            body_less_errors: self.settings.body_less_errors.iter().map(|(s, code)| (*s, code.clone())).collect(),
            sdk_id: traits
                .get("aws.api#service")
                .and_then(|s| s["sdkId"].as_str())
                .unwrap_or_else(|| shape_name(&self.settings.service))
                .to_owned(),
            endpoint_rules: endpoint_rules::rule_set(traits.get("smithy.rules#endpointRuleSet"))?,
            endpoint_tests: endpoint_rules::tests(traits.get("smithy.rules#endpointTests"))?,
            operations,
            shapes,
            errors,
        })
    }
}

fn xml_namespace(traits: &Traits) -> Option<XmlNamespace> {
    traits.get("smithy.api#xmlNamespace").map(|ns| XmlNamespace {
        uri: ns["uri"].as_str().unwrap_or_default().to_owned(),
        prefix: ns["prefix"].as_str().map(str::to_owned),
    })
}

/// Two shapes (or a shape and a synthetic input/output) with one Rust name would not compile;
/// say which instead.
fn check_unique_names(operations: &[Operation], shapes: &[NamedShape], errors: &[Structure]) -> Result<(), String> {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut claim = |rust: &str, origin: String| match seen.insert(rust.to_owned(), origin.clone()) {
        Some(previous) => Err(format!("{origin} and {previous} both map to the Rust type {rust}")),
        None => Ok(()),
    };
    for op in operations {
        claim(&op.input.name, format!("input of {}", op.name))?;
        claim(&op.output.name, format!("output of {}", op.name))?;
        claim(&format!("{}Error", op.name), format!("error enum of {}", op.name))?;
    }
    for s in shapes {
        claim(s.name(), format!("shape {}", s.name()))?;
    }
    for e in errors {
        claim(&e.name, format!("error {}", e.shape_name))?;
    }
    Ok(())
}

/// Tiny one-concern models for the resolver's unit tests: a service `t#S` with one operation
/// `Op` whose input and output members (and any extra shapes) the test supplies.
#[cfg(test)]
pub(super) mod tiny {
    use serde_json::{Value, json};

    use crate::ir::{Service, Structure};

    /// Resolves the model, or says why not.
    pub fn resolve(http: Value, input: Value, output: Value, extra: Value) -> Result<Service, String> {
        let mut shapes = json!({
            "t#S": {"type": "service", "version": "1", "operations": [{"target": "t#Op"}],
                    "traits": {"aws.protocols#restXml": {}}},
            "t#Op": {"type": "operation", "input": {"target": "t#OpInput"}, "output": {"target": "t#OpOutput"},
                     "traits": {"smithy.api#http": http}},
            "t#OpInput": {"type": "structure", "members": input, "traits": {"smithy.api#input": {}}},
            "t#OpOutput": {"type": "structure", "members": output, "traits": {"smithy.api#output": {}}},
            "t#Text": {"type": "string"},
        });
        for (id, shape) in extra.as_object().into_iter().flatten() {
            shapes[id] = shape.clone();
        }
        let model = crate::smithy::Model::from_json(&json!({"smithy": "2.0", "shapes": shapes}).to_string())?;
        let settings = crate::Settings::from_json(r#"{"service": "t#S", "crate_prefix": "t"}"#)?;
        super::resolve(&model, &settings)
    }

    /// The input structure of the only operation.
    pub fn input(service: &Service) -> &Structure {
        &service.operations[0].input
    }
}
