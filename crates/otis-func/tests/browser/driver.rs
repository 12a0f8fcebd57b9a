//! Headless Chromium for the browser tests, through chromedriver on a free loopback port.
//!
//! chromedriver (and the Chromium it starts) runs under a small `sh` wrapper in a process
//! group of its own. Dropping the [`Driver`] kills that group by its id (the wrapper's
//! PID); if the test process dies without dropping it, a watchdog in the wrapper that
//! polls the test process's PID kills the group, so no browser outlives the tests.
//!
//! When Chromium or chromedriver is missing, starting fails with the `apt-get` command
//! that installs them (`.ci/run` runs it): the suite never passes without a browser.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};

/// What installs the browser and its driver on Debian and Ubuntu.
pub(crate) const INSTALL: &str = "apt-get update && apt-get install -y chromium chromium-driver";

/// The wrapper: start chromedriver, print its PID, and kill the whole process group once
/// the test process (`$1`) is gone. `$2` is the log file, the rest chromedriver's command.
const WRAPPER: &str = r#"
parent="$1"; log="$2"; shift 2
"$@" >"$log" 2>&1 &
driver=$!
echo "$driver"
( trap '' TERM
  while kill -0 "$parent" 2>/dev/null; do sleep 0.5; done
  kill -TERM 0 2>/dev/null; sleep 1; kill -KILL 0 2>/dev/null ) &
watchdog=$!
wait "$driver"
kill "$watchdog" 2>/dev/null
"#;

fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.push(PathBuf::from("/usr/bin"));
    for name in names {
        for dir in &dirs {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
    }
    None
}

fn find(env: &str, names: &[&str]) -> PathBuf {
    if let Some(path) = std::env::var_os(env).map(PathBuf::from) {
        assert!(
            path.is_file(),
            "{env}={} does not name a file; unset it or install Chromium with `{INSTALL}`",
            path.display()
        );
        return path;
    }
    on_path(names).unwrap_or_else(|| {
        panic!(
            "{} is not installed; the browser tests need a real Chromium and chromedriver. \
             Install them with `{INSTALL}` (as root; .ci/run does this), or name them with \
             OTIS_CHROMIUM and OTIS_CHROMEDRIVER",
            names[0]
        )
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A running chromedriver.
#[derive(Debug)]
pub(crate) struct Driver {
    wrapper: Option<Child>,
    group: u32,
    port: u16,
    chromium: PathBuf,
    dir: PathBuf,
}

impl Driver {
    /// Starts chromedriver on a free loopback port, with its own scratch folder (logs,
    /// profiles, downloads) under `scratch`.
    pub(crate) fn start(scratch: &Path) -> Self {
        let chromium = find("OTIS_CHROMIUM", &["chromium", "chromium-browser"]);
        let chromedriver = find("OTIS_CHROMEDRIVER", &["chromedriver"]);
        let port = free_port();
        let dir = scratch.join(format!("driver-{port}"));
        std::fs::create_dir_all(&dir).expect("scratch folder");
        let log = dir.join("chromedriver.log");
        let mut wrapper = Command::new("sh")
            .arg("-c")
            .arg(WRAPPER)
            .arg("otis-chromedriver-wrapper")
            .arg(std::process::id().to_string())
            .arg(&log)
            .arg(&chromedriver)
            .arg(format!("--port={port}"))
            .arg("--allowed-ips=127.0.0.1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .expect("start sh for chromedriver");
        let group = wrapper.id();
        let mut line = String::new();
        if let Some(stdout) = wrapper.stdout.take() {
            let _ = BufReader::new(stdout).read_line(&mut line);
        }
        let mut driver = Self {
            wrapper: Some(wrapper),
            group,
            port,
            chromium,
            dir,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        while TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_err() {
            let exited = driver
                .wrapper
                .as_mut()
                .is_some_and(|w| w.try_wait().ok().flatten().is_some());
            if exited || Instant::now() > deadline {
                let text = std::fs::read_to_string(&log).unwrap_or_default();
                driver.stop();
                panic!("chromedriver did not start (pid {line:?}):\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        driver
    }

    /// Where this driver's browsers save downloads.
    pub(crate) fn downloads(&self) -> PathBuf {
        self.dir.join("downloads")
    }

    /// A new headless Chromium session with a fresh profile.
    pub(crate) async fn browser(&self, width: u32, height: u32) -> Client {
        let profile = self.dir.join(format!("profile-{}", fastrand_suffix()));
        std::fs::create_dir_all(&profile).expect("profile folder");
        std::fs::create_dir_all(self.downloads()).expect("downloads folder");
        let args = vec![
            "--headless".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            format!("--user-data-dir={}", profile.display()),
            format!("--window-size={width},{height}"),
        ];
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": self.chromium,
                "args": args,
                "prefs": {
                    "download.default_directory": self.downloads(),
                    "download.prompt_for_download": false,
                    "download.directory_upgrade": true,
                },
            },
            "goog:loggingPrefs": {"browser": "ALL"},
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!()
        };
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .expect("a Chromium session through chromedriver")
    }

    fn stop(&mut self) {
        // The wrapper leads the group: chromedriver, every Chromium it started, and the
        // watchdog all get the signal.
        for signal in ["-TERM", "-KILL"] {
            let _ = Command::new("kill")
                .args([signal, "--", &format!("-{}", self.group)])
                .stderr(Stdio::null())
                .status();
            if signal == "-TERM" {
                std::thread::sleep(Duration::from_millis(300));
            }
        }
        if let Some(mut wrapper) = self.wrapper.take() {
            let _ = wrapper.wait();
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        self.stop();
    }
}

fn fastrand_suffix() -> String {
    use std::hash::{BuildHasher, RandomState};
    format!("{:016x}", RandomState::new().hash_one(Instant::now()))
}
