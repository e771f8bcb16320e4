//! S3's region redirect, as botocore follows it: an answer that says the bucket lives in
//! another region (a 301/302/307, `PermanentRedirect`, `AuthorizationHeaderMalformed` naming
//! a `Region`, `IllegalLocationConstraintException`, or a body-less 301/400 to a HEAD) is
//! followed once, to that region, when the answer names it (`x-amz-bucket-region`, else the
//! error's `Region`). Generated clients of services that redirect (S3) ask for it; a client
//! with a custom endpoint never follows one.

use cloudfront_primitives::HttpResponse;

/// The region `response` (an error answer to a `method` request) sends the call to, if it
/// is a region redirect that names one.
pub fn redirect_region(response: &HttpResponse, method: &str) -> Option<String> {
    let parsed = cloudfront_restxml::parse_error_response(response);
    let code = parsed.meta.code.as_deref().unwrap_or_default();
    let body_region = parsed.error.as_ref().and_then(|e| e.child("Region")).map(|r| r.text().to_owned());
    let is_redirect = matches!(response.status, 301 | 302 | 307)
        || code == "PermanentRedirect"
        || code == "IllegalLocationConstraintException"
        || (code == "AuthorizationHeaderMalformed" && body_region.is_some())
        || (method == "HEAD" && matches!(response.status, 301 | 400));
    if !is_redirect {
        return None;
    }
    response.header("x-amz-bucket-region").map(str::to_owned).or(body_region).filter(|r| !r.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
        let headers = headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        HttpResponse::new(status, headers, body.as_bytes().to_vec())
    }

    #[test]
    fn redirects_name_their_region_in_a_header_or_the_error() {
        let moved =
            answer(301, &[("x-amz-bucket-region", "eu-west-1")], "<Error><Code>PermanentRedirect</Code></Error>");
        assert_eq!(redirect_region(&moved, "GET").as_deref(), Some("eu-west-1"));
        let malformed = "<Error><Code>AuthorizationHeaderMalformed</Code><Region>ap-south-1</Region></Error>";
        assert_eq!(redirect_region(&answer(400, &[], malformed), "PUT").as_deref(), Some("ap-south-1"));
        let head = answer(400, &[("x-amz-bucket-region", "us-west-2")], "");
        assert_eq!(redirect_region(&head, "HEAD").as_deref(), Some("us-west-2"));
        assert_eq!(redirect_region(&head, "GET"), None, "a body-less 400 is a redirect only for HEAD");
        assert_eq!(redirect_region(&answer(301, &[], ""), "GET"), None, "no region named: nothing to follow");
        let denied = answer(403, &[("x-amz-bucket-region", "eu-west-1")], "<Error><Code>AccessDenied</Code></Error>");
        assert_eq!(redirect_region(&denied, "GET"), None);
    }
}
