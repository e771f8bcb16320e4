//! The operations the vectors exercise, each as three functions over JSON and HTTP values.

use cloudfront::operation;
use cloudfront_primitives::ProvideErrorMetadata;
use cloudfront_primitives::{HttpRequest, HttpResponse};
use serde_json::Value;

/// What an error response became.
pub struct ErrorView {
    pub code: Option<String>,
    pub message: Option<String>,
    pub request_id: Option<String>,
    pub http_status: Option<u16>,
    /// `None` when the code is not modeled for the operation (botocore's `ClientError`).
    pub modeled: Option<String>,
    /// The retry classification our runtime gives this error.
    pub retry_kind: Option<cloudfront_runtime::retry::RetryKind>,
}

/// One operation: build a request from params, parse a response, parse an error.
pub struct Operation {
    pub name: &'static str,
    pub request: fn(&Value) -> Result<HttpRequest, String>,
    pub response: fn(&HttpResponse) -> Result<Value, String>,
    pub error: fn(&HttpResponse) -> ErrorView,
}

macro_rules! operation {
    ($name:literal, $module:ident, $input:ident, $error:ident) => {
        Operation {
            name: $name,
            request: |params| {
                let input: operation::$module::$input =
                    cloudfront_runtime::json::input_from_json(params).map_err(|e| format!("invalid input: {e}"))?;
                operation::$module::serialize_request(&input).map_err(|e| e.to_string())
            },
            response: |response| {
                let output = operation::$module::parse_response(response).map_err(|e| e.to_string())?;
                serde_json::to_value(&output).map_err(|e| e.to_string())
            },
            error: |response| {
                let error = operation::$module::parse_error(response);
                let meta = error.meta();
                ErrorView {
                    code: meta.code.clone(),
                    message: meta.message.clone(),
                    request_id: meta.request_id.clone(),
                    http_status: meta.http_status,
                    modeled: (!error.is_unhandled()).then(|| meta.code.clone().unwrap_or_default()),
                    retry_kind: cloudfront_runtime::retry::classify_error(&error),
                }
            },
        }
    };
}

/// Every operation of the generated facade.
pub fn all() -> Vec<Operation> {
    vec![
        operation!("CreateInvalidation", create_invalidation, CreateInvalidationInput, CreateInvalidationError),
        operation!(
            "CreateInvalidationForDistributionTenant",
            create_invalidation_for_distribution_tenant,
            CreateInvalidationForDistributionTenantInput,
            CreateInvalidationForDistributionTenantError
        ),
        operation!(
            "GetInvalidationForDistributionTenant",
            get_invalidation_for_distribution_tenant,
            GetInvalidationForDistributionTenantInput,
            GetInvalidationForDistributionTenantError
        ),
        operation!("GetInvalidation", get_invalidation, GetInvalidationInput, GetInvalidationError),
        operation!("ListInvalidations", list_invalidations, ListInvalidationsInput, ListInvalidationsError),
        operation!(
            "ListInvalidationsForDistributionTenant",
            list_invalidations_for_distribution_tenant,
            ListInvalidationsForDistributionTenantInput,
            ListInvalidationsForDistributionTenantError
        ),
    ]
}
