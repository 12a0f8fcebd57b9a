//! The layout and what it costs: one command per append and per load (counted by the
//! server's `INFO commandstats`), TTLs on every key of a session and its bucket, one slot per session,
//! and listing across a Cluster's nodes.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use otis_core::ports::{PageRequest, SessionStore};
use otis_core::{Conversation, MaxTurns, Metadata, NewTurn, SessionId, Timestamp, TurnId};
use otis_store_redis::{RedisStore, Topology, keys};
use otis_testkit::redis::{RedisServer, shared_cluster};

use crate::config;

fn turn(i: u64) -> NewTurn {
    NewTurn {
        id: TurnId::parse(format!("t{i}")).unwrap(),
        at: Timestamp::now(),
        user: format!("question {i}"),
        assistant: format!("answer {i}"),
        metadata: Metadata::new(),
    }
}

/// Calls per command since the last `CONFIG RESETSTAT`, from `INFO commandstats`.
pub(crate) fn commandstats(server: &RedisServer) -> BTreeMap<String, u64> {
    server
        .cli(&["INFO", "commandstats"])
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.strip_prefix("cmdstat_")?.split_once(':')?;
            let calls = rest
                .strip_prefix("calls=")?
                .split(',')
                .next()?
                .parse()
                .ok()?;
            Some((name.to_owned(), calls))
        })
        .collect()
}

/// Commands sent by clients: scripts count once, what they run inside is theirs.
pub(crate) fn client_commands(stats: &BTreeMap<String, u64>, script_inner: &[&str]) -> u64 {
    stats
        .iter()
        .filter(|(name, _)| !script_inner.contains(&name.as_str()))
        .filter(|(name, _)| !matches!(name.as_str(), "config|resetstat" | "info"))
        .map(|(_, calls)| *calls)
        .sum()
}

