//! Calling an operation with its input and output as JSON in the AWS CLI's field names: what a
//! generated `json::call` does for each operation, written once here.

use std::future::Future;

use cloudfront_primitives::{ErrorMetadata, ProvideErrorMetadata};

use crate::SdkError;
use crate::waiter::{Completed, WaitError};

pub use serde_json::Value;

/// Why a call by name failed.
#[non_exhaustive]
#[derive(Debug)]
pub enum JsonCallError {
    /// No operation has this name.
    UnknownOperation(String),
    /// The JSON is not the operation's input (names the member and what was wrong).
    Input(String),
    /// The operation failed; the service error keeps its code, message and request id.
    Call(SdkError<ErrorMetadata>),
    /// The output could not be written as JSON.
    Output(String),
}

impl std::fmt::Display for JsonCallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonCallError::UnknownOperation(name) => write!(f, "unknown operation {name}"),
            JsonCallError::Input(why) => write!(f, "invalid input: {why}"),
            JsonCallError::Call(error) => write!(f, "{error}"),
            JsonCallError::Output(why) => write!(f, "the output cannot be written as JSON: {why}"),
        }
    }
}

impl std::error::Error for JsonCallError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            JsonCallError::Call(error) => Some(error),
            _ => None,
        }
    }
}

/// Reads `input` as the operation's input type, sends it with `send` and writes the output as
/// JSON; a service error is reduced to its metadata, so every operation gives the same type.
pub async fn call_typed<I, O, E, Fut>(input: Value, send: impl FnOnce(I) -> Fut) -> Result<Value, JsonCallError>
where
    I: serde::de::DeserializeOwned + serde::Serialize,
    O: serde::Serialize,
    E: ProvideErrorMetadata,
    Fut: Future<Output = Result<O, SdkError<E>>>,
{
    let input: I = input_from_json(&input).map_err(JsonCallError::Input)?;
    let output = send(input).await.map_err(|e| JsonCallError::Call(e.map_service(|e| e.meta().clone())))?;
    serde_json::to_value(&output).map_err(|e| JsonCallError::Output(e.to_string()))
}

/// Why a wait by name did not succeed.
#[non_exhaustive]
#[derive(Debug)]
pub enum JsonWaitError {
    /// No waiter has this name.
    UnknownWaiter(String),
    /// The JSON is not the polled operation's input (names the member and what was wrong).
    Input(String),
    /// The wait ended without success; errors are reduced to their metadata.
    Wait(WaitError<(), ErrorMetadata>),
}

impl std::fmt::Display for JsonWaitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonWaitError::UnknownWaiter(name) => write!(f, "unknown waiter {name}"),
            JsonWaitError::Input(why) => write!(f, "invalid input: {why}"),
            JsonWaitError::Wait(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for JsonWaitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            JsonWaitError::Wait(error) => Some(error),
            _ => None,
        }
    }
}

/// Reads `input` as the polled operation's input and runs the wait with `wait`: what a
/// generated `json::wait` does for each waiter.
pub async fn wait_typed<I, O, E, Fut>(input: Value, wait: impl FnOnce(I) -> Fut) -> Result<(), JsonWaitError>
where
    I: serde::de::DeserializeOwned + serde::Serialize,
    E: ProvideErrorMetadata,
    Fut: Future<Output = Result<Completed<O>, WaitError<O, E>>>,
{
    let input: I = input_from_json(&input).map_err(JsonWaitError::Input)?;
    match wait(input).await {
        Ok(_) => Ok(()),
        Err(e) => Err(JsonWaitError::Wait(e.map(drop, |e| e.meta().clone()))),
    }
}

/// Reads an operation input from JSON. Shapes that are also read from responses accept
/// members they do not know (a newer model's), so an input could lose one silently: a member
/// that does not survive the trip into the type is refused instead.
pub fn input_from_json<I: serde::de::DeserializeOwned + serde::Serialize>(json: &Value) -> Result<I, String> {
    let typed: I = serde_json::from_value(json.clone()).map_err(|e| e.to_string())?;
    let kept = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    match dropped(json, &kept, "") {
        Some(why) => Err(why),
        None => Ok(typed),
    }
}

/// The first member of `given` that `kept` (the same input after a trip through its type)
/// no longer has, as "unknown member `X` in `Path`"; `null` counts as absent.
fn dropped(given: &Value, kept: &Value, path: &str) -> Option<String> {
    match (given, kept) {
        (Value::Object(given), Value::Object(kept)) => given.iter().find_map(|(key, value)| {
            let at = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
            match kept.get(key) {
                None if value.is_null() => None,
                None => {
                    let known: Vec<&str> = kept.keys().map(String::as_str).collect();
                    let place = if path.is_empty() { "input" } else { path };
                    Some(format!(
                        "Unknown parameter in {place}: \"{key}\" (members given that it has: {})",
                        known.join(", ")
                    ))
                }
                Some(inner) => dropped(value, inner, &at),
            }
        }),
        (Value::Array(given), Value::Array(kept)) => {
            given.iter().zip(kept).enumerate().find_map(|(i, (g, k))| dropped(g, k, &format!("{path}[{i}]")))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_the_type_does_not_keep_is_named() {
        let given = serde_json::json!({"Batch": {"Paths": ["/a"], "Comment": "x", "Gone": null}});
        let kept = serde_json::json!({"Batch": {"Paths": ["/a"]}});
        let why = dropped(&given, &kept, "").unwrap();
        assert!(why.starts_with("Unknown parameter in Batch: \"Comment\""), "{why}");
        assert_eq!(dropped(&kept, &kept, ""), None);
    }
}
