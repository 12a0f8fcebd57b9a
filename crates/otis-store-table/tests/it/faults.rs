//! Failure cases against a scripted loopback HTTP server that answers each request with
//! the next reply of its script: throttling, 5xx, failed batches, silence, garbage.

use std::time::Duration;

use otis_core::ports::{SessionStore, StoreError};
use otis_core::{Metadata, NewTurn, Seq, SessionId, Timestamp, TurnId};
use otis_store_table::{Connection, RetryPolicy, TableStore};
use otis_testkit::scripted::{Reply, Scripted};

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

fn store(endpoint: &str, policy: RetryPolicy) -> TableStore {
    let connection: Connection = crate::connection(endpoint);
    TableStore::open_existing(connection, "scripted", policy).unwrap()
}

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        max_elapsed: Duration::from_secs(5),
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
    let policy = RetryPolicy {
        max_attempts: 2,
        attempt_timeout: Duration::from_millis(300),
        ..quick()
    };
    let err = store(&endpoint, policy)
        .load_latest(&session(), 10)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert_eq!(server.received().len(), 2);
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
