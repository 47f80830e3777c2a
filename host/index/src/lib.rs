//! An in-memory index for one collection of the host's document store, answering
//! nearest-neighbour (cosine) and keyword (BM25) queries in milliseconds at 100,000 documents.
//!
//! SurrealDB stays the durable record: the host rebuilds an [`Index`] from it at open and
//! applies every write to both. The text analyzer reproduces the host's SurrealDB analyzer (see
//! [`analyze`]), so both split and normalise text alike.
//!
//! Layout, one concept per module: `docs` numbers the documents; `keys` and `postings`
//! filter them; `vectors`, `kernels` and `nearest` rank by cosine; `analyzer`, `text` and
//! `bm25` rank by keywords; `topk` keeps the best of either.

#![forbid(unsafe_code)]

mod analyzer;
mod bm25;
mod docs;
mod index;
mod kernels;
mod keys;
mod nearest;
mod postings;
mod text;
mod topk;
mod vectors;

pub use analyzer::analyze;
pub use index::Index;
