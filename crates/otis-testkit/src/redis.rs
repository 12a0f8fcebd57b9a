//! Runs `redis-server` for the tests: single nodes and 3-node Redis Clusters on free
//! loopback ports (127.0.0.1 only), stopped by PID when the handle drops.
//!
//! Servers die with the test process even when no destructor runs (a shared server
//! lives in a `static`; a test may abort): each `redis-server` is started by a small
//! `sh` wrapper in its own process group that also runs a watchdog, polling the test
//! process's PID every half second and sending the server SIGTERM once it is gone. The
//! server is the wrapper's child, so its PID cannot be reused while the watchdog may
//! still signal it. (`prctl(PR_SET_PDEATHSIG)` would need `unsafe` in a `pre_exec`
//! hook, which the workspace forbids.)
//!
//! When `redis-server` or `redis-cli` is missing, starting one panics with the
//! `apt-get` command that installs them (`.ci/run` runs it).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// What installs the servers on Debian and Ubuntu.
pub const INSTALL: &str = "apt-get update && apt-get install -y redis-server redis-tools";

/// The wrapper: start the server, print its PID, watch the test process, and exit when
/// the server does. `$1` is the test's PID; the rest are the server's arguments.
const WRAPPER: &str = r#"
parent="$1"; shift
redis-server "$@" >/dev/null 2>&1 &
server=$!
echo "$server"
( while kill -0 "$parent" 2>/dev/null; do sleep 0.5; done; kill -TERM "$server" 2>/dev/null ) &
watchdog=$!
wait "$server"
kill "$watchdog" 2>/dev/null
"#;

fn require(binary: &str) {
    let found = Command::new(binary)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "{binary} is not installed; the Redis store's tests need a real server. Install it with \
         `{INSTALL}` (as root; .ci/run does this)"
    );
}

/// How to run a server.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// Keep data across a kill: append-only file, fsync before every reply.
    pub durable: bool,
    /// Start as a Cluster node (`--cluster-enabled yes`).
    pub cluster: bool,
}

/// One `redis-server` on 127.0.0.1.
#[derive(Debug)]
pub struct RedisServer {
    /// Its port.
    pub port: u16,
    /// The server's PID while it runs.
    pid: Option<u32>,
    wrapper: Option<Child>,
    dir: PathBuf,
    options: Options,
}

impl RedisServer {
    /// A single node without persistence.
    pub fn start() -> RedisServer {
        Self::start_with(Options::default())
    }

    /// A server with `options`, on a free port (whose cluster bus port, +10000, is free too).
    pub fn start_with(options: Options) -> RedisServer {
        require("redis-server");
        let mut last = String::new();
        for _ in 0..5 {
            let mut server = RedisServer {
                port: free_port_pair(),
                pid: None,
                wrapper: None,
                dir: scratch_dir(),
                options,
            };
            match server.spawn() {
                Ok(()) => return server,
                Err(log) => last = log,
            }
        }
        panic!("redis-server did not start:\n{last}");
    }

