//! `SessionStore` on an embedded SQLite file: the default when no Azure connection
//! string is configured. WAL mode, so readers never wait for the writer; a busy timeout,
//! so writers in other processes queue instead of failing; one row per turn with the
//! primary key (session, seq), so a concurrent append conflicts instead of overwriting.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;
use otis_core::ports::{
    Cursor, Feedback, FeedbackStore, Page, PageRequest, SessionStore, SessionSummary, StoreError,
};
use otis_core::{Metadata, Seq, SessionId, Timestamp, Turn, TurnId};
use rusqlite::{Connection, ErrorCode, OptionalExtension, params};

/// The largest turn stored: 4 MiB.
pub const MAX_TURN_BYTES: usize = 4 << 20;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS turns (
    session   TEXT    NOT NULL,
    seq       INTEGER NOT NULL,
    turn_id   TEXT    NOT NULL,
    at_ms     INTEGER NOT NULL,
    user      TEXT    NOT NULL,
    assistant TEXT    NOT NULL,
    metadata  TEXT    NOT NULL,
    PRIMARY KEY (session, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS feedback (
    id        TEXT    PRIMARY KEY,
    at_ms     INTEGER NOT NULL,
    session   TEXT,
    question  TEXT    NOT NULL,
    answer    TEXT    NOT NULL,
    comment   TEXT,
    rating    INTEGER,
    principal TEXT
);
";

/// A store over one SQLite file. Each instance holds its own connection; instances over
/// the same file (in this process or others) see one another's turns.
#[derive(Clone)]
pub struct SqliteStore {
    path: PathBuf,
    connection: Arc<Mutex<Connection>>,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish()
    }
}

fn backend(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Backend(Box::new(e))
}

fn sql_error(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Unavailable(Box::new(e))
        }
        _ => backend(e),
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and its folder.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(backend)?;
        }
        let connection = Connection::open(path).map_err(sql_error)?;
        connection
            .busy_timeout(Duration::from_secs(10))
            .map_err(sql_error)?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(sql_error)?;
        connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(sql_error)?;
        connection.execute_batch(SCHEMA).map_err(sql_error)?;
        Ok(Self {
            path: path.to_owned(),
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `work` on the connection on a blocking thread.
    async fn with<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let connection = self.connection.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard: MutexGuard<'_, Connection> = connection
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            work(&mut guard)
        })
        .await
        .map_err(backend)?
    }
}

fn row_to_turn(
    row: &rusqlite::Row<'_>,
) -> rusqlite::Result<(i64, String, i64, String, String, String)> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

fn decode(raw: (i64, String, i64, String, String, String)) -> Result<Turn, StoreError> {
    let (seq, turn_id, at_ms, user, assistant, metadata) = raw;
    let corrupt = |what: String| StoreError::Corrupt(format!("turn {seq}: {what}"));
    let metadata: Metadata = match serde_json::from_str(&metadata) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return Err(corrupt("metadata is not a JSON object".into())),
    };
    Ok(Turn {
        seq: Seq(u64::try_from(seq).map_err(|_| corrupt("negative seq".into()))?),
        id: TurnId::parse(turn_id).map_err(|e| corrupt(e.to_string()))?,
        at: Timestamp::from_unix_millis(at_ms).map_err(|e| corrupt(e.to_string()))?,
        user,
        assistant,
        metadata,
    })
}

const COLUMNS: &str = "seq, turn_id, at_ms, user, assistant, metadata";

#[async_trait]
impl SessionStore for SqliteStore {
    fn max_turn_bytes(&self) -> usize {
        MAX_TURN_BYTES
    }

