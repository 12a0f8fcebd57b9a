//! `TableStore`: the `SessionStore` port on Azure Table Storage.
//!
//! Layout (see docs/schema.md): one partition per session, one entity per turn with a
//! RowKey that sorts newest first, and one session record per partition. An append is
//! one `$batch` (insert the turn, upsert the record): one request, atomic, and the insert
//! fails with 409 rather than overwrite. Loading the window is one `$top=n` query.

use async_trait::async_trait;
use otis_core::ports::{
    Cursor, Feedback, FeedbackStore, Page, PageRequest, SessionStore, SessionSummary, StoreError,
};
use otis_core::{Seq, SessionId, Timestamp, Turn, TurnId};
use serde_json::Value;

use crate::client::{BatchOp, ClientPolicy, Entity, TableClient, TableError};
use crate::connection::{Connection, ConnectionStringError};
use crate::entity::{
    MAX_TURN_BYTES, as_i64, as_timestamp, legacy_turn_from_entity, session_entity, turn_entity,
    turn_from_entity,
};
use crate::keys::{
    LEGACY_RANGE, SESSION_ROW, TURN_RANGE, is_legacy_row_key, partition_key, quote, seq_of_row_key,
    turn_row_key,
};

/// The table the previous system used, and our default.
pub const DEFAULT_TABLE: &str = "OTISChatHistory";
/// The previous system's feedback table.
pub const FEEDBACK_TABLE: &str = "feedbackreports";

/// Operations per entity-group transaction, the service's limit.
const BATCH_LIMIT: usize = 100;

/// Why a [`TableStore`] could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    /// The connection string is unusable.
    #[error(transparent)]
    Connection(#[from] ConnectionStringError),
    /// Table names are 3 to 63 letters and digits, starting with a letter.
    #[error("invalid table name {0:?}: use 3 to 63 letters and digits, starting with a letter")]
    TableName(String),
    /// The service refused or could not be reached.
    #[error("could not prepare table {table}: {source}")]
    Service {
        /// The table.
        table: String,
        /// What failed.
        #[source]
        source: TableError,
    },
}

/// What [`TableStore::migrate_legacy`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationReport {
    /// Sessions rewritten.
    pub sessions: u64,
    /// Turns rewritten.
    pub turns: u64,
    /// Partitions left alone, with the reason.
    pub skipped: Vec<(String, String)>,
}

/// The Azure Table Storage session store.
#[derive(Debug, Clone)]
pub struct TableStore {
    client: TableClient,
    table: String,
}

impl TableStore {
    /// Opens the store on `table`, creating the table if it is missing (one request).
    pub async fn open(
        connection: Connection,
        table: &str,
        policy: ClientPolicy,
    ) -> Result<Self, OpenError> {
        let store = Self::open_existing(connection, table, policy)?;
        store
            .client
            .create_table_if_missing(table)
            .await
            .map_err(|source| OpenError::Service {
                table: table.to_owned(),
                source,
            })?;
        Ok(store)
    }

