//! Kept-alive HTTP/1.1 connections, per `scheme://authority`. A connection goes back after
//! its response has been read whole; one idle longer than [`IDLE_LIMIT`], or one the server
//! has closed, is dropped when it next comes up.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::http1::Conn;

/// How long an idle connection is kept (as reqwest and hyper's pooled client do).
const IDLE_LIMIT: Duration = Duration::from_secs(90);

#[derive(Default)]
pub(crate) struct Pool {
    idle: Mutex<HashMap<String, Vec<(Conn, Instant)>>>,
}

impl Pool {
    /// An idle connection to `key` that is still open, if any.
    pub fn checkout(&self, key: &str) -> Option<Conn> {
        let mut idle = self.idle.lock().ok()?;
        let connections = idle.get_mut(key)?;
        while let Some((mut conn, since)) = connections.pop() {
            if since.elapsed() < IDLE_LIMIT && conn.is_idle_and_open() {
                return Some(conn);
            }
        }
        None
    }

    /// Keeps a connection whose last response was read whole.
    pub fn put(&self, key: &str, conn: Conn) {
        if let Ok(mut idle) = self.idle.lock() {
            idle.entry(key.to_owned()).or_default().push((conn, Instant::now()));
        }
    }
}
