//! One question per new process, as a user asks it: the `otis` binary runs
//! `otis ask "<question>"` once per process, for every question kind in [`KINDS`], on the
//! generated 10,000-file tree (otis-testkit's `Generated`) and on otis-train; reported by
//! kind: wall time p50 and p95, and the process's peak resident memory. Each corpus is
//! first indexed by `otis index build` in a new process (cold, then with nothing
//! changed), and `otis-func` is started cold to its first answered `POST /api/query`.
//! The questions' subjects are chosen by rule from each index with `otis query`
//! ([`SUBJECTS`]); no member of any codebase is named here.
//!
//! Every process runs on its own folders (index, `XDG_DATA_HOME`, `HOME`, working
//! folder) under a temporary one, with a cleared environment: nothing of the user's is
//! read or written.
//!
//! Run with `cargo xtask bench ask` (release; it builds otis-func first and writes the
//! report into docs/benchmarks.md). To try it in a debug build on a small tree, one run
//! per kind: `cargo build -p otis-cli -p otis-func --bin otis-func` then
//! `OTIS_BENCH_SMALL=1 cargo test -p otis-cli --bench ask -- --bench`.
//!
//! Environment: `OTIS_BENCH_SMALL`; `OTIS_BENCH_FUNC` (the otis-func binary, default:
//! beside `otis`); `OTIS_BENCH_TRAIN` (default: `../shared/otis-train` from the
//! workspace; left out when missing); `OTIS_BENCH_OUT` (where the report goes).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use otis_core::ports::QuestionKind;
use otis_testkit::generated::{self, Generated};

/// The question asked for each kind: `{name}` stands for the subject [`SUBJECTS`] chooses
/// under that name. A new kind is one line.
const KINDS: &[(QuestionKind, &str)] = &[
    (QuestionKind::Purpose, "What does {program} do?"),
    (
        QuestionKind::Copybooks,
        "What copybooks does {program} use?",
    ),
    (QuestionKind::Calls, "What programs does {program} call?"),
    (QuestionKind::Callers, "Who calls {called}?"),
    (
        QuestionKind::CopybookUsers,
        "Which programs use {copybook}?",
    ),
    (QuestionKind::ProcedureUsers, "Where is {procedure} used?"),
    (QuestionKind::DataDefinition, "Where is {item} defined?"),
    (QuestionKind::DataUsage, "How is {item} used?"),
    (QuestionKind::Files, "What files does {program} use?"),
    (
        QuestionKind::Dependencies,
        "What are the dependencies of {program}?",
    ),
    (QuestionKind::Overview, "What does the whole codebase do?"),
    (
        QuestionKind::BusinessProcess,
        "How is a payment posted to a loan?",
    ),
    (QuestionKind::Flow, "Show me a flow of {program}"),
    (
        QuestionKind::ScreenFlow,
        "Show me the screen flow from the main menu down",
    ),
];

/// A subject of the questions, chosen from the index by one SQL statement (its first
/// row's first column) over the code model's schema (docs/code-model.md).
struct Subject {
    name: &'static str,
    rule: &'static str,
    sql: &'static str,
}

