//! The in-memory index of a plugin's collections, for `nearest` and `search` in milliseconds
//! where SurrealDB's own HNSW and BM25 take tens to hundreds (see BENCHMARKS.md). It holds
//! each document's fields too, and the relations ([`edges`]), so that a recall, which reads
//! the hits and their relations, makes no query at all.
//!
//! SurrealDB stays the record: every write goes there first and then here, and a collection's
//! index is rebuilt from it when the process first needs it. On an embedded store this
//! process holds the datastore's lock, so no one else writes behind the index's back; on a
//! server, where other replicas write too, the index follows the tables' changes
//! ([`follow`]). While a collection's index is being built (in the background, a page at a time),
//! queries go to SurrealDB; writes go to both, and the builder skips what they touched, since
//! what it read of those documents is older. Relations are built after the documents, the
//! same way.

mod build;
mod collection;
mod edges;
mod follow;
mod indexes;

pub use collection::LiveCollection;
pub use indexes::LiveIndexes;
