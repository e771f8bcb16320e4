//! Where the project deliberately differs from botocore, as rules: `deviations.json` next to
//! this crate pairs a predicate over a case (named below, evaluated against the project's
//! resolved model) with what the project does instead and why. A predicate looks only at what
//! a case does (the operation's model types, the input's values, botocore's verdict, the
//! response's status and shape), never at its id or file, so any vector of the class gets the
//! same verdict; `rule-vectors/` holds botocore's answers on inputs made for each rule. The
//! first rule whose predicate holds applies; a rule that matches no case of the full default
//! set fails the run, so the list cannot go stale.

use std::cell::Cell;
use std::collections::BTreeMap;

use cloudfront_codegen::ir::{Location, NamedShape, Service, Structure, Type};
use serde_json::Value;

/// What the project does instead of what botocore does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Expect {
    /// Refuses the input (or response) with a clear error.
    Error,
    /// Reads the response, filling required members botocore leaves out with zero values
    /// (Smithy's client error correction).
    ErrorCorrection,
    /// Describes the error by its HTTP status because the body is not an AWS error document.
    HttpStatusCode,
    /// Reports the `x-amz-request-id` header as the request id where botocore reports none.
    RequestIdFromHeader,
    /// Sends the request where botocore refused the input.
    Sent,
}

/// The classes of case a rule can name.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Predicate {
    /// A request whose `Quantity` is a whole number other than the number of `Items`.
    QuantityDisagreesWithItems,
    /// A request member the model types as a 32-bit integer holding a boolean, text that is
    /// not a whole number, or a number beyond 32 bits.
    IntegerMemberNotI32,
    /// A request that botocore refused for the type of a member the model types as a 32-bit
    /// integer, which holds a whole number in range (botocore's own model types
    /// `ListInvalidations.MaxItems` as a string).
    IntegerMemberTypedAsTextByBotocore,
    /// A request whose path label is empty, `.` or `..`.
    LabelEmptyOrDot,
    /// A response whose parsed form (botocore's) leaves out a member the model requires.
    ResponseLacksRequiredMember,
    /// A success (2xx) response with an empty body.
    ResponseBodyEmpty,
    /// A response with a 32-bit integer member holding a whole number beyond 32 bits.
    ResponseIntegerBeyondI32,
    /// An error response whose body is an HTML page (its root element is `html`, in any case,
    /// after any XML declaration, comments or doctype).
    ErrorBodyIsHtml,
    /// An error response with an empty body and an `x-amz-request-id` header.
    ErrorBodyEmptyWithRequestIdHeader,
}

impl Predicate {
    fn named(name: &str) -> Option<Predicate> {
        Some(match name {
            "quantity-disagrees-with-items" => Predicate::QuantityDisagreesWithItems,
            "integer-member-not-i32" => Predicate::IntegerMemberNotI32,
            "integer-member-typed-as-text-by-botocore" => Predicate::IntegerMemberTypedAsTextByBotocore,
            "label-empty-or-dot" => Predicate::LabelEmptyOrDot,
            "response-lacks-required-member" => Predicate::ResponseLacksRequiredMember,
            "response-body-empty" => Predicate::ResponseBodyEmpty,
            "response-integer-beyond-i32" => Predicate::ResponseIntegerBeyondI32,
            "error-body-is-html" => Predicate::ErrorBodyIsHtml,
            "error-body-empty-with-request-id-header" => Predicate::ErrorBodyEmptyWithRequestIdHeader,
            _ => return None,
        })
    }
}

pub struct Deviation {
    name: String,
    predicate: Predicate,
    pub expect: Expect,
    pub reason: String,
    pub error_contains: Option<String>,
    used: Cell<usize>,
}

pub struct Deviations {
    rules: Vec<Deviation>,
    service: Service,
}

/// One case as the rules see it: its kind (`requests`, `responses`, `errors`), operation and JSON.
pub struct Case<'a> {
    pub kind: &'a str,
    pub operation: &'a str,
    pub json: &'a Value,
}

