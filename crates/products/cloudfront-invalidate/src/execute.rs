//! Sending a [`Plan`]: batches submitted with bounded concurrency and a shared pace, waiting
//! out `TooManyInvalidationsInProgress` and `Throttling` with capped exponential backoff
//! (with jitter) under an overall deadline, and progress reported as it happens.
//!
//! Every batch carries its CallerReference for the target, so a resubmission after a crash or
//! a lost answer is recognised by CloudFront as the same invalidation, never a second one. An
//! invalidation that comes back older than the run was made by an earlier run with the same
//! run id: it is reported, because nothing new was invalidated for that batch. With a
//! [`Journal`], batches an earlier run recorded are not sent again at all.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cloudfront::Client;

use crate::journal::{Entry, Journal};
use crate::plan::{Batch, Plan};
use crate::target::Polling;
pub use crate::target::Target;
use cloudfront_primitives::DateTime;
/// The pace shared by every worker: the runtime's, re-exported where the settings name it.
pub use cloudfront_runtime::pace::Pacer;
use cloudfront_runtime::retry::THROTTLING_CODES;

/// An invalidation created this long before the run started (by the service's clock) came
/// from an earlier run; the margin absorbs the `Date` header's one-second resolution.
const EARLIER_RUN_MARGIN_SECS: i64 = 5;

/// How to send.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct Settings {
    /// Batches in flight at once.
    pub concurrency: usize,
    /// The pace shared by every worker (a [`Pacer`]).
    pub pacer: Pacer,
    /// First wait after `TooManyInvalidationsInProgress` or `Throttling`; doubles per retry.
    pub first_backoff: Duration,
    /// Longest single wait.
    pub max_backoff: Duration,
    /// Give up when a batch still cannot start after this long from the start of the run.
    pub deadline: Duration,
    /// Wait for each batch to complete before its worker starts the next one (keeps the
    /// in-progress limits free for other work).
    pub wait_for_each: bool,
    /// How often to poll a batch when waiting for it.
    pub poll: Duration,
    /// Where accepted batches are recorded, and earlier runs' accepted batches are read
    /// from (those are not sent again).
    pub journal: Option<Arc<Journal>>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            concurrency: 2,
            pacer: Pacer::new(Duration::from_secs(2)),
            first_backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(300),
            deadline: Duration::from_secs(2 * 3600),
            wait_for_each: false,
            poll: Duration::from_secs(20),
            journal: None,
        }
    }
}

/// Something that happened during a run, for progress displays.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Batch `batch` (0-based) was accepted as invalidation `id`.
    Submitted {
        /// The batch's index in the plan.
        batch: usize,
        /// The invalidation id CloudFront gave it.
        id: String,
        /// Items in the batch.
        items: usize,
    },
    /// CloudFront said not now (`code`); the batch is retried after `after`.
    Retrying {
        /// The batch's index in the plan.
        batch: usize,
        /// `TooManyInvalidationsInProgress` or `Throttling`.
        code: String,
        /// How long until the next try.
        after: Duration,
    },
    /// The batch's invalidation reached `Completed` (with `wait_for_each`).
    Completed {
        /// The batch's index in the plan.
        batch: usize,
    },
    /// CloudFront answered with an invalidation an earlier run made with the same
    /// reference: nothing new was invalidated for this batch.
    AlreadySubmitted {
        /// The batch's index in the plan.
        batch: usize,
        /// The earlier invalidation.
        id: String,
        /// When the earlier run created it.
        created: DateTime,
    },
    /// The journal says an earlier run had this batch accepted; it was not sent again.
    FromJournal {
        /// The batch's index in the plan.
        batch: usize,
        /// The invalidation the journal recorded.
        id: String,
    },
}

/// What a successful run did.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    /// The invalidation id of each batch, in plan order.
    pub ids: Vec<String>,
    /// Tries that CloudFront turned away and were made again.
    pub retries: usize,
    /// Time spent waiting out refusals.
    pub waited: Duration,
    /// Batches CloudFront answered with an earlier run's invalidation (nothing new was
    /// invalidated for them).
    pub earlier: Vec<usize>,
    /// Batches skipped because the journal had them.
    pub from_journal: Vec<usize>,
}

/// Why a run stopped.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The batch that failed (0-based).
    pub batch: usize,
    /// The service's error code, when it answered.
    pub code: Option<String>,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "batch {}: {}", self.batch + 1, self.message)
    }
}

impl std::error::Error for Failure {}

/// Sends every batch of `plan` to `target`; `on_event` sees progress as it happens.
pub async fn execute(
    client: &Client,
    target: &Target,
    plan: &Plan,
    settings: &Settings,
    on_event: &(dyn Fn(Event) + Sync),
) -> Result<Summary, Failure> {
    let tally = Tally::new(plan.batches.len());
    let run = TargetRun {
        client,
        target,
        settings,
        on_event,
        started: Instant::now(),
        started_at: DateTime::now(),
        tally: &tally,
    };
    let run = &run;
    each_concurrently(&plan.batches, settings.concurrency, move |index, batch| run.batch(index, batch)).await?;
    Ok(tally.into_summary())
}

