//! Operations: their HTTP binding (method, URI pattern and labels, status), input and output,
//! errors, and their behavioural traits.

use super::*;

impl Resolver<'_> {
    pub(super) fn operation(&self, id: &str, service_traits: &Traits) -> Result<Operation, String> {
        let Shape::Operation(op) = self.model.shape(id)? else { unreachable!("checked by the caller") };
        let name = shape_name(id).to_owned();
        let http = op.traits.get("smithy.api#http").ok_or_else(|| format!("operation {name} has no @http trait"))?;
        let uri = http["uri"].as_str().ok_or_else(|| format!("operation {name}: @http has no uri"))?;
        let (path, mut literal_query) = uri_pattern(uri);
        literal_query.retain(|(key, _)| !self.settings.omitted_literal_query.contains(key));
        let mut input = self.io_structure(id, &name, op.input.as_ref(), "Input")?;
        bind_labels(&mut input, &path, &name)?;
        let path = without_rule_placed_label(path, &input);
        let mut paginated = behaviour::paginated(
            &name,
            op.traits.get("smithy.api#paginated"),
            service_traits.get("smithy.api#paginated"),
        )?;
        if let Some(p) = &mut paginated {
            p.truncated = self.truncation_flag(op.output.as_ref(), &p.output_token)?;
        }
        let waiters = behaviour::waiters(&name, op.traits.get("smithy.waiters#waitable"))?;
        let streaming_input = input.members.iter().any(|m| m.ty == Type::Stream);
        let request_checksum = request_checksum(&op.traits, &input)?;
        let output = self.io_structure(id, &name, op.output.as_ref(), "Output")?;
        let error_in_success = self.settings.errors_in_success && !output.members.iter().any(|m| m.ty == Type::Stream);
        let static_context_params = static_context_params(&op.traits).map_err(|e| format!("operation {name}: {e}"))?;
        Ok(Operation {
            static_context_params,
            error_in_success,
            output_unwrapped: op.traits.has("aws.customizations#s3UnwrappedXmlOutput"),
            streaming_input,
            request_checksum,
            snake: snake_case(&name),
            doc: Some(op.traits.documentation().map_or_else(|| format!("Calls `{name}`."), str::to_owned)),
            method: http["method"].as_str().unwrap_or("GET").to_owned(),
            path,
            literal_query,
            http_code: http["code"].as_u64().unwrap_or(200) as u16,
            output,
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
}

impl Resolver<'_> {
    /// An operation's input or output (`suffix`), named `{operation}{suffix}` when the model
    /// gives none; members bound where a message of this direction has no such place travel
    /// in the body.
    fn io_structure(
        &self,
        id: &str,
        name: &str,
        target: Option<&crate::smithy::Target>,
        suffix: &str,
    ) -> Result<Structure, String> {
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
        if aggregate.members.is_empty() && target.is_none_or(|t| t.target == "smithy.api#Unit") {
            s.xml_name = synthetic.clone();
        }
        s.is_input = suffix == "Input";
        s.is_output = suffix == "Output";
        s.tolerates_unknown_members = s.is_output;
        // Bindings that mean nothing in this direction are ignored: the member travels in the
        // body (a response has no path or query; a request has no status code).
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
    }

    /// The output path of a boolean `IsTruncated` beside the output token, if there is one
    /// (CloudFront's lists carry it; `false` means the last page whatever the token says).
    fn truncation_flag(
        &self,
        output: Option<&crate::smithy::Target>,
        output_token: &str,
    ) -> Result<Option<String>, String> {
        let Some(mut shape) = output.map(|t| t.target.as_str()) else { return Ok(None) };
        let (parent, _) = output_token.rsplit_once('.').unwrap_or(("", output_token));
        for segment in parent.split('.').filter(|s| !s.is_empty()) {
            let Shape::Structure(aggregate) = self.model.shape(shape)? else { return Ok(None) };
            let Some((_, member)) = aggregate.members.iter().find(|(name, _)| name == segment) else { return Ok(None) };
            shape = &member.target;
        }
        let Shape::Structure(aggregate) = self.model.shape(shape)? else { return Ok(None) };
        let boolean = |target: &str| {
            matches!(target, "smithy.api#Boolean" | "smithy.api#PrimitiveBoolean")
                || matches!(self.model.shape(target), Ok(Shape::Boolean(_)))
        };
        let flag = aggregate.members.iter().find(|(name, m)| name == "IsTruncated" && boolean(&m.target));
        Ok(flag.map(|(name, _)| if parent.is_empty() { name.clone() } else { format!("{parent}.{name}") }))
    }
}

/// The path segments (literal or labels) and literal query of an `@http` URI pattern.
fn uri_pattern(uri: &str) -> (Vec<PathSegment>, Vec<(String, Option<String>)>) {
    let (path_text, query_text) = uri.split_once('?').unwrap_or((uri, ""));
    let path = split_labels(path_text)
        .into_iter()
        .map(|piece| match piece.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
            Some(label) => match label.strip_suffix('+') {
                Some(member) => PathSegment::Label { member: member.to_owned(), greedy: true },
                None => PathSegment::Label { member: label.to_owned(), greedy: false },
            },
            None => PathSegment::Literal(piece.to_owned()),
        })
        .collect();
    let query = query_text
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
            None => (p.to_owned(), None),
        })
        .collect();
    (path, query)
}

