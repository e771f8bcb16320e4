//! Calling an operation with its input and output as JSON in the AWS CLI's field names: what a
//! generated `json::call` does for each operation, written once here.

use std::future::Future;

use sdk_types::{ErrorMetadata, ProvideErrorMetadata};

use crate::SdkError;

pub use serde_json::Value;

/// Why a call by name failed.
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

/// Reads `input` as the operation's input type, sends it with `send` and writes the output as
/// JSON; a service error is reduced to its metadata, so every operation gives the same type.
pub async fn call_typed<I, O, E, Fut>(input: Value, send: impl FnOnce(I) -> Fut) -> Result<Value, JsonCallError>
where
    I: serde::de::DeserializeOwned,
    O: serde::Serialize,
    E: ProvideErrorMetadata,
    Fut: Future<Output = Result<O, SdkError<E>>>,
{
    let input: I = serde_json::from_value(input).map_err(|e| JsonCallError::Input(e.to_string()))?;
    let output = send(input).await.map_err(|e| JsonCallError::Call(e.map_service(|e| e.meta().clone())))?;
    serde_json::to_value(&output).map_err(|e| JsonCallError::Output(e.to_string()))
}
