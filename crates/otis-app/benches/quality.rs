//! Answer quality on real OTIS sources: the question set that `xtask/quality/truth.py`
//! derives from a corpus (by its own reading of the sources, independent of ours) is
//! asked in process through the wired assistant (local index, code model, extractive
//! answerer, memory store for follow-ups), and each answer's facts are compared with the
//! ground truth: recall and precision per question kind. Also reports the index build
//! (seconds, peak RSS) and answer time. Run with `cargo xtask bench quality`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use otis_answer::Extractive;
use otis_core::ports::{CodeFacts, DynSessionStore};
use otis_core::{AskRequest, AskResponse, Assistant, SessionId, TurnId};
use otis_index::LocalIndex;
use otis_store_mem::MemoryStore;
use serde_json::Value;

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

fn upper(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_ascii_uppercase()
}

/// `[file, line]` or `"file:line"`.
fn site(v: &Value) -> Option<(String, u32)> {
    match v {
        Value::Array(parts) => Some((
            parts.first()?.as_str()?.to_owned(),
            u32::try_from(parts.get(1)?.as_u64()?).ok()?,
        )),
        Value::String(s) => {
            let (file, line) = s.rsplit_once(':')?;
            Some((file.to_owned(), line.parse().ok()?))
        }
        _ => None,
    }
}

