//! The JSON record of an answer, shared by the HTTP API and `otis ask --json`, so both
//! edges print the same thing: the use case's response plus `duration_ms`.

use otis_core::AskResponse;
use serde::Serialize;

/// The answer record: `POST /api/query`'s body and `otis ask --json`'s output. Its
/// fields are [`AskResponse`]'s (question, resolved_question, answer, sources,
/// session_id, persisted, persist_error, subject, model, interrupted, timing) and
/// `duration_ms`, the whole request's time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryResponse {
    /// The use case's response.
    #[serde(flatten)]
    pub response: AskResponse,
    /// Whole request time in milliseconds.
    pub duration_ms: f64,
}

impl From<AskResponse> for QueryResponse {
    fn from(response: AskResponse) -> Self {
        Self {
            duration_ms: response.timing.total_ms,
            response,
        }
    }
}
