//! Integration tests of the in-memory store: the store contract suite, and proof that the
//! suite's concurrency and overwrite cases fail on a last-writer-wins store.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use otis_core::ports::{Page, PageRequest, SessionStore, SessionSummary, StoreError};
use otis_core::{SessionId, Timestamp, Turn};
use otis_store_mem::{MemoryBackend, MemoryStore};

otis_store_contract::store_contract_tests!(|| async {
    let backend = MemoryBackend::new();
    otis_store_contract::backend(move || {
        Arc::new(MemoryStore::open(backend.clone()).with_max_turn_bytes(1 << 20))
    })
});

/// A store that writes blindly: the behaviour the contract exists to rule out.
#[derive(Debug, Default)]
struct LastWriterWins(Mutex<BTreeMap<SessionId, BTreeMap<u64, Turn>>>);

#[async_trait]
impl SessionStore for LastWriterWins {
    fn max_turn_bytes(&self) -> usize {
        usize::MAX
    }
    async fn insert_turn(&self, session: &SessionId, turn: &Turn) -> Result<(), StoreError> {
        let mut map = self.0.lock().unwrap();
        map.entry(session.clone())
            .or_default()
            .insert(turn.seq.0, turn.clone());
        Ok(())
    }
    async fn load_latest(&self, session: &SessionId, n: u32) -> Result<Vec<Turn>, StoreError> {
        // Yield so racing writers interleave between their read and their write.
        tokio::task::yield_now().await;
        let map = self.0.lock().unwrap();
        let turns: Vec<Turn> = map
            .get(session)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default();
        let skip = turns.len().saturating_sub(n as usize);
        Ok(turns[skip..].to_vec())
    }
    async fn history(
        &self,
        session: &SessionId,
        _page: &PageRequest,
    ) -> Result<Page<Turn>, StoreError> {
        let items = self.load_latest(session, u32::MAX).await?;
        Ok(Page { items, next: None })
    }
    async fn list_sessions(&self, _page: &PageRequest) -> Result<Page<SessionSummary>, StoreError> {
        Ok(Page {
            items: Vec::new(),
            next: None,
        })
    }
    async fn delete_session(&self, session: &SessionId) -> Result<u64, StoreError> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .remove(session)
            .map_or(0, |m| m.len() as u64))
    }
    async fn purge_inactive(&self, _cutoff: Timestamp) -> Result<u64, StoreError> {
        Ok(0)
    }
}

type Case = fn(
    Arc<dyn otis_store_contract::Backend>,
) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()>>>;

fn fails_on_last_writer_wins(case: Case) -> bool {
    let outcome = std::panic::catch_unwind(|| {
        otis_store_contract::run(
            || async {
                let store: Arc<LastWriterWins> = Arc::default();
                otis_store_contract::backend(move || store.clone())
            },
            case,
        );
    });
    outcome.is_err()
}

#[test]
fn contract_catches_a_last_writer_wins_store() {
    assert!(
        fails_on_last_writer_wins(|b| Box::pin(
            otis_store_contract::cases::insert_never_overwrites(b)
        )),
        "the overwrite case passed on a store that overwrites"
    );
    assert!(
        fails_on_last_writer_wins(|b| Box::pin(
            otis_store_contract::cases::concurrent_appends_lose_nothing(b)
        )),
        "the concurrency case passed on a store that overwrites"
    );
}
