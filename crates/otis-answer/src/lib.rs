//! The answer writer: the offline, deterministic [`Extractive`] `ChatModel`, which
//! composes the answer from the code model's exact facts (`render.rs` per question kind,
//! `render_flow.rs` for flows and screen trees) or, without facts, from the retrieved
//! sources and what the index extracted, citing every line it states.

mod extractive;
mod lists;
mod render;
mod render_corpus;
mod render_flow;
mod text;

pub use extractive::Extractive;
