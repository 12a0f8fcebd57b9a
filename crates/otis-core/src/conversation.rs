//! Conversation memory over a `SessionStore`: load the window in one read, add a turn in
//! one write, retry optimistically when another writer took the position.

use std::time::Duration;

use crate::ports::{DynSessionStore, SessionStore, StoreError};
use crate::session_id::SessionId;
use crate::turn::{Metadata, NewTurn, Seq, Timestamp, Turn};
use crate::window::{MaxTurns, Window};

/// How many turns to look back, after a conflict, for an earlier write of our own.
const RECHECK_TURNS: u32 = 16;

/// Conflicts one append tolerates. Each conflict means another writer's turn landed, so
/// this bounds the writers racing on one session, not time.
const MAX_CONFLICTS: u32 = 1024;

/// Why a turn could not be appended.
#[derive(Debug, thiserror::Error)]
pub enum AppendError {
    /// The store failed; see [`StoreError`] (a `TooLarge` turn lands here).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Other writers kept taking the next position.
    #[error("gave up after {0} concurrent appends to the same session won the race")]
    Contended(u32),
}

/// Appends `turn` to the session at `expected` or, if other writers got there first, at
/// the next free position. Never overwrites and never stores the same [`NewTurn::id`]
/// twice: a conflict with our own id (an earlier attempt whose reply was lost) counts as
/// success, and after a conflict the latest turns are checked for our id before moving
/// on. Costs one write when nobody races; each lost race costs one read and one write.
///
/// A [`StoreError::Unavailable`] leaves the write's outcome unknown (the service may
/// have committed it and the reply been lost), so before reporting it the latest turns
/// are read once: if our turn id is there, the append succeeded. Otherwise, or if that
/// read fails too, the error is returned; calling again with the same turn id (from the
/// same or a fresher `expected`) settles it without a duplicate.
pub async fn append_turn(
    store: &dyn SessionStore,
    session: &SessionId,
    turn: NewTurn,
    expected: Seq,
) -> Result<Turn, AppendError> {
    let mut candidate = turn.at_seq(expected);
    let mut conflicts = 0;
    loop {
        match store.insert_turn(session, &candidate).await {
            Ok(()) => return Ok(candidate),
            Err(StoreError::Conflict { occupant, .. }) if occupant == candidate.id => {
                return Ok(candidate);
            }
            Err(StoreError::Conflict { .. }) => {
                conflicts += 1;
                if conflicts > MAX_CONFLICTS {
                    return Err(AppendError::Contended(conflicts - 1));
                }
                let recent = store.load_latest(session, RECHECK_TURNS).await?;
                if let Some(own) = recent.iter().find(|t| t.id == candidate.id) {
                    return Ok(own.clone());
                }
                candidate.seq = recent.last().map_or(Seq::FIRST, |t| t.seq.next());
            }
            Err(StoreError::Unavailable(error)) => {
                if let Ok(recent) = store.load_latest(session, RECHECK_TURNS).await
                    && let Some(own) = recent.iter().find(|t| t.id == candidate.id)
                {
                    return Ok(own.clone());
                }
                return Err(StoreError::Unavailable(error).into());
            }
            Err(other) => return Err(other.into()),
        }
    }
}

/// How a conversation's memory behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemoryPolicy {
    /// The window size.
    pub max_turns: MaxTurns,
    /// Sessions idle for longer than this are expired; `None` keeps them forever.
    pub ttl: Option<Duration>,
}

/// The memory of one conversation: the session's window, kept in step with its store.
///
/// Loading reads the latest `max_turns` turns once; [`add`](Self::add) writes one turn.
#[derive(Debug, Clone)]
pub struct Conversation {
    store: DynSessionStore,
    session: SessionId,
    window: Window,
}

impl Conversation {
    /// Loads the session's window with one read. A missing session is an empty window.
    pub async fn load(
        store: DynSessionStore,
        session: SessionId,
        max_turns: MaxTurns,
    ) -> Result<Self, StoreError> {
        let policy = MemoryPolicy {
            max_turns,
            ttl: None,
        };
        Self::load_with(store, session, policy, Timestamp::now()).await
    }

    /// Loads the session's window under `policy`, as of `now`. A session whose latest turn
    /// is older than the TTL is expired: it is deleted (one more request, only then) and
    /// the conversation starts empty, so no expired turn reaches a prompt.
    pub async fn load_with(
        store: DynSessionStore,
        session: SessionId,
        policy: MemoryPolicy,
        now: Timestamp,
    ) -> Result<Self, StoreError> {
        let turns = store.load_latest(&session, policy.max_turns.get()).await?;
        let mut window = Window::from_turns(policy.max_turns, turns);
        let last_activity = window.turns().next_back().map(|t| t.at);
        if let (Some(ttl), Some(last)) = (policy.ttl, last_activity) {
            let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
            if last < now.plus_millis(ttl_ms.saturating_neg()) {
                store.delete_session(&session).await?;
                window.clear();
            }
        }
        Ok(Self {
            store,
            session,
            window,
        })
    }

