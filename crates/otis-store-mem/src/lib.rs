//! In-memory `SessionStore`: turns kept in a process-wide map, shared between instances.
//!
//! For tests, for a single-process run with nothing configured to persist, and as the
//! reference adapter of the store contract. Safe under concurrent use: every operation
//! takes one short lock and never holds it across an `.await`.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

use async_trait::async_trait;
use otis_core::ports::{
    Cursor, Feedback, FeedbackStore, Page, PageRequest, SessionStore, SessionSummary, StoreError,
};
use otis_core::{SessionId, Timestamp, Turn};

/// The largest turn a [`MemoryStore`] holds by default: 4 MiB.
pub const DEFAULT_MAX_TURN_BYTES: usize = 4 << 20;

/// The shared state behind any number of [`MemoryStore`] instances. Cloning it shares it.
#[derive(Debug, Clone, Default)]
pub struct MemoryBackend(
    Arc<Mutex<BTreeMap<SessionId, Vec<Turn>>>>,
    Arc<Mutex<Vec<Feedback>>>,
);

impl MemoryBackend {
    /// An empty backend.
    pub fn new() -> Self {
        Self::default()
    }

    /// The feedback reports recorded so far, oldest first.
    pub fn feedback(&self) -> Vec<Feedback> {
        self.1
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<SessionId, Vec<Turn>>> {
        // A panic while holding the lock cannot leave a session half-written (every
        // mutation is one push or one remove), so a poisoned map is still consistent.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A [`SessionStore`] over a [`MemoryBackend`].
#[derive(Debug, Clone)]
pub struct MemoryStore {
    backend: MemoryBackend,
    max_turn_bytes: usize,
}

impl Default for MemoryStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryStore {
    /// A store over a new, empty backend.
    pub fn new() -> Self {
        Self::open(MemoryBackend::new())
    }

    /// A store over an existing backend: what another instance stored is visible here.
    pub fn open(backend: MemoryBackend) -> Self {
        Self {
            backend,
            max_turn_bytes: DEFAULT_MAX_TURN_BYTES,
        }
    }

    /// Sets the largest turn this store accepts.
    #[must_use]
    pub fn with_max_turn_bytes(mut self, limit: usize) -> Self {
        self.max_turn_bytes = limit;
        self
    }

    /// The backend, to open further instances over it.
    pub fn backend(&self) -> &MemoryBackend {
        &self.backend
    }
}

fn page_limit(page: &PageRequest) -> usize {
    page.limit.get() as usize
}

#[async_trait]
impl SessionStore for MemoryStore {
    fn max_turn_bytes(&self) -> usize {
        self.max_turn_bytes
    }

    async fn insert_turn(&self, session: &SessionId, turn: &Turn) -> Result<(), StoreError> {
        StoreError::check_size(turn, self.max_turn_bytes)?;
        let mut sessions = self.backend.lock();
        let turns = sessions.entry(session.clone()).or_default();
        let position = usize::try_from(turn.seq.0).unwrap_or(usize::MAX);
        match turns.get(position) {
            Some(occupant) => Err(StoreError::Conflict {
                seq: turn.seq,
                occupant: occupant.id.clone(),
            }),
            None if position == turns.len() => {
                turns.push(turn.clone());
                Ok(())
            }
            None => Err(StoreError::Backend(
                format!(
                    "turn {} would leave a gap after turn {}",
                    turn.seq,
                    turns.len()
                )
                .into(),
            )),
        }
    }

    async fn load_latest(&self, session: &SessionId, n: u32) -> Result<Vec<Turn>, StoreError> {
        let sessions = self.backend.lock();
        let turns = sessions.get(session).map_or(&[][..], Vec::as_slice);
        let skip = turns.len().saturating_sub(n as usize);
        Ok(turns[skip..].to_vec())
    }

    async fn history(
        &self,
        session: &SessionId,
        page: &PageRequest,
    ) -> Result<Page<Turn>, StoreError> {
        let start = match &page.cursor {
            None => 0,
            Some(Cursor(c)) => c
                .parse::<usize>()
                .map_err(|_| StoreError::InvalidCursor(c.clone()))?,
        };
        let sessions = self.backend.lock();
        let turns = sessions.get(session).map_or(&[][..], Vec::as_slice);
        let end = start.saturating_add(page_limit(page)).min(turns.len());
        let items = turns.get(start..end).unwrap_or_default().to_vec();
        let next = (end < turns.len()).then(|| Cursor(end.to_string()));
        Ok(Page { items, next })
    }

    async fn list_sessions(&self, page: &PageRequest) -> Result<Page<SessionSummary>, StoreError> {
        let after = match &page.cursor {
            None => Bound::Unbounded,
            Some(Cursor(c)) => Bound::Excluded(
                SessionId::parse(c.as_str()).map_err(|_| StoreError::InvalidCursor(c.clone()))?,
            ),
        };
        let sessions = self.backend.lock();
        let mut live = sessions
            .range((after, Bound::Unbounded))
            .filter_map(|(id, turns)| {
                turns.last().map(|last| SessionSummary {
                    session: id.clone(),
                    turns: turns.len() as u64,
                    last_activity: last.at,
                })
            });
        let items: Vec<SessionSummary> = live.by_ref().take(page_limit(page)).collect();
        let next = match (live.next(), items.last()) {
            (Some(_), Some(last)) => Some(Cursor(last.session.as_str().to_owned())),
            _ => None,
        };
        Ok(Page { items, next })
    }

    async fn delete_session(&self, session: &SessionId) -> Result<u64, StoreError> {
        let removed = self.backend.lock().remove(session);
        Ok(removed.map_or(0, |turns| turns.len() as u64))
    }

    async fn purge_inactive(&self, cutoff: Timestamp) -> Result<u64, StoreError> {
        let mut sessions = self.backend.lock();
        let before = sessions.len();
        sessions.retain(|_, turns| turns.last().is_some_and(|last| last.at >= cutoff));
        Ok((before - sessions.len()) as u64)
    }
}

#[async_trait]
impl FeedbackStore for MemoryStore {
    async fn record(&self, feedback: &Feedback) -> Result<(), StoreError> {
        let mut reports = self
            .backend
            .1
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if !reports.iter().any(|r| r.id == feedback.id) {
            reports.push(feedback.clone());
        }
        Ok(())
    }
}
