//! CreateInvalidation, GetInvalidation and ListInvalidations against moto, with their error
//! paths. moto has no distribution-tenant operations; those are covered by the botocore
//! vectors and local recording servers. The waiter's success state is also checked against a
//! local server playing CloudFront, so these run under a plain `cargo test` too: the tests
//! state CloudFront's behaviour, and what the pinned moto (`tools/pins.txt`) does.

use cloudfront::operation::get_invalidation::{GetInvalidationError, GetInvalidationOutput};
use cloudfront::types::{InvalidationBatch, Paths};
use cloudfront_e2e::{client, create_distribution, endpoint, test_credentials};
use cloudfront_runtime::waiter::WaitError;

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
async fn paginates_across_pages_and_the_waiter_succeeds_on_moto() {
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

    // The pinned moto (tools/pins.txt) reports CloudFront's `Completed` at once, so the
    // model's waiter succeeds on the first poll.
    let done = client
        .wait_until_invalidation_completed()
        .distribution_id(&distribution)
        .id(&created[0])
        .delays(std::time::Duration::from_millis(10), std::time::Duration::from_millis(20))
        .max_wait(std::time::Duration::from_secs(5))
        .wait()
        .await
        .expect("the pinned moto reports Completed");
    assert_eq!(done.attempts, 1);
    assert_eq!(done.output.unwrap().invalidation.unwrap().status, "Completed");
}

/// An invalidation document as CloudFront sends it, with `status` as given.
fn invalidation_with_status(status: &str) -> String {
    format!(
        "<Invalidation xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Id>I1</Id><Status>{status}</Status>\
         <CreateTime>2026-01-01T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/a</Path></Items></Paths>\
         <CallerReference>r</CallerReference></InvalidationBatch></Invalidation>"
    )
}

/// Polls a local server that always answers `status` until the waiter ends (at most 200 ms).
async fn wait_on_status(status: &'static str) -> Result<u32, WaitError<GetInvalidationOutput, GetInvalidationError>> {
    let server = cloudfront_test_server::TestServer::start(move |_, _| {
        cloudfront_test_server::Reply::status(200, invalidation_with_status(status))
    })
    .await;
    let client = client(&server.url, test_credentials());
    client
        .wait_until_invalidation_completed()
        .distribution_id("E1")
        .id("I1")
        .delays(std::time::Duration::from_millis(5), std::time::Duration::from_millis(10))
        .max_wait(std::time::Duration::from_millis(200))
        .wait()
        .await
        .map(|done| done.attempts)
}

// CloudFront's behaviour, not an emulator's: the waiter succeeds on `Completed` and nothing
// else. Early moto 5.2 releases said `COMPLETED`; a waiter that accepted it would be wrong.
#[tokio::test]
async fn the_waiter_succeeds_on_cloudfronts_completed() {
    assert_eq!(wait_on_status("Completed").await.expect("Completed is success"), 1);
}

#[tokio::test]
async fn the_waiter_keeps_waiting_on_upper_case_completed_then_times_out() {
    match wait_on_status("COMPLETED").await {
        Err(WaitError::TimedOut { last, attempts, .. }) => {
            assert!(attempts > 1, "it kept polling: {attempts} attempt(s)");
            assert_eq!(last.unwrap().invalidation.unwrap().status, "COMPLETED");
        }
        other => panic!("COMPLETED is not CloudFront's spelling; the waiter must time out, got {other:?}"),
    }
}

/// Asks moto's STS who the credentials belong to (a signed `GetCallerIdentity`).
async fn caller_arn(endpoint: &str, credentials: &cloudfront_runtime::Credentials) -> String {
    let body = "Action=GetCallerIdentity&Version=2011-06-15";
    let host = endpoint.trim_start_matches("http://").trim_end_matches('/');
    let headers = vec![("content-type".to_owned(), "application/x-www-form-urlencoded; charset=utf-8".to_owned())];
    let signature = cloudfront_sigv4::sign(
        &cloudfront_sigv4::SignableRequest::new("POST", host, "/", "", &headers, body.as_bytes()),
        &cloudfront_sigv4::SigningParams::new(
            &credentials.for_signing(),
            "us-east-1",
            "sts",
            cloudfront_primitives::DateTime::now(),
        ),
    );
    let mut request = reqwest::Client::new().post(format!("{endpoint}/")).body(body);
    for (name, value) in headers.iter().chain(&signature.headers) {
        request = request.header(name, value);
    }
    let text = request.send().await.expect("moto answers").text().await.expect("a body");
    let start = text.find("<Arn>").unwrap_or_else(|| panic!("no Arn in {text}")) + 5;
    text[start..].split('<').next().unwrap_or_default().to_owned()
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask e2e`"]
async fn an_assume_role_chain_through_moto_sts() {
    let endpoint = endpoint("MOTO_ENDPOINT");
    let home = std::env::temp_dir().join(format!("e2e-assume-role-{}", std::process::id()));
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    std::fs::write(
        home.join(".aws/config"),
        "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = hub\nrole_session_name = e2e-deploy\n\
         [profile hub]\nrole_arn = arn:aws:iam::123456789012:role/hub\nsource_profile = base\nexternal_id = e2e\n",
    )
    .unwrap();
    std::fs::write(
        home.join(".aws/credentials"),
        "[base]\naws_access_key_id = AKIDE2EBASE\naws_secret_access_key = base-secret\n",
    )
    .unwrap();
    let home = home.to_string_lossy().into_owned();
    // One endpoint for STS and CloudFront, as AWS_ENDPOINT_URL gives it to every service.
    let env = cloudfront_runtime::env::Env::from_pairs([
        ("HOME", home.as_str()),
        ("AWS_ENDPOINT_URL", endpoint.as_str()),
        ("AWS_REGION", "us-east-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]);
    let config = cloudfront_runtime::Config::loader(env, Some("deploy".into())).build().expect("the profile loads");
    let credentials = config.credentials.clone().unwrap().provide_credentials().await.expect("the chain resolves");
    assert!(credentials.session_token.is_some() && credentials.expiry.is_some(), "{credentials:?}");
    let arn = caller_arn(&endpoint, &credentials).await;
    assert!(arn.ends_with(":assumed-role/deploy/e2e-deploy"), "moto says the credentials are {arn}");

    // And the CloudFront calls go out signed with them.
    let distribution = create_distribution(&endpoint).await;
    let client = cloudfront::Client::new(config).expect("a client");
    client.list_invalidations().distribution_id(&distribution).send().await.expect("ListInvalidations with the role");
}

#[tokio::test]
#[ignore = "needs moto: run `cargo xtask e2e`"]
async fn get_distribution_config_names_the_origins_and_the_etag() {
    let endpoint = endpoint("MOTO_ENDPOINT");
    let client = client(&endpoint, test_credentials());
    let distribution = create_distribution(&endpoint).await;
    let answer = client.get_distribution_config().id(&distribution).send().await.expect("GetDistributionConfig");
    assert!(answer.e_tag.is_some_and(|tag| !tag.is_empty()), "an ETag for later updates");
    let config = answer.distribution_config.expect("the configuration");
    let origins: Vec<(&str, &str)> =
        config.origins.items.iter().map(|o| (o.id.as_str(), o.domain_name.as_str())).collect();
    assert_eq!(origins, [("o1", "example-bucket.s3.amazonaws.com")]);
    assert_eq!(config.default_cache_behavior.target_origin_id, "o1");
}
