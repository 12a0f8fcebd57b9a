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
mod model;
mod names;
mod screens;
mod source;
mod store;
mod words;

pub use forms::FormFile;
pub use link::Counts;
pub use model::CorpusModel;
pub use names::normalise;
pub use source::{LineSource, NoText, SourceFile};
pub use store::{
    CodeStore, FileMeta, QueryError, QueryLimits, QueryOutput, QueryValue, StoreError, StoreWriter,
    WriteReport,
};
