//! `ChatModel` adapters that call a text model (the offline default answerer,
//! `Extractive`, is in the otis-answer crate):
//!
//! - [`OpenAiChat`]: Azure OpenAI and OpenAI-compatible chat completions, whole or
//!   streamed (server-sent events), with timeouts and the shared retry policy
//!   (`otis_upstream`), which honours `Retry-After`.
//! - `LocalModel` (feature `local`): a GGUF model (SmolLM2-135M-Instruct) on the CPU
//!   with candle, tokenizer and chat template read from the file.

mod grounded;
#[cfg(feature = "local")]
mod local;
mod openai;

#[cfg(feature = "local")]
pub use local::{Generation, LocalModel};
pub use openai::{ChatPolicy, Endpoint, OpenAiChat, RETRY};
pub use otis_upstream::RetryPolicy;
