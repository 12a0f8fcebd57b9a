//! ChatModel adapters: the offline extractive answerer, Azure OpenAI and OpenAI-compatible
//! chat completions, and a local GGUF model behind a feature.
//!
//! Skeleton: this crate holds no code yet; the ask-pipeline issue fills it. See
//! docs/ARCHITECTURE.md.
