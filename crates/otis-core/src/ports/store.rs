//! The `SessionStore` port: where conversation turns live between invocations.

use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;

use async_trait::async_trait;

use crate::session_id::SessionId;
use crate::turn::{Seq, Timestamp, Turn, TurnId};

/// An opaque position in a paged listing, handed back by the store that made it.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Cursor(pub String);

impl fmt::Debug for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Cursor({:?})", self.0)
    }
}

/// Which page of a listing to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    /// `None` for the first page, else the `next` of the previous page.
    pub cursor: Option<Cursor>,
    /// At most this many items.
    pub limit: NonZeroU32,
}

impl PageRequest {
    /// The first page, of at most `limit` items (0 is read as 1).
    pub fn first(limit: u32) -> Self {
        Self {
            cursor: None,
            limit: NonZeroU32::new(limit).unwrap_or(NonZeroU32::MIN),
        }
    }

    /// The page after `page`, or `None` when `page` was the last.
    pub fn after<T>(&self, page: &Page<T>) -> Option<Self> {
        page.next.clone().map(|cursor| Self {
            cursor: Some(cursor),
            limit: self.limit,
        })
    }
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items, in the listing's order.
    pub items: Vec<T>,
    /// Where the next page starts; `None` when there is no more.
    pub next: Option<Cursor>,
}

/// What a session listing shows of one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSummary {
    /// The session, exactly as it was appended with.
    pub session: SessionId,
    /// How many turns it holds.
    pub turns: u64,
    /// The time of its latest turn.
    pub last_activity: Timestamp,
}

/// What can go wrong in a [`SessionStore`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The position was already taken; `occupant` is the id of the turn that holds it.
    /// Nothing was written.
    #[error("turn {seq} of the session is already taken (by turn id {occupant})")]
    Conflict {
        /// The contested position.
        seq: Seq,
        /// The id of the turn stored there.
        occupant: TurnId,
    },
    /// The turn is larger than this store can hold. Nothing was written.
    #[error("turn holds {bytes} bytes; this store holds at most {limit}")]
    TooLarge {
        /// The turn's [`Turn::payload_bytes`].
        bytes: usize,
        /// The store's [`SessionStore::max_turn_bytes`].
        limit: usize,
    },
    /// The session id cannot be mapped onto this store's keys.
    #[error("session id cannot be stored here: {0}")]
    UnsupportedSessionId(String),
    /// A cursor this store did not make, or one that no longer applies.
    #[error("invalid page cursor: {0}")]
    InvalidCursor(String),
    /// Stored data could not be read back as a turn.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The backend failed in a way that may pass (timeout, throttling, 5xx) and the
    /// adapter's own retries are spent. The outcome of a write is unknown.
    #[error("store temporarily unavailable: {0}")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Any other backend failure.
    #[error("store backend failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl StoreError {
    /// `Ok` with the turn's size when it fits in `limit` bytes, else `TooLarge`: the
    /// check every store makes before writing anything.
    pub fn check_size(turn: &Turn, limit: usize) -> Result<usize, StoreError> {
        let bytes = turn.payload_bytes();
        if bytes > limit {
            Err(StoreError::TooLarge { bytes, limit })
        } else {
            Ok(bytes)
        }
    }

    /// Whether trying again later may succeed.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// Conversation turns, kept per session between stateless invocations.
///
/// # Layout the port assumes
/// A session is a gap-free sequence of turns at positions 0, 1, 2, ... Every method is
/// meant to be **one backend request** in the common case, whatever the history length:
/// [`insert_turn`](Self::insert_turn) one write, [`load_latest`](Self::load_latest) one
/// read. Use cases never rewrite earlier turns.
///
/// # Contract
/// - **Never overwrite.** `insert_turn` at a position that is already taken MUST fail
///   with [`StoreError::Conflict`] naming the occupant's [`TurnId`], and MUST leave the
///   stored turn unchanged. This is how concurrent appends to one session are detected;
///   [`crate::append_turn`] retries at the next free position. A last-writer-wins store
///   does not satisfy this port.
/// - **Atomic turns.** A turn is stored whole or not at all. A turn whose
///   [`Turn::payload_bytes`] exceed [`max_turn_bytes`](Self::max_turn_bytes) MUST be
///   refused with [`StoreError::TooLarge`] before anything is written.
/// - **Exact round trip.** Session ids, texts (byte for byte) and metadata come back as
///   they went in. Timestamps keep millisecond precision.
/// - **Missing sessions are empty**, not errors: loads and history return no turns,
///   `delete_session` returns 0.
/// - **Transient failures** (timeouts, throttling, 5xx) are retried inside the adapter
///   with bounded backoff; when the retries are spent the adapter returns
///   [`StoreError::Unavailable`]. After an `Unavailable` from `insert_turn` the write may
///   or may not have happened; callers resolve that by retrying at the same position
///   (a `Conflict` naming their own turn id means it did).
/// - **Sessions are isolated.** No id, however crafted (quotes, filter syntax, slashes),
///   reads, lists or deletes another session's turns.
/// - **Expiry.** A store has no clock of its own. [`purge_inactive`](Self::purge_inactive)
///   removes every session whose latest turn is older than the cutoff it is given; the
///   use cases decide the cutoff from the configured TTL and treat a loaded session whose
///   latest turn is older than the TTL as empty, so no expired turn reaches a prompt
///   between sweeps.
/// - Implementations are safe to share between tasks and threads.
#[async_trait]
pub trait SessionStore: Send + Sync + fmt::Debug {
    /// The largest [`Turn::payload_bytes`] this store holds.
    fn max_turn_bytes(&self) -> usize;

    /// Stores `turn` at `turn.seq`, only if that position is free (see the contract).
    async fn insert_turn(&self, session: &SessionId, turn: &Turn) -> Result<(), StoreError>;

    /// The latest `n` turns of the session (fewer if it has fewer), oldest first.
    /// One backend read, whatever the history length.
    async fn load_latest(&self, session: &SessionId, n: u32) -> Result<Vec<Turn>, StoreError>;

    /// The whole history, oldest first, a page at a time.
    async fn history(
        &self,
        session: &SessionId,
        page: &PageRequest,
    ) -> Result<Page<Turn>, StoreError>;

    /// Every session that holds at least one turn, a page at a time, in an order that is
    /// stable across pages. Each session appears once.
    async fn list_sessions(&self, page: &PageRequest) -> Result<Page<SessionSummary>, StoreError>;

    /// Removes every turn of the session; returns how many there were.
    async fn delete_session(&self, session: &SessionId) -> Result<u64, StoreError>;

    /// Removes every session whose latest turn is older than `cutoff`; returns how many
    /// sessions were removed.
    async fn purge_inactive(&self, cutoff: Timestamp) -> Result<u64, StoreError>;
}

/// A shared, type-erased store, as the entry points wire it.
pub type DynSessionStore = Arc<dyn SessionStore>;
