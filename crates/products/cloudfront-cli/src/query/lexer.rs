//! Text to tokens. jmespath.py's lexer decides what the AWS CLI accepts, so its choices are kept:
//! `[]` and `[?` are single tokens, `-` must start a number, and a backtick literal that is not
//! JSON is read as a string (`` `running` ``, deprecated but common in AWS examples).

use super::{Caret, ParseError};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    Dot,
    Star,
    Comma,
    Colon,
    Current,
    LParen,
    RParen,
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Flatten,
    Filter,
    Pipe,
    Or,
    And,
    Expref,
    Not,
    Eq,
    Ne,
    Lt,
    Lte,
    Gt,
    Gte,
    Ident(String),
    Quoted(String),
    /// Saturated to i64: out-of-range indexes and slice bounds behave the same either way.
    Number(i64),
    Literal(Value),
    Eof,
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    /// Column, in characters from 0, as jmespath.py reports it.
    pub pos: usize,
    pub text: String,
}

impl Tok {
    /// How tightly the token binds to the expression on its left (jmespath.py's table; tokens
    /// below 10 end a projection).
    pub fn bp(&self) -> u8 {
        match self {
            Tok::Pipe => 1,
            Tok::Or => 2,
            Tok::And => 3,
            Tok::Eq | Tok::Ne | Tok::Lt | Tok::Lte | Tok::Gt | Tok::Gte => 5,
            Tok::Flatten => 9,
            Tok::Star => 20,
            Tok::Filter => 21,
            Tok::Dot => 40,
            Tok::Not => 45,
            Tok::LBrace => 50,
            Tok::LBracket => 55,
            Tok::LParen => 60,
            _ => 0,
        }
    }

    /// The token type's name in jmespath.py's messages: its variant name in lower case
    /// (`RBracket` is "rbracket"), except for the tokens that carry a value.
    pub fn name(&self) -> String {
        match self {
            Tok::Ident(_) => "unquoted_identifier".into(),
            Tok::Quoted(_) => "quoted_identifier".into(),
            Tok::Number(_) => "number".into(),
            Tok::Literal(_) => "literal".into(),
            _ => format!("{self:?}").to_lowercase(),
        }
    }
}

fn lex_error(message: impl std::fmt::Display, pos: usize) -> ParseError {
    ParseError::new(format!("Bad jmespath expression: {message}"), Caret::Lexer(pos))
}

/// All tokens, ending with `Eof`. Like jmespath.py, lexing finishes before parsing starts, so a
/// bad character is reported before a grammar error.
pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>, ParseError> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        let pair = |second: char, yes: Tok, no: Tok| if next == Some(second) { (yes, 2) } else { (no, 1) };
        let (tok, len) = match c {
            ' ' | '\t' | '\n' | '\r' => {
                i += 1;
                continue;
            }
            '.' => (Tok::Dot, 1),
            '*' => (Tok::Star, 1),
            ',' => (Tok::Comma, 1),
            ':' => (Tok::Colon, 1),
            '@' => (Tok::Current, 1),
            '(' => (Tok::LParen, 1),
            ')' => (Tok::RParen, 1),
            '{' => (Tok::LBrace, 1),
            '}' => (Tok::RBrace, 1),
            ']' => (Tok::RBracket, 1),
            '[' if next == Some('?') => (Tok::Filter, 2),
            '[' => pair(']', Tok::Flatten, Tok::LBracket),
            '|' => pair('|', Tok::Or, Tok::Pipe),
            '&' => pair('&', Tok::And, Tok::Expref),
            '<' => pair('=', Tok::Lte, Tok::Lt),
            '>' => pair('=', Tok::Gte, Tok::Gt),
            '!' => pair('=', Tok::Ne, Tok::Not),
            '=' if next == Some('=') => (Tok::Eq, 2),
            '=' => return Err(lex_error("Unknown token '='", i)),
            'a'..='z' | 'A'..='Z' | '_' => {
                let len = run(&chars[i..], |c| c.is_ascii_alphanumeric() || c == '_');
                (Tok::Ident(chars[i..i + len].iter().collect()), len)
            }
            '0'..='9' | '-' => {
                let len = 1 + run(&chars[i + 1..], |c| c.is_ascii_digit());
                if len == 1 && c == '-' {
                    return Err(lex_error("Unknown token '-'", i));
                }
                let digits: String = chars[i..i + len].iter().collect();
                let saturated = if c == '-' { i64::MIN } else { i64::MAX };
                (Tok::Number(digits.parse().unwrap_or(saturated)), len)
            }
            '\'' => {
                let (raw, len) = delimited(&chars, i)?;
                (Tok::Literal(Value::String(raw.replace("\\'", "'"))), len)
            }
            '`' => {
                let (raw, len) = delimited(&chars, i)?;
                let raw = raw.replace("\\`", "`");
                let value = serde_json::from_str(&raw)
                    .or_else(|_| serde_json::from_str(&format!("\"{}\"", raw.trim_start())))
                    .map_err(|_| lex_error(format_args!("Bad token {raw}"), i))?;
                (Tok::Literal(value), len)
            }
            '"' => {
                let (raw, len) = delimited(&chars, i)?;
                let name = serde_json::from_str(&format!("\"{raw}\""))
                    .map_err(|e| lex_error(format_args!("Bad quoted identifier \"{raw}\" ({e})"), i))?;
                (Tok::Quoted(name), len)
            }
            _ => return Err(lex_error(format_args!("Unknown token {c}"), i)),
        };
        tokens.push(Token { tok, pos: i, text: chars[i..i + len].iter().collect() });
        i += len;
    }
    tokens.push(Token { tok: Tok::Eof, pos: chars.len(), text: String::new() });
    Ok(tokens)
}

/// How many leading characters satisfy `ok`.
fn run(chars: &[char], ok: impl Fn(char) -> bool) -> usize {
    chars.iter().take_while(|c| ok(**c)).count()
}

/// The body of a quoted token starting at `start` (its opening delimiter), and the token's length.
/// A backslash keeps itself and the next character, so `\<delim>` does not close the token; the
/// caller decides what the escapes mean.
fn delimited(chars: &[char], start: usize) -> Result<(String, usize), ParseError> {
    let delimiter = chars[start];
    let mut body = String::new();
    let mut i = start + 1;
    loop {
        match chars.get(i) {
            None => return Err(lex_error(format_args!("Unclosed {delimiter} delimiter"), start)),
            Some(&c) if c == delimiter => return Ok((body, i + 1 - start)),
            Some('\\') if i + 1 < chars.len() => {
                body.push('\\');
                body.push(chars[i + 1]);
                i += 2;
            }
            Some(&c) => {
                body.push(c);
                i += 1;
            }
        }
    }
}
