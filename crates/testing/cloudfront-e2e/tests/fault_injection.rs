//! Faults between the client and a CloudFront that keeps `CallerReference` semantics itself
//! (`cloudfront_test_server::faults`): resets before and after the request is carried out, 5xx with and
//! without a body, throttling, stalls past the read timeout, truncated bodies. A thousand
//! operations through the convenience call that makes the reference, eight at a time. The
//! server's own records are what is checked: one reference per operation across all its
//! retries, one invalidation per batch carried out, every success the invalidation the
//! server made for it, every failure typed, and no failure of an operation the server did
//! carry out without the error saying it may have been applied.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use cloudfront::SdkError;
use cloudfront::error::CreateInvalidationError;
use cloudfront_e2e::{client, test_credentials};
use cloudfront_invalidate::InvalidateExt;
use cloudfront_primitives::ProvideErrorMetadata;
use cloudfront_test_server::faults::{Fault, FaultyCloudFront, Ledger, Setup, schedule};

const OPERATIONS: usize = 1000;
const CONCURRENCY: usize = 8;
/// Refused with a bodiless 503 on every attempt: the typed-failure path always runs.
const ALWAYS_UNAVAILABLE: &str = "/fault/250.html";
/// Carried out on the first attempt, then every answer lost: it fails, and must say it may
/// have been applied.
const ALWAYS_LOST: &str = "/fault/500.html";
/// Carried out on the first attempt (answer lost), then refused with 503: the final error is
/// a 503, and must still say an earlier attempt may have been applied.
const LOST_THEN_UNAVAILABLE: &str = "/fault/750.html";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "takes a minute: run `cargo xtask e2e`"]
async fn retries_survive_faults_without_duplicates_or_silent_applies() {
    let server = FaultyCloudFront::start(Setup {
        schedule,
        forced: vec![
            (ALWAYS_UNAVAILABLE.into(), vec![Fault::Status503Empty]),
            (ALWAYS_LOST.into(), vec![Fault::ResetAfterCarriedOut]),
            (LOST_THEN_UNAVAILABLE.into(), vec![Fault::StallAfterCarriedOut, Fault::Status503Empty]),
        ],
        // The client's read timeout is 500 ms.
        stall: Duration::from_millis(800),
    })
    .await;
    let outcomes = invalidate_all(&server.url).await;
    let ledger = std::mem::take(&mut *server.ledger.lock().unwrap());
    let (succeeded, failed, failed_but_applied) = account_for(&outcomes, &ledger);
    // One invalidation per batch the server carried out, and each belongs to an operation.
    let batches_with_an_invalidation = ledger
        .references
        .values()
        .filter(|references| references.iter().any(|r| ledger.created.contains_key(r)))
        .count();
    assert_eq!(
        ledger.created.len(),
        batches_with_an_invalidation,
        "invalidations created != distinct batches accepted"
    );
    assert_eq!(ledger.created.len(), succeeded + failed_but_applied, "an invalidation no operation accounts for");
    let always = &outcomes[ALWAYS_UNAVAILABLE];
    assert!(matches!(always, Err(SdkError::Service(e)) if e.meta().attempts.exhausted), "{always:?}");
    for path in [ALWAYS_LOST, LOST_THEN_UNAVAILABLE] {
        let outcome = &outcomes[path];
        assert!(outcome.is_err(), "{path}: {outcome:?}");
        assert!(ledger.references[path].iter().all(|r| ledger.created.contains_key(r)), "{path} was carried out");
    }
    assert!(failed_but_applied >= 2, "the carried-out-but-failed path ran");
    // The retries are what saves the rest: most operations met a fault and still succeeded,
    // and only the forced ones (and a few unlucky runs of faults) failed.
    let recovered = outcomes
        .iter()
        .filter(|(path, outcome)| outcome.is_ok() && ledger.seen.get(*path).is_some_and(|n| *n >= 2))
        .count();
    assert!(recovered >= 100, "only {recovered} operations succeeded after a retry");
    assert!(failed <= 3 + 5, "{failed} operations failed: retries did not save them");
    let kinds = ledger.faults.iter().filter(|(k, n)| k.as_str() != "None" && **n > 0).count();
    println!(
        "fault injection: {OPERATIONS} operations, {} requests, faults {:?}, {succeeded} succeeded, {failed} failed with typed errors ({failed_but_applied} of them carried out and said so), {} invalidations created, 0 duplicates",
        ledger.requests,
        ledger.faults,
        ledger.created.len()
    );
    assert_eq!(outcomes.len(), OPERATIONS);
    assert_eq!(kinds, 8, "every kind of fault was injected: {:?}", ledger.faults);
}

type Outcomes = BTreeMap<String, Result<String, SdkError<CreateInvalidationError>>>;

/// Invalidates `/fault/{i}.html` for every operation, `CONCURRENCY` at a time: each path's
/// outcome (the invalidation id, or the error).
async fn invalidate_all(url: &str) -> Outcomes {
    let client = Arc::new(client(url, test_credentials()));
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, next) = (client.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            let mut outcomes = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= OPERATIONS {
                    return outcomes;
                }
                let path = format!("/fault/{i}.html");
                let result = client.invalidate_paths("EFAULTS", [path.clone()]).await;
                outcomes.push((path, result.map(|o| o.invalidation.map(|inv| inv.id).unwrap_or_default())));
            }
        }));
    }
    let mut outcomes = BTreeMap::new();
    for worker in workers {
        outcomes.extend(worker.await.unwrap());
    }
    outcomes
}

/// Checks every outcome against what the server did (one reference per operation; a success
/// names the invalidation the server made; a failure is typed, and says so when the server
/// carried it out): how many succeeded, failed, and failed although carried out.
fn account_for(outcomes: &Outcomes, ledger: &Ledger) -> (usize, usize, usize) {
    let (mut succeeded, mut failed, mut failed_but_applied) = (0, 0, 0);
    for (path, outcome) in outcomes {
        // One reference per operation, across all its retries.
        let references = ledger.references.get(path).cloned().unwrap_or_default();
        assert!(references.len() <= 1, "{path}: the retries sent {} references: {references:?}", references.len());
        let created = references.iter().next().and_then(|r| ledger.created.get(r));
        match outcome {
            Ok(id) => {
                succeeded += 1;
                let created =
                    created.unwrap_or_else(|| panic!("{path}: reported created, but the server made nothing"));
                assert_eq!(&created.id, id, "{path}: the id reported is not the one the server made");
            }
            Err(e) => {
                failed += 1;
                assert!(
                    matches!(
                        e,
                        SdkError::Service(_) | SdkError::Timeout(_) | SdkError::Dispatch(_) | SdkError::Response { .. }
                    ),
                    "{path}: untyped failure {e:?}"
                );
                if created.is_some() {
                    failed_but_applied += 1;
                    assert!(
                        e.to_string().contains("may have been applied"),
                        "{path}: carried out, but reported as failed without saying so: {e}"
                    );
                }
            }
        }
    }
    (succeeded, failed, failed_but_applied)
}
