//! The JSON of credential documents (`credential_process` output, container and instance
//! metadata answers, IAM Identity Center answers and token caches, the assume-role cache):
//! read by serde_json, and written the way Python's `json.dumps` writes it (`", "` and `": "`
//! between items, everything outside printable ASCII escaped), since the AWS CLI reads and
//! writes the same files; the documents we write are built in the order botocore builds them.

pub(crate) use serde_json::Value;

/// Reads a whole document; the error names the place (line and column).
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(bytes).map_err(|e| e.to_string())
}

/// The document as Python's `json.dumps` writes it.
pub(crate) fn dumps(value: &Value) -> String {
    crate::python::dumps(value, crate::python::Separators::Default)
}

/// A JSON string as Python's `json.dumps` writes it.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::new();
    crate::python::json_quote(text, &mut out);
    out
}

/// An object of values already written as JSON, in the given order, as `json.dumps` writes a
/// Python dict built in that order.
pub(crate) fn object(fields: &[(&str, String)]) -> String {
    let members: Vec<String> = fields.iter().map(|(key, value)| format!("{}: {value}", quote(key))).collect();
    format!("{{{}}}", members.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_credential_documents() {
        let doc = parse(
            br#" {"Version": 1, "AccessKeyId":"AK", "n":-1.5e3, "list":[true,false,null,{}], "s":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"} "#,
        )
        .unwrap();
        assert_eq!(doc["Version"].as_i64(), Some(1));
        assert_eq!(doc["AccessKeyId"].as_str(), Some("AK"));
        assert_eq!(doc["s"].as_str(), Some("a\"\\/\u{8}\u{c}\n\r\té😀"));
        assert_eq!(doc["missing"], Value::Null);
        assert_eq!(doc["list"]["x"], Value::Null);
    }

    #[test]
    fn written_as_python_writes_it() {
        // Keys in sorted order: serde_json keeps them so with or without `preserve_order`.
        let mut doc = parse(br#"{"a":2,"b":"x","c":[1,"\u00e9"]}"#).unwrap();
        doc["a"] = Value::String("new".into());
        doc["d"] = Value::Bool(true);
        assert_eq!(dumps(&doc), r#"{"a": "new", "b": "x", "c": [1, "\u00e9"], "d": true}"#);
        assert_eq!(quote("😀\u{1}\u{7f}\"\\\n"), r#""\ud83d\ude00\u0001\u007f\"\\\n""#);
        assert_eq!(object(&[("z", quote("é")), ("a", "1".into())]), r#"{"z": "\u00e9", "a": 1}"#);
    }

    #[test]
    fn malformed_documents_are_refused_with_the_place() {
        for bad in [&b""[..], b"{x}", b"{\"a\" 1}", b"[1 2]", b"01", b"-", b"\"abc", b"\"\\ud800\"", b"tru", b"\xff"] {
            let error = parse(bad).unwrap_err();
            assert!(error.contains("line 1 column"), "{:?}: {error}", String::from_utf8_lossy(bad));
        }
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(deep.as_bytes()).unwrap_err().contains("recursion limit exceeded"));
    }
}
