//! The code model: what every file of a COBOL corpus says, linked across files, behind
//! otis-core's [`CodeModel`] port.
//!
//! [`CorpusModel::new`] takes the reader's facts of every file (`otis_cobol::read`) and
//! links them: COPY statements to the copybook files they name, calls to the programs
//! they run, PERFORM / GO TO to the sections and paragraphs they reach (also across
//! copybooks), data items to their definitions and references. A copybook's content
//! counts for every program that copies it, directly or through another copybook.
//! Queries ([`CodeModel::facts`]) answer one question kind each, with the file and line
//! of every fact. The model does no I/O: the text of cited lines comes from a
//! [`LineSource`] the caller provides.

mod answer;
mod corpus;
mod flow;
mod forms;
mod graph;
mod link;
mod menu;
mod names;
mod screens;
mod store;
mod words;

use std::fmt;
use std::sync::{Arc, OnceLock};

use otis_cobol::SourceFacts;
use otis_core::ports::{CodeError, CodeFacts, CodeModel, CodeQuestion, SymbolKind};

pub use forms::FormFile;
pub use link::Counts;
pub use names::normalise;
pub use store::{
    CodeStore, FileMeta, QueryError, QueryLimits, QueryOutput, QueryValue, StoreError, StoreWriter,
    WriteReport,
};

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

/// The code model of a corpus, answered from its store.
pub struct CorpusModel {
    store: Arc<CodeStore>,
    lines: Arc<dyn LineSource>,
    /// Word scorers over the programs, built on the first business-process question.
    process: OnceLock<words::ProcessIndex>,
}

impl fmt::Debug for CorpusModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorpusModel")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

fn backend(e: StoreError) -> CodeError {
    CodeError::Backend(Box::new(e))
}

impl CorpusModel {
    /// The model of a built store; cited lines are read through `lines`.
    pub fn open(store: Arc<CodeStore>, lines: Arc<dyn LineSource>) -> Self {
        Self {
            store,
            lines,
            process: OnceLock::new(),
        }
    }

    /// A model of `files` and screen `forms` held in memory (tests, small fixtures).
    pub fn from_files(
        files: Vec<SourceFile>,
        forms: Vec<FormFile>,
        lines: Arc<dyn LineSource>,
    ) -> Result<Self, StoreError> {
        Ok(Self::open(
            Arc::new(CodeStore::in_memory(&files, &forms)?),
            lines,
        ))
    }

    /// The store behind the model.
    pub fn store(&self) -> &Arc<CodeStore> {
        &self.store
    }

    /// What the model holds.
    pub fn counts(&self) -> Result<Counts, StoreError> {
        self.store
            .with_conn(|conn| Ok(link::Linked::new(conn)?.counts()))
    }

    /// Runs `f` over the linked corpus on one connection; a store failure met on the way
    /// fails the whole call.
    fn linked<T>(&self, f: impl FnOnce(&link::Linked<'_>) -> T) -> Result<T, CodeError> {
        self.store
            .with_conn(|conn| {
                let linked = link::Linked::new(conn)?;
                let out = f(&linked);
                match linked.take_error() {
                    Some(e) => Err(e),
                    None => Ok(out),
                }
            })
            .map_err(backend)
    }
}

impl CodeModel for CorpusModel {
    fn identify(&self, name: &str) -> Option<SymbolKind> {
        self.linked(|link| link.identify(&normalise(name)))
            .ok()
            .flatten()
    }

    fn facts(&self, question: &CodeQuestion) -> Result<Option<CodeFacts>, CodeError> {
        self.linked(|link| answer::facts(link, self.lines.as_ref(), &self.process, question))
    }
}
