//! A local GGUF model (SmolLM2-135M-Instruct by default) run on the CPU with candle's
//! quantized llama. Everything comes from the GGUF file: weights, the BPE vocabulary and
//! merges, the special tokens, and the chat template. Greedy by default, a token cap, a
//! repetition guard, and prompt + output kept below the model's 4096 positions.

use std::fmt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use candle_core::quantized::gguf_file;
use candle_core::{Device, Tensor};
use candle_transformers::generation::LogitsProcessor;
use candle_transformers::models::quantized_llama::{MAX_SEQ_LEN, ModelWeights};
use otis_core::ports::{
    ChatError, ChatMessage, ChatModel, ChatRequest, ChatResponse, DeltaSink, TextModel, TextPrompt,
};
use otis_core::prompt;
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::models::bpe::BPE;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::{AddedToken, Tokenizer};

use crate::grounded::chat_model_by_prompt;

/// Source text per retrieved chunk given to the small model: it is only demo quality on
/// long contexts.
const LOCAL_SOURCE_CHARS: usize = 600;
/// Tokens considered by the repetition penalty.
const REPEAT_WINDOW: usize = 64;
/// The repetition penalty.
const REPEAT_PENALTY: f32 = 1.1;

fn backend(e: impl fmt::Display) -> ChatError {
    ChatError::Backend(e.to_string().into())
}

/// Figures from loading and generating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Generation {
    /// Prompt tokens.
    pub prompt_tokens: usize,
    /// Generated tokens.
    pub tokens: usize,
    /// Time to process the prompt.
    pub prompt_time: Duration,
    /// Time generating, prompt excluded.
    pub generate_time: Duration,
}

impl Generation {
    /// Generated tokens per second.
    pub fn tokens_per_second(&self) -> f64 {
        self.tokens as f64 / self.generate_time.as_secs_f64().max(1e-9)
    }
}

struct Inner {
    weights: Mutex<ModelWeights>,
    tokenizer: Tokenizer,
    template: String,
    bos: Option<String>,
    eos_ids: Vec<u32>,
    name: String,
}

/// The local model. Cheap to clone; generations run one at a time.
#[derive(Clone)]
pub struct LocalModel {
    inner: Arc<Inner>,
    load_time: Duration,
}

impl fmt::Debug for LocalModel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LocalModel")
            .field("name", &self.inner.name)
            .field("load_time", &self.load_time)
            .finish_non_exhaustive()
    }
}

fn strings(content: &gguf_file::Content, key: &str) -> Result<Vec<String>, ChatError> {
    let values = content
        .metadata
        .get(key)
        .ok_or_else(|| backend(format!("the GGUF file has no {key}")))?
        .to_vec()
        .map_err(backend)?;
    values
        .iter()
        .map(|v| v.to_string().cloned().map_err(backend))
        .collect()
}

fn metadata_u32(content: &gguf_file::Content, key: &str) -> Option<u32> {
    content.metadata.get(key).and_then(|v| v.to_u32().ok())
}

/// The tokenizer a GGUF file describes: byte-level BPE from its vocabulary and merges.
/// `tokenizer.ggml.pre = smollm` needs digits split one by one before byte-level
/// splitting, as the reference tokenizer does.
fn tokenizer_from_gguf(content: &gguf_file::Content) -> Result<Tokenizer, ChatError> {
    let tokens = strings(content, "tokenizer.ggml.tokens")?;
    let merges: Vec<(String, String)> = strings(content, "tokenizer.ggml.merges")?
        .into_iter()
        .filter_map(|m| m.split_once(' ').map(|(a, b)| (a.to_owned(), b.to_owned())))
        .collect();
    let vocab: tokenizers::models::bpe::Vocab = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), i as u32))
        .collect();
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(backend)?;
    let mut tokenizer = Tokenizer::new(bpe);
    let pre = content
        .metadata
        .get("tokenizer.ggml.pre")
        .and_then(|v| v.to_string().ok())
        .cloned()
        .unwrap_or_default();
    let byte_level = ByteLevel::new(false, true, true);
    if pre == "smollm" {
        tokenizer.with_pre_tokenizer(Some(Sequence::new(vec![
            Digits::new(true).into(),
            byte_level.into(),
        ])));
    } else {
        tokenizer.with_pre_tokenizer(Some(byte_level));
    }
    tokenizer.with_decoder(Some(ByteLevelDecoder::default()));
    // Control tokens (`<|im_start|>`, `<|endoftext|>`, ...) are matched whole.
    let specials: Vec<AddedToken> = tokens
        .iter()
        .filter(|t| t.starts_with("<|") && t.ends_with("|>"))
        .map(|t| AddedToken::from(t.clone(), true))
        .collect();
    tokenizer.add_special_tokens(&specials);
    Ok(tokenizer)
}

