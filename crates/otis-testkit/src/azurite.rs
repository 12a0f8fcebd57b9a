//! Runs Azurite's table service for the tests: on a free loopback port, in memory (or on
//! disk, for restarts), stopped when the handle drops. `OTIS_TEST_AZURITE` (a table
//! endpoint such as `http://127.0.0.1:10002/devstoreaccount1`), set by `cargo xtask test`,
//! points the tests at an Azurite that is already running instead.
//!
//! No Azurite outlives the test process that started it, however that process ends: each
//! runs in a process group of its own, and a watchdog (a small `sh` loop in a group of its
//! own too, so a signal to the test's group does not take it down first) kills that group
//! once the test process is gone. Dropping the handle kills the group at once; the shared
//! instance of [`shared_endpoint`], which is never dropped, is left to the watchdog.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Azurite's well-known account key (public, documented for the emulator).
pub const DEV_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Kills process group `$2` once process `$1` is gone (polled every 200 ms), first
/// politely, then for sure.
const WATCHDOG: &str = r#"while kill -0 "$1" 2>/dev/null; do sleep 0.2; done
kill -TERM "-$2" 2>/dev/null; sleep 2; kill -KILL "-$2" 2>/dev/null"#;

/// A running Azurite table service.
#[derive(Debug)]
pub struct Azurite {
    child: Option<Child>,
    watchdog: Option<Child>,
    port: u16,
    location: Option<PathBuf>,
    /// The table endpoint, e.g. `http://127.0.0.1:41234/devstoreaccount1`.
    pub endpoint: String,
}

/// Where the Azurite installed by `npm ci --prefix tools/azurite` lives.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tools/azurite/node_modules/.bin/azurite-table")
}

impl Azurite {
    /// Starts a new Azurite table service on a free port, in memory.
    pub fn start() -> Azurite {
        Self::launch(free_port(), None)
    }

    /// Starts one that keeps its data in `dir`, so that it survives [`Azurite::restart`]
    /// (as far as Azurite itself flushes it: it saves about once a second).
    pub fn start_on_disk(dir: &Path) -> Azurite {
        Self::launch(free_port(), Some(dir.to_path_buf()))
    }

    fn launch(port: u16, location: Option<PathBuf>) -> Azurite {
        let bin = binary();
        assert!(
            bin.exists(),
            "Azurite is not installed: run `npm ci --prefix tools/azurite` (cargo xtask test does)"
        );
        let mut command = Command::new(&bin);
        command.args(["--tableHost", "127.0.0.1", "--tablePort", &port.to_string()]);
        match &location {
            Some(dir) => {
                std::fs::create_dir_all(dir).expect("create the Azurite data folder");
                command.arg("--location").arg(dir);
            }
            None => {
                command.arg("--inMemoryPersistence");
            }
        }
        command
            .args([
                "--skipApiVersionCheck",
                "--disableProductStyleUrl",
                "--silent",
                "--disableTelemetry",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        own_group(&mut command);
        let child = command.spawn().expect("start azurite-table");
        let watchdog = watch(child.id());
        let mut azurite = Azurite {
            child: Some(child),
            watchdog,
            port,
            location,
            endpoint: format!("http://127.0.0.1:{port}/devstoreaccount1"),
        };
        azurite.wait_listening();
        azurite
    }

    fn wait_listening(&mut self) {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                panic!("Azurite exited before listening on {addr}: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "Azurite did not listen on {addr}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The process id of the running service, if it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Stops it now with SIGKILL (for tests of an unreachable or crashed service).
    pub fn stop(&mut self) {
        self.end("-KILL");
    }

    /// Stops it with SIGTERM, as a service manager would, and waits until it has exited
    /// (SIGKILL after 10 s).
    pub fn terminate(&mut self) {
        self.end("-TERM");
    }

    /// Stops it with SIGINT (Ctrl-C), the one signal Azurite's table service handles by
    /// closing its server, and waits until it has exited (SIGKILL after 10 s).
    pub fn interrupt(&mut self) {
        self.end("-INT");
    }

    fn end(&mut self, signal: &str) {
        if let Some(mut child) = self.child.take() {
            kill_group(child.id(), signal);
            if signal != "-KILL" {
                // Give it time to shut down (and save) as it does for a service
                // manager; only then make sure.
                let deadline = Instant::now() + Duration::from_secs(10);
                while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                kill_group(child.id(), "-KILL");
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(mut watchdog) = self.watchdog.take() {
            kill_group(watchdog.id(), "-KILL");
            let _ = watchdog.kill();
            let _ = watchdog.wait();
        }
    }

    /// Starts it again on the same port with the same data folder (after
    /// [`Azurite::stop`] or [`Azurite::terminate`]).
    pub fn restart(&mut self) {
        self.stop();
        let again = Self::launch(self.port, self.location.clone());
        *self = again;
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(unix)]
fn own_group(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    command.process_group(0);
}

#[cfg(not(unix))]
fn own_group(_command: &mut Command) {}

/// Starts the watchdog of the process group led by `pgid`.
#[cfg(unix)]
fn watch(pgid: u32) -> Option<Child> {
    let mut command = Command::new("sh");
    command
        .args(["-c", WATCHDOG, "otis-azurite-watchdog"])
        .arg(std::process::id().to_string())
        .arg(pgid.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    own_group(&mut command);
    command.spawn().ok()
}

#[cfg(not(unix))]
fn watch(_pgid: u32) -> Option<Child> {
    None
}

fn kill_group(pgid: u32, signal: &str) {
    if cfg!(unix) {
        let _ = Command::new("kill")
            .args([signal, "--", &format!("-{pgid}")])
            .stderr(Stdio::null())
            .status();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The table endpoint the shared tests use: `OTIS_TEST_AZURITE`, or one Azurite started
/// for this test process, which its watchdog stops when the process ends.
pub fn shared_endpoint() -> String {
    static SHARED: OnceLock<String> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            if let Ok(endpoint) = std::env::var("OTIS_TEST_AZURITE") {
                return endpoint;
            }
            let azurite = Box::leak(Box::new(Azurite::start()));
            azurite.endpoint.clone()
        })
        .clone()
}

/// A connection string for the development account at `endpoint`.
pub fn connection_string(endpoint: &str) -> String {
    format!(
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={DEV_KEY};TableEndpoint={endpoint}"
    )
}

/// A table name no other test uses.
pub fn fresh_table() -> String {
    format!("t{:016x}{:08x}", fastrand_u64(), std::process::id())
}

fn fastrand_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(Instant::now())
}
