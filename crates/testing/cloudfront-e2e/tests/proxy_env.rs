//! `HTTP_PROXY` is honoured: requests for a plain-HTTP endpoint go through the proxy (in
//! absolute form), STS calls of the credential chain too; but instance metadata and
//! container credentials on loopback or link-local addresses never do. The only test in this
//! binary, so setting the variable races nothing.

use cloudfront_e2e::{client, test_credentials};
use cloudfront_runtime::env::Env;
use cloudfront_test_server::{Recorded, Reply, TestServer, identity};

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

    // The credential chain: STS by name goes through the proxy; the container endpoint and
    // instance metadata on loopback go direct.
    let credential_proxy = TestServer::start(|r, _| {
        let path = r.target.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap_or_default();
        identity::reply(&Recorded { target: path, ..r.clone() })
    })
    .await;
    let direct = TestServer::start(|r, _| identity::reply(r)).await;
    // SAFETY: as above.
    unsafe { std::env::set_var("HTTP_PROXY", &credential_proxy.url) };
    let home = identity::Home::new(
        "proxy",
        "[profile deploy]\nrole_arn = arn:aws:iam::1:role/r\ncredential_source = EcsContainer\n",
        "",
    );
    let container = format!("{}/container/task", direct.url);
    let env = Env::from_pairs([
        ("HOME", home.path().as_str()),
        ("AWS_ENDPOINT_URL_STS", "http://sts.proxy-test.invalid"),
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", container.as_str()),
    ]);
    let config = cloudfront_runtime::Config::loader(env, Some("deploy".into())).build().unwrap();
    config.credentials.clone().unwrap().provide_credentials().await.expect("the role is assumed");
    let proxied: Vec<String> = credential_proxy.requests().iter().map(|r| r.target.clone()).collect();
    assert_eq!(proxied, ["http://sts.proxy-test.invalid/"], "only STS goes through the proxy");
    assert_eq!(direct.requests().len(), 1, "the container endpoint is reached directly");

    let env =
        Env::from_pairs([("HOME", home.path().as_str()), ("AWS_EC2_METADATA_SERVICE_ENDPOINT", direct.url.as_str())]);
    let config = cloudfront_runtime::Config::loader(env, None).build().unwrap();
    config.credentials.clone().unwrap().provide_credentials().await.expect("instance metadata answers");
    assert_eq!(direct.requests().len(), 4, "token, role and credentials, directly");
    assert_eq!(credential_proxy.requests().len(), 1);
}
