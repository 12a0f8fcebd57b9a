//! Developer tasks, run as `cargo xtask <task>` (aliased in `.cargo/config.toml`).
//!
//! - `test`: the whole test suite, the command README.md gives and `.ci/run` calls.
//! - `ci`: everything CI checks: formatting, clippy with warnings denied, the tests, docs.

use std::env;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  test   run the whole test suite (doc tests, then cargo nextest), with one
         Azurite table service started for it (installed from tools/azurite)
  ci     cargo fmt --check, clippy -D warnings, the tests, cargo doc -D warnings";

fn main() -> ExitCode {
    let task = env::args().nth(1);
    let result = match task.as_deref() {
        Some("test") => test(),
        Some("ci") => ci(),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!(
            "unknown task {:?}\n\n{USAGE}",
            other.unwrap_or("(none)")
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn workspace_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or(manifest.clone(), Path::to_path_buf)
}

/// Runs `cargo` with `args` (and extra environment) in the workspace root; fails unless
/// it exits 0.
fn cargo_with(args: &[&str], envs: &[(&str, &str)]) -> Result<(), String> {
    let cargo = env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    eprintln!("xtask: cargo {}", args.join(" "));
    let status = Command::new(&cargo)
        .args(args)
        .envs(envs.iter().copied())
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("could not start {cargo}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo {} failed ({status})", args.join(" ")))
    }
}

fn cargo(args: &[&str]) -> Result<(), String> {
    cargo_with(args, &[])
}

/// An Azurite table service on a free loopback port, killed by its PID on drop.
struct Azurite {
    child: Child,
    endpoint: String,
}

impl Drop for Azurite {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Installs Azurite from the committed lockfile if it is not installed yet.
fn ensure_azurite() -> Result<PathBuf, String> {
    let dir = workspace_root().join("tools/azurite");
    let bin = dir.join("node_modules/.bin/azurite-table");
    if !bin.exists() {
        eprintln!("xtask: npm ci (Azurite, for the Table store tests)");
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .map_err(|e| format!("could not start npm (Node.js is needed for Azurite): {e}"))?;
        if !status.success() || !bin.exists() {
            return Err(format!("npm ci in {} failed ({status})", dir.display()));
        }
    }
    Ok(bin)
}

fn start_azurite() -> Result<Azurite, String> {
    let bin = ensure_azurite()?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let child = Command::new(&bin)
        .args(["--tableHost", "127.0.0.1", "--tablePort", &port.to_string()])
        .args([
            "--inMemoryPersistence",
            "--skipApiVersionCheck",
            "--disableProductStyleUrl",
        ])
        .args(["--silent", "--disableTelemetry"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", bin.display()))?;
    let azurite = Azurite {
        child,
        endpoint: format!("http://127.0.0.1:{port}/devstoreaccount1"),
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if Instant::now() > deadline {
            return Err(format!("Azurite did not listen on {addr} within 30 s"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    eprintln!(
        "xtask: Azurite table service on {addr} (pid {})",
        azurite.child.id()
    );
    Ok(azurite)
}

fn has_nextest() -> bool {
    let cargo = env::var("CARGO").unwrap_or_else(|_| String::from("cargo"));
    Command::new(cargo)
        .args(["nextest", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn test() -> Result<(), String> {
    let azurite = start_azurite()?;
    let envs = [("OTIS_TEST_AZURITE", azurite.endpoint.as_str())];
    // Doc tests first, so that the run ends on the main runner's summary line.
    cargo(&["test", "--workspace", "--doc", "--quiet"])?;
    if has_nextest() {
        cargo_with(&["nextest", "run", "--workspace", "--no-fail-fast"], &envs)
    } else {
        eprintln!("xtask: cargo-nextest not found, using cargo test");
        cargo_with(
            &["test", "--workspace", "--lib", "--bins", "--tests"],
            &envs,
        )
    }
}

fn ci() -> Result<(), String> {
    cargo(&["fmt", "--all", "--", "--check"])?;
    cargo(&[
        "clippy",
        "--workspace",
        "--all-targets",
        "--",
        "-D",
        "warnings",
    ])?;
    test()?;
    let status = Command::new(env::var("CARGO").unwrap_or_else(|_| String::from("cargo")))
        .args(["doc", "--workspace", "--no-deps"])
        .env("RUSTDOCFLAGS", "-D warnings")
        .current_dir(workspace_root())
        .status()
        .map_err(|e| format!("could not start cargo doc: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo doc failed ({status})"))
    }
}
