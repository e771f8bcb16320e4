//! Micro-benchmarks of the request path: SigV4 signing of a typical CreateInvalidation
//! request (ours and the official `aws-sigv4` crate on the same input), serializing a
//! 3,000-path batch, and parsing a ListInvalidations page of 1,000 summaries.
//! `cargo xtask bench` runs them and reads criterion's estimates.

use std::hint::black_box;
use std::time::{Duration, SystemTime};

use cloudfront::types::{CreateInvalidationInput, InvalidationBatch, Paths};
use criterion::{Criterion, criterion_group, criterion_main};

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const HOST: &str = "cloudfront.amazonaws.com";
const PATH: &str = "/2020-05-31/distribution/EDFDVBD6EXAMPLE/invalidation";
const SIGNING_TIME_SECS: i64 = 1_700_000_000;

fn typical_body() -> Vec<u8> {
    concat!(
        r#"<InvalidationBatch xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">"#,
        "<Paths><Quantity>2</Quantity><Items><Path>/index.html</Path><Path>/css/*</Path></Items></Paths>",
        "<CallerReference>deploy-2026-11-22T08:00:00Z</CallerReference></InvalidationBatch>"
    )
    .as_bytes()
    .to_vec()
}

fn signing(c: &mut Criterion) {
    let body = typical_body();
    let headers: Vec<(String, String)> = vec![
        ("content-type".into(), "application/xml".into()),
        ("content-length".into(), body.len().to_string()),
        ("host".into(), HOST.into()),
    ];
    let mut group = c.benchmark_group("sigv4");

    let credentials = cloudfront_sigv4::Credentials::new(ACCESS_KEY, SECRET_KEY, None);
    group.bench_function("ours", |b| {
        b.iter(|| {
            let request = cloudfront_sigv4::SignableRequest::new("POST", HOST, PATH, "", &headers, &body);
            let params = cloudfront_sigv4::SigningParams::new(&credentials, "us-east-1", "cloudfront", cloudfront_primitives::DateTime::from_secs(SIGNING_TIME_SECS));
            black_box(cloudfront_sigv4::sign(black_box(&request), &params))
        })
    });

    let identity = aws_credential_types::Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "bench").into();
    let url = format!("https://{HOST}{PATH}");
    group.bench_function("aws-sigv4", |b| {
        b.iter(|| {
            let params = aws_sigv4::sign::v4::SigningParams::builder()
                .identity(&identity)
                .region("us-east-1")
                .name("cloudfront")
                .time(SystemTime::UNIX_EPOCH + Duration::from_secs(SIGNING_TIME_SECS as u64))
                .settings(aws_sigv4::http_request::SigningSettings::default())
                .build()
                .expect("signing params")
                .into();
            let request = aws_sigv4::http_request::SignableRequest::new(
                "POST",
                &url,
                headers.iter().map(|(name, value)| (name.as_str(), value.as_str())),
                aws_sigv4::http_request::SignableBody::Bytes(&body),
            )
            .expect("signable request");
            black_box(aws_sigv4::http_request::sign(black_box(request), &params).expect("signature"))
        })
    });
    group.finish();
}

fn serializing(c: &mut Criterion) {
    let mut paths = Paths::builder();
    for i in 0..3000 {
        paths = paths.items(format!("/assets/build-{i:05}/app.js"));
    }
    let batch = InvalidationBatch::builder()
        .paths(paths.build().expect("paths"))
        .caller_reference("bench")
        .build()
        .expect("batch");
    let input = CreateInvalidationInput::builder()
        .distribution_id("EDFDVBD6EXAMPLE")
        .invalidation_batch(batch)
        .build()
        .expect("input");
    c.bench_function("serialize_3000_paths", |b| {
        b.iter(|| black_box(cloudfront::wire::create_invalidation::serialize_request(black_box(&input))))
    });
}

fn parsing(c: &mut Criterion) {
    let mut xml = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<InvalidationList xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/">"#,
        "<Marker></Marker><NextMarker>I999</NextMarker><MaxItems>1000</MaxItems>",
        "<IsTruncated>true</IsTruncated><Quantity>1000</Quantity><Items>"
    ));
    for i in 0..1000 {
        xml.push_str(&format!(
            "<InvalidationSummary><Id>I{i:013}</Id><CreateTime>2026-11-22T08:00:{:02}.000Z</CreateTime>\
             <Status>Completed</Status></InvalidationSummary>",
            i % 60
        ));
    }
    xml.push_str("</Items></InvalidationList>");
    let response = cloudfront_primitives::HttpResponse::new(200, vec![], xml.into_bytes());
    c.bench_function("parse_list_1000", |b| {
        b.iter(|| black_box(cloudfront::wire::list_invalidations::parse_response(black_box(&response))))
    });
}

criterion_group!(benches, signing, serializing, parsing);
criterion_main!(benches);
