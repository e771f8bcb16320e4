//! The AWS CLI's pagination: every page fetched and the items merged, `--max-items` cutting
//! the result with a `NextToken` to resume from, and `--starting-token` resuming. Tokens are
//! the AWS CLI's own (base64 of a small JSON object holding the service's marker and how many
//! items of that page were already shown), so a token printed by either tool works in the other.

use std::future::Future;

use cloudfront_primitives::schema::Pagination;
use serde_json::{Map, Value};

use crate::Failure;

/// What paging a call asked for.
pub struct Request<'a> {
    pub pagination: &'a Pagination,
    /// `--max-items`.
    pub max_items: Option<usize>,
    /// `--starting-token`.
    pub starting_token: Option<&'a str>,
}

/// The merged result as the AWS CLI prints it, and each page as fetched (cut where the
/// result was cut), for the outputs that stream pages.
pub struct Fetched {
    pub merged: Value,
    pub pages: Vec<Value>,
}

/// A resume point: the service's marker for the page to fetch (none for the first page) and
/// how many of that page's items were already shown.
#[derive(Debug, PartialEq)]
pub struct Token {
    pub marker: Option<String>,
    pub skip: usize,
}

/// The most pages one command fetches.
const MAX_PAGES: usize = 10_000;

/// Walks the pages: `fetch` makes one call with the given input.
pub async fn fetch_all<F, Fut>(request: Request<'_>, mut input: Value, mut fetch: F) -> Result<Fetched, Failure>
where
    F: FnMut(Value) -> Fut,
    Fut: Future<Output = Result<Value, Failure>>,
{
    let p = request.pagination;
    let items_path = p.items.unwrap_or_default();
    let start = request.starting_token.map(Token::decode).unwrap_or(Token { marker: None, skip: 0 });
    let mut current = start.marker.clone();
    set_marker(&mut input, p.input_token, current.as_deref());
    let (mut pages, mut total, mut resume) = (Vec::new(), 0, None);
    let mut previous: Option<String> = None;
    let mut finished = false;
    for number in 0..MAX_PAGES {
        let mut page = fetch(input.clone()).await?;
        // A resumed first page skips what the token says was already shown.
        let skipped = if number == 0 { start.skip } else { 0 };
        if let Some(items) = at_mut(&mut page, items_path).and_then(Value::as_array_mut).filter(|_| skipped > 0) {
            items.drain(..skipped.min(items.len()));
        }
        let count = at(&page, items_path).and_then(Value::as_array).map_or(0, Vec::len);
        if let Some(max) = request.max_items.filter(|max| total + count > *max) {
            let keep = max - total;
            if let Some(items) = at_mut(&mut page, items_path).and_then(Value::as_array_mut) {
                items.truncate(keep);
            }
            resume = Some(Token { marker: current.clone(), skip: keep + skipped }.encode());
            pages.push(page);
            finished = true;
            break;
        }
        total += count;
        let next = next_marker(&page, p);
        pages.push(page);
        let Some(next) = next else {
            finished = true;
            break;
        };
        if request.max_items == Some(total) {
            resume = Some(Token { marker: Some(next), skip: 0 }.encode());
            finished = true;
            break;
        }
        if previous.as_ref() == Some(&next) {
            // botocore's PaginationError, as the AWS CLI prints it.
            let token = cloudfront_runtime::python::str(&serde_json::json!({ p.input_token: next }));
            return Err(Failure::Other(format!(
                "Error during pagination: The same next token was received twice: {token}"
            )));
        }
        set_marker(&mut input, p.input_token, Some(&next));
        previous = Some(next.clone());
        current = Some(next);
    }
    if !finished {
        // Never a cut-off result that looks complete.
        return Err(Failure::Other(format!(
            "Error during pagination: still more after {MAX_PAGES} pages; use --max-items and --starting-token to go on in parts"
        )));
    }
    Ok(Fetched { merged: merge(&pages, items_path, resume), pages })
}

/// The next page's marker, or `None` when the result is complete, by the runtime's rule
/// (the schema says where the token and the more-pages flag are).
fn next_marker(page: &Value, p: &Pagination) -> Option<String> {
    let more_pages = p.truncated.and_then(|path| at(page, path)).and_then(Value::as_bool);
    cloudfront_runtime::paginate::next_page(at(page, p.output_token).and_then(Value::as_str), more_pages)
}

fn set_marker(input: &mut Value, member: &str, marker: Option<&str>) {
    if let Value::Object(map) = input {
        match marker {
            Some(m) => map.insert(member.to_owned(), Value::String(m.to_owned())),
            None => map.remove(member),
        };
    }
}

/// The items of every page under their path, then `NextToken` when the result was cut.
fn merge(pages: &[Value], items_path: &str, resume: Option<String>) -> Value {
    let mut all: Option<Vec<Value>> = None;
    for page in pages {
        if let Some(items) = at(page, items_path).and_then(Value::as_array) {
            all.get_or_insert_with(Vec::new).extend(items.iter().cloned());
        }
    }
    let mut result = Map::new();
    if let Some(items) = all {
        let mut value = Value::Array(items);
        for key in items_path.rsplit('.') {
            let mut wrapper = Map::new();
            wrapper.insert(key.to_owned(), value);
            value = Value::Object(wrapper);
        }
        if let Value::Object(map) = value {
            result = map;
        }
    }
    if let Some(token) = resume {
        result.insert("NextToken".into(), Value::String(token));
    }
    Value::Object(result)
}

fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(value, |v, key| v.get(key))
}