pub(crate) const INSIDE_SCRIPTS: &[&str] = &[
    "zrangebyscore",
    "zadd",
    "zscore",
    "pexpire",
    "pttl",
    "persist",
    "exists",
    "zrem",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_command_per_append_and_per_load_at_any_history() {
    let server = RedisServer::start();
    let store: Arc<dyn SessionStore> =
        Arc::new(RedisStore::open(config(&server.url(), Topology::Single)).unwrap());
    let session = SessionId::parse("counted").unwrap();
    let mut conversation = Conversation::load(store.clone(), session.clone(), MaxTurns::DEFAULT)
        .await
        .unwrap();
    // Warm up: connect and load the script, so counting starts in the steady state.
    conversation.add(turn(0)).await.unwrap();
    let mut written = 1;
    for history in [5u64, 30, 200] {
        while written < history - 1 {
            conversation.add(turn(written)).await.unwrap();
            written += 1;
        }
        server.cli(&["CONFIG", "RESETSTAT"]);
        conversation.add(turn(written)).await.unwrap();
        written += 1;
        let stats = commandstats(&server);
        assert_eq!(stats.get("evalsha"), Some(&1), "{stats:?}");
        assert_eq!(client_commands(&stats, INSIDE_SCRIPTS), 1, "{stats:?}");

        server.cli(&["CONFIG", "RESETSTAT"]);
        let loaded = Conversation::load(store.clone(), session.clone(), MaxTurns::DEFAULT)
            .await
            .unwrap();
        assert_eq!(loaded.len(), 10.min(history as usize));
        let stats = commandstats(&server);
        assert_eq!(stats.get("zrevrange"), Some(&1), "{stats:?}");
        assert_eq!(
            client_commands(&stats, &[]),
            1,
            "history {history}: {stats:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_key_of_a_session_carries_the_ttl_and_appends_refresh_it() {
    let server = RedisServer::start();
    let mut config = config(&server.url(), Topology::Single);
    config.session_ttl = Some(Duration::from_secs(3600));
    let store = RedisStore::open(config).unwrap();
    let session = SessionId::parse("{tenant}expiring").unwrap();
    let dyn_store: Arc<dyn SessionStore> = Arc::new(store.clone());
    let mut conversation = Conversation::load(dyn_store, session.clone(), MaxTurns::DEFAULT)
        .await
        .unwrap();
    conversation.add(turn(0)).await.unwrap();
    let keys = store.session_keys(&session);
    let ttl = |key: &str| -> i64 { server.cli(&["PTTL", key]).trim().parse().unwrap() };
    for key in [&keys.turns, &keys.index, &keys.activity] {
        let first = ttl(key);
        assert!((3_590_000..=3_600_000).contains(&first), "{key}: {first}");
    }
    for key in [&keys.turns, &keys.index, &keys.activity] {
        server.cli(&["PEXPIRE", key, "1000000"]);
    }
    conversation.add(turn(1)).await.unwrap();
    for key in [&keys.turns, &keys.index, &keys.activity] {
        assert!(
            ttl(key) > 3_590_000,
            "the append did not refresh {key}'s TTL"
        );
    }
    // Redis expires it by itself; it then loads empty, which drops its index entries,
    // and is not listed.
    server.cli(&["PEXPIRE", &keys.turns, "1"]);
    tokio::time::sleep(Duration::from_millis(20)).await;
    assert!(store.load_latest(&session, 10).await.unwrap().is_empty());
    assert_eq!(server.cli(&["ZCARD", &keys.index]).trim(), "0");
    let listed = store.list_sessions(&PageRequest::first(10)).await.unwrap();
    assert!(listed.items.is_empty(), "{listed:?}");
    assert_eq!(server.cli(&["ZCARD", &keys.index]).trim(), "0");
    assert_eq!(server.cli(&["ZCARD", &keys.activity]).trim(), "0");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sessions_keys_share_a_slot_and_braced_ids_spread() {
    let cluster = shared_cluster();
    let store = RedisStore::open(config(&cluster.url(), Topology::Auto)).unwrap();
    let mut slots = std::collections::BTreeSet::new();
    for i in 0..60 {
        let session = SessionId::parse(format!("{{tenant}}{i}")).unwrap();
        let keys = store.session_keys(&session);
        let slot_of = |key: &str| -> u16 {
            cluster.nodes[0]
                .cli(&["CLUSTER", "KEYSLOT", key])
                .trim()
                .parse()
                .unwrap()
        };
        let slot = slot_of(&keys.turns);
        assert_eq!(slot, keys::slot(&keys.turns), "our slot function agrees");
        assert_eq!(slot_of(&keys.index), slot);
        assert_eq!(slot_of(&keys.activity), slot);
        slots.insert(slot);
    }
    // A caller wrapping ids in "{tenant}" did not pin them to one slot.
    assert!(slots.len() > 50, "{} slots", slots.len());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listing_on_a_cluster_covers_every_node() {
    let cluster = shared_cluster();
    let store: Arc<dyn SessionStore> =
        Arc::new(RedisStore::open(config(&cluster.url(), Topology::Auto)).unwrap());
    for i in 0..40 {
        let session = SessionId::parse(format!("spread-{i}")).unwrap();
        let mut c = Conversation::load(store.clone(), session, MaxTurns::DEFAULT)
            .await
            .unwrap();
        c.add(turn(i)).await.unwrap();
    }
    // The sessions sit on all three nodes...
    let mut per_node = [0usize; 3];
    for (n, node) in cluster.nodes.iter().enumerate() {
        per_node[n] = node.cli(&["DBSIZE"]).trim().parse().unwrap();
    }
    assert!(per_node.iter().all(|n| *n > 0), "{per_node:?}");
    // ...and one listing, page by page, finds each once.
    let mut request = PageRequest::first(7);
    let mut seen = std::collections::BTreeSet::new();
    loop {
        let page = store.list_sessions(&request).await.unwrap();
        for s in &page.items {
            assert!(seen.insert(s.session.as_str().to_owned()));
        }
        match request.after(&page) {
            Some(next) => request = next,
            None => break,
        }
    }
    assert_eq!(seen.len(), 40);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feedback_is_stored_once_per_id() {
    use otis_core::ports::{Feedback, FeedbackStore};
    let server = otis_testkit::redis::shared();
    let config = config(&server.url(), Topology::Auto);
    let prefix = config.prefix.clone();
    let store = RedisStore::open(config).unwrap();
    let report = Feedback {
        id: TurnId::parse("fb-1").unwrap(),
        at: Timestamp::from_unix_millis(1_764_000_000_123).unwrap(),
        session: Some(SessionId::parse("{s}").unwrap()),
        question: "q".into(),
        answer: "a".into(),
        comment: Some("good".into()),
        rating: Some(1),
        principal: None,
    };
    store.record(&report).await.unwrap();
    let changed = Feedback {
        comment: Some("changed".into()),
        ..report.clone()
    };
    store.record(&changed).await.unwrap();
    let stored = server.cli(&["GET", &format!("{prefix}:feedback:fb-1")]);
    let stored: serde_json::Value = serde_json::from_str(stored.trim()).unwrap();
    assert_eq!(stored["comment"], "good", "the first report stays");
    assert_eq!(stored["session"], "{s}");
    assert_eq!(stored["at"], "2025-11-24T16:00:00.123Z");
    assert_eq!(stored["rating"], 1);
}
