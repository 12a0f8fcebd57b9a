//! Failure cases against a scripted loopback HTTP server that answers each request with
//! the next reply of its script: throttling, 5xx, failed batches, silence, garbage.

use std::time::Duration;

use otis_core::ports::{SessionStore, StoreError};
use otis_core::{Metadata, NewTurn, Seq, SessionId, Timestamp, TurnId};
use otis_store_table::{ClientPolicy, Connection, RetryPolicy, TableStore};
use otis_testkit::scripted::{ECHO_MARKER, EchoForm, Reply, Scripted};
use otis_testkit::secrets::{CANARY_ACCOUNT_KEY, CANARY_SAS, shown};

const OK_BATCH: &str = "--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_2\r\n\r\n\
--changesetresponse_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 204 No Content\r\nContent-ID: 1\r\n\r\n\r\n\
--changesetresponse_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 204 No Content\r\nContent-ID: 2\r\n\r\n\r\n\
--changesetresponse_2--\r\n--batchresponse_1--\r\n";

const FAILED_BATCH: &str = "--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_2\r\n\r\n\
--changesetresponse_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 400 Bad Request\r\nContent-ID: 2\r\nContent-Type: application/json\r\n\r\n\
{\"odata.error\":{\"code\":\"InvalidInput\",\"message\":{\"value\":\"1:Bad property.\"}}}\r\n\
--changesetresponse_2--\r\n--batchresponse_1--\r\n";

fn batch_reply(body: &str) -> Reply {
    Reply::with_headers(
        "202 Accepted",
        &[("Content-Type", "multipart/mixed; boundary=batchresponse_1")],
        body,
    )
}

async fn serve(script: Vec<Reply>) -> (Scripted, String) {
    let server = Scripted::start(script).await;
    let endpoint = format!("{}/devstoreaccount1", server.url);
    (server, endpoint)
}

fn store(endpoint: &str, policy: ClientPolicy) -> TableStore {
    let connection: Connection = crate::connection(endpoint);
    TableStore::open_existing(connection, "scripted", policy).unwrap()
}

fn quick() -> ClientPolicy {
    ClientPolicy {
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(20),
            max_elapsed: Duration::from_secs(5),
        },
        attempt_timeout: Duration::from_millis(500),
    }
}

fn turn() -> otis_core::Turn {
    NewTurn {
        id: TurnId::parse("t0").unwrap(),
        at: Timestamp::EPOCH,
        user: "q".into(),
        assistant: "a".into(),
        metadata: Metadata::new(),
    }
    .at_seq(Seq(0))
}

fn session() -> SessionId {
    SessionId::parse("s").unwrap()
}

#[tokio::test]
async fn throttling_and_5xx_are_retried_until_success() {
    let (server, endpoint) = serve(vec![
        Reply::with_headers("503 Server Busy", &[("Retry-After", "0")], ""),
        Reply::with_headers("429 Too Many Requests", &[], ""),
        batch_reply(OK_BATCH),
    ])
    .await;
    store(&endpoint, quick())
        .insert_turn(&session(), &turn())
        .await
        .unwrap();
    assert_eq!(server.received().len(), 3);
}

#[tokio::test]
async fn retries_are_bounded_and_end_as_unavailable() {
    let busy = || Reply::with_headers("500 Internal Server Error", &[], "");
    let (server, endpoint) = serve(vec![busy(), busy(), busy(), busy()]).await;
    let err = store(&endpoint, quick())
        .load_latest(&session(), 10)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert_eq!(server.received().len(), 3, "max_attempts is 3");
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let (server, endpoint) = serve(vec![Reply::json(
        "400 Bad Request",
        r#"{"odata.error":{"code":"InvalidInput","message":{"value":"no"}}}"#,
    )])
    .await;
    let err = store(&endpoint, quick())
        .load_latest(&session(), 10)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    assert!(
        err.to_string().contains("InvalidInput") || format!("{err:?}").contains("InvalidInput")
    );
    assert_eq!(server.received().len(), 1);
}

#[tokio::test]
async fn a_failed_batch_is_an_error_not_success() {
    let (_server, endpoint) = serve(vec![batch_reply(FAILED_BATCH)]).await;
    let err = store(&endpoint, quick())
        .insert_turn(&session(), &turn())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    assert!(format!("{err:?}").contains("InvalidInput"), "{err:?}");
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let (server, endpoint) = serve(vec![Reply::Silence, Reply::Silence, Reply::Silence]).await;
    let policy = ClientPolicy {
        retry: quick().retry.with_attempts(2),
        attempt_timeout: Duration::from_millis(300),
    };
    let err = store(&endpoint, policy)
        .load_latest(&session(), 10)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert_eq!(server.received().len(), 2);
}