impl Deviations {
    pub fn load(path: &std::path::Path, service: Service) -> Result<Deviations, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let json: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut rules = Vec::new();
        for entry in json["rules"].as_array().ok_or("deviations.json: no \"rules\" list")? {
            let name = entry["when"].as_str().ok_or("deviations.json: every rule needs \"when\"")?;
            let predicate =
                Predicate::named(name).ok_or_else(|| format!("deviations.json: no predicate named {name:?}"))?;
            let expect = match entry["expect"].as_str() {
                Some("error") => Expect::Error,
                Some("error-correction") => Expect::ErrorCorrection,
                Some("http-status-code") => Expect::HttpStatusCode,
                Some("request-id-from-header") => Expect::RequestIdFromHeader,
                Some("sent") => Expect::Sent,
                other => return Err(format!("deviations.json: {name}: unknown expect {other:?}")),
            };
            let reason = entry["reason"]
                .as_str()
                .filter(|r| !r.is_empty())
                .ok_or_else(|| format!("deviations.json: {name}: every rule needs a reason"))?;
            rules.push(Deviation {
                name: name.to_owned(),
                predicate,
                expect,
                reason: reason.to_owned(),
                error_contains: entry["error_contains"].as_str().map(str::to_owned),
                used: Cell::new(0),
            });
        }
        Ok(Deviations { rules, service })
    }

    /// The first rule whose predicate holds for `case`, if any.
    pub fn find(&self, case: &Case<'_>) -> Option<&Deviation> {
        let found = self.rules.iter().find(|rule| self.holds(rule.predicate, case));
        if let Some(rule) = found {
            rule.used.set(rule.used.get() + 1);
        }
        found
    }

    /// Rules that matched no case.
    pub fn unused(&self) -> Vec<String> {
        self.rules.iter().filter(|r| r.used.get() == 0).map(|r| r.name.clone()).collect()
    }

    fn holds(&self, predicate: Predicate, case: &Case<'_>) -> bool {
        let Some(op) = self.service.operations.iter().find(|op| op.name == case.operation) else { return false };
        let params = &case.json["params"];
        let body = case.json["body"].as_str().unwrap_or_default();
        match (case.kind, predicate) {
            ("requests", Predicate::QuantityDisagreesWithItems) => quantity_disagrees(params),
            ("requests", Predicate::IntegerMemberNotI32) => self.integer_not_i32(&op.input, params),
            ("requests", Predicate::IntegerMemberTypedAsTextByBotocore) => {
                let refusal = case.json["validation_error"]["message"].as_str().unwrap_or_default();
                self.integer_members_in_range(&op.input, params)
                    .iter()
                    .any(|path| refusal.contains(&format!("Invalid type for parameter {path},")))
            }
            ("requests", Predicate::LabelEmptyOrDot) => op.input.members.iter().any(|m| {
                matches!(m.location, Location::Label { .. })
                    && params[&m.name].as_str().is_some_and(|v| matches!(v, "" | "." | ".."))
            }),
            ("responses", Predicate::ResponseLacksRequiredMember) => {
                case.json["expect"] == "output"
                    && !body.is_empty()
                    && self.lacks_required(&op.output, &case.json["output"])
            }
            ("responses", Predicate::ResponseBodyEmpty) => {
                body.is_empty() && case.json["status"].as_u64().is_some_and(|s| (200..300).contains(&s))
            }
            ("responses", Predicate::ResponseIntegerBeyondI32) => {
                self.integer_elements(body).any(|text| whole_number_beyond_i32(text.trim()))
            }
            ("errors", Predicate::ErrorBodyIsHtml) => {
                root_element(body).is_some_and(|n| n.eq_ignore_ascii_case("html"))
            }
            ("errors", Predicate::ErrorBodyEmptyWithRequestIdHeader) => {
                body.is_empty()
                    && case.json["headers"]
                        .as_object()
                        .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("x-amz-request-id")))
            }
            _ => false,
        }
    }

    fn aggregates(&self) -> BTreeMap<&str, &Structure> {
        self.service
            .shapes
            .iter()
            .filter_map(|s| match s {
                NamedShape::Structure(s) | NamedShape::Union(s) => Some((s.name.as_str(), s)),
                NamedShape::Enum(_) => None,
            })
            .collect()
    }

    /// Every value given for a 32-bit integer member of `value` (of structure `s`), through
    /// nested structures and lists, with its path in botocore's naming (`A.B`, `A[0]`).
    fn integer_values<'v>(&self, s: &Structure, value: &'v Value) -> Vec<(String, &'v Value)> {
        let aggregates = self.aggregates();
        let mut found = Vec::new();
        let mut pending: Vec<(&Type, &Value, String, usize)> = Vec::new();
        if let Value::Object(map) = value {
            pending.extend(s.members.iter().filter_map(|m| map.get(&m.name).map(|v| (&m.ty, v, m.name.clone(), 0))));
        }
        while let Some((ty, value, path, depth)) = pending.pop() {
            if depth > 32 {
                continue;
            }
            match (ty, value) {
                (Type::Integer, _) => found.push((path, value)),
                (Type::Structure(name) | Type::Union(name), Value::Object(map)) => {
                    for m in aggregates.get(name.as_str()).map_or(&[][..], |s| &s.members[..]) {
                        if let Some(v) = map.get(&m.name) {
                            pending.push((&m.ty, v, format!("{path}.{}", m.name), depth + 1));
                        }
                    }
                }
                (Type::List(list), Value::Array(items)) => {
                    for (i, item) in items.iter().enumerate() {
                        pending.push((&list.member, item, format!("{path}[{i}]"), depth + 1));
                    }
                }
                _ => {}
            }
        }
        found
    }

    /// Whether any 32-bit integer member of `value` (of structure `s`) holds something else:
    /// a boolean, text that is not a whole number in range, or a number beyond 32 bits.
    fn integer_not_i32(&self, s: &Structure, value: &Value) -> bool {
        self.integer_values(s, value).iter().any(|(_, v)| match v {
            Value::Bool(_) => true,
            Value::String(text) => text.trim().parse::<i32>().is_err(),
            Value::Number(n) => n.as_i64().is_some_and(|n| i32::try_from(n).is_err()),
            _ => false,
        })
    }

    /// The paths of the 32-bit integer members of `value` (of structure `s`) that hold a JSON
    /// whole number within range.
    fn integer_members_in_range(&self, s: &Structure, value: &Value) -> Vec<String> {
        let in_range = |v: &Value| v.as_i64().is_some_and(|n| i32::try_from(n).is_ok());
        self.integer_values(s, value).into_iter().filter(|(_, v)| in_range(v)).map(|(path, _)| path).collect()
    }

    /// Whether `value` (botocore's parsed output for structure `s`) leaves out a required member.
    fn lacks_required(&self, s: &Structure, value: &Value) -> bool {
        let aggregates = self.aggregates();
        fn walk(s: &Structure, value: &Value, aggregates: &BTreeMap<&str, &Structure>, depth: usize) -> bool {
            let Value::Object(map) = value else { return false };
            if depth > 32 {
                return false;
            }
            s.members.iter().any(|m| match map.get(&m.name) {
                None => m.required,
                Some(inner) => match &m.ty {
                    Type::Structure(name) => {
                        aggregates.get(name.as_str()).is_some_and(|s| walk(s, inner, aggregates, depth + 1))
                    }
                    Type::List(list) => match (&list.member, inner) {
                        (Type::Structure(name), Value::Array(items)) => aggregates
                            .get(name.as_str())
                            .is_some_and(|s| items.iter().any(|i| walk(s, i, aggregates, depth + 1))),
                        _ => false,
                    },
                    _ => false,
                },
            })
        }
        walk(s, value, &aggregates, 0)
    }

    /// The text of every element of `body` named like a 32-bit integer member of the model
    /// (attributes allowed on its start tag).
    fn integer_elements<'b>(&self, body: &'b str) -> impl Iterator<Item = &'b str> {
        let names: Vec<String> = self
            .aggregates()
            .values()
            .flat_map(|s| s.members.iter())
            .chain(self.service.operations.iter().flat_map(|op| op.output.members.iter()))
            .filter(|m| matches!(m.ty, Type::Integer))
            .map(|m| m.xml_name.clone())
            .collect();
        names.into_iter().flat_map(move |name| {
            let open = format!("<{name}");
            let close = format!("</{name}");
            body.match_indices(&open)
                .filter_map(|(at, _)| {
                    let rest = &body[at + open.len()..];
                    // `<Name>` or `<Name attr="...">`, not `<NameLonger>`.
                    if !rest.starts_with(|c: char| c == '>' || c.is_ascii_whitespace()) {
                        return None;
                    }
                    let start = rest.find('>')? + 1;
                    rest[start..].find(&close).map(|end| &rest[start..start + end])
                })
                .collect::<Vec<_>>()
        })
    }
}

