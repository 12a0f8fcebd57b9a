//! The JSON record of an answer, shared by the HTTP API and `otis ask --json`, so both
//! edges print the same thing.

use otis_core::{AskResponse, SourceRef, Timing};
use serde::Serialize;

/// The answer record: `POST /api/query`'s body and `otis ask --json`'s output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryResponse {
    /// The question as asked.
    pub question: String,
    /// The question after follow-up resolution.
    pub resolved_question: String,
    /// The answer.
    pub answer: String,
    /// The sources, in citation order.
    pub sources: Vec<SourceRef>,
    /// The session, or null for a stateless request.
    pub session_id: Option<String>,
    /// Whether the turn was stored.
    pub persisted: bool,
    /// Why the turn was not stored, when storing was asked for and failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persist_error: Option<String>,
    /// The member the conversation is about now.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The model that answered.
    pub model: String,
    /// Whether the answer was cut short (the client went away, the user cancelled).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub interrupted: bool,
    /// Whole request time in milliseconds.
    pub duration_ms: f64,
    /// Time per stage in milliseconds.
    pub timing: Timing,
}

impl From<AskResponse> for QueryResponse {
    fn from(r: AskResponse) -> Self {
        Self {
            question: r.question,
            resolved_question: r.resolved_question,
            answer: r.answer,
            sources: r.sources,
            session_id: r.session_id.map(|s| s.into_string()),
            persisted: r.persisted,
            persist_error: r.persist_error,
            subject: r.subject,
            model: r.model,
            interrupted: r.interrupted,
            duration_ms: r.timing.total_ms,
            timing: r.timing,
        }
    }
}
