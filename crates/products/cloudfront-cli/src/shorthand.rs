//! The AWS CLI's shorthand syntax: `Paths={Quantity=2,Items=[/a,/b]},CallerReference=ref`.
//! Values are typed by the schema (`Quantity=2` is a number, `CallerReference=2` a string);
//! errors give the position and what was expected.

use cloudfront_primitives::schema::Kind;
use serde_json::{Map, Value};

/// Parses `text` as a value of `kind`.
pub fn parse(text: &str, kind: &'static Kind) -> Result<Value, String> {
    let mut parser = Parser { text, pos: 0 };
    let value = match kind {
        // A top-level structure is written without braces: `A=1,B=2`.
        Kind::Structure(_) | Kind::Union(_) => parser.pairs(kind, None)?,
        // A top-level list is written without brackets: `a,b,c`.
        Kind::List(member) => {
            let mut items = Vec::new();
            loop {
                items.push(parser.value(member, &[','])?);
                if !parser.eat(',') {
                    break;
                }
            }
            Value::Array(items)
        }
        other => parser.value(other, &[])?,
    };
    parser.skip_spaces();
    if parser.pos < text.len() {
        return Err(parser.error("end of input"));
    }
    Ok(value)
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn skip_spaces(&mut self) {
        // Whitespace can be more than one byte (U+0085, U+3000): step over whole characters.
        while let Some(c) = self.peek().filter(|c| c.is_whitespace()) {
            self.pos += c.len_utf8();
        }
    }

    fn eat(&mut self, c: char) -> bool {
        self.skip_spaces();
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    /// The AWS CLI's layout: what was expected and found, then the input with a caret under
    /// the position (counted in characters, as Python counts).
    fn error(&self, expected: &str) -> String {
        let found = self.peek().map_or("'EOF'".to_owned(), |c| format!("'{c}'"));
        let column = self.text[..self.pos].chars().count();
        format!("Expected: {expected}, received: {found} for input:\n{}\n{}^", self.text, " ".repeat(column))
    }

    /// `key=value` pairs, up to `close` (or the end).
    fn pairs(&mut self, kind: &'static Kind, close: Option<char>) -> Result<Value, String> {
        let fields = kind.fields();
        let mut object = Map::new();
        loop {
            self.skip_spaces();
            if close.is_some_and(|c| self.peek() == Some(c)) {
                break;
            }
            let start = self.pos;
            while self.peek().is_some_and(|c| c != '=' && c != ',' && !matches!(Some(c), Some('}' | ']'))) {
                self.pos += self.peek().map_or(1, char::len_utf8);
            }
            let key = self.text[start..self.pos].trim().to_owned();
            if key.is_empty() {
                return Err(self.error("a key"));
            }
            if !self.eat('=') {
                return Err(self.error("'='"));
            }
            let stops: &[char] = if close.is_some() { &[',', '}'] } else { &[','] };
            // An unknown key is read as text and left to the parameter check, which names
            // it with the members it could have been (as the AWS CLI reports it).
            let value = match fields.iter().find(|f| f.name == key) {
                Some(field) => self.value(field.kind, stops)?,
                None => self.value(&Kind::String, stops)?,
            };
            object.insert(key, value);
            if !self.eat(',') {
                break;
            }
        }
        Ok(Value::Object(object))
    }

    /// One value: `{...}`, `[...]`, a quoted string, or bare text up to a stop character.
    fn value(&mut self, kind: &'static Kind, stops: &[char]) -> Result<Value, String> {
        self.skip_spaces();
        match kind {
            Kind::Structure(_) | Kind::Union(_) => {
                if !self.eat('{') {
                    // Bare text where a structure belongs (`Paths=file://p.json`): the AWS CLI
                    // keeps it as text and the parameter check refuses its type.
                    return Ok(Value::String(self.scalar(stops)?));
                }
                let value = self.pairs(kind, Some('}'))?;
                if !self.eat('}') {
                    return Err(self.error("'}'"));
                }
                Ok(value)
            }
            Kind::List(member) => {
                if !self.eat('[') {
                    // A single value stands for a one-element list.
                    return Ok(Value::Array(vec![self.value(member, stops)?]));
                }
                let mut items = Vec::new();
                if !self.eat(']') {
                    loop {
                        items.push(self.value(member, &[',', ']'])?);
                        if !self.eat(',') {
                            break;
                        }
                    }
                    if !self.eat(']') {
                        return Err(self.error("']'"));
                    }
                }
                Ok(Value::Array(items))
            }
            Kind::Map(value_kind) => {
                if !self.eat('{') {
                    return Err(self.error("'{'"));
                }
                let mut object = Map::new();
                while !self.eat('}') {
                    let key = self.scalar(&['='])?;
                    if !self.eat('=') {
                        return Err(self.error("'='"));
                    }
                    object.insert(key, self.value(value_kind, &[',', '}'])?);
                    self.eat(',');
                    if self.pos >= self.text.len() {
                        return Err(self.error("'}'"));
                    }
                }
                Ok(Value::Object(object))
            }
            scalar => {
                let start = self.text[..self.pos].chars().count();
                let text = self.scalar(stops)?;
                typed(&text, scalar)
                    .map_err(|rule| format!("{rule} at position {start}:\n{}\n{}^", self.text, " ".repeat(start)))
            }
        }
    }

    /// A quoted string, or bare text up to the first stop character.
    fn scalar(&mut self, stops: &[char]) -> Result<String, String> {
        self.skip_spaces();
        if let Some(quote) = self.peek().filter(|c| *c == '"' || *c == '\'') {
            self.pos += 1;
            let start = self.pos;
            while self.peek().is_some_and(|c| c != quote) {
                self.pos += self.peek().map_or(1, char::len_utf8);
            }
            if self.peek() != Some(quote) {
                return Err(self.error(&format!("a closing {quote}")));
            }
            let text = self.text[start..self.pos].to_owned();
            self.pos += 1;
            return Ok(text);
        }
        let start = self.pos;
        while self.peek().is_some_and(|c| !stops.contains(&c)) {
            self.pos += self.peek().map_or(1, char::len_utf8);
        }
        Ok(self.text[start..self.pos].trim().to_owned())
    }
}

/// Text as a JSON value of a scalar kind.
pub fn typed(text: &str, kind: &Kind) -> Result<Value, String> {
    Ok(match kind {
        Kind::Integer | Kind::Long => {
            Value::from(text.parse::<i64>().map_err(|_| format!("expected an integer, not {text:?}"))?)
        }
        Kind::Float | Kind::Double => {
            serde_json::Number::from_f64(text.parse::<f64>().map_err(|_| format!("expected a number, not {text:?}"))?)
                .map(Value::Number)
                .ok_or_else(|| format!("expected a finite number, not {text:?}"))?
        }
        Kind::Boolean => match text.to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => return Err(format!("expected true or false, not {text:?}")),
        },
        _ => Value::String(text.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudfront::schema::INVALIDATION_BATCH;

    #[test]
    fn multi_byte_whitespace_is_skipped_whole() {
        // Found by the cli_input fuzz target: a trailing U+0085 (two bytes) split a character.
        let value = parse("Paths={Quantity=1,Items=[/a]},CallerReference=r\u{85}", &INVALIDATION_BATCH).unwrap();
        assert_eq!(value["CallerReference"], "r");
        assert!(parse("Paths={Quantity=1,Items=[/a]}\u{3000}x", &INVALIDATION_BATCH).is_err());
    }

    #[test]
    fn reads_the_aws_cli_examples() {
        let value = parse("Paths={Quantity=2,Items=[/a,/b]},CallerReference=my-ref", &INVALIDATION_BATCH).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"Paths": {"Quantity": 2, "Items": ["/a", "/b"]}, "CallerReference": "my-ref"})
        );
        let quoted = parse("CallerReference='a,b=c',Paths={Quantity=1,Items=[\"/x y\"]}", &INVALIDATION_BATCH).unwrap();
        assert_eq!(quoted["CallerReference"], "a,b=c");
        assert_eq!(quoted["Paths"]["Items"][0], "/x y");
        let number_like = parse("Paths={Quantity=1,Items=[/a]},CallerReference=123", &INVALIDATION_BATCH).unwrap();
        assert_eq!(number_like["CallerReference"], "123", "typed by the schema, not by its look");
    }

    #[test]
    fn errors_name_the_position_and_the_rule() {
        let e = parse("Paths={Quantity=two,Items=[/a]},CallerReference=r", &INVALIDATION_BATCH).unwrap_err();
        assert!(e.starts_with("expected an integer, not \"two\" at position 16"), "{e}");
        let e = parse("Paths={Quantity=1,Items=[/a},CallerReference=r", &INVALIDATION_BATCH).unwrap_err();
        assert!(e.starts_with("Expected: ']', received: 'EOF' for input:"), "{e}");
        assert_eq!(e.lines().last().unwrap().len(), "Paths={Quantity=1,Items=[/a},CallerReference=r".len() + 1);
        // Unknown keys are kept for the parameter check, which names the members it allows.
        assert_eq!(parse("Comment=x", &INVALIDATION_BATCH).unwrap(), serde_json::json!({"Comment": "x"}));
        let e = parse("CallerReference", &INVALIDATION_BATCH).unwrap_err();
        assert!(e.starts_with("Expected: '=', received: 'EOF'"), "{e}");
    }
}
