//! Connection loss: the server is killed (SIGKILL) in the middle of a load and started
//! again. Every append acknowledged as stored must be there exactly once; an append
//! reported as failed may or may not be; no turn is stored twice; and the store
//! reconnects by itself.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use otis_core::ports::{PageRequest, SessionStore};
use otis_core::{Conversation, MaxTurns, Metadata, NewTurn, SessionId, Timestamp, TurnId};
use otis_store_redis::{RedisStore, RetryPolicy, Topology};
use otis_testkit::redis::{Options, RedisServer};
use otis_testkit::secrets::{CANARY_PASSWORD, shown};

use crate::config;

#[derive(Debug, Default)]
struct Outcomes {
    acknowledged: Vec<String>,
    failed: Vec<String>,
    /// Acknowledged after the server came back.
    after_restart: usize,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_server_loses_no_acknowledged_turn_and_doubles_none() {
    let mut server = RedisServer::start_with(Options {
        durable: true,
        ..Options::default()
    });
    let mut config = config(&server.url(), Topology::Single);
    // Short timeouts and few retries, so that failures surface while the server is down.
    config.retry = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(50),
        max_elapsed: Duration::from_secs(5),
    };
    config.response_timeout = Duration::from_millis(500);
    config.connect_timeout = Duration::from_millis(300);
    let store: Arc<dyn SessionStore> = Arc::new(RedisStore::open(config).unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let restarted = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..8 {
        let store = store.clone();
        let stop = stop.clone();
        let restarted = restarted.clone();
        writers.push(tokio::spawn(async move {
            let session = SessionId::parse(format!("load-{}", w % 4)).unwrap();
            let mut outcomes = Outcomes::default();
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let id = format!("w{w}-{i}");
                i += 1;
                // A fresh load per turn, as a stateless function invocation does.
                let Ok(mut c) =
                    Conversation::load(store.clone(), session.clone(), MaxTurns::DEFAULT).await
                else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let turn = NewTurn {
                    id: TurnId::parse(id.clone()).unwrap(),
                    at: Timestamp::now(),
                    user: format!("question {id}"),
                    assistant: "answer".into(),
                    metadata: Metadata::new(),
                };
                let back = restarted.load(Ordering::Relaxed);
                match c.add(turn).await {
                    Ok(_) => {
                        outcomes.acknowledged.push(id);
                        outcomes.after_restart += usize::from(back);
                    }
                    Err(_) => outcomes.failed.push(id),
                }
            }
            outcomes
        }));
    }
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.kill();
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.restart();
    restarted.store(true, Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    stop.store(true, Ordering::Relaxed);
    let mut all = Outcomes::default();
    for writer in writers {
        let o = writer.await.unwrap();
        all.acknowledged.extend(o.acknowledged);
        all.failed.extend(o.failed);
        all.after_restart += o.after_restart;
    }

    let mut stored: BTreeMap<String, usize> = BTreeMap::new();
    for s in 0..4 {
        let session = SessionId::parse(format!("load-{s}")).unwrap();
        let page = store
            .history(&session, &PageRequest::first(100_000))
            .await
            .unwrap();
        let seqs: Vec<u64> = page.items.iter().map(|t| t.seq.0).collect();
        assert_eq!(seqs, (0..seqs.len() as u64).collect::<Vec<_>>(), "gap-free");
        for turn in page.items {
            *stored.entry(turn.id.as_str().to_owned()).or_default() += 1;
        }
    }
    assert!(
        stored.values().all(|n| *n == 1),
        "a turn was stored twice: {:?}",
        stored.iter().filter(|(_, n)| **n > 1).collect::<Vec<_>>()
    );
    for id in &all.acknowledged {
        assert_eq!(
            stored.get(id),
            Some(&1),
            "acknowledged turn {id} is missing"
        );
    }
    for id in stored.keys() {
        assert!(
            all.acknowledged.contains(id) || all.failed.contains(id),
            "{id} was stored but never attempted"
        );
    }
    assert!(
        !all.failed.is_empty(),
        "the kill caused no reported failure"
    );
    // The store reconnected by itself: turns were acknowledged after the restart.
    assert!(
        all.after_restart > 0,
        "nothing was stored after the restart: {all:?}"
    );
}

/// A server (or a proxy in front of one) that refuses with an error quoting what it
/// was sent, the `AUTH` password included: the store's error keeps what it said, but
/// not the password.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_echoing_server_leaks_no_password_into_errors() {
    let echo = otis_testkit::resp_echo::RespEcho::start().await;
    let mut config = config(&echo.url_with_password(CANARY_PASSWORD), Topology::Single);
    config.retry = RetryPolicy::once();
    config.connect_timeout = Duration::from_secs(2);
    config.response_timeout = Duration::from_secs(2);
    let store = RedisStore::open(config).unwrap();
    let session = SessionId::parse("echoed").unwrap();
    let err = store.load_latest(&session, 10).await.unwrap_err();
    let text = shown(&err);
    assert!(
        text.contains(otis_testkit::scripted::ECHO_MARKER),
        "the server's text is kept as detail: {text}"
    );
    assert!(
        text.contains("AUTH <redacted>"),
        "the AUTH was echoed: {text}"
    );
    assert!(
        !text.contains(CANARY_PASSWORD),
        "the password leaked: {text}"
    );
}
