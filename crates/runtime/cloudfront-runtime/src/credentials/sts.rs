//! The two STS calls the credential chain makes, in the AWS query protocol: `AssumeRole`
//! (signed with the source credentials) and `AssumeRoleWithWebIdentity` (unsigned).

use std::time::Duration;

use cloudfront_restxml::XmlElement;

use super::http::CredentialHttp;
use super::{Credentials, CredentialsError, parse_expiry};
use crate::time::Clock;

/// STS answers quickly; a stuck call should not hold a deploy for the transport's minute.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Where STS is and the region to sign for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StsEndpoint {
    pub url: String,
    pub signing_region: String,
}

/// The arguments of one `AssumeRole` call.
#[derive(Clone, Debug, Default)]
pub(crate) struct AssumeRole {
    pub role_arn: String,
    pub session_name: String,
    pub external_id: Option<String>,
    pub duration_seconds: Option<u32>,
    /// The MFA device and the code read for it.
    pub mfa: Option<(String, String)>,
}

/// Calls `AssumeRole` with `source` credentials.
pub(crate) async fn assume_role(
    http: &CredentialHttp,
    endpoint: &StsEndpoint,
    clock: &dyn Clock,
    source: &Credentials,
    call: &AssumeRole,
    label: &str,
) -> Result<Credentials, CredentialsError> {
    let duration = call.duration_seconds.map(|d| d.to_string());
    let mut form = vec![
        ("Action", "AssumeRole"),
        ("Version", "2011-06-15"),
        ("RoleArn", call.role_arn.as_str()),
        ("RoleSessionName", call.session_name.as_str()),
    ];
    if let Some(d) = &duration {
        form.push(("DurationSeconds", d));
    }
    if let Some(id) = &call.external_id {
        form.push(("ExternalId", id));
    }
    if let Some((serial, code)) = &call.mfa {
        form.push(("SerialNumber", serial));
        form.push(("TokenCode", code));
    }
    let body = encode_form(&form);
    let bad = |why: String| CredentialsError::Failed(format!("{label}: bad STS endpoint {:?}: {why}", endpoint.url));
    let url = crate::transport::parse_url(&format!("{}/", endpoint.url.trim_end_matches('/'))).map_err(bad)?;
    let host = crate::transport::host_header(&url).map_err(bad)?;
    let headers = vec![("Content-Type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned())];
    let signature = cloudfront_sigv4::sign(
        &cloudfront_sigv4::SignableRequest::new("POST", &host, url.path(), "", &headers, body.as_bytes()),
        &cloudfront_sigv4::SigningParams::new(&source.for_signing(), &endpoint.signing_region, "sts", clock.now()),
    );
    let mut all: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    all.extend(signature.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let result = post(http, url.as_str(), &all, body, "AssumeRole", label).await?;
    let credentials = read_credentials(&result, label)?;
    Ok(Credentials { source: format!("{label} (assumed {})", call.role_arn), ..credentials })
}

/// Calls `AssumeRoleWithWebIdentity` with the token read from a file.
pub(crate) async fn assume_role_with_web_identity(
    http: &CredentialHttp,
    endpoint: &StsEndpoint,
    role_arn: &str,
    session_name: &str,
    token: &str,
    label: &str,
) -> Result<Credentials, CredentialsError> {
    let body = encode_form(&[
        ("Action", "AssumeRoleWithWebIdentity"),
        ("Version", "2011-06-15"),
        ("RoleArn", role_arn),
        ("RoleSessionName", session_name),
        ("WebIdentityToken", token),
    ]);
    let url = format!("{}/", endpoint.url.trim_end_matches('/'));
    let headers = [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")];
    let result = post(http, &url, &headers, body, "AssumeRoleWithWebIdentity", label).await?;
    let credentials = read_credentials(&result, label)?;
    Ok(Credentials { source: format!("{label} (web identity, assumed {role_arn})"), ..credentials })
}

fn encode_form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{k}={}", cloudfront_restxml::encode_query(v))).collect::<Vec<_>>().join("&")
}

/// Posts the form and returns the `<ActionResult>` element, or STS's error as one line.
async fn post(
    http: &CredentialHttp,
    url: &str,
    headers: &[(&str, &str)],
    body: String,
    action: &str,
    label: &str,
) -> Result<XmlElement, CredentialsError> {
    let fail = |why: String| CredentialsError::Failed(format!("{label}: STS {action}: {why}"));
    let answer =
        http.send("POST", url, headers, body.into_bytes(), TIMEOUT).await.map_err(|e| fail(e.into_message()))?;
    let root = cloudfront_restxml::parse_document(&answer.body)
        .map_err(|e| fail(format!("answered {} with a body that is not XML: {e}", answer.status)))?;
    if !(200..300).contains(&answer.status) {
        let error = root.child("Error");
        let text = |name: &str| error.and_then(|e| e.child(name)).map(|c| one_line(c.text())).unwrap_or_default();
        return Err(fail(format!("refused ({}): {}: {}", answer.status, text("Code"), text("Message"))));
    }
    root.child(&format!("{action}Result"))
        .cloned()
        .ok_or_else(|| fail(format!("the answer has no {action}Result element")))
}

fn read_credentials(result: &XmlElement, label: &str) -> Result<Credentials, CredentialsError> {
    let fail = |why: String| CredentialsError::Failed(format!("{label}: STS: {why}"));
    let credentials = result.child("Credentials").ok_or_else(|| fail("the answer has no Credentials".into()))?;
    let field = |name: &str| {
        credentials
            .child(name)
            .map(|c| c.text().trim().to_owned())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| fail(format!("the answer has no {name}")))
    };
    Ok(Credentials {
        access_key_id: field("AccessKeyId")?,
        secret_access_key: field("SecretAccessKey")?,
        session_token: Some(field("SessionToken")?),
        expiry: parse_expiry(Some(&field("Expiration")?), label)?,
        source: label.to_owned(),
    })
}

/// Service text in one line (a message is shown to users as one line).
pub(crate) fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