/// An upstream that answers with an echo of our request (credentials included): the
/// store's error keeps the status and what it said, but not the account key, the SAS
/// token or the request's signature. A connection failure does not show the SAS in
/// the URL either.
#[tokio::test]
async fn an_echoing_service_leaks_no_credential_into_errors() {
    for credential in [
        format!("AccountName=devstoreaccount1;AccountKey={CANARY_ACCOUNT_KEY}"),
        format!("SharedAccessSignature={CANARY_SAS}"),
    ] {
        let server =
            Scripted::start(vec![Reply::echo("403 Forbidden", EchoForm::StorageXml)]).await;
        let connection = Connection::parse(&format!(
            "{credential};TableEndpoint={}/devstoreaccount1",
            server.url
        ))
        .unwrap();
        let store = TableStore::open_existing(connection, "scripted", quick()).unwrap();
        let err = store.load_latest(&session(), 10).await.unwrap_err();
        let text = shown(&err);
        assert!(text.contains("403") && text.contains(ECHO_MARKER), "{text}");
        let sent = &server.received()[0];
        let signed = sent.header("authorization").unwrap_or_default().to_owned();
        assert!(
            sent.request_line.contains("sig=CANARY") || signed.starts_with("SharedKeyLite"),
            "the request carried the credential: {sent:?}"
        );
        for secret in [
            CANARY_ACCOUNT_KEY,
            "CANARY",
            "SharedKeyLite devstoreaccount1:",
        ] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        if !signed.is_empty() {
            let signature = signed.rsplit(':').next().unwrap();
            assert!(!text.contains(signature), "the signature leaked: {text}");
        }
    }
    // Nobody listens: the transport error names no URL, so no token.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let connection = Connection::parse(&format!(
        "SharedAccessSignature={CANARY_SAS};TableEndpoint=http://127.0.0.1:{port}/devstoreaccount1"
    ))
    .unwrap();
    let store = TableStore::open_existing(connection, "scripted", quick()).unwrap();
    let err = store.load_latest(&session(), 10).await.unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert!(!shown(&err).contains("CANARY"), "{}", shown(&err));
}

#[tokio::test]
async fn a_malformed_body_is_an_error() {
    let (_server, endpoint) = serve(vec![Reply::json("200 OK", "{not json")]).await;
    let err = store(&endpoint, quick())
        .load_latest(&session(), 10)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
}

/// A proxy in front of the shared Azurite, and a store that talks through it.
async fn through_proxy() -> (otis_testkit::proxy::FaultProxy, TableStore, TableStore) {
    use otis_testkit::azurite;
    let endpoint = azurite::shared_endpoint();
    let direct = crate::fresh_store().await;
    let authority = endpoint
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap();
    let proxy = otis_testkit::proxy::FaultProxy::start(authority.parse().unwrap()).await;
    let proxied = TableStore::open_existing(
        crate::connection(&proxy.url("devstoreaccount1")),
        direct.table(),
        quick(),
    )
    .unwrap();
    (proxy, proxied, direct)
}

/// Every write commits and then loses its answer, retries included (each retry meets
/// the committed turn: 409, also lost). The append reads its turn id back before
/// reporting a failure, finds it, and reports success; each turn is stored once.
#[tokio::test(flavor = "multi_thread")]
async fn a_write_whose_answer_is_lost_is_confirmed_by_reading_it_back() {
    use otis_testkit::proxy::{Fault, Rule};
    let (proxy, proxied, direct) = through_proxy().await;
    proxy.set(Rule {
        method: Some("POST"),
        fault: Fault::DropAfter,
        every: 1,
    });
    let session = SessionId::parse("ambiguous").unwrap();
    for i in 0..3u64 {
        let turn = NewTurn {
            id: TurnId::parse(format!("t{i}")).unwrap(),
            at: Timestamp::EPOCH,
            user: format!("q{i}"),
            assistant: "a".into(),
            metadata: Metadata::new(),
        };
        let stored = otis_core::append_turn(&proxied, &session, turn, Seq(i))
            .await
            .unwrap_or_else(|e| panic!("turn {i} was stored but reported as {e}"));
        assert_eq!(stored.seq, Seq(i));
    }
    let dropped = proxy
        .counts
        .dropped_after
        .load(std::sync::atomic::Ordering::Relaxed);
    assert_eq!(dropped, 9, "every attempt of every write lost its answer");
    let turns = direct.load_latest(&session, 10).await.unwrap();
    let ids: Vec<&str> = turns.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["t0", "t1", "t2"], "each turn stored exactly once");
}

