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

/// Reads a boolean the way the AWS SDKs do: exactly `true` is true, anything else false.
pub fn parse_bool(text: &str) -> bool {
    text == "true"
}

/// Reads a timestamp in any form services send (see [`cloudfront_primitives::DateTime::parse_lenient`]).
pub fn parse_timestamp(member: &str, text: &str) -> Result<cloudfront_primitives::DateTime, ParseError> {
    cloudfront_primitives::DateTime::parse_lenient(text).map_err(|e| ParseError::new(format!("{member}: {e}")))
}

/// Reads a base64 blob.
pub fn parse_blob(member: &str, text: &str) -> Result<cloudfront_primitives::Blob, ParseError> {
    cloudfront_primitives::Blob::from_base64(text).map_err(|e| ParseError::new(format!("{member}: {e}")))
}

/// Floats as Smithy protocols write them: `NaN`, `Infinity` and `-Infinity` spelled out.
pub fn fmt_float<F: Into<f64> + fmt::Display + Copy>(value: F) -> String {
    let wide: f64 = value.into();
    if wide.is_nan() {
        "NaN".to_owned()
    } else if wide.is_infinite() {
        if wide > 0.0 { "Infinity".to_owned() } else { "-Infinity".to_owned() }
    } else {
        value.to_string()
    }
}

/// Splits a comma-separated header list; double-quoted items may contain commas and `\"`.
pub fn split_header_list(value: &str) -> Vec<String> {
    let mut items = Vec::new();
    let mut rest = value.trim_start();
    while !rest.is_empty() {
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut item = String::new();
            let mut chars = quoted.char_indices();
            let mut end = quoted.len();
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            item.push(escaped);
                        }
                    }
                    '"' => {
                        end = i + 1;
                        break;
                    }
                    _ => item.push(c),
                }
            }
            items.push(item);
            rest = quoted[end..].trim_start();
            rest = rest.strip_prefix(',').unwrap_or(rest).trim_start();
        } else {
            let (item, tail) = rest.split_once(',').unwrap_or((rest, ""));
            items.push(item.trim().to_owned());
            rest = tail.trim_start();
        }
    }
    items
}

/// Splits a header list of HTTP dates, which contain a comma of their own
/// (`Mon, 16 Dec 2019 23:48:18 GMT, Tue, ...`).
pub fn split_http_date_list(value: &str) -> Vec<String> {
    let parts: Vec<&str> = value.split(',').map(str::trim).collect();
    parts.chunks(2).map(|pair| pair.join(", ")).collect()
}

/// Joins header list items, quoting those that contain a comma or a double quote.
pub fn join_header_list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let quoted: Vec<String> = items
        .into_iter()
        .map(|item| {
            if item.contains(',') || item.contains('"') {
                format!("\"{}\"", item.replace('\\', "\\\\").replace('"', "\\\""))
            } else {
                item.to_owned()
            }
        })
        .collect();
    quoted.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lists_round_trip_with_quotes() {
        let joined = join_header_list(["a", "b,c", "d\"e"]);
        assert_eq!(joined, "a, \"b,c\", \"d\\\"e\"");
        assert_eq!(split_header_list(&joined), vec!["a", "b,c", "d\"e"]);
        assert_eq!(
            split_http_date_list("Mon, 16 Dec 2019 23:48:18 GMT, Tue, 17 Dec 2019 23:48:18 GMT"),
            vec!["Mon, 16 Dec 2019 23:48:18 GMT", "Tue, 17 Dec 2019 23:48:18 GMT"]
        );
    }

    #[test]
    fn floats_spell_out_special_values() {
        assert_eq!(fmt_float(f64::NAN), "NaN");
        assert_eq!(fmt_float(f32::NEG_INFINITY), "-Infinity");
        assert_eq!(fmt_float(1.5f32), "1.5");
    }
}
