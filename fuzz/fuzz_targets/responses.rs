//! Every generated response parser and error parser on arbitrary bytes: never a panic.
#![no_main]

use cloudfront_serializers as wire;
use libfuzzer_sys::fuzz_target;
use cloudfront_restxml::HttpResponse;

fuzz_target!(|data: &[u8]| {
    // The first byte picks a status family, so both success and error paths see the body.
    let Some((&selector, body)) = data.split_first() else { return };
    let status = if selector % 2 == 0 { 200 } else { 400 + u16::from(selector % 104) };
    let headers =
        vec![("x-amzn-requestid".into(), "fuzz".into()), ("location".into(), "l".into()), ("etag".into(), "e".into())];
    let response = HttpResponse::new(status, headers, body.to_vec());
    let _ = wire::create_invalidation::parse_response(&response);
    let _ = wire::create_invalidation::parse_error(&response);
    let _ = wire::create_invalidation_for_distribution_tenant::parse_response(&response);
    let _ = wire::create_invalidation_for_distribution_tenant::parse_error(&response);
    let _ = wire::get_invalidation::parse_response(&response);
    let _ = wire::get_invalidation::parse_error(&response);
    let _ = wire::get_invalidation_for_distribution_tenant::parse_response(&response);
    let _ = wire::get_invalidation_for_distribution_tenant::parse_error(&response);
    let _ = wire::list_invalidations::parse_response(&response);
    let _ = wire::list_invalidations::parse_error(&response);
    let _ = wire::list_invalidations_for_distribution_tenant::parse_response(&response);
    let _ = wire::list_invalidations_for_distribution_tenant::parse_error(&response);
    let _ = wire::list_distribution_tenants::parse_response(&response);
    let _ = wire::list_distribution_tenants::parse_error(&response);
});
