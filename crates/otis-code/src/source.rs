//! What the code model is built from and cites: the reader's facts of one file, and the
//! text of cited lines, which the caller provides (the model does no file I/O of its own
//! besides its store).

use std::fmt;

use otis_cobol::SourceFacts;

/// One file of the corpus and what the reader found in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Its path relative to the corpus, with `/`.
    pub path: String,
    /// The reader's facts.
    pub facts: SourceFacts,
}

/// Gives the text of cited lines.
pub trait LineSource: Send + Sync + fmt::Debug {
    /// Lines `start..=end` (1-based) of `file`, joined with `\n`; `None` when unreadable.
    fn lines(&self, file: &str, start: u32, end: u32) -> Option<String>;
}

/// A [`LineSource`] that knows no text (cited lines then carry an empty text).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoText;

impl LineSource for NoText {
    fn lines(&self, _file: &str, _start: u32, _end: u32) -> Option<String> {
        None
    }
}
