//! Failure cases against a scripted loopback HTTP server that answers each request with
//! the next reply of its script: throttling, 5xx, failed batches, silence, garbage.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use otis_core::ports::{SessionStore, StoreError};
use otis_core::{Metadata, NewTurn, Seq, SessionId, Timestamp, TurnId};
use otis_store_table::{Connection, RetryPolicy, TableStore};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

enum Reply {
    Answer(&'static str, &'static str, String),
    Silence,
}

struct Scripted {
    endpoint: String,
    seen: Arc<AtomicUsize>,
}

const OK_BATCH: &str = "--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_2\r\n\r\n\
--changesetresponse_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 204 No Content\r\nContent-ID: 1\r\n\r\n\r\n\
--changesetresponse_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 204 No Content\r\nContent-ID: 2\r\n\r\n\r\n\
--changesetresponse_2--\r\n--batchresponse_1--\r\n";

const FAILED_BATCH: &str = "--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_2\r\n\r\n\
--changesetresponse_2\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 400 Bad Request\r\nContent-ID: 2\r\nContent-Type: application/json\r\n\r\n\
{\"odata.error\":{\"code\":\"InvalidInput\",\"message\":{\"value\":\"1:Bad property.\"}}}\r\n\
--changesetresponse_2--\r\n--batchresponse_1--\r\n";

async fn serve(script: Vec<Reply>) -> Scripted {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let script = Arc::new(Mutex::new(VecDeque::from(script)));
    let seen = Arc::new(AtomicUsize::new(0));
    let counter = seen.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let script = script.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut buffer = Vec::new();
                loop {
                    // Read one request: head, then Content-Length bytes of body.
                    let head_end = loop {
                        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                            break i + 4;
                        }
                        let mut chunk = [0u8; 4096];
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    };
                    let head = String::from_utf8_lossy(&buffer[..head_end]).to_ascii_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    while buffer.len() < head_end + length {
                        let mut chunk = [0u8; 4096];
                        match socket.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                        }
                    }
                    buffer.drain(..head_end + length);
                    counter.fetch_add(1, Ordering::SeqCst);
                    let reply = script.lock().unwrap().pop_front();
                    match reply {
                        Some(Reply::Answer(status, extra, body)) => {
                            let content_type = if body.starts_with("--batchresponse") {
                                "multipart/mixed; boundary=batchresponse_1"
                            } else {
                                "application/json"
                            };
                            let response = format!(
                                "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}Content-Length: {}\r\n\r\n{body}",
                                body.len()
                            );
                            if socket.write_all(response.as_bytes()).await.is_err() {
                                return;
                            }
                        }
                        Some(Reply::Silence) | None => {
                            tokio::time::sleep(Duration::from_secs(3600)).await;
                            return;
                        }
                    }
                }
            });
        }
    });
    Scripted {
        endpoint: format!("http://127.0.0.1:{port}/devstoreaccount1"),
        seen,
    }
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
    let server = serve(vec![
        Reply::Answer("503 Server Busy", "Retry-After: 0\r\n", String::new()),
        Reply::Answer("429 Too Many Requests", "", String::new()),
        Reply::Answer("202 Accepted", "", OK_BATCH.into()),
    ])
    .await;
    store(&server.endpoint, quick())
        .insert_turn(&session(), &turn())
        .await
        .unwrap();
    assert_eq!(server.seen.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn retries_are_bounded_and_end_as_unavailable() {
    let busy = || Reply::Answer("500 Internal Server Error", "", String::new());
    let server = serve(vec![busy(), busy(), busy(), busy()]).await;
    let err = store(&server.endpoint, quick())
        .load_latest(&session(), 10)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert_eq!(server.seen.load(Ordering::SeqCst), 3, "max_attempts is 3");
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    let server = serve(vec![Reply::Answer(
        "400 Bad Request",
        "",
        r#"{"odata.error":{"code":"InvalidInput","message":{"value":"no"}}}"#.into(),
    )])
    .await;
    let err = store(&server.endpoint, quick())
        .load_latest(&session(), 10)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    assert!(
        err.to_string().contains("InvalidInput") || format!("{err:?}").contains("InvalidInput")
    );
    assert_eq!(server.seen.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_failed_batch_is_an_error_not_success() {
    let server = serve(vec![Reply::Answer("202 Accepted", "", FAILED_BATCH.into())]).await;
    let err = store(&server.endpoint, quick())
        .insert_turn(&session(), &turn())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
    assert!(format!("{err:?}").contains("InvalidInput"), "{err:?}");
}

#[tokio::test]
async fn a_silent_server_times_out() {
    let server = serve(vec![Reply::Silence, Reply::Silence, Reply::Silence]).await;
    let policy = RetryPolicy {
        max_attempts: 2,
        attempt_timeout: Duration::from_millis(300),
        ..quick()
    };
    let err = store(&server.endpoint, policy)
        .load_latest(&session(), 10)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unavailable(_)), "{err:?}");
    assert_eq!(server.seen.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_malformed_body_is_an_error() {
    let server = serve(vec![Reply::Answer("200 OK", "", "{not json".into())]).await;
    let err = store(&server.endpoint, quick())
        .load_latest(&session(), 10)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Backend(_)), "{err:?}");
}