    async fn insert_turn(&self, session: &SessionId, turn: &Turn) -> Result<(), StoreError> {
        StoreError::check_size(turn, MAX_TURN_BYTES)?;
        let session = session.as_str().to_owned();
        let turn = turn.clone();
        self.with(move |c| {
            let metadata = serde_json::Value::Object(turn.metadata.clone()).to_string();
            let seq = i64::try_from(turn.seq.0).map_err(backend)?;
            let inserted = c.execute(
                "INSERT INTO turns (session, seq, turn_id, at_ms, user, assistant, metadata)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    session,
                    seq,
                    turn.id.as_str(),
                    turn.at.unix_millis(),
                    turn.user,
                    turn.assistant,
                    metadata
                ],
            );
            match inserted {
                Ok(_) => Ok(()),
                Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => {
                    let occupant: Option<String> = c
                        .query_row(
                            "SELECT turn_id FROM turns WHERE session = ?1 AND seq = ?2",
                            params![session, seq],
                            |row| row.get(0),
                        )
                        .optional()
                        .map_err(sql_error)?;
                    match occupant.and_then(|id| TurnId::parse(id).ok()) {
                        Some(occupant) => Err(StoreError::Conflict {
                            seq: turn.seq,
                            occupant,
                        }),
                        None => Err(backend(e)),
                    }
                }
                Err(e) => Err(sql_error(e)),
            }
        })
        .await
    }

    async fn load_latest(&self, session: &SessionId, n: u32) -> Result<Vec<Turn>, StoreError> {
        let session = session.as_str().to_owned();
        self.with(move |c| {
            let mut statement = c
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM turns WHERE session = ?1 ORDER BY seq DESC LIMIT ?2"
                ))
                .map_err(sql_error)?;
            let rows = statement
                .query_map(params![session, i64::from(n)], row_to_turn)
                .map_err(sql_error)?;
            let mut turns = Vec::new();
            for row in rows {
                turns.push(decode(row.map_err(sql_error)?)?);
            }
            turns.reverse();
            Ok(turns)
        })
        .await
    }

    async fn history(
        &self,
        session: &SessionId,
        page: &PageRequest,
    ) -> Result<Page<Turn>, StoreError> {
        let from: i64 = match &page.cursor {
            None => 0,
            Some(Cursor(c)) => c
                .parse()
                .ok()
                .filter(|n: &i64| *n >= 0)
                .ok_or_else(|| StoreError::InvalidCursor(c.clone()))?,
        };
        let limit = i64::from(page.limit.get());
        let session = session.as_str().to_owned();
        self.with(move |c| {
            let mut statement = c
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM turns WHERE session = ?1 AND seq >= ?2 ORDER BY seq LIMIT ?3"
                ))
                .map_err(sql_error)?;
            let rows = statement
                .query_map(params![session, from, limit + 1], row_to_turn)
                .map_err(sql_error)?;
            let mut items = Vec::new();
            for row in rows {
                items.push(decode(row.map_err(sql_error)?)?);
            }
            let next = if items.len() as i64 > limit {
                items.pop();
                items.last().map(|t| Cursor(t.seq.next().0.to_string()))
            } else {
                None
            };
            Ok(Page { items, next })
        })
        .await
    }

    async fn list_sessions(&self, page: &PageRequest) -> Result<Page<SessionSummary>, StoreError> {
        let after = match &page.cursor {
            None => None,
            Some(Cursor(c)) => Some(
                c.strip_prefix('s')
                    .map(str::to_owned)
                    .ok_or_else(|| StoreError::InvalidCursor(c.clone()))?,
            ),
        };
        let limit = i64::from(page.limit.get());
        self.with(move |c| {
            let mut statement = c
                .prepare_cached(
                    "SELECT session, COUNT(*), MAX(at_ms) FROM turns
                     WHERE ?1 IS NULL OR session > ?1
                     GROUP BY session ORDER BY session LIMIT ?2",
                )
                .map_err(sql_error)?;
            let rows = statement
                .query_map(params![after, limit + 1], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, i64>(1)?,
                        row.get::<_, i64>(2)?,
                    ))
                })
                .map_err(sql_error)?;
            let mut items = Vec::new();
            for row in rows {
                let (session, count, last) = row.map_err(sql_error)?;
                items.push(SessionSummary {
                    session: SessionId::parse(session)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    turns: count.max(0) as u64,
                    last_activity: Timestamp::from_unix_millis(last)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                });
            }
            let next = if items.len() as i64 > limit {
                items.pop();
                items
                    .last()
                    .map(|s| Cursor(format!("s{}", s.session.as_str())))
            } else {
                None
            };
            Ok(Page { items, next })
        })
        .await
    }

    async fn delete_session(&self, session: &SessionId) -> Result<u64, StoreError> {
        let session = session.as_str().to_owned();
        self.with(move |c| {
            c.execute("DELETE FROM turns WHERE session = ?1", params![session])
                .map(|n| n as u64)
                .map_err(sql_error)
        })
        .await
    }

    async fn purge_inactive(&self, cutoff: Timestamp) -> Result<u64, StoreError> {
        self.with(move |c| {
            let tx = c.transaction().map_err(sql_error)?;
            let idle: Vec<String> = {
                let mut statement = tx
                    .prepare("SELECT session FROM turns GROUP BY session HAVING MAX(at_ms) < ?1")
                    .map_err(sql_error)?;
                let rows = statement
                    .query_map(params![cutoff.unix_millis()], |row| row.get(0))
                    .map_err(sql_error)?;
                rows.collect::<Result<_, _>>().map_err(sql_error)?
            };
            for session in &idle {
                tx.execute("DELETE FROM turns WHERE session = ?1", params![session])
                    .map_err(sql_error)?;
            }
            tx.commit().map_err(sql_error)?;
            Ok(idle.len() as u64)
        })
        .await
    }
}

#[async_trait]
impl FeedbackStore for SqliteStore {
    async fn record(&self, feedback: &Feedback) -> Result<(), StoreError> {
        let f = feedback.clone();
        self.with(move |c| {
            c.execute(
                "INSERT OR IGNORE INTO feedback (id, at_ms, session, question, answer, comment, rating, principal)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    f.id.as_str(),
                    f.at.unix_millis(),
                    f.session.as_ref().map(SessionId::as_str),
                    f.question,
                    f.answer,
                    f.comment,
                    f.rating,
                    f.principal
                ],
            )
            .map(|_| ())
            .map_err(sql_error)
        })
        .await
    }
}

impl SqliteStore {
    /// How many feedback reports are stored (for tests and `stats`).
    pub async fn feedback_count(&self) -> Result<u64, StoreError> {
        self.with(|c| {
            c.query_row("SELECT COUNT(*) FROM feedback", [], |row| {
                row.get::<_, i64>(0)
            })
            .map(|n| n.max(0) as u64)
            .map_err(sql_error)
        })
        .await
    }
}
