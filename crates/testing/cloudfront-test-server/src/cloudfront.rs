//! The one local CloudFront of the tests, configured by each: it creates, gets and lists
//! invalidations of distributions and tenants, deduplicates by `CallerReference` as CloudFront
//! does (the same reference and paths give the same invalidation back;
//! `InvalidationBatchAlreadyExists` for other paths), and enforces the documented limits:
//! 3,000 items per request, 3,000 file paths and 15 wildcards in progress per distribution or
//! tenant. Owners named `ENOSUCH…`/`DTNOSUCH…` do not exist. How fast invalidations complete
//! and how calls are throttled are settings.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::{Recorded, Reply};

/// How long an invalidation stays in progress by default.
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
    /// Status reads so far.
    pub polls: u32,
}

/// When an invalidation is reported `Completed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completion {
    /// This long after it was made.
    After(Duration),
    /// After this many status reads (`InProgress` until then).
    AfterPolls(u32),
}

impl Default for Completion {
    fn default() -> Self {
        Completion::After(COMPLETES_AFTER)
    }
}

/// Which `CreateInvalidation` calls are refused with `Throttling`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum Throttling {
    /// Every fifth call.
    #[default]
    EveryFifthCall,
    /// Calls over this account-wide rate per second (a token bucket of a second's worth).
    Rate(f64),
    /// None.
    Never,
}

/// The server's state; answer requests with [`CloudFront::handle`].
#[derive(Default)]
pub struct CloudFront {
    /// Invalidations per distribution or tenant path (or all in one, with `one_scope`).
    pub created: HashMap<String, Vec<Created>>,
    /// Report an invalidation found again by its reference as made an hour earlier, as a
    /// rerun of a deploy long after the first run sees it.
    pub age_found_again: bool,
    /// Every tenant path shares one reference scope (if CloudFront scoped references per
    /// parent distribution).
    pub one_scope: bool,
    /// When invalidations complete.
    pub completion: Completion,
    /// Which calls are throttled.
    pub throttling: Throttling,
    /// Enforce no in-progress limits (for servers that test something else).
    pub unlimited: bool,
    /// CreateInvalidation calls received.
    pub posts: usize,
    /// Tokens left and when they were counted, for [`Throttling::Rate`] (the server keeps it).
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

/// The text of every `open`...`close` span of `text` (a tag's contents, without parsing XML).
pub(crate) fn between<'a>(text: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    text.split(open).skip(1).filter_map(|rest| rest.split(close).next()).collect()
}

impl CloudFront {
    /// A server that completes invalidations after `polls` status reads and never throttles
    /// (for examples and tests that wait).
    pub fn completing_after_polls(polls: u32) -> CloudFront {
        CloudFront { completion: Completion::AfterPolls(polls), throttling: Throttling::Never, ..CloudFront::default() }
    }

    /// Answers one request (`index` is its position, as [`crate::TestServer`] gives it).
    pub fn handle(&mut self, request: &Recorded, index: usize) -> Reply {
        let path = request.target.split('?').next().unwrap_or_default().to_owned();
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        // ["2020-05-31", "distribution" | "distribution-tenant", OWNER, "invalidation", (ID)]
        let (Some(kind), Some(owner), Some(&"invalidation")) = (segments.get(1), segments.get(2), segments.get(3))
        else {
            return error(404, "NoSuchResource", "no such resource");
        };
        if owner.starts_with("ENOSUCH") || owner.starts_with("DTNOSUCH") {
            return if *kind == "distribution" {
                error(404, "NoSuchDistribution", "The specified distribution does not exist.")
            } else {
                error(404, "EntityNotFound", "The specified distribution tenant does not exist.")
            };
        }
        let parent = format!("/{}", segments[..4].join("/"));
        match (request.method.as_str(), segments.get(4)) {
            ("POST", None) => self.create(request, index, &parent),
            ("GET", Some(id)) => self.get(&parent, id),
            ("GET", None) => self.list(&parent),
            _ => error(405, "MethodNotAllowed", "method not allowed"),
        }
    }

    fn scope(&self, parent: &str) -> String {
        if self.one_scope { "one-scope".to_owned() } else { parent.trim_end_matches("/invalidation").to_owned() }
    }