/// What one target's batches add up to, shared by the batches in flight.
struct Tally {
    ids: Mutex<Vec<String>>,
    retries: AtomicUsize,
    waited: Mutex<Duration>,
    earlier: Mutex<Vec<usize>>,
    from_journal: Mutex<Vec<usize>>,
}

impl Tally {
    fn new(batches: usize) -> Tally {
        Tally {
            ids: Mutex::new(vec![String::new(); batches]),
            retries: AtomicUsize::new(0),
            waited: Mutex::new(Duration::ZERO),
            earlier: Mutex::new(Vec::new()),
            from_journal: Mutex::new(Vec::new()),
        }
    }

    fn into_summary(self) -> Summary {
        let sorted = |list: Mutex<Vec<usize>>| {
            let mut list = list.into_inner().expect("not poisoned");
            list.sort_unstable();
            list
        };
        Summary {
            ids: self.ids.into_inner().expect("not poisoned"),
            retries: self.retries.into_inner(),
            waited: self.waited.into_inner().expect("not poisoned"),
            earlier: sorted(self.earlier),
            from_journal: sorted(self.from_journal),
        }
    }
}

/// One target's run: what every batch of it shares.
struct TargetRun<'a> {
    client: &'a Client,
    target: &'a Target,
    settings: &'a Settings,
    on_event: &'a (dyn Fn(Event) + Sync),
    started: Instant,
    /// The run's start by the local clock (the service's may differ).
    started_at: DateTime,
    tally: &'a Tally,
}

impl TargetRun<'_> {
    /// One batch: found in the journal, or submitted (and recorded there); then, with
    /// `wait_for_each`, waited for.
    async fn batch(&self, index: usize, batch: &Batch) -> Result<(), Failure> {
        let reference = batch.caller_reference(self.target.id());
        let recorded = self.settings.journal.as_ref().and_then(|j| j.accepted(self.target, &reference).cloned());
        let id = match recorded {
            Some(entry) => {
                (self.on_event)(Event::FromJournal { batch: index, id: entry.invalidation_id.clone() });
                self.tally.from_journal.lock().expect("not poisoned").push(index);
                entry.invalidation_id
            }
            None => self.submit_new(index, batch, &reference).await?,
        };
        self.tally.ids.lock().expect("not poisoned")[index] = id.clone();
        if self.settings.wait_for_each {
            wait_until_done(self.client, self.target, &id, self.settings, self.started)
                .await
                .map_err(|message| Failure { batch: index, code: None, message })?;
            (self.on_event)(Event::Completed { batch: index });
        }
        Ok(())
    }

    /// Submits a batch the journal does not hold, records it, and tells a new invalidation
    /// from one an earlier run made (CloudFront answers a reused reference with the old one).
    async fn submit_new(&self, index: usize, batch: &Batch, reference: &str) -> Result<String, Failure> {
        let (id, created) = self.accepted(index, batch, reference).await?;
        if let Some(journal) = &self.settings.journal {
            let entry = Entry {
                run_id: batch.run_id.clone(),
                target: self.target.clone(),
                batch: index,
                reference: reference.to_owned(),
                invalidation_id: id.clone(),
                items: batch.items.len(),
            };
            journal.record(&entry).map_err(|message| Failure { batch: index, code: None, message })?;
        }
        // The run's start by the service's clock (the client learnt the offset from the
        // answer's Date header).
        let offset = self.client.handle().server_clock_offset_secs().unwrap_or(0);
        if created.secs() < self.started_at.secs() + offset - EARLIER_RUN_MARGIN_SECS {
            (self.on_event)(Event::AlreadySubmitted { batch: index, id: id.clone(), created });
            self.tally.earlier.lock().expect("not poisoned").push(index);
        } else {
            (self.on_event)(Event::Submitted { batch: index, id: id.clone(), items: batch.items.len() });
        }
        Ok(id)
    }

    /// Submits until CloudFront accepts the batch: paced, and after a refusal that only says
    /// "not now" (throttling, too many in progress) waited for with growing backoff, bounded
    /// by the deadline (every refusal waits at least `first_backoff`).
    async fn accepted(&self, index: usize, batch: &Batch, reference: &str) -> Result<(String, DateTime), Failure> {
        let settings = self.settings;
        let mut backoff = settings.first_backoff;
        loop {
            settings.pacer.turn().await;
            let code = match submit(self.client, self.target, batch, reference).await {
                Ok(accepted) => {
                    settings.pacer.speed_up().await;
                    return Ok(accepted);
                }
                Err((Some(code), _)) if is_not_now(&code) => code,
                Err((code, message)) => return Err(Failure { batch: index, code, message }),
            };
            let after = jitter(backoff, index);
            if self.started.elapsed() + after > settings.deadline {
                let message = format!("still {code} when the deadline of {:?} ran out", settings.deadline);
                return Err(Failure { batch: index, code: Some(code), message });
            }
            if THROTTLING_CODES.contains(&code.as_str()) {
                settings.pacer.slow_down().await;
            }
            (self.on_event)(Event::Retrying { batch: index, code, after });
            self.tally.retries.fetch_add(1, Ordering::SeqCst);
            *self.tally.waited.lock().expect("not poisoned") += after;
            tokio::time::sleep(after).await;
            backoff = (backoff * 2).min(settings.max_backoff);
        }
    }
}

