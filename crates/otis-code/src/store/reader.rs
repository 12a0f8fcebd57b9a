//! [`CodeStore`]: the store of one index, read through a pool of connections that cannot
//! write (`query_only`).

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use super::error::StoreError;
use super::paths::current_path;
use super::schema;
use super::write::{FileMeta, StoreWriter};
use crate::forms::FormFile;
use crate::source::SourceFile;

/// Connections kept open for reuse: as many as the servers' blocking threads (16), so
/// none is opened again (and its statements parsed again) under load.
const POOL: usize = 16;
/// Prepared statements kept per connection: more than the answers use, so none is
/// parsed twice on one connection.
const STATEMENTS: usize = 256;

/// Where the store's connections go.
#[derive(Debug, Clone)]
pub(crate) enum Location {
    File(PathBuf),
    /// A shared-cache in-memory database (tests and small fixtures).
    Memory(String),
}

/// The store of one index, read through a pool of read-only connections.
pub struct CodeStore {
    pub(crate) location: Location,
    pool: Mutex<Vec<Connection>>,
    /// Keeps an in-memory database alive.
    _keeper: Option<Mutex<Connection>>,
}

impl fmt::Debug for CodeStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeStore")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

/// Runs `f` in one read transaction: its statements share one snapshot and take the
/// file's read lock once, not once each.
fn read_transaction<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    // A connection given back inside a transaction (a panic in `f`) keeps the one it has.
    let begun = conn.is_autocommit();
    if begun {
        conn.prepare_cached("BEGIN")?.execute([])?;
    }
    let out = f(conn);
    // A read transaction has nothing to keep: ending it cannot lose anything.
    if begun
        && conn
            .prepare_cached("COMMIT")
            .and_then(|mut s| s.execute([]))
            .is_err()
    {
        let _ = conn.execute_batch("ROLLBACK");
    }
    out
}

impl CodeStore {
    /// Whether `dir` holds a store.
    pub fn exists(dir: &Path) -> bool {
        current_path(dir).is_some()
    }

    /// The corpus the store in `dir` records, whatever its format (an index of an older
    /// format is rebuilt from its own corpus, never another).
    pub fn recorded_corpus(dir: &Path) -> Option<PathBuf> {
        let path = current_path(dir)?;
        let conn = Connection::open_with_flags(&path, OpenFlags::SQLITE_OPEN_READ_ONLY).ok()?;
        conn.query_row("SELECT value FROM meta WHERE key = 'corpus'", [], |r| {
            r.get::<_, String>(0)
        })
        .ok()
        .map(PathBuf::from)
    }

