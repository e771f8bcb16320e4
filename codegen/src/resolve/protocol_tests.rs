//! `smithy.test#httpRequestTests` and `httpResponseTests` cases read into typed IR: the id,
//! whether the case is for clients, its `params` as a typed document, and the case's JSON,
//! which the generated test passes to the support crate at run time.

use serde_json::Value;

use crate::ir::{Document, ProtocolTest};
use crate::smithy::Traits;

/// The cases of the test trait `trait_id`, in model order.
pub(super) fn cases(traits: &Traits, trait_id: &str) -> Result<Vec<ProtocolTest>, String> {
    let Some(cases) = traits.get(trait_id) else { return Ok(Vec::new()) };
    let cases = cases.as_array().ok_or_else(|| format!("{trait_id} is not a list"))?;
    cases.iter().enumerate().map(|(i, case)| case_of(case).map_err(|e| format!("{trait_id}[{i}]: {e}"))).collect()
}

fn case_of(case: &Value) -> Result<ProtocolTest, String> {
    let id = case["id"].as_str().ok_or("a case without an id")?.to_owned();
    Ok(ProtocolTest {
        for_clients: case["appliesTo"].as_str() != Some("server"),
        params: document(&case["params"]),
        case_json: serde_json::to_string(case).map_err(|e| format!("case {id}: {e}"))?,
        id,
    })
}

fn document(value: &Value) -> Document {
    match value {
        Value::Null => Document::Null,
        Value::Bool(b) => Document::Bool(*b),
        Value::Number(n) => Document::Number(n.to_string()),
        Value::String(s) => Document::String(s.clone()),
        Value::Array(items) => Document::List(items.iter().map(document).collect()),
        Value::Object(members) => {
            let mut members: Vec<(String, Document)> = members.iter().map(|(k, v)| (k.clone(), document(v))).collect();
            members.sort_by(|a, b| a.0.cmp(&b.0));
            Document::Map(members)
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn traits(value: Value) -> Traits {
        Traits(serde_json::from_value(value).unwrap())
    }

    #[test]
    fn cases_keep_their_id_audience_params_and_text() {
        let given = traits(json!({"smithy.test#httpResponseTests": [
            {"id": "A", "protocol": "aws.protocols#restXml", "code": 200, "params": {"B": [1, 2.5], "A": {"x": null}}},
            {"id": "B", "appliesTo": "server", "code": 200}
        ]}));
        let cases = super::cases(&given, "smithy.test#httpResponseTests").unwrap();
        assert_eq!((cases[0].id.as_str(), cases[0].for_clients, cases[1].for_clients), ("A", true, false));
        assert_eq!(
            cases[0].params,
            Document::Map(vec![
                ("A".into(), Document::Map(vec![("x".into(), Document::Null)])),
                ("B".into(), Document::List(vec![Document::Number("1".into()), Document::Number("2.5".into())])),
            ])
        );
        assert!(cases[0].case_json.contains("\"protocol\":\"aws.protocols#restXml\""), "{}", cases[0].case_json);
        let error =
            super::cases(&traits(json!({"smithy.test#httpRequestTests": [{}]})), "smithy.test#httpRequestTests");
        assert_eq!(error.unwrap_err(), "smithy.test#httpRequestTests[0]: a case without an id");
    }
}
