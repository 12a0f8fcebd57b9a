//! HTTP benchmark: cold start of the otis-func binary to its first 200 on /api/health,
//! and /api/query throughput and latency with 64 concurrent sessions, extractive model,
//! over the in-memory store, embedded SQLite, Azure Tables on Azurite and Redis. Run with
//! `cargo xtask bench http` (it starts Azurite and a redis-server and collects the report).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use otis_app::{IndexMode, Settings};
use otis_func::{AppState, serve};
use serde_json::json;

const SESSIONS: usize = 64;
const PER_SESSION: usize = 40;
/// Requests per session before measuring, on sessions of their own: the server's and the
/// store's first requests (connections, index pages, and on a fresh Azurite its
/// JavaScript engine compiling every code path) are not what a running service sees.
const WARMUP_PER_SESSION: usize = 4;

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn settings(extra: &[(&str, String)], data: &std::path::Path) -> Settings {
    let mut values = std::collections::BTreeMap::new();
    values.insert("OTIS_DATA_DIR".to_string(), data.display().to_string());
    for (k, v) in extra {
        values.insert((*k).to_string(), v.clone());
    }
    Settings::from_values(&values, vec!["bench".into()]).unwrap()
}

async fn cold_start(data: &std::path::Path) -> Vec<Duration> {
    let client = reqwest::Client::new();
    let mut samples = Vec::new();
    for _ in 0..11 {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let started = Instant::now();
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_otis-func"))
            .args(["--port", &port.to_string()])
            .env("OTIS_DATA_DIR", data)
            .kill_on_drop(true)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        loop {
            if let Ok(r) = client
                .get(format!("http://127.0.0.1:{port}/api/health"))
                .send()
                .await
                && r.status() == 200
            {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(30), "no health");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        samples.push(started.elapsed());
        child.kill().await.unwrap();
    }
    // The first start built the index; report the starts that opened it.
    samples.remove(0);
    samples
}

/// `SESSIONS` sessions asking `per_session` questions each, all at once; the latencies and
/// the elapsed time.
async fn round(
    client: &reqwest::Client,
    url: &str,
    tag: &str,
    per_session: usize,
) -> (Vec<Duration>, Duration) {
    let questions = [
        "What does LONPF2 do?",
        "What copybooks does it use?",
        "Who calls it?",
        "What files does it use?",
    ];
    let started = Instant::now();
    let mut tasks = Vec::new();
    for s in 0..SESSIONS {
        let client = client.clone();
        let url = url.to_owned();
        let session = format!("bench-{tag}-{s}");
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_session);
            for i in 0..per_session {
                let body = json!({"question": questions[i % questions.len()], "session_id": session, "enable_persistence": true});
                let t = Instant::now();
                let response = client.post(&url).body(body.to_string()).send().await.unwrap();
                assert_eq!(response.status(), 200);
                let _ = response.bytes().await.unwrap();
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.unwrap());
    }
    (all, started.elapsed())
}