    /// The session this memory belongs to.
    pub fn session(&self) -> &SessionId {
        &self.session
    }

    /// The turns in view.
    pub fn window(&self) -> &Window {
        &self.window
    }

    /// How many turns are in view.
    pub fn len(&self) -> usize {
        self.window.len()
    }

    /// Whether no turn is in view.
    pub fn is_empty(&self) -> bool {
        self.window.is_empty()
    }

    /// See [`Window::context`].
    pub fn context(&self, last_n: usize) -> String {
        self.window.context(last_n)
    }

    /// See [`Window::last_question`].
    pub fn last_question(&self) -> Option<&str> {
        self.window.last_question()
    }

    /// See [`Window::last_metadata`].
    pub fn last_metadata(&self) -> Option<&Metadata> {
        self.window.last_metadata()
    }

    /// Persists `turn` (one write unless another writer races) and adds it to the window.
    /// A turn whose id is already in the window is not written again.
    pub async fn add(&mut self, turn: NewTurn) -> Result<Turn, AppendError> {
        if let Some(existing) = self.window.turns().find(|t| t.id == turn.id) {
            return Ok(existing.clone());
        }
        let stored = append_turn(
            self.store.as_ref(),
            &self.session,
            turn,
            self.window.next_seq(),
        )
        .await?;
        self.window.push(stored.clone());
        Ok(stored)
    }

