//! `smithy.rules#endpointRuleSet` and `smithy.rules#endpointTests` read into typed IR. The
//! rules language is small (conditions over parameters, calls, templates, three kinds of
//! rule); anything outside it is an error here, naming the trait and where in it.

use serde_json::Value;

use crate::ir::{
    AuthScheme, Condition, EndpointExpectation, EndpointParameter, EndpointResult, EndpointRuleSet, EndpointTest,
    ExpectedAuthScheme, Expr, Literal, OperationInput, ParameterType, Rule, RuleOutcome,
};

const RULE_SET: &str = "smithy.rules#endpointRuleSet";
const TESTS: &str = "smithy.rules#endpointTests";

/// The service's rule set, or `None` when it has none.
pub(super) fn rule_set(trait_value: Option<&Value>) -> Result<Option<EndpointRuleSet>, String> {
    let Some(rules) = trait_value else { return Ok(None) };
    let at = |e: String| format!("{RULE_SET}: {e}");
    let declared = rules["parameters"].as_object().ok_or_else(|| at("no parameters".into()))?;
    let mut parameters =
        declared.iter().map(|(name, p)| parameter(name, p).map_err(at)).collect::<Result<Vec<_>, _>>()?;
    parameters.sort_by(|a, b| a.name.cmp(&b.name));
    let list = rules["rules"].as_array().ok_or_else(|| at("no rules".into()))?;
    let rules = rule_list(list, "rules").map_err(at)?;
    Ok(Some(EndpointRuleSet { parameters, rules }))
}

/// The service's endpoint test cases, in model order.
pub(super) fn tests(trait_value: Option<&Value>) -> Result<Vec<EndpointTest>, String> {
    let Some(cases) = trait_value.and_then(|t| t["testCases"].as_array()) else { return Ok(Vec::new()) };
    cases.iter().enumerate().map(|(i, case)| test(case).map_err(|e| format!("{TESTS}: case {}: {e}", i + 1))).collect()
}

fn parameter(name: &str, p: &Value) -> Result<EndpointParameter, String> {
    // Rule sets spell the types in either case (S3's says "Boolean").
    let ty = match p["type"].as_str().map(str::to_ascii_lowercase).as_deref() {
        Some("boolean") => ParameterType::Boolean,
        Some("string") => ParameterType::String,
        other => return Err(format!("parameter {name}: unsupported type {other:?}")),
    };
    let default = match p.get("default") {
        None | Some(Value::Null) => None,
        Some(v) => Some(literal(v).map_err(|e| format!("parameter {name}: default: {e}"))?),
    };
    let fits = matches!(
        (ty, &default),
        (_, None) | (ParameterType::Boolean, Some(Literal::Bool(_))) | (ParameterType::String, Some(Literal::Str(_)))
    );
    if !fits {
        return Err(format!("parameter {name}: its default does not fit its type"));
    }
    Ok(EndpointParameter {
        name: name.to_owned(),
        ty,
        required: p["required"].as_bool().unwrap_or(false),
        default,
        built_in: p["builtIn"].as_str().map(str::to_owned),
        // Every public item is documented (`missing_docs` is denied in generated crates).
        doc: Some(
            p["documentation"].as_str().map_or_else(|| format!("The rule set's `{name}` parameter."), str::to_owned),
        ),
    })
}

fn literal(v: &Value) -> Result<Literal, String> {
    match v {
        Value::Bool(b) => Ok(Literal::Bool(*b)),
        Value::String(s) => Ok(Literal::Str(s.clone())),
        other => Err(format!("{other} is neither a boolean nor a string")),
    }
}

fn rule_list(rules: &[Value], at: &str) -> Result<Vec<Rule>, String> {
    rules.iter().enumerate().map(|(i, r)| rule(r, &format!("{at}[{i}]"))).collect()
}

