use std::fmt;
use std::str::FromStr;

/// A response that could not be read into the modeled output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    message: String,
}

impl ParseError {
    /// An error with this description.
    pub fn new(message: impl Into<String>) -> Self {
        ParseError { message: message.into() }
    }

    /// Prefixes the message with the member path where the error happened.
    pub fn within(self, member: &str) -> Self {
        ParseError { message: format!("{member}: {}", self.message) }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parses a number from element text, header or query value (surrounding whitespace allowed),
/// naming the member when it fails.
pub fn parse_scalar<T: FromStr>(member: &str, text: &str) -> Result<T, ParseError>
where
    T::Err: fmt::Display,
{
    text.trim()
        .parse()
        .map_err(|e| ParseError::new(format!("{member}: cannot read {text:?} as {}: {e}", short_type_name::<T>())))
}

fn short_type_name<T>() -> &'static str {
    let full = std::any::type_name::<T>();
    full.rsplit("::").next().unwrap_or(full)
}
