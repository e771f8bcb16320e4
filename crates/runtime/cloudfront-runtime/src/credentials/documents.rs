//! The JSON of credential documents (`credential_process` output, container and instance
//! metadata answers, IAM Identity Center answers and token caches, the assume-role cache):
//! read by serde_json, and written the way Python's `json.dumps` writes it (`", "` and `": "`
//! between items, everything outside printable ASCII escaped), since the AWS CLI reads and
//! writes the same files; the documents we write are built in the order botocore builds them.

use std::io;

pub(crate) use serde_json::Value;

/// Reads a whole document; the error names the place (line and column).
pub(crate) fn parse(bytes: &[u8]) -> Result<Value, String> {
    serde_json::from_slice(bytes).map_err(|e| e.to_string())
}

/// The document as Python's `json.dumps` writes it.
pub(crate) fn dumps(value: &Value) -> String {
    let mut out = Vec::new();
    let mut writer = serde_json::Serializer::with_formatter(&mut out, PythonLayout);
    serde_core::Serialize::serialize(value, &mut writer).expect("a JSON value serializes into memory");
    String::from_utf8(out).expect("the layout writes ASCII")
}

/// A JSON string as Python's `json.dumps` writes it.
pub(crate) fn quote(text: &str) -> String {
    dumps(&Value::String(text.to_owned()))
}

/// An object of values already written as JSON, in the given order, as `json.dumps` writes a
/// Python dict built in that order.
pub(crate) fn object(fields: &[(&str, String)]) -> String {
    let members: Vec<String> = fields.iter().map(|(key, value)| format!("{}: {value}", quote(key))).collect();
    format!("{{{}}}", members.join(", "))
}

/// `json.dumps`'s defaults: `", "` and `": "` separators and `ensure_ascii`: DEL and every
/// character beyond ASCII as `\uXXXX` UTF-16 units (serde_json escapes the control
/// characters below space the same way already).
struct PythonLayout;

impl serde_json::ser::Formatter for PythonLayout {
    fn begin_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { writer.write_all(b", ") }
    }

    fn begin_object_key<W: ?Sized + io::Write>(&mut self, writer: &mut W, first: bool) -> io::Result<()> {
        if first { Ok(()) } else { writer.write_all(b", ") }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(&mut self, writer: &mut W, fragment: &str) -> io::Result<()> {
        for c in fragment.chars() {
            if (' '..='~').contains(&c) {
                writer.write_all(&[c as u8])?;
            } else {
                for unit in c.encode_utf16(&mut [0; 2]) {
                    write!(writer, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
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
