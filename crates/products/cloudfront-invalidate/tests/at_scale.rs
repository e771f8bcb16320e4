//! A whole deploy's worth of paths, and fan-outs to thousands of tenants, against the local
//! server that enforces CloudFront's documented invalidation limits
//! (`cloudfront_test_server::cloudfront`): 3,000 items per request, 3,000 file paths and 15 wildcards in
//! progress per distribution or tenant, completion after a delay, CallerReference
//! deduplication, and throttling (every fifth request, or an account-wide rate).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cloudfront_invalidate::plan::Plan;

use cloudfront_invalidate::execute::{Event, Pacer, Settings, Target, execute, fan_out};
use cloudfront_invalidate::plan::{Options, plan};
use cloudfront_test_server::TestServer;
use cloudfront_test_server::cloudfront::{CloudFront, Throttling, error};

fn client(url: &str) -> cloudfront::Client {
    let config = cloudfront::Config::builder()
        .region("us-east-1")
        .endpoint_url(url)
        .credentials(cloudfront_runtime::Credentials::new("AKID", "secret", None))
        .build()
        .unwrap();
    cloudfront::Client::new(config).unwrap()
}

/// The tests' settings, changed by `change`.
fn settings_with(change: impl FnOnce(&mut Settings)) -> Settings {
    let mut settings = settings();
    change(&mut settings);
    settings
}

/// Fast settings for a loopback server: short pacing, backoff and polling.
fn settings() -> Settings {
    let mut settings = Settings::default();
    settings.concurrency = 3;
    settings.pacer = Pacer::new(Duration::from_millis(2));
    settings.first_backoff = Duration::from_millis(40);
    settings.max_backoff = Duration::from_millis(320);
    settings.deadline = Duration::from_secs(120);
    settings.wait_for_each = false;
    settings.poll = Duration::from_millis(50);
    settings.journal = None;
    settings
}