impl LocalModel {
    /// Loads a GGUF file: weights, tokenizer and chat template.
    pub fn load(path: &Path) -> Result<Self, ChatError> {
        let started = Instant::now();
        let mut file =
            std::fs::File::open(path).map_err(|e| backend(format!("{}: {e}", path.display())))?;
        let content = gguf_file::Content::read(&mut file)
            .map_err(|e| backend(format!("{}: {e}", path.display())))?;
        let tokenizer = tokenizer_from_gguf(&content)?;
        let template = content
            .metadata
            .get("tokenizer.chat_template")
            .and_then(|v| v.to_string().ok())
            .cloned()
            .ok_or_else(|| backend("the GGUF file has no tokenizer.chat_template"))?;
        let tokens = strings(&content, "tokenizer.ggml.tokens")?;
        let token_text =
            |key: &str| metadata_u32(&content, key).and_then(|i| tokens.get(i as usize).cloned());
        let bos = token_text("tokenizer.ggml.bos_token_id");
        let mut eos_ids: Vec<u32> = metadata_u32(&content, "tokenizer.ggml.eos_token_id")
            .into_iter()
            .collect();
        for stop in ["<|im_end|>", "<|endoftext|>"] {
            if let Some(id) = tokenizer.token_to_id(stop)
                && !eos_ids.contains(&id)
            {
                eos_ids.push(id);
            }
        }
        let name = content
            .metadata
            .get("general.name")
            .and_then(|v| v.to_string().ok())
            .cloned()
            .unwrap_or_else(|| "local".to_owned());
        let weights = ModelWeights::from_gguf(content, &mut file, &Device::Cpu).map_err(backend)?;
        Ok(Self {
            inner: Arc::new(Inner {
                weights: Mutex::new(weights),
                tokenizer,
                template,
                bos,
                eos_ids,
                name,
            }),
            load_time: started.elapsed(),
        })
    }

    /// How long loading took.
    pub fn load_time(&self) -> Duration {
        self.load_time
    }

    /// The tokenizer built from the file.
    pub fn tokenizer(&self) -> &Tokenizer {
        &self.inner.tokenizer
    }

    /// The request rendered with the file's chat template, ready for generation.
    pub fn render(&self, request: &ChatRequest) -> Result<String, ChatError> {
        self.render_messages(&prompt::messages(request, LOCAL_SOURCE_CHARS))
    }

    /// `messages` rendered with the file's chat template, ready for generation.
    pub fn render_messages(&self, messages: &[ChatMessage]) -> Result<String, ChatError> {
        let messages: Vec<minijinja::Value> = messages
            .iter()
            .map(|m| {
                minijinja::context! { role => m.role.as_str(), content => m.content.clone() }
            })
            .collect();
        let mut env = minijinja::Environment::new();
        env.add_template("chat", &self.inner.template)
            .map_err(|e| backend(format!("chat template: {e}")))?;
        env.get_template("chat")
            .and_then(|t| {
                t.render(minijinja::context! {
                    messages => messages,
                    add_generation_prompt => true,
                    bos_token => self.inner.bos.clone().unwrap_or_default(),
                })
            })
            .map_err(|e| backend(format!("chat template: {e}")))
    }

