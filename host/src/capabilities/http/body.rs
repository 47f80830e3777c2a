//! Bodies at the boundary. A response body has a size cap and a deadline: a server that
//! sends too much, or too slowly, ends the body with an error the guest can read, instead of
//! holding the call. A request body has a size cap, so that a plugin cannot stream without
//! end to a host it may reach.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use tokio::time::{Instant, Sleep, sleep_until, timeout_at};
use wasmtime_wasi_http::{Error, WasiBody};

/// Read the body of a request that will not be sent to its end, by `deadline`, and drop it.
/// The guest, which writes its body while it waits for the response, then finishes writing
/// without an error and reads the request's own (a denial, a timeout) from the response.
pub fn discard(mut body: WasiBody, deadline: Instant) {
    tokio::spawn(async move {
        let drained = async { while let Some(Ok(_)) = body.frame().await {} };
        let _ = timeout_at(deadline, drained).await;
    });
}

/// A body with a size cap and, for a response, a deadline: past the cap it ends with
/// `too_large`'s error, past the deadline with `HttpResponseTimeout`.
pub struct Capped<B> {
    inner: B,
    left: u64,
    max: u64,
    too_large: fn(Option<u64>) -> Error,
    deadline: Option<Pin<Box<Sleep>>>,
    /// Set when the cap cut the body off (the request's sender learns why it failed).
    tripped: Option<Arc<AtomicBool>>,
}

impl Capped<hyper::body::Incoming> {
    /// A response body: at most `max` bytes, by `deadline`.
    pub fn response(inner: hyper::body::Incoming, max: u64, deadline: Instant) -> Self {
        let deadline = Some(Box::pin(sleep_until(deadline)));
        let too_large = Error::HttpResponseBodySize;
        Capped { inner, left: max, max, too_large, deadline, tripped: None }
    }
}

impl Capped<WasiBody> {
    /// A request body that did not declare its size: at most `max` bytes; `tripped` is set
    /// if it was cut off.
    pub fn request(inner: WasiBody, max: u64, tripped: Arc<AtomicBool>) -> WasiBody {
        let too_large = Error::HttpRequestBodySize;
        let tripped = Some(tripped);
        Capped { inner, left: max, max, too_large, deadline: None, tripped }.boxed_unsync()
    }
}

impl<B> Body for Capped<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: Into<Error>,
{
    type Data = Bytes;
    type Error = Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                let size = frame.data_ref().map_or(0, |data| data.len() as u64);
                match this.left.checked_sub(size) {
                    Some(left) => {
                        this.left = left;
                        Poll::Ready(Some(Ok(frame)))
                    }
                    None => {
                        if let Some(tripped) = &this.tripped {
                            tripped.store(true, Ordering::Relaxed);
                        }
                        Poll::Ready(Some(Err((this.too_large)(Some(this.max)))))
                    }
                }
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(error.into()))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => {
                match this.deadline.as_mut().map(|deadline| deadline.as_mut().poll(cx)) {
                    Some(Poll::Ready(())) => Poll::Ready(Some(Err(Error::HttpResponseTimeout))),
                    _ => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