/// 10,000 items: 9,950 files and 50 wildcards, a few of them covering files.
fn deploy() -> Vec<String> {
    let mut items: Vec<String> = (0..9950).map(|i| format!("/assets/{}/{i}.js", i % 40)).collect();
    items.extend((0..50).map(|i| format!("/pages/{i}/*")));
    items.extend((0..5).map(|i| format!("/pages/{i}/index.html")));
    items
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deploy_across_tenants_lands_exactly_once_even_when_rerun_after_a_crash() {
    let state = Arc::new(Mutex::new(CloudFront::default()));
    let shared = state.clone();
    let server = TestServer::start(move |request, index| shared.lock().unwrap().handle(request, index)).await;
    let client = client(&server.url);
    let items = deploy();
    let targets = [
        Target::Distribution("E1".into()),
        Target::Tenant("dt_one".into()),
        Target::Tenant("dt_two".into()),
        Target::Tenant("dt_three".into()),
    ];
    let planned = plan(&items, "deploy-42", &Options::default()).unwrap();
    assert_eq!(planned.covered.len(), 5);
    let events = Mutex::new(Vec::new());
    let record = |e: Event| events.lock().unwrap().push(e);

    // The first tenant's run is killed part-way; the re-run with the same run id must finish
    // it without creating anything twice.
    let killed =
        tokio::time::timeout(Duration::from_millis(400), execute(&client, &targets[1], &planned, &settings(), &record))
            .await;
    assert!(killed.is_err(), "the first run should still be going when it is killed");
    let again = plan(&items, "deploy-42", &Options::default()).unwrap();
    let outcomes = fan_out(&client, &targets, &again, &settings(), &|_, e| record(e)).await;
    for (target, outcome) in outcomes {
        let summary = outcome.unwrap_or_else(|e| panic!("{target}: {e}"));
        assert_eq!(summary.ids.len(), again.batches.len(), "{target}");
    }

    let state = state.lock().unwrap();
    let expected: HashSet<&str> = planned.batches.iter().flat_map(|b| b.items.iter().map(String::as_str)).collect();
    for (parent, created) in &state.created {
        let mut seen = HashSet::new();
        for item in created.iter().flat_map(|c| c.items.iter()) {
            assert!(seen.insert(item.as_str()), "{parent}: {item} invalidated twice");
        }
        assert_eq!(seen, expected, "{parent}: every planned item, once");
        let references: HashSet<&str> = created.iter().map(|c| c.reference.as_str()).collect();
        assert_eq!(references.len(), created.len(), "{parent}: no reference created twice");
    }
    assert_eq!(state.created.len(), 4);
    let events = events.lock().unwrap();
    let refused =
        events.iter().filter(|e| matches!(e, Event::Retrying { code, .. } if code == "TooManyInvalidationsInProgress"));
    assert!(refused.count() > 0, "the in-progress limits were reached and waited out");
}

#[tokio::test(flavor = "multi_thread")]
async fn waiting_for_each_batch_never_hits_the_in_progress_limits() {
    let state = Arc::new(Mutex::new(CloudFront::default()));
    let shared = state.clone();
    let server = TestServer::start(move |request, index| shared.lock().unwrap().handle(request, index)).await;
    let client = client(&server.url);
    let planned = plan(&deploy(), "deploy-43", &Options::default()).unwrap();
    let events = Mutex::new(Vec::new());
    let record = |e: Event| events.lock().unwrap().push(e);
    let settings = settings_with(|s| {
        s.concurrency = 1;
        s.wait_for_each = true;
    });
    let summary = execute(&client, &Target::Distribution("E2".into()), &planned, &settings, &record).await.unwrap();
    assert_eq!(summary.ids.len(), planned.batches.len());
    let events = events.lock().unwrap();
    assert!(
        !events.iter().any(|e| matches!(e, Event::Retrying { code, .. } if code == "TooManyInvalidationsInProgress"))
    );
    assert_eq!(events.iter().filter(|e| matches!(e, Event::Completed { .. })).count(), planned.batches.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deadline_stops_a_run_that_cannot_start() {
    let server = TestServer::start(|_, _| error(400, "TooManyInvalidationsInProgress", "busy")).await;
    let client = client(&server.url);
    let planned = plan(&["/a"], "r", &Options::default()).unwrap();
    let settings = settings_with(|s| {
        s.deadline = Duration::from_millis(300);
    });
    let failure = execute(&client, &Target::Distribution("E3".into()), &planned, &settings, &|_| {}).await.unwrap_err();
    assert_eq!(failure.code.as_deref(), Some("TooManyInvalidationsInProgress"));
    assert!(failure.to_string().starts_with("batch 1: still TooManyInvalidationsInProgress"), "{failure}");
}

#[tokio::test(flavor = "multi_thread")]
async fn tenants_never_share_a_reference_even_if_cloudfront_scoped_them_per_distribution() {
    let state = Arc::new(Mutex::new(CloudFront { one_scope: true, ..CloudFront::default() }));
    let shared = state.clone();
    let server = TestServer::start(move |request, index| shared.lock().unwrap().handle(request, index)).await;
    let client = client(&server.url);
    let targets: Vec<Target> = (0..5).map(|i| Target::Tenant(format!("dt_{i}"))).collect();
    let planned = plan(&["/index.html", "/assets/*"], "deploy-1", &Options::default()).unwrap();
    let outcomes = fan_out(&client, &targets, &planned, &settings(), &|_, _| {}).await;
    let ids: HashSet<String> = outcomes.into_iter().flat_map(|(_, o)| o.unwrap().ids).collect();
    assert_eq!(ids.len(), 5, "every tenant got an invalidation of its own");
    assert_eq!(state.lock().unwrap().created["one-scope"].len(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rerun_is_reported_and_a_journal_skips_what_was_accepted() {
    let state = Arc::new(Mutex::new(CloudFront { age_found_again: true, ..CloudFront::default() }));
    let shared = state.clone();
    let server = TestServer::start(move |request, index| shared.lock().unwrap().handle(request, index)).await;
    let client = client(&server.url);
    let planned = plan(&deploy(), "deploy-44", &Options::default()).unwrap();
    let target = Target::Distribution("E4".into());
    let first = execute(&client, &target, &planned, &settings(), &|_| {}).await.unwrap();
    assert!(first.earlier.is_empty(), "a first run is not a rerun");

    // The same run id again, without a journal: CloudFront hands back the earlier run's
    // invalidations, and every batch is reported.
    let events = Mutex::new(Vec::new());
    let again = execute(&client, &target, &planned, &settings(), &|e| events.lock().unwrap().push(e)).await.unwrap();
    assert_eq!(again.earlier, (0..planned.batches.len()).collect::<Vec<_>>());
    assert_eq!(again.ids, first.ids);
    let reported = events.lock().unwrap().iter().filter(|e| matches!(e, Event::AlreadySubmitted { .. })).count();
    assert_eq!(reported, planned.batches.len());

    // With a journal: the first run records, the rerun sends nothing.
    let path = std::env::temp_dir().join(format!("at-scale-journal-{}.jsonl", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let other = Target::Distribution("E5".into());
    let journal = Arc::new(cloudfront_invalidate::journal::Journal::open(&path).unwrap());
    let with_journal = settings_with(|s| {
        s.journal = Some(journal);
    });
    let recorded = execute(&client, &other, &planned, &with_journal, &|_| {}).await.unwrap();
    let posts_before = state.lock().unwrap().posts;
    let journal = Arc::new(cloudfront_invalidate::journal::Journal::open(&path).unwrap());
    assert_eq!(journal.entries().len(), planned.batches.len());
    let resumed = settings_with(|s| {
        s.journal = Some(journal);
        s.wait_for_each = true;
    });
    let rerun = execute(&client, &other, &planned, &resumed, &|_| {}).await.unwrap();
    assert_eq!(state.lock().unwrap().posts, posts_before, "no CreateInvalidation call for journalled batches");
    assert_eq!(rerun.ids, recorded.ids);
    assert_eq!(rerun.from_journal.len(), planned.batches.len());
}

/// Fans `plan` out to `tenants` tenants against a server that allows `rate` calls a second
/// account-wide; returns the state, the outcomes and the wall time.
async fn fan_out_to_tenants(tenants: usize, rate: f64, plan: &Plan) -> (CloudFront, usize, Duration) {
    let state = Arc::new(Mutex::new(CloudFront { throttling: Throttling::Rate(rate), ..CloudFront::default() }));
    let shared = state.clone();
    let server = TestServer::start(move |request, index| shared.lock().unwrap().handle(request, index)).await;
    let client = client(&server.url);
    let targets: Vec<Target> = (0..tenants).map(|i| Target::Tenant(format!("dt_{i:05}"))).collect();
    let settings = settings_with(|s| {
        s.concurrency = 32;
        s.pacer = Pacer::per_second(rate);
    });
    let started = Instant::now();
    let outcomes = fan_out(&client, &targets, plan, &settings, &|_, _| {}).await;
    let wall = started.elapsed();
    let ok = outcomes.iter().filter(|(_, o)| o.is_ok()).count();
    drop(server);
    let state = std::mem::take(&mut *state.lock().unwrap());
    (state, ok, wall)
}

#[tokio::test(flavor = "multi_thread")]
async fn ten_thousand_tenants_under_an_account_wide_rate_each_get_exactly_one_invalidation() {
    let planned = plan(&["/index.html", "/assets/*"], "deploy-10k", &Options::default()).unwrap();
    let (tenants, rate) = (10_000, 2_000.0);
    let (state, ok, wall) = fan_out_to_tenants(tenants, rate, &planned).await;
    assert_eq!(ok, tenants, "every tenant succeeded");
    assert_eq!(state.created.len(), tenants);
    assert!(state.created.values().all(|c| c.len() == 1), "one invalidation per tenant, none twice");
    // Reported, not asserted (timings belong to the benchmarks): how close to the rate's bound.
    let bound = tenants as f64 / rate;
    println!(
        "{tenants} tenants at {rate} calls/s: {:.2} s (the rate allows {bound:.2} s), {} calls throttled",
        wall.as_secs_f64(),
        state.throttled
    );
}
