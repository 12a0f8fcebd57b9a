//! The server killed mid-load (`kill -9`) on the embedded SQLite store and restarted on
//! the same file: every turn acknowledged (`persisted: true`) is stored exactly once,
//! every other one was reported failed (an error, no answer or `persisted: false`) and
//! is stored at most once.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use otis_core::SessionId;
use otis_core::ports::SessionStore;
use serde_json::{Value, json};

const CLIENTS: usize = 8;

/// Load before the kill, the outage, and load after the restart.
fn timeline() -> (Duration, Duration, Duration) {
    match std::env::var("OTIS_FAULT_SCALE").as_deref() {
        Ok("full") => (
            Duration::from_secs(10),
            Duration::from_secs(1),
            Duration::from_secs(5),
        ),
        _ => (
            Duration::from_secs(3),
            Duration::from_millis(500),
            Duration::from_secs(2),
        ),
    }
}

/// Starts the otis-func binary on `port` with its data in `data` and waits until it
/// answers.
async fn start_server(port: u16, data: &Path) -> tokio::process::Child {
    let child = tokio::process::Command::new(env!("CARGO_BIN_EXE_otis-func"))
        .args(["--port", &port.to_string()])
        .env("OTIS_DATA_DIR", data)
        .kill_on_drop(true)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let client = crate::client();
    for _ in 0..1200 {
        if client
            .get(format!("http://127.0.0.1:{port}/api/health"))
            .send()
            .await
            .is_ok()
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("otis-func did not answer on port {port} within 60 s");
}

/// Sends SIGKILL to the server by its PID and waits for it.
async fn kill_9(child: &mut tokio::process::Child) {
    child.kill().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_server_killed_mid_load_loses_no_acknowledged_turn() {
    let data = crate::scratch("kill");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = start_server(port, &data).await;
    let (before, down, after) = timeline();
    let running = Arc::new(AtomicBool::new(true));
    let client = crate::client();
    let mut clients = Vec::new();
    for c in 0..CLIENTS {
        let (running, client) = (running.clone(), client.clone());
        clients.push(tokio::spawn(async move {
            let session = format!("kill-{c}");
            let mut outcomes: Vec<(String, bool)> = Vec::new();
            let mut i = 0;
            while running.load(Ordering::Relaxed) {
                let question = format!("What does LONPF2 do? (c{c} n{i})");
                let body =
                    json!({"question": question, "session_id": session, "enable_persistence": true});
                let answer = client
                    .post(format!("http://127.0.0.1:{port}/api/query"))
                    .timeout(Duration::from_secs(10))
                    .body(body.to_string())
                    .send()
                    .await;
                let acknowledged = match answer {
                    Ok(response) if response.status() == 200 => response
                        .text()
                        .await
                        .ok()
                        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                        .is_some_and(|v| v["persisted"] == true),
                    _ => false,
                };
                if !acknowledged {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                outcomes.push((question, acknowledged));
                i += 1;
            }
            (session, outcomes)
        }));
    }
    tokio::time::sleep(before).await;
    kill_9(&mut server).await;
    tokio::time::sleep(down).await;
    server = start_server(port, &data).await;
    tokio::time::sleep(after).await;
    running.store(false, Ordering::Relaxed);
    let mut results = Vec::new();
    for c in clients {
        results.push(c.await.unwrap());
    }
    kill_9(&mut server).await;

    let store = otis_store_sqlite::SqliteStore::open(&data.join("otis.db")).unwrap();
    let (mut attempted, mut acknowledged, mut failed, mut failed_stored) = (0, 0, 0, 0);
    let mut lost = Vec::new();
    let mut twice = Vec::new();
    for (session, outcomes) in results {
        let stored = store
            .load_latest(&SessionId::parse(session).unwrap(), 100_000)
            .await
            .unwrap();
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for turn in &stored {
            *seen.entry(turn.user.as_str()).or_insert(0) += 1;
        }
        twice.extend(
            seen.iter()
                .filter(|(_, n)| **n > 1)
                .map(|(q, _)| q.to_string()),
        );
        for (question, ok) in outcomes {
            attempted += 1;
            let present = seen.contains_key(question.as_str());
            if ok {
                acknowledged += 1;
                if !present {
                    lost.push(question);
                }
            } else {
                failed += 1;
                if present {
                    failed_stored += 1;
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&data);
    eprintln!(
        "server kill run (SQLite, kill -9): {attempted} requests from {CLIENTS} clients, \
         {acknowledged} acknowledged, {failed} reported failed ({failed_stored} of them stored, \
         once); acknowledged but lost: {}; stored twice: {}",
        lost.len(),
        twice.len()
    );
    assert!(twice.is_empty(), "stored twice: {twice:?}");
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    assert!(failed > 0, "the kill failed no request");
    assert!(acknowledged > 0);
}