    /// Generates an answer to `prompt` (already templated), calling `on_text` with each
    /// decoded piece; stops at an end token, `max_tokens`, the position limit, a
    /// repetition loop, or when `cancel` is set.
    pub fn generate(
        &self,
        prompt: &str,
        max_tokens: u32,
        temperature: f32,
        cancel: &AtomicBool,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<(String, Generation), ChatError> {
        let inner = &self.inner;
        let mut ids = inner
            .tokenizer
            .encode(prompt, false)
            .map_err(backend)?
            .get_ids()
            .to_vec();
        // Keep prompt + answer inside the positions the model has.
        let budget = MAX_SEQ_LEN - 1;
        let max_new = (max_tokens as usize).min(budget / 2).max(1);
        if ids.len() + max_new > budget {
            let keep = budget - max_new;
            ids.drain(..ids.len() - keep);
        }
        let sampling = if temperature <= 0.0 {
            None
        } else {
            Some(f64::from(temperature))
        };
        let mut logits_processor = LogitsProcessor::new(299_792_458, sampling, None);
        if cancel.load(Ordering::Relaxed) {
            let figures = Generation {
                prompt_tokens: ids.len(),
                tokens: 0,
                prompt_time: Duration::ZERO,
                generate_time: Duration::ZERO,
            };
            return Ok((String::new(), figures));
        }
        let mut weights = inner
            .weights
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let started = Instant::now();
        let input = Tensor::new(ids.as_slice(), &Device::Cpu)
            .and_then(|t| t.unsqueeze(0))
            .map_err(backend)?;
        let logits = weights.forward(&input, 0).map_err(backend)?;
        let prompt_time = started.elapsed();
        let prompt_tokens = ids.len();
        let mut next = logits_processor
            .sample(&logits.squeeze(0).map_err(backend)?)
            .map_err(backend)?;
        let started = Instant::now();
        let mut generated: Vec<u32> = Vec::new();
        let mut text = String::new();
        while !inner.eos_ids.contains(&next) && generated.len() < max_new {
            if cancel.load(Ordering::Relaxed) {
                break;
            }
            generated.push(next);
            let decoded = inner.tokenizer.decode(&generated, true).map_err(backend)?;
            if decoded.len() > text.len() && decoded.starts_with(&text) {
                let piece = decoded[text.len()..].to_owned();
                on_text(&piece);
                text = decoded;
            }
            if repeating(&generated) {
                break;
            }
            let position = prompt_tokens + generated.len() - 1;
            if position + 1 >= budget {
                break;
            }
            let input = Tensor::new(&[next], &Device::Cpu)
                .and_then(|t| t.unsqueeze(0))
                .map_err(backend)?;
            let logits = weights
                .forward(&input, position)
                .and_then(|l| l.squeeze(0))
                .map_err(backend)?;
            let start = generated.len().saturating_sub(REPEAT_WINDOW);
            let logits = candle_transformers::utils::apply_repeat_penalty(
                &logits,
                REPEAT_PENALTY,
                &generated[start..],
            )
            .map_err(backend)?;
            next = logits_processor.sample(&logits).map_err(backend)?;
        }
        let figures = Generation {
            prompt_tokens,
            tokens: generated.len(),
            prompt_time,
            generate_time: started.elapsed(),
        };
        Ok((text.trim().to_owned(), figures))
    }
}

/// A loop guard: the last 8 tokens already appeared twice just before.
fn repeating(tokens: &[u32]) -> bool {
    const N: usize = 8;
    if tokens.len() < 3 * N {
        return false;
    }
    let tail = &tokens[tokens.len() - N..];
    let count = tokens.windows(N).filter(|w| *w == tail).count();
    count >= 3
}

/// Sets a flag when dropped: a cancelled answer stops the generation thread.
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

chat_model_by_prompt!(
    LocalModel,
    source_chars: LOCAL_SOURCE_CHARS,
    name: |model| format!("local:{}", model.inner.name)
);

/// Generation from any prompt: the grounded answer above, and the ask use case's own
/// prompts (a query over the code model, the answer from its rows).
#[async_trait]
impl TextModel for LocalModel {
    async fn reply(&self, prompt: &TextPrompt) -> Result<ChatResponse, ChatError> {
        struct Discard;
        impl DeltaSink for Discard {
            fn delta(&mut self, _: &str) {}
        }
        self.stream_reply(prompt, &mut Discard).await
    }

    async fn stream_reply(
        &self,
        prompt: &TextPrompt,
        sink: &mut dyn DeltaSink,
    ) -> Result<ChatResponse, ChatError> {
        let (max_tokens, temperature) = (prompt.max_tokens, prompt.temperature);
        let prompt = self.render_messages(&prompt.messages)?;
        let cancel = Arc::new(AtomicBool::new(false));
        let _guard = CancelOnDrop(cancel.clone());
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        let model = self.clone();
        let work = tokio::task::spawn_blocking(move || {
            model.generate(&prompt, max_tokens, temperature, &cancel, &mut |piece| {
                let _ = tx.send(piece.to_owned());
            })
        });
        while let Some(piece) = rx.recv().await {
            sink.delta(&piece);
        }
        let (text, _) = work.await.map_err(backend)??;
        Ok(ChatResponse {
            text,
            model: self.name(),
        })
    }
}
