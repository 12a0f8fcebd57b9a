//! Redis store benchmark: commands per append and per window load (counted by the
//! server's `INFO commandstats`), append and load latency against the same command sent
//! by hand on the same server, and turns/s with concurrent sessions. Run with
//! `cargo xtask bench store`, which starts a `redis-server` for it, passes its URL in
//! `OTIS_BENCH_REDIS`, and has the report written to the file named by `OTIS_BENCH_OUT`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use otis_core::ports::SessionStore;
use otis_core::{Conversation, MaxTurns, Metadata, NewTurn, SessionId, Timestamp, TurnId};
use otis_store_redis::{RedisConfig, RedisConnection, RedisStore, Topology};
use redis::aio::MultiplexedConnection;
use serde_json::json;

fn turn(i: u64) -> NewTurn {
    NewTurn {
        id: TurnId::parse(format!("b{i}")).unwrap(),
        at: Timestamp::now(),
        user: "What copybooks does LONPF2 use?".into(),
        assistant: "LONPF2 copies LNREC, PAYREC and ERRMSG. ".repeat(8),
        metadata: Metadata::from_iter([("program".to_string(), json!("LONPF2"))]),
    }
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    // `cargo bench` passes --bench; any other run (e.g. `cargo test --benches`) is a no-op.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let Ok(url) = std::env::var("OTIS_BENCH_REDIS") else {
        eprintln!("OTIS_BENCH_REDIS is not set: run `cargo xtask bench store`");
        std::process::exit(2);
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let report = runtime.block_on(run(&url));
    println!("{report}");
    if let Ok(out) = std::env::var("OTIS_BENCH_OUT") {
        std::fs::write(&out, &report).unwrap();
        eprintln!("written to {out}");
    }
}

