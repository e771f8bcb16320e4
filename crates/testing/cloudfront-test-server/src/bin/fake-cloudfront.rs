//! A small stand-in for CloudFront's invalidation API on 127.0.0.1, for examples and tests
//! that need the tenant operations moto lacks: creates, gets and lists invalidations for
//! distributions and tenants, reports `InProgress` for the first polls and `Completed`
//! after, and deduplicates by CallerReference as CloudFront does.
//!
//! usage: fake-cloudfront [--port N] [--complete-after POLLS]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cloudfront_test_server::{Recorded, Reply, TestServer};

#[derive(Default)]
struct State {
    /// (parent path, id) -> (caller reference, batch XML, polls so far, CreateTime)
    invalidations: BTreeMap<(String, String), (String, String, u32, String)>,
    next_id: u32,
}

fn element<'a>(xml: &'a str, name: &str) -> Option<&'a str> {
    let start = xml.find(&format!("<{name}>"))? + name.len() + 2;
    let end = xml[start..].find(&format!("</{name}>"))? + start;
    Some(&xml[start..end])
}

fn invalidation_xml(id: &str, status: &str, created: &str, batch: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?><Invalidation xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Id>{id}</Id><Status>{status}</Status><CreateTime>{created}</CreateTime>{batch}</Invalidation>"
    )
}

fn not_found(code: &str) -> Reply {
    Reply::status(
        404,
        format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>not found</Message></Error><RequestId>fake</RequestId></ErrorResponse>"
        ),
    )
}

fn handle(request: &Recorded, state: &Mutex<State>, complete_after: u32) -> Reply {
    let path = request.target.split('?').next().unwrap_or_default().to_owned();
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    // ["2020-05-31", "distribution" | "distribution-tenant", ID, "invalidation", (INVALIDATION)]
    let (Some(kind), Some(parent), Some(&"invalidation")) = (parts.get(1), parts.get(2), parts.get(3)) else {
        return not_found("NoSuchResource");
    };
    if parent.starts_with("ENOSUCH") || parent.starts_with("DTNOSUCH") {
        return not_found(if *kind == "distribution" { "NoSuchDistribution" } else { "EntityNotFound" });
    }
    let parent_key = format!("{kind}/{parent}");
    let mut s = state.lock().expect("not poisoned");
    match (request.method.as_str(), parts.get(4)) {
        ("POST", None) => {
            let body = request.text();
            let (Some(reference), Some(start)) = (element(&body, "CallerReference"), body.find("<InvalidationBatch"))
            else {
                return Reply::status(
                    400,
                    "<ErrorResponse><Error><Code>MissingBody</Code><Message>no batch</Message></Error></ErrorResponse>",
                );
            };
            let inner_start = body[start..].find('>').map_or(start, |i| start + i + 1);
            let inner_end = body.rfind("</InvalidationBatch>").unwrap_or(body.len());
            let batch = format!("<InvalidationBatch>{}</InvalidationBatch>", &body[inner_start..inner_end]);
            let existing = s
                .invalidations
                .iter()
                .find(|((p, _), (r, _, _, _))| *p == parent_key && r == reference)
                .map(|((_, id), (_, b, _, created))| (id.clone(), b.clone(), created.clone()));
            let (id, created) = match existing {
                Some((id, b, created)) if b == batch => (id, created),
                Some(_) => {
                    return Reply::status(
                        409,
                        "<ErrorResponse><Error><Code>InvalidationBatchAlreadyExists</Code><Message>the caller reference was used with other paths</Message></Error></ErrorResponse>",
                    );
                }
                None => {
                    s.next_id += 1;
                    let id = format!("IFAKE{:08}", s.next_id);
                    let created =
                        cloudfront_primitives::DateTime::now().fmt(cloudfront_primitives::TimestampFormat::DateTime);
                    let record = (reference.to_owned(), batch.clone(), 0, created.clone());
                    s.invalidations.insert((parent_key.clone(), id.clone()), record);
                    (id, created)
                }
            };
            Reply::status(201, invalidation_xml(&id, "InProgress", &created, &batch))
                .header("Location", &format!("https://cloudfront.amazonaws.com{path}/{id}"))
        }
        ("GET", Some(id)) => match s.invalidations.get_mut(&(parent_key, (*id).to_owned())) {
            Some((_, batch, polls, created)) => {
                *polls += 1;
                let status = if *polls > complete_after { "Completed" } else { "InProgress" };
                Reply::status(200, invalidation_xml(id, status, created, batch))
            }
            None => not_found("NoSuchInvalidation"),
        },
        ("GET", None) => {
            let items: String = s
                .invalidations
                .iter()
                .filter(|((p, _), _)| *p == parent_key)
                .map(|((_, id), (_, _, polls, created))| {
                    let status = if *polls > complete_after { "Completed" } else { "InProgress" };
                    format!("<InvalidationSummary><Id>{id}</Id><CreateTime>{created}</CreateTime><Status>{status}</Status></InvalidationSummary>")
                })
                .collect();
            let count = s.invalidations.keys().filter(|(p, _)| *p == parent_key).count();
            Reply::status(
                200,
                format!(
                    "<InvalidationList><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>{count}</Quantity><Items>{items}</Items></InvalidationList>"
                ),
            )
        }
        _ => not_found("NoSuchResource"),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |name: &str| {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse::<u32>().ok())
    };
    let complete_after = flag("--complete-after").unwrap_or(2);
    let state = Arc::new(Mutex::new(State::default()));
    let server = TestServer::start_on(flag("--port").unwrap_or(0) as u16, move |request, _| {
        handle(request, &state, complete_after)
    })
    .await;
    println!("listening on {}", server.url);
    // Runs until killed.
    std::future::pending::<()>().await;
}
