//! OTIS domain: the conversation model, its ports and the use cases that drive them.
//!
//! This crate does no I/O and depends on no runtime, HTTP client or database. Adapters
//! (`otis-store-*`, `otis-llm`, retrievers) implement the traits in [`ports`]; entry
//! points (`otis-func`, `otis-cli`) wire adapters into the use cases found here.
//!
//! The pieces:
//! - [`SessionId`], [`TurnId`], [`Seq`], [`Timestamp`], [`Turn`]: validated values.
//! - [`MaxTurns`] and [`Window`]: the max_turns window of recent turns, pure.
//! - [`Conversation`]: the conversation memory over a [`ports::SessionStore`], one read to
//!   load, one write to add a turn, optimistic retry on concurrent appends.
//! - [`question`]: question kinds (purpose, callers, data usage, ...) and subjects.
//! - [`corpus`]: questions about the codebase as a whole, as a typed [`corpus::CorpusQuery`].
//! - [`resolve`]: follow-up resolution ("it" -> the conversation's subject).
//! - [`Assistant`]: the ask use case (resolve, retrieve, generate, persist), with
//!   per-stage timing; [`prompt`] renders a grounded question for text models.
//! - [`code_query`]: model-backed answers over the code model: a text model writes one
//!   read-only query, the code model runs it, the answer shows the query.
//! - [`stored_graph`]: a flow's graph kept compactly in its turn's metadata, so a
//!   reloaded conversation can draw it again.

mod ask;
pub mod code_query;
mod conversation;
pub mod corpus;
mod labels;
pub mod prompt;
pub mod question;
pub mod resolve;
mod session_id;
pub mod stored_graph;
mod turn;
mod window;

pub mod ports;

pub use ask::{
    AskError, AskRequest, AskResponse, Assistant, MAX_QUESTION_BYTES, SourceRef, TEMPERATURE_RANGE,
    TOP_K_RANGE, Timing,
};
pub use conversation::{AppendError, Conversation, MemoryPolicy, append_turn};
pub use session_id::{SessionId, SessionIdError};
pub use turn::{Metadata, NewTurn, Seq, Timestamp, TimestampError, Turn, TurnId, TurnIdError};
pub use window::{MaxTurns, MaxTurnsError, Window};
