//! Structures, members and enums: Rust names, types, where each member travels on the wire, and
//! which fields are `Option`.

use super::*;

impl Resolver<'_> {
    /// A structure or union; `rename` gives synthetic operation inputs and outputs their name.
    pub(super) fn structure(&self, id: &str, shape: &Aggregate, rename: Option<&str>) -> Result<Structure, String> {
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

    pub(super) fn member(&self, owner: &str, name: &str, m: &crate::smithy::Member) -> Result<Member, String> {
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
        // A streaming blob is a stream where it is the payload (elsewhere Smithy forbids it).
        let streaming = target_traits.is_some_and(|tt| tt.has("smithy.api#streaming"));
        let ty = if ty == Type::Blob && streaming && location == Location::Payload { Type::Stream } else { ty };
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
            context_param: t.get("smithy.rules#contextParam").and_then(|c| c["name"].as_str()).map(str::to_owned),
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

    pub(super) fn enumeration(&self, id: &str, shape: &Shape) -> Result<Enum, String> {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::tiny;
    use crate::ir::{NamedShape, TimestampFormat, Type};

    #[test]
    fn required_members_are_not_options_and_optional_ones_are() {
        let input = json!({
            "Name": {"target": "t#Text", "traits": {"smithy.api#required": {}}},
            "Note": {"target": "t#Text"},
        });
        let service = tiny::resolve(json!({"method": "POST", "uri": "/"}), input, json!({}), json!({})).unwrap();
        let members = &tiny::input(&service).members;
        assert_eq!(
            members.iter().map(|m| (m.name.as_str(), m.required)).collect::<Vec<_>>(),
            [("Name", true), ("Note", false)]
        );
        assert_eq!(members[0].ty, Type::String);
    }

    #[test]
    fn xml_traits_and_timestamp_formats() {
        let input = json!({
            "Id": {"target": "t#Text", "traits": {"smithy.api#xmlAttribute": {}, "smithy.api#xmlName": "id"}},
            "When": {"target": "t#Time", "traits": {"smithy.api#timestampFormat": "epoch-seconds"}},
            "Since": {"target": "t#Time", "traits": {"smithy.api#httpHeader": "X-Since"}},
            "Tags": {"target": "t#Tags", "traits": {"smithy.api#xmlFlattened": {}}},
        });
        let extra = json!({
            "t#Time": {"type": "timestamp"},
            "t#Tags": {"type": "list", "member": {"target": "t#Text"}},
        });
        let service = tiny::resolve(json!({"method": "POST", "uri": "/"}), input, json!({}), extra).unwrap();
        let m = |name: &str| tiny::input(&service).members.iter().find(|m| m.name == name).unwrap().clone();
        assert!(m("Id").xml_attribute);
        assert_eq!(m("Id").xml_name, "id");
        assert_eq!(m("When").timestamp_format, Some(TimestampFormat::EpochSeconds));
        // A timestamp in a header defaults to the HTTP date format.
        assert_eq!(m("Since").timestamp_format, Some(TimestampFormat::HttpDate));
        assert!(m("Tags").xml_flattened);
    }

    #[test]
    fn a_cycle_of_structures_is_broken_by_boxing_and_enums_keep_their_values() {
        let input = json!({"Node": {"target": "t#Node"}, "Color": {"target": "t#Color"}});
        let extra = json!({
            "t#Node": {"type": "structure", "members": {"Next": {"target": "t#Node"}}},
            "t#Color": {"type": "enum", "members": {
                "RED": {"target": "smithy.api#Unit", "traits": {"smithy.api#enumValue": "red"}}
            }},
        });
        let service = tiny::resolve(json!({"method": "POST", "uri": "/"}), input, json!({}), extra).unwrap();
        let node = service.shapes.iter().find_map(|s| match s {
            NamedShape::Structure(s) if s.name == "Node" => Some(s),
            _ => None,
        });
        assert!(node.unwrap().members[0].boxed, "the self-reference is boxed");
        let color = service.shapes.iter().find_map(|s| match s {
            NamedShape::Enum(e) if e.name == "Color" => Some(e),
            _ => None,
        });
        let variant = &color.unwrap().variants[0];
        assert_eq!((variant.name.as_str(), variant.value.as_str()), ("Red", "red"));
    }

    #[test]
    fn an_unknown_timestamp_format_names_the_member() {
        let input = json!({"When": {"target": "t#Time", "traits": {"smithy.api#timestampFormat": "julian"}}});
        let extra = json!({"t#Time": {"type": "timestamp"}});
        let error = tiny::resolve(json!({"method": "POST", "uri": "/"}), input, json!({}), extra).unwrap_err();
        assert!(error.contains("julian"), "{error}");
    }

    #[test]
    fn idempotency_tokens_sensitive_values_and_member_namespaces() {
        let input = json!({
            "Token": {"target": "t#Text", "traits": {"smithy.api#idempotencyToken": {}}},
            "Secret": {"target": "t#Hidden"},
            "Ns": {"target": "t#Text", "traits": {"smithy.api#xmlNamespace": {"uri": "https://example.com/ns", "prefix": "e"}}},
        });
        let extra = json!({"t#Hidden": {"type": "string", "traits": {"smithy.api#sensitive": {}}}});
        let service = tiny::resolve(json!({"method": "POST", "uri": "/"}), input, json!({}), extra).unwrap();
        let m = |name: &str| tiny::input(&service).members.iter().find(|m| m.name == name).unwrap().clone();
        assert!(m("Token").idempotency_token && !m("Secret").idempotency_token);
        assert!(m("Secret").sensitive, "sensitive through its target shape");
        let ns = m("Ns").xml_namespace.expect("a namespace");
        assert_eq!((ns.uri.as_str(), ns.prefix.as_deref()), ("https://example.com/ns", Some("e")));
    }
}
