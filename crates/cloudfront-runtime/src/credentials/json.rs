//! The JSON of credential documents (`credential_process` output, container and instance
//! metadata answers, IAM Identity Center answers and token caches, the assume-role cache):
//! read into a small value type, and written the way Python's `json.dumps` writes it, since
//! the AWS CLI reads and writes the same files. Numbers keep their text, objects their order,
//! so a cache file rewritten with one field changed keeps everything else as it was.

use std::fmt;

/// Nesting deeper than this is refused (documents here are one or two levels deep).
const MAX_DEPTH: usize = 64;

/// A JSON value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// The number's text, as written.
    Number(String),
    String(String),
    Array(Vec<Json>),
    /// Members in document order.
    Object(Vec<(String, Json)>),
}

static NULL: Json = Json::Null;

impl Json {
    /// Parses a whole document.
    pub fn parse(bytes: &[u8]) -> Result<Json, String> {
        let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 at byte {}", e.valid_up_to()))?;
        let mut parser = Parser { text, at: 0 };
        let value = parser.value(0)?;
        parser.skip_space();
        if parser.at < text.len() {
            return Err(parser.error("the end of the document"));
        }
        Ok(value)
    }

    /// The member `key` of an object (the last one, if repeated).
    pub fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets the member `key` of an object, in place if it is there, else at the end.
    pub fn set(&mut self, key: &str, value: Json) {
        if let Json::Object(members) = self {
            match members.iter_mut().rev().find(|(k, _)| k == key) {
                Some((_, slot)) => *slot = value,
                None => members.push((key.to_owned(), value)),
            }
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    /// An integer written without fraction or exponent.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(text) => text.parse().ok(),
            _ => None,
        }
    }
}

impl std::ops::Index<&str> for Json {
    type Output = Json;

    /// The member, or `null` when there is none (or this is not an object).
    fn index(&self, key: &str) -> &Json {
        self.get(key).unwrap_or(&NULL)
    }
}

/// The document as Python's `json.dumps` writes it: `", "` and `": "` separators, and
/// everything outside printable ASCII escaped.
impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Json::Null => f.write_str("null"),
            Json::Bool(b) => write!(f, "{b}"),
            Json::Number(text) => f.write_str(text),
            Json::String(text) => f.write_str(&quote(text)),
            Json::Array(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    write!(f, "{}{item}", if i == 0 { "" } else { ", " })?;
                }
                f.write_str("]")
            }
            Json::Object(members) => {
                f.write_str("{")?;
                for (i, (key, value)) in members.iter().enumerate() {
                    write!(f, "{}{}: {value}", if i == 0 { "" } else { ", " }, quote(key))?;
                }
                f.write_str("}")
            }
        }
    }
}

/// A JSON string as Python's `json.dumps` writes it (`ensure_ascii`): the short escapes,
/// printable ASCII as it is, every other UTF-16 unit as `\uXXXX`.
pub(crate) fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for unit in text.encode_utf16() {
        match unit {
            0x22 => out.push_str("\\\""),
            0x5c => out.push_str("\\\\"),
            0x0a => out.push_str("\\n"),
            0x0d => out.push_str("\\r"),
            0x09 => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            0x20..=0x7e => out.push(char::from(unit as u8)),
            other => out.push_str(&format!("\\u{other:04x}")),
        }
    }
    out.push('"');
    out
}

