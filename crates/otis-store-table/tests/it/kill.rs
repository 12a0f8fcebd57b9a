//! Azurite killed mid-load (SIGINT, SIGTERM, SIGKILL), with its data on disk, while
//! writers append turns through the Table store; then restarted on the same folder.
//!
//! Every acknowledged turn must be there exactly once and every turn reported failed at
//! most once, except what Azurite itself lost: it saves its database to disk every 5 s
//! (LokiJS autosave), so a crash loses its last seconds of acknowledged writes. A
//! control writer tells those apart: it inserts rows with plain HTTP requests (one
//! attempt, no OTIS code) and records which ones Azurite acknowledged, and when each was
//! sent. Azurite's last save came after the last kept control row (before the first
//! lost one) was sent; an acknowledged turn that is missing counts as Azurite's loss
//! only if the control writer lost rows and the turn was acknowledged between that send
//! and the kill. Anything else missing is ours and fails the test, as does any turn
//! stored twice.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use base64::Engine as _;
use hmac::{Hmac, Mac};
use otis_core::ports::SessionStore;
use otis_core::{Metadata, NewTurn, Seq, SessionId, Timestamp, TurnId};
use otis_store_table::{ClientPolicy, RetryPolicy, TableStore};
use otis_testkit::azurite::{self, Azurite};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How the service is stopped.
#[derive(Debug, Clone, Copy)]
enum Stop {
    /// SIGINT: Azurite's table service closes its server (and saves).
    Interrupt,
    /// SIGTERM: what a service manager sends; Azurite's table service has no handler
    /// for it, so Node's default applies (exit at once).
    Terminate,
    /// `kill -9`.
    Kill,
}

/// Seconds of load before the stop (more than one 5 s autosave), the outage, and after.
fn timeline() -> (Duration, Duration, Duration) {
    match std::env::var("OTIS_FAULT_SCALE").as_deref() {
        Ok("full") => (
            Duration::from_secs(12),
            Duration::from_secs(2),
            Duration::from_secs(6),
        ),
        _ => (
            Duration::from_millis(6500),
            Duration::from_secs(1),
            Duration::from_secs(2),
        ),
    }
}

const WRITERS: usize = 4;

fn policy() -> ClientPolicy {
    ClientPolicy {
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
            max_elapsed: Duration::from_secs(3),
        },
        attempt_timeout: Duration::from_secs(1),
    }
}

/// One insert of row `row` into `table`, signed with Shared Key Lite, one attempt over
/// a new connection; whether Azurite answered 201/204.
async fn control_insert(port: u16, table: &str, row: u64) -> bool {
    let path = format!("/devstoreaccount1/{table}");
    let body = format!(r#"{{"PartitionKey":"control","RowKey":"{row:010}","n":"{row}"}}"#);
    let head = signed_head("POST", port, &path, body.len());
    let request =
        format!("{head}Content-Type: application/json\r\nPrefer: return-no-content\r\n\r\n{body}");
    let attempt = async {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()?;
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.ok()?;
        Some(response.starts_with(b"HTTP/1.1 204") || response.starts_with(b"HTTP/1.1 201"))
    };
    tokio::time::timeout(Duration::from_secs(1), attempt)
        .await
        .ok()
        .flatten()
        .unwrap_or(false)
}

fn signed_head(method: &str, port: u16, path: &str, length: usize) -> String {
    let date = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc2822)
        .unwrap()
        .replace("+0000", "GMT");
    let mut mac = Hmac::<Sha256>::new_from_slice(
        &base64::engine::general_purpose::STANDARD
            .decode(azurite::DEV_KEY)
            .unwrap(),
    )
    .unwrap();
    mac.update(format!("{date}\n/devstoreaccount1{path}").as_bytes());
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         x-ms-date: {date}\r\nx-ms-version: 2019-02-02\r\n\
         Accept: application/json;odata=nometadata\r\nDataServiceVersion: 3.0;NetFx\r\n\
         Authorization: SharedKeyLite devstoreaccount1:{signature}\r\nContent-Length: {length}\r\n"
    )
}

