//! Bodies at the boundary. A response body has a size cap and a deadline: a server that
//! sends too much, or too slowly, ends the body with an error the guest can read, instead of
//! holding the call.

use std::pin::Pin;
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

pub struct Capped {
    inner: hyper::body::Incoming,
    left: u64,
    max: u64,
    deadline: Pin<Box<Sleep>>,
}

impl Capped {
    pub fn new(inner: hyper::body::Incoming, max: u64, deadline: Instant) -> Capped {
        Capped { inner, left: max, max, deadline: Box::pin(sleep_until(deadline)) }
    }
}

impl Body for Capped {
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
                    None => Poll::Ready(Some(Err(Error::HttpResponseBodySize(Some(this.max))))),
                }
            }
            Poll::Ready(Some(Err(error))) => Poll::Ready(Some(Err(Error::from(error)))),
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Error::HttpResponseTimeout))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
