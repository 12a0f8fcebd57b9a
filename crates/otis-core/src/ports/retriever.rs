//! The `Retriever` port: finds the parts of the COBOL codebase a question is about.

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// What kind of member a chunk belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberKind {
    /// A COBOL program (has a PROGRAM-ID).
    Program,
    /// A copybook (`.cpy`).
    Copybook,
    /// Prose documentation (`.md`, `.txt`).
    Document,
}

impl MemberKind {
    /// A lower-case word for display and metadata.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Program => "program",
            Self::Copybook => "copybook",
            Self::Document => "document",
        }
    }
}

/// A `SELECT name ASSIGN TO target` file of a program.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileAssignment {
    /// The file's name in the program.
    pub name: String,
    /// What it is assigned to (a DD name, path or literal), without quotes.
    pub assign: String,
}

/// What the indexer extracted from one member of the codebase.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MemberFacts {
    /// PROGRAM-ID, or the copybook's member name, or the document's file stem.
    pub name: String,
    /// The member's kind.
    pub kind: Option<MemberKind>,
    /// The source file, relative to the indexed folder.
    pub file: String,
    /// The description from the header comment block, joined into one paragraph.
    pub description: Option<String>,
    /// Copybooks it copies (member names, upper case, in source order, no repeats).
    pub copybooks: Vec<String>,
    /// Programs it calls statically (upper case, in source order, no repeats).
    pub calls: Vec<String>,
    /// Programs that call it (filled across the whole index).
    pub called_by: Vec<String>,
    /// Programs that copy it, for a copybook (filled across the whole index).
    pub copied_by: Vec<String>,
    /// Its files (`SELECT ... ASSIGN TO ...`).
    pub files: Vec<FileAssignment>,
    /// Its paragraphs and sections, in order.
    pub paragraphs: Vec<String>,
    /// Lines in the file.
    pub lines: u32,
}

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
    /// What the index knows of the chunk's member, when it extracted facts.
    pub facts: Option<MemberFacts>,
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