/// The control rows stored, read with plain HTTP (following continuation tokens).
async fn control_rows(port: u16, table: &str) -> Vec<u64> {
    let mut rows = Vec::new();
    let mut next: Option<(String, String)> = None;
    loop {
        let path = format!("/devstoreaccount1/{table}()");
        let mut query = String::from("$filter=PartitionKey%20eq%20%27control%27");
        if let Some((p, r)) = &next {
            query.push_str(&format!("&NextPartitionKey={p}&NextRowKey={r}"));
        }
        let head = signed_head("GET", port, &path, 0);
        let head = head.replacen(&path, &format!("{path}?{query}"), 1);
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        stream
            .write_all(format!("{head}\r\n").as_bytes())
            .await
            .unwrap();
        let mut response = Vec::new();
        stream.read_to_end(&mut response).await.unwrap();
        let text = String::from_utf8_lossy(&response).into_owned();
        let (headers, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(headers.starts_with("HTTP/1.1 200"), "{headers}");
        let body = dechunk(body, headers);
        let value: serde_json::Value = serde_json::from_str(&body).unwrap();
        for entity in value["value"].as_array().unwrap() {
            rows.push(entity["n"].as_str().unwrap().parse().unwrap());
        }
        let header = |name: &str| {
            headers.lines().find_map(|l| {
                let (n, v) = l.split_once(':')?;
                n.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
            })
        };
        match (
            header("x-ms-continuation-NextPartitionKey"),
            header("x-ms-continuation-NextRowKey"),
        ) {
            (Some(p), Some(r)) => next = Some((p, r)),
            _ => return rows,
        }
    }
}

fn dechunk(body: &str, headers: &str) -> String {
    if !headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return body.to_owned();
    }
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
    out
}

