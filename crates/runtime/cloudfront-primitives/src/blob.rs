/// Binary data (a Smithy `blob`), sent base64-encoded in XML bodies and headers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Blob(Vec<u8>);

impl Blob {
    /// Wraps raw bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Blob(bytes.into())
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// Takes the raw bytes out.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }

    /// Standard base64 with padding, as Smithy protocols use for blobs.
    pub fn to_base64(&self) -> String {
        const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::with_capacity(self.0.len().div_ceil(3) * 4);
        for chunk in self.0.chunks(3) {
            let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(TABLE[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }

    /// Decodes standard base64; ASCII whitespace is ignored, padding is optional.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        fn value(c: u8) -> Option<u32> {
            Some(match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' | b'-' => 62,
                b'/' | b'_' => 63,
                _ => return None,
            } as u32)
        }
        let digits: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
        let trimmed = digits.strip_suffix(b"==").or_else(|| digits.strip_suffix(b"=")).unwrap_or(&digits);
        if trimmed.len() % 4 == 1 {
            return Err(format!("invalid base64 length in {text:?}"));
        }
        let mut out = Vec::with_capacity(trimmed.len() * 3 / 4);
        for chunk in trimmed.chunks(4) {
            let mut n = 0u32;
            for (i, &c) in chunk.iter().enumerate() {
                let v = value(c).ok_or_else(|| format!("invalid base64 character {:?}", c as char))?;
                n |= v << (18 - 6 * i);
            }
            let bytes = n.to_be_bytes();
            out.extend_from_slice(&bytes[1..chunk.len()]);
        }
        Ok(Blob(out))
    }
}

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Self {
        Blob(bytes)
    }
}

impl From<&[u8]> for Blob {
    fn from(bytes: &[u8]) -> Self {
        Blob(bytes.to_vec())
    }
}

impl From<&str> for Blob {
    fn from(text: &str) -> Self {
        Blob(text.as_bytes().to_vec())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Blob {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_base64())
    }
}

#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Blob {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        Blob::from_base64(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::Blob;

    #[test]
    fn base64_round_trips_every_padding_length() {
        for (raw, encoded) in [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg==")] {
            assert_eq!(Blob::from(raw).to_base64(), encoded);
            assert_eq!(Blob::from_base64(encoded).unwrap(), Blob::from(raw));
        }
        assert!(Blob::from_base64("Zm9v!").is_err());
    }
}
