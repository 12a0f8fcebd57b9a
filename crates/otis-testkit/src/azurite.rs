//! Runs Azurite's table service for the tests: on a free loopback port, in memory,
//! stopped by its PID when the handle drops. `OTIS_TEST_AZURITE` (a table endpoint
//! such as `http://127.0.0.1:10002/devstoreaccount1`), set by `cargo xtask test`,
//! points the tests at an Azurite that is already running instead.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Azurite's well-known account key (public, documented for the emulator).
pub const DEV_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

#[derive(Debug)]
pub struct Azurite {
    child: Option<Child>,
    pub endpoint: String,
}

impl Azurite {
    /// Starts a new Azurite table service on a free port.
    pub fn start() -> Azurite {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tools/azurite");
        let bin = root.join("node_modules/.bin/azurite-table");
        assert!(
            bin.exists(),
            "Azurite is not installed: run `npm ci --prefix tools/azurite` (cargo xtask test does)"
        );
        let port = free_port();
        let child = Command::new(&bin)
            .args([
                "--tableHost",
                "127.0.0.1",
                "--tablePort",
                &port.to_string(),
                "--inMemoryPersistence",
                "--skipApiVersionCheck",
                "--disableProductStyleUrl",
                "--silent",
                "--disableTelemetry",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start azurite-table");
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(
                Instant::now() < deadline,
                "Azurite did not listen on {addr}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Azurite {
            child: Some(child),
            endpoint: format!("http://127.0.0.1:{port}/devstoreaccount1"),
        }
    }

    /// Stops it now (for tests of an unreachable service).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for Azurite {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// The table endpoint the shared tests use: `OTIS_TEST_AZURITE`, or one Azurite started
/// for this test process and left to die with it.
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
