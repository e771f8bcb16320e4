//! All six operations against fakecloud with SigV4 verification switched on: success and
//! error paths, and a request signed with a wrong secret key must be rejected.
//! fakecloud keys come from its IAM (`CreateUser` + `CreateAccessKey`); keys starting with
//! `test` skip verification, so the real checks use an IAM key. Also a whole deploy
//! (10,000 paths) planned and fanned out to a distribution and two tenants.

use cloudfront::Client;
use cloudfront::types::{InvalidationBatch, Paths};
use cloudfront_e2e::fakecloud::{element, iam_credentials};
use cloudfront_e2e::{client, create_distribution, endpoint};
use cloudfront_runtime::Credentials;

async fn create_tenant(endpoint: &str, distribution: &str) -> String {
    let name = format!("tenant-{}", cloudfront_primitives::DateTime::now().subsec_nanos());
    let body = format!(
        "<CreateDistributionTenantRequest xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><DistributionId>{distribution}</DistributionId>\
         <Name>{name}</Name><Domains><member><Domain>{name}.example.com</Domain></member></Domains></CreateDistributionTenantRequest>"
    );
    let response = reqwest::Client::new()
        .post(format!("{endpoint}/2020-05-31/distribution-tenant"))
        .header("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/cloudfront/aws4_request, SignedHeaders=host, Signature=0")
        .body(body)
        .send()
        .await
        .expect("fakecloud answers")
        .text()
        .await
        .expect("a body");
    element(&response, "Id")
}

fn batch(reference: &str) -> InvalidationBatch {
    InvalidationBatch::builder()
        .paths(Paths::builder().items("/index.html").items("/img/*").build().unwrap())
        .caller_reference(reference)
        .build()
        .unwrap()
}

#[tokio::test]
#[ignore = "needs fakecloud: run `cargo xtask e2e --fakecloud`"]
async fn all_six_operations_with_sigv4_verification() {
    let endpoint = endpoint("FAKECLOUD_ENDPOINT");
    let credentials = iam_credentials(&endpoint).await;
    assert!(!credentials.access_key_id.starts_with("test"), "the checks must use a verified key");
    let client = client(&endpoint, credentials.clone());
    let distribution = create_distribution(&endpoint).await;
    let tenant = create_tenant(&endpoint, &distribution).await;

    // Distribution invalidations.
    let created = client
        .create_invalidation()
        .distribution_id(&distribution)
        .invalidation_batch(batch("fc-1"))
        .send()
        .await
        .unwrap();
    let id = created.invalidation.unwrap().id;
    let got = client.get_invalidation().distribution_id(&distribution).id(&id).send().await.unwrap();
    assert_eq!(got.invalidation.unwrap().invalidation_batch.caller_reference, "fc-1");
    let listed = client.list_invalidations().distribution_id(&distribution).send().await.unwrap();
    assert!(listed.invalidation_list.unwrap().items.unwrap_or_default().iter().any(|s| s.id == id));

    // Tenant invalidations.
    let created = client
        .create_invalidation_for_distribution_tenant()
        .id(&tenant)
        .invalidation_batch(batch("fc-tenant-1"))
        .send()
        .await
        .unwrap();
    let tenant_invalidation = created.invalidation.unwrap();
    assert_eq!(tenant_invalidation.invalidation_batch.paths.quantity, 2);
    let got = client
        .get_invalidation_for_distribution_tenant()
        .distribution_tenant_id(&tenant)
        .id(&tenant_invalidation.id)
        .send()
        .await
        .unwrap();
    assert_eq!(got.invalidation.unwrap().id, tenant_invalidation.id);
    let listed = client.list_invalidations_for_distribution_tenant().id(&tenant).send().await.unwrap();
    assert!(listed.invalidation_list.unwrap().items.unwrap_or_default().iter().any(|s| s.id == tenant_invalidation.id));

    error_paths(&client, &distribution, &tenant).await;

    // A wrong secret key is rejected.
    let forged = cloudfront_e2e::client(
        &endpoint,
        Credentials::new(credentials.access_key_id.clone(), "not-the-secret-key", None),
    );
    let e = forged.list_invalidations().distribution_id(&distribution).send().await.unwrap_err();
    assert_eq!(e.code(), Some("SignatureDoesNotMatch"), "{e}");
    assert_eq!(e.http_status(), Some(403));
}

