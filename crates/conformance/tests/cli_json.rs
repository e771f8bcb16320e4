//! The serde feature reads and writes the JSON the AWS CLI accepts and prints, checked against
//! the examples of the AWS CLI reference page for `create-invalidation` in `../shared/seeds/`.

use cloudfront::operation::create_invalidation::CreateInvalidationOutput;
use cloudfront::types::InvalidationBatch;
use serde_json::Value;

/// The AWS CLI's `create-invalidation` page.
fn cli_page() -> String {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
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
    let error = serde_json::from_str::<InvalidationBatch>(
        r#"{"Paths":{"Quantity":1,"Items":["/a"]},"CallerReference":"x","Comment":"no"}"#,
    )
    .unwrap_err()
    .to_string();
    assert!(error.contains("unknown field `Comment`"), "{error}");
}
