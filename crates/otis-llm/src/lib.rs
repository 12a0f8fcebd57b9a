//! `ChatModel` adapters.
//!
//! - [`Extractive`]: the offline default. No network, no model: it composes the answer
//!   from the retrieved sources and the COBOL facts the index extracted, citing sources.
//! - [`OpenAiChat`]: Azure OpenAI and OpenAI-compatible chat completions, whole or
//!   streamed (server-sent events), with timeouts and bounded retries that honour
//!   `Retry-After`.

mod extractive;
mod openai;

pub use extractive::Extractive;
pub use openai::{ChatPolicy, Endpoint, OpenAiChat};
