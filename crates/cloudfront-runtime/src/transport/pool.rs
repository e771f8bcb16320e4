//! Kept-alive HTTP/1.1 connections, per `scheme://authority`. A connection goes back after
//! its response has been read whole; one idle longer than [`IDLE_LIMIT`], or one the server
//! has closed, is dropped when it next comes up.

use std::collections::HashMap;
use std::io;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::client::conn::http1::SendRequest;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::Payload;
use super::connect::Io;

/// How long an idle connection is kept (as reqwest and hyper's pooled client do).
const IDLE_LIMIT: Duration = Duration::from_secs(90);

/// A connection ready for requests: hyper's handle to it, and whether requests on it go in
/// absolute form (to a proxy).
pub(crate) struct Pooled {
    pub sender: SendRequest<Payload>,
    pub absolute_form: bool,
}

#[derive(Default)]
pub(crate) struct Pool {
    idle: Mutex<HashMap<String, Vec<(Pooled, Instant)>>>,
}

impl Pool {
    /// An idle connection to `key` that is still open, if any.
    pub async fn checkout(&self, key: &str) -> Option<Pooled> {
        loop {
            let (mut pooled, since) = self.idle.lock().ok()?.get_mut(key)?.pop()?;
            if since.elapsed() < IDLE_LIMIT && pooled.sender.ready().await.is_ok() {
                return Some(pooled);
            }
        }
    }

    /// Keeps a connection whose last response was read whole.
    pub fn put(&self, key: &str, pooled: Pooled) {
        if pooled.sender.is_closed() {
            return;
        }
        if let Ok(mut idle) = self.idle.lock() {
            idle.entry(key.to_owned()).or_default().push((pooled, Instant::now()));
        }
    }
}

/// A connection's bytes, as hyper reads and writes them.
pub(crate) struct HyperIo(pub Box<dyn Io>);

impl hyper::rt::Read for HyperIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        // SAFETY: tokio's `ReadBuf` only writes into the unfilled part it is given and reports
        // how much it filled, exactly the bytes `advance` then marks as initialised.
        let filled = unsafe {
            let mut tokio_buf = ReadBuf::uninit(buf.as_mut());
            match Pin::new(&mut self.0).poll_read(cx, &mut tokio_buf) {
                Poll::Ready(Ok(())) => tokio_buf.filled().len(),
                other => return other,
            }
        };
        // SAFETY: as above.
        unsafe { buf.advance(filled) };
        Poll::Ready(Ok(()))
    }
}

impl hyper::rt::Write for HyperIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
