//! Chat completions over HTTP: Azure OpenAI (endpoint, deployment, api-version,
//! `api-key` header) and any OpenAI-compatible server (base URL, bearer key, model),
//! whole or streamed as server-sent events. Retried by the shared policy
//! (`otis_upstream::RetryPolicy`); what the service says in an error never keeps the key.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use otis_core::ports::{ChatError, ChatResponse, DeltaSink, TextModel, TextPrompt};
use otis_core::prompt;
use otis_upstream::{Redactor, RetryPolicy, UpstreamError, Verdict, retry_after};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::grounded::chat_model_by_prompt;

/// Where the model is served.
#[derive(Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// Azure OpenAI: `{endpoint}/openai/deployments/{deployment}/chat/completions`.
    Azure {
        /// `https://NAME.openai.azure.com`.
        endpoint: String,
        /// The deployment name.
        deployment: String,
        /// The `api-version` query value.
        api_version: String,
    },
    /// An OpenAI-compatible server: `{base_url}/chat/completions`.
    OpenAi {
        /// `https://api.openai.com/v1`, or a local server's.
        base_url: String,
        /// The model name sent in the body.
        model: String,
    },
}

impl fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Azure {
                endpoint,
                deployment,
                api_version,
            } => write!(f, "Azure({endpoint}, {deployment}, {api_version})"),
            Self::OpenAi { base_url, model } => write!(f, "OpenAi({base_url}, {model})"),
        }
    }
}

/// The model adapter's retries: 4 attempts, backoff from 500 ms doubling, no retry
/// started after 60 s.
pub const RETRY: RetryPolicy = RetryPolicy {
    max_attempts: 4,
    base_delay: Duration::from_millis(500),
    max_delay: Duration::from_secs(8),
    max_elapsed: Duration::from_secs(60),
};

/// Timeouts and retries.
///
/// Retried: throttling (429, waiting what `Retry-After` / `retry-after-ms` say, else
/// 1 s), 408 and 5xx, and a connection that failed. Not retried: other 4xx (a setting or
/// the prompt is wrong) and an attempt that timed out (the whole answer has one time
/// limit). A completion changes nothing upstream, so sending it again is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatPolicy {
    /// Attempts, backoff and deadline.
    pub retry: RetryPolicy,
    /// Time limit for a whole answer (streamed or not).
    pub timeout: Duration,
}

impl Default for ChatPolicy {
    fn default() -> Self {
        Self {
            retry: RETRY,
            timeout: Duration::from_secs(120),
        }
    }
}

/// A chat-completions model.
#[derive(Clone)]
pub struct OpenAiChat {
    http: reqwest::Client,
    endpoint: Endpoint,
    key: String,
    policy: ChatPolicy,
    /// Removes the key from what the service says.
    redactor: Redactor,
}

impl fmt::Debug for OpenAiChat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiChat")
            .field("endpoint", &self.endpoint)
            .field("key", &"<redacted>")
            .field("policy", &self.policy)
            .finish()
    }
}

/// One attempt's failure, and whether another attempt may succeed.
struct Failed {
    error: ChatError,
    verdict: Verdict,
}

impl Failed {
    fn retry(error: ChatError, verdict: Verdict) -> Self {
        Self { error, verdict }
    }

    fn fail(error: ChatError) -> Self {
        Self {
            error,
            verdict: Verdict::Fail,
        }
    }
}

impl OpenAiChat {
    /// A client for `endpoint`, authenticating with `key`.
    pub fn new(endpoint: Endpoint, key: String, policy: ChatPolicy) -> Result<Self, ChatError> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(policy.timeout)
            .build()
            .map_err(|e| ChatError::Backend(Box::new(e)))?;
        Ok(Self {
            http,
            endpoint,
            redactor: Redactor::new([&key]),
            key,
            policy,
        })
    }

    fn url(&self) -> String {
        match &self.endpoint {
            Endpoint::Azure {
                endpoint,
                deployment,
                api_version,
            } => format!(
                "{}/openai/deployments/{deployment}/chat/completions?api-version={api_version}",
                endpoint.trim_end_matches('/')
            ),
            Endpoint::OpenAi { base_url, .. } => {
                format!("{}/chat/completions", base_url.trim_end_matches('/'))
            }
        }
    }

    fn body(&self, prompt: &TextPrompt, stream: bool) -> Value {
        let messages: Vec<Value> = prompt
            .messages
            .iter()
            .map(|m| json!({"role": m.role.as_str(), "content": m.content}))
            .collect();
        let mut body = json!({
            "messages": messages,
            "temperature": prompt.temperature,
            "max_tokens": prompt.max_tokens,
            "stream": stream,
        });
        if let Endpoint::OpenAi { model, .. } = &self.endpoint {
            body["model"] = json!(model);
        }
        body
    }

    fn default_model(&self) -> String {
        match &self.endpoint {
            Endpoint::Azure { deployment, .. } => deployment.clone(),
            Endpoint::OpenAi { model, .. } => model.clone(),
        }
    }

    /// Sends the request, retrying as [`ChatPolicy`] says; returns the response once it
    /// is a success.
    async fn send(&self, body: &Value) -> Result<reqwest::Response, ChatError> {
        self.policy
            .retry
            .run(|| self.attempt(body), |failed: &Failed| failed.verdict)
            .await
            .map_err(|failed| failed.error)
    }

    async fn attempt(&self, body: &Value) -> Result<reqwest::Response, Failed> {
        let mut builder = self
            .http
            .post(self.url())
            .header("Content-Type", "application/json")
            .body(body.to_string());
        builder = match &self.endpoint {
            Endpoint::Azure { .. } => builder.header("api-key", &self.key),
            Endpoint::OpenAi { .. } => builder.bearer_auth(&self.key),
        };
        let response = builder.send().await.map_err(|e| {
            if e.is_timeout() {
                Failed::fail(ChatError::Timeout(self.policy.timeout))
            } else {
                Failed::retry(ChatError::Backend(Box::new(e)), Verdict::Retry)
            }
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after =
            retry_after(|name| response.headers().get(name).and_then(|v| v.to_str().ok()));
        let text = response.text().await.unwrap_or_default();
        let message = service_message(&self.redactor.redact(&text));
        Err(match status {
            StatusCode::TOO_MANY_REQUESTS => Failed::retry(
                ChatError::RateLimited { retry_after },
                Verdict::RetryAfter(retry_after.unwrap_or(Duration::from_secs(1))),
            ),
            s if s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT => Failed::retry(
                ChatError::Backend(Box::new(UpstreamError {
                    service: "model service".into(),
                    status: Some(s.as_u16()),
                    detail: message,
                })),
                retry_after.map_or(Verdict::Retry, Verdict::RetryAfter),
            ),
            s => Failed::fail(ChatError::Rejected {
                status: s.as_u16(),
                message,
            }),
        })
    }
}

/// The service's own error message from an error body, or the body's start (the body
/// comes with the key already removed, so cutting it short leaves no piece of it).
fn service_message(text: &str) -> String {
    serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| text.chars().take(300).collect())
}

