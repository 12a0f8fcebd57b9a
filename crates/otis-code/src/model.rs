//! [`CorpusModel`]: the code model of a corpus behind otis-core's [`CodeModel`] port,
//! answered from its store one question at a time.

use std::fmt;
use std::sync::Arc;

use otis_core::ports::{
    CodeError, CodeFacts, CodeModel, CodeQuestion, SqlRows, SqlValue, SymbolKind,
};

use crate::answer;
use crate::forms::FormFile;
use crate::link::{self, Counts};
use crate::names::normalise;
use crate::source::{LineSource, SourceFile};
use crate::store::{CodeStore, QueryError, QueryLimits, QueryValue, StoreError};

/// The store's tables as a text model reads them before writing a query
/// (`docs/code-model-schema.txt`, kept beside `docs/code-model.md` and tested against the
/// store's tables and columns).
const SCHEMA_TEXT: &str = include_str!("../../../docs/code-model-schema.txt");

/// The code model of a corpus, answered from its store.
pub struct CorpusModel {
    store: Arc<CodeStore>,
    lines: Arc<dyn LineSource>,
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
        Self { store, lines }
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
        self.linked(|link| answer::facts(link, self.lines.as_ref(), question))
    }

    fn schema(&self) -> Option<String> {
        Some(SCHEMA_TEXT.to_owned())
    }

    /// `otis query`'s engine and limits (1000 rows, 10 s).
    fn query(&self, sql: &str) -> Result<SqlRows, CodeError> {
        let out = self
            .store
            .query(sql, QueryLimits::default())
            .map_err(|e| match e {
                QueryError::Invalid(message) => CodeError::InvalidQuery(message),
                QueryError::Refused(what) => CodeError::QueryRefused(what),
                QueryError::Timeout(limit) => CodeError::QueryTimeout(limit),
                QueryError::Store(e) => backend(e),
            })?;
        let value = |v: QueryValue| match v {
            QueryValue::Null => SqlValue::Null,
            QueryValue::Integer(n) => SqlValue::Integer(n),
            QueryValue::Real(x) => SqlValue::Real(x),
            QueryValue::Text(t) => SqlValue::Text(t),
            QueryValue::Blob(n) => SqlValue::Blob(n),
        };
        Ok(SqlRows {
            columns: out.columns,
            rows: out
                .rows
                .into_iter()
                .map(|row| row.into_iter().map(value).collect())
                .collect(),
            truncated: out.truncated,
        })
    }
}