struct Parser<'a> {
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn error(&self, expected: &str) -> String {
        match self.text[self.at..].chars().next() {
            Some(found) => format!("expected {expected} at byte {}, found {found:?}", self.at),
            None => format!("expected {expected} at byte {}, found the end", self.at),
        }
    }

    fn skip_space(&mut self) {
        let rest = &self.text[self.at..];
        self.at += rest.len() - rest.trim_start_matches([' ', '\t', '\n', '\r']).len();
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    fn value(&mut self, depth: usize) -> Result<Json, String> {
        if depth > MAX_DEPTH {
            return Err(format!("nesting deeper than {MAX_DEPTH} at byte {}", self.at));
        }
        self.skip_space();
        match self.peek() {
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => Ok(Json::String(self.string()?)),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => {
                for (word, value) in [("true", Json::Bool(true)), ("false", Json::Bool(false)), ("null", Json::Null)] {
                    if self.text[self.at..].starts_with(word) {
                        self.at += word.len();
                        return Ok(value);
                    }
                }
                Err(self.error("a value"))
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<Json, String> {
        self.at += 1;
        let mut members = Vec::new();
        self.skip_space();
        if self.eat(b'}') {
            return Ok(Json::Object(members));
        }
        loop {
            self.skip_space();
            if self.peek() != Some(b'"') {
                return Err(self.error("a member name"));
            }
            let key = self.string()?;
            self.skip_space();
            if !self.eat(b':') {
                return Err(self.error("':'"));
            }
            members.push((key, self.value(depth + 1)?));
            self.skip_space();
            if self.eat(b'}') {
                return Ok(Json::Object(members));
            }
            if !self.eat(b',') {
                return Err(self.error("',' or '}'"));
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Json, String> {
        self.at += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.eat(b']') {
            return Ok(Json::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_space();
            if self.eat(b']') {
                return Ok(Json::Array(items));
            }
            if !self.eat(b',') {
                return Err(self.error("',' or ']'"));
            }
        }
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<Json, String> {
        let start = self.at;
        self.eat(b'-');
        let digits = |p: &mut Self| {
            let from = p.at;
            while p.peek().is_some_and(|b| b.is_ascii_digit()) {
                p.at += 1;
            }
            p.at - from
        };
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                digits(self);
            }
            _ => return Err(self.error("a digit")),
        }
        if self.eat(b'.') && digits(self) == 0 {
            return Err(self.error("a digit"));
        }
        if self.eat(b'e') || self.eat(b'E') {
            let _ = self.eat(b'+') || self.eat(b'-');
            if digits(self) == 0 {
                return Err(self.error("a digit"));
            }
        }
        Ok(Json::Number(self.text[start..self.at].to_owned()))
    }

    fn string(&mut self) -> Result<String, String> {
        self.at += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.at..];
            let plain = rest.find(|c: char| c == '"' || c == '\\' || c < ' ').unwrap_or(rest.len());
            out.push_str(&rest[..plain]);
            self.at += plain;
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.at += 1;
                    out.push(self.escape()?);
                }
                _ => return Err(self.error("a closing '\"'")),
            }
        }
    }

    /// The character after a backslash (a surrogate pair as one character).
    fn escape(&mut self) -> Result<char, String> {
        let simple = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.at += 1;
                let high = self.hex4()?;
                if !(0xd800..0xdc00).contains(&high) {
                    return char::from_u32(u32::from(high)).ok_or_else(|| self.error("a paired surrogate"));
                }
                if !self.text[self.at..].starts_with("\\u") {
                    return Err(self.error("a low surrogate"));
                }
                self.at += 2;
                let low = self.hex4()?;
                if !(0xdc00..0xe000).contains(&low) {
                    return Err(self.error("a low surrogate"));
                }
                let code = 0x10000 + ((u32::from(high) - 0xd800) << 10) + (u32::from(low) - 0xdc00);
                return char::from_u32(code).ok_or_else(|| self.error("a character"));
            }
            _ => return Err(self.error("an escape")),
        };
        self.at += 1;
        Ok(simple)
    }

    fn hex4(&mut self) -> Result<u16, String> {
        let digits = self.text.get(self.at..self.at + 4).filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
        let value =
            digits.and_then(|d| u16::from_str_radix(d, 16).ok()).ok_or_else(|| self.error("four hex digits"))?;
        self.at += 4;
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_read_as_written() {
        let doc = Json::parse(
            br#" {"Version": 1, "AccessKeyId":"AK", "n":-1.5e3, "list":[true,false,null,{}], "s":"a\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"} "#,
        )
        .unwrap();
        assert_eq!(doc["Version"].as_i64(), Some(1));
        assert_eq!(doc["AccessKeyId"].as_str(), Some("AK"));
        assert_eq!(doc["n"], Json::Number("-1.5e3".into()));
        assert_eq!(doc["s"].as_str(), Some("a\"\\/\u{8}\u{c}\n\r\té😀"));
        assert_eq!(doc["missing"], Json::Null);
        assert_eq!(doc["list"]["x"], Json::Null);
    }

    #[test]
    fn written_as_python_writes_it() {
        let mut doc = Json::parse(br#"{"b":"x","a":2,"c":[1,"\u00e9"]}"#).unwrap();
        doc.set("a", Json::String("new".into()));
        doc.set("d", Json::Bool(true));
        assert_eq!(doc.to_string(), r#"{"b": "x", "a": "new", "c": [1, "\u00e9"], "d": true}"#);
        assert_eq!(quote("😀\u{1}"), r#""\ud83d\ude00\u0001""#);
    }

    #[test]
    fn malformed_documents_are_refused_with_the_place() {
        for (bad, expected) in [
            (&b""[..], "expected a value at byte 0, found the end"),
            (b"{x}", "expected a member name at byte 1, found 'x'"),
            (b"{\"a\" 1}", "expected ':' at byte 5"),
            (b"[1 2]", "expected ',' or ']' at byte 3"),
            (b"01", "expected the end of the document at byte 1"),
            (b"-", "expected a digit at byte 1"),
            (b"1.", "expected a digit at byte 2"),
            (b"\"abc", "expected a closing '\"' at byte 4"),
            (b"\"a\nb\"", "expected a closing '\"' at byte 2"),
            (b"\"\\x\"", "expected an escape at byte 2"),
            (b"\"\\ud800\"", "expected a low surrogate at byte 7"),
            (b"\"\\u12\"", "expected four hex digits at byte 3"),
            (b"tru", "expected a value at byte 0"),
            (b"\xff", "not UTF-8 at byte 0"),
        ] {
            let error = Json::parse(bad).unwrap_err();
            assert!(error.starts_with(expected), "{:?}: {error}", String::from_utf8_lossy(bad));
        }
        let deep = "[".repeat(100) + &"]".repeat(100);
        assert!(Json::parse(deep.as_bytes()).unwrap_err().starts_with("nesting deeper than 64"));
    }

    #[test]
    fn arbitrary_input_is_an_answer_or_an_error_never_a_panic() {
        // JSON's own characters, a multi-byte one and a control byte, in random order.
        let alphabet: Vec<&[u8]> = vec![
            b"{",
            b"}",
            b"[",
            b"]",
            b"\"",
            b"\\",
            b":",
            b",",
            b"u",
            b"d8",
            b"00",
            b"-",
            b"1",
            b"0",
            b".",
            b"e",
            b"true",
            b"nul",
            b" ",
            "é".as_bytes(),
            b"\x01",
        ];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut parsed = 0;
        for _ in 0..20_000 {
            let mut input = Vec::new();
            for _ in 0..next() % 24 {
                input.extend_from_slice(alphabet[(next() % alphabet.len() as u64) as usize]);
            }
            if let Ok(value) = Json::parse(&input) {
                parsed += 1;
                // What was read is written back as a document that reads the same.
                assert_eq!(Json::parse(value.to_string().as_bytes()).as_ref(), Ok(&value));
            }
        }
        assert!(parsed > 100, "the inputs reach the parser's success paths too ({parsed})");
    }
}