/// Every tenant of a multi-tenant distribution (all pages of `ListDistributionTenants`).
pub async fn tenants_of(
    client: &Client,
    distribution_id: &str,
) -> Result<Vec<Target>, cloudfront::SdkError<cloudfront::error::ListDistributionTenantsError>> {
    let filter =
        cloudfront::types::DistributionTenantAssociationFilter::builder().distribution_id(distribution_id).build();
    let tenants = client.list_distribution_tenants().association_filter(filter).items().collect().await?;
    Ok(tenants.into_iter().map(|t| Target::Tenant(t.id)).collect())
}

/// The outcome of one target of a [`fan_out`].
pub type TargetOutcome = (Target, Result<Summary, Failure>);

/// Sends the same `plan` to every target, `concurrency` targets at a time, all sharing the
/// settings' pacer; one target failing does not stop the others. Results are in target order.
pub async fn fan_out(
    client: &Client,
    targets: &[Target],
    plan: &Plan,
    settings: &Settings,
    on_event: &(dyn Fn(&Target, Event) + Sync),
) -> Vec<TargetOutcome> {
    let results: std::sync::Mutex<Vec<Option<TargetOutcome>>> = std::sync::Mutex::new(vec![None; targets.len()]);
    let results_ref = &results;
    let all_targets = each_concurrently(targets, settings.concurrency, move |index, target| async move {
        let outcome = execute(client, target, plan, settings, &|event| on_event(target, event)).await;
        results_ref.lock().expect("not poisoned")[index] = Some((target.clone(), outcome));
        Ok::<(), std::convert::Infallible>(())
    });
    let Ok(()) = all_targets.await;
    results.into_inner().expect("not poisoned").into_iter().flatten().collect()
}

/// Calls `work` on every item, at most `concurrency` at a time, on the current task. After
/// an error no further item is started, and the first error is returned.
async fn each_concurrently<'a, T, E, F, Fut>(items: &'a [T], concurrency: usize, work: F) -> Result<(), E>
where
    F: Fn(usize, &'a T) -> Fut,
    Fut: std::future::Future<Output = Result<(), E>>,
{
    let next = AtomicUsize::new(0);
    let worker = || async {
        loop {
            let index = next.fetch_add(1, Ordering::SeqCst);
            let Some(item) = items.get(index) else { return Ok(()) };
            if let Err(e) = work(index, item).await {
                next.store(items.len(), Ordering::SeqCst);
                return Err(e);
            }
        }
    };
    let workers = concurrency.clamp(1, items.len().max(1));
    join_all((0..workers).map(|_| worker())).await.into_iter().collect()
}

/// Refusals that mean "later": the in-progress limits, and throttling as the runtime knows it.
fn is_not_now(code: &str) -> bool {
    code == "TooManyInvalidationsInProgress" || THROTTLING_CODES.contains(&code)
}

/// `base` plus up to 25 % more, varied per batch and call so workers do not retry in step.
fn jitter(base: Duration, batch: usize) -> Duration {
    let noise = cloudfront_primitives::random_u64() ^ (batch as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let spread = base.as_millis() as u64 / 4;
    base + Duration::from_millis(if spread == 0 { 0 } else { noise % spread })
}

/// One CreateInvalidation (or its tenant form); the id and creation time, or the error
/// code and message.
async fn submit(
    client: &Client,
    target: &Target,
    batch: &Batch,
    reference: &str,
) -> Result<(String, DateTime), (Option<String>, String)> {
    let invalidation_batch = crate::batch(batch.items.iter().cloned(), reference).map_err(|e| (None, e.to_string()))?;
    let invalidation = target.create(client, invalidation_batch).await.map_err(|e| (e.code, e.message))?;
    Ok((invalidation.id, invalidation.create_time))
}

async fn wait_until_done(
    client: &Client,
    target: &Target,
    id: &str,
    settings: &Settings,
    started: Instant,
) -> Result<(), String> {
    let polling = Polling {
        first: settings.poll,
        longest: settings.poll.max(settings.max_backoff.min(settings.poll * 4)),
        max_wait: settings.deadline.saturating_sub(started.elapsed()),
    };
    target.wait(client, id, polling).await.map_err(|e| format!("invalidation {id} did not complete: {e}"))
}

/// Runs the futures concurrently on the current task and returns their outputs in order.
async fn join_all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    let mut pending: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all_done = true;
        for (future, output) in pending.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => all_done = false,
                }
            }
        }
        if all_done { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    outputs.into_iter().map(|o| o.expect("every future finished")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn turns_are_spaced_by_the_interval() {
        let pacer = Pacer::new(Duration::from_millis(30));
        let start = Instant::now();
        for _ in 0..3 {
            pacer.turn().await;
        }
        // Three turns: the first at once, then two intervals.
        assert!(start.elapsed() >= Duration::from_millis(60));
    }
}
