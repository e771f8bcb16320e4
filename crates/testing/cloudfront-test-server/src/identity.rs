//! A loopback stand-in for every service the credential chain talks to, and for CloudFront:
//! STS (`AssumeRole`, `AssumeRoleWithWebIdentity`), the IAM Identity Center portal
//! (`GetRoleCredentials`) and its OIDC token endpoint (`CreateToken`), EC2 instance metadata
//! (IMDSv2) and a container credentials endpoint. Every credential it hands out is derived
//! from what it was asked (role, source key, external id, MFA code, token, ...), so two
//! clients that resolve the same chain sign their CloudFront call with the same key id, and
//! clients that resolve different chains do not.
//!
//! Rules a test can rely on:
//! - an SSO access token or OIDC refresh token is accepted only if it starts with `valid`;
//! - the container endpoint answers under `/container/`, with a key derived from the
//!   `Authorization` header it received;
//! - anything under `/2020-05-31/` is CloudFront: `GetInvalidation` answers one invalidation;
//! - every secret key, session token and SSO token it hands out contains `MARKER`, so a test
//!   can search any output for leaks.

use std::path::PathBuf;

use crate::{Recorded, Reply};

/// A scratch home directory holding `.aws/config`, `.aws/credentials` and whatever else a
/// case needs (tokens, an IAM Identity Center cache).
pub struct Home {
    /// The directory (HOME for the case).
    pub dir: PathBuf,
}

impl Home {
    /// A new, empty home with the two AWS files.
    pub fn new(name: &str, config: &str, credentials: &str) -> Home {
        let dir = std::env::temp_dir().join(format!("identity-home-{}/{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join(".aws/sso/cache")).expect("a temporary directory");
        let home = Home { dir };
        home.write(".aws/config", config);
        home.write(".aws/credentials", credentials);
        home
    }

    /// Writes a file under the home (`{home}` in the contents is replaced); returns its path.
    pub fn write(&self, relative: &str, contents: &str) -> String {
        let path = self.dir.join(relative);
        std::fs::write(&path, contents.replace("{home}", &self.dir.to_string_lossy())).expect("write a home file");
        path.to_string_lossy().into_owned()
    }

    /// Writes an IAM Identity Center token cache entry for a session name or start URL, named
    /// as the AWS CLI names it; returns its path.
    pub fn sso_token(&self, key: &str, json: &str) -> String {
        self.write(&format!(".aws/sso/cache/{}.json", sha1_hex(key)), json)
    }

    /// The home as a string.
    pub fn path(&self) -> String {
        self.dir.to_string_lossy().into_owned()
    }
}

/// SHA-1 in hex by Python's hashlib, as the AWS CLI computes cache names (and not by the
/// code under test).
pub fn sha1_hex(text: &str) -> String {
    let output = std::process::Command::new("python3")
        .args(["-c", "import hashlib,sys; print(hashlib.sha1(sys.argv[1].encode()).hexdigest())", text])
        .output()
        .expect("python3 runs");
    String::from_utf8(output.stdout).expect("hex").trim().to_owned()
}

/// Far in the future, so no client refreshes during a test.
const EXPIRATION: &str = "2099-01-01T00:00:00Z";

/// Answers one request in whichever role it was addressed to.
pub fn reply(request: &Recorded) -> Reply {
    let (path, query) = request.target.split_once('?').unwrap_or((request.target.as_str(), ""));
    if let Some(imds) = path.strip_prefix("/no-token").or_else(|| path.strip_prefix("/slow")) {
        return instance_metadata(request, path, imds);
    }
    match (request.method.as_str(), path) {
        ("POST", "/") => sts(request),
        ("GET", "/federation/credentials") => portal(request, query),
        ("POST", "/token") => oidc(request),
        (_, p) if p.starts_with("/latest/") => instance_metadata(request, p, p),
        ("GET", p) if p.starts_with("/container/") => {
            let key = derive(&["container", p, request.header("authorization").unwrap_or("none")]);
            Reply::status(200, json_credentials("ASIAECS", &key, "Token"))
        }
        (_, p) if p.starts_with("/2020-05-31/") => cloudfront(),
        _ => Reply::status(404, "not a route of the identity stub"),
    }
}

/// Instance metadata at `/latest/...`, or under a prefix that changes it: `/no-token` hands
/// out no session token (IMDSv1 only), `/slow` answers the credentials 1.5 s late (past
/// botocore's default 1 s timeout). The key id says whether a token was used (`ASIAIMDS` for
/// IMDSv2, `ASIAIMDSV1` without).
fn instance_metadata(request: &Recorded, full: &str, path: &str) -> Reply {
    let token = request.header("x-aws-ec2-metadata-token");
    match (request.method.as_str(), path) {
        ("PUT", "/latest/api/token") if full.starts_with("/no-token") => Reply::status(404, "no tokens here"),
        ("PUT", "/latest/api/token") => Reply::status(200, "imds-MARKER-session-token"),
        ("GET", "/latest/meta-data/iam/security-credentials/") => Reply::status(200, "stub-instance-role"),
        ("GET", "/latest/meta-data/iam/security-credentials/stub-instance-role") => {
            let key = derive(&["imds", token.unwrap_or("v1")]);
            let body = json_credentials(if token.is_some() { "ASIAIMDS" } else { "ASIAIMDSV1" }, &key, "Token");
            if full.starts_with("/slow") {
                Reply::Late {
                    wait: std::time::Duration::from_millis(1500),
                    status: 200,
                    headers: Vec::new(),
                    body: body.into(),
                }
            } else {
                Reply::status(200, body)
            }
        }
        _ => Reply::status(404, "not a route of the instance metadata stub"),
    }
}

/// The access key id and whether a session token was sent, from a signed request.
pub fn signer(request: &Recorded) -> Option<(String, bool)> {
    let authorization = request.header("authorization")?;
    let credential = authorization.split("Credential=").nth(1)?;
    let key_id = credential.split('/').next()?.to_owned();
    Some((key_id, request.header("x-amz-security-token").is_some()))
}

fn sts(request: &Recorded) -> Reply {
    let form = parse_form(&request.text());
    let get = |k: &str| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str()).unwrap_or_default();
    // Session names default to a timestamp (botocore-session-1700000000): derive from the
    // part without digits so the default is the same for every client and every second.
    let session: String = get("RoleSessionName").chars().filter(|c| !c.is_ascii_digit()).collect();
    match get("Action") {
        "AssumeRole" => {
            let Some((source, _)) = signer(request) else {
                return sts_error(403, "MissingAuthenticationToken", "Request is missing Authentication Token");
            };
            if !get("SerialNumber").is_empty() && get("TokenCode").is_empty() {
                return sts_error(403, "AccessDenied", "MultiFactorAuthentication failed, no token code");
            }
            let key = derive(&[
                "role",
                get("RoleArn"),
                &source,
                get("ExternalId"),
                get("SerialNumber"),
                get("TokenCode"),
                get("DurationSeconds"),
                &session,
            ]);
            Reply::status(200, sts_credentials("AssumeRole", &key))
        }
        "AssumeRoleWithWebIdentity" => {
            if request.header("authorization").is_some() {
                return sts_error(400, "InvalidAction", "AssumeRoleWithWebIdentity is unsigned");
            }
            let key = derive(&["web", get("RoleArn"), get("WebIdentityToken"), &session]);
            Reply::status(200, sts_credentials("AssumeRoleWithWebIdentity", &key))
        }
        other => sts_error(400, "InvalidAction", &format!("unknown action {other}")),
    }
}

fn sts_credentials(action: &str, key: &str) -> String {
    format!(
        "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result><Credentials>\
         <AccessKeyId>ASIA{key}</AccessKeyId><SecretAccessKey>SECRET-MARKER-{key}</SecretAccessKey>\
         <SessionToken>TOKEN-MARKER-{key}</SessionToken><Expiration>{EXPIRATION}</Expiration></Credentials>\
         <AssumedRoleUser><AssumedRoleId>AROA:{key}</AssumedRoleId><Arn>arn:aws:sts::123456789012:assumed-role/r/{key}</Arn></AssumedRoleUser>\
         </{action}Result><ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></{action}Response>"
    )
}

fn sts_error(status: u16, code: &str, message: &str) -> Reply {
    Reply::status(
        status,
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>stub</RequestId></ErrorResponse>"
        ),
    )
}

