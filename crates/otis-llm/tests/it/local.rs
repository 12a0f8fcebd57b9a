//! The local GGUF model (feature `local`). Compiled only with the feature, which
//! `cargo xtask test` turns on once `cargo xtask fetch-model` has put the model in
//! tools/models/ (CI does both); so when compiled, the model must be there.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

use otis_core::ports::{ChatModel, ChatRequest, DeltaSink, Hit};
use otis_llm::LocalModel;

fn model() -> &'static LocalModel {
    static MODEL: OnceLock<LocalModel> = OnceLock::new();
    MODEL.get_or_init(|| {
        let path = std::env::var("OTIS_GGUF_PATH")
            .map(PathBuf::from)
            .unwrap_or_else(|_| {
                PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                    .join("../../tools/models/SmolLM2-135M-Instruct.Q4_1.gguf")
            });
        assert!(
            path.exists(),
            "no model at {} (cargo xtask fetch-model)",
            path.display()
        );
        let model = LocalModel::load(&path).unwrap();
        eprintln!("model loaded in {:?}", model.load_time());
        model
    })
}

fn request(max_tokens: u32) -> ChatRequest {
    ChatRequest {
        question: "What does LONPF2 do?".into(),
        history: vec![],
        sources: vec![Hit {
            id: "src/LONPF2.cbl#0".into(),
            file: "src/LONPF2.cbl".into(),
            program: Some("LONPF2".into()),
            lines: Some((1, 35)),
            score: 1.0,
            text: "program LONPF2\ndescription: POSTS LOAN PAYMENTS. READS THE DAILY PAYMENT FILE AND APPLIES EACH PAYMENT TO THE LOAN.".into(),
            facts: None,
        }],
        temperature: 0.0,
        max_tokens,
        facts: None,
    }
}

#[test]
fn the_tokenizer_splits_digits_and_round_trips() {
    let tokenizer = model().tokenizer();
    let digits = tokenizer.encode("12345", false).unwrap();
    assert_eq!(
        digits.get_ids().len(),
        5,
        "smollm splits digits one by one: {:?}",
        digits.get_tokens()
    );
    for text in [
        "What does LONPF2 do?",
        "  COPY \"LIB/LNREC.CPY\".\n",
        "émoji 🦀 ünïcode",
        "2000-POST-PAYMENT",
    ] {
        let ids = tokenizer.encode(text, false).unwrap().get_ids().to_vec();
        assert_eq!(tokenizer.decode(&ids, false).unwrap(), text);
    }
    let special = tokenizer.encode("<|im_start|>user", false).unwrap();
    assert_eq!(special.get_tokens()[0], "<|im_start|>");
}

#[test]
fn the_chat_template_comes_from_the_file() {
    let prompt = model().render(&request(16)).unwrap();
    assert!(prompt.contains("<|im_start|>system\n"), "{prompt}");
    assert!(
        prompt.contains("[1] src/LONPF2.cbl lines 1-35 (LONPF2)"),
        "{prompt}"
    );
    assert!(
        prompt.trim_end().ends_with("<|im_start|>assistant"),
        "{prompt}"
    );
}

struct Collect(String);

impl DeltaSink for Collect {
    fn delta(&mut self, text: &str) {
        self.0.push_str(text);
    }
}

#[test]
fn greedy_generation_is_deterministic_bounded_and_streamed() {
    let model = model();
    let prompt = model.render(&request(24)).unwrap();
    let cancel = AtomicBool::new(false);
    let mut pieces = String::new();
    let (first, figures) = model
        .generate(&prompt, 24, 0.0, &cancel, &mut |p| pieces.push_str(p))
        .unwrap();
    eprintln!(
        "prompt {} tokens in {:?}; {} tokens at {:.1} tokens/s",
        figures.prompt_tokens,
        figures.prompt_time,
        figures.tokens,
        figures.tokens_per_second()
    );
    assert!(!first.is_empty());
    assert!(figures.tokens <= 24);
    assert_eq!(pieces.trim(), first);
    let (second, _) = model
        .generate(&prompt, 24, 0.0, &cancel, &mut |_| {})
        .unwrap();
    assert_eq!(first, second, "greedy decoding must be deterministic");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut sink = Collect(String::new());
    let response = runtime
        .block_on(model.stream(&request(24), &mut sink))
        .unwrap();
    assert_eq!(response.text, first);
    assert_eq!(sink.0.trim(), first);
    assert!(response.model.starts_with("local:"));
}

#[test]
fn a_cancelled_generation_stops() {
    let model = model();
    let prompt = model.render(&request(200)).unwrap();
    let cancel = AtomicBool::new(true);
    let (text, figures) = model
        .generate(&prompt, 200, 0.0, &cancel, &mut |_| {})
        .unwrap();
    assert_eq!(figures.tokens, 0);
    assert!(text.is_empty());
}
