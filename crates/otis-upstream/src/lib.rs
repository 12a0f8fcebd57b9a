//! What every adapter that talks to an upstream service (Azure Table Storage, Redis,
//! Azure OpenAI or an OpenAI-compatible server, Azure AI Search) shares, so it is
//! written once: the retry policy ([`RetryPolicy`], on the `backon` crate), reading
//! `Retry-After` ([`retry_after`]), the error that keeps what an upstream said
//! ([`UpstreamError`]), and removing secrets from text ([`Redactor`]).

mod redact;
mod retry;

pub use redact::{REDACTED, Redactor};
pub use retry::{RetryPolicy, Verdict, retry_after};

/// What an upstream service answered when it failed a request: the HTTP status, when
/// there was one, and its own account of the failure, with the adapter's secrets
/// already removed. The account is detail for a log, never for a caller: entry points
/// show the status and a plain message of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpstreamError {
    /// Which service (`model service`, `search index cobol`, ...).
    pub service: String,
    /// The HTTP status, when the service answered over HTTP.
    pub status: Option<u16>,
    /// What it said, secrets removed.
    pub detail: String,
}

impl UpstreamError {
    /// A failure of `service` with `status`, keeping `detail` with `redactor`'s secrets
    /// removed.
    pub fn new(
        service: impl Into<String>,
        status: Option<u16>,
        detail: &str,
        redactor: &Redactor,
    ) -> Self {
        Self {
            service: service.into(),
            status,
            detail: redactor.redact(detail),
        }
    }
}

impl std::fmt::Display for UpstreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.status {
            Some(status) => write!(f, "{} answered {status}: {}", self.service, self.detail),
            None => write!(f, "{}: {}", self.service, self.detail),
        }
    }
}

impl std::error::Error for UpstreamError {}
