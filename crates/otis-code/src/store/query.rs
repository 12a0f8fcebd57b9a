//! Read-only SQL over the code model for power users (`otis query`): one statement,
//! checked by an authorizer before it runs (reads, and the schema pragmas only), on a
//! connection of its own that attaches nothing, with a row limit and a time limit.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::reader::{CodeStore, Location};

/// Pragmas that only describe the schema.
const SCHEMA_PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
];

/// How much a query may return and for how long it may run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    /// Rows returned at most; the rest are counted as left out.
    pub max_rows: usize,
    /// Running time after which the query is stopped.
    pub timeout: Duration,
}

impl Default for QueryLimits {
    fn default() -> Self {
        Self {
            max_rows: 1000,
            timeout: Duration::from_secs(10),
        }
    }
}

/// One value of a result row.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryValue {
    /// SQL NULL.
    Null,
    /// An integer.
    Integer(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(String),
    /// A blob, shown by its size.
    Blob(usize),
}

impl std::fmt::Display for QueryValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Null => Ok(()),
            Self::Integer(n) => write!(f, "{n}"),
            Self::Real(x) => write!(f, "{x}"),
            Self::Text(t) => f.write_str(t),
            Self::Blob(n) => write!(f, "<{n} bytes>"),
        }
    }
}

/// What a query returned.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryOutput {
    /// Column names, in order.
    pub columns: Vec<String>,
    /// Rows, at most the limit.
    pub rows: Vec<Vec<QueryValue>>,
    /// Whether rows past the limit were left out.
    pub truncated: bool,
    /// How long it ran.
    pub elapsed: Duration,
}

/// Why a query did not run to the end.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The statement is not valid SQL, or names a table or column the model lacks.
    #[error("{0}")]
    Invalid(String),
    /// The statement would change something, or reach outside the code model.
    #[error("refused: {0} (otis query only reads the code model)")]
    Refused(String),
    /// The time limit passed.
    #[error("stopped after {0:?}: the query ran past its time limit (raise it with --timeout)")]
    Timeout(Duration),
    /// The store could not be opened or read.
    #[error(transparent)]
    Store(#[from] super::error::StoreError),
}

fn action_name(action: &AuthAction<'_>) -> String {
    let schema = |table: &str| table.starts_with("sqlite_");
    match action {
        AuthAction::Insert { table_name }
        | AuthAction::Delete { table_name }
        | AuthAction::Update { table_name, .. }
            if schema(table_name) =>
        {
            "changing the schema (CREATE, DROP, ALTER)".to_owned()
        }
        AuthAction::Insert { table_name } => format!("INSERT into {table_name}"),
        AuthAction::Update { table_name, .. } => format!("UPDATE of {table_name}"),
        AuthAction::Delete { table_name } => format!("DELETE from {table_name}"),
        AuthAction::Attach { .. } => "ATTACH".to_owned(),
        AuthAction::Detach { .. } => "DETACH".to_owned(),
        AuthAction::Pragma {
            pragma_name,
            pragma_value: Some(v),
        } => format!("PRAGMA {pragma_name} = {v}"),
        AuthAction::Pragma { pragma_name, .. } => format!("PRAGMA {pragma_name}"),
        AuthAction::Transaction { .. } | AuthAction::Savepoint { .. } => "a transaction".to_owned(),
        AuthAction::Function { function_name } => format!("the function {function_name}"),
        AuthAction::CreateIndex { .. }
        | AuthAction::CreateTable { .. }
        | AuthAction::CreateTempIndex { .. }
        | AuthAction::CreateTempTable { .. }
        | AuthAction::CreateTempTrigger { .. }
        | AuthAction::CreateTempView { .. }
        | AuthAction::CreateTrigger { .. }
        | AuthAction::CreateView { .. }
        | AuthAction::DropIndex { .. }
        | AuthAction::DropTable { .. }
        | AuthAction::DropTempIndex { .. }
        | AuthAction::DropTempTable { .. }
        | AuthAction::DropTempTrigger { .. }
        | AuthAction::DropTempView { .. }
        | AuthAction::DropTrigger { .. }
        | AuthAction::DropView { .. }
        | AuthAction::AlterTable { .. }
        | AuthAction::CreateVtable { .. }
        | AuthAction::DropVtable { .. } => "changing the schema (CREATE, DROP, ALTER)".to_owned(),
        other => {
            let text = format!("{other:?}");
            let name = text.split([' ', '{']).next().unwrap_or("this statement");
            format!("{name} statements")
        }
    }
}

