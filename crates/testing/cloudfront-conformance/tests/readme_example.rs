//! The usage example of the README, kept compiling and true.

use cloudfront::operation::create_invalidation::{CreateInvalidationInput, serialize_request};
use cloudfront::types::{InvalidationBatch, Paths};

#[test]
fn readme_usage_example() -> Result<(), Box<dyn std::error::Error>> {
    let input = CreateInvalidationInput::builder()
        .distribution_id("EDFDVBD6EXAMPLE")
        .invalidation_batch(
            InvalidationBatch::builder()
                .paths(Paths::builder().items("/index.html").items("/css/*").build()?)
                .caller_reference("deploy-2026-11-22T10:00:00Z")
                .build()?,
        )
        .build()?;
    let request = serialize_request(&input)?;
    assert_eq!(request.method, "POST");
    assert_eq!(request.target(), "/2020-05-31/distribution/EDFDVBD6EXAMPLE/invalidation");
    assert_eq!(
        String::from_utf8(request.body.as_bytes().unwrap_or_default().to_vec())?,
        "<InvalidationBatch xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Paths><Quantity>2</Quantity>\
         <Items><Path>/index.html</Path><Path>/css/*</Path></Items></Paths>\
         <CallerReference>deploy-2026-11-22T10:00:00Z</CallerReference></InvalidationBatch>"
    );
    Ok(())
}

#[test]
fn a_missing_required_member_is_named() {
    let error = CreateInvalidationInput::builder().distribution_id("E1").build().unwrap_err();
    assert_eq!(error.to_string(), "InvalidationBatch is required but was not set");
}

#[test]
fn a_quantity_that_disagrees_with_items_is_refused_before_sending() {
    let input = CreateInvalidationInput::builder()
        .distribution_id("E1")
        .invalidation_batch(
            InvalidationBatch::builder()
                .paths(Paths::builder().quantity(5).items("/a").build().unwrap())
                .caller_reference("r")
                .build()
                .unwrap(),
        )
        .build()
        .unwrap();
    let error = serialize_request(&input).unwrap_err();
    assert_eq!(
        error.to_string(),
        "InvalidationBatch.Paths.Quantity is 5 but Items has 1 entries; they must match (leave Quantity unset to have it counted)"
    );
}