fn at_mut<'a>(value: &'a mut Value, path: &str) -> Option<&'a mut Value> {
    path.split('.').try_fold(value, |v, key| v.get_mut(key))
}

impl Token {
    /// The AWS CLI's form: base64 of `{"Marker": ..., "boto_truncate_amount": n}` written as
    /// Python's `json.dumps` writes it (the amount only when part of a page was shown).
    pub fn encode(&self) -> String {
        let marker = match &self.marker {
            Some(m) => python_json_string(m),
            None => "null".into(),
        };
        let mut json = format!("{{\"Marker\": {marker}");
        if self.skip > 0 {
            json.push_str(&format!(", \"boto_truncate_amount\": {}", self.skip));
        }
        json.push('}');
        cloudfront_primitives::Blob::new(json.into_bytes()).to_base64()
    }

    /// Reads a token as the AWS CLI does: its own base64 form, else the old `marker___n`
    /// form, else the whole text as the service's marker.
    pub fn decode(text: &str) -> Token {
        let decoded = cloudfront_primitives::Blob::from_base64(text)
            .ok()
            .and_then(|blob| serde_json::from_slice::<Map<String, Value>>(blob.as_bytes()).ok());
        if let Some(map) = decoded {
            let skip = map.get("boto_truncate_amount").and_then(Value::as_u64).unwrap_or(0);
            let marker = map.iter().find(|(k, _)| *k != "boto_truncate_amount" && *k != "boto_encoded_keys");
            let marker = marker.and_then(|(_, v)| v.as_str()).filter(|m| *m != "None").map(str::to_owned);
            return Token { marker, skip: usize::try_from(skip).unwrap_or(usize::MAX) };
        }
        let (marker, skip) = match text.split_once("___") {
            Some((marker, n)) if !n.contains("___") => match n.trim().parse::<usize>() {
                Ok(n) => (marker, n),
                Err(_) => (text, 0),
            },
            _ => (text, 0),
        };
        Token { marker: (marker != "None").then(|| marker.to_owned()), skip }
    }
}

/// A JSON string as Python's `json.dumps` writes it: ASCII only, `\uXXXX` for the rest.
fn python_json_string(text: &str) -> String {
    let mut out = String::new();
    cloudfront_runtime::python::json_quote(text, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_the_aws_cli_tokens() {
        // What the AWS CLI prints after `--max-items 2` on a first page of 5.
        let first = Token { marker: None, skip: 2 };
        assert_eq!(first.encode(), "eyJNYXJrZXIiOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ==");
        assert_eq!(Token::decode(&first.encode()), first);
        let boundary = Token { marker: Some("IA2".into()), skip: 0 };
        assert_eq!(boundary.encode(), "eyJNYXJrZXIiOiAiSUEyIn0=");
        assert_eq!(Token::decode(&boundary.encode()), boundary);
        assert_eq!(python_json_string("é\u{1F600}\""), "\"\\u00e9\\ud83d\\ude00\\\"\"");
    }

    #[test]
    fn other_tokens_are_read_as_the_aws_cli_reads_them() {
        assert_eq!(Token::decode("IA3___1"), Token { marker: Some("IA3".into()), skip: 1 });
        assert_eq!(Token::decode("not-a-token"), Token { marker: Some("not-a-token".into()), skip: 0 });
        assert_eq!(Token::decode("a___b"), Token { marker: Some("a___b".into()), skip: 0 });
    }
}
