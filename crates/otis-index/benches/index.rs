//! Index build benchmark: a generated corpus of 10,000 COBOL files (about 200 MB) is
//! indexed from scratch, then rebuilt with nothing changed, then with 100 files changed.
//! Reports wall time, throughput and the process's peak resident memory during the
//! build. Run with `cargo xtask bench index`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use otis_core::ports::CodeModel;
use otis_index::LocalIndex;

const PROGRAMS: usize = 8_000;
const COPYBOOKS: usize = 2_000;
const PARAGRAPHS: usize = 80;

fn program(i: usize) -> String {
    let mut text = format!(
        "      *****************************************************************\n      * PROGRAM:     PGM{i:05}\n      * DESCRIPTION: GENERATED PROGRAM {i} FOR THE INDEX BENCHMARK. IT READS\n      *              A TRANSACTION FILE AND UPDATES THE LOAN MASTER.\n      *****************************************************************\n       IDENTIFICATION DIVISION.\n       PROGRAM-ID. PGM{i:05}.\n       ENVIRONMENT DIVISION.\n       FILE-CONTROL.\n           SELECT TRAN-FILE ASSIGN TO \"TRAN{i:05}\".\n       DATA DIVISION.\n       WORKING-STORAGE SECTION.\n           COPY CPY{:05}.\n           COPY \"LIB/CPY{:05}.CPY\".\n       PROCEDURE DIVISION.\n",
        i % COPYBOOKS,
        (i * 7) % COPYBOOKS
    );
    for p in 0..PARAGRAPHS {
        let _ = write!(
            text,
            "       {p:04}-STEP-{i}.\n           MOVE WS-AMOUNT-{p} TO LN-PRINCIPAL\n           ADD WS-FEE-{p} TO LN-FEES-DUE\n           IF LN-FEES-DUE > WS-LIMIT-{p}\n               PERFORM {:04}-STEP-{i}\n           END-IF\n           CALL \"PGM{:05}\" USING LN-ACCOUNT-NO\n           DISPLAY \"STEP {p} OF PROGRAM {i} DONE\".\n",
            (p + 1) % PARAGRAPHS,
            (i + p + 1) % PROGRAMS
        );
    }
    text
}