    /// `CreateInvalidation`: throttled, refused, found again by its reference, or made.
    fn create(&mut self, request: &Recorded, index: usize, parent: &str) -> Reply {
        self.posts += 1;
        if self.over_rate(index) {
            self.throttled += 1;
            return error(400, "Throttling", "Rate exceeded");
        }
        let body = request.text();
        let items: Vec<String> = between(&body, "<Path>", "</Path>").into_iter().map(str::to_owned).collect();
        let Some(reference) =
            between(&body, "<CallerReference>", "</CallerReference>").first().map(|r| (*r).to_owned())
        else {
            return error(400, "MalformedInput", "no CallerReference");
        };
        if items.len() > 3000 {
            return error(413, "BatchTooLarge", "too many paths");
        }
        let (age, completion, scope) = (self.age_found_again, self.completion, self.scope(parent));
        let number = self.created.values().map(Vec::len).sum::<usize>() + 1;
        let existing = self.created.entry(scope).or_default();
        if let Some(same) = existing.iter_mut().find(|c| c.reference == reference) {
            if same.items != items {
                return error(409, "InvalidationBatchAlreadyExists", "reference used for another batch");
            }
            if age {
                same.created =
                    cloudfront_primitives::DateTime::from_secs(cloudfront_primitives::DateTime::now().secs() - 3600);
            }
            return Reply::status(201, invalidation(same, completion));
        }
        if !self.unlimited && over_limits(existing, &items, completion) {
            return error(400, "TooManyInvalidationsInProgress", "too many in progress");
        }
        let created = Created {
            id: format!("I{number:06}"),
            reference,
            items,
            at: Instant::now(),
            created: cloudfront_primitives::DateTime::now(),
            polls: 0,
        };
        let reply = Reply::status(201, invalidation(&created, completion))
            .header("Location", &format!("https://cloudfront.amazonaws.com{parent}/{}", created.id));
        existing.push(created);
        reply
    }

    fn get(&mut self, parent: &str, id: &str) -> Reply {
        let (completion, scope) = (self.completion, self.scope(parent));
        match self.created.get_mut(&scope).and_then(|all| all.iter_mut().find(|c| c.id == id)) {
            Some(found) => {
                found.polls += 1;
                Reply::status(200, invalidation(found, completion))
            }
            None => error(404, "NoSuchInvalidation", "The specified invalidation does not exist."),
        }
    }

    fn list(&self, parent: &str) -> Reply {
        let all = self.created.get(&self.scope(parent)).map(Vec::as_slice).unwrap_or_default();
        let items: String = all
            .iter()
            .map(|c| {
                format!(
                    "<InvalidationSummary><Id>{}</Id><CreateTime>{}</CreateTime><Status>{}</Status></InvalidationSummary>",
                    c.id,
                    c.created.fmt(cloudfront_primitives::TimestampFormat::DateTime),
                    status(c, self.completion)
                )
            })
            .collect();
        Reply::status(
            200,
            format!(
                "<InvalidationList xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Marker></Marker>\
                 <MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>{}</Quantity><Items>{items}</Items>\
                 </InvalidationList>",
                all.len()
            ),
        )
    }

    /// Whether this call goes over the rate (or is a fifth call, by default).
    fn over_rate(&mut self, index: usize) -> bool {
        let rate = match self.throttling {
            Throttling::Never => return false,
            Throttling::EveryFifthCall => return index % 5 == 4,
            Throttling::Rate(rate) => rate,
        };
        let now = Instant::now();
        let (tokens, then) = self.bucket.unwrap_or((rate, now));
        let tokens = (tokens + now.duration_since(then).as_secs_f64() * rate).min(rate);
        let over = tokens < 1.0;
        self.bucket = Some((if over { tokens } else { tokens - 1.0 }, now));
        over
    }
}

/// Whether `items` would take the owner over 3,000 file paths or 15 wildcards in progress.
fn over_limits(existing: &[Created], items: &[String], completion: Completion) -> bool {
    let in_progress = existing.iter().filter(|c| status(c, completion) == "InProgress");
    let (mut files, mut wildcards) = (0, 0);
    for item in in_progress.flat_map(|c| c.items.iter()).chain(items) {
        if item.ends_with('*') {
            wildcards += 1;
        } else if item.starts_with('/') {
            files += 1;
        }
    }
    files > 3000 || wildcards > 15
}

fn status(c: &Created, completion: Completion) -> &'static str {
    let done = match completion {
        Completion::After(after) => c.at.elapsed() >= after,
        Completion::AfterPolls(polls) => c.polls > polls,
    };
    if done { "Completed" } else { "InProgress" }
}

fn invalidation(c: &Created, completion: Completion) -> String {
    let paths: String = c.items.iter().map(|p| format!("<Path>{p}</Path>")).collect();
    format!(
        "<Invalidation xmlns=\"http://cloudfront.amazonaws.com/doc/2020-05-31/\"><Id>{}</Id><Status>{}</Status>\
         <CreateTime>{}</CreateTime><InvalidationBatch><Paths><Quantity>{}</Quantity><Items>{paths}</Items>\
         </Paths><CallerReference>{}</CallerReference></InvalidationBatch></Invalidation>",
        c.id,
        status(c, completion),
        c.created.fmt(cloudfront_primitives::TimestampFormat::DateTime),
        c.items.len(),
        c.reference
    )
}

impl std::fmt::Debug for CloudFront {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let made: usize = self.created.values().map(Vec::len).sum();
        f.debug_struct("CloudFront").field("invalidations", &made).field("posts", &self.posts).finish_non_exhaustive()
    }
}
