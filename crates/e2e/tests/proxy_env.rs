//! `HTTP_PROXY` is honoured: requests for a plain-HTTP endpoint go through the proxy (in
//! absolute form). The only test in this binary, so setting the variable races nothing.

use e2e::{client, test_credentials};
use test_server::{Reply, TestServer};

#[tokio::test]
async fn requests_go_through_the_configured_proxy() {
    let proxy = TestServer::start(|_, _| {
        Reply::status(200, "<InvalidationList><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>0</Quantity></InvalidationList>")
    })
    .await;
    // SAFETY: this binary runs one test, and nothing else reads the environment concurrently.
    unsafe {
        std::env::set_var("HTTP_PROXY", &proxy.url);
        std::env::remove_var("NO_PROXY");
    }
    let client = client("http://cloudfront.proxy-test.invalid", test_credentials());
    client.list_invalidations().distribution_id("E1").send().await.expect("answered by the proxy");
    let requests = proxy.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].target, "http://cloudfront.proxy-test.invalid/2020-05-31/distribution/E1/invalidation");
}
