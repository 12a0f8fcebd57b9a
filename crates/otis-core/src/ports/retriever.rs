//! The `Retriever` port: finds the parts of the COBOL codebase a question is about.

use std::fmt;

use async_trait::async_trait;

/// One retrieved piece of the codebase.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Stable id of the chunk within its index.
    pub id: String,
    /// The source file, relative to the indexed folder (or the search index's name).
    pub file: String,
    /// The COBOL program (PROGRAM-ID) or copybook member the chunk belongs to.
    pub program: Option<String>,
    /// First and last line of the chunk in `file`, 1-based, when known.
    pub lines: Option<(u32, u32)>,
    /// Relevance as the retriever scores it; higher is better, comparable within one call.
    pub score: f32,
    /// The chunk's text.
    pub text: String,
}

/// What can go wrong retrieving.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RetrieveError {
    /// No index exists yet where one was configured.
    #[error("index not found: {0}")]
    NoIndex(String),
    /// The search service or index failed; its retries are spent.
    #[error("retriever backend failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Searches the codebase.
///
/// # Contract
/// - Returns at most `top_k` hits, best first. No hit is an empty list, not an error.
/// - A question naming a program or copybook ranks that member's chunks first.
/// - The same index and question give the same hits in the same order.
#[async_trait]
pub trait Retriever: Send + Sync + fmt::Debug {
    /// A short name for `stats` and verbose output.
    fn name(&self) -> String;

    /// The best `top_k` hits for `query`.
    async fn retrieve(&self, query: &str, top_k: u32) -> Result<Vec<Hit>, RetrieveError>;
}