/// `smithy.rules#staticContextParams`: `{"Param": {"value": true}}`, sorted by name;
/// `operationContextParams` (values picked out of the input by path) are refused until
/// the generator reads them.
fn static_context_params(traits: &Traits) -> Result<Vec<(String, Literal)>, String> {
    if traits.has("smithy.rules#operationContextParams") {
        return Err("smithy.rules#operationContextParams is not supported by the generator".into());
    }
    let mut params = Vec::new();
    for (name, param) in traits.get("smithy.rules#staticContextParams").and_then(Value::as_object).into_iter().flatten()
    {
        let value = match &param["value"] {
            Value::Bool(b) => Literal::Bool(*b),
            Value::String(s) => Literal::Str(s.clone()),
            other => return Err(format!("static context parameter {name}: {other} is neither a boolean nor a string")),
        };
        params.push((name.clone(), value));
    }
    params.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(params)
}

/// The request checksum `httpChecksum` (or the older `httpChecksumRequired`) asks for; the
/// algorithm member must be bound to a header.
fn request_checksum(traits: &Traits, input: &Structure) -> Result<Option<RequestChecksum>, String> {
    let flexible = traits.get("aws.protocols#httpChecksum");
    let required = traits.has("smithy.api#httpChecksumRequired")
        || flexible.is_some_and(|c| c["requestChecksumRequired"].as_bool() == Some(true));
    let algorithm_member = match flexible.and_then(|c| c["requestAlgorithmMember"].as_str()) {
        None => None,
        Some(name) => match input.members.iter().find(|m| m.name == name).map(|m| &m.location) {
            Some(Location::Header(header)) => Some((name.to_owned(), header.clone())),
            _ => return Err(format!("httpChecksum: {name} is not a header member of {}", input.name)),
        },
    };
    Ok((required || algorithm_member.is_some()).then_some(RequestChecksum { required, algorithm_member }))
}

/// The path without a leading `/{Label}` segment whose member is also an endpoint context
/// parameter: the endpoint rules place that value themselves (S3's bucket goes into the host,
/// or into the endpoint's path for path-style addressing), as botocore strips `/{Bucket}`;
/// what remains may be empty, which adds nothing to the endpoint's path.
fn without_rule_placed_label(mut path: Vec<PathSegment>, input: &Structure) -> Vec<PathSegment> {
    let placed_by_rules = |segment: &PathSegment| match segment {
        PathSegment::Label { member, greedy: false } => {
            input.members.iter().any(|m| &m.name == member && m.context_param.is_some())
        }
        _ => false,
    };
    let whole_segment = match path.get(2) {
        None => true,
        Some(PathSegment::Literal(next)) => next.starts_with('/'),
        Some(PathSegment::Label { .. }) => false,
    };
    if path.first() == Some(&PathSegment::Literal("/".into()))
        && path.get(1).is_some_and(placed_by_rules)
        && whole_segment
    {
        path.drain(..2);
    }
    path
}

/// Binds each URI label to its `@httpLabel` member; whether a label is greedy is a property
/// of the URI pattern, not of the member.
fn bind_labels(input: &mut Structure, path: &[PathSegment], operation: &str) -> Result<(), String> {
    for segment in path {
        if let PathSegment::Label { member, greedy } = segment {
            let bound =
                input.members.iter_mut().find(|m| &m.name == member && matches!(m.location, Location::Label { .. }));
            match bound {
                Some(m) => m.location = Location::Label { greedy: *greedy },
                None => return Err(format!("operation {operation}: URI label {{{member}}} has no @httpLabel member")),
            }
        }
    }
    Ok(())
}