fn rule(r: &Value, at: &str) -> Result<Rule, String> {
    let conditions = r["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .enumerate()
        .map(|(i, c)| condition(c).map_err(|e| format!("{at}.conditions[{i}]: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let outcome = match r["type"].as_str() {
        Some("endpoint") => RuleOutcome::Endpoint(endpoint(&r["endpoint"]).map_err(|e| format!("{at}.endpoint: {e}"))?),
        Some("error") => RuleOutcome::Error(expr(&r["error"]).map_err(|e| format!("{at}.error: {e}"))?),
        Some("tree") => {
            let nested = r["rules"].as_array().ok_or_else(|| format!("{at}: a tree rule without rules"))?;
            RuleOutcome::Tree(rule_list(nested, &format!("{at}.rules"))?)
        }
        other => return Err(format!("{at}: unknown rule type {other:?}")),
    };
    Ok(Rule { conditions, outcome })
}

fn condition(c: &Value) -> Result<Condition, String> {
    let function = c["fn"].as_str().ok_or_else(|| format!("a condition without fn: {c}"))?.to_owned();
    let args = c["argv"].as_array().into_iter().flatten().map(expr).collect::<Result<Vec<_>, _>>()?;
    Ok(Condition { function, args, assign: c["assign"].as_str().map(str::to_owned) })
}

fn expr(v: &Value) -> Result<Expr, String> {
    match v {
        Value::Bool(b) => Ok(Expr::Bool(*b)),
        Value::String(s) => Ok(Expr::Str(s.clone())),
        Value::Number(n) => Ok(Expr::Int(n.as_u64().and_then(|n| usize::try_from(n).ok()).ok_or("a negative number")?)),
        Value::Object(o) if o.contains_key("ref") => {
            Ok(Expr::Ref(o["ref"].as_str().ok_or_else(|| format!("a ref that is not a name: {v}"))?.to_owned()))
        }
        Value::Object(o) if o.contains_key("fn") => Ok(Expr::Call {
            function: o["fn"].as_str().ok_or_else(|| format!("a fn that is not a name: {v}"))?.to_owned(),
            args: o.get("argv").and_then(Value::as_array).into_iter().flatten().map(expr).collect::<Result<_, _>>()?,
        }),
        other => Err(format!("not an expression: {other}")),
    }
}

fn endpoint(e: &Value) -> Result<EndpointResult, String> {
    let url = expr(&e["url"]).map_err(|err| format!("url: {err}"))?;
    let mut auth_schemes = Vec::new();
    for scheme in e["properties"]["authSchemes"].as_array().into_iter().flatten() {
        let optional = |key: &str| scheme.get(key).map(expr).transpose().map_err(|err| format!("{key}: {err}"));
        let region_set = scheme["signingRegionSet"].as_array().into_iter().flatten();
        auth_schemes.push(AuthScheme {
            name: scheme["name"].as_str().ok_or("an auth scheme without a name")?.to_owned(),
            signing_region: optional("signingRegion")?,
            signing_name: optional("signingName")?,
            signing_region_set: region_set.map(expr).collect::<Result<_, _>>()?,
            disable_double_encoding: scheme["disableDoubleEncoding"].as_bool().unwrap_or(false),
        });
    }
    let mut properties = Vec::new();
    for (name, value) in e["properties"].as_object().into_iter().flatten() {
        if name != "authSchemes" {
            properties.push((name.clone(), expr(value).map_err(|err| format!("property {name}: {err}"))?));
        }
    }
    let mut headers = Vec::new();
    if let Some(declared) = e["headers"].as_object() {
        for (name, values) in declared {
            let values = values.as_array().ok_or_else(|| format!("header {name}: not a list"))?;
            headers.push((name.clone(), values.iter().map(expr).collect::<Result<Vec<_>, _>>()?));
        }
    }
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(EndpointResult { url, auth_schemes, headers, properties })
}

/// A JSON object of names to booleans or strings, sorted by name.
fn literals(object: &Value, what: &str) -> Result<Vec<(String, Literal)>, String> {
    let mut out = Vec::new();
    for (name, value) in object.as_object().into_iter().flatten() {
        out.push((name.clone(), literal(value).map_err(|e| format!("{what} {name}: {e}"))?));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn operation_input(input: &Value) -> Result<OperationInput, String> {
    Ok(OperationInput {
        operation: input["operationName"].as_str().ok_or("an operation input without operationName")?.to_owned(),
        builtins: literals(&input["builtInParams"], "built-in")?,
        params: literals(&input["operationParams"], "operation param")?,
    })
}

fn test(case: &Value) -> Result<EndpointTest, String> {
    let params = literals(&case["params"], "param")?;
    let operation_inputs =
        case["operationInputs"].as_array().into_iter().flatten().map(operation_input).collect::<Result<_, _>>()?;
    let expect = &case["expect"];
    let expect = if let Some(error) = expect["error"].as_str() {
        EndpointExpectation::Error(error.to_owned())
    } else {
        let endpoint = &expect["endpoint"];
        let url = endpoint["url"].as_str().ok_or("expects neither an error nor an endpoint url")?.to_owned();
        let schemes = endpoint["properties"]["authSchemes"].as_array().into_iter().flatten();
        let auth_schemes = schemes.map(expected_auth_scheme).collect::<Result<_, _>>()?;
        let mut headers = Vec::new();
        for (name, values) in endpoint["headers"].as_object().into_iter().flatten() {
            let values = values.as_array().into_iter().flatten().map(|v| v.as_str().map(str::to_owned));
            headers.push((name.clone(), values.collect::<Option<_>>().ok_or("a header value is not a string")?));
        }
        headers.sort();
        let mut properties = Vec::new();
        for (name, value) in endpoint["properties"].as_object().into_iter().flatten() {
            if name != "authSchemes" {
                let value = value.as_str().ok_or_else(|| format!("property {name} is not a string"))?;
                properties.push((name.clone(), value.to_owned()));
            }
        }
        EndpointExpectation::Endpoint { url, auth_schemes, headers, properties }
    };
    Ok(EndpointTest {
        doc: case["documentation"].as_str().unwrap_or_default().to_owned(),
        params,
        expect,
        operation_inputs,
    })
}

fn expected_auth_scheme(s: &Value) -> Result<ExpectedAuthScheme, String> {
    let text = |key: &str| s[key].as_str().map(str::to_owned);
    let region_set = s["signingRegionSet"].as_array().into_iter().flatten().map(|v| v.as_str().map(str::to_owned));
    Ok(ExpectedAuthScheme {
        name: text("name").ok_or("an expected auth scheme without a name")?,
        signing_region: text("signingRegion"),
        signing_name: text("signingName"),
        signing_region_set: region_set.collect::<Option<_>>().ok_or("a signing region that is not a string")?,
        disable_double_encoding: s["disableDoubleEncoding"].as_bool().unwrap_or(false),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_rule_set_reads_into_a_typed_tree() {
        let set = json!({
            "parameters": {
                "Region": {"type": "string", "builtIn": "AWS::Region"},
                "UseFIPS": {"type": "boolean", "required": true, "default": false}
            },
            "rules": [
                {"conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]}], "type": "tree", "rules": [
                    {"conditions": [], "type": "endpoint", "endpoint": {
                        "url": "https://svc.{Region}.example",
                        "properties": {"authSchemes": [{"name": "sigv4", "signingRegion": "{Region}"}]},
                        "headers": {"b": ["2"], "a": ["1"]}
                    }}
                ]},
                {"conditions": [], "type": "error", "error": "no region"}
            ]
        });
        let set = rule_set(Some(&set)).unwrap().unwrap();
        assert_eq!(set.parameters.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["Region", "UseFIPS"]);
        assert_eq!(set.parameters[1].default, Some(Literal::Bool(false)));
        assert!(set.parameters[1].required && !set.parameters[0].required);
        let RuleOutcome::Tree(inner) = &set.rules[0].outcome else { panic!("{:?}", set.rules[0]) };
        assert_eq!(set.rules[0].conditions[0].args, [Expr::Ref("Region".into())]);
        let RuleOutcome::Endpoint(endpoint) = &inner[0].outcome else { panic!("{inner:?}") };
        assert_eq!(endpoint.url, Expr::Str("https://svc.{Region}.example".into()));
        assert_eq!(endpoint.auth_schemes[0].signing_region, Some(Expr::Str("{Region}".into())));
        assert_eq!(endpoint.headers.iter().map(|h| h.0.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(set.rules[1].outcome, RuleOutcome::Error(Expr::Str("no region".into())));
    }

    #[test]
    fn a_malformed_rule_set_names_the_trait_and_the_place() {
        let bad = |v: Value| rule_set(Some(&v)).unwrap_err();
        assert_eq!(bad(json!({"rules": []})), "smithy.rules#endpointRuleSet: no parameters");
        let error = bad(json!({"parameters": {"N": {"type": "integer"}}, "rules": []}));
        assert_eq!(error, "smithy.rules#endpointRuleSet: parameter N: unsupported type Some(\"integer\")");
        let error = bad(json!({"parameters": {}, "rules": [{"type": "tree", "rules": [{"type": "loop"}]}]}));
        assert_eq!(error, "smithy.rules#endpointRuleSet: rules[0].rules[0]: unknown rule type Some(\"loop\")");
        let error = bad(json!({"parameters": {"B": {"type": "boolean", "default": "yes"}}, "rules": []}));
        assert!(error.ends_with("parameter B: its default does not fit its type"), "{error}");
    }

    #[test]
    fn test_cases_expect_an_endpoint_or_an_error() {
        let cases = json!({"testCases": [
            {"documentation": "d", "params": {"UseFIPS": true, "Region": "eu-west-1"},
             "expect": {"endpoint": {"url": "https://x", "properties": {"backend": "b",
                "authSchemes": [{"name": "sigv4", "signingRegion": "us-east-1", "disableDoubleEncoding": true}]}}}},
            {"params": {}, "expect": {"error": "bad"}}
        ]});
        let cases = tests(Some(&cases)).unwrap();
        assert_eq!(cases[0].params[0], ("Region".to_owned(), Literal::Str("eu-west-1".into())));
        assert_eq!(
            cases[0].expect,
            EndpointExpectation::Endpoint {
                url: "https://x".into(),
                auth_schemes: vec![ExpectedAuthScheme {
                    name: "sigv4".into(),
                    signing_region: Some("us-east-1".into()),
                    signing_name: None,
                    signing_region_set: vec![],
                    disable_double_encoding: true,
                }],
                headers: vec![],
                properties: vec![("backend".into(), "b".into())],
            }
        );
        assert_eq!(cases[1].expect, EndpointExpectation::Error("bad".into()));
        let error = tests(Some(&json!({"testCases": [{"params": {"N": 1}, "expect": {"error": "x"}}]}))).unwrap_err();
        assert_eq!(error, "smithy.rules#endpointTests: case 1: param N: 1 is neither a boolean nor a string");
    }
}
