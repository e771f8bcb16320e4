//! The AWS CLI shorthand parser, and `--cli-input-json` / `--cli-input-yaml` loading, on
//! arbitrary text: a value or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    for op in cloudfront::schema::OPERATIONS {
        for field in op.input.fields() {
            let _ = cloudfront_cli::shorthand::parse(text, field.kind);
        }
    }
    let _ = cloudfront_cli::yaml::from_yaml(text);
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(text) {
        // What parses must print and read back as the same value.
        let yaml = cloudfront_cli::yaml::to_yaml(&value);
        if !value.is_null() {
            let back = cloudfront_cli::yaml::from_yaml(&yaml).expect("our YAML reads back");
            assert_eq!(back, value, "YAML round trip of {text:?}:\n{yaml}");
        }
    }
});
