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
mod flow;
mod forms;
mod graph;
mod link;
mod menu;
mod names;
mod screens;
mod words;

use std::fmt;
use std::sync::Arc;

use otis_cobol::SourceFacts;
use otis_core::ports::{CodeError, CodeFacts, CodeModel, CodeQuestion, SymbolKind};

pub use forms::FormFile;
pub use link::Counts;
pub use names::normalise;

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

/// The linked model of a corpus.
pub struct CorpusModel {
    link: link::Linked,
    lines: Arc<dyn LineSource>,
}

impl fmt::Debug for CorpusModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorpusModel")
            .field("counts", &self.link.counts())
            .finish_non_exhaustive()
    }
}

impl CorpusModel {
    /// Links `files`; cited lines are read through `lines`.
    pub fn new(files: Vec<SourceFile>, lines: Arc<dyn LineSource>) -> Self {
        Self {
            link: link::Linked::new(files),
            lines,
        }
    }

    /// Adds the corpus's screen form files (menu option labels, screen titles) for flow
    /// and screen-tree answers.
    pub fn with_forms(mut self, forms: Vec<FormFile>) -> Self {
        self.link.forms = forms::Forms::new(forms);
        self
    }

    /// Screen form files known.
    pub fn forms(&self) -> usize {
        self.link.forms.len()
    }

    /// What the model holds.
    pub fn counts(&self) -> Counts {
        self.link.counts()
    }
}

impl CodeModel for CorpusModel {
    fn identify(&self, name: &str) -> Option<SymbolKind> {
        self.link.identify(&normalise(name))
    }

    fn facts(&self, question: &CodeQuestion) -> Result<Option<CodeFacts>, CodeError> {
        Ok(answer::facts(&self.link, self.lines.as_ref(), question))
    }
}
