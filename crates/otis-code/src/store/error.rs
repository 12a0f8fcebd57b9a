//! What can go wrong with the store.

use std::path::PathBuf;

/// Why the store could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No store has been built in this folder.
    #[error("no code model in {0} (build the index with `otis index build DIR`)")]
    Missing(PathBuf),
    /// SQLite failed.
    #[error("code model store: {0}")]
    Sql(#[from] rusqlite::Error),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// What failed.
        #[source]
        source: std::io::Error,
    },
}
