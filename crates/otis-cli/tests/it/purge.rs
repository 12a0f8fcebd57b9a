//! Expiry from the command line on every store (embedded SQLite, Redis, Azure Tables on
//! Azurite), and a conversation kept in Redis across processes.

use otis_testkit::{azurite, redis};

use crate::{data_dir, otis, stdout};

/// The environment that selects each store, with a fresh namespace for this test.
fn stores() -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    vec![
        ("sqlite", vec![]),
        (
            "redis",
            vec![
                ("OTIS_STORE", "redis".to_owned()),
                ("REDIS_URL", redis::shared().url()),
                ("OTIS_REDIS_PREFIX", redis::fresh_prefix()),
            ],
        ),
        (
            "table",
            vec![
                ("OTIS_STORE", "table".to_owned()),
                (
                    "AZURE_STORAGE_CONNECTION_STRING",
                    azurite::connection_string(&azurite::shared_endpoint()),
                ),
                ("OTIS_TABLE_NAME", azurite::fresh_table()),
            ],
        ),
    ]
}

#[test]
fn purge_lists_in_a_dry_run_then_removes_on_every_store() {
    for (name, env) in stores() {
        let data = data_dir(&format!("purge-{name}"));
        let run = |args: &[&str]| {
            let mut cmd = otis(&data);
            cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
            stdout(cmd.args(args))
        };
        run(&["ask", "--session", "idle-a", "What does LONPF2 do?"]);
        run(&["ask", "--session", "idle-b", "Who calls DATEUTIL?"]);

        let kept = run(&["sessions", "purge", "--idle-days", "30", "--dry-run"]);
        assert!(
            kept.starts_with("Would remove 0 sessions"),
            "{name}: {kept}"
        );
        let dry = run(&["sessions", "purge", "--idle-days", "0", "--dry-run"]);
        assert!(dry.starts_with("Would remove 2 sessions"), "{name}: {dry}");
        assert!(
            dry.contains("idle-a") && dry.contains("idle-b"),
            "{name}: {dry}"
        );
        let json = run(&[
            "sessions",
            "purge",
            "--idle-days",
            "0",
            "--dry-run",
            "--json",
        ]);
        let json: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(json["removed"], 2, "{name}");
        assert_eq!(json["dry_run"], true, "{name}");
        assert_eq!(json["sessions"].as_array().unwrap().len(), 2, "{name}");
        // A dry run removes nothing.
        let listed = run(&["sessions", "list"]);
        assert!(
            listed.contains("idle-a") && listed.contains("idle-b"),
            "{name}: {listed}"
        );

        let purged = run(&["sessions", "purge", "--idle-days", "0"]);
        assert!(purged.starts_with("Removed 2 sessions"), "{name}: {purged}");
        let listed = run(&["sessions", "list"]);
        assert!(listed.starts_with("No sessions"), "{name}: {listed}");
    }
}

#[test]
fn purge_needs_an_idle_time() {
    let data = data_dir("purge-no-ttl");
    let output = otis(&data).args(["sessions", "purge"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("OTIS_SESSION_TTL_DAYS"), "{err}");
    let output = otis(&data)
        .args(["sessions", "purge", "--idle-days", "-1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    // The configured TTL is the default.
    let out = stdout(otis(&data).env("OTIS_SESSION_TTL_DAYS", "30").args([
        "sessions",
        "purge",
        "--dry-run",
    ]));
    assert!(out.starts_with("Would remove 0 sessions"), "{out}");
}

#[test]
fn a_conversation_in_redis_survives_the_process() {
    let data = data_dir("redis-follow-up");
    let env = [
        ("OTIS_STORE", "redis".to_owned()),
        ("REDIS_URL", redis::shared().url()),
        ("OTIS_REDIS_PREFIX", redis::fresh_prefix()),
    ];
    let mut first = otis(&data);
    first.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    stdout(first.args(["ask", "--session", "demo", "What does LONPF2 do?"]));
    let mut second = otis(&data);
    second.envs(env.iter().map(|(k, v)| (*k, v.as_str())));
    let out = stdout(second.args([
        "ask",
        "--session",
        "demo",
        "What copybooks does it use?",
        "-v",
    ]));
    assert!(
        out.contains("resolved question: What copybooks does LONPF2 use?"),
        "{out}"
    );
    assert!(out.contains("store: redis:redis://127.0.0.1:"), "{out}");
    assert!(out.contains("turn saved in session demo"), "{out}");
}
