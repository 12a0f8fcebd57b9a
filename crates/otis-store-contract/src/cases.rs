//! The contract cases. Each takes a fresh backend and panics when the adapter breaks the
//! `SessionStore` contract (see `otis_core::ports::SessionStore`).

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use otis_core::ports::{DynSessionStore, PageRequest, StoreError};
use otis_core::{
    Conversation, MaxTurns, MemoryPolicy, Metadata, NewTurn, Seq, SessionId, Timestamp, Turn,
    TurnId, append_turn,
};
use serde_json::json;
use tokio::sync::Barrier;

use crate::backend::Backend;

/// A fixed instant, so that cases compare timestamps exactly.
const T0: i64 = 1_764_000_000_123;

fn sid(raw: &str) -> SessionId {
    SessionId::parse(raw).expect("valid session id")
}

fn new_turn(id: &str, user: &str, assistant: &str) -> NewTurn {
    NewTurn {
        id: TurnId::parse(id).expect("valid turn id"),
        at: Timestamp::from_unix_millis(T0).expect("valid time"),
        user: user.to_owned(),
        assistant: assistant.to_owned(),
        metadata: Metadata::new(),
    }
}

/// Appends `count` turns `t0..` through the use case, as the ask flow does.
async fn fill(store: &DynSessionStore, session: &SessionId, count: u64) -> Vec<Turn> {
    let mut conversation = Conversation::load(store.clone(), session.clone(), MaxTurns::DEFAULT)
        .await
        .expect("load");
    let mut stored = Vec::new();
    for i in 0..count {
        let turn = new_turn(
            &format!("t{i}"),
            &format!("question {i}"),
            &format!("answer {i}"),
        );
        stored.push(conversation.add(turn).await.expect("append"));
    }
    stored
}

async fn all_history(store: &DynSessionStore, session: &SessionId, limit: u32) -> Vec<Turn> {
    let mut request = PageRequest::first(limit);
    let mut all = Vec::new();
    loop {
        let page = store.history(session, &request).await.expect("history");
        assert!(page.items.len() <= limit as usize, "page over its limit");
        all.extend(page.items.iter().cloned());
        match request.after(&page) {
            Some(next) => request = next,
            None => return all,
        }
    }
}

fn seqs(turns: &[Turn]) -> Vec<u64> {
    turns.iter().map(|t| t.seq.0).collect()
}

/// A session never written reads as empty, not as an error.
pub async fn missing_session_is_empty(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let nobody = sid("never-written");
    assert!(store.load_latest(&nobody, 10).await.unwrap().is_empty());
    let page = store
        .history(&nobody, &PageRequest::first(10))
        .await
        .unwrap();
    assert!(page.items.is_empty() && page.next.is_none());
    assert_eq!(store.delete_session(&nobody).await.unwrap(), 0);
    let sessions = store.list_sessions(&PageRequest::first(10)).await.unwrap();
    assert!(sessions.items.is_empty(), "{:?}", sessions.items);
}

/// Drop the adapter, open a new one over the same backend: the turns are there.
pub async fn turns_persist_across_instances(backend: Arc<dyn Backend>) {
    let session = sid("user_1700000000_ab12");
    let written = {
        let first = backend.open();
        fill(&first, &session, 3).await
    };
    let second = backend.open();
    let conversation = Conversation::load(second, session.clone(), MaxTurns::DEFAULT)
        .await
        .unwrap();
    let loaded: Vec<Turn> = conversation.window().turns().cloned().collect();
    assert_eq!(loaded, written);
    assert_eq!(conversation.last_question(), Some("question 2"));
    assert_eq!(conversation.window().next_seq(), Seq(3));
}