    /// Opens the current store of the index in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let path = current_path(dir).ok_or_else(|| StoreError::Missing(dir.to_owned()))?;
        let store = Self {
            location: Location::File(path),
            pool: Mutex::new(Vec::new()),
            _keeper: None,
        };
        // Fail now, not at the first question, when the file is not a store.
        let version: Option<String> = store.with_conn(|conn| {
            Ok(conn
                .query_row("SELECT value FROM meta WHERE key = 'version'", [], |r| {
                    r.get(0)
                })
                .optional()?)
        })?;
        if version != Some(schema::version()) {
            return Err(StoreError::Missing(dir.to_owned()));
        }
        Ok(store)
    }

    /// A store in memory holding `files` and `forms`, for tests and small fixtures.
    pub fn in_memory(files: &[SourceFile], forms: &[FormFile]) -> Result<Self, StoreError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let uri = format!(
            "file:otis-code-{}-{}?mode=memory&cache=shared",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let keeper = Connection::open_with_flags(
            &uri,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let mut writer = StoreWriter::in_memory(Connection::open_with_flags(
            &uri,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?)?;
        let meta = |path| FileMeta {
            path,
            size: 0,
            modified_ns: 0,
            chunks: 0,
            search: None,
        };
        let mut sorted: Vec<&SourceFile> = files.iter().collect();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        for file in sorted {
            writer.put_source(&meta(&file.path), &file.facts)?;
        }
        let mut sorted: Vec<&FormFile> = forms.iter().collect();
        sorted.sort_by(|a, b| a.path.cmp(&b.path));
        for form in sorted {
            writer.put_form(&meta(&form.path), 0, &form.form)?;
        }
        writer.finish()?;
        Ok(Self {
            location: Location::Memory(uri),
            pool: Mutex::new(Vec::new()),
            _keeper: Some(Mutex::new(keeper)),
        })
    }

    /// Runs `f` on a connection that reads (and cannot write), taken from the pool and
    /// given back after.
    pub(crate) fn with_conn<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let reused = self.pool.lock().ok().and_then(|mut p| p.pop());
        let conn = match reused {
            Some(c) => c,
            None => self.connect()?,
        };
        let out = read_transaction(&conn, f);
        if let Ok(mut pool) = self.pool.lock()
            && pool.len() < POOL
        {
            pool.push(conn);
        }
        out
    }

    fn connect(&self) -> Result<Connection, StoreError> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = match &self.location {
            Location::File(path) => Connection::open_with_flags(path, flags)?,
            Location::Memory(uri) => Connection::open_with_flags(uri, flags)?,
        };
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        // Reads only; a small page cache keeps a one-shot process small.
        conn.execute_batch("PRAGMA query_only = ON; PRAGMA cache_size = -8192;")?;
        // One file's facts alone read some thirty statements: with rusqlite's default of
        // 16 cached statements every answer would parse its SQL again.
        conn.set_prepared_statement_cache_capacity(STATEMENTS);
        Ok(conn)
    }

    /// A count the last build recorded (`programs`, `references`, ...).
    pub fn count(&self, name: &str) -> Result<u64, StoreError> {
        let value = self.meta(&format!("count.{name}"))?;
        Ok(value.and_then(|v| v.parse().ok()).unwrap_or(0))
    }

    /// The folder the store was built from.
    pub fn corpus(&self) -> Result<Option<PathBuf>, StoreError> {
        Ok(self.meta("corpus")?.map(PathBuf::from))
    }

    fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.with_conn(|conn| {
            Ok(conn
                .prepare_cached("SELECT value FROM meta WHERE key = ?1")?
                .query_row([key], |r| r.get(0))
                .optional()?)
        })
    }

    /// The search side's facts of a member (its JSON as written), by member name: the
    /// program's before a copybook's.
    pub fn search_facts(&self, member: &str) -> Result<Option<String>, StoreError> {
        self.with_conn(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT search FROM files WHERE member = ?1 AND search IS NOT NULL \
                     ORDER BY kind <> 'program', path LIMIT 1",
                )?
                .query_row([member], |r| r.get(0))
                .optional()?)
        })
    }

    /// Whether a file the search side indexed holds a member of this name.
    pub fn is_member(&self, member: &str) -> Result<bool, StoreError> {
        self.with_conn(|conn| {
            let found: Option<i64> = conn
                .prepare_cached(
                    "SELECT 1 FROM files WHERE member = ?1 AND search IS NOT NULL LIMIT 1",
                )?
                .query_row([member], |r| r.get(0))
                .optional()?;
            Ok(found.is_some())
        })
    }

    /// Members of the files that call `member` (static or dynamic, in their own text),
    /// and of the files that copy it, each sorted and once.
    pub fn users_of(&self, member: &str) -> Result<(Vec<String>, Vec<String>), StoreError> {
        self.with_conn(|conn| {
            let collect = |query: &str| -> Result<Vec<String>, StoreError> {
                let mut stmt = conn.prepare_cached(query)?;
                let names = stmt
                    .query_map([member], |r| r.get(0))?
                    .collect::<Result<Vec<String>, _>>()?;
                Ok(names)
            };
            let callers = collect(
                "SELECT DISTINCT f.member FROM calls c JOIN files f ON f.id = c.file_id \
                 WHERE c.target = ?1 AND c.kind <> 'runtime' ORDER BY f.member",
            )?;
            let copiers = collect(
                "SELECT DISTINCT f.member FROM copies c JOIN files f ON f.id = c.file_id \
                 WHERE c.member = ?1 ORDER BY f.member",
            )?;
            Ok((callers, copiers))
        })
    }
}
