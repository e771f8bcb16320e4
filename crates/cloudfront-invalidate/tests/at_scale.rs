//! A whole deploy's worth of paths against a local server that enforces CloudFront's
//! documented invalidation limits: 3,000 items per request, 3,000 file paths and 15
//! wildcards in progress per distribution or tenant, completion after a delay, CallerReference
//! deduplication (`InvalidationBatchAlreadyExists` for a reused reference with other paths),
//! and `Throttling` on every fifth request.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cloudfront_invalidate::execute::{Event, Pacer, Settings, Target, execute, fan_out};
use cloudfront_invalidate::plan::{Options, plan};
use test_server::{Recorded, Reply, TestServer};

const COMPLETES_AFTER: Duration = Duration::from_millis(300);

struct Created {
    id: String,
    reference: String,
    items: Vec<String>,
    at: Instant,
}

#[derive(Default)]
struct CloudFront {
    /// Invalidations per distribution or tenant path.
    created: HashMap<String, Vec<Created>>,
}

fn error(status: u16, code: &str, message: &str) -> Reply {
    Reply::status(
        status,
        format!(
            "<ErrorResponse xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Error><Type>Sender</Type>\
             <Code>{code}</Code><Message>{message}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>"
        ),
    )
}

fn invalidation(c: &Created) -> String {
    let status = if c.at.elapsed() >= COMPLETES_AFTER { "Completed" } else { "InProgress" };
    let paths: String = c.items.iter().map(|p| format!("<Path>{p}</Path>")).collect();
    format!(
        "<Invalidation xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Id>{}</Id><Status>{status}</Status>\
         <CreateTime>2026-01-01T00:00:00Z</CreateTime><InvalidationBatch><Paths><Quantity>{}</Quantity><Items>{paths}</Items>\
         </Paths><CallerReference>{}</CallerReference></InvalidationBatch></Invalidation>",
        c.id,
        c.items.len(),
        c.reference
    )
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    text.split(open).skip(1).filter_map(|rest| rest.split(close).next()).collect()
}

impl CloudFront {
    fn handle(&mut self, request: &Recorded, index: usize) -> Reply {
        let path = request.target.split('?').next().unwrap_or_default();
        if request.method == "POST" {
            if index % 5 == 4 {
                return error(400, "Throttling", "Rate exceeded");
            }
            let parent = path.trim_end_matches("/invalidation").to_owned();
            let body = request.text();
            let items: Vec<String> = between(&body, "<Path>", "</Path>").into_iter().map(str::to_owned).collect();
            let reference = between(&body, "<CallerReference>", "</CallerReference>")[0].to_owned();
            if items.len() > 3000 {
                return error(413, "BatchTooLarge", "too many paths");
            }
            let existing = self.created.entry(parent.clone()).or_default();
            if let Some(same) = existing.iter().find(|c| c.reference == reference) {
                if same.items == items {
                    return Reply::status(201, invalidation(same));
                }
                return error(409, "InvalidationBatchAlreadyExists", "reference used for another batch");
            }
            let in_progress = existing.iter().filter(|c| c.at.elapsed() < COMPLETES_AFTER);
            let (mut files, mut wildcards) = (0, 0);
            for item in in_progress.flat_map(|c| c.items.iter()).chain(items.iter()) {
                if item.ends_with('*') {
                    wildcards += 1;
                } else if item.starts_with('/') {
                    files += 1;
                }
            }
            if files > 3000 || wildcards > 15 {
                return error(400, "TooManyInvalidationsInProgress", "too many in progress");
            }
            let created = Created { id: format!("I{index:06}"), reference, items, at: Instant::now() };
            let reply =
                Reply::status(201, invalidation(&created)).header("Location", &format!("{parent}/{}", created.id));
            existing.push(created);
            return reply;
        }
        let (parent, id) = path.rsplit_once("/invalidation/").unwrap_or_default();
        match self.created.get(parent).and_then(|all| all.iter().find(|c| c.id == id)) {
            Some(found) => Reply::status(200, invalidation(found)),
            None => error(404, "NoSuchInvalidation", "no such invalidation"),
        }
    }
}

fn client(url: &str) -> cloudfront::Client {
    let config = cloudfront::Config::builder()
        .region("us-east-1")
        .endpoint_url(url)
        .credentials(sdk_runtime::Credentials::new("AKID", "secret", None))
        .build()
        .unwrap();
    cloudfront::Client::new(config).unwrap()
}

fn settings() -> Settings {
    Settings {
        concurrency: 3,
        pacer: Pacer::new(Duration::from_millis(2)),
        first_backoff: Duration::from_millis(40),
        max_backoff: Duration::from_millis(320),
        deadline: Duration::from_secs(120),
        wait_for_each: false,
        poll: Duration::from_millis(50),
    }
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
    let settings = Settings { concurrency: 1, wait_for_each: true, ..settings() };
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
    let settings = Settings { deadline: Duration::from_millis(300), ..settings() };
    let failure = execute(&client, &Target::Distribution("E3".into()), &planned, &settings, &|_| {}).await.unwrap_err();
    assert_eq!(failure.code.as_deref(), Some("TooManyInvalidationsInProgress"));
    assert!(failure.to_string().starts_with("batch 1: still TooManyInvalidationsInProgress"), "{failure}");
}
