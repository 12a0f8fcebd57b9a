//! Expiry with `OTIS_SESSION_TTL_DAYS` (here a TTL of about a second): Redis itself drops
//! a session's turns and, once no append has come for the TTL, its bucket's index keys,
//! so after the TTL passes with no activity no key of ours remains; entries of sessions
//! Redis expired are dropped when a load or a listing meets them; a session kept for
//! good (no TTL) keeps its bucket's index.

use std::sync::Arc;
use std::time::{Duration, Instant};

use otis_core::ports::{PageRequest, SessionStore};
use otis_core::{Conversation, MaxTurns, Metadata, NewTurn, SessionId, Timestamp, TurnId};
use otis_store_redis::{RedisStore, Topology};
use otis_testkit::redis::RedisServer;

use crate::config;
use crate::layout::{INSIDE_SCRIPTS, client_commands, commandstats};

const TTL: Duration = Duration::from_millis(1200);

fn store(server: &RedisServer, prefix: &str, ttl: Option<Duration>) -> RedisStore {
    let mut config = config(&server.url(), Topology::Single);
    config.prefix = prefix.to_owned();
    config.session_ttl = ttl;
    RedisStore::open(config).unwrap()
}

async fn append(store: &RedisStore, session: &SessionId, id: &str) {
    let store: Arc<dyn SessionStore> = Arc::new(store.clone());
    let mut conversation = Conversation::load(store, session.clone(), MaxTurns::DEFAULT)
        .await
        .unwrap();
    conversation
        .add(NewTurn {
            id: TurnId::parse(id).unwrap(),
            at: Timestamp::now(),
            user: format!("question {id}"),
            assistant: "answer".into(),
            metadata: Metadata::new(),
        })
        .await
        .unwrap();
}

/// Two sessions that share a bucket (so its index keys), found by trying ids.
fn same_bucket(store: &RedisStore) -> (SessionId, SessionId) {
    let first = SessionId::parse("shared-0").unwrap();
    let index = store.session_keys(&first).index;
    let second = (1..)
        .map(|i| SessionId::parse(format!("shared-{i}")).unwrap())
        .find(|s| store.session_keys(s).index == index)
        .unwrap();
    (first, second)
}

fn keys_of(server: &RedisServer, prefix: &str) -> Vec<String> {
    server
        .cli(&["--scan", "--pattern", &format!("{prefix}:*")])
        .lines()
        .map(str::to_owned)
        .filter(|k| !k.is_empty())
        .collect()
}

fn pttl(server: &RedisServer, key: &str) -> i64 {
    server.cli(&["PTTL", key]).trim().parse().unwrap()
}