fn normal(text: &str) -> String {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Recall and precision of `got` against `want` (precision `None` for an empty answer
/// to an empty truth).
fn score<T: std::hash::Hash + Eq>(got: &HashSet<T>, want: &HashSet<T>) -> (f64, Option<f64>) {
    let hit = got.intersection(want).count() as f64;
    let recall = if want.is_empty() {
        if got.is_empty() { 1.0 } else { 0.0 }
    } else {
        hit / want.len() as f64
    };
    let precision = if got.is_empty() {
        want.is_empty().then_some(1.0)
    } else {
        Some(hit / got.len() as f64)
    };
    (recall, precision)
}

struct Outcome {
    recall: f64,
    precision: Option<f64>,
    missed: Vec<String>,
}

fn names_of(facts: Option<&CodeFacts>) -> HashSet<String> {
    facts
        .map(|f| {
            f.items
                .iter()
                .map(|i| i.name.to_ascii_uppercase())
                .collect()
        })
        .unwrap_or_default()
}

fn judge(kind: &str, expected: &Value, response: &AskResponse) -> Outcome {
    let facts = response.facts.as_ref();
    let mut missed = Vec::new();
    match kind {
        "purpose" => {
            let want = expected["description"].as_str().unwrap_or_default();
            let ok = !want.is_empty() && normal(&response.answer).contains(&normal(want));
            if !ok {
                missed.push(format!("description {want:?}"));
            }
            Outcome {
                recall: f64::from(u8::from(ok)),
                precision: None,
                missed,
            }
        }
        "business_process" => {
            let want: Vec<String> = expected["names"]
                .as_array()
                .map(|a| a.iter().map(upper).collect())
                .unwrap_or_default();
            let top = expected["top_k"].as_u64().unwrap_or(5) as usize;
            let got: Vec<String> = facts
                .map(|f| {
                    f.items
                        .iter()
                        .take(top)
                        .map(|i| i.name.to_ascii_uppercase())
                        .collect()
                })
                .unwrap_or_default();
            let found = want.iter().filter(|w| got.contains(w)).count();
            for w in want.iter().filter(|w| !got.contains(w)) {
                missed.push(w.clone());
            }
            Outcome {
                recall: if want.is_empty() {
                    0.0
                } else {
                    found as f64 / want.len() as f64
                },
                precision: None,
                missed,
            }
        }
        "data_definition" | "data_usage" => {
            let want: HashSet<(String, u32)> = expected["sites"]
                .as_array()
                .map(|a| a.iter().filter_map(site).collect())
                .unwrap_or_default();
            let got: HashSet<(String, u32)> = facts
                .map(|f| f.items.iter().map(|i| (i.file.clone(), i.line)).collect())
                .unwrap_or_default();
            let (recall, precision) = score(&got, &want);
            let mut gone: Vec<_> = want.difference(&got).collect();
            gone.sort();
            missed.extend(gone.iter().take(5).map(|(f, l)| format!("{f}:{l}")));
            Outcome {
                recall,
                precision,
                missed,
            }
        }
        "flow" | "screen_flow" => {
            // The steps or screens a correct answer must contain, and a diagram.
            let want: HashSet<String> = expected["names"]
                .as_array()
                .map(|a| a.iter().map(upper).collect())
                .unwrap_or_default();
            let got = names_of(facts);
            let (recall, _) = score(&got, &want);
            let mut gone: Vec<_> = want.difference(&got).cloned().collect();
            gone.sort();
            missed.extend(gone.into_iter().take(5));
            let drawn =
                response.diagram.as_ref().is_some_and(|d| {
                    d.svg.starts_with("<svg") && d.mermaid.starts_with("flowchart")
                }) && response.answer.contains("```mermaid");
            if !drawn {
                missed.push("no diagram".into());
            }
            Outcome {
                recall: if drawn { recall } else { 0.0 },
                precision: None,
                missed,
            }
        }
        _ => {
            let want: HashSet<String> = expected["names"]
                .as_array()
                .map(|a| a.iter().map(upper).collect())
                .unwrap_or_default();
            let got = names_of(facts);
            let (recall, precision) = score(&got, &want);
            let mut gone: Vec<_> = want.difference(&got).cloned().collect();
            gone.sort();
            missed.extend(gone.into_iter().take(5));
            let mut extra: Vec<_> = got.difference(&want).cloned().collect();
            extra.sort();
            missed.extend(extra.into_iter().take(3).map(|e| format!("+{e}")));
            Outcome {
                recall,
                precision,
                missed,
            }
        }
    }
}

#[derive(Default)]
struct Tally {
    questions: usize,
    recall: f64,
    precision: f64,
    precision_n: usize,
    typed: usize,
    misses: Vec<String>,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
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

fn main() {
    let corpus = std::env::var_os("OTIS_QUALITY_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/otis-train"));
    let corpus = corpus
        .canonicalize()
        .unwrap_or_else(|e| panic!("corpus {}: {e}", corpus.display()));
    let work = root().join("target/quality");
    std::fs::create_dir_all(&work).unwrap();
    let questions_file = work.join("questions.json");
    let mut truth = Command::new("python3");
    truth
        .arg(root().join("xtask/quality/truth.py"))
        .arg(&corpus)
        .arg("--out")
        .arg(&questions_file);
    // OTIS_QUALITY_ALL=1: every question the rules derive, not the default sample.
    if std::env::var_os("OTIS_QUALITY_ALL").is_some() {
        truth.arg("--all");
    }
    let status = truth.status().expect("python3 runs");
    assert!(status.success(), "truth.py failed: {status}");
    let questions: Value =
        serde_json::from_str(&std::fs::read_to_string(&questions_file).unwrap()).unwrap();
    let questions: Vec<Value> = match questions {
        Value::Array(list) => list,
        Value::Object(mut map) => match map.remove("questions") {
            Some(Value::Array(list)) => list,
            _ => panic!("questions.json holds no question list"),
        },
        _ => panic!("questions.json holds no question list"),
    };

    // Build the index from scratch, as a user's first `otis index build` would.
    let index_dir = work.join("index");
    let _ = std::fs::remove_dir_all(&index_dir);
    reset_peak_rss();
    let started = Instant::now();
    let (index, report) = LocalIndex::build(&corpus, &index_dir, &mut |_| {}).unwrap();
    let build_s = started.elapsed().as_secs_f64();
    let build_rss = peak_rss_kb().unwrap_or(0);
    let started = Instant::now();
    let reopened = LocalIndex::open(&index_dir).unwrap();
    let open_ms = started.elapsed().as_secs_f64() * 1000.0;
    drop(reopened);
    let stats = index.stats().unwrap();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let store: DynSessionStore = Arc::new(MemoryStore::new());
    let assistant = Assistant::new(Arc::new(index.clone()), Arc::new(Extractive), Some(store))
        .with_code_model(index.code_model());

    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    let mut sessions: HashMap<String, SessionId> = HashMap::new();
    let mut times = Vec::new();
    let mut follow_ups = (0usize, 0usize);
    // Follow-ups after the questions they follow (each in that question's session).
    let mut ordered: Vec<&Value> = questions
        .iter()
        .filter(|q| q["follows"].is_null())
        .collect();
    ordered.extend(questions.iter().filter(|q| !q["follows"].is_null()));
    for (n, q) in ordered.into_iter().enumerate() {
        let id = q["id"].as_str().unwrap_or_default().to_owned();
        let kind = q["kind"].as_str().unwrap_or_default().to_owned();
        let text = q["question"].as_str().unwrap_or_default();
        let follows = q["follows"].as_str().map(str::to_owned);
        let session = match &follows {
            Some(earlier) => sessions.get(earlier).cloned(),
            None => None,
        }
        .unwrap_or_else(|| SessionId::parse(format!("quality-{n}")).unwrap());
        sessions.insert(id.clone(), session.clone());
        let request = AskRequest {
            session: Some(session),
            persist: true,
            ..AskRequest::new(text, TurnId::parse(format!("q{n}")).unwrap())
        };
        let started = Instant::now();
        let response = runtime.block_on(assistant.ask(request)).unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        let outcome = judge(&kind, &q["expected"], &response);
        let tally = tallies.entry(kind.clone()).or_default();
        tally.questions += 1;
        tally.recall += outcome.recall;
        if let Some(p) = outcome.precision {
            tally.precision += p;
            tally.precision_n += 1;
        }
        if response.question_type.as_str() == kind {
            tally.typed += 1;
        }
        if follows.is_some() {
            follow_ups.0 += 1;
            if outcome.recall >= 0.999 {
                follow_ups.1 += 1;
            }
        }
        if outcome.recall < 0.999 || outcome.precision.is_some_and(|p| p < 0.999) {
            tally.misses.push(format!(
                "`{text}` ({}; recall {:.2}{}): {}",
                response.question_type.as_str(),
                outcome.recall,
                outcome
                    .precision
                    .map(|p| format!(", precision {p:.2}"))
                    .unwrap_or_default(),
                outcome.missed.join(", ")
            ));
        }
    }
    times.sort_by(f64::total_cmp);
    let (flow_program, flow_times) = flow_timing(&corpus, &index);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "Corpus: `{}` ({} files: {} programs, {} copybooks; {} sections, {} paragraphs, {} data items, {} call edges, {} references). Question set: {} questions derived by `python3 xtask/quality/truth.py` (ground truth from its own reading of the sources), asked in process through the extractive answerer.\n",
        corpus.display(),
        stats.files,
        stats.programs,
        stats.copybooks,
        stats.sections,
        stats.paragraphs,
        stats.data_items,
        stats.call_edges,
        stats.references,
        questions.len()
    );
    let _ = writeln!(
        out,
        "| kind | questions | mean recall | mean precision (lists) | kind recognised |\n|---|---|---|---|---|"
    );
    let (mut all_r, mut all_n, mut all_p, mut all_pn) = (0.0, 0, 0.0, 0);
    for (kind, t) in &tallies {
        let precision = if t.precision_n > 0 {
            format!("{:.1}%", 100.0 * t.precision / t.precision_n as f64)
        } else {
            "n/a".to_owned()
        };
        let _ = writeln!(
            out,
            "| {kind} | {} | {:.1}% | {precision} | {}/{} |",
            t.questions,
            100.0 * t.recall / t.questions as f64,
            t.typed,
            t.questions
        );
        all_r += t.recall;
        all_n += t.questions;
        all_p += t.precision;
        all_pn += t.precision_n;
    }
    let _ = writeln!(
        out,
        "| **all** | {all_n} | **{:.1}%** | **{:.1}%** | |\n",
        100.0 * all_r / all_n.max(1) as f64,
        100.0 * all_p / all_pn.max(1) as f64
    );
    let _ = writeln!(
        out,
        "Follow-ups answered fully (\"Where is it defined?\" after an earlier question in the same session): {}/{}.\n",
        follow_ups.1, follow_ups.0
    );
    let _ = writeln!(
        out,
        "Answer time in process (resolve, facts, search, answer, memory write): p50 {:.2} ms, p95 {:.2} ms, max {:.2} ms over {} questions.\n",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        times.last().copied().unwrap_or(0.0),
        times.len()
    );
    let _ = writeln!(
        out,
        "Index build of this corpus from scratch: {build_s:.2} s, {} files read, {} chunks, peak RSS {:.0} MB; reopening the index (manifest and code model): {open_ms:.0} ms.\n",
        report.indexed,
        report.chunks,
        build_rss as f64 / 1024.0
    );
    if let Some((name, lines, nodes)) = &flow_program {
        let _ = writeln!(
            out,
            "Flow and SVG of the largest program ({name}, {lines} lines; {nodes} steps in the graph), built in process by the code model: p50 {:.1} ms, max {:.1} ms over {} runs.\n",
            percentile(&flow_times, 0.5),
            flow_times.last().copied().unwrap_or(0.0),
            flow_times.len()
        );
    }
    let misses: Vec<&String> = tallies.values().flat_map(|t| t.misses.iter()).collect();
    if !misses.is_empty() {
        let _ = writeln!(out, "Answers short of full marks ({}):\n", misses.len());
        for m in misses.iter().take(40) {
            let _ = writeln!(out, "- {m}");
        }
    }
    print!("{out}");
    if let Some(path) = std::env::var_os("OTIS_BENCH_OUT") {
        std::fs::write(path, out).unwrap();
    }
}