    /// `redis://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// The server's PID while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.pid
    }

    fn spawn(&mut self) -> Result<(), String> {
        std::fs::create_dir_all(&self.dir).map_err(|e| e.to_string())?;
        let port = self.port.to_string();
        let dir = self.dir.display().to_string();
        let log = self.dir.join("redis.log");
        let mut args: Vec<String> = [
            "--bind",
            "127.0.0.1",
            "--port",
            &port,
            "--dir",
            &dir,
            "--logfile",
            &log.display().to_string(),
            "--save",
            "",
            "--daemonize",
            "no",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        if self.options.durable {
            args.extend(["--appendonly", "yes", "--appendfsync", "always"].map(String::from));
        } else {
            args.extend(["--appendonly", "no"].map(String::from));
        }
        if self.options.cluster {
            args.extend(
                [
                    "--cluster-enabled",
                    "yes",
                    "--cluster-config-file",
                    "nodes.conf",
                    "--cluster-node-timeout",
                    "3000",
                ]
                .map(String::from),
            );
        }
        let mut wrapper = Command::new("sh")
            .arg("-c")
            .arg(WRAPPER)
            .arg("otis-redis-wrapper")
            .arg(std::process::id().to_string())
            .args(&args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start sh for redis-server");
        let mut line = String::new();
        if let Some(stdout) = wrapper.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        self.wrapper = Some(wrapper);
        let Ok(pid) = line.trim().parse::<u32>() else {
            self.stop();
            return Err(format!("the wrapper printed no PID: {line:?}"));
        };
        self.pid = Some(pid);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if ping(self.port) {
                return Ok(());
            }
            let exited = self
                .wrapper
                .as_mut()
                .is_some_and(|w| w.try_wait().ok().flatten().is_some());
            if exited || Instant::now() > deadline {
                let log = std::fs::read_to_string(&log).unwrap_or_default();
                self.stop();
                return Err(log);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn signal(&mut self, signal: &str) {
        if let Some(pid) = self.pid.take() {
            let _ = Command::new("kill")
                .args([signal, &pid.to_string()])
                .stderr(Stdio::null())
                .status();
        }
        if let Some(mut wrapper) = self.wrapper.take() {
            let _ = wrapper.wait();
        }
    }

    /// Kills the server with SIGKILL, as a crash would (no shutdown, no final save).
    pub fn kill(&mut self) {
        self.signal("-KILL");
    }

    /// Starts it again on the same port and folder (a durable server reloads its data).
    pub fn restart(&mut self) {
        self.stop_keeping_data();
        if let Err(log) = self.spawn() {
            panic!("redis-server did not restart:\n{log}");
        }
    }

    fn stop_keeping_data(&mut self) {
        self.signal("-TERM");
    }

    /// Stops it (SIGTERM, by PID) and removes its folder.
    pub fn stop(&mut self) {
        self.signal("-TERM");
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// Runs `redis-cli -p PORT ARGS...` and returns what it printed.
    pub fn cli(&self, args: &[&str]) -> String {
        cli(self.port, args)
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A Redis Cluster of three primaries (no replicas) on loopback ports.
#[derive(Debug)]
pub struct RedisCluster {
    /// The nodes.
    pub nodes: Vec<RedisServer>,
}

impl RedisCluster {
    /// Starts three cluster-enabled nodes and joins them with `redis-cli --cluster create`.
    pub fn start() -> RedisCluster {
        require("redis-cli");
        let nodes: Vec<RedisServer> = (0..3)
            .map(|_| {
                RedisServer::start_with(Options {
                    cluster: true,
                    ..Options::default()
                })
            })
            .collect();
        let addresses: Vec<String> = nodes
            .iter()
            .map(|n| format!("127.0.0.1:{}", n.port))
            .collect();
        let mut create = Command::new("redis-cli");
        create
            .arg("--cluster")
            .arg("create")
            .args(&addresses)
            .args(["--cluster-replicas", "0", "--cluster-yes"]);
        let output = create.output().expect("run redis-cli --cluster create");
        assert!(
            output.status.success(),
            "redis-cli --cluster create failed:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        for node in &nodes {
            while !node.cli(&["CLUSTER", "INFO"]).contains("cluster_state:ok") {
                assert!(Instant::now() < deadline, "the cluster did not become ok");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        // Every node must know every slot's owner before clients start.
        for node in &nodes {
            while !node
                .cli(&["CLUSTER", "INFO"])
                .contains("cluster_slots_ok:16384")
            {
                assert!(Instant::now() < deadline, "slots not assigned");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        RedisCluster { nodes }
    }

    /// A seed node's URL.
    pub fn url(&self) -> String {
        self.nodes[0].url()
    }
}

/// One single-node server for the whole test process (stopped by its watchdog).
pub fn shared() -> &'static RedisServer {
    static SHARED: OnceLock<&'static RedisServer> = OnceLock::new();
    SHARED.get_or_init(|| Box::leak(Box::new(RedisServer::start())))
}

/// One 3-node cluster for the whole test process (stopped by the watchdogs).
pub fn shared_cluster() -> &'static RedisCluster {
    static SHARED: OnceLock<&'static RedisCluster> = OnceLock::new();
    SHARED.get_or_init(|| Box::leak(Box::new(RedisCluster::start())))
}

/// A key prefix no other test uses.
pub fn fresh_prefix() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "t{}-{}-{:x}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        fastrand_u32()
    )
}

fn fastrand_u32() -> u32 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(Instant::now()) as u32
}

/// `redis-cli -p PORT ARGS...`, its standard output.
pub fn cli(port: u16, args: &[&str]) -> String {
    require("redis-cli");
    let output = Command::new("redis-cli")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .args(args)
        .output()
        .expect("run redis-cli");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn ping(port: u16) -> bool {
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut reply = [0u8; 7];
    stream.read_exact(&mut reply).is_ok() && &reply == b"+PONG\r\n"
}

/// A port whose cluster bus port (+10000) is free too.
fn free_port_pair() -> u16 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let start = 20_000 + (std::process::id() * 97 + fastrand_u32() % 5000) % 20_000;
    loop {
        let port = (start + NEXT.fetch_add(1, Ordering::Relaxed) * 7) % 30_000 + 20_000;
        let port = port as u16;
        let free = |p: u16| TcpListener::bind(("127.0.0.1", p)).is_ok();
        if free(port) && free(port + 10_000) {
            return port;
        }
    }
}

fn scratch_dir() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    std::env::temp_dir().join(format!(
        "otis-redis-{}-{}-{:x}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed),
        fastrand_u32()
    ))
}