/// Waits until `prefix` has no key left (Redis expires keys actively ten times a
/// second; `--scan` also skips expired ones), for at most ten TTLs.
async fn until_empty(server: &RedisServer, prefix: &str) -> Vec<String> {
    let started = Instant::now();
    loop {
        let left = keys_of(server, prefix);
        if left.is_empty() || started.elapsed() > TTL * 10 {
            return left;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_of_ours_remains_after_the_ttl_passes_without_activity() {
    let server = RedisServer::start();
    let prefix = "expiring";
    let store = store(&server, prefix, Some(TTL));
    let (a, b) = same_bucket(&store);
    let c = SessionId::parse("elsewhere").unwrap();
    assert_ne!(store.session_keys(&c).index, store.session_keys(&a).index);
    for (session, turns) in [(&a, 3), (&b, 1), (&c, 2)] {
        for i in 0..turns {
            append(&store, session, &format!("t{i}")).await;
        }
    }
    let keys = keys_of(&server, prefix);
    assert_eq!(
        keys.len(),
        3 + 2 * 2,
        "three sessions, two buckets: {keys:?}"
    );
    for key in &keys {
        let left = pttl(&server, key);
        assert!(
            left > 0 && left <= TTL.as_millis() as i64,
            "{key} has no TTL ({left})"
        );
    }
    let left = until_empty(&server, prefix).await;
    assert!(left.is_empty(), "still there after the TTL: {left:?}");
    assert!(store.load_latest(&a, 10).await.unwrap().is_empty());
    let listed = store.list_sessions(&PageRequest::first(10)).await.unwrap();
    assert!(listed.items.is_empty(), "{listed:?}");
    assert!(keys_of(&server, prefix).is_empty(), "reading made no key");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_append_keeps_its_buckets_index_and_expired_entries_are_dropped_when_met() {
    let server = RedisServer::start();
    let prefix = "refreshed";
    let store = store(&server, prefix, Some(TTL));
    let (a, b) = same_bucket(&store);
    let keys = store.session_keys(&a);
    append(&store, &a, "a0").await;
    // Later, an append to another session of the bucket refreshes the index keys.
    tokio::time::sleep(TTL / 2).await;
    append(&store, &b, "b0").await;
    assert!(pttl(&server, &keys.index) > pttl(&server, &keys.turns) + 300);
    // `a` expires; the index keys stay for `b`, still naming `a`.
    let started = Instant::now();
    while server.cli(&["EXISTS", &keys.turns]).trim() != "0" {
        assert!(started.elapsed() < TTL * 10, "a never expired");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let score = |key: &str, id: &SessionId| server.cli(&["ZSCORE", key, id.as_str()]);
    assert!(
        !score(&keys.index, &a).trim().is_empty(),
        "a is still indexed"
    );
    // A load meets it: its entries go, `b`'s stay.
    assert!(store.load_latest(&a, 10).await.unwrap().is_empty());
    assert!(score(&keys.index, &a).trim().is_empty());
    assert!(score(&keys.activity, &a).trim().is_empty());
    assert!(!score(&keys.index, &b).trim().is_empty());
    // A listing meets an expired entry too.
    append(&store, &a, "a1").await;
    server.cli(&["PEXPIRE", &store.session_keys(&b).turns, "1"]);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let listed = store.list_sessions(&PageRequest::first(10)).await.unwrap();
    let ids: Vec<&str> = listed.items.iter().map(|s| s.session.as_str()).collect();
    assert_eq!(ids, [a.as_str()]);
    assert!(score(&keys.index, &b).trim().is_empty());
    assert!(score(&keys.activity, &b).trim().is_empty());
    let left = until_empty(&server, prefix).await;
    assert!(left.is_empty(), "still there after the TTL: {left:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_kept_for_good_keeps_its_buckets_index() {
    let server = RedisServer::start();
    let prefix = "kept";
    let kept = store(&server, prefix, None);
    let expiring = store(&server, prefix, Some(TTL));
    let (a, b) = same_bucket(&kept);
    let keys = kept.session_keys(&a);
    // Written without a TTL, then another session of the bucket with one: the index
    // keys keep no TTL, or they would drop `a` while it lives on.
    append(&kept, &a, "a0").await;
    append(&expiring, &b, "b0").await;
    assert_eq!(pttl(&server, &keys.turns), -1);
    assert_eq!(pttl(&server, &keys.index), -1);
    assert_eq!(pttl(&server, &keys.activity), -1);
    let left = until_empty(&server, prefix).await;
    let mut left: Vec<&str> = left.iter().map(String::as_str).collect();
    left.sort_unstable();
    let mut want = vec![
        keys.turns.as_str(),
        keys.index.as_str(),
        keys.activity.as_str(),
    ];
    want.sort_unstable();
    assert_eq!(left, want, "only b's turns expired");
    let listed = kept.list_sessions(&PageRequest::first(10)).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].session, a);
    // Without a TTL an append makes the bucket's keys persistent again.
    let b_turns = kept.session_keys(&b).turns;
    append(&expiring, &b, "b1").await;
    assert!(pttl(&server, &b_turns) > 0);
    append(&kept, &b, "b2").await;
    assert_eq!(pttl(&server, &b_turns), -1);
    assert_eq!(pttl(&server, &keys.index), -1);
}

/// With a TTL a load is still one `ZREVRANGE`; one that finds nothing sends one more
/// command, the script that drops index entries Redis's expiry left behind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_ttl_only_an_empty_load_costs_a_second_command() {
    let server = RedisServer::start();
    let store = store(&server, "counted", Some(Duration::from_secs(3600)));
    let live = SessionId::parse("live").unwrap();
    append(&store, &live, "t0").await;
    server.cli(&["CONFIG", "RESETSTAT"]);
    assert_eq!(store.load_latest(&live, 10).await.unwrap().len(), 1);
    let stats = commandstats(&server);
    assert_eq!(stats.get("zrevrange"), Some(&1), "{stats:?}");
    assert_eq!(client_commands(&stats, &[]), 1, "{stats:?}");
    server.cli(&["CONFIG", "RESETSTAT"]);
    let unknown = SessionId::parse("never-written").unwrap();
    assert!(store.load_latest(&unknown, 10).await.unwrap().is_empty());
    let stats = commandstats(&server);
    assert_eq!(stats.get("zrevrange"), Some(&1), "{stats:?}");
    assert_eq!(client_commands(&stats, INSIDE_SCRIPTS), 2, "{stats:?}");
}