async fn raw(url: &str) -> MultiplexedConnection {
    redis::Client::open(url)
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// Calls per command since the last `CONFIG RESETSTAT`.
async fn commandstats(raw: &mut MultiplexedConnection) -> BTreeMap<String, u64> {
    let info: String = redis::cmd("INFO")
        .arg("commandstats")
        .query_async(raw)
        .await
        .unwrap();
    info.lines()
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
        .filter(|(name, _)| !matches!(name.as_str(), "info" | "config|resetstat"))
        .collect()
}

async fn reset_stats(raw: &mut MultiplexedConnection) {
    let _: () = redis::cmd("CONFIG")
        .arg("RESETSTAT")
        .query_async(raw)
        .await
        .unwrap();
}

fn describe(stats: &BTreeMap<String, u64>, sent: &[&str]) -> (u64, String) {
    let client: u64 = stats
        .iter()
        .filter(|(n, _)| sent.contains(&n.as_str()))
        .map(|(_, c)| c)
        .sum();
    let inside: Vec<String> = stats
        .iter()
        .filter(|(n, _)| !sent.contains(&n.as_str()))
        .map(|(n, c)| format!("{n} {c}"))
        .collect();
    (
        client,
        if inside.is_empty() {
            "-".into()
        } else {
            inside.join(", ")
        },
    )
}

async fn run(url: &str) -> String {
    let mut out = String::new();
    let mut config = RedisConfig::new(RedisConnection::parse(url).unwrap());
    config.prefix = "bench".into();
    config.topology = Topology::Single;
    config.session_ttl = Some(Duration::from_secs(30 * 86_400));
    let store = RedisStore::open(config).unwrap();
    let dyn_store: Arc<dyn SessionStore> = Arc::new(store.clone());
    let mut admin = raw(url).await;
    let version: String = redis::cmd("INFO")
        .arg("server")
        .query_async(&mut admin)
        .await
        .unwrap();
    let version = version
        .lines()
        .find_map(|l| l.strip_prefix("redis_version:"))
        .unwrap_or("?")
        .trim()
        .to_owned();
    writeln!(
        out,
        "Server: redis-server {version}, single node, no persistence, loopback; client: the \
         store's reconnecting connection (redis-rs `ConnectionManager`); TTL 30 days on.\n"
    )
    .unwrap();

    // 1. Commands per append and per window load at several history lengths.
    writeln!(
        out,
        "### Commands per operation (server's `INFO commandstats`, `CONFIG RESETSTAT` before each)\n"
    )
    .unwrap();
    writeln!(
        out,
        "| history | commands per append (sent) | run inside the append script | commands per load (sent) | run inside |"
    )
    .unwrap();
    writeln!(out, "|---|---|---|---|---|").unwrap();
    let session = SessionId::parse("bench-commands").unwrap();
    let mut conversation =
        Conversation::load(dyn_store.clone(), session.clone(), MaxTurns::DEFAULT)
            .await
            .unwrap();
    let mut written = 0;
    for history in [5u64, 30, 200] {
        while written < history - 1 {
            conversation.add(turn(written)).await.unwrap();
            written += 1;
        }
        reset_stats(&mut admin).await;
        conversation.add(turn(written)).await.unwrap();
        written += 1;
        let (append_sent, append_inside) =
            describe(&commandstats(&mut admin).await, &["evalsha", "eval"]);
        reset_stats(&mut admin).await;
        let loaded = Conversation::load(dyn_store.clone(), session.clone(), MaxTurns::DEFAULT)
            .await
            .unwrap();
        assert_eq!(loaded.len(), history.min(10) as usize);
        let (load_sent, load_inside) = describe(
            &commandstats(&mut admin).await,
            &["zrevrange", "evalsha", "eval"],
        );
        writeln!(
            out,
            "| {history} | **{append_sent}** (`EVALSHA`) | {append_inside} | **{load_sent}** (`ZREVRANGE`) | {load_inside} |"
        )
        .unwrap();
    }

    // 2. Append vs the same script sent by hand, interleaved so noise hits both alike.
    const N: usize = 2000;
    let session = SessionId::parse("bench-append").unwrap();
    let raw_session = SessionId::parse("bench-append-raw").unwrap();
    let raw_keys = store.session_keys(&raw_session);
    let script = redis::Script::new(store.append_script());
    let raw_prefix = raw_keys
        .turns
        .strip_suffix("bench-append-raw")
        .unwrap()
        .to_owned();
    let mut hand = raw(url).await;
    let _: String = redis::cmd("SCRIPT")
        .arg("LOAD")
        .arg(store.append_script())
        .query_async(&mut hand)
        .await
        .unwrap();
    let mut conversation =
        Conversation::load(dyn_store.clone(), session.clone(), MaxTurns::DEFAULT)
            .await
            .unwrap();
    let (mut appends, mut evalshas, mut zadds) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..N as u64 {
        let t = Instant::now();
        conversation.add(turn(i)).await.unwrap();
        appends.push(t.elapsed());
        // The same command by hand: EVALSHA with the same keys and arguments, the member
        // already encoded (as the adapter encodes it, here outside the timing).
        let t_raw = turn(i);
        let member = format!(
            "{i} b{i} {} {} {}\n{}{}{}",
            Timestamp::now().unix_millis(),
            t_raw.user.len(),
            t_raw.assistant.len(),
            t_raw.user,
            t_raw.assistant,
            serde_json::to_string(&t_raw.metadata).unwrap()
        );
        let mut cmd = redis::cmd("EVALSHA");
        cmd.arg(script.get_hash())
            .arg(3)
            .arg(&raw_keys.turns)
            .arg(&raw_keys.index)
            .arg(&raw_keys.activity)
            .arg(i)
            .arg(&member)
            .arg(raw_session.as_str())
            .arg(Timestamp::now().unix_millis())
            .arg(30i64 * 86_400_000)
            .arg(&raw_prefix);
        let t = Instant::now();
        let reply: i64 = cmd.query_async(&mut hand).await.unwrap();
        evalshas.push(t.elapsed());
        assert_eq!(reply, 1);
        let t = Instant::now();
        let _: i64 = redis::cmd("ZADD")
            .arg("bench:raw-zadd")
            .arg(i)
            .arg(&member)
            .query_async(&mut hand)
            .await
            .unwrap();
        zadds.push(t.elapsed());
    }

    // 3. Load the latest 30 of a 1000-turn session vs the same ZREVRANGE by hand.
    let session = SessionId::parse("bench-load").unwrap();
    let mut conversation =
        Conversation::load(dyn_store.clone(), session.clone(), MaxTurns::DEFAULT)
            .await
            .unwrap();
    for i in 0..1000 {
        conversation.add(turn(i)).await.unwrap();
    }
    let load_key = store.session_keys(&session).turns;
    let (mut loads, mut ranges) = (Vec::new(), Vec::new());
    for _ in 0..N {
        let t = Instant::now();
        let loaded = store.load_latest(&session, 30).await.unwrap();
        loads.push(t.elapsed());
        assert_eq!(loaded.len(), 30);
        let t = Instant::now();
        let raw_rows: Vec<Vec<u8>> = redis::cmd("ZREVRANGE")
            .arg(&load_key)
            .arg(0)
            .arg(29)
            .query_async(&mut hand)
            .await
            .unwrap();
        ranges.push(t.elapsed());
        assert_eq!(raw_rows.len(), 30);
    }

    writeln!(
        out,
        "\n### Latency ({N} samples each, interleaved with their raw counterpart)\n"
    )
    .unwrap();
    writeln!(out, "| operation | p50 ms | p99 ms |").unwrap();
    writeln!(out, "|---|---|---|").unwrap();
    let rows: [(&str, &mut Vec<Duration>); 5] = [
        (
            "append a turn (`Conversation::add`: encode, one `EVALSHA`)",
            &mut appends,
        ),
        (
            "raw: the same `EVALSHA` sent by hand (member pre-encoded)",
            &mut evalshas,
        ),
        (
            "raw: one plain `ZADD` of the same member (reference)",
            &mut zadds,
        ),
        (
            "load latest 30 of 1000 turns (`load_latest`: one `ZREVRANGE`, decode)",
            &mut loads,
        ),
        (
            "raw: the same `ZREVRANGE key 0 29` sent by hand, no decoding",
            &mut ranges,
        ),
    ];
    let mut p = Vec::new();
    for (name, samples) in rows {
        let p50 = percentile(samples, 0.5);
        let p99 = percentile(samples, 0.99);
        p.push((p50, p99));
        writeln!(out, "| {name} | {:.3} | {:.3} |", ms(p50), ms(p99)).unwrap();
    }
    let ratio = |a: Duration, b: Duration| a.as_secs_f64() / b.as_secs_f64();
    writeln!(
        out,
        "\nRatios (target <= 1.3): append / raw `EVALSHA` = **{:.2}** at p50, {:.2} at p99; \
         load / raw `ZREVRANGE` = **{:.2}** at p50, {:.2} at p99. For reference, append / \
         plain `ZADD` = {:.2} at p50: what the script's checks (position free, index, TTL) \
         cost on the server.",
        ratio(p[0].0, p[1].0),
        ratio(p[0].1, p[1].1),
        ratio(p[3].0, p[4].0),
        ratio(p[3].1, p[4].1),
        ratio(p[0].0, p[2].0),
    )
    .unwrap();

    // 4. Throughput with concurrent sessions.
    writeln!(out, "\n### Turns/s with concurrent sessions\n").unwrap();
    writeln!(out, "| sessions | turns | seconds | turns/s |").unwrap();
    writeln!(out, "|---|---|---|---|").unwrap();
    for sessions in [16u64, 64] {
        let per_session = 5120 / sessions;
        let started = Instant::now();
        let mut tasks = Vec::new();
        for s in 0..sessions {
            let store = dyn_store.clone();
            tasks.push(tokio::spawn(async move {
                let id = SessionId::parse(format!("bench-c{sessions}-{s}")).unwrap();
                let mut c = Conversation::load(store, id, MaxTurns::DEFAULT)
                    .await
                    .unwrap();
                for i in 0..per_session {
                    c.add(turn(i)).await.unwrap();
                }
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
        let elapsed = started.elapsed();
        let turns = sessions * per_session;
        writeln!(
            out,
            "| {sessions} | {turns} | {:.2} | {:.0} |",
            elapsed.as_secs_f64(),
            turns as f64 / elapsed.as_secs_f64()
        )
        .unwrap();
    }
    writeln!(
        out,
        "\nAll sessions share one multiplexed connection (one instance of the store), as one \
         `otis-func` process does."
    )
    .unwrap();
    out
}