/// Serves `settings`, warms up with `warmup` requests per session (none: measure the
/// very first burst), then measures; requests/s, p50, p99, count.
async fn load(settings: Settings, warmup: usize) -> (f64, Duration, Duration, usize) {
    let app = otis_app::build(settings, IndexMode::OpenOrBuild, &mut |_| {})
        .await
        .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/api/query", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, AppState::new(app), async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(SESSIONS)
        .build()
        .unwrap();
    // Sessions of their own on every call, even on a store kept from an earlier call.
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let run = format!("{:x}", nanos ^ u128::from(std::process::id()));
    if warmup > 0 {
        round(&client, &url, &format!("warm-{run}"), warmup).await;
    }
    let (mut all, elapsed) = round(&client, &url, &run, PER_SESSION).await;
    let _ = stop.send(());
    server.await.unwrap().unwrap();
    let n = all.len();
    let p50 = percentile(&mut all, 0.5);
    let p99 = percentile(&mut all, 0.99);
    (n as f64 / elapsed.as_secs_f64(), p50, p99, n)
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let data = std::env::temp_dir().join(format!("otis-bench-http-{}", std::process::id()));
    let mut out = String::new();
    runtime.block_on(async {
        let mut starts = cold_start(&data).await;
        let p50 = percentile(&mut starts, 0.5);
        let max = *starts.iter().max().unwrap();
        writeln!(out, "### Cold start\n\nRelease `otis-func` binary, embedded SQLite store, existing index: process spawn to the first 200 on `/api/health`, {} starts: median **{:.1} ms**, max {:.1} ms.\n", starts.len(), ms(p50), ms(max)).unwrap();

        writeln!(out, "### /api/query with {SESSIONS} concurrent sessions\n").unwrap();
        writeln!(out, "Each session asks {PER_SESSION} questions in turn (follow-ups included), persisted; extractive model, local index; client and server on one 2-core machine. Measured after a warm-up of {WARMUP_PER_SESSION} questions on each of {SESSIONS} other sessions, except the first Azurite row: the same load as the very first requests a freshly started Azurite serves.\n").unwrap();
        writeln!(out, "| store | requests | requests/s | p50 ms | p99 ms |").unwrap();
        writeln!(out, "|---|---|---|---|---|").unwrap();
        let memory = settings(&[("OTIS_STORE", "memory".into())], &data);
        let (rps, p50, p99, n) = load(memory, WARMUP_PER_SESSION).await;
        writeln!(out, "| in-memory | {n} | {rps:.0} | {:.2} | {:.2} |", ms(p50), ms(p99)).unwrap();
        let sqlite = settings(&[("OTIS_STORE", "sqlite".into())], &data);
        let (rps, p50, p99, n) = load(sqlite, WARMUP_PER_SESSION).await;
        writeln!(out, "| embedded SQLite | {n} | {rps:.0} | {:.2} | {:.2} |", ms(p50), ms(p99)).unwrap();
        if let Ok(endpoint) = std::env::var("OTIS_BENCH_AZURITE") {
            let connection = format!(
                "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint={endpoint}"
            );
            let table = settings(&[("AZURE_STORAGE_CONNECTION_STRING", connection.clone()), ("OTIS_TABLE_NAME", "benchhttp".into())], &data);
            let (rps, p50, p99, n) = load(table, 0).await;
            writeln!(out, "| Azure Tables on Azurite, first burst on a fresh Azurite | {n} | {rps:.0} | {:.2} | {:.2} |", ms(p50), ms(p99)).unwrap();
            // A table of its own, so that Azurite's query scans (it keeps no index) cover
            // as many rows as in the cold run.
            let table = settings(&[("AZURE_STORAGE_CONNECTION_STRING", connection), ("OTIS_TABLE_NAME", "benchhttpwarm".into())], &data);
            let (rps, p50, p99, n) = load(table, WARMUP_PER_SESSION).await;
            writeln!(out, "| Azure Tables on Azurite | {n} | {rps:.0} | {:.2} | {:.2} |", ms(p50), ms(p99)).unwrap();
        }
        if let Ok(url) = std::env::var("OTIS_BENCH_REDIS").map(|u| u.trim().to_owned()) && !url.is_empty() {
            let redis = settings(&[("OTIS_STORE", "redis".into()), ("REDIS_URL", url), ("OTIS_REDIS_PREFIX", "benchhttp".into())], &data);
            let (rps, p50, p99, n) = load(redis, WARMUP_PER_SESSION).await;
            writeln!(out, "| Redis (local redis-server) | {n} | {rps:.0} | {:.2} | {:.2} |", ms(p50), ms(p99)).unwrap();
        }
    });
    let _ = std::fs::remove_dir_all(&data);
    println!("{out}");
    if let Ok(path) = std::env::var("OTIS_BENCH_OUT") {
        std::fs::write(path, &out).unwrap();
    }
}