fn parse_completion(text: &str, fallback_model: String) -> Result<ChatResponse, ChatError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ChatError::Malformed(format!("body is not JSON: {e}")))?;
    let content = value["choices"][0]["message"]["content"]
        .as_str()
        .ok_or_else(|| ChatError::Malformed("no choices[0].message.content".into()))?;
    Ok(ChatResponse {
        text: content.to_owned(),
        model: value["model"]
            .as_str()
            .map_or(fallback_model, str::to_owned),
    })
}

chat_model_by_prompt!(
    OpenAiChat,
    source_chars: prompt::SOURCE_CHARS,
    name: |chat| match &chat.endpoint {
        Endpoint::Azure { deployment, .. } => format!("azure-openai:{deployment}"),
        Endpoint::OpenAi { model, .. } => format!("openai:{model}"),
    }
);

/// Chat completions of any prompt: the grounded answer above, and the ask use case's
/// own prompts (a query over the code model, the answer from its rows).
#[async_trait]
impl TextModel for OpenAiChat {
    async fn reply(&self, prompt: &TextPrompt) -> Result<ChatResponse, ChatError> {
        let body = self.body(prompt, false);
        let work = async {
            let response = self.send(&body).await?;
            let text = response
                .text()
                .await
                .map_err(|e| ChatError::Backend(Box::new(e)))?;
            parse_completion(&text, self.default_model())
        };
        tokio::time::timeout(self.policy.timeout, work)
            .await
            .map_err(|_| ChatError::Timeout(self.policy.timeout))?
    }

    async fn stream_reply(
        &self,
        prompt: &TextPrompt,
        sink: &mut dyn DeltaSink,
    ) -> Result<ChatResponse, ChatError> {
        let body = self.body(prompt, true);
        let work = async {
            let mut response = self.send(&body).await?;
            let mut model = self.default_model();
            let mut text = String::new();
            let mut pending: Vec<u8> = Vec::new();
            let mut done = false;
            while !done {
                let Some(chunk) = response
                    .chunk()
                    .await
                    .map_err(|e| ChatError::Backend(Box::new(e)))?
                else {
                    break;
                };
                pending.extend_from_slice(&chunk);
                // Events end with a blank line; handle every complete line we have.
                while let Some(end) = pending.iter().position(|&b| b == b'\n') {
                    let line: Vec<u8> = pending.drain(..=end).collect();
                    let line = String::from_utf8_lossy(&line);
                    let Some(data) = line.trim_end().strip_prefix("data:") else {
                        continue;
                    };
                    let data = data.trim();
                    if data == "[DONE]" {
                        done = true;
                        break;
                    }
                    let event: Value = serde_json::from_str(data).map_err(|e| {
                        ChatError::Malformed(format!("stream event is not JSON: {e}"))
                    })?;
                    if let Some(name) = event["model"].as_str().filter(|m| !m.is_empty()) {
                        model = name.to_owned();
                    }
                    if let Some(delta) = event["choices"][0]["delta"]["content"].as_str()
                        && !delta.is_empty()
                    {
                        sink.delta(delta);
                        text.push_str(delta);
                    }
                }
            }
            if !done {
                return Err(ChatError::Malformed("stream ended without [DONE]".into()));
            }
            Ok(ChatResponse { text, model })
        };
        tokio::time::timeout(self.policy.timeout, work)
            .await
            .map_err(|_| ChatError::Timeout(self.policy.timeout))?
    }
}
