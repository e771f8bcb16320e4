//! The measurement loop both benchmark clients share (included with `#[path]` rather than
//! linked as a crate, so it adds nothing to either dependency graph being counted).
//!
//! Environment: `ENDPOINT_URL` (required), `N` timed calls after one untimed first call
//! (default 2000; `0` = the first call only, like a CLI run), `CONCURRENCY` tasks sharing the
//! N calls (default 1 = sequential). Prints one `key=value` line for `cargo xtask bench`.

use std::future::Future;
use std::time::Instant;

pub struct Settings {
    pub endpoint: String,
    pub n: usize,
    pub concurrency: usize,
}

pub fn settings() -> Result<Settings, String> {
    let number = |name: &str, default: usize| match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(text) => text.parse().map_err(|_| format!("{name} must be a whole number, not {text:?}")),
    };
    Ok(Settings {
        endpoint: std::env::var("ENDPOINT_URL").map_err(|_| "set ENDPOINT_URL to the stub server")?,
        n: number("N", 2000)?,
        concurrency: number("CONCURRENCY", 1)?.max(1),
    })
}

/// CPU seconds this process has run so far, summed over its threads from the scheduler's
/// nanosecond counters (`/proc/self/stat` counts in hundredths, too coarse for short runs).
fn process_cpu_seconds() -> f64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return f64::NAN };
    let mut nanos = 0u64;
    for task in tasks.flatten() {
        let stat = std::fs::read_to_string(task.path().join("schedstat")).unwrap_or_default();
        nanos += stat.split_whitespace().next().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    }
    nanos as f64 / 1e9
}

/// Makes one untimed call, then `n` timed calls spread over `concurrency` tasks, and prints
/// the figures. `call(i)` makes call number `i` and returns the invalidation id.
pub async fn drive<F, Fut>(client_name: &str, settings: &Settings, call: F) -> Result<(), String>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = Result<String, String>> + Send,
{
    let first = Instant::now();
    let first_id = call(0).await?;
    let first_ms = first.elapsed().as_secs_f64() * 1e3;

    let (n, tasks) = (settings.n, settings.concurrency);
    let cpu_before = process_cpu_seconds();
    let start = Instant::now();
    let mut handles = Vec::with_capacity(tasks);
    for task in 0..tasks {
        let call = call.clone();
        // Task t makes calls t+1, t+1+tasks, ...: N in all.
        handles.push(tokio::spawn(async move {
            for i in (task + 1..=n).step_by(tasks) {
                std::hint::black_box(call(i).await?);
            }
            Ok::<(), String>(())
        }));
    }
    for handle in handles {
        handle.await.map_err(|e| format!("a task failed: {e}"))??;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu = process_cpu_seconds() - cpu_before;
    let (rps, cpu_per_call_us) = if n == 0 { (0.0, 0.0) } else { (n as f64 / elapsed, cpu / n as f64 * 1e6) };
    println!(
        "client={client_name} n={n} concurrency={tasks} first_call_ms={first_ms:.2} elapsed_s={elapsed:.4} \
         rps={rps:.1} loop_cpu_s={cpu:.4} cpu_per_call_us={cpu_per_call_us:.1} first_id={first_id}"
    );
    Ok(())
}