fn copybook(i: usize) -> String {
    let mut text = format!("      * CPY{i:05} - GENERATED RECORD LAYOUT\n       01  REC-{i}.\n");
    for f in 0..60 {
        let _ = writeln!(
            text,
            "           05  FIELD-{i}-{f:03}      PIC X({}).",
            1 + f % 40
        );
    }
    text
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

fn generate(root: &Path) -> u64 {
    let src = root.join("src");
    let copy = root.join("copy");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::create_dir_all(&copy).unwrap();
    let mut bytes = 0;
    for i in 0..PROGRAMS {
        let text = program(i);
        bytes += text.len() as u64;
        std::fs::write(src.join(format!("PGM{i:05}.cbl")), text).unwrap();
    }
    for i in 0..COPYBOOKS {
        let text = copybook(i);
        bytes += text.len() as u64;
        std::fs::write(copy.join(format!("CPY{i:05}.CPY")), text).unwrap();
    }
    bytes
}

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let root = std::env::temp_dir().join(format!("otis-bench-index-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let corpus = root.join("corpus");
    let index_dir = root.join("index");
    let bytes = generate(&corpus);
    let mb = bytes as f64 / 1e6;

    reset_peak_rss();
    let before = peak_rss_kb();
    let started = Instant::now();
    let (_, first) = LocalIndex::build(&corpus, &index_dir, &mut |_| {}).unwrap();
    let cold = started.elapsed();
    let peak = peak_rss_kb();

    let started = Instant::now();
    let (_, unchanged) = LocalIndex::build(&corpus, &index_dir, &mut |_| {}).unwrap();
    let noop = started.elapsed();

    for i in 0..100 {
        let path = corpus.join("src").join(format!("PGM{:05}.cbl", i * 80));
        let mut text = std::fs::read_to_string(&path).unwrap();
        text.push_str("      * CHANGED\n");
        std::fs::write(path, text).unwrap();
    }
    let started = Instant::now();
    let (index, changed) = LocalIndex::build(&corpus, &index_dir, &mut |_| {}).unwrap();
    let incremental = started.elapsed();
    assert_eq!(changed.indexed, 100);
    let hits = index.search("What does PGM04242 call?", 5).unwrap();
    assert_eq!(hits[0].program.as_deref(), Some("PGM04242"));
    drop(index);

    // A fresh process's start: open the index and its code model.
    let started = Instant::now();
    let index = LocalIndex::open(&index_dir).unwrap();
    let open = started.elapsed();
    // Answers: classify, ask the code model, search, as the ask use case does.
    let code = index.code_model();
    let mut times = Vec::new();
    let kinds = [
        "What does PGM{n:05} do?",
        "What copybooks does PGM{n:05} use?",
        "Which programs call PGM{n:05}?",
        "What programs use CPY{c:05}.CPY?",
        "Where is {p:04}-STEP-{n} used?",
        "Where is FIELD-{c}-007 defined?",
        "How is WS-FEE-{q} used?",
    ];
    for i in 0..350 {
        let n = (i * 37) % PROGRAMS;
        let c = (i * 13) % COPYBOOKS;
        let template = kinds[i % kinds.len()];
        let question = template
            .replace("{n:05}", &format!("{n:05}"))
            .replace("{c:05}", &format!("{c:05}"))
            .replace("{p:04}", &format!("{:04}", i % PARAGRAPHS))
            .replace("{n}", &n.to_string())
            .replace("{c}", &c.to_string())
            .replace("{q}", &(i % PARAGRAPHS).to_string());
        let started = Instant::now();
        let identify = |name: &str| code.identify(name);
        let classified = otis_core::question::classify(&question, &identify);
        let facts = code.facts(&classified).unwrap();
        assert!(facts.is_some(), "{question}");
        let _ = index.search(&question, 5).unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    let p50 = times[times.len() / 2];
    let p95 = times[times.len() * 95 / 100];

    let mut out = String::new();
    writeln!(
        out,
        "Generated corpus: {} programs and {} copybooks, {} files, {mb:.0} MB.\n",
        PROGRAMS, COPYBOOKS, first.files
    )
    .unwrap();
    writeln!(out, "| build | files read | chunks | seconds | MB/s |").unwrap();
    writeln!(out, "|---|---|---|---|---|").unwrap();
    writeln!(
        out,
        "| from scratch | {} | {} | {:.1} | {:.1} |",
        first.indexed,
        first.chunks,
        cold.as_secs_f64(),
        mb / cold.as_secs_f64()
    )
    .unwrap();
    writeln!(
        out,
        "| nothing changed | {} | {} | {:.2} | - |",
        unchanged.indexed,
        unchanged.chunks,
        noop.as_secs_f64()
    )
    .unwrap();
    writeln!(
        out,
        "| 100 files changed | {} | {} | {:.2} | - |",
        changed.indexed,
        changed.chunks,
        incremental.as_secs_f64()
    )
    .unwrap();
    writeln!(
        out,
        "\nOpening the built index in a new process (manifest, search index, code model): {:.0} ms. Answer facts on this index (classify the question, ask the code model, search; {} questions of 7 kinds): p50 {p50:.2} ms, p95 {p95:.2} ms.",
        open.as_secs_f64() * 1000.0,
        times.len()
    )
    .unwrap();
    if let (Some(before), Some(peak)) = (before, peak) {
        writeln!(out, "\nPeak resident memory of the benchmark process during the cold build: {:.0} MB (it was {:.0} MB before).", peak as f64 / 1024.0, before as f64 / 1024.0).unwrap();
    }
    let _ = std::fs::remove_dir_all(&root);
    println!("{out}");
    if let Ok(path) = std::env::var("OTIS_BENCH_OUT") {
        std::fs::write(path, &out).unwrap();
    }
}
