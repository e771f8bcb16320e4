//! Each of the project's models (`model/cloudfront.json`, `model/s3.json`) must state the same
//! facts as the official model of the same name in `../shared/aws-models/`: every shape,
//! member, target and trait, documentation aside (ours is our own words, or none), and the
//! service may list fewer operations.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::{Map, Value};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn load(path: PathBuf) -> Value {
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("cannot read {}: {e}; the official model lives in ../shared next to the checkout", path.display())
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Drops documentation: the doc traits, and the free-text `documentation` fields inside
/// trait values (endpoint rule parameters, endpoint tests, waiters). A `traits` object left
/// empty is dropped too, since `{}` and no traits mean the same.
fn without_docs(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| {
                    !matches!(k.as_str(), "smithy.api#documentation" | "smithy.api#examples" | "documentation")
                })
                .map(|(k, v)| (k.clone(), without_docs(v)))
                .filter(|(k, v)| !(k == "traits" && v.as_object().is_some_and(Map::is_empty)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_docs).collect()),
        other => other.clone(),
    }
}

#[test]
fn cloudfront_model_states_the_official_facts() {
    let defined = disagreements("cloudfront");
    assert_eq!(
        defined, 149,
        "the service, the 38 shapes of the six invalidation operations, the 16 of ListDistributionTenants (tenant \
         fan-out) and the 94 of GetDistributionConfig (which origins and behaviours serve a bucket)"
    );
}

#[test]
fn s3_model_states_the_official_facts() {
    let defined = disagreements("s3");
    assert_eq!(defined, 155, "the service and the 154 shapes of the nine operations a deploy needs");
}

/// Fails on every way `model/NAME.json` differs from the official model; returns how many
/// shapes it defines.
fn disagreements(name: &str) -> usize {
    let ours = load(root().join(format!("model/{name}.json")));
    let official = load(root().join(format!("../shared/aws-models/{name}.json")));
    let ours = ours["shapes"].as_object().expect("shapes");
    let official = official["shapes"].as_object().expect("shapes");
    let mut problems = Vec::new();
    for (id, shape) in ours {
        let Some(theirs) = official.get(id) else {
            problems.push(format!("{id} is not in the official model"));
            continue;
        };
        let (mut a, mut b) = (without_docs(shape), without_docs(theirs));
        if shape["type"] == "service" {
            // We list a subset of the operations; every one must be the official service's.
            let listed: BTreeSet<String> =
                b["operations"].as_array().into_iter().flatten().map(|t| t["target"].to_string()).collect();
            for op in a["operations"].as_array().into_iter().flatten() {
                if !listed.contains(&op["target"].to_string()) {
                    problems.push(format!("service lists {} which the official service does not", op["target"]));
                }
            }
            for v in [&mut a, &mut b] {
                v.as_object_mut().expect("object").retain(|k, _| k != "operations" && k != "resources");
            }
        }
        if a != b {
            problems.push(format!("{id} differs from the official shape:\n  ours:     {a}\n  official: {b}"));
        }
    }
    // Every shape our operations reach must be in our model (and nothing else).
    let service = ours.iter().find(|(_, s)| s["type"] == "service").map(|(id, _)| id.clone()).expect("a service");
    let mut reachable = BTreeSet::new();
    let mut stack: Vec<String> = ours[&service]["operations"]
        .as_array()
        .expect("operations")
        .iter()
        .map(|t| t["target"].as_str().unwrap().to_owned())
        .collect();
    while let Some(id) = stack.pop() {
        if id.starts_with("smithy.api#") || !reachable.insert(id.clone()) {
            continue;
        }
        let Some(shape) = official.get(&id) else { continue };
        for key in ["input", "output", "member", "key", "value"] {
            if let Some(t) = shape[key]["target"].as_str() {
                stack.push(t.to_owned());
            }
        }
        for t in shape["errors"]
            .as_array()
            .into_iter()
            .flatten()
            .chain(shape["members"].as_object().into_iter().flat_map(|m| m.values()))
        {
            if let Some(t) = t["target"].as_str() {
                stack.push(t.to_owned());
            }
        }
    }
    reachable.insert(service);
    let defined: BTreeSet<String> = ours.keys().cloned().collect();
    for missing in reachable.difference(&defined) {
        problems.push(format!("{missing} is used by our operations but not defined in model/"));
    }
    for extra in defined.difference(&reachable) {
        problems.push(format!("{extra} is defined in model/ but no operation uses it"));
    }
    assert!(problems.is_empty(), "model/{name}.json disagrees with the official model:\n{}", problems.join("\n"));
    defined.len()
}

#[test]
fn documentation_is_our_own() {
    for name in cloudfront_codegen::PROJECT_SERVICES {
        documentation_is_ours(name);
    }
}

fn documentation_is_ours(name: &str) {
    let ours = load(root().join(format!("model/{name}.json")));
    let official = load(root().join(format!("../shared/aws-models/{name}.json")));
    let mut copied = Vec::new();
    let docs = |shape: &Value| -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(d) = shape["traits"]["smithy.api#documentation"].as_str() {
            out.push((String::new(), d.to_owned()));
        }
        for (name, m) in shape["members"].as_object().into_iter().flatten() {
            if let Some(d) = m["traits"]["smithy.api#documentation"].as_str() {
                out.push((name.clone(), d.to_owned()));
            }
        }
        out
    };
    for (id, shape) in ours["shapes"].as_object().unwrap() {
        let theirs: Vec<String> = docs(&official["shapes"][id]).into_iter().map(|(_, d)| d).collect();
        for (member, doc) in docs(shape) {
            if theirs.contains(&doc) {
                copied.push(format!("{id}${member}"));
            }
        }
    }
    assert!(copied.is_empty(), "documentation copied verbatim from the official model: {copied:?}");
}
