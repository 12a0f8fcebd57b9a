//! The `FeedbackStore` port: where users' reports about answers are kept.

use std::fmt;

use async_trait::async_trait;

use crate::ports::store::StoreError;
use crate::session_id::SessionId;
use crate::turn::{Timestamp, TurnId};

/// The longest question or answer a feedback report may quote, in bytes.
pub const MAX_FEEDBACK_TEXT: usize = 64 * 1024;
/// The longest comment, in bytes.
pub const MAX_FEEDBACK_COMMENT: usize = 8 * 1024;

/// A user's report about an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feedback {
    /// Unique id of the report.
    pub id: TurnId,
    /// When it was made.
    pub at: Timestamp,
    /// The session it is about, when there was one.
    pub session: Option<SessionId>,
    /// The question that was asked.
    pub question: String,
    /// The answer that was given.
    pub answer: String,
    /// What the user says.
    pub comment: Option<String>,
    /// A rating, -1 (bad) to 1 (good), when given.
    pub rating: Option<i8>,
    /// The authenticated principal that sent it, when known.
    pub principal: Option<String>,
}

/// Keeps feedback reports durably.
///
/// # Contract
/// - `record` stores the report whole or not at all, and is idempotent per `id`.
/// - Transient failures are retried inside the adapter; then `StoreError::Unavailable`.
#[async_trait]
pub trait FeedbackStore: Send + Sync + fmt::Debug {
    /// Stores a report.
    async fn record(&self, feedback: &Feedback) -> Result<(), StoreError>;
}
