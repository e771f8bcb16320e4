//! Reading restXml error responses into code, message and request id.
//!
//! Services wrap errors as `<ErrorResponse><Error><Code/><Message/></Error><RequestId/></ErrorResponse>`
//! (CloudFront) or send a bare `<Error>` root (S3 style). Anything else (an empty body, HTML
//! from a load balancer, plain text, broken XML) is described by its HTTP status instead.

use cloudfront_primitives::ErrorMetadata;

use cloudfront_primitives::HttpResponse;

use crate::{XmlElement, parse_document};

/// An error response as far as the protocol can read it, before the service's modeled error
/// shapes are applied.
#[non_exhaustive]
#[derive(Clone, Debug, Default)]
pub struct ErrorResponse {
    /// Code, message, request id and status.
    pub meta: ErrorMetadata,
    /// `Sender` or `Receiver`, when the body said.
    pub error_type: Option<String>,
    /// The `<Error>` element, whose children hold the modeled error's members.
    pub error: Option<XmlElement>,
}

/// The request id of a successful response (`x-amzn-RequestId`, else `x-amz-request-id`).
pub fn request_id(response: &HttpResponse) -> Option<String> {
    response.header("x-amzn-RequestId").or_else(|| response.header("x-amz-request-id")).map(str::to_owned)
}

/// Reads any non-2xx response; never fails, so the caller always has something to report.
pub fn parse_error_response(response: &HttpResponse) -> ErrorResponse {
    let header_request_id = response.header("x-amz-request-id").map(str::to_owned);
    let root = parse_document(&response.body).ok();
    let (error, body_request_id) = match root {
        Some(root) if root.name() == "ErrorResponse" => {
            let request_id = root.child("RequestId").map(|r| r.text().to_owned());
            (root.child("Error").cloned().unwrap_or_default(), request_id)
        }
        Some(root) if root.name() == "Error" => (root, None),
        _ => {
            return ErrorResponse {
                meta: ErrorMetadata::new(
                    Some(response.status.to_string()),
                    Some(reason_phrase(response.status).to_owned()),
                    header_request_id,
                    Some(response.status),
                ),
                error_type: None,
                error: None,
            };
        }
    };
    let text_of = |name: &str| error.child(name).map(|e| e.text().to_owned());
    ErrorResponse {
        meta: ErrorMetadata::new(
            Some(text_of("Code").unwrap_or_default()),
            text_of("Message"),
            body_request_id.or(header_request_id),
            Some(response.status),
        ),
        error_type: text_of("Type"),
        error: Some(error),
    }
}

/// Refuses a success response whose body is an AWS error document (`<ErrorResponse>`, or a
/// bare `<Error>` with a `Code`) rather than the `expected_root` output: a proxy or a broken
/// service answering 200 with an error must not be read as an empty output.
pub fn reject_error_document(root: &XmlElement, expected_root: &str) -> Result<(), crate::ParseError> {
    if root.name() == expected_root {
        return Ok(());
    }
    let error = match root.name() {
        "ErrorResponse" => root.child("Error"),
        "Error" if root.child("Code").is_some() => Some(root),
        _ => return Ok(()),
    };
    let text = |name: &str| error.and_then(|e| e.child(name)).map(|c| c.text().to_owned()).unwrap_or_default();
    Err(crate::ParseError::new(format!(
        "the service answered with success but sent an error document: {}: {}",
        text("Code"),
        text("Message")
    )))
}

/// The standard reason phrase for a status, used as the message of a body-less error.
fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Request Entity Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        HttpResponse::new(
            status,
            headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            body.as_bytes().to_vec(),
        )
    }

    #[test]
    fn reads_wrapped_bare_and_bodyless_errors() {
        let wrapped = parse_error_response(&response(
            404,
            &[],
            "<ErrorResponse><Error><Type>Sender</Type><Code>NoSuchDistribution</Code><Message>gone</Message></Error><RequestId>r1</RequestId></ErrorResponse>",
        ));
        assert_eq!(wrapped.meta.code.as_deref(), Some("NoSuchDistribution"));
        assert_eq!(wrapped.meta.request_id.as_deref(), Some("r1"));
        assert_eq!(wrapped.error_type.as_deref(), Some("Sender"));

        let bare = parse_error_response(&response(
            403,
            &[("x-amz-request-id", "h1")],
            "<Error><Code>AccessDenied</Code></Error>",
        ));
        assert_eq!(bare.meta.code.as_deref(), Some("AccessDenied"));
        assert_eq!(bare.meta.request_id.as_deref(), Some("h1"));

        let html = parse_error_response(&response(503, &[], "<!DOCTYPE html><html><body>down</body></html>"));
        assert_eq!(html.meta.code.as_deref(), Some("503"));
        assert_eq!(html.meta.message.as_deref(), Some("Service Unavailable"));
    }
}