    /// Deletes the session from the store and empties the window; returns how many turns
    /// were deleted.
    pub async fn clear(&mut self) -> Result<u64, StoreError> {
        let deleted = self.store.delete_session(&self.session).await?;
        self.window.clear();
        Ok(deleted)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::future::Future;
    use std::pin::pin;
    use std::sync::Mutex;
    use std::task::{Context, Poll, Waker};

    use async_trait::async_trait;

    use super::*;
    use crate::ports::{Page, PageRequest, SessionSummary};
    use crate::turn::TurnId;

    /// Drives a future that never waits on I/O (the scripted store below never does).
    fn block_on<F: Future>(future: F) -> F::Output {
        let mut future = pin!(future);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }

    /// Answers `insert_turn` from a script and `load_latest` with a fixed head.
    #[derive(Debug, Default)]
    struct Scripted {
        inserts: Mutex<VecDeque<Result<(), StoreError>>>,
        head: Vec<Turn>,
        tried: Mutex<Vec<Seq>>,
        reads: Mutex<u32>,
    }

    #[async_trait]
    impl SessionStore for Scripted {
        fn max_turn_bytes(&self) -> usize {
            usize::MAX
        }
        async fn insert_turn(&self, _: &SessionId, turn: &Turn) -> Result<(), StoreError> {
            self.tried.lock().unwrap().push(turn.seq);
            self.inserts.lock().unwrap().pop_front().unwrap_or(Ok(()))
        }
        async fn load_latest(&self, _: &SessionId, n: u32) -> Result<Vec<Turn>, StoreError> {
            *self.reads.lock().unwrap() += 1;
            let skip = self.head.len().saturating_sub(n as usize);
            Ok(self.head[skip..].to_vec())
        }
        async fn history(&self, _: &SessionId, _: &PageRequest) -> Result<Page<Turn>, StoreError> {
            unreachable!("append never pages")
        }
        async fn list_sessions(&self, _: &PageRequest) -> Result<Page<SessionSummary>, StoreError> {
            unreachable!("append never lists")
        }
        async fn delete_session(&self, _: &SessionId) -> Result<u64, StoreError> {
            unreachable!("append never deletes")
        }
        async fn purge_inactive(&self, _: Timestamp) -> Result<u64, StoreError> {
            unreachable!("append never purges")
        }
    }

    fn id(raw: &str) -> TurnId {
        TurnId::parse(raw).unwrap()
    }

    fn new_turn(raw: &str) -> NewTurn {
        NewTurn {
            id: id(raw),
            at: Timestamp::EPOCH,
            user: "q".into(),
            assistant: "a".into(),
            metadata: Metadata::new(),
        }
    }

    fn conflict(seq: u64, occupant: &str) -> Result<(), StoreError> {
        Err(StoreError::Conflict {
            seq: Seq(seq),
            occupant: id(occupant),
        })
    }

    fn session() -> SessionId {
        SessionId::parse("s").unwrap()
    }

    #[test]
    fn uncontended_append_is_one_write_and_no_read() {
        let store = Scripted::default();
        let turn = block_on(append_turn(&store, &session(), new_turn("mine"), Seq(4))).unwrap();
        assert_eq!(turn.seq, Seq(4));
        assert_eq!(*store.tried.lock().unwrap(), [Seq(4)]);
        assert_eq!(*store.reads.lock().unwrap(), 0);
    }

    #[test]
    fn a_lost_race_moves_past_the_head() {
        let store = Scripted {
            inserts: Mutex::new(VecDeque::from([conflict(4, "other")])),
            head: vec![
                new_turn("other").at_seq(Seq(4)),
                new_turn("third").at_seq(Seq(5)),
            ],
            ..Scripted::default()
        };
        let turn = block_on(append_turn(&store, &session(), new_turn("mine"), Seq(4))).unwrap();
        assert_eq!(turn.seq, Seq(6));
        assert_eq!(*store.tried.lock().unwrap(), [Seq(4), Seq(6)]);
    }

    #[test]
    fn a_conflict_with_our_own_id_is_success() {
        let store = Scripted {
            inserts: Mutex::new(VecDeque::from([conflict(4, "mine")])),
            ..Scripted::default()
        };
        let turn = block_on(append_turn(&store, &session(), new_turn("mine"), Seq(4))).unwrap();
        assert_eq!(turn.seq, Seq(4));
        assert_eq!(*store.reads.lock().unwrap(), 0);
    }

    #[test]
    fn our_earlier_write_found_after_a_conflict_is_not_repeated() {
        let store = Scripted {
            inserts: Mutex::new(VecDeque::from([conflict(2, "other")])),
            head: vec![
                new_turn("other").at_seq(Seq(2)),
                new_turn("mine").at_seq(Seq(3)),
            ],
            ..Scripted::default()
        };
        let turn = block_on(append_turn(&store, &session(), new_turn("mine"), Seq(2))).unwrap();
        assert_eq!(turn.seq, Seq(3));
        assert_eq!(*store.tried.lock().unwrap(), [Seq(2)], "wrote twice");
    }

    #[test]
    fn endless_contention_is_bounded() {
        let store = Scripted {
            inserts: Mutex::new((0..=MAX_CONFLICTS).map(|_| conflict(0, "other")).collect()),
            ..Scripted::default()
        };
        let err = block_on(append_turn(&store, &session(), new_turn("mine"), Seq(0))).unwrap_err();
        assert!(
            matches!(err, AppendError::Contended(n) if n == MAX_CONFLICTS),
            "{err}"
        );
    }

    #[test]
    fn an_ambiguous_write_that_landed_is_success() {
        // The service committed, then the reply was lost: the store says Unavailable.
        let store = Scripted {
            inserts: Mutex::new(VecDeque::from([Err(StoreError::Unavailable(
                "connection closed before the answer".into(),
            ))])),
            head: vec![
                new_turn("before").at_seq(Seq(3)),
                new_turn("mine").at_seq(Seq(4)),
            ],
            ..Scripted::default()
        };
        let turn = block_on(append_turn(&store, &session(), new_turn("mine"), Seq(4))).unwrap();
        assert_eq!(turn.seq, Seq(4));
        assert_eq!(*store.tried.lock().unwrap(), [Seq(4)], "written once");
        assert_eq!(*store.reads.lock().unwrap(), 1, "confirmed with one read");
    }

    #[test]
    fn an_ambiguous_write_that_did_not_land_is_reported() {
        let store = Scripted {
            inserts: Mutex::new(VecDeque::from([Err(StoreError::Unavailable(
                "timeout".into(),
            ))])),
            head: vec![new_turn("before").at_seq(Seq(3))],
            ..Scripted::default()
        };
        let err = block_on(append_turn(&store, &session(), new_turn("mine"), Seq(4))).unwrap_err();
        assert!(
            matches!(err, AppendError::Store(StoreError::Unavailable(_))),
            "{err}"
        );
        assert_eq!(store.tried.lock().unwrap().len(), 1);
    }

    #[test]
    fn fatal_errors_are_returned_not_retried_nor_read() {
        for failure in [
            StoreError::TooLarge { bytes: 2, limit: 1 },
            StoreError::Backend("boom".into()),
        ] {
            let store = Scripted {
                inserts: Mutex::new(VecDeque::from([Err(failure)])),
                ..Scripted::default()
            };
            let err =
                block_on(append_turn(&store, &session(), new_turn("mine"), Seq(0))).unwrap_err();
            assert!(matches!(err, AppendError::Store(_)), "{err}");
            assert_eq!(store.tried.lock().unwrap().len(), 1);
            assert_eq!(*store.reads.lock().unwrap(), 0);
        }
    }
}
