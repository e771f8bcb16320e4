//! A request body, and the type of `@streaming` blob members: bytes in memory, or a file of
//! known length that is read as the request is sent (and read again for a retry), so an upload
//! never sits whole in memory.

use std::path::PathBuf;

/// Bytes in memory, or a file read as it is sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// Bytes in memory.
    Bytes(Vec<u8>),
    /// `length` bytes of a file from `offset` (a whole file, or one part of a multipart
    /// upload); a file whose size changed since the body was made is refused, since the
    /// length and hash are signed.
    File {
        /// The file.
        path: PathBuf,
        /// Where the body starts in the file.
        offset: u64,
        /// The body's length in bytes.
        length: u64,
        /// The file's size when the body was made.
        file_size: u64,
    },
}

impl Default for Body {
    fn default() -> Self {
        Body::Bytes(Vec::new())
    }
}

impl Body {
    /// The file at `path`, read when the request goes out.
    pub fn from_path(path: impl Into<PathBuf>) -> std::io::Result<Body> {
        let path = path.into();
        let length = std::fs::metadata(&path)?.len();
        Ok(Body::File { path, offset: 0, length, file_size: length })
    }

    /// `length` bytes of the file at `path` from `offset`; refused when the file is shorter.
    pub fn from_path_range(path: impl Into<PathBuf>, offset: u64, length: u64) -> std::io::Result<Body> {
        let path = path.into();
        let size = std::fs::metadata(&path)?.len();
        if offset.checked_add(length).is_none_or(|end| end > size) {
            let message = format!("{} has {size} bytes, fewer than {offset} + {length}", path.display());
            return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, message));
        }
        Ok(Body::File { path, offset, length, file_size: size })
    }

    /// The body's length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Body::Bytes(bytes) => bytes.len() as u64,
            Body::File { length, .. } => *length,
        }
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes, for a body held in memory.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Body::Bytes(bytes) => Some(bytes),
            Body::File { .. } => None,
        }
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Body::Bytes(bytes)
    }
}

impl From<&[u8]> for Body {
    fn from(bytes: &[u8]) -> Self {
        Body::Bytes(bytes.to_vec())
    }
}

impl From<&str> for Body {
    fn from(text: &str) -> Self {
        Body::Bytes(text.as_bytes().to_vec())
    }
}

impl From<String> for Body {
    fn from(text: String) -> Self {
        Body::Bytes(text.into_bytes())
    }
}

impl From<crate::Blob> for Body {
    fn from(blob: crate::Blob) -> Self {
        Body::Bytes(blob.into_inner())
    }
}

/// In JSON a body is its bytes in base64, as a blob is; a file body is written as where its
/// bytes are, `{"file": PATH, "offset": N, "length": N}` (`{"file": PATH}` alone is the whole
/// file), and read back from either form.
#[cfg(feature = "serde")]
impl serde::Serialize for Body {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        match self {
            Body::Bytes(bytes) => s.serialize_str(&crate::Blob::new(bytes.clone()).to_base64()),
            Body::File { path, offset, length, .. } => {
                let mut map = s.serialize_map(Some(3))?;
                map.serialize_entry("file", &path.to_string_lossy())?;
                map.serialize_entry("offset", offset)?;
                map.serialize_entry("length", length)?;
                map.end()
            }
        }
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Body {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Body;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("base64 text or {\"file\": PATH}")
            }

            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Body, E> {
                crate::Blob::from_base64(text).map(Body::from).map_err(E::custom)
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Body, A::Error> {
                let (mut file, mut offset, mut length) = (None::<String>, None::<u64>, None::<u64>);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "file" => file = Some(map.next_value()?),
                        "offset" => offset = Some(map.next_value()?),
                        "length" => length = Some(map.next_value()?),
                        other => return Err(serde::de::Error::unknown_field(other, &["file", "offset", "length"])),
                    }
                }
                let file = file.ok_or_else(|| serde::de::Error::missing_field("file"))?;
                let body = match (offset, length) {
                    (None, None) => Body::from_path(&file),
                    (offset, Some(length)) => Body::from_path_range(&file, offset.unwrap_or(0), length),
                    (Some(_), None) => return Err(serde::de::Error::missing_field("length")),
                };
                body.map_err(|e| serde::de::Error::custom(format!("cannot read {file}: {e}")))
            }
        }
        d.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::Body;

    #[test]
    fn a_file_body_knows_its_length_without_reading_it() {
        let path = std::env::temp_dir().join(format!("cloudfront-body-{}", std::process::id()));
        std::fs::write(&path, b"twelve bytes").unwrap();
        let body = Body::from_path(&path).unwrap();
        assert_eq!((body.len(), body.as_bytes()), (12, None));
        assert_eq!(Body::from("abc").as_bytes(), Some(&b"abc"[..]));
        assert!(Body::default().is_empty());
        let part = Body::from_path_range(&path, 3, 6).unwrap();
        assert_eq!(part.len(), 6);
        assert!(Body::from_path_range(&path, 7, 6).is_err());
        std::fs::remove_file(&path).unwrap();
    }
}