fn portal(request: &Recorded, query: &str) -> Reply {
    let token = request.header("x-amz-sso_bearer_token").unwrap_or_default();
    if !token.starts_with("valid") {
        return Reply::status(401, r#"{"message":"Session token not found or invalid"}"#)
            .header("x-amzn-ErrorType", "UnauthorizedException")
            .header("Content-Type", "application/json");
    }
    let form = parse_form(query);
    let get = |k: &str| form.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str()).unwrap_or_default();
    let key = derive(&["sso", get("account_id"), get("role_name"), token]);
    Reply::status(
        200,
        format!(
            r#"{{"roleCredentials":{{"accessKeyId":"ASIA{key}","secretAccessKey":"SECRET-MARKER-{key}","sessionToken":"TOKEN-MARKER-{key}","expiration":4070908800000}}}}"#
        ),
    )
    .header("Content-Type", "application/json")
}

fn oidc(request: &Recorded) -> Reply {
    let body = request.text();
    let refresh = body.split("\"refreshToken\"").nth(1).and_then(|rest| rest.split('"').nth(1)).unwrap_or_default();
    if !refresh.starts_with("valid") {
        return Reply::status(400, r#"{"error":"invalid_grant","error_description":"refresh token expired"}"#)
            .header("Content-Type", "application/json");
    }
    let fresh = derive(&["oidc", refresh]);
    Reply::status(
        200,
        format!(r#"{{"accessToken":"valid-refreshed-MARKER-{fresh}","expiresIn":28800,"refreshToken":"valid-next-MARKER-{fresh}","tokenType":"Bearer"}}"#),
    )
    .header("Content-Type", "application/json")
}

fn cloudfront() -> Reply {
    Reply::status(
        200,
        "<?xml version=\"1.0\"?><Invalidation xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Id>I2J0I21PCUYOIK</Id>\
         <Status>Completed</Status><CreateTime>2026-01-02T03:04:05.678Z</CreateTime><InvalidationBatch><Paths><Quantity>1</Quantity>\
         <Items><Path>/index.html</Path></Items></Paths><CallerReference>stub</CallerReference></InvalidationBatch></Invalidation>",
    )
    .header("Content-Type", "text/xml")
}

fn json_credentials(prefix: &str, key: &str, token_field: &str) -> String {
    format!(
        r#"{{"Code":"Success","AccessKeyId":"{prefix}{key}","SecretAccessKey":"SECRET-MARKER-{key}","{token_field}":"TOKEN-MARKER-{key}","Expiration":"{EXPIRATION}"}}"#
    )
}

/// 16 upper-case hex digits from the parts (FNV-1a).
fn derive(parts: &[&str]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{hash:016X}")
}

/// `a=1&b=x%3Ay` into pairs, percent-decoded (`+` is a space, as in forms).
fn parse_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