/// Writes that never reach the service are reported failed, and nothing is stored.
#[tokio::test(flavor = "multi_thread")]
async fn a_write_dropped_before_the_service_is_reported_failed() {
    use otis_testkit::proxy::{Fault, Rule};
    let (proxy, proxied, direct) = through_proxy().await;
    proxy.set(Rule {
        method: Some("POST"),
        fault: Fault::DropBefore,
        every: 1,
    });
    let session = SessionId::parse("never-arrived").unwrap();
    let turn = NewTurn {
        id: TurnId::parse("t0").unwrap(),
        at: Timestamp::EPOCH,
        user: "q".into(),
        assistant: "a".into(),
        metadata: Metadata::new(),
    };
    let err = otis_core::append_turn(&proxied, &session, turn, Seq(0))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            otis_core::AppendError::Store(StoreError::Unavailable(_))
        ),
        "{err}"
    );
    assert!(direct.load_latest(&session, 10).await.unwrap().is_empty());
}

/// Sessions × turns of the proxy fault run: small in the test suite, the outside run's
/// 1,440 turns with `OTIS_FAULT_SCALE=full` (`cargo xtask fault`).
fn fault_scale() -> (usize, u64) {
    match std::env::var("OTIS_FAULT_SCALE").as_deref() {
        Ok("full") => (32, 45),
        _ => (4, 12),
    }
}

/// Concurrent sessions append through a proxy that drops one write in three before it
/// reaches Azurite and one in three after Azurite answered. Afterwards every turn
/// reported stored is stored exactly once, and every turn reported failed is absent:
/// nothing acknowledged is lost, nothing stored is reported lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn dropped_connections_lose_no_acknowledged_turn() {
    use std::sync::atomic::Ordering::Relaxed;

    use otis_testkit::proxy::{Fault, Rule};
    let (proxy, proxied, direct) = through_proxy().await;
    let (sessions, turns) = fault_scale();
    let proxied = std::sync::Arc::new(proxied);
    // Alternate the fault every 3 writes between before and after.
    let flipper = {
        let proxy = proxy.clone();
        tokio::spawn(async move {
            for i in 0u64.. {
                let fault = if i % 2 == 0 {
                    Fault::DropBefore
                } else {
                    Fault::DropAfter
                };
                proxy.set(Rule {
                    method: Some("POST"),
                    fault,
                    every: 3,
                });
                tokio::time::sleep(Duration::from_millis(7)).await;
            }
        })
    };
    let mut tasks = Vec::new();
    for s in 0..sessions {
        let store = proxied.clone();
        tasks.push(tokio::spawn(async move {
            let session = SessionId::parse(format!("fault-{s}")).unwrap();
            let mut next = Seq::FIRST;
            let mut outcomes = Vec::new();
            for i in 0..turns {
                let turn = NewTurn {
                    id: TurnId::parse(format!("s{s}-t{i}")).unwrap(),
                    at: Timestamp::EPOCH,
                    user: format!("q{i}"),
                    assistant: "a".into(),
                    metadata: Metadata::new(),
                };
                let id = turn.id.clone();
                match otis_core::append_turn(store.as_ref(), &session, turn, next).await {
                    Ok(stored) => {
                        next = stored.seq.next();
                        outcomes.push((id, true));
                    }
                    Err(_) => outcomes.push((id, false)),
                }
            }
            (session, outcomes)
        }));
    }
    let mut acknowledged = 0;
    let mut failed = 0;
    let mut lost = Vec::new();
    let mut stored_but_failed = Vec::new();
    for task in tasks {
        let (session, outcomes) = task.await.unwrap();
        let stored = direct.load_latest(&session, 1000).await.unwrap();
        let mut seen = std::collections::HashMap::new();
        for turn in &stored {
            *seen.entry(turn.id.clone()).or_insert(0) += 1;
        }
        assert!(
            seen.values().all(|n| *n == 1),
            "a turn stored twice: {seen:?}"
        );
        for (id, ok) in outcomes {
            match (ok, seen.contains_key(&id)) {
                (true, true) => acknowledged += 1,
                (true, false) => lost.push(id),
                (false, false) => failed += 1,
                (false, true) => stored_but_failed.push(id),
            }
        }
    }
    flipper.abort();
    let before = proxy.counts.dropped_before.load(Relaxed);
    let after = proxy.counts.dropped_after.load(Relaxed);
    eprintln!(
        "fault run: {} turns, {acknowledged} acknowledged and stored once, {failed} reported failed \
         and absent, {} acknowledged but lost, {} stored but reported failed; connections dropped: \
         {before} before the service, {after} after its answer",
        sessions as u64 * turns,
        lost.len(),
        stored_but_failed.len()
    );
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    assert!(
        stored_but_failed.is_empty(),
        "stored but reported failed: {stored_but_failed:?}"
    );
    assert!(before > 0 && after > 0, "the proxy dropped nothing");
}
