//! botocore's params are in botocore's shapes, which differ from the Smithy model in one known
//! way: botocore types `ListInvalidations.MaxItems` as a string. Where the model says integer
//! and botocore gave a string holding an integer, the runner passes the integer. Nothing else
//! is changed, so every other type mismatch still reaches our deserializer and fails there.

use std::collections::BTreeMap;

use cloudfront_codegen::ir::{NamedShape, Service, Structure, Type};
use serde_json::Value;

/// The project's model (`model/`), resolved by the generator.
pub fn resolved(root: &std::path::Path) -> Result<Service, String> {
    let read = |p: &str| std::fs::read_to_string(root.join(p)).map_err(|e| format!("cannot read {p}: {e}"));
    let settings =
        cloudfront_codegen::Settings::from_json(&read(&cloudfront_codegen::project_settings_path("cloudfront"))?)?;
    let model =
        cloudfront_codegen::smithy::Model::from_json(&read(&cloudfront_codegen::project_model_path("cloudfront"))?)?;
    cloudfront_codegen::resolve::resolve(&model, &settings)
}

/// The project's model, resolved, to look member types up.
pub struct Types {
    service: Service,
}

impl Types {
    pub fn load(root: &std::path::Path) -> Result<Types, String> {
        Ok(Types { service: resolved(root)? })
    }

    /// `params` with integer-holding strings turned into numbers where the model wants integers.
    pub fn coerce(&self, operation: &str, params: &Value) -> Value {
        let aggregates: BTreeMap<&str, &Structure> = self
            .service
            .shapes
            .iter()
            .filter_map(|s| match s {
                NamedShape::Structure(s) | NamedShape::Union(s) => Some((s.name.as_str(), s)),
                NamedShape::Enum(_) => None,
            })
            .collect();
        match self.service.operations.iter().find(|op| op.name == operation) {
            Some(op) => coerce_structure(&op.input, params, &aggregates),
            None => params.clone(),
        }
    }
}

fn coerce_structure(s: &Structure, value: &Value, aggregates: &BTreeMap<&str, &Structure>) -> Value {
    let Value::Object(fields) = value else { return value.clone() };
    let coerced = fields
        .iter()
        .map(|(key, v)| {
            let v = match s.members.iter().find(|m| &m.name == key) {
                Some(m) => coerce_value(&m.ty, v, aggregates),
                None => v.clone(),
            };
            (key.clone(), v)
        })
        .collect();
    Value::Object(coerced)
}

fn coerce_value(ty: &Type, value: &Value, aggregates: &BTreeMap<&str, &Structure>) -> Value {
    match (ty, value) {
        (Type::Integer | Type::Long | Type::Short | Type::Byte, Value::String(text)) => match text.parse::<i64>() {
            Ok(n) => Value::from(n),
            Err(_) => value.clone(),
        },
        (Type::Structure(name), _) => match aggregates.get(name.as_str()) {
            Some(s) => coerce_structure(s, value, aggregates),
            None => value.clone(),
        },
        (Type::List(list), Value::Array(items)) => {
            Value::Array(items.iter().map(|item| coerce_value(&list.member, item, aggregates)).collect())
        }
        _ => value.clone(),
    }
}
