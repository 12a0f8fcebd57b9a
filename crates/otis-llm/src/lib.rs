//! `ChatModel` adapters.
//!
//! - [`Extractive`]: the offline default. No network, no model: it composes the answer
//!   from the retrieved sources and the COBOL facts the index extracted, citing sources.

mod extractive;

pub use extractive::Extractive;
