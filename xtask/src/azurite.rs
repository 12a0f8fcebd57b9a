//! Azurite, the Table storage emulator the tests and benchmarks run against: installed
//! from the committed lockfile, started on a free loopback port in a process group of
//! its own, and stopped with its group (by a watchdog too, if xtask dies first).

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::workspace::workspace_root;

/// An Azurite table service on a free loopback port, in a process group of its own:
/// killed with its group on drop, and by a watchdog if xtask dies without dropping it.
pub(crate) struct Azurite {
    child: Child,
    watchdog: Option<Child>,
    /// The table service's endpoint, `http://127.0.0.1:PORT/devstoreaccount1`.
    pub(crate) endpoint: String,
}

impl Drop for Azurite {
    fn drop(&mut self) {
        kill_group(self.child.id());
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some(mut watchdog) = self.watchdog.take() {
            kill_group(watchdog.id());
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
    }
}

/// Kills process group `$2` once process `$1` is gone (polled every 200 ms).
const WATCHDOG: &str = r#"while kill -0 "$1" 2>/dev/null; do sleep 0.2; done
kill -TERM "-$2" 2>/dev/null; sleep 2; kill -KILL "-$2" 2>/dev/null"#;

/// Puts a child in a process group of its own, so a signal to ours does not reach it
/// and `kill_group` reaches all of it.
pub(crate) fn own_group(command: &mut Command) -> &mut Command {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    command
}

/// A watchdog that kills group `pgid` when this process is gone.
fn watch(pgid: u32) -> Option<Child> {
    if !cfg!(unix) {
        return None;
    }
    own_group(
        Command::new("sh")
            .args(["-c", WATCHDOG, "otis-xtask-watchdog"])
            .arg(std::process::id().to_string())
            .arg(pgid.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .spawn()
    .ok()
}

fn kill_group(pgid: u32) {
    if cfg!(unix) {
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{pgid}")])
            .stderr(Stdio::null())
            .status();
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

/// Starts an Azurite table service in memory on a free loopback port and waits until
/// it listens.
pub(crate) fn start_azurite() -> Result<Azurite, String> {
    let bin = ensure_azurite()?;
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let child = own_group(
        Command::new(&bin)
            .args(["--tableHost", "127.0.0.1", "--tablePort", &port.to_string()])
            .args([
                "--inMemoryPersistence",
                "--skipApiVersionCheck",
                "--disableProductStyleUrl",
            ])
            .args(["--silent", "--disableTelemetry"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )
    .spawn()
    .map_err(|e| format!("could not start {}: {e}", bin.display()))?;
    let watchdog = watch(child.id());
    let azurite = Azurite {
        child,
        watchdog,
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

/// The installed Azurite's version, for benchmark reports.
pub(crate) fn azurite_version() -> String {
    let package = workspace_root().join("tools/azurite/node_modules/azurite/package.json");
    std::fs::read_to_string(package)
        .ok()
        .and_then(|text| {
            let start = text.find("\"version\"")?;
            let rest = &text[start + 9..];
            let open = rest.find('"')? + 1;
            let close = rest[open..].find('"')? + open;
            Some(rest[open..close].to_owned())
        })
        .unwrap_or_else(|| String::from("(unknown version)"))
}
