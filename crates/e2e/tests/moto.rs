//! CreateInvalidation, GetInvalidation and ListInvalidations against moto, with their error
//! paths. moto has no distribution-tenant operations; those are covered by the botocore
//! vectors and local recording servers.

use cloudfront::types::{InvalidationBatch, Paths};
use e2e::{client, create_distribution, endpoint, test_credentials};

fn batch(reference: &str, paths: &[&str]) -> InvalidationBatch {
    let mut builder = Paths::builder();
    for path in paths {
        builder = builder.items(*path);
    }
    InvalidationBatch::builder().paths(builder.build().unwrap()).caller_reference(reference).build().unwrap()
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask e2e`"]
async fn create_get_and_list_invalidations() {
    let endpoint = endpoint("MOTO_ENDPOINT");
    let client = client(&endpoint, test_credentials());
    let distribution = create_distribution(&endpoint).await;

    let created = client
        .create_invalidation()
        .distribution_id(&distribution)
        .invalidation_batch(batch("e2e-ref-1", &["/index.html", "/css/*"]))
        .send()
        .await
        .expect("CreateInvalidation succeeds");
    let invalidation = created.invalidation.expect("the new invalidation");
    assert!(created.location.expect("a Location").contains(&invalidation.id));
    assert_eq!(invalidation.invalidation_batch.paths.quantity, 2);
    assert_eq!(invalidation.invalidation_batch.caller_reference, "e2e-ref-1");

    let fetched = client
        .get_invalidation()
        .distribution_id(&distribution)
        .id(&invalidation.id)
        .send()
        .await
        .expect("GetInvalidation succeeds")
        .invalidation
        .expect("the invalidation");
    assert_eq!(fetched.id, invalidation.id);
    assert_eq!(fetched.invalidation_batch.paths.items, Some(vec!["/index.html".to_owned(), "/css/*".to_owned()]));

    let listed = client
        .list_invalidations()
        .distribution_id(&distribution)
        .send()
        .await
        .expect("ListInvalidations succeeds")
        .invalidation_list
        .expect("a list");
    let ids: Vec<String> = listed.items.unwrap_or_default().into_iter().map(|s| s.id).collect();
    assert!(ids.contains(&invalidation.id), "{ids:?}");
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask e2e`"]
async fn unknown_distribution_and_invalidation_are_typed_errors() {
    let endpoint = endpoint("MOTO_ENDPOINT");
    let client = client(&endpoint, test_credentials());
    let error = client
        .create_invalidation()
        .distribution_id("EDOESNOTEXIST")
        .invalidation_batch(batch("e2e-ref-x", &["/a"]))
        .send()
        .await
        .expect_err("no such distribution");
    assert_eq!(error.code(), Some("NoSuchDistribution"), "{error}");
    assert!(error.into_service_error().is_some_and(|e| e.is_no_such_distribution()));

    let distribution = create_distribution(&endpoint).await;
    let error = client
        .get_invalidation()
        .distribution_id(&distribution)
        .id("INOSUCHINVALIDATION")
        .send()
        .await
        .expect_err("no such invalidation");
    assert_eq!(error.code(), Some("NoSuchInvalidation"), "{error}");
    assert_eq!(error.http_status(), Some(404));
    let message = error.to_string();
    assert!(message.starts_with("NoSuchInvalidation"), "Display leads with the code: {message}");
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask e2e`"]
async fn bad_input_is_refused_before_anything_is_sent() {
    let endpoint = endpoint("MOTO_ENDPOINT");
    let client = client(&endpoint, test_credentials());
    let error = client.create_invalidation().distribution_id("E1").send().await.expect_err("missing batch");
    assert_eq!(error.to_string(), "invalid input: InvalidationBatch is required but was not set");
    let error = client.get_invalidation().distribution_id("..").id("I1").send().await.expect_err("a dot-dot label");
    assert!(error.to_string().contains("DistributionId must not be \"..\""), "{error}");
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask e2e`"]
async fn paginates_across_pages_and_the_waiter_reports_moto_status() {
    let endpoint = endpoint("MOTO_ENDPOINT");
    let client = client(&endpoint, test_credentials());
    let distribution = create_distribution(&endpoint).await;
    let mut created = Vec::new();
    for i in 0..7 {
        let out = client
            .create_invalidation()
            .distribution_id(&distribution)
            .invalidation_batch(batch(&format!("page-ref-{i}"), &[&format!("/p/{i}")]))
            .send()
            .await
            .unwrap();
        created.push(out.invalidation.unwrap().id);
    }
    let mut pages = client.list_invalidations().distribution_id(&distribution).max_items(3).into_paginator();
    let mut seen = Vec::new();
    let mut count = 0;
    while let Some(page) = pages.next().await {
        count += 1;
        seen.extend(page.unwrap().invalidation_list.unwrap().items.unwrap_or_default().into_iter().map(|s| s.id));
    }
    assert!(count >= 3, "seven invalidations at three per page: {count} pages");
    let mut expected = created.clone();
    expected.sort();
    seen.sort();
    assert_eq!(seen, expected);

    // moto reports COMPLETED where CloudFront says Completed, so the model's waiter (like
    // botocore's) never sees success there: it must time out and say what it last saw.
    let error = client
        .wait_until_invalidation_completed()
        .distribution_id(&distribution)
        .id(&created[0])
        .delays(std::time::Duration::from_millis(10), std::time::Duration::from_millis(20))
        .max_wait(std::time::Duration::from_millis(200))
        .wait()
        .await
        .unwrap_err();
    match error {
        sdk_runtime::waiter::WaitError::TimedOut { last, .. } => {
            assert_eq!(last.unwrap().invalidation.unwrap().status.to_ascii_lowercase(), "completed")
        }
        other => panic!("{other:?}"),
    }
}
