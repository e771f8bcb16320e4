//! A local CloudFront that enforces the documented invalidation limits: 3,000 items per
//! request, 3,000 file paths and 15 wildcards in progress per distribution or tenant,
//! completion after [`COMPLETES_AFTER`], CallerReference deduplication
//! (`InvalidationBatchAlreadyExists` for a reused reference with other paths), and
//! `Throttling`: on every fifth call, or over an account-wide rate.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::{Recorded, Reply};

/// How long an invalidation stays in progress.
pub const COMPLETES_AFTER: Duration = Duration::from_millis(300);

/// An invalidation the server made.
pub struct Created {
    /// Its id.
    pub id: String,
    /// Its `CallerReference`.
    pub reference: String,
    /// Its paths.
    pub items: Vec<String>,
    /// When it was made.
    pub at: Instant,
    /// CreateTime as reported.
    pub created: cloudfront_primitives::DateTime,
}

/// The server's state; answer requests with [`CloudFront::handle`].
#[derive(Default)]
pub struct CloudFront {
    /// Invalidations per distribution or tenant path (or per parent distribution, with
    /// `one_scope`).
    pub created: HashMap<String, Vec<Created>>,
    /// Report an invalidation found again by its reference as made an hour earlier, as a
    /// rerun of a deploy long after the first run sees it.
    pub age_found_again: bool,
    /// Every tenant path shares one reference scope (if CloudFront scoped references per
    /// parent distribution).
    pub one_scope: bool,
    /// CreateInvalidation calls received.
    pub posts: usize,
    /// Account-wide `CreateInvalidation` calls per second (a token bucket of a second's
    /// worth); `None` throttles every fifth call instead.
    pub rate: Option<f64>,
    /// Tokens left and when they were counted (the server keeps it; start with `None`).
    pub bucket: Option<(f64, Instant)>,
    /// Calls refused as over the rate.
    pub throttled: usize,
}

/// CloudFront's error document.
pub fn error(status: u16, code: &str, message: &str) -> Reply {
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
         <CreateTime>{}</CreateTime><InvalidationBatch><Paths><Quantity>{}</Quantity><Items>{paths}</Items>\
         </Paths><CallerReference>{}</CallerReference></InvalidationBatch></Invalidation>",
        c.id,
        c.created.fmt(cloudfront_primitives::TimestampFormat::DateTime),
        c.items.len(),
        c.reference
    )
}

/// The text of every `open`...`close` span of `text` (a tag's contents, without parsing XML).
pub(crate) fn between<'a>(text: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    text.split(open).skip(1).filter_map(|rest| rest.split(close).next()).collect()
}

impl CloudFront {
    /// Answers one request (`index` is its position, as [`crate::TestServer`] gives it).
    pub fn handle(&mut self, request: &Recorded, index: usize) -> Reply {
        let path = request.target.split('?').next().unwrap_or_default();
        if request.method == "POST" {
            self.posts += 1;
            if self.over_rate(index) {
                self.throttled += 1;
                return error(400, "Throttling", "Rate exceeded");
            }
            let parent = path.trim_end_matches("/invalidation").to_owned();
            let scope = if self.one_scope { "one-scope".to_owned() } else { parent.clone() };
            let body = request.text();
            let items: Vec<String> = between(&body, "<Path>", "</Path>").into_iter().map(str::to_owned).collect();
            let reference = between(&body, "<CallerReference>", "</CallerReference>")[0].to_owned();
            if items.len() > 3000 {
                return error(413, "BatchTooLarge", "too many paths");
            }
            let age = self.age_found_again;
            let existing = self.created.entry(scope).or_default();
            if let Some(same) = existing.iter_mut().find(|c| c.reference == reference) {
                if same.items == items {
                    if age {
                        same.created = cloudfront_primitives::DateTime::from_secs(
                            cloudfront_primitives::DateTime::now().secs() - 3600,
                        );
                    }
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
            let created = Created {
                id: format!("I{index:06}"),
                reference,
                items,
                at: Instant::now(),
                created: cloudfront_primitives::DateTime::now(),
            };
            let reply =
                Reply::status(201, invalidation(&created)).header("Location", &format!("{parent}/{}", created.id));
            existing.push(created);
            return reply;
        }
        let (parent, id) = path.rsplit_once("/invalidation/").unwrap_or_default();
        let scope = if self.one_scope { "one-scope" } else { parent };
        match self.created.get(scope).and_then(|all| all.iter().find(|c| c.id == id)) {
            Some(found) => Reply::status(200, invalidation(found)),
            None => error(404, "NoSuchInvalidation", "no such invalidation"),
        }
    }

    /// Whether this call goes over the rate (or is a fifth call, without a rate).
    fn over_rate(&mut self, index: usize) -> bool {
        let Some(rate) = self.rate else { return index % 5 == 4 };
        let now = Instant::now();
        let (tokens, then) = self.bucket.unwrap_or((rate, now));
        let tokens = (tokens + now.duration_since(then).as_secs_f64() * rate).min(rate);
        let over = tokens < 1.0;
        self.bucket = Some((if over { tokens } else { tokens - 1.0 }, now));
        over
    }
}
