//! Waiters and paginators against a local server that plays CloudFront: statuses that flip
//! after some polls, errors, and lists served in pages.

use std::time::Duration;

use cloudfront::SdkError;
use cloudfront_e2e::{client, test_credentials};
use cloudfront_runtime::waiter::WaitError;
use cloudfront_test_server::{Reply, TestServer};

fn invalidation(status: &str) -> String {
    format!(
        "<Invalidation xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Id>I1</Id><Status>{status}</Status>\
         <CreateTime>2026-01-01T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/a</Path></Items></Paths>\
         <CallerReference>r</CallerReference></InvalidationBatch></Invalidation>"
    )
}

#[tokio::test]
async fn the_waiter_completes_when_the_status_flips() {
    let server =
        TestServer::start(|_, i| Reply::status(200, invalidation(if i < 3 { "InProgress" } else { "Completed" })))
            .await;
    let client = client(&server.url, test_credentials());
    let done = client
        .wait_until_invalidation_completed()
        .distribution_id("E1")
        .id("I1")
        .delays(Duration::from_millis(1), Duration::from_millis(5))
        .wait()
        .await
        .expect("completes");
    assert_eq!(done.attempts, 4);
    assert_eq!(done.output.unwrap().invalidation.unwrap().status, "Completed");
    assert!(server.requests().iter().all(|r| r.target == "/2020-05-31/distribution/E1/invalidation/I1"));
}

#[tokio::test]
async fn the_tenant_waiter_times_out_with_the_last_status() {
    let server = TestServer::start(|_, _| Reply::status(200, invalidation("InProgress"))).await;
    let client = client(&server.url, test_credentials());
    let error = client
        .wait_until_invalidation_for_distribution_tenant_completed()
        .distribution_tenant_id("DT1")
        .id("I1")
        .delays(Duration::from_millis(5), Duration::from_millis(10))
        .max_wait(Duration::from_millis(80))
        .wait()
        .await
        .expect_err("never completes");
    match error {
        WaitError::TimedOut { last, attempts, .. } => {
            assert_eq!(last.unwrap().invalidation.unwrap().status, "InProgress");
            assert!(attempts >= 2, "{attempts}");
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(server.requests()[0].target.starts_with("/2020-05-31/distribution-tenant/DT1/invalidation/I1"));
}

#[tokio::test]
async fn an_unexpected_error_ends_the_wait() {
    let server = TestServer::start(|_, _| {
        Reply::status(404, "<ErrorResponse><Error><Code>NoSuchInvalidation</Code><Message>gone</Message></Error><RequestId>r</RequestId></ErrorResponse>")
    })
    .await;
    let client = client(&server.url, test_credentials());
    let error = client.wait_until_invalidation_completed().distribution_id("E1").id("I9").wait().await.unwrap_err();
    match error {
        WaitError::Error(SdkError::Service(e)) => assert!(e.is_no_such_invalidation()),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests().len(), 1);
    let error = client.wait_until_invalidation_completed().distribution_id("E1").wait().await.unwrap_err();
    assert_eq!(error.to_string(), "invalid input: Id is required but was not set");
}

fn page(markers: (&str, Option<&str>), truncated: bool, ids: &[&str]) -> String {
    let items: String = ids
        .iter()
        .map(|id| format!("<InvalidationSummary><Id>{id}</Id><CreateTime>2026-01-01T00:00:00Z</CreateTime><Status>Completed</Status></InvalidationSummary>"))
        .collect();
    let next = markers.1.map(|m| format!("<NextMarker>{m}</NextMarker>")).unwrap_or_default();
    format!(
        "<InvalidationList><Marker>{}</Marker>{next}<MaxItems>3</MaxItems><IsTruncated>{truncated}</IsTruncated><Quantity>{}</Quantity><Items>{items}</Items></InvalidationList>",
        markers.0,
        ids.len()
    )
}

#[tokio::test]
async fn the_paginator_walks_every_page() {
    let server = TestServer::start(|r, _| {
        let body = if r.target.contains("Marker=m2") {
            page(("m2", None), false, &["I7"])
        } else if r.target.contains("Marker=m1") {
            page(("m1", Some("m2")), true, &["I4", "I5", "I6"])
        } else {
            page(("", Some("m1")), true, &["I1", "I2", "I3"])
        };
        Reply::status(200, body)
    })
    .await;
    let client = client(&server.url, test_credentials());
    let ids: Vec<String> = client
        .list_invalidations()
        .distribution_id("E1")
        .max_items(3)
        .items()
        .collect()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, ["I1", "I2", "I3", "I4", "I5", "I6", "I7"]);
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(targets.len(), 3);
    assert!(targets.iter().all(|t| t.contains("MaxItems=3")), "{targets:?}");

    let mut pages = client.list_invalidations().distribution_id("E1").into_paginator();
    let mut count = 0;
    while let Some(page) = pages.next().await {
        page.unwrap();
        count += 1;
    }
    assert_eq!(count, 3);
}

#[tokio::test]
async fn the_paginator_stops_on_not_truncated_or_a_repeated_marker() {
    let server = TestServer::start(|r, _| {
        Reply::status(
            200,
            if r.target.contains("tenant") {
                // A marker that never changes must not loop forever.
                page(("same", Some("same")), true, &["T1"])
            } else {
                // IsTruncated=false wins over a NextMarker.
                page(("", Some("ignored")), false, &["I1"])
            },
        )
    })
    .await;
    let client = client(&server.url, test_credentials());
    let ids = client.list_invalidations().distribution_id("E1").items().collect().await.unwrap();
    assert_eq!(ids.len(), 1);
    let tenant =
        client.list_invalidations_for_distribution_tenant().id("DT1").marker("same").items().collect().await.unwrap();
    assert_eq!(tenant.len(), 1, "a repeated marker ends the listing");
}