/// Whether some object in `value` has a whole-number `Quantity` other than its `Items` count.
fn quantity_disagrees(value: &Value) -> bool {
    match value {
        Value::Object(map) => {
            // Items absent counts as none; Items that is not a list is another class of mistake.
            let items = match map.get("Items") {
                None => Some(0),
                Some(Value::Array(items)) => i64::try_from(items.len()).ok(),
                Some(_) => None,
            };
            let quantity = map.get("Quantity").and_then(Value::as_i64);
            let here = matches!((quantity, items), (Some(q), Some(n)) if q != n);
            here || map.values().any(quantity_disagrees)
        }
        Value::Array(items) => items.iter().any(quantity_disagrees),
        _ => false,
    }
}

/// Whether `text` is a whole number (optional sign, digits) outside the 32-bit range, however
/// many digits it has.
fn whole_number_beyond_i32(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) && text.parse::<i32>().is_err()
}

/// The name of a document's root element: the first start tag after any XML declaration,
/// processing instructions, comments and doctype (none when the body has no element).
fn root_element(body: &str) -> Option<&str> {
    let mut rest = body.trim_start();
    loop {
        if let Some(after) = rest.strip_prefix("<?") {
            rest = after.split_once("?>")?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.split_once("-->")?.1.trim_start();
        } else if let Some(after) = rest.strip_prefix("<!") {
            rest = after.split_once('>')?.1.trim_start();
        } else {
            let tag = rest.strip_prefix('<')?;
            let end = tag.find(|c: char| c == '>' || c == '/' || c.is_ascii_whitespace()).unwrap_or(tag.len());
            return Some(&tag[..end]).filter(|name| !name.is_empty());
        }
    }
}
