//! `cargo xtask soak`: the server's memory under session churn (docs/reliability.md).
//!
//! Builds `otis-func` (release), serves the sample corpus on the embedded SQLite store,
//! and runs `OTIS_SOAK_ROUNDS` rounds (10) of `OTIS_SOAK_SECONDS` seconds (10) with
//! `OTIS_SOAK_CONNECTIONS` client threads (128), each round on sessions never seen
//! before; after each round it reads the server's resident memory (VmRSS) and prints
//! one line per round. Loopback only, bounded in time. Standard library only: one
//! request per connection (`Connection: close`).

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::azurite::own_group;
use crate::workspace::{cargo, target_dir};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A number from `/proc/PID/status` (`VmRSS` in KiB, `Threads`).
fn status(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn rss_kib(pid: u32) -> Option<u64> {
    status(pid, "VmRSS")
}

/// One POST /api/query; whether it answered 200.
fn ask(addr: SocketAddr, session: &str, question: &str) -> bool {
    let body = format!(
        "{{\"question\":\"{question}\",\"session_id\":\"{session}\",\"enable_persistence\":true}}"
    );
    let request = format!(
        "POST /api/query HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_secs(5)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    response.starts_with(b"HTTP/1.1 200")
}

pub(crate) fn soak() -> Result<(), String> {
    let rounds = setting("OTIS_SOAK_ROUNDS", 10);
    let seconds = setting("OTIS_SOAK_SECONDS", 10);
    let connections = setting("OTIS_SOAK_CONNECTIONS", 128);
    cargo(&["build", "--release", "--quiet", "--package", "otis-func"])?;
    let binary = target_dir().join("release").join("otis-func");
    let data = std::env::temp_dir().join(format!("otis-soak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let mut server = own_group(
        Command::new(&binary)
            .args(["--port", &port.to_string()])
            .env("OTIS_DATA_DIR", &data)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .spawn()
    .map_err(|e| format!("could not start {}: {e}", binary.display()))?;
    let pid = server.id();
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if Instant::now() > deadline {
            let _ = server.kill();
            return Err("otis-func did not listen within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    println!(
        "soak: otis-func (release, SQLite), {connections} connections, {rounds} rounds of {seconds} s, new sessions each round"
    );
    println!("| round | requests | failed | RSS MiB | threads |");
    println!("|---|---|---|---|---|");
    println!(
        "| start | 0 | 0 | {:.1} | {} |",
        rss_kib(pid).unwrap_or(0) as f64 / 1024.0,
        status(pid, "Threads").unwrap_or(0)
    );
    let questions = [
        "What does LONPF2 do?",
        "What copybooks does it use?",
        "Who calls it?",
    ];
    for round in 1..=rounds {
        let ok = Arc::new(AtomicU64::new(0));
        let failed = Arc::new(AtomicU64::new(0));
        let stop = Instant::now() + Duration::from_secs(seconds);
        let threads: Vec<_> = (0..connections)
            .map(|c| {
                let (ok, failed) = (ok.clone(), failed.clone());
                std::thread::spawn(move || {
                    let mut i = 0usize;
                    while Instant::now() < stop {
                        // A new session every 3 questions: churn.
                        let session = format!("soak-r{round}-c{c}-s{}", i / 3);
                        if ask(addr, &session, questions[i % 3]) {
                            ok.fetch_add(1, Ordering::Relaxed);
                        } else {
                            failed.fetch_add(1, Ordering::Relaxed);
                        }
                        i += 1;
                    }
                })
            })
            .collect();
        for thread in threads {
            let _ = thread.join();
        }
        let rss = rss_kib(pid).unwrap_or(0) as f64 / 1024.0;
        println!(
            "| {round} | {} | {} | {rss:.1} | {} |",
            ok.load(Ordering::Relaxed),
            failed.load(Ordering::Relaxed),
            status(pid, "Threads").unwrap_or(0)
        );
    }
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&data);
    Ok(())
}