/// Every name a question may be about is one member of its kind only, so that the
/// question is classified as the kind it stands for.
const SUBJECTS: &[Subject] = &[
    Subject {
        name: "program",
        rule: "the program with the most COPY and CALL statements among those with a SELECT, a COPY and a CALL",
        sql: "SELECT f.member FROM files f
              WHERE f.kind = 'program'
                AND NOT EXISTS (SELECT 1 FROM files g WHERE g.member = f.member AND g.id <> f.id)
                AND EXISTS (SELECT 1 FROM selects s WHERE s.file_id = f.id)
                AND EXISTS (SELECT 1 FROM copies c WHERE c.file_id = f.id)
                AND EXISTS (SELECT 1 FROM calls k WHERE k.file_id = f.id AND k.kind <> 'runtime')
              ORDER BY (SELECT count(*) FROM copies c WHERE c.file_id = f.id)
                     + (SELECT count(*) FROM calls k WHERE k.file_id = f.id) DESC, f.member
              LIMIT 1",
    },
    Subject {
        name: "called",
        rule: "the program called from the most files",
        sql: "SELECT k.target FROM calls k
              WHERE k.kind <> 'runtime'
                AND (SELECT count(*) FROM files f WHERE f.member = k.target) = 1
                AND EXISTS (SELECT 1 FROM files f WHERE f.member = k.target AND f.kind = 'program')
              GROUP BY k.target ORDER BY count(DISTINCT k.file_id) DESC, k.target
              LIMIT 1",
    },
    Subject {
        name: "copybook",
        rule: "the copybook copied by the most files",
        sql: "SELECT t.member FROM copies c JOIN files t ON t.id = c.target_id
              WHERE t.kind = 'copybook'
                AND (SELECT count(*) FROM files g WHERE g.member = t.member) = 1
                AND NOT EXISTS (SELECT 1 FROM calls k WHERE k.target = t.member)
              GROUP BY t.member ORDER BY count(DISTINCT c.file_id) DESC, t.member
              LIMIT 1",
    },
    Subject {
        name: "procedure",
        rule: "the section or paragraph performed the most",
        sql: "SELECT p.target FROM performs p
              WHERE p.kind = 'perform'
                AND EXISTS (SELECT 1 FROM procedures d WHERE d.name = p.target)
                AND NOT EXISTS (SELECT 1 FROM files f WHERE f.member = p.target)
                AND NOT EXISTS (SELECT 1 FROM calls k WHERE k.target = p.target)
                AND NOT EXISTS (SELECT 1 FROM copies c WHERE c.member = p.target)
              GROUP BY p.target ORDER BY count(*) DESC, p.target
              LIMIT 1",
    },
    Subject {
        name: "item",
        rule: "the data item referenced the most",
        sql: "SELECT d.name FROM data_items d
              WHERE d.level <> 88
                AND NOT EXISTS (SELECT 1 FROM files f WHERE f.member = d.name)
                AND NOT EXISTS (SELECT 1 FROM procedures p WHERE p.name = d.name)
                AND NOT EXISTS (SELECT 1 FROM performs p WHERE p.target = d.name)
                AND NOT EXISTS (SELECT 1 FROM calls k WHERE k.target = d.name)
                AND NOT EXISTS (SELECT 1 FROM copies c WHERE c.member = d.name)
              GROUP BY d.name
              ORDER BY (SELECT count(*) FROM refs r JOIN names n ON n.id = r.name_id
                        WHERE n.name = d.name) DESC, d.name
              LIMIT 1",
    },
];

/// What issue 16 asks, printed beside the figures.
const TARGET_ASK_P50_MS: f64 = 100.0;
const TARGET_ASK_RSS_MB: f64 = 120.0;
const TARGET_COLD_START_MS: f64 = 150.0;
const TARGET_BUILD_S: f64 = 15.0;
const TARGET_BUILD_MB: f64 = 600.0;
const TARGET_NOOP_S: f64 = 1.0;

/// The first argument that makes this binary measure one command for its parent.
const MEASURE: &str = "--measure-one";

