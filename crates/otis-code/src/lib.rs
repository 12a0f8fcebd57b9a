//! The code model: what every file of a COBOL corpus says, linked across files, kept in
//! a SQLite store and answered behind otis-core's
//! [`CodeModel`](otis_core::ports::CodeModel) port.
//!
//! A [`StoreWriter`] takes the reader's facts of every file (`otis_cobol::read`) and
//! writes them as rows; after a build, COPY statements are linked to the copybook files
//! they name and the copy closure is stored, so a copybook's content counts for every
//! program that copies it, directly or through another copybook. [`CorpusModel::open`]
//! answers from a [`CodeStore`]: each question kind reads the rows it needs (calls to the
//! programs they run, PERFORM / GO TO to the sections and paragraphs they reach, data
//! items to their definitions and references), with the file and line of every fact; the
//! questions about the corpus as a whole go through one query engine. The text of cited
//! lines comes from a [`LineSource`] the caller provides; the store is the crate's only
//! I/O.

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
