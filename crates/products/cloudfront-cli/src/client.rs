//! The client a command calls CloudFront with, configured as the AWS CLI configures botocore:
//! its timeouts, trust, profile, region and endpoint flags, and its refusals before sending.

use std::time::Duration;

use cloudfront::Client;
use cloudfront_runtime::env::Env;
use cloudfront_runtime::transport::TransportSettings;

use crate::Failure;
use crate::call::Global;

/// `--cli-read-timeout` / `--cli-connect-timeout`: whole seconds as the AWS CLI reads them,
/// 0 for no limit, below 0 refused with its message.
fn seconds(which: &str, value: &Option<String>) -> Result<Option<Duration>, Failure> {
    let Some(text) = value else { return Ok(None) };
    match crate::call::python_int(&format!("--cli-{which}-timeout"), text)? {
        n if n < 0 => Err(Failure::Other(format!(
            "Attempted to set {which} timeout to {n}, but the timeout cannot be set to a value less than or equal to 0."
        ))),
        0 => Ok(Some(Duration::from_secs(86_400))),
        n => Ok(Some(Duration::from_secs(n.unsigned_abs()))),
    }
}

pub(crate) fn client(global: &Global) -> Result<Client, Failure> {
    let mut config = config(global)?;
    // CloudFront is a global service: the AWS CLI works without a region, and so does this;
    // but a configured endpoint URL has no region to sign for, and botocore refuses it.
    if config.region.is_none() && matches!(config.endpoint_url_for("CloudFront"), Ok(None)) {
        config.region = Some("us-east-1".into());
    }
    refuse_legacy_variants(&config)?;
    Client::new(config).map_err(Failure::Config)
}

/// The S3 client `deploy` uploads with: the same configuration. Without a region, S3's
/// `us-east-1`, as the AWS CLI's `s3` commands (a bucket elsewhere answers with its region,
/// and the call is made again there).
pub(crate) fn s3_client(global: &Global) -> Result<cloudfront_s3::Client, Failure> {
    let mut config = config(global)?;
    if config.region.is_none() {
        config.region = Some("us-east-1".into());
    }
    cloudfront_s3::Client::new(config).map_err(Failure::Config)
}

/// The configuration every client of a command shares: flags, environment and profile.
fn config(global: &Global) -> Result<cloudfront_runtime::Config, Failure> {
    // The AWS CLI's defaults (botocore's DEFAULT_TIMEOUT): 60 s to connect, 60 s for any read.
    let mut transport = TransportSettings::default();
    transport.connect_timeout = Duration::from_secs(60);
    transport.read_timeout = Some(Duration::from_secs(60));
    if let Some(t) = seconds("connect", &global.connect_timeout)? {
        transport.connect_timeout = t;
    }
    if let Some(t) = seconds("read", &global.read_timeout)? {
        transport.read_timeout = Some(t);
    }
    // `--ca-bundle` wins; otherwise the library reads AWS_CA_BUNDLE and the profile's ca_bundle.
    transport.ca_bundle = global.ca_bundle.clone().map(Into::into);
    transport.insecure = global.no_verify_ssl;
    if global.no_verify_ssl {
        // Always said, not only with --debug: an unverified connection can be anyone's.
        eprintln!("warning: --no-verify-ssl: TLS certificates are not verified; use it only against test servers");
    }
    // As the AWS CLI: assumed roles are kept in ~/.aws/cli/cache, shared with it.
    let mut builder = cloudfront_runtime::Config::loader(Env::process(), global.profile.clone())
        .transport(transport)
        .share_role_cache_with_aws_cli(true);
    if let Some(region) = &global.region {
        builder = builder.region(region);
    }
    if let Some(url) = &global.endpoint_url {
        if !url.starts_with("http://") && !url.starts_with("https://") {
            // Our reason, then the AWS CLI's line (and its exit code).
            return Err(Failure::Other(format!(
                "Bad value for --endpoint-url \"{url}\": scheme is missing. Must be of the form http://<hostname>/ or https://<hostname>/\nInvalid endpoint: {url}"
            )));
        }
        builder = builder.endpoint_url(url);
    }
    if global.no_sign_request {
        builder = builder.no_signing();
    }
    // A missing named profile is not one of the AWS CLI's configuration errors (253): it
    // exits 255 with botocore's ProfileNotFound text.
    builder
        .build()
        .map_err(|e| if e.starts_with("The config profile (") { Failure::Other(e) } else { Failure::Config(e) })
}

/// botocore resolves every client's endpoint through its older endpoint data as well, before
/// the rule set, and that data gives the `aws-iso-e` and `aws-iso-f` partitions no dual-stack
/// variant: with dual-stack on, the AWS CLI refuses there before sending, whatever endpoint URL
/// is configured. (`aws-iso` and `aws-iso-b` are skipped by that lookup, so they go on.)
fn refuse_legacy_variants(config: &cloudfront_runtime::Config) -> Result<(), Failure> {
    const WITHOUT_DUAL_STACK: [&str; 2] = ["aws-iso-e", "aws-iso-f"];
    let Some(partition) = config.region.as_deref().and_then(cloudfront_runtime::endpoint::partition_of) else {
        return Ok(());
    };
    if !config.use_dual_stack || !WITHOUT_DUAL_STACK.contains(&partition.name) {
        return Ok(());
    }
    let variants = if config.use_fips { "['dualstack', 'fips']" } else { "['dualstack']" };
    Err(Failure::Other(format!("Unable to construct a modeled endpoint with the following variant(s) {variants}: ")))
}