fn main() {
    let args: Vec<OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == MEASURE) {
        measure_role(&args[2..]);
        return;
    }
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let small = generated::small_from_env();
    let plan = Plan {
        otis: PathBuf::from(env!("CARGO_BIN_EXE_otis")),
        func: std::env::var_os("OTIS_BENCH_FUNC")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                Path::new(env!("CARGO_BIN_EXE_otis"))
                    .with_file_name(format!("otis-func{}", std::env::consts::EXE_SUFFIX))
            }),
        runs: if small { 1 } else { 7 },
        starts: if small { 2 } else { 10 },
    };
    let root = std::env::temp_dir().join(format!("otis-bench-ask-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);

    let mut out = String::new();
    intro(&mut out, &plan, small);
    let shape = Generated::from_env();
    let tree = root.join("generated");
    let bytes = shape.write(&tree.join("corpus")).unwrap();
    let title = format!(
        "Generated tree: {} programs and {} copybooks, {} files, {:.1} MB",
        shape.programs,
        shape.copybooks,
        shape.files(),
        bytes as f64 / 1e6
    );
    corpus(&mut out, &plan, &title, &tree, &tree.join("corpus"));
    let train = std::env::var_os("OTIS_BENCH_TRAIN").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/otis-train"),
        PathBuf::from,
    );
    match train.canonicalize() {
        Ok(train) if train.is_dir() => {
            let title = format!("otis-train: {} files", count_files(&train));
            corpus(&mut out, &plan, &title, &root.join("train"), &train);
        }
        _ => {
            let _ = writeln!(
                out,
                "### otis-train\n\nNot measured: {} is not there (OTIS_BENCH_TRAIN names another folder).\n",
                train.display()
            );
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    println!("{out}");
    if let Ok(path) = std::env::var("OTIS_BENCH_OUT") {
        std::fs::write(path, &out).unwrap();
    }
}

/// What to run and how often.
struct Plan {
    otis: PathBuf,
    func: PathBuf,
    /// Timed runs of each question.
    runs: usize,
    /// Cold starts of otis-func.
    starts: usize,
}

fn intro(out: &mut String, plan: &Plan, small: bool) {
    let _ = writeln!(
        out,
        "One new process per question: `otis ask \"<question>\"`, the answer printed as a user \
         sees it, on the embedded defaults (extractive model, SQLite session store in a fresh \
         `XDG_DATA_HOME`, no session). Each question is asked once untimed with `--json` to \
         check the kind it is classified as (and to have the index in the page cache, as after \
         `otis index build`), then timed {} time{}. Wall time is spawn to exit (with 7 runs, \
         p95 is the slowest); peak RSS is the process's own `ru_maxrss`, the largest of the \
         runs. Targets: wall p50 <= \
         {TARGET_ASK_P50_MS} ms and peak RSS <= {TARGET_ASK_RSS_MB} MB for every kind; \
         `otis-func` cold start to the first answered `POST /api/query` <= \
         {TARGET_COLD_START_MS} ms (median); an index built from scratch <= {TARGET_BUILD_S} s \
         and <= {TARGET_BUILD_MB} MB, rebuilt with nothing changed <= {TARGET_NOOP_S} s.\n",
        plan.runs,
        if plan.runs == 1 { "" } else { "s" }
    );
    let _ = writeln!(
        out,
        "Subjects, chosen by rule from each index with `otis query` (SQL in \
         crates/otis-cli/benches/ask.rs):\n"
    );
    for subject in SUBJECTS {
        let _ = writeln!(out, "- `{{{}}}`: {}", subject.name, subject.rule);
    }
    let _ = writeln!(out);
    if small {
        let _ = writeln!(
            out,
            "**OTIS_BENCH_SMALL: a small tree, {} run per question and {} starts: a trial of \
             the harness, not figures to keep.**\n",
            plan.runs, plan.starts
        );
    }
}

/// Indexes `corpus` into `place`, asks every kind and starts otis-func, and writes the
/// corpus's section.
fn corpus(out: &mut String, plan: &Plan, title: &str, place: &Path, corpus: &Path) {
    eprintln!("bench ask: {title}");
    let place = Place::new(place, corpus);
    let _ = writeln!(out, "### {title}\n");

    let build = place.otis(
        plan,
        &[OsString::from("index"), "build".into(), corpus.into()],
    );
    let cold = place.measure(&build, None);
    assert!(cold.ok, "otis index build failed: {}", place.stderr());
    let unchanged = place.measure(&build, None);
    assert!(unchanged.ok, "otis index build failed: {}", place.stderr());
    let (cold_s, noop_s) = (cold.wall.as_secs_f64(), unchanged.wall.as_secs_f64());
    let cold_mb = cold.rss_kb.map(|kb| kb as f64 / 1024.0);
    let _ = writeln!(
        out,
        "Index, `otis index build` in a new process: from scratch {cold_s:.1} s \
         (<= {TARGET_BUILD_S} s: {}), peak RSS {} (<= {TARGET_BUILD_MB} MB: {}); nothing \
         changed {noop_s:.2} s (<= {TARGET_NOOP_S} s: {}).\n",
        meets(cold_s <= TARGET_BUILD_S),
        cold_mb.map_or_else(|| "not measured".to_owned(), |mb| format!("{mb:.0} MB")),
        cold_mb.map_or("-", |mb| meets(mb <= TARGET_BUILD_MB)),
        meets(noop_s <= TARGET_NOOP_S)
    );

    let subjects: Vec<(&str, Option<String>)> = SUBJECTS
        .iter()
        .map(|s| (s.name, place.choose(plan, s.sql)))
        .collect();
    let _ = writeln!(
        out,
        "| kind | question | wall p50 ms | wall p95 ms | peak RSS MB | p50 <= {TARGET_ASK_P50_MS} ms | RSS <= {TARGET_ASK_RSS_MB} MB |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    let mut purpose = None;
    for &(kind, template) in KINDS {
        let Some(question) = write_question(template, &subjects) else {
            let _ = writeln!(
                out,
                "| {} | `{template}` | - | - | - | no subject in this index | - |",
                kind.as_str()
            );
            continue;
        };
        if kind == QuestionKind::Purpose {
            purpose = Some(question.clone());
        }
        let row = place.ask(plan, kind, &question);
        let _ = writeln!(out, "{row}");
    }

    let _ = writeln!(out);
    match (purpose, plan.func.is_file()) {
        (Some(question), true) => {
            let mut starts = place.cold_starts(plan, &question);
            starts.sort();
            let median = ms(starts[starts.len() / 2]);
            let max = ms(*starts.last().unwrap());
            let _ = writeln!(
                out,
                "`otis-func` cold start to the first answered `POST /api/query` \
                 (`{question}`), {} starts: median **{median:.1} ms**, max {max:.1} ms \
                 (<= {TARGET_COLD_START_MS} ms: {}).\n",
                starts.len(),
                meets(median <= TARGET_COLD_START_MS)
            );
        }
        (None, _) => {
            let _ = writeln!(out, "`otis-func` cold start: no program to ask about.\n");
        }
        (_, false) => {
            let _ = writeln!(
                out,
                "`otis-func` cold start: not measured, {} is not built \
                 (`cargo xtask bench ask` builds it).\n",
                plan.func.display()
            );
        }
    }
}

/// `template` with every `{name}` replaced by its subject; `None` when one has none.
fn write_question(template: &str, subjects: &[(&str, Option<String>)]) -> Option<String> {
    let mut question = template.to_owned();
    for (name, subject) in subjects {
        let placeholder = format!("{{{name}}}");
        if question.contains(&placeholder) {
            question = question.replace(&placeholder, subject.as_deref()?);
        }
    }
    Some(question)
}

/// One corpus's folders: its index, and a home, data folder and working folder of its
/// own for every process.
struct Place {
    root: PathBuf,
    corpus: PathBuf,
}

impl Place {
    fn new(root: &Path, corpus: &Path) -> Self {
        for dir in ["home", "xdg", "work"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        Self {
            root: root.to_owned(),
            corpus: corpus.to_owned(),
        }
    }

    /// `program` with a cleared environment: only the settings that point it at this
    /// place, in its working folder, its standard error kept in a file.
    fn command(&self, program: &Path) -> Command {
        let mut command = Command::new(program);
        command
            .env_clear()
            .env("HOME", self.root.join("home"))
            .env("XDG_DATA_HOME", self.root.join("xdg"))
            .env("OTIS_INDEX_DIR", self.root.join("index"))
            .env("OTIS_CORPUS", &self.corpus)
            .env("OTIS_MODEL", "extractive")
            .current_dir(self.root.join("work"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(self.root.join("stderr.txt")).unwrap());
        if let Some(path) = std::env::var_os("PATH") {
            command.env("PATH", path);
        }
        command
    }

    fn otis(&self, plan: &Plan, args: &[OsString]) -> Command {
        let mut command = self.command(&plan.otis);
        command.args(args);
        command
    }

    /// What the last process wrote on standard error.
    fn stderr(&self) -> String {
        std::fs::read_to_string(self.root.join("stderr.txt")).unwrap_or_default()
    }

    /// [`measure`]s `command`, its standard error kept for [`Self::stderr`].
    fn measure(&self, command: &Command, stdout: Option<&Path>) -> Run {
        measure(command, stdout, &self.root.join("stderr.txt"))
    }

    /// The first column of the first row `sql` returns, through `otis query`.
    fn choose(&self, plan: &Plan, sql: &str) -> Option<String> {
        let output = self
            .otis(
                plan,
                &[
                    "query".into(),
                    "--json".into(),
                    "--timeout".into(),
                    "600".into(),
                    sql.into(),
                ],
            )
            .stdout(Stdio::piped())
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "otis query failed: {}\n{sql}",
            self.stderr()
        );
        let rows: Vec<serde_json::Map<String, serde_json::Value>> =
            serde_json::from_slice(&output.stdout).unwrap();
        let value = rows.first()?.values().next()?;
        value.as_str().map(str::to_owned)
    }

    /// Asks `question` once untimed with `--json` (the kind it is classified as), then
    /// `plan.runs` times; the table row.
    fn ask(&self, plan: &Plan, kind: QuestionKind, question: &str) -> String {
        eprintln!("bench ask: {question}");
        let record = self.root.join("record.json");
        let check = self.measure(
            &self.otis(plan, &["ask".into(), "--json".into(), question.into()]),
            Some(&record),
        );
        assert!(check.ok, "otis ask failed: {question}\n{}", self.stderr());
        let record: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
        let classified = record["question_type"].as_str().unwrap_or("?").to_owned();
        let mut walls = Vec::new();
        let mut rss = Vec::new();
        for _ in 0..plan.runs {
            let run = self.measure(&self.otis(plan, &["ask".into(), question.into()]), None);
            assert!(run.ok, "otis ask failed: {question}\n{}", self.stderr());
            walls.push(run.wall);
            rss.extend(run.rss_kb);
        }
        walls.sort();
        let p50 = ms(percentile(&walls, 0.5));
        let p95 = ms(percentile(&walls, 0.95));
        let peak = rss.iter().max().map(|&kb| kb as f64 / 1024.0);
        let kind_note = if classified == kind.as_str() {
            String::new()
        } else {
            format!(" (classified as {classified})")
        };
        format!(
            "| {}{kind_note} | `{question}` | {p50:.1} | {p95:.1} | {} | {} | {} |",
            kind.as_str(),
            peak.map_or_else(|| "-".to_owned(), |mb| format!("{mb:.0}")),
            meets(p50 <= TARGET_ASK_P50_MS),
            peak.map_or("-", |mb| meets(mb <= TARGET_ASK_RSS_MB)),
        )
    }

    /// `plan.starts` cold starts of otis-func, each timed from spawn to the `200` that
    /// answers `question` on `POST /api/query`.
    fn cold_starts(&self, plan: &Plan, question: &str) -> Vec<Duration> {
        let body = serde_json::json!({ "question": question }).to_string();
        (0..plan.starts)
            .map(|_| {
                let port = TcpListener::bind("127.0.0.1:0")
                    .unwrap()
                    .local_addr()
                    .unwrap()
                    .port();
                let mut command = self.command(&plan.func);
                command.args(["--port", &port.to_string()]);
                let started = Instant::now();
                let mut child = command.spawn().unwrap();
                let answered = loop {
                    if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) {
                        break post(stream, port, "/api/query", &body);
                    }
                    if let Some(status) = child.try_wait().unwrap() {
                        panic!("otis-func exited ({status}): {}", self.stderr());
                    }
                    assert!(
                        started.elapsed() < Duration::from_secs(120),
                        "otis-func did not listen: {}",
                        self.stderr()
                    );
                    std::thread::sleep(Duration::from_millis(1));
                };
                let elapsed = started.elapsed();
                let _ = child.kill();
                let _ = child.wait();
                let (status, response) = answered;
                assert_eq!(status, 200, "{response}");
                assert!(response.contains("\"answer\""), "{response}");
                elapsed
            })
            .collect()
    }
}

/// Sends one HTTP/1.1 request on `stream` and reads the whole response: its status and
/// body.
fn post(mut stream: TcpStream, port: u16, path: &str, body: &str) -> (u16, String) {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, body)| body)
        .to_owned();
    (status, body)
}

/// One measured process.
struct Run {
    ok: bool,
    wall: Duration,
    /// Its peak resident memory in KiB, where the platform tells.
    rss_kb: Option<u64>,
}

/// Runs `command` through a child of this binary that spawns it, waits for it, and
/// reports its wall time and the peak RSS the kernel kept for it (`ru_maxrss` of the
/// only child it waited for). Its standard output goes to `stdout` when given, else
/// nowhere; its standard error to `stderr`.
fn measure(command: &Command, stdout: Option<&Path>, stderr: &Path) -> Run {
    let mut runner = Command::new(std::env::current_exe().unwrap());
    runner.arg(MEASURE);
    runner.arg(stdout.map_or_else(|| OsString::from("-"), |p| p.as_os_str().to_owned()));
    runner.arg(command.get_program()).args(command.get_args());
    runner.env_clear();
    for (key, value) in command.get_envs() {
        if let Some(value) = value {
            runner.env(key, value);
        }
    }
    if let Some(dir) = command.get_current_dir() {
        runner.current_dir(dir);
    }
    // The command's standard error is the runner's.
    runner.stderr(std::fs::File::create(stderr).unwrap());
    let output = runner.stdin(Stdio::null()).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let fields: Vec<&str> = text.split_whitespace().collect();
    match fields.as_slice() {
        [code, nanos, rss] => Run {
            ok: *code == "0",
            wall: Duration::from_nanos(nanos.parse().unwrap()),
            rss_kb: rss.parse().ok(),
        },
        _ => panic!("the measuring child said {text:?} ({})", output.status),
    }
}

/// The measuring child: `--measure-one <stdout file or -> <program> <args...>`. Prints
/// `<exit code> <wall ns> <peak RSS KiB or ->`.
fn measure_role(args: &[OsString]) {
    let [stdout, program, args @ ..] = args else {
        panic!("usage: {MEASURE} <stdout file or -> <program> <args...>");
    };
    let mut command = Command::new(program);
    command.args(args).stdin(Stdio::null());
    if stdout == "-" {
        command.stdout(Stdio::null());
    } else {
        command.stdout(std::fs::File::create(stdout).unwrap());
    }
    let started = Instant::now();
    let status = command.status().unwrap();
    let wall = started.elapsed();
    let rss = children_peak_rss_kb().map_or_else(|| "-".to_owned(), |kb| kb.to_string());
    println!("{} {} {rss}", status.code().unwrap_or(-1), wall.as_nanos());
}

/// The largest peak RSS of the children this process has waited for, in KiB.
#[cfg(unix)]
fn children_peak_rss_kb() -> Option<u64> {
    use nix::sys::resource::{UsageWho, getrusage};
    let max = getrusage(UsageWho::RUSAGE_CHILDREN).ok()?.max_rss();
    let max = u64::try_from(max).ok()?;
    // Linux and the BSDs count KiB; macOS counts bytes.
    Some(if cfg!(target_os = "macos") {
        max / 1024
    } else {
        max
    })
}

#[cfg(not(unix))]
fn children_peak_rss_kb() -> Option<u64> {
    None
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `**no**` when a figure misses its target, else `yes`.
fn meets(ok: bool) -> &'static str {
    if ok { "yes" } else { "**no**" }
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| {
            let path = entry.path();
            if path.is_dir() { count_files(&path) } else { 1 }
        })
        .sum()
}