    /// Opens the store on a table known to exist, sending no request.
    pub fn open_existing(
        connection: Connection,
        table: &str,
        policy: ClientPolicy,
    ) -> Result<Self, OpenError> {
        let valid = (3..=63).contains(&table.len())
            && table.bytes().all(|b| b.is_ascii_alphanumeric())
            && table
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphabetic());
        if !valid {
            return Err(OpenError::TableName(table.to_owned()));
        }
        let client = TableClient::new(connection, policy).map_err(|source| OpenError::Service {
            table: table.to_owned(),
            source,
        })?;
        Ok(Self {
            client,
            table: table.to_owned(),
        })
    }

    /// The REST client, e.g. to read its request count.
    pub fn client(&self) -> &TableClient {
        &self.client
    }

    /// The table this store uses.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// All entities matching `filter`, following continuations.
    async fn query_all(
        &self,
        filter: &str,
        select: Option<&str>,
    ) -> Result<Vec<Entity>, StoreError> {
        self.query_until(filter, select, 1000, |_| false).await
    }

    /// Entities matching `filter`, `top` a page, following continuations until there
    /// are no more or `enough` says the rows read so far suffice.
    async fn query_until(
        &self,
        filter: &str,
        select: Option<&str>,
        top: u32,
        enough: impl Fn(&[Entity]) -> bool,
    ) -> Result<Vec<Entity>, StoreError> {
        let mut rows = Vec::new();
        let mut continuation = None;
        loop {
            let page = self
                .client
                .query(
                    &self.table,
                    filter,
                    select,
                    Some(top),
                    continuation.as_ref(),
                )
                .await
                .map_err(store_error)?;
            rows.extend(page.entities);
            match page.continuation {
                Some(next) if !enough(&rows) => continuation = Some(next),
                _ => return Ok(rows),
            }
        }
    }

    /// The rows the previous system wrote for a session (RowKeys `0000`...).
    async fn legacy_rows(&self, partition: &str) -> Result<Vec<Entity>, StoreError> {
        let filter = format!(
            "PartitionKey eq {} and RowKey ge {} and RowKey lt {}",
            quote(partition),
            quote(LEGACY_RANGE.0),
            quote(LEGACY_RANGE.1)
        );
        self.query_all(&filter, None).await
    }

    /// Those rows as turns 0.. in window order.
    async fn legacy_turns(&self, partition: &str) -> Result<Vec<Turn>, StoreError> {
        decode_legacy(self.legacy_rows(partition).await?.iter())
    }

    /// Rewrites every session the previous system stored (RowKeys `0000`...) into this
    /// layout: its rows become turns 0.. (same texts, timestamps and parsed metadata),
    /// the session record is written, and the old rows are deleted. Idempotent: a second
    /// run finds nothing to do, and a run cut short is finished by the next.
    pub async fn migrate_legacy(&self) -> Result<MigrationReport, StoreError> {
        let filter = format!(
            "RowKey ge {} and RowKey lt {}",
            quote(LEGACY_RANGE.0),
            quote(LEGACY_RANGE.1)
        );
        let mut partitions: Vec<String> = self
            .query_all(&filter, Some("PartitionKey"))
            .await?
            .iter()
            .filter_map(|e| {
                e.get("PartitionKey")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .collect();
        partitions.sort();
        partitions.dedup();
        let mut report = MigrationReport::default();
        for partition in partitions {
            let session = match SessionId::parse(partition.as_str()) {
                Ok(id) if partition_key(&id) == partition => id,
                _ => {
                    report.skipped.push((
                        partition.clone(),
                        "the partition key is not a session id this layout can address".into(),
                    ));
                    continue;
                }
            };
            let rows = self.legacy_rows(&partition).await?;
            let turns = decode_legacy(rows.iter())?;
            let Some(first) = turns.first() else { continue };
            for turn in &turns {
                match self
                    .client
                    .insert(&self.table, &turn_entity(&session, turn))
                    .await
                {
                    Ok(()) => {}
                    // Rewritten by an earlier run that was cut short: same turn, keep it.
                    Err(TableError::Status { status: 409, .. })
                        if self.occupant(&partition, turn.seq).await?.as_ref()
                            == Some(&turn.id) => {}
                    Err(TableError::Status { status: 409, .. }) => {
                        return Err(StoreError::Conflict {
                            seq: turn.seq,
                            occupant: self
                                .occupant(&partition, turn.seq)
                                .await?
                                .unwrap_or_else(|| turn.id.clone()),
                        });
                    }
                    Err(e) => return Err(store_error(e)),
                }
            }
            self.client
                .batch(
                    &self.table,
                    &[BatchOp::Upsert(session_entity(&session, first))],
                )
                .await
                .map_err(store_error)?;
            let legacy_keys: Vec<String> = rows
                .iter()
                .map(|e| row_key(e).to_owned())
                .filter(|k| is_legacy_row_key(k))
                .collect();
            self.delete_rows(&partition, &legacy_keys).await?;
            report.sessions += 1;
            report.turns += turns.len() as u64;
        }
        Ok(report)
    }

    /// The occupant of a taken position, for a `Conflict`.
    async fn occupant(&self, partition: &str, seq: Seq) -> Result<Option<TurnId>, StoreError> {
        let filter = format!(
            "PartitionKey eq {} and RowKey eq {}",
            quote(partition),
            quote(&turn_row_key(seq))
        );
        let page = self
            .client
            .query(&self.table, &filter, Some("turn_id"), Some(1), None)
            .await
            .map_err(store_error)?;
        Ok(page
            .entities
            .first()
            .and_then(|e| e.get("turn_id"))
            .and_then(Value::as_str)
            .and_then(|s| TurnId::parse(s).ok()))
    }

    /// A session's turn count and last activity, from its newest turn row (one query).
    /// `None` when it holds no turn.
    async fn summary(&self, session: SessionId) -> Result<Option<SessionSummary>, StoreError> {
        let partition = partition_key(&session);
        let filter = format!(
            "PartitionKey eq {} and RowKey ge {} and RowKey lt {}",
            quote(&partition),
            quote(TURN_RANGE.0),
            quote(TURN_RANGE.1)
        );
        let page = self
            .client
            .query(&self.table, &filter, Some("seq,timestamp"), Some(1), None)
            .await
            .map_err(store_error)?;
        let Some(latest) = page.entities.first() else {
            return Ok(None);
        };
        let seq = latest
            .get("seq")
            .and_then(as_i64)
            .ok_or_else(|| corrupt("turn without seq"))?;
        let last_activity = latest
            .get("timestamp")
            .and_then(as_timestamp)
            .ok_or_else(|| corrupt("turn without timestamp"))?;
        Ok(Some(SessionSummary {
            session,
            turns: u64::try_from(seq).unwrap_or(0) + 1,
            last_activity,
        }))
    }

    /// Deletes rows of one partition, a transaction of at most 100 at a time.
    async fn delete_rows(&self, partition: &str, rows: &[String]) -> Result<(), StoreError> {
        for chunk in rows.chunks(BATCH_LIMIT) {
            let ops: Vec<BatchOp> = chunk
                .iter()
                .map(|row| BatchOp::Delete {
                    partition: partition.to_owned(),
                    row: row.clone(),
                })
                .collect();
            self.client
                .batch(&self.table, &ops)
                .await
                .map_err(store_error)?;
        }
        Ok(())
    }
}

/// Fails unless a row that names its session names `session`: rows of a hashed
/// PartitionKey are only known to be the session's by the id they carry.
fn check_owner(entity: &Entity, session: &SessionId) -> Result<(), StoreError> {
    match entity.get("session_id").and_then(Value::as_str) {
        Some(owner) if owner != session.as_str() => Err(corrupt(format!(
            "row {:?} of partition {:?} belongs to another session id",
            row_key(entity),
            partition_key(session)
        ))),
        _ => Ok(()),
    }
}

fn record_session(record: &Entity) -> Result<SessionId, StoreError> {
    record
        .get("session_id")
        .and_then(Value::as_str)
        .and_then(|s| SessionId::parse(s).ok())
        .ok_or_else(|| corrupt("session record without a valid session_id"))
}

/// The legacy rows among `rows`, in window order, as turns 0, 1, ...
fn decode_legacy<'a>(rows: impl Iterator<Item = &'a Entity>) -> Result<Vec<Turn>, StoreError> {
    let mut legacy: Vec<&Entity> = rows.filter(|e| is_legacy_row_key(row_key(e))).collect();
    legacy.sort_by_key(|e| legacy_index(e));
    legacy
        .iter()
        .enumerate()
        .map(|(i, e)| legacy_turn_from_entity(e, Seq(i as u64)).map_err(corrupt))
        .collect()
}

