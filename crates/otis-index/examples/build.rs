//! Builds an index of a folder into a fresh temporary folder and prints the report,
//! the time to open it again and the peak resident memory: a tool for profiling the
//! build (`cargo run --release -p otis-index --example build -- DIR`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Instant;

use otis_index::LocalIndex;

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .unwrap_or(0.0)
        / 1024.0
}

fn main() {
    let corpus = std::env::args().nth(1).expect("usage: build DIR");
    let dir = std::env::temp_dir().join(format!("otis-build-example-{}", std::process::id()));
    let started = Instant::now();
    let (index, report) =
        LocalIndex::build(std::path::Path::new(&corpus), &dir, &mut |_| {}).unwrap();
    println!(
        "build: {:.2} s, {} files, {} chunks, peak RSS {:.0} MB",
        started.elapsed().as_secs_f64(),
        report.files,
        report.chunks,
        peak_rss_mb()
    );
    drop(index);
    let started = Instant::now();
    let index = LocalIndex::open(&dir).unwrap();
    println!("open: {:.2} s", started.elapsed().as_secs_f64());
    drop(index);
    let _ = std::fs::remove_dir_all(&dir);
}