/// Each operation's error for a distribution, tenant or invalidation that does not exist.
async fn error_paths(client: &Client, distribution: &str, tenant: &str) {
    let e = client
        .create_invalidation()
        .distribution_id("ENOSUCH")
        .invalidation_batch(batch("x"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("NoSuchDistribution"), "{e}");
    let e = client.get_invalidation().distribution_id(distribution).id("INOSUCH").send().await.unwrap_err();
    assert_eq!(e.code(), Some("NoSuchInvalidation"), "{e}");
    let e = client
        .create_invalidation_for_distribution_tenant()
        .id("DTNOSUCH")
        .invalidation_batch(batch("y"))
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("EntityNotFound"), "{e}");
    let e = client
        .get_invalidation_for_distribution_tenant()
        .distribution_tenant_id(tenant)
        .id("INOSUCH")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some("NoSuchInvalidation"), "{e}");
    let e = client.list_invalidations_for_distribution_tenant().id("DTNOSUCH").send().await.unwrap_err();
    assert_eq!(e.code(), Some("EntityNotFound"), "{e}");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs fakecloud: run `cargo xtask e2e --fakecloud`"]
async fn a_whole_deploy_lands_once_on_a_distribution_and_its_tenants() {
    use cloudfront_invalidate::execute::{Pacer, Settings, Target, fan_out};
    use cloudfront_invalidate::plan::{Options, plan};

    let endpoint = endpoint("FAKECLOUD_ENDPOINT");
    let client = client(&endpoint, iam_credentials(&endpoint).await);
    let distribution = create_distribution(&endpoint).await;
    let targets = [
        Target::Distribution(distribution.clone()),
        Target::Tenant(create_tenant(&endpoint, &distribution).await),
        Target::Tenant(create_tenant(&endpoint, &distribution).await),
    ];
    let mut items: Vec<String> = (0..9950).map(|i| format!("/assets/{}/{i}.js", i % 40)).collect();
    items.extend((0..50).map(|i| format!("/pages/{i}/*")));
    let planned =
        plan(&items, &format!("fc-{}", cloudfront_primitives::idempotency_token()), &Options::default()).unwrap();
    let mut settings = Settings::default();
    settings.pacer = Pacer::new(std::time::Duration::from_millis(5));
    let outcomes = fan_out(&client, &targets, &planned, &settings, &|_, _| {}).await;
    let expected: std::collections::BTreeSet<&str> = items.iter().map(String::as_str).collect();
    for (target, outcome) in outcomes {
        let summary = outcome.unwrap_or_else(|e| panic!("{target}: {e}"));
        assert_eq!(summary.ids.len(), planned.batches.len(), "{target}");
        // Read every invalidation back: together they hold each planned path exactly once.
        let mut seen = std::collections::BTreeSet::new();
        for id in &summary.ids {
            let batch = match &target {
                Target::Distribution(d) => {
                    client.get_invalidation().distribution_id(d).id(id).send().await.unwrap().invalidation.unwrap()
                }
                Target::Tenant(t) => client
                    .get_invalidation_for_distribution_tenant()
                    .distribution_tenant_id(t)
                    .id(id)
                    .send()
                    .await
                    .unwrap()
                    .invalidation
                    .unwrap(),
                other => panic!("this test makes no target like {other}"),
            }
            .invalidation_batch;
            for path in batch.paths.items.unwrap_or_default() {
                assert!(seen.insert(path.clone()), "{target}: {path} sent twice");
            }
        }
        let seen: std::collections::BTreeSet<&str> = seen.iter().map(String::as_str).collect();
        assert_eq!(seen, expected, "{target}");
    }
}
