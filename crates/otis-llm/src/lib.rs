//! `ChatModel` adapters.
//!
//! - [`Extractive`]: the offline default. No network, no model: it composes the answer
//!   from the retrieved sources and the COBOL facts the index extracted, citing sources.
//! - [`OpenAiChat`]: Azure OpenAI and OpenAI-compatible chat completions, whole or
//!   streamed (server-sent events), with timeouts and the shared retry policy
//!   (`otis_upstream`), which honours `Retry-After`.
//! - `LocalModel` (feature `local`): a GGUF model (SmolLM2-135M-Instruct) on the CPU
//!   with candle, tokenizer and chat template read from the file.

mod extractive;
#[cfg(feature = "local")]
mod local;
mod openai;
mod render;
mod render_flow;

pub use extractive::Extractive;
#[cfg(feature = "local")]
pub use local::{Generation, LocalModel};
pub use openai::{ChatPolicy, Endpoint, OpenAiChat, RETRY};
pub use otis_upstream::RetryPolicy;
