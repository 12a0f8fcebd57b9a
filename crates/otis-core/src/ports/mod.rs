//! The ports: traits the use cases drive and adapters implement.
//!
//! Each trait states its contract in its docs. An adapter that cannot keep a clause of
//! a contract does not implement the trait.

mod chat;
mod code;
mod facts;
mod feedback;
mod retriever;
mod store;

pub use chat::{
    ChatError, ChatMessage, ChatModel, ChatRequest, ChatResponse, DeltaSink, Role, TextModel,
    TextPrompt,
};
pub use code::{
    AccessFilter, CodeError, CodeFacts, CodeModel, CodeQuestion, Diagram, Evidence, FactItem,
    Graph, GraphEdge, GraphNode, QuestionKind, QuestionOptions, SqlRows, SqlValue, SymbolKind,
};
pub use facts::{EdgeKind, FixedGroup, ItemGroup, NodeKind, Note};
pub use feedback::{Feedback, FeedbackStore, MAX_FEEDBACK_COMMENT, MAX_FEEDBACK_TEXT};
pub use retriever::{FileAssignment, Hit, MemberFacts, MemberKind, RetrieveError, Retriever};
pub use store::{
    Cursor, DynSessionStore, Page, PageRequest, SessionStore, SessionSummary, StoreError,
};
