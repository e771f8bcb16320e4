//! The AWS CLI's cache of assumed-role credentials, `~/.aws/cli/cache/<sha1>.json`, read and
//! written the way the AWS CLI does, so a role assumed by either tool (after an MFA prompt,
//! say) is reused by the other until 15 minutes before it expires. Opt-in
//! ([`crate::ConfigBuilder::share_role_cache_with_aws_cli`]): the CLI uses it; a library
//! writing into a user's AWS CLI directory uninvited would surprise.

use std::path::{Path, PathBuf};

use super::documents::{object, quote};

use super::Credentials;
use super::sts::AssumeRole;
use crate::time::seconds_between;
use cloudfront_primitives::{DateTime, TimestampFormat};

/// Cached credentials closer than this to their expiry are not reused (the AWS CLI's window).
const REUSE_WINDOW_SECS: f64 = 15.0 * 60.0;

/// The cache file for an `AssumeRole` call: SHA-1 of the call's arguments as Python's
/// `json.dumps(args, sort_keys=True)` writes them. The session name counts only when the
/// profile sets one; the MFA code never does.
pub(crate) fn file_for(dir: &Path, call: &AssumeRole, session_name_configured: bool) -> PathBuf {
    // Keys in sorted order, as sort_keys gives them.
    let mut fields: Vec<(&str, String)> = Vec::new();
    if let Some(duration) = call.duration_seconds {
        fields.push(("DurationSeconds", duration.to_string()));
    }
    if let Some(id) = &call.external_id {
        fields.push(("ExternalId", quote(id)));
    }
    fields.push(("RoleArn", quote(&call.role_arn)));
    if session_name_configured {
        fields.push(("RoleSessionName", quote(&call.session_name)));
    }
    if let Some((serial, _)) = &call.mfa {
        fields.push(("SerialNumber", quote(serial)));
    }
    dir.join(format!("{}.json", super::sha1_hex(object(&fields).as_bytes())))
}

/// Cached credentials that are good for at least 15 more minutes.
pub(crate) fn read(path: &Path, now: DateTime, source: &str) -> Option<Credentials> {
    let value = super::documents::parse(&std::fs::read(path).ok()?).ok()?;
    let credentials = &value["Credentials"];
    let expiration = credentials["Expiration"].as_str()?;
    let expiry = super::parse_cache_time(expiration).ok()?;
    if seconds_between(now, expiry) <= REUSE_WINDOW_SECS {
        return None;
    }
    Some(Credentials {
        access_key_id: credentials["AccessKeyId"].as_str()?.to_owned(),
        secret_access_key: credentials["SecretAccessKey"].as_str()?.to_owned(),
        session_token: Some(credentials["SessionToken"].as_str()?.to_owned()),
        expiry: Some(expiry),
        source: format!("{source} (from the AWS CLI cache)"),
    })
}

/// Stores credentials as the AWS CLI reads them, readable by the owner only. Failing to
/// write only costs the next run an STS call, so it is not an error.
pub(crate) fn write(path: &Path, credentials: &Credentials) {
    let (Some(expiry), Some(token)) = (credentials.expiry, &credentials.session_token) else { return };
    let inner = object(&[
        ("AccessKeyId", quote(&credentials.access_key_id)),
        ("SecretAccessKey", quote(&credentials.secret_access_key)),
        ("SessionToken", quote(token)),
        ("Expiration", quote(&expiry.fmt(TimestampFormat::DateTime))),
    ]);
    let document = object(&[("Credentials", inner)]);
    let _ = super::write_private(path, &document);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_match_the_aws_cli() {
        // From botocore 1.43's AssumeRoleCredentialFetcher._create_cache_key for the same arguments.
        let call = AssumeRole { role_arn: "arn:aws:iam::123456789012:role/deploy".into(), ..AssumeRole::default() };
        let name = file_for(Path::new("/c"), &call, false);
        assert_eq!(name, Path::new("/c/6a9d9ba39800a1773d9a3bd50c4a0db301ff5832.json"));
        let call = AssumeRole {
            role_arn: "arn:aws:iam::1:role/r".into(),
            session_name: "ci-é".into(),
            external_id: Some("ext\"1".into()),
            duration_seconds: Some(1800),
            mfa: Some(("arn:aws:iam::1:mfa/me".into(), "123456".into())),
        };
        let name = file_for(Path::new("/c"), &call, true);
        assert_eq!(name, Path::new("/c/69f01e808c8ab4085018515a890d5061da0a1da5.json"));
    }
}