/// Turns of one session never show in another.
pub async fn sessions_are_isolated(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let (a, b) = (sid("session-a"), sid("session-b"));
    fill(&store, &a, 4).await;
    let mut conversation = Conversation::load(store.clone(), b.clone(), MaxTurns::DEFAULT)
        .await
        .unwrap();
    conversation
        .add(new_turn("b0", "only in b", "b answer"))
        .await
        .unwrap();
    let in_a = store.load_latest(&a, 10).await.unwrap();
    let in_b = store.load_latest(&b, 10).await.unwrap();
    assert_eq!(seqs(&in_a), [0, 1, 2, 3]);
    assert!(in_a.iter().all(|t| t.user != "only in b"));
    assert_eq!(in_b.len(), 1);
    assert_eq!(in_b[0].user, "only in b");
    assert_eq!(in_b[0].seq, Seq::FIRST, "each session counts from 0");
    // A prefix of another id is another session.
    assert!(
        store
            .load_latest(&sid("session-"), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// The window holds the latest `max_turns` whole turns, for several sizes.
pub async fn window_keeps_the_latest_max_turns(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let session = sid("window");
    fill(&store, &session, 15).await;
    for (max, first) in [(1, 14), (3, 12), (10, 5), (15, 0), (30, 0)] {
        let conversation =
            Conversation::load(store.clone(), session.clone(), MaxTurns::new(max).unwrap())
                .await
                .unwrap();
        let loaded: Vec<Turn> = conversation.window().turns().cloned().collect();
        assert_eq!(
            seqs(&loaded),
            (first..15).collect::<Vec<_>>(),
            "max_turns {max}"
        );
        assert_eq!(conversation.window().next_seq(), Seq(15));
        assert_eq!(conversation.last_question(), Some("question 14"));
    }
}

/// Positions sort as numbers, not text: 9 < 10 < 99 < 100.
pub async fn load_is_ordered_across_digit_boundaries(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let session = sid("ordering");
    fill(&store, &session, 105).await;
    let latest = store.load_latest(&session, 12).await.unwrap();
    assert_eq!(seqs(&latest), (93..105).collect::<Vec<_>>());
    let all = all_history(&store, &session, 1000).await;
    assert_eq!(seqs(&all), (0..105).collect::<Vec<_>>());
    for turn in &all {
        assert_eq!(turn.user, format!("question {}", turn.seq));
    }
}

/// History pages are oldest first, cover every turn once, and end with no cursor.
pub async fn history_pages_oldest_first(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let session = sid("paging");
    let written = fill(&store, &session, 25).await;
    let first = store
        .history(&session, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(seqs(&first.items), (0..10).collect::<Vec<_>>());
    assert!(first.next.is_some());
    assert_eq!(all_history(&store, &session, 10).await, written);
    assert_eq!(all_history(&store, &session, 7).await, written);
    assert_eq!(all_history(&store, &session, 25).await, written);
    assert_eq!(all_history(&store, &session, 100).await, written);
}

/// Inserting at a taken position fails with the occupant's id and changes nothing: the
/// clause that tells a conflict-detecting store from a last-writer-wins one.
pub async fn insert_never_overwrites(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let session = sid("no-overwrite");
    let first = new_turn("first", "q", "first answer").at_seq(Seq(0));
    store.insert_turn(&session, &first).await.unwrap();
    let rival = new_turn("rival", "q", "rival answer").at_seq(Seq(0));
    match store.insert_turn(&session, &rival).await {
        Err(StoreError::Conflict { seq, occupant }) => {
            assert_eq!(seq, Seq(0));
            assert_eq!(occupant.as_str(), "first");
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let stored = store.load_latest(&session, 10).await.unwrap();
    assert_eq!(stored, [first]);
}

/// 64 tasks on a multi-threaded runtime, each with its own adapter instance and the same
/// stale window, append to one session at once: 64 distinct turns at positions 0..64.
pub async fn concurrent_appends_lose_nothing(backend: Arc<dyn Backend>) {
    const WRITERS: u64 = 64;
    let session = sid("29:1GxConcurrent");
    let barrier = Arc::new(Barrier::new(WRITERS as usize));
    let mut tasks = Vec::new();
    for i in 0..WRITERS {
        let store = backend.open();
        let session = session.clone();
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            let mut conversation = Conversation::load(store, session, MaxTurns::DEFAULT)
                .await
                .unwrap();
            barrier.wait().await;
            conversation
                .add(new_turn(&format!("w{i}"), &format!("writer {i}"), "a"))
                .await
                .unwrap()
        }));
    }
    let mut claimed = BTreeSet::new();
    for task in tasks {
        let turn = task.await.unwrap();
        assert!(
            claimed.insert(turn.seq.0),
            "position {} given twice",
            turn.seq
        );
    }
    let store = backend.open();
    let all = all_history(&store, &session, 1000).await;
    assert_eq!(seqs(&all), (0..WRITERS).collect::<Vec<_>>());
    let writers: BTreeSet<String> = all.iter().map(|t| t.user.clone()).collect();
    assert_eq!(writers.len(), WRITERS as usize, "a turn was overwritten");
    assert_eq!(claimed, (0..WRITERS).collect());
}

/// An append retried after its reply was lost (same turn id) is stored once, whether the
/// retry aims at the same position or at a later one.
pub async fn retried_append_is_stored_once(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let session = sid("retry");
    let turn = new_turn("req-42", "q", "a");
    let stored = append_turn(store.as_ref(), &session, turn.clone(), Seq(0))
        .await
        .unwrap();
    // The same request again, from the same stale position.
    let again = append_turn(store.as_ref(), &session, turn.clone(), Seq(0))
        .await
        .unwrap();
    assert_eq!(again, stored);
    // Another writer lands, then the retry comes in from an even older view.
    append_turn(
        store.as_ref(),
        &session,
        new_turn("other", "q2", "a2"),
        Seq(1),
    )
    .await
    .unwrap();
    let late = append_turn(store.as_ref(), &session, turn, Seq(1))
        .await
        .unwrap();
    assert_eq!(late.seq, Seq(0));
    let all = all_history(&store, &session, 100).await;
    assert_eq!(seqs(&all), [0, 1]);
    assert_eq!(all[0].id.as_str(), "req-42");
}

/// Ids with quotes, filter syntax, slashes, unicode and the longest allowed round-trip
/// exactly, list exactly, and never see one another.
pub async fn odd_session_ids_round_trip(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let longest = "é".repeat(SessionId::MAX_CHARS);
    let raw_ids = [
        "o'brien",
        "nobody' or PartitionKey ne 'x",
        "a/b\\c",
        "#channel?x=1&y=2",
        "with spaces",
        "emoji 🦀 ünïcödé 漢字",
        "29:1GxA-bcDEf",
        "jane.doe@example.com",
        "%2F already-escaped %27",
        "~!$*()[]{}|<>\"`",
        longest.as_str(),
    ];
    for (i, raw) in raw_ids.iter().enumerate() {
        let session = sid(raw);
        let turn = new_turn(&format!("t{i}"), raw, &format!("answer for {i}")).at_seq(Seq(0));
        store.insert_turn(&session, &turn).await.unwrap();
    }
    for (i, raw) in raw_ids.iter().enumerate() {
        let loaded = store.load_latest(&sid(raw), 10).await.unwrap();
        assert_eq!(loaded.len(), 1, "{raw:?} sees {} turns", loaded.len());
        assert_eq!(loaded[0].user, *raw);
        assert_eq!(loaded[0].assistant, format!("answer for {i}"));
    }
    let mut listed = BTreeSet::new();
    let mut request = PageRequest::first(4);
    loop {
        let page = store.list_sessions(&request).await.unwrap();
        for summary in &page.items {
            assert!(listed.insert(summary.session.as_str().to_owned()));
        }
        match request.after(&page) {
            Some(next) => request = next,
            None => break,
        }
    }
    let want: BTreeSet<String> = raw_ids.iter().map(|s| (*s).to_owned()).collect();
    assert_eq!(listed, want);
}

/// The longest ids (256 characters) of every character a key-value store might escape,
/// and near neighbours of them, are stored, loaded, paged, listed and deleted as
/// themselves, each in a session of its own.
pub async fn longest_ids_of_escaped_characters_round_trip(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let n = SessionId::MAX_CHARS;
    let mut raw_ids: Vec<String> = ["/", "\\", "#", "?", "%", "~", "'", "🦀"]
        .iter()
        .map(|c| c.repeat(n))
        .collect();
    raw_ids.extend([
        format!("~{}", "%".repeat(n - 1)),
        format!("~{}/", "🦀".repeat(n - 2)),
        format!("{}#", "/".repeat(n - 1)),
        format!("{}/", "/".repeat(n - 2)),
        "/".repeat(170),
        "/".repeat(171),
    ]);
    for (i, raw) in raw_ids.iter().enumerate() {
        let session = sid(raw);
        for seq in 0..2u64 {
            let turn = new_turn(&format!("t{i}-{seq}"), raw, &format!("answer {i}.{seq}"));
            let stored = append_turn(store.as_ref(), &session, turn, Seq(seq))
                .await
                .unwrap_or_else(|e| {
                    panic!(
                        "{} chars of {:?}: {e}",
                        raw.chars().count(),
                        &raw[..4.min(raw.len())]
                    )
                });
            assert_eq!(stored.seq, Seq(seq));
        }
    }
    let reopened = backend.open();
    for (i, raw) in raw_ids.iter().enumerate() {
        let session = sid(raw);
        let loaded = reopened.load_latest(&session, 10).await.unwrap();
        assert_eq!(seqs(&loaded), [0, 1], "id #{i}");
        assert!(
            loaded.iter().all(|t| t.user == *raw),
            "id #{i} sees another's turns"
        );
        assert_eq!(loaded[1].assistant, format!("answer {i}.1"));
        assert_eq!(seqs(&all_history(&reopened, &session, 1).await), [0, 1]);
    }
    let mut listed = BTreeSet::new();
    let mut request = PageRequest::first(5);
    loop {
        let page = reopened.list_sessions(&request).await.unwrap();
        for summary in &page.items {
            assert_eq!(summary.turns, 2);
            assert!(listed.insert(summary.session.as_str().to_owned()));
        }
        match request.after(&page) {
            Some(next) => request = next,
            None => break,
        }
    }
    let want: BTreeSet<String> = raw_ids.iter().cloned().collect();
    assert_eq!(listed, want, "listing must give back the ids as given");
    let (gone, kept) = (sid(&raw_ids[0]), sid(&raw_ids[11]));
    assert_eq!(reopened.delete_session(&gone).await.unwrap(), 2);
    assert!(reopened.load_latest(&gone, 10).await.unwrap().is_empty());
    assert_eq!(reopened.load_latest(&kept, 10).await.unwrap().len(), 2);
}

/// A 200 KB answer with multi-byte characters comes back byte for byte.
pub async fn large_text_round_trips_byte_exact(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let session = sid("large");
    let mut text = String::new();
    let mut i = 0u32;
    while text.len() < 200 * 1024 {
        text.push_str(&format!("{i:06} PERFORM 2000-POST-PAYMENT. «ü» 🦀\r\n\t"));
        i += 1;
    }
    let mut conversation = Conversation::load(store.clone(), session.clone(), MaxTurns::DEFAULT)
        .await
        .unwrap();
    let turn = NewTurn {
        assistant: text.clone(),
        ..new_turn("big", "explain everything", "")
    };
    conversation.add(turn).await.unwrap();
    let loaded = backend.open().load_latest(&session, 1).await.unwrap();
    assert_eq!(loaded.len(), 1);
    assert!(
        loaded[0].assistant.as_bytes() == text.as_bytes(),
        "text changed"
    );
}

/// Metadata is a JSON object and timestamps keep their milliseconds.
pub async fn metadata_and_timestamps_round_trip(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let session = sid("metadata");
    let metadata = json!({
        "resolved_question": "What copybooks does LONPF2 use?",
        "sources": [{"file": "LONPF2.cbl", "score": 12.5, "lines": [1, 40]}],
        "persisted": true,
        "nothing": null,
        "nested": {"ünïcödé": "🦀", "quote": "it's \"here\""},
        "big": 9_007_199_254_740_993_u64,
    });
    let serde_json::Value::Object(metadata) = metadata else {
        unreachable!()
    };
    let turn = NewTurn {
        at: Timestamp::from_unix_millis(T0 + 7).unwrap(),
        metadata: metadata.clone(),
        ..new_turn("m", "q", "a")
    }
    .at_seq(Seq(0));
    store.insert_turn(&session, &turn).await.unwrap();
    let loaded = backend.open().load_latest(&session, 1).await.unwrap();
    assert_eq!(loaded, [turn]);
    assert_eq!(loaded[0].metadata, metadata);
    assert_eq!(loaded[0].at.unix_millis(), T0 + 7);
}

/// A turn over the store's limit is refused with `TooLarge` and leaves nothing behind.
pub async fn oversized_turn_is_refused_whole(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let session = sid("oversized");
    fill(&store, &session, 1).await;
    let limit = store.max_turn_bytes();
    let turn = NewTurn {
        assistant: "x".repeat(limit + 1),
        ..new_turn("huge", "q", "")
    };
    let mut conversation = Conversation::load(store.clone(), session.clone(), MaxTurns::DEFAULT)
        .await
        .unwrap();
    match conversation.add(turn).await {
        Err(otis_core::AppendError::Store(StoreError::TooLarge { bytes, limit: l })) => {
            assert_eq!(l, limit);
            assert!(bytes > limit);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let all = all_history(&store, &session, 100).await;
    assert_eq!(seqs(&all), [0], "something of the refused turn was stored");
    // The session still takes the next turn at the next position.
    let next = conversation.add(new_turn("after", "q", "a")).await.unwrap();
    assert_eq!(next.seq, Seq(1));
}

/// Delete removes every turn of one session, reports the count, and nothing else.
pub async fn delete_removes_only_that_session(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let (gone, kept) = (sid("gone'"), sid("kept"));
    fill(&store, &gone, 12).await;
    fill(&store, &kept, 2).await;
    assert_eq!(store.delete_session(&gone).await.unwrap(), 12);
    assert!(store.load_latest(&gone, 10).await.unwrap().is_empty());
    assert!(all_history(&store, &gone, 10).await.is_empty());
    assert_eq!(store.load_latest(&kept, 10).await.unwrap().len(), 2);
    let listed = store.list_sessions(&PageRequest::first(10)).await.unwrap();
    let names: Vec<&str> = listed.items.iter().map(|s| s.session.as_str()).collect();
    assert_eq!(names, ["kept"]);
    assert_eq!(store.delete_session(&gone).await.unwrap(), 0);
    // A deleted session starts again from position 0.
    let restarted = fill(&store, &gone, 1).await;
    assert_eq!(restarted[0].seq, Seq::FIRST);
    // Clearing through the use case does the same.
    let mut conversation = Conversation::load(store.clone(), kept.clone(), MaxTurns::DEFAULT)
        .await
        .unwrap();
    assert_eq!(conversation.clear().await.unwrap(), 2);
    assert!(conversation.is_empty());
    assert!(store.load_latest(&kept, 10).await.unwrap().is_empty());
}

/// Listing pages through every session once, with its turn count and last activity.
pub async fn list_pages_every_session_once(backend: Arc<dyn Backend>) {
    let store = backend.open();
    for i in 0..25u64 {
        let session = sid(&format!("list-{i:02}"));
        for seq in 0..=(i % 3) {
            let turn = NewTurn {
                at: Timestamp::from_unix_millis(T0 + i as i64 * 1000 + seq as i64).unwrap(),
                ..new_turn(&format!("t{seq}"), "q", "a")
            };
            append_turn(store.as_ref(), &session, turn, Seq(seq))
                .await
                .unwrap();
        }
    }
    let mut request = PageRequest::first(10);
    let mut seen = Vec::new();
    loop {
        let page = store.list_sessions(&request).await.unwrap();
        assert!(page.items.len() <= 10);
        seen.extend(page.items.iter().cloned());
        match request.after(&page) {
            Some(next) => request = next,
            None => break,
        }
    }
    assert_eq!(seen.len(), 25, "{seen:?}");
    let names: BTreeSet<&str> = seen.iter().map(|s| s.session.as_str()).collect();
    assert_eq!(names.len(), 25, "a session was listed twice");
    for summary in &seen {
        let i: u64 = summary.session.as_str()[5..].parse().unwrap();
        assert_eq!(summary.turns, i % 3 + 1, "{}", summary.session);
        let last = T0 + i as i64 * 1000 + (i % 3) as i64;
        assert_eq!(
            summary.last_activity.unix_millis(),
            last,
            "{}",
            summary.session
        );
    }
}

/// `purge_inactive` removes the sessions whose latest turn is before the cutoff.
pub async fn purge_removes_inactive_sessions(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let at = |ms| Timestamp::from_unix_millis(ms).unwrap();
    for (name, last) in [("old", T0), ("edge", T0 + 10_000), ("fresh", T0 + 20_000)] {
        let session = sid(name);
        // An old first turn does not make a session inactive: only its latest counts.
        let first = NewTurn {
            at: at(T0 - 1_000_000),
            ..new_turn("t0", "q", "a")
        };
        let second = NewTurn {
            at: at(last),
            ..new_turn("t1", "q", "a")
        };
        append_turn(store.as_ref(), &session, first, Seq(0))
            .await
            .unwrap();
        append_turn(store.as_ref(), &session, second, Seq(1))
            .await
            .unwrap();
    }
    assert_eq!(store.purge_inactive(at(T0 + 10_000)).await.unwrap(), 1);
    assert!(store.load_latest(&sid("old"), 10).await.unwrap().is_empty());
    assert_eq!(store.load_latest(&sid("edge"), 10).await.unwrap().len(), 2);
    assert_eq!(store.load_latest(&sid("fresh"), 10).await.unwrap().len(), 2);
    assert_eq!(store.purge_inactive(at(T0 + 10_000)).await.unwrap(), 0);
}

/// A session idle past the TTL loads empty (and is removed); a live one loads whole.
pub async fn expired_session_is_not_loaded(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let (idle, live) = (sid("idle"), sid("live"));
    fill(&store, &idle, 3).await;
    fill(&store, &live, 3).await;
    let policy = MemoryPolicy {
        max_turns: MaxTurns::DEFAULT,
        ttl: Some(Duration::from_secs(3600)),
    };
    let t0 = Timestamp::from_unix_millis(T0).unwrap();
    let later = t0.plus_millis(3_600_001);
    let mut expired = Conversation::load_with(store.clone(), idle.clone(), policy, later)
        .await
        .unwrap();
    assert!(expired.is_empty());
    assert!(store.load_latest(&idle, 10).await.unwrap().is_empty());
    let restarted = expired.add(new_turn("fresh", "q", "a")).await.unwrap();
    assert_eq!(restarted.seq, Seq::FIRST);
    let within = Conversation::load_with(
        store.clone(),
        live.clone(),
        policy,
        t0.plus_millis(3_600_000),
    )
    .await
    .unwrap();
    assert_eq!(within.len(), 3);
}

/// A cursor the store did not make is refused, not read as "start again".
pub async fn invalid_cursor_is_an_error(backend: Arc<dyn Backend>) {
    let store = backend.open();
    let session = sid("cursor");
    fill(&store, &session, 3).await;
    let bogus = PageRequest {
        cursor: Some(otis_core::ports::Cursor("\u{1}not a cursor\u{1}".into())),
        limit: std::num::NonZeroU32::MIN,
    };
    assert!(matches!(
        store.history(&session, &bogus).await,
        Err(StoreError::InvalidCursor(_))
    ));
    assert!(matches!(
        store.list_sessions(&bogus).await,
        Err(StoreError::InvalidCursor(_))
    ));
}
