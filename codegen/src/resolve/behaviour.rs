//! The behavioural traits of an operation read into typed IR: `smithy.api#paginated` (with the
//! service's defaults) and `smithy.waiters#waitable`. Defaults are applied here, once, and a
//! malformed trait is an error naming the operation and the trait.

use serde_json::Value;

use crate::ir::{Acceptor, AcceptorState, Comparator, Matcher, Paginated, Waiter};

const PAGINATED: &str = "smithy.api#paginated";
const WAITABLE: &str = "smithy.waiters#waitable";

/// The operation's pagination: its own `@paginated` over the service's, or `None`.
pub(super) fn paginated(
    operation: &str,
    own: Option<&Value>,
    service: Option<&Value>,
) -> Result<Option<Paginated>, String> {
    let Some(own) = own else { return Ok(None) };
    let field = |key: &str| -> Result<Option<String>, String> {
        let value = own.get(key).filter(|v| !v.is_null()).or_else(|| service.and_then(|s| s.get(key)));
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(other) => Err(format!("operation {operation}: {PAGINATED}: {key} is {other}, not a string")),
        }
    };
    let required = |key: &str| {
        field(key)?.ok_or_else(|| format!("operation {operation}: {PAGINATED} has no {key} (nor does the service)"))
    };
    Ok(Some(Paginated {
        input_token: required("inputToken")?,
        output_token: required("outputToken")?,
        items: field("items")?,
        page_size: field("pageSize")?,
        // Known once the output is resolved (`Resolver::truncation_flag`).
        truncated: None,
    }))
}

