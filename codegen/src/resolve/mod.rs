//! Stage 2 (resolve): from the Smithy model and the settings to the IR.
//!
//! This is where every decision is made once: which shapes are generated, what each is
//! called in Rust, where each member travels on the wire, which fields are `Option`, and
//! which must be boxed to break cycles.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

mod behaviour;
mod endpoint_rules;
mod protocol_tests;

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
    fn service(mut self) -> Result<Service, String> {
        let Shape::Service(service) = self.model.shape(&self.settings.service)? else {
            return Err(format!("{} is not a service shape", self.settings.service));
        };
        if !service.resources.is_empty() {
            return Err("services with resources are not supported yet; list operations on the service".into());
        }
        let available: BTreeMap<&str, &str> =
            service.operations.iter().map(|t| (shape_name(&t.target), t.target.as_str())).collect();
        let selected: Vec<&str> = match &self.settings.operations {
            Some(names) => names
                .iter()
                .map(|n| {
                    available.get(n.as_str()).copied().ok_or_else(|| format!("operation {n} is not in the service"))
                })
                .collect::<Result<_, _>>()?,
            None => available.values().copied().collect(),
        };

        // Every named shape reachable from the selected operations, inputs and outputs excluded
        // (they become synthetic `<Op>Input`/`<Op>Output` structures).
        let mut reachable = BTreeSet::new();
        for &op_id in &selected {
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
        self.boxed_edges = self.cycle_edges(&reachable)?;

        let mut operations = Vec::new();
        for &op_id in &selected {
            operations.push(self.operation(op_id, &service.traits)?);
        }
        let mut shapes = Vec::new();
        let mut errors = Vec::new();
        for id in &reachable {
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
            xml_content_type: self.settings.xml_content_type,
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

    /// Adds `id` and every named shape it reaches to `out`.
    fn collect(&self, id: &str, out: &mut BTreeSet<String>) -> Result<(), String> {
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
    fn cycle_edges(&self, reachable: &BTreeSet<String>) -> Result<BTreeSet<(String, String)>, String> {
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

    fn operation(&self, id: &str, service_traits: &Traits) -> Result<Operation, String> {
        let Shape::Operation(op) = self.model.shape(id)? else { unreachable!("checked by the caller") };
        let name = shape_name(id).to_owned();
        let http = op.traits.get("smithy.api#http").ok_or_else(|| format!("operation {name} has no @http trait"))?;
        let uri = http["uri"].as_str().ok_or_else(|| format!("operation {name}: @http has no uri"))?;
        let (path_text, query_text) = uri.split_once('?').unwrap_or((uri, ""));
        let mut path = Vec::new();
        for piece in split_labels(path_text) {
            path.push(match piece.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                Some(label) => match label.strip_suffix('+') {
                    Some(member) => PathSegment::Label { member: member.to_owned(), greedy: true },
                    None => PathSegment::Label { member: label.to_owned(), greedy: false },
                },
                None => PathSegment::Literal(piece.to_owned()),
            });
        }
        let literal_query = query_text
            .split('&')
            .filter(|p| !p.is_empty())
            .map(|p| match p.split_once('=') {
                Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                None => (p.to_owned(), None),
            })
            .collect();
        let io = |target: &Option<crate::smithy::Target>, suffix: &str| -> Result<Structure, String> {
            let empty = Aggregate::default();
            let (shape_id, aggregate) = match target {
                Some(t) if t.target != "smithy.api#Unit" => match self.model.shape(&t.target)? {
                    Shape::Structure(s) => (t.target.as_str(), s),
                    _ => return Err(format!("operation {name}: {} is not a structure", t.target)),
                },
                _ => (id, &empty),
            };
            let synthetic = format!("{name}{suffix}");
            let mut s = self.structure(shape_id, aggregate, Some(&synthetic))?;
            if aggregate.members.is_empty() && target.as_ref().is_none_or(|t| t.target == "smithy.api#Unit") {
                s.xml_name = synthetic.clone();
            }
            s.is_input = suffix == "Input";
            s.is_output = suffix == "Output";
            s.tolerates_unknown_members = s.is_output;
            // Bindings that mean nothing in this direction are ignored: the member travels in
            // the body (a response has no path or query; a request has no status code).
            for m in &mut s.members {
                let ignored = match m.location {
                    Location::Label { .. } | Location::Query(_) | Location::QueryParams => s.is_output,
                    Location::ResponseCode => s.is_input,
                    _ => false,
                };
                if ignored {
                    m.location = Location::Body;
                }
            }
            Ok(s)
        };
        let mut input = io(&op.input, "Input")?;
        // Whether a label is greedy is a property of the URI pattern, not of the member.
        for segment in &path {
            if let PathSegment::Label { member, greedy } = segment {
                let bound = input
                    .members
                    .iter_mut()
                    .find(|m| &m.name == member && matches!(m.location, Location::Label { .. }));
                match bound {
                    Some(m) => m.location = Location::Label { greedy: *greedy },
                    None => return Err(format!("operation {name}: URI label {{{member}}} has no @httpLabel member")),
                }
            }
        }
        let paginated = behaviour::paginated(
            &name,
            op.traits.get("smithy.api#paginated"),
            service_traits.get("smithy.api#paginated"),
        )?;
        let waiters = behaviour::waiters(&name, op.traits.get("smithy.waiters#waitable"))?;
        Ok(Operation {
            snake: snake_case(&name),
            doc: Some(op.traits.documentation().map_or_else(|| format!("Calls `{name}`."), str::to_owned)),
            method: http["method"].as_str().unwrap_or("GET").to_owned(),
            path,
            literal_query,
            http_code: http["code"].as_u64().unwrap_or(200) as u16,
            output: io(&op.output, "Output")?,
            input,
            errors: op.errors.iter().map(|e| type_name(shape_name(&e.target))).collect(),
            paginated,
            waiters,
            request_tests: protocol_tests::cases(&op.traits, "smithy.test#httpRequestTests")
                .map_err(|e| format!("operation {name}: {e}"))?,
            response_tests: protocol_tests::cases(&op.traits, "smithy.test#httpResponseTests")
                .map_err(|e| format!("operation {name}: {e}"))?,
            host_prefix: op.traits.get("smithy.api#endpoint").and_then(|e| e["hostPrefix"].as_str()).map(str::to_owned),
            request_compression: op
                .traits
                .get("smithy.api#requestCompression")
                .and_then(|c| c["encodings"].as_array())
                .map(|e| e.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default(),
            name,
        })
    }

    /// A structure or union; `rename` gives synthetic operation inputs and outputs their name.
    fn structure(&self, id: &str, shape: &Aggregate, rename: Option<&str>) -> Result<Structure, String> {
        let shape_name = shape_name(id).to_owned();
        let name = rename.map_or_else(|| type_name(&shape_name), str::to_owned);
        let mut members = Vec::new();
        for (member_name, m) in &shape.members {
            members.push(self.member(id, member_name, m)?);
        }
        let mut fields = BTreeSet::new();
        for m in &members {
            if !fields.insert(m.field.as_str()) {
                return Err(format!("{shape_name}: two members map to the Rust field {}", m.field));
            }
        }
        let error = shape.traits.string("smithy.api#error").map(|fault| ErrorInfo {
            fault: fault.to_owned(),
            http_status: shape.traits.get("smithy.api#httpError").and_then(Value::as_u64).map(|s| s as u16),
            code: shape_name.clone(),
            retryable: shape.traits.get("smithy.api#retryable").map(|r| r["throttling"].as_bool().unwrap_or(false)),
        });
        let counted_list = if self.settings.counted_lists {
            let quantity = members.iter().position(|m| m.name == "Quantity" && m.ty == Type::Integer && m.required);
            let items = members.iter().position(|m| m.name == "Items" && matches!(m.ty, Type::List(_)));
            quantity.zip(items).map(|(quantity, items)| CountedList { quantity, items })
        } else {
            None
        };
        Ok(Structure {
            module: module_name(&name),
            xml_name: shape.traits.string("smithy.api#xmlName").unwrap_or(&shape_name).to_owned(),
            xml_namespace: xml_namespace(&shape.traits),
            // Every public item is documented (`missing_docs` is denied in generated crates).
            doc: Some(shape.traits.documentation().map_or_else(|| format!("The `{shape_name}` shape."), str::to_owned)),
            name,
            shape_name,
            members,
            error,
            is_input: false,
            is_output: false,
            tolerates_unknown_members: self.from_responses.contains(id),
            counted_list,
            response_tests: protocol_tests::cases(&shape.traits, "smithy.test#httpResponseTests")
                .map_err(|e| format!("{id}: {e}"))?,
        })
    }

    fn member(&self, owner: &str, name: &str, m: &crate::smithy::Member) -> Result<Member, String> {
        let t = &m.traits;
        let target_traits = self.model.shapes.get(&m.target).map(Shape::traits);
        let location = if t.has("smithy.api#httpLabel") {
            Location::Label { greedy: false }
        } else if let Some(q) = t.string("smithy.api#httpQuery") {
            Location::Query(q.to_owned())
        } else if t.has("smithy.api#httpQueryParams") {
            Location::QueryParams
        } else if let Some(h) = t.string("smithy.api#httpHeader") {
            Location::Header(h.to_owned())
        } else if let Some(p) = t.string("smithy.api#httpPrefixHeaders") {
            Location::PrefixHeaders(p.to_owned())
        } else if t.has("smithy.api#httpPayload") {
            Location::Payload
        } else if t.has("smithy.api#httpResponseCode") {
            Location::ResponseCode
        } else {
            Location::Body
        };
        let ty = self.type_of(&m.target)?;
        let xml_name = match (&location, t.string("smithy.api#xmlName")) {
            (_, Some(x)) => x.to_owned(),
            (Location::Payload, None) => match self.model.shapes.get(&m.target) {
                Some(Shape::Structure(s) | Shape::Union(s)) => {
                    s.traits.string("smithy.api#xmlName").unwrap_or(shape_name(&m.target)).to_owned()
                }
                _ => name.to_owned(),
            },
            (_, None) => name.to_owned(),
        };
        let timestamp_format = self.timestamp_format(t, &m.target)?.or_else(|| {
            holds_timestamp(&ty).then_some(match location {
                Location::Header(_) => TimestampFormat::HttpDate,
                _ => TimestampFormat::DateTime,
            })
        });
        Ok(Member {
            field: field_name(name),
            doc: Some(
                t.documentation()
                    .or_else(|| target_traits.and_then(Traits::documentation))
                    .map_or_else(|| format!("The `{name}` member."), str::to_owned),
            ),
            required: t.has("smithy.api#required"),
            xml_attribute: t.has("smithy.api#xmlAttribute"),
            xml_flattened: t.has("smithy.api#xmlFlattened"),
            xml_namespace: xml_namespace(t),
            sensitive: t.has("smithy.api#sensitive") || target_traits.is_some_and(|tt| tt.has("smithy.api#sensitive")),
            idempotency_token: t.has("smithy.api#idempotencyToken"),
            boxed: self.boxed_edges.contains(&(owner.to_owned(), name.to_owned())),
            deprecated: t.has("smithy.api#deprecated"),
            media_type: target_traits.and_then(|tt| tt.string("smithy.api#mediaType")).map(str::to_owned),
            host_label: t.has("smithy.api#hostLabel"),
            location,
            name: name.to_owned(),
            ty,
            xml_name,
            timestamp_format,
        })
    }

    /// The explicit `@timestampFormat` on the member, its target, or a list member's target.
    fn timestamp_format(&self, member: &Traits, target: &str) -> Result<Option<TimestampFormat>, String> {
        let read =
            |traits: &Traits| traits.string("smithy.api#timestampFormat").map(parse_timestamp_format).transpose();
        if let Some(f) = read(member)? {
            return Ok(Some(f));
        }
        match self.model.shapes.get(target) {
            Some(Shape::Timestamp(s)) => read(&s.traits),
            Some(Shape::List(c) | Shape::Set(c)) => match read(&c.member.traits)? {
                Some(f) => Ok(Some(f)),
                None => self.timestamp_format(&Traits::default(), &c.member.target),
            },
            _ => Ok(None),
        }
    }

    fn type_of(&self, target: &str) -> Result<Type, String> {
        if let Some(prelude) = target.strip_prefix("smithy.api#") {
            return Ok(match prelude {
                "String" => Type::String,
                "Blob" => Type::Blob,
                "Boolean" | "PrimitiveBoolean" => Type::Boolean,
                "Byte" | "PrimitiveByte" => Type::Byte,
                "Short" | "PrimitiveShort" => Type::Short,
                "Integer" | "PrimitiveInteger" => Type::Integer,
                "Long" | "PrimitiveLong" => Type::Long,
                "Float" | "PrimitiveFloat" => Type::Float,
                "Double" | "PrimitiveDouble" => Type::Double,
                "BigInteger" => Type::BigInteger,
                "BigDecimal" => Type::BigDecimal,
                "Timestamp" => Type::Timestamp,
                "Document" => Type::Document,
                other => return Err(format!("unsupported prelude shape smithy.api#{other}")),
            });
        }
        let name = || type_name(shape_name(target));
        Ok(match self.model.shape(target)? {
            Shape::String(s) if s.traits.has("smithy.api#enum") => Type::Enum(name()),
            Shape::String(_) => Type::String,
            Shape::Blob(_) => Type::Blob,
            Shape::Boolean(_) => Type::Boolean,
            Shape::Byte(_) => Type::Byte,
            Shape::Short(_) => Type::Short,
            Shape::Integer(_) => Type::Integer,
            Shape::Long(_) => Type::Long,
            Shape::Float(_) => Type::Float,
            Shape::Double(_) => Type::Double,
            Shape::BigInteger(_) => Type::BigInteger,
            Shape::BigDecimal(_) => Type::BigDecimal,
            Shape::Timestamp(_) => Type::Timestamp,
            Shape::Document(_) => Type::Document,
            Shape::Enum(_) => Type::Enum(name()),
            Shape::IntEnum(_) => Type::IntEnum(name()),
            Shape::Structure(_) => Type::Structure(name()),
            Shape::Union(_) => Type::Union(name()),
            Shape::List(c) | Shape::Set(c) => Type::List(Box::new(List {
                member: self.type_of(&c.member.target)?,
                member_xml_name: c.member.traits.string("smithy.api#xmlName").unwrap_or("member").to_owned(),
                member_xml_namespace: xml_namespace(&c.member.traits),
                sparse: c.traits.has("smithy.api#sparse"),
            })),
            Shape::Map(m) => Type::Map(Box::new(Map {
                key: self.type_of(&m.key.target)?,
                value: self.type_of(&m.value.target)?,
                key_xml_name: m.key.traits.string("smithy.api#xmlName").unwrap_or("key").to_owned(),
                value_xml_name: m.value.traits.string("smithy.api#xmlName").unwrap_or("value").to_owned(),
                key_xml_namespace: xml_namespace(&m.key.traits),
                value_xml_namespace: xml_namespace(&m.value.traits),
                sparse: m.traits.has("smithy.api#sparse"),
            })),
            Shape::Service(_) | Shape::Operation(_) | Shape::Resource(_) => {
                return Err(format!("{target} cannot be the target of a member"));
            }
        })
    }

    fn enumeration(&self, id: &str, shape: &Shape) -> Result<Enum, String> {
        let shape_name = shape_name(id).to_owned();
        let name = type_name(&shape_name);
        let mut variants = Vec::new();
        let int = matches!(shape, Shape::IntEnum(_));
        match shape {
            Shape::Enum(a) | Shape::IntEnum(a) => {
                for (member, m) in &a.members {
                    let value = match m.traits.get("smithy.api#enumValue") {
                        Some(Value::String(s)) => s.clone(),
                        Some(Value::Number(n)) => n.to_string(),
                        _ if int => {
                            return Err(format!("{shape_name}.{member}: intEnum member without an integer value"));
                        }
                        _ => member.clone(),
                    };
                    variants.push(Variant {
                        name: pascal_case(member),
                        value,
                        doc: m.traits.documentation().map(str::to_owned),
                    });
                }
            }
            Shape::String(s) => {
                for entry in s.traits.get("smithy.api#enum").and_then(Value::as_array).into_iter().flatten() {
                    let value = entry["value"].as_str().unwrap_or_default().to_owned();
                    let label = entry["name"].as_str().unwrap_or(&value);
                    variants.push(Variant {
                        name: pascal_case(label),
                        doc: entry["documentation"].as_str().map(str::to_owned),
                        value,
                    });
                }
            }
            _ => unreachable!("only enums are passed here"),
        }
        let mut seen = BTreeSet::new();
        for v in &mut variants {
            if v.name == "Unknown" {
                v.name = "UnknownValue".into();
            }
            if !seen.insert(v.name.clone()) {
                return Err(format!("{shape_name}: two enum values map to the Rust variant {}", v.name));
            }
        }
        Ok(Enum {
            module: module_name(&name),
            doc: Some(
                shape.traits().documentation().map_or_else(|| format!("The `{shape_name}` enum."), str::to_owned),
            ),
            name,
            shape_name,
            variants,
            int,
        })
    }
}

/// An operation's `smithy.api#Unit` input or output has no shape entry; treat it as empty.
fn unit_or<'a>(target: &str, error: String) -> Result<&'a Shape, String> {
    static UNIT: std::sync::OnceLock<Shape> = std::sync::OnceLock::new();
    if target == "smithy.api#Unit" {
        Ok(UNIT.get_or_init(|| Shape::Structure(Aggregate::default())))
    } else {
        Err(error)
    }
}

/// The protocol test cases a trait lists (empty when absent).
/// Splits `/a/{B}/c{D+}` into literal pieces and `{...}` labels.
fn split_labels(path: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        if open > 0 {
            pieces.push(&rest[..open]);
        }
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        pieces.push(&rest[open..close]);
        rest = &rest[close..];
    }
    if !rest.is_empty() {
        pieces.push(rest);
    }
    pieces
}

fn holds_timestamp(ty: &Type) -> bool {
    match ty {
        Type::Timestamp => true,
        Type::List(l) => holds_timestamp(&l.member),
        Type::Map(m) => holds_timestamp(&m.value),
        _ => false,
    }
}

fn parse_timestamp_format(text: &str) -> Result<TimestampFormat, String> {
    match text {
        "date-time" => Ok(TimestampFormat::DateTime),
        "http-date" => Ok(TimestampFormat::HttpDate),
        "epoch-seconds" => Ok(TimestampFormat::EpochSeconds),
        other => Err(format!("unknown timestampFormat {other:?}")),
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
