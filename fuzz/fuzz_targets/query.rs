//! The `--query` JMESPath engine on arbitrary text: the first line is the expression, the rest
//! a JSON document (or, if it is not JSON, a fixed one with every JSON type). Compiling and
//! searching give a value or an error, never a panic or a stack overflow.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::{Value, json};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (expression, document) = text.split_once('\n').unwrap_or((text, ""));
    let document = serde_json::from_str::<Value>(document).unwrap_or_else(|_| {
        json!({"a": [1, 2.5, -3, {"b": "x", "c": [null, true, false]}], "s": "é😀", "o": {"z": 0, "y": [[1], [2, [3]]]}})
    });
    if let Ok(compiled) = cloudfront_cli::query::Expression::compile(expression) {
        let _ = compiled.search(&document);
    }
});
