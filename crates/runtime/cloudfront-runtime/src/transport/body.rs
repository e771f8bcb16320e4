//! A request body: bytes in memory, or a file of known length read as it is sent. A file body
//! is opened again for every attempt, so a retry sends the same bytes and an upload never sits
//! whole in memory.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use tokio::io::{AsyncRead, ReadBuf};

/// How much of a file is read at a time.
const CHUNK: usize = 64 * 1024;

pub use cloudfront_primitives::Body;

/// The body for reqwest, and its length. A file that changed length since the body was made
/// is refused: the length was signed and is sent as Content-Length.
pub(super) async fn into_reqwest(body: Body) -> Result<(reqwest::Body, u64), String> {
    match body {
        Body::Bytes(bytes) => {
            let length = bytes.len() as u64;
            Ok((reqwest::Body::from(bytes), length))
        }
        Body::File { path, offset, length, file_size } => {
            use tokio::io::AsyncSeekExt as _;
            let cannot = |e: std::io::Error| format!("cannot read {}: {e}", path.display());
            let mut file = tokio::fs::File::open(&path).await.map_err(cannot)?;
            let now = file.metadata().await.map_err(cannot)?.len();
            if now != file_size || offset.checked_add(length).is_none_or(|end| end > now) {
                return Err(format!(
                    "{} changed size while it was being sent ({file_size} → {now} bytes)",
                    path.display()
                ));
            }
            file.seek(std::io::SeekFrom::Start(offset)).await.map_err(cannot)?;
            Ok((reqwest::Body::wrap(FileChunks { file, remaining: length, buffer: Vec::new() }), length))
        }
    }
}
/// A file's bytes as body frames, `remaining` more of them.
struct FileChunks {
    file: tokio::fs::File,
    remaining: u64,
    buffer: Vec<u8>,
}

impl http_body::Body for FileChunks {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, std::io::Error>>> {
        let this = self.get_mut();
        if this.remaining == 0 {
            return Poll::Ready(None);
        }
        let want = usize::try_from(this.remaining).unwrap_or(CHUNK).min(CHUNK);
        this.buffer.resize(want, 0);
        let mut read = ReadBuf::new(&mut this.buffer);
        match Pin::new(&mut this.file).poll_read(cx, &mut read) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Some(Err(e))),
            Poll::Ready(Ok(())) if read.filled().is_empty() => Poll::Ready(Some(Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "the file became shorter while it was being sent",
            )))),
            Poll::Ready(Ok(())) => {
                let chunk = Bytes::copy_from_slice(read.filled());
                this.remaining -= chunk.len() as u64;
                Poll::Ready(Some(Ok(Frame::data(chunk))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.remaining == 0
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.remaining)
    }
}
