//! Answer quality on real OTIS sources: the question set that `xtask/quality/truth.py`
//! (with `corpus.py` for questions about the codebase as a whole) derives from a corpus
//! by its own reading of the sources, independent of ours, is asked in process through
//! the wired assistant (local index, code model, extractive answerer, memory store for
//! follow-ups). Each answer is scored against the ground truth per question kind: from
//! its `facts` (recall and precision of names, counts, rankings, chains, impact levels,
//! menu options, honest absence) and, for list kinds, from the answer text a person
//! reads. Also reports the index build (seconds, peak RSS) and answer time per kind.
//! The scoring rules are in `xtask/quality/README.md`. Run with `cargo xtask bench
//! quality`; `cargo test -p otis-app --bench quality -- --self-test` checks the scorers.
//!
//! By job: `truth` runs `truth.py` and reads the questions; `known` reads what the corpus
//! has from the code model; `text` reads an answer's text; `scoring` scores an answer;
//! `report` tallies the outcomes and writes the figures; `self_test` checks the scorers.
//! This file builds the index, asks every question and times the largest flow.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod known;
mod report;
mod scoring;
mod self_test;
mod text;
mod truth;

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use otis_answer::Extractive;
use otis_core::ports::DynSessionStore;
use otis_core::{AskRequest, Assistant, SessionId, TurnId};
use otis_index::LocalIndex;
use otis_store_mem::MemoryStore;

use crate::known::Known;
use crate::report::{Tally, report};
use crate::scoring::{Answer, Outcome, judge};
use crate::self_test::self_test;
use crate::truth::{Question, load_questions};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Times the code model's flow (graph, Mermaid and SVG) of the largest program file in
/// the corpus: (program, lines, graph nodes) and the sorted times in ms.
fn flow_timing(corpus: &Path, index: &LocalIndex) -> (Option<(String, u32, usize)>, Vec<f64>) {
    use otis_core::ports::{CodeModel, CodeQuestion, QuestionKind};
    let mut largest: Option<(u64, PathBuf)> = None;
    let mut stack = vec![corpus.to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("cbl"))
            {
                let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
                if largest.as_ref().is_none_or(|(s, _)| size > *s) {
                    largest = Some((size, path));
                }
            }
        }
    }
    let Some((_, path)) = largest else {
        return (None, Vec::new());
    };
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_uppercase())
        .unwrap_or_default();
    let model = index.code_model();
    let question = CodeQuestion {
        kind: QuestionKind::Flow,
        subject: Some(name.clone()),
        subject_kind: model.identify(&name),
        options: Default::default(),
        text: format!("Show me a flow of {name}"),
    };
    let mut times = Vec::new();
    let mut info = None;
    for _ in 0..21 {
        let started = Instant::now();
        let facts = model.facts(&question).unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        let facts = facts.expect("a flow of the largest program");
        assert!(facts.diagram.is_some(), "the flow has a diagram");
        let lines = std::fs::read_to_string(&path)
            .map(|t| t.lines().count() as u32)
            .unwrap_or(0);
        info = Some((
            name.clone(),
            lines,
            facts.graph.map_or(0, |g| g.nodes.len()),
        ));
    }
    times.sort_by(f64::total_cmp);
    (info, times)
}

/// The index build: its time, peak RSS and report, and the time to reopen it.
struct Build {
    seconds: f64,
    rss_kb: u64,
    report: otis_index::BuildReport,
    open_ms: f64,
}

/// Builds the index from scratch, as a user's first `otis index build` would.
fn build_index(corpus: &Path, work: &Path) -> (LocalIndex, Build) {
    let index_dir = work.join("index");
    let _ = std::fs::remove_dir_all(&index_dir);
    reset_peak_rss();
    let started = Instant::now();
    let (index, report) = LocalIndex::build(corpus, &index_dir, &mut |_| {}).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let rss_kb = peak_rss_kb().unwrap_or(0);
    let started = Instant::now();
    let reopened = LocalIndex::open(&index_dir).unwrap();
    let open_ms = started.elapsed().as_secs_f64() * 1000.0;
    drop(reopened);
    (
        index,
        Build {
            seconds,
            rss_kb,
            report,
            open_ms,
        },
    )
}

