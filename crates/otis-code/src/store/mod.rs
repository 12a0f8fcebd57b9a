//! The code model's store: one SQLite file beside the search index that answers
//! questions without being loaded (`docs/code-model.md` documents its tables).
//!
//! `code.current` names the current generation file (`code-<n>.db`). [`StoreWriter`]
//! writes it (incrementally, or a new generation made current atomically); [`CodeStore`]
//! reads it through a small pool of connections that cannot write (`query_only`).

mod error;
mod link;
mod paths;
mod query;
pub(crate) mod read;
mod reader;
mod schema;
mod write;

pub use error::StoreError;
pub use query::{QueryError, QueryLimits, QueryOutput, QueryValue};
pub use reader::CodeStore;
pub use write::{FileMeta, StoreWriter, WriteReport};
