//! A CloudFront (and the S3 bucket `deploy` writes to) that knows every id, shared by the
//! tests that run the CLI as documented: the README's command lines and the GitHub Action.

use cloudfront_test_server::{Recorded, Reply};

const NS: &str = "http://cloudfront.amazonaws.com/doc/2020-05-31/";

/// A CloudFront that knows every id: creates echo their batch, every invalidation has
/// completed, lists hold two invalidations, and the distribution has three tenants.
pub fn permissive(r: &Recorded) -> Reply {
    let path = r.target.split('?').next().unwrap_or_default();
    let xml = |status: u16, body: String| Reply::status(status, body).header("Content-Type", "text/xml");
    // Made just now: an older CreateTime would read as an earlier run's invalidation.
    let now = cloudfront_primitives::DateTime::now().fmt(cloudfront_primitives::TimestampFormat::DateTime);
    let invalidation = |id: &str, batch: &str| {
        format!(
            "<Invalidation xmlns=\"{NS}\"><Id>{id}</Id><Status>Completed</Status><CreateTime>{now}</CreateTime>{batch}</Invalidation>"
        )
    };
    if let Some(reply) = s3_and_distribution_config(r, path) {
        return reply;
    }
    let stored = "<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/index.html</Path></Items></Paths><CallerReference>r</CallerReference></InvalidationBatch>";
    if path.ends_with("/distribution-tenants") {
        let tenants: String = ["dt_acme", "dt_globex", "dt_initech"]
            .iter()
            .map(|t| format!("<DistributionTenantSummary><Id>{t}</Id><DistributionId>EDFDVBD6EXAMPLE</DistributionId><Name>{t}</Name></DistributionTenantSummary>"))
            .collect();
        return xml(
            200,
            format!(
                "<ListDistributionTenantsResult xmlns=\"{NS}\"><DistributionTenantList>{tenants}</DistributionTenantList></ListDistributionTenantsResult>"
            ),
        );
    }
    match (r.method.as_str(), path.ends_with("/invalidation")) {
        ("POST", true) => {
            let body = r.text();
            let batch = body
                .find("<InvalidationBatch")
                .and_then(|s| Some(&body[s..body.find("</InvalidationBatch>")? + "</InvalidationBatch>".len()]))
                .unwrap_or(stored);
            xml(201, invalidation("I2J0I21PCUYOIK", batch))
                .header("Location", &format!("https://cloudfront.amazonaws.com{path}/I2J0I21PCUYOIK"))
        }
        ("GET", true) => xml(
            200,
            format!(
                "<InvalidationList xmlns=\"{NS}\"><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>2</Quantity><Items>\
                 <InvalidationSummary><Id>I2J0I21PCUYOIK</Id><CreateTime>2026-01-02T03:04:05.678Z</CreateTime><Status>InProgress</Status></InvalidationSummary>\
                 <InvalidationSummary><Id>IOLDER</Id><CreateTime>2026-01-01T00:00:00.000Z</CreateTime><Status>Completed</Status></InvalidationSummary></Items></InvalidationList>"
            ),
        ),
        ("GET", false) => {
            let id = path.rsplit('/').next().unwrap_or_default();
            xml(200, invalidation(id, stored))
        }
        _ => Reply::status(
            404,
            "<ErrorResponse><Error><Code>NoSuchResource</Code><Message>no</Message></Error></ErrorResponse>",
        ),
    }
}

/// What `deploy` asks besides invalidations: the distribution's configuration (a website
/// origin for `my-site-bucket` with the origin path `/live`) and an empty bucket that takes
/// uploads.
fn s3_and_distribution_config(r: &Recorded, path: &str) -> Option<Reply> {
    let xml = |status: u16, body: String| Reply::status(status, body).header("Content-Type", "application/xml");
    if path.ends_with("/config") {
        return Some(xml(
            200,
            format!(
                "<DistributionConfig xmlns=\"{NS}\"><CallerReference>r</CallerReference><DefaultRootObject>index.html</DefaultRootObject>\
                 <Origins><Quantity>1</Quantity><Items><Origin><Id>web</Id><DomainName>my-site-bucket.s3-website-us-east-1.amazonaws.com</DomainName>\
                 <OriginPath>/live</OriginPath></Origin></Items></Origins><DefaultCacheBehavior><TargetOriginId>web</TargetOriginId>\
                 <ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy></DefaultCacheBehavior><Comment></Comment><Enabled>true</Enabled></DistributionConfig>"
            ),
        ));
    }
    let key = path.strip_prefix("/my-site-bucket")?;
    Some(match r.method.as_str() {
        "GET" if key.is_empty() || key == "/" => xml(
            200,
            "<ListBucketResult><Name>my-site-bucket</Name><IsTruncated>false</IsTruncated></ListBucketResult>".into(),
        ),
        "GET" => xml(404, "<Error><Code>NoSuchKey</Code><Message>no such key</Message></Error>".into()),
        "PUT" => Reply::status(200, "").header("ETag", "\"0123456789abcdef0123456789abcdef\""),
        _ => xml(200, "<DeleteResult></DeleteResult>".into()),
    })
}