/// The operation's waiters, sorted by name.
pub(super) fn waiters(operation: &str, waitable: Option<&Value>) -> Result<Vec<Waiter>, String> {
    let Some(waitable) = waitable else { return Ok(Vec::new()) };
    let declared = waitable.as_object().ok_or_else(|| format!("operation {operation}: {WAITABLE} is not an object"))?;
    let mut waiters = declared
        .iter()
        .map(|(name, w)| waiter(name, w).map_err(|e| format!("operation {operation}: {WAITABLE} {name}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    waiters.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(waiters)
}

fn waiter(name: &str, w: &Value) -> Result<Waiter, String> {
    let delay = |key: &str, default: u64| match w.get(key) {
        None => Ok(default),
        Some(v) => {
            v.as_u64().filter(|d| *d >= 1).ok_or_else(|| format!("{key} must be a whole number of seconds, at least 1"))
        }
    };
    let (min_delay, max_delay) = (delay("minDelay", 2)?, delay("maxDelay", 120)?);
    if max_delay < min_delay {
        return Err(format!("maxDelay {max_delay} is below minDelay {min_delay}"));
    }
    let acceptors = w["acceptors"].as_array().filter(|a| !a.is_empty()).ok_or("no acceptors")?;
    Ok(Waiter {
        name: name.to_owned(),
        doc: w["documentation"].as_str().map(str::to_owned),
        min_delay,
        max_delay,
        acceptors: acceptors
            .iter()
            .enumerate()
            .map(|(i, a)| acceptor(a).map_err(|e| format!("acceptor {i}: {e}")))
            .collect::<Result<_, _>>()?,
    })
}

fn acceptor(a: &Value) -> Result<Acceptor, String> {
    let state = match a["state"].as_str() {
        Some("success") => AcceptorState::Success,
        Some("failure") => AcceptorState::Failure,
        Some("retry") => AcceptorState::Retry,
        other => return Err(format!("unknown state {other:?}")),
    };
    let m = &a["matcher"];
    let matcher = if let Some(output) = m.get("output") {
        let text =
            |key: &str| output[key].as_str().map(str::to_owned).ok_or_else(|| format!("output matcher without {key}"));
        let comparator = match output["comparator"].as_str() {
            Some("stringEquals") => Comparator::StringEquals,
            Some("booleanEquals") => Comparator::BooleanEquals,
            Some("allStringEquals") => Comparator::AllStringEquals,
            Some("anyStringEquals") => Comparator::AnyStringEquals,
            other => return Err(format!("unknown comparator {other:?}")),
        };
        Matcher::Output { path: text("path")?, expected: text("expected")?, comparator }
    } else if let Some(code) = m.get("errorType") {
        Matcher::ErrorType(code.as_str().ok_or("errorType is not a string")?.to_owned())
    } else if let Some(success) = m.get("success") {
        Matcher::Success(success.as_bool().ok_or("success is not a boolean")?)
    } else {
        return Err(format!("unsupported matcher {m}"));
    };
    Ok(Acceptor { state, matcher })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn pagination_takes_the_service_defaults_and_names_what_is_missing() {
        let service = json!({"inputToken": "Marker", "outputToken": "NextMarker", "pageSize": "MaxItems"});
        let own = json!({"items": "List.Items"});
        let p = paginated("ListThings", Some(&own), Some(&service)).unwrap().unwrap();
        assert_eq!(
            p,
            Paginated {
                input_token: "Marker".into(),
                output_token: "NextMarker".into(),
                items: Some("List.Items".into()),
                page_size: Some("MaxItems".into()),
                truncated: None,
            }
        );
        assert_eq!(paginated("Get", None, Some(&service)).unwrap(), None);
        let error = paginated("ListThings", Some(&own), None).unwrap_err();
        assert_eq!(error, "operation ListThings: smithy.api#paginated has no inputToken (nor does the service)");
        let error = paginated("ListThings", Some(&json!({"inputToken": 3})), None).unwrap_err();
        assert!(error.contains("inputToken is 3, not a string"), "{error}");
    }

    #[test]
    fn waiters_get_smithy_defaults_and_typed_matchers() {
        let waitable = json!({
            "Done": {
                "documentation": "Waits until done.",
                "acceptors": [
                    {"state": "success", "matcher": {"output": {"path": "Thing.Status", "expected": "Done", "comparator": "stringEquals"}}},
                    {"state": "retry", "matcher": {"errorType": "NotYet"}},
                    {"state": "failure", "matcher": {"success": false}}
                ]
            },
            "Alpha": {"minDelay": 5, "maxDelay": 10, "acceptors": [{"state": "success", "matcher": {"success": true}}]}
        });
        let waiters = waiters("GetThing", Some(&waitable)).unwrap();
        assert_eq!(waiters.iter().map(|w| w.name.as_str()).collect::<Vec<_>>(), ["Alpha", "Done"]);
        assert_eq!((waiters[0].min_delay, waiters[0].max_delay), (5, 10));
        let done = &waiters[1];
        assert_eq!((done.min_delay, done.max_delay, done.doc.as_deref()), (2, 120, Some("Waits until done.")));
        assert_eq!(
            done.acceptors,
            [
                Acceptor {
                    state: AcceptorState::Success,
                    matcher: Matcher::Output {
                        path: "Thing.Status".into(),
                        expected: "Done".into(),
                        comparator: Comparator::StringEquals
                    },
                },
                Acceptor { state: AcceptorState::Retry, matcher: Matcher::ErrorType("NotYet".into()) },
                Acceptor { state: AcceptorState::Failure, matcher: Matcher::Success(false) },
            ]
        );
    }

    #[test]
    fn a_malformed_waiter_names_the_operation_the_trait_and_the_waiter() {
        let bad = |w: Value| waiters("GetThing", Some(&json!({"Done": w}))).unwrap_err();
        assert_eq!(bad(json!({"acceptors": []})), "operation GetThing: smithy.waiters#waitable Done: no acceptors");
        let error = bad(json!({"minDelay": 0, "acceptors": [{"state": "success", "matcher": {"success": true}}]}));
        assert!(error.ends_with("minDelay must be a whole number of seconds, at least 1"), "{error}");
        let error = bad(json!({"acceptors": [{"state": "done", "matcher": {"success": true}}]}));
        assert!(error.ends_with("acceptor 0: unknown state Some(\"done\")"), "{error}");
        let error = bad(
            json!({"acceptors": [{"state": "success", "matcher": {"output": {"path": "A", "expected": "B", "comparator": "like"}}}]}),
        );
        assert!(error.contains("unknown comparator"), "{error}");
    }
}
