//! The `ChatModel` port: something that turns a grounded question into an answer.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use crate::ports::code::CodeFacts;
use crate::ports::retriever::Hit;

/// Who speaks a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Instructions to the model.
    System,
    /// The user's words.
    User,
    /// The model's earlier words.
    Assistant,
}

impl Role {
    /// The role's name in OpenAI-style chat messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "system",
            Self::User => "user",
            Self::Assistant => "assistant",
        }
    }
}

/// One message of a chat prompt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatMessage {
    /// Who speaks.
    pub role: Role,
    /// What is said.
    pub content: String,
}

/// A question grounded in retrieved sources, and how to sample the answer.
///
/// Models that take text render it with [`crate::prompt::messages`]; the extractive
/// answerer reads `question` and `sources` directly.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    /// The question, with follow-up references already resolved.
    pub question: String,
    /// Recent turns of the conversation, oldest first (user, assistant, ...).
    pub history: Vec<ChatMessage>,
    /// The retrieved sources, best first; answers cite them as `[1]`, `[2]`, ...
    /// When `facts` is given, its evidence lines come first, in the same order.
    pub sources: Vec<Hit>,
    /// The code model's exact facts for the question, when it has them: the answer's
    /// ground truth. `facts.evidence[i]` is source `[i + 1]`.
    pub facts: Option<CodeFacts>,
    /// Sampling temperature, 0.0..=2.0; 0 asks for the most likely answer.
    pub temperature: f32,
    /// Upper bound on generated tokens.
    pub max_tokens: u32,
}

/// Chat messages as a text model is to read them, and how to sample its reply: what
/// [`crate::prompt::messages`] makes of a [`ChatRequest`], or a prompt of the ask use
/// case's own (writing a query over the code model, answering from its rows).
#[derive(Debug, Clone, PartialEq)]
pub struct TextPrompt {
    /// The messages, in order (system first).
    pub messages: Vec<ChatMessage>,
    /// Sampling temperature, 0.0..=2.0.
    pub temperature: f32,
    /// Upper bound on generated tokens.
    pub max_tokens: u32,
}

/// A finished answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatResponse {
    /// The answer text, whole.
    pub text: String,
    /// The model that answered, as it names itself.
    pub model: String,
}

/// Receives answer text as a streaming model produces it.
pub trait DeltaSink: Send {
    /// Called with each new piece of the answer, in order.
    fn delta(&mut self, text: &str);
}

/// What can go wrong asking a [`ChatModel`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChatError {
    /// The service throttled and its retries are spent; `retry_after` is its last hint.
    #[error("model service is throttling requests")]
    RateLimited {
        /// How long the service asked to wait, when it said.
        retry_after: Option<Duration>,
    },
    /// No answer within the configured time.
    #[error("model did not answer within {0:?}")]
    Timeout(Duration),
    /// The service refused the request (4xx other than 429): a configuration or prompt
    /// problem that retrying will not fix.
    #[error("model service refused the request ({status}): {message}")]
    Rejected {
        /// The HTTP status or equivalent.
        status: u16,
        /// The service's own message.
        message: String,
    },
    /// The service answered with something that is not the documented format.
    #[error("model service sent a malformed answer: {0}")]
    Malformed(String),
    /// Any other failure (5xx after retries, connection refused, model file unreadable).
    #[error("model backend failed: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Generates answers.
///
/// # Contract
/// - `complete` returns the whole answer or an error, never a partial answer as success.
/// - `stream` calls the sink with the answer's pieces in order and then returns the same
///   whole answer `complete` would have. When the returned future is dropped the model
///   stops generating (this is how a user cancels).
/// - Throttling (429) is retried inside the adapter, honouring the service's
///   `Retry-After`, within a bounded total time; then [`ChatError::RateLimited`].
/// - Adapters never log prompts or keys.
#[async_trait]
pub trait ChatModel: Send + Sync + fmt::Debug {
    /// A short name for `stats` and verbose output (e.g. `extractive`, `azure-openai:gpt-4o`).
    fn name(&self) -> String;

    /// The whole answer to `request`.
    async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, ChatError>;

    /// The answer to `request`, fed to `sink` as it is produced.
    async fn stream(
        &self,
        request: &ChatRequest,
        sink: &mut dyn DeltaSink,
    ) -> Result<ChatResponse, ChatError> {
        let response = self.complete(request).await?;
        sink.delta(&response.text);
        Ok(response)
    }

    /// The model as a [`TextModel`], when it writes from a prompt: Azure OpenAI,
    /// OpenAI-compatible servers and local GGUF models do; the extractive answerer, which
    /// renders the facts it is given, does not (the default).
    fn as_text_model(&self) -> Option<&dyn TextModel> {
        None
    }
}

/// A model that writes its reply to any prompt: every text model. The ask use case gives
/// it tasks of its own beside answering a [`ChatRequest`] (writing one query over the
/// code model, then answering from its rows).
///
/// # Contract
/// The clauses of [`ChatModel`] hold here too: the whole reply or an error; `stream`
/// feeds the pieces in order and returns the same whole reply; dropping the future stops
/// generation; throttling is retried inside the adapter; prompts and keys are never
/// logged. The messages are sent as they are: nothing is added to them.
#[async_trait]
pub trait TextModel: Send + Sync {
    /// The whole reply to `prompt`.
    async fn reply(&self, prompt: &TextPrompt) -> Result<ChatResponse, ChatError>;

    /// The reply to `prompt`, fed to `sink` as it is produced.
    async fn stream_reply(
        &self,
        prompt: &TextPrompt,
        sink: &mut dyn DeltaSink,
    ) -> Result<ChatResponse, ChatError> {
        let response = self.reply(prompt).await?;
        sink.delta(&response.text);
        Ok(response)
    }
}
