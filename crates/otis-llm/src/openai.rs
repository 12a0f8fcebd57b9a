//! Chat completions over HTTP: Azure OpenAI (endpoint, deployment, api-version,
//! `api-key` header) and any OpenAI-compatible server (base URL, bearer key, model),
//! whole or streamed as server-sent events.

use std::fmt;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use otis_core::ports::{ChatError, ChatModel, ChatRequest, ChatResponse, DeltaSink};
use otis_core::prompt;
use reqwest::StatusCode;
use serde_json::{Value, json};

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

/// Timeouts and retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChatPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// No retry starts after this much time since the first attempt.
    pub max_elapsed: Duration,
    /// Time limit for a whole answer (streamed or not).
    pub timeout: Duration,
    /// The first backoff after a 5xx or a connection failure; doubles each time.
    pub base_delay: Duration,
}

impl Default for ChatPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            max_elapsed: Duration::from_secs(60),
            timeout: Duration::from_secs(120),
            base_delay: Duration::from_millis(500),
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
enum Attempt {
    Retry(ChatError, Option<Duration>),
    Fail(ChatError),
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

    fn body(&self, request: &ChatRequest, stream: bool) -> Value {
        let messages: Vec<Value> = prompt::messages(request, prompt::SOURCE_CHARS)
            .iter()
            .map(|m| json!({"role": m.role.as_str(), "content": m.content}))
            .collect();
        let mut body = json!({
            "messages": messages,
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
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

    /// Sends the request, retrying throttling and server errors; returns the response
    /// once it is a success.
    async fn send(&self, body: &Value) -> Result<reqwest::Response, ChatError> {
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let outcome = self.attempt(body).await;
            let (error, wait) = match outcome {
                Ok(response) => return Ok(response),
                Err(Attempt::Fail(error)) => return Err(error),
                Err(Attempt::Retry(error, wait)) => (error, wait),
            };
            let delay = wait.unwrap_or_else(|| {
                let exp = self
                    .policy
                    .base_delay
                    .saturating_mul(1 << (attempt - 1).min(10));
                exp / 2 + (exp / 2).mul_f64(fastrand::f64())
            });
            if attempt >= self.policy.max_attempts
                || started.elapsed() + delay > self.policy.max_elapsed
            {
                return Err(error);
            }
            tokio::time::sleep(delay).await;
        }
    }

    async fn attempt(&self, body: &Value) -> Result<reqwest::Response, Attempt> {
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
                Attempt::Fail(ChatError::Timeout(self.policy.timeout))
            } else {
                Attempt::Retry(ChatError::Backend(Box::new(e)), None)
            }
        })?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        let retry_after = retry_after(response.headers());
        let text = response.text().await.unwrap_or_default();
        let message = service_message(&text);
        Err(match status {
            StatusCode::TOO_MANY_REQUESTS => Attempt::Retry(
                ChatError::RateLimited { retry_after },
                Some(retry_after.unwrap_or(Duration::from_secs(1))),
            ),
            s if s.is_server_error() || s == StatusCode::REQUEST_TIMEOUT => Attempt::Retry(
                ChatError::Backend(format!("model service answered {s}: {message}").into()),
                retry_after,
            ),
            s => Attempt::Fail(ChatError::Rejected {
                status: s.as_u16(),
                message,
            }),
        })
    }
}

/// `Retry-After` (seconds) or `retry-after-ms`, as Azure OpenAI sends them.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    get("retry-after-ms")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_millis)
        .or_else(|| {
            get("retry-after")
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s >= 0.0)
                .map(Duration::from_secs_f64)
        })
}

/// The service's own error message from an error body, or the body's start.
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

#[async_trait]
impl ChatModel for OpenAiChat {
    fn name(&self) -> String {
        match &self.endpoint {
            Endpoint::Azure { deployment, .. } => format!("azure-openai:{deployment}"),
            Endpoint::OpenAi { model, .. } => format!("openai:{model}"),
        }
    }

    async fn complete(&self, request: &ChatRequest) -> Result<ChatResponse, ChatError> {
        let body = self.body(request, false);
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

    async fn stream(
        &self,
        request: &ChatRequest,
        sink: &mut dyn DeltaSink,
    ) -> Result<ChatResponse, ChatError> {
        let body = self.body(request, true);
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
