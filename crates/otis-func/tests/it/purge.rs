//! `POST /purge`: the function app's timer invocation runs the expiry sweep and reports
//! what it removed in the custom-handler response shape.

use std::sync::Arc;
use std::time::Duration;

use otis_answer::Extractive;
use otis_core::ports::{DynSessionStore, SessionStore};
use otis_core::{Metadata, NewTurn, Seq, SessionId, Timestamp, TurnId};
use otis_func::AppState;
use otis_store_mem::MemoryStore;
use serde_json::json;

use crate::common::{memory_app, sample_index, test_settings};
use crate::{call, post, stored_sessions};

fn state_with_ttl(ttl: Option<Duration>) -> (Arc<AppState>, DynSessionStore) {
    let memory = Arc::new(MemoryStore::new());
    let store: DynSessionStore = memory.clone();
    let mut settings = test_settings(&[]);
    settings.session_ttl = ttl;
    let app = memory_app(sample_index(), Arc::new(Extractive), memory, settings);
    (AppState::new(app), store)
}

async fn turn_at(store: &dyn SessionStore, session: &str, at: Timestamp) {
    let turn = NewTurn {
        id: TurnId::parse("t0").unwrap(),
        at,
        user: "q".into(),
        assistant: "a".into(),
        metadata: Metadata::new(),
    }
    .at_seq(Seq(0));
    store
        .insert_turn(&SessionId::parse(session).unwrap(), &turn)
        .await
        .unwrap();
}

/// What the Functions host sends for a timer trigger.
fn invocation() -> String {
    json!({
        "Data": {"timer": {"Schedule": {"AdjustForDST": true}, "IsPastDue": false}},
        "Metadata": {"sys": {"MethodName": "purge", "UtcNow": "2026-11-24T03:30:00Z"}}
    })
    .to_string()
}

#[tokio::test]
async fn the_timer_invocation_removes_idle_sessions_and_says_how_many() {
    let (state, store) = state_with_ttl(Some(Duration::from_secs(86_400)));
    let now = Timestamp::now();
    turn_at(store.as_ref(), "idle", now.plus_millis(-2 * 86_400_000)).await;
    turn_at(store.as_ref(), "fresh", now).await;
    let (status, _, body) = call(&state, post("/purge", invocation())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Outputs"], json!({}));
    assert_eq!(body["ReturnValue"]["removed"], 1, "{body}");
    assert_eq!(body["ReturnValue"]["idle_days"], 1.0, "{body}");
    let log = body["Logs"][0].as_str().unwrap();
    assert!(log.contains("removed 1 sessions"), "{log}");
    assert_eq!(stored_sessions(&store).await, 1);
    // Again: nothing left to remove.
    let (_, _, body) = call(&state, post("/purge", invocation())).await;
    assert_eq!(body["ReturnValue"]["removed"], 0, "{body}");
}

#[tokio::test]
async fn without_a_ttl_the_sweep_removes_nothing_and_says_why() {
    let (state, store) = state_with_ttl(None);
    turn_at(
        store.as_ref(),
        "old",
        Timestamp::from_unix_millis(0).unwrap(),
    )
    .await;
    let (status, _, body) = call(&state, post("/purge", "")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["ReturnValue"]["removed"], 0);
    assert!(
        body["Logs"][0]
            .as_str()
            .unwrap()
            .contains("OTIS_SESSION_TTL_DAYS is not set"),
        "{body}"
    );
    assert_eq!(stored_sessions(&store).await, 1);
}
