//! Why the application could not be assembled: [`AppError`], its own module so that
//! `failure.rs` can read it without importing the crate root, which imports it.

use otis_core::ports::{ChatError, RetrieveError, StoreError};
use otis_index::IndexError;
use otis_store_table::OpenError;

use crate::settings::SettingsError;

/// Why the application could not be assembled.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A setting is invalid.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The index could not be opened or built.
    #[error("index: {0}")]
    Index(#[from] IndexError),
    /// The session store could not be opened.
    #[error("session store: {0}")]
    Store(#[from] OpenError),
    /// A store failed while being opened or migrated.
    #[error("session store: {0}")]
    Sqlite(#[source] StoreError),
    /// The search client could not be built.
    #[error("retriever: {0}")]
    Retriever(#[from] RetrieveError),
    /// The model client could not be built.
    #[error("model: {0}")]
    Model(#[from] ChatError),
}