/// Whether a statement may do `action`.
fn allowed(action: &AuthAction<'_>) -> bool {
    match action {
        AuthAction::Select | AuthAction::Read { .. } | AuthAction::Recursive => true,
        AuthAction::Function { function_name } => {
            !function_name.eq_ignore_ascii_case("load_extension")
        }
        AuthAction::Pragma {
            pragma_name,
            pragma_value,
        } => {
            SCHEMA_PRAGMAS.contains(&pragma_name.to_ascii_lowercase().as_str())
                && pragma_value.is_none_or(|v| !v.contains('='))
        }
        _ => false,
    }
}

impl CodeStore {
    /// Runs one read-only SQL statement over the code model.
    pub fn query(&self, sql: &str, limits: QueryLimits) -> Result<QueryOutput, QueryError> {
        let conn = self.query_connection()?;
        let refused: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
        let slot = refused.clone();
        conn.authorizer(Some(move |ctx: AuthContext<'_>| {
            if allowed(&ctx.action) {
                return Authorization::Allow;
            }
            if let Ok(mut s) = slot.lock() {
                s.push(action_name(&ctx.action));
            }
            Authorization::Deny
        }));
        let deadline = Instant::now() + limits.timeout;
        conn.progress_handler(10_000, Some(move || Instant::now() >= deadline));
        let started = Instant::now();
        let fail = |e: rusqlite::Error| -> QueryError {
            if let Some(what) = refused.lock().ok().and_then(|s| s.first().cloned()) {
                return QueryError::Refused(what);
            }
            match e.sqlite_error_code() {
                Some(ErrorCode::OperationInterrupted) => QueryError::Timeout(limits.timeout),
                Some(ErrorCode::ReadOnly) => {
                    QueryError::Refused("writing to the code model".to_owned())
                }
                Some(ErrorCode::AuthorizationForStatementDenied) => {
                    QueryError::Refused("this statement".to_owned())
                }
                _ => QueryError::Invalid(e.to_string()),
            }
        };
        let trimmed = sql.trim().trim_end_matches(';').trim_end();
        if trimmed.is_empty() {
            return Err(QueryError::Invalid("the query is empty".to_owned()));
        }
        let mut stmt = conn.prepare(trimmed).map_err(fail)?;
        if !stmt.readonly() {
            return Err(QueryError::Refused("statements that write".to_owned()));
        }
        let columns: Vec<String> = stmt
            .column_names()
            .iter()
            .map(|c| (*c).to_owned())
            .collect();
        let mut rows = stmt.query([]).map_err(fail)?;
        let mut out = Vec::new();
        let mut truncated = false;
        while let Some(row) = rows.next().map_err(fail)? {
            if out.len() >= limits.max_rows {
                truncated = true;
                break;
            }
            let mut values = Vec::with_capacity(columns.len());
            for i in 0..columns.len() {
                values.push(match row.get_ref(i).map_err(fail)? {
                    ValueRef::Null => QueryValue::Null,
                    ValueRef::Integer(n) => QueryValue::Integer(n),
                    ValueRef::Real(x) => QueryValue::Real(x),
                    ValueRef::Text(t) => QueryValue::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => QueryValue::Blob(b.len()),
                });
            }
            out.push(values);
        }
        Ok(QueryOutput {
            columns,
            rows: out,
            truncated,
            elapsed: started.elapsed(),
        })
    }

    /// A connection of its own for a user's query: opened read-only, attaching nothing.
    fn query_connection(&self) -> Result<Connection, QueryError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = match &self.location {
            Location::File(path) => Connection::open_with_flags(path, flags),
            Location::Memory(uri) => Connection::open_with_flags(uri, flags),
        }
        .map_err(super::error::StoreError::from)?;
        conn.execute_batch("PRAGMA query_only = ON;")
            .map_err(super::error::StoreError::from)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(super::error::StoreError::from)?;
        Ok(conn)
    }
}
