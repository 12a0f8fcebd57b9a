//! The local COBOL index, the embedded default `Retriever`.
//!
//! [`LocalIndex::build`] walks a folder of COBOL sources (`.cbl`, `.cob`, `.cpy`, any
//! case) and documents (`.md`, `.txt`), extracts each member's facts (PROGRAM-ID, the
//! header's description, COPY members, CALL targets, SELECT/ASSIGN files, paragraphs),
//! chunks programs by paragraph, and indexes the chunks with tantivy. The index lives on
//! disk and a rebuild reads only files whose size or time changed.

mod cobol;
mod index;
mod lines;
mod pipeline;

use async_trait::async_trait;
use otis_core::ports::{Hit, RetrieveError, Retriever};

pub use index::{BuildReport, IndexError, IndexStats, LocalIndex, Progress};
pub use otis_code::{QueryError, QueryLimits, QueryOutput, QueryValue};

#[async_trait]
impl Retriever for LocalIndex {
    fn name(&self) -> String {
        format!("local-index:{}", self.corpus().display())
    }

    async fn retrieve(&self, query: &str, top_k: u32) -> Result<Vec<Hit>, RetrieveError> {
        self.search(query, top_k as usize)
            .map_err(|e| RetrieveError::Backend(Box::new(e)))
    }
}
