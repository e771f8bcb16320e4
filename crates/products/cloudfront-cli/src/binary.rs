//! `--cli-binary-format` (and the profile's `cli_binary_format`), as the AWS CLI v2 reads blob
//! members: with `base64` (the default) text given for a blob is base64 and is decoded; with
//! `raw-in-base64-out` the text's own bytes are the blob. `fileb://` always gives the file's raw
//! bytes. Blobs travel inside the input as base64 text, which is what this writes.

use cloudfront_primitives::schema::Kind;
use serde_json::Value;

use crate::Failure;

/// How text given for a blob member is read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum BinaryFormat {
    /// The text is base64 (the AWS CLI v2's default).
    #[default]
    Base64,
    /// The text's UTF-8 bytes are the blob.
    RawInBase64Out,
}

impl BinaryFormat {
    /// `--cli-binary-format` (already one of the two), else the profile's setting.
    pub fn choose(flag: Option<&str>, setting: Option<&str>) -> Result<BinaryFormat, Failure> {
        match flag.or(setting) {
            None | Some("base64") => Ok(BinaryFormat::Base64),
            Some("raw-in-base64-out") => Ok(BinaryFormat::RawInBase64Out),
            // The AWS CLI v2 fails here with a Python KeyError naming the value (exit 255).
            Some(other) => Err(Failure::Other(format!(
                "cli_binary_format {other:?} is neither base64 nor raw-in-base64-out\n'{other}'"
            ))),
        }
    }

    /// The base64 text a call carries for blob `text` given on the command line or in an
    /// input document; `path` names the member for errors.
    pub fn read(self, text: &str, path: &str) -> Result<String, Failure> {
        match self {
            BinaryFormat::Base64 => cloudfront_primitives::Blob::from_base64(text).map(|b| b.to_base64()).map_err(|_| {
                Failure::Usage(format!(
                    "Error parsing parameter '{path}': Invalid base64: {text:?} (or use --cli-binary-format raw-in-base64-out)"
                ))
            }),
            BinaryFormat::RawInBase64Out => Ok(cloudfront_primitives::Blob::new(text.as_bytes().to_vec()).to_base64()),
        }
    }

    /// Reads every blob inside `value` (per `kind`) in this format, in place.
    pub fn read_nested(self, value: &mut Value, kind: &'static Kind, path: &str) -> Result<(), Failure> {
        match (kind, value) {
            (Kind::Blob, Value::String(text)) => *text = self.read(text, path)?,
            (Kind::Structure(fields) | Kind::Union(fields), Value::Object(map)) => {
                for field in fields.iter() {
                    if let Some(inner) = map.get_mut(field.name) {
                        let at = if path.is_empty() { field.name.to_owned() } else { format!("{path}.{}", field.name) };
                        self.read_nested(inner, field.kind, &at)?;
                    }
                }
            }
            (Kind::List(item), Value::Array(items)) => {
                for (i, inner) in items.iter_mut().enumerate() {
                    self.read_nested(inner, item, &format!("{path}[{i}]"))?;
                }
            }
            (Kind::Map(item), Value::Object(map)) => {
                for (key, inner) in map.iter_mut() {
                    self.read_nested(inner, item, &format!("{path}.{key}"))?;
                }
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudfront_primitives::schema::Field;
    use serde_json::json;

    // A shape with blobs at every depth, as the generator's kitchen-sink model has them.
    static PAYLOAD: Kind = Kind::Blob;
    static INNER: Kind =
        Kind::Structure(&[Field { name: "Data", kind: &PAYLOAD, required: false, doc: "", counts: None }]);
    static LIST: Kind = Kind::List(&PAYLOAD);
    static OUTER: Kind = Kind::Structure(&[
        Field { name: "Body", kind: &PAYLOAD, required: false, doc: "", counts: None },
        Field { name: "Inner", kind: &INNER, required: false, doc: "", counts: None },
        Field { name: "Chunks", kind: &LIST, required: false, doc: "", counts: None },
    ]);

    #[test]
    fn base64_text_is_decoded_and_raw_text_is_its_own_bytes() {
        let mut value = json!({"Body": "aGk=", "Inner": {"Data": "aGk="}, "Chunks": ["aGk="]});
        BinaryFormat::Base64.read_nested(&mut value, &OUTER, "").unwrap();
        assert_eq!(value, json!({"Body": "aGk=", "Inner": {"Data": "aGk="}, "Chunks": ["aGk="]}));
        let mut raw = json!({"Body": "hi", "Inner": {"Data": "hi"}, "Chunks": ["hi"]});
        BinaryFormat::RawInBase64Out.read_nested(&mut raw, &OUTER, "").unwrap();
        assert_eq!(raw, json!({"Body": "aGk=", "Inner": {"Data": "aGk="}, "Chunks": ["aGk="]}));
    }

    #[test]
    fn text_that_is_not_base64_names_the_member() {
        let mut value = json!({"Inner": {"Data": "not base64!"}});
        let e = BinaryFormat::Base64.read_nested(&mut value, &OUTER, "").unwrap_err();
        assert!(e.message().contains("'Inner.Data': Invalid base64"), "{}", e.message());
        assert!(
            BinaryFormat::choose(Some("raw-in-base64-out"), Some("base64")).unwrap() == BinaryFormat::RawInBase64Out
        );
        assert!(BinaryFormat::choose(None, Some("bogus")).is_err());
        assert!(BinaryFormat::choose(None, None).unwrap() == BinaryFormat::Base64);
    }
}