/// An operation's `smithy.api#Unit` input or output has no shape entry; treat it as empty.
pub(super) fn unit_or<'a>(target: &str, error: String) -> Result<&'a Shape, String> {
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::tiny;
    use crate::ir::{Location, PathSegment};

    fn member(trait_id: &str, value: serde_json::Value) -> serde_json::Value {
        json!({"target": "t#Text", "traits": {trait_id: value, "smithy.api#required": {}}})
    }

    #[test]
    fn labels_become_path_segments_and_greedy_labels_say_so() {
        let input = json!({
            "Id": member("smithy.api#httpLabel", json!({})),
            "Key": member("smithy.api#httpLabel", json!({})),
        });
        let service =
            tiny::resolve(json!({"method": "GET", "uri": "/things/{Id}/{Key+}"}), input, json!({}), json!({})).unwrap();
        let op = &service.operations[0];
        assert_eq!(op.method, "GET");
        assert!(op.path.contains(&PathSegment::Label { member: "Key".into(), greedy: true }), "{:?}", op.path);
        let location =
            |name: &str| tiny::input(&service).members.iter().find(|m| m.name == name).unwrap().location.clone();
        assert_eq!(
            (location("Id"), location("Key")),
            (Location::Label { greedy: false }, Location::Label { greedy: true })
        );
    }

    #[test]
    fn a_label_without_a_member_is_refused() {
        let error = tiny::resolve(json!({"method": "GET", "uri": "/things/{Id}"}), json!({}), json!({}), json!({}));
        assert_eq!(error.unwrap_err(), "operation Op: URI label {Id} has no @httpLabel member");
    }

    #[test]
    fn query_header_and_payload_bindings() {
        let input = json!({
            "Q": member("smithy.api#httpQuery", json!("max-items")),
            "H": member("smithy.api#httpHeader", json!("X-Thing")),
            "Body": {"target": "t#Text", "traits": {"smithy.api#httpPayload": {}}},
        });
        let output = json!({
            "Code": {"target": "t#Int", "traits": {"smithy.api#httpResponseCode": {}}},
            "Meta": {"target": "t#Map", "traits": {"smithy.api#httpPrefixHeaders": "x-meta-"}},
        });
        let extra = json!({
            "t#Int": {"type": "integer"},
            "t#Map": {"type": "map", "key": {"target": "t#Text"}, "value": {"target": "t#Text"}},
        });
        let service = tiny::resolve(json!({"method": "PUT", "uri": "/x", "code": 201}), input, output, extra).unwrap();
        let op = &service.operations[0];
        assert_eq!(op.http_code, 201);
        let find =
            |s: &crate::ir::Structure, name: &str| s.members.iter().find(|m| m.name == name).unwrap().location.clone();
        assert_eq!(find(&op.input, "Q"), Location::Query("max-items".into()));
        assert_eq!(find(&op.input, "H"), Location::Header("X-Thing".into()));
        assert_eq!(find(&op.input, "Body"), Location::Payload);
        assert_eq!(find(&op.output, "Code"), Location::ResponseCode);
        assert_eq!(find(&op.output, "Meta"), Location::PrefixHeaders("x-meta-".into()));
    }

    #[test]
    fn query_params_maps_host_prefixes_and_request_compression() {
        let input = json!({
            "Id": {"target": "t#Text", "traits": {"smithy.api#required": {}, "smithy.api#hostLabel": {}}},
            "Rest": {"target": "t#Map", "traits": {"smithy.api#httpQueryParams": {}}},
        });
        let extra = json!({
            "t#Map": {"type": "map", "key": {"target": "t#Text"}, "value": {"target": "t#Text"}},
            "t#Op": {"type": "operation", "input": {"target": "t#OpInput"}, "output": {"target": "t#OpOutput"},
                     "traits": {"smithy.api#http": {"method": "POST", "uri": "/"},
                                "smithy.api#endpoint": {"hostPrefix": "{Id}.data."},
                                "smithy.api#requestCompression": {"encodings": ["gzip"]}}},
        });
        let service = tiny::resolve(json!({}), input, json!({}), extra).unwrap();
        let op = &service.operations[0];
        assert_eq!(op.host_prefix.as_deref(), Some("{Id}.data."));
        assert_eq!(op.request_compression, ["gzip"]);
        let m = |name: &str| tiny::input(&service).members.iter().find(|m| m.name == name).unwrap().clone();
        assert!(m("Id").host_label);
        assert_eq!(m("Rest").location, Location::QueryParams);
    }

    #[test]
    fn modeled_errors_carry_their_fault_status_and_retry_class() {
        let extra = json!({
            "t#Op": {"type": "operation", "input": {"target": "t#OpInput"}, "output": {"target": "t#OpOutput"},
                     "errors": [{"target": "t#Busy"}],
                     "traits": {"smithy.api#http": {"method": "GET", "uri": "/"}}},
            "t#Busy": {"type": "structure", "members": {"Message": {"target": "t#Text"}},
                       "traits": {"smithy.api#error": "server", "smithy.api#httpError": 503,
                                  "smithy.api#retryable": {"throttling": true}}},
        });
        let service = tiny::resolve(json!({}), json!({}), json!({}), extra).unwrap();
        assert_eq!(service.operations[0].errors, ["Busy"]);
        let busy = service.errors[0].error.as_ref().expect("an error structure");
        assert_eq!((busy.fault.as_str(), busy.http_status, busy.code.as_str()), ("server", Some(503), "Busy"));
        assert_eq!(busy.retryable, Some(true), "retryable, as throttling");
    }
}
