//! A plugin's document collections (the `store` capability): documents with a JSON object of
//! fields and an optional vector, nearest-neighbour search over an HNSW index, keyword search
//! over a BM25 index, and relations between documents with fields of their own.
//!
//! Everything lives in the plugin's own database (see [`crate::storage::Storage`]). Names are checked
//! against a narrow alphabet before they reach query text; every value is a bound parameter.
//! Collection `x` is table `c__x`, its relations table `r__x`, and the definitions the host
//! keeps are in `m__collections`.

mod collection;
mod definitions;
mod error;
mod live;
mod names;
mod reads;
mod records;
mod usage;
mod writes;

pub use collection::{CollectionSpec, MAX_DIMENSIONS};
pub use definitions::Documents;
pub use error::DocumentError;
pub use live::LiveIndexes;
pub use records::{Edge, Entry, Filter, Hit, MAX_FIELDS_BYTES, MAX_RESULTS, fields_from_json};

#[cfg(test)]
mod index_tests;
#[cfg(test)]
mod tests;
