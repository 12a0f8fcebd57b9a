//! The test support itself: an Azurite started by a test process never outlives it,
//! whether that process exits without running destructors or is killed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod redis;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use otis_testkit::azurite::{self, Azurite};

const ROLE: &str = "OTIS_TESTKIT_ROLE";

/// Not a test of its own: the child process of the tests below. It starts Azurite,
/// says its pid, and then exits without dropping it, or waits to be killed.
#[test]
fn child_role() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let azurite = Box::leak(Box::new(Azurite::start()));
    println!("AZURITE_PID {}", azurite.pid().unwrap());
    match role.as_str() {
        "exit" => std::process::exit(0),
        _ => std::thread::sleep(Duration::from_secs(120)),
    }
}

fn alive(pid: u32) -> bool {
    Command::new("kill")
        .args(["-0", &pid.to_string()])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs [`child_role`] in a new process as `role`; returns its Azurite's pid once it
/// has started, and the child.
fn spawn_child(role: &str) -> (u32, std::process::Child) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_role", "--nocapture", "--test-threads=1"])
        .env(ROLE, role)
        .env_remove("OTIS_TEST_AZURITE")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    for line in stdout.lines() {
        let line = line.unwrap();
        // libtest prints `test child_role ... ` on the same line first.
        if let Some((_, pid)) = line.split_once("AZURITE_PID ") {
            return (pid.trim().parse().unwrap(), child);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the child never started Azurite");
}

fn assert_gone_within(pid: u32, limit: Duration) {
    let deadline = Instant::now() + limit;
    while alive(pid) {
        assert!(
            Instant::now() < deadline,
            "Azurite {pid} outlived its test process by {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn azurite_stops_when_its_test_process_exits_without_cleanup() {
    if !azurite::binary().exists() {
        panic!("Azurite is not installed: run `npm ci --prefix tools/azurite`");
    }
    let (pid, mut child) = spawn_child("exit");
    assert!(child.wait().unwrap().success());
    assert_gone_within(pid, Duration::from_secs(10));
}

#[test]
fn azurite_stops_when_its_test_process_is_killed() {
    let (pid, mut child) = spawn_child("wait");
    assert!(alive(pid));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_gone_within(pid, Duration::from_secs(10));
}

#[test]
fn a_dropped_handle_stops_azurite_at_once() {
    let azurite = Azurite::start();
    let pid = azurite.pid().unwrap();
    drop(azurite);
    assert!(!alive(pid));
}