/// What asking every question gave: tallies by kind, every answer time (sorted), and
/// follow-ups answered fully of those asked.
struct Asked {
    tallies: BTreeMap<String, Tally>,
    times: Vec<f64>,
    follow_ups: (usize, usize),
}

/// Asks every question through the wired assistant (a follow-up in the session of the
/// question it follows) and scores each answer. An error or a panic scores 0.
fn ask_all(index: &LocalIndex, questions: &[Question], known: &Known) -> Asked {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let store: DynSessionStore = Arc::new(MemoryStore::new());
    let assistant = Assistant::new(Arc::new(index.clone()), Arc::new(Extractive), Some(store))
        .with_code_model(index.code_model());
    let mut asked = Asked {
        tallies: BTreeMap::new(),
        times: Vec::new(),
        follow_ups: (0, 0),
    };
    let mut sessions: HashMap<String, SessionId> = HashMap::new();
    for (n, q) in questions.iter().enumerate() {
        let session = q
            .follows
            .as_ref()
            .and_then(|earlier| sessions.get(earlier).cloned())
            .unwrap_or_else(|| SessionId::parse(format!("quality-{n}")).unwrap());
        sessions.insert(q.id.clone(), session.clone());
        let request = AskRequest {
            session: Some(session),
            persist: true,
            ..AskRequest::new(q.text.clone(), TurnId::parse(format!("q{n}")).unwrap())
        };
        let started = Instant::now();
        let answered = catch_unwind(AssertUnwindSafe(|| {
            runtime.block_on(assistant.ask(request))
        }));
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        asked.times.push(ms);
        let (response, outcome) = match answered {
            Ok(Ok(response)) => {
                let outcome =
                    catch_unwind(AssertUnwindSafe(|| judge(q, &Answer::of(&response), known)))
                        .unwrap_or_else(|_| Outcome::failed(q, "the scorer panicked".into()));
                (Some(response), outcome)
            }
            Ok(Err(e)) => (None, Outcome::failed(q, format!("error: {e}"))),
            Err(_) => (None, Outcome::failed(q, "the answer panicked".into())),
        };
        if q.follows.is_some() {
            asked.follow_ups.0 += 1;
            if outcome.recall.is_some_and(|r| r >= 0.999) {
                asked.follow_ups.1 += 1;
            }
        }
        asked
            .tallies
            .entry(q.kind.clone())
            .or_default()
            .add(q, response.as_ref(), &outcome, ms);
    }
    asked.times.sort_by(f64::total_cmp);
    asked
}

fn main() {
    if std::env::args().any(|a| a == "--self-test") {
        self_test();
        return;
    }
    let corpus = std::env::var_os("OTIS_QUALITY_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/otis-train"));
    let corpus = corpus
        .canonicalize()
        .unwrap_or_else(|e| panic!("corpus {}: {e}", corpus.display()));
    let work = root().join("target/quality");
    std::fs::create_dir_all(&work).unwrap();
    let (total, questions) = load_questions(&corpus, &work);
    let (index, build) = build_index(&corpus, &work);
    let stats = index.stats().unwrap();
    let known = Known::load(&index);
    let asked = ask_all(&index, &questions, &known);
    let flow = flow_timing(&corpus, &index);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Corpus: `{}` ({} files: {} programs, {} copybooks; {} sections, {} paragraphs, {} data items, {} call edges, {} references). Question set: {total} questions derived by `python3 xtask/quality/truth.py` (ground truth from its own reading of the sources; `corpus.py` for the questions about the codebase as a whole), asked in process through the extractive answerer. Scoring rules: `xtask/quality/README.md` (\"Scoring\").\n",
        corpus.display(),
        stats.files,
        stats.programs,
        stats.copybooks,
        stats.sections,
        stats.paragraphs,
        stats.data_items,
        stats.call_edges,
        stats.references,
    );
    report(&mut out, &asked, &build, &known, &flow);
    print!("{out}");
    if let Some(path) = std::env::var_os("OTIS_BENCH_OUT") {
        std::fs::write(path, out).unwrap();
    }
}
