//! The serde feature reads and writes the JSON the AWS CLI accepts and prints, checked against
//! the examples of the AWS CLI reference page for `create-invalidation` in `../shared/seeds/`.

use cloudfront::operation::create_invalidation::CreateInvalidationOutput;
use cloudfront::types::InvalidationBatch;
use serde_json::Value;

/// The AWS CLI's `create-invalidation` page.
fn cli_page() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared/seeds");
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| {
        panic!("cannot read {}: {e}; the seeds live in ../shared next to the checkout", dir.display())
    });
    for entry in entries {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        if text.contains("aws cloudfront create-invalidation") && text.contains("Output of both commands") {
            return text;
        }
    }
    panic!("no AWS CLI create-invalidation page in {}", dir.display());
}

/// The indented JSON block that follows `marker` on the page.
fn json_after(page: &str, marker: &str) -> Value {
    let start = page.find(marker).unwrap_or_else(|| panic!("{marker:?} not on the page")) + marker.len();
    let rest = &page[start..];
    let open = rest.find('{').unwrap();
    let mut depth = 0;
    for (i, c) in rest[open..].char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return serde_json::from_str(&rest[open..open + i + 1]).unwrap();
                }
            }
            _ => {}
        }
    }
    panic!("unterminated JSON after {marker:?}");
}

#[test]
fn reads_and_prints_the_cli_output_example() {
    let page = cli_page();
    let printed = json_after(&page, "Output of both commands::");
    let output: CreateInvalidationOutput =
        serde_json::from_value(printed.clone()).expect("the CLI's output reads as our output type");
    let invalidation = output.invalidation.as_ref().unwrap();
    assert_eq!(invalidation.id, "YNY2LI2BVJ4NJU");
    assert_eq!(invalidation.invalidation_batch.paths.quantity, 2);
    assert_eq!(serde_json::to_value(&output).unwrap(), printed, "and prints back to the same JSON");
}

#[test]
fn reads_the_cli_input_example_and_refuses_unknown_members() {
    let page = cli_page();
    let batch: InvalidationBatch =
        serde_json::from_value(json_after(&page, "specifies two paths to invalidate::")).unwrap();
    assert_eq!(batch.paths.items.as_deref(), Some(&["/index.html".to_owned(), "/error.html".to_owned()][..]));
    // An input read as an input loses nothing silently: an unknown member is refused.
    let input = serde_json::json!({
        "DistributionId": "E1",
        "InvalidationBatch": {"Paths": {"Quantity": 1, "Items": ["/a"]}, "CallerReference": "x", "Comment": "no"}
    });
    let error = cloudfront_runtime::json::input_from_json::<
        cloudfront::operation::create_invalidation::CreateInvalidationInput,
    >(&input)
    .unwrap_err();
    assert!(error.contains("Unknown parameter in InvalidationBatch: \"Comment\""), "{error}");
}

#[test]
fn output_documents_from_a_newer_model_still_load() {
    // Members this model does not know, at the top and inside shapes shared with inputs.
    let printed = serde_json::json!({
        "Location": "https://cloudfront.amazonaws.com/2020-05-31/distribution/E1/invalidation/I1",
        "Invalidation": {
            "Id": "I1", "Status": "Completed", "CreateTime": "2026-01-02T03:04:05.678Z",
            "InvalidationBatch": {"Paths": {"Quantity": 1, "Items": ["/a"], "Future": true}, "CallerReference": "r", "Origin": "x"},
            "Priority": 3
        },
        "RequestCharged": "yes"
    });
    let output: CreateInvalidationOutput = serde_json::from_value(printed).expect("unknown members are accepted");
    assert_eq!(output.invalidation.unwrap().invalidation_batch.paths.quantity, 1);
}