fn legacy_index(entity: &Entity) -> u64 {
    entity
        .get("RowKey")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or(u64::MAX)
}

fn corrupt(error: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(error.to_string())
}

/// Maps a client failure onto the port's errors.
fn store_error(error: TableError) -> StoreError {
    if error.is_transient() {
        return StoreError::Unavailable(Box::new(error));
    }
    StoreError::Backend(Box::new(error))
}

fn row_key(entity: &Entity) -> &str {
    entity
        .get("RowKey")
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn history_cursor(next: u64, legacy: u64) -> Cursor {
    Cursor(format!("h{next}.{legacy}"))
}

fn parse_history_cursor(cursor: &Cursor) -> Option<(u64, u64)> {
    let (next, legacy) = cursor.0.strip_prefix('h')?.split_once('.')?;
    Some((next.parse().ok()?, legacy.parse().ok()?))
}

const LIST_CURSOR: &str = "l\n";

#[async_trait]
impl SessionStore for TableStore {
    fn max_turn_bytes(&self) -> usize {
        MAX_TURN_BYTES
    }

    async fn insert_turn(&self, session: &SessionId, turn: &Turn) -> Result<(), StoreError> {
        let bytes = StoreError::check_size(turn, MAX_TURN_BYTES)?;
        // The first turn creates the session record in the same transaction; later turns
        // are a plain insert. Either way: one request, and 409 rather than overwrite.
        let outcome = if turn.seq == Seq::FIRST {
            let ops = [
                BatchOp::Insert(turn_entity(session, turn)),
                BatchOp::Upsert(session_entity(session, turn)),
            ];
            self.client.batch(&self.table, &ops).await
        } else {
            self.client
                .insert(&self.table, &turn_entity(session, turn))
                .await
        };
        match outcome {
            Ok(()) => Ok(()),
            Err(TableError::Batch { status: 409, .. } | TableError::Status { status: 409, .. }) => {
                let partition = partition_key(session);
                match self.occupant(&partition, turn.seq).await? {
                    Some(occupant) => Err(StoreError::Conflict {
                        seq: turn.seq,
                        occupant,
                    }),
                    None => Err(StoreError::Unavailable(
                        format!("turn {} was taken, then gone: try again", turn.seq).into(),
                    )),
                }
            }
            Err(TableError::Batch { status: 413, .. } | TableError::Status { status: 413, .. }) => {
                Err(StoreError::TooLarge {
                    bytes,
                    limit: MAX_TURN_BYTES,
                })
            }
            Err(other) => Err(store_error(other)),
        }
    }

    async fn load_latest(&self, session: &SessionId, n: u32) -> Result<Vec<Turn>, StoreError> {
        let partition = partition_key(session);
        let want = n as usize;
        // One query over the whole partition: turn rows come first, newest first; then
        // legacy rows; then the session record. Seeing the record means we saw it all.
        let filter = format!("PartitionKey eq {}", quote(&partition));
        let rows = self
            .query_until(&filter, None, n.clamp(1, 1000), |rows| {
                let turns = rows
                    .iter()
                    .filter(|e| seq_of_row_key(row_key(e)).is_some())
                    .count();
                turns >= want || rows.len() > want
            })
            .await?;
        let mut turns = Vec::with_capacity(want);
        let mut saw_legacy = false;
        let mut saw_record = false;
        for entity in &rows {
            let key = row_key(entity);
            if seq_of_row_key(key).is_some() {
                if turns.len() < want {
                    check_owner(entity, session)?;
                    turns.push(turn_from_entity(entity).map_err(corrupt)?);
                }
            } else if is_legacy_row_key(key) {
                saw_legacy = true;
            } else if key == SESSION_ROW {
                saw_record = true;
            }
        }
        turns.reverse();
        if saw_legacy && turns.len() < want {
            // A session the previous system wrote: its rows are the oldest turns.
            let legacy = if saw_record {
                decode_legacy(rows.iter())?
            } else {
                self.legacy_turns(&partition).await?
            };
            let room = want - turns.len();
            let skip = legacy.len().saturating_sub(room);
            let mut combined: Vec<Turn> = legacy.into_iter().skip(skip).collect();
            combined.extend(turns);
            return Ok(combined);
        }
        Ok(turns)
    }

    async fn history(
        &self,
        session: &SessionId,
        page: &PageRequest,
    ) -> Result<Page<Turn>, StoreError> {
        let partition = partition_key(session);
        let limit = u64::from(page.limit.get().min(999));
        let (from, legacy_count, legacy) = match &page.cursor {
            None => {
                let legacy = self.legacy_turns(&partition).await?;
                (0, legacy.len() as u64, Some(legacy))
            }
            Some(cursor) => {
                let (from, count) = parse_history_cursor(cursor)
                    .ok_or_else(|| StoreError::InvalidCursor(cursor.0.clone()))?;
                (from, count, None)
            }
        };
        let mut items = Vec::new();
        if from < legacy_count {
            let legacy = match legacy {
                Some(legacy) => legacy,
                None => self.legacy_turns(&partition).await?,
            };
            items.extend(legacy.into_iter().skip(from as usize).take(limit as usize));
        }
        let lo = from.max(legacy_count);
        let hi = from + limit; // one past the page, to learn whether there is more
        let more;
        if (items.len() as u64) < limit {
            let filter = format!(
                "PartitionKey eq {} and RowKey ge {} and RowKey le {}",
                quote(&partition),
                quote(&turn_row_key(Seq(hi))),
                quote(&turn_row_key(Seq(lo)))
            );
            let rows = self
                .client
                .query(&self.table, &filter, None, Some((hi - lo + 1) as u32), None)
                .await
                .map_err(store_error)?;
            let mut turns = rows
                .entities
                .iter()
                .map(|e| {
                    check_owner(e, session)?;
                    turn_from_entity(e).map_err(corrupt)
                })
                .collect::<Result<Vec<_>, _>>()?;
            turns.reverse();
            more = turns.last().is_some_and(|t| t.seq.0 >= hi);
            turns.retain(|t| t.seq.0 < hi);
            items.extend(turns);
        } else {
            more = true;
        }
        let next = more.then(|| history_cursor(from + items.len() as u64, legacy_count));
        Ok(Page { items, next })
    }

    async fn list_sessions(&self, page: &PageRequest) -> Result<Page<SessionSummary>, StoreError> {
        let continuation = match &page.cursor {
            None => None,
            Some(cursor) => {
                let rest = cursor
                    .0
                    .strip_prefix(LIST_CURSOR)
                    .ok_or_else(|| StoreError::InvalidCursor(cursor.0.clone()))?;
                let (partition, row) = rest.split_once('\n').unwrap_or((rest, ""));
                Some((
                    partition.to_owned(),
                    (!row.is_empty()).then(|| row.to_owned()),
                ))
            }
        };
        let filter = format!("RowKey eq {}", quote(SESSION_ROW));
        let result = self
            .client
            .query(
                &self.table,
                &filter,
                Some("session_id"),
                Some(page.limit.get()),
                continuation.as_ref(),
            )
            .await
            .map_err(store_error)?;
        let mut items = Vec::with_capacity(result.entities.len());
        for record in &result.entities {
            let session = record_session(record)?;
            if let Some(summary) = self.summary(session).await? {
                items.push(summary);
            }
        }
        let next = result.continuation.map(|(partition, row)| {
            Cursor(format!(
                "{LIST_CURSOR}{partition}\n{}",
                row.unwrap_or_default()
            ))
        });
        Ok(Page { items, next })
    }

    async fn delete_session(&self, session: &SessionId) -> Result<u64, StoreError> {
        let partition = partition_key(session);
        let filter = format!("PartitionKey eq {}", quote(&partition));
        let entities = self.query_all(&filter, Some("RowKey,session_id")).await?;
        for entity in &entities {
            let key = row_key(entity);
            if seq_of_row_key(key).is_some() || key == SESSION_ROW {
                check_owner(entity, session)?;
            }
        }
        let rows: Vec<String> = entities.iter().map(|e| row_key(e).to_owned()).collect();
        let turns = rows
            .iter()
            .filter(|r| seq_of_row_key(r).is_some() || is_legacy_row_key(r))
            .count() as u64;
        // The record goes last, so a failure part-way leaves the session listed.
        let (record, mut ordered): (Vec<String>, Vec<String>) =
            rows.into_iter().partition(|r| r == SESSION_ROW);
        ordered.extend(record);
        self.delete_rows(&partition, &ordered).await?;
        Ok(turns)
    }

    async fn purge_inactive(&self, cutoff: Timestamp) -> Result<u64, StoreError> {
        let filter = format!("RowKey eq {}", quote(SESSION_ROW));
        let records = self.query_all(&filter, Some("session_id")).await?;
        let mut purged = 0;
        for record in &records {
            let session = record_session(record)?;
            let idle = match self.summary(session.clone()).await? {
                Some(summary) => summary.last_activity < cutoff,
                None => true,
            };
            if idle {
                self.delete_session(&session).await?;
                purged += 1;
            }
        }
        Ok(purged)
    }
}

#[async_trait]
impl FeedbackStore for TableStore {
    /// One entity per report in the `feedbackreports` table: PartitionKey the report's
    /// UTC day (`2026-11-24`), RowKey its id. Texts are split like turns' texts.
    /// One request when the table exists; the table is created only on the first report
    /// that finds it missing.
    async fn record(&self, feedback: &Feedback) -> Result<(), StoreError> {
        let entity = crate::entity::feedback_entity(feedback);
        let mut outcome = self.client.insert(FEEDBACK_TABLE, &entity).await;
        if let Err(TableError::Status { status: 404, .. }) = outcome {
            self.client
                .create_table_if_missing(FEEDBACK_TABLE)
                .await
                .map_err(store_error)?;
            outcome = self.client.insert(FEEDBACK_TABLE, &entity).await;
        }
        match outcome {
            Ok(()) | Err(TableError::Status { status: 409, .. }) => Ok(()),
            Err(e) => Err(store_error(e)),
        }
    }
}
