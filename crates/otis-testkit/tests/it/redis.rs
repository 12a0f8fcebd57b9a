//! The Redis harness: a server started by a test process never outlives it, whether the
//! process exits without running destructors or is killed; and a machine without
//! `redis-server` fails the tests with the command that installs it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use otis_testkit::redis::{INSTALL, RedisServer};

const ROLE: &str = "OTIS_TESTKIT_REDIS_ROLE";

/// Not a test of its own: the child process of the tests below. It starts a server,
/// says its pid, and then exits without dropping it, or waits to be killed.
#[test]
fn child_role() {
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    let server = Box::leak(Box::new(RedisServer::start()));
    println!("REDIS_PID {}", server.pid().unwrap());
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

fn child(role: &str) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "redis::child_role",
        "--nocapture",
        "--test-threads=1",
    ])
    .env(ROLE, role);
    cmd
}

fn spawn_child(role: &str) -> (u32, std::process::Child) {
    let mut child = child(role)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    for line in stdout.lines() {
        let line = line.unwrap();
        if let Some((_, pid)) = line.split_once("REDIS_PID ") {
            return (pid.trim().parse().unwrap(), child);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the child never started redis-server");
}

fn assert_gone_within(pid: u32, limit: Duration) {
    let deadline = Instant::now() + limit;
    while alive(pid) {
        assert!(
            Instant::now() < deadline,
            "redis-server {pid} outlived its test process by {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn redis_stops_when_its_test_process_exits_without_cleanup() {
    let (pid, mut child) = spawn_child("exit");
    assert!(child.wait().unwrap().success());
    assert_gone_within(pid, Duration::from_secs(10));
}

#[test]
fn redis_stops_when_its_test_process_is_killed() {
    let (pid, mut child) = spawn_child("wait");
    assert!(alive(pid));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_gone_within(pid, Duration::from_secs(10));
}

#[test]
fn a_dropped_handle_stops_redis_at_once() {
    let server = RedisServer::start();
    let pid = server.pid().unwrap();
    drop(server);
    assert!(!alive(pid));
}

#[test]
fn without_redis_server_the_tests_fail_naming_the_install_command() {
    // The child's PATH has `sh` and `kill` but no redis-server.
    let bin = std::env::temp_dir().join(format!("otis-no-redis-{}", std::process::id()));
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["sh", "kill", "sleep"] {
        let _ = std::os::unix::fs::symlink(format!("/bin/{tool}"), bin.join(tool));
    }
    let output = child("exit").env("PATH", &bin).output().unwrap();
    let _ = std::fs::remove_dir_all(&bin);
    assert!(
        !output.status.success(),
        "the child passed without redis-server"
    );
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        printed.contains("redis-server is not installed"),
        "{printed}"
    );
    assert!(printed.contains(INSTALL), "{printed}");
}