/// Waits until Azurite's database file on disk names `tables` (its autosave ran).
fn wait_saved(dir: &Path, tables: &[&str]) {
    let file = dir.join("__azurite_db_table__.json");
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        if tables.iter().all(|t| text.contains(t)) {
            return;
        }
        assert!(Instant::now() < deadline, "Azurite never saved its tables");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// What one writer was told: turn id, acknowledged, when the answer came.
type Outcomes = Vec<(TurnId, bool, Instant)>;

#[derive(Debug, Default)]
struct Report {
    attempted: usize,
    acknowledged: usize,
    acknowledged_lost_azurite: usize,
    acknowledged_lost_ours: Vec<TurnId>,
    reported_failed: usize,
    reported_failed_stored: usize,
    duplicates: Vec<TurnId>,
    control_acknowledged: usize,
    control_lost: usize,
}

async fn kill_mid_load(stop: Stop) -> Report {
    let dir: PathBuf = std::env::temp_dir().join(format!(
        "otis-kill-{stop:?}-{}-{}",
        std::process::id(),
        azurite::fresh_table()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let mut server = Azurite::start_on_disk(&dir);
    let port: u16 = server
        .endpoint
        .trim_start_matches("http://127.0.0.1:")
        .split('/')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let connection = crate::connection(&server.endpoint);
    let table = azurite::fresh_table();
    let control = azurite::fresh_table();
    let store = Arc::new(
        TableStore::open(connection.clone(), &table, policy())
            .await
            .unwrap(),
    );
    TableStore::open(connection, &control, policy())
        .await
        .unwrap();
    {
        let (dir, t, c) = (dir.clone(), table.clone(), control.clone());
        tokio::task::spawn_blocking(move || wait_saved(&dir, &[&t, &c]))
            .await
            .unwrap();
    }
    let (before, down, after) = timeline();
    let started = Instant::now();
    let running = Arc::new(AtomicBool::new(true));
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let (store, running) = (store.clone(), running.clone());
        writers.push(tokio::spawn(async move {
            let session = SessionId::parse(format!("kill-{w}")).unwrap();
            let mut next = Seq::FIRST;
            let mut outcomes: Outcomes = Vec::new();
            let mut i = 0u64;
            while running.load(Ordering::Relaxed) {
                let turn = NewTurn {
                    id: TurnId::parse(format!("w{w}-t{i}")).unwrap(),
                    at: Timestamp::now(),
                    user: format!("q{i}"),
                    assistant: "a".into(),
                    metadata: Metadata::new(),
                };
                let id = turn.id.clone();
                let ok = match otis_core::append_turn(store.as_ref(), &session, turn, next).await {
                    Ok(stored) => {
                        next = stored.seq.next();
                        true
                    }
                    Err(_) => false,
                };
                outcomes.push((id, ok, Instant::now()));
                i += 1;
                tokio::time::sleep(Duration::from_millis(if ok { 10 } else { 100 })).await;
            }
            (session, outcomes)
        }));
    }
    let control_writer = {
        let (running, control) = (running.clone(), control.clone());
        tokio::spawn(async move {
            let mut acks: Vec<(u64, bool, Instant)> = Vec::new();
            let mut row = 0u64;
            while running.load(Ordering::Relaxed) {
                let sent = Instant::now();
                let ok = control_insert(port, &control, row).await;
                acks.push((row, ok, sent));
                row += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            acks
        })
    };
    tokio::time::sleep(before).await;
    let killed_at = Instant::now();
    server = tokio::task::spawn_blocking(move || {
        match stop {
            Stop::Interrupt => server.interrupt(),
            Stop::Terminate => server.terminate(),
            Stop::Kill => server.stop(),
        }
        server
    })
    .await
    .unwrap();
    // Answers can arrive until the process is gone.
    let dead_at = Instant::now();
    tokio::time::sleep(down).await;
    server = tokio::task::spawn_blocking(move || {
        server.restart();
        server
    })
    .await
    .unwrap();
    tokio::time::sleep(after).await;
    running.store(false, Ordering::Relaxed);

    let mut report = Report::default();
    let control_acks = control_writer.await.unwrap();
    let stored_rows: std::collections::HashSet<u64> =
        control_rows(port, &control).await.into_iter().collect();
    // Azurite's window: it saved a snapshot after the last acknowledged control row that
    // survived (before the first one lost) was sent, and lost everything committed after
    // it up to the kill. A turn acknowledged in that window may be Azurite's loss.
    let mut last_kept: Option<Instant> = None;
    let mut first_lost: Option<Instant> = None;
    for (row, ok, sent) in &control_acks {
        if *ok {
            report.control_acknowledged += 1;
            if stored_rows.contains(row) {
                if first_lost.is_none() {
                    last_kept = Some(*sent);
                }
            } else {
                report.control_lost += 1;
                first_lost.get_or_insert(*sent);
            }
        }
    }
    let azurite_window = first_lost.map(|_| (last_kept.unwrap_or(started), dead_at));
    for writer in writers {
        let (session, outcomes) = writer.await.unwrap();
        let stored = store.load_latest(&session, 100_000).await.unwrap();
        let mut seen: HashMap<TurnId, usize> = HashMap::new();
        for turn in &stored {
            *seen.entry(turn.id.clone()).or_insert(0) += 1;
        }
        for (id, n) in &seen {
            if *n > 1 {
                report.duplicates.push(id.clone());
            }
        }
        for (id, ok, at) in outcomes {
            report.attempted += 1;
            let present = seen.contains_key(&id);
            if ok {
                report.acknowledged += 1;
                if !present {
                    match azurite_window {
                        Some((from, to)) if at >= from && at <= to => {
                            report.acknowledged_lost_azurite += 1;
                        }
                        _ => {
                            eprintln!(
                                "lost {id:?}: acknowledged {:?} after the stop began (window {:?})",
                                at.saturating_duration_since(killed_at),
                                azurite_window.map(|(f, t)| (
                                    killed_at.saturating_duration_since(f),
                                    t.saturating_duration_since(killed_at)
                                ))
                            );
                            report.acknowledged_lost_ours.push(id);
                        }
                    }
                }
            } else {
                report.reported_failed += 1;
                if present {
                    report.reported_failed_stored += 1;
                }
            }
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
    eprintln!(
        "kill run ({stop:?}): {} turns attempted by {WRITERS} writers, {} acknowledged, {} reported \
         failed ({} of them stored, once); acknowledged but lost: {} by Azurite (control window), \
         {} ours; duplicates: {}; control writer: {} acknowledged, {} lost",
        report.attempted,
        report.acknowledged,
        report.reported_failed,
        report.reported_failed_stored,
        report.acknowledged_lost_azurite,
        report.acknowledged_lost_ours.len(),
        report.duplicates.len(),
        report.control_acknowledged,
        report.control_lost
    );
    assert!(
        report.duplicates.is_empty(),
        "stored twice: {:?}",
        report.duplicates
    );
    assert!(
        report.acknowledged_lost_ours.is_empty(),
        "acknowledged, lost, and not in a window where the control writer lost rows too: {:?}",
        report.acknowledged_lost_ours
    );
    assert!(report.reported_failed > 0, "the outage failed no append");
    assert!(report.acknowledged > 0 && report.control_acknowledged > 0);
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn azurite_interrupted_mid_load_loses_no_acknowledged_turn() {
    let report = kill_mid_load(Stop::Interrupt).await;
    assert_eq!(report.control_lost, 0, "a graceful stop saves everything");
    assert_eq!(report.acknowledged_lost_azurite, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn azurite_terminated_mid_load_loses_no_acknowledged_turn_of_ours() {
    kill_mid_load(Stop::Terminate).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn azurite_killed_mid_load_loses_no_acknowledged_turn_of_ours() {
    kill_mid_load(Stop::Kill).await;
}
